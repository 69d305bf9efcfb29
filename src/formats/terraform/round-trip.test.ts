import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { normalNics, normalRule, refKey } from "../../../test/support/round-trip.js";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { loadSpec } from "../../specfile/load.js";
import { exportTerraform } from "./export.js";
import { importTerraform } from "./import.js";

const problems = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity !== "info");

/** The model with references reduced to names and one-element prefix lists to their element. */
function normal(t: Topology) {
  return {
    nsgs: t.networkSecurityGroups.map((n) => ({
      name: n.name,
      // azurerm validates protocol, access and direction spellings, so the export writes Azure's.
      rules: n.securityRules.map((r) => normalRule(r, true)),
    })),
    asgs: t.applicationSecurityGroups.map((a) => a.name),
    vnets: t.virtualNetworks.map((v) => ({
      name: v.name,
      space: v.addressSpace.addressPrefixes,
      subnets: v.subnets.map((s) => ({
        name: s.name,
        prefixes: s.addressPrefixes ?? [s.addressPrefix],
        nsg: s.networkSecurityGroup === undefined ? undefined : refKey(s.networkSecurityGroup),
      })),
      peerings: (v.virtualNetworkPeerings ?? []).map((p) => refKey(p.remoteVirtualNetwork)),
    })),
    nics: normalNics(t),
  };
}

const roundTrip = async (topology: Topology) => {
  const text = exportTerraform(topology);
  const back = await importTerraform([{ file: "main.tf", text }]);
  return { text, back };
};

describe("Terraform export, imported back", () => {
  for (const example of ["layered-ase", "asg-tiers", "three-tier"]) {
    it(`gives back ${example}, which loads as a valid spec`, async () => {
      const topology = loadSpec(`examples/${example}/tierwall.yaml`).spec?.topology as Topology;
      const { back } = await roundTrip(topology);
      expect(problems(back.diagnostics)).toEqual([]);
      expect(normal(back.topology)).toEqual(normal(topology));
    });
  }

  it("round-trips random NSGs over IPv4 and IPv6, with ASGs, plural prefixes and port lists", async () => {
    await fc.assert(
      fc.asyncProperty(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), async (rules) => {
        const topology = nsgLevelTopology(rules);
        const { back } = await roundTrip(topology);
        expect(problems(back.diagnostics)).toEqual([]);
        expect(normal(back.topology)).toEqual(normal(topology));
      }),
      { seed: 20240504, numRuns: 60 },
    );
  });

  it("round-trips any text in names and descriptions through HCL's escapes", async () => {
    const piece = fc.constantFrom(
      '"',
      "\\",
      "$",
      "{",
      "}",
      "%",
      "${",
      "%{",
      "$${",
      "\n",
      "\t",
      "\u0001",
      "é",
      "a",
      " ",
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 12 }).map((p) => p.join("")),
        async (description) => {
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
                    name: "r1",
                    ...(description === "" ? {} : { description }),
                    protocol: "Tcp",
                    access: "Allow",
                    priority: 100,
                    direction: "Inbound",
                    sourceAddressPrefix: "*",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRange: "443",
                  },
                ],
              },
            ],
          };
          const { back } = await roundTrip(topology);
          expect(problems(back.diagnostics)).toEqual([]);
          expect(back.topology.networkSecurityGroups[0]?.securityRules[0]?.description).toBe(
            description === "" ? undefined : description,
          );
        },
      ),
      { seed: 7, numRuns: 60 },
    );
  });

  it("writes a spec that loads without errors after the round trip", async () => {
    const topology = loadSpec("examples/asg-tiers/tierwall.yaml").spec?.topology as Topology;
    const { back } = await roundTrip(topology);
    const { writeSpec } = await import("../../specfile/write.js");
    const loaded = loadSpecText(writeSpec(back.topology, "round trip"));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
