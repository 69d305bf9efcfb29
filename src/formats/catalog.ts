/**
 * The formats tierwall reads and writes, by name, and one way to call them:
 * `importSources` reads files of any format into one topology (and its spec
 * text), `exportTopology` writes one. Each format's code is loaded when it is
 * first used, so that reading an ARM template never loads the Terraform parser.
 */
import { type Diagnostic, hasErrors, info } from "../model/diagnostic.js";
import { mergeTopologies, type Topology } from "../model/types.js";
import { parseIpAddress } from "../net/address.js";
import type { PartialItem } from "../specfile/schema.js";
import { writeSpec } from "../specfile/write.js";
import { isServiceTagsDocument, type ServiceTagDocument } from "./service-tags/import.js";
import { serviceTagsForSpec, withServiceTags } from "./service-tags/spec.js";
import { type ExportScope, existingNotes, unwrittenNotes } from "./shared/export-scope.js";
import { gatewayNotes } from "./shared/gateway-notes.js";
import { settleGatewayReferences } from "./shared/gateway-refs.js";
import { mergePlaceholders, validateImported } from "./shared/imported.js";
import { settleOmissions, withPartial } from "./shared/left-out.js";
import { loadBalancerNotes } from "./shared/load-balancer-notes.js";
import { settleLoadBalancerReferences } from "./shared/load-balancer-refs.js";
import { settleNatGatewayReferences } from "./shared/nat-gateway-refs.js";
import { nestingProblem } from "./shared/nesting.js";
import { Origins } from "./shared/origins.js";
import { outboundNotes } from "./shared/outbound-notes.js";
import { settleRouteTableReferences } from "./shared/route-table-refs.js";
import { type Inventory, type SourceSummary, summarize } from "./shared/summary.js";
import { refusal, UnwritableText } from "./shared/unwritable.js";
import { looksLikeHcl } from "./terraform/import.js";
import { isTerraformShow } from "./terraform/show.js";

export const IMPORT_FORMATS = ["arm", "terraform", "powershell", "azcli", "service-tags"] as const;
/** A format `importSources` reads. */
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export const EXPORT_FORMATS = ["arm", "bicep", "terraform", "azcli", "powershell"] as const;
/** A deployment format `exportTopology` writes (nftables, which needs the built network, is `exportNftables`). */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A file's name (used in diagnostics) and its text. */
export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

export interface ImportOptions {
  /** The format of every source; detected from each one's content when left out. */
  readonly format?: ImportFormat;
  /** An ARM parameters file for templates, or a `.tfvars` file that wins over the others (like `-var-file`). */
  readonly parameters?: SourceFile;
  /**
   * Whether to write the spec when something that narrows the policy cannot be
   * read (a Deny rule, an NSG association...): it is then a warning, and the
   * spec lists it under `partial`. Otherwise it is an error (shared/left-out.ts).
   */
  readonly allowPartial?: boolean;
}

export interface ImportResult {
  /** Everything read, from every source. */
  readonly topology: Topology;
  /** The service tags of a service-tags file among the sources: those the rules name, or every tag when there are no rules. */
  readonly serviceTags?: ServiceTagDocument;
  /** What could not be read or modelled, each at its file, line and column. */
  readonly diagnostics: Diagnostic[];
  /** The spec as YAML, ready to write; undefined when a diagnostic is an error. */
  readonly spec?: string;
  /** With `allowPartial`: what narrows the policy but could not be read, as the spec's `partial` section lists it. */
  readonly partial?: readonly PartialItem[];
  /** Source by source: what was read, modelled, not modelled, and left out (shared/summary.ts). */
  readonly summary: readonly SourceSummary[];
}

/** What one format's importer gives. */
interface Imported {
  readonly topology: Topology;
  readonly diagnostics: Diagnostic[];
  readonly serviceTags?: ServiceTagDocument;
  /** The resources (commands, cmdlets) it read, by type. */
  readonly inventory?: Inventory;
}

/**
 * Formats read one file at a time, recording in `origins` where each value
 * they write came from. Terraform reads a module's files together (see importSources).
 */
const FILE_IMPORTERS: Record<
  Exclude<ImportFormat, "terraform">,
  (source: SourceFile, parameters: SourceFile | undefined, origins: Origins) => Promise<Imported>
> = {
  arm: async (source, parameters, origins) =>
    (await import("./arm/import.js")).importArm(
      source.text,
      source.file,
      parameters?.text,
      origins,
    ),
  powershell: async (source, _, origins) =>
    (await import("./powershell/import.js")).importPowerShell(source.text, source.file, origins),
  azcli: async (source, _, origins) =>
    (await import("./azcli/import.js")).importAzCli(source.text, source.file, origins),
  "service-tags": async (source) => {
    const { importServiceTags } = await import("./service-tags/import.js");
    const { tags, diagnostics } = importServiceTags(source.text, source.file);
    return { topology: mergeTopologies([]), diagnostics, ...(tags ? { serviceTags: tags } : {}) };
  },
};

const EXPORTERS: Record<
  ExportFormat,
  () => Promise<(topology: Topology, scope: ExportScope) => string>
> = {
  arm: async () => (await import("./arm/export.js")).exportArm,
  bicep: async () => (await import("./bicep/export.js")).exportBicep,
  terraform: async () => (await import("./terraform/export.js")).exportTerraform,
  azcli: async () => (await import("./azcli/export.js")).exportAzCli,
  powershell: async () => (await import("./powershell/export.js")).exportAzPowerShell,
};

export const isImportFormat = (name: string): name is ImportFormat =>
  (IMPORT_FORMATS as readonly string[]).includes(name);
export const isExportFormat = (name: string): name is ExportFormat =>
  (EXPORT_FORMATS as readonly string[]).includes(name);

/**
 * The format of a file from its name and content: `.tf` and `.tfvars` files and
 * `terraform show -json` output are Terraform; other JSON is a service-tags file
 * or else ARM (a template, or resources as the az CLI prints them); cmdlets are
 * PowerShell; `az network` lines are an az CLI script.
 */
export function detectFormat(text: string, file = ""): ImportFormat | undefined {
  if (/\.(tf|tfvars)(\.json)?$/i.test(file)) return "terraform";
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("{") || start.startsWith("[")) {
    const document = parsedOrUndefined(start);
    if (isTerraformShow(document)) return "terraform";
    if (isServiceTagsDocument(document)) return "service-tags";
    return "arm";
  }
  if (looksLikeHcl(text)) return "terraform";
  if (/\b(New|Set|Get|Add)-Az(ure)?[A-Za-z]+/.test(text)) return "powershell";
  if (/^[ \t]*az[ \t]+network[ \t]/m.test(text)) return "azcli";
  return undefined;
}

/** A Bicep source file: it is read once compiled to the ARM template Azure deploys. */
function bicepSource(source: SourceFile): Diagnostic | undefined {
  if (!/\.bicep$/i.test(source.file) || source.text.trimStart().startsWith("{")) return undefined;
  const json = source.file.replace(/\.bicep$/i, ".json");
  return {
    severity: "error",
    code: "BicepNotCompiled",
    message: `${source.file}: a Bicep file is imported as the ARM template it compiles to`,
    path: [],
    location: { file: source.file, line: 1, column: 1 },
    hint: `compile it first (az bicep build --file ${source.file}, or bicep build ${source.file}), then import ${json}`,
  };
}

function parsedOrUndefined(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/**
 * Reads the sources into one topology. Each is read in its own format (given,
 * or detected); Terraform sources are read together, as one module. Nothing is
 * guessed: what cannot be read is a diagnostic at its place, and `spec` is
 * left undefined when any diagnostic is an error. What narrows the policy and
 * cannot be read is an error unless `allowPartial` (shared/left-out.ts); what
 * is read is validated as `check` validates a spec, each problem at its place
 * in the sources (shared/imported.ts).
 */
export async function importSources(
  sources: readonly SourceFile[],
  options: ImportOptions = {},
): Promise<ImportResult> {
  const diagnostics: Diagnostic[] = [];
  const parts: Topology[] = [];
  const origins = new Origins();
  const tagFiles: ServiceTagDocument[] = [];
  const terraform: SourceFile[] = [];
  const parametersTooDeep = options.parameters && nestingProblem(options.parameters);
  if (parametersTooDeep)
    return { topology: mergeTopologies([]), diagnostics: [parametersTooDeep], summary: [] };
  const inventories: Read[] = [];
  for (const source of sources) {
    const tooDeep = nestingProblem(source);
    if (tooDeep) {
      diagnostics.push(tooDeep);
      continue;
    }
    const bicep = bicepSource(source);
    if (bicep) {
      diagnostics.push(bicep);
      continue;
    }
    const format = options.format ?? detectFormat(source.text, source.file);
    if (format === undefined) {
      diagnostics.push({
        severity: "error",
        code: "UnknownFormat",
        message: `${source.file}: neither ARM JSON, Terraform, a PowerShell script, an az CLI script nor a service-tags file`,
        path: [],
        location: { file: source.file, line: 1, column: 1 },
        hint: `name the format: one of ${IMPORT_FORMATS.join(", ")}`,
      });
      continue;
    }
    if (format === "terraform") {
      terraform.push(source);
      continue;
    }
    const imported = await FILE_IMPORTERS[format](source, options.parameters, origins);
    diagnostics.push(...imported.diagnostics);
    parts.push(imported.topology);
    if (imported.serviceTags) tagFiles.push(imported.serviceTags);
    if (imported.inventory)
      inventories.push({ source: source.file, files: [source.file], imported });
  }
  if (terraform.length > 0) {
    const { importTerraform } = await import("./terraform/import.js");
    const imported = await importTerraform(terraform, options.parameters, origins);
    diagnostics.push(...imported.diagnostics);
    parts.push(imported.topology);
    const files = terraform.map((t) => t.file);
    inventories.push({ source: moduleName(files), files, imported });
  }
  const merged = mergePlaceholders(mergeTopologies(parts), origins);
  const combined = settleLoadBalancerReferences(merged.topology, origins);
  const natted = settleNatGatewayReferences(combined.topology, origins);
  const routed = settleRouteTableReferences(natted.topology, origins);
  const gatewayed = settleGatewayReferences(routed.topology, origins);
  const topology = gatewayed.topology;
  diagnostics.push(
    ...merged.diagnostics,
    ...combined.diagnostics,
    ...natted.diagnostics,
    ...routed.diagnostics,
    ...gatewayed.diagnostics,
  );
  // Before omissions are settled: the summary names what each left out.
  const summary = inventories.map(({ source, files, imported }) =>
    summarize(
      source,
      imported.inventory as Inventory,
      imported.topology,
      diagnostics.filter((d) => d.location !== undefined && files.includes(d.location.file)),
    ),
  );

  const serviceTags = tagFiles.length > 0 ? serviceTagsForSpec(topology, tagFiles) : undefined;
  // Validated only when read without error: otherwise what was not read would be reported again.
  if (!hasErrors(diagnostics))
    diagnostics.push(...validateImported(topology, origins, serviceTags));
  const settled = settleOmissions(diagnostics, topology, options.allowPartial === true);
  diagnostics.splice(0, diagnostics.length, ...settled.diagnostics);
  const nothing = nothingImported(sources, topology, tagFiles.length > 0, diagnostics, summary);
  if (nothing) diagnostics.push(nothing);
  if (hasErrors(diagnostics))
    return { topology, diagnostics, summary, ...(serviceTags ? { serviceTags } : {}) };
  const written = writeSpec(
    topology,
    `Imported by tierwall from ${sources.map((s) => s.file).join(", ")}.\nAdd environments and assertions, then run: tierwall check`,
  );
  const spec = withPartial(
    serviceTags ? withServiceTags(written, serviceTags) : written,
    settled.partial,
  );
  const partial = settled.partial.length > 0 ? { partial: settled.partial } : {};
  return {
    topology,
    diagnostics,
    spec,
    ...partial,
    summary,
    ...(serviceTags ? { serviceTags } : {}),
  };
}

/** A source read, with what its importer gave. */
interface Read {
  readonly source: string;
  readonly files: readonly string[];
  readonly imported: Imported;
}

/** How a module's files are named in a summary: their folder, when they share one. */
function moduleName(files: readonly string[]): string {
  const folders = new Set(
    files.map((f) => (f.includes("/") ? f.slice(0, f.lastIndexOf("/")) : ".")),
  );
  const [only] = folders;
  return folders.size === 1 && only !== undefined ? `${only}/` : files.join(", ");
}

/**
 * An import that gives nothing at all (no NSG, network, interface, ASG nor
 * service tag) is an error, not an empty spec: what was read is summed up.
 */
function nothingImported(
  sources: readonly SourceFile[],
  topology: Topology,
  tags: boolean,
  diagnostics: readonly Diagnostic[],
  summary: readonly SourceSummary[],
): Diagnostic | undefined {
  const first = sources[0];
  if (first === undefined || tags || hasErrors(diagnostics)) return undefined;
  if (
    topology.networkSecurityGroups.length +
      topology.virtualNetworks.length +
      topology.networkInterfaces.length +
      topology.applicationSecurityGroups.length +
      topology.environments.length +
      (topology.loadBalancers?.length ?? 0) >
    0
  )
    return undefined;
  const read = summary.map((s) => `${s.source}: ${s.read} ${s.unit} read`).join("; ");
  return {
    severity: "error",
    code: "NothingImported",
    message: `nothing to import: the sources hold no NSG, virtual network, network interface or application security group tierwall reads${read === "" ? "" : ` (${read})`}`,
    path: [],
    location: { file: first.file, line: 1, column: 1 },
    hint: "the warnings above name what was left out, or not modelled; the summary below counts it",
  };
}

export interface ExportResult {
  /** The file's text; empty when a diagnostic is an error. */
  readonly text: string;
  /**
   * What the topology holds that the deployment does not create (notes), each
   * at its path in the spec; or why it cannot be written (UnwritableText errors).
   */
  readonly diagnostics: Diagnostic[];
}

/**
 * The topology in a deployment format: by default (scope `nsgs`) its NSGs,
 * rules, ASGs and associations, referring to what exists; with scope `all`,
 * its networks, interfaces and public IPs too (shared/export-scope.ts). The
 * topology is one `loadSpec` accepted (exporters do not validate).
 */
export async function exportTopology(
  format: ExportFormat,
  topology: Topology,
  scope: ExportScope = "nsgs",
): Promise<ExportResult> {
  const write = await EXPORTERS[format]();
  try {
    const notes =
      scope === "nsgs"
        ? existingNotes(
            topology,
            format === "arm" || format === "bicep"
              ? "with their IP configurations as the spec holds them, since ARM sets an interface's NSG and ASGs only through the interface"
              : undefined,
            format === "arm" || format === "bicep"
              ? "deployed with their address prefixes, NSG and route table"
              : format === "powershell"
                ? "set with Set-AzVirtualNetworkSubnetConfig, which keeps only the address prefixes and NSG it is given"
                : undefined,
          )
        : [];
    if (format === "azcli" || format === "powershell")
      notes.push(...unwrittenNotes(format, scope, topology));
    return {
      text: write(topology, scope),
      diagnostics: [
        ...notes,
        ...notDeployed(topology),
        ...loadBalancerNotes(
          topology,
          format === "arm" || format === "bicep",
          scope === "all" && (format === "arm" || format === "bicep"),
        ),
        ...gatewayNotes(
          topology,
          format === "arm" || format === "bicep",
          scope === "all" && (format === "arm" || format === "bicep"),
        ),
        ...outboundNotes(
          topology,
          format === "arm" || format === "bicep",
          scope === "all" && (format === "arm" || format === "bicep"),
        ),
      ],
    };
  } catch (e) {
    if (!(e instanceof UnwritableText)) throw e;
    return { text: "", diagnostics: refusal(format, e, topology) };
  }
}

/**
 * What decides reachability in the spec but is no resource the exports create:
 * the environments (the workloads the spec describes), public addresses of
 * interfaces given as addresses, and address spaces reached through gateways.
 */
function notDeployed(topology: Topology): Diagnostic[] {
  const notes: Diagnostic[] = [];
  const environments = topology.environments.map((e) => e.name);
  if (environments.length > 0)
    notes.push(
      info(
        "NotExported",
        `environments (${environments.join(", ")}) describe the workloads the spec checks; the export creates none of them`,
        ["environments"],
      ),
    );
  const scaleSets = topology.virtualMachineScaleSets ?? [];
  if (scaleSets.length > 0)
    notes.push(
      info(
        "NotExported",
        `scale sets (${scaleSets.map((s) => s.name).join(", ")}) are not exported: a scale set is deployed with its machines' profile, which the spec does not hold; the deployment keeps their network profiles (NSG, ASGs, pools and NAT pools) as they are`,
        ["virtualMachineScaleSets"],
      ),
    );
  const tables = topology.routeTables ?? [];
  if (tables.length > 0)
    notes.push(
      info(
        "NotExported",
        `route tables (${tables.map((t) => t.name).join(", ")}) and the subnets' routeTable are not exported; the deployment keeps the routes it has, and a new one gets Azure's system routes only`,
        ["routeTables"],
      ),
    );
  topology.virtualNetworks.forEach((vnet, v) => {
    if (vnet.connectedAddressPrefixes?.length)
      notes.push(
        info(
          "NotExported",
          `virtual network ${vnet.name}: connectedAddressPrefixes (${vnet.connectedAddressPrefixes.join(", ")}) are reached through a gateway the export does not create`,
          ["virtualNetworks", v, "connectedAddressPrefixes"],
        ),
      );
  });
  topology.networkInterfaces.forEach((nic, n) => {
    nic.ipConfigurations.forEach((config, c) => {
      const pip = config.publicIPAddress;
      if (pip === undefined) return;
      // A public IP resource is referred to as it exists (nsgs), or declared (all); an address is no resource.
      if (typeof pip !== "string" || parseIpAddress(pip) === undefined) return;
      notes.push(
        info(
          "NotExported",
          `network interface ${nic.name}: the public address ${pip} is not exported; associate a public IP resource with it when deploying`,
          ["networkInterfaces", n, "ipConfigurations", c, "publicIPAddress"],
        ),
      );
    });
  });
  return notes;
}
