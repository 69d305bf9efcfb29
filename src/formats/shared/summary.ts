/**
 * What an import read, source by source: how many resources (az commands,
 * cmdlets) of each type, which tierwall modelled, which it read but does not
 * model (shared/unmodelled.ts), which decide no packet, and what it left out
 * and why. Importers count as they read (Inventory); importSources sums up.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { leftOutOf } from "./left-out.js";

export type Counted = "modelled" | "notModelled" | "notRelevant" | "unknown";

/** The resources one source holds, by type, as its importer reads them. */
export class Inventory {
  private readonly counts = new Map<string, { type: string; standing: Counted; count: number }>();

  /** `unit` says what is counted: "resources", "az commands", "cmdlets". */
  constructor(readonly unit = "resources") {}

  add(type: string, standing: Counted): void {
    const key = `${standing}\0${type}`;
    const found = this.counts.get(key);
    if (found) found.count++;
    else this.counts.set(key, { type, standing, count: 1 });
  }

  /** Every type read, with how it stands and how many. */
  types(): { type: string; standing: Counted; count: number }[] {
    return [...this.counts.values()].map((c) => ({ ...c }));
  }
}

export interface TypeCount {
  readonly type: string;
  readonly count: number;
}

/** What one source (or one Terraform module) gave. */
export interface SourceSummary {
  readonly source: string;
  readonly unit: string;
  readonly read: number;
  /** What the spec holds from it. */
  readonly imported: {
    readonly networkSecurityGroups: number;
    readonly securityRules: number;
    readonly virtualNetworks: number;
    readonly subnets: number;
    readonly networkInterfaces: number;
    readonly applicationSecurityGroups: number;
    /** Given when there are some (App Service Environments). */
    readonly environments?: number;
    /** Given when there are some. */
    readonly routeTables?: number;
    /** Given when there are some. */
    readonly loadBalancers?: number;
    /** Given when there are some. */
    readonly natGateways?: number;
    readonly applicationGateways?: number;
    /** Given when there are some. */
    readonly virtualMachineScaleSets?: number;
  };
  readonly modelled: readonly TypeCount[];
  readonly notModelled: readonly TypeCount[];
  readonly notRelevant: readonly TypeCount[];
  /** Types tierwall knows nothing of: what they change is not known. */
  readonly unknown: readonly TypeCount[];
  /** What was left out (shared/left-out.ts), with the code that says why. */
  readonly leftOut: readonly { readonly what: string; readonly code: string }[];
}

/** The summary of a source from its inventory, what it imported and the diagnostics in its files. */
export function summarize(
  source: string,
  inventory: Inventory,
  topology: Topology,
  diagnostics: readonly Diagnostic[],
): SourceSummary {
  const types = inventory.types();
  const of = (standing: Counted) =>
    types.filter((t) => t.standing === standing).map(({ type, count }) => ({ type, count }));
  const leftOut = new Map<string, string>();
  for (const d of diagnostics) {
    const o = leftOutOf(d);
    if (o && !leftOut.has(o.what)) leftOut.set(o.what, d.code);
  }
  const nsgs = topology.networkSecurityGroups;
  const vnets = topology.virtualNetworks;
  return {
    source,
    unit: inventory.unit,
    read: types.reduce((n, t) => n + t.count, 0),
    imported: {
      networkSecurityGroups: nsgs.length,
      securityRules: nsgs.reduce((n, g) => n + g.securityRules.length, 0),
      virtualNetworks: vnets.length,
      subnets: vnets.reduce((n, v) => n + v.subnets.length, 0),
      networkInterfaces: topology.networkInterfaces.length,
      applicationSecurityGroups: topology.applicationSecurityGroups.length,
      ...(topology.environments.length > 0 ? { environments: topology.environments.length } : {}),
      ...(topology.routeTables?.length ? { routeTables: topology.routeTables.length } : {}),
      ...(topology.loadBalancers?.length ? { loadBalancers: topology.loadBalancers.length } : {}),
      ...(topology.natGateways?.length ? { natGateways: topology.natGateways.length } : {}),
      ...(topology.applicationGateways?.length
        ? { applicationGateways: topology.applicationGateways.length }
        : {}),
      ...(topology.virtualMachineScaleSets?.length
        ? { virtualMachineScaleSets: topology.virtualMachineScaleSets.length }
        : {}),
    },
    modelled: of("modelled"),
    notModelled: of("notModelled"),
    notRelevant: of("notRelevant"),
    unknown: of("unknown"),
    leftOut: [...leftOut].map(([what, code]) => ({ what, code })),
  };
}

const counted = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listed = (items: readonly TypeCount[]) =>
  items.map((t) => (t.count === 1 ? t.type : `${t.type} ×${t.count}`)).join(", ");

/** Whether the source gave the spec nothing at all. */
export const importedNothing = (s: SourceSummary): boolean =>
  Object.values(s.imported).every((n) => n === 0);

/** The summary as a few lines of text. */
export function summaryText(s: SourceSummary): string {
  const i = s.imported;
  const parts = [
    i.networkSecurityGroups > 0 &&
      `${counted(i.networkSecurityGroups, "NSG")} with ${counted(i.securityRules, "rule")}`,
    i.virtualNetworks > 0 &&
      `${counted(i.virtualNetworks, "virtual network")} with ${counted(i.subnets, "subnet")}`,
    i.networkInterfaces > 0 && counted(i.networkInterfaces, "network interface"),
    i.applicationSecurityGroups > 0 &&
      counted(i.applicationSecurityGroups, "application security group"),
    (i.environments ?? 0) > 0 && counted(i.environments ?? 0, "environment"),
    (i.routeTables ?? 0) > 0 && counted(i.routeTables ?? 0, "route table"),
    (i.loadBalancers ?? 0) > 0 && counted(i.loadBalancers ?? 0, "load balancer"),
    (i.natGateways ?? 0) > 0 && counted(i.natGateways ?? 0, "NAT gateway"),
    (i.applicationGateways ?? 0) > 0 && counted(i.applicationGateways ?? 0, "application gateway"),
    (i.virtualMachineScaleSets ?? 0) > 0 && counted(i.virtualMachineScaleSets ?? 0, "scale set"),
  ].filter((p): p is string => typeof p === "string");
  const lines = [
    `${s.source}: ${counted(s.read, s.unit.replace(/s$/, ""), s.unit)} read; imported ${parts.length > 0 ? parts.join(", ") : "nothing"}`,
  ];
  if (s.notModelled.length > 0)
    lines.push(`  not modelled (named above): ${listed(s.notModelled)}`);
  if (s.unknown.length > 0) lines.push(`  not known to tierwall: ${listed(s.unknown)}`);
  if (s.notRelevant.length > 0) lines.push(`  deciding no packet: ${listed(s.notRelevant)}`);
  if (s.leftOut.length > 0)
    lines.push(`  left out: ${s.leftOut.map((l) => `${l.what} (${l.code})`).join("; ")}`);
  return lines.join("\n");
}
