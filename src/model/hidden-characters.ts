/**
 * Characters that change how text looks without showing themselves: controls
 * (C0, DEL, C1, so line breaks and NUL too), format characters (bidi
 * embeddings, overrides and isolates, zero-width spaces and joiners), line and
 * paragraph separators, and the other default-ignorable code points
 * (variation selectors, fillers, tags). In a script or template that someone
 * reviews before deploying, they can make the code around a string read other
 * than it runs (Trojan Source), so every exporter writes them as escapes, in
 * the language's own notation, and refuses them where the language has none.
 */
const HIDDEN = "\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Default_Ignorable_Code_Point}";
const HIDDEN_ONE = new RegExp(`[${HIDDEN}]`, "u");
const HIDDEN_ALL = new RegExp(`[${HIDDEN}]`, "gu");
/** Half of a surrogate pair without the other half: no UTF-8 file can hold it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether one character (a code point) is hidden. */
export const isHidden = (char: string): boolean => HIDDEN_ONE.test(char);

/** Whether the text holds a hidden character. */
export const hasHidden = (text: string): boolean => HIDDEN_ONE.test(text);

/** Whether the text holds half a surrogate pair, which is not Unicode text. */
export const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text);

/** `U+202E`: how a code point is named in messages. */
export function codePointName(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The UTF-16 code units of a character as JSON writes them: `\u202e`, `\ud83d\ude00`. */
const jsonUnits = (char: string): string =>
  [...Array(char.length).keys()]
    .map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`)
    .join("");

/**
 * JSON text with its hidden characters escaped, but for the line breaks and
 * tabs that lay it out: JSON.stringify escapes those (and every other C0
 * control) inside strings already; the others can only stand inside strings,
 * where `\uXXXX` means the same.
 */
export const escapeHiddenInJson = (json: string): string =>
  json.replace(HIDDEN_ALL, (char) => (/^[\t\n\r]$/.test(char) ? char : jsonUnits(char)));

/**
 * Text for a terminal: every hidden character but the line feeds and tabs
 * that lay it out written as JSON writes it (`\u001b`, `\u202e`), so that
 * the terminal shows it rather than obeys it, and JSON printed stays JSON.
 */
export const escapeHiddenButLayout = (text: string): string =>
  text.replace(HIDDEN_ALL, (char) => (char === "\n" || char === "\t" ? char : jsonUnits(char)));

/** A text quoted for a message or a comment: one line, every hidden character spelled out. */
export const shown = (text: string): string => escapeHiddenInJson(JSON.stringify(text));

/** The text with its hidden characters spelled out as `\u{202E}`: one line, for a comment. */
export const spelledOut = (text: string): string =>
  text.replace(HIDDEN_ALL, (char) => `\\u{${codePointName(char).slice(2)}}`);
