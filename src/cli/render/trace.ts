import type { FlowResult } from "../../engine/flow.js";
import type { IpFlowVerifyResult } from "../../engine/ip-flow-verify.js";
import type { AppliedTo, NsgEvaluation } from "../../engine/nsg-chain.js";
import type { Egress } from "../../engine/outbound.js";
import type { SelectedRoute } from "../../engine/route-selection.js";
import { displayAddress } from "../../net/address.js";
import { formatPrefix } from "../../net/prefix.js";
import { gatewayJson, renderGatewayFlow } from "./gateway-proxied.js";
import { backendBlock, loadBalancerLine, loadBalancingJson } from "./load-balanced.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** The NSGs a packet met, one line each, in evaluation order. */
export function renderEvaluations(
  evaluations: readonly NsgEvaluation[],
  style: Style,
  indent = "  ",
): string {
  const rows = evaluations.map((t) => [
    t.nsg,
    applied(t.appliedTo),
    t.direction,
    t.packet,
    style.access(t.access),
    `${t.rule} (${t.priority})`,
  ]);
  return renderTable(
    ["NSG", "applied to", "direction", "packet", "access", "rule (priority)"],
    rows,
    indent,
  );
}

/**
 * The NSGs of a flow's trace. With no route, the NSGs it would have met, on the
 * addresses it would carry, so that a missing route is not read as a rule's denial.
 */
export function renderTrace(result: FlowResult, style: Style, indent = "  "): string {
  const evaluations = result.route === "none" ? (result.nsgs?.evaluations ?? []) : result.trace;
  if (evaluations.length === 0) return `${indent}${style.dim(result.reason)}`;
  const table = renderEvaluations(evaluations, style, indent);
  return result.route === "none"
    ? `${indent}${style.dim("no route; the NSGs, on the addresses the packet would carry:")}\n${table}`
    : table;
}

/** The first line of a flow's answer: what decided it, the route or a rule. */
export function flowHeadline(result: FlowResult, style: Style): string {
  const access = style.bold(style.access(result.access));
  if (result.route === "none" || result.route === "local") return `${access}, ${result.reason}`;
  if (!result.rule) return `${access}: ${result.reason}`;
  return `${access} by ${style.bold(result.rule)} of ${result.nsg} (${applied(result.appliedTo)})${throughAppliance(result)}`;
}

/** A flow an appliance carries is allowed only if the appliance forwards it: the headline says so. */
function throughAppliance(result: FlowResult): string {
  const hop = result.nextHop;
  if (result.access !== "Allow" || hop?.nextHopType !== "VirtualAppliance") return "";
  return `, through the appliance at ${hop.nextHopIpAddress ? displayAddress(hop.nextHopIpAddress) : "?"}`;
}

/** The route and the NSGs' verdict, each on its line, then the NSGs. */
export function renderFlow(result: FlowResult, style: Style): string {
  if (result.loadBalancer) return renderLoadBalancedFlow(result, style);
  if (result.applicationGateway)
    return renderGatewayFlow(result, style, (r, indent) =>
      r.trace.length > 0 ? renderEvaluations(r.trace, style, indent) : undefined,
    );
  const evaluations = result.nsgs?.evaluations ?? [];
  return [
    flowHeadline(result, style),
    `  ${result.from} -> ${result.to}`,
    `  route: ${result.route}, ${result.routeReason}`,
    ...(result.egress && result.route !== "none" ? [`  egress: ${egressLine(result.egress)}`] : []),
    `  NSGs:  ${describeNsgs(result)}`,
    ...(evaluations.length > 0 ? [renderEvaluations(evaluations, style)] : []),
  ].join("\n");
}

/** The way out to the Internet: what it leaves through, and the address the Internet sees. */
function egressLine(egress: Egress): string {
  return egress.reason;
}

/**
 * A flow to a load balancer's frontend: the rule that forwards it, then each
 * backend's translation, route and NSGs (one backend: as any flow reads).
 */
function renderLoadBalancedFlow(result: FlowResult, style: Style): string {
  const lb = result.loadBalancer;
  if (!lb) return "";
  const head = [`  ${result.from} -> ${result.to}`, `  ${loadBalancerLine(lb)}`];
  if (lb.backends.length <= 1 && result.route !== "none") {
    const evaluations = result.nsgs?.evaluations ?? [];
    return [
      flowHeadline(result, style),
      ...head,
      `  route: ${result.route}, ${result.routeReason}`,
      ...lb.backends.flatMap((b) =>
        b.probe
          ? [
              `  probe: ${b.probe.packet}, ${style.access(b.probe.access)}${b.probe.rule ? ` by ${b.probe.rule} of ${b.probe.nsg}` : " (no NSG)"}`,
            ]
          : [],
      ),
      `  NSGs:  ${describeNsgs(result)}`,
      ...(evaluations.length > 0 ? [renderEvaluations(evaluations, style)] : []),
    ].join("\n");
  }
  if (lb.backends.length === 0)
    return [flowHeadline(result, style), ...head, `  route: none, ${result.routeReason}`].join(
      "\n",
    );
  const allowed = lb.backends.filter((b) => b.result.access === "Allow").length;
  return [
    `${style.bold(style.access(result.access))} to ${allowed} of ${lb.backends.length} backends`,
    ...head,
    ...lb.backends.map((b) =>
      backendBlock(b, style, (r) =>
        r.trace.length > 0 ? renderEvaluations(r.trace, style, "    ") : undefined,
      ),
    ),
  ].join("\n");
}

function describeNsgs(result: FlowResult): string {
  const nsgs = result.nsgs;
  if (!nsgs) return "not evaluated: no packet carries addresses of both families";
  if (result.route === "local") return "none crossed";
  if (result.route !== "none") return result.reason;
  if (nsgs.evaluations.length === 0) return "none on the path";
  const verdict = nsgs.rule
    ? `${nsgs.access} by ${nsgs.rule} of ${nsgs.nsg} (${applied(nsgs.appliedTo)})`
    : nsgs.access;
  return `${verdict}, on the addresses the packet would carry`;
}

function applied(a: AppliedTo | undefined): string {
  return a ? `${a.type} ${a.name}` : "";
}

/** The route a flow follows out of its subnet, in the terms of Azure's effective routes. */
function nextHopJson(hop: SelectedRoute): object {
  return {
    source: hop.source,
    addressPrefix: hop.addressPrefix ?? formatPrefix(hop.prefix),
    nextHopType: hop.nextHopType,
    nextHopIpAddress: hop.nextHopIpAddress ? displayAddress(hop.nextHopIpAddress) : null,
    name: hop.name ?? null,
    routeTable: hop.routeTable ?? null,
    virtualNetwork: hop.network ?? null,
  };
}

export function flowJson(result: FlowResult): object {
  return {
    access: result.access,
    rule: result.rule ?? null,
    nsg: result.nsg ?? null,
    appliedTo: result.appliedTo ?? null,
    from: result.from,
    to: result.to,
    decidedBy: result.route === "none" || result.route === "local" ? "route" : "nsgs",
    route: {
      kind: result.route,
      reason: result.routeReason,
      nextHop: result.nextHop ? nextHopJson(result.nextHop) : null,
    },
    nsgs: result.nsgs
      ? {
          access: result.nsgs.access,
          rule: result.nsgs.rule ?? null,
          nsg: result.nsgs.nsg ?? null,
          appliedTo: result.nsgs.appliedTo ?? null,
          evaluations: result.nsgs.evaluations,
        }
      : null,
    reason: result.reason,
    returnTraffic: result.returnTraffic,
    trace: result.trace,
    ...(result.loadBalancer ? { loadBalancer: loadBalancingJson(result.loadBalancer) } : {}),
    ...(result.applicationGateway
      ? { applicationGateway: gatewayJson(result.applicationGateway) }
      : {}),
    ...(result.egress
      ? {
          egress: {
            via: result.egress.via,
            name: result.egress.name ?? null,
            publicAddresses: result.egress.publicAddresses,
            ...(result.egress.publicIpPrefixes
              ? { publicIpPrefixes: result.egress.publicIpPrefixes }
              : {}),
            reason: result.egress.reason,
          },
        }
      : {}),
  };
}

/** IP flow verify's answer: Allow or Deny, the rule, and the NSG that holds it. */
export function renderIpFlowVerify(result: IpFlowVerifyResult, style: Style): string {
  const access = style.bold(style.access(result.access));
  const headline = result.ruleName
    ? `${access} by ${style.bold(result.ruleName)} of ${result.nsg} (${applied(result.appliedTo)})`
    : `${access}: no NSG applies, so no rule is named`;
  return [
    headline,
    `  IP flow verify on ${result.target}, ${result.direction}: ${result.packet}`,
    result.evaluations.length === 0
      ? `  ${style.dim("neither the subnet nor the network interface has an NSG")}`
      : renderEvaluations(result.evaluations, style),
  ].join("\n");
}

/** Shaped like the REST API's `VerificationIPFlowResult`, with tierwall's trace under `trace`. */
export function ipFlowVerifyJson(result: IpFlowVerifyResult): object {
  return {
    access: result.access,
    // Azure omits ruleName when no rule matched.
    ...(result.ruleName ? { ruleName: result.ruleName } : {}),
    trace: {
      target: result.target,
      direction: result.direction,
      packet: result.packet,
      nsg: result.nsg ?? null,
      appliedTo: result.appliedTo ?? null,
      evaluations: result.evaluations,
    },
  };
}
