/**
 * Every file tierwall reads because a user or a spec named it comes through
 * here: only regular files (never a FIFO that blocks, nor a device that never
 * ends), at most a bounded size, and only inside the repository the file was
 * named in, so that a spec under review, or a symbolic link in it, cannot make
 * tierwall read (and print) files elsewhere on the machine.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { type Diagnostic, error } from "../model/diagnostic.js";

/** Raises the size limit, in MiB: Azure's weekly service-tags file is about 5 MB. */
export const MAX_FILE_MIB_VARIABLE = "TIERWALL_MAX_FILE_MIB";
export const DEFAULT_MAX_FILE_MIB = 64;

/** Set to 1 to read files outside the repository (see readArea). */
export const ALLOW_OUTSIDE_VARIABLE = "TIERWALL_ALLOW_OUTSIDE_PATHS";

/**
 * Where reads are allowed: the nearest enclosing folder that holds `.git` (the
 * repository), or, outside any repository, the folder itself. Both real paths.
 */
export interface ReadArea {
  readonly root: string;
  readonly repository: boolean;
}

/** The area of a folder, found from its real path (symbolic links above it are the user's own). */
export function readArea(folder: string): ReadArea {
  const real = realpathOr(folder);
  for (let dir = real; ; dir = dirname(dir)) {
    if (exists(join(dir, ".git"))) return { root: dir, repository: true };
    if (dirname(dir) === dir) return { root: real, repository: false };
  }
}

export type ReadResult =
  | { bytes: Buffer; diagnostic?: undefined }
  | { bytes?: undefined; diagnostic: Diagnostic };

/**
 * Reads a regular file of at most the size limit, found inside `area` (by
 * default, the area of the file's own folder) after resolving symbolic links.
 * Problems come back as diagnostics without a location, naming the file as
 * `display`; nothing of the file's content is in them.
 */
export function readInputFile(
  file: string,
  options: { display?: string; area?: ReadArea } = {},
): ReadResult {
  const display = options.display ?? file;
  const limit = maxFileBytes();
  if (typeof limit !== "number") return { diagnostic: limit };
  // Checked before anything is said of the file: "no such file" for a path outside
  // would tell whether something exists there.
  const real = leadsTo(resolve(file));
  const named = real === resolve(file) ? display : `${display} leads to ${real}, which`;
  const refused = outsideArea(named, real, options.area ?? readArea(dirname(file)));
  if (refused) return { diagnostic: refused };
  // Checked before opening too: opening some devices has effects of its own.
  let before: Stats;
  try {
    before = statSync(real);
  } catch (e) {
    return { diagnostic: unreadable(display, e) };
  }
  if (!before.isFile()) return { diagnostic: notRegular(display, before) };
  let fd: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO meanwhile, opening it does not wait for a writer.
    fd = openSync(
      real,
      constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0),
    );
  } catch (e) {
    return { diagnostic: unreadable(display, e) };
  }
  try {
    // What was opened is what counts: the path may have been swapped since it was checked.
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { diagnostic: notRegular(display, opened) };
    if (!sameFile(opened, before) || realpathOr(real) !== real)
      return {
        diagnostic: error("FileUnreadable", `${display}: the file changed while it was opened`, []),
      };
    if (opened.size > limit) return { diagnostic: tooLarge(display) };
    const bytes = readBounded(fd, opened.size, limit);
    return bytes ? { bytes } : { diagnostic: tooLarge(display) };
  } catch (e) {
    return { diagnostic: unreadable(display, e) };
  } finally {
    closeSync(fd);
  }
}

/** The limit in bytes, from the environment, or why its value is not one. */
function maxFileBytes(): number | Diagnostic {
  const text = process.env[MAX_FILE_MIB_VARIABLE];
  if (text === undefined || text === "") return DEFAULT_MAX_FILE_MIB * 2 ** 20;
  const mib = Number(text);
  if (Number.isFinite(mib) && mib > 0) return Math.floor(mib * 2 ** 20);
  return error(
    "InvalidSetting",
    `${MAX_FILE_MIB_VARIABLE}=${JSON.stringify(text)} is not a size in MiB`,
    [],
    `give a positive number of MiB, such as ${MAX_FILE_MIB_VARIABLE}=256 (the default is ${DEFAULT_MAX_FILE_MIB})`,
  );
}

/**
 * Up to `limit` bytes; undefined when there are more. The size fstat gave only
 * sizes the first buffer: files in /proc say 0, and a file may grow while read.
 */
function readBounded(fd: number, expected: number, limit: number): Buffer | undefined {
  let buffer = Buffer.allocUnsafe(Math.min(expected, limit) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > limit) return undefined;
      const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, limit + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return length > limit ? undefined : buffer.subarray(0, length);
    length += read;
  }
}

/** Why a real path may not be read: outside the area, or in the repository's own .git. */
function outsideArea(named: string, real: string, area: ReadArea): Diagnostic | undefined {
  if (process.env[ALLOW_OUTSIDE_VARIABLE] === "1") return undefined;
  const rel = relative(area.root, real);
  const outside = rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  const hint = `tierwall reads only files inside it; set ${ALLOW_OUTSIDE_VARIABLE}=1 to allow others`;
  if (outside)
    return error(
      "PathNotAllowed",
      `${named} is outside ${area.repository ? "the repository" : "the folder"} ${area.root}`,
      [],
      hint,
    );
  // The repository's metadata holds its configuration, which may hold credentials.
  if (rel.split(sep).includes(".git"))
    return error("PathNotAllowed", `${named} is inside the repository's .git folder`, [], hint);
  return undefined;
}

function tooLarge(display: string): Diagnostic {
  const mib = Number(process.env[MAX_FILE_MIB_VARIABLE] || DEFAULT_MAX_FILE_MIB);
  return error(
    "FileTooLarge",
    `${display}: larger than ${mib} MiB, the limit for a file tierwall reads`,
    [],
    `set ${MAX_FILE_MIB_VARIABLE} to raise it, such as ${MAX_FILE_MIB_VARIABLE}=${Math.max(256, mib * 4)}`,
  );
}

function notRegular(display: string, stats: Stats): Diagnostic {
  const kind = stats.isDirectory()
    ? "a folder"
    : stats.isFIFO()
      ? "a named pipe"
      : stats.isSocket()
        ? "a socket"
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? "a device"
          : "not a file";
  return error(
    "NotARegularFile",
    `${display}: ${kind}, not a regular file`,
    [],
    "tierwall reads regular files only; save the input to a file first",
  );
}

function unreadable(display: string, e: unknown): Diagnostic {
  const { code, message } = e as NodeJS.ErrnoException;
  const reason = code === "ENOENT" ? "no such file" : message;
  return error("FileUnreadable", `${display}: ${reason}`, []);
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/**
 * The real path `path` leads to, following symbolic links even where what they
 * name does not exist (realpath fails then).
 */
function leadsTo(path: string, hops = 0): string {
  try {
    return realpathSync(path);
  } catch {
    // Not there, or a link to nothing: resolved by hand below.
  }
  if (hops > 40) return path;
  let link: string | undefined;
  try {
    link = readlinkSync(path);
  } catch {
    // Not a link.
  }
  if (link !== undefined) return leadsTo(resolve(dirname(path), link), hops + 1);
  const parent = dirname(path);
  return parent === path ? path : join(leadsTo(parent, hops), basename(path));
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
