/**
 * The packet-set algebra (src/analysis) against Z3: random sets built from
 * boxes, rules and single packets, and random first-match rule lists, each
 * compared with its bit-vector encoding (test/oracle/z3-packets.ts). Emptiness,
 * equality, witnesses, membership, decide(), shadowing, differences of rule
 * lists and sizes must all agree; any disagreement fails with its input.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALL_IPV4, ALL_IPV6 } from "../src/analysis/fields.js";
import { type BoxSpec, PacketSet } from "../src/analysis/packet-set.js";
import { allowedSet, decide } from "../src/analysis/policy.js";
import { formatPacket, type Packet } from "../src/engine/packet.js";
import type { ResolvedRule } from "../src/engine/resolve.js";
import type { Access, AddressMatch, ParsedRule } from "../src/model/rule.js";
import type { IpFamily } from "../src/net/address.js";
import { AddressSet } from "../src/net/address-set.js";
import { ALL_PORTS, type PortRange } from "../src/net/ports.js";
import type { Prefix } from "../src/net/prefix.js";
import {
  FLOW_PROTOCOLS,
  type FlowProtocol,
  hasPorts,
  type RuleProtocol,
} from "../src/net/protocol.js";
import {
  type BoxFields,
  type Formula,
  startZ3,
  Z3Packets,
  type Z3Runtime,
} from "./oracle/z3-packets.js";

const SEED = Number(process.env.Z3_ORACLE_SEED ?? 7);
const RUNS = {
  algebra: 120,
  equality: 300,
  decide: 100,
  diff: 80,
  sizeArithmetic: 300,
  sizeEnumerated: 12,
  mutants: 60,
};

let runtime: Z3Runtime;
let z3: Z3Packets;
const checks = new Map<string, number>();
/** Off while a wrong encoding is tried, so that only real checks are counted. */
let counting = true;
const tally = (name: string, n = 1) => {
  if (counting) checks.set(name, (checks.get(name) ?? 0) + n);
};
const started = Date.now();

beforeAll(async () => {
  runtime = await startZ3();
  z3 = new Z3Packets(runtime.z3);
}, 30_000);

afterAll(async () => {
  const lines = [...checks].map(([name, n]) => `  ${name}: ${n}`);
  // Entries in parentheses break a count down; they are not checks of their own.
  const total = [...checks].filter(([name]) => !name.includes("(")).reduce((a, [, n]) => a + n, 0);
  console.log(
    `analysis vs Z3: ${total} checks, ${z3.queries} solver queries, ${z3.evaluations} evaluations, ${((Date.now() - started) / 1000).toFixed(1)} s\n${lines.join("\n")}`,
  );
  await runtime.close();
});

// ---------------------------------------------------------------- generators

const V4_ANCHORS = [
  0n,
  0x0a000000n, // 10.0.0.0
  0x0a000100n, // 10.0.1.0
  0xc0a80000n, // 192.168.0.0
  0xa83f8110n, // 168.63.129.16
  0xffffff00n,
];
const V6_ANCHORS = [
  0n, // ::, whose low addresses are the numbers of IPv4 addresses
  0xffff00000000n, // ::ffff:0:0
  0x20010db8n << 96n,
  (0x20010db8n << 96n) | (1n << 64n),
  0xfe80n << 112n,
  (1n << 128n) - 256n,
];
const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const familyMax = (f: IpFamily) => (1n << BigInt(BITS[f])) - 1n;

function prefix(family: IpFamily, value: bigint, length: number): Prefix {
  const host = (1n << BigInt(BITS[family] - length)) - 1n;
  const first = value & familyMax(family) & ~host;
  return { family, first, last: first | host, length };
}

const lengthArb = (family: IpFamily): fc.Arbitrary<number> =>
  family === 4
    ? fc.oneof(
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 22, max: 32 }),
        fc.constantFrom(8, 16, 24),
      )
    : fc.oneof(
        fc.integer({ min: 0, max: 128 }),
        fc.integer({ min: 96, max: 128 }),
        fc.constantFrom(0, 32, 64, 96, 120, 127),
      );

/** A CIDR block near one of a few anchors, so that blocks of different cases overlap. */
const prefixArb = (family: IpFamily): fc.Arbitrary<Prefix> =>
  fc
    .record({
      anchor: fc.constantFrom(...(family === 4 ? V4_ANCHORS : V6_ANCHORS)),
      offset: fc.bigInt({ min: 0n, max: 255n }),
      shift: fc.constantFrom(...(family === 4 ? [0, 4, 8, 16] : [0, 8, 32, 64, 96])),
      length: lengthArb(family),
    })
    .map(({ anchor, offset, shift, length }) =>
      prefix(family, anchor + (offset << BigInt(shift)), length),
    );

const familyArb = fc.constantFrom<IpFamily>(4, 6);
const prefixesArb = (family: IpFamily) =>
  fc.array(prefixArb(family), { minLength: 1, maxLength: 3 });

const addressSetArb: fc.Arbitrary<AddressSet> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(AddressSet.all) },
  { weight: 7, arbitrary: familyArb.chain(prefixesArb).map((ps) => AddressSet.of(ps)) },
  {
    // a tag's worth: both families
    weight: 1,
    arbitrary: fc
      .tuple(prefixesArb(4), prefixesArb(6))
      .map(([a, b]) => AddressSet.of([...a, ...b])),
  },
  {
    // like Internet: everything outside some blocks
    weight: 1,
    arbitrary: familyArb.chain(prefixesArb).map((ps) => AddressSet.of(ps).complement()),
  },
  { weight: 1, arbitrary: fc.constantFrom(ALL_IPV4, ALL_IPV6, AddressSet.empty) },
);

const PORT_EDGES = [0, 1, 22, 79, 80, 81, 443, 1023, 1024, 8080, 49152, 65534, 65535];
const portArb = fc.oneof(fc.constantFrom(...PORT_EDGES), fc.integer({ min: 0, max: 65535 }));
const rangeArb: fc.Arbitrary<PortRange> = fc.oneof(
  portArb.map((p) => ({ first: p, last: p })),
  fc.tuple(portArb, portArb).map(([a, b]) => ({ first: Math.min(a, b), last: Math.max(a, b) })),
  fc
    .tuple(portArb, fc.integer({ min: 0, max: 20 }))
    .map(([a, d]) => ({ first: a, last: Math.min(65535, a + d) })),
);
const portsArb: fc.Arbitrary<readonly PortRange[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant([ALL_PORTS]) },
  { weight: 5, arbitrary: fc.array(rangeArb, { minLength: 1, maxLength: 3 }) },
);

const ruleProtocolArb: fc.Arbitrary<RuleProtocol> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<RuleProtocol>("*") },
  { weight: 3, arbitrary: fc.constant<RuleProtocol>("Tcp") },
  { weight: 4, arbitrary: fc.constantFrom<RuleProtocol>("Udp", "Icmp", "Esp", "Ah") },
);

interface RuleFields {
  readonly access: Access;
  readonly protocol: RuleProtocol;
  readonly source: AddressSet;
  readonly sourcePorts: readonly PortRange[];
  readonly destination: AddressSet;
  readonly destinationPorts: readonly PortRange[];
}

const ruleFieldsArb: fc.Arbitrary<RuleFields> = fc.record({
  access: fc.constantFrom<Access>("Allow", "Deny"),
  protocol: ruleProtocolArb,
  source: addressSetArb,
  sourcePorts: fc.oneof(
    { weight: 4, arbitrary: fc.constant([ALL_PORTS]) },
    { weight: 1, arbitrary: portsArb },
  ),
  destination: addressSetArb,
  destinationPorts: portsArb,
});

const sideOf = (set: AddressSet): AddressMatch =>
  set === AddressSet.all ? { kind: "any" } : { kind: "prefixes", prefixes: set.toPrefixes() };

const fieldsOf = ({
  access,
  protocol,
  source,
  sourcePorts,
  destination,
  destinationPorts,
}: RuleFields): RuleFields => ({
  access,
  protocol,
  source,
  sourcePorts,
  destination,
  destinationPorts,
});

function resolved(fields: RuleFields, priority: number, name = `rule${priority}`): ResolvedRule {
  const rule: ParsedRule = {
    name,
    isDefault: priority >= 65000,
    protocol: fields.protocol,
    access: fields.access,
    priority,
    direction: "Inbound",
    source: sideOf(fields.source),
    sourcePorts: fields.sourcePorts,
    destination: sideOf(fields.destination),
    destinationPorts: fields.destinationPorts,
  };
  return { rule, ...fieldsOf(fields), priority };
}

/** How a rule takes a field from an earlier one: its own, a copy, or (addresses) its own within the earlier's. */
const takeArb = fc.constantFrom("own", "copy", "copy", "narrow");
const derivationArb = fc.option(
  fc.record({
    from: fc.nat(),
    protocol: takeArb,
    source: takeArb,
    destination: takeArb,
    sourcePorts: takeArb,
    destinationPorts: takeArb,
  }),
  { freq: 2 },
);

/** The default inbound rules, with a random virtual network. */
const defaultsArb = addressSetArb.map((vnet) => [
  resolved(
    {
      access: "Allow",
      protocol: "*",
      source: vnet,
      destination: vnet,
      sourcePorts: [ALL_PORTS],
      destinationPorts: [ALL_PORTS],
    },
    65000,
    "AllowVnetInBound",
  ),
  resolved(
    {
      access: "Allow",
      protocol: "*",
      source: AddressSet.of([prefix(4, 0xa83f8110n, 32)]),
      destination: AddressSet.all,
      sourcePorts: [ALL_PORTS],
      destinationPorts: [ALL_PORTS],
    },
    65001,
    "AllowAzureLoadBalancerInBound",
  ),
  resolved(
    {
      access: "Deny",
      protocol: "*",
      source: AddressSet.all,
      destination: AddressSet.all,
      sourcePorts: [ALL_PORTS],
      destinationPorts: [ALL_PORTS],
    },
    65500,
    "DenyAllInBound",
  ),
]);

/**
 * 1-15 rules in priority order, many of them derived from an earlier rule (a
 * copy, or narrower), so that shadowed and partly shadowed rules are common;
 * sometimes closed by the default rules.
 */
const ruleListArb: fc.Arbitrary<ResolvedRule[]> = fc
  .tuple(
    fc.array(fc.tuple(ruleFieldsArb, derivationArb), { minLength: 1, maxLength: 15 }),
    fc.option(defaultsArb, { freq: 3 }),
  )
  .map(([specs, defaults]) => {
    const fields: RuleFields[] = [];
    specs.forEach(([own, derivation], i) => {
      const base = derivation && i > 0 ? (fields[derivation.from % i] as RuleFields) : undefined;
      if (!base || !derivation) {
        fields.push(own);
        return;
      }
      const address = (side: "source" | "destination") =>
        derivation[side] === "own"
          ? own[side]
          : derivation[side] === "copy"
            ? base[side]
            : base[side].intersect(own[side]);
      const other = <K extends "protocol" | "sourcePorts" | "destinationPorts">(key: K) =>
        derivation[key] === "own" ? own[key] : base[key];
      fields.push({
        access: own.access,
        protocol: other("protocol"),
        source: address("source"),
        destination: address("destination"),
        sourcePorts: other("sourcePorts"),
        destinationPorts: other("destinationPorts"),
      });
    });
    return [...fields.map((f, i) => resolved(f, 100 + 10 * i)), ...(defaults ?? [])];
  });

/** A packet of the universe, its addresses often at or just beside a block's edge. */
const packetArb: fc.Arbitrary<Packet> = fc
  .record({
    protocol: fc.constantFrom(...FLOW_PROTOCOLS),
    family: familyArb,
    near: fc.tuple(fc.nat(), fc.nat()),
    edge: fc.tuple(fc.constantFrom(-1n, 0n, 1n), fc.constantFrom(-1n, 0n, 1n)),
    source: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    destination: fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    sourcePort: portArb,
    destinationPort: portArb,
    raw: fc.boolean(),
  })
  .chain((r) =>
    fc.tuple(prefixArb(r.family), prefixArb(r.family)).map(([a, b]): Packet => {
      const max = familyMax(r.family);
      const clamp = (v: bigint) => (v < 0n ? 0n : v > max ? max : v);
      const pick = (p: Prefix, edge: bigint, n: number, random: bigint) =>
        r.raw ? random & max : clamp((n % 2 === 0 ? p.first : p.last) + edge);
      const ported = hasPorts(r.protocol);
      return {
        protocol: r.protocol,
        source: { family: r.family, value: pick(a, r.edge[0], r.near[0], r.source) },
        destination: { family: r.family, value: pick(b, r.edge[1], r.near[1], r.destination) },
        sourcePort: ported ? r.sourcePort : 0,
        destinationPort: ported ? r.destinationPort : 0,
      };
    }),
  );

// ---------------------------------------------------------------- set expressions

type SetExpr =
  | { readonly kind: "box"; readonly fields: BoxSpec & BoxFields }
  | { readonly kind: "rule"; readonly rule: ResolvedRule }
  | { readonly kind: "packet"; readonly packet: Packet }
  | { readonly kind: "all" | "empty" }
  | { readonly kind: "union" | "intersect" | "minus"; readonly a: SetExpr; readonly b: SetExpr }
  | { readonly kind: "complement"; readonly a: SetExpr };

const boxFieldsArb: fc.Arbitrary<BoxSpec & BoxFields> = fc.record(
  {
    protocols: fc.oneof(
      { weight: 6, arbitrary: fc.subarray([...FLOW_PROTOCOLS], { minLength: 1 }) },
      { weight: 1, arbitrary: fc.constant([]) },
    ),
    source: addressSetArb,
    destination: addressSetArb,
    sourcePorts: portsArb,
    destinationPorts: portsArb,
  },
  { requiredKeys: [] },
);

const leafArb: fc.Arbitrary<SetExpr> = fc.oneof(
  { weight: 6, arbitrary: boxFieldsArb.map((fields): SetExpr => ({ kind: "box", fields })) },
  {
    weight: 3,
    arbitrary: ruleFieldsArb.map((f): SetExpr => ({ kind: "rule", rule: resolved(f, 100) })),
  },
  { weight: 1, arbitrary: packetArb.map((packet): SetExpr => ({ kind: "packet", packet })) },
  { weight: 1, arbitrary: fc.constantFrom<SetExpr>({ kind: "all" }, { kind: "empty" }) },
);

const setExprArb: fc.Arbitrary<SetExpr> = fc.letrec<{ expr: SetExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { weight: 3, arbitrary: leafArb },
    {
      weight: 4,
      arbitrary: fc
        .record({
          kind: fc.constantFrom("union", "intersect", "minus") as fc.Arbitrary<
            "union" | "intersect" | "minus"
          >,
          a: tie("expr"),
          b: tie("expr"),
        })
        .map((e): SetExpr => e),
    },
    { weight: 1, arbitrary: tie("expr").map((a): SetExpr => ({ kind: "complement", a })) },
  ),
})).expr;

function toSet(e: SetExpr): PacketSet {
  switch (e.kind) {
    case "box":
      return PacketSet.box(e.fields);
    case "rule":
      return decide([e.rule]).effects[0]?.matches as PacketSet;
    case "packet":
      return PacketSet.packet(e.packet);
    case "all":
      return PacketSet.all;
    case "empty":
      return PacketSet.empty;
    case "union":
      return toSet(e.a).union(toSet(e.b));
    case "intersect":
      return toSet(e.a).intersect(toSet(e.b));
    case "minus":
      return toSet(e.a).minus(toSet(e.b));
    case "complement":
      return toSet(e.a).complement();
  }
}

function toFormula(e: SetExpr, enc: Z3Packets = z3): Formula {
  const { And, Or, Not, Bool } = enc.z3;
  switch (e.kind) {
    case "box":
      return enc.box(e.fields);
    case "rule":
      return enc.ruleMatches(e.rule);
    case "packet":
      return enc.single(e.packet);
    case "all":
      return Bool.val(true);
    case "empty":
      return Bool.val(false);
    case "union":
      return Or(toFormula(e.a, enc), toFormula(e.b, enc));
    case "intersect":
      return And(toFormula(e.a, enc), toFormula(e.b, enc));
    case "minus":
      return And(toFormula(e.a, enc), Not(toFormula(e.b, enc)));
    case "complement":
      return Not(toFormula(e.a, enc));
  }
}

// ---------------------------------------------------------------- comparisons

const show = (value: unknown): string =>
  JSON.stringify(
    value,
    (_, v) =>
      typeof v === "bigint" ? `0x${v.toString(16)}` : v instanceof AddressSet ? `${v}` : v,
    0,
  );

const withoutRule = ({ rule: _, ...fields }: ResolvedRule) => fields;

function inUniverseShape(p: Packet): boolean {
  return (
    p.source.family === p.destination.family &&
    (hasPorts(p.protocol) || (p.sourcePort === 0 && p.destinationPort === 0))
  );
}

/** `set` is empty exactly when Z3 finds no packet for `formula`; a witness lies in both. */
async function compareEmptiness(
  set: PacketSet,
  formula: Formula,
  what: () => string,
  enc: Z3Packets = z3,
): Promise<void> {
  const model = await enc.solve(formula);
  tally("emptiness");
  if (!model) tally("emptiness (empty sets)");
  if (set.isEmpty() !== (model === undefined))
    throw new Error(
      `${what()}: isEmpty() is ${set.isEmpty()} but Z3 ${model ? `finds ${formatPacket(model)}` : "finds no packet"}`,
    );
  if (model) {
    // Z3's packet must be in the set too.
    tally("membership");
    if (!set.has(model))
      throw new Error(`${what()}: Z3's packet ${formatPacket(model)} is not in the set`);
  }
  await compareWitness(set, formula, what, enc);
}

async function compareWitness(
  set: PacketSet,
  formula: Formula,
  what: () => string,
  enc: Z3Packets = z3,
): Promise<void> {
  const w = set.witness();
  if (set.isEmpty()) {
    if (w !== undefined) throw new Error(`${what()}: an empty set has witness ${formatPacket(w)}`);
    return;
  }
  tally("witness");
  if (!w) throw new Error(`${what()}: a non-empty set has no witness`);
  if (!inUniverseShape(w)) throw new Error(`${what()}: witness ${show(w)} is outside the universe`);
  if (!(await enc.holds(enc.z3.And(enc.universe(), formula), w)))
    throw new Error(`${what()}: witness ${formatPacket(w)} does not satisfy Z3's formula`);
  if (!set.has(w)) throw new Error(`${what()}: witness ${formatPacket(w)} is not in the set (has)`);
}

/** The set as stored is the formula: no packet lies in one and not the other. */
async function compareStored(
  set: PacketSet,
  formula: Formula,
  what: () => string,
  enc: Z3Packets = z3,
): Promise<void> {
  tally("stored form");
  const stored = enc.setFormula(set);
  const diff = await enc.solve(enc.z3.Xor(stored, formula));
  if (diff) {
    const inSet = set.has(diff);
    throw new Error(
      `${what()}: the set and Z3 disagree on ${formatPacket(diff)} (in the set: ${inSet}, Z3: ${await enc.holds(formula, diff)})`,
    );
  }
}

async function compareMembership(
  set: PacketSet,
  formula: Formula,
  packets: readonly Packet[],
  enc: Z3Packets = z3,
) {
  for (const p of packets) {
    tally("membership");
    const expected = await enc.holds(formula, p);
    if (set.has(p) !== expected)
      throw new Error(`has(${formatPacket(p)}) is ${set.has(p)}; Z3 says ${expected}`);
  }
}

/**
 * decide() against Z3's first match: the allowed set; what each rule matches;
 * which rules decide nothing (one query for them all) and, for the others,
 * that their decided set's witness is one Z3 has them decide. Returns how many
 * rules decide nothing.
 */
async function compareDecide(
  rules: readonly ResolvedRule[],
  packets: readonly Packet[],
  enc: Z3Packets = z3,
): Promise<number> {
  const d = decide(rules);
  const fm = enc.firstMatch(rules);
  const what = () => show(rules.map(withoutRule));
  tally("decide: allowed");
  const diff = await enc.solve(enc.z3.Xor(enc.setFormula(d.allowed), fm.allowed));
  if (diff)
    throw new Error(
      `${what()}: allowed and Z3's first match disagree on ${formatPacket(diff)} (allowed.has: ${d.allowed.has(diff)})`,
    );
  // The fold reach uses where it needs no rule's decisions: the same set.
  if (!allowedSet(rules).equals(d.allowed))
    throw new Error(`${what()}: allowedSet and decide().allowed differ`);
  await compareWitness(d.allowed, fm.allowed, () => `allowed of ${what()}`, enc);
  await compareMembership(d.allowed, fm.allowed, packets, enc);
  // What each rule matches, every rule in one query: no packet on which any differs.
  const { Or, Xor } = enc.z3;
  tally("decide: matches", rules.length);
  const mismatch = await enc.solve(
    Or(false, ...d.effects.map((e, i) => Xor(enc.setFormula(e.matches), fm.matches[i] as Formula))),
  );
  if (mismatch) {
    const wrong: number[] = [];
    for (const [i, e] of d.effects.entries())
      if (e.matches.has(mismatch) !== (await enc.holds(fm.matches[i] as Formula, mismatch)))
        wrong.push(i);
    throw new Error(
      `${what()}: matches of rules ${wrong} differ from Z3's on ${formatPacket(mismatch)}`,
    );
  }
  // Shadowing: Z3 finds no packet for any rule that decides nothing (one query for
  // them all), and the witness of every other rule's decided set is Z3's too.
  const none = d.effects.flatMap((e, i) => (e.decides.isEmpty() ? [i] : []));
  tally("shadowing", rules.length);
  const decided = await enc.solve(Or(false, ...none.map((i) => fm.decides[i] as Formula)));
  if (decided) {
    const wrong: number[] = [];
    for (const i of none) if (await enc.holds(fm.decides[i] as Formula, decided)) wrong.push(i);
    throw new Error(
      `${what()}: rules ${wrong} decide nothing, but Z3 has them decide ${formatPacket(decided)}`,
    );
  }
  for (const [i, effect] of d.effects.entries())
    if (!effect.decides.isEmpty())
      await compareWitness(
        effect.decides,
        fm.decides[i] as Formula,
        () => `decides of rule ${i} in ${what()}`,
        enc,
      );
  return none.length;
}

const fcOptions = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: false });

// ---------------------------------------------------------------- properties

// Shrinking a failure asks Z3 many more questions than a passing run does.
describe("the packet-set algebra agrees with Z3", { timeout: 300_000 }, () => {
  it("on emptiness, witnesses and membership of sets built from boxes", async () => {
    await fc.assert(
      fc.asyncProperty(
        setExprArb,
        setExprArb,
        fc.array(packetArb, { maxLength: 3 }),
        async (a, b, packets) => {
          const cases: [string, SetExpr][] = [
            ["A", a],
            ["B", b],
            ["A ∪ B", { kind: "union", a, b }],
            ["A ∩ B", { kind: "intersect", a, b }],
            ["A − B", { kind: "minus", a, b }],
            ["B − A", { kind: "minus", a: b, b: a }],
          ];
          for (const [name, e] of cases) {
            const set = toSet(e);
            const formula = toFormula(e);
            await compareEmptiness(set, formula, () => `${name} of ${show({ a, b })}`);
            await compareMembership(set, formula, packets);
          }
          // The stored form as a whole, once per case.
          const union: SetExpr = { kind: "union", a, b };
          await compareStored(toSet(union), toFormula(union), () => `A ∪ B of ${show({ a, b })}`);
        },
      ),
      fcOptions(RUNS.algebra),
    );
  });

  it("on equality, with pairs equal by construction and pairs that differ", async () => {
    const boxArb = boxFieldsArb.map((fields): SetExpr => ({ kind: "box", fields }));
    /** A box with one port range split in two, against the union of the two halves. */
    const splitPorts = fc
      .tuple(boxFieldsArb, rangeArb, fc.nat(), fc.constantFrom("sourcePorts", "destinationPorts"))
      .filter(([, r]) => r.first < r.last)
      .map(([fields, r, n, key]): [SetExpr, SetExpr] => {
        const mid = r.first + (n % (r.last - r.first));
        const with_ = (ranges: PortRange[]): SetExpr => ({
          kind: "box",
          fields: { ...fields, [key]: ranges },
        });
        return [
          with_([r]),
          {
            kind: "union",
            a: with_([{ first: r.first, last: mid }]),
            b: with_([{ first: mid + 1, last: r.last }]),
          },
        ];
      });
    /** A box over a CIDR block, against the union of boxes over its two halves. */
    const splitPrefix = fc
      .tuple(boxFieldsArb, familyArb.chain(prefixArb), fc.constantFrom("source", "destination"))
      .filter(([, p]) => p.length < BITS[p.family])
      .map(([fields, p, key]): [SetExpr, SetExpr] => {
        const half = (first: bigint): SetExpr => ({
          kind: "box",
          fields: { ...fields, [key]: AddressSet.of([prefix(p.family, first, p.length + 1)]) },
        });
        const mid = p.first + ((p.last - p.first + 1n) >> 1n);
        return [
          { kind: "box", fields: { ...fields, [key]: AddressSet.of([p]) } },
          { kind: "union", a: half(mid), b: half(p.first) },
        ];
      });
    /** Any protocol, against the union of one box per protocol. */
    const splitProtocols = boxFieldsArb.map(({ protocols: _, ...fields }): [SetExpr, SetExpr] => [
      { kind: "box", fields },
      FLOW_PROTOCOLS.map((p): SetExpr => ({ kind: "box", fields: { ...fields, protocols: [p] } }))
        .reverse()
        .reduce((acc, e) => ({ kind: "union", a: e, b: acc })),
    ]);
    /** Ports of a box of portless protocols count for nothing. */
    const portlessPorts = fc
      .tuple(boxFieldsArb, fc.subarray(["Icmp", "Esp", "Ah"] as FlowProtocol[], { minLength: 1 }))
      .map(([fields, protocols]): [SetExpr, SetExpr] => [
        { kind: "box", fields: { ...fields, protocols } },
        {
          kind: "box",
          fields: {
            protocols,
            ...(fields.source ? { source: fields.source } : {}),
            ...(fields.destination ? { destination: fields.destination } : {}),
          },
        },
      ]);
    const identities = fc
      .tuple(setExprArb, setExprArb, setExprArb, fc.nat(6))
      .map(([a, b, c, which]): [SetExpr, SetExpr] => {
        const u = (x: SetExpr, y: SetExpr): SetExpr => ({ kind: "union", a: x, b: y });
        const i = (x: SetExpr, y: SetExpr): SetExpr => ({ kind: "intersect", a: x, b: y });
        const m = (x: SetExpr, y: SetExpr): SetExpr => ({ kind: "minus", a: x, b: y });
        const not = (x: SetExpr): SetExpr => ({ kind: "complement", a: x });
        switch (which) {
          case 0:
            return [u(a, b), u(b, a)];
          case 1:
            return [u(u(a, b), c), u(a, u(c, b))];
          case 2:
            return [m(a, b), i(a, not(b))];
          case 3:
            return [not(u(a, b)), i(not(a), not(b))];
          case 4:
            return [a, u(i(a, b), m(a, b))];
          case 5:
            return [i(a, u(b, c)), u(i(a, b), i(c, a))];
          default:
            return [m(m(a, b), c), m(a, u(c, b))];
        }
      });
    /** Nearly equal: one packet more or less. */
    const near = fc
      .tuple(setExprArb, packetArb, fc.boolean())
      .map(([a, packet, add]): [SetExpr, SetExpr] => [
        a,
        { kind: add ? "union" : "minus", a, b: { kind: "packet", packet } },
      ]);
    const pairArb = fc.oneof(
      splitPorts,
      splitPrefix,
      splitProtocols,
      portlessPorts,
      { weight: 3, arbitrary: identities },
      { weight: 2, arbitrary: near },
      fc.tuple(boxArb, boxArb),
      fc.tuple(setExprArb, setExprArb),
    );
    let equalPairs = 0;
    await fc.assert(
      fc.asyncProperty(pairArb, async ([x, y]) => {
        const sx = toSet(x);
        const sy = toSet(y);
        const fx = toFormula(x);
        const fy = toFormula(y);
        tally("equality");
        const diff = await z3.solve(z3.z3.Xor(fx, fy));
        const what = () => show({ x, y });
        if (sx.equals(sy) !== (diff === undefined))
          throw new Error(
            `${what()}: equals() is ${sx.equals(sy)} but Z3 ${diff ? `separates them by ${formatPacket(diff)}` : "proves them equal"}`,
          );
        if (sy.equals(sx) !== sx.equals(sy))
          throw new Error(`${what()}: equals() is not symmetric`);
        if (diff) {
          tally("membership");
          if (sx.has(diff) === sy.has(diff))
            throw new Error(
              `${what()}: Z3's packet ${formatPacket(diff)} does not tell the sets apart`,
            );
        } else equalPairs++;
      }),
      fcOptions(RUNS.equality),
    );
    tally("equality (equal pairs)", equalPairs);
    expect(equalPairs).toBeGreaterThan(RUNS.equality / 4);
  });

  it("on decide(): the allowed set, what each rule matches and decides, and shadowing", async () => {
    let shadowed = 0;
    await fc.assert(
      fc.asyncProperty(
        ruleListArb,
        fc.array(packetArb, { maxLength: 3 }),
        async (rules, packets) => {
          shadowed += await compareDecide(rules, packets);
        },
      ),
      fcOptions(RUNS.decide),
    );
    tally("shadowing (shadowed rules)", shadowed);
    expect(shadowed).toBeGreaterThan(RUNS.decide / 4);
  });

  it("on the difference of two rule lists", async () => {
    type Mutation =
      | { kind: "remove" | "swap" | "flip" | "widenPorts" | "widenSource"; at: number }
      | { kind: "insert"; at: number; fields: RuleFields }
      | { kind: "other"; rules: ResolvedRule[] };
    const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({
        kind: fc.constantFrom(
          "remove",
          "swap",
          "flip",
          "widenPorts",
          "widenSource",
        ) as fc.Arbitrary<"remove" | "swap" | "flip" | "widenPorts" | "widenSource">,
        at: fc.nat(),
      }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), fields: ruleFieldsArb }),
      { weight: 1, arbitrary: ruleListArb.map((rules): Mutation => ({ kind: "other", rules })) },
    );
    const mutate = (rules: ResolvedRule[], m: Mutation, widening: RuleFields): ResolvedRule[] => {
      if (m.kind === "other") return m.rules;
      const out = [...rules];
      const at = m.at % out.length;
      const r = out[at] as ResolvedRule;
      const redo = (f: Partial<RuleFields>) => resolved({ ...r, ...f }, r.priority, r.rule.name);
      switch (m.kind) {
        case "remove":
          if (out.length > 1) out.splice(at, 1);
          break;
        case "swap": {
          // The two rules trade priorities, so they trade places.
          const next = out[at + 1];
          if (next) {
            out[at] = resolved(next, r.priority, next.rule.name);
            out[at + 1] = resolved(r, next.priority, r.rule.name);
          }
          break;
        }
        case "flip":
          out[at] = redo({ access: r.access === "Allow" ? "Deny" : "Allow" });
          break;
        case "widenPorts":
          out[at] = redo({
            destinationPorts: [...r.destinationPorts, ...widening.destinationPorts],
          });
          break;
        case "widenSource":
          out[at] = redo({ source: r.source.union(widening.source) });
          break;
        case "insert":
          out.splice(at % (out.length + 1), 0, resolved(m.fields, r.priority, "inserted"));
          break;
      }
      return out;
    };
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(ruleListArb, mutationArb, ruleFieldsArb, async (l1, m, widening) => {
        const l2 = mutate(l1, m, widening);
        const a1 = decide(l1).allowed;
        const a2 = decide(l2).allowed;
        const f1 = z3.firstMatch(l1).allowed;
        const f2 = z3.firstMatch(l2).allowed;
        const { And, Not } = z3.z3;
        const what = () =>
          show({ mutation: m.kind, l1: l1.map(withoutRule), l2: l2.map(withoutRule) });
        for (const [name, d, f] of [
          ["L2 − L1", a2.minus(a1), And(f2, Not(f1))],
          ["L1 − L2", a1.minus(a2), And(f1, Not(f2))],
        ] as const) {
          tally("diff");
          await compareEmptiness(d, f, () => `${name} of ${what()}`);
          if (!d.isEmpty()) nonEmpty++;
        }
      }),
      fcOptions(RUNS.diff),
    );
    tally("diff (non-empty)", nonEmpty);
    expect(nonEmpty).toBeGreaterThan(RUNS.diff / 4);
  });

  it("on size(), against arithmetic over random boxes and their pairwise unions", async () => {
    const portCount = (ranges: readonly PortRange[] | undefined): bigint => {
      if (!ranges) return 65536n;
      let n = 0n;
      // Ranges can be wide: count by merged intervals, not port by port.
      const sorted = [...ranges].sort((x, y) => x.first - y.first);
      let start = -1;
      let end = -2;
      for (const r of sorted) {
        if (r.first > end + 1) {
          if (end >= start && start >= 0) n += BigInt(end - start + 1);
          start = r.first;
          end = r.last;
        } else end = Math.max(end, r.last);
      }
      if (start >= 0) n += BigInt(end - start + 1);
      return n;
    };
    const intersectPorts = (
      a: readonly PortRange[] | undefined,
      b: readonly PortRange[] | undefined,
    ): readonly PortRange[] | undefined => {
      if (!a) return b;
      if (!b) return a;
      const out: PortRange[] = [];
      for (const x of a)
        for (const y of b) {
          const first = Math.max(x.first, y.first);
          const last = Math.min(x.last, y.last);
          if (first <= last) out.push({ first, last });
        }
      return out;
    };
    const addressCount = (set: AddressSet | undefined, family: IpFamily): bigint =>
      set
        ? set.intervals(family).reduce((n, [first, last]) => n + last - first + 1n, 0n)
        : familyMax(family) + 1n;
    const boxSize = (b: BoxFields): bigint => {
      const protocols = b.protocols ?? FLOW_PROTOCOLS;
      const ported = BigInt(protocols.filter(hasPorts).length);
      const portless = BigInt(protocols.length) - ported;
      const pairs = ([4, 6] as const).reduce(
        (n, f) => n + addressCount(b.source, f) * addressCount(b.destination, f),
        0n,
      );
      return pairs * (ported * portCount(b.sourcePorts) * portCount(b.destinationPorts) + portless);
    };
    const intersectBoxes = (a: BoxFields, b: BoxFields): BoxFields => {
      const both = (x: AddressSet | undefined, y: AddressSet | undefined) =>
        x && y ? x.intersect(y) : (x ?? y);
      return {
        protocols: (a.protocols ?? FLOW_PROTOCOLS).filter((p) =>
          (b.protocols ?? FLOW_PROTOCOLS).includes(p),
        ),
        source: both(a.source, b.source),
        destination: both(a.destination, b.destination),
        sourcePorts: intersectPorts(a.sourcePorts, b.sourcePorts),
        destinationPorts: intersectPorts(a.destinationPorts, b.destinationPorts),
      };
    };
    // Every packet: TCP and UDP with any ports, the rest with none, both families.
    const pairsAll = (1n << 64n) + (1n << 256n);
    expect(PacketSet.all.size()).toBe(pairsAll * (2n * 65536n * 65536n + 3n));
    expect(PacketSet.empty.size()).toBe(0n);
    tally("size", 2);
    await fc.assert(
      fc.property(boxFieldsArb, boxFieldsArb, (a, b) => {
        const sa = PacketSet.box(a);
        const sb = PacketSet.box(b);
        const ab = boxSize(intersectBoxes(a, b));
        tally("size", 3);
        expect(sa.size()).toBe(boxSize(a));
        expect(sa.intersect(sb).size()).toBe(ab);
        expect(sa.union(sb).size()).toBe(boxSize(a) + boxSize(b) - ab);
      }),
      fcOptions(RUNS.sizeArithmetic),
    );
  });

  it("on size() of small sets, against Z3's packets counted one by one", async () => {
    const LIMIT = 200;
    const smallPortsArb = fc.array(
      fc.tuple(portArb, fc.integer({ min: 0, max: 2 })).map(([p, d]) => ({
        first: Math.min(p, 65533),
        last: Math.min(p, 65533) + d,
      })),
      { minLength: 1, maxLength: 2 },
    );
    const smallBoxArb = familyArb.chain((family) =>
      fc.record({
        protocols: fc.subarray([...FLOW_PROTOCOLS], { minLength: 1, maxLength: 2 }),
        source: prefixArb(family).map((p) =>
          AddressSet.of([prefix(family, p.first, BITS[family] - (p.length % 3))]),
        ),
        destination: prefixArb(family).map((p) =>
          AddressSet.of([prefix(family, p.first, BITS[family] - (p.length % 2))]),
        ),
        sourcePorts: portArb.map((p) => [{ first: p, last: p }]),
        destinationPorts: smallPortsArb,
      }),
    );
    const smallArb = fc
      .tuple(smallBoxArb, smallBoxArb, fc.constantFrom("union", "minus", "intersect"))
      .map(
        ([a, b, kind]): SetExpr => ({
          kind: kind as "union",
          a: { kind: "box", fields: a },
          b: { kind: "box", fields: b },
        }),
      );
    await fc.assert(
      fc.asyncProperty(smallArb, async (e) => {
        const set = toSet(e);
        const packets = await z3.enumerate(toFormula(e), LIMIT);
        tally("size (enumerated)");
        expect(packets.length).toBeLessThan(LIMIT);
        if (set.size() !== BigInt(packets.length))
          throw new Error(
            `${show(e)}: size() is ${set.size()}, Z3 finds ${packets.length} packets`,
          );
        tally("membership", packets.length);
        for (const p of packets)
          if (!set.has(p)) throw new Error(`${formatPacket(p)} not in ${show(e)}`);
      }),
      fcOptions(RUNS.sizeEnumerated),
    );
  });
});

// ---------------------------------------------------------------- the comparison can fail

/** Ports restrict every protocol, not only TCP and UDP. */
class PortsEverywhere extends Z3Packets {
  override ruleMatches(rule: ResolvedRule): Formula {
    return this.z3.And(
      super.ruleMatches(rule),
      this.portIn(rule.sourcePorts, "source"),
      this.portIn(rule.destinationPorts, "destination"),
    );
  }
}

/** The last matching rule decides instead of the first. */
class LastMatch extends Z3Packets {
  override firstMatch(rules: readonly ResolvedRule[]) {
    const reversed = super.firstMatch([...rules].reverse());
    return {
      ...reversed,
      matches: [...reversed.matches].reverse(),
      decides: [...reversed.decides].reverse(),
    };
  }
}

/** Address blocks one bit shorter than written. */
class LooseMasks extends Z3Packets {
  override addressIn(set: AddressSet, side: "source" | "destination"): Formula {
    const widened = AddressSet.of(
      set.toPrefixes().map((p) => prefix(p.family, p.first, Math.max(0, p.length - 1))),
    );
    return super.addressIn(widened, side);
  }
}

describe("the comparison with Z3 catches a wrong encoding", () => {
  for (const [name, Mutant] of [
    ["ports that restrict every protocol", PortsEverywhere],
    ["the last match deciding", LastMatch],
    ["address masks a bit short", LooseMasks],
  ] as const) {
    it(`with ${name}`, async () => {
      const mutant = new Mutant(runtime.z3);
      counting = false;
      try {
        const result = await fc.check(
          fc.asyncProperty(ruleListArb, async (rules) => {
            await compareDecide(rules, [], mutant);
          }),
          { seed: SEED, numRuns: RUNS.mutants, endOnFailure: true },
        );
        counting = true;
        tally("wrong encodings caught", result.failed ? 1 : 0);
        expect(result.failed).toBe(true);
        expect(String(result.errorInstance)).toMatch(/Z3/);
      } finally {
        counting = true;
      }
    });
  }

  it("catches a set that is wrong by one packet", async () => {
    const rules = [
      resolved(
        {
          access: "Allow",
          protocol: "Tcp",
          source: AddressSet.of([prefix(4, 0x0a000000n, 24)]),
          destination: AddressSet.all,
          sourcePorts: [ALL_PORTS],
          destinationPorts: [{ first: 443, last: 443 }],
        },
        100,
      ),
    ];
    const allowed = decide(rules).allowed;
    const extra: Packet = {
      protocol: "Tcp",
      source: { family: 4, value: 0x0a000100n },
      destination: { family: 4, value: 1n },
      sourcePort: 1,
      destinationPort: 443,
    };
    const f = z3.firstMatch(rules).allowed;
    expect(await z3.equivalent(z3.setFormula(allowed), f)).toBe(true);
    expect(await z3.equivalent(z3.setFormula(allowed.union(PacketSet.packet(extra))), f)).toBe(
      false,
    );
    const found = await z3.solve(
      z3.z3.Xor(
        z3.setFormula(allowed.minus(PacketSet.packet(extra))),
        z3.firstMatch(rules).allowed,
      ),
    );
    expect(found).toBeUndefined(); // the extra packet was never allowed
    const missing = { ...extra, source: { family: 4 as const, value: 0x0a0000ffn } };
    const hole = await z3.solve(
      z3.z3.Xor(z3.setFormula(allowed.minus(PacketSet.packet(missing))), f),
    );
    expect(hole && formatPacket(hole)).toBe(formatPacket(missing));
    tally("wrong sets caught", 2);
  });
});
