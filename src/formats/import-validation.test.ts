/**
 * Imports validate what they write, with the checks and codes of `tierwall
 * check`, each problem placed in the source file the value came from: a
 * spec that check would reject is never written.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { importSources, type SourceFile } from "./catalog.js";

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");

/** Where `needle` is in the source (after `after`, when given). */
function at(source: SourceFile, needle: string, after = "") {
  const offset = source.text.indexOf(needle, source.text.indexOf(after));
  if (offset < 0) throw new Error(`${needle} is not in ${source.file}`);
  const before = source.text.slice(0, offset).split("\n");
  return { file: source.file, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const rule = (name: string, fields: Record<string, unknown> = {}) => ({
  name,
  properties: {
    protocol: "Tcp",
    access: "Allow",
    priority: 100,
    direction: "Inbound",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "443",
    ...fields,
  },
});

/** A template with one NSG holding `rules`. */
const template = (rules: unknown[], nsg = "web-nsg", file = "main.json"): SourceFile => ({
  file,
  text: JSON.stringify(
    {
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          apiVersion: "2024-05-01",
          name: nsg,
          properties: { securityRules: rules },
        },
      ],
    },
    null,
    2,
  ),
});

describe("ARM import validates what it writes, at the template's lines", () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    [
      "a CIDR that is no address",
      { sourceAddressPrefix: "999.1.1.1/8" },
      "SecurityRuleInvalidAddressPrefix",
      '"999.1.1.1/8"',
    ],
    ["priority 4097", { priority: 4097 }, "SecurityRuleInvalidPriority", "4097"],
    ["priority 99999", { priority: 99999 }, "SecurityRuleInvalidPriority", "99999"],
    [
      "a reversed port range",
      { destinationPortRange: "443-80" },
      "SecurityRuleInvalidPortRange",
      '"443-80"',
    ],
    ["a NUL in a name", { name: undefined }, "InvalidResourceName", '"a\\u0000b"'],
  ];
  for (const [name, fields, code, value] of cases)
    it(name, async () => {
      const source =
        name === "a NUL in a name" ? template([rule("a\u0000b")]) : template([rule("r1", fields)]);
      const result = await importSources([source]);
      expect(result.spec).toBeUndefined();
      expect(errors(result.diagnostics)).toEqual([
        expect.objectContaining({ code, location: at(source, value, "securityRules") }),
      ]);
    });

  it("U+FFFD in a name (what a file not in UTF-8 decodes to)", async () => {
    const source = template([rule("web\uFFFD")]);
    expect(errors((await importSources([source])).diagnostics)).toEqual([
      expect.objectContaining({ code: "InvalidResourceName", location: at(source, '"web\uFFFD"') }),
    ]);
  });

  it("a rule name given twice, at the second", async () => {
    const source = template([rule("r1"), rule("r1", { priority: 200 })]);
    expect(errors((await importSources([source])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "DuplicateResourceName",
        // The second rule's name: after the first rule's last field.
        location: at(source, '"r1"', '"destinationPortRange"'),
      }),
    ]);
  });

  it("more than 1,000 rules, and more than 4,000 prefixes on a side, at the rules", async () => {
    const many = Array.from({ length: 1001 }, (_, i) =>
      rule(`r${i}`, { priority: 100 + (i % 3000), direction: i < 3000 ? "Inbound" : "Outbound" }),
    );
    const rules = template(many);
    expect(
      errors((await importSources([rules])).diagnostics).map((d) => [d.code, d.location]),
    ).toEqual([["SecurityRuleLimitExceeded", at(rules, "[", '"securityRules"')]]);
    const prefixes = Array.from({ length: 4001 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
    const wide = template([
      rule("wide", { sourceAddressPrefix: undefined, sourceAddressPrefixes: prefixes }),
    ]);
    expect(
      errors((await importSources([wide])).diagnostics).map((d) => [d.code, d.location]),
    ).toEqual([["AddressPrefixLimitExceeded", at(wide, "[", '"securityRules"')]]);
  });

  it("the same NSG from two files, at the second", async () => {
    const first = template([rule("r1")], "web-nsg", "a.json");
    const second = template([rule("r2")], "web-nsg", "b.json");
    expect(errors((await importSources([first, second])).diagnostics)).toEqual([
      expect.objectContaining({ code: "DuplicateResourceName", location: at(second, '"web-nsg"') }),
    ]);
  });

  it("a key given twice in one object, at the second (JSON.parse would keep the last)", async () => {
    const source = {
      file: "main.json",
      text: '{\n  "resources": [\n    {\n      "type": "Microsoft.Network/networkSecurityGroups",\n      "name": "a",\n      "name": "b"\n    }\n  ]\n}\n',
    };
    const result = await importSources([source]);
    expect(result.spec).toBeUndefined();
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "InvalidSyntax",
        location: { file: "main.json", line: 6, column: 7 },
      }),
    ]);
  });

  it("service tags without a service-tags file: symbolic, in one note at the first, as check says", async () => {
    const source = template([
      rule("r1", { sourceAddressPrefix: "Storage" }),
      rule("r2", { priority: 110, destinationAddressPrefix: "Sql.WestEurope" }),
      rule("r3", { priority: 120, sourceAddressPrefix: "Storage" }),
    ]);
    const result = await importSources([source]);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: "info",
        code: "ServiceTagsSymbolic",
        message: expect.stringContaining(
          "the rules name service tags without Azure's service-tags file: Sql.WestEurope, Storage;",
        ),
        location: at(source, '"Storage"'),
        hint: expect.stringContaining("ServiceTags_Public_YYYYMMDD.json"),
      }),
    ]);
    expect(result.spec).toContain("sourceAddressPrefix: Storage");
    // What was written, check accepts, with the same note.
    const checked = loadSpecText(result.spec ?? "");
    expect(checked.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ["info", "ServiceTagsSymbolic"],
    ]);
  });

  it("a word that is no service tag Azure publishes is refused at its place", async () => {
    const source = template([rule("r1", { sourceAddressPrefix: "StorageAccounts" })]);
    expect(errors((await importSources([source])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnknownServiceTag",
        location: at(source, '"StorageAccounts"'),
        hint: expect.stringContaining("known by name"),
      }),
    ]);
  });

  it("a service tag the imported service-tags file does not hold, at its place", async () => {
    const source = template([rule("r1", { sourceAddressPrefix: "Storage" })]);
    const tags = {
      file: "ServiceTags_Public.json",
      text: JSON.stringify({
        changeNumber: 1,
        cloud: "Public",
        values: [{ name: "Sql", id: "Sql", properties: { addressPrefixes: ["192.0.2.0/24"] } }],
      }),
    };
    expect(errors((await importSources([source, tags])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnknownServiceTag",
        location: at(source, '"Storage"'),
        hint: expect.stringContaining("does not hold this tag"),
      }),
    ]);
  });
});

describe("script and Terraform imports validate what they write, at their lines", () => {
  it("an az CLI script", async () => {
    const source = {
      file: "deploy.sh",
      text: "az network nsg create -g rg -n web\naz network nsg rule create -g rg --nsg-name web -n r1 --priority 4097 --source-address-prefixes 999.1.1.1/8\n",
    };
    const result = await importSources([source]);
    expect(errors(result.diagnostics).map((d) => [d.code, d.location])).toEqual([
      ["SecurityRuleInvalidPriority", at(source, "4097")],
      ["SecurityRuleInvalidAddressPrefix", at(source, "999.1.1.1/8")],
    ]);
  });

  it("a PowerShell script", async () => {
    const source = {
      file: "deploy.ps1",
      text: "$r = New-AzNetworkSecurityRuleConfig -Name r1 -Access Allow -Protocol Tcp -Direction Inbound -Priority 100 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 443-80\nNew-AzNetworkSecurityGroup -Name web -ResourceGroupName rg -Location westeurope -SecurityRules $r\n",
    };
    expect(errors((await importSources([source])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "SecurityRuleInvalidPortRange",
        location: at(source, "443-80"),
      }),
    ]);
  });

  it("Terraform", async () => {
    const source = {
      file: "main.tf",
      text: `resource "azurerm_network_security_group" "web" {
  name = "web"
  security_rule {
    name                       = "r1"
    priority                   = 99999
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "*"
    destination_address_prefix = "*"
  }
}
`,
    };
    expect(errors((await importSources([source])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "SecurityRuleInvalidPriority",
        location: at(source, "99999"),
      }),
    ]);
  });
});

describe("a network a script only names", () => {
  const script = {
    file: "deploy.sh",
    text: "az network nsg create -g rg -n web\naz network vnet subnet update -g rg --vnet-name vnet -n app --network-security-group web\n",
  };

  it("is written as a stub to complete: its missing address space is the importer's note", async () => {
    const result = await importSources([script]);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toContain("PlaceholderVirtualNetwork");
  });

  it("in a template's child resources is named where it is first named", async () => {
    const template = {
      file: "azuredeploy.json",
      text: `${JSON.stringify(
        {
          $schema:
            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
          contentVersion: "1.0.0.0",
          resources: [
            {
              type: "Microsoft.Network/virtualNetworks/subnets",
              apiVersion: "2023-09-01",
              name: "app-vnet/web",
              properties: { addressPrefix: "10.30.1.0/24" },
            },
          ],
        },
        null,
        2,
      )}\n`,
    };
    const result = await importSources([template]);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: "info",
        code: "PlaceholderVirtualNetwork",
        location: at(template, "{", '"resources"'),
      }),
    );
    expect(result.topology.virtualNetworks).toEqual([
      expect.objectContaining({ name: "app-vnet", addressSpace: { addressPrefixes: [] } }),
    ]);
  });

  it("merges into the network another file declares", async () => {
    const vnet = {
      file: "vnet.json",
      text: JSON.stringify({
        type: "Microsoft.Network/virtualNetworks",
        name: "vnet",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "app", properties: { addressPrefix: "10.0.1.0/24" } }],
        },
      }),
    };
    const result = await importSources([script, vnet]);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.topology.virtualNetworks).toEqual([
      expect.objectContaining({
        name: "vnet",
        subnets: [{ name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "web" }],
      }),
    ]);
  });
});

describe("files that disagree", () => {
  it("a subnet's NSG in one file and another NSG in the other is an error at the second", async () => {
    const script = {
      file: "deploy.sh",
      text: "az network nsg create -g rg -n web\naz network vnet subnet update -g rg --vnet-name vnet -n app --network-security-group web\n",
    };
    const vnet = {
      file: "vnet.json",
      text: JSON.stringify({
        type: "Microsoft.Network/virtualNetworks",
        name: "vnet",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            {
              name: "app",
              properties: { addressPrefix: "10.0.1.0/24", networkSecurityGroup: { id: "other" } },
            },
          ],
        },
      }),
    };
    expect(errors((await importSources([vnet, script])).diagnostics)).toEqual([
      expect.objectContaining({
        code: "ConflictingImports",
        location: at(script, "web", "--network-security-group"),
      }),
    ]);
  });
});

describe("an interface a script gives an NSG but does not create", () => {
  const script = {
    file: "deploy.sh",
    text: "az network nsg create -g rg -n web\naz network nic update -g rg -n vm1-nic --network-security-group web\n",
  };
  const vnet = {
    file: "vnet.json",
    text: JSON.stringify([
      {
        type: "Microsoft.Network/virtualNetworks",
        name: "vnet",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "app", properties: { addressPrefix: "10.0.1.0/24" } }],
        },
      },
      {
        type: "Microsoft.Network/networkInterfaces",
        name: "vm1-nic",
        properties: {
          ipConfigurations: [
            {
              name: "ipconfig1",
              properties: {
                privateIPAllocationMethod: "Static",
                privateIPAddress: "10.0.1.4",
                subnet: {
                  id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app",
                },
              },
            },
          ],
        },
      },
    ]),
  };

  it("is not written without IP configurations (which check rejects): its NSG is left out, by name", async () => {
    const result = await importSources([script]);
    expect(result.spec).toBeUndefined();
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "NetworkInterfaceNotDeclared",
        location: at(script, "vm1-nic"),
      }),
    ]);
    const partial = await importSources([script], { allowPartial: true });
    expect(partial.topology.networkInterfaces).toEqual([]);
    expect(partial.partial).toEqual([
      expect.objectContaining({ what: 'the NSG of network interface "vm1-nic"' }),
    ]);
  });

  it("merges into the interface another file declares", async () => {
    const result = await importSources([script, vnet]);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.topology.networkInterfaces).toEqual([
      expect.objectContaining({ name: "vm1-nic", networkSecurityGroup: "web" }),
    ]);
    expect(result.spec).toContain("networkSecurityGroup: web");
  });
});
