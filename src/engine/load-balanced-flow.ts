/**
 * A flow to a load balancer's frontend. The load balancer is a pass-through:
 * the rule that takes the frontend, protocol and port (a load-balancing rule
 * or an inbound NAT rule) translates the destination to each backend's
 * private address and backend port, keeping the client's address, and the
 * NSGs on the backend's subnet and interface judge the translated packet
 * ("The source port and address range applied are from the originating
 * computer, not the load balancer. The destination port and address range are
 * for the destination computer"). A Standard load balancer is closed to
 * inbound flows from outside its network unless an NSG allows them, a Basic
 * one open; a backend whose NSGs deny its health probe (from 168.63.129.16,
 * AzureLoadBalancer) is marked down and gets no new flows.
 */

import type { LoadBalancerSku } from "../model/load-balancer-types.js";
import type { BackendInfo, ForwardingInfo, FrontendInfo } from "../model/load-balancers.js";
import { describeForwarding } from "../model/load-balancers.js";
import { AZURE_HOST_ADDRESS } from "../model/network.js";
import { displayAddress, type IpAddress, sameAddress } from "../net/address.js";
import { formatPortRange } from "../net/ports.js";
import type { Host } from "./endpoint.js";
import type { FlowEvaluator, FlowQuery, FlowResult } from "./flow.js";
import { type NsgStage, type NsgVerdict, nsgStages } from "./nsg-chain.js";
import type { Packet } from "./packet.js";
import { planRoute, vnetsConnected } from "./route.js";

/** The forwarding a flow to a frontend met, and what became of it at each backend. */
export interface LoadBalancing {
  readonly loadBalancer: string;
  readonly sku: LoadBalancerSku;
  readonly frontend: string;
  /** The frontend's address as shown (`<pip-lb>` when not known). */
  readonly frontendAddress: string;
  readonly frontendPort: number;
  /** The rule that forwards the flow; absent when none takes the frontend's port. */
  readonly rule?: {
    readonly kind: "loadBalancingRule" | "inboundNatRule" | "inboundNatPool";
    readonly name: string;
    readonly natVersion?: 1 | 2;
    readonly protocol: string;
    readonly frontendPorts: string;
    /** The backends' port for this flow. */
    readonly backendPort: number;
    readonly pool?: string;
    readonly probe?: { readonly name: string; readonly protocol: string; readonly port: number };
    readonly floatingIp: boolean;
  };
  readonly backends: readonly BackendVerdict[];
}

export interface BackendVerdict {
  readonly backend: string;
  /** `10.0.0.4:3389`, where the flow is translated to. */
  readonly translatedTo: string;
  /** Whether the backend answers its health probe, as its NSGs decide. */
  readonly probe?: {
    readonly access: "Allow" | "Deny";
    readonly rule?: string;
    readonly nsg?: string;
    readonly packet: string;
  };
  readonly result: FlowResult;
}

/** The flow's protocol and ports; the source port is given (flow.ts picks the default). */
type Query = Omit<FlowQuery, "from" | "to"> & { readonly sourcePort: number };

export function loadBalancedFlow(
  evaluator: FlowEvaluator,
  from: Host,
  to: Host,
  frontend: FrontendInfo,
  query: Query,
): FlowResult {
  const network = evaluator.network;
  const lb = network.loadBalancers.get(frontend.loadBalancer);
  const port = query.destinationPort ?? 0;
  const forwarding = lb?.forwardings.find(
    (f) =>
      f.frontend === frontend &&
      (f.protocols as readonly string[]).includes(query.protocol) &&
      f.frontendPorts.first <= port &&
      port <= f.frontendPorts.last,
  );
  const base: LoadBalancing = {
    loadBalancer: frontend.loadBalancer,
    sku: frontend.sku,
    frontend: frontend.name,
    frontendAddress: displayAddress(frontend.address),
    frontendPort: port,
    backends: [],
  };
  if (!forwarding) {
    const what =
      query.protocol === "Tcp" || query.protocol === "Udp"
        ? `no load-balancing or inbound NAT rule takes ${query.protocol} port ${port} of frontend ${frontend.name}`
        : `a load balancer forwards TCP and UDP only, not ${query.protocol}`;
    return unrouted(from, to, `load balancer ${frontend.loadBalancer}: ${what}`, base);
  }
  const backendPort = forwarding.backendPort === 0 ? port : forwarding.backendPort;
  const loadBalancing: LoadBalancing = {
    ...base,
    rule: {
      kind: forwarding.kind,
      name: forwarding.name,
      ...(forwarding.natVersion ? { natVersion: forwarding.natVersion } : {}),
      protocol: forwarding.protocols.length > 1 ? "All" : (forwarding.protocols[0] ?? "Tcp"),
      frontendPorts: formatPortRange(forwarding.frontendPorts),
      backendPort,
      ...(forwarding.pool ? { pool: forwarding.pool } : {}),
      ...(forwarding.probe ? { probe: forwarding.probe } : {}),
      floatingIp: forwarding.floatingIp,
    },
  };
  if (forwarding.backends.length === 0)
    return unrouted(
      from,
      to,
      `${describeForwarding(forwarding)} of load balancer ${frontend.loadBalancer} has no backend${forwarding.pool ? ` (pool ${forwarding.pool} is empty)` : " (no IP configuration names it)"}`,
      loadBalancing,
    );
  const backends = forwarding.backends.map((backend) =>
    backendVerdict(
      evaluator,
      from,
      frontend,
      forwarding,
      backend,
      { ...query, destinationPort: backendPort },
      port,
    ),
  );
  return summarize(from, to, { ...loadBalancing, backends }, forwarding);
}

/** No packet is forwarded: the answer is the route's. */
function unrouted(from: Host, to: Host, reason: string, loadBalancer: LoadBalancing): FlowResult {
  return {
    access: "Deny",
    from: from.label,
    to: to.label,
    route: "none",
    routeReason: reason,
    reason: `no route: ${reason}`,
    trace: [],
    returnTraffic: "Deny",
    loadBalancer,
  };
}

/** One backend's verdict: the route to the frontend, the probe, the NSGs on the translated packet. */
function backendVerdict(
  evaluator: FlowEvaluator,
  from: Host,
  frontend: FrontendInfo,
  forwarding: ForwardingInfo,
  backend: BackendInfo,
  query: Query & { destinationPort: number },
  frontendPort: number,
): BackendVerdict {
  const network = evaluator.network;
  const translatedTo = `${displayAddress(backend.address)}:${query.destinationPort}`;
  const backendHost: Host = {
    label: backend.label,
    address: backend.address,
    vnet: backend.vnet,
    ...(backend.subnet ? { subnet: backend.subnet } : {}),
    ...(backend.nic ? { nic: backend.nic } : {}),
    ...(frontend.publicIp ? { publicAddress: frontend.address, publicIp: frontend.publicIp } : {}),
    ingress: frontend.publicIp ? "External" : "Internal",
  };
  const label = { from: from.label, to: backend.label };
  const none = (reason: string): BackendVerdict => ({
    backend: backend.label,
    translatedTo,
    result: {
      ...label,
      access: "Deny",
      route: "none",
      routeReason: reason,
      reason: `no route: ${reason}`,
      trace: [],
      returnTraffic: "Deny",
    },
  });
  // How the client reaches the frontend, and the address it presents there.
  let presented: IpAddress;
  let kind: "public" | "private";
  if (frontend.publicIp) {
    const route = planRoute(from, backendHost, network);
    if (route.kind === "none") return none(route.reason);
    if (route.kind !== "public") return none("the frontend is reached across the Internet only");
    presented = route.presentedSource;
    kind = "public";
  } else {
    const vnet = frontend.subnet?.vnet;
    if (!from.platform && !vnetsConnected(network, from.vnet, vnet))
      return none(
        `frontend ${frontend.name} of internal load balancer ${frontend.loadBalancer} is reached only from virtual network ${vnet} and networks peered with it`,
      );
    if (from.address.family !== frontend.address.family)
      return none("the two ends have addresses of different families (IPv4 and IPv6)");
    if (sameAddress(from.address, backend.address))
      return none(
        `${backend.label} calls the frontend of the internal load balancer it is a backend of; a flow sent back to itself fails`,
      );
    presented = from.address;
    kind = "private";
  }
  if (presented.family !== backend.address.family)
    return none("the frontend and the backend have addresses of different families");
  const packet = (source: IpAddress, destination: IpAddress, port: number): Packet => ({
    protocol: query.protocol,
    source,
    sourcePort: query.sourcePort,
    destination,
    destinationPort: port,
  });
  const stages: NsgStage[] = [];
  if (from.vnet !== undefined)
    stages.push(
      ...nsgStages(
        "Outbound",
        from,
        from.vnet,
        packet(from.address, frontend.address, frontendPort),
      ),
    );
  // Floating IP leaves the frontend's address as the destination the backend sees.
  const destination = forwarding.floatingIp ? frontend.address : backend.address;
  stages.push(
    ...nsgStages(
      "Inbound",
      backendHost,
      backend.vnet,
      packet(presented, destination, query.destinationPort),
    ),
  );
  const nsgs = evaluator.evaluateStages(stages);
  const routeReason =
    `${kind === "public" ? `across the Internet, from ${displayAddress(presented)}` : `on private addresses, from ${displayAddress(presented)}`}` +
    ` to ${displayAddress(frontend.address)}:${frontendPort}, translated by ${describeForwarding(forwarding)} to ${forwarding.floatingIp ? `${displayAddress(frontend.address)}:${query.destinationPort} (floating IP) on ` : ""}${translatedTo}, the client's address kept`;
  const probe =
    forwarding.probe &&
    probeVerdict(evaluator, query.sourcePort, backendHost, backend, forwarding.probe);
  const verdict = (access: "Allow" | "Deny", reason: string, extra: Partial<FlowResult> = {}) => ({
    backend: backend.label,
    translatedTo,
    ...(probe ? { probe: probe.summary } : {}),
    result: {
      ...label,
      access,
      route: kind,
      routeReason,
      reason,
      nsgs,
      trace: nsgs.evaluations,
      returnTraffic: access,
      ...extra,
    } satisfies FlowResult,
  });
  if (nsgs.access === "Deny")
    return verdict("Deny", `denied by ${nsgs.rule} of ${nsgs.nsg}`, {
      ...(nsgs.rule ? { rule: nsgs.rule } : {}),
      ...(nsgs.nsg ? { nsg: nsgs.nsg } : {}),
      ...(nsgs.appliedTo ? { appliedTo: nsgs.appliedTo } : {}),
    });
  const closed = closedStandard(frontend, backend, kind);
  if (closed) return verdict("Deny", closed);
  if (probe?.summary.access === "Deny") return verdict("Deny", probe.reason);
  return verdict(
    "Allow",
    nsgs.evaluations.length === 0 ? "no NSG on the path" : "every NSG on the path allows it",
    {
      ...(nsgs.rule ? { rule: nsgs.rule } : {}),
      ...(nsgs.nsg ? { nsg: nsgs.nsg } : {}),
      ...(nsgs.appliedTo ? { appliedTo: nsgs.appliedTo } : {}),
    },
  );
}

/**
 * A Standard load balancer is closed to inbound flows unless an NSG allows
 * them: with no NSG on the backend's subnet or interface, nothing from outside
 * gets in (flows from inside the network to an internal frontend do).
 */
function closedStandard(
  frontend: FrontendInfo,
  backend: BackendInfo,
  kind: "public" | "private",
): string | undefined {
  if (frontend.sku !== "Standard" || kind === "private") return undefined;
  if (backend.subnet?.nsg !== undefined || backend.nic?.nsg !== undefined) return undefined;
  return `Standard load balancer ${frontend.loadBalancer} is closed to inbound flows unless an NSG allows them, and no NSG applies to ${backend.label}${backend.subnet ? ` or subnet ${backend.subnet.id}` : ""}`;
}

/** The health probe from 168.63.129.16 to the backend, as its inbound NSGs judge it. */
function probeVerdict(
  evaluator: FlowEvaluator,
  sourcePort: number,
  backendHost: Host,
  backend: BackendInfo,
  probe: NonNullable<ForwardingInfo["probe"]>,
): { summary: NonNullable<BackendVerdict["probe"]>; reason: string } {
  const packet: Packet = {
    protocol: "Tcp",
    source: { family: 4, value: AZURE_HOST_ADDRESS.first },
    sourcePort,
    destination: backend.address,
    destinationPort: probe.port,
  };
  const stages = nsgStages("Inbound", backendHost, backend.vnet, packet);
  const verdict: NsgVerdict = evaluator.evaluateStages(stages);
  const shown = `${probe.protocol} 168.63.129.16 -> ${displayAddress(backend.address)}:${probe.port}`;
  return {
    summary: {
      access: verdict.access,
      ...(verdict.rule ? { rule: verdict.rule } : {}),
      ...(verdict.nsg ? { nsg: verdict.nsg } : {}),
      packet: shown,
    },
    reason: `health probe ${probe.name} (${shown}, from AzureLoadBalancer) is denied by ${verdict.rule} of ${verdict.nsg}: the load balancer marks ${backend.label} down and sends it no new flows`,
  };
}

/**
 * The flow as a whole: allowed when it reaches some backend. With one
 * backend, that backend's verdict; with several, the first that allows it
 * (or the first), each backend's own verdict under `loadBalancer.backends`.
 */
function summarize(
  from: Host,
  to: Host,
  loadBalancer: LoadBalancing,
  forwarding: ForwardingInfo,
): FlowResult {
  const verdicts = loadBalancer.backends;
  const allowed = verdicts.filter((v) => v.result.access === "Allow");
  const lead = (allowed[0] ?? verdicts[0]) as BackendVerdict;
  const several = verdicts.length > 1;
  const count = `${allowed.length} of ${verdicts.length} backends of ${describeForwarding(forwarding)}`;
  return {
    ...lead.result,
    from: from.label,
    to: to.label,
    reason: several
      ? `${allowed.length > 0 ? "allowed" : "denied"} to ${count}; ${lead.backend}: ${lead.result.reason}`
      : lead.result.reason,
    loadBalancer,
  };
}
