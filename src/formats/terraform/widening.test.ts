/**
 * A Terraform import never widens the policy: a Deny rule, an NSG association
 * or an interface's NSG that cannot be known fails the import at its place in
 * the .tf file, unless allowPartial; a value of the wrong type is an error.
 */
import { describe, expect, it } from "vitest";
import { tf } from "../../../test/support/terraform.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");

/** Where `needle` is in `text`: line and column. */
function at(text: string, needle: string) {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return { file: "main.tf", line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const rule = (access: string, extra = "") => `
variable "admin" {
  type = string
}

resource "azurerm_network_security_group" "web" {
  name     = "web-nsg"
  location = "westeurope"
}

resource "azurerm_network_security_rule" "r" {
  name                        = "ssh"
  network_security_group_name = azurerm_network_security_group.web.name
  priority                    = 200
  direction                   = "Inbound"
  access                      = "${access}"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  destination_address_prefix  = "*"
${extra}
}
`;

describe("Terraform import: what narrows the policy and is not known fails the import", () => {
  it("a Deny rule naming a variable without a value; an Allow rule is only left out", async () => {
    const text = rule("Deny", "  source_address_prefix = var.admin");
    const denied = await importSources([tf(text)]);
    expect(denied.spec).toBeUndefined();
    expect(errors(denied.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        message: expect.stringContaining("var.admin has no default and no value in a .tfvars file"),
        location: at(text, "var.admin"),
      }),
    ]);
    const allowed = await importSources([tf(rule("Allow", "  source_address_prefix = var.admin"))]);
    expect(errors(allowed.diagnostics)).toEqual([]);
    expect(allowed.spec).toContain("name: web-nsg");
    expect(allowed.topology.networkSecurityGroups[0]?.securityRules).toEqual([]);
  });

  it('priority = "abc" is of the wrong type: an error, whatever the rule allows', async () => {
    const text = rule("Allow", '  source_address_prefix = "*"').replace(
      "priority                    = 200",
      'priority                    = "abc"',
    );
    const result = await importSources([tf(text)]);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({ code: "InvalidPropertyType", location: at(text, '"abc"') }),
    ]);
  });

  it("rules repeated by count: their literal access decides", async () => {
    const counted = (access: string) =>
      rule(access, '  source_address_prefix = "*"').replace(
        'name                        = "ssh"',
        'count                       = length(var.admin)\n  name                        = "ssh"',
      );
    const deny = counted("Deny");
    const result = await importSources([tf(deny)]);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        location: at(deny, "length(var.admin)"),
      }),
    ]);
    expect(errors((await importSources([tf(counted("Allow"))])).diagnostics)).toEqual([]);
  });

  const vm = `
resource "azurerm_network_security_group" "vm" {
  name = "vm-nsg"
}

resource "azurerm_virtual_network" "v" {
  name          = "vnet"
  address_space = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "s" {
  name                 = "vms"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.0.1.0/24"]
}

resource "azurerm_network_interface" "nic" {
  name = "vm-nic"
  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.s.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_security_group_association" "a" {
  network_interface_id      = azurerm_network_interface.nic.id
  network_security_group_id = azurerm_network_security_group.vm.id
}
`;

  it("an interface with a Dynamic address keeps the NSG its association gives it", async () => {
    const result = await importSources([tf(vm)]);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.topology.networkInterfaces).toEqual([
      {
        name: "vm-nic",
        networkSecurityGroup: "vm-nsg",
        ipConfigurations: [
          { name: "internal", privateIPAllocationMethod: "Dynamic", subnet: "vnet/vms" },
        ],
      },
    ]);
  });

  /** The interface of `vm` in a subnet that is not known: it is left out. */
  const unplaced = `variable "subnet" {\n  type = string\n}\n${vm.replace("subnet_id                     = azurerm_subnet.s.id", "subnet_id                     = var.subnet")}`;

  it("an interface that cannot be placed takes its NSG with it: the association fails", async () => {
    const result = await importSources([tf(unplaced)]);
    expect(result.spec).toBeUndefined();
    // The interface itself has no NSG: leaving it out costs the NSG its association gives it.
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ParentNotDeclared",
        message: expect.stringContaining("network interface vm-nic is left out"),
        location: at(unplaced, "azurerm_network_interface.nic.id"),
      }),
    ]);
    // Without the association, the interface decides nothing: only a warning.
    const alone = unplaced.slice(
      0,
      unplaced.indexOf('resource "azurerm_network_interface_security_group'),
    );
    expect(errors((await importSources([tf(alone)])).diagnostics)).toEqual([]);
  });

  it("with allowPartial, the spec is written and lists the association", async () => {
    const result = await importSources([tf(unplaced)], { allowPartial: true });
    expect(errors(result.diagnostics)).toEqual([]);
    const place = at(unplaced, "azurerm_network_interface.nic.id");
    expect(result.partial).toEqual([
      {
        what: "the association azurerm_network_interface_security_group_association.a",
        why: expect.stringContaining("network interface vm-nic is left out"),
        source: `main.tf:${place.line}:${place.column}`,
      },
    ]);
    expect(result.spec).toMatch(/\npartial:\n {2}- what: the association /);
  });

  it("a module call, whose resources are not read", async () => {
    const text = `module "nsg" {\n  source = "Azure/network-security-group/azurerm"\n}\n`;
    expect(errors((await importSources([tf(text)])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "ModuleNotRead",
        location: { file: "main.tf", line: 1, column: 1 },
      }),
    ]);
    // Left out with --allow-partial, it leaves nothing: an import that gives nothing is an error.
    const partial = await importSources([tf(text)], { allowPartial: true });
    expect(errors(partial.diagnostics).map((d) => d.code)).toEqual(["NothingImported"]);
    const beside = `${text}resource "azurerm_network_security_group" "web" {
  name = "web"
}
`;
    const listed = await importSources([tf(beside)], { allowPartial: true });
    expect(listed.partial?.map((p) => p.what)).toEqual(['the resources of module "nsg"']);
  });

  it("an NSG association whose NSG is not known", async () => {
    const text = `${vm.replace(/resource "azurerm_network_interface"[\s\S]*/, "")}
resource "azurerm_subnet_network_security_group_association" "a" {
  subnet_id                 = azurerm_subnet.s.id
  network_security_group_id = var.nsg_id
}
`;
    const result = await importSources([tf(text)]);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        location: at(text, "var.nsg_id"),
      }),
    ]);
  });
});
