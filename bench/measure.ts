import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Timing with warm-up and repetition; results as median and spread, never as a pass or fail. */
export interface Measurement {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface MeasureOptions {
  readonly warmup?: number;
  readonly runs?: number;
  /** Stop repeating once this much time has gone by (one timed run at least). */
  readonly budgetMs?: number;
  /** Runs before each run, outside the time: to start every run from the same state. */
  readonly before?: () => void;
}

function summarize(name: string, times: number[]): Measurement {
  times.sort((a, b) => a - b);
  return {
    name,
    runs: times.length,
    medianMs: times[Math.floor(times.length / 2)] as number,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
  };
}

const more = (times: readonly number[], runs: number, start: number, budget: number) =>
  times.length < runs && (times.length < 1 || performance.now() - start < budget);

/**
 * `npm run bench -- --quick`: a pull request's look, in under a minute: each
 * figure from at most two runs after one warm-up, smaller inputs where a
 * benchmark's input is large, and BENCHMARKS.md left as it is.
 */
export const QUICK = process.argv.includes("--quick");

/** The repetitions asked for, or the quick mode's fewer. */
function repetitions(options: MeasureOptions, budgetMs: number) {
  const { warmup = 1, runs = 5 } = options;
  const budget = options.budgetMs ?? budgetMs;
  return QUICK
    ? { warmup: Math.min(warmup, 1), runs: Math.min(runs, 2), budgetMs: Math.min(budget, 2_000) }
    : { warmup, runs, budgetMs: budget };
}

export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Measurement {
  const { warmup, runs, budgetMs } = repetitions(options, 30_000);
  const { before } = options;
  for (let i = 0; i < warmup; i++) {
    before?.();
    fn();
  }
  const times: number[] = [];
  const start = performance.now();
  while (more(times, runs, start, budgetMs)) {
    before?.();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return summarize(name, times);
}

export async function measureAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { warmup, runs, budgetMs } = repetitions(options, 60_000);
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (more(times, runs, start, budgetMs)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return summarize(name, times);
}

export const ms = (m: number) => (m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2));

/** This process's peak resident memory, every thread's, in MiB (VmHWM: getrusage's maxRSS carries the spawning process's over through exec). */
export function peakResidentMiB(): number {
  return Number(/VmHWM:\s*(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) / 1024;
}

/** A module for `node --import HOOK` that writes the process's peak resident memory (KiB) to a file at exit, and its reader (MiB). */
export function peakHook(folder: string): { hook: string; readMiB: () => number } {
  const hook = join(folder, "peak.mjs");
  const file = join(folder, "peak");
  writeFileSync(
    hook,
    `import { readFileSync, writeFileSync } from "node:fs";\nprocess.on("exit", () => writeFileSync(${JSON.stringify(file)}, /VmHWM:\\s*(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]));\n`,
  );
  return { hook, readMiB: () => Number(readFileSync(file, "utf8")) / 1024 };
}
