import type { SecurityRule } from "./types.js";

/**
 * The six rules Azure puts in every NSG (`defaultSecurityRules`), with the
 * names, priorities and descriptions the API returns.
 */
export const DEFAULT_SECURITY_RULES: readonly SecurityRule[] = [
  defaultRule(
    "AllowVnetInBound",
    65000,
    "Inbound",
    "Allow",
    "VirtualNetwork",
    "VirtualNetwork",
    "Allow inbound traffic from all VMs in VNET",
  ),
  defaultRule(
    "AllowAzureLoadBalancerInBound",
    65001,
    "Inbound",
    "Allow",
    "AzureLoadBalancer",
    "*",
    "Allow inbound traffic from azure load balancer",
  ),
  defaultRule("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*", "Deny all inbound traffic"),
  defaultRule(
    "AllowVnetOutBound",
    65000,
    "Outbound",
    "Allow",
    "VirtualNetwork",
    "VirtualNetwork",
    "Allow outbound traffic from all VMs to all VMs in VNET",
  ),
  defaultRule(
    "AllowInternetOutBound",
    65001,
    "Outbound",
    "Allow",
    "*",
    "Internet",
    "Allow outbound traffic from all VMs to Internet",
  ),
  defaultRule("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*", "Deny all outbound traffic"),
];

function defaultRule(
  name: string,
  priority: number,
  direction: string,
  access: string,
  source: string,
  destination: string,
  description: string,
): SecurityRule {
  return {
    name,
    description,
    protocol: "*",
    access,
    priority,
    direction,
    sourceAddressPrefix: source,
    sourcePortRange: "*",
    destinationAddressPrefix: destination,
    destinationPortRange: "*",
  };
}
