import type { GatewayProxying } from "../../engine/application-gateway-flow.js";
import { PROXY_NOTE } from "../../engine/application-gateway-flow.js";
import type { FlowResult } from "../../engine/flow.js";
import type { Style } from "./style.js";

/**
 * A flow to an application gateway's frontend: the listener and rule, leg 1
 * (client to gateway) and leg 2 (the gateway's own connection to each
 * backend), each with the NSGs it met.
 */
export function renderGatewayFlow(
  result: FlowResult,
  style: Style,
  table: (result: FlowResult, indent: string) => string | undefined,
): string {
  const gw = result.applicationGateway;
  if (!gw) return "";
  const head = [
    `${style.bold(style.access(result.access))}, ${result.reason}`,
    `  ${result.from} -> ${result.to}`,
    `  ${gatewayLine(gw)}`,
  ];
  if (!gw.inbound) return [...head, `  route: none, ${result.routeReason}`].join("\n");
  const leg1 = gw.inbound;
  const lines = [
    ...head,
    `  ${style.dim(PROXY_NOTE)}`,
    `  leg 1, client -> gateway (instance ${gw.instanceAddress} of subnet ${gw.subnet}): ${verdict(leg1, style)}`,
    `    route: ${leg1.route}, ${leg1.routeReason}`,
    ...optional(table(leg1, "    ")),
  ];
  for (const b of gw.backends) {
    const r = b.result;
    lines.push(
      `  leg 2, gateway -> backend ${b.backend} on ${b.connectsTo}: ${b.unresolved ? `not judged: ${r.routeReason}` : verdict(r, style)}`,
    );
    if (b.unresolved) continue;
    lines.push(`    route: ${r.route}, ${r.routeReason}`, ...optional(table(r, "    ")));
  }
  return lines.join("\n");
}

const optional = (text: string | undefined) => (text ? [text] : []);

function verdict(r: FlowResult, style: Style): string {
  return r.rule
    ? `${style.access(r.access)} by ${style.bold(r.rule)} of ${r.nsg}`
    : `${style.access(r.access)}: ${r.reason}`;
}

/** `application gateway web-gw (WAF_v2, v2), frontend public 203.0.113.5:443, listener https (Https), rule web -> pool web, Http port 8080`. */
export function gatewayLine(gw: GatewayProxying): string {
  const route = gw.redirect
    ? `rule ${gw.rule} redirects (${gw.redirect})`
    : gw.rule
      ? `rule ${gw.rule} -> pool ${gw.pool}${gw.settings ? `, ${gw.settings.protocol} port ${gw.settings.port} (settings ${gw.settings.name})` : ""}`
      : gw.listener
        ? "no routing rule"
        : "no listener on this port";
  return `application gateway: ${gw.gateway} (${gw.tier}, v${gw.version}), frontend ${gw.frontend} ${gw.frontendAddress}:${gw.port}${gw.listener ? `, listener ${gw.listener.name} (${gw.listener.protocol})` : ""}, ${route}`;
}

export function gatewayJson(gw: GatewayProxying): object {
  const leg = (r: FlowResult) => ({
    access: r.access,
    rule: r.rule ?? null,
    nsg: r.nsg ?? null,
    reason: r.reason,
    route: { kind: r.route, reason: r.routeReason },
    trace: r.trace,
  });
  return {
    gateway: gw.gateway,
    tier: gw.tier,
    version: gw.version,
    frontend: gw.frontend,
    frontendAddress: gw.frontendAddress,
    port: gw.port,
    instanceAddress: gw.instanceAddress,
    subnet: gw.subnet,
    listener: gw.listener ?? null,
    rule: gw.rule ?? null,
    redirect: gw.redirect ?? null,
    pool: gw.pool ?? null,
    settings: gw.settings ?? null,
    proxy: PROXY_NOTE,
    inbound: gw.inbound ? leg(gw.inbound) : null,
    backends: gw.backends.map((b) => ({
      backend: b.backend,
      connectsTo: b.connectsTo,
      unresolved: b.unresolved === true,
      ...leg(b.result),
    })),
  };
}
