import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  lstatSync,
  openSync,
  renameSync,
  rmSync,
  type Stats,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import { EXIT, type Io, printJson } from "./io.js";
import { diagnosticsJson } from "./render/diagnostics.js";

/** Prints the output, or writes it to the file asked for, whole or not at all. */
export function emit(text: string, output: string | undefined, io: Io): number {
  if (output === undefined) {
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

/**
 * Writes through a temporary file and a rename, so that a failure leaves no
 * half-written output. The temporary file has a random name and is created
 * exclusively ("wx" fails on any existing name, a symbolic link included,
 * without following it): in a shared folder nobody can plant a link at that
 * name to send the write elsewhere. A new file gets the mode the umask gives,
 * as an editor's would; an existing one keeps its permissions.
 *
 * A symbolic link at `file` is refused rather than written through: in a
 * shared folder it may have been planted to make the write land on another of
 * the user's files, and replacing the link instead would leave its target
 * stale. Anything else that is not a regular file (a folder, a device, a FIFO)
 * is refused too, as the rename would replace it.
 */
export function writeAtomically(file: string, text: string): void {
  if (file === "") throw new Error("the file name is empty");
  const existing = lstatOrUndefined(file);
  if (existing?.isSymbolicLink())
    throw new Error(
      "it is a symbolic link; name the file it leads to (tierwall does not write through links)",
    );
  if (existing && !existing.isFile())
    throw new Error("not a regular file; leave out -o to print to standard output");
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(8).toString("hex")}.tmp`);
  // Owner-only until its mode is set; the umask applies to a new file's 0o666.
  const fd = openSync(temporary, "wx", existing ? 0o600 : 0o666);
  try {
    try {
      if (existing) fchmodSync(fd, existing.mode & 0o777);
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
  syncFolder(dirname(file));
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** So that the rename itself survives a crash; where a folder cannot be opened (Windows), the file's own fsync is all. */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(folder, "r");
    fsyncSync(fd);
  } catch {
    // Best effort: the file is written and renamed already.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
