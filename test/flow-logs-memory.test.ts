/**
 * The flow-log reader's memory stays flat however large the input: 200 MB of
 * virtual network flow logs (2.4 million tuples) are read through a process
 * whose JavaScript heap may not grow past 64 MB. A reader that kept the file,
 * the records or the flows would need several times that (the flows alone,
 * as objects, take over 400 MB) and would die of it; one that streams reads
 * it all. The child process runs the built reader, as users do; another
 * reads a gzip'ed flow log from its standard input.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { beforeAll, expect, it } from "vitest";
import { ROOT, requireBuild } from "./support/cli.js";

const RECORDS = 200;
const TUPLES_PER_RECORD = 12_000;
const HEAP_MB = 64;

const script = (reader: string) => `
import { readFlowLogs } from ${JSON.stringify(reader)};
const tuples = [];
for (let i = 0; i < ${TUPLES_PER_RECORD}; i++)
  tuples.push('"' + (1796119200000 + i) + ',10.0.' + (i % 4) + '.' + (1 + (i % 250)) + ',198.51.100.' + (1 + (i % 200)) + ',' + (1024 + i) + ',443,6,I,' + 'BCED'[i % 4] + ',NX,' + i + ',' + i * 60 + ',' + i + ',' + i * 90 + '"');
const record = Buffer.from('{"time":"2026-12-01T10:01:00.0000000Z","flowLogVersion":4,"macAddress":"112233445566","category":"FlowLogFlowEvent","targetResourceID":"/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/v","flowRecords":{"flows":[{"aclID":"a","flowGroups":[{"rule":"UserRule_r","flowTuples":[' + tuples.join(",") + ']}]}]}}');
async function* input() {
  yield Buffer.from('{"records":[');
  for (let r = 0; r < ${RECORDS}; r++) {
    if (r > 0) yield Buffer.from("\\n,");
    yield record;
  }
  yield Buffer.from("]}");
}
let heapMost = 0;
let count = 0;
const reading = readFlowLogs(["-"], { stdin: input() });
for await (const batch of reading) {
  count += batch.length;
  heapMost = Math.max(heapMost, process.memoryUsage().heapUsed);
}
console.log(JSON.stringify({ count, bytes: reading.totals.bytes, heapMost, diagnostics: reading.diagnostics.length }));
`;

beforeAll(requireBuild);

it(`reads ${RECORDS} MB of flow logs in a ${HEAP_MB} MB heap`, () => {
  const reader = pathToFileURL(join(ROOT, "dist", "formats", "flow-logs", "read.js")).href;
  const run = spawnSync(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, "--input-type=module", "-e", script(reader)],
    { encoding: "utf8", timeout: 120_000 },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const result = JSON.parse(run.stdout) as {
    count: number;
    bytes: number;
    heapMost: number;
    diagnostics: number;
  };
  expect(result.count).toBe(RECORDS * TUPLES_PER_RECORD);
  expect(result.diagnostics).toBe(0);
  expect(result.bytes).toBeGreaterThan(190e6);
  expect(result.heapMost).toBeLessThan(HEAP_MB * 1024 * 1024);
});

it("reads a process's standard input, gzip'ed", () => {
  const reader = pathToFileURL(join(ROOT, "dist", "formats", "flow-logs", "read.js")).href;
  const code = `
import { readFlowLogs } from ${JSON.stringify(reader)};
const reading = readFlowLogs(["-"]);
const flows = [];
for await (const batch of reading) flows.push(...batch);
console.log(JSON.stringify({ flows: flows.map((f) => f.source), totals: reading.totals }));
`;
  const input = gzipSync(readFileSync(join(ROOT, "test", "fixtures", "flow-logs", "vnet.json")));
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    input,
    encoding: "utf8",
  });
  expect(run.stderr).toBe("");
  const result = JSON.parse(run.stdout) as { flows: string[]; totals: { bytes: number } };
  expect(result.flows).toEqual([
    "10.0.0.6",
    "10.0.0.6",
    "198.51.100.153",
    "203.0.113.45",
    "198.51.100.7",
  ]);
  expect(result.totals.bytes).toBe(input.length);
});
