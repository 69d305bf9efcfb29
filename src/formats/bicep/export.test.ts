import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { evaluateArm, expectSameAsArm, readBicep } from "../../../test/support/bicep.js";
import type { Topology } from "../../model/types.js";
import { loadSpec } from "../../specfile/load.js";
import { exportArm } from "../arm/export.js";
import { importArm } from "../arm/import.js";
import { bicepString, exportBicep } from "./export.js";

const example = (name: string): Topology => {
  const loaded = loadSpec(`examples/${name}/tierwall.yaml`);
  if (!loaded.spec) throw new Error(`${name} does not load`);
  return loaded.spec.topology;
};

describe("Bicep export", () => {
  // Bicep's interpolation looks like a template literal's: these strings are meant.
  const DOLLAR_BRACE = "$" + "{";

  it("escapes strings as Bicep reads them", () => {
    expect(bicepString("it's")).toBe("'it\\'s'");
    expect(bicepString("a\\b")).toBe("'a\\\\b'");
    expect(bicepString(`${DOLLAR_BRACE}x} $y {z}`)).toBe(`'\\${DOLLAR_BRACE}x} $y {z}'`);
    expect(bicepString("two\nlines\t\u0001")).toBe("'two\\nlines\\t\\u{1}'");
  });

  for (const name of ["layered-ase", "asg-tiers", "three-tier"])
    it(`writes ${name} as the same resources as the ARM template`, () => {
      expectSameAsArm(example(name));
    });

  it("writes symbolic references, a location parameter and API versions like the ARM template", () => {
    const text = exportBicep(example("asg-tiers"));
    expect(text).toContain("param location string = resourceGroup().location");
    expect(text).toContain(
      "resource nsgWorkloadNsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {",
    );
    expect(text).toContain(
      [
        "        properties: {",
        "          protocol: 'Tcp'",
        "          access: 'Allow'",
        "          priority: 200",
        "          direction: 'Inbound'",
        "          sourceApplicationSecurityGroups: [",
        "            {",
        "              id: asgWeb.id",
        "            }",
        "          ]",
        "          sourcePortRange: '*'",
      ].join("\n"),
    );
    expect(text).toContain("id: nsgWorkloadNsg.id");
    expect(text).toContain(`id: '${DOLLAR_BRACE}vnetTiersVnet.id}/subnets/workload'`);
    expect(text).not.toContain("dependsOn");
  });

  it("writes peerings as children of their network, and names outside the deployment by resourceId()", () => {
    const topology = nsgLevelTopology([
      {
        name: "r",
        protocol: "Tcp",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
        sourceAddressPrefix: "*",
        sourcePortRange: "*",
        destinationApplicationSecurityGroups: ["not-declared"],
        destinationPortRange: "443",
      },
    ]);
    const text = exportBicep(topology);
    expect(text).toContain("  parent: vnetHub\n  name: 'hub-to-spoke'");
    expect(text).toContain(
      "id: resourceId('Microsoft.Network/applicationSecurityGroups', 'not-declared')",
    );
    expectSameAsArm(topology);
  });

  it("keeps awkward names intact and symbols unique", () => {
    const odd = ["it's", "a\\b", `${DOLLAR_BRACE}x}`, "a-b", "A_B", "a.b", "ünï", "9", "[bracket"];
    const topology: Topology = {
      virtualNetworks: [],
      networkInterfaces: [],
      environments: [],
      applicationSecurityGroups: odd.map((name) => ({ name })),
      networkSecurityGroups: odd.map((name) => ({
        name,
        location: name,
        securityRules: [
          {
            name,
            description: `${name} "quoted" \n`,
            protocol: "*",
            access: "Deny",
            priority: 4096,
            direction: "Outbound",
            sourceApplicationSecurityGroups: [name],
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "*",
          },
        ],
      })),
    };
    const text = exportBicep(topology);
    const symbols = [...text.matchAll(/^resource (\w+) /gm)].map((m) => m[1]);
    expect(new Set(symbols.map((s) => s?.toLowerCase())).size).toBe(odd.length * 2);
    expect(symbols).toContain("asgAB");
    expect(symbols).toContain("asgAB2");
    expectSameAsArm(topology);
    // And it imports back: Bicep gives the template's resources, which import to the model.
    const back = importArm(
      JSON.stringify({ resources: readBicep(text).map((r) => r.resource) }),
      "b.json",
    );
    expect(back.topology.networkSecurityGroups.map((n) => n.securityRules[0]?.name)).toEqual(odd);
  });

  it("writes random NSGs (IPv4 and IPv6, ASGs, plural prefixes and ports) as the ARM template does", () => {
    fc.assert(
      fc.property(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), (rules) => {
        expectSameAsArm(nsgLevelTopology(rules));
      }),
      { seed: 20240502, numRuns: 100 },
    );
  });

  it("the reader would catch a wrong property name or a bad escape", () => {
    const text = exportBicep(example("asg-tiers"));
    const arm = evaluateArm(exportArm(example("asg-tiers"))).map((a) => a.resource);
    expect(
      readBicep(text.replace("sourcePortRange:", "sourcePortRanges:")).map((r) => r.resource),
    ).not.toEqual(arm);
    expect(() => readBicep(text.replace("'workload-nsg'", "'workload'nsg'"))).toThrow();
  });
});
