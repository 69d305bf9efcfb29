/** Timing with warm-up and repetition; results as median and spread, never as a pass or fail. */
export interface Measurement {
  readonly name: string;
  readonly runs: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export function measure(
  name: string,
  fn: () => unknown,
  options: { warmup?: number; runs?: number; budgetMs?: number } = {},
): Measurement {
  const warmup = options.warmup ?? 1;
  const runs = options.runs ?? 5;
  const budget = options.budgetMs ?? 30_000;
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < runs && (times.length < 1 || performance.now() - start < budget)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    runs: times.length,
    medianMs: times[Math.floor(times.length / 2)] as number,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
  };
}

export async function measureAsync(
  name: string,
  fn: () => Promise<unknown>,
  options: { warmup?: number; runs?: number; budgetMs?: number } = {},
): Promise<Measurement> {
  const warmup = options.warmup ?? 1;
  const runs = options.runs ?? 5;
  const budget = options.budgetMs ?? 60_000;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < runs && (times.length < 1 || performance.now() - start < budget)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    name,
    runs: times.length,
    medianMs: times[Math.floor(times.length / 2)] as number,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
  };
}

export const ms = (m: number) => (m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2));
