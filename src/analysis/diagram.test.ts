import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Packet } from "../engine/packet.js";
import { AddressSet } from "../net/address-set.js";
import type { PortRange } from "../net/ports.js";
import { FLOW_PROTOCOLS, type FlowProtocol, hasPorts } from "../net/protocol.js";
import { count, sweep } from "./diagram.js";
import { type BoxSpec, PacketSet } from "./packet-set.js";

// The unique table hashes nodes by number: these tests hold it to what a set
// is, membership packet by packet, and to one node per set however it is built.

/** IPv6 values that agree in their top bits and differ below 2^53: one hash view of them collides. */
const V6_BASE = (0xfd00n << 112n) | (7n << 80n);
const v4 = fc.integer({ min: 0, max: 255 }).map((n) => BigInt(0x0a000000 + n * 16));
const v6 = fc.integer({ min: 0, max: 255 }).map((n) => V6_BASE + BigInt(n) * (1n << 60n) + 5n);

const addresses = fc
  .array(
    fc.oneof(
      v4.map((first) => ({ family: 4 as const, first, last: first + 15n })),
      v6.map((first) => ({ family: 6 as const, first, last: first + 3n })),
    ),
    { maxLength: 3 },
  )
  .map((ranges) => AddressSet.of(ranges));
const ports = fc.array(
  fc
    .integer({ min: 0, max: 60 })
    .map((n): PortRange => ({ first: n * 1000, last: n * 1000 + 999 })),
  { minLength: 1, maxLength: 2 },
);
const box: fc.Arbitrary<BoxSpec> = fc.record(
  {
    protocols: fc.subarray([...FLOW_PROTOCOLS], { minLength: 1 }),
    source: addresses,
    destination: addresses,
    destinationPorts: ports,
    sourcePorts: ports,
  },
  { requiredKeys: [] },
);

type Expr = { box: BoxSpec } | { op: "and" | "or" | "diff"; a: Expr; b: Expr };
const expr: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    box.map((b) => ({ box: b })),
    fc.record({
      op: fc.constantFrom("and", "or", "diff"),
      a: tie("e"),
      b: tie("e"),
    }) as fc.Arbitrary<Expr>,
  ),
})).e;

function build(e: Expr): PacketSet {
  if ("box" in e) return PacketSet.box(e.box);
  const a = build(e.a);
  const b = build(e.b);
  return e.op === "and" ? a.intersect(b) : e.op === "or" ? a.union(b) : a.minus(b);
}

const inRanges = (list: readonly PortRange[] | undefined, n: number) =>
  list === undefined || list.some((r) => r.first <= n && n <= r.last);

/** Membership straight from the expression, as the rules read it. */
function holds(e: Expr, p: Packet): boolean {
  if ("box" in e) {
    const b = e.box;
    if (p.source.family !== p.destination.family) return false;
    if (b.protocols && !b.protocols.includes(p.protocol)) return false;
    if (b.source && !b.source.has(p.source)) return false;
    if (b.destination && !b.destination.has(p.destination)) return false;
    if (!hasPorts(p.protocol)) return p.sourcePort === 0 && p.destinationPort === 0;
    return inRanges(b.sourcePorts, p.sourcePort) && inRanges(b.destinationPorts, p.destinationPort);
  }
  const a = holds(e.a, p);
  const b = holds(e.b, p);
  return e.op === "and" ? a && b : e.op === "or" ? a || b : a && !b;
}

const address = fc.oneof(
  v4.chain((v) =>
    fc.integer({ min: 0, max: 15 }).map((d) => ({ family: 4 as const, value: v + BigInt(d) })),
  ),
  v6.chain((v) =>
    fc.integer({ min: 0, max: 3 }).map((d) => ({ family: 6 as const, value: v + BigInt(d) })),
  ),
);
const port = fc.integer({ min: 0, max: 60 }).map((n) => n * 1000 + (n % 2 === 0 ? 0 : 999));
const packet: fc.Arbitrary<Packet> = fc
  .record({
    protocol: fc.constantFrom(...FLOW_PROTOCOLS) as fc.Arbitrary<FlowProtocol>,
    source: address,
    destination: address,
    sourcePort: port,
    destinationPort: port,
  })
  .map((p) => (hasPorts(p.protocol) ? p : { ...p, sourcePort: 0, destinationPort: 0 }));

describe("decision diagram", () => {
  it("holds exactly the packets its expression does", () => {
    fc.assert(
      fc.property(expr, fc.array(packet, { minLength: 20, maxLength: 20 }), (e, packets) => {
        const set = build(e);
        for (const p of packets) expect(set.has(p)).toBe(holds(e, p));
        const w = set.witness();
        if (w) expect(holds(e, w)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("gives one node per set, however it is built", () => {
    fc.assert(
      fc.property(expr, expr, (x, y) => {
        const a = build(x);
        const b = build(y);
        // (a ∪ b) \ b ∪ (a ∩ b) is a, built another way; De Morgan the same.
        expect(a.union(b).minus(b).union(a.intersect(b)).equals(a)).toBe(true);
        expect(a.union(b).complement().equals(a.complement().intersect(b.complement()))).toBe(true);
        expect(a.equals(b)).toBe(a.minus(b).isEmpty() && b.minus(a).isEmpty());
        expect(count(a.root) + count(b.root)).toBe(
          count(a.union(b).root) + count(a.intersect(b).root),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("tells apart IPv6 values that differ only below 2^53, whose rounded values are equal", () => {
    const one = (value: bigint) =>
      PacketSet.box({ destination: AddressSet.of([{ family: 6, first: value, last: value }]) });
    const a = one(V6_BASE + 5n);
    const b = one(V6_BASE + 6n);
    expect(a.equals(b)).toBe(false);
    expect(a.intersect(b).isEmpty()).toBe(true);
    expect(a.union(b).equals(b.union(a))).toBe(true);
  });
});

describe("the unique table", () => {
  it("lets go of the nodes no one holds, and keeps one node per set for those still held", async () => {
    // The collector, on demand, for this test only.
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const spec = (i: number): BoxSpec => ({
      protocols: ["Tcp"],
      source: AddressSet.of([
        {
          family: 4,
          first: BigInt(0x0a000000 + i * 256),
          last: BigInt(0x0a000000 + i * 256 + 255),
        },
      ]),
      destinationPorts: [{ first: 1000 + i, last: 2000 + i }],
    });
    const held = PacketSet.box(spec(1)).union(PacketSet.box(spec(2)));
    // Thousands of sets made and dropped.
    for (let i = 0; i < 2000; i++) PacketSet.box(spec(i)).union(PacketSet.box(spec(i + 7)));
    // Nodes are held until the task that made them ends (WeakRef's rule), then collected.
    await new Promise((resolve) => setTimeout(resolve, 0));
    collect();
    const { before, after } = sweep();
    expect(after).toBeLessThan(before);
    const again = PacketSet.box(spec(2)).union(PacketSet.box(spec(1)));
    expect(again.root).toBe(held.root);
    expect(again.minus(held).isEmpty()).toBe(true);
    expect(held.intersect(PacketSet.box(spec(1))).equals(PacketSet.box(spec(1)))).toBe(true);
  });
});
