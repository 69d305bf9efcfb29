/**
 * What the page shows, computed in the browser by tierwall's own engine and
 * analysis (the core does no I/O): the network built from a topology, the
 * edges of the architecture (exact over every packet, within each tier's
 * service), flows with their trace, lint findings, assertions' outcomes, and
 * the semantic diff of an edit.
 */
import { semanticDiff, semanticDiffJson } from "../../src/analysis/diff.js";
import { lint } from "../../src/analysis/lint.js";
import {
  type GateResult,
  gate,
  namedPath,
  type Suppression,
} from "../../src/analysis/lint-gate.js";
import { exposureOf, hostRows, reachMatrix } from "../../src/analysis/matrix.js";
import type { Row } from "../../src/analysis/matrix-rows.js";
import { PacketSet } from "../../src/analysis/packet-set.js";
import { ReachAnalyzer } from "../../src/analysis/reach.js";
import { formatSummaryLine, type SummaryLine, summarize } from "../../src/analysis/summary.js";
import { FlowEvaluator, type FlowResult } from "../../src/engine/flow.js";
import { formatPacket, type Packet } from "../../src/engine/packet.js";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import { buildNetwork, type Network } from "../../src/model/network.js";
import { parseServiceTagFile, ServiceTagCatalog } from "../../src/model/service-tags.js";
import type { Topology } from "../../src/model/types.js";
import { displayAddress } from "../../src/net/address.js";
import { AddressSet } from "../../src/net/address-set.js";
import { parsePortRange } from "../../src/net/ports.js";
import { type FlowProtocol, parseFlowProtocol } from "../../src/net/protocol.js";
import {
  type AssertionDocument,
  normalizeAssertion,
  type SpecAssertion,
} from "../../src/specfile/assertions.js";
import {
  checkSpecAssertions,
  describeSpecAssertion,
  neededTraffic,
} from "../../src/specfile/check.js";
import type { TierSpec } from "../../src/synth/intent.js";

export const INTERNET = "Internet";

/** The traffic an edge is judged on: a tier's service, or every packet. */
export interface Service {
  readonly protocols?: readonly FlowProtocol[];
  readonly ports?: readonly string[];
  /** How it reads: `TCP 80, 443`, or `any traffic`. */
  readonly label: string;
}

export type EdgeState = "allowed" | "partial" | "denied" | "unreachable";

export interface ArchitectureEdge {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly state: EdgeState;
  /** Whether a tier names the caller as one of the callee's callers (or its Internet exposure). */
  readonly intended: boolean;
  readonly service: Service;
  /** The allowed packets within the service, as rule-like lines. */
  readonly allowed: readonly SummaryLine[];
  readonly omitted: number;
  /** What else is allowed, outside the service. */
  readonly beyond: readonly SummaryLine[];
  /** A packet allowed through, and one denied, with the flow that decides each. */
  readonly allowedWitness?: Witness;
  readonly deniedWitness?: Witness;
}

export interface Witness {
  readonly packet: string;
  readonly flow?: FlowResult;
}

const ANY: Service = { label: "any traffic" };

const hasPortsOf = (p: FlowProtocol) => p === "Tcp" || p === "Udp";

/** A tier's service: its protocol (Tcp unless it says) and ports. */
export function serviceOf(tier: TierSpec): Service {
  const protocol = tier.protocol ?? "Tcp";
  const protocols: FlowProtocol[] =
    protocol === "*" ? [] : [parseFlowProtocol(protocol)].filter((p) => p !== undefined);
  const ports = (tier.ports ?? []).map(String);
  const label = `${protocol === "*" ? "any protocol" : protocol.toUpperCase()}${ports.length > 0 ? ` ${ports.join(", ")}` : ""}`;
  return {
    ...(protocols.length > 0 ? { protocols } : {}),
    ...(ports.length > 0 ? { ports } : {}),
    label,
  };
}

function serviceSet(service: Service): PacketSet {
  const ranges = (service.ports ?? []).flatMap((p) => {
    const r = parsePortRange(p);
    return r.ok ? [r.range] : [];
  });
  if (!service.protocols && ranges.length === 0) return PacketSet.all;
  return PacketSet.box({
    ...(service.protocols ? { protocols: service.protocols } : {}),
    ...(ranges.length > 0 ? { destinationPorts: ranges } : {}),
  });
}

export interface BuiltEstate {
  readonly network?: Network;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * The network a topology makes; its service tags' addresses from a
 * service-tags document when one is given (a report's), else symbolic, as
 * the server and a spec without the file read them.
 */
export function buildEstate(topology: Topology, serviceTags?: unknown): BuiltEstate {
  const catalog =
    serviceTags === undefined
      ? ServiceTagCatalog.symbolic
      : parseServiceTagFile(serviceTags).catalog;
  const built = buildNetwork(topology, catalog);
  return {
    ...(built.network ? { network: built.network } : {}),
    diagnostics: built.diagnostics,
  };
}

/** What the diagram draws as a node: an environment, or a machine's interface no environment stands on. */
export interface Endpoint {
  readonly name: string;
  readonly kind: "environment" | "interface";
  /** What it is, in a few words: `ASE V1 · tier api`, `10.0.1.4 · 203.0.113.7`. */
  readonly detail: string;
  /** Its subnet's id (`vnet/subnet`), virtual network and NSG. */
  readonly subnet?: string;
  readonly vnet?: string;
  readonly subnetName?: string;
  readonly nsg?: string;
}

/** A public entry point (a load balancer's or an application gateway's frontend) and what it forwards to. */
export interface EntryPoint {
  readonly id: string;
  readonly label: string;
  readonly detail: string;
  /** The endpoints it forwards to, by name. */
  readonly backends: readonly string[];
  readonly exposed: readonly SummaryLine[];
}

/** One estate's analysis, made once per network and kept. */
export class Estate {
  readonly analyzer: ReachAnalyzer;
  readonly evaluator: FlowEvaluator;
  private lintMade?: readonly Diagnostic[];
  /** Every environment, and every machine's interface no environment stands on. */
  readonly rows: readonly Row[];
  private readonly rowsByName: ReadonlyMap<string, Row>;

  constructor(
    readonly network: Network,
    readonly tiers: readonly TierSpec[],
    /** The spec's (or the workspace's) assertions: lint weighs allow rules against what they need. */
    readonly assertions: readonly SpecAssertion[] = [],
  ) {
    this.analyzer = new ReachAnalyzer(network);
    this.evaluator = new FlowEvaluator(network);
    this.rows = hostRows(network);
    this.rowsByName = new Map(this.rows.map((r) => [r.name, r]));
  }

  get environments(): string[] {
    return [...this.network.environments.keys()];
  }

  endpoints(): Endpoint[] {
    return this.rows.map(({ name, host }) => {
      const env = this.network.environments.get(name);
      const tier = this.tierOf(name);
      const detail: string[] = env
        ? [env.kind.replace("AppServiceEnvironment", "ASE "), tier ? `tier ${tier.name}` : ""]
        : [
            displayAddress(host.address),
            host.publicAddress ? displayAddress(host.publicAddress) : "",
          ];
      return {
        name,
        kind: env ? "environment" : "interface",
        detail: detail.filter((d) => d !== "").join(" · "),
        ...(host.subnet
          ? {
              subnet: host.subnet.id,
              vnet: host.subnet.vnet,
              subnetName: host.subnet.name,
              ...(host.subnet.nsg ? { nsg: host.subnet.nsg } : {}),
            }
          : {}),
      };
    });
  }

  /**
   * The public entry points the Internet reaches: load balancers' and
   * application gateways' frontends, each with the endpoints it forwards to.
   */
  entryPoints(): EntryPoint[] {
    const entries = new Map<
      string,
      { label: string; detail: string; backends: Set<string>; exposed: SummaryLine[] }
    >();
    const names = new Set(this.rows.map((r) => r.name));
    for (const e of exposureOf(this.analyzer)) {
      const through = e.loadBalancer ?? e.applicationGateway;
      if (!through || !e.frontend) continue;
      const id = `entry:${through}/${e.frontend}`;
      const entry = entries.get(id) ?? {
        label: `${e.loadBalancer ? "load balancer" : "application gateway"} ${through}`,
        detail: [e.frontend, e.publicAddress].filter(Boolean).join(" · "),
        backends: new Set<string>(),
        exposed: [],
      };
      // The backend is named in words (`network interface web1-nic (ipconfig1)`): the endpoint it names.
      const backend = e.backend ?? e.environment ?? e.networkInterface ?? "";
      const named = backend.split(/\s+/).find((word) => names.has(word));
      if (named) entry.backends.add(named);
      entry.exposed.push(...e.exposed);
      entries.set(id, entry);
    }
    return [...entries].map(([id, e]) => ({
      id,
      label: e.label,
      detail: e.detail,
      backends: [...e.backends],
      exposed: e.exposed,
    }));
  }

  /**
   * What each subnet may send to each other one and to the Internet, and
   * what the Internet may send to each, gathered over their endpoints: the
   * edges that carry something (exact, over every packet).
   */
  subnetEdges(): ArchitectureEdge[] {
    const matrix = reachMatrix(this.analyzer, { hosts: this.rows, groupBy: "subnet" });
    return matrix.cells
      .filter((c) => c.from !== c.to && c.allowed.length > 0)
      .map((c) => ({
        id: `${c.from}->${c.to}`,
        from: c.from,
        to: c.to,
        state: c.all ? "allowed" : "partial",
        intended: false,
        service: ANY,
        allowed: c.allowed,
        omitted: c.omitted,
        beyond: [],
      }));
  }

  /** The tier each environment belongs to (the first that names it). */
  tierOf(environment: string): TierSpec | undefined {
    return this.tiers.find((t) => t.environments.includes(environment));
  }

  /** Whether the tier of `to` names `from` (an environment, or a tier holding it) as a caller. */
  private intended(from: string, to: string): boolean {
    const tier = this.tierOf(to);
    if (!tier) return false;
    const callers = tier.callers ?? [];
    if (callers.includes(from)) return true;
    return this.tiers.some((t) => callers.includes(t.name) && t.environments.includes(from));
  }

  /**
   * The edges to draw: from the Internet into every endpoint it has a way to;
   * between endpoints, those into each tier's environments when the estate
   * has tiers (who may call whom is what it says), else those that carry
   * something; with `everyPair`, between every two endpoints.
   */
  edges(everyPair = false): ArchitectureEdge[] {
    const names = this.rows.map((r) => r.name);
    const edges: ArchitectureEdge[] = [];
    const byTier = this.tiers.length > 0;
    for (const to of names) {
      const tier = this.tierOf(to);
      for (const from of names) {
        if (from === to || (byTier && !tier && !everyPair)) continue;
        const edge = this.edge(from, to);
        if (everyPair || byTier || edge.allowed.length > 0) edges.push(edge);
      }
      edges.push(this.edge(INTERNET, to));
    }
    // A host the Internet has no way to is no call to draw.
    return edges.filter((e) => e.state !== "unreachable");
  }

  /** The Internet's hosts: everything outside the networks but the environments' own addresses. */
  private anonymous(): AddressSet {
    let known = AddressSet.empty;
    for (const env of this.network.environments.values())
      if (env.outboundAddress) known = known.union(AddressSet.ofAddresses([env.outboundAddress]));
    return this.analyzer.outside.minus(known);
  }

  private hostOf(name: string) {
    const row = this.rowsByName.get(name);
    if (!row) throw new Error(`no endpoint ${name}`);
    return row.host;
  }

  edge(from: string, to: string): ArchitectureEdge {
    const tier = this.tierOf(to);
    const service = tier ? serviceOf(tier) : ANY;
    const space =
      from === INTERNET
        ? this.analyzer.fromOutside(this.anonymous(), this.hostOf(to))
        : this.analyzer.flow(this.hostOf(from), this.hostOf(to));
    const scope = serviceSet(service);
    const possible = space.possible.intersect(scope);
    const allowed = space.allowed.intersect(scope);
    const denied = possible.minus(allowed);
    const state: EdgeState = possible.isEmpty()
      ? "unreachable"
      : denied.isEmpty()
        ? "allowed"
        : allowed.isEmpty()
          ? "denied"
          : "partial";
    const names = this.network.addressNames;
    const summary = summarize(allowed, 8, names);
    const beyond = summarize(space.allowed.minus(scope), 4, names).lines;
    const witness = (set: PacketSet): Witness | undefined => {
      const packet = set.witness();
      if (!packet) return undefined;
      return { packet: formatPacket(packet), ...this.decide(from, to, packet) };
    };
    const allowedWitness = witness(allowed);
    const deniedWitness = witness(denied);
    return {
      id: `${from}->${to}`,
      from,
      to,
      state,
      intended: from === INTERNET ? false : this.intended(from, to),
      service,
      allowed: summary.lines,
      omitted: summary.omitted,
      beyond,
      ...(allowedWitness ? { allowedWitness } : {}),
      ...(deniedWitness ? { deniedWitness } : {}),
    };
  }

  /** The flow of a witness packet, evaluated as the flow tester would, for the rules that decide it. */
  private decide(from: string, to: string, packet: Packet): { flow?: FlowResult } {
    const evaluated = this.evaluator.evaluate({
      from: from === INTERNET ? displayAddress(packet.source) : from,
      to,
      protocol: packet.protocol,
      ...(hasPortsOf(packet.protocol)
        ? { destinationPort: packet.destinationPort, sourcePort: packet.sourcePort }
        : {}),
    });
    return evaluated.ok ? { flow: evaluated.result } : {};
  }

  /** A flow the user asks about: the verdict, or why it cannot be asked. */
  flow(query: {
    from: string;
    to: string;
    protocol: string;
    port: string;
  }): { ok: true; result: FlowResult } | { ok: false; message: string } {
    const protocol = parseFlowProtocol(query.protocol);
    if (!protocol) return { ok: false, message: `${query.protocol} is not a protocol` };
    const port = Number(query.port);
    if (hasPortsOf(protocol) && !(Number.isInteger(port) && port >= 0 && port <= 65535))
      return { ok: false, message: "the port is a number from 0 to 65535" };
    const evaluated = this.evaluator.evaluate({
      from: query.from.trim(),
      to: query.to.trim(),
      protocol,
      ...(hasPortsOf(protocol) ? { destinationPort: port } : {}),
    });
    return evaluated.ok ? evaluated : { ok: false, message: evaluated.message };
  }

  /**
   * The lint findings, as `tierwall lint` makes them: with the assertions'
   * traffic, so that allow rules broader than the claims need are found too.
   */
  lint(): readonly Diagnostic[] {
    this.lintMade ??= lint(this.analyzer, neededTraffic(this.analyzer, this.assertions));
    return this.lintMade;
  }

  /** The findings through the spec's suppressions, as `tierwall lint` gates them (nothing fails here). */
  findings(
    topology: Topology,
    suppressions: readonly Suppression[] = [],
    today = new Date().toISOString().slice(0, 10),
  ): GateResult & { readonly where: (d: Diagnostic) => string } {
    const result = gate(topology, this.lint(), { suppressions, failOn: "none", today });
    return { ...result, where: (d) => namedPath(topology, d.path) };
  }

  outcomes(assertions: readonly SpecAssertion[]) {
    return checkSpecAssertions(this.network, assertions).map((o) => {
      const assertion: SpecAssertion =
        o.kind === "flow" ? { kind: "flow", ...o.outcome.assertion } : o.outcome.assertion;
      return {
        name: describeSpecAssertion(assertion),
        status: o.outcome.status,
        why: o.outcome.status === "held" ? undefined : o.outcome.why,
      };
    });
  }
}

/** What changes between two networks, as the server's diff says it. */
export function diffOf(before: Network, after: Network) {
  return semanticDiffJson(semanticDiff(before, after));
}

export type DiffJson = ReturnType<typeof diffOf>;

export const summaryText = (line: SummaryLine): string => formatSummaryLine(line);

/** The assertions as a spec writes them, normalized (the server or the spec loader checked them). */
export function normalizedAssertions(raw: readonly unknown[]): SpecAssertion[] {
  const diagnostics: Diagnostic[] = [];
  return raw.flatMap((a, i) =>
    normalizeAssertion(a as AssertionDocument, ["assertions", i], diagnostics),
  );
}
