/**
 * How text reaches the user: every piece of it (file names, values, names in
 * messages, code frames, JSON) passes here on its way to standard output or
 * error, so that no message has to remember it.
 */
import { escapeHiddenButLayout } from "../../model/hidden-characters.js";
import type { Io } from "../io.js";
import { asTerminalStyles } from "./style.js";

/**
 * Text as a terminal must receive it: control characters (ESC and the
 * sequences it starts, the other C0 and C1 controls), bidi controls and the
 * other hidden characters written as `\u001b`, `\u202e`...; then tierwall's
 * own styles, which no input can forge, as escapes.
 */
export const forTerminal = (text: string): string => asTerminalStyles(escapeHiddenButLayout(text));

/** Values longer than this are shown by their start and their length. */
const LONGEST = 400;
const START = 120;

/**
 * A message with its long values cut: a quoted value to its start, `"aaaa…"
 * (100000 characters)`, and so a run of text without spaces. Code frames and
 * ARM ids stay whole; a 100,000-character name does not fill the screen.
 */
export function shortened(text: string): string {
  return text.replace(/"(?:[^"\\\n]|\\.)*"|[^\s"]+/g, (value) => {
    if (value.length <= LONGEST) return value;
    if (!value.startsWith('"')) {
      // Punctuation that ends the run (`NAME: no such file`) is the message's.
      const [, run = value, after = ""] = /^(.*?)([:;,.)]*)$/s.exec(value) ?? [];
      return `${run.slice(0, START)}… (${run.length} characters)${after}`;
    }
    return `${value.slice(0, START + 1)}…" (${quotedLength(value)} characters)`;
  });
}

/** The length of the text a JSON-quoted value stands for. */
function quotedLength(quoted: string): number {
  try {
    return (JSON.parse(quoted) as string).length;
  } catch {
    return quoted.length - 2;
  }
}

/**
 * The streams of a command, with every text made safe for a terminal, and
 * what goes to standard error (messages only, never data) shortened too.
 */
export function terminalIo(io: Io): Io {
  return {
    out: (text) => io.out(forTerminal(text)),
    err: (text) => io.err(forTerminal(shortened(text))),
    style: io.style,
    ...(io.interactive ? { interactive: true } : {}),
  };
}
