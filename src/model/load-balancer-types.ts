/**
 * Load balancers as the user writes them, with ARM's property names (each
 * child's `properties` lifted, as `az network lb show` prints them): what
 * their frontends expose, and to which backends and ports they translate it.
 */
import type { AllocationMethod, IpVersion, ResourceRef } from "./types.js";

export const LOAD_BALANCER_SKUS = ["Basic", "Standard"] as const;
/** Standard is closed to inbound traffic unless an NSG allows it; Basic is open (as public IPs). */
export type LoadBalancerSku = (typeof LOAD_BALANCER_SKUS)[number];

export const LOAD_BALANCER_PROTOCOLS = ["Tcp", "Udp", "All"] as const;
/** What a load-balancing or NAT rule forwards; All is TCP and UDP. */
export type LoadBalancerProtocol = (typeof LOAD_BALANCER_PROTOCOLS)[number];

export const PROBE_PROTOCOLS = ["Tcp", "Http", "Https"] as const;
export type ProbeProtocol = (typeof PROBE_PROTOCOLS)[number];

/**
 * A frontend: a public IP resource (a public load balancer), or a private
 * address in a subnet (an internal one).
 */
export interface FrontendIPConfiguration {
  readonly name: string;
  readonly publicIPAddress?: ResourceRef;
  readonly privateIPAddress?: string;
  readonly privateIPAllocationMethod?: AllocationMethod;
  readonly privateIPAddressVersion?: IpVersion;
  readonly subnet?: ResourceRef;
}

/** A backend given by address (Standard only), in a virtual network. */
export interface LoadBalancerBackendAddress {
  readonly name?: string;
  readonly ipAddress: string;
  readonly virtualNetwork?: ResourceRef;
  readonly subnet?: ResourceRef;
}

/**
 * A backend pool. Network interfaces join it from their IP configurations
 * (`loadBalancerBackendAddressPools`); `backendIPConfigurations` is the same
 * membership seen from the pool, as Azure prints it. Or it lists addresses.
 */
export interface BackendAddressPool {
  readonly name: string;
  readonly loadBalancerBackendAddresses?: readonly LoadBalancerBackendAddress[];
  /** IP configurations by id (…/networkInterfaces/NIC/ipConfigurations/NAME), `NIC/NAME` or `NIC` (its first). */
  readonly backendIPConfigurations?: readonly ResourceRef[];
}

export interface LoadBalancingRule {
  readonly name: string;
  readonly frontendIPConfiguration: ResourceRef;
  readonly backendAddressPool?: ResourceRef;
  readonly backendAddressPools?: readonly ResourceRef[];
  readonly probe?: ResourceRef;
  readonly protocol: LoadBalancerProtocol;
  /** 0 with protocol All: every port (HA ports). */
  readonly frontendPort: number;
  /** 0: the port the packet came on. */
  readonly backendPort?: number;
  readonly enableFloatingIP?: boolean;
  readonly disableOutboundSnat?: boolean;
  readonly idleTimeoutInMinutes?: number;
  readonly loadDistribution?: string;
  readonly enableTcpReset?: boolean;
}

/**
 * An inbound NAT rule: v1 maps `frontendPort` to one IP configuration's
 * `backendPort` (the configuration names the rule in `loadBalancerInboundNatRules`,
 * or the rule names it in `backendIPConfiguration`); v2 maps the ports from
 * `frontendPortRangeStart` to `frontendPortRangeEnd`, one per backend of
 * `backendAddressPool`, each to `backendPort`.
 */
export interface InboundNatRule {
  readonly name: string;
  readonly frontendIPConfiguration: ResourceRef;
  readonly protocol: LoadBalancerProtocol;
  readonly frontendPort?: number;
  readonly frontendPortRangeStart?: number;
  readonly frontendPortRangeEnd?: number;
  readonly backendAddressPool?: ResourceRef;
  readonly backendIPConfiguration?: ResourceRef;
  readonly backendPort: number;
  readonly enableFloatingIP?: boolean;
  readonly idleTimeoutInMinutes?: number;
  readonly enableTcpReset?: boolean;
}

/**
 * An inbound NAT pool (scale sets): each instance whose IP configuration names
 * it (`loadBalancerInboundNatPools`) gets one port from `frontendPortRangeStart`
 * to `frontendPortRangeEnd`, forwarded to its `backendPort`.
 */
export interface InboundNatPool {
  readonly name: string;
  readonly frontendIPConfiguration: ResourceRef;
  readonly protocol: LoadBalancerProtocol;
  readonly frontendPortRangeStart: number;
  readonly frontendPortRangeEnd: number;
  readonly backendPort: number;
  readonly enableFloatingIP?: boolean;
  readonly idleTimeoutInMinutes?: number;
  readonly enableTcpReset?: boolean;
}

/** A health probe: it comes from 168.63.129.16 (AzureLoadBalancer) to each backend. */
export interface Probe {
  readonly name: string;
  readonly protocol: ProbeProtocol;
  readonly port: number;
  readonly requestPath?: string;
  readonly intervalInSeconds?: number;
  readonly numberOfProbes?: number;
  readonly probeThreshold?: number;
}

/**
 * An outbound rule (Standard only): the hosts of `backendAddressPool` leave
 * for the Internet from the public addresses of `frontendIPConfigurations`,
 * unless a route, a NAT gateway or their own public IP comes first.
 */
export interface OutboundRule {
  readonly name: string;
  readonly frontendIPConfigurations: readonly ResourceRef[];
  readonly backendAddressPool: ResourceRef;
  readonly protocol: LoadBalancerProtocol;
  readonly allocatedOutboundPorts?: number;
  readonly idleTimeoutInMinutes?: number;
  readonly enableTcpReset?: boolean;
}

export interface LoadBalancer {
  readonly name: string;
  readonly location?: string;
  readonly sku: LoadBalancerSku;
  readonly frontendIPConfigurations: readonly FrontendIPConfiguration[];
  readonly backendAddressPools?: readonly BackendAddressPool[];
  readonly loadBalancingRules?: readonly LoadBalancingRule[];
  readonly inboundNatRules?: readonly InboundNatRule[];
  readonly inboundNatPools?: readonly InboundNatPool[];
  readonly probes?: readonly Probe[];
  readonly outboundRules?: readonly OutboundRule[];
}
