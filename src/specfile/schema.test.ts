import { describe, expect, it } from "vitest";
import { specJsonSchema } from "./json-schema.js";
import { knownPropertyNames } from "./schema.js";

/** The property names of a JSON Schema: the keys of the `properties` of every object schema in it. */
function jsonSchemaNames(value: unknown, names = new Set<string>()): Set<string> {
  if (typeof value !== "object" || value === null) return names;
  for (const inner of Array.isArray(value) ? value : Object.values(value))
    jsonSchemaNames(inner, names);
  const { type, properties } = value as { type?: unknown; properties?: unknown };
  if (type === "object" && typeof properties === "object" && properties !== null)
    for (const key of Object.keys(properties)) names.add(key);
  return names;
}

describe("the spec's schema", () => {
  it("knows, for typo hints, every property name the JSON Schema for editors has", () => {
    const known = knownPropertyNames();
    expect(new Set(known)).toEqual(jsonSchemaNames(specJsonSchema()));
    for (const name of [
      "networkSecurityGroups",
      "destinationPortRanges",
      "remoteVirtualNetwork",
      "within",
    ])
      expect(known).toContain(name);
  });
});
