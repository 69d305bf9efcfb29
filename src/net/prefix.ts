import {
  familyBits,
  familyMax,
  formatIpAddress,
  type IpFamily,
  parseIpAddress,
} from "./address.js";

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

/** A CIDR block (a single address is a /32 or /128). */
export interface Prefix extends IpRange {
  readonly length: number;
}

export type PrefixProblem = "syntax" | "hostBits";
export type PrefixParse = { ok: true; prefix: Prefix } | { ok: false; problem: PrefixProblem };

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, `x::y` or `x::y/n`. Host bits must be zero, as
 * Azure requires (`10.0.0.1/24` is an error, not `10.0.0.0/24`).
 */
export function parsePrefix(text: string): PrefixParse {
  const slash = text.indexOf("/");
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (!address) return { ok: false, problem: "syntax" };
  const bits = familyBits(address.family);
  let length = bits;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return { ok: false, problem: "syntax" };
    length = Number(lengthText);
    if (length > bits) return { ok: false, problem: "syntax" };
  }
  const hostMask = hostMaskOf(address.family, length);
  if ((address.value & hostMask) !== 0n) return { ok: false, problem: "hostBits" };
  return {
    ok: true,
    prefix: {
      family: address.family,
      first: address.value,
      last: address.value | hostMask,
      length,
    },
  };
}

function hostMaskOf(family: IpFamily, length: number): bigint {
  return (1n << BigInt(familyBits(family) - length)) - 1n;
}

export function formatPrefix(prefix: Prefix): string {
  return `${formatIpAddress({ family: prefix.family, value: prefix.first })}/${prefix.length}`;
}

/** The whole address space of a family (0.0.0.0/0 or ::/0). */
export function universe(family: IpFamily): Prefix {
  return { family, first: 0n, last: familyMax(family), length: 0 };
}

/** The fewest CIDR blocks that cover exactly the inclusive range [first, last]. */
export function rangeToPrefixes(range: IpRange): Prefix[] {
  const bits = familyBits(range.family);
  const out: Prefix[] = [];
  let first = range.first;
  while (first <= range.last) {
    // Largest block aligned at `first` that stays inside the range.
    let size = 0;
    while (size < bits) {
      const next = size + 1;
      const mask = (1n << BigInt(next)) - 1n;
      if ((first & mask) !== 0n || first + mask > range.last) break;
      size = next;
    }
    const last = first + (1n << BigInt(size)) - 1n;
    out.push({ family: range.family, first, last, length: bits - size });
    first = last + 1n;
  }
  return out;
}
