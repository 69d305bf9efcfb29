import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import { type FlowLogReadOptions, readFlowLogs } from "./read.js";
import { flowLogDocuments } from "./write.js";

const FIXTURES = resolve(import.meta.dirname, "../../../test/fixtures/flow-logs");
const fixture = (name: string) => join(FIXTURES, name);
const temp = mkdtempSync(join(tmpdir(), "tierwall-flow-logs-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

async function readAll(sources: readonly string[], options: FlowLogReadOptions = {}) {
  const reading = readFlowLogs(sources, options);
  const flows: LoggedFlow[] = [];
  const batches: number[] = [];
  for await (const batch of reading) {
    batches.push(batch.length);
    flows.push(...batch);
  }
  return { flows, batches, totals: reading.totals, diagnostics: reading.diagnostics };
}

const where = (d: Diagnostic) =>
  `${d.location?.line}:${d.location?.column} ${d.code}${d.location ? "" : ` ${d.message}`}`;

const NSG1 =
  "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/FABRIKAMRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/FABRIKAMVM1-NSG";
const VNET =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup/providers/Microsoft.Network/virtualNetworks/myVNet";
const ACL = "9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4";

describe("NSG flow logs", () => {
  it("reads the documented version 2 sample, every tuple with its rule, NSG and interface", async () => {
    const { flows, totals, diagnostics } = await readAll([fixture("nsg-v2.json")]);
    expect(diagnostics).toEqual([]);
    expect(totals).toMatchObject({
      files: 1,
      records: 2,
      recordsSkipped: 0,
      tuples: 7,
      tuplesRejected: 0,
    });
    expect(flows[0]).toEqual({
      format: "nsg-v2",
      time: 1796119262000,
      source: "198.51.100.190",
      destination: "10.5.16.4",
      sourcePort: 28746,
      destinationPort: 443,
      protocol: 17,
      direction: "Inbound",
      access: "Deny",
      state: "B",
      rule: "DefaultRule_DenyAllInBound",
      nsgId: NSG1,
      mac: "000D3AF87856",
    });
    expect(
      flows.map((f) => [
        f.rule,
        f.source,
        f.destinationPort,
        f.access,
        f.state,
        f.packetsSent ?? "-",
      ]),
    ).toEqual([
      ["DefaultRule_DenyAllInBound", "198.51.100.190", 443, "Deny", "B", "-"],
      ["DefaultRule_DenyAllInBound", "203.0.113.10", 59336, "Deny", "B", "-"],
      ["DefaultRule_AllowInternetOutBound", "10.5.16.4", 443, "Allow", "B", "-"],
      ["DefaultRule_AllowInternetOutBound", "10.5.16.4", 443, "Allow", "E", 1],
      ["DefaultRule_AllowInternetOutBound", "10.5.16.4", 443, "Allow", "C", 30],
      ["UserRule_default-allow-rdp", "192.0.2.33", 3389, "Allow", "B", "-"],
      ["UserRule_default-allow-rdp", "192.0.2.33", 3389, "Allow", "E", 12],
    ]);
    expect(flows[6]).toMatchObject({ bytesSent: 1440, packetsReceived: 10, bytesReceived: 5210 });
  });

  it("reads version 1: eight fields, no state or counts", async () => {
    const { flows, diagnostics } = await readAll([fixture("nsg-v1.json")]);
    expect(diagnostics).toEqual([]);
    expect(flows.map((f) => [f.format, f.time, f.protocol, f.access, f.rule, f.mac])).toEqual([
      ["nsg-v1", 1796119225000, 6, "Deny", "DefaultRule_DenyAllInBound", "000D3AF8801A"],
      ["nsg-v1", 1796119230000, 17, "Deny", "DefaultRule_DenyAllInBound", "000D3AF8801A"],
      ["nsg-v1", 1796119244000, 6, "Allow", "UserRule_allow-http", "000D3AF8801A"],
    ]);
    expect(flows.every((f) => f.state === undefined && f.bytesSent === undefined)).toBe(true);
    expect(flows[0]?.nsgId).toMatch(/FABRIKAMVM2-NSG$/);
  });
});

describe("virtual network flow logs", () => {
  it("reads the documented sample: ACL and rule per group, state D as Deny, encryption kept", async () => {
    const { flows, totals, diagnostics } = await readAll([fixture("vnet.json")]);
    expect(diagnostics).toEqual([]);
    expect(totals).toMatchObject({ records: 1, tuples: 5, tuplesRejected: 0 });
    expect(flows[2]).toEqual({
      format: "vnet",
      time: 1796119258065,
      source: "198.51.100.153",
      destination: "10.0.0.6",
      sourcePort: 55188,
      destinationPort: 22,
      protocol: 6,
      direction: "Inbound",
      access: "Deny",
      state: "D",
      encryption: "NX",
      packetsSent: 0,
      bytesSent: 0,
      packetsReceived: 0,
      bytesReceived: 0,
      rule: "DefaultRule_DenyAllInBound",
      aclId: ACL,
      targetResourceId: VNET,
      mac: "112233445566",
    });
    expect(
      flows.map((f) => [f.aclId?.slice(0, 4), f.rule, f.protocol, f.access, f.encryption]),
    ).toEqual([
      ["9a8b", "DefaultRule_AllowInternetOutBound", 6, "Allow", "NX"],
      ["9a8b", "DefaultRule_AllowInternetOutBound", 6, "Allow", "NX"],
      ["9a8b", "DefaultRule_DenyAllInBound", 6, "Deny", "NX"],
      ["9a8b", "DefaultRule_DenyAllInBound", 17, "Deny", "NX_HW_NOT_SUPPORTED"],
      ["1f2e", "UserRule_allow-https", 6, "Allow", "X"],
    ]);
  });
});

describe("sources", () => {
  it("walks the blob layout of both formats in name order, that is in time order", async () => {
    const { flows, totals, diagnostics } = await readAll([
      fixture("nsg-blob"),
      fixture("vnet-blob"),
    ]);
    expect(diagnostics).toEqual([]);
    expect(totals).toMatchObject({ files: 5, records: 7, tuples: 9 });
    expect(flows.map((f) => [f.format, f.time, f.mac])).toEqual([
      ["nsg-v2", 1796119150000, "000D3AF87856"],
      ["nsg-v2", 1796119210000, "000D3AF87856"],
      ["nsg-v2", 1796119220000, "000D3AF87856"],
      ["nsg-v2", 1796119270000, "000D3AF87856"],
      ["nsg-v2", 1796119215000, "000D3AF87857"],
      ["vnet", 1796119210000, "112233445566"],
      ["vnet", 1796119270000, "112233445566"],
      ["vnet", 1796119275000, "112233445566"],
      ["vnet", 1796122790000, "112233445566"],
    ]);
    expect(flows.slice(0, 5).every((f) => f.nsgId === NSG1)).toBe(true);
    expect(flows.slice(5).every((f) => f.targetResourceId === VNET)).toBe(true);
  });

  it("walks a folder reached twice through links once: back up the tree, and across it", async () => {
    const root = join(temp, "links");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    writeFileSync(join(root, "a", "b", "PT1H.json"), readFileSync(fixture("vnet.json")));
    symlinkSync(join(root, "a"), join(root, "a", "b", "up"));
    symlinkSync(join(root, "a"), join(root, "z"));
    const once = await readAll([fixture("vnet.json")]);
    const { flows, totals } = await readAll([root]);
    expect(totals.files).toBe(1);
    expect(flows).toHaveLength(once.flows.length);
  });

  it("gunzips a file by its magic bytes, whatever its name, and .gz files in folders", async () => {
    const plain = await readAll([fixture("vnet.json")]);
    const dir = join(temp, "gz");
    mkdirSync(join(dir, "h=10"), { recursive: true });
    writeFileSync(join(dir, "logs.bin"), gzipSync(readFileSync(fixture("vnet.json"))));
    writeFileSync(
      join(dir, "h=10", "PT1H.json.gz"),
      gzipSync(readFileSync(fixture("nsg-v1.json"))),
    );
    writeFileSync(join(dir, "h=10", "README.txt"), "notes");
    const named = await readAll([join(dir, "logs.bin")]);
    expect(named.diagnostics).toEqual([]);
    expect(named.flows).toEqual(plain.flows);
    expect(named.totals.bytes).toBe(readFileSync(join(dir, "logs.bin")).length);
    const folder = await readAll([dir]);
    expect(folder.flows.map((f) => f.format)).toEqual(["nsg-v1", "nsg-v1", "nsg-v1"]);
    expect(folder.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["FlowLogFilesSkipped", "warning"],
    ]);
    expect(folder.diagnostics[0]?.message).toContain("README.txt");
  });

  it("reports a gzip stream that breaks, keeping the tuples before the break", async () => {
    const text = bigLog(4000);
    const gz = gzipSync(text);
    const path = join(temp, "cut.json.gz");
    writeFileSync(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { flows, diagnostics } = await readAll([path]);
    expect(flows.length).toBeGreaterThan(100);
    expect(flows.length).toBeLessThan(4000);
    expect(diagnostics.map((d) => d.code)).toEqual(["FlowLogGzipInvalid"]);
    expect(diagnostics[0]?.location?.file).toBe(path);
  });

  it("reads standard input, plain or gzip'ed, given a byte at a time at first", async () => {
    const bytes = readFileSync(fixture("nsg-v2.json"));
    const plain = await readAll([fixture("nsg-v2.json")]);
    for (const input of [bytes, gzipSync(bytes)]) {
      const chunks = [
        input.subarray(0, 1),
        input.subarray(1, 2),
        input.subarray(2, 100),
        input.subarray(100),
      ];
      const read = await readAll(["-"], { stdin: Readable.from(chunks) });
      expect(read.flows).toEqual(plain.flows);
      expect(read.totals.bytes).toBe(input.length);
    }
    const bad = await readAll(["-"], { stdin: Readable.from([Buffer.from('{"records":[')]) });
    expect(bad.diagnostics.map((d) => `${d.location?.file} ${where(d)}`)).toEqual([
      "<stdin> 1:13 FlowLogTruncated",
    ]);
  });

  it("stops when the reader stops taking batches, and gives what it read by then", async () => {
    const reading = readFlowLogs([fixture("nsg-blob"), fixture("vnet-blob")], { batchSize: 1 });
    const taken: LoggedFlow[] = [];
    for await (const batch of reading) {
      taken.push(...batch);
      if (taken.length === 2) break;
    }
    expect(taken.map((f) => f.time)).toEqual([1796119150000, 1796119210000]);
    expect(reading.totals.files).toBeLessThan(5);
    expect(reading.diagnostics).toEqual([]);
  });

  it("says so when a folder holds no files", async () => {
    mkdirSync(join(temp, "nothing", "y=2026"), { recursive: true });
    const { diagnostics } = await readAll([join(temp, "nothing")]);
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ["FlowLogFolderEmpty", "warning"],
    ]);
  });

  it("names a source that is not there, and reads the others", async () => {
    const { flows, diagnostics } = await readAll([
      join(temp, "missing.json"),
      fixture("nsg-v1.json"),
    ]);
    expect(flows).toHaveLength(3);
    expect(diagnostics.map((d) => d.code)).toEqual(["FlowLogUnreadable"]);
    expect(diagnostics[0]?.message).toContain("missing.json: no such file or folder");
  });

  it("gives batches of the size asked and progress as it reads", async () => {
    const progress: [number, number | undefined, number][] = [];
    const size = readFileSync(fixture("nsg-v2.json")).length;
    const { batches, totals } = await readAll([fixture("nsg-v2.json")], {
      batchSize: 2,
      onProgress: (bytes, total, tuples) => progress.push([bytes, total, tuples]),
    });
    expect(batches).toEqual([2, 2, 2, 1]);
    expect(totals.bytes).toBe(size);
    expect(progress.at(-1)).toEqual([size, size, 7]);
    const stdin = await readAll(["-"], {
      stdin: Readable.from([readFileSync(fixture("nsg-v2.json"))]),
      onProgress: (bytes, total, tuples) => progress.push([bytes, total, tuples]),
    });
    expect(stdin.totals.tuples).toBe(7);
    expect(progress.at(-1)).toEqual([size, undefined, 7]);
  });

  it("reads what the flow-log writer writes, in both formats and all versions", async () => {
    const flows = sampleFlows(600);
    const dir = join(temp, "round-trip");
    for (const [path, text] of flowLogDocuments(flows, { targetResourceId: VNET })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const read = await readAll([dir]);
    expect(read.diagnostics).toEqual([]);
    const key = (f: LoggedFlow) =>
      JSON.stringify(
        Object.entries(f)
          .filter(([, v]) => v !== undefined)
          .sort(),
      );
    expect(read.flows.map(key).sort()).toEqual(flows.map(key).sort());
  });
});

describe("bad input", () => {
  it("reports each bad tuple at its field, and reads the rest", async () => {
    const { flows, totals, diagnostics } = await readAll([fixture("bad/bad-tuples.json")]);
    expect(totals).toMatchObject({ records: 2, tuples: 4, tuplesRejected: 13 });
    expect(flows.map((f) => f.source)).toEqual([
      "198.51.100.190",
      "203.0.113.10",
      "198.51.100.153",
      "2001:db8::7",
    ]);
    expect(diagnostics.map(where)).toEqual([
      "18:20 FlowTupleInvalid",
      "19:31 FlowTupleInvalid",
      "20:56 FlowTupleInvalid",
      "21:66 FlowTupleInvalid",
      "22:68 FlowTupleInvalid",
      "23:70 FlowTupleInvalid",
      "24:72 FlowTupleInvalid",
      "25:74 FlowTupleInvalid",
      "26:19 FlowTupleInvalid",
      "51:67 FlowTupleInvalid",
      "52:71 FlowTupleInvalid",
      "53:73 FlowTupleInvalid",
      "54:20 FlowTupleInvalid",
    ]);
    expect(diagnostics[1]).toMatchObject({
      severity: "error",
      message:
        'flow tuple "1796119262,198.51.100.256,10.5.16.4,28746,443,U,I,D,B,,,," its source is not an IP address; it was left out',
      path: ["records", 0, "properties", "flows", 0, "flows", 0, "flowTuples", 2],
      location: { file: fixture("bad/bad-tuples.json"), line: 19, column: 31 },
    });
  });

  it("lists the first bad tuples and counts the rest", async () => {
    const { diagnostics, totals } = await readAll([fixture("bad/bad-tuples.json")], {
      listedTuples: 3,
    });
    expect(totals.tuplesRejected).toBe(13);
    expect(diagnostics.map((d) => d.code)).toEqual([
      "FlowTupleInvalid",
      "FlowTupleInvalid",
      "FlowTupleInvalid",
      "FlowTuplesNotListed",
    ]);
    expect(diagnostics[3]?.message).toMatch(/^10 more bad tuples/);
  });

  it("lists the first values of the wrong type and counts the rest", async () => {
    const path = join(temp, "wrong-types.json");
    const group = '{"rule":"r","flowTuples":{}}';
    writeFileSync(
      path,
      `{"records":[{"category":"FlowLogFlowEvent","flowRecords":{"flows":[{"aclID":"a","flowGroups":[${Array(5).fill(group).join(",")}]}]}}]}`,
    );
    const { diagnostics } = await readAll([path], { listedTuples: 2 });
    expect(diagnostics.map((d) => d.code)).toEqual([
      "FlowLogUnexpectedValue",
      "FlowLogUnexpectedValue",
      "FlowLogValuesNotListed",
    ]);
    expect(diagnostics[0]?.message).toBe(
      "records[0].flowRecords.flows[0].flowGroups[0].flowTuples is an object, where flow logs have an array of tuples; it was not read",
    );
    expect(diagnostics[2]?.message).toMatch(/^3 more values/);
  });

  it("reports a truncated file where it ends, keeping the tuples before", async () => {
    const path = fixture("bad/truncated.json");
    const lastLine = readFileSync(path, "utf8").split("\n")[1] as string;
    const { flows, totals, diagnostics } = await readAll([path]);
    expect(flows.map((f) => f.state)).toEqual(["B", "C"]);
    expect(totals).toMatchObject({ records: 2, tuples: 2 });
    expect(diagnostics.map(where)).toEqual([`2:${lastLine.length + 1} FlowLogTruncated`]);
    expect(diagnostics[0]?.message).toContain(
      "records[1].properties.flows[0].flows[0].flowTuples[1]",
    );
  });

  it("reports invalid JSON where it breaks, keeping the tuples before", async () => {
    const { flows, diagnostics } = await readAll([fixture("bad/invalid.json")]);
    expect(flows.map((f) => f.source)).toEqual(["198.51.100.153"]);
    expect(diagnostics.map(where)).toEqual(["16:19 FlowLogJsonInvalid"]);
    expect(diagnostics[0]?.message).toContain('""" where a comma or ] belongs');
  });

  it("steps over records of other categories, naming each category once", async () => {
    const { flows, totals, diagnostics } = await readAll([fixture("bad/other-category.json")]);
    expect(flows.map((f) => f.rule)).toEqual(["UserRule_default-allow-rdp"]);
    expect(totals).toMatchObject({ records: 1, recordsSkipped: 3 });
    const words = (d: Diagnostic) => d.message.split(" ").slice(0, 5).join(" ");
    expect(diagnostics.map((d) => [where(d), d.severity, words(d)])).toEqual([
      ["3:5 FlowLogRecordSkipped", "warning", '2 records of category "NetworkSecurityGroupEvent"'],
      [
        "10:5 FlowLogRecordSkipped",
        "warning",
        '1 record of category "NetworkSecurityGroupRuleCounter"',
      ],
    ]);
  });

  it("reads records whose keys come after their tuples as if they came first", async () => {
    const { flows, totals, diagnostics } = await readAll([fixture("bad/keys-after-tuples.json")]);
    expect(totals).toMatchObject({ records: 2, recordsSkipped: 1, tuples: 2 });
    expect(diagnostics.map(where)).toEqual(["3:2 FlowLogRecordSkipped"]);
    expect(flows[0]).toMatchObject({
      format: "vnet",
      aclId: ACL,
      rule: "DefaultRule_DenyAllInBound",
      mac: "112233445566",
      targetResourceId: VNET,
    });
    expect(flows[1]).toMatchObject({
      format: "nsg-v1",
      nsgId: NSG1,
      mac: "000D3AF87856",
      rule: "UserRule_default-allow-rdp",
    });
  });

  it("says what a file is when it is not a flow log", async () => {
    const empty = join(temp, "empty.json");
    const object = join(temp, "object.json");
    writeFileSync(empty, "");
    writeFileSync(object, '{"value": []}');
    const { diagnostics } = await readAll([fixture("bad/not-a-flow-log.json"), empty, object]);
    expect(
      diagnostics.map((d) => [d.location?.file.split("/").pop(), where(d), d.severity]),
    ).toEqual([
      ["not-a-flow-log.json", "1:1 FlowLogNoRecords", "error"],
      ["empty.json", "1:1 FlowLogEmpty", "warning"],
      ["object.json", "1:1 FlowLogNoRecords", "error"],
    ]);
  });
});

/** A version 2 NSG flow log of `tuples` tuples, 100 a record, a record a line. */
function bigLog(tuples: number): string {
  const records: string[] = [];
  for (let r = 0; r * 100 < tuples; r++) {
    const list = Array.from(
      { length: Math.min(100, tuples - r * 100) },
      (_, i) =>
        `"${1796119200 + r},10.0.${r % 256}.${(i % 250) + 1},198.51.100.${(i % 250) + 1},${40000 + i},443,T,O,A,C,${i},${i * 100},${i},${i * 90}"`,
    );
    records.push(
      `{"category":"NetworkSecurityGroupFlowEvent","resourceId":"${NSG1}","properties":{"Version":2,"flows":[{"rule":"UserRule_a","flows":[{"mac":"000D3AF87856","flowTuples":[${list.join(",")}]}]}]}}`,
    );
  }
  return `{"records":[${records.join("\n,")}]}`;
}

/** Flows of every format, as the writer needs them (time order; NSG ids in upper case). */
function sampleFlows(count: number): LoggedFlow[] {
  const formats = ["nsg-v1", "nsg-v2", "vnet"] as const;
  return Array.from({ length: count }, (_, i): LoggedFlow => {
    const format = formats[i % 3] as (typeof formats)[number];
    const base = {
      format,
      time: (1796119200 + i * 7) * 1000 + (format === "vnet" ? i % 1000 : 0),
      source: i % 5 === 0 ? `2001:db8::${i.toString(16)}` : `10.0.${i % 7}.${(i % 200) + 1}`,
      destination: i % 5 === 0 ? "2001:db8:1::1" : `203.0.113.${i % 250}`,
      sourcePort: 1024 + i,
      destinationPort: [443, 22, 1433][i % 3] as number,
      protocol: i % 4 === 0 ? 17 : 6,
      direction: i % 2 === 0 ? ("Inbound" as const) : ("Outbound" as const),
      rule: ["UserRule_a", "DefaultRule_DenyAllInBound"][i % 2] as string,
      mac: ["000D3AF87856", "000D3AF87857"][i % 2] as string,
    };
    if (format === "nsg-v1")
      // Another NSG: an NSG's flow logs are of one version.
      return { ...base, access: i % 3 === 0 ? "Deny" : "Allow", nsgId: NSG1.replace("VM1", "VM2") };
    if (format === "nsg-v2")
      return {
        ...base,
        access: "Allow",
        state: "C",
        packetsSent: i,
        bytesSent: i * 60,
        packetsReceived: i + 1,
        bytesReceived: i * 50,
        nsgId: NSG1,
      };
    return {
      ...base,
      access: i % 2 === 0 ? "Deny" : "Allow",
      state: i % 2 === 0 ? "D" : "E",
      encryption: "NX",
      packetsSent: 0,
      bytesSent: 0,
      packetsReceived: 0,
      bytesReceived: i,
      aclId: ACL,
      targetResourceId: VNET,
    };
  });
}
