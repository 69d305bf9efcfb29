/**
 * Runs the import benchmark alone (`npm run bench` runs it with the others) and
 * puts its section into BENCHMARKS.md in place, the other sections untouched:
 *   npx tsc -p tsconfig.build.json && npx tsc -p tsconfig.bench.json && node dist-bench/bench/imports-main.js
 */
import { importBenchmarks, importMarkdown } from "./imports.js";
import { writeSection } from "./section.js";

const rows = await importBenchmarks();
const section = importMarkdown(rows).join("\n");
console.log(section);
writeSection("BENCHMARKS.md", "## Importing an estate", section);
