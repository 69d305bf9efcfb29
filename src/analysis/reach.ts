import { type Host, hostAt } from "../engine/endpoint.js";
import { NsgResolver, type ResolvedNsg, rulesFor } from "../engine/resolve.js";
import { closedPublicIp, planRoute, type Route, vnetsConnected } from "../engine/route.js";
import { AZURE_HOST_ADDRESS, type Network, type SubnetInfo } from "../model/network.js";
import { nsgAppliesToPrivateEndpoints } from "../model/private-endpoint-types.js";
import type { Direction } from "../model/rule.js";
import { hostAddresses } from "../model/subnet-hosts.js";
import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { PacketSet } from "./packet-set.js";
import { allowedSet, type Decisions, decide } from "./policy.js";

const single = (a: IpAddress) => AddressSet.ofAddresses([a]);

/** The key of an NSG's direction in a virtual network, in the analyzer's maps. */
const directionKey = (nsg: string, vnet: string, direction: Direction) =>
  `${nsg}\u0000${vnet}\u0000${direction}`;

/** The packets of a flow that get through, as they arrive: source as presented, destination as the callee sees it. */
export interface FlowSpace {
  readonly route: Route;
  readonly allowed: PacketSet;
  /** Every packet the caller could send on this route, allowed or not, in the same coordinates. */
  readonly possible: PacketSet;
}

/**
 * Exact reachability over every packet: what an NSG allows, what crosses the
 * NSGs between two hosts, what can arrive at a host from anywhere. Decisions
 * are computed once per (NSG, virtual network, direction).
 */
export class ReachAnalyzer {
  readonly resolver: NsgResolver;
  private readonly decisions = new Map<string, Decisions>();
  /** Every address outside every virtual network, its connected spaces and the platform's: the Internet's hosts. */
  readonly outside: AddressSet;

  constructor(readonly network: Network) {
    this.resolver = new NsgResolver(network);
    let inside = AddressSet.empty;
    for (const vnet of network.vnets.values()) inside = inside.union(vnet.virtualNetworkTag);
    this.outside = inside.complement();
  }

  /**
   * Takes over what an analyzer of the network before a change to one NSG
   * (`changed`) worked out of the others, which the change leaves as they
   * were, and the changed NSG as given, resolved and decided per virtual
   * network (by IncrementalNsg): so that judging the change neither resolves
   * nor decides any NSG again.
   */
  inherit(
    from: ReachAnalyzer,
    changed: string,
    given: readonly {
      readonly resolved: ResolvedNsg;
      readonly inbound: Decisions;
      readonly outbound: Decisions;
    }[],
  ): void {
    this.resolver.inherit(
      from.resolver,
      changed,
      given.map((g) => g.resolved),
    );
    const unchanged = (key: string) => !key.startsWith(`${changed}\u0000`);
    for (const [key, decided] of from.decisions)
      if (unchanged(key)) this.decisions.set(key, decided);
    for (const [key, set] of from.allowedSets) if (unchanged(key)) this.allowedSets.set(key, set);
    for (const { resolved, inbound, outbound } of given) {
      this.adoptDecisions(changed, resolved.vnet, "Inbound", inbound);
      this.adoptDecisions(changed, resolved.vnet, "Outbound", outbound);
    }
  }

  /** Takes an NSG direction's decisions as made elsewhere (the same rules, decided). */
  adoptDecisions(nsg: string, vnet: string, direction: Direction, decided: Decisions): void {
    this.decisions.set(directionKey(nsg, vnet, direction), decided);
  }

  nsgDecisions(nsg: string, vnet: string, direction: Direction): Decisions {
    const key = directionKey(nsg, vnet, direction);
    let found = this.decisions.get(key);
    if (!found) {
      found = decide(rulesFor(this.resolver.resolve(nsg, vnet), direction));
      this.decisions.set(key, found);
    }
    return found;
  }

  /** Whether an NSG direction's decisions are held (made or adopted, and not released). */
  holdsDecisions(nsg: string, vnet: string, direction: Direction): boolean {
    return this.decisions.has(directionKey(nsg, vnet, direction));
  }

  /**
   * Lets an NSG direction's decisions go, keeping what it allows: for a pass
   * over a large estate that needs each NSG's rule effects once (lint), so
   * that it does not hold every NSG's at the end.
   */
  releaseDecisions(nsg: string, vnet: string, direction: Direction): void {
    const key = directionKey(nsg, vnet, direction);
    const decided = this.decisions.get(key);
    if (!decided) return;
    this.allowedSets.set(key, decided.allowed);
    this.decisions.delete(key);
  }

  private readonly allowedSets = new Map<string, PacketSet>();

  /** What an NSG allows in a direction: its decisions' when they are known, else folded without them. */
  nsgAllowed(nsg: string, vnet: string, direction: Direction): PacketSet {
    const key = directionKey(nsg, vnet, direction);
    const decided = this.decisions.get(key);
    if (decided) return decided.allowed;
    let found = this.allowedSets.get(key);
    if (!found) {
      found = allowedSet(rulesFor(this.resolver.resolve(nsg, vnet), direction));
      this.allowedSets.set(key, found);
    }
    return found;
  }

  private readonly widened = new Map<string, Decisions>();

  /** An NSG's inbound decisions with its rules' source ports read as * (traffic to private endpoints). */
  private anySourcePortDecisions(nsg: string, vnet: string): Decisions {
    const key = `${nsg}\u0000${vnet}`;
    let found = this.widened.get(key);
    if (!found) {
      found = decide(this.resolver.resolveAnySourcePort(nsg, vnet).inbound);
      this.widened.set(key, found);
    }
    return found;
  }

  /** The NSGs a host's traffic crosses in a direction, in evaluation order. */
  private nsgsOf(
    host: { vnet?: string; subnet?: SubnetInfo; nic?: { nsg?: string } },
    direction: Direction,
  ): string[] {
    const subnet = host.subnet?.nsg;
    const nic = host.nic?.nsg;
    const list = direction === "Inbound" ? [subnet, nic] : [nic, subnet];
    return list.filter((n): n is string => n !== undefined);
  }

  /** What a host's NSGs (subnet and NIC, or a private endpoint's subnet) let through in a direction. */
  allowedBy(
    host: { vnet?: string; subnet?: SubnetInfo; nic?: { nsg?: string }; privateEndpoint?: unknown },
    direction: Direction,
  ): PacketSet {
    let allowed = PacketSet.all;
    if (host.vnet === undefined) return allowed;
    // A private endpoint: its subnet's NSG, where its policy applies it, with source ports read as *.
    if (host.privateEndpoint && host.subnet) {
      const nsg = host.subnet.nsg;
      if (
        direction === "Outbound" ||
        nsg === undefined ||
        !nsgAppliesToPrivateEndpoints(host.subnet.privateEndpointNetworkPolicies)
      )
        return allowed;
      return this.anySourcePortDecisions(nsg, host.vnet).allowed;
    }
    for (const nsg of this.nsgsOf(host, direction))
      allowed = allowed.intersect(this.nsgAllowed(nsg, host.vnet, direction));
    return allowed;
  }

  private readonly inboundCache = new Map<string, PacketSet>();

  /** The packets a host's inbound NSGs let in, addressed to it. */
  inbound(host: Host): PacketSet {
    const key = `${host.address.family}/${host.address.value}`;
    let found = this.inboundCache.get(key);
    if (!found) {
      found = this.allowedBy(host, "Inbound").intersect(
        PacketSet.box({ destination: single(host.address) }),
      );
      this.inboundCache.set(key, found);
    }
    return found;
  }

  /**
   * What a host lets in of the packets that reach it across the Internet: what
   * its inbound NSGs admit, or nothing behind a Standard public IP that no NSG
   * opens (route.ts).
   */
  publicInbound(to: Host): PacketSet {
    return closedPublicIp(to) === undefined ? this.inbound(to) : PacketSet.empty;
  }

  /**
   * A bound on `arrivals`: what the host's inbound NSGs admit from every source
   * that could send to it, ignoring the senders' own NSGs. Cheap, and when it
   * fits a claim, the exact arrivals do too.
   */
  arrivalsBound(to: Host): PacketSet {
    let sources = AddressSet.empty;
    if (to.vnet !== undefined && to.ingress !== "External")
      for (const vnet of this.network.vnets.values())
        if (vnetsConnected(this.network, vnet.name, to.vnet))
          sources = sources.union(vnet.virtualNetworkTag);
    // The platform's address is no caller, and the host on its own address is none either.
    const excluded = single(to.address).union(AddressSet.of([AZURE_HOST_ADDRESS]));
    const bound = this.inbound(to).intersect(PacketSet.box({ source: sources.minus(excluded) }));
    if (!to.publicAddress) return bound;
    return bound.union(
      this.publicInbound(to).intersect(PacketSet.box({ source: this.outside.minus(excluded) })),
    );
  }

  /**
   * The flow from one host to another: the packets that cross both the caller's
   * outbound NSGs and the callee's inbound NSGs, following the same route as
   * the flow evaluator (translated to the addresses the callee sees).
   */
  flow(from: Host, to: Host): FlowSpace {
    const route = planRoute(from, to, this.network);
    if (route.kind === "none")
      return { route, allowed: PacketSet.empty, possible: PacketSet.empty };
    if (route.kind === "local") {
      const local = PacketSet.box({
        source: single(from.address),
        destination: single(to.address),
      });
      return { route, allowed: local, possible: local };
    }
    const possible = PacketSet.box({
      source: single(route.presentedSource),
      destination: single(to.address),
    });
    const admitted = route.kind === "public" ? this.publicInbound(to) : this.inbound(to);
    let allowed = to.vnet === undefined ? possible : admitted.intersect(possible);
    if (from.vnet !== undefined) {
      const sent = this.allowedBy(from, "Outbound").translate(
        from.address,
        route.outboundDestination,
        route.presentedSource,
        to.address,
      );
      allowed = allowed.intersect(sent);
    }
    return { route, allowed, possible };
  }

  /**
   * Packets from Internet hosts (any of `sources` outside every virtual network)
   * into a host: they cross only the callee's inbound NSGs, and only a host
   * with a public address can be reached.
   */
  fromOutside(sources: AddressSet, to: Host): { allowed: PacketSet; possible: PacketSet } {
    const addresses = sources.intersect(this.outside);
    if (to.vnet === undefined || !to.publicAddress || addresses.isEmpty())
      return { allowed: PacketSet.empty, possible: PacketSet.empty };
    const possible = PacketSet.box({ source: addresses, destination: single(to.address) });
    return { allowed: this.publicInbound(to).intersect(possible), possible };
  }

  /** What a host in a network may send to Internet hosts (any address outside every network). */
  toOutside(from: Host): PacketSet {
    const possible = PacketSet.box({ source: single(from.address), destination: this.outside });
    return from.vnet === undefined
      ? possible
      : this.allowedBy(from, "Outbound").intersect(possible);
  }

  /** Every known host: each environment, and each NIC address no environment stands on. */
  knownHosts(): Host[] {
    const hosts: Host[] = [];
    const seen = new Set<string>();
    const add = (host: Host) => {
      const key = `${host.address.family}/${host.address.value}`;
      if (seen.has(key)) return;
      seen.add(key);
      hosts.push(host);
    };
    for (const env of this.network.environments.values())
      add(hostAt(this.network, env.privateAddress));
    for (const nic of this.network.nics.values())
      for (const config of nic.ipConfigurations) add(hostAt(this.network, config.address));
    return hosts;
  }

  /**
   * Everything that can arrive at a host, from anywhere: each known host over
   * its own route and NSGs; unknown hosts in networks connected to it, through
   * their subnet's NSG; and any other Internet address. The platform's own
   * address (168.63.129.16) is not a caller and is left out, nor is the host
   * itself on its own address.
   */
  arrivals(to: Host): PacketSet {
    let all = PacketSet.empty;
    const known = this.knownHosts();
    let knownPublic = AddressSet.empty;
    for (const host of known) {
      if (host.outboundAddress) knownPublic = knownPublic.union(single(host.outboundAddress));
      const flow = this.flow(host, to);
      // A host talking to itself on its own address is no caller (an external ASE's self-call, public, is).
      if (flow.route.kind !== "local") all = all.union(flow.allowed);
    }
    all = all.union(this.fromOutside(this.outside.minus(knownPublic), to).allowed);
    if (to.vnet === undefined || to.ingress === "External") return all;
    // Hosts without a NIC of their own in a connected network: private route,
    // subnet NSG only; never an address Azure reserves, nor the host itself.
    const knownAddresses = AddressSet.ofAddresses(known.map((h) => h.address));
    for (const subnet of this.network.subnets) {
      if (!vnetsConnected(this.network, subnet.vnet, to.vnet)) continue;
      const addresses = hostAddresses(subnet).minus(knownAddresses).minus(single(to.address));
      if (addresses.isEmpty()) continue;
      const possible = PacketSet.box({ source: addresses, destination: single(to.address) });
      const sent = this.allowedBy({ vnet: subnet.vnet, subnet }, "Outbound");
      all = all.union(this.inbound(to).intersect(possible).intersect(sent));
    }
    return all;
  }
}
