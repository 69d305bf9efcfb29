/**
 * The flow-log reader against its anchor: a plain JSON.parse of the same
 * files, measured in the same run. Writes a reproducible NSG flow log
 * (version 2) and a VNet flow log of about 100 MB each, in Azure's layout (one
 * record per minute and network interface, one record a line), then times,
 * for each:
 *
 * - JSON.parse: reading the file whole and parsing it (the tuples stay strings);
 * - JSON.parse + split: the same, then each tuple split at its commas;
 * - readFlowLogs: the streaming reader, end to end from the file, to LoggedFlow.
 *
 * Run: npx tsc -p tsconfig.build.json && npx tsc -p tsconfig.bench.json &&
 * node dist-bench/bench/flow-log-read.js [MEGABYTES]
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readFlowLogs } from "../src/formats/flow-logs/read.js";
import { random } from "./generate.js";

const SUB = "00000000-0000-0000-0000-000000000000";
const NSG = `/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/BENCH/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/BENCH-NSG`;
const VNET = `/subscriptions/${SUB}/resourceGroups/bench/providers/Microsoft.Network/virtualNetworks/bench`;
const RULES = [
  "DefaultRule_DenyAllInBound",
  "DefaultRule_AllowInternetOutBound",
  "DefaultRule_AllowVnetInBound",
  "UserRule_allow-https",
  "UserRule_allow-sql-from-app",
];
const TUPLES_PER_GROUP = 400;

/** Writes a flow log of about `bytes` bytes; returns its tuple count. */
export function writeLog(path: string, kind: "nsg" | "vnet", bytes: number, seed: number): number {
  const next = random(seed);
  const int = (n: number) => Math.floor(next() * n);
  // A thousand hosts of the virtual network, and peers on the Internet (documentation ranges).
  const address = () =>
    next() < 0.6
      ? `10.0.${int(4)}.${1 + int(254)}`
      : `${["198.51.100", "203.0.113", "192.0.2"][int(3)]}.${1 + int(254)}`;
  const fd = openSync(path, "w");
  let written = 0;
  let tuples = 0;
  let minute = 0;
  const start = 1796119200;
  writeSync(fd, '{"records":[');
  while (written < bytes) {
    const groups: string[] = [];
    for (const rule of RULES) {
      const list: string[] = [];
      for (let i = 0; i < TUPLES_PER_GROUP; i++) {
        const t = start + minute * 60 + int(60);
        const ends = `${address()},${address()},${1024 + int(64000)},${[443, 80, 22, 1433, 3389][int(5)]}`;
        const inbound = next() < 0.5 ? "I" : "O";
        const stats =
          next() < 0.3 ? ",,,," : `,${int(100)},${int(100000)},${int(100)},${int(100000)}`;
        const state = stats === ",,,," ? "B" : next() < 0.5 ? "C" : "E";
        list.push(
          kind === "nsg"
            ? `"${t},${ends},${next() < 0.9 ? "T" : "U"},${inbound},${next() < 0.8 ? "A" : "D"},${state}${stats}"`
            : `"${t * 1000 + int(1000)},${ends},${next() < 0.9 ? 6 : 17},${inbound},${next() < 0.2 ? "D" : state},NX${stats === ",,,," ? ",0,0,0,0" : stats}"`,
        );
      }
      tuples += list.length;
      groups.push(
        kind === "nsg"
          ? `{"rule":"${rule}","flows":[{"mac":"000D3AF87856","flowTuples":[${list.join(",")}]}]}`
          : `{"rule":"${rule}","flowTuples":[${list.join(",")}]}`,
      );
    }
    const time = new Date((start + (minute + 1) * 60) * 1000).toISOString();
    const record =
      kind === "nsg"
        ? `{"time":"${time}","systemId":"${SUB}","macAddress":"000D3AF87856","category":"NetworkSecurityGroupFlowEvent","resourceId":"${NSG}","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[${groups.join(",")}]}}`
        : `{"time":"${time}","flowLogVersion":4,"flowLogGUID":"${SUB}","macAddress":"000D3AF87856","category":"FlowLogFlowEvent","flowLogResourceID":"${NSG}","targetResourceID":"${VNET}","operationName":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"${SUB}","flowGroups":[${groups.join(",")}]}]}}`;
    const text = `${minute === 0 ? "" : "\n,"}${record}`;
    writeSync(fd, text);
    written += Buffer.byteLength(text);
    minute++;
  }
  writeSync(fd, "]}\n");
  closeSync(fd);
  return tuples;
}

/** Wall time, and the process's CPU time (user and system): the machine may be busy with other work. */
interface Timing {
  readonly ms: number;
  readonly cpuMs: number;
}

const cpuSince = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

function time(fn: () => unknown): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  return { ms: performance.now() - t0, cpuMs: cpuSince(c0) };
}

async function timeAsync(fn: () => Promise<unknown>): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  return { ms: performance.now() - t0, cpuMs: cpuSince(c0) };
}

interface Parsed {
  records: {
    properties?: { flows: { flows: { flowTuples: string[] }[] }[] };
    flowRecords?: { flows: { flowGroups: { flowTuples: string[] }[] }[] };
  }[];
}

function tuplesOf(parsed: Parsed): string[][] {
  const out: string[][] = [];
  for (const r of parsed.records) {
    for (const g of r.properties?.flows ?? []) for (const m of g.flows) out.push(m.flowTuples);
    for (const a of r.flowRecords?.flows ?? [])
      for (const g of a.flowGroups) out.push(g.flowTuples);
  }
  return out;
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 100);
  const dir = mkdtempSync(join(tmpdir(), "tierwall-flow-bench-"));
  const rows: string[] = [];
  try {
    for (const kind of ["nsg", "vnet"] as const) {
      const path = join(dir, `${kind}.json`);
      const tuples = writeLog(path, kind, megabytes * 1e6, kind === "nsg" ? 1 : 2);
      const size = statSync(path).size;
      const mb = size / 1e6;
      const rate = (ms: number) =>
        `${(mb / (ms / 1000)).toFixed(0).padStart(4)} MB/s ${(tuples / ms / 1e3).toFixed(2)} M tuples/s`;
      const results: [string, Timing][] = [];
      for (let run = 0; run < 3; run++) {
        const parse = time(() => JSON.parse(readFileSync(path, "utf8")) as Parsed);
        const split = time(() => {
          let fields = 0;
          for (const list of tuplesOf(JSON.parse(readFileSync(path, "utf8")) as Parsed))
            for (const t of list) fields += t.split(",").length;
          return fields;
        });
        const heapBefore = process.memoryUsage().heapUsed;
        let heapMost = heapBefore;
        let count = 0;
        const read = await timeAsync(async () => {
          for await (const batch of readFlowLogs([path])) {
            count += batch.length;
            heapMost = Math.max(heapMost, process.memoryUsage().heapUsed);
          }
        });
        if (count !== tuples) throw new Error(`read ${count} of ${tuples} tuples`);
        results.push(["JSON.parse", parse], ["JSON.parse + split", split], ["readFlowLogs", read]);
        if (run === 2)
          rows.push(
            `${kind}: ${mb.toFixed(0)} MB, ${tuples} tuples; readFlowLogs heap: ${((heapMost - heapBefore) / 1e6).toFixed(0)} MB above start`,
          );
      }
      for (const name of ["JSON.parse", "JSON.parse + split", "readFlowLogs"]) {
        const mine = results.filter(([n]) => n === name).map(([, t]) => t);
        const wall = Math.min(...mine.map((t) => t.ms));
        const cpu = Math.min(...mine.map((t) => t.cpuMs));
        rows.push(
          `  ${name.padEnd(20)} wall ${wall.toFixed(0).padStart(5)} ms ${rate(wall)} | CPU ${cpu.toFixed(0).padStart(5)} ms ${rate(cpu)}`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(rows.join("\n"));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  await main();
