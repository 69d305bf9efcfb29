import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, parse } from "yaml";
import type { ValuePath } from "../model/diagnostic.js";
import { JsonText } from "./json-text.js";
import { loadSpecText } from "./load.js";
import { locate } from "./locate.js";
import { parseYaml } from "./parse.js";

const EXAMPLES = join(import.meta.dirname, "../../examples");

/** Every path to a value in a plain document, with the keys and indexes met on the way. */
function* paths(value: unknown, path: ValuePath = []): Generator<ValuePath> {
  yield path;
  if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* paths(value[i], [...path, i]);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) yield* paths(v, [...path, k]);
}

/** Where the YAML path places a value of the same text. */
function yamlPlace(text: string, path: ValuePath, atKey: boolean) {
  const counter = new LineCounter();
  const { doc } = parseYaml(text, counter);
  if (!doc) throw new Error("the text does not parse");
  return locate(doc, counter, path, atKey);
}

describe("JsonText", () => {
  const specs = readdirSync(EXAMPLES).map((name) => ({
    name,
    value: parse(readFileSync(join(EXAMPLES, name, "tierwall.yaml"), "utf8")) as unknown,
  }));

  it("places every value and key of every example, pretty and on one line, where the YAML path does", () => {
    let compared = 0;
    for (const { value } of specs)
      for (const text of [JSON.stringify(value, null, 2), JSON.stringify(value)]) {
        const json = JsonText.read(text);
        expect(json).toBeDefined();
        const counter = new LineCounter();
        const { doc } = parseYaml(text, counter);
        for (const path of paths(value))
          for (const atKey of [false, true]) {
            expect(json?.locate(path, atKey)).toEqual(
              locate(doc as NonNullable<typeof doc>, counter, path, atKey),
            );
            compared++;
          }
      }
    expect(compared).toBeGreaterThan(5000);
  });

  it("follows a path into properties and stops at the deepest value found, as the YAML path does", () => {
    const text = '{\n  "a": [ {"properties": {"priority": 100}}, 2 ],\n  "b": "x"\n}';
    for (const path of [
      ["a", 0, "priority"],
      ["a", 0, "missing"],
      ["a", 5],
      ["b", "deeper"],
      ["nothing"],
      [],
    ] as ValuePath[])
      for (const atKey of [false, true])
        expect(JsonText.read(text)?.locate(path, atKey)).toEqual(yamlPlace(text, path, atKey));
  });

  it("leaves to the YAML path what it reports: repeated keys, numbers not in digits, deep nesting, a top that is not an object", () => {
    for (const text of [
      '{"a": 1, "a": 2}',
      '{"a": {"b": 1, "\\u0062": 2}}',
      '{"priority": 1e3}',
      '{"priority": 100.0}',
      '{"priority": 12345678901234567890}',
      `{"a": ${"[".repeat(120)}${"]".repeat(120)}}`,
      "[1, 2]",
      '"text"',
      "\ufeff{}",
      "{'a': 1}",
      "a: 1",
    ])
      expect(JsonText.read(text)).toBeUndefined();
    expect(
      JsonText.read('{"a": -12, "b": [true, false, null], "c": "1e3", "a2": {"a": 1}}'),
    ).toBeDefined();
  });

  it("gives a spec the same diagnostics, at the same places, read either way", () => {
    const spec = {
      networkSecurityGroups: [
        {
          name: "nsg",
          securityRules: [
            { name: "r", priority: 5, direction: "Inbound", access: "Allow", protocol: "Tcp" },
          ],
        },
      ],
    };
    const text = JSON.stringify(spec, null, 2);
    const fast = loadSpecText("spec.json", text);
    // A comment is YAML, not JSON: the same document read by the YAML path.
    const slow = loadSpecText("spec.json", `${text}\n# read as YAML`);
    expect(fast.diagnostics.length).toBeGreaterThan(0);
    expect(fast.diagnostics).toEqual(slow.diagnostics);
  });
});
