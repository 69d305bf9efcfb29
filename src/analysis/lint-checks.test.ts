import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LINT_CHECKS, lintCheck } from "./lint-checks.js";

/** Every finding id that the analysis code can report: the first argument of error(), warning() or info(). */
function reportedIds(): string[] {
  const folder = import.meta.dirname;
  const ids = new Set<string>();
  for (const file of readdirSync(folder)) {
    if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
    const text = readFileSync(join(folder, file), "utf8");
    for (const m of text.matchAll(/\b(?:error|warning|info)\(\s*"([A-Z][A-Za-z]+)"/g))
      ids.add(m[1] as string);
  }
  return [...ids].sort();
}

describe("the catalogue of lint checks", () => {
  it("describes every finding the analysis can report", () => {
    const ids = reportedIds();
    expect(ids.length).toBeGreaterThanOrEqual(15);
    expect(ids.filter((id) => !lintCheck(id))).toEqual([]);
  });

  it("has one entry per id, each with a rationale, a fix, an example and a security severity in range", () => {
    expect(new Set(LINT_CHECKS.map((c) => c.id)).size).toBe(LINT_CHECKS.length);
    for (const c of LINT_CHECKS) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.rationale.length, c.id).toBeGreaterThan(30);
      expect(c.fix.length, c.id).toBeGreaterThan(5);
      expect(c.example.length, c.id).toBeGreaterThan(5);
      expect(c.securitySeverity, c.id).toBeGreaterThanOrEqual(0);
      expect(c.securitySeverity, c.id).toBeLessThanOrEqual(10);
    }
  });
});

describe("the README's table of checks", () => {
  it("is the catalogue, row for row", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const severity = { error: "error", warning: "warning", info: "note" } as const;
    const rows = LINT_CHECKS.map(
      (c) => `| \`${c.id}\` | ${severity[c.severity]} | ${c.title}. | ${c.fix} |`,
    );
    const missing = rows.filter((row) => !readme.includes(`${row}\n`));
    expect(missing, `the README's table should be:\n${rows.join("\n")}`).toEqual([]);
  });
});
