import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { writeSpec } from "../../specfile/write.js";
import { exportTerraform, importTerraform, looksLikeTerraform } from "./import.js";

const tf = (text: string, file = "main.tf") => ({ file, text });
const notKnown = (ds: readonly Diagnostic[]) =>
  ds
    .filter((d) => d.code === "ExpressionNotStaticallyKnown" && d.severity === "warning")
    .map((d) => `${d.location?.line}:${d.location?.column} ${d.message}`);

const RULE = `
    name                       = "r1"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_address_prefix = "*"`;

/** An NSG whose one rule sets the given extra attributes (one per line). */
const nsgWith = (extra: string) => `resource "azurerm_network_security_group" "nsg" {
  name     = "nsg1"
  location = "westeurope"

  security_rule {${RULE}
${extra}
  }
}
`;

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

describe("importTerraform: what is not statically known", () => {
  const cases: [string, string, string][] = [
    [
      "a function call",
      `    source_address_prefix = lookup(var.m, "k")`,
      'lookup(var.m, "k") calls lookup()',
    ],
    [
      "a for expression",
      `    destination_port_ranges = [for p in ["1"] : p]`,
      "is a for expression",
    ],
    [
      "a conditional",
      `    source_address_prefix = true ? "a" : "b"`,
      "is a conditional expression",
    ],
    [
      "a splat",
      `    source_address_prefixes = azurerm_subnet.s[*].address_prefix`,
      "is a splat expression",
    ],
    [
      "a variable without a value",
      `    source_address_prefix = var.missing`,
      "var.missing is not declared in these files",
    ],
    [
      "an attribute Azure sets",
      `    source_address_prefix = azurerm_public_ip.p.ip_address`,
      "azurerm_public_ip.p is not declared",
    ],
    [
      "a data source's computed attribute",
      `    source_address_prefix = data.azurerm_subnet.s.address_prefix`,
      "data.azurerm_subnet.s is not declared",
    ],
    [
      "a module output",
      `    source_address_prefix = module.net.cidr`,
      "is an output of module net",
    ],
    [
      "a template directive",
      `    source_address_prefix = "%{ if true }x%{ endif }"`,
      "is a template directive",
    ],
    [
      "an operator",
      `    destination_port_range = 8000 + 80`,
      "is an expression tierwall does not evaluate",
    ],
  ];
  for (const [what, line, reason] of cases)
    it(`reports ${what} at its attribute and leaves the rule out`, async () => {
      const text = nsgWith(line);
      const { topology, diagnostics } = await importTerraform([tf(text)]);
      const attribute = line.trim().split(/\s+/)[0] as string;
      const lineNo = text.split("\n").findIndex((l) => l.trim().startsWith(`${attribute} `)) + 1;
      const column = (text.split("\n")[lineNo - 1]?.indexOf("=") ?? 0) + 3;
      const found = notKnown(diagnostics);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(
        `${lineNo}:${column} azurerm_network_security_group.nsg.security_rule[0].${attribute}: `,
      );
      expect(found[0]).toContain(reason);
      expect(found[0]).toContain('the rule "r1" is left out');
      expect(topology.networkSecurityGroups[0]?.securityRules).toEqual([]);
    });

  it("keeps a rule whose description alone is not known", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(
        nsgWith(
          `    destination_port_range = "22"\n    source_address_prefix = "*"\n    description = format("%s", "x")`,
        ),
      ),
    ]);
    expect(notKnown(diagnostics)).toEqual([
      expect.stringContaining('security_rule[0].description: format("%s", "x") calls format()'),
    ]);
    expect(topology.networkSecurityGroups[0]?.securityRules[0]?.description).toBeUndefined();
    expect(topology.networkSecurityGroups[0]?.securityRules).toHaveLength(1);
  });

  it("reports dynamic blocks, for_each and count, and reads count = 1 with its [0] references", async () => {
    const text = `resource "azurerm_network_security_group" "dyn" {
  name = "dyn"
  dynamic "security_rule" {
    for_each = var.rules
    content {
      name = security_rule.value.name
    }
  }
}
resource "azurerm_network_security_group" "each" {
  for_each = toset(["a", "b"])
  name     = each.key
}
resource "azurerm_network_security_group" "none" {
  count = 0
  name  = "none"
}
resource "azurerm_network_security_group" "one" {
  count = 1
  name  = "one-\${count.index}"
}
resource "azurerm_network_security_rule" "r" {
  name                        = "r"
  network_security_group_name = azurerm_network_security_group.one[0].name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
}
resource "azurerm_network_security_group" "many" {
  count = 3
  name  = "many"
}
`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    expect(notKnown(diagnostics)).toEqual([
      "11:14 azurerm_network_security_group.each.for_each: for_each makes one copy per element when Terraform runs; the resource is left out",
      "35:11 azurerm_network_security_group.many.count: count = 3 makes 3 copies, which are not read; the resource is left out",
      "3:3 azurerm_network_security_group.dyn.dynamic.security_rule: a dynamic block makes its rules only when Terraform runs; they are left out",
    ]);
    expect(diagnostics.find((d) => d.code === "ResourceNotCreated")?.location).toEqual({
      file: "main.tf",
      line: 15,
      column: 11,
    });
    expect(topology.networkSecurityGroups.map((n) => [n.name, n.securityRules.length])).toEqual([
      ["dyn", 0],
      ["one-0", 1],
    ]);
  });

  it("notes module calls it does not read", async () => {
    const { diagnostics } = await importTerraform([
      tf(`module "nsg" {\n  source = "Azure/network-security-group/azurerm"\n}\n`),
    ]);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        severity: "info",
        code: "ModuleNotRead",
        location: { file: "main.tf", line: 1, column: 1 },
      }),
    ]);
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
    const { diagnostics } = await importTerraform([tf(`{"resource": {}}`, "main.tf.json")]);
    expect(diagnostics[0]?.code).toBe("UnrecognizedDocument");
  });
});

describe("importTerraform: terraform show -json", () => {
  const rule = {
    name: "ssh",
    description: "",
    protocol: "Tcp",
    access: "Allow",
    priority: 100,
    direction: "Inbound",
    source_address_prefix: "203.0.113.0/24",
    source_address_prefixes: [],
    source_application_security_group_ids: [],
    source_port_range: "*",
    source_port_ranges: [],
    destination_address_prefix: "*",
    destination_address_prefixes: [],
    destination_application_security_group_ids: [],
    destination_port_range: "22",
    destination_port_ranges: [],
  };
  const nsgId =
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1";

  it("reads a state, with its child modules, ids and empty defaults", async () => {
    const state = {
      format_version: "1.0",
      terraform_version: "1.9.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_network_security_group.nsg",
              mode: "managed",
              type: "azurerm_network_security_group",
              name: "nsg",
              values: { id: nsgId, name: "nsg1", location: "westeurope", security_rule: [rule] },
            },
          ],
          child_modules: [
            {
              address: "module.net",
              resources: [
                {
                  address: "module.net.azurerm_virtual_network.v",
                  mode: "managed",
                  type: "azurerm_virtual_network",
                  name: "v",
                  values: { name: "vnet1", address_space: ["10.0.0.0/16"], subnet: [] },
                },
                {
                  address: "module.net.azurerm_subnet.s",
                  mode: "managed",
                  type: "azurerm_subnet",
                  name: "s",
                  values: {
                    name: "app",
                    virtual_network_name: "vnet1",
                    address_prefixes: ["10.0.1.0/24"],
                  },
                },
                {
                  address: "module.net.azurerm_subnet_network_security_group_association.a",
                  mode: "managed",
                  type: "azurerm_subnet_network_security_group_association",
                  name: "a",
                  values: {
                    subnet_id:
                      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/app",
                    network_security_group_id: nsgId,
                  },
                },
              ],
            },
          ],
        },
      },
    };
    const { topology, diagnostics } = await importTerraform([
      tf(JSON.stringify(state, null, 2), "state.json"),
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups).toEqual([
      {
        name: "nsg1",
        location: "westeurope",
        securityRules: [
          {
            name: "ssh",
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "203.0.113.0/24",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
          },
        ],
      },
    ]);
    expect(topology.virtualNetworks[0]?.subnets).toEqual([
      { name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg1" },
    ]);
  });

  it("reads a plan, following ids known only after apply through the configuration's references", async () => {
    const plan = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          resources: [
            {
              address: "azurerm_network_security_group.nsg",
              mode: "managed",
              type: "azurerm_network_security_group",
              name: "nsg",
              values: { name: "nsg1", security_rule: [rule] },
            },
            {
              address: "azurerm_virtual_network.v",
              mode: "managed",
              type: "azurerm_virtual_network",
              name: "v",
              values: { name: "vnet1", address_space: ["10.0.0.0/16"] },
            },
            {
              address: "azurerm_subnet.s",
              mode: "managed",
              type: "azurerm_subnet",
              name: "s",
              values: {
                name: "app",
                virtual_network_name: "vnet1",
                address_prefixes: ["10.0.1.0/24"],
              },
            },
            {
              address: "azurerm_subnet_network_security_group_association.a",
              mode: "managed",
              type: "azurerm_subnet_network_security_group_association",
              name: "a",
              values: {},
            },
            {
              address: "azurerm_network_interface_security_group_association.n",
              mode: "managed",
              type: "azurerm_network_interface_security_group_association",
              name: "n",
              values: {},
            },
          ],
        },
      },
      resource_changes: [
        {
          address: "azurerm_subnet_network_security_group_association.a",
          change: { after_unknown: { id: true, subnet_id: true, network_security_group_id: true } },
        },
        {
          address: "azurerm_network_interface_security_group_association.n",
          change: { after_unknown: { network_interface_id: true } },
        },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: "azurerm_subnet_network_security_group_association.a",
              expressions: {
                subnet_id: { references: ["azurerm_subnet.s.id", "azurerm_subnet.s"] },
                network_security_group_id: {
                  references: [
                    "azurerm_network_security_group.nsg.id",
                    "azurerm_network_security_group.nsg",
                  ],
                },
              },
            },
          ],
        },
      },
    };
    const text = JSON.stringify(plan, null, 2);
    const { topology, diagnostics } = await importTerraform([tf(text, "plan.json")]);
    expect(topology.virtualNetworks[0]?.subnets).toEqual([
      { name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg1" },
    ]);
    expect(notKnown(diagnostics)).toEqual([
      expect.stringContaining(
        "azurerm_network_interface_security_group_association.n.network_interface_id: network_interface_id is known only after apply; the association is left out",
      ),
    ]);
  });

  it("is recognised by its keys", () => {
    expect(looksLikeTerraform(`{"format_version":"1.0","values":{}}`)).toBe(true);
    expect(looksLikeTerraform(`{"$schema":"x","resources":[]}`)).toBe(false);
    expect(looksLikeTerraform(`resource "azurerm_subnet" "s" {\n}`)).toBe(true);
  });
});

describe("real public Terraform configurations", () => {
  const root = join(import.meta.dirname, "../../../test/fixtures/terraform");
  const filesOf = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".tf"))
      .sort()
      .map((f) => tf(readFileSync(join(root, dir, f), "utf8"), `${dir}/${f}`));

  /** Per fixture: the attributes reported as not statically known (file:line:column attribute), and what is read. */
  const expected: Record<
    string,
    { notKnown: string[]; nsgs: string[]; rules: number; nics: number }
  > = {
    "fortigate-active-active": {
      notKnown: [
        "nsg.tf:9:25 azurerm_network_security_group.fgtnsg.name",
        "nsg.tf:17:33 azurerm_network_security_rule.fgtnsgallowallout.network_security_group_name",
        "nsg.tf:31:33 azurerm_network_security_rule.fgtnsgallowallin.network_security_group_name",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "hashicorp-nic-asg": {
      notKnown: [
        "main.tf:21:25 azurerm_application_security_group.example.name",
        "main.tf:73:25 azurerm_network_security_group.example.name",
        "main.tf:79:25 azurerm_virtual_network.example.name",
        "main.tf:86:26 azurerm_subnet.example.name",
        "main.tf:27:25 azurerm_network_interface.example.name",
        "main.tf:93:28 azurerm_network_security_rule.example.name",
        "main.tf:66:35 azurerm_network_interface_application_security_group_association.example.network_interface_id",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "hashicorp-nsg": {
      notKnown: [
        "main.tf:21:25 azurerm_network_security_group.example.name",
        "main.tf:7:25 azurerm_virtual_network.example.name",
        "main.tf:15:26 azurerm_subnet.example.virtual_network_name",
        "main.tf:30:33 azurerm_network_security_rule.ssh.network_security_group_name",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "hashicorp-nsg-rule": {
      notKnown: [
        "main.tf:14:25 azurerm_network_security_group.example.name",
        "main.tf:20:33 azurerm_network_security_rule.example.name",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "nsg-module": {
      notKnown: [
        "main.tf:6:25 azurerm_network_security_group.nsg.name",
        "main.tf:17:48 azurerm_network_security_rule.predefined_rules.count",
        "main.tf:41:48 azurerm_network_security_rule.custom_rules.count",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "pacman-nsg": {
      notKnown: [
        "main.tf:2:25 azurerm_network_security_group.nsg.name",
        "main.tf:30:33 azurerm_subnet_network_security_group_association.azsub_nsga.subnet_id",
      ],
      nsgs: [],
      rules: 0,
      nics: 0,
    },
    "quickstart-2nics": {
      notKnown: [
        "main.tf:76:37 azurerm_network_interface.ani-01.ip_configuration[0].private_ip_address_allocation",
        "main.tf:69:1 azurerm_network_interface.ani-01",
        "main.tf:89:37 azurerm_network_interface.ani-02.ip_configuration[0].private_ip_address_allocation",
        "main.tf:82:1 azurerm_network_interface.ani-02",
      ],
      nsgs: ["NSG"],
      rules: 1,
      nics: 0,
    },
    "quickstart-linux-vm": {
      notKnown: [
        "main.tf:62:37 azurerm_network_interface.my_terraform_nic.ip_configuration[0].private_ip_address_allocation",
        "main.tf:54:1 azurerm_network_interface.my_terraform_nic",
      ],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 1,
      nics: 0,
    },
    "quickstart-windows-iis": {
      notKnown: [
        "main.tf:73:37 azurerm_network_interface.my_terraform_nic.ip_configuration[0].private_ip_address_allocation",
        "main.tf:65:1 azurerm_network_interface.my_terraform_nic",
      ],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 2,
      nics: 0,
    },
    "terraformbuch-split": {
      notKnown: [
        "network_interface.tf:9:37 azurerm_network_interface.terraform.ip_configuration[0].private_ip_address_allocation",
        "network_interface.tf:1:1 azurerm_network_interface.terraform",
      ],
      nsgs: ["terraform-security-group"],
      rules: 1,
      nics: 0,
    },
  };

  it("holds at least ten configurations, each with its source noted", () => {
    const dirs = readdirSync(root).sort();
    expect(dirs.length).toBeGreaterThanOrEqual(10);
    expect(dirs).toEqual(Object.keys(expected).sort());
    for (const dir of dirs)
      expect(readFileSync(join(root, dir, "SOURCE.md"), "utf8")).toMatch(
        /Repository: https:\/\/github\.com\//,
      );
  });

  for (const [dir, want] of Object.entries(expected))
    it(`imports ${dir}, naming exactly what is not statically known, to a spec that loads`, async () => {
      const { topology, diagnostics } = await importTerraform(filesOf(dir));
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const reported = diagnostics
        .filter((d) => d.severity === "warning")
        .map(
          (d) =>
            `${d.location?.file.replace(`${dir}/`, "")}:${d.location?.line}:${d.location?.column} ${d.message.split(": ")[0]}`,
        );
      expect(reported).toEqual(want.notKnown);
      expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(want.nsgs);
      expect(topology.networkSecurityGroups.flatMap((n) => n.securityRules)).toHaveLength(
        want.rules,
      );
      expect(topology.networkInterfaces).toHaveLength(want.nics);
      const loaded = loadSpecText(writeSpec(topology, `Imported from ${dir}`));
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(loaded.spec).toBeDefined();
      // What was read exports and imports back unchanged.
      const back = await importTerraform([tf(exportTerraform(topology))]);
      expect(back.topology.networkSecurityGroups).toEqual(
        topology.networkSecurityGroups.map(({ location, ...n }) =>
          location === undefined ? n : { ...n, location },
        ),
      );
    });
});
