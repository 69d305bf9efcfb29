/**
 * Private endpoints and Azure Bastion hosts as the user writes them, with
 * ARM's property names where ARM has one.
 */
import type { ResourceRef } from "./types.js";

export const PRIVATE_ENDPOINT_NETWORK_POLICIES = [
  "Enabled",
  "Disabled",
  "NetworkSecurityGroupEnabled",
  "RouteTableEnabled",
] as const;
/**
 * A subnet's `privateEndpointNetworkPolicies`: whether its NSG (Enabled,
 * NetworkSecurityGroupEnabled) and its route table's routes (Enabled,
 * RouteTableEnabled) apply to traffic to the private endpoints in it.
 * Disabled when left out (Azure's default).
 */
export type PrivateEndpointNetworkPolicies = (typeof PRIVATE_ENDPOINT_NETWORK_POLICIES)[number];

/** Whether a subnet's NSG judges the traffic to its private endpoints. */
export function nsgAppliesToPrivateEndpoints(
  policies: PrivateEndpointNetworkPolicies | undefined,
): boolean {
  return policies === "Enabled" || policies === "NetworkSecurityGroupEnabled";
}

/** Whether user routes apply to traffic to a subnet's private endpoints. */
export function routesApplyToPrivateEndpoints(
  policies: PrivateEndpointNetworkPolicies | undefined,
): boolean {
  return policies === "Enabled" || policies === "RouteTableEnabled";
}

/** What a private endpoint connects to: a resource (a storage account, a database…) and its sub-resources. */
export interface PrivateLinkServiceConnection {
  readonly name?: string;
  /** The target resource's id (or a private link service's). */
  readonly privateLinkServiceId: string;
  /** The target's sub-resources: `blob`, `sqlServer`, `vault`… */
  readonly groupIds?: readonly string[];
}

/**
 * A private endpoint: a network interface Azure manages in a subnet, whose
 * private address reaches a resource through Private Link. It takes no NSG of
 * its own; its subnet's NSG applies to it only as the subnet's
 * `privateEndpointNetworkPolicies` says.
 */
export interface PrivateEndpoint {
  readonly name: string;
  readonly location?: string;
  readonly subnet: ResourceRef;
  /** Its private address; left out, some free host of the subnet (Dynamic, Azure's default). */
  readonly privateIPAddress?: string;
  readonly privateLinkServiceConnections?: readonly PrivateLinkServiceConnection[];
  /** Connections that wait for the target's owner to approve them. */
  readonly manualPrivateLinkServiceConnections?: readonly PrivateLinkServiceConnection[];
}

export const BASTION_SKUS = ["Basic", "Standard", "Premium"] as const;
/** Every SKU reaches its own network and peered ones; Standard and Premium add features (native client, IP connect) that do not change which ports it uses. */
export type BastionSku = (typeof BASTION_SKUS)[number];

/** The subnet name Azure requires for a Bastion host. */
export const BASTION_SUBNET = "AzureBastionSubnet";

export interface BastionIpConfiguration {
  readonly name?: string;
  /** Must be the network's AzureBastionSubnet. */
  readonly subnet: ResourceRef;
  /** A Standard public IP: users reach Bastion on it, on 443. */
  readonly publicIPAddress?: ResourceRef;
}

/**
 * An Azure Bastion host: users reach it on its public IP on 443, and it reaches
 * the virtual machines on 22 and 3389 from private addresses of its subnet.
 */
export interface BastionHost {
  readonly name: string;
  readonly location?: string;
  /** Basic when left out. */
  readonly sku?: BastionSku;
  readonly ipConfigurations: readonly BastionIpConfiguration[];
}
