import type { AddressNames } from "../model/public-ips.js";
import { type NamedSymbolicTag, SYMBOLIC_TAG_AREAS } from "../model/symbolic-tags.js";
import { AddressSet } from "../net/address-set.js";

/**
 * The part of a set that falls in the symbolic service tags' area, by the names
 * of the tags the spec names. Any set the analysis computes is made of those
 * tags, so it reads as tags whole (`<Sql>`), a tag less others (`<Sql> except
 * <AzureCloud>`), or, failing both, `part of <Sql>`. Where the set holds all the
 * area outside the tags (as "every Internet address" does), the area stays among
 * the blocks and the tags it lacks follow `except`.
 */
export function tagTexts(
  set: AddressSet,
  names: AddressNames,
): { shown: AddressSet; listed: string[]; excepted: string[] } {
  const listed: string[] = [];
  const excepted: string[] = [];
  let shown = set;
  if (names.tags.length === 0) return { shown, listed, excepted };
  for (const family of [4, 6] as const) {
    const area = AddressSet.of([SYMBOLIC_TAG_AREAS[family]]);
    const tags = names.tags
      .map((t) => ({ ...t, addresses: t.addresses.intersect(area) }))
      .filter((t) => !t.addresses.isEmpty());
    const part = set.intersect(area);
    if (part.isEmpty() || tags.length === 0) continue;
    const rest = tags.reduce((left, t) => left.minus(t.addresses), area);
    if (rest.isSubsetOf(part)) {
      shown = shown.union(area);
      excepted.push(...describe(area.minus(part), tags).map(whole));
    } else {
      shown = shown.minus(area);
      listed.push(...describe(part, tags));
    }
  }
  return { shown, listed, excepted };
}

/** After `except`, a compound text would read wrongly: it becomes `part of`. */
const whole = (text: string) =>
  text.includes(" except ") ? `part of ${text.slice(0, text.indexOf(" except "))}` : text;

function describe(set: AddressSet, tags: readonly NamedSymbolicTag[]): string[] {
  const bySize = [...tags].sort((a, b) => size(b.addresses) - size(a.addresses));
  const out: string[] = [];
  let left = set;
  for (const t of bySize)
    if (!left.isEmpty() && t.addresses.isSubsetOf(left)) {
      out.push(`<${t.name}>`);
      left = left.minus(t.addresses);
    }
  for (const t of bySize) {
    const piece = t.addresses.intersect(left);
    if (piece.isEmpty()) continue;
    const without = bySize.filter(
      (u) => u !== t && u.addresses.overlaps(t.addresses) && !u.addresses.overlaps(piece),
    );
    const exact = without.reduce((s, u) => s.minus(u.addresses), t.addresses).equals(piece);
    out.push(
      exact && without.length > 0
        ? `<${t.name}> except ${without.map((u) => `<${u.name}>`).join(", ")}`
        : `part of <${t.name}>`,
    );
    left = left.minus(piece);
  }
  return out;
}

/** A rough size, enough to try wider tags first. */
function size(set: AddressSet): number {
  let n = 0;
  for (const family of [4, 6] as const)
    for (const [first, last] of set.intervals(family)) n += Number(last - first + 1n);
  return n;
}
