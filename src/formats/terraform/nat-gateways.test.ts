/**
 * NAT gateways as azurerm writes them: the gateway, its public IP and prefix
 * associations, the subnet association, and default_outbound_access_enabled;
 * the imported spec loads and flow leaves through the gateway.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { writeSpec } from "../../specfile/write.js";
import { importTerraform } from "./import.js";

const MAIN = `
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
  default_outbound_access_enabled = false
}
resource "azurerm_public_ip" "nat" {
  name                = "nat-ip"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_nat_gateway" "nat" {
  name                    = "nat1"
  location                = "westeurope"
  resource_group_name     = "rg"
  sku_name                = "Standard"
  idle_timeout_in_minutes = 10
}
resource "azurerm_nat_gateway_public_ip_association" "nat" {
  nat_gateway_id       = azurerm_nat_gateway.nat.id
  public_ip_address_id = azurerm_public_ip.nat.id
}
resource "azurerm_nat_gateway_public_ip_prefix_association" "nat" {
  nat_gateway_id      = azurerm_nat_gateway.nat.id
  public_ip_prefix_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/publicIPPrefixes/nat-prefix"
}
resource "azurerm_subnet_nat_gateway_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  nat_gateway_id = azurerm_nat_gateway.nat.id
}
resource "azurerm_network_interface" "vm" {
  name                = "vm-nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.app.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.1.4"
  }
}
`;

describe("Terraform NAT gateways", () => {
  it("reads the gateway, its public IP and prefix, the subnet's association and default_outbound_access_enabled", async () => {
    const { topology, diagnostics } = await importTerraform([tf(MAIN)]);
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([]);
    expect(diagnostics.map((d) => d.code)).not.toContain("NotModelled");
    expect(topology.natGateways).toEqual([
      {
        name: "nat1",
        location: "westeurope",
        sku: "Standard",
        publicIpAddresses: ["nat-ip"],
        publicIpPrefixes: ["nat-prefix"],
        idleTimeoutInMinutes: 10,
      },
    ]);
    expect(topology.virtualNetworks[0]?.subnets[0]).toMatchObject({
      natGateway: "nat1",
      defaultOutboundAccess: false,
    });
    const r = new FlowEvaluator(networkOf(writeSpec(topology))).evaluate({
      from: "nic:vm-nic",
      to: "192.0.2.80",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.egress).toMatchObject({ via: "NatGateway", name: "nat1" });
  });

  it("a public IP the gateway names and these files do not declare stands as a Standard placeholder", async () => {
    const text = MAIN.replace(
      "public_ip_address_id = azurerm_public_ip.nat.id",
      'public_ip_address_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/elsewhere"',
    );
    const { topology } = await importTerraform([tf(text)]);
    expect(topology.publicIPAddresses?.find((p) => p.name === "elsewhere")).toMatchObject({
      sku: "Standard",
    });
  });
});
