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
import { hclString, renderBody } from "./hcl-write.js";

/** Terraform normalizes every string to NFC as it reads it, whatever its escapes. */
const nfc = (s: string) => s.normalize("NFC");

describe("Terraform export of hostile text", () => {
  it("writes hidden characters as \\u or \\U escapes, and keeps template sequences literal", () => {
    expect(hclString("a\u202eb\u200b\u0085\u{e0041}\0")).toBe(
      '"a\\u202eb\\u200b\\u0085\\U000e0041\\u0000"',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL's template sequences, in HCL text
    expect(hclString("$${x} %%{y} ${z} %{w} $ %")).toBe('"$$${x} %%%{y} $${z} %%{w} $ %"');
  });

  it("keeps a comment on one line, whatever it quotes", () => {
    expect(renderBody([{ comment: 'nic\n  resource "x" "y" {}\u202e' }])).toEqual([
      '# nic\\u{000A}  resource "x" "y" {}\\u{202E}',
    ]);
  });

  it("refuses half a surrogate pair", async () => {
    const result = await exportTopology("terraform", hostileTopology(LONE_SURROGATE), "all");
    expect(result.text).toBe("");
    expect(result.diagnostics.every((d) => d.code === "UnwritableText")).toBe(true);
  });

  describe("every text of the hostile corpus comes back unchanged, with nothing else", async () => {
    const placeholder = await readExport("terraform", PLACEHOLDER);
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
        expect(await readExport("terraform", text)).toEqual({
          read: expectedReading(baseline, text, nfc),
          unescaped: [],
        });
      });
  });
});
