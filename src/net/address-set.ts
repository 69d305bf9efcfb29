import { familyMax, type IpAddress, type IpFamily } from "./address.js";
import { type Interval, mergeIntervals } from "./intervals.js";
import { formatPrefix, type IpRange, type Prefix, rangeToPrefixes } from "./prefix.js";

/**
 * A set of IPv4 and IPv6 addresses, kept as sorted, disjoint, non-adjacent
 * intervals per family, so that equal sets have equal forms.
 */
export class AddressSet {
  private constructor(
    readonly v4: readonly Interval[],
    readonly v6: readonly Interval[],
  ) {}

  static readonly empty = new AddressSet([], []);
  static readonly all = new AddressSet([[0n, familyMax(4)]], [[0n, familyMax(6)]]);

  static of(ranges: Iterable<IpRange>): AddressSet {
    const v4: Interval[] = [];
    const v6: Interval[] = [];
    for (const r of ranges) (r.family === 4 ? v4 : v6).push([r.first, r.last]);
    return new AddressSet(normalize(v4), normalize(v6));
  }

  /** The set of exactly these addresses. */
  static ofAddresses(addresses: Iterable<IpAddress>): AddressSet {
    const ranges: IpRange[] = [];
    for (const a of addresses) ranges.push({ family: a.family, first: a.value, last: a.value });
    return AddressSet.of(ranges);
  }

  intervals(family: IpFamily): readonly Interval[] {
    return family === 4 ? this.v4 : this.v6;
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  has(address: IpAddress): boolean {
    const list = this.intervals(address.family);
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [first, last] = list[mid] as Interval;
      if (address.value < first) hi = mid - 1;
      else if (address.value > last) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet(
      normalize([...this.v4, ...other.v4]),
      normalize([...this.v6, ...other.v6]),
    );
  }

  /** Everything of both families that is not in this set. */
  complement(): AddressSet {
    return new AddressSet(invert(this.v4, familyMax(4)), invert(this.v6, familyMax(6)));
  }

  intersect(other: AddressSet): AddressSet {
    return this.complement().union(other.complement()).complement();
  }

  minus(other: AddressSet): AddressSet {
    return this.intersect(other.complement());
  }

  /** Whether the sets share an address: one merge of the two interval lists per family. */
  overlaps(other: AddressSet): boolean {
    return intervalsMeet(this.v4, other.v4) || intervalsMeet(this.v6, other.v6);
  }

  /** Whether every address of this set is in `other`. */
  isSubsetOf(other: AddressSet): boolean {
    return intervalsWithin(this.v4, other.v4) && intervalsWithin(this.v6, other.v6);
  }

  equals(other: AddressSet): boolean {
    const same = (a: readonly Interval[], b: readonly Interval[]) =>
      a.length === b.length && a.every((x, i) => x[0] === b[i]?.[0] && x[1] === b[i]?.[1]);
    return same(this.v4, other.v4) && same(this.v6, other.v6);
  }

  /** The fewest CIDR blocks that cover the set exactly, IPv4 first. */
  toPrefixes(): Prefix[] {
    const out: Prefix[] = [];
    for (const family of [4, 6] as const) {
      for (const [first, last] of this.intervals(family))
        out.push(...rangeToPrefixes({ family, first, last }));
    }
    return out;
  }

  toString(): string {
    return this.toPrefixes().map(formatPrefix).join(", ");
  }
}

function intervalsMeet(a: readonly Interval[], b: readonly Interval[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    if (x[1] < y[0]) i++;
    else if (y[1] < x[0]) j++;
    else return true;
  }
  return false;
}

/** Each interval of `a` lies inside one of `b` (both normalized, so no interval spans two of b's). */
function intervalsWithin(a: readonly Interval[], b: readonly Interval[]): boolean {
  let j = 0;
  for (const [first, last] of a) {
    while (j < b.length && (b[j] as Interval)[1] < first) j++;
    const y = b[j];
    if (!y || y[0] > first || y[1] < last) return false;
  }
  return true;
}

const normalize = mergeIntervals;

function invert(list: readonly Interval[], max: bigint): Interval[] {
  const out: Interval[] = [];
  let next = 0n;
  for (const [first, last] of list) {
    if (first > next) out.push([next, first - 1n]);
    next = last + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}
