/**
 * Which address the Internet sees when a host calls out: Azure's documented
 * precedence, first match wins —
 *
 *   a route to a virtual appliance or a virtual network gateway (the packet
 *   leaves through it) >> the subnet's NAT gateway >> the IP configuration's
 *   own public IP >> a load balancer outbound rule for a pool it is in >> the
 *   public frontend of a Basic load balancer whose rule sends to a pool it is
 *   in >> default outbound access (an implicit address Microsoft owns), unless
 *   the subnet sets defaultOutboundAccess false, or the host is an instance
 *   of a Flexible scale set (which has none): then nothing reaches the
 *   Internet.
 *
 * Azure's load balancer page of 2022 says an instance public IP "takes
 * precedence over the others"; the NAT gateway pages say the NAT gateway wins:
 * tierwall follows the NAT gateway pages (the newer, and the explicit ones).
 * A NAT gateway carries no ICMP and takes no inbound connection.
 */
import type { FrontendInfo } from "../model/load-balancers.js";
import type { IpConfigurationInfo, Network, SubnetInfo } from "../model/network.js";
import { displayAddress, type IpAddress, sameAddress } from "../net/address.js";
import type { FlowProtocol } from "../net/protocol.js";
import type { SelectedRoute } from "./route-selection.js";

export const EGRESS_KINDS = [
  "VirtualAppliance",
  "VirtualNetworkGateway",
  "Environment",
  "NatGateway",
  "PublicIp",
  "LoadBalancerOutboundRule",
  "BasicLoadBalancer",
  "DefaultOutboundAccess",
  "None",
] as const;
export type EgressKind = (typeof EGRESS_KINDS)[number];

/** The way out to the Internet, and the source addresses the Internet sees. */
export interface Egress {
  readonly via: EgressKind;
  /** What it leaves through: a NAT gateway, a public IP, `LB/RULE`, `LB/FRONTEND`, an appliance's address. */
  readonly name?: string;
  /** The addresses it may present (an unknown one as `<name>`); empty when tierwall cannot say. */
  readonly publicAddresses: readonly string[];
  /** A NAT gateway's public IP prefixes, by name: their blocks are not known. */
  readonly publicIpPrefixes?: readonly string[];
  /** In words, for the trace. */
  readonly reason: string;
}

/** What the egress of one host depends on. */
export interface EgressSource {
  readonly subnet?: SubnetInfo;
  /** The IP configuration the flow leaves from, when it is a network interface's. */
  readonly config?: IpConfigurationInfo;
  /** An environment's outbound address as the spec gives it (an App Service Environment's). */
  readonly declaredOutbound?: IpAddress;
  /** An environment's name, to say whose declared address it is. */
  readonly environment?: string;
  /** The Flexible scale set it is an instance of: no default outbound access. */
  readonly flexibleScaleSet?: string;
}

/** The address of Azure's default outbound access: owned by Microsoft, not known, subject to change. */
export const DEFAULT_OUTBOUND_ADDRESS = "<default outbound access>";

/**
 * The egress of a flow to the Internet from `source`, whose subnet's route to
 * the destination is `hop`, of `protocol` (ICMP: not through a NAT gateway).
 */
export function egressOf(
  network: Network,
  source: EgressSource,
  hop?: SelectedRoute,
  protocol?: FlowProtocol,
): Egress {
  if (hop?.nextHopType === "VirtualAppliance") {
    const at = hop.nextHopIpAddress ? displayAddress(hop.nextHopIpAddress) : "?";
    return {
      via: "VirtualAppliance",
      name: at,
      publicAddresses: [],
      reason: `leaves through the appliance at ${at} (a route comes before every other way out); the address the Internet sees is the appliance's, which tierwall does not model`,
    };
  }
  if (hop?.nextHopType === "VirtualNetworkGateway")
    return {
      via: "VirtualNetworkGateway",
      ...(hop.network ? { name: hop.network } : {}),
      publicAddresses: [],
      reason:
        "leaves through the virtual network gateway (a route comes before every other way out); what lies beyond it decides the address the Internet sees, which tierwall does not model",
    };
  const fixed = fixedEgress(network, source, protocol);
  if (fixed) return fixed;
  if (source.flexibleScaleSet !== undefined)
    return {
      via: "None",
      publicAddresses: [],
      reason: `no outbound connectivity to the Internet: instances of Flexible scale set ${source.flexibleScaleSet} have no default outbound access, and have no NAT gateway, public IP or load balancer outbound rule`,
    };
  if (source.subnet?.defaultOutboundAccess === false)
    return {
      via: "None",
      publicAddresses: [],
      reason: `no outbound connectivity to the Internet: subnet ${source.subnet.id} sets defaultOutboundAccess false and has no NAT gateway, and ${source.config ? "the interface has no public IP nor a load balancer outbound rule" : "nothing else gives it a public address"}`,
    };
  return {
    via: "DefaultOutboundAccess",
    publicAddresses: [DEFAULT_OUTBOUND_ADDRESS],
    reason: `leaves by default outbound access, from an implicit address Microsoft owns and may change (no NAT gateway, public IP or load balancer outbound rule${source.subnet?.defaultOutboundAccess === undefined ? "; defaultOutboundAccess is not given, so tierwall takes it as true, as in a network made before API 2025-07-01" : ""})`,
  };
}

/**
 * The first way out that gives a known public address (a NAT gateway, a
 * public IP, a load balancer outbound rule or Basic frontend, an environment's
 * declared address), or undefined.
 */
function fixedEgress(
  network: Network,
  source: EgressSource,
  protocol: FlowProtocol | undefined,
): Egress | undefined {
  const subnet = source.subnet;
  if (source.declaredOutbound && source.environment)
    return {
      via: "Environment",
      name: source.environment,
      publicAddresses: [displayAddress(source.declaredOutbound)],
      reason: `leaves from environment ${source.environment}'s outbound address ${displayAddress(source.declaredOutbound)}, as the spec gives it`,
    };
  const nat =
    subnet?.natGateway === undefined ? undefined : network.natGateways?.get(subnet.natGateway);
  if (nat) {
    const addresses = nat.publicIps.map((p) => displayAddress(p.address));
    const all = [...addresses, ...nat.publicIpPrefixes.map((p) => `prefix ${p}`)];
    return {
      via: "NatGateway",
      name: nat.name,
      publicAddresses: addresses,
      ...(nat.publicIpPrefixes.length > 0 ? { publicIpPrefixes: nat.publicIpPrefixes } : {}),
      reason:
        protocol === "Icmp"
          ? `subnet ${subnet?.id}'s NAT gateway ${nat.name} carries no ICMP`
          : all.length === 0
            ? `leaves through NAT gateway ${nat.name}, which has no public IP or prefix, so nothing reaches the Internet`
            : `leaves through NAT gateway ${nat.name}, from ${all.join(", ")}${source.config?.publicIp || source.config?.publicAddress ? " (the NAT gateway comes before the interface's own public IP)" : ""}`,
    };
  }
  const config = source.config;
  if (config?.publicAddress) {
    const at = displayAddress(config.publicAddress);
    return {
      via: "PublicIp",
      name: config.publicIp?.name ?? at,
      publicAddresses: [at],
      reason: `leaves from its own public IP ${config.publicIp ? `${config.publicIp.name} (${at})` : at}`,
    };
  }
  if (!config) return undefined;
  for (const lb of network.loadBalancers.values())
    for (const rule of lb.outboundRules ?? []) {
      if (!rule.backends.some((b) => holds(b.config, b.address, config))) continue;
      if (protocol !== undefined && !(rule.protocols as readonly string[]).includes(protocol))
        continue;
      const addresses = rule.frontends.map((f) => displayAddress(f.address));
      return {
        via: "LoadBalancerOutboundRule",
        name: `${lb.name}/${rule.name}`,
        publicAddresses: addresses,
        reason: `leaves by outbound rule ${rule.name} of load balancer ${lb.name}, from ${addresses.join(", ") || "no frontend"}`,
      };
    }
  for (const lb of network.loadBalancers.values()) {
    if (lb.sku !== "Basic") continue;
    const forwarding = lb.forwardings.find(
      (f) =>
        f.kind === "loadBalancingRule" &&
        f.frontend.publicIp !== undefined &&
        f.backends.some((b) => holds(b.config, b.address, config)),
    );
    if (forwarding) return basicFrontend(lb.name, forwarding.frontend);
  }
  return undefined;
}

function basicFrontend(lb: string, frontend: FrontendInfo): Egress {
  const at = displayAddress(frontend.address);
  return {
    via: "BasicLoadBalancer",
    name: `${lb}/${frontend.name}`,
    publicAddresses: [at],
    reason: `leaves from the frontend ${frontend.name} (${at}) of Basic load balancer ${lb}, whose load-balancing rule sends to a pool it is in`,
  };
}

function holds(
  backendConfig: IpConfigurationInfo | undefined,
  address: IpAddress,
  config: IpConfigurationInfo,
): boolean {
  return (
    backendConfig === config ||
    (backendConfig === undefined && sameAddress(address, config.address))
  );
}

/**
 * The first address a host presents to the Internet when no route takes its
 * packets elsewhere, where Azure's precedence gives one; undefined for default
 * outbound access (an address no one knows) and no way out.
 */
export function presentedAddress(network: Network, source: EgressSource): IpAddress | undefined {
  if (source.declaredOutbound) return source.declaredOutbound;
  const subnet = source.subnet;
  const nat =
    subnet?.natGateway === undefined ? undefined : network.natGateways?.get(subnet.natGateway);
  if (nat) return nat.publicIps[0]?.address;
  const config = source.config;
  if (!config) return undefined;
  if (config.publicAddress) return config.publicAddress;
  for (const lb of network.loadBalancers.values())
    for (const rule of lb.outboundRules ?? [])
      if (rule.backends.some((b) => holds(b.config, b.address, config)))
        return rule.frontends[0]?.address;
  for (const lb of network.loadBalancers.values()) {
    if (lb.sku !== "Basic") continue;
    const forwarding = lb.forwardings.find(
      (f) =>
        f.kind === "loadBalancingRule" &&
        f.frontend.publicIp !== undefined &&
        f.backends.some((b) => holds(b.config, b.address, config)),
    );
    if (forwarding) return forwarding.frontend.address;
  }
  return undefined;
}

/**
 * Whether the packet finds no way out: defaultOutboundAccess false and nothing
 * else, ICMP through a NAT gateway, or a NAT gateway with no public address.
 */
export function isNoEgress(egress: Egress, protocol?: FlowProtocol): boolean {
  if (egress.via === "None") return true;
  if (egress.via !== "NatGateway") return false;
  return protocol === "Icmp" || (egress.publicAddresses.length === 0 && !egress.publicIpPrefixes);
}

/** The NAT gateway whose public IP `name` is, if any: such an address takes no inbound connection. */
export function natGatewayOfPublicIp(network: Network, name: string): string | undefined {
  for (const nat of network.natGateways?.values() ?? [])
    if (nat.publicIps.some((p) => p.name.toLowerCase() === name.toLowerCase())) return nat.name;
  return undefined;
}
