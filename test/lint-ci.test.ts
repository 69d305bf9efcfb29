/**
 * lint in a pipeline: --fail-on, filters, suppressions in the spec with a
 * reason and an expiry, baselines, --quiet, and SARIF that the SARIF 2.1.0
 * schema accepts, located relative to the repository's root.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);

/**
 * The three-tier example with its deny-alls moved above 4000: out of the
 * recognised deny-all pattern (4000-4096), each generalizes the allows
 * before it, six notes in all.
 */
const THREE_TIER = readFileSync(join(ROOT, "examples", "three-tier", "tierwall.yaml"), "utf8")
  .replaceAll("priority: 4000", "priority: 3990")
  .replaceAll("priority: 4096", "priority: 3996");
const dir = mkdtempSync(join(tmpdir(), "tierwall-lint-ci-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the three-tier example in a folder of its own, with `extra` appended. */
function specWith(name: string, extra = ""): string {
  const folder = join(dir, name);
  cpSync(join(ROOT, "examples", "three-tier"), folder, { recursive: true });
  writeFileSync(join(folder, "tierwall.yaml"), `${THREE_TIER}\n${extra}`);
  return folder;
}

const validateSarif = (() => {
  const require = createRequire(import.meta.url);
  const schemaFile = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
  // CommonJS under Node's ESM interop: the function may be the default export's `default`.
  type Validator = ((data: unknown) => boolean) & { errors?: unknown };
  type AjvLike = { compile(schema: unknown): Validator };
  type AjvConstructor = new (options: object) => AjvLike;
  type AddFormats = (ajv: AjvLike) => unknown;
  const ajvModule = AjvDraft04 as unknown as AjvConstructor & { default?: AjvConstructor };
  const Ajv = ajvModule.default ?? ajvModule;
  const formatsModule = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
  const addFormats = formatsModule.default ?? formatsModule;
  // The schema's language-tag pattern is not valid under the u flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaFile, "utf8")));
})();

describe("lint --fail-on and filters", () => {
  it("fails on notes only when asked, and --min-severity hides them", () => {
    const spec = specWith("plain");
    // Deny-alls above 4000 give notes only.
    expect(tierwall(["lint", spec]).code).toBe(0);
    expect(tierwall(["lint", spec, "--fail-on", "warning"]).code).toBe(0);
    const strict = tierwall(["lint", spec, "--fail-on", "note"]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain("GeneralizingRule");
    const hidden = tierwall(["lint", spec, "--fail-on", "note", "--min-severity", "warning"]);
    expect(hidden.code).toBe(0);
    expect(hidden.stdout).toContain("clean");
    expect(tierwall(["lint", spec, "--fail-on", "note", "--ignore", "GeneralizingRule"]).code).toBe(
      0,
    );
    expect(
      tierwall(["lint", spec, "--fail-on", "note", "--only", "ShadowedRule,EmptyRule"]).code,
    ).toBe(0);
    expect(tierwall(["lint", spec, "--fail-on", "note", "--only", "GeneralizingRule"]).code).toBe(
      1,
    );
  });

  it("refuses an unknown severity with exit 2", () => {
    const r = tierwall(["lint", specWith("plain"), "--fail-on", "critical"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--fail-on critical: expected error, warning, note or none");
  });

  it("--quiet prints only what fails the run", () => {
    const spec = specWith("plain");
    expect(tierwall(["lint", spec, "--quiet"]).stdout).toBe("");
    expect(tierwall(["lint", spec, "--quiet", "--fail-on", "note"]).stdout).toContain(
      "GeneralizingRule",
    );
  });
});

describe("lint suppressions", () => {
  const suppressions = (expires: string) => `suppressions:
  - check: GeneralizingRule
    at: web-nsg
    reason: the deny-all at 4000 is the house pattern
    expires: "${expires}"
  - check: GeneralizingRule
    at: api-nsg/deny-other-vnet-inbound
    reason: same pattern
    expires: "2999-12-31"
  - check: GeneralizingRule
    at: data-nsg
    reason: same pattern
    expires: "2999-12-31"
`;

  it("accepts findings until the expiry date, with the reason in JSON and SARIF", () => {
    const spec = specWith("suppressed", suppressions("2999-12-31"));
    const r = tierwall(["lint", spec, "--fail-on", "note"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no findings but 6 suppressed in the spec");
    const json = JSON.parse(tierwall(["lint", spec, "--json"]).stdout);
    expect(json.findings).toHaveLength(6);
    expect(json.findings[0].suppressed).toEqual({
      reason: "the deny-all at 4000 is the house pattern",
      expires: "2999-12-31",
    });
    const sarif = JSON.parse(tierwall(["lint", spec, "--format", "sarif"]).stdout);
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0].results[0].suppressions).toEqual([
      {
        kind: "inSource",
        status: "accepted",
        justification: "the deny-all at 4000 is the house pattern",
      },
    ]);
  });

  it("lets the findings count again once expired, and says so", () => {
    const spec = specWith("expired", suppressions("2020-01-31"));
    const r = tierwall(["lint", spec, "--fail-on", "note"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "SuppressionExpired: suppression of GeneralizingRule at web-nsg expired on 2020-01-31",
    );
    expect(r.stdout.match(/GeneralizingRule: web-nsg/g)).toHaveLength(1);
  });

  it("names a suppression that matches nothing, and refuses an unknown check or a missing reason", () => {
    const unused = specWith(
      "unused",
      'suppressions:\n  - check: ShadowedRule\n    at: web-nsg\n    reason: old\n    expires: "2999-01-01"\n',
    );
    expect(tierwall(["lint", unused]).stdout).toContain(
      "SuppressionUnused: suppression of ShadowedRule at web-nsg matches no finding",
    );
    const typo = specWith(
      "typo",
      'suppressions:\n  - check: ShadowRule\n    reason: old\n    expires: "2999-01-01"\n',
    );
    const bad = tierwall(["lint", typo]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("ShadowRule is not a lint check");
    expect(bad.stderr).toMatch(/tierwall\.yaml:\d+:\d+/);
    const reasonless = specWith(
      "reasonless",
      'suppressions:\n  - check: ShadowedRule\n    reason: " "\n    expires: "2999-01-01"\n',
    );
    const refused = tierwall(["lint", reasonless]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /suppressions\[0\]\.reason: .*>=1 characters\n.*tierwall\.yaml:\d+:13/,
    );
    const undated = specWith(
      "undated",
      'suppressions:\n  - check: ShadowedRule\n    reason: old\n    expires: "next year"\n',
    );
    expect(tierwall(["lint", undated]).stderr).toContain("expected a date as YYYY-MM-DD");
  });
});

describe("lint baselines", () => {
  it("writes the findings, then fails only on new ones", () => {
    const spec = specWith("baseline");
    const baseline = join(dir, "baseline.json");
    expect(tierwall(["lint", spec, "--write-baseline", baseline]).code).toBe(0);
    const written = JSON.parse(readFileSync(baseline, "utf8"));
    expect(written.findings).toHaveLength(6);
    const known = tierwall(["lint", spec, "--fail-on", "note", "--baseline", baseline]);
    expect(known.code).toBe(0);
    expect(known.stdout).toContain("but 6 in the baseline");
    // A new rule that administrative ports open to the Internet: a new finding.
    const worse = specWith("baseline", "");
    const text = readFileSync(join(worse, "tierwall.yaml"), "utf8").replace(
      "securityRules:\n",
      'securityRules:\n      - name: open-rdp\n        priority: 150\n        direction: Inbound\n        access: Allow\n        protocol: Tcp\n        sourceAddressPrefix: Internet\n        sourcePortRange: "*"\n        destinationAddressPrefix: "*"\n        destinationPortRange: "3389"\n',
    );
    writeFileSync(join(worse, "tierwall.yaml"), text);
    const r = tierwall(["lint", worse, "--baseline", baseline, "--format", "sarif"]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    const states = sarif.runs[0].results.map((x: { ruleId: string; baselineState: string }) => [
      x.ruleId,
      x.baselineState,
    ]);
    expect(states).toContainEqual(["InternetExposedAdminPort", "new"]);
    expect(states.filter((s: string[]) => s[1] === "unchanged")).toHaveLength(6);
  });

  it("refuses a file that is not a baseline, with its place", () => {
    const file = join(dir, "not-a-baseline.json");
    writeFileSync(file, '{"findings": [}');
    const r = tierwall(["lint", specWith("plain"), "--baseline", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not-a-baseline\.json:1:\d+/);
  });
});

describe("lint SARIF", () => {
  it("passes the SARIF 2.1.0 schema, with every check described and locations from the repository root", () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    const spec = join(repo, "network", "prod");
    cpSync(join(ROOT, "examples", "three-tier"), spec, { recursive: true });
    writeFileSync(join(spec, "tierwall.yaml"), THREE_TIER);
    const sarif = JSON.parse(tierwall(["lint", spec, "--format", "sarif"]).stdout);
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find(
      (r: { id: string }) => r.id === "InternetExposedAdminPort",
    );
    expect(rule.fullDescription.text).toMatch(/brute-forced/);
    expect(rule.help.markdown).toContain("**Fix:**");
    expect(rule.properties["security-severity"]).toBe("9.0");
    const location = run.results[0].locations[0].physicalLocation.artifactLocation;
    expect(location).toEqual({ uri: "network/prod/tierwall.yaml", uriBaseId: "%SRCROOT%" });
    expect(run.originalUriBaseIds["%SRCROOT%"].uri).toMatch(/^file:\/\/.*\/repo\/$/);
    expect(run.results[0].partialFingerprints["tierwallFinding/v1"]).toMatch(/^[0-9a-f]{32}$/);
  });
});
