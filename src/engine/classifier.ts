/**
 * A compiled first-match classifier for one direction of one resolved NSG.
 *
 * The rule list (custom and default rules, tags and ASGs expanded, in priority
 * order) is compiled once into typed arrays. Each field's value space is cut
 * into elementary intervals on which every rule's verdict for that field is
 * constant, and each interval points at a bit vector of the rules it satisfies
 * (bit i of word i >>> 5 is rule i). A flow looks up one vector per field, ANDs
 * them word by word and takes the lowest set bit: the rules are in priority
 * order, so the lowest index is the rule Azure applies. No rule list is walked.
 *
 * Layout, chosen for the hot loop:
 * - every vector lives in one Int32Array, deduplicated, addressed by offset;
 * - every interval index lives in one Int32Array: a bucket table on the top
 *   bits of the key, sized to the number of intervals, narrows each lookup to
 *   a few entries, then a binary search finishes it; a bucket that lies inside
 *   one interval holds that interval's vector offset beside its bounds, so
 *   most lookups are one memory access;
 * - the protocol is folded into the source-port vectors (one AND fewer), and
 *   protocols without ports take an all-ones vector for the destination port,
 *   which is how `ruleMatches` ignores a rule's ports for Icmp, Esp and Ah;
 * - IPv4 keys are 32-bit numbers, IPv6 keys four 32-bit words, in separate
 *   indexes, so IPv6 costs IPv4 nothing. Keys are stored with the top bit
 *   flipped so that signed int32 comparison orders them as unsigned values.
 */
import type { Direction } from "../model/rule.js";
import type { IpAddress } from "../net/address.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../net/protocol.js";
import { noMatchingRule, type Packet } from "./packet.js";
import { type ResolvedNsg, type ResolvedRule, rulesFor } from "./resolve.js";

/** Protocol codes of the batch API. Any other code matches no rule. */
export const PROTOCOL_CODE: Readonly<Record<FlowProtocol, number>> = {
  Tcp: 0,
  Udp: 1,
  Icmp: 2,
  Esp: 3,
  Ah: 4,
};

/** Access codes written by the batch API. */
export const DENY = 0;
export const ALLOW = 1;
/** No rule matched: only possible for a rule list without Azure's default rules, or an unknown protocol code. */
export const NO_DECISION = 2;
export const NO_RULE = -1;

/** IPv4 flows, one entry per flow in each array. */
export interface FlowBatch4 {
  readonly protocol: Uint8Array;
  readonly source: Uint32Array;
  readonly sourcePort: Uint16Array;
  readonly destination: Uint32Array;
  readonly destinationPort: Uint16Array;
}

/** IPv6 flows: addresses as four 32-bit words per flow, most significant first. */
export interface FlowBatch6 {
  readonly protocol: Uint8Array;
  readonly source: Uint32Array;
  readonly sourcePort: Uint16Array;
  readonly destination: Uint32Array;
  readonly destinationPort: Uint16Array;
}

/** Where the batch API writes: the deciding rule's index (or NO_RULE) and its access code. */
export interface Decisions {
  readonly rule: Int32Array;
  readonly access: Uint8Array;
}

const FLIP = -0x80000000;
const PORT_BITS = 16;
const IP4_BITS = 32;
const IP6_STRIDE = 5;
/** Rule indices share a double with a 32-bit position while events are sorted. */
const MAX_RULES = 2 ** 20;

/** Where one field's bucket table and intervals sit in the index array. */
interface FieldIndex {
  /** A key shifted right by this much is its bucket number (two table entries per bucket). */
  readonly shift: number;
  /** XOR-ed into keys so that signed comparison orders them as unsigned. */
  readonly flip: number;
  readonly buckets: number;
  readonly entries: number;
}

export class FlowClassifier {
  private constructor(
    /** The rules, in the order whose indices the classifier returns. */
    readonly rules: readonly ResolvedRule[],
    /** Words per rule vector. */
    private readonly words: number,
    private readonly vectors: Int32Array,
    private readonly index: Int32Array,
    private readonly accessOf: Uint8Array,
    /** Vector offset per protocol code, for protocols without ports. */
    private readonly protocolOffset: Int32Array,
    private readonly ones: number,
    private readonly zero: number,
    private readonly sourcePort: FieldIndex,
    private readonly destinationPort: FieldIndex,
    private readonly source4: FieldIndex,
    private readonly destination4: FieldIndex,
    private readonly source6: FieldIndex,
    private readonly destination6: FieldIndex,
  ) {}

  /** Compiles a rule list in priority order (a ResolvedNsg direction). */
  static compile(rules: readonly ResolvedRule[]): FlowClassifier {
    const c = compile(rules);
    return new FlowClassifier(
      rules,
      c.words,
      c.vectors,
      c.index,
      c.accessOf,
      c.protocolOffset,
      c.ones,
      c.zero,
      c.sourcePort,
      c.destinationPort,
      c.source4,
      c.destination4,
      c.source6,
      c.destination6,
    );
  }

  /** Bytes held by the compiled form's typed arrays. */
  get byteLength(): number {
    return (
      this.vectors.byteLength +
      this.index.byteLength +
      this.accessOf.byteLength +
      this.protocolOffset.byteLength
    );
  }

  /** The index of the rule that decides the packet, or NO_RULE. */
  matchIndex(packet: Packet): number {
    const p = PROTOCOL_CODE[packet.protocol];
    let t: number;
    let dp: number;
    if (p < 2) {
      // A port outside 0-65535 is in no rule's ranges, not even `*`.
      t = isPort(packet.sourcePort)
        ? lookup32(this.index, this.sourcePort, packet.sourcePort) + p * this.words
        : this.zero;
      dp = isPort(packet.destinationPort)
        ? lookup32(this.index, this.destinationPort, packet.destinationPort)
        : this.zero;
    } else {
      t = this.protocolOffset[p] as number;
      dp = this.ones;
    }
    const s = this.addressVector(packet.source, this.source4, this.source6);
    const d = this.addressVector(packet.destination, this.destination4, this.destination6);
    return firstSet(this.vectors, this.words, t, dp, s, d);
  }

  /** The rule that decides the packet, or undefined when none matches. */
  match(packet: Packet): ResolvedRule | undefined {
    const i = this.matchIndex(packet);
    return i === NO_RULE ? undefined : this.rules[i];
  }

  /**
   * Decides IPv4 flows [from, to) of the batch into `out` at the same
   * positions. One loop with the lookups inlined into it: V8 compiles this
   * shape best (separate passes per field over a chunk measured slower).
   */
  decide4(flows: FlowBatch4, out: Decisions, from = 0, to = flows.protocol.length): void {
    const { index, vectors, words, accessOf, protocolOffset, ones } = this;
    const { protocol, source, sourcePort, destination, destinationPort } = flows;
    const { rule, access } = out;
    const sp = this.sourcePort;
    const dp = this.destinationPort;
    const s4 = this.source4;
    const d4 = this.destination4;
    for (let i = from; i < to; i++) {
      const p = protocol[i] as number;
      let t: number;
      let dv: number;
      if (p < 2) {
        t = lookup32(index, sp, sourcePort[i] as number) + p * words;
        dv = lookup32(index, dp, destinationPort[i] as number);
      } else {
        t = protocolOffset[p] as number;
        dv = ones;
      }
      const s = lookup32(index, s4, source[i] as number);
      const d = lookup32(index, d4, destination[i] as number);
      const r = firstSet(vectors, words, t, dv, s, d);
      rule[i] = r;
      access[i] = r < 0 ? NO_DECISION : (accessOf[r] as number);
    }
  }

  /** Decides IPv6 flows [from, to) of the batch into `out` at the same positions. */
  decide6(flows: FlowBatch6, out: Decisions, from = 0, to = flows.protocol.length): void {
    const { index, vectors, words, accessOf, protocolOffset, ones } = this;
    const { protocol, source, sourcePort, destination, destinationPort } = flows;
    const { rule, access } = out;
    const sp = this.sourcePort;
    const dp = this.destinationPort;
    const s6 = this.source6;
    const d6 = this.destination6;
    for (let i = from; i < to; i++) {
      const p = protocol[i] as number;
      let t: number;
      let dv: number;
      if (p < 2) {
        t = lookup32(index, sp, sourcePort[i] as number) + p * words;
        dv = lookup32(index, dp, destinationPort[i] as number);
      } else {
        t = protocolOffset[p] as number;
        dv = ones;
      }
      const a = 4 * i;
      const s = lookup128(
        index,
        s6,
        source[a] as number,
        source[a + 1] as number,
        source[a + 2] as number,
        source[a + 3] as number,
      );
      const d = lookup128(
        index,
        d6,
        destination[a] as number,
        destination[a + 1] as number,
        destination[a + 2] as number,
        destination[a + 3] as number,
      );
      const r = firstSet(vectors, words, t, dv, s, d);
      rule[i] = r;
      access[i] = r < 0 ? NO_DECISION : (accessOf[r] as number);
    }
  }

  private addressVector(address: IpAddress, v4: FieldIndex, v6: FieldIndex): number {
    if (address.family === 4) return lookup32(this.index, v4, Number(address.value));
    const [w0, w1, w2, w3] = words128(address.value);
    return lookup128(this.index, v6, w0, w1, w2, w3);
  }
}

const isPort = (port: number): boolean => Number.isInteger(port) && port >= 0 && port <= 65535;

/**
 * First match through compiled classifiers, each NSG direction compiled once on
 * first use. Keyed by the resolved rule list, which NsgResolver keeps per (NSG,
 * virtual network), so a classifier lives as long as its rules.
 */
export class CompiledNsgs {
  private readonly classifiers = new WeakMap<readonly ResolvedRule[], FlowClassifier>();

  classifier(rules: readonly ResolvedRule[]): FlowClassifier {
    let c = this.classifiers.get(rules);
    if (!c) {
      c = FlowClassifier.compile(rules);
      this.classifiers.set(rules, c);
    }
    return c;
  }

  /** The same answer as packet.ts's firstMatch, from the compiled form. */
  firstMatch(nsg: ResolvedNsg, direction: Direction, packet: Packet): ResolvedRule {
    const rule = this.classifier(rulesFor(nsg, direction)).match(packet);
    if (!rule) throw noMatchingRule(nsg, direction);
    return rule;
  }
}

// ---------------------------------------------------------------- queries

/**
 * The vector offset of the interval holding `key` (ports or IPv4: unsigned, at
 * most 32 bits). The bucket of the key's top bits bounds the candidates to
 * [lo, hi]; the search that finishes the job selects rather than branches on
 * each comparison, since flows at rule edges make the comparisons unpredictable.
 */
function lookup32(index: Int32Array, field: FieldIndex, key: number): number {
  const bucket = field.buckets + 2 * (key >>> field.shift);
  const direct = index[bucket + 1] as number;
  if (direct >= 0) return direct;
  let lo = index[bucket] as number;
  let n = (index[bucket + 2] as number) - lo + 1;
  const k = key ^ field.flip;
  const entries = field.entries;
  while (n > 1) {
    const half = n >>> 1;
    lo += half & -Number((index[entries + 2 * (lo + half)] as number) <= k);
    n -= half;
  }
  return index[entries + 2 * lo + 1] as number;
}

/** The vector offset of the interval holding the IPv6 key (w0 most significant); buckets on w0. */
function lookup128(
  index: Int32Array,
  field: FieldIndex,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): number {
  const bucket = field.buckets + 2 * (w0 >>> field.shift);
  const direct = index[bucket + 1] as number;
  if (direct >= 0) return direct;
  let lo = index[bucket] as number;
  let hi = index[bucket + 2] as number;
  const k0 = w0 ^ FLIP;
  const k1 = w1 ^ FLIP;
  const k2 = w2 ^ FLIP;
  const k3 = w3 ^ FLIP;
  const entries = field.entries;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (startsAtOrBefore(index, entries + IP6_STRIDE * mid, k0, k1, k2, k3)) lo = mid;
    else hi = mid - 1;
  }
  return index[entries + IP6_STRIDE * lo + 4] as number;
}

function startsAtOrBefore(
  index: Int32Array,
  at: number,
  k0: number,
  k1: number,
  k2: number,
  k3: number,
): boolean {
  const s0 = index[at] as number;
  if (s0 !== k0) return s0 < k0;
  const s1 = index[at + 1] as number;
  if (s1 !== k1) return s1 < k1;
  const s2 = index[at + 2] as number;
  if (s2 !== k2) return s2 < k2;
  return (index[at + 3] as number) <= k3;
}

/** The lowest rule index set in all four vectors, or NO_RULE. */
function firstSet(
  v: Int32Array,
  words: number,
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  for (let w = 0; w < words; w++) {
    const x =
      (v[a + w] as number) & (v[b + w] as number) & (v[c + w] as number) & (v[d + w] as number);
    if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
  }
  return NO_RULE;
}

const MASK32 = 0xffffffffn;

function words128(value: bigint): [number, number, number, number] {
  return [
    Number((value >> 96n) & MASK32),
    Number((value >> 64n) & MASK32),
    Number((value >> 32n) & MASK32),
    Number(value & MASK32),
  ];
}

// ---------------------------------------------------------------- compilation

interface Compiled {
  readonly words: number;
  readonly vectors: Int32Array;
  readonly index: Int32Array;
  readonly accessOf: Uint8Array;
  readonly protocolOffset: Int32Array;
  readonly ones: number;
  readonly zero: number;
  readonly sourcePort: FieldIndex;
  readonly destinationPort: FieldIndex;
  readonly source4: FieldIndex;
  readonly destination4: FieldIndex;
  readonly source6: FieldIndex;
  readonly destination6: FieldIndex;
}

/** An inclusive interval of one field, per rule. */
type Span<T> = readonly [first: T, last: T];

function compile(rules: readonly ResolvedRule[]): Compiled {
  if (rules.length >= MAX_RULES)
    throw new Error(`cannot compile ${rules.length} rules; at most ${MAX_RULES - 1}`);
  const words = Math.max(1, Math.ceil(rules.length / 32));
  const pool = new VectorPool(words);
  const index = new IndexBuilder();

  // Indexed by protocol code: the rules each flow protocol can match.
  const protocolVectors = FLOW_PROTOCOLS.map(() => new Int32Array(words));
  rules.forEach((r, i) => {
    for (const p of FLOW_PROTOCOLS)
      if (r.protocol === "*" || r.protocol === p)
        setBit(protocolVectors[PROTOCOL_CODE[p]] as Int32Array, i);
  });
  const zero = pool.intern(new Int32Array(words));
  const ones = pool.intern(new Int32Array(words).fill(-1));
  const protocolOffset = new Int32Array(256).fill(zero);
  for (const code of [PROTOCOL_CODE.Icmp, PROTOCOL_CODE.Esp, PROTOCOL_CODE.Ah])
    protocolOffset[code] = pool.intern(protocolVectors[code] as Int32Array);

  // Source ports carry the protocol: each class is a Tcp vector followed by a Udp vector.
  const tcp = protocolVectors[PROTOCOL_CODE.Tcp] as Int32Array;
  const udp = protocolVectors[PROTOCOL_CODE.Udp] as Int32Array;
  const pair = new Int32Array(2 * words);
  const sourcePort = index.add32(
    PORT_BITS,
    0,
    sweep(portEvents(rules.map((r) => portSpans(r.sourcePorts))), 0, words, (v) => {
      for (let w = 0; w < words; w++) {
        pair[w] = (v[w] as number) & (tcp[w] as number);
        pair[words + w] = (v[w] as number) & (udp[w] as number);
      }
      return pool.intern(pair);
    }),
  );
  const destinationPort = index.add32(
    PORT_BITS,
    0,
    sweep(portEvents(rules.map((r) => portSpans(r.destinationPorts))), 0, words, (v) =>
      pool.intern(v),
    ),
  );
  const v4 = (side: "source" | "destination") =>
    index.add32(
      IP4_BITS,
      FLIP,
      sweep(ip4Events(rules.map((r) => r[side].intervals(4))), 0, words, (v) => pool.intern(v)),
    );
  const v6 = (side: "source" | "destination") =>
    index.add128(
      sweep(ip6Events(rules.map((r) => r[side].intervals(6))), 0n, words, (v) => pool.intern(v)),
    );
  const source4 = v4("source");
  const destination4 = v4("destination");
  const source6 = v6("source");
  const destination6 = v6("destination");

  return {
    words,
    vectors: pool.finish(),
    index: index.finish(),
    accessOf: Uint8Array.from(rules, (r) => (r.access === "Allow" ? ALLOW : DENY)),
    protocolOffset,
    ones,
    zero,
    sourcePort,
    destinationPort,
    source4,
    destination4,
    source6,
    destination6,
  };
}

function setBit(v: Int32Array, i: number): void {
  v[i >>> 5] = (v[i >>> 5] as number) | (1 << (i & 31));
}

/** A rule's port ranges, sorted and merged (a rule may list overlapping ranges). */
function portSpans(ranges: readonly { first: number; last: number }[]): Span<number>[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: [number, number][] = [];
  for (const { first, last } of sorted) {
    const top = out[out.length - 1];
    if (top && first <= top[1] + 1) top[1] = Math.max(top[1], last);
    else out.push([first, last]);
  }
  return out;
}

/**
 * Events where a rule's verdict for a field flips: on at the first value of
 * each of its spans, off just after the last. A rule's spans are disjoint, so
 * toggling is exact. Sorted by position.
 */
interface Events<T> {
  readonly at: ArrayLike<T>;
  readonly rule: ArrayLike<number>;
}

/**
 * Events over a domain of at most 2^32 values (ports, IPv4). Position and rule
 * are packed into one double (positions <= 2^32, rule indices < 2^20), so one
 * numeric sort of a Float64Array orders them without an object per event.
 */
function numericEvents<T extends number | bigint>(
  perRule: readonly (readonly Span<T>[])[],
  size: number,
): Events<number> {
  let count = 0;
  for (const spans of perRule) count += 2 * spans.length;
  const keys = new Float64Array(count);
  let n = 0;
  perRule.forEach((spans, rule) => {
    for (const [first, last] of spans) {
      keys[n++] = Number(first) * MAX_RULES + rule;
      const end = Number(last) + 1;
      if (end < size) keys[n++] = end * MAX_RULES + rule;
    }
  });
  const sorted = keys.subarray(0, n).sort();
  const at = new Float64Array(n);
  const rule = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = sorted[i] as number;
    const position = Math.floor(k / MAX_RULES);
    at[i] = position;
    rule[i] = k - position * MAX_RULES;
  }
  return { at, rule };
}

function portEvents(perRule: readonly (readonly Span<number>[])[]): Events<number> {
  return numericEvents(perRule, 2 ** PORT_BITS);
}

function ip4Events(perRule: readonly (readonly Span<bigint>[])[]): Events<number> {
  return numericEvents(perRule, 2 ** IP4_BITS);
}

const IP6_MAX = (1n << 128n) - 1n;

function ip6Events(perRule: readonly (readonly Span<bigint>[])[]): Events<bigint> {
  const events: { at: bigint; rule: number }[] = [];
  perRule.forEach((spans, rule) => {
    for (const [first, last] of spans) {
      events.push({ at: first, rule });
      if (last < IP6_MAX) events.push({ at: last + 1n, rule });
    }
  });
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { at: events.map((e) => e.at), rule: events.map((e) => e.rule) };
}

/** Elementary intervals of a field: where each starts, and its vector's offset. */
interface Intervals<T> {
  readonly starts: readonly T[];
  readonly classes: readonly number[];
}

/**
 * Walks the events in order, keeping the vector of rules that hold on the
 * current interval; neighbours with the same vector are merged.
 */
function sweep<T extends number | bigint>(
  events: Events<T>,
  min: T,
  words: number,
  intern: (v: Int32Array) => number,
): Intervals<T> {
  const current = new Int32Array(words);
  const starts: T[] = [];
  const classes: number[] = [];
  let e = 0;
  let at = min;
  for (;;) {
    while (e < events.at.length && events.at[e] === at) {
      const r = events.rule[e] as number;
      current[r >>> 5] = (current[r >>> 5] as number) ^ (1 << (r & 31));
      e++;
    }
    const c = intern(current);
    if (classes[classes.length - 1] !== c) {
      starts.push(at);
      classes.push(c);
    }
    if (e === events.at.length) break;
    at = events.at[e] as T;
  }
  return { starts, classes };
}

/** Deduplicated blocks of vector words in one growing Int32Array. */
class VectorPool {
  private data: Int32Array;
  private used = 0;
  private readonly seen = new Map<number, number[]>();

  constructor(words: number) {
    this.data = new Int32Array(words * 64);
  }

  /** The offset of a block equal to `v`, stored on first sight. */
  intern(v: Int32Array): number {
    let h = v.length;
    for (let i = 0; i < v.length; i++) h = Math.imul(h ^ (v[i] as number), 0x9e3779b1) ^ (h >>> 15);
    const known = this.seen.get(h);
    if (known) for (const offset of known) if (this.equals(offset, v)) return offset;
    if (this.used + v.length > this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, this.used + v.length));
      grown.set(this.data);
      this.data = grown;
    }
    const offset = this.used;
    this.data.set(v, offset);
    this.used += v.length;
    if (known) known.push(offset);
    else this.seen.set(h, [offset]);
    return offset;
  }

  finish(): Int32Array {
    return this.data.slice(0, this.used);
  }

  private equals(offset: number, v: Int32Array): boolean {
    if (offset + v.length > this.used) return false;
    for (let i = 0; i < v.length; i++) if (this.data[offset + i] !== v[i]) return false;
    return true;
  }
}

/**
 * The bucket table's size, capped at 65,536 buckets: two to four buckets per
 * interval, so that most keys land in a bucket inside one interval; four to
 * eight past 4,096 intervals, where lookups are the cost that counts. Estates
 * of thousands of smaller NSGs keep the smaller tables (measured: doubling
 * them all cost an estate of 2,000 classifiers 40% more compile time and memory).
 */
function bucketBits(intervals: number): number {
  const log = Math.ceil(Math.log2(intervals));
  return Math.min(16, Math.max(1, log + (intervals > 4096 ? 2 : 1)));
}

/** Lays out every field's bucket table and entries in one Int32Array. */
class IndexBuilder {
  private readonly parts: Int32Array[] = [];
  private length = 0;

  /** A field whose keys are unsigned numbers of `keyBits` bits (16 or 32). */
  add32(keyBits: number, flip: number, intervals: Intervals<number>): FieldIndex {
    const { starts, classes } = intervals;
    const n = starts.length;
    const bits = bucketBits(n);
    const shift = keyBits - bits;
    const entries = new Int32Array(2 * n);
    for (let i = 0; i < n; i++) {
      entries[2 * i] = (starts[i] as number) ^ flip;
      entries[2 * i + 1] = classes[i] as number;
    }
    const scale = 2 ** shift;
    const buckets = bucketTable(bits, starts, classes, (b) => b * scale);
    return { shift, flip, buckets: this.push(buckets), entries: this.push(entries) };
  }

  /** An IPv6 field: entries of four key words and a vector offset; buckets on the top word. */
  add128(intervals: Intervals<bigint>): FieldIndex {
    const { starts, classes } = intervals;
    const n = starts.length;
    const bits = bucketBits(n);
    const shift = 32 - bits;
    const entries = new Int32Array(IP6_STRIDE * n);
    for (let i = 0; i < n; i++) {
      const [w0, w1, w2, w3] = words128(starts[i] as bigint);
      entries.set(
        [w0 ^ FLIP, w1 ^ FLIP, w2 ^ FLIP, w3 ^ FLIP, classes[i] as number],
        IP6_STRIDE * i,
      );
    }
    const scale = 2 ** shift;
    const buckets = bucketTable(bits, starts, classes, (b) => BigInt(b * scale) << 96n);
    return { shift, flip: FLIP, buckets: this.push(buckets), entries: this.push(entries) };
  }

  finish(): Int32Array {
    const out = new Int32Array(this.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  private push(part: Int32Array): number {
    const at = this.length;
    this.parts.push(part);
    this.length += part.length;
    return at;
  }
}

/**
 * Pairs per bucket: entry 2b is the interval holding the first key of bucket
 * b, and the last pair's is the last interval, so a key of bucket b lies in an
 * interval between entries 2b and 2b + 2. Entry 2b + 1 is the vector offset
 * when the whole bucket lies in one interval, or -1 when a search is needed.
 */
function bucketTable<T extends number | bigint>(
  bits: number,
  starts: readonly T[],
  classes: readonly number[],
  firstKey: (bucket: number) => T,
): Int32Array {
  const count = 2 ** bits;
  const table = new Int32Array(2 * (count + 1));
  let i = 0;
  for (let b = 0; b < count; b++) {
    const key = firstKey(b);
    while (i + 1 < starts.length && (starts[i + 1] as T) <= key) i++;
    table[2 * b] = i;
    // The bucket before lies in one interval if this one starts in the same interval,
    // or in the next one exactly at its edge.
    if (b > 0) {
      const previous = table[2 * b - 2] as number;
      const pure = i === previous || (i === previous + 1 && (starts[i] as T) === key);
      table[2 * b - 1] = pure ? (classes[previous] as number) : -1;
    }
  }
  table[2 * count] = starts.length - 1;
  const last = table[2 * count - 2] as number;
  table[2 * count - 1] = last === starts.length - 1 ? (classes[last] as number) : -1;
  table[2 * count + 1] = -1;
  return table;
}
