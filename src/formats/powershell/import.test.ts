import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { loadSpec } from "../../specfile/load.js";
import { importPowerShell } from "./import.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const EXAMPLE = resolve(ROOT, "examples/layered-ase");
const seed = sharedFile("seed/000_e6dd8f84f2cb0b33.txt");

/** The guide's PowerShell blocks, every other line blanked so that line numbers match the document. */
function seedScript(): string {
  let inside = false;
  return readFileSync(seed.path, "utf8")
    .split("\n")
    .map((line) => {
      if (line.startsWith("```")) {
        inside = line.startsWith("```azurepowershell");
        return "";
      }
      return inside ? line : "";
    })
    .join("\n");
}

const codes = (diagnostics: readonly Diagnostic[], code: string) =>
  diagnostics.filter((d) => d.code === code);

/**
 * What importing the guide's classic script must give: the example's
 * RestrictBackendApi rule by rule, on API-ASE-Subnet of a placeholder network.
 * `address` maps the example's source addresses to those the script writes.
 */
function classicScriptTests(
  file: string,
  script: () => string,
  address: (example: string) => string = (a) => a,
): void {
  let text = "";
  let lines: string[] = [];
  let imported: ReturnType<typeof importPowerShell>;
  beforeAll(() => {
    text = script();
    lines = text.split("\n");
    imported = importPowerShell(text, file);
  });

  it("reads every statement, with no errors or warnings", () => {
    expect(imported.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("imports RestrictBackendApi rule by rule as the example has it", () => {
    const { topology } = imported;
    const loaded = loadSpec(resolve(EXAMPLE, "tierwall.yaml"));
    const expected = loaded.spec?.topology.networkSecurityGroups.find(
      (n) => n.name === "RestrictBackendApi",
    );
    expect(expected).toBeDefined();
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["RestrictBackendApi"]);
    const nsg = topology.networkSecurityGroups[0];
    expect(nsg?.location).toBe("South Central US");
    const rules = nsg?.securityRules ?? [];
    const example = expected?.securityRules ?? [];
    expect(rules.map((r) => r.name)).toEqual(example.map((r) => r.name));
    example.forEach((want, i) => {
      const got = rules[i];
      expect(got).toBeDefined();
      if (!got) return;
      expect(got.priority).toBe(want.priority);
      expect(got.direction).toBe(want.direction);
      expect(got.access).toBe(want.access);
      expect(got.protocol).toBe(want.protocol);
      expect(got.sourcePortRange).toBe(want.sourcePortRange);
      expect(got.destinationAddressPrefix).toBe(want.destinationAddressPrefix);
      expect(got.destinationPortRange).toBe(want.destinationPortRange);
      expect(got.sourceAddressPrefix).toBe(address(want.sourceAddressPrefix ?? ""));
      expect(got.sourceAddressPrefixes).toBeUndefined();
    });
    // The classic INTERNET tag is spelt as Resource Manager spells it.
    expect(rules[0]?.sourceAddressPrefix).toBe("Internet");
    expect(text).toContain("'INTERNET'");
  });

  it("applies the NSG to API-ASE-Subnet of a placeholder virtual network", () => {
    const { topology, diagnostics } = imported;
    expect(topology.virtualNetworks).toEqual([
      {
        name: "yourvnetnamehere",
        addressSpace: { addressPrefixes: [] },
        subnets: [{ name: "API-ASE-Subnet", networkSecurityGroup: "RestrictBackendApi" }],
      },
    ]);
    const placeholder = codes(diagnostics, "PlaceholderVirtualNetwork");
    expect(placeholder).toHaveLength(1);
    expect(placeholder[0]?.severity).toBe("info");
    const line = placeholder[0]?.location?.line ?? 0;
    expect(lines[line - 1]).toContain("-VirtualNetworkName 'yourvnetnamehere'");
  });

  it("reports each renamed rule at its name", () => {
    const renamed = codes(imported.diagnostics, "RenamedForResourceManager");
    expect(renamed).toHaveLength(9);
    for (const d of renamed) {
      expect(d.severity).toBe("info");
      expect(d.location?.file).toBe(file);
      const { line = 0, column = 0 } = d.location ?? {};
      const original = /"(ALLOW [^"]+)"/.exec(lines[line - 1]?.slice(column - 1) ?? "")?.[1];
      expect(original).toBeDefined();
      expect(lines[line - 1]?.[column - 1]).toBe('"');
      expect(d.message).toContain(JSON.stringify(original));
      expect(d.message).toContain(JSON.stringify(original?.replace(/ /g, "-")));
    }
    expect(renamed[0]?.location).toEqual({
      file,
      line: lines.findIndex((l) => l.includes('"ALLOW AzureMngmt"')) + 1,
      column: (lines.find((l) => l.includes('"ALLOW AzureMngmt"')) ?? "").indexOf('"ALLOW') + 1,
    });
  });
}

describe("PowerShell import: the guide's classic cmdlets, as the example writes them", () => {
  classicScriptTests("guide.ps1", () => readFileSync(resolve(EXAMPLE, "guide.ps1"), "utf8"));

  it("keeps the guide's line wraps: statements end where the next line starts with a command", () => {
    const text = readFileSync(resolve(EXAMPLE, "guide.ps1"), "utf8");
    // A wrapped line ends with a space, and its command goes on at the next line's parameter.
    expect(text).toMatch(/"ALLOW HTTP fe1ase" \n-Type Inbound/);
    expect(text).toMatch(/'198\.51\.100\.11' {2}-SourcePortRange/);
  });
});

describe.skipIf(seed.missing !== undefined)(
  titled("PowerShell import: the guide's own script", seed.missing),
  () => {
    // The guide's placeholders stand for the example's documentation addresses.
    const placeholders: Record<string, string> = {
      "198.51.100.11": "65.52.xx.xyz", // fe1ase
      "198.51.100.22": "191.238.xyz.abc", // fe2ase
      "198.51.100.33": "23.98.abc.xyz", // fe3ase
      "203.0.113.40": "70.37.xyz.abc", // apiase
    };
    classicScriptTests("seed.md", seedScript, (a) => placeholders[a] ?? a);
  },
);

describe("PowerShell import: the Az module", () => {
  it("builds an NSG from rule configs, with plural prefixes and arrays", () => {
    const script = [
      '$rg = "rg-web"',
      '$location = "westeurope"',
      "$rule1 = New-AzNetworkSecurityRuleConfig -Name web-rule -Description 'Allow HTTP' `",
      "  -Access Allow -Protocol TCP -Direction Inbound -Priority 100 `",
      "  -SourceAddressPrefix Internet -SourcePortRange * `",
      '  -DestinationAddressPrefix "10.0.1.0/24","10.0.2.0/24" -DestinationPortRange @("80", "443")',
      "$rule2 = New-AzNetworkSecurityRuleConfig -Name rdp-rule -Access Deny -Protocol * -Direction Inbound -Priority 200 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix VirtualNetwork -DestinationPortRange 3389",
      '$nsg = New-AzNetworkSecurityGroup -ResourceGroupName $rg -Location $location -Name "nsg-$rg" `',
      "  -SecurityRules $rule1,$rule2",
    ].join("\n");
    const { topology, diagnostics } = importPowerShell(script, "az.ps1");
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups).toEqual([
      {
        name: "nsg-rg-web",
        location: "westeurope",
        securityRules: [
          {
            name: "web-rule",
            description: "Allow HTTP",
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "Internet",
            sourcePortRange: "*",
            destinationAddressPrefixes: ["10.0.1.0/24", "10.0.2.0/24"],
            destinationPortRanges: ["80", "443"],
          },
          {
            name: "rdp-rule",
            protocol: "*",
            access: "Deny",
            priority: 200,
            direction: "Inbound",
            sourceAddressPrefix: "*",
            sourcePortRange: "*",
            destinationAddressPrefix: "VirtualNetwork",
            destinationPortRange: "3389",
          },
        ],
      },
    ]);
  });

  it("adds rules to the NSG a variable holds and associates it with a subnet", () => {
    const script = [
      "# an NSG fetched, extended and applied",
      "$nsg = New-AzNetworkSecurityGroup -Name app-nsg -ResourceGroupName rg -Location eastus",
      "Add-AzNetworkSecurityRuleConfig -NetworkSecurityGroup $nsg -Name allow-sql -Access Allow `",
      "  -Protocol Tcp -Direction Inbound -Priority 300 -SourceAddressPrefix 10.0.1.0/24 `",
      "  -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 1433 | Set-AzNetworkSecurityGroup",
      "$nsg | Add-AzNetworkSecurityRuleConfig -Name deny-out -Access Deny -Protocol Udp -Direction Outbound -Priority 4000 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix Internet -DestinationPortRange 0-65535; $nsg | Set-AzNetworkSecurityGroup",
      "$vnet = Get-AzVirtualNetwork -Name app-vnet -ResourceGroupName rg",
      "Set-AzVirtualNetworkSubnetConfig -Name data -VirtualNetwork $vnet -AddressPrefix 10.0.2.0/24 -NetworkSecurityGroup $nsg",
      "$vnet | Set-AzVirtualNetwork",
      "Set-AzVirtualNetworkSubnetConfig -Name web -VirtualNetwork $other -AddressPrefix 10.1.0.0/24 -NetworkSecurityGroup $nsg | Set-AzVirtualNetwork",
    ].join("\n");
    const { topology, diagnostics } = importPowerShell(script, "az.ps1");
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const nsg = topology.networkSecurityGroups[0];
    expect(nsg?.name).toBe("app-nsg");
    expect(nsg?.securityRules.map((r) => [r.name, r.priority, r.direction, r.protocol])).toEqual([
      ["allow-sql", 300, "Inbound", "Tcp"],
      ["deny-out", 4000, "Outbound", "Udp"],
    ]);
    expect(nsg?.securityRules[0]?.sourceAddressPrefix).toBe("10.0.1.0/24");
    expect(topology.virtualNetworks).toEqual([
      {
        name: "app-vnet",
        addressSpace: { addressPrefixes: [] },
        subnets: [{ name: "data", addressPrefix: "10.0.2.0/24", networkSecurityGroup: "app-nsg" }],
      },
      {
        name: "other",
        addressSpace: { addressPrefixes: [] },
        subnets: [{ name: "web", addressPrefix: "10.1.0.0/24", networkSecurityGroup: "app-nsg" }],
      },
    ]);
    expect(codes(diagnostics, "VirtualNetworkNamedAfterVariable")[0]?.location).toEqual({
      file: "az.ps1",
      line: 10,
      column: (script.split("\n")[9]?.indexOf("$other") ?? 0) + 1,
    });
    expect(codes(diagnostics, "PlaceholderVirtualNetwork")).toHaveLength(2);
  });

  it("applies a subnet change only when Set-AzVirtualNetwork saves the network, as Azure does", () => {
    const script = [
      "$nsg = New-AzNetworkSecurityGroup -Name n -ResourceGroupName rg -Location eastus",
      "$s = New-AzVirtualNetworkSubnetConfig -Name a -AddressPrefix 10.0.0.0/24",
      "$vnet = New-AzVirtualNetwork -Name v -ResourceGroupName rg -Location eastus -AddressPrefix 10.0.0.0/16 -Subnet $s",
      "Set-AzVirtualNetworkSubnetConfig -VirtualNetwork $vnet -Name a -AddressPrefix 10.0.0.0/24 -NetworkSecurityGroup $nsg",
      "$saved = Get-AzVirtualNetwork -Name w -ResourceGroupName rg",
      "Add-AzVirtualNetworkSubnetConfig -VirtualNetwork $saved -Name b -AddressPrefix 10.1.0.0/24 -NetworkSecurityGroup $nsg",
      "Set-AzVirtualNetwork -VirtualNetwork $saved",
    ].join("\n");
    const { topology, diagnostics } = importPowerShell(script, "az.ps1");
    expect(topology.virtualNetworks.map((v) => [v.name, v.subnets])).toEqual([
      ["v", [{ name: "a", addressPrefix: "10.0.0.0/24" }]],
      ["w", [{ name: "b", addressPrefix: "10.1.0.0/24", networkSecurityGroup: "n" }]],
    ]);
    const unsaved = codes(diagnostics, "SubnetChangeNotSaved");
    expect(unsaved.map((d) => [d.severity, d.location?.line])).toEqual([["info", 4]]);
    expect(unsaved[0]?.message).toBe(
      'Set-AzVirtualNetworkSubnetConfig changes the virtual network object only, and no later Set-AzVirtualNetwork saves "v": Azure never gets subnet "a" with NSG "n", so it is not imported',
    );
  });

  it("builds a virtual network with its subnets", () => {
    const script = [
      "$nsg = New-AzNetworkSecurityGroup -Name n -ResourceGroupName rg -Location eastus",
      "$s = New-AzVirtualNetworkSubnetConfig -Name a -AddressPrefix 10.0.0.0/24 -NetworkSecurityGroup $nsg",
      "New-AzVirtualNetwork -Name v -ResourceGroupName rg -Location eastus -AddressPrefix 10.0.0.0/16 -Subnet $s",
    ].join("\n");
    const { topology, diagnostics } = importPowerShell(script, "az.ps1");
    expect(diagnostics).toEqual([]);
    expect(topology.virtualNetworks).toEqual([
      {
        name: "v",
        location: "eastus",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "a", addressPrefix: "10.0.0.0/24", networkSecurityGroup: "n" }],
      },
    ]);
  });
});

describe("PowerShell import: bad input", () => {
  it("reports an unknown cmdlet at its line and column, and goes on", () => {
    const script = [
      "New-AzureNetworkSecurityGroup -Name n -Location 'West US'",
      "  Remove-AzureNetworkSecurityGroup -Name n",
      "foreach ($x in $y) { Write-Host $x }",
      "$n = n; exit",
    ].join("\n");
    const { topology, diagnostics } = importPowerShell(script, "bad.ps1");
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["n"]);
    const unsupported = codes(diagnostics, "UnsupportedStatement");
    expect(unsupported.map((d) => [d.severity, d.location])).toEqual([
      ["warning", { file: "bad.ps1", line: 2, column: 3 }],
      ["warning", { file: "bad.ps1", line: 3, column: 1 }],
      ["warning", { file: "bad.ps1", line: 4, column: 9 }],
    ]);
    expect(unsupported[0]?.message).toContain("Remove-AzureNetworkSecurityGroup");
    expect(unsupported[1]?.message).toContain("foreach");
  });

  it("reports a parameter without a value as an error at the parameter", () => {
    const script = [
      "$r = New-AzNetworkSecurityRuleConfig -Name r -Access Allow -Protocol Tcp -Direction Inbound `",
      "  -Priority -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80",
    ].join("\n");
    const { diagnostics } = importPowerShell(script, "bad.ps1");
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => [d.code, d.location])).toEqual([
      ["MissingParameterValue", { file: "bad.ps1", line: 2, column: 3 }],
    ]);
    expect(errors[0]?.message).toContain("-Priority");
  });

  it("reports a malformed value, a missing list element and an unterminated string", () => {
    const line =
      "Get-AzureNetworkSecurityGroup -Name n | Set-AzureNetworkSecurityRule -Name r -Type Inbound -Priority high -Action Allow -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80 -Protocol TCP";
    const priority = importPowerShell(line, "bad.ps1").diagnostics.filter(
      (d) => d.severity === "error",
    );
    expect(priority.map((d) => [d.code, d.location?.column])).toEqual([
      ["InvalidParameterValue", line.indexOf("high") + 1],
    ]);
    const list = importPowerShell(
      "New-AzNetworkSecurityGroup -Name n -SecurityRules $a,",
      "bad.ps1",
    ).diagnostics;
    expect(list.map((d) => [d.code, d.severity, d.location?.line])).toEqual([
      ["MissingParameterValue", "error", 1],
    ]);
    const quote = importPowerShell("New-AzureNetworkSecurityGroup -Name 'n", "bad.ps1").diagnostics;
    expect(quote[0]).toMatchObject({
      code: "UnterminatedString",
      severity: "error",
      location: { line: 1, column: 37 },
    });
  });
});

describe("PowerShell import: what the model does not hold", () => {
  it("names New-AzVM's simple parameter set, which makes a network, and counts a VM built from a configuration", () => {
    const script = [
      "New-AzVM -ResourceGroupName rg -Name vm1 -Image Ubuntu2204 -OpenPorts 22",
      "$config = New-AzVMConfig -VMName vm2 -VMSize Standard_B1s",
      "New-AzVM -ResourceGroupName rg -Location eastus -VM $config",
      "New-AzFirewall -Name fw -ResourceGroupName rg -Location eastus",
    ].join("\n");
    const { diagnostics } = importPowerShell(script, "vm.ps1");
    expect(diagnostics.map((d) => [d.code, d.location?.line, d.message])).toEqual([
      [
        "NotModelled",
        1,
        "New-AzVM without -VM makes a virtual network, a network interface, a public IP and an NSG with the ports of -OpenPorts, none of which is read",
      ],
      [
        "NotModelled",
        4,
        "New-AzFirewall: Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it",
      ],
    ]);
  });
});
