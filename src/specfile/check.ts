import {
  type NeededClaim,
  neededBy,
  SetAssertionChecker,
  type SetOutcome,
  type TrafficScope,
} from "../analysis/assertions.js";
import type { PacketSet } from "../analysis/packet-set.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import { type AssertionOutcome, checkAssertion, describeAssertion } from "../engine/assertions.js";
import { FlowEvaluator } from "../engine/flow.js";
import type { Network } from "../model/network.js";
import { formatPortRange } from "../net/ports.js";
import type { SpecAssertion } from "./assertions.js";

/** The outcome of one assertion of a spec, of either kind. */
export type SpecOutcome =
  | { readonly kind: "flow"; readonly outcome: AssertionOutcome }
  | { readonly kind: "set"; readonly outcome: SetOutcome };

/**
 * Checks every assertion in order; set assertions share one analyzer, built
 * only if one is present (or the one given, which flows share too).
 */
export function checkSpecAssertions(
  network: Network,
  assertions: readonly SpecAssertion[],
  analyzer?: ReachAnalyzer,
): SpecOutcome[] {
  const evaluator = new FlowEvaluator(network, analyzer ? { resolver: analyzer.resolver } : {});
  let checker: SetAssertionChecker | undefined;
  return assertions.map((a): SpecOutcome => {
    if (a.kind === "flow") return { kind: "flow", outcome: checkAssertion(evaluator, a) };
    checker ??= new SetAssertionChecker(analyzer ?? new ReachAnalyzer(network));
    return { kind: "set", outcome: checker.check(a) };
  });
}

/**
 * What the spec's positive claims need to get through: each `reach`, and each
 * allowed flow taken as its whole connection class (any source port; a tag
 * or subnet as every address it stands for).
 */
export function neededTraffic(
  analyzer: ReachAnalyzer,
  assertions: readonly SpecAssertion[],
): PacketSet {
  return neededBy(analyzer, neededClaims(assertions));
}

/** The spec's positive claims as plain data (for another thread to work out what they need). */
export function neededClaims(assertions: readonly SpecAssertion[]): NeededClaim[] {
  const claims: NeededClaim[] = [];
  for (const a of assertions) {
    if (a.kind === "reach") {
      const { from, to, protocols, ports } = a;
      claims.push({ from, to, ...(protocols ? { protocols } : {}), ...(ports ? { ports } : {}) });
    }
    if (a.kind === "flow" && a.expect === "Allow")
      claims.push({
        from: a.from,
        to: a.to,
        protocols: [a.protocol],
        ...(a.destinationPort === undefined
          ? {}
          : { ports: [{ first: a.destinationPort, last: a.destinationPort }] }),
      });
  }
  return claims;
}

/** A title for an assertion: its name, or what it claims. */
export function describeSpecAssertion(a: SpecAssertion): string {
  if (a.name !== undefined) return a.name;
  switch (a.kind) {
    case "flow":
      return describeAssertion(a);
    case "reach":
      return `${a.from} reaches ${a.to}${describeScope(a)}`;
    case "isolate":
      return `${a.from} cannot reach ${a.to}${describeScope(a)}`;
    case "onlyFrom":
      return `only ${a.from.join(", ")} reach ${a.to}${describeScope(a)}`;
    case "exposure":
      return `the Internet reaches ${a.to} only${a.within.map((w) => describeScope(w) || " on anything").join(";") || " nothing"}`;
  }
}

/** ` on Tcp ports 80,443`, or nothing for all traffic. */
export function describeScope(scope: TrafficScope): string {
  const protocols = scope.protocols?.join(",");
  const ports = scope.ports?.map(formatPortRange).join(",");
  if (!protocols && !ports) return "";
  return ` on ${protocols ?? "any protocol"}${ports ? ` ports ${ports}` : ""}`;
}
