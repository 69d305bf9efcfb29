/**
 * Logged tuples folded into flows: one per 5-tuple and direction, with the
 * tuples, packets and bytes seen, when, and what each logging NSG decided.
 * Replay judges flows, not tuples: a week of logs repeats the same flows.
 */
import type { FlowLogFormat, LoggedFlow } from "../model/logged-flow.js";
import type { Access } from "../model/rule.js";

/** What one NSG (or, in VNet flow logs, one access control list) logged of a flow, and how much. */
export interface LoggedVerdict {
  /** The logging NSG's name (NSG flow logs), or the ACL id (VNet flow logs); empty when not given. */
  readonly logger: string;
  readonly format: FlowLogFormat;
  readonly access: Access;
  /** The rule as logged (`UserRule_NAME`, `DefaultRule_NAME`). */
  readonly rule: string;
  tuples: number;
  packets: number;
  bytes: number;
}

export interface AggregatedFlow {
  readonly direction: "Inbound" | "Outbound";
  /** IANA protocol number. */
  readonly protocol: number;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
  /** Tuples logged for it, by every logger. */
  tuples: number;
  /**
   * Packets and bytes both ways, as the logger that counted most bytes saw
   * them: each NSG that evaluates a flow logs the same traffic, so the
   * loggers' counts are not added.
   */
  packets: number;
  bytes: number;
  /** Milliseconds since the epoch. */
  firstSeen: number;
  lastSeen: number;
  /** One verdict per logger and rule, in the order first seen. */
  readonly logged: LoggedVerdict[];
}

/** The name of the NSG a resource id names (`.../networkSecurityGroups/NAME`), or the id itself. */
export function nsgNameOf(resourceId: string): string {
  const match = /\/networksecuritygroups\/([^/]+)\/?$/i.exec(resourceId);
  return match ? (match[1] as string) : resourceId;
}

/** Who logged the tuple: the NSG's name (NSG flow logs), the ACL id (VNet flow logs), or "" when neither is given. */
export function loggerOf(tuple: LoggedFlow): string {
  return tuple.nsgId !== undefined ? nsgNameOf(tuple.nsgId) : (tuple.aclId ?? "");
}

/** The key a flow is folded by: direction, protocol, and both ends. */
export function flowKey(
  f: Pick<
    LoggedFlow,
    "direction" | "protocol" | "source" | "sourcePort" | "destination" | "destinationPort"
  >,
): string {
  return `${f.direction[0]}|${f.protocol}|${f.source}|${f.sourcePort}|${f.destination}|${f.destinationPort}`;
}

/** Folds tuples into flows as they stream by; memory grows with distinct flows, not tuples. */
export class FlowAggregator {
  /**
   * By source, then destination (the reader keeps each address's text once,
   * so their hashes are computed once), then direction, protocol and ports
   * packed in one number: no key string is built per tuple.
   */
  private readonly bySource = new Map<string, Map<string, Map<number, AggregatedFlow>>>();
  private readonly order: AggregatedFlow[] = [];
  /** NSG names by resource id: the ids repeat in every record. */
  private readonly loggers = new Map<string, string>();
  tuples = 0;

  add(tuple: LoggedFlow): void {
    this.tuples++;
    let byDestination = this.bySource.get(tuple.source);
    if (!byDestination) {
      byDestination = new Map();
      this.bySource.set(tuple.source, byDestination);
    }
    let byPorts = byDestination.get(tuple.destination);
    if (!byPorts) {
      byPorts = new Map();
      byDestination.set(tuple.destination, byPorts);
    }
    // 1 + 8 + 16 + 16 bits: exact in a double. Protocol numbers above 255 are not IANA's, and kept apart.
    const packed =
      ((tuple.direction === "Inbound" ? 1 : 0) * 512 + Math.min(tuple.protocol, 256)) * 4294967296 +
      tuple.sourcePort * 65536 +
      tuple.destinationPort;
    let flow = byPorts.get(packed);
    if (!flow) {
      flow = {
        direction: tuple.direction,
        protocol: tuple.protocol,
        source: tuple.source,
        sourcePort: tuple.sourcePort,
        destination: tuple.destination,
        destinationPort: tuple.destinationPort,
        tuples: 0,
        packets: 0,
        bytes: 0,
        firstSeen: tuple.time,
        lastSeen: tuple.time,
        logged: [],
      };
      byPorts.set(packed, flow);
      this.order.push(flow);
    }
    flow.tuples++;
    if (tuple.time < flow.firstSeen) flow.firstSeen = tuple.time;
    if (tuple.time > flow.lastSeen) flow.lastSeen = tuple.time;
    let logger = tuple.aclId ?? "";
    if (tuple.nsgId !== undefined) {
      const known = this.loggers.get(tuple.nsgId);
      logger = known ?? nsgNameOf(tuple.nsgId);
      if (known === undefined) this.loggers.set(tuple.nsgId, logger);
    }
    let verdict: LoggedVerdict | undefined;
    for (const v of flow.logged)
      if (
        v.logger === logger &&
        v.rule === tuple.rule &&
        v.access === tuple.access &&
        v.format === tuple.format
      ) {
        verdict = v;
        break;
      }
    if (!verdict) {
      verdict = {
        logger,
        format: tuple.format,
        access: tuple.access,
        rule: tuple.rule,
        tuples: 0,
        packets: 0,
        bytes: 0,
      };
      flow.logged.push(verdict);
    }
    verdict.tuples++;
    verdict.packets += (tuple.packetsSent ?? 0) + (tuple.packetsReceived ?? 0);
    verdict.bytes += (tuple.bytesSent ?? 0) + (tuple.bytesReceived ?? 0);
  }

  /** The flows, in the order first seen, with their counts settled. */
  flows(): AggregatedFlow[] {
    for (const flow of this.order) settleCounts(flow);
    return this.order;
  }
}

/**
 * A flow's packets and bytes: those of the logger that counted most bytes
 * (then most packets), summed over its verdicts, whatever order they came in.
 */
export function settleCounts(flow: AggregatedFlow): void {
  flow.packets = 0;
  flow.bytes = 0;
  const byLogger = new Map<string, { packets: number; bytes: number }>();
  for (const v of flow.logged) {
    const own = byLogger.get(v.logger) ?? { packets: 0, bytes: 0 };
    own.packets += v.packets;
    own.bytes += v.bytes;
    byLogger.set(v.logger, own);
  }
  for (const own of byLogger.values())
    if (own.bytes > flow.bytes || (own.bytes === flow.bytes && own.packets > flow.packets)) {
      flow.bytes = own.bytes;
      flow.packets = own.packets;
    }
}
