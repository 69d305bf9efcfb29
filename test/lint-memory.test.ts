/**
 * lint's memory stays bounded as the estate grows: 100 NSGs of 100 rules are
 * linted in a 512 MB heap. Run in one synchronous task, lint held every
 * decision diagram it made until the end (V8 keeps what a WeakRef was made
 * for or read in until the task ends) and needed about 800 MB here; at
 * 1,000 NSGs it died of V8's default heap limit, with no word. The CLI now
 * ends the task between NSGs and lets each NSG's decisions go after its
 * checks.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { estate } from "../bench/estate.js";
import { requireBuild, tierwall } from "./support/cli.js";

const HEAP_MB = 512;
let folder = "";

beforeAll(() => {
  requireBuild();
  const e = estate({ nsgs: 100, rulesPerNsg: 100, seed: 7 });
  folder = mkdtempSync(join(tmpdir(), "tierwall-lint-memory-"));
  writeFileSync(join(folder, "service-tags.json"), JSON.stringify(e.serviceTags));
  writeFileSync(
    join(folder, "tierwall.json"),
    JSON.stringify({ serviceTags: "service-tags.json", ...e.topology }),
  );
});
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

it(`lints 100 NSGs of 100 rules in a ${HEAP_MB} MB heap`, () => {
  const run = tierwall(["lint", folder, "--json", "--fail-on", "none", "--threads", "1"], {
    env: { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` },
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const findings = JSON.parse(run.stdout).findings as { code: string }[];
  // Every NSG is linted: the generated rules overlap, so each NSG has findings.
  expect(findings.length).toBeGreaterThan(10_000);
  const codes = new Set(findings.map((f) => f.code));
  expect(codes).toContain("ShadowedRule");
  expect(codes).toContain("CorrelatedRules");
}, 120_000);
