/**
 * Logged tuples folded into flows: one per 5-tuple and direction, with the
 * tuples, packets and bytes seen, when, and what each logging NSG decided.
 * Replay judges flows, not tuples: a week of logs repeats the same flows.
 */
import type { FlowLogFormat, LoggedFlow } from "../model/logged-flow.js";
import type { Access } from "../model/rule.js";

/** What one NSG (or, in VNet flow logs, one access control list) logged of a flow. */
export interface LoggedVerdict {
  /** The logging NSG's name (NSG flow logs), or the ACL id (VNet flow logs); empty when not given. */
  readonly logger: string;
  readonly format: FlowLogFormat;
  readonly access: Access;
  /** The rule as logged (`UserRule_NAME`, `DefaultRule_NAME`). */
  readonly rule: string;
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
  private readonly byKey = new Map<string, AggregatedFlow>();
  /** Each flow's counts by logger. */
  private readonly counts = new WeakMap<
    AggregatedFlow,
    Map<string, { packets: number; bytes: number }>
  >();
  tuples = 0;

  add(tuple: LoggedFlow): void {
    this.tuples++;
    const key = flowKey(tuple);
    let flow = this.byKey.get(key);
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
      this.byKey.set(key, flow);
      this.counts.set(flow, new Map());
    }
    flow.tuples++;
    if (tuple.time < flow.firstSeen) flow.firstSeen = tuple.time;
    if (tuple.time > flow.lastSeen) flow.lastSeen = tuple.time;
    const logger =
      tuple.nsgId !== undefined
        ? nsgNameOf(tuple.nsgId)
        : tuple.aclId !== undefined
          ? tuple.aclId
          : "";
    const counts = this.counts.get(flow) as Map<string, { packets: number; bytes: number }>;
    let own = counts.get(logger);
    if (!own) {
      own = { packets: 0, bytes: 0 };
      counts.set(logger, own);
    }
    own.packets += (tuple.packetsSent ?? 0) + (tuple.packetsReceived ?? 0);
    own.bytes += (tuple.bytesSent ?? 0) + (tuple.bytesReceived ?? 0);
    // The first logger with the most bytes, whatever order the tuples came in.
    if (own.bytes > flow.bytes || (own.bytes === flow.bytes && own.packets > flow.packets)) {
      flow.bytes = own.bytes;
      flow.packets = own.packets;
    }
    if (
      !flow.logged.some(
        (v) =>
          v.logger === logger &&
          v.rule === tuple.rule &&
          v.access === tuple.access &&
          v.format === tuple.format,
      )
    )
      flow.logged.push({ logger, format: tuple.format, access: tuple.access, rule: tuple.rule });
  }

  /** The flows, in the order first seen. */
  flows(): AggregatedFlow[] {
    return [...this.byKey.values()];
  }
}
