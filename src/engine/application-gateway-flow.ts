/**
 * A flow to an application gateway's frontend. The gateway is a proxy, not a
 * pass-through: the client's connection ends at the gateway, and the gateway
 * opens its own to a backend. So two legs are judged:
 *
 * 1. client -> gateway: to the listener's port, on the gateway's instance
 *    address in its subnet (a public frontend's address translated first, as
 *    any public IP's), judged by the caller's outbound NSGs and the gateway
 *    subnet's inbound NSG; a Standard public IP (v2) is closed unless an NSG
 *    allows the flow.
 * 2. gateway -> backend: from the gateway's private instance addresses (some
 *    host of its subnet, symbolic as a Dynamic interface's) to each backend of
 *    the pool the listener's routing rule names, on its backend settings'
 *    port, judged by the gateway subnet's outbound NSG and the backend's
 *    inbound NSGs. The client's address reaches the backend only in the
 *    X-Forwarded-For header, which no NSG reads.
 *
 * Which destination address the gateway subnet's NSG sees for a public
 * frontend (the instance address or the frontend's) is not settled by the
 * sources read (reachability.md §4); tierwall takes the instance address, as
 * for any public IP's translation, and a private frontend's own address.
 */
import type { GatewayBackendInfo, GatewayFrontendInfo } from "../model/application-gateways.js";
import { displayAddress } from "../net/address.js";
import { type Host, hostAt } from "./endpoint.js";
import {
  DEFAULT_SOURCE_PORT,
  type FlowEvaluator,
  type FlowQuery,
  type FlowResult,
} from "./flow.js";

/** What the gateway did with a flow to its frontend, leg by leg. */
export interface GatewayProxying {
  readonly gateway: string;
  readonly tier: string;
  readonly version: 1 | 2;
  readonly frontend: string;
  /** The frontend's address as shown (`<pip>` when not known). */
  readonly frontendAddress: string;
  readonly port: number;
  /** The address standing for the gateway's instances (some host of its subnet). */
  readonly instanceAddress: string;
  readonly subnet: string;
  readonly listener?: { readonly name: string; readonly protocol: string };
  readonly rule?: string;
  /** The rule redirects: the gateway answers the client and calls no backend. */
  readonly redirect?: string;
  readonly pool?: string;
  readonly settings?: { readonly name: string; readonly port: number; readonly protocol: string };
  /** Leg 1, client to gateway; absent when no listener takes the port. */
  readonly inbound?: FlowResult;
  /** Leg 2, gateway to each backend. */
  readonly backends: readonly GatewayBackendVerdict[];
}

export interface GatewayBackendVerdict {
  readonly backend: string;
  /** `10.0.1.4:8080`, what the gateway connects to. */
  readonly connectsTo: string;
  /** Given by name: DNS resolves it when running, and tierwall does not judge it. */
  readonly unresolved?: boolean;
  readonly result: FlowResult;
}

export const PROXY_NOTE =
  "the gateway is a proxy: backends see its instances' private addresses as the source, and the client's address only in the X-Forwarded-For header";

type Query = Omit<FlowQuery, "from" | "to"> & { readonly sourcePort: number };

export function applicationGatewayFlow(
  evaluator: FlowEvaluator,
  from: Host,
  to: Host,
  frontend: GatewayFrontendInfo,
  query: Query,
): FlowResult {
  const gw = evaluator.network.applicationGateways?.get(frontend.gateway);
  const port = query.destinationPort ?? 0;
  const base: GatewayProxying = {
    gateway: frontend.gateway,
    tier: frontend.tier,
    version: gw?.version ?? 2,
    frontend: frontend.name,
    frontendAddress: displayAddress(frontend.address),
    port,
    instanceAddress: gw ? displayAddress(gw.instanceAddress) : "?",
    subnet: gw?.subnet.id ?? "?",
    backends: [],
  };
  const listener = gw?.listeners.find((l) => l.frontend === frontend && l.port === port);
  if (!gw || query.protocol !== "Tcp" || !listener) {
    const ports = [
      ...new Set((gw?.listeners ?? []).filter((l) => l.frontend === frontend).map((l) => l.port)),
    ];
    const why =
      query.protocol !== "Tcp"
        ? `an application gateway takes HTTP and HTTPS over TCP only, not ${query.protocol}`
        : `no listener on port ${port} of frontend ${frontend.name}${ports.length > 0 ? ` (its listeners: ${ports.join(", ")})` : " (it has no listener)"}`;
    return unrouted(from, to, `application gateway ${frontend.gateway}: ${why}`, base);
  }
  // Leg 1: the client's connection ends at the gateway's instances. With the same port
  // on a public and a private listener, Azure "changes the Destination of all inbound
  // flows to the frontend IPs of your gateway" (reachability.md §4): the NSG sees the
  // frontend's own address.
  const shared = gw.listeners.some(
    (l) =>
      l.port === port && (l.frontend.publicIp === undefined) !== (frontend.publicIp === undefined),
  );
  const gatewayHost: Host = {
    label: `application gateway ${gw.name} (${frontend.publicIp ? `public IP ${frontend.publicIp.name}, ` : ""}its instances in subnet ${gw.subnet.id})`,
    address: frontend.publicIp && !shared ? gw.instanceAddress : frontend.address,
    vnet: gw.subnet.vnet,
    subnet: gw.subnet,
    ...(frontend.publicIp ? { publicAddress: frontend.address, publicIp: frontend.publicIp } : {}),
    ingress: frontend.publicIp ? "External" : "Internal",
  };
  const inbound = evaluator.evaluateHosts(from, gatewayHost, query);
  const route = listener.routes[0];
  const proxying: GatewayProxying = {
    ...base,
    listener: { name: listener.name, protocol: listener.protocol },
    inbound,
    ...(route ? { rule: route.rule } : {}),
    ...(route?.redirect !== undefined ? { redirect: route.redirect } : {}),
    ...(route?.pool !== undefined ? { pool: route.pool } : {}),
    ...(route?.settings ? { settings: route.settings } : {}),
  };
  const whole = (access: "Allow" | "Deny", reason: string, extra: Partial<FlowResult> = {}) => ({
    ...inbound,
    from: from.label,
    to: to.label,
    access,
    reason,
    returnTraffic: access,
    applicationGateway: proxying,
    ...extra,
  });
  if (inbound.access === "Deny")
    return whole("Deny", `the gateway does not receive it: ${inbound.reason}`);
  if (!route)
    return whole(
      "Deny",
      `listener ${listener.name} of application gateway ${gw.name} has no request routing rule: the gateway takes the request and sends it nowhere`,
    );
  if (route.redirect !== undefined)
    return whole(
      "Allow",
      `the gateway receives it (${inbound.reason}); rule ${route.rule} redirects it (redirection ${route.redirect}), so no backend is called`,
    );
  const settings = route.settings;
  if (!settings || route.backends.length === 0)
    return whole(
      "Deny",
      `the gateway receives it, but rule ${route.rule} sends it to backend pool ${route.pool ?? "?"}, which is empty`,
    );
  // Leg 2: the gateway's own connection, from its instances' addresses.
  const source: Host = {
    label: `application gateway ${gw.name} (instance ${displayAddress(gw.instanceAddress)} of subnet ${gw.subnet.id})`,
    address: gw.instanceAddress,
    vnet: gw.subnet.vnet,
    subnet: gw.subnet,
    // To a backend outside every network it calls from its frontend's public address.
    ...(frontend.publicIp ? { outboundAddress: frontend.address } : {}),
    ingress: "Internal",
  };
  const backends = route.backends.map((b) => backendVerdict(evaluator, source, b, settings.port));
  const judged = backends.filter((b) => !b.unresolved);
  const allowed = judged.filter((b) => b.result.access === "Allow");
  const lead = allowed[0] ?? judged[0];
  const withBackends = { ...proxying, backends };
  const count = `${allowed.length} of ${judged.length} backend${judged.length === 1 ? "" : "s"} of pool ${route.pool} on ${settings.protocol} port ${settings.port}`;
  const unresolved = backends.length - judged.length;
  const names = unresolved > 0 ? ` (${unresolved} given by name, not judged)` : "";
  if (!lead)
    return {
      ...whole(
        "Deny",
        `the gateway receives it, but every backend of pool ${route.pool} is given by name, resolved when running: tierwall does not judge the gateway's connection to them`,
      ),
      applicationGateway: withBackends,
    };
  const trace = [...inbound.trace, ...lead.result.trace];
  if (allowed.length === 0)
    return {
      ...whole(
        "Deny",
        `the gateway receives it, but its own connection to the backends is denied (${count}${names}); ${lead.backend}: ${lead.result.reason}`,
        {
          ...(lead.result.rule ? { rule: lead.result.rule } : {}),
          ...(lead.result.nsg ? { nsg: lead.result.nsg } : {}),
          ...(lead.result.appliedTo ? { appliedTo: lead.result.appliedTo } : {}),
          trace,
        },
      ),
      applicationGateway: withBackends,
    };
  return {
    ...whole(
      "Allow",
      `the gateway receives it (${inbound.reason}) and proxies it to ${count}${names}; ${lead.backend}: ${lead.result.reason}`,
      { trace },
    ),
    applicationGateway: withBackends,
  };
}

function backendVerdict(
  evaluator: FlowEvaluator,
  source: Host,
  backend: GatewayBackendInfo,
  port: number,
): GatewayBackendVerdict {
  if (!backend.address) {
    const reason = `${backend.fqdn} is a name that DNS resolves when running; tierwall does not resolve it`;
    return {
      backend: backend.label,
      connectsTo: `${backend.fqdn}:${port}`,
      unresolved: true,
      result: {
        access: "Deny",
        from: source.label,
        to: backend.label,
        route: "none",
        routeReason: reason,
        reason: `not judged: ${reason}`,
        trace: [],
        returnTraffic: "Deny",
      },
    };
  }
  const host = hostAt(evaluator.network, backend.address);
  const target: Host = { ...host, label: backend.label };
  const result = evaluator.evaluateHosts(source, target, {
    protocol: "Tcp",
    destinationPort: port,
    sourcePort: DEFAULT_SOURCE_PORT,
  });
  return {
    backend: backend.label,
    connectsTo: `${displayAddress(backend.address)}:${port}`,
    result,
  };
}

/** No listener takes the flow: the answer is the route's. */
function unrouted(from: Host, to: Host, reason: string, gateway: GatewayProxying): FlowResult {
  return {
    access: "Deny",
    from: from.label,
    to: to.label,
    route: "none",
    routeReason: reason,
    reason: `no listener: ${reason}`,
    trace: [],
    returnTraffic: "Deny",
    applicationGateway: gateway,
  };
}
