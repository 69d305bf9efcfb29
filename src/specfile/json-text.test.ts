import { describe, expect, it } from "vitest";
import { plainJson } from "./json-text.js";
import { loadSpecText } from "./load.js";

describe("plainJson", () => {
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
      expect(plainJson(text)).toBeUndefined();
    expect(
      plainJson('{"a": -12, "b": [true, false, null], "c": "1e3", "a2": {"a": 1}}'),
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
