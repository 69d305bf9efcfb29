/**
 * Runs the import benchmark alone (`npm run bench` runs it with the others) and
 * puts its section into BENCHMARKS.md in place, the other sections untouched:
 *   npx tsc -p tsconfig.build.json && npx tsc -p tsconfig.bench.json && node dist-bench/bench/imports-main.js
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { importBenchmarks, importMarkdown } from "./imports.js";

const rows = await importBenchmarks();
const section = importMarkdown(rows).join("\n");
console.log(section);
const file = "BENCHMARKS.md";
const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
const start = text.indexOf("## Importing an estate");
const next = start < 0 ? -1 : text.indexOf("\n## ", start + 1);
const updated =
  start < 0
    ? `${text.trimEnd()}\n\n${section}\n`
    : `${text.slice(0, start)}${section}${next < 0 ? "\n" : text.slice(next)}`;
writeFileSync(file, updated);
