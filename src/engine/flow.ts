import type { Network } from "../model/network.js";
import { type Access, type Direction, watcherRuleName } from "../model/rule.js";
import type { IpAddress } from "../net/address.js";
import type { FlowProtocol } from "../net/protocol.js";
import { CompiledNsgs } from "./classifier.js";
import { type Host, resolveEndpoint } from "./endpoint.js";
import { formatPacket, type Packet } from "./packet.js";
import { NsgResolver } from "./resolve.js";
import { planRoute } from "./route.js";

/** A flow to evaluate: who calls whom, on which protocol and ports. */
export interface FlowQuery {
  readonly from: string;
  readonly to: string;
  readonly protocol: FlowProtocol;
  readonly destinationPort?: number;
  readonly sourcePort?: number;
}

/** What an NSG is bound to, as Network Watcher names it. */
export interface AppliedTo {
  readonly type: "subnet" | "networkInterface";
  readonly name: string;
}

/** One NSG crossed by the flow, and its verdict. */
export interface NsgEvaluation {
  readonly nsg: string;
  readonly appliedTo: AppliedTo;
  readonly direction: Direction;
  readonly packet: string;
  readonly access: Access;
  /** Network Watcher form: `securityRules/NAME` or `defaultSecurityRules/NAME`. */
  readonly rule: string;
  readonly priority: number;
}

export interface FlowResult {
  readonly access: Access;
  /** The deciding rule: the one that denied, or, when allowed, the last NSG's allowing rule. */
  readonly rule?: string;
  readonly nsg?: string;
  readonly appliedTo?: AppliedTo;
  readonly from: string;
  readonly to: string;
  /** How the packet travels: inside the network on private addresses, or across the Internet. */
  readonly route: "private" | "public" | "local" | "none";
  readonly reason: string;
  /** Every NSG crossed, in evaluation order. */
  readonly trace: readonly NsgEvaluation[];
  /** Return traffic of an allowed flow is allowed by connection state, whatever the rules say. */
  readonly returnTraffic: Access;
}

export const DEFAULT_SOURCE_PORT = 49152;

/** Evaluates flows over one network, exactly as Azure does, with resolved NSGs cached across calls. */
export class FlowEvaluator {
  private readonly resolver: NsgResolver;
  /** Each NSG direction is walked for its first flows, then compiled; later flows cost a few lookups. */
  private readonly compiled: CompiledNsgs;

  /** `compileAfter`: how many flows an NSG direction decides by walking its rules before it is compiled. */
  constructor(
    readonly network: Network,
    options: { readonly compileAfter?: number } = {},
  ) {
    this.resolver = new NsgResolver(network);
    this.compiled = new CompiledNsgs(options.compileAfter);
  }

  /** Resolves the endpoints and evaluates the flow; an unknown endpoint is an error, not a verdict. */
  evaluate(
    query: FlowQuery,
  ): { ok: true; result: FlowResult } | { ok: false; message: string; hint?: string } {
    let from = resolveEndpoint(this.network, query.from);
    let to = resolveEndpoint(this.network, query.to);
    if (!from.ok) return from;
    if (!to.ok) return to;
    // A set-valued endpoint takes the family of the other side.
    if (from.host.representative && to.host.address.family === 6)
      from = resolveEndpoint(this.network, query.from, 6);
    if (to.host.representative && from.ok && from.host.address.family === 6)
      to = resolveEndpoint(this.network, query.to, 6);
    if (!from.ok) return from;
    if (!to.ok) return to;
    if (from.host.vnet === undefined && to.host.vnet === undefined)
      return {
        ok: false,
        message: `neither ${from.host.label} nor ${to.host.label} is in a virtual network, so no NSG is involved`,
        hint: "one end must be an environment, network interface, subnet or an address inside a virtual network",
      };
    return { ok: true, result: this.evaluateHosts(from.host, to.host, query) };
  }

  evaluateHosts(from: Host, to: Host, query: Omit<FlowQuery, "from" | "to">): FlowResult {
    const base = { from: from.label, to: to.label };
    const route = planRoute(from, to, this.network);
    if (route.kind === "none")
      return {
        ...base,
        access: "Deny",
        route: "none",
        reason: route.reason,
        trace: [],
        returnTraffic: "Deny",
      };
    if (route.kind === "local")
      return {
        ...base,
        access: "Allow",
        route: "local",
        reason: "the traffic stays inside the host and crosses no NSG",
        trace: [],
        returnTraffic: "Allow",
      };
    const packetOf = (source: IpAddress, destination: IpAddress): Packet => ({
      protocol: query.protocol,
      source,
      sourcePort: query.sourcePort ?? DEFAULT_SOURCE_PORT,
      destination,
      destinationPort: query.destinationPort ?? 0,
    });
    const stages: {
      nsg: string;
      appliedTo: AppliedTo;
      direction: Direction;
      vnet: string;
      packet: Packet;
    }[] = [];
    if (from.vnet !== undefined) {
      // Outbound rules see the private source, before the platform translates it.
      const packet = packetOf(from.address, route.outboundDestination);
      if (from.nic?.nsg)
        stages.push(
          stage(from.nic.nsg, "networkInterface", from.nic.name, "Outbound", from.vnet, packet),
        );
      if (from.subnet?.nsg)
        stages.push(
          stage(from.subnet.nsg, "subnet", from.subnet.id, "Outbound", from.vnet, packet),
        );
    }
    if (to.vnet !== undefined) {
      // Inbound rules see the address the caller presents and the private destination.
      const packet = packetOf(route.presentedSource, to.address);
      if (to.subnet?.nsg)
        stages.push(stage(to.subnet.nsg, "subnet", to.subnet.id, "Inbound", to.vnet, packet));
      if (to.nic?.nsg)
        stages.push(stage(to.nic.nsg, "networkInterface", to.nic.name, "Inbound", to.vnet, packet));
    }
    const trace: NsgEvaluation[] = [];
    for (const s of stages) {
      const rule = this.compiled.firstMatch(
        this.resolver.resolve(s.nsg, s.vnet),
        s.direction,
        s.packet,
      );
      const evaluation: NsgEvaluation = {
        nsg: s.nsg,
        appliedTo: s.appliedTo,
        direction: s.direction,
        packet: formatPacket(s.packet),
        access: rule.access,
        rule: watcherRuleName(rule.rule),
        priority: rule.priority,
      };
      trace.push(evaluation);
      if (rule.access === "Deny")
        return verdict(base, route.kind, trace, `denied by ${evaluation.rule} of ${s.nsg}`);
    }
    if (trace.length === 0)
      return {
        ...base,
        access: "Allow",
        route: route.kind,
        reason: "no NSG on the path",
        trace,
        returnTraffic: "Allow",
      };
    return verdict(base, route.kind, trace, "every NSG on the path allows it");
  }
}

function stage(
  nsg: string,
  type: AppliedTo["type"],
  name: string,
  direction: Direction,
  vnet: string,
  packet: Packet,
): { nsg: string; appliedTo: AppliedTo; direction: Direction; vnet: string; packet: Packet } {
  return { nsg, appliedTo: { type, name }, direction, vnet, packet };
}

function verdict(
  base: { from: string; to: string },
  route: "private" | "public",
  trace: NsgEvaluation[],
  reason: string,
): FlowResult {
  const decider = trace[trace.length - 1] as NsgEvaluation;
  return {
    ...base,
    access: decider.access,
    rule: decider.rule,
    nsg: decider.nsg,
    appliedTo: decider.appliedTo,
    route,
    reason,
    trace,
    returnTraffic: decider.access,
  };
}
