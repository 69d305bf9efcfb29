import { type Host, hostAt } from "../engine/endpoint.js";
import { formatPacket, type Packet } from "../engine/packet.js";
import { NsgResolver, rulesFor } from "../engine/resolve.js";
import type { Network, NicInfo } from "../model/network.js";
import { AddressNames } from "../model/public-ips.js";
import type { Direction } from "../model/rule.js";
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

/** Per NSG, direction and virtual network it is bound in: what the second version allows that the first did not, and the reverse. */
function nsgDiff(before: Network, after: Network): NsgChange[] {
  const resolvers = { before: new NsgResolver(before), after: new NsgResolver(after) };
  const nsgs: NsgChange[] = [];
  const tagNames = diffTagNames(before, after);
  const names = [...new Set([...before.nsgs.keys(), ...after.nsgs.keys()])].sort();
  for (const nsg of names) {
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
 * the same packets show no difference.
 */
export function semanticDiff(
  before: Network,
  after: Network,
  incremental?: OneNsgChanged,
): SemanticDiff {
  const nsgs: NsgChange[] = incremental ? [...incremental.nsgChanges] : nsgDiff(before, after);
  const flows: FlowChange[] = [];
  const analyzers = incremental?.analyzers ?? {
    before: new ReachAnalyzer(before),
    after: new ReachAnalyzer(after),
  };
  // Only one NSG changed: a flow that meets it at neither end is as it was.
  const meets = (h: Host) =>
    incremental === undefined ||
    h.subnet?.nsg === incremental.nsg ||
    h.nic?.nsg === incremental.nsg;
  const shown = {
    before: before.addressNames.withTagsOf(after.addressNames),
    after: after.addressNames.withTagsOf(before.addressNames),
  };
  const host = (side: "before" | "after", name: string) => {
    const network = side === "before" ? before : after;
    const env = network.environments.get(name);
    if (env) return hostAt(network, env.privateAddress);
    return hostAt(
      network,
      (network.nics.get(name) as NicInfo).ipConfigurations[0]?.address as IpAddress,
    );
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
    if (!meets(host("before", to))) continue;
    // The Internet: every host outside every network, before and after.
    const exposure = (side: "before" | "after") =>
      analyzers[side].fromOutside(analyzers[side].outside, host(side, to)).allowed;
    const c = change(exposure("before"), exposure("after"), shown);
    if (c) flows.push({ from: "Internet", to, ...c });
  }
  for (const from of envs) {
    for (const to of envs) {
      if (!meets(host("before", from)) && !meets(host("before", to))) continue;
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
