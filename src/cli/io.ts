import type { Style } from "./render/style.js";
import { shortened } from "./render/terminal.js";

/** Where a command writes, and how it colours. Commands return their exit code. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly style: Style;
  /** stderr is an interactive terminal: long analyses show their progress there (progress.ts). */
  readonly interactive?: boolean;
}

export const EXIT = { ok: 0, failed: 1, invalid: 2, internal: 3 } as const;

export function printJson(io: Io, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** Text written in pieces of about this size. */
const PIECE = 1 << 20;

/**
 * What printJson prints for an object with one long list (`key`, a property of
 * the top level), written in pieces rather than as one string: a matrix of a
 * million cells is hundreds of MB of JSON, near the longest string the engine
 * makes, and twice its size in memory while written.
 */
export function printJsonWithList(
  io: Io,
  value: Record<string, unknown>,
  key: string,
  list: readonly unknown[],
): void {
  if (list.length === 0) {
    printJson(io, { ...value, [key]: list });
    return;
  }
  // The top level's key is found at its own indentation: no value can hold that text.
  const whole = JSON.stringify({ ...value, [key]: 0 }, null, 2);
  const needle = `\n  ${JSON.stringify(key)}: 0`;
  const at = whole.indexOf(needle) + needle.length - 1;
  const tail = whole.slice(at + 1);
  let piece = `${whole.slice(0, at)}[\n`;
  for (let i = 0; i < list.length; i++) {
    piece += `    ${JSON.stringify(list[i], null, 2).replaceAll("\n", "\n    ")}${i < list.length - 1 ? ",\n" : "\n"}`;
    if (piece.length >= PIECE) {
      io.out(piece);
      piece = "";
    }
  }
  io.out(`${piece}  ]${tail}\n`);
}

/** An error in how a command was called: JSON on stdout with --json, text on stderr otherwise. Returns EXIT.invalid. */
export function usageError(
  io: Io,
  json: boolean | undefined,
  code: string,
  message: string,
): number {
  const shown = shortened(message);
  if (json)
    printJson(io, { valid: false, diagnostics: [{ severity: "error", code, message: shown }] });
  else io.err(`${io.style.red("error")}: ${shown}\n`);
  return EXIT.invalid;
}
