import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/diagnostic.js";
import { renderDiagnostics } from "./diagnostics.js";
import { Style } from "./style.js";

const at = (file: string, line: number, column = 1): Diagnostic => ({
  severity: "error",
  code: "X",
  message: `line ${line}`,
  path: [],
  location: { file, line, column },
});

/** The source line each rendered diagnostic shows in its code frame, or "-" for none. */
const framed = (diagnostics: Diagnostic[], sources: Map<string, string>) =>
  renderDiagnostics(diagnostics, sources, new Style(false))
    .split("\n\n")
    .slice(0, diagnostics.length)
    .map((block) => /^\d+ +\| (.*)$/m.exec(block)?.[1] ?? "-");

describe("code frames", () => {
  it("show the line of each diagnostic, in any order, across files", () => {
    const sources = new Map([
      ["a.yaml", "one\r\ntwo\nthree\n"],
      ["b.yaml", "alpha\nbeta"],
    ]);
    expect(
      framed(
        [at("a.yaml", 3), at("b.yaml", 2), at("a.yaml", 1), at("a.yaml", 4), at("a.yaml", 5)],
        sources,
      ),
    ).toEqual(["three", "beta", "one", "", "-"]);
    expect(framed([at("b.yaml", 3), at("c.yaml", 1), at("a.yaml", 2)], sources)).toEqual([
      "-",
      "-",
      "two",
    ]);
  });
});
