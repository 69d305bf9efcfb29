import { describe, expect, it } from "vitest";
import { expectSameAsArm, readBicep } from "../../../test/support/bicep.js";
import {
  HOSTILE_TEXTS,
  hostileTopology,
  LONE_SURROGATE,
  PLACEHOLDER,
  substituted,
} from "../../../test/support/hostile.js";
import { placeholderPaths, unescapedHidden } from "../../../test/support/hostile-round-trip.js";
import { exportTopology } from "../catalog.js";
import { bicepString, exportBicep } from "./export.js";

describe("Bicep export of hostile text", () => {
  it("writes hidden characters as \\u{...} escapes, by code point", () => {
    expect(bicepString("a\u202eb\u200b\u0085\u{e0041}")).toBe(
      "'a\\u{202e}b\\u{200b}\\u{85}\\u{e0041}'",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Bicep's interpolation, in Bicep text
    expect(bicepString("$${x} ${ $")).toBe("'$\\${x} \\${ $'");
  });

  it("refuses half a surrogate pair", async () => {
    const result = await exportTopology("bicep", hostileTopology(LONE_SURROGATE), "all");
    expect(result.text).toBe("");
    expect(result.diagnostics.every((d) => d.code === "UnwritableText")).toBe(true);
  });

  describe("every text of the hostile corpus comes back unchanged, with nothing else", () => {
    // Each resource as ARM deploys it, with the resources it refers to (symbols are derived from names).
    const deployed = (bicep: string) =>
      readBicep(bicep).map(({ resource, needs }) => ({ resource, needs }));
    const baseline = deployed(exportBicep(hostileTopology(PLACEHOLDER)));

    it("the reader reads every field that holds the text back", () => {
      expect(placeholderPaths(baseline.map((r) => r.resource))).toEqual([
        "[0].location",
        "[1].location",
        "[1].properties.securityRules[0].properties.description",
        "[1].properties.securityRules[0].properties.sourceAddressPrefix",
        "[1].properties.securityRules[0].properties.destinationAddressPrefix",
        "[2].location",
        "[4].name",
        "[5].properties.ipConfigurations[0].name",
      ]);
    });

    for (const { name, text } of HOSTILE_TEXTS)
      it(name, () => {
        // A peering's name is one segment of the resource's name (`vnet/peering`).
        if (text.includes("/")) {
          expect(() => exportBicep(hostileTopology(text))).toThrow("separates the segments");
          return;
        }
        const bicep = exportBicep(hostileTopology(text));
        expect(unescapedHidden(bicep)).toEqual([]);
        expect(deployed(bicep)).toEqual(substituted(baseline, PLACEHOLDER, text));
        expectSameAsArm(hostileTopology(text));
      });
  });
});
