import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import { FlowLogDiagnostics } from "./diagnostics.js";
import { FlowLogScanner } from "./scanner.js";

const FIXTURES = resolve(import.meta.dirname, "../../../test/fixtures/flow-logs");

/** The flows and diagnostics of `bytes`, pushed `chunk` bytes at a time. */
function scan(bytes: Buffer | string, chunk = Number.POSITIVE_INFINITY) {
  const input = typeof bytes === "string" ? Buffer.from(bytes) : bytes;
  const flows: LoggedFlow[] = [];
  const diagnostics = new FlowLogDiagnostics();
  const scanner = new FlowLogScanner("f.json", (f) => flows.push(f), diagnostics);
  const size = Math.min(chunk, input.length || 1);
  // Each chunk its own buffer, as streams give them.
  for (let at = 0; at < input.length; at += size)
    scanner.push(Buffer.from(input.subarray(at, at + size)));
  scanner.end();
  diagnostics.finish();
  return { flows, diagnostics: diagnostics.list, counts: scanner.counts };
}

const where = (d: Diagnostic) => `${d.location?.line}:${d.location?.column} ${d.code}`;

const record = (fields: string, tuples: string[]) =>
  `{"records":[{"category":"FlowLogFlowEvent","macAddress":"112233445566","targetResourceID":"/v"${fields},"flowRecords":{"flows":[{"aclID":"a","flowGroups":[{"rule":"UserRule_r","flowTuples":[${tuples.join(",")}]}]}]}}]}`;
const TUPLE = '"1796119258065,198.51.100.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0"';

describe("chunks", () => {
  const files = ["nsg-v2.json", "nsg-v1.json", "vnet.json"].concat(
    readdirSync(join(FIXTURES, "bad")).map((n) => join("bad", n)),
  );
  it.each(files)("%s reads the same whatever the chunks' size", (name) => {
    const bytes = readFileSync(join(FIXTURES, name));
    const whole = scan(bytes);
    for (const chunk of [1, 2, 3, 7, 61, 4096]) {
      const cut = scan(bytes, chunk);
      expect(cut.flows).toEqual(whole.flows);
      expect(cut.diagnostics).toEqual(whole.diagnostics);
      expect(cut.counts).toEqual(whole.counts);
    }
  });

  it("steps over a string longer than a megabyte without keeping it, and reads on", () => {
    const long = 'x\\"'.repeat(1_000_000);
    const text = record(`,"flowLogGUID":"${long}"`, [TUPLE]);
    const { flows, diagnostics } = scan(text, 65536);
    expect(diagnostics).toEqual([]);
    expect(flows).toHaveLength(1);
  });

  it("rejects a tuple longer than a megabyte, at its place", () => {
    const text = record("", [`"${"1".repeat(1_500_000)}"`, TUPLE]);
    const { flows, diagnostics, counts } = scan(text, 65536);
    expect(flows).toHaveLength(1);
    expect(counts.tuplesRejected).toBe(1);
    expect(diagnostics.map(where)).toEqual([`1:${text.indexOf('"111') + 1} FlowTupleInvalid`]);
  });
});

describe("JSON", () => {
  it("steps over a byte order mark, counting columns after it", () => {
    const plain = record("", [TUPLE, "5"]);
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(plain)]);
    for (const chunk of [1, 2, 1000]) {
      const { flows, diagnostics } = scan(text, chunk);
      expect(flows).toHaveLength(1);
      expect(diagnostics.map(where)).toEqual([
        `1:${plain.lastIndexOf(",5]") + 2} FlowTupleInvalid`,
      ]);
    }
  });

  it("reads escapes in keys and tuples", () => {
    const text = record("", [
      '"1796119258065,198.51.100.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,\\u0030"',
    ]).replace('"flowTuples"', '"flow\\u0054uples"');
    const { flows, diagnostics } = scan(text, 5);
    expect(diagnostics).toEqual([]);
    expect(flows.map((f) => f.bytesReceived)).toEqual([0]);
  });

  it.each([
    ['{"records":[]} x', "1:16 FlowLogJsonInvalid", "after the end of the JSON document"],
    ['{"records":[],}', "1:15 FlowLogJsonInvalid", "where a key belongs"],
    ['{"records" []}', "1:12 FlowLogJsonInvalid", "where a colon belongs"],
    ['{"records":[tru]}', "1:13 FlowLogJsonInvalid", '"tru"'],
    ['{"rec\tords":[]}', "1:6 FlowLogJsonInvalid", "control character"],
    ['{"records":[{"category":"FlowLogFlowEvent"', "1:43 FlowLogTruncated", "records[0].category"],
    ['{"records":{}}', "1:12 FlowLogUnexpectedValue", "records is an object"],
    ["7", "1:1 FlowLogNoRecords", "not an object"],
  ])("%s: %s", (text, place, message) => {
    const { diagnostics } = scan(text);
    expect(diagnostics.map(where)).toContain(place);
    expect(diagnostics.find((d) => where(d) === place)?.message).toContain(message);
  });
});

describe("records", () => {
  it("reads a record without a category by its shape, saying so once", () => {
    const text = record("", [TUPLE, TUPLE]).replace('"category":"FlowLogFlowEvent",', "");
    const { flows, diagnostics } = scan(`${text.slice(0, -2)},${text.slice(12, -2)}]}`);
    expect(flows).toHaveLength(4);
    expect(diagnostics.map((d) => [where(d), d.severity])).toEqual([
      ["1:13 FlowLogRecordWithoutCategory", "warning"],
    ]);
  });

  it("rejects the tuples of a record whose category is the other format's", () => {
    const text = record("", [TUPLE]).replace(
      '"FlowLogFlowEvent"',
      '"NetworkSecurityGroupFlowEvent"',
    );
    const { flows, diagnostics, counts } = scan(text);
    expect(flows).toEqual([]);
    expect(counts.tuplesRejected).toBe(1);
    expect(diagnostics[0]?.message).toContain(
      "in a record of category NetworkSecurityGroupFlowEvent",
    );
  });

  it("rejects the tuples of a group without a rule, and of NSG flow logs of an unknown version", () => {
    const noRule = scan(record("", [TUPLE]).replace('"rule":"UserRule_r"', '"rule":5'));
    expect(noRule.flows).toEqual([]);
    expect(noRule.diagnostics.map((d) => d.code)).toEqual([
      "FlowLogUnexpectedValue",
      "FlowTupleInvalid",
    ]);
    expect(noRule.diagnostics[1]?.message).toContain("has no rule");
    const v3 = scan(
      '{"records":[{"category":"NetworkSecurityGroupFlowEvent","resourceId":"/n","properties":{"Version":3,"flows":[{"rule":"r","flows":[{"mac":"m","flowTuples":["1,10.0.0.1,10.0.0.2,1,2,T,I,A"]}]}]}}]}',
    );
    expect(v3.flows).toEqual([]);
    expect(v3.diagnostics[0]?.message).toContain("version 3: NSG flow logs have versions 1 and 2");
  });

  it("takes keys such as constructor and __proto__ as any other key it does not read", () => {
    const text = record(',"constructor":"x","__proto__":{"a":1},"toString":[1]', [TUPLE]);
    const { flows, diagnostics } = scan(text);
    expect(diagnostics).toEqual([]);
    expect(flows).toHaveLength(1);
  });

  it("rejects tuples that are not strings, and reads the strings beside them", () => {
    const { flows, diagnostics } = scan(record("", ["[1]", "null", TUPLE]));
    expect(flows).toHaveLength(1);
    expect(diagnostics.map((d) => d.message)).toEqual([
      "a flow tuple is an array, not a string; it was left out",
      "a flow tuple is null, not a string; it was left out",
    ]);
  });
});
