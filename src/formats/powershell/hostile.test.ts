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
  type ReadBack,
  readExport,
} from "../../../test/support/hostile-round-trip.js";
import { exportTopology } from "../catalog.js";
import { exportAzPowerShell, psQuote } from "./export.js";
import { importPowerShell } from "./import.js";

describe("Az PowerShell export of hostile text", () => {
  it("keeps a description between typographic quotes a string, not a statement", () => {
    const payload = "x ’; New-Item PWNED3 ;‘ #";
    const script = exportAzPowerShell(hostileTopology(payload));
    expect(script).toContain("-Description 'x ’’; New-Item PWNED3 ;‘‘ #'");
    const back = importPowerShell(script, "deploy.ps1");
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(back.topology.networkSecurityGroups[0]?.securityRules[0]?.description).toBe(payload);
  });

  it("doubles every quote PowerShell recognises in single-quoted strings", () => {
    expect(psQuote("a'b‘c’d‚e‛f")).toBe("'a''b‘‘c’’d‚‚e‛‛f'");
    expect(psQuote("say “hi” $(x) `n")).toBe("'say “hi” $(x) `n'");
  });

  it("writes hidden characters as escapes in a double-quoted string", () => {
    expect(psQuote("a\nb\r\t\0")).toBe('"a`nb`r`t`0"');
    expect(psQuote("\u202e $x `y “z” \u{e0041}")).toBe(
      '"$([char]0x202E) `$x ``y `“z`” $([char]0xDB40)$([char]0xDC41)"',
    );
    const back = importPowerShell(
      `New-AzNetworkSecurityRuleConfig -Name r -Description ${psQuote("x\u202ey")}`,
      "x.ps1",
    );
    expect(back.diagnostics.map((d) => d.code)).not.toContain("UnsupportedStatement");
  });

  it("refuses half a surrogate pair, at the rule's description", async () => {
    const result = await exportTopology("powershell", hostileTopology(LONE_SURROGATE));
    expect(result.text).toBe("");
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.path.join(".")])).toEqual([
      ["error", "UnwritableText", "networkSecurityGroups.0.securityRules.0.description"],
      ["error", "UnwritableText", "networkSecurityGroups.0.securityRules.0.sourceAddressPrefix"],
      [
        "error",
        "UnwritableText",
        "networkSecurityGroups.0.securityRules.0.destinationAddressPrefix",
      ],
    ]);
  });

  describe("every text of the hostile corpus comes back unchanged, with nothing else", async () => {
    const placeholder = await readExport("powershell", PLACEHOLDER);
    if (!("read" in placeholder)) throw new Error("the placeholder is refused");
    const baseline: ReadBack = placeholder.read;

    it("the reader reads the description, the service tags and an IP configuration's name back", () => {
      expect(placeholderPaths(baseline.topology)).toEqual([
        ".networkSecurityGroups[0].securityRules[0].description",
        ".networkSecurityGroups[0].securityRules[0].sourceAddressPrefix",
        ".networkSecurityGroups[0].securityRules[0].destinationAddressPrefix",
        ".networkInterfaces[0].ipConfigurations[0].name",
      ]);
    });

    for (const { name, text } of HOSTILE_TEXTS)
      it(name, async () => {
        expect(await readExport("powershell", text)).toEqual({
          read: expectedReading(baseline, text),
          unescaped: [],
        });
      });
  });
});
