/**
 * The resources of a deployment as the user writes them, with ARM's property
 * names and Azure's string forms (prefixes, port ranges, names). Validation
 * (`validate.ts`) checks them; `network.ts` turns them into resolved values.
 */

import type { ApplicationGateway } from "./application-gateway-types.js";
import type { LoadBalancer } from "./load-balancer-types.js";
import type {
  BastionHost,
  PrivateEndpoint,
  PrivateEndpointNetworkPolicies,
} from "./private-endpoint-types.js";
import type { VirtualMachineScaleSet } from "./scale-set-types.js";

export * from "./application-gateway-types.js";
export * from "./load-balancer-types.js";
export * from "./private-endpoint-types.js";
export * from "./scale-set-types.js";

/** A reference to another resource: its name, or `{ id }` with an ARM resource id. */
export type ResourceRef = string | { readonly id: string };

export interface SecurityRule {
  readonly name: string;
  readonly description?: string;
  readonly protocol: string;
  readonly access: string;
  readonly priority: number;
  readonly direction: string;
  readonly sourceAddressPrefix?: string;
  readonly sourceAddressPrefixes?: readonly string[];
  readonly sourceApplicationSecurityGroups?: readonly ResourceRef[];
  readonly sourcePortRange?: string;
  readonly sourcePortRanges?: readonly string[];
  readonly destinationAddressPrefix?: string;
  readonly destinationAddressPrefixes?: readonly string[];
  readonly destinationApplicationSecurityGroups?: readonly ResourceRef[];
  readonly destinationPortRange?: string;
  readonly destinationPortRanges?: readonly string[];
}

/** A rule's properties in the order ARM documents them (after `name`). */
export const SECURITY_RULE_PROPERTIES = [
  "description",
  "protocol",
  "access",
  "priority",
  "direction",
  "sourceAddressPrefix",
  "sourceAddressPrefixes",
  "sourceApplicationSecurityGroups",
  "sourcePortRange",
  "sourcePortRanges",
  "destinationAddressPrefix",
  "destinationAddressPrefixes",
  "destinationApplicationSecurityGroups",
  "destinationPortRange",
  "destinationPortRanges",
] as const satisfies readonly (keyof SecurityRule)[];

export interface NetworkSecurityGroup {
  readonly name: string;
  readonly location?: string;
  readonly flushConnection?: boolean;
  readonly securityRules: readonly SecurityRule[];
}

export interface ApplicationSecurityGroup {
  readonly name: string;
  readonly location?: string;
}

export interface Subnet {
  readonly name: string;
  readonly addressPrefix?: string;
  readonly addressPrefixes?: readonly string[];
  readonly networkSecurityGroup?: ResourceRef;
  /** The route table whose routes traffic leaving the subnet follows, besides Azure's system routes. */
  readonly routeTable?: ResourceRef;
  /** Whether its NSG and routes apply to its private endpoints' traffic; Disabled when left out. */
  readonly privateEndpointNetworkPolicies?: PrivateEndpointNetworkPolicies;
  /** The NAT gateway its traffic to the Internet leaves through (outbound only). */
  readonly natGateway?: ResourceRef;
  /**
   * False: no implicit outbound address; without a NAT gateway, public IP or
   * load balancer outbound rule its hosts cannot reach the Internet. Left out
   * it is true, as in a network made before API 2025-07-01 (newer ones default
   * to false, and then say so).
   */
  readonly defaultOutboundAccess?: boolean;
}

export const NEXT_HOP_TYPES = [
  "VirtualNetworkGateway",
  "VnetLocal",
  "Internet",
  "VirtualAppliance",
  "None",
] as const;
/** Where a route sends the packets it matches (ARM's `nextHopType`). */
export type NextHopType = (typeof NEXT_HOP_TYPES)[number];

/** A user-defined route: packets to `addressPrefix` (a CIDR block or a service tag) go to its next hop. */
export interface Route {
  readonly name: string;
  readonly addressPrefix: string;
  readonly nextHopType: NextHopType;
  /** The appliance's private address; given for VirtualAppliance only. */
  readonly nextHopIpAddress?: string;
}

export interface RouteTable {
  readonly name: string;
  readonly location?: string;
  readonly routes: readonly Route[];
  /** True keeps the routes a virtual network gateway learns (on-premises spaces) out of its subnets. */
  readonly disableBgpRoutePropagation?: boolean;
}

export interface VirtualNetworkPeering {
  readonly name?: string;
  readonly remoteVirtualNetwork: ResourceRef;
  /**
   * Whether the remote network is part of this network's VirtualNetwork tag
   * (true when left out). False does not stop traffic: rules that allow the
   * remote addresses by address still let it through (network.ts).
   */
  readonly allowVirtualNetworkAccess?: boolean;
  /** Whether traffic an appliance forwards (not from the remote network's own addresses) may cross (default false). */
  readonly allowForwardedTraffic?: boolean;
  /** Whether the remote network may use this network's gateway (default false). */
  readonly allowGatewayTransit?: boolean;
  /** Whether this network uses the remote network's gateway, which must allow gateway transit (default false). */
  readonly useRemoteGateways?: boolean;
}

export interface VirtualNetwork {
  readonly name: string;
  readonly location?: string;
  readonly addressSpace: { readonly addressPrefixes: readonly string[] };
  /** Address spaces reached through gateways (on-premises); part of the VirtualNetwork tag. */
  readonly connectedAddressPrefixes?: readonly string[];
  readonly subnets: readonly Subnet[];
  readonly virtualNetworkPeerings?: readonly VirtualNetworkPeering[];
}

export const PUBLIC_IP_SKUS = ["Basic", "Standard"] as const;
/** Standard is closed to inbound traffic unless an NSG allows it; Basic is open. */
export type PublicIPSku = (typeof PUBLIC_IP_SKUS)[number];

export const ALLOCATION_METHODS = ["Static", "Dynamic"] as const;
export type AllocationMethod = (typeof ALLOCATION_METHODS)[number];

export const IP_VERSIONS = ["IPv4", "IPv6"] as const;
export type IpVersion = (typeof IP_VERSIONS)[number];

/**
 * A public IP address resource. Its address may be unknown (assigned when
 * deploying): it is then a public endpoint known by its name only.
 */
export interface PublicIPAddress {
  readonly name: string;
  readonly location?: string;
  readonly sku: PublicIPSku;
  /** The address, when known (a static address Azure has assigned, as its output shows). */
  readonly ipAddress?: string;
  readonly publicIPAllocationMethod?: AllocationMethod;
  /** The family of an address not given; IPv4 when left out. */
  readonly publicIPAddressVersion?: IpVersion;
}

/**
 * A NAT gateway: the subnets that name it leave for the Internet from its
 * public addresses; it takes no inbound connection and carries no ICMP.
 */
export interface NatGateway {
  readonly name: string;
  readonly location?: string;
  /** Standard (the only SKU Azure offers). */
  readonly sku?: "Standard";
  /** Public IP resources (Standard) it translates to, by name or `{ id }`. */
  readonly publicIpAddresses?: readonly ResourceRef[];
  /** Public IP prefixes it translates to, by name or `{ id }` (not modelled further: shown by name). */
  readonly publicIpPrefixes?: readonly ResourceRef[];
  readonly idleTimeoutInMinutes?: number;
}

export interface IpConfiguration {
  readonly name?: string;
  /** The private address; left out with `privateIPAllocationMethod: Dynamic`, some free host of the subnet. */
  readonly privateIPAddress?: string;
  readonly privateIPAllocationMethod?: AllocationMethod;
  /** The family of a Dynamic address not given; IPv4 when left out. */
  readonly privateIPAddressVersion?: IpVersion;
  /**
   * The public address associated with this configuration, if any: an address,
   * or a public IP resource by name or `{ id }`. Text that is an IP address is
   * an address.
   */
  readonly publicIPAddress?: ResourceRef;
  readonly subnet: ResourceRef;
  readonly applicationSecurityGroups?: readonly ResourceRef[];
  /** Backend pools it joins: `{ id }`, or `LB/POOL`. */
  readonly loadBalancerBackendAddressPools?: readonly ResourceRef[];
  /** Inbound NAT rules (v1) that forward to it: `{ id }`, or `LB/RULE`. */
  readonly loadBalancerInboundNatRules?: readonly ResourceRef[];
  /** Application gateway backend pools it joins: `{ id }`, or `GATEWAY/POOL`. */
  readonly applicationGatewayBackendAddressPools?: readonly ResourceRef[];
}

export interface NetworkInterface {
  readonly name: string;
  readonly networkSecurityGroup?: ResourceRef;
  readonly ipConfigurations: readonly IpConfiguration[];
}

/** The kinds of workload tierwall knows the platform needs of. */
export const ENVIRONMENT_KINDS = [
  "AppServiceEnvironmentV1",
  "AppServiceEnvironmentV2",
  "AppServiceEnvironmentV3",
  "VirtualMachine",
  "Workload",
] as const;
export type EnvironmentKind = (typeof ENVIRONMENT_KINDS)[number];

/**
 * A named workload placed in a subnet: an App Service Environment, a VM, any app.
 * `ingress` says how callers reach it: `External` on its public address (an
 * external ASE: every caller, even one in the same network, arrives from the
 * Internet), `Internal` on its private address from connected networks.
 */
export interface Environment {
  readonly name: string;
  readonly kind: EnvironmentKind;
  readonly description?: string;
  readonly subnet?: ResourceRef;
  readonly privateIPAddress?: string;
  readonly networkInterface?: ResourceRef;
  /** The public address callers from outside reach it at (an ASE's VIP), or a public IP resource. */
  readonly publicIPAddress?: ResourceRef;
  /** The address it presents when it calls outside its network; defaults to publicIPAddress. */
  readonly outboundIPAddress?: string;
  readonly ingress?: "External" | "Internal";
  /** Dynamic, with no privateIPAddress: some free host of its subnet, assigned when deploying. */
  readonly privateIPAllocationMethod?: AllocationMethod;
  /**
   * Dynamic: the public addresses the platform assigns it (an App Service
   * Environment's VIP) and the spec does not give are not known. Its public
   * address (External ingress) and its outbound address stand on an address
   * no rule names, shown as `<name>`, as for a public IP without ipAddress.
   */
  readonly publicIPAllocationMethod?: AllocationMethod;
}

export interface Topology {
  readonly virtualNetworks: readonly VirtualNetwork[];
  readonly networkSecurityGroups: readonly NetworkSecurityGroup[];
  readonly applicationSecurityGroups: readonly ApplicationSecurityGroup[];
  readonly networkInterfaces: readonly NetworkInterface[];
  readonly environments: readonly Environment[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly publicIPAddresses?: readonly PublicIPAddress[];
  /** Left out when there are none. */
  readonly loadBalancers?: readonly LoadBalancer[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly routeTables?: readonly RouteTable[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly natGateways?: readonly NatGateway[];
  /** Left out when there are none. */
  readonly applicationGateways?: readonly ApplicationGateway[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly privateEndpoints?: readonly PrivateEndpoint[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly bastionHosts?: readonly BastionHost[];
  /** Left out when there are none, as by importers that do not read them. */
  readonly virtualMachineScaleSets?: readonly VirtualMachineScaleSet[];
}

/** The resources of several topologies together, in order (as importers read several files). */
export function mergeTopologies(parts: readonly Topology[]): Topology {
  const publicIPAddresses = parts.flatMap((p) => p.publicIPAddresses ?? []);
  const routeTables = parts.flatMap((p) => p.routeTables ?? []);
  const loadBalancers = parts.flatMap((p) => p.loadBalancers ?? []);
  const natGateways = parts.flatMap((p) => p.natGateways ?? []);
  const applicationGateways = parts.flatMap((p) => p.applicationGateways ?? []);
  const privateEndpoints = parts.flatMap((p) => p.privateEndpoints ?? []);
  const bastionHosts = parts.flatMap((p) => p.bastionHosts ?? []);
  const virtualMachineScaleSets = parts.flatMap((p) => p.virtualMachineScaleSets ?? []);
  return {
    virtualNetworks: parts.flatMap((p) => p.virtualNetworks),
    networkSecurityGroups: parts.flatMap((p) => p.networkSecurityGroups),
    applicationSecurityGroups: parts.flatMap((p) => p.applicationSecurityGroups),
    networkInterfaces: parts.flatMap((p) => p.networkInterfaces),
    environments: parts.flatMap((p) => p.environments),
    ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
    ...(loadBalancers.length > 0 ? { loadBalancers } : {}),
    ...(routeTables.length > 0 ? { routeTables } : {}),
    ...(natGateways.length > 0 ? { natGateways } : {}),
    ...(applicationGateways.length > 0 ? { applicationGateways } : {}),
    ...(privateEndpoints.length > 0 ? { privateEndpoints } : {}),
    ...(bastionHosts.length > 0 ? { bastionHosts } : {}),
    ...(virtualMachineScaleSets.length > 0 ? { virtualMachineScaleSets } : {}),
  };
}

/** The last segment of an ARM id, or the name itself. */
export function refName(ref: ResourceRef): string {
  const text = typeof ref === "string" ? ref : ref.id;
  if (!text.startsWith("/")) return text;
  const segments = text.split("/").filter((s) => s.length > 0);
  return segments[segments.length - 1] ?? text;
}
