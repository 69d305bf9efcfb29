/**
 * What importSources does with everything the sources hold once they are read:
 * placeholders merged into the declarations of the same name (a network a
 * script only names, declared by `az network vnet show` output; an interface
 * a script gives an NSG), then the
 * model's own validation, each problem placed in the source its value came
 * from. Imports validate what they write with the same checks and codes as
 * `tierwall check`.
 */
import { type Diagnostic, error, info, warning } from "../../model/diagnostic.js";
import { buildNetwork } from "../../model/network.js";
import { parseServiceTagFile, ServiceTagCatalog } from "../../model/service-tags.js";
import {
  type NetworkInterface,
  type NetworkSecurityGroup,
  refName,
  type SecurityRule,
  type Subnet,
  type Topology,
  type VirtualNetwork,
} from "../../model/types.js";
import type { ServiceTagDocument } from "../service-tags/import.js";
import { mergeEnvironments } from "./environments.js";
import { reporting } from "./left-out.js";
import type { Origins } from "./origins.js";

const lower = (s: string) => s.toLowerCase();

/**
 * The topology with each placeholder merged into the declaration of the same
 * name (or into the first placeholder, when none declares it): a network's
 * subnets and their NSGs, an NSG's rules. Two declarations stay two, for
 * validation to report.
 */
export function mergePlaceholders(
  topology: Topology,
  origins: Origins,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const virtualNetworks = merged(topology.virtualNetworks, origins, (into, from) =>
    mergeVnet(into, from, origins, diagnostics),
  );
  const networkSecurityGroups = merged(topology.networkSecurityGroups, origins, (into, from) =>
    mergeNsg(into, from, origins),
  );
  const networkInterfaces = merged(topology.networkInterfaces, origins, (into, from) =>
    mergeNic(into, from, origins, diagnostics),
  ).filter((nic) => !undeclaredNic(nic, origins, diagnostics));
  // A public IP an interface only names gives way to its declaration.
  const publicIPAddresses =
    topology.publicIPAddresses && merged(topology.publicIPAddresses, origins, (into) => into);
  for (const pip of publicIPAddresses ?? [])
    if (origins.isPlaceholder(pip))
      diagnostics.push({
        ...warning(
          "PublicIPAddressNotDeclared",
          `public IP address ${JSON.stringify(pip.name)} is declared by no imported file; it is imported with its address not known and ${pip.sku === "Standard" ? "read as Standard, the SKU of the load balancer it is the frontend of (Azure requires the same)" : "read as Basic, open to inbound traffic where no NSG applies, since its SKU is not known"}`,
          [],
          "import what declares it (its template, or az network public-ip show output) for its SKU and address",
        ),
        ...located(origins, pip, "name"),
      });
  // Addresses an output gives of an App Service Environment join its declaration.
  const environments = mergeEnvironments(topology.environments, origins);
  diagnostics.push(...environments.diagnostics);
  return {
    topology: {
      ...topology,
      virtualNetworks,
      networkSecurityGroups,
      networkInterfaces,
      environments: environments.environments,
      ...(publicIPAddresses ? { publicIPAddresses } : {}),
    },
    diagnostics,
  };
}

/**
 * Whether the interface is a placeholder no file declares: without its IP
 * configurations it cannot be written (Azure requires one), so it is left
 * out, and with it the NSG a script gives it (an omission, shared/left-out.ts).
 */
function undeclaredNic(
  nic: NetworkInterface,
  origins: Origins,
  diagnostics: Diagnostic[],
): boolean {
  if (!origins.isPlaceholder(nic) || nic.ipConfigurations.length > 0) return false;
  const nsg = nic.networkSecurityGroup;
  const d: Diagnostic = {
    ...(nsg === undefined ? info : warning)(
      "NetworkInterfaceNotDeclared",
      `network interface ${JSON.stringify(nic.name)} is created by no imported file, so its IP configurations are not known; it is left out${nsg === undefined ? "" : `, with its NSG ${JSON.stringify(refName(nsg))}`}`,
      [],
      "import the interface too (az network nic show output, or the template that creates it)",
    ),
    ...located(origins, nic, "name"),
  };
  diagnostics.push(
    nsg === undefined
      ? d
      : reporting(d, {
          kind: "association",
          nsg: refName(nsg),
          target: { nic: nic.name },
          what: `the NSG of network interface ${JSON.stringify(nic.name)}`,
        }),
  );
  return true;
}

/** `into` with the NSG the placeholder `from` gives it; a different NSG in each file is a conflict. */
function mergeNic(
  into: NetworkInterface,
  from: NetworkInterface,
  origins: Origins,
  diagnostics: Diagnostic[],
): NetworkInterface {
  const name = (ref: NetworkInterface["networkSecurityGroup"]) =>
    ref === undefined ? undefined : lower(refName(ref));
  if (from.networkSecurityGroup === undefined && into.networkSecurityGroup === undefined)
    return into;
  if (
    into.networkSecurityGroup !== undefined &&
    name(into.networkSecurityGroup) !== name(from.networkSecurityGroup)
  ) {
    const other = from.networkSecurityGroup;
    diagnostics.push({
      ...error(
        "ConflictingImports",
        `network interface ${into.name} has NSG ${refName(into.networkSecurityGroup)} in one file and ${other === undefined ? "none" : refName(other)} in another`,
        [],
        "import the files that describe the deployment as it is",
      ),
      ...located(origins, from, "networkSecurityGroup"),
    });
    return into;
  }
  const nic = { ...into, networkSecurityGroup: from.networkSecurityGroup } as NetworkInterface;
  origins.carry(into, nic);
  origins.copyField(from, "networkSecurityGroup", nic);
  return nic;
}

function merged<T extends { readonly name: string }>(
  items: readonly T[],
  origins: Origins,
  merge: (into: T, from: T) => T,
): T[] {
  const out: T[] = [];
  // The first of each name in `out` (an estate holds thousands of interfaces).
  const first = new Map<string, number>();
  for (const item of items) {
    const name = lower(item.name);
    const same = first.get(name) ?? -1;
    const other = out[same];
    if (other === undefined || (!origins.isPlaceholder(item) && !origins.isPlaceholder(other))) {
      if (!first.has(name)) first.set(name, out.length);
      out.push(item);
    } else if (origins.isPlaceholder(item)) out[same] = merge(other, item);
    else out[same] = merge(item, other);
  }
  return out;
}

/** `into` with what the placeholder `from` gives: its subnets, and the NSGs it puts on them. */
function mergeVnet(
  into: VirtualNetwork,
  from: VirtualNetwork,
  origins: Origins,
  diagnostics: Diagnostic[],
): VirtualNetwork {
  const subnets = [...into.subnets];
  for (const s of from.subnets) {
    const at = subnets.findIndex((t) => lower(t.name) === lower(s.name));
    const target = subnets[at];
    if (target === undefined) {
      subnets.push(s);
      continue;
    }
    if (s.networkSecurityGroup === undefined) continue;
    if (
      target.networkSecurityGroup !== undefined &&
      lower(refName(target.networkSecurityGroup)) !== lower(refName(s.networkSecurityGroup))
    ) {
      diagnostics.push({
        ...error(
          "ConflictingImports",
          `subnet ${into.name}/${s.name} has NSG ${refName(target.networkSecurityGroup)} in one file and ${refName(s.networkSecurityGroup)} in another`,
          [],
          "import the files that describe the deployment as it is",
        ),
        ...located(origins, s, "networkSecurityGroup"),
      });
      continue;
    }
    const subnet: Subnet = { ...target, networkSecurityGroup: s.networkSecurityGroup };
    origins.carry(target, subnet);
    origins.copyField(s, "networkSecurityGroup", subnet);
    subnets[at] = subnet;
  }
  const vnet = { ...into, subnets };
  origins.carry(into, vnet);
  return vnet;
}

/** `into` with the rules the placeholder `from` adds (a rule of the same name is replaced). */
function mergeNsg(
  into: NetworkSecurityGroup,
  from: NetworkSecurityGroup,
  origins: Origins,
): NetworkSecurityGroup {
  const rules: SecurityRule[] = [...into.securityRules];
  for (const r of from.securityRules) {
    const at = rules.findIndex((t) => lower(t.name) === lower(r.name));
    if (at < 0) rules.push(r);
    else rules[at] = r;
  }
  const nsg = { ...into, securityRules: rules };
  origins.carry(into, nsg);
  return nsg;
}

const located = (origins: Origins, object: object, key: string) => {
  const location = origins.locate(object, [key]);
  return location ? { location } : {};
};

/**
 * The model's validation of the imported topology (buildNetwork, as `check`
 * runs it), each problem at the place in the sources its value came from. A
 * stub's missing value is left out: the importer's own note names it. Without
 * a service-tags file among the sources, the tags Azure publishes are symbolic
 * sets of addresses, as in `check`, which names them once, at the first, in a
 * note (ServiceTagsSymbolic).
 */
export function validateImported(
  topology: Topology,
  origins: Origins,
  serviceTags: ServiceTagDocument | undefined,
): Diagnostic[] {
  const catalog = serviceTags
    ? parseServiceTagFile(serviceTags).catalog
    : ServiceTagCatalog.symbolic;
  return buildNetwork(topology, catalog)
    .diagnostics.filter((d) => !origins.isStub(topology, d.path))
    .map((d) => {
      const location = origins.locate(topology, d.path);
      const hint =
        d.code === "UnknownServiceTag" && serviceTags !== undefined
          ? "VirtualNetwork, Internet and AzureLoadBalancer are built in; the service-tags file imported with it does not hold this tag"
          : d.hint;
      return { ...d, ...(location ? { location } : {}), ...(hint ? { hint } : {}) };
    });
}
