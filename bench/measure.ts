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

export function measure(
  name: string,
  fn: () => unknown,
  options: MeasureOptions = {},
): Measurement {
  const { warmup = 1, runs = 5, budgetMs = 30_000, before } = options;
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
  const { warmup = 1, runs = 5, budgetMs = 60_000 } = options;
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
