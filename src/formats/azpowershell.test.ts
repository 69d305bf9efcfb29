import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import type { Topology } from "../model/types.js";
import { exportAzPowerShell, psQuote } from "./azpowershell.js";
import { importPowerShell } from "./powershell.js";

const ROOT = resolve(import.meta.dirname, "../..");
const topologyOf = (example: string): Topology => {
  const spec = loadSpecText(
    readFileSync(join(ROOT, "examples", example, "tierwall.yaml"), "utf8"),
  ).spec;
  if (!spec) throw new Error(`${example} does not load`);
  return spec.topology;
};

describe("Az PowerShell export", () => {
  it("quotes values literally", () => {
    expect(psQuote("it's $HOME")).toBe("'it''s $HOME'");
  });

  it("round-trips the seed's NSG and its subnet through the PowerShell importer", () => {
    const topology = topologyOf("layered-ase");
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
    const script = exportAzPowerShell(topologyOf("asg-tiers"));
    expect(script).toContain(
      "$asg_web = Get-AzApplicationSecurityGroup -Name 'web' -ResourceGroupName $ResourceGroupName",
    );
    expect(script).toContain("-SourceApplicationSecurityGroup $asg_web -SourcePortRange '*'");
    expect(script).toContain(
      "-DestinationApplicationSecurityGroup $asg_api -DestinationPortRange '8443'",
    );
  });
});
