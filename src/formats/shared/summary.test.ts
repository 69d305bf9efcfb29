/**
 * Every resource an import reads is counted and stands somewhere: modelled,
 * read but not modelled (named with what it may change), deciding no packet,
 * or not known to tierwall (named); what is left out is listed with why. An
 * import that gives nothing at all is an error.
 */
import { describe, expect, it } from "vitest";
import { importSources, type SourceFile } from "../catalog.js";
import { summaryText } from "./summary.js";

const template: SourceFile = {
  file: "main.json",
  text: JSON.stringify(
    {
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "web",
          properties: { securityRules: [] },
        },
        {
          type: "Microsoft.Network/firewallPolicies",
          name: "policy",
          properties: {},
          resources: [{ type: "ruleCollectionGroups", name: "dnat", properties: {} }],
        },
        { type: "Microsoft.Network/azureFirewalls", name: "fw", properties: {} },
        { type: "Microsoft.Compute/virtualMachines", name: "vm1", properties: {} },
        { type: "Microsoft.Compute/virtualMachines", name: "vm2", properties: {} },
        { type: "Microsoft.Network/frobnicators", name: "f", properties: {} },
        {
          type: "Microsoft.Network/networkInterfaces",
          name: "appliance-nic",
          properties: {
            enableIPForwarding: true,
            ipConfigurations: [
              {
                name: "c",
                properties: {
                  privateIPAllocationMethod: "Static",
                  privateIPAddress: "[parameters('address')]",
                  subnet: { id: "x" },
                },
              },
            ],
          },
        },
      ],
      parameters: { address: { type: "string" } },
    },
    null,
    2,
  ),
};

describe("the import summary", () => {
  it("counts every resource, names those not modelled, and lists what is left out", async () => {
    const result = await importSources([template]);
    const named = result.diagnostics
      .filter((d) => d.code === "NotModelled" || d.code === "UnknownResourceType")
      .map((d) => [d.severity, d.code, d.location?.line, d.message]);
    // Where the resource's object opens: the line before its type (a 0-based index is that line).
    const line = (needle: string) => template.text.split("\n").findIndex((l) => l.includes(needle));
    expect(named).toEqual([
      [
        "warning",
        "NotModelled",
        line('"type": "Microsoft.Network/firewallPolicies"'),
        'resources[1]: Microsoft.Network/firewallPolicies "policy": Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it',
      ],
      [
        "warning",
        "NotModelled",
        line('"type": "ruleCollectionGroups"'),
        'resources[1].resources[0]: Microsoft.Network/firewallPolicies/ruleCollectionGroups "dnat": Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it',
      ],
      [
        "warning",
        "NotModelled",
        line('"type": "Microsoft.Network/azureFirewalls"'),
        'resources[2]: Microsoft.Network/azureFirewalls "fw": Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it',
      ],
      [
        "warning",
        "UnknownResourceType",
        line('"type": "Microsoft.Network/frobnicators"'),
        "resources[5]: Microsoft.Network/frobnicators is not known to tierwall; what it changes in reachability is not read",
      ],
      [
        "warning",
        "NotModelled",
        line('"enableIPForwarding"') + 1,
        'resources[6].properties.enableIPForwarding: IP forwarding on network interface "appliance-nic" is not modelled; it lets the interface forward packets for other addresses, as an appliance does, on paths the spec does not show',
      ],
    ]);
    const [summary] = result.summary;
    expect(summary).toMatchObject({
      source: "main.json",
      unit: "resources",
      read: 8,
      imported: { networkSecurityGroups: 1, securityRules: 0 },
      modelled: [
        { type: "Microsoft.Network/networkSecurityGroups", count: 1 },
        { type: "Microsoft.Network/networkInterfaces", count: 1 },
      ],
      notModelled: [
        { type: "Microsoft.Network/firewallPolicies", count: 1 },
        { type: "Microsoft.Network/firewallPolicies/ruleCollectionGroups", count: 1 },
        { type: "Microsoft.Network/azureFirewalls", count: 1 },
      ],
      notRelevant: [{ type: "Microsoft.Compute/virtualMachines", count: 2 }],
      unknown: [{ type: "Microsoft.Network/frobnicators", count: 1 }],
    });
    expect(summary?.leftOut.map((l) => l.what)).toContain(
      'IP configuration "c" of network interface "appliance-nic"',
    );
    expect(summary && summaryText(summary)).toBe(
      [
        "main.json: 8 resources read; imported 1 NSG with 0 rules",
        "  not modelled (named above): Microsoft.Network/firewallPolicies, Microsoft.Network/firewallPolicies/ruleCollectionGroups, Microsoft.Network/azureFirewalls",
        "  not known to tierwall: Microsoft.Network/frobnicators",
        "  deciding no packet: Microsoft.Compute/virtualMachines ×2",
        `  left out: ${summary?.leftOut.map((l) => `${l.what} (${l.code})`).join("; ")}`,
      ].join("\n"),
    );
  });

  it("an import that gives nothing is an error, with what was read", async () => {
    const vms: SourceFile = {
      file: "vms.json",
      text: JSON.stringify({
        resources: [{ type: "Microsoft.Compute/virtualMachines", name: "vm1", properties: {} }],
      }),
    };
    const result = await importSources([vms]);
    expect(result.spec).toBeUndefined();
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "NothingImported",
        location: { file: "vms.json", line: 1, column: 1 },
        message:
          "nothing to import: the sources hold no NSG, virtual network, network interface or application security group tierwall reads (vms.json: 1 resources read)",
      }),
    ]);
  });
});
