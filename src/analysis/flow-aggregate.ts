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
  /** Packets and bytes both ways, from the tuples of its first logger (each NSG that sees a flow logs the same traffic). */
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

/** Folds tuples into flows as they stream by; memory grows with distinct flows, not tuples. */
export class FlowAggregator {
  private readonly byKey = new Map<string, AggregatedFlow>();
  tuples = 0;

  add(tuple: LoggedFlow): void {
    this.tuples++;
    const key = `${tuple.direction[0]}|${tuple.protocol}|${tuple.source}|${tuple.sourcePort}|${tuple.destination}|${tuple.destinationPort}`;
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
    const first = flow.logged[0];
    if (first === undefined || first.logger === logger) {
      flow.packets += (tuple.packetsSent ?? 0) + (tuple.packetsReceived ?? 0);
      flow.bytes += (tuple.bytesSent ?? 0) + (tuple.bytesReceived ?? 0);
    }
    if (
      !flow.logged.some(
        (v) => v.logger === logger && v.rule === tuple.rule && v.access === tuple.access,
      )
    )
      flow.logged.push({ logger, format: tuple.format, access: tuple.access, rule: tuple.rule });
  }

  /** The flows, in the order first seen. */
  flows(): AggregatedFlow[] {
    return [...this.byKey.values()];
  }
}
