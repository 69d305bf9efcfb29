import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { estate } from "../bench/estate.js";
import { requireBuild, tierwall } from "./support/cli.js";

// reach, exposure and lint narrowed (--from, --to) and gathered (--group-by),
// and quiet where no one watches a terminal.

const noStackTrace = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
const json = (args: string[]) => {
  const r = tierwall([...args, "--json"]);
  expect(r.code, r.all).toBe(0);
  return JSON.parse(r.stdout);
};

let folder = "";
beforeAll(() => {
  requireBuild();
  // 120 workloads in 12 subnets of one hub: more rows than a matrix shows one by one.
  const e = estate({ nsgs: 12, rulesPerNsg: 6, seed: 5 });
  folder = mkdtempSync(join(tmpdir(), "tierwall-estate-"));
  writeFileSync(join(folder, "service-tags.json"), JSON.stringify(e.serviceTags));
  writeFileSync(
    join(folder, "tierwall.yaml"),
    stringify({ serviceTags: "service-tags.json", ...e.topology }),
  );
});
afterAll(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("reach --from, --to and --group-by", () => {
  it("computes only the cells asked for, each as the whole matrix has it", () => {
    const whole = json(["reach", "examples/layered-ase"]);
    const narrowed = json(["reach", "examples/layered-ase", "--from", "fe1ase", "--to", "apiase"]);
    expect(narrowed.rows).toEqual(["fe1ase"]);
    expect(narrowed.columns).toEqual(["apiase"]);
    expect(narrowed.matrix).toEqual(
      whole.matrix.filter(
        (c: { from: string; to: string }) => c.from === "fe1ase" && c.to === "apiase",
      ),
    );
    const withInternet = json(["reach", "examples/layered-ase", "--from", "Internet,fe2ase"]);
    expect(withInternet.rows).toEqual(["fe2ase", "Internet"]);
  });

  it("gathers rows by virtual network and by subnet", () => {
    const byVnet = json(["reach", "examples/layered-ase", "--group-by", "vnet"]);
    expect(byVnet.groupBy).toBe("vnet");
    expect(byVnet.rows).toEqual(["yourvnetnamehere", "Internet"]);
    expect(byVnet.matrix).toHaveLength(3);
    const bySubnet = json(["reach", "examples/layered-ase", "--group-by", "subnet"]);
    expect(bySubnet.rows).toHaveLength(5);
    const text = tierwall(["reach", "examples/layered-ase", "--group-by", "subnet"]).stdout;
    expect(text).toContain("yourvnetnamehere/API-ASE-Subnet");
  });

  it("gathers a large estate's rows on its own and says so; --group-by environment keeps one each", () => {
    const r = tierwall(["reach", folder]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/120 environments: rows gathered by subnet/);
    const auto = json(["reach", folder]);
    expect(auto.groupBy).toBe("subnet");
    expect(auto.groupedAutomatically).toBe(true);
    expect(auto.rows).toHaveLength(13);
    // Ten rows but 120 columns kept: still gathered.
    const narrow = json(["reach", folder, "--from", "vnet-0/s1"]);
    expect(narrow.groupBy).toBe("subnet");
    expect(narrow.rows).toEqual(["vnet-0/s1"]);
    const one = json(["reach", folder, "--group-by", "environment", "--from", "vnet-0/s1"]);
    expect(one.rows).toHaveLength(10);
    expect(one.columns).toHaveLength(121);
    // Too many columns for a table: one line per pair that lets something through.
    const wide = tierwall(["reach", folder, "--group-by", "environment", "--from", "vnet-0/s1"]);
    expect(wide.stdout).toMatch(/of 1210 pairs let something through/);
  });

  it("refuses an unknown endpoint or grouping with a hint, exit 2, and no stack trace", () => {
    const unknown = tierwall(["reach", "examples/layered-ase", "--from", "nowhere"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nowhere" is not an environment');
    expect(unknown.stderr).toContain("subnet:VNET/NAME");
    noStackTrace(unknown.all);
    const grouping = tierwall(["reach", "examples/layered-ase", "--group-by", "region"]);
    expect(grouping.code).toBe(2);
    expect(grouping.stderr).toContain("expected environment, subnet, vnet");
    const asJson = tierwall(["exposure", "examples/layered-ase", "--to", "vnet:nowhere", "--json"]);
    expect(asJson.code).toBe(2);
    expect(JSON.parse(asJson.stdout).diagnostics[0].code).toBe("InvalidEndpoint");
  });
});

describe("exposure --from, --to and --group-by", () => {
  it("keeps the rows --to names and the Internet sources --from names", () => {
    const one = json(["exposure", "examples/layered-ase", "--to", "fe2ase"]);
    expect(one.exposure.map((e: { environment: string }) => e.environment)).toEqual(["fe2ase"]);
    const from = json(["exposure", "examples/layered-ase", "--from", "203.0.113.0/24"]);
    const sources = from.exposure.flatMap((e: { exposed: { source: string[] }[] }) =>
      e.exposed.flatMap((l) => l.source),
    );
    expect(sources.length).toBeGreaterThan(0);
    expect(sources.every((s: string) => s.startsWith("203.0.113."))).toBe(true);
  });

  it("gathers rows by subnet", () => {
    const bySubnet = json(["exposure", "examples/layered-ase", "--group-by", "subnet"]);
    expect(bySubnet.exposure.map((e: { subnet: string }) => e.subnet)).toContain(
      "yourvnetnamehere/FE1-ASE-Subnet",
    );
    const text = tierwall(["exposure", "examples/layered-ase", "--group-by", "vnet"]).stdout;
    expect(text).toContain("virtual network yourvnetnamehere");
  });
});

describe("lint --group-by", () => {
  it("counts the findings shown per subnet and per network, with the same total", () => {
    const all = json(["lint", folder, "--fail-on", "none"]);
    const shown = all.findings.filter((f: { suppressed?: unknown }) => !f.suppressed).length;
    for (const by of ["subnet", "vnet"]) {
      const grouped = json(["lint", folder, "--fail-on", "none", "--group-by", by]);
      const total = grouped.groups.reduce(
        (n: number, g: { error: number; warning: number; note: number }) =>
          n + g.error + g.warning + g.note,
        0,
      );
      // Each NSG of the estate applies to one subnet: every finding counts once.
      expect(total).toBe(shown);
    }
    const text = tierwall(["lint", folder, "--fail-on", "none", "--group-by", "vnet"]);
    expect(text.stdout).toMatch(/^virtual network\s+errors\s+warnings\s+notes/m);
    expect(text.stdout).toMatch(/^total\s+\d+/m);
    expect(tierwall(["lint", folder, "--group-by", "nsg"]).code).toBe(2);
  });
});

describe("progress", () => {
  it("writes nothing on stderr when it is not a terminal", () => {
    for (const args of [["reach"], ["exposure"], ["lint", "--fail-on", "none"]]) {
      const r = tierwall([...args, folder, "--group-by", "vnet"]);
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/[\r⠋⠙⠹]/);
    }
  });
});
