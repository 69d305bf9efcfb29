/**
 * Replay end to end against its anchor, in the same run: a seeded week of the
 * layered example's VNet flow logs in Azure's blob layout, then
 *
 * - JSON.parse: each file read whole and parsed (the anchor for the reader);
 * - read: the streaming reader alone, to LoggedFlow;
 * - replay (js): read, fold into flows, judge each, sum up;
 * - replay (duckdb): read, append to an embedded DuckDB, fold and judge by SQL, sum up.
 *
 * Run: npm run bench:replay [-- CONNECTIONS_PER_HOUR]   (default 3000: about 1.1 M tuples)
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FlowClassFolder } from "../src/analysis/flow-classes.js";
import { sampleFlowLogs } from "../src/analysis/flow-log-sample.js";
import { judgeClasses, replayReport } from "../src/analysis/replay.js";
import { readFlowLogs } from "../src/formats/flow-logs/read.js";
import { flowLogDocuments } from "../src/formats/flow-logs/write.js";
import { judgeInDuckDb } from "../src/formats/sql/duckdb-replay.js";
import type { LoggedFlow } from "../src/model/logged-flow.js";
import { loadSpec } from "../src/specfile/load.js";
import { writeSection } from "./section.js";

const perHour = Number(process.argv[2] ?? 3000);
const spec = loadSpec(join(import.meta.dirname, "../../examples/layered-ase/tierwall.yaml"));
if (!spec.spec) throw new Error("examples/layered-ase does not load");
const network = spec.spec.network;

const dir = mkdtempSync(join(tmpdir(), "tierwall-bench-replay-"));
let hour: LoggedFlow[] = [];
let current = Number.NaN;
let written = 0;
const flush = () => {
  for (const [path, text] of flowLogDocuments(hour)) {
    const file = join(dir, ...path.split("/"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  hour = [];
};
for (const t of sampleFlowLogs(network, { seed: 11, days: 7, connectionsPerHour: perHour })) {
  const h = Math.floor(t.time / 3_600_000);
  if (h !== current && hour.length > 0) flush();
  current = h;
  hour.push(t);
  written++;
}
flush();

const files: string[] = [];
const walk = (d: string) => {
  for (const name of readdirSync(d).sort()) {
    const path = join(d, name);
    if (statSync(path).isDirectory()) walk(path);
    else files.push(path);
  }
};
walk(dir);
const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

async function time(run: () => Promise<void> | void): Promise<number> {
  const start = process.hrtime.bigint();
  await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return ms;
}

const rows: [string, number][] = [];
rows.push([
  "JSON.parse (anchor)",
  await time(() => {
    let n = 0;
    for (const f of files) {
      const doc = JSON.parse(readFileSync(f, "utf8")) as { records: unknown[] };
      n += doc.records.length;
    }
    if (n === 0) throw new Error("no records");
  }),
]);
rows.push([
  "read (streaming reader)",
  await time(async () => {
    let n = 0;
    for await (const batch of readFlowLogs([dir])) n += batch.length;
    if (n !== written) throw new Error(`read ${n} of ${written} tuples`);
  }),
]);
rows.push([
  "replay, js engine",
  await time(async () => {
    const folder = new FlowClassFolder();
    for await (const batch of readFlowLogs([dir])) for (const t of batch) folder.add(t);
    replayReport(judgeClasses(folder.classes(), network, network), folder.tuples, network, true);
  }),
]);
rows.push([
  "replay, duckdb engine",
  await time(async () => {
    const { judged, tuples } = await judgeInDuckDb(readFlowLogs([dir]), network, network);
    replayReport(judged, tuples, network, true);
  }),
]);
rmSync(dir, { recursive: true, force: true });

const anchor = rows[0]?.[1] ?? 1;
const load = loadavg()[0] ?? 0;
const section = [
  "## Flow-log replay",
  "",
  `\`npm run bench:replay\`: \`bench/replay.ts\` writes a seeded week of the layered example's VNet flow logs (\`sampleFlowLogs\`, ${perHour.toLocaleString("en-US")} connections an hour, in Azure's blob layout: ${written.toLocaleString("en-US")} tuples, ${(bytes / 1e6).toFixed(0)} MB in ${files.length} files) and times, in one process, each step end to end from the files: the anchor, a plain \`JSON.parse\` of each file; the streaming reader alone; \`replay\` with the JavaScript engine (read, fold into flows by 5-tuple and direction, judge each, sum up, with a proposed spec); and with the DuckDB engine (read, append to an embedded DuckDB, fold and judge by the compiled SQL, sum up). Load average at the end: ${load.toFixed(1)} on 2 cores (other work inflates wall times).`,
  "",
  "| step | time | tuples/s | × JSON.parse's time |",
  "|---|---:|---:|---:|",
  ...rows.map(
    ([label, ms]) =>
      `| ${label} | ${(ms / 1000).toFixed(2)} s | ${Math.round(written / (ms / 1000)).toLocaleString("en-US")} | ${(ms / anchor).toFixed(2)} |`,
  ),
  "",
  `Peak resident memory of the run (all steps, JSON.parse's included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB.`,
  "",
  "The issue's targets are 1 million tuples a second per core end to end, 1.7× that on both cores, under 300 MB resident on a 5 GB input, and the DuckDB engine 3× faster than the JavaScript one on 100 million tuples. None is met yet. Where the time goes (profiled): the streaming reader, which checks every field and makes an object per tuple, takes several times `JSON.parse`'s time (which leaves each tuple one string) but is not what limits replay; the JavaScript engine spends the rest folding tuples into flows (a map lookup per tuple, then objects per flow: flows are nearly as many as connections, since each has its own source port) and in the collector; judging a flow costs about a microsecond. Memory grows with the distinct flows, not the input. The DuckDB engine is slower than the JavaScript one because every tuple crosses into DuckDB through the appender and every flow comes back as an object; the way to its target is to let DuckDB read and fold the files itself and return only the report's rows (hits, disagreements, what a change breaks, grouped without source ports). Worker threads are not used yet.",
  "",
].join("\n");
console.log(section);
writeSection(join(import.meta.dirname, "../../BENCHMARKS.md"), "## Flow-log replay", section);
