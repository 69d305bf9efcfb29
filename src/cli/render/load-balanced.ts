import type { FlowResult } from "../../engine/flow.js";
import type { BackendVerdict, LoadBalancing } from "../../engine/load-balanced-flow.js";
import type { Style } from "./style.js";

/** The rule that forwards a flow to a frontend, in words: `inbound NAT rule RDP (v1): Tcp 5000 -> 3389`. */
function describeRule(lb: LoadBalancing): string {
  const r = lb.rule;
  if (!r) return "no rule takes this port";
  const kind =
    r.kind === "loadBalancingRule"
      ? "load-balancing rule"
      : r.kind === "inboundNatPool"
        ? "inbound NAT pool"
        : `inbound NAT rule${r.natVersion === 2 ? " (v2)" : ""}`;
  const ports = r.frontendPorts === "*" ? "every port (HA ports)" : `port ${r.frontendPorts}`;
  return [
    `${kind} ${r.name}: ${r.protocol} ${ports} -> ${r.pool ? `pool ${r.pool}, ` : ""}port ${r.backendPort}`,
    ...(r.probe ? [`probe ${r.probe.name} (${r.probe.protocol} ${r.probe.port})`] : []),
    ...(r.floatingIp ? ["floating IP"] : []),
  ].join(", ");
}

/** The load balancer's line of a flow: which rule took the frontend's port, and where it sends it. */
export function loadBalancerLine(lb: LoadBalancing): string {
  return `load balancer: ${lb.loadBalancer} (${lb.sku}), frontend ${lb.frontend} ${lb.frontendAddress}:${lb.frontendPort}, ${describeRule(lb)}`;
}

/** One backend's verdict, with the NSGs it met (rendered by `table`). */
export function backendBlock(
  b: BackendVerdict,
  style: Style,
  table: (result: FlowResult) => string | undefined,
): string {
  const r = b.result;
  // The reason adds to the rule only when something else decided (a probe, a closed SKU).
  const ruleSays = r.access === "Allow" || r.reason === `denied by ${r.rule} of ${r.nsg}`;
  const verdict = r.rule
    ? `${style.access(r.access)} by ${style.bold(r.rule)} of ${r.nsg}${ruleSays ? "" : `: ${r.reason}`}`
    : `${style.access(r.access)}: ${r.reason}`;
  const probe = b.probe
    ? [
        `    probe: ${b.probe.packet}, ${style.access(b.probe.access)}${b.probe.rule ? ` by ${b.probe.rule} of ${b.probe.nsg}` : " (no NSG)"}`,
      ]
    : [];
  const nsgs = table(r);
  return [
    `  backend ${b.backend}, translated to ${b.translatedTo}: ${verdict}`,
    `    route: ${r.route}, ${r.routeReason}`,
    ...probe,
    ...(nsgs ? [nsgs] : []),
  ].join("\n");
}

export function loadBalancingJson(lb: LoadBalancing): object {
  return {
    loadBalancer: lb.loadBalancer,
    sku: lb.sku,
    frontend: lb.frontend,
    frontendAddress: lb.frontendAddress,
    frontendPort: lb.frontendPort,
    rule: lb.rule ?? null,
    backends: lb.backends.map((b) => ({
      backend: b.backend,
      translatedTo: b.translatedTo,
      access: b.result.access,
      rule: b.result.rule ?? null,
      nsg: b.result.nsg ?? null,
      reason: b.result.reason,
      route: { kind: b.result.route, reason: b.result.routeReason },
      probe: b.probe ?? null,
      trace: b.result.trace,
    })),
  };
}
