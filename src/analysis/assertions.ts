import { type Host, hostAt, resolveEndpoint } from "../engine/endpoint.js";
import { FlowEvaluator, type FlowResult } from "../engine/flow.js";
import type { Packet } from "../engine/packet.js";
import type { SourceLocation, ValuePath } from "../model/diagnostic.js";
import { isBuiltInTag } from "../model/service-tags.js";
import { sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import type { PortRange } from "../net/ports.js";
import { parsePrefix } from "../net/prefix.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../net/protocol.js";
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

/** Assertions over every packet, not sample flows. */
export type SetAssertion =
  /** Every packet from `from` to `to` in scope is allowed. */
  | (Common & { readonly kind: "reach"; readonly from: string; readonly to: string })
  /** No packet from `from` to `to` in scope is allowed. */
  | (Common & { readonly kind: "isolate"; readonly from: string; readonly to: string })
  /** Whatever reaches `to` in scope comes from the listed callers only. */
  | (Common & { readonly kind: "onlyFrom"; readonly from: readonly string[]; readonly to: string })
  /** What the Internet can reach of `to` lies within the listed traffic. */
  | (Common & {
      readonly kind: "exposure";
      readonly to: string;
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

/** A set of callers: one host, or addresses on the Internet. */
type Callers =
  | { kind: "host"; host: Host }
  | { kind: "outside"; addresses: AddressSet; label: string };

class Invalid extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Checks set assertions over one network, sharing the analyzer's cached decisions. */
export class SetAssertionChecker {
  private readonly evaluator: FlowEvaluator;

  constructor(private readonly analyzer: ReachAnalyzer) {
    this.evaluator = new FlowEvaluator(analyzer.network);
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
      if (e instanceof Invalid)
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
  needed(claim: { readonly from: string; readonly to: string } & TrafficScope): PacketSet {
    try {
      return this.flow(this.callers(claim.from), this.host(claim.to)).possible.intersect(
        this.scope(claim),
      );
    } catch (e) {
      if (e instanceof Invalid) return PacketSet.empty;
      throw e;
    }
  }

  private scope(s: TrafficScope): PacketSet {
    return PacketSet.box({
      protocols: s.protocols ?? FLOW_PROTOCOLS,
      ...(s.ports ? { destinationPorts: s.ports } : {}),
    });
  }

  private host(text: string): Host {
    const r = resolveEndpoint(this.analyzer.network, text);
    if (!r.ok) throw new Invalid(r.message, r.hint);
    if (r.host.frontend)
      throw new Invalid(
        `${text} is a load balancer's frontend, which forwards to its backends`,
        "name a backend here, or check the frontend with a flow assertion",
      );
    if (r.host.representative && !text.startsWith("subnet:"))
      throw new Invalid(
        `${text} stands for many hosts; name one host here`,
        "an environment, a network interface or an address",
      );
    return r.host;
  }

  /** Callers: a host, or a set outside every network (Internet, a service tag, a CIDR). */
  private callers(text: string): Callers {
    const network = this.analyzer.network;
    const tag = text.startsWith("tag:") ? text.slice(4) : text;
    if (tag === "Internet")
      return { kind: "outside", addresses: this.analyzer.outside, label: "Internet" };
    if (!isBuiltInTag(tag) && network.serviceTags.has(tag))
      return {
        kind: "outside",
        addresses: AddressSet.of(network.serviceTags.prefixes(tag) ?? []),
        label: tag,
      };
    // Addresses on the Internet, one or a block; a block must not reach into a network.
    const parsed = parsePrefix(text);
    if (parsed.ok) {
      const addresses = AddressSet.of([parsed.prefix]);
      if (addresses.minus(this.analyzer.outside).isEmpty())
        return { kind: "outside", addresses, label: text };
      if (parsed.prefix.first !== parsed.prefix.last)
        throw new Invalid(
          `${text} overlaps a virtual network`,
          "name hosts inside a network by environment, NIC or address",
        );
    } else if (text.includes("/")) throw new Invalid(`${text} is not a valid CIDR block`);
    return { kind: "host", host: this.host(text) };
  }

  /** What crosses from callers to a host, and what they could send at all, as the callee receives it. */
  private flow(
    callers: Callers,
    to: Host,
  ): { allowed: PacketSet; possible: PacketSet; why?: string } {
    if (callers.kind === "outside") {
      const space = this.analyzer.fromOutside(callers.addresses, to);
      if (space.possible.isEmpty() && !to.publicAddress)
        return {
          ...space,
          why: `${to.label} has no public address, so no Internet host can reach it`,
        };
      return space;
    }
    const space = this.analyzer.flow(callers.host, to);
    return space.route.kind === "none" ? { ...space, why: space.route.reason } : space;
  }

  private checkPair(a: SetAssertion & { kind: "reach" | "isolate" }): SetOutcome {
    const callers = this.callers(a.from);
    const to = this.host(a.to);
    const { allowed, possible, why } = this.flow(callers, to);
    const scope = this.scope(a);
    if (a.kind === "reach") {
      if (possible.isEmpty())
        return {
          status: "failed",
          assertion: a,
          why: why ?? `no packet from ${a.from} can reach ${a.to}`,
        };
      const missing = possible.intersect(scope).minus(allowed);
      if (missing.isEmpty()) return { status: "held", assertion: a };
      return this.failure(
        a,
        `some packets from ${a.from} to ${a.to} are denied`,
        missing,
        callers,
        to,
      );
    }
    const leaking = allowed.intersect(scope);
    if (leaking.isEmpty()) return { status: "held", assertion: a };
    return this.failure(a, `some packets from ${a.from} reach ${a.to}`, leaking, callers, to);
  }

  private checkOnlyFrom(a: SetAssertion & { kind: "onlyFrom" }): SetOutcome {
    const to = this.host(a.to);
    let permitted = AddressSet.empty;
    for (const text of a.from) {
      const callers = this.callers(text);
      if (callers.kind === "outside") permitted = permitted.union(callers.addresses);
      else {
        const space = this.analyzer.flow(callers.host, to);
        if (space.route.kind === "private" || space.route.kind === "public") {
          const presented = space.route.presentedSource;
          permitted = permitted.union(AddressSet.ofAddresses([presented]));
        }
      }
    }
    const intruders = this.analyzer
      .arrivals(to)
      .intersect(this.scope(a))
      .minus(PacketSet.box({ source: permitted }));
    if (intruders.isEmpty()) return { status: "held", assertion: a };
    return this.failure(
      a,
      `packets from callers other than ${a.from.join(", ")} reach ${a.to}`,
      intruders,
      undefined,
      to,
    );
  }

  private checkExposure(a: SetAssertion & { kind: "exposure" }): SetOutcome {
    const to = this.host(a.to);
    // What reaches the host on its own public address, and through public load balancers.
    const exposed = this.analyzer
      .fromOutside(this.analyzer.outside, to)
      .allowed.union(loadBalancedInto(this.analyzer, to));
    let within = PacketSet.empty;
    for (const allowance of a.within) {
      const source = allowance.source === undefined ? undefined : this.callers(allowance.source);
      if (source?.kind === "host")
        throw new Invalid(
          `${allowance.source}: an exposure source is a CIDR, service tag or Internet`,
        );
      within = within.union(
        this.scope(allowance).intersect(PacketSet.box(source ? { source: source.addresses } : {})),
      );
    }
    const beyond = exposed.minus(within);
    if (beyond.isEmpty()) return { status: "held", assertion: a };
    return this.failure(
      a,
      `the Internet reaches ${a.to} beyond what is allowed`,
      beyond,
      undefined,
      to,
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

  private failure(
    a: SetAssertion,
    why: string,
    offending: PacketSet,
    callers: Callers | undefined,
    to: Host,
  ): SetOutcome {
    const names = this.analyzer.network.addressNames;
    const packet = names.labelledPacket(offending.witness() as Packet);
    const from = callers?.kind === "host" ? callers.host : this.callerOf(packet);
    const trace = this.evaluator.evaluateHosts(from, to, {
      protocol: packet.protocol,
      destinationPort: packet.destinationPort,
      sourcePort: packet.sourcePort,
    });
    return {
      status: "failed",
      assertion: a,
      why,
      counterexample: { packet, trace },
      offending: summarize(offending, 20, names),
    };
  }
}
