/**
 * Bicep export: the same resources as the ARM template (`deployment.ts`), with
 * symbolic names, so that references carry the dependencies that ARM lists
 * in `dependsOn`.
 */
import type { Topology } from "../../model/types.js";
import { APPLICATION_GATEWAY_PLAN_TYPE } from "../arm/application-gateway-plan.js";
import {
  API_VERSION,
  type PlannedResource,
  type PlanValue,
  planDeployment,
  RESOURCE_TYPES,
  ResourceReference,
} from "../arm/deployment.js";
import { LOAD_BALANCER_TYPE } from "../arm/load-balancer-plan.js";
import type { ExportScope } from "../shared/export-scope.js";
import { isHidden } from "../shared/hidden-characters.js";
import { wellFormed } from "../shared/unwritable.js";

const NAMED_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\\", "\\\\"],
  ["'", "\\'"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
]);

/**
 * A Bicep string literal, on one line, with Bicep's escapes: `\\`, `\'`,
 * `\n`, `\r`, `\t`, `\$` before `{` (which would open an interpolation), and
 * `\u{...}` for every other hidden character, so that a reviewer sees it.
 */
export function bicepString(value: string): string {
  wellFormed(value);
  let out = "";
  for (let i = 0; i < value.length; ) {
    const code = value.codePointAt(i) as number;
    const char = String.fromCodePoint(code);
    i += char.length;
    const named = NAMED_ESCAPES.get(char);
    if (named !== undefined) out += named;
    else if (char === "$" && value[i] === "{") out += "\\$";
    else if (isHidden(char)) out += `\\u{${code.toString(16)}}`;
    else out += char;
  }
  return `'${out}'`;
}

/** The escaped text of a string, for use inside an interpolated string. */
const inside = (value: string): string => bicepString(value).slice(1, -1);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const KIND_OF: Record<string, string> = {
  [RESOURCE_TYPES.asg]: "asg",
  [RESOURCE_TYPES.nsg]: "nsg",
  [RESOURCE_TYPES.vnet]: "vnet",
  [RESOURCE_TYPES.subnet]: "subnet",
  [RESOURCE_TYPES.pip]: "pip",
  [RESOURCE_TYPES.natGateway]: "nat",
  [RESOURCE_TYPES.peering]: "peering",
  [RESOURCE_TYPES.nic]: "nic",
  [LOAD_BALANCER_TYPE]: "lb",
  [APPLICATION_GATEWAY_PLAN_TYPE]: "agw",
};

/** Symbolic names from resource names (`web-nsg` → `nsgWebNsg`), unique whatever their case. */
function symbolNames(resources: readonly PlannedResource[]): Map<string, string> {
  const taken = new Set<string>(["location"]);
  const symbols = new Map<string, string>();
  for (const r of resources) {
    const words = (r.names[r.names.length - 1] ?? "")
      .split(/[^A-Za-z0-9]+/)
      .filter((w) => w.length > 0)
      .map((w) => (w[0] as string).toUpperCase() + w.slice(1));
    const base = `${KIND_OF[r.type] ?? "resource"}${words.join("")}`;
    let symbol = base;
    for (let n = 2; taken.has(symbol.toLowerCase()); n++) symbol = `${base}${n}`;
    taken.add(symbol.toLowerCase());
    symbols.set(new ResourceReference(r.type, r.names).key, symbol);
  }
  return symbols;
}

/** Writes the topology as a Bicep file that deploys to a resource group; the whole deployment by default here. */
export function exportBicep(topology: Topology, scope: ExportScope = "all"): string {
  const resources = planDeployment(topology, scope);
  const symbols = symbolNames(resources);
  const symbolOf = (type: string, names: readonly string[]) =>
    symbols.get(new ResourceReference(type, names).key);

  /** The symbol of the resource being written. */
  let current: string | undefined;
  const reference = (ref: ResourceReference): string => {
    const symbol = symbolOf(ref.type, ref.names);
    if (symbol !== undefined) return `${symbol}.id`;
    // Subnets are declared inside their network, which has the symbol.
    const [vnet, subnet] = ref.names;
    const network =
      ref.type === RESOURCE_TYPES.subnet && vnet !== undefined && subnet !== undefined
        ? symbolOf(RESOURCE_TYPES.vnet, [vnet])
        : undefined;
    if (network !== undefined && subnet !== undefined)
      return `'\${${network}.id}/subnets/${inside(subnet)}'`;
    // A load balancer's pool or NAT rule, named from another resource, by its symbol (the
    // dependency); the load balancer's own rules name its children by resourceId().
    // An application gateway's pool, named from an interface, alike.
    const [lb, child] = ref.names;
    const parent = [LOAD_BALANCER_TYPE, APPLICATION_GATEWAY_PLAN_TYPE].find((t) =>
      ref.type.startsWith(`${t}/`),
    );
    const kind = parent !== undefined ? ref.type.split("/").at(-1) : undefined;
    const balancer =
      kind !== undefined && lb !== undefined && parent !== undefined
        ? symbolOf(parent, [lb])
        : undefined;
    if (balancer !== undefined && balancer !== current && child !== undefined)
      return `'\${${balancer}.id}/${kind}/${inside(child)}'`;
    return `resourceId(${[ref.type, ...ref.names].map(bicepString).join(", ")})`;
  };

  const value = (v: PlanValue, indent: string): string => {
    if (v instanceof ResourceReference) return reference(v);
    if (typeof v === "string") return bicepString(v);
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    const inner = `${indent}  `;
    if (Array.isArray(v))
      return v.length === 0
        ? "[]"
        : `[\n${v.map((item) => `${inner}${value(item, inner)}`).join("\n")}\n${indent}]`;
    const entries = Object.entries(v as Record<string, PlanValue>);
    return entries.length === 0
      ? "{}"
      : `{\n${entries.map(([k, item]) => `${inner}${key(k)}: ${value(item, inner)}`).join("\n")}\n${indent}}`;
  };

  const lines = [
    ...(scope === "all"
      ? [
          "// Application security groups, network security groups, virtual networks, public IP addresses and network interfaces.",
          "// Environments, assertions, tiers and connected address prefixes are not exported.",
        ]
      : [
          "// Application security groups, network security groups, and their associations with the subnets and network interfaces that exist.",
          "// Subnets are deployed with their address prefixes, NSG and route table, interfaces with their IP configurations.",
        ]),
    "// Deploy with: az deployment group create --resource-group RG --template-file FILE.bicep",
    "",
    "@description('Location of resources that do not name their own')",
    "param location string = resourceGroup().location",
  ];
  for (const r of resources) {
    const symbol = symbolOf(r.type, r.names) as string;
    current = symbol;
    const body: string[] = [];
    const parent =
      r.names.length > 1
        ? symbolOf(r.type.split("/").slice(0, -1).join("/"), r.names.slice(0, -1))
        : undefined;
    if (parent !== undefined) body.push(`  parent: ${parent}`);
    body.push(
      `  name: ${bicepString(parent !== undefined ? (r.names[r.names.length - 1] as string) : r.names.join("/"))}`,
    );
    if (r.location !== undefined)
      body.push(
        `  location: ${r.location === "parameter" ? "location" : bicepString(r.location.region)}`,
      );
    if (r.sku !== undefined) body.push(`  sku: {\n    name: ${bicepString(r.sku)}\n  }`);
    if (r.properties !== undefined) body.push(`  properties: ${value(r.properties, "  ")}`);
    lines.push(
      "",
      `resource ${symbol} ${bicepString(`${r.type}@${API_VERSION}`)} ${r.existing ? "existing " : ""}= {`,
      ...body,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

const key = (k: string): string => (IDENTIFIER.test(k) ? k : bicepString(k));
