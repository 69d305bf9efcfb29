import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { exampleTopology } from "../../../test/support/spec.js";
import { refName, type SecurityRule, type Topology } from "../../model/types.js";
import { exportAzPowerShell, psQuote } from "./export.js";
import { importPowerShell } from "./import.js";

describe("Az PowerShell export", () => {
  it("quotes values literally", () => {
    expect(psQuote("it's $HOME")).toBe("'it''s $HOME'");
  });

  it("round-trips the seed's NSG and its subnet through the PowerShell importer", () => {
    const topology = exampleTopology("layered-ase");
    const back = importPowerShell(exportAzPowerShell(topology), "export.ps1");
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const nsg = back.topology.networkSecurityGroups[0];
    expect(nsg?.securityRules).toEqual(topology.networkSecurityGroups[0]?.securityRules);
    expect(back.topology.virtualNetworks[0]?.subnets).toEqual([
      {
        name: "API-ASE-Subnet",
        addressPrefix: "10.0.4.0/24",
        networkSecurityGroup: "RestrictBackendApi",
      },
    ]);
  });

  it("gives each NSG and ASG a variable of its own, whatever characters their names differ in", () => {
    const rule = (name: string, asg: string): SecurityRule => ({
      name,
      protocol: "Tcp",
      access: "Deny",
      priority: 100,
      direction: "Inbound",
      sourceApplicationSecurityGroups: [asg],
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "22",
    });
    const names = ["a-b", "a_b", "a.b", "A-B2", "a_b_2"];
    const topology: Topology = {
      virtualNetworks: [
        {
          name: "v",
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: names.slice(0, 3).map((n, i) => ({
            name: `s${i}`,
            addressPrefix: `10.0.${i}.0/24`,
            networkSecurityGroup: n,
          })),
        },
      ],
      applicationSecurityGroups: names.map((name) => ({ name })),
      networkInterfaces: [],
      environments: [],
      networkSecurityGroups: names.map((name, i) => ({
        name,
        securityRules: [rule(`r${i}`, names[(i + 1) % names.length] as string)],
      })),
    };
    const back = importPowerShell(exportAzPowerShell(topology), "export.ps1");
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(back.topology.networkSecurityGroups.map((n) => n.name)).toEqual(names);
    expect(back.topology.networkSecurityGroups.map((n) => n.securityRules)).toEqual(
      topology.networkSecurityGroups.map((n) => n.securityRules),
    );
    expect(back.topology.virtualNetworks[0]?.subnets.map((s) => s.networkSecurityGroup)).toEqual([
      "a-b",
      "a_b",
      "a.b",
    ]);
  });

  it("round-trips plural prefixes, port lists, descriptions with quotes and both directions", () => {
    const topology: Topology = {
      virtualNetworks: [],
      applicationSecurityGroups: [],
      networkInterfaces: [],
      environments: [],
      networkSecurityGroups: [
        {
          name: "edge",
          securityRules: [
            {
              name: "a",
              description: "partner's range",
              protocol: "Udp",
              access: "Deny",
              priority: 150,
              direction: "Outbound",
              sourceAddressPrefix: "*",
              sourcePortRange: "*",
              destinationAddressPrefixes: ["192.0.2.0/25", "198.51.100.128/25"],
              destinationPortRanges: ["53", "5000-5010"],
            },
            {
              name: "b",
              protocol: "*",
              access: "Allow",
              priority: 4096,
              direction: "Inbound",
              sourceAddressPrefix: "VirtualNetwork",
              sourcePortRanges: ["1024-2047", "4096-65535"],
              destinationAddressPrefix: "VirtualNetwork",
              destinationPortRange: "*",
            },
          ],
        },
      ],
    };
    const back = importPowerShell(exportAzPowerShell(topology), "export.ps1");
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(back.topology.networkSecurityGroups[0]?.securityRules).toEqual(
      topology.networkSecurityGroups[0]?.securityRules,
    );
  });

  it("names application security groups by the objects Az expects", () => {
    const script = exportAzPowerShell(exampleTopology("asg-tiers"));
    expect(script).toContain(
      "$asg_web = Get-AzApplicationSecurityGroup -Name 'web' -ResourceGroupName $ResourceGroupName",
    );
    expect(script).toContain("-SourceApplicationSecurityGroup $asg_web -SourcePortRange '*'");
    expect(script).toContain(
      "-DestinationApplicationSecurityGroup $asg_api -DestinationPortRange '8443'",
    );
  });

  it("round-trips random NSGs with application security groups, IPv4 and IPv6, plural prefixes and ports", () => {
    fc.assert(
      fc.property(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), (rules) => {
        const topology = nsgLevelTopology(rules);
        const back = importPowerShell(exportAzPowerShell(topology), "export.ps1");
        expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
        expect(back.topology.applicationSecurityGroups.map((a) => a.name)).toEqual([
          ...NSG_LEVEL_ASGS,
        ]);
        expect(
          back.topology.networkSecurityGroups.map((n) => n.securityRules.map(asDeployed)),
        ).toEqual(topology.networkSecurityGroups.map((n) => n.securityRules.map(asDeployed)));
      }),
      { seed: 20240504, numRuns: 100 },
    );
  });

  it("imports application security groups created in the script, by object or by id", () => {
    const script = [
      "$web = New-AzApplicationSecurityGroup -Name web -ResourceGroupName rg -Location westeurope",
      "$rule = New-AzNetworkSecurityRuleConfig -Name web-in -Access Allow -Protocol Tcp -Direction Inbound -Priority 100 `",
      "  -SourceAddressPrefix Internet -SourcePortRange * -DestinationApplicationSecurityGroup $web -DestinationPortRange 443",
      "$nsg = New-AzNetworkSecurityGroup -Name web-nsg -ResourceGroupName rg -Location westeurope -SecurityRules $rule",
      "$nsg | Add-AzNetworkSecurityRuleConfig -Name db-out -Access Allow -Protocol Tcp -Direction Outbound -Priority 110 `",
      "  -SourceApplicationSecurityGroupId '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/web' `",
      "  -SourcePortRange * -DestinationAddressPrefix 10.0.2.0/24 -DestinationPortRange 1433",
      "New-AzNetworkSecurityRuleConfig -Name bad -Access Allow -Protocol Tcp -Direction Inbound -Priority 120 -SourceApplicationSecurityGroup 'web' -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80",
    ].join("\n");
    const r = importPowerShell(script, "asg.ps1");
    expect(r.topology.applicationSecurityGroups).toEqual([{ name: "web", location: "westeurope" }]);
    expect(r.topology.networkSecurityGroups[0]?.securityRules).toEqual([
      {
        name: "web-in",
        protocol: "Tcp",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
        destinationApplicationSecurityGroups: ["web"],
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationPortRange: "443",
      },
      {
        name: "db-out",
        protocol: "Tcp",
        access: "Allow",
        priority: 110,
        direction: "Outbound",
        sourceApplicationSecurityGroups: [
          {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/web",
          },
        ],
        sourcePortRange: "*",
        destinationAddressPrefix: "10.0.2.0/24",
        destinationPortRange: "1433",
      },
    ]);
    // A name where Az wants the group itself is an error, at the value.
    expect(
      r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`),
    ).toEqual(["error InvalidParameterValue 8:136"]);
  });
});

/** A rule as Azure holds it: one value in the singular property, enum values in canonical case, ASGs by name. */
function asDeployed(rule: SecurityRule): Record<string, unknown> {
  const canonical = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "Allow", "Deny", "Inbound", "Outbound"];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) {
    if (v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (k.endsWith("ApplicationSecurityGroups")) out[k] = (v as []).map(refName);
    else if (Array.isArray(v) && v.length === 1)
      out[k.endsWith("Prefixes") ? k.slice(0, -2) : k.slice(0, -1)] = v[0];
    else
      out[k] =
        typeof v === "string"
          ? (canonical.find((c) => c.toLowerCase() === v.toLowerCase()) ?? v)
          : v;
  }
  return out;
}
