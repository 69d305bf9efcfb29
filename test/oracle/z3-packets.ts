/**
 * Packets, NSG rules and first-match rule lists as Z3 bit-vector formulas: an
 * oracle for the packet-set algebra that shares none of its code. The one
 * part that reads the algebra's output is setFormula, which turns a set's
 * stored form into a formula so that Z3 can compare the two.
 *
 * A packet is six variables: the IANA protocol number (8 bits), a family bit
 * (true for IPv6), source and destination addresses (128 bits each; an IPv4
 * address sits in the low 32 bits with the rest zero) and the two ports (16
 * bits each). The universe holds the packets an NSG can see: one of TCP, UDP,
 * ICMP, ESP and AH; both addresses of the packet's family; and ports fixed at 0
 * for the protocols that carry none. Every query is asked inside the universe.
 *
 * Address sets are matched prefix by prefix with masks (not as intervals),
 * ports as ranges, and a rule list as nested if-then-else, so that none of the
 * encoding mirrors the decision diagram's segment lists.
 *
 * Z3 runs its queries on worker threads: ask one question at a time (await
 * each), and call startZ3 once per process.
 */
import {
  type BitVec,
  type Bool,
  type Context,
  type Expr,
  init,
  killThreads,
  type Model,
  type Solver,
} from "z3-solver";
import { FALSE, type Node, TRUE } from "../../src/analysis/diagram.js";
import { FIELD_MAX, Field, V6_OFFSET } from "../../src/analysis/fields.js";
import type { PacketSet } from "../../src/analysis/packet-set.js";
import type { Packet } from "../../src/engine/packet.js";
import type { ResolvedRule } from "../../src/engine/resolve.js";
import type { IpAddress } from "../../src/net/address.js";
import type { AddressSet } from "../../src/net/address-set.js";
import type { PortRange } from "../../src/net/ports.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../../src/net/protocol.js";

type Z3 = Context<"main">;
export type Formula = Bool<"main">;

/** IANA protocol numbers: the encoding's own numbering of the protocols. */
export const IANA: Readonly<Record<FlowProtocol, number>> = {
  Icmp: 1,
  Tcp: 6,
  Udp: 17,
  Esp: 50,
  Ah: 51,
};
const PROTOCOL_NAMES = Object.keys(IANA) as FlowProtocol[];
const CARRIES_PORTS: readonly FlowProtocol[] = ["Tcp", "Udp"];

/** The fields of a packet as Z3 terms: variables, or constants for one concrete packet. */
export interface PacketTerms {
  readonly protocol: BitVec<8, "main">;
  readonly v6: Bool<"main">;
  readonly source: BitVec<128, "main">;
  readonly destination: BitVec<128, "main">;
  readonly sourcePort: BitVec<16, "main">;
  readonly destinationPort: BitVec<16, "main">;
}

/** The fields of a box of packets; an absent field is unrestricted. Ports restrict TCP and UDP only. */
export interface BoxFields {
  readonly protocols?: readonly FlowProtocol[];
  readonly source?: AddressSet;
  readonly destination?: AddressSet;
  readonly sourcePorts?: readonly PortRange[];
  readonly destinationPorts?: readonly PortRange[];
}

export type Side = "source" | "destination";

/** What a rule list decides: per rule, what it matches and what it decides; overall, what is allowed. */
export interface FirstMatch {
  readonly matches: readonly Formula[];
  readonly decides: readonly Formula[];
  readonly allowed: Formula;
}

const BITS = { 4: 32, 6: 128 } as const;

/** A Z3 context, and how to end its worker threads so that the process can exit. */
export interface Z3Runtime {
  readonly z3: Z3;
  close(): Promise<void>;
}

/**
 * Native clean-ups of garbage-collected Z3 objects, held back until no query
 * is running. Z3's JavaScript binding frees an object's native reference from
 * a FinalizationRegistry callback, which can run on the main thread while a
 * query runs on a worker thread over the same context; the two then race on
 * the context's memory and corrupt it. The registry the binding makes at
 * start-up is swapped for one that only queues its callbacks, and every query
 * runs the queue first, when nothing else is using the context.
 */
const heldBack: (() => void)[] = [];
const NativeRegistry = globalThis.FinalizationRegistry;

function releaseHeldBack(): void {
  for (let f = heldBack.pop(); f; f = heldBack.pop()) f();
}

class DeferringRegistry<T> {
  private readonly inner: FinalizationRegistry<T>;
  constructor(callback: (held: T) => void) {
    this.inner = new NativeRegistry((held: T) => heldBack.push(() => callback(held)));
  }
  register(target: WeakKey, held: T, token?: WeakKey): void {
    this.inner.register(target, held, token);
  }
  unregister(token: WeakKey): boolean {
    return this.inner.unregister(token);
  }
}

export async function startZ3(): Promise<Z3Runtime> {
  globalThis.FinalizationRegistry = DeferringRegistry as unknown as FinalizationRegistryConstructor;
  try {
    const { Context, em } = await init();
    return { z3: Context("main"), close: () => killThreads(em) };
  } finally {
    globalThis.FinalizationRegistry = NativeRegistry;
  }
}

export class Z3Packets {
  /** The symbolic packet every formula speaks about. */
  readonly packet: PacketTerms;
  /** How many solver queries and concrete evaluations were made. */
  queries = 0;
  evaluations = 0;
  /**
   * One solver, reset after each query rather than used with push and pop:
   * so Z3 preprocesses and bit-blasts each query whole, which is much faster
   * here than its incremental mode.
   */
  private readonly solver: Solver<"main">;

  constructor(readonly z3: Z3) {
    const { BitVec, Bool } = z3;
    this.packet = {
      protocol: BitVec.const("protocol", 8),
      v6: Bool.const("v6"),
      source: BitVec.const("source", 128),
      destination: BitVec.const("destination", 128),
      sourcePort: BitVec.const("sourcePort", 16),
      destinationPort: BitVec.const("destinationPort", 16),
    };
    this.solver = new z3.Solver("QF_BV");
  }

  // ------------------------------------------------------------ building blocks

  protected bv<N extends number>(value: bigint | number, bits: N): BitVec<N, "main"> {
    return this.z3.BitVec.val(value, bits);
  }

  protected or(terms: readonly Formula[]): Formula {
    if (terms.length === 0) return this.z3.Bool.val(false);
    if (terms.length === 1) return terms[0] as Formula;
    return this.z3.Or(...terms);
  }

  protected and(terms: readonly Formula[]): Formula {
    if (terms.length === 0) return this.z3.Bool.val(true);
    if (terms.length === 1) return terms[0] as Formula;
    return this.z3.And(...terms);
  }

  protocolIs(protocol: FlowProtocol, p: PacketTerms = this.packet): Formula {
    return p.protocol.eq(this.bv(IANA[protocol], 8));
  }

  carriesPorts(p: PacketTerms = this.packet): Formula {
    return this.or(CARRIES_PORTS.map((name) => this.protocolIs(name, p)));
  }

  /** Every packet there can be. */
  universe(p: PacketTerms = this.packet): Formula {
    const zero = (n: 16 | 96) => this.bv(0, n);
    return this.and([
      this.or(PROTOCOL_NAMES.map((name) => this.protocolIs(name, p))),
      this.z3.Implies(
        this.z3.Not(p.v6),
        this.and([
          p.source.extract(127, 32).eq(zero(96)),
          p.destination.extract(127, 32).eq(zero(96)),
        ]),
      ),
      this.z3.Implies(
        this.z3.Not(this.carriesPorts(p)),
        this.and([p.sourcePort.eq(zero(16)), p.destinationPort.eq(zero(16))]),
      ),
    ]);
  }

  /** The packet's address on one side lies in the set: one CIDR block after another, by mask. */
  addressIn(set: AddressSet, side: Side, p: PacketTerms = this.packet): Formula {
    const address = side === "source" ? p.source : p.destination;
    const terms = set.toPrefixes().map((prefix) => {
      const bits = BITS[prefix.family];
      const host = (1n << BigInt(bits - prefix.length)) - 1n;
      const mask = ((1n << BigInt(bits)) - 1n) ^ host;
      const family = prefix.family === 6 ? p.v6 : this.z3.Not(p.v6);
      if (prefix.length === 0) return family;
      return this.and([family, address.and(this.bv(mask, 128)).eq(this.bv(prefix.first, 128))]);
    });
    return this.or(terms);
  }

  portIn(ranges: readonly PortRange[], side: Side, p: PacketTerms = this.packet): Formula {
    const port = side === "source" ? p.sourcePort : p.destinationPort;
    return this.or(
      ranges.map((r) =>
        r.first === r.last
          ? port.eq(this.bv(r.first, 16))
          : this.and([port.uge(this.bv(r.first, 16)), port.ule(this.bv(r.last, 16))]),
      ),
    );
  }

  /** The packets a box holds. */
  box(fields: BoxFields, p: PacketTerms = this.packet): Formula {
    const protocols = fields.protocols ?? PROTOCOL_NAMES;
    const ports: Formula[] = [];
    if (fields.sourcePorts) ports.push(this.portIn(fields.sourcePorts, "source", p));
    if (fields.destinationPorts) ports.push(this.portIn(fields.destinationPorts, "destination", p));
    const terms = [this.or(protocols.map((name) => this.protocolIs(name, p)))];
    if (fields.source) terms.push(this.addressIn(fields.source, "source", p));
    if (fields.destination) terms.push(this.addressIn(fields.destination, "destination", p));
    if (ports.length > 0) terms.push(this.z3.Implies(this.carriesPorts(p), this.and(ports)));
    return this.and(terms);
  }

  /** A rule matches the packet: its protocol, both addresses and, for TCP and UDP, both ports. */
  ruleMatches(rule: ResolvedRule, p: PacketTerms = this.packet): Formula {
    const protocol =
      rule.protocol === "*" ? this.z3.Bool.val(true) : this.protocolIs(rule.protocol, p);
    return this.and([
      protocol,
      this.addressIn(rule.source, "source", p),
      this.addressIn(rule.destination, "destination", p),
      this.z3.Implies(
        this.carriesPorts(p),
        this.and([
          this.portIn(rule.sourcePorts, "source", p),
          this.portIn(rule.destinationPorts, "destination", p),
        ]),
      ),
    ]);
  }

  /** The one packet, as a formula; ports count only for TCP and UDP. */
  single(packet: Packet, p: PacketTerms = this.packet): Formula {
    if (packet.source.family !== packet.destination.family) return this.z3.Bool.val(false);
    const terms = [
      this.protocolIs(packet.protocol, p),
      packet.source.family === 6 ? p.v6 : this.z3.Not(p.v6),
      p.source.eq(this.bv(packet.source.value, 128)),
      p.destination.eq(this.bv(packet.destination.value, 128)),
    ];
    if (CARRIES_PORTS.includes(packet.protocol))
      terms.push(
        p.sourcePort.eq(this.bv(packet.sourcePort, 16)),
        p.destinationPort.eq(this.bv(packet.destinationPort, 16)),
      );
    return this.and(terms);
  }

  /**
   * First-match evaluation of a rule list, in list order: a rule decides the
   * packets it matches that no earlier rule matches; a packet no rule matches
   * is not allowed.
   */
  firstMatch(rules: readonly ResolvedRule[], p: PacketTerms = this.packet): FirstMatch {
    const matches = rules.map((r) => this.ruleMatches(r, p));
    const decides = matches.map((m, i) =>
      this.and([m, ...matches.slice(0, i).map((earlier) => this.z3.Not(earlier))]),
    );
    // Built from the last rule up: if rule i matches, its access; else what the rest decide.
    let allowed: Formula = this.z3.Bool.val(false);
    for (let i = rules.length - 1; i >= 0; i--) {
      const access = this.z3.Bool.val((rules[i] as ResolvedRule).access === "Allow");
      allowed = this.z3.If(matches[i] as Formula, access, allowed) as Formula;
    }
    return { matches, decides, allowed };
  }

  // ------------------------------------------------------------ a PacketSet, read as it is stored

  /**
   * The set's decision diagram as a formula, so that Z3 can compare it with
   * the encodings above. This reads the stored form (fields in order; protocols
   * by their index in FLOW_PROTOCOLS; both address families on one axis, IPv6
   * offset by V6_OFFSET) and nothing else of the algebra.
   */
  setFormula(set: PacketSet): Formula {
    const memo = new Map<Node, Formula>();
    const walk = (node: Node): Formula => {
      if (node === TRUE) return this.z3.Bool.val(true);
      if (node === FALSE) return this.z3.Bool.val(false);
      let formula = memo.get(node);
      if (!formula) {
        const max = FIELD_MAX[node.level] as bigint;
        const terms: Formula[] = [];
        node.kids.forEach((kid, i) => {
          if (kid === FALSE) return;
          const first = node.starts[i] as bigint;
          const next = node.starts[i + 1];
          const last = next === undefined ? max : next - 1n;
          terms.push(this.and([this.inSegment(node.level, first, last), walk(kid)]));
        });
        formula = this.or(terms);
        memo.set(node, formula);
      }
      return formula;
    };
    return walk(set.root);
  }

  private inSegment(level: number, first: bigint, last: bigint): Formula {
    const p = this.packet;
    switch (level) {
      case Field.Protocol: {
        const names: FlowProtocol[] = [];
        for (let v = first; v <= last; v++) names.push(FLOW_PROTOCOLS[Number(v)] as FlowProtocol);
        return this.or(names.map((name) => this.protocolIs(name, p)));
      }
      case Field.Source:
      case Field.Destination: {
        // The segment's IPv4 part and its IPv6 part, each as a range of the address.
        const address = level === Field.Source ? p.source : p.destination;
        const range = (from: bigint, to: bigint) =>
          this.and([address.uge(this.bv(from, 128)), address.ule(this.bv(to, 128))]);
        const parts: Formula[] = [];
        if (first < V6_OFFSET)
          parts.push(
            this.and([this.z3.Not(p.v6), range(first, last < V6_OFFSET ? last : V6_OFFSET - 1n)]),
          );
        if (last >= V6_OFFSET)
          parts.push(
            this.and([
              p.v6,
              range((first < V6_OFFSET ? V6_OFFSET : first) - V6_OFFSET, last - V6_OFFSET),
            ]),
          );
        return this.or(parts);
      }
      case Field.DestinationPort:
      case Field.SourcePort: {
        const port = level === Field.SourcePort ? p.sourcePort : p.destinationPort;
        return this.and([port.uge(this.bv(first, 16)), port.ule(this.bv(last, 16))]);
      }
      default:
        throw new Error(`no field at level ${level}`);
    }
  }

  // ------------------------------------------------------------ queries

  /** Whether some packet of the universe satisfies the formula. */
  async satisfiable(formula: Formula): Promise<boolean> {
    return (await this.solve(formula)) !== undefined;
  }

  /** A packet of the universe that satisfies the formula, undefined when none does. */
  async solve(formula: Formula): Promise<Packet | undefined> {
    this.queries++;
    releaseHeldBack();
    const solver = this.solver;
    try {
      solver.add(this.universe(), formula);
      const result = await solver.check();
      if (result === "unknown") throw new Error(`Z3 answered unknown for ${formula.sexpr()}`);
      return result === "sat" ? this.packetOf(solver.model()) : undefined;
    } finally {
      solver.reset();
    }
  }

  /** Whether the two formulas hold for exactly the same packets of the universe. */
  async equivalent(a: Formula, b: Formula): Promise<boolean> {
    return !(await this.satisfiable(this.z3.Xor(a, b)));
  }

  /** Up to `limit` packets of the universe satisfying the formula, by blocking each model found. */
  async enumerate(formula: Formula, limit: number): Promise<Packet[]> {
    const found: Packet[] = [];
    let remaining = formula;
    while (found.length < limit) {
      const packet = await this.solve(remaining);
      if (!packet) break;
      found.push(packet);
      remaining = this.and([remaining, this.z3.Not(this.single(packet))]);
    }
    return found;
  }

  /** The concrete packet's fields as constants. */
  terms(packet: Packet): PacketTerms {
    if (packet.source.family !== packet.destination.family)
      throw new Error("a packet's two addresses must share a family");
    return {
      protocol: this.bv(IANA[packet.protocol], 8),
      v6: this.z3.Bool.val(packet.source.family === 6),
      source: this.bv(packet.source.value, 128),
      destination: this.bv(packet.destination.value, 128),
      sourcePort: this.bv(packet.sourcePort, 16),
      destinationPort: this.bv(packet.destinationPort, 16),
    };
  }

  /** The formula's truth for one concrete packet (which must share a family on both sides). */
  async holds(formula: Formula, packet: Packet): Promise<boolean> {
    this.evaluations++;
    releaseHeldBack();
    const t = this.terms(packet);
    const p = this.packet;
    const pairs: [Expr<"main">, Expr<"main">][] = [
      [p.protocol, t.protocol],
      [p.v6, t.v6],
      [p.source, t.source],
      [p.destination, t.destination],
      [p.sourcePort, t.sourcePort],
      [p.destinationPort, t.destinationPort],
    ];
    const value = await this.z3.simplify(this.z3.substitute(formula, ...pairs));
    if (this.z3.isTrue(value)) return true;
    if (this.z3.isFalse(value)) return false;
    throw new Error(`the formula does not reduce to a truth value: ${value.sexpr()}`);
  }

  private packetOf(model: Model<"main">): Packet {
    const value = (term: Expr<"main">): bigint => {
      const v = model.eval(term, true);
      if (!this.z3.isBitVecVal(v)) throw new Error(`no value for ${term.sexpr()}`);
      return v.value();
    };
    const number = value(this.packet.protocol);
    const protocol = PROTOCOL_NAMES.find((name) => BigInt(IANA[name]) === number);
    if (!protocol) throw new Error(`the model's protocol ${number} is outside the universe`);
    const family = this.z3.isTrue(model.eval(this.packet.v6, true)) ? 6 : 4;
    const address = (term: Expr<"main">): IpAddress => ({ family, value: value(term) });
    return {
      protocol,
      source: address(this.packet.source),
      destination: address(this.packet.destination),
      sourcePort: Number(value(this.packet.sourcePort)),
      destinationPort: Number(value(this.packet.destinationPort)),
    };
  }
}
