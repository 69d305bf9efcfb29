import { describe, expect, it } from "vitest";
import { notKnown, tf } from "../../../test/support/terraform.js";
import { importTerraform } from "./import.js";

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
