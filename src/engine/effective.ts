import type { Network, NicInfo, SubnetInfo } from "../model/network.js";
import { type AddressMatch, type Direction, watcherRuleName } from "../model/rule.js";
import { formatPortRangeExpanded } from "../net/ports.js";
import { formatPrefix } from "../net/prefix.js";
import type { AppliedTo } from "./flow.js";
import { NsgResolver, type ResolvedRule } from "./resolve.js";

/** One rule as `az network nic list-effective-nsg` shows it. */
export interface EffectiveRule {
  readonly name: string;
  readonly direction: Direction;
  readonly priority: number;
  readonly access: string;
  /** `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `All`. */
  readonly protocol: string;
  readonly sourceAddressPrefix: string;
  readonly sourcePortRange: string[];
  readonly destinationAddressPrefix: string;
  readonly destinationPortRange: string[];
  readonly expandedSourceAddressPrefix: string[];
  readonly expandedDestinationAddressPrefix: string[];
}

/** The rules of one NSG where it is associated. */
export interface EffectiveNsg {
  readonly networkSecurityGroup: string;
  readonly association: AppliedTo;
  readonly effectiveSecurityRules: readonly EffectiveRule[];
}

export type EffectiveTarget = { readonly nic: NicInfo } | { readonly subnet: SubnetInfo };

/**
 * The NSGs that apply to a NIC or a subnet, with their rules in evaluation order
 * (by priority within each direction) and tags and ASGs expanded to prefixes.
 * For a NIC, inbound traffic meets the subnet's NSG first, outbound the NIC's.
 */
export function effectiveRules(network: Network, target: EffectiveTarget): EffectiveNsg[] {
  const resolver = new NsgResolver(network);
  const groups: EffectiveNsg[] = [];
  const subnet = "subnet" in target ? target.subnet : target.nic.ipConfigurations[0]?.subnet;
  const vnet = subnet?.vnet ?? ("nic" in target ? target.nic.vnet : "");
  const add = (nsgName: string, association: AppliedTo) => {
    const resolved = resolver.resolve(nsgName, vnet);
    const rules = [...resolved.inbound, ...resolved.outbound].map((r) => toEffective(r, network));
    groups.push({ networkSecurityGroup: nsgName, association, effectiveSecurityRules: rules });
  };
  if (subnet?.nsg) add(subnet.nsg, { type: "subnet", name: subnet.id });
  if ("nic" in target && target.nic.nsg)
    add(target.nic.nsg, { type: "networkInterface", name: target.nic.name });
  return groups;
}

function toEffective(resolved: ResolvedRule, network: Network): EffectiveRule {
  const rule = resolved.rule;
  // A tag without its file has no real prefixes to show: it is shown by name.
  const expanded = (match: AddressMatch, set: ResolvedRule["source"]) =>
    match.kind === "tag" && network.serviceTags.isSymbolic(match.tag)
      ? [`<${match.tag}>`]
      : set.toPrefixes().map(formatPrefix);
  return {
    name: watcherRuleName(rule),
    direction: rule.direction,
    priority: rule.priority,
    access: rule.access,
    protocol: rule.protocol === "*" ? "All" : rule.protocol,
    sourceAddressPrefix: describeMatch(rule.source),
    sourcePortRange: rule.sourcePorts.map(formatPortRangeExpanded),
    destinationAddressPrefix: describeMatch(rule.destination),
    destinationPortRange: rule.destinationPorts.map(formatPortRangeExpanded),
    expandedSourceAddressPrefix: expanded(rule.source, resolved.source),
    expandedDestinationAddressPrefix: expanded(rule.destination, resolved.destination),
  };
}

/** The side as written: a tag, prefixes, ASG names; `*` shown as Azure shows it. */
function describeMatch(match: AddressMatch): string {
  switch (match.kind) {
    case "any":
      return "0.0.0.0/0";
    case "tag":
      return match.tag;
    case "prefixes":
      return match.prefixes.map(formatPrefix).join(",");
    case "asgs":
      return match.names.map((n) => `asg:${n}`).join(",");
  }
}
