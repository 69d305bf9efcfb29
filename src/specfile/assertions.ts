import type { SetAssertion, TrafficScope } from "../analysis/assertions.js";
import type { FlowAssertion } from "../engine/assertions.js";
import { type Diagnostic, error, type ValuePath } from "../model/diagnostic.js";
import { type PortRange, parsePortRange } from "../net/ports.js";
import { type FlowProtocol, parseFlowProtocol, parseRuleProtocol } from "../net/protocol.js";
import type { SpecDocument } from "./schema.js";

/** An assertion of the spec: a concrete flow, or a claim over every packet. */
export type SpecAssertion = ({ readonly kind: "flow" } & FlowAssertion) | SetAssertion;

export type AssertionDocument = NonNullable<SpecDocument["assertions"]>[number];

/** Which fields each kind takes, besides name, kind and to. */
const FIELDS: Record<NonNullable<AssertionDocument["kind"]>, readonly string[]> = {
  flow: ["from", "protocol", "port", "ports", "sourcePort", "expect", "rule"],
  reach: ["from", "protocol", "ports"],
  isolate: ["from", "protocol", "ports"],
  onlyFrom: ["from", "protocol", "ports"],
  exposure: ["within"],
};

/** Checks one assertion against its kind and turns it into the model; a flow becomes one per port. */
export function normalizeAssertion(
  a: AssertionDocument,
  path: ValuePath,
  diagnostics: Diagnostic[],
): SpecAssertion[] {
  const kind = a.kind ?? "flow";
  const problem = (message: string, field?: string, hint?: string) => {
    diagnostics.push(error("InvalidAssertion", message, field ? [...path, field] : path, hint));
    return [];
  };
  for (const field of Object.keys(a)) {
    if (["name", "kind", "to"].includes(field) || FIELDS[kind].includes(field)) continue;
    return problem(`${field} does not apply to a ${kind} assertion`, field);
  }
  const common = { ...(a.name === undefined ? {} : { name: a.name }), path };
  if (typeof a.to !== "string" && a.to.length === 0) return problem("to lists no endpoint", "to");
  if (typeof a.from !== "string" && a.from !== undefined && a.from.length === 0)
    return problem("from lists no endpoint", "from");
  if (kind === "flow") return normalizeFlow(a, common, problem);
  if (kind === "exposure") {
    if (a.within === undefined)
      return problem(
        "an exposure assertion needs within: the traffic the Internet may reach",
        undefined,
        "within: [] means none",
      );
    const within = [];
    for (const [j, w] of a.within.entries()) {
      const scope = trafficScope(w, [...path, "within", j], diagnostics);
      if (!scope) return [];
      within.push({ ...scope, ...(w.source === undefined ? {} : { source: w.source }) });
    }
    return [{ ...common, kind, to: a.to, within }];
  }
  const scope = trafficScope(a, path, diagnostics);
  if (!scope) return [];
  if (a.from === undefined) return problem(`a ${kind} assertion needs from`);
  if (kind === "onlyFrom")
    return [
      { ...common, ...scope, kind, from: typeof a.from === "string" ? [a.from] : a.from, to: a.to },
    ];
  return [{ ...common, ...scope, kind, from: a.from, to: a.to }];
}

type Problem = (message: string, field?: string, hint?: string) => never[];

function normalizeFlow(
  a: AssertionDocument,
  common: { name?: string; path: ValuePath },
  problem: Problem,
): SpecAssertion[] {
  if (a.expect === undefined)
    return problem(
      "a flow assertion needs expect: Allow or Deny",
      undefined,
      "or give kind: reach, isolate, onlyFrom or exposure",
    );
  if (typeof a.from !== "string")
    return problem("a flow assertion needs from: one endpoint", "from");
  if (typeof a.to !== "string")
    return problem(
      "a flow assertion needs to: one endpoint",
      "to",
      "a list belongs to reach, isolate, onlyFrom and exposure",
    );
  if (a.protocol === undefined) return problem("a flow assertion needs a protocol", "protocol");
  const protocol = parseFlowProtocol(a.protocol);
  if (!protocol)
    return problem(
      `protocol ${JSON.stringify(a.protocol)} is not one of Tcp, Udp, Icmp, Esp, Ah`,
      "protocol",
    );
  if (a.port !== undefined && a.ports !== undefined)
    return problem("give port or ports, not both", "ports");
  const ports = a.ports ?? (a.port === undefined ? [undefined] : [a.port]);
  if (ports.some((p) => typeof p === "string"))
    return problem(
      "a flow's ports are single numbers",
      "ports",
      "ranges belong to reach, isolate, onlyFrom and exposure",
    );
  const bad = [...ports, a.sourcePort].find((p) => typeof p === "number" && (p < 0 || p > 65535));
  if (bad !== undefined) return problem(`port ${bad} is outside 0-65535`);
  if ((protocol === "Tcp" || protocol === "Udp") && ports[0] === undefined)
    return problem(`a ${protocol} flow needs a destination port`, undefined, "add port: N");
  const name = a.name;
  return ports.map((port) => ({
    kind: "flow" as const,
    ...common,
    ...(name !== undefined && ports.length > 1 ? { name: `${name} (port ${port})` } : {}),
    from: a.from as string,
    to: a.to as string,
    protocol,
    ...(port === undefined ? {} : { destinationPort: port as number }),
    ...(a.sourcePort === undefined ? {} : { sourcePort: a.sourcePort }),
    expect: a.expect as "Allow" | "Deny",
    ...(a.rule === undefined ? {} : { rule: a.rule }),
  }));
}

/** Protocol and ports of a set assertion: `*` or nothing for all protocols; numbers or ranges for ports. */
function trafficScope(
  t: { protocol?: string | undefined; ports?: readonly (number | string)[] | undefined },
  path: ValuePath,
  diagnostics: Diagnostic[],
): TrafficScope | undefined {
  let protocols: FlowProtocol[] | undefined;
  if (t.protocol !== undefined) {
    const p = parseRuleProtocol(t.protocol);
    if (!p) {
      diagnostics.push(
        error(
          "InvalidAssertion",
          `protocol ${JSON.stringify(t.protocol)} is not one of Tcp, Udp, Icmp, Esp, Ah, *`,
          [...path, "protocol"],
        ),
      );
      return undefined;
    }
    if (p !== "*") protocols = [p];
  }
  let ports: PortRange[] | undefined;
  if (t.ports !== undefined) {
    ports = [];
    for (const [i, entry] of t.ports.entries()) {
      const parsed = parsePortRange(String(entry));
      if (!parsed.ok) {
        diagnostics.push(
          error(
            "InvalidAssertion",
            `port ${JSON.stringify(entry)} is not a port or a range a-b within 0-65535`,
            [...path, "ports", i],
          ),
        );
        return undefined;
      }
      ports.push(parsed.range);
    }
  }
  return { ...(protocols ? { protocols } : {}), ...(ports ? { ports } : {}) };
}
