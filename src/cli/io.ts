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
