import { describe, expect, it } from "vitest";
import { error, info, warning } from "../model/diagnostic.js";
import { fingerprint, gate, namedPath, type Suppression } from "./lint-gate.js";

const document = {
  networkSecurityGroups: [
    { name: "web-nsg", securityRules: [{ name: "a" }, { name: "b" }] },
    { name: "api-nsg", securityRules: [{ name: "c" }] },
  ],
};
const rule = (nsg: number, r: number) => ["networkSecurityGroups", nsg, "securityRules", r];
const shadowed = warning("ShadowedRule", "web-nsg: b (200) never takes effect", rule(0, 1));
const exposed = error("InternetExposedAdminPort", "api-nsg: c lets in 3389", rule(1, 0));
const note = info(
  "PriorityCrowding",
  "web-nsg: no priority between a (100) and b (101)",
  rule(0, 1),
);
const today = "2026-12-02";
const suppression = (s: Partial<Suppression>): Suppression => ({
  check: "ShadowedRule",
  reason: "kept for the migration",
  expires: "2027-01-31",
  path: ["suppressions", 0],
  ...s,
});

describe("lint's gate", () => {
  it("names a finding's place by names, and fingerprints it apart from numbers and order", () => {
    expect(namedPath(document, rule(0, 1))).toBe("networkSecurityGroups/web-nsg/securityRules/b");
    const moved = {
      networkSecurityGroups: [
        { name: "web-nsg", securityRules: [{ name: "b" }, { name: "a" }] },
        document.networkSecurityGroups[1],
      ],
    };
    const renumbered = warning("ShadowedRule", "web-nsg: b (300) never takes effect", rule(0, 0));
    expect(fingerprint(moved, renumbered)).toBe(fingerprint(document, shadowed));
    expect(fingerprint(document, note)).not.toBe(fingerprint(document, shadowed));
  });

  it("fails at or above --fail-on, on what the filters keep", () => {
    const all = [shadowed, exposed, note];
    expect(gate(document, all, { today }).failed).toBe(true);
    expect(gate(document, [shadowed, note], { today }).failed).toBe(false);
    expect(gate(document, [shadowed, note], { today, failOn: "warning" }).failed).toBe(true);
    expect(gate(document, all, { today, failOn: "none" }).failed).toBe(false);
    expect(gate(document, all, { today, ignore: ["InternetExposedAdminPort"] }).failed).toBe(false);
    expect(gate(document, all, { today, only: ["PriorityCrowding"] }).findings).toHaveLength(1);
    expect(gate(document, all, { today, minSeverity: "warning" }).findings).toHaveLength(2);
  });

  it("suppresses by check and by names from the top until the expiry day included", () => {
    const byNsg = gate(document, [shadowed], {
      today,
      failOn: "warning",
      suppressions: [suppression({ at: "web-nsg" })],
    });
    expect(byNsg.failed).toBe(false);
    expect(byNsg.findings[0]?.suppressedBy?.reason).toBe("kept for the migration");
    const otherRule = gate(document, [shadowed], {
      today,
      suppressions: [suppression({ at: "web-nsg/a" })],
    });
    expect(otherRule.active).toHaveLength(1);
    expect(otherRule.suppressionFindings.map((d) => d.code)).toEqual(["SuppressionUnused"]);
    const lastDay = gate(document, [shadowed], {
      today: "2027-01-31",
      suppressions: [suppression({ at: "web-nsg/b" })],
    });
    expect(lastDay.active).toHaveLength(0);
    const expired = gate(document, [shadowed], {
      today: "2027-02-01",
      failOn: "warning",
      suppressions: [suppression({})],
    });
    expect(expired.active).toHaveLength(1);
    expect(expired.failed).toBe(true);
    expect(expired.suppressionFindings.map((d) => d.code)).toEqual(["SuppressionExpired"]);
  });

  it("keeps findings of the baseline out of the failure, and new ones in", () => {
    const baseline = new Set([fingerprint(document, exposed)]);
    expect(gate(document, [exposed], { today, baseline }).failed).toBe(false);
    const worse = gate(document, [exposed, shadowed], { today, baseline, failOn: "warning" });
    expect(worse.failed).toBe(true);
    expect(worse.active.map((g) => g.finding.code)).toEqual(["ShadowedRule"]);
  });
});
