import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { writeSpec } from "../../specfile/write.js";
import { importServiceTags, isServiceTagsDocument } from "./import.js";
import { serviceTagsForSpec, withServiceTags } from "./spec.js";

const ROOT = resolve(import.meta.dirname, "../../..");
/** The response body of Azure's published example of the service tags list. */
const PUBLISHED = `${JSON.stringify(
  (
    JSON.parse(
      readFileSync(join(ROOT, "test/fixtures/arm-rest-spec/ServiceTagsList.json"), "utf8"),
    ) as { responses: { 200: { body: unknown } } }
  ).responses[200].body,
  null,
  2,
)}\n`;

const where = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.code} ${d.location?.line}:${d.location?.column}`);

const withRules = (...prefixes: string[]): Topology => ({
  virtualNetworks: [
    {
      name: "v",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "s", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "n" }],
    },
  ],
  applicationSecurityGroups: [],
  networkInterfaces: [],
  environments: [],
  networkSecurityGroups: [
    {
      name: "n",
      securityRules: prefixes.map((p, i) => ({
        name: `r${i}`,
        protocol: "Tcp",
        access: "Allow",
        priority: 100 + i,
        direction: "Outbound",
        sourceAddressPrefix: "VirtualNetwork",
        sourcePortRange: "*",
        destinationAddressPrefix: p,
        destinationPortRange: "443",
      })),
    },
  ],
});

describe("service tags import", () => {
  it("reads the file as Azure publishes it, regional tags included, keeping names and prefixes", () => {
    expect(isServiceTagsDocument(JSON.parse(PUBLISHED))).toBe(true);
    expect(isServiceTagsDocument({ resources: [] })).toBe(false);
    const { tags, diagnostics } = importServiceTags(PUBLISHED, "ServiceTags_Public.json");
    expect(diagnostics).toEqual([]);
    expect(tags?.values.map((t) => t.name)).toEqual([
      "ApiManagement",
      "ApiManagement.AustraliaCentral",
      "AppService",
      "ServiceBus",
      "ServiceBus.EastUS2",
    ]);
    expect(tags?.values[4]).toEqual({
      name: "ServiceBus.EastUS2",
      properties: { addressPrefixes: ["13.68.110.36/32", "40.70.146.64/29"] },
    });
  });

  it("gives a spec only the tags its rules name, and the spec then checks", () => {
    const { tags } = importServiceTags(PUBLISHED, "ServiceTags_Public.json");
    const topology = withRules("ServiceBus.EastUS2", "AppService", "203.0.113.0/24");
    const used = serviceTagsForSpec(topology, tags ? [tags] : []);
    expect(used.values.map((t) => t.name)).toEqual(["AppService", "ServiceBus.EastUS2"]);
    const text = withServiceTags(writeSpec(topology, "imported"), used);
    expect(text.startsWith("# imported\nserviceTags:\n")).toBe(true);
    const loaded = loadSpecText(text);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.spec?.network.serviceTags.has("ServiceBus.EastUS2")).toBe(true);
    // A tag the file does not hold is an error when checking, never a silent match of nothing.
    const missing = loadSpecText(withServiceTags(writeSpec(withRules("Storage")), used));
    expect(missing.diagnostics.map((d) => d.code)).toContain("UnknownServiceTag");
  });

  it("keeps every tag when the file is imported on its own", () => {
    const { tags } = importServiceTags(PUBLISHED, "ServiceTags_Public.json");
    const empty = withRules();
    const all = serviceTagsForSpec(empty, tags ? [tags] : []);
    expect(all.values).toHaveLength(5);
    const text = withServiceTags(
      writeSpec({ ...empty, networkSecurityGroups: [], virtualNetworks: [] }),
      all,
    );
    expect(loadSpecText(text).spec?.network.serviceTags.names()).toHaveLength(5);
  });

  it("places every problem of a malformed file at its line and column", () => {
    const bad = [
      "{",
      '  "values": [',
      '    { "name": "A", "properties": { "addressPrefixes": ["10.0.0.0/8"] } },',
      '    { "name": "B", "properties": { "addressPrefixes": ["10.0.0.1/8"] } },',
      '    { "name": "C", "properties": {} },',
      '    { "name": "A", "properties": { "addressPrefixes": [] } },',
      '    { "properties": { "addressPrefixes": [] } }',
      "  ]",
      "}",
    ].join("\n");
    const r = importServiceTags(bad, "tags.json");
    expect(r.tags).toBeUndefined();
    expect(where(r.diagnostics)).toEqual([
      "InvalidServiceTagFile 4:56",
      "InvalidServiceTagFile 5:5",
      "InvalidServiceTagFile 7:5",
      "InvalidServiceTagFile 6:15",
    ]);
    expect(r.diagnostics[3]?.message).toBe("service tag A is listed twice (also at values[0])");
    expect(where(importServiceTags('{"values": [1,]}', "tags.json").diagnostics)).toEqual([
      "InvalidSyntax 1:15",
    ]);
  });
});
