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
 * The compiled form is one position-independent image in an ArrayBuffer. The
 * kernel (classifier-kernel.ts) decides in a WebAssembly memory that the image
 * is copied into when used (classifier-memory.ts); the single-packet and batch
 * APIs both decide there, so there is one decision procedure. Layout:
 * - vectors are deduplicated, a whole number of 128-bit steps long, and
 *   addressed directly from the indexes;
 * - each field's index is a bucket table on the top bits of the key, sized to
 *   the number of intervals, that narrows a lookup to a few entries for a
 *   binary search; a bucket that lies inside one interval holds that
 *   interval's vector itself, so most lookups are one memory access;
 * - the protocol is folded into the source-port vectors (one AND fewer), and
 *   protocols without ports take an all-ones vector for the destination port,
 *   which is how `ruleMatches` ignores a rule's ports for Icmp, Esp and Ah;
 * - IPv4 keys are 32-bit, IPv6 keys two 64-bit halves, in separate indexes,
 *   so IPv6 costs IPv4 nothing.
 */
import type { Direction } from "../model/rule.js";
import { FLOW_PROTOCOLS } from "../net/protocol.js";
import { ENTRY_BYTES, FIELD, HEADER } from "./classifier-kernel.js";
import { type ClassifierMemory, classifierMemory, Residency } from "./classifier-memory.js";
import {
  ALLOW,
  DENY,
  type Decisions,
  type FlowBatch4,
  type FlowBatch6,
  NO_RULE,
  PORT_PROTOCOLS,
  PROTOCOL_CODE,
} from "./flow-batch.js";
import { firstMatch, noMatchingRule, type Packet } from "./packet.js";
import { type ResolvedNsg, type ResolvedRule, rulesFor } from "./resolve.js";

export {
  ALLOW,
  DENY,
  type Decisions,
  type FlowBatch4,
  type FlowBatch6,
  NO_DECISION,
  NO_RULE,
  PROTOCOL_CODE,
} from "./flow-batch.js";

const PORT_BITS = 16;
const IP4_BITS = 32;
const IP6_BITS = 128;
/** Far more rules than an NSG holds: a clear error before a rule list that is not one takes gigabytes. */
const MAX_RULES = 2 ** 20;

export class FlowClassifier {
  private readonly residency = new Residency();

  private constructor(
    /** The rules, in the order whose indices the classifier returns. */
    readonly rules: readonly ResolvedRule[],
    /** The compiled form, in the layout the kernel reads. */
    private readonly image: Uint8Array,
    private readonly memory: ClassifierMemory,
  ) {
    memory.evictWhenCollected(this, this.residency);
  }

  /**
   * Compiles a rule list in priority order (a ResolvedNsg direction). It is
   * decided in `memory`, by default the one the whole process shares.
   */
  static compile(
    rules: readonly ResolvedRule[],
    memory: ClassifierMemory = classifierMemory(),
  ): FlowClassifier {
    return new FlowClassifier(rules, layOut(compile(rules)), memory);
  }

  /** Bytes of the compiled form. */
  get byteLength(): number {
    return this.image.byteLength;
  }

  /** The header's address in the memory, copying the image in if it is not resident. */
  private get header(): number {
    return this.memory.load(this.image, this.residency);
  }

  /** The index of the rule that decides the packet, or NO_RULE. Throws a TypeError for an unknown protocol. */
  matchIndex(packet: Packet): number {
    const p = PROTOCOL_CODE[packet.protocol];
    if (p === undefined) throw new TypeError(`not a flow protocol: ${String(packet.protocol)}`);
    // A port outside 0-65535 is in no rule's ranges, not even `*`.
    if (p < PORT_PROTOCOLS && !(isPort(packet.sourcePort) && isPort(packet.destinationPort)))
      return NO_RULE;
    return this.memory.decideOne(
      this.header,
      p,
      packet.source,
      packet.sourcePort,
      packet.destination,
      packet.destinationPort,
    );
  }

  /** The rule that decides the packet, or undefined when none matches. */
  match(packet: Packet): ResolvedRule | undefined {
    const i = this.matchIndex(packet);
    return i === NO_RULE ? undefined : this.rules[i];
  }

  /**
   * Decides IPv4 flows [from, to) of the batch into `out` at the same
   * positions. Throws a RangeError when an array is shorter than `to`, and a
   * TypeError for an IPv6 batch or an array of the wrong type.
   */
  decide4(flows: FlowBatch4, out: Decisions, from = 0, to = flows.protocol.length): void {
    this.memory.decideBatch(this.header, 4, flows, out, from, to);
  }

  /** Decides IPv6 flows [from, to) of a batch marked `family: 6`, as decide4 does IPv4 flows. */
  decide6(flows: FlowBatch6, out: Decisions, from = 0, to = flows.protocol.length): void {
    this.memory.decideBatch(this.header, 6, flows, out, from, to);
  }
}

const isPort = (port: number): boolean => Number.isInteger(port) && port >= 0 && port <= 65535;

/**
 * First match through compiled classifiers. Keyed by the resolved rule list,
 * which NsgResolver keeps per (NSG, virtual network), so a classifier lives as
 * long as its rules. A list is compiled once it has decided `compileAfter`
 * packets by walking it: a handful of flows (a `check`, a `flow`) are decided
 * sooner by the walk than by compiling, and the kernel is not even built.
 */
export class CompiledNsgs {
  private readonly classifiers = new WeakMap<readonly ResolvedRule[], FlowClassifier>();
  /** Packets decided by walking each list not yet compiled. */
  private readonly walked = new WeakMap<readonly ResolvedRule[], number>();

  constructor(private readonly compileAfter = 64) {}

  classifier(rules: readonly ResolvedRule[]): FlowClassifier {
    let c = this.classifiers.get(rules);
    if (!c) {
      c = FlowClassifier.compile(rules);
      this.classifiers.set(rules, c);
    }
    return c;
  }

  /** The same answer as packet.ts's firstMatch: by walking the list at first, then from the compiled form. */
  firstMatch(nsg: ResolvedNsg, direction: Direction, packet: Packet): ResolvedRule {
    const rules = rulesFor(nsg, direction);
    if (!this.classifiers.has(rules)) {
      const walked = this.walked.get(rules) ?? 0;
      if (walked < this.compileAfter) {
        this.walked.set(rules, walked + 1);
        return firstMatch(nsg, direction, packet);
      }
    }
    const rule = this.classifier(rules).match(packet);
    if (!rule) throw noMatchingRule(nsg, direction);
    return rule;
  }
}

// ---------------------------------------------------------------- compilation

/** A field's elementary intervals and the bucket table's size, before placement. */
interface FieldIntervals<T extends number | bigint> {
  readonly intervals: Intervals<T>;
  readonly bits: number;
}

/** A classifier before it is placed in memory: vector offsets are in words from the first vector. */
interface Compiled {
  readonly words: number;
  readonly vectors: Int32Array;
  readonly access: Uint8Array;
  /** Vector offset per protocol code, for protocols without ports. */
  readonly protocols: Int32Array;
  readonly ones: number;
  readonly sourcePort: FieldIntervals<number>;
  readonly destinationPort: FieldIntervals<number>;
  readonly source4: FieldIntervals<number>;
  readonly destination4: FieldIntervals<number>;
  readonly source6: FieldIntervals<bigint>;
  readonly destination6: FieldIntervals<bigint>;
}

/** An inclusive interval of one field, per rule. */
type Span<T> = readonly [first: T, last: T];

/** Rules per 128-bit step of the kernel's scan: vectors are a whole number of steps. */
const STEP_RULES = 128;

function compile(rules: readonly ResolvedRule[]): Compiled {
  if (rules.length >= MAX_RULES)
    throw new Error(`cannot compile ${rules.length} rules; at most ${MAX_RULES - 1}`);
  const words = (Math.max(1, Math.ceil(rules.length / STEP_RULES)) * STEP_RULES) / 32;
  const pool = new VectorPool(words);

  // Indexed by protocol code: the rules each flow protocol can match.
  const protocolVectors = FLOW_PROTOCOLS.map(() => new Int32Array(words));
  rules.forEach((r, i) => {
    for (const p of FLOW_PROTOCOLS)
      if (r.protocol === "*" || r.protocol === p)
        setBit(protocolVectors[PROTOCOL_CODE[p]] as Int32Array, i);
  });
  const zero = pool.intern(new Int32Array(words));
  const ones = pool.intern(new Int32Array(words).fill(-1));
  const protocols = new Int32Array(256).fill(zero);
  for (const code of [PROTOCOL_CODE.Icmp, PROTOCOL_CODE.Esp, PROTOCOL_CODE.Ah])
    protocols[code] = pool.intern(protocolVectors[code] as Int32Array);

  // Source ports carry the protocol: each class is a Tcp vector followed by a Udp vector.
  const tcp = protocolVectors[PROTOCOL_CODE.Tcp] as Int32Array;
  const udp = protocolVectors[PROTOCOL_CODE.Udp] as Int32Array;
  const pair = new Int32Array(2 * words);
  const field = <T extends number | bigint>(
    intervals: Intervals<T>,
    keyBits: number,
  ): FieldIntervals<T> => ({ intervals, bits: bucketBits(intervals.starts.length, keyBits) });
  const sourcePort = field(
    sweep(portEvents(rules.map((r) => portSpans(r.sourcePorts))), 0, words, (v) => {
      for (let w = 0; w < words; w++) {
        pair[w] = (v[w] as number) & (tcp[w] as number);
        pair[words + w] = (v[w] as number) & (udp[w] as number);
      }
      return pool.intern(pair);
    }),
    PORT_BITS,
  );
  const destinationPort = field(
    sweep(portEvents(rules.map((r) => portSpans(r.destinationPorts))), 0, words, (v) =>
      pool.intern(v),
    ),
    PORT_BITS,
  );
  const v4 = (side: "source" | "destination") =>
    field(
      sweep(ip4Events(rules.map((r) => r[side].intervals(4))), 0, words, (v) => pool.intern(v)),
      IP4_BITS,
    );
  const v6 = (side: "source" | "destination") =>
    field(
      sweep(ip6Events(rules.map((r) => r[side].intervals(6))), 0n, words, (v) => pool.intern(v)),
      IP6_BITS,
    );
  return {
    words,
    access: Uint8Array.from(rules, (r) => (r.access === "Allow" ? ALLOW : DENY)),
    protocols,
    ones,
    sourcePort,
    destinationPort,
    source4: v4("source"),
    destination4: v4("destination"),
    source6: v6("source"),
    destination6: v6("destination"),
    vectors: pool.finish(),
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
 * Events over a domain of at most 2^32 values (ports, IPv4), in position
 * order by a least-significant-digit radix sort, 8 bits a pass: linear in the
 * number of events, where a comparison sort was half of the compile time.
 * Events at one position may come in any order: the sweep applies them together.
 */
function numericEvents<T extends number | bigint>(
  perRule: readonly (readonly Span<T>[])[],
  bits: number,
): Events<number> {
  const size = 2 ** bits;
  let count = 0;
  for (const spans of perRule) count += 2 * spans.length;
  let at = new Uint32Array(count);
  let rule = new Int32Array(count);
  let n = 0;
  perRule.forEach((spans, r) => {
    for (const [first, last] of spans) {
      at[n] = Number(first);
      rule[n++] = r;
      const end = Number(last) + 1;
      if (end < size) {
        at[n] = end;
        rule[n++] = r;
      }
    }
  });
  at = at.subarray(0, n);
  rule = rule.subarray(0, n);
  let nextAt = new Uint32Array(n);
  let nextRule = new Int32Array(n);
  const starts = new Int32Array(257);
  for (let shift = 0; shift < bits; shift += 8) {
    starts.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (((at[i] as number) >>> shift) & 255) + 1;
      starts[d] = (starts[d] as number) + 1;
    }
    for (let d = 0; d < 256; d++) starts[d + 1] = (starts[d + 1] as number) + (starts[d] as number);
    for (let i = 0; i < n; i++) {
      const position = at[i] as number;
      const j = starts[(position >>> shift) & 255] as number;
      starts[(position >>> shift) & 255] = j + 1;
      nextAt[j] = position;
      nextRule[j] = rule[i] as number;
    }
    [at, nextAt] = [nextAt, at];
    [rule, nextRule] = [nextRule, rule];
  }
  return { at, rule };
}

function portEvents(perRule: readonly (readonly Span<number>[])[]): Events<number> {
  return numericEvents(perRule, PORT_BITS);
}

function ip4Events(perRule: readonly (readonly Span<bigint>[])[]): Events<number> {
  return numericEvents(perRule, IP4_BITS);
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
 * eight past 4,096 intervals, where lookups are the cost that counts. Port
 * fields take four times that: rules crowd their short space with single
 * ports and small lists, and the table stays small (measured on a 1,000-rule
 * NSG: uniform flows 17% faster for 7% more memory). Estates of thousands of
 * smaller NSGs keep the smaller address tables (measured: doubling them all
 * cost an estate of 2,000 classifiers 40% more compile time and memory).
 */
function bucketBits(intervals: number, keyBits: number): number {
  const log = Math.ceil(Math.log2(intervals));
  const extra = (intervals > 4096 ? 2 : 1) + (keyBits === PORT_BITS ? 2 : 0);
  return Math.min(16, Math.max(1, log + extra));
}

/** Where one field's bucket table and intervals sit in the image. */
interface FieldPlace {
  readonly header: number;
  readonly buckets: number;
  readonly entries: number;
}

/**
 * The image of a compiled classifier: the layout the kernel reads
 * (classifier-kernel.ts: HEADER, FIELD), every address an offset from the
 * header at 0, every part 16-byte aligned.
 */
function layOut(c: Compiled): Uint8Array {
  let size = HEADER.size;
  const reserve = (bytes: number) => {
    const at = size;
    size += Math.ceil(bytes / 16) * 16;
    return at;
  };
  const vectorsAt = reserve(4 * c.vectors.length);
  const accessAt = reserve(c.access.length);
  const protocolsAt = reserve(4 * c.protocols.length);
  const fieldAt = (
    header: number,
    f: FieldIntervals<number | bigint>,
    entryBytes: number,
  ): FieldPlace => ({
    header,
    buckets: reserve(8 * (2 ** f.bits + 1)),
    entries: reserve(entryBytes * f.intervals.starts.length),
  });
  const key32 = (header: number, f: FieldIntervals<number>, keyBits: number) =>
    [f, fieldAt(header, f, ENTRY_BYTES.key32), keyBits] as const;
  const fields32 = [
    key32(HEADER.sourcePort, c.sourcePort, PORT_BITS),
    key32(HEADER.destinationPort, c.destinationPort, PORT_BITS),
    key32(HEADER.source4, c.source4, IP4_BITS),
    key32(HEADER.destination4, c.destination4, IP4_BITS),
  ];
  const fields128 = [
    [c.source6, fieldAt(HEADER.source6, c.source6, ENTRY_BYTES.key128)],
    [c.destination6, fieldAt(HEADER.destination6, c.destination6, ENTRY_BYTES.key128)],
  ] as const;

  const buffer = new ArrayBuffer(size);
  const i32 = new Int32Array(buffer);
  const u32 = new Uint32Array(buffer);
  const u64 = new BigUint64Array(buffer);
  const vector = (offset: number) => vectorsAt + 4 * offset;
  i32[HEADER.vectorBytes >>> 2] = 4 * c.words;
  i32[HEADER.access >>> 2] = accessAt;
  i32[HEADER.protocols >>> 2] = protocolsAt;
  i32[HEADER.ones >>> 2] = vector(c.ones);
  i32.set(c.vectors, vectorsAt >>> 2);
  new Uint8Array(buffer).set(c.access, accessAt);
  c.protocols.forEach((offset, code) => {
    i32[(protocolsAt >>> 2) + code] = vector(offset);
  });

  const writeField = <T extends number | bigint>(
    at: FieldPlace,
    f: FieldIntervals<T>,
    shift: number,
    firstKey: (bucket: number) => T,
  ) => {
    i32[(at.header + FIELD.buckets) >>> 2] = at.buckets;
    i32[(at.header + FIELD.entries) >>> 2] = at.entries;
    i32[(at.header + FIELD.shift) >>> 2] = shift;
    const { starts, classes } = f.intervals;
    bucketTable(i32.subarray(at.buckets >>> 2), f.bits, starts, classes, firstKey, vector);
  };
  for (const [f, at, keyBits] of fields32) {
    const shift = keyBits - f.bits;
    const scale = 2 ** shift;
    writeField(at, f, shift, (b) => b * scale);
    const { starts, classes } = f.intervals;
    const e = at.entries >>> 2;
    for (let k = 0; k < starts.length; k++) {
      u32[e + 2 * k] = starts[k] as number;
      i32[e + 2 * k + 1] = vector(classes[k] as number);
    }
  }
  for (const [f, at] of fields128) {
    const shift = 64 - f.bits;
    writeField(at, f, shift, (b) => BigInt(b) << BigInt(64 + shift));
    const { starts, classes } = f.intervals;
    for (let k = 0; k < starts.length; k++) {
      const entry = at.entries + ENTRY_BYTES.key128 * k;
      const start = starts[k] as bigint;
      u64[entry >>> 3] = start >> 64n;
      u64[(entry >>> 3) + 1] = BigInt.asUintN(64, start);
      i32[(entry >>> 2) + 4] = vector(classes[k] as number);
    }
  }
  return new Uint8Array(buffer);
}

/**
 * Writes the bucket table into `table`: pair b is [the interval holding the
 * first key of bucket b, its vector if the whole bucket lies in that interval
 * or else 0], and a last pair holds the last interval, so a key of bucket b
 * lies in an interval between pairs b and b + 1.
 */
function bucketTable<T extends number | bigint>(
  table: Int32Array,
  bits: number,
  starts: readonly T[],
  classes: readonly number[],
  firstKey: (bucket: number) => T,
  vector: (offset: number) => number,
): void {
  const count = 2 ** bits;
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
      table[2 * b - 1] = pure ? vector(classes[previous] as number) : 0;
    }
  }
  table[2 * count] = starts.length - 1;
  const last = table[2 * count - 2] as number;
  table[2 * count - 1] = last === starts.length - 1 ? vector(classes[last] as number) : 0;
  table[2 * count + 1] = 0;
}
