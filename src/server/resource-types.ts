/** The ARM resource types the server keeps, named once for every module that refers to another's. */
export const NSG_TYPE = "Microsoft.Network/networkSecurityGroups";
export const RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules";
export const VNET_TYPE = "Microsoft.Network/virtualNetworks";
export const SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets";
export const NIC_TYPE = "Microsoft.Network/networkInterfaces";
export const ASG_TYPE = "Microsoft.Network/applicationSecurityGroups";
export const VM_TYPE = "Microsoft.Compute/virtualMachines";
export const WATCHER_TYPE = "Microsoft.Network/networkWatchers";
export const PUBLIC_IP_TYPE = "Microsoft.Network/publicIPAddresses";
/** An environment of a workspace (workspace-body.ts): not an ARM type; named so answers can say where one is. */
export const ENVIRONMENT_TYPE = "Tierwall/workspaces/environments";
