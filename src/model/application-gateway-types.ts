/**
 * Application gateways as the user writes them, with ARM's property names
 * (each child's `properties` lifted, as `az network application-gateway show`
 * prints them): the subnet its instances sit in, its frontends and listeners,
 * and the backend pools each request routing rule sends requests to.
 */
import type { AllocationMethod, ResourceRef } from "./types.js";

export const APPLICATION_GATEWAY_TIERS = [
  "Standard",
  "WAF",
  "Standard_v2",
  "WAF_v2",
  "Basic",
] as const;
/** Standard and WAF are v1; Standard_v2, WAF_v2 and Basic are v2. */
export type ApplicationGatewayTier = (typeof APPLICATION_GATEWAY_TIERS)[number];

/** The generation of a tier: what its subnet's NSG must let in differs (65503-65534 for v1, 65200-65535 for v2). */
export function gatewayVersion(tier: ApplicationGatewayTier): 1 | 2 {
  return tier === "Standard" || tier === "WAF" ? 1 : 2;
}

export const APPLICATION_GATEWAY_PROTOCOLS = ["Http", "Https"] as const;
export type ApplicationGatewayProtocol = (typeof APPLICATION_GATEWAY_PROTOCOLS)[number];

export interface ApplicationGatewaySku {
  /** Standard_Small, WAF_Medium, Standard_v2…; the tier decides. */
  readonly name?: string;
  readonly tier: ApplicationGatewayTier;
  readonly capacity?: number;
}

/** The subnet the gateway's instances take their private addresses in (one, dedicated to gateways). */
export interface ApplicationGatewayIPConfiguration {
  readonly name: string;
  readonly subnet: ResourceRef;
}

/** A frontend: a public IP resource, or a private address in the gateway's subnet. */
export interface ApplicationGatewayFrontendIPConfiguration {
  readonly name: string;
  readonly publicIPAddress?: ResourceRef;
  readonly privateIPAddress?: string;
  readonly privateIPAllocationMethod?: AllocationMethod;
  readonly subnet?: ResourceRef;
}

export interface ApplicationGatewayFrontendPort {
  readonly name: string;
  readonly port: number;
}

/** A listener: a frontend and port, on HTTP or HTTPS. */
export interface ApplicationGatewayHttpListener {
  readonly name: string;
  readonly frontendIPConfiguration: ResourceRef;
  readonly frontendPort: ResourceRef;
  readonly protocol: ApplicationGatewayProtocol;
  readonly hostName?: string;
  readonly hostNames?: readonly string[];
}

/** A backend by address or by name (a name is resolved by DNS when running, not by tierwall). */
export interface ApplicationGatewayBackendAddress {
  readonly ipAddress?: string;
  readonly fqdn?: string;
}

/**
 * A backend pool: addresses or names, and the network interfaces whose IP
 * configurations join it (`applicationGatewayBackendAddressPools`);
 * `backendIPConfigurations` is that membership seen from the pool.
 */
export interface ApplicationGatewayBackendAddressPool {
  readonly name: string;
  readonly backendAddresses?: readonly ApplicationGatewayBackendAddress[];
  readonly backendIPConfigurations?: readonly ResourceRef[];
}

/** How the gateway calls its backends: the port and protocol of its own connection to them. */
export interface ApplicationGatewayBackendHttpSettings {
  readonly name: string;
  readonly port: number;
  readonly protocol: ApplicationGatewayProtocol;
  readonly cookieBasedAffinity?: string;
  readonly requestTimeout?: number;
}

/** A request routing rule: a listener's requests go to a pool with settings, or are redirected. */
export interface ApplicationGatewayRequestRoutingRule {
  readonly name: string;
  readonly ruleType?: string;
  readonly priority?: number;
  readonly httpListener: ResourceRef;
  readonly backendAddressPool?: ResourceRef;
  readonly backendHttpSettings?: ResourceRef;
  /** A redirection answers the client itself: no backend is called. */
  readonly redirectConfiguration?: ResourceRef;
}

export interface ApplicationGateway {
  readonly name: string;
  readonly location?: string;
  readonly sku: ApplicationGatewaySku;
  readonly gatewayIPConfigurations: readonly ApplicationGatewayIPConfiguration[];
  readonly frontendIPConfigurations: readonly ApplicationGatewayFrontendIPConfiguration[];
  readonly frontendPorts: readonly ApplicationGatewayFrontendPort[];
  readonly httpListeners?: readonly ApplicationGatewayHttpListener[];
  readonly backendAddressPools?: readonly ApplicationGatewayBackendAddressPool[];
  readonly backendHttpSettingsCollection?: readonly ApplicationGatewayBackendHttpSettings[];
  readonly requestRoutingRules?: readonly ApplicationGatewayRequestRoutingRule[];
}
