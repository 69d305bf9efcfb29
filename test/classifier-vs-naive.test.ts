/**
 * The compiled classifier against the naive first-match loop (packet.ts), on
 * random valid NSGs bound in a small topology (tags, ASGs, defaults resolved)
 * and on random rule lists written directly as resolved rules (arbitrary
 * address ranges, overlapping port lists, more rules than one vector word, no
 * default rules), IPv4 and IPv6, through the single-flow and the batch API.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Decisions,
  type FlowBatch4,
  type FlowBatch6,
  FlowClassifier,
  NO_RULE,
  PROTOCOL_CODE,
} from "../src/engine/classifier.js";
import { firstMatch, type Packet, ruleMatches } from "../src/engine/packet.js";
import { NsgResolver, type ResolvedRule, rulesFor } from "../src/engine/resolve.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import type { ParsedRule } from "../src/model/rule.js";
import { parseServiceTagFile } from "../src/model/service-tags.js";
import type { SecurityRule } from "../src/model/types.js";
import { familyMax, type IpFamily } from "../src/net/address.js";
import { AddressSet } from "../src/net/address-set.js";
import type { PortRange } from "../src/net/ports.js";
import { type FlowProtocol, RULE_PROTOCOLS } from "../src/net/protocol.js";
import {
  addressValue,
  candidatesFor,
  concretePacket,
  NSG_LEVEL_ASGS,
  NSG_LEVEL_VNETS,
  nsgLevelTopology,
  type PacketChoice,
  packetChoiceArb,
  SERVICE_TAG_FILE,
  securityRulesArb,
} from "./oracle/arbitraries.js";

const SEED = Number(process.env.ORACLE_SEED ?? 42);
const DIRECTIONS = ["Inbound", "Outbound"] as const;

const catalog = (() => {
  const parsed = parseServiceTagFile(SERVICE_TAG_FILE);
  if (hasErrors(parsed.diagnostics)) throw new Error("the test's service-tags file is invalid");
  return parsed.catalog;
})();

// ---------------------------------------------------------------- batch helpers

const words = (value: bigint): number[] =>
  [96n, 64n, 32n, 0n].map((shift) => Number((value >> shift) & 0xffffffffn));

/** The batch API's answers for packets of one family, in order. */
function decideInBatch(c: FlowClassifier, packets: readonly Packet[], family: IpFamily): number[] {
  const n = packets.length;
  const common = {
    protocol: Uint8Array.from(packets, (p) => PROTOCOL_CODE[p.protocol]),
    sourcePort: Uint16Array.from(packets, (p) => p.sourcePort),
    destinationPort: Uint16Array.from(packets, (p) => p.destinationPort),
  };
  const out: Decisions = { rule: new Int32Array(n).fill(-7), access: new Uint8Array(n) };
  if (family === 4) {
    const flows: FlowBatch4 = {
      ...common,
      source: Uint32Array.from(packets, (p) => Number(p.source.value)),
      destination: Uint32Array.from(packets, (p) => Number(p.destination.value)),
    };
    c.decide4(flows, out);
  } else {
    const flows: FlowBatch6 = {
      family: 6,
      ...common,
      source: Uint32Array.from(packets.flatMap((p) => words(p.source.value))),
      destination: Uint32Array.from(packets.flatMap((p) => words(p.destination.value))),
    };
    c.decide6(flows, out);
  }
  return [...out.rule];
}

const show = (p: Packet) =>
  JSON.stringify(p, (_, v) => (typeof v === "bigint" ? `0x${v.toString(16)}` : v));

// ---------------------------------------------------------------- NSGs in a topology

const nsgStats = { decisions: 0, custom: 0, ipv6: 0, batched: 0 };

function compareNsg(rules: readonly SecurityRule[], choices: readonly PacketChoice[]) {
  const topology = nsgLevelTopology(rules);
  const built = buildNetwork(topology, catalog);
  if (!built.network || hasErrors(built.diagnostics))
    throw new Error("generator bug: the generated topology is invalid");
  const resolver = new NsgResolver(built.network);
  const candidates = candidatesFor(rules, topology);
  const packets: Packet[] = choices.map((choice) => {
    const p = concretePacket(choice, candidates);
    return {
      protocol: p.protocol,
      source: addressValue(p.source),
      sourcePort: p.sourcePort,
      destination: addressValue(p.destination),
      destinationPort: p.destinationPort,
    };
  });
  for (const vnet of NSG_LEVEL_VNETS) {
    const nsg = resolver.resolve("nsg-under-test", vnet);
    for (const direction of DIRECTIONS) {
      const list = rulesFor(nsg, direction);
      const classifier = FlowClassifier.compile(list);
      for (const p of packets) {
        const expected = firstMatch(nsg, direction, p);
        const actual = classifier.match(p);
        if (actual !== expected)
          throw new Error(
            `${direction} in ${vnet}: ${show(p)}\n  naive:    ${expected.rule.name}\n  compiled: ${actual?.rule.name}\n  rules: ${JSON.stringify(rules)}`,
          );
        nsgStats.decisions++;
        if (!expected.rule.isDefault) nsgStats.custom++;
        if (p.source.family === 6) nsgStats.ipv6++;
      }
      for (const family of [4, 6] as const) {
        const same = packets.filter(
          (p) => p.source.family === family && p.destination.family === family,
        );
        const batch = decideInBatch(classifier, same, family);
        expect(batch).toEqual(same.map((p) => list.indexOf(firstMatch(nsg, direction, p))));
        nsgStats.batched += same.length;
      }
    }
  }
}

// ---------------------------------------------------------------- resolved rule lists

/** Values near a few anchors, so that ranges of different rules meet, nest and touch. */
function valueArb(family: IpFamily): fc.Arbitrary<bigint> {
  const max = familyMax(family);
  const anchors =
    family === 4
      ? [0n, 0x0a000000n, 0x0a0000ffn, 0x7fffffffn, 0x80000000n, 0xc0a80000n, max]
      : [0n, 0xfd00n << 112n, (0xfd00n << 112n) | 0xffffn, 1n << 127n, 0x20010db8n << 96n, max];
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...anchors), fc.integer({ min: -3, max: 3 }))
        .map(([a, d]) => {
          const v = a + BigInt(d);
          return v < 0n ? 0n : v > max ? max : v;
        }),
    },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max }) },
  );
}

const rangeArb = (family: IpFamily) =>
  fc.tuple(valueArb(family), valueArb(family)).map(([a, b]) => ({
    family,
    first: a < b ? a : b,
    last: a < b ? b : a,
  }));

const addressSetArb: fc.Arbitrary<AddressSet> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(AddressSet.all) },
  {
    weight: 5,
    arbitrary: fc
      .array(fc.oneof(rangeArb(4), rangeArb(6)), { minLength: 0, maxLength: 4 })
      .map((ranges) => AddressSet.of(ranges)),
  },
);

const portValueArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, 1, 22, 79, 80, 81, 443, 1024, 65534, 65535) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
);
const portRangesArb: fc.Arbitrary<readonly PortRange[]> = fc.oneof(
  { weight: 1, arbitrary: fc.constant([{ first: 0, last: 65535 }]) },
  {
    weight: 3,
    arbitrary: fc.array(
      fc.tuple(portValueArb, portValueArb).map(([a, b]) => ({
        first: Math.min(a, b),
        last: Math.max(a, b),
      })),
      { minLength: 1, maxLength: 3 },
    ),
  },
);

const resolvedRuleArb: fc.Arbitrary<Omit<ResolvedRule, "rule" | "priority">> = fc.record({
  access: fc.constantFrom("Allow" as const, "Deny" as const),
  protocol: fc.constantFrom(...RULE_PROTOCOLS),
  source: addressSetArb,
  sourcePorts: fc.oneof(
    { weight: 3, arbitrary: fc.constant([{ first: 0, last: 65535 }]) },
    { weight: 1, arbitrary: portRangesArb },
  ),
  destination: addressSetArb,
  destinationPorts: portRangesArb,
});

const ruleListArb = fc
  .array(resolvedRuleArb, { minLength: 0, maxLength: 300, size: "max" })
  .map((bodies): ResolvedRule[] =>
    bodies.map((body, i) => ({
      ...body,
      rule: { name: `r${i}`, isDefault: false } as ParsedRule,
      priority: 100 + i,
    })),
  );

interface Edges {
  readonly addresses: Record<IpFamily, bigint[]>;
  readonly ports: number[];
}

/** Both ends of every range and the values just beyond them. */
function edgesOf(rules: readonly ResolvedRule[]): Edges {
  const addresses: Record<IpFamily, bigint[]> = { 4: [0n, familyMax(4)], 6: [0n, familyMax(6)] };
  const ports = [0, 65535];
  for (const r of rules) {
    for (const set of [r.source, r.destination])
      for (const family of [4, 6] as const)
        for (const [first, last] of set.intervals(family))
          addresses[family].push(first, last, first - 1n, last + 1n);
    for (const range of [...r.sourcePorts, ...r.destinationPorts])
      ports.push(range.first, range.last, range.first - 1, range.last + 1);
  }
  return { addresses, ports };
}

/**
 * Packets from picks: aimed at one rule (its family and protocol, the edges of
 * its own ranges), or drawn from the edges of all rules, or anywhere.
 */
function packetsFor(rules: readonly ResolvedRule[], picks: readonly PacketPick[]): Packet[] {
  const all = edgesOf(rules);
  return picks.map((p) => {
    const target =
      p.aim === undefined || rules.length === 0 ? undefined : rules[p.aim % rules.length];
    const edges = target ? edgesOf([target]) : all;
    const family =
      target && target.source.intervals(p.family).length === 0
        ? p.family === 4
          ? 6
          : 4
        : p.family;
    const protocol = target && target.protocol !== "*" ? target.protocol : p.protocol;
    const address = (pick: number | bigint, family: IpFamily): bigint => {
      const list =
        edges.addresses[family].length > 2 ? edges.addresses[family] : all.addresses[family];
      const v =
        typeof pick === "bigint" ? pick & familyMax(family) : (list[pick % list.length] as bigint);
      return v < 0n ? 0n : v > familyMax(family) ? familyMax(family) : v;
    };
    // A packet whose addresses differ in family is not one Azure carries, but
    // the classifier must still answer for it as ruleMatches does.
    const destinationFamily: IpFamily = p.mixed ? (family === 4 ? 6 : 4) : family;
    const port = (pick: number): number =>
      pick < 0
        ? -pick - 1
        : Math.min(65535, Math.max(0, edges.ports[pick % edges.ports.length] as number));
    return {
      protocol,
      source: { family, value: address(p.source, family) },
      sourcePort: port(p.sourcePort),
      destination: { family: destinationFamily, value: address(p.destination, destinationFamily) },
      destinationPort: port(p.destinationPort),
    };
  });
}

interface PacketPick {
  readonly aim: number | undefined;
  readonly family: IpFamily;
  /** The destination is of the other family. */
  readonly mixed: boolean;
  readonly protocol: FlowProtocol;
  readonly source: number | bigint;
  readonly destination: number | bigint;
  /** Non-negative: an index into the edges; negative: the port -pick - 1. */
  readonly sourcePort: number;
  readonly destinationPort: number;
}

const addressPickArb = fc.oneof(
  { weight: 4, arbitrary: fc.nat() },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: familyMax(6) }) },
);
const portPickArb = fc.oneof(
  { weight: 4, arbitrary: fc.nat() },
  { weight: 1, arbitrary: fc.integer({ min: -65536, max: -1 }) },
);
const packetPickArb: fc.Arbitrary<PacketPick> = fc.record({
  aim: fc.option(fc.nat(), { nil: undefined, freq: 3 }),
  family: fc.constantFrom(4 as const, 4 as const, 6 as const),
  mixed: fc.constantFrom(false, false, false, false, false, false, false, true),
  protocol: fc.constantFrom<FlowProtocol>("Tcp", "Tcp", "Udp", "Udp", "Icmp", "Esp", "Ah"),
  source: addressPickArb,
  destination: addressPickArb,
  sourcePort: portPickArb,
  destinationPort: portPickArb,
});

const listStats = {
  decisions: 0,
  none: 0,
  upperLane: 0,
  beyondFirstStep: 0,
  ipv6: 0,
  mixed: 0,
  noPorts: 0,
};

function compareList(rules: readonly ResolvedRule[], picks: readonly PacketPick[]): void {
  const classifier = FlowClassifier.compile(rules);
  const packets = packetsFor(rules, picks);
  const expected = packets.map((p) => rules.findIndex((r) => ruleMatches(r, p)));
  packets.forEach((p, i) => {
    const actual = classifier.matchIndex(p);
    if (actual !== expected[i])
      throw new Error(
        `${show(p)}\n  naive: ${expected[i]}, compiled: ${actual}\n  rules: ${rules
          .map(
            (r) =>
              `${r.protocol} ${r.source} ${JSON.stringify(r.sourcePorts)} -> ${r.destination} ${JSON.stringify(r.destinationPorts)}`,
          )
          .join("\n    ")}`,
      );
    listStats.decisions++;
    if (actual === NO_RULE) listStats.none++;
    // The kernel scans 128 rules per step, each step two 64-bit lanes.
    if (actual >= 0 && (actual & 127) >= 64) listStats.upperLane++;
    if (actual >= 128) listStats.beyondFirstStep++;
    if (p.source.family === 6) listStats.ipv6++;
    if (p.source.family !== p.destination.family) listStats.mixed++;
    if (p.protocol !== "Tcp" && p.protocol !== "Udp") listStats.noPorts++;
  });
  for (const family of [4, 6] as const) {
    const chosen = packets
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.source.family === family && p.destination.family === family);
    expect(
      decideInBatch(
        classifier,
        chosen.map(({ p }) => p),
        family,
      ),
    ).toEqual(chosen.map(({ i }) => expected[i]));
  }
}

// ---------------------------------------------------------------- the properties

describe("compiled classifier against the naive first match", () => {
  it("agrees on random NSGs bound in a topology, with tags, ASGs and default rules", () => {
    fc.assert(
      fc.property(
        securityRulesArb(NSG_LEVEL_ASGS, 1, 60),
        fc.array(packetChoiceArb, { minLength: 1, maxLength: 24, size: "max" }),
        (rules, choices) => compareNsg(rules, choices),
      ),
      { seed: SEED, numRuns: 300 },
    );
    console.log(`classifier vs naive, NSGs: ${JSON.stringify(nsgStats)}`);
    expect(nsgStats.decisions).toBeGreaterThan(10_000);
    expect(nsgStats.custom).toBeGreaterThan(nsgStats.decisions / 10);
    expect(nsgStats.ipv6).toBeGreaterThan(nsgStats.decisions / 10);
    expect(nsgStats.batched).toBeGreaterThan(nsgStats.decisions / 2);
  });

  it("agrees on random resolved rule lists, at and beyond every edge", () => {
    fc.assert(
      fc.property(
        ruleListArb,
        fc.array(packetPickArb, { minLength: 1, maxLength: 40, size: "max" }),
        (rules, picks) => compareList(rules, picks),
      ),
      { seed: SEED, numRuns: 500 },
    );
    console.log(`classifier vs naive, rule lists: ${JSON.stringify(listStats)}`);
    expect(listStats.decisions).toBeGreaterThan(5_000);
    expect(listStats.none).toBeGreaterThan(listStats.decisions / 20);
    expect(listStats.none).toBeLessThan(listStats.decisions * 0.9);
    expect(listStats.upperLane).toBeGreaterThan(100);
    expect(listStats.beyondFirstStep).toBeGreaterThan(30);
    expect(listStats.ipv6).toBeGreaterThan(listStats.decisions / 10);
    expect(listStats.noPorts).toBeGreaterThan(listStats.decisions / 10);
    expect(listStats.mixed).toBeGreaterThan(listStats.decisions / 20);
  });

  it("the comparison can fail: a classifier of the rules in reverse order disagrees", () => {
    const outcome = fc.check(
      fc.property(
        ruleListArb,
        fc.array(packetPickArb, { minLength: 1, maxLength: 40 }),
        (rules, picks) => {
          const reversed = FlowClassifier.compile([...rules].reverse());
          for (const p of packetsFor(rules, picks)) {
            const i = reversed.matchIndex(p);
            const expected = rules.findIndex((r) => ruleMatches(r, p));
            if ((i === NO_RULE ? NO_RULE : rules.length - 1 - i) !== expected) return false;
          }
          return true;
        },
      ),
      { seed: SEED, numRuns: 500, endOnFailure: true },
    );
    expect(outcome.failed).toBe(true);
  });
});
