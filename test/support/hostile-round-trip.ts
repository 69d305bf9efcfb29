/**
 * An export of the hostile topology read back by tierwall's own reader of the
 * format, to compare with what it reads back when a harmless placeholder
 * stands where the hostile text was.
 */
import { type ExportFormat, exportTopology } from "../../src/formats/catalog.js";
import { codePointName, isHidden } from "../../src/formats/shared/hidden-characters.js";
import { type Diagnostic, hasErrors } from "../../src/model/diagnostic.js";
import type { Topology } from "../../src/model/types.js";
import { hostileTopology, PLACEHOLDER, substituted } from "./hostile.js";

type Read = { topology: Topology; diagnostics: Diagnostic[] };

const READERS: Record<Exclude<ExportFormat, "bicep">, (text: string) => Promise<Read>> = {
  arm: async (text) => (await import("../../src/formats/arm/import.js")).importArm(text, "x.json"),
  azcli: async (text) =>
    (await import("../../src/formats/azcli/import.js")).importAzCli(text, "x.sh"),
  powershell: async (text) =>
    (await import("../../src/formats/powershell/import.js")).importPowerShell(text, "x.ps1"),
  terraform: async (text) =>
    (await import("../../src/formats/terraform/import.js")).importTerraform([
      { file: "main.tf", text },
    ]),
};

/** What the reader makes of the export: the topology, and each diagnostic's severity and code. */
export interface ReadBack {
  readonly topology: Topology;
  readonly diagnostics: readonly string[];
}

export type Outcome =
  | {
      readonly read: ReadBack;
      /** The hidden characters written as they are (not as escapes), but for line feeds. */
      readonly unescaped: readonly string[];
    }
  | { readonly refused: readonly Diagnostic[] };

/** The hidden characters of a text, but for line feeds (which lay the file out), by name. */
export const unescapedHidden = (text: string): string[] =>
  [...text].filter((c) => c !== "\n" && isHidden(c)).map(codePointName);

/** The export of the hostile topology holding `text`, read back; or the errors that refused it. */
export async function readExport(
  format: Exclude<ExportFormat, "bicep">,
  text: string,
): Promise<Outcome> {
  // The whole deployment: every text the topology holds is written.
  const exported = await exportTopology(format, hostileTopology(text), "all");
  if (hasErrors(exported.diagnostics)) return { refused: exported.diagnostics };
  const read = await READERS[format](exported.text);
  return {
    read: {
      topology: read.topology,
      diagnostics: read.diagnostics.map((d) => `${d.severity} ${d.code}`),
    },
    unescaped: unescapedHidden(exported.text),
  };
}

/**
 * What the reader must make of the export holding `text`: what it made of the
 * placeholder's, with `text` in the placeholder's places. `normalize` is what
 * the format does to every string (Terraform's NFC).
 */
export function expectedReading(
  placeholder: ReadBack,
  text: string,
  normalize: (s: string) => string = (s) => s,
): ReadBack {
  const read = substituted(placeholder, PLACEHOLDER, text);
  const all = (v: unknown): unknown =>
    typeof v === "string"
      ? normalize(v)
      : Array.isArray(v)
        ? v.map(all)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, all(x)]))
          : v;
  return all(read) as ReadBack;
}

/** The paths at which the placeholder was read back: the fields the format carries. */
export function placeholderPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return value.includes(PLACEHOLDER) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => placeholderPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => placeholderPaths(v, `${path}.${k}`));
  return [];
}
