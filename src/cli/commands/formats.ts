import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { exportArm } from "../../formats/arm/export.js";
import { importArm } from "../../formats/arm/import.js";
import { exportAzCli } from "../../formats/azcli/export.js";
import { importAzCli } from "../../formats/azcli/import.js";
import { exportBicep } from "../../formats/bicep/export.js";
import { exportAzPowerShell } from "../../formats/powershell/export.js";
import { importPowerShell } from "../../formats/powershell/import.js";
import {
  importServiceTags,
  isServiceTagsText,
  type ServiceTagDocument,
  serviceTagsForSpec,
  withServiceTags,
} from "../../formats/service-tags/import.js";
import {
  exportTerraform,
  importTerraform,
  looksLikeTerraform,
  moduleFiles,
} from "../../formats/terraform/import.js";
import { type Diagnostic, hasErrors } from "../../model/diagnostic.js";
import { mergeTopologies, type Topology } from "../../model/types.js";
import { writeSpec } from "../../specfile/write.js";
import { EXIT, type Io, loadForCommand } from "../io.js";
import { emit } from "../output.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import { type NftablesExportOptions, runExportNftables } from "./nftables.js";

/** What every importer gives: the model read, and what could not be read. */
interface Imported {
  topology: Topology;
  diagnostics: Diagnostic[];
  /** Service tags, which the spec holds beside the topology. */
  serviceTags?: ServiceTagDocument;
}
type Importer = (text: string, file: string, parameters?: string) => Imported | Promise<Imported>;

const IMPORTERS: Record<string, Importer> = {
  arm: (text, file, parameters) => importArm(text, file, parameters),
  powershell: (text, file) => importPowerShell(text, file),
  azcli: (text, file) => importAzCli(text, file),
  "service-tags": (text, file) => {
    const { tags, diagnostics } = importServiceTags(text, file);
    return { topology: mergeTopologies([]), diagnostics, ...(tags ? { serviceTags: tags } : {}) };
  },
};
type ImportFormat = string;

/** Formats whose files are read together: a Terraform module is all its .tf and .tfvars files. */
type ModuleImporter = (
  sources: { file: string; text: string }[],
  parameters?: { file: string; text: string },
) => Promise<Imported>;
const MODULE_IMPORTERS: Record<string, ModuleImporter> = {
  terraform: importTerraform,
};

const EXPORTERS: Record<string, (topology: Topology) => string> = {
  arm: exportArm,
  bicep: exportBicep,
  azcli: exportAzCli,
  powershell: exportAzPowerShell,
  terraform: exportTerraform,
};

/** JSON is ARM (a template, or resources as the az CLI prints them); cmdlets are PowerShell; `az network` lines are an az CLI script. */
export function detectFormat(text: string, file = ""): ImportFormat | undefined {
  const start = text.trimStart();
  if (/\.(tf|tfvars)(\.json)?$/i.test(file) || looksLikeTerraform(text)) return "terraform";
  if (start.startsWith("{") && isServiceTagsText(text)) return "service-tags";
  if (start.startsWith("{") || start.startsWith("[")) return "arm";
  if (/\b(New|Set|Get|Add)-Az(ure)?[A-Za-z]+/.test(text)) return "powershell";
  if (/^[ \t]*az[ \t]+network[ \t]/m.test(text)) return "azcli";
  return undefined;
}

/** The files to read, with a folder standing for the Terraform module in it (moduleFiles). */
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
    const problem = (
      code: string,
      message: string,
      hint?: string,
      severity: "error" | "warning" = "error",
    ) => diagnostics.push({ severity, code, message, path: [], ...(hint ? { hint } : {}) });
    if (format !== undefined && format !== "terraform") {
      problem(
        "FolderNotImported",
        `${arg}: a folder is read as a Terraform module`,
        `name the ${format} files`,
      );
      continue;
    }
    const { files: found, unread } = moduleFiles(readdirSync(arg));
    for (const name of unread)
      problem(
        "UnsupportedSyntax",
        `${join(arg, name)}: Terraform's JSON configuration syntax is not read; the file is left out`,
        undefined,
        "warning",
      );
    if (!found.some((n) => n.endsWith(".tf"))) {
      problem(
        "NoTerraformFiles",
        `${arg}: the folder holds no .tf files`,
        "name the files to import",
      );
      continue;
    }
    files.push(...found.map((n) => join(arg, n)));
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

/** `tierwall import [FORMAT] FILE...`: other tools' files into one spec. Nothing is written on error. */
export async function runImport(
  args: readonly string[],
  options: { output?: string; parameters?: string },
  io: Io,
): Promise<number> {
  const [first, ...rest] = args;
  const format =
    first !== undefined && (first in IMPORTERS || first in MODULE_IMPORTERS) && rest.length > 0
      ? (first as ImportFormat)
      : undefined;
  const files = format ? rest : args;
  if (files.length === 0) {
    io.err(`${io.style.red("error")}: name the files to import\n`);
    return EXIT.invalid;
  }
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const parts: Topology[] = [];
  const tagFiles: ServiceTagDocument[] = [];
  let parameters: string | undefined;
  const modules = new Map<string, { file: string; text: string }[]>();
  if (options.parameters) {
    try {
      parameters = readFileSync(options.parameters, "utf8");
      sources.set(options.parameters, parameters);
    } catch (e) {
      io.err(
        `${io.style.red("error")}: ${options.parameters}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}\n`,
      );
      return EXIT.invalid;
    }
  }
  for (const file of withFolders(files, format, diagnostics)) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      diagnostics.push({
        severity: "error",
        code: "FileUnreadable",
        message: `${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`,
        path: [],
      });
      continue;
    }
    sources.set(file, text);
    const kind = format ?? detectFormat(text, file);
    if (!kind) {
      diagnostics.push({
        severity: "error",
        code: "UnknownFormat",
        message: `${file}: neither ARM JSON, Terraform, a PowerShell script nor an az CLI script`,
        path: [],
        hint: "name the format: tierwall import arm|terraform|powershell|azcli FILE",
      });
      continue;
    }
    if (kind in MODULE_IMPORTERS) {
      modules.set(kind, [...(modules.get(kind) ?? []), { file, text }]);
      continue;
    }
    const imported = await (IMPORTERS[kind] as Importer)(text, file, parameters);
    diagnostics.push(...imported.diagnostics);
    parts.push(imported.topology);
    if (imported.serviceTags) tagFiles.push(imported.serviceTags);
  }
  for (const [kind, moduleSources] of modules) {
    const given =
      options.parameters && parameters !== undefined
        ? { file: options.parameters, text: parameters }
        : undefined;
    const imported = await (MODULE_IMPORTERS[kind] as ModuleImporter)(moduleSources, given);
    diagnostics.push(...imported.diagnostics);
    parts.push(imported.topology);
  }
  if (diagnostics.length > 0) io.err(`${renderDiagnostics(diagnostics, sources, io.style)}\n`);
  if (hasErrors(diagnostics)) return EXIT.invalid;
  const topology = mergeTopologies(parts);
  const written = writeSpec(
    topology,
    `Imported by tierwall from ${files.join(", ")}.\nAdd environments and assertions, then run: tierwall check`,
  );
  const spec =
    tagFiles.length === 0
      ? written
      : withServiceTags(written, serviceTagsForSpec(topology, tagFiles));
  return emit(spec, options.output, io);
}

/** `tierwall export FORMAT [SPEC]`: the spec's NSGs and associations, ready to deploy. */
export function runExport(
  format: string,
  target: string,
  options: NftablesExportOptions,
  io: Io,
): number {
  if (format === "nftables") return runExportNftables(target, options, io);
  if (!(format in EXPORTERS)) {
    io.err(
      `${io.style.red("error")}: export ${format}: expected ${[...Object.keys(EXPORTERS), "nftables"].join(", ")}\n`,
    );
    return EXIT.invalid;
  }
  const loaded = loadForCommand(target, io, false);
  if (!loaded) return EXIT.invalid;
  const text = (EXPORTERS[format] as (topology: Topology) => string)(loaded.spec.topology);
  return emit(text, options.output, io);
}
