import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estate } from "../bench/estate.js";
import { lint } from "../src/analysis/lint.js";
import { ReachAnalyzer } from "../src/analysis/reach.js";
import type { Diagnostic } from "../src/model/diagnostic.js";
import { neededClaims, neededTraffic } from "../src/specfile/check.js";
import { loadSpec } from "../src/specfile/load.js";
import { lintOnThreads, lintShare, prepareLint } from "../src/threads/lint.js";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

// lint shared out NSG by NSG, on one thread or several, is lint: the same
// findings in the same order, the same bytes from the command.

let folder = "";
let generated = "";
const examples = readdirSync(join(ROOT, "examples")).map((name) => join(ROOT, "examples", name));

beforeAll(() => {
  requireBuild();
  folder = mkdtempSync(join(tmpdir(), "tierwall-lint-threads-"));
  const e = estate({ nsgs: 30, rulesPerNsg: 12, seed: 13 });
  // Public addresses on some VMs, so that administrative ports are exposed and their causes known.
  const environments = (e.topology.environments ?? []).map((env, i) =>
    i % 7 === 0 && env.kind === "VirtualMachine"
      ? { ...env, publicIPAddress: `203.0.113.${1 + (i % 250)}` }
      : env,
  );
  writeFileSync(join(folder, "service-tags.json"), JSON.stringify(e.serviceTags));
  generated = join(folder, "tierwall.json");
  // A claim, so that what the claims need is worked out on every thread.
  const claims = [
    {
      name: "a VM of s1 reaches one of s2 on 443",
      kind: "reach",
      from: "app-0-1-0",
      to: "app-0-2-0",
      protocol: "Tcp",
      ports: [443],
    },
  ];
  writeFileSync(
    generated,
    JSON.stringify({
      serviceTags: "service-tags.json",
      ...e.topology,
      environments,
      assertions: claims,
    }),
  );
});
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("lintOnThreads", () => {
  it("gives lint's findings in lint's order, on every example and a generated estate", async () => {
    for (const spec of [...examples, generated]) {
      const { loaded, whole } = linted(spec);
      let told = 0;
      const shared = await lintOnThreads(
        loaded.network,
        loaded.topology,
        neededClaims(loaded.assertions),
        { threads: 1, progress: (done) => (told = done) },
      );
      expect(shared, spec).toEqual(whole);
      expect(told).toBe(loaded.network.nsgs.size);
    }
  });
});

describe("lintShare, a worker's part", () => {
  it("finds each NSG's findings as lint does, from the network built again and the causes given", async () => {
    for (const spec of [...examples, generated]) {
      const { loaded, whole } = linted(spec);
      const { run, share } = prepareLint(
        loaded.network,
        loaded.topology,
        neededClaims(loaded.assertions),
      );
      const perNsg: Diagnostic[][] = [];
      let done = false;
      await lintShare(share, (m) => {
        if (m.kind === "nsg") perNsg[m.index] = m.findings;
        if (m.kind === "done") done = true;
      });
      expect(done).toBe(true);
      expect(run.findings(perNsg), spec).toEqual(whole);
    }
    const codes = linted(generated).whole.map((d) => d.code);
    for (const code of [
      "InternetExposedAdminPort",
      "AdminPortAllowedFromInternet",
      "BroaderThanNeeded",
    ])
      expect(codes).toContain(code);
  });
});

/** A spec loaded, and lint's findings on it in one synchronous run. */
function linted(spec: string) {
  const loaded = loadSpec(spec).spec;
  if (!loaded) throw new Error(`${spec} does not load`);
  const analyzer = new ReachAnalyzer(loaded.network);
  return { loaded, whole: lint(analyzer, neededTraffic(analyzer, loaded.assertions)) };
}

describe("tierwall lint --threads", () => {
  it("prints the same bytes on two threads as on one", () => {
    for (const spec of [generated, join(ROOT, "examples", "hub-spoke-tiers")]) {
      const one = tierwall(["lint", spec, "--json", "--threads", "1"]);
      const two = tierwall(["lint", spec, "--json", "--threads", "2"]);
      expect(one.stderr).toBe("");
      expect(two.stdout).toBe(one.stdout);
      expect(two.code).toBe(one.code);
      const text = tierwall(["lint", spec, "--threads", "2"]);
      expect(text.stdout).toBe(tierwall(["lint", spec, "--threads", "1"]).stdout);
    }
  });

  it("refuses a thread count that is no whole number from 1 to 64", () => {
    for (const bad of ["0", "65", "1.5", "two", "1e1"]) {
      const r = tierwall(["lint", "examples/layered-ase", "--threads", bad, "--json"]);
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).diagnostics[0].message).toContain(`--threads ${bad}`);
    }
  });
});
