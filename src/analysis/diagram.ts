import { mergeIntervals } from "../net/intervals.js";
import { FIELD_COUNT, FIELD_MAX, type Span } from "./fields.js";

/**
 * A reduced, ordered decision diagram over the packet fields, hash-consed so
 * that equal sets are the same node.
 *
 * An inner node tests one field: its `starts` split the field's whole domain
 * into segments (segment i is [starts[i], starts[i+1] - 1]), each leading to a
 * child. Adjacent segments never share a child and no node has a single child,
 * so every set has exactly one form and equality is identity.
 */
export interface Node {
  readonly id: number;
  /** The field tested; FIELD_COUNT for the two terminals. */
  readonly level: number;
  readonly starts: readonly bigint[];
  readonly kids: readonly Node[];
}

export const FALSE: Node = { id: 0, level: FIELD_COUNT, starts: [], kids: [] };
export const TRUE: Node = { id: 1, level: FIELD_COUNT, starts: [], kids: [] };

/**
 * The unique table: nodes by a numeric hash of (level, starts, kids), each
 * bucket a short chain compared field by field. Hashing numbers instead of
 * building a string key per lookup keeps large estates out of the garbage
 * collector. Entries hold their nodes weakly: a node no one holds any more
 * (most of a large analysis's intermediate results) is collected, and its
 * entry swept out as the table grows. A node that is held stays in the table,
 * so equal sets are still the same node.
 */
interface Entry {
  readonly ref: WeakRef<Node>;
  next: Entry | undefined;
}
const unique = new Map<number, Entry>();
let nextId = 2;
/** Entries added since the last sweep, and how many make the next sweep worth its pass. */
let added = 0;
let sweepAt = 1 << 20;

/**
 * Drops the entries whose nodes were collected; the next sweep waits for as
 * many more as are left. Returns the entries before and after.
 */
export function sweep(): { before: number; after: number } {
  let before = 0;
  let live = 0;
  for (const [hash, head] of unique) {
    let first: Entry | undefined;
    let last: Entry | undefined;
    for (let e: Entry | undefined = head; e !== undefined; e = e.next) {
      before++;
      if (e.ref.deref() === undefined) continue;
      live++;
      if (last) last.next = e;
      else first = e;
      last = e;
    }
    if (last) last.next = undefined;
    if (first) {
      if (first !== head) unique.set(hash, first);
    } else unique.delete(hash);
  }
  added = 0;
  sweepAt = Math.max(1 << 20, live);
  return { before, after: live };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 4294967296;

/** A 32-bit hash of a field value: exact words for values that fit in 53 bits, else two views of it. */
function valueHash(value: bigint): number {
  if (value <= MAX_SAFE) {
    const n = Number(value);
    return Math.imul((n >>> 0) ^ Math.imul((n / TWO_32) >>> 0, 0x85ebca6b), 0x9e3779b1);
  }
  // IPv6: the low 53 bits and the rounded whole tell neighbours and far values apart.
  const low = Number(BigInt.asUintN(53, value));
  const whole = Number(value);
  return Math.imul(
    (low >>> 0) ^
      Math.imul((low / TWO_32) >>> 0, 0x85ebca6b) ^
      Math.imul(whole % 65521, 0xc2b2ae35),
    0x9e3779b1,
  );
}

function nodeHash(level: number, starts: readonly bigint[], kids: readonly Node[]): number {
  let h = level + 0x27d4eb2d;
  for (let i = 0; i < kids.length; i++) {
    h = Math.imul(h ^ valueHash(starts[i] as bigint), 0x01000193);
    h = Math.imul(h ^ (kids[i] as Node).id, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h;
}

function sameNode(
  node: Node,
  level: number,
  starts: readonly bigint[],
  kids: readonly Node[],
): boolean {
  if (node.level !== level || node.kids.length !== kids.length) return false;
  for (let i = 0; i < kids.length; i++)
    if (node.kids[i] !== kids[i] || node.starts[i] !== starts[i]) return false;
  return true;
}

/** The canonical node for a segment list, merging equal neighbours. The arrays are kept, never changed: callers hand over fresh or frozen ones. */
export function makeNode(level: number, starts: readonly bigint[], kids: readonly Node[]): Node {
  let s = starts;
  let k = kids;
  for (let i = 1; i < kids.length; i++) {
    if (kids[i] !== kids[i - 1]) continue;
    // Equal neighbours: copy once, merging them.
    const ms: bigint[] = [starts[0] as bigint];
    const mk: Node[] = [kids[0] as Node];
    for (let j = 1; j < kids.length; j++) {
      if (kids[j] === mk[mk.length - 1]) continue;
      ms.push(starts[j] as bigint);
      mk.push(kids[j] as Node);
    }
    s = ms;
    k = mk;
    break;
  }
  if (k.length === 1) return k[0] as Node;
  const hash = nodeHash(level, s, k);
  const head = unique.get(hash);
  for (let e = head; e !== undefined; e = e.next) {
    const found = e.ref.deref();
    if (found !== undefined && sameNode(found, level, s, k)) return found;
  }
  const node: Node = { id: nextId++, level, starts: s, kids: k };
  if (++added >= sweepAt) sweep();
  unique.set(hash, { ref: new WeakRef(node), next: unique.get(hash) });
  return node;
}

/** The node that takes `inside` on the given spans of one field and `outside` elsewhere. */
export function spanNode(level: number, spans: readonly Span[], inside: Node, outside: Node): Node {
  const starts: bigint[] = [];
  const kids: Node[] = [];
  let next = 0n;
  for (const [first, last] of [...spans].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (last < next) continue;
    const from = first < next ? next : first;
    if (from > next) {
      starts.push(next);
      kids.push(outside);
    }
    starts.push(from);
    kids.push(inside);
    next = last + 1n;
  }
  if (next <= (FIELD_MAX[level] as bigint)) {
    starts.push(next);
    kids.push(outside);
  }
  return makeNode(level, starts, kids);
}

export type Op = "and" | "or" | "diff";

/**
 * Results of `apply` by operation and operand ids, one number per pair
 * (x.id * 2^26 + y.id); pairs whose ids do not fit are not remembered.
 * Bounded: cleared when it holds MEMO_LIMIT results.
 */
const memo = {
  and: new Map<number, Node>(),
  or: new Map<number, Node>(),
  diff: new Map<number, Node>(),
};
let memoSize = 0;
const MEMO_LIMIT = 250_000;
const ID_LIMIT = 1 << 26;

function shortcut(op: Op, a: Node, b: Node): Node | undefined {
  switch (op) {
    case "and":
      if (a === FALSE || b === FALSE) return FALSE;
      if (a === TRUE) return b;
      if (b === TRUE || a === b) return a;
      return undefined;
    case "or":
      if (a === TRUE || b === TRUE) return TRUE;
      if (a === FALSE) return b;
      if (b === FALSE || a === b) return a;
      return undefined;
    case "diff":
      if (a === FALSE || b === TRUE || a === b) return FALSE;
      if (b === FALSE) return a;
      return undefined;
  }
}

/** Combines two diagrams with a set operation, by one merge of their segment lists per node pair. */
export function apply(op: Op, a: Node, b: Node): Node {
  const quick = shortcut(op, a, b);
  if (quick) return quick;
  // and/or are symmetric: one memo entry serves both argument orders.
  const swap = op !== "diff" && a.id > b.id;
  const x = swap ? b : a;
  const y = swap ? a : b;
  const key = x.id < ID_LIMIT && y.id < ID_LIMIT ? x.id * ID_LIMIT + y.id : -1;
  const table = memo[op];
  if (key >= 0) {
    const hit = table.get(key);
    if (hit) return hit;
  }

  const level = Math.min(x.level, y.level);
  if (x.level !== y.level) {
    // One side does not test this field: the other's segments stay, each combined with it.
    const at = x.level === level ? x : y;
    const kids: Node[] = new Array(at.kids.length);
    for (let k = 0; k < at.kids.length; k++)
      kids[k] = at === x ? apply(op, x.kids[k] as Node, y) : apply(op, x, y.kids[k] as Node);
    return remember(key, table, makeNode(level, at.starts, kids));
  }
  const xs = x;
  const ys = y;
  const starts: bigint[] = [];
  const kids: Node[] = [];
  let i = 0;
  let j = 0;
  let at = 0n;
  // A child that decides the result alone (FALSE in "and", TRUE in "or", FALSE on
  // the left or TRUE on the right of "diff") covers the other side's segments
  // below it at once: jump over them by binary search instead of one by one.
  const xDecides = op === "or" ? TRUE : FALSE;
  const yDecides = op === "and" ? FALSE : TRUE;
  for (;;) {
    const kx = xs.kids[i] as Node;
    const ky = ys.kids[j] as Node;
    starts.push(at);
    if (kx === xDecides) {
      kids.push(op === "or" ? TRUE : FALSE);
      j = lastBefore(ys.starts, xs.starts[i + 1], j);
    } else if (ky === yDecides) {
      kids.push(op === "or" ? TRUE : FALSE);
      i = lastBefore(xs.starts, ys.starts[j + 1], i);
    } else kids.push(apply(op, kx, ky));
    const nextX = xs.starts[i + 1];
    const nextY = ys.starts[j + 1];
    if (nextX === undefined && nextY === undefined) break;
    if (nextY === undefined || (nextX !== undefined && nextX < nextY)) {
      at = nextX as bigint;
      i++;
    } else if (nextX === undefined || nextY < nextX) {
      at = nextY;
      j++;
    } else {
      at = nextX;
      i++;
      j++;
    }
  }
  return remember(key, table, makeNode(level, starts, kids));
}

/** The last index from `from` on whose start is below `end` (the last index when there is no end). */
function lastBefore(starts: readonly bigint[], end: bigint | undefined, from: number): number {
  if (end === undefined) return starts.length - 1;
  let lo = from;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as bigint) < end) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function remember(key: number, table: Map<number, Node>, result: Node): Node {
  if (key >= 0) {
    if (memoSize >= MEMO_LIMIT) clearMemo();
    table.set(key, result);
    memoSize++;
  }
  return result;
}

function clearMemo(): void {
  memo.and.clear();
  memo.or.clear();
  memo.diff.clear();
  memoSize = 0;
}

/** The diagram below `node` for packets whose field `level` has `value`. */
export function cofactor(node: Node, level: number, value: bigint): Node {
  if (node.level !== level) return node;
  let i = node.starts.length - 1;
  while (i > 0 && (node.starts[i] as bigint) > value) i--;
  return node.kids[i] as Node;
}

/** The values field `level` takes over the whole set (the other fields quantified away), as spans. */
export function project(node: Node, level: number, memo = new Map<Node, Span[]>()): Span[] {
  if (node === FALSE) return [];
  if (node.level > level) return [[0n, FIELD_MAX[level] as bigint]];
  const known = memo.get(node);
  if (known) return known;
  let spans: Span[] = [];
  for (const { spans: own, kid } of edges(node)) {
    if (kid === FALSE) continue;
    spans = spans.concat(node.level === level ? own : project(kid, level, memo));
  }
  const merged = mergeIntervals(spans);
  memo.set(node, merged);
  return merged;
}

/** The segments of a node grouped by child: each child with the spans that lead to it. */
export function edges(node: Node): { spans: Span[]; kid: Node }[] {
  const byKid = new Map<Node, Span[]>();
  const max = FIELD_MAX[node.level] as bigint;
  node.kids.forEach((kid, i) => {
    const first = node.starts[i] as bigint;
    const last = i + 1 < node.starts.length ? (node.starts[i + 1] as bigint) - 1n : max;
    const list = byKid.get(kid);
    if (list) list.push([first, last]);
    else byKid.set(kid, [[first, last]]);
  });
  return [...byKid].map(([kid, spans]) => ({ kid, spans }));
}

/** How many packets the diagram holds. */
export function count(node: Node, level = 0, cache = new Map<Node, bigint>()): bigint {
  if (node === FALSE) return 0n;
  const skipped = (from: number, to: number) => {
    let n = 1n;
    for (let l = from; l < to; l++) n *= (FIELD_MAX[l] as bigint) + 1n;
    return n;
  };
  if (node === TRUE) return skipped(level, FIELD_COUNT);
  let below = cache.get(node);
  if (below === undefined) {
    below = 0n;
    const max = FIELD_MAX[node.level] as bigint;
    for (let i = 0; i < node.kids.length; i++) {
      const first = node.starts[i] as bigint;
      const last = i + 1 < node.starts.length ? (node.starts[i + 1] as bigint) - 1n : max;
      below += (last - first + 1n) * count(node.kids[i] as Node, node.level + 1, cache);
    }
    cache.set(node, below);
  }
  return skipped(level, node.level) * below;
}
