import { describe, expect, it } from "vitest";
import { importSources } from "../catalog.js";
import { repeatedKeys } from "./json-keys.js";

describe("keys given twice in one JSON object", () => {
  it("are found at the second, compared as JSON reads them, per object", () => {
    const text = String.raw`{"a\u0062": 1, "ab": 2, "x": {"ab": 3}, "l": [{"k": 1}, {"k": 2}], "s": "\"{\"ab\": 4", "o": {"q": 1, "q" : 2}}`;
    expect(repeatedKeys(text)).toEqual([
      { offset: text.indexOf('"ab": 2'), key: "ab" },
      { offset: text.indexOf('"q" :'), key: "q" },
    ]);
    expect(repeatedKeys('[{"a": 1}, {"a": 1}]')).toEqual([]);
  });

  it("fail the import of a service-tags file and of terraform show output, at the second", async () => {
    const tags = {
      file: "tags.json",
      text: '{"values": [{"name": "Storage", "name": "Sql", "properties": {"addressPrefixes": []}}]}',
    };
    const show = {
      file: "state.json",
      text: '{"format_version": "1.0", "values": {"root_module": {}}, "values": {"root_module": {}}}',
    };
    for (const source of [tags, show]) {
      const result = await importSources([source]);
      const second = source.text.indexOf(source === tags ? '"name": "Sql"' : '"values"', 30);
      expect(result.diagnostics, source.file).toEqual([
        expect.objectContaining({
          severity: "error",
          code: "InvalidSyntax",
          location: { file: source.file, line: 1, column: second + 1 },
        }),
      ]);
    }
  });
});
