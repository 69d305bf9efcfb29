/** An inclusive range of numbers. */
export type Interval = readonly [first: bigint, last: bigint];

/** A union of intervals in its one form: sorted, disjoint, and no two adjacent. */
export function mergeIntervals(list: readonly Interval[]): Interval[] {
  const sorted = [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [first, last] of sorted) {
    const top = out[out.length - 1];
    if (top && first <= top[1] + 1n) {
      if (last > top[1]) top[1] = last;
    } else out.push([first, last]);
  }
  return out;
}
