/**
 * The JSON locator places every path where the spec's locator (a full parse
 * with the yaml library) does: every value of the repository's JSON fixtures,
 * paths that leave the document, and ARM's `properties` fallback.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { LineCounter, parse, parseDocument } from "yaml";
import type { ValuePath } from "../model/diagnostic.js";
import { JsonLocator } from "./json-locate.js";
import { locate } from "./locate.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** Every path of a parsed JSON value, and for each object a key it lacks. */
function paths(value: unknown, at: ValuePath = [], out: ValuePath[] = []): ValuePath[] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
    out.push([...at, value.length]);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
    out.push([...at, "no-such-key", 3]);
  }
  return out;
}

function jsonFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".json"))
    .map((f) => join(folder, f));
}

describe("JsonLocator", () => {
  const files = [
    ...jsonFiles(resolve(ROOT, "test/fixtures/arm")),
    ...jsonFiles(resolve(ROOT, "test/fixtures/az")),
    resolve(ROOT, "examples/layered-ase/azuredeploy.json"),
  ];

  it("places every value of the JSON fixtures as a full parse does", () => {
    let compared = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
      const fast = new JsonLocator(text);
      for (const path of paths(value)) {
        expect(fast.locate(path), `${file} ${JSON.stringify(path)}`).toEqual(
          locate(doc, lineCounter, path),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(3000);
  });

  it("places every value and key of the example specs written as JSON, pretty and on one line", () => {
    let compared = 0;
    for (const name of readdirSync(join(ROOT, "examples"))) {
      const value = parse(readFileSync(join(ROOT, "examples", name, "tierwall.yaml"), "utf8"));
      for (const text of [JSON.stringify(value, null, 2), JSON.stringify(value)]) {
        const lineCounter = new LineCounter();
        const doc = parseDocument(text, { lineCounter });
        const fast = new JsonLocator(text);
        for (const path of paths(value))
          for (const atKey of [false, true]) {
            expect(fast.locate(path, atKey), `${name} ${JSON.stringify(path)}`).toEqual(
              locate(doc, lineCounter, path, atKey),
            );
            compared++;
          }
      }
    }
    expect(compared).toBeGreaterThan(5000);
  });

  it("looks under properties for a key the object lacks, and takes a key given twice at its first", () => {
    const text =
      '{\n  "a": {"properties": {"b": 1}},\n  "k": 1, "k": 2,\n  "s\\"q": [ {"x": "}]"} ]\n}';
    const fast = new JsonLocator(text);
    expect(fast.locate(["a", "b"])).toEqual({ line: 2, column: 29 });
    expect(fast.locate(["k"])).toEqual({ line: 3, column: 8 });
    expect(fast.locate(['s"q', 0, "x"])).toEqual({ line: 4, column: 19 });
    expect(fast.locate(['s"q', 1])).toEqual({ line: 4, column: 11 });
  });
});
