import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";
import { importTerraform } from "./import.js";

const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`);

const NETWORK = `resource "azurerm_virtual_network" "v" {
  name          = "vnet"
  address_space = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "s" {
  name                 = "vms"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.0.1.0/24"]
}

resource "azurerm_application_security_group" "web" {
  name = "web-asg"
}
`;

const nic = (config: string) => `${NETWORK}
resource "azurerm_network_interface" "nic" {
  name = "vm-nic"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.s.id
${config}
  }
}
`;

describe("Terraform import: public IP addresses and Dynamic interfaces", () => {
  it("reads azurerm_public_ip (sku, allocation_method, ip_version) and an interface's public_ip_address_id", async () => {
    const text = `${nic(`    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = azurerm_public_ip.std.id`)}
resource "azurerm_public_ip" "std" {
  name              = "std-pip"
  location          = "westeurope"
  sku               = "Standard"
  allocation_method = "Static"
  ip_version        = "IPv4"
}

resource "azurerm_public_ip" "dyn" {
  name              = "dyn-pip"
  allocation_method = "Dynamic"
}

resource "azurerm_public_ip" "unsaid" {
  name              = "unsaid-pip"
  allocation_method = "Static"
}

resource "azurerm_network_interface_application_security_group_association" "a" {
  network_interface_id          = azurerm_network_interface.nic.id
  application_security_group_id = azurerm_application_security_group.web.id
}
`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    expect(topology.networkInterfaces).toEqual([
      {
        name: "vm-nic",
        ipConfigurations: [
          {
            name: "internal",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: "std-pip",
            subnet: "vnet/vms",
            applicationSecurityGroups: ["web-asg"],
          },
        ],
      },
    ]);
    expect(topology.publicIPAddresses).toEqual([
      {
        name: "std-pip",
        location: "westeurope",
        sku: "Standard",
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
      },
      // A Dynamic public IP can only be Basic.
      { name: "dyn-pip", sku: "Basic", publicIPAllocationMethod: "Dynamic" },
      // No sku: Basic up to azurerm 3.x, Standard from 4.0; read as Basic, and named.
      { name: "unsaid-pip", sku: "Basic", publicIPAllocationMethod: "Static" },
    ]);
    const line = text.split("\n").findIndex((l) => l.includes('"azurerm_public_ip" "unsaid"')) + 1;
    expect(brief(diagnostics)).toEqual([`info PublicIPSkuNotKnown ${line}:1`]);
    expect(diagnostics[0]?.message).toContain(
      "gives no SKU (Basic up to azurerm 3.x, Standard from azurerm 4.0); it is read as Basic",
    );
  });

  it("keeps an IPv6 Dynamic address, and a static one", async () => {
    const v6 = await importTerraform([
      tf(
        nic(`    private_ip_address_allocation = "Dynamic"
    private_ip_address_version    = "IPv6"`),
      ),
    ]);
    expect(v6.topology.networkInterfaces[0]?.ipConfigurations).toEqual([
      {
        name: "internal",
        privateIPAllocationMethod: "Dynamic",
        privateIPAddressVersion: "IPv6",
        subnet: "vnet/vms",
      },
    ]);
    const fixed = await importTerraform([
      tf(
        nic(`    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.1.4"`),
      ),
    ]);
    expect(fixed.topology.networkInterfaces[0]?.ipConfigurations).toEqual([
      { name: "internal", privateIPAddress: "10.0.1.4", subnet: "vnet/vms" },
    ]);
  });

  it("keeps a public IP named by id and not declared, read as Basic until a file declares it", async () => {
    const id =
      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/shared";
    const text = nic(`    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = "${id}"`);
    const { topology } = await importTerraform([tf(text)]);
    expect(topology.networkInterfaces[0]?.ipConfigurations[0]?.publicIPAddress).toEqual({ id });
    expect(topology.publicIPAddresses).toEqual([{ name: "shared", sku: "Basic" }]);
    const result = await importSources([tf(text)]);
    expect(result.diagnostics.map((d) => d.code)).toContain("PublicIPAddressNotDeclared");
    expect(
      loadSpecText(result.spec as string).diagnostics.filter((d) => d.severity === "error"),
    ).toEqual([]);
  });

  it("stands a public IP whose name cannot be known by a placeholder, so the interface stays public", async () => {
    const text = `variable "pip" {
  type = string
}
${nic(`    private_ip_address_allocation = "Dynamic"
    public_ip_address_id          = var.pip`)}`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    const placeholder = "<vm-nic.internal.public_ip_address_id>";
    expect(topology.networkInterfaces[0]?.ipConfigurations[0]?.publicIPAddress).toBe(placeholder);
    expect(topology.publicIPAddresses).toEqual([{ name: placeholder, sku: "Basic" }]);
    expect(diagnostics.map((d) => d.code)).toEqual(["PublicIPAddressNameNotKnown"]);
  });

  it("reads terraform show output: the address Azure assigned to a Dynamic interface and to its public IP", async () => {
    const pipId =
      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/web-pip";
    const subnetId =
      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/vms";
    const state = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_public_ip.web",
              mode: "managed",
              type: "azurerm_public_ip",
              name: "web",
              values: {
                id: pipId,
                name: "web-pip",
                sku: "Standard",
                allocation_method: "Static",
                ip_address: "203.0.113.10",
              },
            },
            {
              address: "azurerm_network_interface.nic",
              mode: "managed",
              type: "azurerm_network_interface",
              name: "nic",
              values: {
                name: "vm-nic",
                ip_configuration: [
                  {
                    name: "internal",
                    subnet_id: subnetId,
                    private_ip_address_allocation: "Dynamic",
                    private_ip_address: "10.0.1.4",
                    public_ip_address_id: pipId,
                  },
                ],
              },
            },
          ],
        },
      },
    };
    const { topology } = await importTerraform([
      { file: "state.json", text: JSON.stringify(state) },
    ]);
    expect(topology.publicIPAddresses).toEqual([
      {
        name: "web-pip",
        sku: "Standard",
        ipAddress: "203.0.113.10",
        publicIPAllocationMethod: "Static",
      },
    ]);
    expect(topology.networkInterfaces[0]?.ipConfigurations).toEqual([
      {
        name: "internal",
        privateIPAddress: "10.0.1.4",
        publicIPAddress: "web-pip",
        subnet: "vnet/vms",
      },
    ]);
  });

  it("names a public IP prefix as not modelled", async () => {
    const text = `resource "azurerm_public_ip_prefix" "p" {
  name          = "block"
  prefix_length = 28
}
`;
    const { diagnostics } = await importTerraform([tf(text)]);
    expect(brief(diagnostics)).toEqual(["warning NotModelled 1:1"]);
    expect(diagnostics[0]?.message).toContain("public IP prefix not modelled");
  });
});
