/** Runs every benchmark and writes BENCHMARKS.md: machine, Node, date, then a table per benchmark. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { analysisBenchmarks } from "./analysis.js";
import { classifierAgrees, classifierBenchmarks, classifierMarkdown } from "./classifier.js";
import { importBenchmarks, importMarkdown } from "./imports.js";
import { ms, QUICK } from "./measure.js";
import { startupBenchmarks } from "./startup.js";
import { synthBenchmarks } from "./synth.js";

const started = performance.now();
const lines: string[] = [];
const cpu = cpus()[0]?.model ?? "unknown CPU";
lines.push(
  "# Benchmarks",
  "",
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  "Each figure is the median of repeated runs after a warm-up, with the fastest and slowest in brackets; ratios compare tierwall with its peer measured in the same run. Times vary with the machine; the ratios are what counts.",
  "",
);

// First, while this process is small: spawning from a large heap takes longer.
/** Runs one benchmark, saying on stderr how long it took. */
async function timed<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await run();
  console.error(`${name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

const startup = await timed("start-up", startupBenchmarks);
const analysis = await timed("analysis against Z3", () => analysisBenchmarks(QUICK ? 250 : 1000));
lines.push(
  "## Exhaustive analysis against Z3",
  "",
  "A generated 1,000-rule NSG (seed 42): prefixes from /8 to /32 and some IPv6, service tags, port lists and ranges, both accesses. Z3 (`z3-solver`, the approach of SecGuru) answers the same questions through a bit-vector encoding; the answers must agree.",
  "",
  "| question | tierwall (ms) | Z3 (ms) | Z3 / tierwall | same answer |",
  "|---|---|---|---|---|",
  ...analysis.map(
    (r) =>
      `| ${r.question} | ${ms(r.tierwall.medianMs)} [${ms(r.tierwall.minMs)}–${ms(r.tierwall.maxMs)}] | ${ms(r.z3.medianMs)} [${ms(r.z3.minMs)}–${ms(r.z3.maxMs)}] | ${(r.z3.medianMs / r.tierwall.medianMs).toFixed(1)}× | ${r.agree ? "yes" : "**no**"} |`,
  ),
  "",
  ...analysis.filter((r) => r.z3Note).map((r) => `- ${r.question}: ${r.z3Note}.`),
  "",
);
const classification = await timed("flow classification", classifierBenchmarks);
lines.push(...classifierMarkdown(classification));

const synthesis = await timed("synthesis", synthBenchmarks);
lines.push(
  "## Synthesis",
  "",
  `${synthesis.tiers} tiers (external App Service Environments, each in its own subnet) with ${synthesis.callers} callers in all: the NSG rules synthesized and proven over every packet, then the stable update after one more caller (build, synthesize and prove the changed tier). There is no peer that synthesizes NSGs; the figures stand on their own.`,
  "",
  "| task | time (ms) |",
  "|---|---|",
  `| synthesize and prove ${synthesis.tiers} tiers | ${ms(synthesis.full.medianMs)} [${ms(synthesis.full.minMs)}–${ms(synthesis.full.maxMs)}] |`,
  `| update after one more caller | ${ms(synthesis.update.medianMs)} [${ms(synthesis.update.minMs)}–${ms(synthesis.update.maxMs)}] |`,
  "",
);
lines.push(...importMarkdown(await timed("imports", () => importBenchmarks(QUICK ? 200 : 1000))));
const node = startup[0] as (typeof startup)[number];
lines.push(
  "## Start-up",
  "",
  "Whole processes, as a user runs them, beside Node's own start in the same run: the wall time from spawn to exit, median [fastest–slowest] of 11 runs after 2, and the peak resident memory (median of 3 runs). Each command loads only what it uses: the Terraform parser (WebAssembly) only to read HCL, the classifier's WebAssembly kernel only once an NSG has decided enough flows (64) to be worth compiling.",
  "",
  "| command | time (ms) | over Node's start (ms) | peak memory (MiB) |",
  "|---|---|---|---|",
  ...startup.map(
    (r) =>
      `| ${r.label} | ${ms(r.time.medianMs)} [${ms(r.time.minMs)}–${ms(r.time.maxMs)}] | ${r === node ? "–" : ms(r.time.medianMs - node.time.medianMs)} | ${r.peakMiB.toFixed(0)} |`,
  ),
  "",
);
// The sections other benchmarks write (bench:replay, bench:estate, bench:serve) are kept as they are.
const written = `${lines.join("\n")}\n`;
const kept = existsSync("BENCHMARKS.md")
  ? readFileSync("BENCHMARKS.md", "utf8")
      .split(/\n(?=## )/)
      .slice(1)
      .filter((section) => !written.includes(`\n${section.split("\n")[0]}\n`))
  : [];
if (!QUICK)
  writeFileSync(
    "BENCHMARKS.md",
    `${[written.trimEnd(), ...kept.map((k) => k.trimEnd())].join("\n\n")}\n`,
  );
console.log(lines.join("\n"));
console.error(
  `${QUICK ? "quick run (a 250-rule NSG against Z3, no NSG near the prefix limit, an estate of 100 NSGs, 50 tiers, 200 NICs to import; two runs each; BENCHMARKS.md left as it is)" : "BENCHMARKS.md written"} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
if (analysis.some((r) => !r.agree)) {
  console.error("tierwall and Z3 disagree on a benchmark question");
  process.exitCode = 1;
}
if (!classifierAgrees(classification)) {
  console.error("the compiled classifier and a first-match loop disagree on a flow");
  process.exitCode = 1;
}
