import { describe, expect, it } from "vitest";
import {
  HOSTILE_TEXTS,
  hostileTopology,
  LONE_SURROGATE,
  PLACEHOLDER,
} from "../../../test/support/hostile.js";
import {
  expectedReading,
  placeholderPaths,
  readExport,
} from "../../../test/support/hostile-round-trip.js";
import { exportTopology } from "../catalog.js";
import { exportArm } from "./export.js";
import { importArm } from "./import.js";

/** The rule's description as the template writes it. */
const written = (description: string): unknown => {
  const template = JSON.parse(exportArm(hostileTopology(description))) as {
    resources: { type: string; properties?: { securityRules?: { properties: object }[] } }[];
  };
  const nsg = template.resources.find((r) => r.type.endsWith("networkSecurityGroups"));
  const rule = nsg?.properties?.securityRules?.[0]?.properties as
    | { description?: string }
    | undefined;
  return rule?.description;
};

describe("ARM export of hostile text", () => {
  it("escapes a string ARM would read as an expression, and only such a string", () => {
    expect(written("[concat('a')]")).toBe("[[concat('a')]");
    expect(written("[]")).toBe("[[]");
    expect(written("[[x]")).toBe("[[[x]");
    // Not an expression (no closing bracket): ARM takes it as it is, so must the template.
    expect(written("[x")).toBe("[x");
    expect(written("x]")).toBe("x]");
  });

  it("reads `[[...]` as a literal starting with `[`, and `[[x` (not an expression) as it is", () => {
    const template = (description: string) =>
      JSON.stringify({
        resources: [
          {
            type: "Microsoft.Network/networkSecurityGroups",
            apiVersion: "2024-05-01",
            name: "n",
            properties: {
              securityRules: [
                {
                  name: "r",
                  properties: {
                    description,
                    protocol: "Tcp",
                    access: "Allow",
                    priority: 100,
                    direction: "Inbound",
                    sourceAddressPrefix: "*",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRange: "443",
                  },
                },
              ],
            },
          },
        ],
      });
    const description = (text: string) =>
      importArm(template(text), "t.json").topology.networkSecurityGroups[0]?.securityRules[0]
        ?.description;
    expect(description("[[x]")).toBe("[x]");
    expect(description("[[x")).toBe("[[x");
    expect(description("[x")).toBe("[x");
  });

  it("writes hidden characters as \\u escapes", () => {
    expect(exportArm(hostileTopology("a\u202eb\u200bc\u0085"))).toContain(
      '"description": "a\\u202eb\\u200bc\\u0085"',
    );
  });

  it("refuses half a surrogate pair", async () => {
    const result = await exportTopology("arm", hostileTopology(LONE_SURROGATE), "all");
    expect(result.text).toBe("");
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.every((d) => d.code === "UnwritableText")).toBe(true);
  });

  describe("every text of the hostile corpus comes back unchanged, with nothing else", async () => {
    const placeholder = await readExport("arm", PLACEHOLDER);
    if (!("read" in placeholder)) throw new Error("the placeholder is refused");
    const baseline = placeholder.read;

    it("the reader reads every field that holds the text back", () => {
      expect(placeholderPaths(baseline.topology)).toEqual([
        ".virtualNetworks[0].location",
        ".virtualNetworks[0].virtualNetworkPeerings[0].name",
        ".networkSecurityGroups[0].location",
        ".networkSecurityGroups[0].securityRules[0].description",
        ".networkSecurityGroups[0].securityRules[0].sourceAddressPrefix",
        ".networkSecurityGroups[0].securityRules[0].destinationAddressPrefix",
        ".applicationSecurityGroups[0].location",
        ".networkInterfaces[0].ipConfigurations[0].name",
      ]);
    });

    for (const { name, text } of HOSTILE_TEXTS)
      it(name, async () => {
        const outcome = await readExport("arm", text);
        // A peering's name is one segment of the resource's name (`vnet/peering`).
        if (text.includes("/"))
          expect("refused" in outcome && outcome.refused.map((d) => d.path.join("."))).toContain(
            "virtualNetworks.0.virtualNetworkPeerings.0.name",
          );
        else expect(outcome).toEqual({ read: expectedReading(baseline, text), unescaped: [] });
      });
  });
});
