import { AZURE_HOST_ADDRESS, type Network, type NsgInfo } from "../model/network.js";
import type { Access, AddressMatch, Direction, ParsedRule } from "../model/rule.js";
import { AddressSet } from "../net/address-set.js";
import { ALL_PORTS, type PortRange } from "../net/ports.js";
import type { RuleProtocol } from "../net/protocol.js";

/** A rule with its service tags and ASGs expanded to addresses, ready to match packets. */
export interface ResolvedRule {
  readonly rule: ParsedRule;
  readonly access: Access;
  readonly priority: number;
  readonly protocol: RuleProtocol;
  readonly source: AddressSet;
  readonly sourcePorts: readonly PortRange[];
  readonly destination: AddressSet;
  readonly destinationPorts: readonly PortRange[];
}

/** An NSG as it applies in one virtual network: the meaning of VirtualNetwork and Internet depends on where it is bound. */
export interface ResolvedNsg {
  readonly name: string;
  readonly vnet: string;
  readonly inbound: readonly ResolvedRule[];
  readonly outbound: readonly ResolvedRule[];
}

export interface TagContext {
  readonly network: Network;
  readonly virtualNetworkTag: AddressSet;
}

const AZURE_LOAD_BALANCER = AddressSet.of([AZURE_HOST_ADDRESS]);

/** The addresses one side of a rule stands for, in a given virtual network. */
export function resolveAddressMatch(match: AddressMatch, context: TagContext): AddressSet {
  switch (match.kind) {
    case "any":
      return AddressSet.all;
    case "prefixes":
      return AddressSet.of(match.prefixes);
    case "asgs":
      return AddressSet.ofAddresses(
        match.names.flatMap((name) => context.network.asgMembers.get(name) ?? []),
      );
    case "tag":
      switch (match.tag) {
        case "VirtualNetwork":
          return context.virtualNetworkTag;
        case "Internet":
          return context.virtualNetworkTag.complement();
        case "AzureLoadBalancer":
          return AZURE_LOAD_BALANCER;
        default:
          return AddressSet.of(context.network.serviceTags.prefixes(match.tag) ?? []);
      }
  }
}

export function resolveRule(rule: ParsedRule, context: TagContext): ResolvedRule {
  return {
    rule,
    access: rule.access,
    priority: rule.priority,
    protocol: rule.protocol,
    source: resolveAddressMatch(rule.source, context),
    sourcePorts: rule.sourcePorts,
    destination: resolveAddressMatch(rule.destination, context),
    destinationPorts: rule.destinationPorts,
  };
}

/** Resolves NSGs lazily, once per (NSG, virtual network). */
export class NsgResolver {
  private readonly cache = new Map<string, ResolvedNsg>();

  constructor(readonly network: Network) {}

  resolve(nsgName: string, vnetName: string): ResolvedNsg {
    const key = `${nsgName}\u0000${vnetName}`;
    let resolved = this.cache.get(key);
    if (!resolved) {
      const nsg = this.network.nsgs.get(nsgName) as NsgInfo;
      const vnet = this.network.vnets.get(vnetName);
      const context: TagContext = {
        network: this.network,
        virtualNetworkTag: vnet?.virtualNetworkTag ?? AddressSet.empty,
      };
      resolved = {
        name: nsgName,
        vnet: vnetName,
        inbound: nsg.inbound.map((r) => resolveRule(r, context)),
        outbound: nsg.outbound.map((r) => resolveRule(r, context)),
      };
      this.cache.set(key, resolved);
    }
    return resolved;
  }

  /**
   * Takes over another resolver's work for a network that differs from this
   * one in one NSG's rules (`changed`): every other NSG as it resolved them,
   * and the changed one as given (resolved by whoever changed it).
   */
  inherit(from: NsgResolver, changed: string, given: readonly ResolvedNsg[]): void {
    for (const [key, resolved] of from.cache)
      if (resolved.name !== changed) this.cache.set(key, resolved);
    for (const resolved of given) this.cache.set(`${changed}\u0000${resolved.vnet}`, resolved);
  }

  private readonly anySourcePortCache = new Map<string, ResolvedNsg>();

  /**
   * The NSG with every rule's source ports read as *: how Azure applies it to
   * traffic to a private endpoint ("source port filtering is interpreted as *").
   */
  resolveAnySourcePort(nsgName: string, vnetName: string): ResolvedNsg {
    const key = `${nsgName}\u0000${vnetName}`;
    let found = this.anySourcePortCache.get(key);
    if (!found) {
      const nsg = this.resolve(nsgName, vnetName);
      const widen = (r: ResolvedRule): ResolvedRule => ({ ...r, sourcePorts: [ALL_PORTS] });
      found = { ...nsg, inbound: nsg.inbound.map(widen), outbound: nsg.outbound.map(widen) };
      this.anySourcePortCache.set(key, found);
    }
    return found;
  }
}

export function rulesFor(nsg: ResolvedNsg, direction: Direction): readonly ResolvedRule[] {
  return direction === "Inbound" ? nsg.inbound : nsg.outbound;
}
