import { renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { EXIT, type Io } from "./io.js";

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
