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
  let shown = set;
  if (names.tags.length === 0) return { shown, listed: [], excepted: [] };
  // Each family is shown one way or the other; both families read as one.
  let listedArea = AddressSet.empty;
  let exceptedArea = AddressSet.empty;
  for (const family of [4, 6] as const) {
    const area = AddressSet.of([SYMBOLIC_TAG_AREAS[family]]);
    const part = set.intersect(area);
    const rest = names.tags.reduce((left, t) => left.minus(t.addresses), area);
    if (part.isEmpty() || rest.equals(area)) continue;
    if (rest.isSubsetOf(part)) {
      shown = shown.union(area);
      exceptedArea = exceptedArea.union(area);
    } else {
      shown = shown.minus(area);
      listedArea = listedArea.union(area);
    }
  }
  const within = (area: AddressSet) =>
    names.tags
      .map((t) => ({ ...t, addresses: t.addresses.intersect(area) }))
      .filter((t) => !t.addresses.isEmpty());
  return {
    shown,
    listed: describe(set.intersect(listedArea), within(listedArea)),
    excepted: describe(exceptedArea.minus(set), within(exceptedArea)).map(whole),
  };
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
  // What is left, as a tag less others where that is exact, the widest such tag first.
  const specificFirst = [...bySize].reverse();
  for (let found = true; found && !left.isEmpty(); ) {
    found = false;
    for (const t of bySize) {
      const piece = t.addresses.intersect(left);
      if (piece.isEmpty()) continue;
      const without = minus(t, piece, bySize);
      if (without === undefined) continue;
      out.push(`<${t.name}> except ${without.map((u) => `<${u.name}>`).join(" and ")}`);
      left = left.minus(piece);
      found = true;
      break;
    }
  }
  for (const t of specificFirst) {
    const piece = t.addresses.intersect(left);
    if (piece.isEmpty()) continue;
    out.push(`part of <${t.name}>`);
    left = left.minus(piece);
  }
  return out;
}

/**
 * The tags that, taken from `t`, leave exactly `piece`: those that meet `t` but
 * not `piece`, widest first, each kept only when it takes something more away.
 */
function minus(
  t: NamedSymbolicTag,
  piece: AddressSet,
  bySize: readonly NamedSymbolicTag[],
): NamedSymbolicTag[] | undefined {
  let rest = t.addresses;
  const kept: NamedSymbolicTag[] = [];
  for (const u of bySize) {
    if (u === t || u.addresses.overlaps(piece) || !u.addresses.overlaps(rest)) continue;
    kept.push(u);
    rest = rest.minus(u.addresses);
  }
  return kept.length > 0 && rest.equals(piece) ? kept : undefined;
}

/** A rough size, enough to try wider tags first. */
function size(set: AddressSet): number {
  let n = 0;
  for (const family of [4, 6] as const)
    for (const [first, last] of set.intervals(family)) n += Number(last - first + 1n);
  return n;
}
