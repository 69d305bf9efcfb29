/**
 * The azurerm provider's names for what tierwall reads and writes: resource
 * types, the ARM types their ids name, and the attributes of a security rule.
 */
import type { SecurityRule } from "../../model/types.js";

export const AZURERM = {
  asg: "azurerm_application_security_group",
  nsg: "azurerm_network_security_group",
  rule: "azurerm_network_security_rule",
  vnet: "azurerm_virtual_network",
  subnet: "azurerm_subnet",
  peering: "azurerm_virtual_network_peering",
  nic: "azurerm_network_interface",
  pip: "azurerm_public_ip",
  subnetNsg: "azurerm_subnet_network_security_group_association",
  nicNsg: "azurerm_network_interface_security_group_association",
  nicAsg: "azurerm_network_interface_application_security_group_association",
} as const;

/**
 * The resource types whose `id` other resources refer to, with the ARM type
 * (in lower case, as `armId` gives it) that such an id names.
 */
export const ARM_TYPES: Readonly<Record<string, string>> = {
  [AZURERM.nsg]: "networksecuritygroups",
  [AZURERM.asg]: "applicationsecuritygroups",
  [AZURERM.vnet]: "virtualnetworks",
  [AZURERM.subnet]: "virtualnetworks/subnets",
  [AZURERM.nic]: "networkinterfaces",
  azurerm_route_table: "routetables",
  [AZURERM.pip]: "publicipaddresses",
  azurerm_lb: "loadbalancers",
  azurerm_lb_backend_address_pool: "loadbalancers/backendaddresspools",
  azurerm_lb_nat_rule: "loadbalancers/inboundnatrules",
  azurerm_lb_nat_pool: "loadbalancers/inboundnatpools",
  azurerm_lb_probe: "loadbalancers/probes",
  azurerm_nat_gateway: "natgateways",
  azurerm_public_ip_prefix: "publicipprefixes",
};

/** Terraform's rule attributes and the model's fields, in ARM's order. */
export const RULE_ATTRIBUTES = [
  ["description", "description"],
  ["protocol", "protocol"],
  ["access", "access"],
  ["priority", "priority"],
  ["direction", "direction"],
  ["source_address_prefix", "sourceAddressPrefix"],
  ["source_address_prefixes", "sourceAddressPrefixes"],
  ["source_application_security_group_ids", "sourceApplicationSecurityGroups"],
  ["source_port_range", "sourcePortRange"],
  ["source_port_ranges", "sourcePortRanges"],
  ["destination_address_prefix", "destinationAddressPrefix"],
  ["destination_address_prefixes", "destinationAddressPrefixes"],
  ["destination_application_security_group_ids", "destinationApplicationSecurityGroups"],
  ["destination_port_range", "destinationPortRange"],
  ["destination_port_ranges", "destinationPortRanges"],
] as const satisfies readonly (readonly [string, keyof SecurityRule])[];
