/**
 * What the user names as flow logs, turned into the files to read, in order:
 * a file as given (whatever its name), a folder walked recursively in name
 * order (so the blob layout's y=/m=/d=/h=/m=00/macAddress=.../PT1H.json comes
 * in time order), or `-` for standard input. In a folder, .json and .gz files
 * are read; other files are named, never skipped in silence.
 */
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { error, warning } from "../../model/diagnostic.js";
import type { FlowLogDiagnostics } from "./diagnostics.js";

/** How standard input is named in diagnostics. */
export const STDIN_NAME = "<stdin>";

export interface FlowLogFile {
  /** The path to open; `-` for standard input. */
  readonly path: string;
  /** Its size in bytes, when known (not for standard input). */
  readonly size: number | undefined;
}

const READ_IN_FOLDERS = /\.(json|gz)$/i;
/** Files named in a folder's diagnostic before the rest are only counted. */
const NAMED_FILES = 5;

/** The files the sources stand for, in reading order; sources that are not there are reported. */
export async function flowLogFiles(
  sources: readonly string[],
  diagnostics: FlowLogDiagnostics,
): Promise<FlowLogFile[]> {
  const files: FlowLogFile[] = [];
  for (const source of sources) {
    if (source === "-") {
      files.push({ path: "-", size: undefined });
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(source);
    } catch (e) {
      diagnostics.add(
        error(
          "FlowLogUnreadable",
          `${source}: ${reason(e)}`,
          [],
          "name a flow-log file (PT1H.json, gzip'ed or not), a folder of them, or - for standard input",
        ),
      );
      continue;
    }
    if (info.isDirectory()) {
      const skipped: string[] = [];
      const before = files.length;
      const real = await realpath(source);
      await walk(source, real, files, skipped, new Set([real]), diagnostics);
      if (files.length === before && skipped.length === 0)
        diagnostics.add(
          warning(
            "FlowLogFolderEmpty",
            `${source}: the folder holds no files`,
            [],
            "name the folder that holds the flow logs (PT1H.json files)",
          ),
        );
      if (skipped.length > 0) {
        const named = skipped.slice(0, NAMED_FILES).join(", ");
        const more = skipped.length - NAMED_FILES;
        diagnostics.add(
          warning(
            "FlowLogFilesSkipped",
            `${source}: ${skipped.length} file${skipped.length === 1 ? " is" : "s are"} not .json or .gz and ${skipped.length === 1 ? "was" : "were"} not read (${named}${more > 0 ? ` and ${more} more` : ""})`,
            [],
            "name a file to read it whatever its name",
          ),
        );
      }
    } else files.push({ path: source, size: info.isFile() ? info.size : undefined });
  }
  return files;
}

/**
 * The folder's files in name order, walked depth first. The entries of a
 * folder are looked at all at once (a blob layout is thousands of small
 * folders: one at a time, the walk would wait on the disk for each), and
 * their results joined back in name order.
 */
async function walk(
  folder: string,
  /** The folder's real path: known without asking, but through a link. */
  real: string,
  files: FlowLogFile[],
  skipped: string[],
  visited: Set<string>,
  diagnostics: FlowLogDiagnostics,
): Promise<void> {
  let entries: Dirent[];
  try {
    entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (e) {
    diagnostics.add(error("FlowLogUnreadable", `${folder}: ${reason(e)}`, []));
    return;
  }
  const found = await Promise.all(
    entries
      .filter((entry) => !entry.name.startsWith("."))
      .map(async (entry) => {
        const path = join(folder, entry.name);
        const own = { files: [] as FlowLogFile[], skipped: [] as string[] };
        let directory = entry.isDirectory();
        let size: number | undefined;
        // Links are followed; what is neither folder nor link needs a stat only for its size.
        if (!directory && (entry.isSymbolicLink() || READ_IN_FOLDERS.test(entry.name))) {
          try {
            const info = await stat(path);
            directory = info.isDirectory();
            size = info.size;
          } catch (e) {
            diagnostics.add(error("FlowLogUnreadable", `${path}: ${reason(e)}`, []));
            return own;
          }
        }
        if (directory) {
          // A folder reached twice (by a link, back up the tree or across it) is walked once.
          const itsReal = entry.isSymbolicLink() ? await realpath(path) : join(real, entry.name);
          if (visited.has(itsReal)) return own;
          visited.add(itsReal);
          await walk(path, itsReal, own.files, own.skipped, visited, diagnostics);
        } else if (READ_IN_FOLDERS.test(entry.name)) own.files.push({ path, size });
        else own.skipped.push(path);
        return own;
      }),
  );
  for (const own of found) {
    files.push(...own.files);
    skipped.push(...own.skipped);
  }
}

export function reason(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === "ENOENT") return "no such file or folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a folder";
  return e instanceof Error ? e.message : String(e);
}
