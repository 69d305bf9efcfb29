/**
 * Terraform (azurerm) into the model: a module's `.tf` files read together,
 * with `.tfvars` values, or `terraform show -json` output (state or plan).
 * The HCL parser (WebAssembly, slow to load) is loaded only when there is HCL
 * to read.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { jsonSyntaxError } from "../../specfile/json-syntax.js";
import { repeatedKeyErrors } from "../shared/json-keys.js";
import { reporting } from "../shared/left-out.js";
import type { Origins } from "../shared/origins.js";
import type { Inventory } from "../shared/summary.js";
import { azurermTopology } from "./azurerm.js";
import type { TerraformSource } from "./hcl-parse.js";
import { isTerraformShow, showResources } from "./show.js";
import type { TfObject, TfResource } from "./values.js";

export type { TerraformSource } from "./hcl-parse.js";

export interface TerraformImport {
  readonly topology: Topology;
  readonly diagnostics: Diagnostic[];
  /** The managed resources read, by type (shared/summary.ts). */
  readonly inventory: Inventory;
}

const isTfvars = (file: string) => /\.tfvars(\.json)?$/i.test(file);

/**
 * The files of a module folder, as Terraform loads them: its `.tf` files,
 * then `terraform.tfvars`, then `*.auto.tfvars` in name order (each also as
 * `.json`). `unread` names the `.tf.json` files, whose syntax is not read:
 * they are imported too, so that what they leave out is weighed as any omission.
 */
export function moduleFiles(names: readonly string[]): { files: string[]; unread: string[] } {
  const sorted = [...names].sort();
  const variables = [
    ...["terraform.tfvars", "terraform.tfvars.json"].filter((n) => sorted.includes(n)),
    ...sorted.filter((n) => /\.auto\.tfvars(\.json)?$/.test(n)),
  ];
  return {
    files: [...sorted.filter((n) => n.endsWith(".tf")), ...variables],
    unread: sorted.filter((n) => n.endsWith(".tf.json")),
  };
}

/** `terraform show -json` output, when the text is that. */
function showDocument(text: string): TfObject | undefined {
  const start = text.trimStart();
  if (!start.startsWith("{")) return undefined;
  try {
    const document: unknown = JSON.parse(start);
    return isTerraformShow(document) ? (document as TfObject) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the text is HCL with Terraform's blocks (`resource "..." "..." {`, `variable`, `locals`...). */
export function looksLikeHcl(text: string): boolean {
  return /^\s*(resource|data|variable|locals|module|provider|terraform|output)\s*("[^"\n]*"\s*)*\{/m.test(
    text,
  );
}

/**
 * Imports a set of files as Terraform does one module: `.tf` files together,
 * `.tfvars` (and `.tfvars.json`) as variable values in the order given, then
 * `parameters` (like -var-file), which wins. A `terraform show -json` file is
 * read on its own.
 */
export async function importTerraform(
  sources: readonly TerraformSource[],
  parameters?: TerraformSource,
  origins?: Origins,
): Promise<TerraformImport> {
  const diagnostics: Diagnostic[] = [];
  const resources: TfResource[] = [];
  const configs: TerraformSource[] = [];
  const tfvars: TerraformSource[] = [];
  for (const src of sources) {
    const text = src.text.replace(/^\uFEFF/, "");
    if (isTfvars(src.file)) {
      tfvars.push({ file: src.file, text });
      continue;
    }
    if (/\.tf\.json$/i.test(src.file)) {
      diagnostics.push(unreadConfiguration(src.file));
      continue;
    }
    const show = showDocument(text);
    const repeated = show ? repeatedKeyErrors(text, src.file) : [];
    if (repeated.length > 0) diagnostics.push(...repeated);
    else if (show) {
      const read = showResources(show, text, src.file);
      diagnostics.push(...read.diagnostics);
      resources.push(...read.resources);
    } else if (text.trimStart().startsWith("{") && src.file.endsWith(".json")) {
      diagnostics.push(jsonProblem(text, src.file));
    } else configs.push({ file: src.file, text });
  }
  if (parameters) tfvars.push(parameters);
  if (configs.length > 0 || tfvars.length > 0) {
    const { TerraformModule } = await import("./module.js");
    const module = await TerraformModule.read(configs, tfvars);
    diagnostics.push(...module.diagnostics);
    resources.push(...module.resources());
  }
  const read = azurermTopology(resources, origins);
  return {
    topology: read.topology,
    diagnostics: [...diagnostics, ...read.diagnostics],
    inventory: read.inventory,
  };
}

/**
 * A `.tf.json` file: Terraform's JSON configuration syntax is not read, and
 * the resources it may declare (deny rules, associations) are left out.
 */
function unreadConfiguration(file: string): Diagnostic {
  return reporting(
    {
      severity: "warning",
      code: "UnsupportedSyntax",
      message: `${file}: Terraform's JSON configuration syntax is not read; the resources it declares are left out`,
      path: [],
      location: { file, line: 1, column: 1 },
      hint: "write the configuration as .tf, or import the plan: terraform show -json",
    },
    { kind: "resources", what: `the resources of ${file}` },
  );
}

/** Why a JSON file is not `terraform show -json` output: a syntax error where it is, or its shape. */
function jsonProblem(text: string, file: string): Diagnostic {
  try {
    JSON.parse(text);
  } catch (e) {
    return jsonSyntaxError(e as Error, file, text);
  }
  return {
    severity: "error",
    code: "UnrecognizedDocument",
    message:
      "JSON that is not `terraform show -json` output (no format_version with values or planned_values); Terraform's JSON configuration syntax (.tf.json) is not read",
    path: [],
    location: { file, line: 1, column: 1 },
  };
}
