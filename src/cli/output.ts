import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import { EXIT, type Io, printJson } from "./io.js";
import { diagnosticsJson } from "./render/diagnostics.js";

/** Prints the output, or writes it to the file asked for, whole or not at all. */
export function emit(text: string, output: string | undefined, io: Io): number {
  if (!output) {
    io.out(text);
    return EXIT.ok;
  }
  try {
    writeAtomically(output, text);
  } catch (e) {
    io.err(`${io.style.red("error")}: cannot write ${output}: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  return EXIT.ok;
}

/**
 * An export's text, printed or written to `output`; with `json`, a report
 * instead: the format, the spec's warnings, and the text or the file written,
 * with `extra` fields (the partial-policy notice).
 */
export function emitExport(
  text: string,
  format: string,
  warnings: readonly Diagnostic[],
  options: { output?: string; json?: boolean },
  io: Io,
  extra: object = {},
): number {
  if (!options.json) return emit(text, options.output, io);
  const written = options.output ? emit(text, options.output, io) : EXIT.ok;
  printJson(io, {
    valid: written === EXIT.ok,
    format,
    diagnostics: diagnosticsJson(warnings),
    ...(options.output ? { output: options.output } : { text }),
    ...extra,
  });
  return written;
}

/** Writes through a temporary file and a rename, so that a failure leaves no half-written output. */
export function writeAtomically(file: string, text: string): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}
