/**
 * Private endpoints and Bastion hosts as azurerm writes them:
 * azurerm_private_endpoint, subnets' private_endpoint_network_policies (and
 * azurerm 3's and 2's booleans), azurerm_bastion_host; the imported spec loads
 * and flows follow the policy.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { writeSpec } from "../../specfile/write.js";
import { importTerraform } from "./import.js";

const main = (policy: string) => `
resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.1.0/24"]
}
resource "azurerm_subnet" "endpoints" {
  name                 = "endpoints"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.2.0/24"]
  ${policy}
}
resource "azurerm_subnet" "bastion" {
  name                 = "AzureBastionSubnet"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.255.0/26"]
}
resource "azurerm_network_security_group" "pe" {
  name                = "pe-nsg"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "deny-all"
    priority                   = 4000
    direction                  = "Inbound"
    access                     = "Deny"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "*"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}
resource "azurerm_subnet_network_security_group_association" "pe" {
  subnet_id                 = azurerm_subnet.endpoints.id
  network_security_group_id = azurerm_network_security_group.pe.id
}
resource "azurerm_storage_account" "store" {
  name                     = "store1"
  resource_group_name      = "rg"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
resource "azurerm_private_endpoint" "blob" {
  name                = "pe-blob"
  location            = "westeurope"
  resource_group_name = "rg"
  subnet_id           = azurerm_subnet.endpoints.id
  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = azurerm_storage_account.store.id
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }
  ip_configuration {
    name               = "static"
    private_ip_address = "10.0.2.10"
    subresource_name   = "blob"
    member_name        = "blob"
  }
}
resource "azurerm_bastion_host" "bastion" {
  name                = "bastion"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  ip_configuration {
    name                 = "configuration"
    subnet_id            = azurerm_subnet.bastion.id
    public_ip_address_id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/bastion-pip"
  }
}
resource "azurerm_network_interface" "vm" {
  name                = "vm-nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.app.id
    private_ip_address_allocation = "Dynamic"
  }
}
`;

const flow = (spec: string, from: string, to: string, port: number) => {
  const r = new FlowEvaluator(networkOf(spec)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return r.result;
};

describe("Terraform private endpoints and Bastion hosts", () => {
  it("reads them, with nothing named as not modelled; a Bastion's public IP no file declares is Standard", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(main('private_endpoint_network_policies = "NetworkSecurityGroupEnabled"')),
    ]);
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([]);
    expect(topology.privateEndpoints).toEqual([
      {
        name: "pe-blob",
        location: "westeurope",
        subnet: "vnet/endpoints",
        privateIPAddress: "10.0.2.10",
        privateLinkServiceConnections: [
          {
            name: "blob",
            privateLinkServiceId: "<azurerm_storage_account.store.id>",
            groupIds: ["blob"],
          },
        ],
      },
    ]);
    expect(topology.bastionHosts).toEqual([
      {
        name: "bastion",
        location: "westeurope",
        sku: "Standard",
        ipConfigurations: [
          {
            name: "configuration",
            subnet: "vnet/AzureBastionSubnet",
            publicIPAddress: {
              id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/bastion-pip",
            },
          },
        ],
      },
    ]);
    expect(topology.publicIPAddresses).toEqual([{ name: "bastion-pip", sku: "Standard" }]);
    const spec = writeSpec(topology);
    const r = flow(spec, "nic:vm-nic", "pe:pe-blob", 443);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/deny-all");
    expect(flow(spec, "bastion:bastion", "nic:vm-nic", 22).access).toBe("Allow");
  });

  it.each([
    ["", undefined],
    ['private_endpoint_network_policies = "Disabled"', undefined],
    ['private_endpoint_network_policies = "RouteTableEnabled"', "RouteTableEnabled"],
    ["private_endpoint_network_policies_enabled = true", "Enabled"],
    ["private_endpoint_network_policies_enabled = false", undefined],
    ["enforce_private_link_endpoint_network_policies = false", "Enabled"],
    ["enforce_private_link_endpoint_network_policies = true", undefined],
  ])("reads `%s` as %s", async (policy, expected) => {
    const { topology } = await importTerraform([tf(main(policy))]);
    const subnet = topology.virtualNetworks[0]?.subnets.find((s) => s.name === "endpoints");
    expect(subnet?.privateEndpointNetworkPolicies).toBe(expected);
  });
});
