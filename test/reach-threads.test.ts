import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { estate } from "../bench/estate.js";
import { reachMatrix } from "../src/analysis/matrix.js";
import { ReachAnalyzer } from "../src/analysis/reach.js";
import { loadSpec } from "../src/specfile/load.js";
import { reachMatrixOnThreads } from "../src/threads/reach-matrix.js";
import { requireBuild, tierwall } from "./support/cli.js";

// The matrix cut into blocks and computed on several threads is the matrix
// computed in one go: same cells, same order, same bytes.

let folder = "";
/** Two estates: rules mostly inbound (blocks of columns), and mostly outbound (blocks of rows). */
const specs = { inbound: "", outbound: "" };
beforeAll(() => {
  requireBuild();
  folder = mkdtempSync(join(tmpdir(), "tierwall-threads-"));
  for (const [name, options] of [
    ["inbound", { nsgs: 43, rulesPerNsg: 10, seed: 11 }],
    ["outbound", { nsgs: 23, rulesPerNsg: 2, outboundRules: 12, seed: 12 }],
  ] as const) {
    const e = estate(options);
    const dir = join(folder, name);
    const spec = join(dir, "tierwall.json");
    mkdirSync(dir);
    writeFileSync(join(dir, "service-tags.json"), JSON.stringify(e.serviceTags));
    writeFileSync(spec, JSON.stringify({ serviceTags: "service-tags.json", ...e.topology }));
    specs[name] = spec;
  }
});
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("reachMatrixOnThreads", () => {
  it("gives reachMatrix's cells in its order, cut along columns or rows", async () => {
    for (const spec of Object.values(specs)) {
      const loaded = loadSpec(spec).spec;
      if (!loaded) throw new Error(`${spec} does not load`);
      for (const groupBy of ["subnet", "vnet"] as const) {
        const whole = reachMatrix(new ReachAnalyzer(loaded.network), { groupBy });
        let told = 0;
        const blocks = await reachMatrixOnThreads(
          loaded.network,
          loaded.topology,
          { groupBy },
          { threads: 1, progress: (done) => (told = done) },
        );
        expect(blocks).toEqual(whole);
        expect(told).toBe(whole.cells.length);
      }
    }
  });
});

describe("tierwall reach --threads", () => {
  it("prints the same bytes on two threads as on one", () => {
    for (const [spec, extra] of [
      [specs.inbound, ["--group-by", "subnet"]],
      [specs.outbound, ["--group-by", "subnet"]],
      [specs.inbound, ["--group-by", "vnet"]],
      [specs.inbound, ["--group-by", "subnet", "--from", "vnet-1,Internet", "--to", "vnet-0"]],
      ["examples/layered-ase", []],
    ] as const) {
      const one = tierwall(["reach", spec, ...extra, "--json", "--threads", "1"]);
      const two = tierwall(["reach", spec, ...extra, "--json", "--threads", "2"]);
      expect(one.code, one.all).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(JSON.parse(one.stdout).matrix.length).toBeGreaterThan(0);
      const text = tierwall(["reach", spec, ...extra, "--threads", "2"]);
      expect(text.stdout).toBe(tierwall(["reach", spec, ...extra, "--threads", "1"]).stdout);
    }
  });

  it("refuses a thread count that is not a whole number from 1 to 64", () => {
    for (const bad of ["0", "65", "two", "1.5"]) {
      const r = tierwall(["reach", "examples/layered-ase", "--threads", bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--threads ${bad}: expected a whole number from 1 to 64`);
    }
  });
});
