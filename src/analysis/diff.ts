import { type Host, hostAt } from "../engine/endpoint.js";
import { formatPacket, type Packet } from "../engine/packet.js";
import { NsgResolver, rulesFor } from "../engine/resolve.js";
import type { Network, NicInfo } from "../model/network.js";
import { AddressNames } from "../model/public-ips.js";
import type { Direction } from "../model/rule.js";
import type { Topology } from "../model/types.js";
import type { IpAddress } from "../net/address.js";
import { gatewayArrivals } from "./application-gateway-exposure.js";
import { exposedAtFrontend, loadBalancedArrivals } from "./load-balancer-exposure.js";
import { PacketSet } from "./packet-set.js";
import { decide } from "./policy.js";
import { ReachAnalyzer } from "./reach.js";
import { type Summary, summarize } from "./summary.js";

/** Packets a change lets through that were denied before, and the reverse. */
export interface Change {
  readonly newlyAllowed: Summary;
  readonly newlyDenied: Summary;
  readonly allowedExample?: Packet;
  readonly deniedExample?: Packet;
}

export interface NsgChange extends Change {
  readonly nsg: string;
  readonly direction: Direction;
  /** The virtual network whose VirtualNetwork and Internet tags the comparison used. */
  readonly vnet: string;
  /** present in both, only before (removed), or only after (added). */
  readonly presence: "both" | "removed" | "added";
}

export interface FlowChange extends Change {
  readonly from: string;
  readonly to: string;
}

export interface SemanticDiff {
  readonly equivalent: boolean;
  readonly nsgs: readonly NsgChange[];
  readonly flows: readonly FlowChange[];
}

/**
 * Judging a change to one NSG's rules (incremental-nsg.ts): its entries,
 * already known, and the analyzers of the network before and after, the
 * latter holding the changed NSG's allowed packets.
 */
export interface OneNsgChanged {
  readonly nsg: string;
  readonly nsgChanges: readonly NsgChange[];
  readonly analyzers: { readonly before: ReachAnalyzer; readonly after: ReachAnalyzer };
}

/** Two versions that differ only in the rules of these NSGs (rulesChanged). */
export interface RulesChanged {
  readonly nsgs: ReadonlySet<string>;
}

/**
 * The NSGs whose rules are all that differ between two versions (their
 * topologies and service tags otherwise the same), or undefined when anything
 * else differs. Given to semanticDiff, it compares only those NSGs and the
 * flows that meet them: on an estate of thousands of hosts, the pairs of
 * hosts are otherwise too many.
 */
export function rulesChanged(
  before: { readonly network: Network; readonly topology: Topology },
  after: { readonly network: Network; readonly topology: Topology },
): RulesChanged | undefined {
  const rulesOf = (t: Topology) =>
    new Map(t.networkSecurityGroups.map((n) => [n.name, JSON.stringify(n.securityRules ?? [])]));
  const rest = (t: Topology) =>
    JSON.stringify({
      ...t,
      networkSecurityGroups: t.networkSecurityGroups.map((n) => ({ ...n, securityRules: [] })),
    });
  if (rest(before.topology) !== rest(after.topology)) return undefined;
  const tags = (n: Network) =>
    JSON.stringify(n.serviceTags.portable(), (_, v) => (typeof v === "bigint" ? `${v}` : v));
  if (tags(before.network) !== tags(after.network)) return undefined;
  const was = rulesOf(before.topology);
  const nsgs = new Set<string>();
  for (const [name, rules] of rulesOf(after.topology)) if (was.get(name) !== rules) nsgs.add(name);
  return { nsgs };
}

/** Per NSG, direction and virtual network it is bound in: what the second version allows that the first did not, and the reverse. */
function nsgDiff(before: Network, after: Network, only?: ReadonlySet<string>): NsgChange[] {
  const resolvers = { before: new NsgResolver(before), after: new NsgResolver(after) };
  const nsgs: NsgChange[] = [];
  const tagNames = diffTagNames(before, after);
  const names = [...new Set([...before.nsgs.keys(), ...after.nsgs.keys()])].sort();
  for (const nsg of names) {
    if (only && !only.has(nsg)) continue;
    const inBefore = before.nsgs.has(nsg);
    const inAfter = after.nsgs.has(nsg);
    const presence = inBefore && inAfter ? "both" : inBefore ? "removed" : "added";
    const vnets = [
      ...new Set([
        ...(inBefore ? bindings(before, nsg) : []),
        ...(inAfter ? bindings(after, nsg) : []),
      ]),
    ];
    for (const vnet of vnets.length > 0 ? vnets : [""]) {
      for (const direction of ["Inbound", "Outbound"] as const) {
        const allowed = (side: "before" | "after") => {
          const network = side === "before" ? before : after;
          if (!network.nsgs.has(nsg)) return undefined;
          return decide(rulesFor(resolvers[side].resolve(nsg, vnet), direction)).allowed;
        };
        const b = allowed("before");
        const a = allowed("after");
        // An NSG added or removed is compared with no NSG, which allows everything.
        const c = change(b ?? PacketSet.all, a ?? PacketSet.all, {
          before: tagNames,
          after: tagNames,
        });
        if (c) nsgs.push({ nsg, direction, vnet, presence, ...c });
      }
    }
  }
  return nsgs;
}

/** Symbolic service tags either version names, shown by name in both. */
export function diffTagNames(before: Network, after: Network): AddressNames {
  return AddressNames.none.withTagsOf(before.addressNames).withTagsOf(after.addressNames);
}

/** The diff as JSON: each change with its example packets written out (`Tcp 198.51.100.11:* -> 10.0.4.4:443`). */
export function semanticDiffJson(diff: SemanticDiff) {
  const example = (c: Change) => ({
    ...(c.allowedExample ? { allowedExample: formatPacket(c.allowedExample) } : {}),
    ...(c.deniedExample ? { deniedExample: formatPacket(c.deniedExample) } : {}),
  });
  return {
    equivalent: diff.equivalent,
    nsgs: diff.nsgs.map((c) => ({ ...c, ...example(c) })),
    flows: diff.flows.map((c) => ({ ...c, ...example(c) })),
  };
}

/** Names: the versions' addresses that stand for ones not known, newly allowed ones shown as after, denied as before. */
function change(
  before: PacketSet,
  after: PacketSet,
  names: { before: AddressNames; after: AddressNames } = {
    before: AddressNames.none,
    after: AddressNames.none,
  },
): Change | undefined {
  if (before.equals(after)) return undefined;
  return changeOf(after.minus(before), before.minus(after), names);
}

/** A change from what it newly allows and newly denies: summaries and a witness of each. */
export function changeOf(
  added: PacketSet,
  removed: PacketSet,
  names: { before: AddressNames; after: AddressNames },
): Change {
  const allowed = added.witness();
  const denied = removed.witness();
  const allowedExample = allowed && names.after.labelledPacket(allowed);
  const deniedExample = denied && names.before.labelledPacket(denied);
  return {
    newlyAllowed: summarize(added, 20, names.after),
    newlyDenied: summarize(removed, 20, names.before),
    ...(allowedExample ? { allowedExample } : {}),
    ...(deniedExample ? { deniedExample } : {}),
  };
}

/** The virtual networks an NSG is bound in (through subnets or NICs); an unbound NSG is compared with no network. */
export function bindings(network: Network, nsg: string): string[] {
  const vnets = new Set<string>();
  for (const s of network.subnets) if (s.nsg === nsg) vnets.add(s.vnet);
  for (const n of network.nics.values()) if (n.nsg === nsg) vnets.add(n.vnet);
  return [...vnets].sort();
}

/**
 * The difference in allowed traffic between two versions of a deployment:
 * per NSG and direction (where it is bound), per pair of environments
 * present in both, and from the Internet to each environment and each
 * machine's interface present in both (interfaces are not paired with each
 * other: an estate has too many). Renames, reorderings and splits that allow
 * the same packets show no difference. `known`: what is known of the change
 * (one NSG's entries already worked out, or the only NSGs whose rules
 * changed), so that only those NSGs and the flows that meet one whose
 * allowed packets moved are compared; the answer is the same.
 */
export function semanticDiff(
  before: Network,
  after: Network,
  known?: OneNsgChanged | RulesChanged,
): SemanticDiff {
  const incremental = known && "nsgChanges" in known ? known : undefined;
  // Only these NSGs' rules changed: the others allow what they did, and a flow that meets none of them at either end is as it was.
  const changed =
    known === undefined ? undefined : "nsgChanges" in known ? new Set([known.nsg]) : known.nsgs;
  const nsgs: NsgChange[] = incremental
    ? [...incremental.nsgChanges]
    : nsgDiff(before, after, changed);
  const flows: FlowChange[] = [];
  const analyzers = incremental?.analyzers ?? {
    before: new ReachAnalyzer(before),
    after: new ReachAnalyzer(after),
  };
  // Of those, the ones that allow other packets in a direction. Traffic to a private endpoint
  // meets its subnet's NSG with source ports read as *, which may differ where the rules' own reading does not.
  const moved = (direction: Direction) =>
    new Set(nsgs.filter((c) => c.direction === direction).map((c) => c.nsg));
  const movedIn = moved("Inbound");
  const movedOut = moved("Outbound");
  const guardedBy = (h: Host, set: ReadonlySet<string>) =>
    (h.subnet?.nsg !== undefined && set.has(h.subnet.nsg)) ||
    (h.nic?.nsg !== undefined && set.has(h.nic.nsg));
  /** Whether what reaches the host may have changed; whether what it sends may have. */
  const meetsIn = (h: Host) =>
    changed === undefined ||
    guardedBy(h, movedIn) ||
    (h.privateEndpoint !== undefined && guardedBy(h, changed));
  const meetsOut = (h: Host) => changed === undefined || guardedBy(h, movedOut);
  const shown = {
    before: before.addressNames.withTagsOf(after.addressNames),
    after: after.addressNames.withTagsOf(before.addressNames),
  };
  const hosts = { before: new Map<string, Host>(), after: new Map<string, Host>() };
  const host = (side: "before" | "after", name: string) => {
    let found = hosts[side].get(name);
    if (!found) {
      const network = side === "before" ? before : after;
      const env = network.environments.get(name);
      found = hostAt(
        network,
        env
          ? env.privateAddress
          : ((network.nics.get(name) as NicInfo).ipConfigurations[0]?.address as IpAddress),
      );
      hosts[side].set(name, found);
    }
    return found;
  };
  const envs = [...before.environments.keys()].filter((e) => after.environments.has(e)).sort();
  // What the Internet reaches of each host in both: environments, and interfaces of machines.
  const machines = (network: Network) =>
    [...network.nics.values()]
      .filter((n) => n.scaleSet === undefined && n.ipConfigurations.length > 0)
      .map((n) => n.name)
      .filter((n) => !network.environments.has(n));
  const afterMachines = new Set(machines(after));
  const exposed = [
    ...envs,
    ...machines(before)
      .filter((n) => afterMachines.has(n))
      .sort(),
  ];
  for (const to of exposed) {
    if (!meetsIn(host("before", to))) continue;
    // The Internet: every host outside every network, before and after.
    const exposure = (side: "before" | "after") =>
      analyzers[side].fromOutside(analyzers[side].outside, host(side, to)).allowed;
    const c = change(exposure("before"), exposure("after"), shown);
    if (c) flows.push({ from: "Internet", to, ...c });
  }
  // Every callee of a caller whose sending changed; else only the callees whose receiving did.
  const receivingChanged = envs.filter((e) => meetsIn(host("before", e)));
  for (const from of envs) {
    for (const to of meetsOut(host("before", from)) ? envs : receivingChanged) {
      const space = (side: "before" | "after") =>
        analyzers[side].flow(host(side, from), host(side, to)).allowed;
      const c = change(space("before"), space("after"), shown);
      if (c) flows.push({ from, to, ...c });
    }
  }
  // What the Internet reaches through each public load balancer frontend, as the frontend receives it.
  const frontends = (side: "before" | "after") => {
    const exposed = new Map<string, PacketSet>();
    for (const a of loadBalancedArrivals(analyzers[side])) {
      const key = `load balancer ${a.frontend.loadBalancer} frontend ${a.frontend.name}`;
      exposed.set(key, (exposed.get(key) ?? PacketSet.empty).union(exposedAtFrontend(a)));
    }
    // And through each application gateway's public frontend, on its listeners' ports.
    for (const a of gatewayArrivals(analyzers[side]))
      exposed.set(`application gateway ${a.gateway.name} frontend ${a.frontend.name}`, a.exposed);
    return exposed;
  };
  const exposedBefore = frontends("before");
  const exposedAfter = frontends("after");
  for (const to of [...new Set([...exposedBefore.keys(), ...exposedAfter.keys()])].sort()) {
    const c = change(
      exposedBefore.get(to) ?? PacketSet.empty,
      exposedAfter.get(to) ?? PacketSet.empty,
      shown,
    );
    if (c) flows.push({ from: "Internet", to, ...c });
  }
  return { equivalent: nsgs.length === 0 && flows.length === 0, nsgs, flows };
}
