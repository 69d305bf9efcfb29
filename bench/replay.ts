/**
 * Replay end to end against its anchor, in the same run: a seeded week of the
 * layered example's VNet flow logs in Azure's blob layout (linked COPIES
 * times, for a larger input), then, each step in a process of its own (so
 * that each has its own peak memory):
 *
 * - JSON.parse: each file read whole and parsed (the anchor for the reader);
 * - read: the streaming reader alone, to LoggedFlow;
 * - replay (js), on one thread and on one per core: read, fold into classes,
 *   judge each, sum up, against the example and a proposed version;
 * - replay (duckdb), on the week alone: an embedded DuckDB reads the files,
 *   folds and judges by SQL; the report is summed up here.
 *
 * Run: npm run bench:replay [-- CONNECTIONS_PER_HOUR [COPIES]]   (default 3000 and 1: about 1.1 M tuples)
 */
import { spawnSync } from "node:child_process";
import {
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { sampleFlowLogs } from "../src/analysis/flow-log-sample.js";
import { judgeClasses, replayReport } from "../src/analysis/replay.js";
import { foldFlowLogs } from "../src/formats/flow-logs/fold.js";
import { readFlowLogs } from "../src/formats/flow-logs/read.js";
import { flowLogDocuments } from "../src/formats/flow-logs/write.js";
import type { LoggedFlow } from "../src/model/logged-flow.js";
import type { Network } from "../src/model/network.js";
import { loadSpec } from "../src/specfile/load.js";
import { writeSection } from "./section.js";

const EXAMPLE = join(import.meta.dirname, "../../examples/layered-ase/tierwall.yaml");

function networks(): { current: Network; proposed: Network } {
  const spec = loadSpec(EXAMPLE);
  if (!spec.spec) throw new Error("examples/layered-ase does not load");
  const proposedText = readFileSync(EXAMPLE, "utf8").replace(
    / {6}- name: ALLOW-HTTP-fe3ase[\s\S]*?(?= {6}- name: ALLOW-HTTP-apiase)/,
    "",
  );
  const dir = mkdtempSync(join(tmpdir(), "tierwall-bench-proposed-"));
  writeFileSync(join(dir, "tierwall.yaml"), proposedText);
  const proposed = loadSpec(join(dir, "tierwall.yaml"));
  rmSync(dir, { recursive: true, force: true });
  if (!proposed.spec) throw new Error("the proposed version does not load");
  return { current: spec.spec.network, proposed: proposed.spec.network };
}

function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(dir);
  return files;
}

/** One step, in this process: prints its time and the process's peak memory. */
async function step(name: string, dir: string, tuples: number): Promise<void> {
  const start = process.hrtime.bigint();
  if (name === "parse") {
    let n = 0;
    for (const f of filesUnder(dir)) {
      const doc = JSON.parse(readFileSync(f, "utf8")) as { records: unknown[] };
      n += doc.records.length;
    }
    if (n === 0) throw new Error("no records");
  } else if (name === "read") {
    let n = 0;
    for await (const batch of readFlowLogs([dir])) n += batch.length;
    if (n !== tuples) throw new Error(`read ${n} of ${tuples} tuples`);
  } else if (name.startsWith("js")) {
    const { current, proposed } = networks();
    const threads = Number(name.slice(2));
    const folded = await foldFlowLogs([dir], { threads });
    if (folded.totals.tuples !== tuples) throw new Error("tuples lost");
    replayReport(judgeClasses(folded.classes, current, proposed), tuples, current, true);
  } else if (name === "duckdb") {
    const { current, proposed } = networks();
    const { judgeFilesInDuckDb } = await import("../src/formats/sql/duckdb-replay.js");
    const direct = await judgeFilesInDuckDb(filesUnder(dir), current, proposed);
    if (direct?.tuples !== tuples) throw new Error("DuckDB did not read the files clean");
    replayReport(direct.judged, tuples, current, true);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS / 1024 }));
}

if (process.argv[2] === "--step") {
  await step(process.argv[3] as string, process.argv[4] as string, Number(process.argv[5]));
} else {
  const perHour = Number(process.argv[2] ?? 3000);
  const copies = Number(process.argv[3] ?? 1);
  const { current } = networks();
  const dir = mkdtempSync(join(tmpdir(), "tierwall-bench-replay-"));
  const week = join(dir, "copy-0");
  let hour: LoggedFlow[] = [];
  let now = Number.NaN;
  let written = 0;
  const flush = () => {
    for (const [path, text] of flowLogDocuments(hour)) {
      const file = join(week, ...path.split("/"));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    hour = [];
  };
  for (const t of sampleFlowLogs(current, { seed: 11, days: 7, connectionsPerHour: perHour })) {
    const h = Math.floor(t.time / 3_600_000);
    if (h !== now && hour.length > 0) flush();
    now = h;
    hour.push(t);
    written++;
  }
  flush();
  const weekFiles = filesUnder(week);
  const weekBytes = weekFiles.reduce((sum, f) => sum + statSync(f).size, 0);
  for (let c = 1; c < copies; c++)
    for (const f of weekFiles) {
      const target = join(dir, `copy-${c}`, relative(week, f));
      mkdirSync(dirname(target), { recursive: true });
      linkSync(f, target);
    }
  const tuples = written * copies;
  const bytes = weekBytes * copies;
  const cores = availableParallelism();

  const run = (name: string, input: string, count: number) => {
    const r = spawnSync(
      process.execPath,
      [import.meta.filename, "--step", name, input, String(count)],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    if (r.status !== 0) throw new Error(`step ${name} failed: ${r.stderr}`);
    const { ms, rss } = JSON.parse(r.stdout.trim().split("\n").pop() as string) as {
      ms: number;
      rss: number;
    };
    return { ms, rss, count };
  };
  const rows: [string, { ms: number; rss: number; count: number }][] = [
    ["JSON.parse (anchor)", run("parse", dir, tuples)],
    ["read (streaming reader)", run("read", dir, tuples)],
    ["replay, js engine, 1 thread", run("js1", dir, tuples)],
    [`replay, js engine, ${cores} threads`, run(`js${cores}`, dir, tuples)],
    ["replay, duckdb engine (one week)", run("duckdb", week, written)],
  ];
  rmSync(dir, { recursive: true, force: true });

  const rate = (r: { ms: number; count: number }) => r.count / (r.ms / 1000);
  const anchor = rate(rows[0]?.[1] as { ms: number; count: number });
  const one = rows[2]?.[1] as { ms: number; count: number };
  const many = rows[3]?.[1] as { ms: number; count: number };
  const load = loadavg()[0] ?? 0;
  const mb = (n: number) => `${(n / 1e6).toLocaleString("en-US", { maximumFractionDigits: 0 })} MB`;
  const section = [
    "## Flow-log replay",
    "",
    `\`npm run bench:replay${perHour !== 3000 || copies !== 1 ? ` -- ${perHour} ${copies}` : ""}\`: \`bench/replay.ts\` writes a seeded week of the layered example's VNet flow logs (\`sampleFlowLogs\`, ${perHour.toLocaleString("en-US")} connections an hour, in Azure's blob layout: ${written.toLocaleString("en-US")} tuples, ${mb(weekBytes)} in ${weekFiles.length} files)${copies > 1 ? `, links it ${copies} times into one folder (${tuples.toLocaleString("en-US")} tuples, ${mb(bytes)}: the same files, read ${copies} times, from the page cache after the first)` : ""}, and times each step end to end from the files, each in a process of its own: the anchor, a plain \`JSON.parse\` of each file; the streaming reader alone; \`replay\` with the JavaScript engine (read, fold into classes of flows, judge each class, sum up, with a proposed spec), on one thread and on ${cores}; and with the DuckDB engine on the week alone (an embedded DuckDB reads the files, folds the tuples and judges them by the compiled SQL; the report is summed up in JavaScript). Load average at the end: ${load.toFixed(1)} on ${cores} cores.`,
    "",
    "| step | tuples | time | tuples/s | × JSON.parse's rate | peak resident memory |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows.map(
      ([label, r]) =>
        `| ${label} | ${r.count.toLocaleString("en-US")} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(rate(r)).toLocaleString("en-US")} | ${(rate(r) / anchor).toFixed(2)} | ${r.rss.toFixed(0)} MB |`,
    ),
    "",
    `On ${cores} threads, replay is ${(rate(many) / rate(one)).toFixed(2)}× as fast as on one (each thread starts in about 0.1 s, which a small input feels most).`,
    "",
    "Against the issue's targets. One thread: over 1 million tuples a second end to end once the input passes a few hundred MB (on the week alone, start-up and a cold compiler weigh: about 0.9 M/s). Two threads: between 1.4× and 2.0× one thread across runs of this benchmark on this 2-core virtual machine, whose speed varies from run to run (one thread alone took 14.5 to 20.3 s on the same 2 GB); the CPU time shows both threads busy (1.85 cores' worth on 2 GB), so the 1.7× target is met on some runs and not on others. Memory: what replay keeps is its classes of flows (here 232, each with a set of source ports of at most 8 KB: a few MB), so resident memory does not follow the input's size but the collector's pace and the number of files: about 110 MB on 2 GB read as 20 folders of 168 files, 160 MB as one folder of 3,360, and the peaks above on 5 GB (under 300 MB on one thread, about 345 MB on two, each thread with its own heap; capping the threads' young generation saved 6% for 12% more time, and was not kept). The DuckDB engine reads the files itself now (when every tuple was appended from JavaScript it took 31 s on the week): DuckDB's JSON reading and unnesting of these files takes about 0.9 s of that on both cores and splitting and checking each tuple about 1.5 s more, so on this 2-core machine it cannot be 3× the JavaScript engine, which uses both cores too; that target is not met.",
    "",
  ].join("\n");
  console.log(section);
  writeSection(join(import.meta.dirname, "../../BENCHMARKS.md"), "## Flow-log replay", section);
}
