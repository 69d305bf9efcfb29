/**
 * The flow-log commands end to end: sample-logs writes a week of the layered
 * example's logs in the blob layout, and replay reads them back against the
 * example and against a version without fe3ase, as text, JSON and CSV.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, ROOT, requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);

const dir = mkdtempSync(join(tmpdir(), "tierwall-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LAYERED = join(ROOT, "examples", "layered-ase");
const proposed = join(dir, "proposed.yaml");
writeFileSync(
  proposed,
  readFileSync(join(LAYERED, "tierwall.yaml"), "utf8").replace(
    / {6}- name: ALLOW-HTTP-fe3ase[\s\S]*?(?= {6}- name: ALLOW-HTTP-apiase)/,
    "",
  ),
);

describe("sample-logs and replay", () => {
  const logs = join(dir, "week");

  beforeAll(() => {
    const written = tierwall(["sample-logs", LAYERED, "-o", logs, "--seed", "5"]);
    expect(written.stderr).toMatch(/^wrote [0-9,]+ tuples in 168 files to /);
    expect(written.code).toBe(0);
  });

  it("agrees with the spec the logs came from, and lists each rule's hits", () => {
    const r = tierwall(["replay", LAYERED, logs]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replayed [0-9,]+ tuples from 168 files: [0-9,]+ flows/);
    expect(r.stdout).toContain("✓ the logs agree with");
    expect(r.stdout).toMatch(/ 100 ALLOW-AzureMngmt +Allow [0-9,]+ flows/);
    expect(r.stdout).toMatch(/ 700 ALLOW-HTTPS-fe3ase +Allow [0-9,]+ flows/);
    expect(r.stdout).not.toContain("unused:");
  });

  it("gives the same report read on two threads as on one, bad tuples listed in the files' order", () => {
    // A bad tuple in the first file read and one in the last, so that each thread finds one.
    const broken = join(dir, "broken");
    const files = spawnSync("find", [logs, "-name", "PT1H.json"], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")
      .sort();
    for (const [i, file] of [files[0], files[files.length - 1]].entries()) {
      const target = join(broken, `${i}`, "PT1H.json");
      mkdirSync(join(broken, `${i}`), { recursive: true });
      writeFileSync(target, readFileSync(file as string, "utf8").replace(/"(\d+),/, '"x$1,'));
    }
    const sources = [join(broken, "0"), logs, join(broken, "1")];
    const one = tierwall([
      "replay",
      LAYERED,
      ...sources,
      "--proposed",
      proposed,
      "--json",
      "--threads",
      "1",
    ]);
    const two = tierwall([
      "replay",
      LAYERED,
      ...sources,
      "--proposed",
      proposed,
      "--json",
      "--threads",
      "2",
    ]);
    expect(one.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
    const json = JSON.parse(one.stdout);
    expect(json.rejectedTuples).toBe(2);
    expect(
      json.diagnostics.map((d: { file: string }) => d.file.split("/").slice(-2).join("/")),
    ).toEqual(["0/PT1H.json", "1/PT1H.json"]);
    expect(tierwall(["replay", LAYERED, logs, "--threads", "0"]).code).toBe(2);
  });

  it("names the custom rules no logged flow used", () => {
    const extra = join(dir, "extra.yaml");
    writeFileSync(
      extra,
      readFileSync(join(LAYERED, "tierwall.yaml"), "utf8").replace(
        "      - name: ALLOW-HTTP-fe1ase",
        "      - { name: ALLOW-SSH-ops, protocol: Tcp, access: Allow, priority: 150, direction: Inbound, sourceAddressPrefix: 100.64.0.10, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '22' }\n      - name: ALLOW-HTTP-fe1ase",
      ),
    );
    const r = tierwall(["replay", extra, logs]);
    expect(r.stdout).toContain("✓ the logs agree with");
    expect(r.stdout).toMatch(/ 150 ALLOW-SSH-ops +Allow unused/);
    expect(r.stdout).toContain(
      "unused: 1 custom rule decided no logged flow: RestrictBackendApi/ALLOW-SSH-ops",
    );
  });

  it("names what a proposed spec without fe3ase breaks, exactly fe3ase's flows, and exits 1", () => {
    const r = tierwall(["replay", LAYERED, logs, "--proposed", proposed]);
    expect(r.code).toBe(1);
    const broken = r.stdout
      .split("\n")
      .filter((l) => /^ {2}Inbound TCP /.test(l))
      .map((l) => l.trim().split("  ")[0]);
    expect(broken.sort()).toEqual([
      "Inbound TCP 198.51.100.33 -> 10.0.4.4:443",
      "Inbound TCP 198.51.100.33 -> 10.0.4.4:80",
    ]);
    const report = join(dir, "report.json");
    tierwall(["replay", LAYERED, logs, "--proposed", proposed, "--json", "-o", report]);
    const json = JSON.parse(readFileSync(report, "utf8"));
    expect(new Set(json.newlyDenied.map((f: { source: string }) => f.source))).toEqual(
      new Set(["198.51.100.33"]),
    );
    const fe3 = json.allClasses.filter(
      (f: { source: string; logged: { access: string } }) =>
        f.source === "198.51.100.33" && f.logged.access === "Allow",
    );
    expect(json.newlyDenied).toEqual(fe3);
    // Flows are counted by 5-tuple: the classes' flows add up to the whole.
    const flows = json.allClasses.reduce((sum: number, f: { flows: number }) => sum + f.flows, 0);
    expect(json.flows).toBe(flows);
    expect(flows).toBeGreaterThan(json.classes);
  });

  it("writes one CSV row per class of flows, with the change against the proposed spec", () => {
    const out = join(dir, "flows.csv");
    const r = tierwall(["replay", LAYERED, logs, "--proposed", proposed, "--csv", "-o", out]);
    expect(r.code).toBe(1);
    const rows = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(rows[0]).toMatch(
      /^direction,protocol,source,sourcePort,destination,destinationPort,flows,tuples,/,
    );
    const changed = rows.filter((row) => row.includes(",newly denied,"));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((row) => row.startsWith("Inbound,TCP,198.51.100.33,"))).toBe(true);
  });

  it("reads NSG flow logs, gzip'ed, from standard input", () => {
    const nsg = join(dir, "nsg");
    expect(
      tierwall(["sample-logs", LAYERED, "-o", nsg, "--format", "nsg-v2", "--days", "1"]).code,
    ).toBe(0);
    const find = spawnSync("find", [nsg, "-name", "PT1H.json"], { encoding: "utf8" });
    const first = find.stdout.trim().split("\n").sort()[0] as string;
    const r = spawnSync(process.execPath, [CLI, "replay", LAYERED, "-"], {
      input: gzipSync(readFileSync(first)),
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^replayed [0-9,]+ tuples from 1 file: /);
    expect(r.stdout).toContain("✓ the logs agree with");
  });
});

describe("replay and sample-logs on bad input", () => {
  it("says when no tuple could be read, and names the broken file", () => {
    const bad = join(dir, "bad");
    mkdirSync(bad);
    writeFileSync(join(bad, "PT1H.json"), '{"records": [ {"time": "2026-11-23T00:00:00Z", ');
    const r = tierwall(["replay", LAYERED, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(bad, "PT1H.json"));
    expect(r.stderr).toContain("no flow tuple could be read");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("refuses bad options and a folder that is not empty, writing nothing", () => {
    expect(tierwall(["replay", LAYERED]).code).toBe(2);
    expect(tierwall(["replay", LAYERED, dir, "--json", "--csv"]).code).toBe(2);
    expect(tierwall(["replay", LAYERED, dir, "--limit", "0"]).stderr).toContain("--limit 0");
    const full = join(dir, "full");
    mkdirSync(full);
    writeFileSync(join(full, "keep.txt"), "mine");
    const r = tierwall(["sample-logs", LAYERED, "-o", full]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not empty");
    expect(readFileSync(join(full, "keep.txt"), "utf8")).toBe("mine");
    const nowhere = tierwall(["sample-logs", LAYERED, "-o", join(dir, "no", "such", "logs")]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("cannot write");
    expect(
      tierwall(["sample-logs", LAYERED, "-o", join(dir, "x"), "--format", "csv"]).stderr,
    ).toContain("--format csv: expected vnet, nsg-v2 or nsg-v1");
  });
});

describe("export sql and replay --engine duckdb", () => {
  const logs = join(dir, "day");

  beforeAll(() => {
    expect(tierwall(["sample-logs", LAYERED, "-o", logs, "--days", "1", "--seed", "9"]).code).toBe(
      0,
    );
  });

  it("gives the JavaScript engine's report, word for word", () => {
    const js = tierwall(["replay", LAYERED, logs, "--proposed", proposed]);
    const duck = tierwall(["replay", LAYERED, logs, "--proposed", proposed, "--engine", "duckdb"]);
    expect(duck.code).toBe(1);
    expect(duck.stdout).toBe(js.stdout);
    // DuckDB read the files itself: no word of tierwall's reader reading them instead.
    expect(duck.stderr).not.toContain("DuckDB could not read");
    const json = (engine: string) =>
      tierwall(["replay", LAYERED, logs, "--proposed", proposed, "--json", "--engine", engine])
        .stdout;
    expect(json("duckdb")).toBe(json("js"));
    expect(tierwall(["replay", LAYERED, logs, "--engine", "spark"]).stderr).toContain(
      "--engine spark: expected js or duckdb",
    );
  });

  it("reads files DuckDB cannot read clean with tierwall's reader, which says where they are wrong", () => {
    const damaged = join(dir, "damaged");
    mkdirSync(damaged, { recursive: true });
    const first = spawnSync("find", [logs, "-name", "PT1H.json"], { encoding: "utf8" })
      .stdout.trim()
      .split("\n")
      .sort()[0] as string;
    writeFileSync(
      join(damaged, "PT1H.json"),
      readFileSync(first, "utf8").replace(/"(\d+),/, '"x$1,'),
    );
    const js = tierwall(["replay", LAYERED, damaged, "--json"]);
    const duck = tierwall(["replay", LAYERED, damaged, "--json", "--engine", "duckdb"]);
    expect(JSON.parse(js.stdout).rejectedTuples).toBe(1);
    expect(duck.stdout).toBe(js.stdout);
    expect(tierwall(["replay", LAYERED, damaged, "--engine", "duckdb"]).stderr).toContain(
      "DuckDB could not read the logs clean",
    );
  });

  it("writes a query for each dialect, and a view when asked", () => {
    for (const dialect of ["duckdb", "postgres", "spark", "trino", "clickhouse"]) {
      const r = tierwall(["export", "sql", LAYERED, "--dialect", dialect]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`compiled by tierwall from ${LAYERED} (${dialect})`);
      expect(r.stdout).toContain("FROM flow_tuples t");
      expect(r.stdout).toContain("'securityRules/ALLOW-HTTPS-fe3ase'");
    }
    expect(tierwall(["export", "sql", LAYERED, "--dialect", "clickhouse"]).stdout).toContain(
      "IPv4StringToNumOrNull(t.src_ip)",
    );
    const view = tierwall([
      "export",
      "sql",
      LAYERED,
      "--view",
      "nsg_decisions",
      "--table",
      "logs.tuples",
    ]);
    expect(view.stdout).toContain("CREATE VIEW nsg_decisions AS\nWITH tw_numbered AS");
    expect(view.stdout).toContain("FROM logs.tuples t");
    expect(tierwall(["export", "sql", LAYERED, "--dialect", "oracle"]).code).toBe(2);
    expect(tierwall(["export", "sql", LAYERED, "--table", "x; DROP TABLE y"]).stderr).toContain(
      "expected a plain SQL name",
    );
  });
});
