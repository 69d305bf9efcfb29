import type { Network } from "../model/network.js";
import type { Access } from "../model/rule.js";
import { displayAddress, type IpAddress } from "../net/address.js";
import type { FlowProtocol } from "../net/protocol.js";
import { applicationGatewayFlow, type GatewayProxying } from "./application-gateway-flow.js";
import { CompiledNsgs } from "./classifier.js";
import { type Host, resolveEndpoint } from "./endpoint.js";
import { type LoadBalancing, loadBalancedFlow } from "./load-balanced-flow.js";
import {
  type AppliedTo,
  evaluateStages,
  type NsgEvaluation,
  type NsgStage,
  type NsgVerdict,
  nsgStages,
} from "./nsg-chain.js";
import { type Egress, type EgressSource, egressOf, isNoEgress } from "./outbound.js";
import type { Packet } from "./packet.js";
import { privateEndpointNote, privateEndpointStages } from "./private-endpoint-flow.js";
import { NsgResolver } from "./resolve.js";
import { closedPublicIp, planRoute, type Route, vnetsConnected } from "./route.js";
import { describeSelectedRoute, type SelectedRoute } from "./route-selection.js";

export type { AppliedTo, NsgEvaluation, NsgVerdict } from "./nsg-chain.js";

/** A flow to evaluate: who calls whom, on which protocol and ports. */
export interface FlowQuery {
  readonly from: string;
  readonly to: string;
  readonly protocol: FlowProtocol;
  readonly destinationPort?: number;
  readonly sourcePort?: number;
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
  /** How the packet travels, in words, or why it cannot. */
  readonly routeReason: string;
  /** The route it follows out of the caller's subnet (a user route or a system route), when it leaves one. */
  readonly nextHop?: SelectedRoute;
  /** The verdict as a whole: what decided, the route or the NSGs. */
  readonly reason: string;
  /**
   * The NSGs' own verdict, apart from the route. With no route it is taken on the
   * addresses the packet would carry, so that "no route" is never read as a rule's
   * denial; absent when no packet can be formed (ends of different families).
   */
  readonly nsgs?: NsgVerdict;
  /** Every NSG crossed, in evaluation order (none when the packet cannot travel). */
  readonly trace: readonly NsgEvaluation[];
  /** Return traffic of an allowed flow is allowed by connection state, whatever the rules say. */
  readonly returnTraffic: Access;
  /** To a load balancer's frontend: the rule that forwards it, and the verdict for each backend. */
  readonly loadBalancer?: LoadBalancing;
  /** To an application gateway's frontend: the listener, and the gateway's own connection to each backend. */
  readonly applicationGateway?: GatewayProxying;
  /** Leaving a virtual network for the Internet: the way out, and the address the Internet sees (outbound.ts). */
  readonly egress?: Egress;
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
    options: {
      readonly compileAfter?: number;
      /** A resolver of the same network to share (one that resolved its NSGs already). */
      readonly resolver?: NsgResolver;
    } = {},
  ) {
    this.resolver = options.resolver ?? new NsgResolver(network);
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
    if (from.host.privateEndpoint)
      return {
        ok: false,
        message: `${from.host.label} receives flows to the resource it reaches; it starts none`,
        hint: "name the host that calls the private endpoint",
      };
    if (from.host.gatewayFrontend)
      return {
        ok: false,
        message: `${from.host.label} receives requests and makes its own connections to its backends`,
        hint: "to follow the gateway's connection to a backend, name the backend as the destination of a flow to the gateway",
      };
    if (to.host.gatewayFrontend)
      return {
        ok: true,
        result: applicationGatewayFlow(this, from.host, to.host, to.host.gatewayFrontend, {
          ...query,
          sourcePort: query.sourcePort ?? DEFAULT_SOURCE_PORT,
        }),
      };
    if (from.host.frontend)
      return {
        ok: false,
        message: `${from.host.label} receives flows and forwards them to its backends; it starts none`,
        hint: "name a backend, or the host that calls the load balancer",
      };
    if (to.host.frontend)
      return {
        ok: true,
        result: loadBalancedFlow(this, from.host, to.host, to.host.frontend, {
          ...query,
          sourcePort: query.sourcePort ?? DEFAULT_SOURCE_PORT,
        }),
      };
    if (to.host.natGateway !== undefined) {
      const reason = `NAT gateway ${to.host.natGateway} takes no inbound connection: ${to.host.label} is not a way in`;
      return {
        ok: true,
        result: {
          from: from.host.label,
          to: to.host.label,
          access: "Deny",
          route: "none",
          routeReason: reason,
          reason: `no route: ${reason}`,
          nsgs: { access: "Allow", evaluations: [] },
          trace: [],
          returnTraffic: "Deny",
        },
      };
    }
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
    if (route.kind === "local")
      return {
        ...base,
        access: "Allow",
        route: "local",
        routeReason: STAYS_IN_HOST,
        reason: STAYS_IN_HOST,
        nsgs: { access: "Allow", evaluations: [] },
        trace: [],
        returnTraffic: "Allow",
      };
    if (route.kind === "none") {
      const addresses = unroutedAddresses(from, to, this.network);
      const nsgs = addresses && this.evaluateNsgs(from, to, query, addresses);
      return {
        ...base,
        access: "Deny",
        route: "none",
        routeReason: route.reason,
        ...(route.hop ? { nextHop: route.hop } : {}),
        reason: `no route: ${route.reason}${nsgs ? `; ${whatTheNsgsWouldDo(nsgs)}` : ""}`,
        ...(nsgs ? { nsgs } : {}),
        trace: [],
        returnTraffic: "Deny",
      };
    }
    const egress =
      route.kind === "public" && from.vnet !== undefined && !from.platform
        ? egressOf(this.network, egressSource(from, this.network), route.hop, query.protocol)
        : undefined;
    if (egress && isNoEgress(egress, query.protocol)) {
      const addresses = unroutedAddresses(from, to, this.network);
      const nsgs = addresses && this.evaluateNsgs(from, to, query, addresses);
      return {
        ...base,
        access: "Deny",
        route: "none",
        routeReason: egress.reason,
        ...(route.hop ? { nextHop: route.hop } : {}),
        reason: `no route: ${egress.reason}${nsgs ? `; ${whatTheNsgsWouldDo(nsgs)}` : ""}`,
        ...(nsgs ? { nsgs } : {}),
        trace: [],
        returnTraffic: "Deny",
        egress,
      };
    }
    const withEgress = egress ? { egress } : {};
    const nsgs = this.evaluateNsgs(from, to, query, route);
    // Behind a Standard public IP with no NSG, the NSGs' "allow" is not the last word.
    const closed = route.kind === "public" ? closedPublicIp(to) : undefined;
    if (closed !== undefined && nsgs.access === "Allow")
      return {
        ...base,
        access: "Deny",
        route: route.kind,
        routeReason: describeRoute(route, to, this.network),
        ...(route.hop ? { nextHop: route.hop } : {}),
        reason: closed,
        nsgs,
        trace: nsgs.evaluations,
        returnTraffic: "Deny",
        ...withEgress,
      };
    return {
      ...base,
      access: nsgs.access,
      ...(nsgs.rule ? { rule: nsgs.rule, nsg: nsgs.nsg, appliedTo: nsgs.appliedTo } : {}),
      route: route.kind,
      routeReason: describeRoute(route, to, this.network),
      ...(route.hop ? { nextHop: route.hop } : {}),
      reason:
        (nsgs.evaluations.length === 0
          ? "no NSG on the path"
          : nsgs.access === "Deny"
            ? `denied by ${nsgs.rule} of ${nsgs.nsg}`
            : "every NSG on the path allows it") +
        beyondTheModel(route) +
        (to.privateEndpoint
          ? `; ${privateEndpointNote(to.privateEndpoint) ?? "no NSG is on its subnet"}`
          : ""),
      nsgs,
      trace: nsgs.evaluations,
      returnTraffic: nsgs.access,
      ...withEgress,
    };
  }

  /** The NSGs' verdict on packets at given stages, with this evaluator's resolved and compiled NSGs. */
  evaluateStages(stages: readonly NsgStage[]): NsgVerdict {
    return evaluateStages(stages, this.resolver, this.compiled);
  }

  /** The NSGs on the path, the caller's outbound ones and then the callee's inbound ones. */
  private evaluateNsgs(
    from: Host,
    to: Host,
    query: Omit<FlowQuery, "from" | "to">,
    addresses: Addresses,
  ): NsgVerdict {
    const packetOf = (source: IpAddress, destination: IpAddress): Packet => ({
      protocol: query.protocol,
      source,
      sourcePort: query.sourcePort ?? DEFAULT_SOURCE_PORT,
      destination,
      destinationPort: query.destinationPort ?? 0,
    });
    const stages: NsgStage[] = [];
    // Outbound rules see the private source, before the platform translates it.
    if (from.vnet !== undefined)
      stages.push(
        ...nsgStages(
          "Outbound",
          from,
          from.vnet,
          packetOf(from.address, addresses.outboundDestination),
        ),
      );
    // Inbound rules see the address the caller presents and the private destination.
    const arriving = packetOf(addresses.presentedSource, to.address);
    if (to.privateEndpoint) stages.push(...privateEndpointStages(to.privateEndpoint, arriving));
    else if (to.vnet !== undefined) stages.push(...nsgStages("Inbound", to, to.vnet, arriving));
    return evaluateStages(stages, this.resolver, this.compiled);
  }
}

/** What the egress of a host depends on: its subnet, its IP configuration, an environment's declared address. */
function egressSource(host: Host, network: Network): EgressSource {
  const config = host.nic?.ipConfigurations.find(
    (c) => c.address.family === host.address.family && c.address.value === host.address.value,
  );
  const declared =
    host.environment === undefined
      ? undefined
      : network.environments.get(host.environment)?.outboundAddress;
  return {
    ...(host.subnet ? { subnet: host.subnet } : {}),
    ...(config ? { config } : {}),
    ...(host.nic?.flexibleScaleSet && host.nic.scaleSet !== undefined
      ? { flexibleScaleSet: host.nic.scaleSet }
      : {}),
    ...(declared && host.environment !== undefined
      ? { environment: host.environment, declaredOutbound: declared }
      : {}),
  };
}

const STAYS_IN_HOST = "the traffic stays inside the host and crosses no NSG";

type Addresses = { readonly outboundDestination: IpAddress; readonly presentedSource: IpAddress };

/**
 * The addresses a packet with no route would carry, for asking the NSGs what
 * they would do: the callee's public address and the caller's outbound one when
 * the two are not in connected networks and have them, else their own addresses.
 * Undefined when the two ends are of different families: no packet carries both.
 */
function unroutedAddresses(from: Host, to: Host, network: Network): Addresses | undefined {
  const apart = to.vnet !== undefined && !vnetsConnected(network, from.vnet, to.vnet);
  const presentedSource =
    apart && from.vnet !== undefined ? (from.outboundAddress ?? from.address) : from.address;
  const outboundDestination = apart ? (to.publicAddress ?? to.address) : to.address;
  if (
    from.address.family !== outboundDestination.family ||
    presentedSource.family !== to.address.family
  )
    return undefined;
  return { outboundDestination, presentedSource };
}

function whatTheNsgsWouldDo(nsgs: NsgVerdict): string {
  if (nsgs.evaluations.length === 0) return "no NSG would filter it";
  return nsgs.access === "Allow"
    ? "the NSGs would allow it"
    : `the NSGs would deny it too, by ${nsgs.rule} of ${nsgs.nsg}`;
}

/**
 * What a route to an appliance or a gateway leaves open: tierwall does not
 * model what either does, so an allowed flow is allowed if it passes them.
 */
function beyondTheModel(route: Route): string {
  if (route.kind !== "private" && route.kind !== "public") return "";
  if (route.hop?.nextHopType === "VirtualAppliance")
    return `, if the appliance at ${displayAddress(route.hop.nextHopIpAddress ?? route.outboundDestination)} forwards it`;
  if (route.hop?.nextHopType === "VirtualNetworkGateway" && route.hop.source === "User")
    return ", if what lies beyond the virtual network gateway sends it on";
  return "";
}

function describeRoute(
  route: Route & { kind: "private" | "public" },
  to: Host,
  network: Network,
): string {
  const hop = route.hop;
  const how = hop ? describeHop(route, hop, network) : undefined;
  if (how !== undefined) return how;
  if (route.kind === "private")
    return `on private addresses, inside connected networks${route.note ? `; ${route.note}` : ""}`;
  const destination = displayAddress(route.outboundDestination);
  if (to.vnet === undefined) return `across the Internet, to ${destination}`;
  const source = displayAddress(route.presentedSource);
  const translated = displayAddress(to.address);
  const note = route.note ? `; ${route.note}` : "";
  return `across the Internet, from ${source} to ${destination}${translated === destination ? "" : `, translated to ${translated}`}${note}`;
}

/**
 * A route that is not the plain way (an appliance, a gateway, a user route) in
 * words; undefined for Azure's system routes within networks and to the Internet.
 */
function describeHop(
  route: Route & { kind: "private" | "public" },
  hop: SelectedRoute,
  network: Network,
): string | undefined {
  const by = describeSelectedRoute(hop);
  const destination = displayAddress(route.outboundDestination);
  const note = route.note ? `; ${route.note}` : "";
  if (hop.nextHopType === "VirtualAppliance") {
    const appliance = hop.nextHopIpAddress;
    const holder = appliance && applianceName(network, appliance);
    return `leaves through the appliance at ${appliance ? displayAddress(appliance) : "?"}${holder ? ` (${holder})` : ""}, by ${by}, toward ${destination}; tierwall does not model what the appliance does: the NSGs shown are those of the direct path${note}`;
  }
  if (hop.nextHopType === "VirtualNetworkGateway")
    return `to the virtual network gateway${hop.network ? ` of ${hop.network}` : ""} (on-premises), by ${by}, toward ${destination}${hop.source === "User" ? "; tierwall does not model the gateway or what lies beyond it" : ""}`;
  if (hop.source === "User")
    return `${route.kind === "private" ? "on private addresses" : "across the Internet"}, by ${by}, to ${destination}`;
  return undefined;
}

/** The network interface or environment that holds an appliance's address, if the deployment has it. */
function applianceName(network: Network, address: IpAddress): string | undefined {
  for (const nic of network.nics.values())
    for (const c of nic.ipConfigurations)
      if (c.address.family === address.family && c.address.value === address.value)
        return `network interface ${nic.name}`;
  for (const env of network.environments.values())
    if (env.privateAddress.family === address.family && env.privateAddress.value === address.value)
      return `environment ${env.name}`;
  return undefined;
}
