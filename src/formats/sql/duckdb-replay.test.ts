/**
 * The SQL path against the JavaScript path: the same tuples, folded and judged
 * in DuckDB by the SQL each example compiles to, and folded and judged in
 * JavaScript, must give the same classes, the same judgements and the same report.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { dynamicInterfacesSpec, exampleNetwork, networkOf } from "../../../test/support/spec.js";
import { classKey, FlowClassFolder } from "../../analysis/flow-classes.js";
import { sampleFlowLogs } from "../../analysis/flow-log-sample.js";
import {
  type JudgedClass,
  judgeClasses,
  judgesBySourcePort,
  replayReport,
} from "../../analysis/replay.js";
import { seededRandom as random } from "../../analysis/seeded-random.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import type { Network } from "../../model/network.js";
import { formatIpAddress } from "../../net/address.js";
import { readFlowLogs } from "../flow-logs/read.js";
import { flowLogDocuments } from "../flow-logs/write.js";
import { judgeFilesInDuckDb, judgeInDuckDb } from "./duckdb-replay.js";

const EXAMPLES = readdirSync(join(import.meta.dirname, "../../../examples"));

/** Tuples between addresses of the network's subnets, its known hosts and the Internet, some of them unjudgeable. */
function randomTuples(network: Network, seed: number, count: number): LoggedFlow[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const inside: string[] = [];
  for (const s of network.subnets)
    for (const [first, last] of s.addresses.intervals(4))
      for (let i = 0; i < 6; i++) {
        const value = first + BigInt(Math.floor(next() * Number(last - first + 1n)));
        inside.push(formatIpAddress({ family: 4, value }));
      }
  for (const nic of network.nics.values())
    for (const c of nic.ipConfigurations) inside.push(formatIpAddress(c.address));
  for (const env of network.environments.values()) inside.push(formatIpAddress(env.privateAddress));
  const outside = ["203.0.113.7", "198.51.100.11", "192.0.2.200", "8.8.8.8", "2001:db8::5"];
  const ports = [22, 80, 443, 1433, 3389, 8080, 53, 454, 65000];
  const out: LoggedFlow[] = [];
  for (let i = 0; i < count; i++) {
    const inbound = next() < 0.5;
    const local = pick(inside);
    const remote = next() < 0.5 ? pick(inside) : pick(outside);
    const protocol = pick([6, 6, 6, 17, 17, 1, 47, 50]);
    out.push({
      format: next() < 0.5 ? "vnet" : "nsg-v2",
      time: 1_764_000_000_000 + Math.floor(next() * 86_400_000),
      source: inbound ? remote : local,
      destination: inbound ? local : remote,
      sourcePort: next() < 0.7 ? 49152 + Math.floor(next() * 8) : pick(ports),
      destinationPort: pick(ports),
      protocol,
      direction: inbound ? "Inbound" : "Outbound",
      access: next() < 0.8 ? "Allow" : "Deny",
      state: "E",
      packetsSent: Math.floor(next() * 10),
      bytesSent: Math.floor(next() * 5000),
      packetsReceived: Math.floor(next() * 10),
      bytesReceived: Math.floor(next() * 5000),
      rule: pick(["UserRule_x", "DefaultRule_DenyAllInBound", "DefaultRule_AllowVnetOutBound"]),
      ...(next() < 0.5
        ? { aclId: pick(["a", "b"]) }
        : { nsgId: `/x/networkSecurityGroups/${pick(["web-nsg", "other"])}` }),
    });
  }
  return out;
}

async function* batches(tuples: readonly LoggedFlow[]) {
  for (let i = 0; i < tuples.length; i += 1000) yield tuples.slice(i, i + 1000);
}

const byKey = (judged: readonly JudgedClass[]) =>
  new Map(
    judged.map((j) => [
      classKey(j.traffic),
      {
        ...j,
        traffic: {
          ...j.traffic,
          logged: [...j.traffic.logged].sort((a, b) =>
            JSON.stringify(a).localeCompare(JSON.stringify(b)),
          ),
        },
      },
    ]),
  );

describe("replay in DuckDB", () => {
  it.each(EXAMPLES)("judges %s's flows as the JavaScript path does", async (example) => {
    const network = exampleNetwork(example);
    const tuples = [
      ...randomTuples(network, example.length * 7919, 3000),
      ...sampleFlowLogs(network, { seed: 3, days: 1, format: "nsg-v2" }),
    ];
    const bySourcePort = judgesBySourcePort(network);
    const folder = new FlowClassFolder({ bySourcePort });
    for (const t of tuples) folder.add(t);
    const js = judgeClasses(folder.classes(), network, network);
    const sql = await judgeInDuckDb(batches(tuples), network, network, { bySourcePort });
    expect(sql.tuples).toBe(tuples.length);
    const left = byKey(js);
    const right = byKey(sql.judged);
    expect([...right.keys()].sort()).toEqual([...left.keys()].sort());
    for (const [key, expected] of left) expect(right.get(key), key).toEqual(expected);
    const report = (judged: readonly JudgedClass[]) => {
      const r = replayReport(judged, tuples.length, network, true);
      return {
        ruleHits: r.ruleHits,
        unused: r.unusedRules,
        unmapped: [...r.unmapped].sort((a, b) => a.name.localeCompare(b.name)),
        notJudged: [...r.notJudged].sort((a, b) => a.reason.localeCompare(b.reason)),
        disagreements: r.disagreements.length,
      };
    };
    expect(report(sql.judged)).toEqual(report(js));
  });
});

describe("replay in DuckDB at Dynamic interfaces", () => {
  it.each(["strict", "open"] as const)(
    "judges a subnet of Dynamic interfaces (second NSG %s) as the JavaScript path does",
    async (second) => {
      const network = networkOf(dynamicInterfacesSpec(second));
      const tuples = randomTuples(network, 17, 2000);
      const folder = new FlowClassFolder();
      for (const t of tuples) folder.add(t);
      const js = byKey(judgeClasses(folder.classes(), network, network));
      const sql = byKey((await judgeInDuckDb(batches(tuples), network, network)).judged);
      expect([...sql.keys()].sort()).toEqual([...js.keys()].sort());
      for (const [key, expected] of js) expect(sql.get(key), key).toEqual(expected);
    },
  );
});

describe("replay in DuckDB by source port", () => {
  it("keeps classes apart by source port, as the JavaScript path does, when a rule names source ports", async () => {
    const text = readFileSync(
      join(import.meta.dirname, "../../../examples/layered-ase/tierwall.yaml"),
      "utf8",
    ).replace(/(- name: ALLOW-HTTPS-fe1ase[\s\S]*?sourcePortRange: )"\*"/, '$1"49152-49155"');
    const network = networkOf(text);
    expect(judgesBySourcePort(network)).toBe(true);
    const tuples = randomTuples(network, 23, 2000);
    const folder = new FlowClassFolder({ bySourcePort: true });
    for (const t of tuples) folder.add(t);
    const js = byKey(judgeClasses(folder.classes(), network, network));
    const sql = byKey(
      (await judgeInDuckDb(batches(tuples), network, network, { bySourcePort: true })).judged,
    );
    expect([...sql.keys()].sort()).toEqual([...js.keys()].sort());
    for (const [key, expected] of js) expect(sql.get(key), key).toEqual(expected);
  });
});

describe("replay in DuckDB from the files", () => {
  const temp = mkdtempSync(join(tmpdir(), "tierwall-duckdb-files-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));
  const network = exampleNetwork("layered-ase");

  /** The tuples written as Azure lays them out, under `dir`; the files' paths. */
  function write(dir: string, tuples: readonly LoggedFlow[], gzip = false): string[] {
    const paths: string[] = [];
    for (const [path, text] of flowLogDocuments(tuples)) {
      const file = join(dir, ...path.split("/")) + (gzip ? ".gz" : "");
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, gzip ? gzipSync(text) : text);
      paths.push(file);
    }
    return paths.sort();
  }

  async function javascript(paths: readonly string[]) {
    const folder = new FlowClassFolder();
    for await (const batch of readFlowLogs(paths)) for (const t of batch) folder.add(t);
    return { judged: judgeClasses(folder.classes(), network, network), tuples: folder.tuples };
  }

  it.each(["vnet", "nsg-v2", "nsg-v1"] as const)(
    "reads %s files itself and judges them as the JavaScript path does",
    async (format) => {
      const tuples = [
        ...sampleFlowLogs(network, { seed: 9, days: 1, format }),
        ...randomTuples(network, 31, 500)
          .filter((t) => format === "vnet" || t.protocol === 6 || t.protocol === 17)
          .map((t) => ({
            ...t,
            format,
            time: format === "vnet" ? t.time : Math.floor(t.time / 1000) * 1000,
          })),
      ].sort((a, b) => a.time - b.time);
      const paths = write(join(temp, format), tuples, format === "nsg-v1");
      const expected = await javascript(paths);
      const direct = await judgeFilesInDuckDb(paths, network, network);
      expect(direct?.tuples).toBe(expected.tuples);
      const left = byKey(expected.judged);
      const right = byKey(direct?.judged ?? []);
      expect([...right.keys()].sort()).toEqual([...left.keys()].sort());
      for (const [key, value] of left) expect(right.get(key), key).toEqual(value);
    },
  );

  it("gives up, for tierwall's reader to say where, on a bad tuple, another category, or broken JSON", async () => {
    const [good] = write(join(temp, "good"), [...sampleFlowLogs(network, { seed: 2, days: 1 })]);
    const text = readFileSync(good as string, "utf8");
    const bad = (name: string, content: string) => {
      const path = join(temp, `${name}.json`);
      writeFileSync(path, content);
      return path;
    };
    expect(await judgeFilesInDuckDb([good as string], network)).toBeDefined();
    for (const path of [
      bad("tuple", text.replace(/"(\d+),/, '"x$1,')),
      bad("port", text.replace(/"(\d+),([^,]+),([^,]+),\d+,/, '"$1,$2,$3,70000,')),
      bad("address", text.replace(/"(\d+),[^,]+,/, '"$1,10.0.0.300,')),
      bad("category", text.replace('"category": "FlowLogFlowEvent"', '"category": "Other"')),
      bad("json", text.slice(0, text.length / 2)),
    ])
      expect(await judgeFilesInDuckDb([path], network), path).toBeUndefined();
  });
});

describe("export sql's text", () => {
  it("creates a view that DuckDB runs over a table of tuples, passing its columns through", async () => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const { compileSql } = await import("./compile.js");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(
        "CREATE TABLE flow_tuples (direction VARCHAR, protocol INTEGER, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER, rule VARCHAR)",
      );
      await connection.run(`INSERT INTO flow_tuples VALUES
        ('I', 6, '198.51.100.33', 50000, '10.0.4.4', 443, 'UserRule_ALLOW-HTTPS-fe3ase'),
        ('I', 6, '192.0.2.9', 50000, '10.0.4.4', 22, 'DefaultRule_DenyAllInBound'),
        ('I', 6, '2001:db8::1', 50000, '2001:db8::2', 22, 'x')`);
      const { text } = compileSql(exampleNetwork("layered-ase"), {
        dialect: "duckdb",
        view: "nsg_decisions",
      });
      await connection.run(text);
      const rows = (
        await connection.runAndReadAll(
          "SELECT rule, spec_decision, spec_rule, spec_judged_at FROM nsg_decisions ORDER BY src_ip",
        )
      ).getRowObjects();
      expect(rows).toEqual([
        {
          rule: "DefaultRule_DenyAllInBound",
          spec_decision: "Deny",
          spec_rule: "defaultSecurityRules/DenyAllInBound",
          spec_judged_at: "environment apiase",
        },
        {
          rule: "UserRule_ALLOW-HTTPS-fe3ase",
          spec_decision: "Allow",
          spec_rule: "securityRules/ALLOW-HTTPS-fe3ase",
          spec_judged_at: "environment apiase",
        },
        { rule: "x", spec_decision: null, spec_rule: null, spec_judged_at: null },
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
