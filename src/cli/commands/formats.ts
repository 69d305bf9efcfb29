import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  EXPORT_FORMATS,
  exportTopology,
  type ImportFormat,
  importSources,
  isExportFormat,
  isImportFormat,
  type SourceFile,
} from "../../formats/catalog.js";
import { folderReading } from "../../formats/folders.js";
import { EXPORT_SCOPES, isExportScope } from "../../formats/shared/export-scope.js";
import { summaryText } from "../../formats/shared/summary.js";
import { type Diagnostic, hasErrors } from "../../model/diagnostic.js";
import { readInputFile } from "../../specfile/read-file.js";
import { EXIT, type Io, printJson, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { emit, emitExport } from "../output.js";
import { partialJson } from "../partial.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { type NftablesExportOptions, runExportNftables } from "./nftables.js";

/** The files to read, with a folder standing for the Terraform module or the az output in it. */
function withFolders(
  args: readonly string[],
  format: ImportFormat | undefined,
  diagnostics: Diagnostic[],
): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (!isFolder(arg)) {
      files.push(arg);
      continue;
    }
    const problem = (code: string, message: string, hint?: string) =>
      diagnostics.push({ severity: "error", code, message, path: [], ...(hint ? { hint } : {}) });
    let names: string[];
    try {
      names = readdirSync(arg);
    } catch (e) {
      problem("FileUnreadable", `${arg}: ${(e as Error).message}`);
      continue;
    }
    // A Terraform module, or az output (formats/folders.ts).
    const reading = folderReading(names, format);
    if (reading.kind === "nothing") {
      problem(reading.code, `${arg}: ${reading.message}`, reading.hint);
      continue;
    }
    for (const name of reading.skipped)
      diagnostics.push({
        severity: "info",
        code: "FileNotRead",
        message: `${join(arg, name)}: not a .json file; a folder of az output is read by its .json files`,
        path: [],
        location: { file: join(arg, name), line: 1, column: 1 },
      });
    files.push(...reading.files.map((n) => join(arg, n)));
  }
  return files;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A file's text, or why it is not read (readInputFile: a regular file, bounded, where it was named). */
function read(file: string, diagnostics: Diagnostic[]): SourceFile | undefined {
  const { bytes, diagnostic } = readInputFile(file);
  if (bytes) return { file, text: bytes.toString("utf8") };
  diagnostics.push(diagnostic);
  return undefined;
}

/**
 * `tierwall import [FORMAT] FILE...`: other tools' files into one spec. Nothing
 * is written on error; with `allowPartial`, what narrows the policy but cannot
 * be read is a warning, and the spec lists it under `partial`.
 */
export async function runImport(
  args: readonly string[],
  options: { output?: string; parameters?: string; json?: boolean; allowPartial?: boolean },
  io: Io,
): Promise<number> {
  const [first, ...rest] = args;
  const format =
    first !== undefined && isImportFormat(first) && rest.length > 0 ? first : undefined;
  const files = format ? rest : args;
  if (files.length === 0)
    return usageError(io, options.json, "NoFiles", "name the files to import");
  const diagnostics: Diagnostic[] = [];
  const parameters = options.parameters ? read(options.parameters, diagnostics) : undefined;
  const sources = withFolders(files, format, diagnostics).flatMap(
    (file) => read(file, diagnostics) ?? [],
  );
  const unreadable = hasErrors(diagnostics);
  const result = await importSources(sources, {
    ...(format ? { format } : {}),
    ...(parameters ? { parameters } : {}),
    allowPartial: options.allowPartial === true,
  });
  diagnostics.push(...result.diagnostics);
  // A file that could not be read leaves the spec incomplete: nothing is written.
  const spec = unreadable ? undefined : result.spec;
  if (options.json) {
    const written = spec !== undefined && options.output ? emit(spec, options.output, io) : EXIT.ok;
    printJson(io, {
      valid: spec !== undefined && written === EXIT.ok,
      diagnostics: diagnosticsJson(diagnostics),
      ...(spec !== undefined && result.partial ? { partial: result.partial } : {}),
      summary: result.summary,
      ...(spec === undefined
        ? {}
        : options.output
          ? { output: options.output }
          : { spec: parse(spec) as unknown }),
    });
    return spec === undefined ? EXIT.invalid : written;
  }
  if (diagnostics.length > 0) {
    const texts = new Map(
      [...sources, ...(parameters ? [parameters] : [])].map((s) => [s.file, s.text]),
    );
    io.err(`${renderDiagnostics(diagnostics, texts, io.style)}\n`);
  }
  if (result.summary.length > 0)
    io.err(`${result.summary.map((s) => `summary: ${summaryText(s)}`).join("\n")}\n`);
  if (spec === undefined) return EXIT.invalid;
  return emit(spec, options.output, io);
}

export type ExportOptions = NftablesExportOptions & {
  scope?: string;
  dialect?: string;
  table?: string;
  view?: string;
};

/** `tierwall export FORMAT [SPEC]`: the spec's NSGs and associations, ready to deploy. */
export async function runExport(
  format: string,
  target: string,
  options: ExportOptions,
  io: Io,
): Promise<number> {
  if (format === "nftables") return runExportNftables(target, options, io);
  if (format === "sql") {
    const { runExportSql } = await import("./export-sql.js");
    return runExportSql(target, options, io);
  }
  if (!isExportFormat(format))
    return usageError(
      io,
      options.json,
      "UnknownFormat",
      `export ${format}: expected ${[...EXPORT_FORMATS, "nftables", "sql"].join(", ")}`,
    );
  const scope = options.scope ?? "nsgs";
  if (!isExportScope(scope))
    return usageError(
      io,
      options.json,
      "UnknownScope",
      `export --scope ${scope}: expected ${EXPORT_SCOPES.join(" or ")}`,
    );
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const { spec } = loaded;
  const exported = await exportTopology(format, spec.topology, scope);
  const notes = exported.diagnostics.map((d) => ({ ...d, location: spec.locate(d.path) }));
  if (notes.length > 0 && !options.json)
    io.err(`${renderDiagnostics(notes, loaded.sources, io.style)}\n`);
  // Text the format cannot write: nothing is written.
  if (hasErrors(notes)) {
    if (options.json)
      printJson(io, {
        valid: false,
        format,
        diagnostics: diagnosticsJson([...loaded.warnings, ...notes]),
      });
    return EXIT.invalid;
  }
  return emitExport(
    exported.text,
    format,
    [...loaded.warnings, ...notes],
    options,
    io,
    partialJson(spec),
  );
}
