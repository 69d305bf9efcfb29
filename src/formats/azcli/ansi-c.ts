/**
 * Bash's ANSI-C quoting, `$'...'`: where the quote ends and the text its
 * backslash escapes stand for. `\xHH` and octal escapes give bytes, read
 * back as UTF-8 with the rest, as bash hands them to a command; a NUL byte
 * ends the text there, since a command's arguments are C strings.
 */

const NAMED: ReadonlyMap<string, number> = new Map([
  ["a", 0x07],
  ["b", 0x08],
  ["e", 0x1b],
  ["E", 0x1b],
  ["f", 0x0c],
  ["n", 0x0a],
  ["r", 0x0d],
  ["t", 0x09],
  ["v", 0x0b],
  ["\\", 0x5c],
  ["'", 0x27],
  ['"', 0x22],
  ["?", 0x3f],
]);

/**
 * Reads the quote whose text starts at `from` (just after `$'`). Returns its
 * value and the index just past the closing `'`, or undefined when it is not closed.
 */
export function readAnsiC(text: string, from: number): { value: string; end: number } | undefined {
  const bytes: number[] = [];
  const utf8 = (s: string) => bytes.push(...Buffer.from(s, "utf8"));
  let i = from;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === "'") return { value: decode(bytes), end: i + 1 };
    if (c !== "\\" || i + 1 >= text.length) {
      const char = String.fromCodePoint(text.codePointAt(i) as number);
      utf8(char);
      i += char.length;
      continue;
    }
    const next = text[i + 1] as string;
    const named = NAMED.get(next);
    const digits = (pattern: RegExp) => pattern.exec(text.slice(i + 2))?.[0] ?? "";
    if (named !== undefined) {
      bytes.push(named);
      i += 2;
    } else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1))?.[0] as string;
      bytes.push(Number.parseInt(octal, 8) & 0xff);
      i += 1 + octal.length;
    } else if (next === "x" && digits(/^[0-9a-fA-F]{1,2}/) !== "") {
      const hex = digits(/^[0-9a-fA-F]{1,2}/);
      bytes.push(Number.parseInt(hex, 16));
      i += 2 + hex.length;
    } else if ((next === "u" || next === "U") && digits(/^[0-9a-fA-F]/) !== "") {
      const hex = digits(next === "u" ? /^[0-9a-fA-F]{1,4}/ : /^[0-9a-fA-F]{1,8}/);
      const code = Number.parseInt(hex, 16);
      utf8(code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd");
      i += 2 + hex.length;
    } else if (next === "c" && i + 2 < text.length) {
      bytes.push((text.charCodeAt(i + 2) & 0x1f) % 0x80);
      i += 3;
    } else {
      // An unknown escape stays as written.
      utf8(`\\${next}`);
      i += 2;
    }
  }
  return undefined;
}

function decode(bytes: readonly number[]): string {
  const nul = bytes.indexOf(0);
  return Buffer.from(nul < 0 ? bytes : bytes.slice(0, nul)).toString("utf8");
}
