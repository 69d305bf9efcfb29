import { describe, expect, it } from "vitest";
import { tf } from "../../../test/support/terraform.js";
import { importTerraform } from "./import.js";

describe("importTerraform: values", () => {
  it("takes literals, variable defaults, locals and references to other resources' names", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(`variable "prefix" {
  default = "web"
}
variable "ports" {
  type    = list(string)
  default = ["80", "443"]
}
locals {
  source = "10.0.1.0/24"
  nsg    = "\${var.prefix}-nsg"
}
resource "azurerm_resource_group" "rg" {
  name     = "rg1"
  location = "West Europe"
}
resource "azurerm_network_security_group" "nsg" {
  name                = local.nsg
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
}
resource "azurerm_network_security_rule" "in" {
  name                        = "\${var.prefix}-in"
  network_security_group_name = azurerm_network_security_group.nsg.name
  resource_group_name         = azurerm_resource_group.rg.name
  priority                    = "200"
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_ranges     = var.ports
  source_address_prefix       = local.source
  destination_address_prefix  = "VirtualNetwork"
  description                 = "literal $\${x} and %%{y}"
}
`),
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups).toEqual([
      {
        name: "web-nsg",
        location: "West Europe",
        securityRules: [
          {
            name: "web-in",
            // The HCL escapes $${ and %%{ give the literal text.
            description: ["literal $", "{x} and %{y}"].join(""),
            protocol: "Tcp",
            access: "Allow",
            priority: 200,
            direction: "Inbound",
            sourceAddressPrefix: "10.0.1.0/24",
            sourcePortRange: "*",
            destinationAddressPrefix: "VirtualNetwork",
            destinationPortRanges: ["80", "443"],
          },
        ],
      },
    ]);
  });

  it("combines the files of one module, and takes .tfvars values over defaults, later files and --parameters last", async () => {
    const files = [
      tf(
        `resource "azurerm_network_security_group" "nsg" {
  name     = var.name
  location = var.location
}`,
        "main.tf",
      ),
      tf(`variable "name" { default = "from-default" }\nvariable "location" {}`, "variables.tf"),
      tf(`name = "from-tfvars"\nlocation = "westus"`, "terraform.tfvars"),
      tf(`{"name": "from-json"}`, "prod.tfvars.json"),
    ];
    const first = await importTerraform(files);
    expect(first.diagnostics).toEqual([]);
    expect(first.topology.networkSecurityGroups[0]).toMatchObject({
      name: "from-json",
      location: "westus",
    });
    const second = await importTerraform(files, tf(`name = "from-parameters"`, "override.tfvars"));
    expect(second.topology.networkSecurityGroups[0]?.name).toBe("from-parameters");
  });

  it("reads virtual networks with inline subnets, subnets, peerings, NICs and every association", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(`resource "azurerm_application_security_group" "web" {
  name = "web"
}
resource "azurerm_network_security_group" "a" {
  name = "nsg-a"
}
resource "azurerm_network_security_group" "b" {
  name = "nsg-b"
}
resource "azurerm_virtual_network" "hub" {
  name          = "hub"
  address_space = ["10.0.0.0/16", "fd00::/48"]
  subnet {
    name             = "inline"
    address_prefixes = ["10.0.9.0/24"]
    security_group   = azurerm_network_security_group.b.id
  }
}
resource "azurerm_virtual_network" "spoke" {
  name          = "spoke"
  address_space = ["10.1.0.0/16"]
}
resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  name                      = "hub-to-spoke"
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.spoke.id
}
resource "azurerm_subnet" "app" {
  name                 = "app"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/24", "fd00:0:0:1::/64"]
}
resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.a.id
}
resource "azurerm_network_interface" "vm" {
  name = "vm-nic"
  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.app.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.1.4"
  }
}
resource "azurerm_network_interface_security_group_association" "vm" {
  network_interface_id      = azurerm_network_interface.vm.id
  network_security_group_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-b"
}
resource "azurerm_network_interface_application_security_group_association" "vm" {
  network_interface_id          = azurerm_network_interface.vm.id
  application_security_group_id = azurerm_application_security_group.web.id
}
`),
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.virtualNetworks).toEqual([
      {
        name: "hub",
        addressSpace: { addressPrefixes: ["10.0.0.0/16", "fd00::/48"] },
        subnets: [
          { name: "inline", addressPrefix: "10.0.9.0/24", networkSecurityGroup: "nsg-b" },
          {
            name: "app",
            addressPrefixes: ["10.0.1.0/24", "fd00:0:0:1::/64"],
            networkSecurityGroup: "nsg-a",
          },
        ],
        virtualNetworkPeerings: [{ name: "hub-to-spoke", remoteVirtualNetwork: "spoke" }],
      },
      { name: "spoke", addressSpace: { addressPrefixes: ["10.1.0.0/16"] }, subnets: [] },
    ]);
    expect(topology.networkInterfaces).toEqual([
      {
        name: "vm-nic",
        networkSecurityGroup: "nsg-b",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAddress: "10.0.1.4",
            subnet: "hub/app",
            applicationSecurityGroups: ["web"],
          },
        ],
      },
    ]);
  });

  it("reads security_rule given as an attribute (a list of objects, from a variable)", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(`variable "rules" {
  default = [{ name = "a", priority = 100, direction = "Inbound", access = "Deny", protocol = "*",
    source_port_range = "*", destination_port_range = "*", source_address_prefix = "Internet",
    destination_address_prefix = "*" }]
}
resource "azurerm_network_security_group" "nsg" {
  name          = "n"
  security_rule = var.rules
}`),
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups[0]?.securityRules.map((r) => [r.name, r.access])).toEqual(
      [["a", "Deny"]],
    );
  });
});

describe("importTerraform: bad input", () => {
  it("places HCL syntax errors at their line and column, without a stack trace", async () => {
    const { diagnostics } = await importTerraform([
      tf(
        `resource "azurerm_network_security_group" "nsg" {\n  name = "x"\n  location = \n}\n`,
        "bad.tf",
      ),
    ]);
    expect(diagnostics).toEqual([
      {
        severity: "error",
        code: "InvalidSyntax",
        message:
          "not valid HCL: Invalid expression: Expected the start of an expression, but found an invalid expression token.",
        path: [],
        location: { file: "bad.tf", line: 3, column: 14 },
      },
    ]);
  });

  it("places an error in a .tfvars file", async () => {
    const { diagnostics } = await importTerraform([tf(`name = "x`, "a.tfvars")]);
    expect(diagnostics[0]).toMatchObject({
      code: "InvalidSyntax",
      location: { file: "a.tfvars", line: 1 },
    });
  });

  it("names JSON that is not terraform show -json output", async () => {
    const { diagnostics } = await importTerraform([tf(`{"resource": {}}`, "plan.json")]);
    expect(diagnostics[0]?.code).toBe("UnrecognizedDocument");
  });

  it("leaves out a .tf.json configuration, saying so, for the import to weigh", async () => {
    const { diagnostics } = await importTerraform([tf(`{"resource": {}}`, "main.tf.json")]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: "UnsupportedSyntax",
        location: { file: "main.tf.json", line: 1, column: 1 },
        leftOut: { kind: "resources", what: "the resources of main.tf.json" },
      }),
    ]);
  });
});

describe("rules declared twice, or both inline and as resources", () => {
  const rule = (resource: string, name: string, priority: number) => `
resource "azurerm_network_security_rule" "${resource}" {
  name                        = "${name}"
  network_security_group_name = azurerm_network_security_group.nsg.name
  resource_group_name         = "rg"
  priority                    = ${priority}
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
}
`;
  const nsg = (inline: string) => `
resource "azurerm_network_security_group" "nsg" {
  name                = "web"
  location            = "westus"
  resource_group_name = "rg"
${inline}}
`;

  it("two rule resources of one name on one NSG: an error at the second", async () => {
    const text = nsg("") + rule("a", "ssh", 100) + rule("b", "SSH", 200);
    const { diagnostics } = await importTerraform([{ file: "main.tf", text }]);
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      [
        "error",
        "DuplicateResourceName",
        text.split("\n").findIndex((l) => l.includes('"SSH"')) + 1,
      ],
    ]);
    expect(diagnostics[0]?.message).toContain(
      "is also declared by azurerm_network_security_rule.a",
    );
  });

  it("inline security_rule blocks beside rule resources: a warning at the resources, and both are read", async () => {
    const inline = `  security_rule {
    name                       = "https"
    priority                   = 110
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
`;
    const text = nsg(inline) + rule("a", "ssh", 100);
    const { topology, diagnostics } = await importTerraform([{ file: "main.tf", text }]);
    expect(diagnostics.map((d) => [d.severity, d.code, d.location?.line])).toEqual([
      [
        "warning",
        "InlineAndSeparateRules",
        text.split("\n").findIndex((l) => l.includes('"a"')) + 1,
      ],
    ]);
    expect(topology.networkSecurityGroups[0]?.securityRules.map((r) => r.name)).toEqual([
      "https",
      "ssh",
    ]);
  });
});

describe("names built of values not known", () => {
  it("stand under one placeholder per value, so that references still meet", async () => {
    const text = `variable "prefix" {}
resource "azurerm_network_security_group" "nsg" {
  name                = "\${var.prefix}-nsg"
  location            = "westus"
  resource_group_name = "rg"
}
resource "azurerm_network_security_rule" "deny" {
  name                        = "deny-all"
  network_security_group_name = azurerm_network_security_group.nsg.name
  resource_group_name         = "rg"
  priority                    = 4000
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
}
resource "azurerm_virtual_network" "vnet" {
  name                = "\${var.prefix}-vnet"
  location            = "westus"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.1.0/24"]
}
resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.nsg.id
}
resource "azurerm_network_security_group" "copies" {
  count               = 2
  name                = "copy-\${count.index}"
  location            = "westus"
  resource_group_name = "rg"
}
`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    expect(
      diagnostics.filter((d) => d.severity !== "info").map((d) => [d.code, d.location?.line]),
    ).toEqual([
      // The copies of a counted resource are left out: their names differ from copy to copy.
      ["ExpressionNotStaticallyKnown", 37],
      ["NamePlaceholder", 3],
    ]);
    expect(diagnostics.find((d) => d.code === "NamePlaceholder")?.message).toBe(
      "azurerm_network_security_group.nsg.name: var.prefix has no default and no value in a .tfvars file; it stands as <var.prefix> in the names it is part of, here and wherever the same value is used",
    );
    expect(
      topology.networkSecurityGroups.map((n) => [n.name, n.securityRules.map((r) => r.name)]),
    ).toEqual([["<var.prefix>-nsg", ["deny-all"]]]);
    expect(topology.virtualNetworks.map((v) => [v.name, v.subnets])).toEqual([
      [
        "<var.prefix>-vnet",
        [{ name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "<var.prefix>-nsg" }],
      ],
    ]);
  });
});

describe("what the model does not hold", () => {
  it("is named where it stands: a firewall, and IP forwarding on an interface", async () => {
    const text = `resource "azurerm_firewall" "fw" {
  name                = "fw"
  location            = "westus"
  resource_group_name = "rg"
}
resource "azurerm_network_interface" "nva" {
  name                  = "nva-nic"
  location              = "westus"
  resource_group_name   = "rg"
  ip_forwarding_enabled = true
  ip_configuration {
    name                          = "c"
    subnet_id                     = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.0.4"
  }
}
`;
    const { diagnostics, inventory } = await importTerraform([tf(text)]);
    expect(
      diagnostics.filter((d) => d.code === "NotModelled").map((d) => [d.location?.line, d.message]),
    ).toEqual([
      [
        1,
        "azurerm_firewall.fw: Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it",
      ],
      [
        10,
        'azurerm_network_interface.nva.ip_forwarding_enabled: IP forwarding on network interface "nva-nic" is not modelled; it lets the interface forward packets for other addresses, as an appliance does, on paths the spec does not show',
      ],
    ]);
    expect(inventory.types()).toEqual([
      { type: "azurerm_firewall", standing: "notModelled", count: 1 },
      { type: "azurerm_network_interface", standing: "modelled", count: 1 },
    ]);
  });
});
