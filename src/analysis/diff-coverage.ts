/**
 * What a semantic diff did not compare: the diff proves NSG decisions, the
 * flows between environments present in both versions, what the Internet
 * reaches of each environment and each machine's interface in both (and of
 * public load-balancer frontends), so a resource on one side only,
 * or changed in a way those do not show, is named rather than called equal.
 */
import type { Topology } from "../model/types.js";

export interface NotCompared {
  /** What kind of thing: "environment", "public IP address", "assertion"… */
  readonly kind: string;
  readonly name: string;
  /** Only in the old version, only in the new, or in both but different. */
  readonly change: "removed" | "added" | "changed";
  /** What the diff leaves out about it. */
  readonly why: string;
}

export interface DiffSide {
  readonly topology: Topology;
  readonly assertions: readonly unknown[];
  readonly tiers: readonly unknown[];
}

/** Collections whose every change the diff's proof covers: NSG rules, and ASGs through the NSGs that name them. */
const COMPARED = new Set(["networkSecurityGroups", "applicationSecurityGroups"]);

/** A readable kind for a topology collection: `publicIPAddresses` -> "public IP address". */
function kindOf(collection: string): string {
  const known: Record<string, string> = {
    virtualNetworks: "virtual network",
    networkInterfaces: "network interface",
    environments: "environment",
    publicIPAddresses: "public IP address",
    loadBalancers: "load balancer",
    routeTables: "route table",
  };
  if (known[collection]) return known[collection] as string;
  const words = collection.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.endsWith("s") ? words.slice(0, -1) : words;
}

function whyOf(collection: string, change: NotCompared["change"]): string {
  switch (collection) {
    case "environments":
      return change === "changed"
        ? "its flows are compared; its other properties are not"
        : "its flows are not compared";
    case "loadBalancers":
      return "only what the Internet reaches through public frontends is compared";
    case "applicationGateways":
      return "only what the Internet reaches of public frontends' listeners is compared, not where the gateway sends it";
    case "routeTables":
      return "routes are not compared: the diff is of NSG decisions";
    case "virtualNetworks":
      return "address spaces, subnets and their NSG associations are compared only through environments' flows and what the Internet reaches of interfaces";
    case "networkInterfaces":
      return change === "changed"
        ? "what the Internet reaches of it is compared; its flows to and from other interfaces are not"
        : "its flows are not compared";
    case "publicIPAddresses":
      return "the Internet's reach through it is compared only for environments and interfaces";
    default:
      return "not compared by the diff";
  }
}

/** JSON with object keys sorted, so that equal values print the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function named(items: readonly unknown[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  items.forEach((item, i) => {
    const name = (item as { name?: unknown } | null)?.name;
    out.set(typeof name === "string" ? name : `#${i + 1}`, item);
  });
  return out;
}

function compare(
  kind: string,
  before: readonly unknown[],
  after: readonly unknown[],
  why: (change: NotCompared["change"]) => string,
): NotCompared[] {
  const out: NotCompared[] = [];
  const b = named(before);
  const a = named(after);
  for (const [name, item] of b) {
    if (!a.has(name)) out.push({ kind, name, change: "removed", why: why("removed") });
    else if (canonical(item) !== canonical(a.get(name)))
      out.push({ kind, name, change: "changed", why: why("changed") });
  }
  for (const name of a.keys())
    if (!b.has(name)) out.push({ kind, name, change: "added", why: why("added") });
  return out;
}

/** Everything the two versions differ in that `semanticDiff` does not prove, in the order of the spec's sections. */
export function notCompared(before: DiffSide, after: DiffSide): NotCompared[] {
  const out: NotCompared[] = [];
  const collections = new Set([...Object.keys(before.topology), ...Object.keys(after.topology)]);
  for (const collection of collections) {
    if (COMPARED.has(collection)) continue;
    const list = (side: DiffSide) => {
      const value = (side.topology as unknown as Record<string, unknown>)[collection];
      return Array.isArray(value) ? value : [];
    };
    out.push(
      ...compare(kindOf(collection), list(before), list(after), (change) =>
        whyOf(collection, change),
      ),
    );
  }
  // Assertions and tiers are claims, not deployment: the diff does not run them.
  const claims = (kind: string, b: readonly unknown[], a: readonly unknown[], why: string) => {
    const count = (list: readonly unknown[]) => {
      const counts = new Map<string, number>();
      for (const item of list) counts.set(canonical(item), (counts.get(canonical(item)) ?? 0) + 1);
      return counts;
    };
    const [cb, ca] = [count(b), count(a)];
    let removed = 0;
    let added = 0;
    for (const [key, n] of cb) removed += Math.max(0, n - (ca.get(key) ?? 0));
    for (const [key, n] of ca) added += Math.max(0, n - (cb.get(key) ?? 0));
    if (removed > 0) out.push({ kind, name: `${removed} of ${b.length}`, change: "removed", why });
    if (added > 0) out.push({ kind, name: `${added} of ${a.length}`, change: "added", why });
  };
  claims(
    "assertions",
    before.assertions,
    after.assertions,
    "run `check` on each version to compare their claims",
  );
  out.push(
    ...compare(
      "tier",
      before.tiers,
      after.tiers,
      () => "tiers are intents: `synth` compares what they produce",
    ),
  );
  return out;
}
