/**
 * What importers read but tierwall does not model, and what each may change:
 * one entry per kind of resource, with its names in every format, so that a
 * kind leaves the table in one deletion once the model holds it. Resources of
 * other kinds that decide no packet (virtual machines, disks, storage
 * accounts...) are counted as read and not relevant;
 * a kind in neither list is named as not known to tierwall.
 */

export interface UnmodelledKind {
  /** What it is, in messages: "load balancer". */
  readonly what: string;
  /** What it may change that the spec does not show. */
  readonly consequence: string;
  /** ARM types (compared without case). */
  readonly arm: readonly string[];
  /** azurerm resource types. */
  readonly terraform: readonly string[];
  /** The az command groups that make or change it (`network lb`). */
  readonly azcli: readonly string[];
  /** The nouns of the Az cmdlets that make or change it (`AzLoadBalancer`). */
  readonly powershell: readonly string[];
}

export const NOT_MODELLED: readonly UnmodelledKind[] = [
  {
    what: "application gateway",
    consequence:
      "it reaches its backends from its own subnet and exposes their listeners, and its subnet needs GatewayManager's ports 65200-65535 open",
    // ARM (templates and az output) reads them into the spec's applicationGateways.
    arm: [],
    // Terraform reads azurerm_application_gateway; interfaces' pool associations stay named.
    terraform: ["azurerm_network_interface_application_gateway_backend_address_pool_association"],
    azcli: ["network application-gateway"],
    powershell: ["AzApplicationGateway"],
  },
  {
    what: "route table",
    consequence:
      "its routes may send traffic through an appliance, to nowhere, or out to the Internet instead of the paths the spec assumes",
    // ARM (templates and az output) reads them into the spec's routeTables.
    arm: [],
    // Terraform reads them too (azurerm_route_table, azurerm_route, azurerm_subnet_route_table_association).
    terraform: [],
    // az scripts' route-table create and route create are read too.
    azcli: [],
    powershell: ["AzRouteTable", "AzRouteConfig"],
  },
  {
    what: "Azure Firewall",
    consequence: "its rules filter, and its DNAT rules expose, the traffic routed through it",
    arm: [
      "Microsoft.Network/azureFirewalls",
      "Microsoft.Network/firewallPolicies",
      "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    ],
    terraform: [
      "azurerm_firewall",
      "azurerm_firewall_policy",
      "azurerm_firewall_policy_rule_collection_group",
      "azurerm_firewall_network_rule_collection",
      "azurerm_firewall_nat_rule_collection",
      "azurerm_firewall_application_rule_collection",
    ],
    azcli: ["network firewall"],
    powershell: ["AzFirewall", "AzFirewallPolicy"],
  },
  {
    what: "Bastion host",
    consequence:
      "it opens SSH and RDP to the virtual network's machines from its own subnet, which needs its own NSG rules",
    // ARM (templates and az output) reads them into the spec's bastionHosts.
    arm: [],
    // Terraform reads azurerm_bastion_host.
    terraform: [],
    // az scripts' bastion create is read too.
    azcli: [],
    powershell: ["AzBastion"],
  },
  {
    what: "NAT gateway",
    consequence: "the subnets it serves leave to the Internet through its public addresses",
    // ARM (templates and az output) and Terraform read them into the spec's natGateways.
    arm: [],
    terraform: [],
    // az scripts' nat gateway create and vnet subnet --nat-gateway are read too.
    azcli: [],
    powershell: ["AzNatGateway"],
  },
  {
    what: "virtual network gateway",
    consequence: "it joins other networks (on-premises, other regions) to the virtual network",
    arm: [
      "Microsoft.Network/virtualNetworkGateways",
      "Microsoft.Network/localNetworkGateways",
      "Microsoft.Network/connections",
    ],
    terraform: [
      "azurerm_virtual_network_gateway",
      "azurerm_virtual_network_gateway_connection",
      "azurerm_local_network_gateway",
    ],
    azcli: ["network vnet-gateway", "network local-gateway", "network vpn-connection"],
    powershell: [
      "AzVirtualNetworkGateway",
      "AzLocalNetworkGateway",
      "AzVirtualNetworkGatewayConnection",
    ],
  },
  {
    what: "private endpoint",
    consequence:
      "it puts a service's address in a subnet, where NSGs apply to it only when network policies are enabled",
    // ARM (templates and az output) reads them into the spec's privateEndpoints, and subnets' privateEndpointNetworkPolicies.
    arm: [],
    // Terraform reads azurerm_private_endpoint, and subnets' private_endpoint_network_policies.
    terraform: [],
    // az scripts' private-endpoint create is read too.
    azcli: [],
    powershell: ["AzPrivateEndpoint"],
  },
  {
    what: "virtual machine scale set",
    consequence:
      "its instances' network interfaces, with their NSG and public addresses, are made when it scales",
    // ARM (templates and az vmss list output) reads their network profiles into virtualMachineScaleSets.
    arm: [],
    // Terraform reads them too (the linux, windows, orchestrated and 1.x scale sets' network interfaces).
    terraform: [],
    azcli: ["vmss"],
    powershell: ["AzVmss", "AzVmssConfig", "AzVmssNetworkInterfaceConfiguration", "AzVmssIpConfig"],
  },
  {
    // Public IP addresses themselves are modelled by every importer; their prefixes are not.
    what: "public IP prefix",
    consequence:
      "the public IP addresses made from it make what they are given reachable from the Internet",
    arm: ["Microsoft.Network/publicIPPrefixes"],
    terraform: ["azurerm_public_ip_prefix"],
    azcli: ["network public-ip prefix"],
    powershell: ["AzPublicIpPrefix"],
  },
  {
    what: "App Service Environment",
    consequence:
      "its inbound and outbound addresses, and the management traffic it needs, are the spec's environments to describe",
    // ARM (templates and az output) reads them as environments.
    arm: [],
    terraform: ["azurerm_app_service_environment", "azurerm_app_service_environment_v3"],
    azcli: ["appservice ase"],
    powershell: ["AzAppServiceEnvironment"],
  },
];

/** IP forwarding on an interface: a property, not a resource, named as one. */
export const ipForwardingMessage = (nic: string | undefined): string =>
  `IP forwarding on ${nic === undefined ? "the network interface" : `network interface ${JSON.stringify(nic)}`} is not modelled; it lets the interface forward packets for other addresses, as an appliance does, on paths the spec does not show`;

/** Kinds of resource that decide no packet, by format: counted as read and not relevant. */
const NOT_RELEVANT = {
  arm: /^Microsoft\.(Compute|Storage|Insights|Authorization|KeyVault|OperationalInsights|ManagedIdentity|Databricks|Sql|DocumentDB|ContainerRegistry|Resources|OperationsManagement|RecoveryServices|DevTestLab|Automation)\/|^Microsoft\.Web\/hostingEnvironments\/(workerPools|multiRolePools)$/i,
  terraform:
    /^(random|tls|null|time|local|azurerm_(resource_group|.*virtual_machine(_extension|_data_disk_attachment)?|availability_set|managed_disk|storage_.*|key_vault.*|mssql_.*|sql_.*|log_analytics_.*|monitor_.*|role_.*|user_assigned_identity|ssh_public_key))($|_)/,
  azcli:
    /^(vm|group|storage|keyvault|sql|monitor|role|identity|login|logout|account|configure|extension|version)( |$)/,
  powershell:
    /^(Get-Credential|(New|Set|Add|Get|Remove)-Az(VM|VMConfig|VMOperatingSystem|VMSourceImage|VMNetworkInterface|VMOSDisk|VMDataDisk|VMBootDiagnostic|Disk|DiskConfig|StorageAccount|ResourceGroup|KeyVault))$/i,
} as const;

export type Format = keyof typeof NOT_RELEVANT;

/** How a kind of resource stands to tierwall: modelled is for each reader to say. */
export type Standing =
  | { readonly standing: "notModelled"; readonly kind: UnmodelledKind }
  | { readonly standing: "notRelevant" }
  | { readonly standing: "unknown" };

const lower = (s: string) => s.toLowerCase();

/** How a resource type (an az command, a cmdlet) that the reader does not model stands. */
export function standing(format: Format, type: string): Standing {
  const kind = NOT_MODELLED.find((k) => {
    switch (format) {
      case "arm":
        return k.arm.some((t) => lower(t) === lower(type));
      case "terraform":
        return k.terraform.includes(type);
      case "azcli":
        return k.azcli.some((g) => type === g || type.startsWith(`${g} `));
      case "powershell":
        return k.powershell.some((noun) => lower(type.replace(/^[A-Za-z]+-/, "")) === lower(noun));
    }
    return false;
  });
  if (kind) return { standing: "notModelled", kind };
  return NOT_RELEVANT[format].test(type) ? { standing: "notRelevant" } : { standing: "unknown" };
}

export const NOT_MODELLED_CODE = "NotModelled";

/** The message naming a resource of a kind not modelled. */
export const notModelledMessage = (
  type: string,
  name: string | undefined,
  kind: { readonly what: string; readonly consequence: string },
): string =>
  `${type}${name === undefined ? "" : ` ${JSON.stringify(name)}`}: ${kind.what} not modelled; ${kind.consequence}`;
