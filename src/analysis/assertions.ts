import { type Host, hostAt } from "../engine/endpoint.js";
import { FlowEvaluator, type FlowResult } from "../engine/flow.js";
import type { Packet } from "../engine/packet.js";
import type { SourceLocation, ValuePath } from "../model/diagnostic.js";
import { sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import type { PortRange } from "../net/ports.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../net/protocol.js";
import { HostSets, InvalidSet, type Member, offDiagonal, type PairSpace } from "./host-set.js";
import { loadBalancedInto } from "./load-balancer-exposure.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";
import { type Summary, summarize } from "./summary.js";

/** The traffic an assertion is about: protocols and destination ports, all when absent. */
export interface TrafficScope {
  readonly protocols?: readonly FlowProtocol[];
  readonly ports?: readonly PortRange[];
}

interface Common extends TrafficScope {
  readonly name?: string;
  readonly path: ValuePath;
  readonly location?: SourceLocation;
}

/**
 * A claim's end: one endpoint, or a list of them taken together. Each is a
 * host (environment, NIC, scale set, private endpoint, address) or a set of
 * hosts: a subnet, a CIDR, an ASG (`asg:NAME`), a service tag, Internet.
 */
export type Endpoints = string | readonly string[];

/**
 * Assertions over every packet, not sample flows; over sets, every host of
 * each side (host-set.ts), a host's packets to itself left out.
 */
export type SetAssertion =
  /** Every packet from `from` to `to` in scope is allowed. */
  | (Common & { readonly kind: "reach"; readonly from: Endpoints; readonly to: Endpoints })
  /** No packet from `from` to `to` in scope is allowed. */
  | (Common & { readonly kind: "isolate"; readonly from: Endpoints; readonly to: Endpoints })
  /** Whatever reaches each host of `to` in scope comes from the listed callers only. */
  | (Common & {
      readonly kind: "onlyFrom";
      readonly from: readonly string[];
      readonly to: Endpoints;
    })
  /** What the Internet can reach of `to` lies within the listed traffic. */
  | (Common & {
      readonly kind: "exposure";
      readonly to: Endpoints;
      readonly within: readonly ExposureAllowance[];
    });

export interface ExposureAllowance extends TrafficScope {
  /** Sources it is allowed from (a CIDR, a service tag or an address); any Internet host when absent. */
  readonly source?: string;
}

export interface Counterexample {
  /** The packet as the callee receives it. */
  readonly packet: Packet;
  /** The same packet evaluated as a concrete flow, with every NSG crossed. */
  readonly trace?: FlowResult;
}

export type SetOutcome =
  | { readonly status: "held"; readonly assertion: SetAssertion }
  | {
      readonly status: "failed";
      readonly assertion: SetAssertion;
      readonly why: string;
      readonly counterexample?: Counterexample;
      /** The whole offending set, summarized. */
      readonly offending?: Summary;
    }
  | {
      readonly status: "invalid";
      readonly assertion: SetAssertion;
      readonly why: string;
      readonly hint?: string;
    };

const text = (e: Endpoints) => (typeof e === "string" ? e : e.join(", "));

/** One offending part, with the hosts that name it. */
interface Offence {
  readonly part: PacketSet;
  readonly caller?: Host;
  readonly callee?: Host;
}

/** Checks set assertions over one network, sharing the analyzer's cached decisions. */
export class SetAssertionChecker {
  private readonly evaluator: FlowEvaluator;
  private readonly sets: HostSets;

  constructor(private readonly analyzer: ReachAnalyzer) {
    this.evaluator = new FlowEvaluator(analyzer.network, { resolver: analyzer.resolver });
    this.sets = new HostSets(analyzer);
  }

  check(assertion: SetAssertion): SetOutcome {
    try {
      switch (assertion.kind) {
        case "reach":
        case "isolate":
          return this.checkPair(assertion);
        case "onlyFrom":
          return this.checkOnlyFrom(assertion);
        case "exposure":
          return this.checkExposure(assertion);
      }
    } catch (e) {
      if (e instanceof InvalidSet)
        return {
          status: "invalid",
          assertion,
          why: e.message,
          ...(e.hint ? { hint: e.hint } : {}),
        };
      throw e;
    }
  }

  /**
   * The packets a claim that `from` reaches `to` requires to get through, as
   * the callee receives them; nothing when an end does not resolve.
   */
  needed(claim: { readonly from: Endpoints; readonly to: Endpoints } & TrafficScope): PacketSet {
    try {
      const scope = this.scope(claim);
      let needed = PacketSet.empty;
      for (const space of this.spaces(claim.from, claim.to))
        if (!space.local) needed = needed.union(space.possible.intersect(scope));
      return needed;
    } catch (e) {
      if (e instanceof InvalidSet) return PacketSet.empty;
      throw e;
    }
  }

  private scope(s: TrafficScope): PacketSet {
    return PacketSet.box({
      protocols: s.protocols ?? FLOW_PROTOCOLS,
      ...(s.ports ? { destinationPorts: s.ports } : {}),
    });
  }

  /** What crosses between every member of `from` and every member of `to`. */
  private spaces(from: Endpoints, to: Endpoints): PairSpace[] {
    const callers = this.sets.members(this.sets.resolve(from, "from"), true);
    const callees = this.sets.members(this.sets.resolve(to, "to"), true);
    if (callers.every((m) => m.kind === "outside") && callees.every((m) => m.kind === "outside"))
      throw new InvalidSet(
        `${text(from)} and ${text(to)} are both outside every network, so no NSG is involved`,
      );
    // One host on each side keeps the host-level answer, pair by pair.
    if (typeof from === "string" && typeof to === "string" && callers.length * callees.length === 1)
      return callers.flatMap((a) =>
        callees.flatMap((b) =>
          a.kind === "outside" && b.kind === "outside" ? [] : this.sets.pair(a, b),
        ),
      );
    return callers.flatMap((a) =>
      this.sets.pairAll(
        a,
        a.kind === "outside" ? callees.filter((b) => b.kind !== "outside") : callees,
      ),
    );
  }

  private checkPair(a: SetAssertion & { kind: "reach" | "isolate" }): SetOutcome {
    const spaces = this.spaces(a.from, a.to);
    const scope = this.scope(a);
    // One host named on each side keeps its own meaning: to itself, it reaches itself.
    const hostToHost = typeof a.from === "string" && typeof a.to === "string";
    let offending = PacketSet.empty;
    let first: Offence | undefined;
    for (const space of spaces) {
      if (space.local && !hostToHost) continue;
      if (a.kind === "reach" && space.possible.isEmpty()) {
        if (space.why === undefined && spaces.some((s) => !s.possible.isEmpty())) continue;
        return {
          status: "failed",
          assertion: a,
          why: space.why ?? `no packet from ${text(a.from)} can reach ${text(a.to)}`,
        };
      }
      const bad =
        a.kind === "reach"
          ? space.possible.intersect(scope).minus(space.allowed)
          : space.allowed.intersect(scope);
      const part = space.overlap ? offDiagonal(bad) : bad.isEmpty() ? undefined : bad;
      if (!part) continue;
      offending = offending.union(bad);
      first ??= {
        part,
        ...(space.caller ? { caller: space.caller } : {}),
        ...(space.callee ? { callee: space.callee } : {}),
      };
    }
    if (!first) return { status: "held", assertion: a };
    const why =
      a.kind === "reach"
        ? `some packets from ${text(a.from)} to ${text(a.to)} are denied`
        : `some packets from ${text(a.from)} reach ${text(a.to)}`;
    return this.failure(a, why, offending, first);
  }

  private checkOnlyFrom(a: SetAssertion & { kind: "onlyFrom" }): SetOutcome {
    const callees = this.estateMembers(a.to, "onlyFrom", true);
    const callers = this.sets.members(this.sets.resolve(a.from, "from"), true);
    const scope = this.scope(a);
    let offending = PacketSet.empty;
    let first: Offence | undefined;
    // Hosts no Internet host can reach on a public address, taken together.
    const plain = callees.filter(
      (b) =>
        b.kind === "block" ||
        (b.kind === "host" &&
          b.host.vnet !== undefined &&
          !b.host.publicAddress &&
          b.host.ingress === "Internal"),
    );
    for (const chunk of this.sets.chunks(plain)) {
      let permitted = AddressSet.empty;
      for (const c of callers)
        if (c.kind === "outside") permitted = permitted.union(c.addresses);
        else
          for (const space of this.sets.pairAll(c, chunk))
            permitted = permitted.union(space.possible.sources());
      const intruders = this.sets
        .arrivalsAll(chunk)
        .intersect(scope)
        .minus(PacketSet.box({ source: permitted }));
      const part = offDiagonal(intruders);
      if (!part) continue;
      offending = offending.union(intruders);
      first ??= { part };
    }
    for (const b of callees) {
      if (plain.includes(b)) continue;
      // The addresses each caller's packets carry when they arrive at b.
      let permitted = AddressSet.empty;
      for (const c of callers)
        if (c.kind === "outside") permitted = permitted.union(c.addresses);
        else
          for (const space of this.sets.pair(c, b))
            permitted = permitted.union(space.possible.sources());
      const intruders = this.sets
        .arrivals(b)
        .intersect(scope)
        .minus(PacketSet.box({ source: permitted }));
      const part =
        b.kind === "block" ? offDiagonal(intruders) : intruders.isEmpty() ? undefined : intruders;
      if (!part) continue;
      offending = offending.union(intruders);
      first ??= { part, ...(b.kind === "host" ? { callee: b.host } : {}) };
    }
    if (!first) return { status: "held", assertion: a };
    return this.failure(
      a,
      `packets from callers other than ${a.from.join(", ")} reach ${text(a.to)}`,
      offending,
      first,
    );
  }

  /** The hosts of an end that must be in the estate. */
  private estateMembers(to: Endpoints, kind: string, group = false): Member[] {
    const members = this.sets.members(this.sets.resolve(to, "to"), group);
    if (members.some((m) => m.kind === "outside"))
      throw new InvalidSet(
        `${text(to)}: the Internet is no host of the estate, so ${kind} cannot be claimed of it`,
        "name hosts, subnets, ASGs or CIDRs inside the networks",
      );
    return members;
  }

  private checkExposure(a: SetAssertion & { kind: "exposure" }): SetOutcome {
    let within = PacketSet.empty;
    for (const allowance of a.within) {
      let source: AddressSet | undefined;
      if (allowance.source !== undefined) {
        const set = this.sets.resolve(allowance.source, "from");
        if (set.hosts.length > 0 || set.rest.length > 0)
          throw new InvalidSet(
            `${allowance.source}: an exposure source is a CIDR, service tag or Internet`,
          );
        source = set.outside;
      }
      within = within.union(
        this.scope(allowance).intersect(PacketSet.box(source ? { source } : {})),
      );
    }
    let offending = PacketSet.empty;
    let first: Offence | undefined;
    for (const b of this.estateMembers(a.to, "exposure")) {
      // Unnamed hosts have no public address, and no load balancer sends to them.
      if (b.kind !== "host") continue;
      // What reaches the host on its own public address, and through public load balancers.
      const exposed = this.analyzer
        .fromOutside(this.analyzer.outside, b.host)
        .allowed.union(loadBalancedInto(this.analyzer, b.host));
      const beyond = exposed.minus(within);
      if (beyond.isEmpty()) continue;
      offending = offending.union(beyond);
      first ??= { part: beyond, callee: b.host };
    }
    if (!first) return { status: "held", assertion: a };
    return this.failure(
      a,
      `the Internet reaches ${text(a.to)} beyond what is allowed`,
      offending,
      first,
    );
  }

  /** The host that sends a packet: a known host presenting its source address, else whoever holds it. */
  private callerOf(packet: Packet): Host {
    const presenting = this.analyzer
      .knownHosts()
      .find(
        (h) => h.outboundAddress !== undefined && sameAddress(h.outboundAddress, packet.source),
      );
    return presenting ?? hostAt(this.analyzer.network, packet.source);
  }

  private failure(a: SetAssertion, why: string, offending: PacketSet, first: Offence): SetOutcome {
    const names = this.analyzer.network.addressNames;
    const packet = names.labelledPacket(first.part.witness() as Packet);
    const from = first.caller ?? this.callerOf(packet);
    const to = first.callee ?? hostAt(this.analyzer.network, packet.destination);
    const trace = this.evaluator.evaluateHosts(from, to, {
      protocol: packet.protocol,
      destinationPort: packet.destinationPort,
      sourcePort: packet.sourcePort,
    });
    const outcome: SetOutcome = withOffending(
      { status: "failed", assertion: a, why, counterexample: { packet, trace } },
      () => summarize(offending, OFFENDING_LINES, names),
    );
    tracedHosts.set(outcome, { from, to });
    return outcome;
  }
}

type Failed = SetOutcome & { readonly status: "failed" };

/**
 * A failed outcome whose `offending` summary is written when first read: a
 * large offending set takes milliseconds to write as lines, and a judge of
 * changes (spec-under-change.ts) may never show it. An own enumerable
 * property, as a plain one: JSON and spreads see it.
 */
function withOffending(outcome: Omit<Failed, "offending">, write: () => Summary): Failed {
  let written: Summary | undefined;
  return Object.defineProperty(outcome, "offending", {
    enumerable: true,
    configurable: true,
    get: () => {
      written ??= write();
      return written;
    },
  }) as Failed;
}

/** A claim that `from` reaches `to` in scope, as plain data. */
export type NeededClaim = { readonly from: Endpoints; readonly to: Endpoints } & TrafficScope;

/** What the claims need to get through, together, as the callees receive it. */
export function neededBy(analyzer: ReachAnalyzer, claims: readonly NeededClaim[]): PacketSet {
  const checker = new SetAssertionChecker(analyzer);
  let needed = PacketSet.empty;
  for (const claim of claims) needed = needed.union(checker.needed(claim));
  return needed;
}

/** The hosts each failed outcome's counterexample was traced between. */
const tracedHosts = new WeakMap<SetOutcome, { readonly from: Host; readonly to: Host }>();

/**
 * A failed outcome with its counterexample traced again by `evaluator`, whose
 * network allows exactly the packets the outcome's network did (a rule
 * shadowed, moved or deleted without effect): the offending packets and the
 * witness are the same, the rules a trace names may not be. Undefined when the
 * outcome was not made here.
 */
export function retraced(outcome: SetOutcome, evaluator: FlowEvaluator): SetOutcome | undefined {
  if (outcome.status !== "failed") return undefined;
  const hosts = tracedHosts.get(outcome);
  const packet = outcome.counterexample?.packet;
  if (!hosts || !packet) return undefined;
  const trace = evaluator.evaluateHosts(hosts.from, hosts.to, {
    protocol: packet.protocol,
    destinationPort: packet.destinationPort,
    sourcePort: packet.sourcePort,
  });
  // Copied with its properties as they are, so that a summary not yet written is not written here.
  const again = Object.defineProperties(
    {},
    {
      ...Object.getOwnPropertyDescriptors(outcome),
      counterexample: { value: { packet, trace }, enumerable: true },
    },
  ) as SetOutcome;
  tracedHosts.set(again, hosts);
  return again;
}

/** Lines of an offending set kept in an outcome (the JSON holds them all; text shows a few). */
const OFFENDING_LINES = 200;
