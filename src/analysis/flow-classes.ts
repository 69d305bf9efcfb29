/**
 * Logged tuples folded into flow classes: the flows of one source to one
 * destination, protocol and port, in one direction, whatever their source
 * ports (which change with every connection, and which NSG rules almost never
 * name). A class keeps how many distinct flows (5-tuples) it holds, the
 * tuples, packets and bytes seen, when, and what each logging NSG decided.
 *
 * Replay judges classes, not tuples: a week of logs repeats the same few
 * classes millions of times, so memory grows with the classes, not with the
 * input or the connections. When a spec has a rule on source ports, the
 * classes are kept apart by source port too (each class is then one flow),
 * so that every flow of a class is judged alike.
 */
import type { FlowLogFormat, LoggedFlow } from "../model/logged-flow.js";
import type { Access } from "../model/rule.js";
import { SourcePorts } from "./source-ports.js";

/** What one NSG (or, in VNet flow logs, one access control list) logged of a class, and how much. */
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

export interface FlowClass {
  readonly direction: "Inbound" | "Outbound";
  /** IANA protocol number. */
  readonly protocol: number;
  readonly source: string;
  readonly destination: string;
  readonly destinationPort: number;
  /** Present when classes are kept apart by source port. */
  readonly sourcePort?: number;
  /** Distinct flows (source ports) logged. */
  flows: number;
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

/** A class with its source ports, as a fold holds it and as it crosses between threads. */
export interface FoldedClass {
  readonly traffic: FlowClass;
  /** The distinct source ports seen. */
  readonly ports: Uint16Array;
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

/** The key a class is known by: direction, protocol, both ends, and the source port when kept. */
export function classKey(
  c: Pick<FlowClass, "direction" | "protocol" | "source" | "destination" | "destinationPort"> & {
    readonly sourcePort?: number | undefined;
  },
): string {
  return `${c.direction[0]}|${c.protocol}|${c.source}|${c.sourcePort ?? "*"}|${c.destination}|${c.destinationPort}`;
}

interface Entry {
  readonly traffic: FlowClass;
  readonly ports: SourcePorts;
}

export interface FoldOptions {
  /** Keep classes apart by source port: needed when a spec judged has a rule on source ports. */
  readonly bySourcePort?: boolean;
}

/** Folds tuples into classes as they stream by. */
export class FlowClassFolder {
  readonly bySourcePort: boolean;
  /**
   * By source, then destination (the reader keeps each address's text once,
   * so their hashes are computed once), then direction, protocol and ports
   * packed in one number: no key string is built per tuple.
   */
  private readonly bySource = new Map<string, Map<string, Map<number, Entry>>>();
  private readonly order: Entry[] = [];
  /** NSG names by resource id: the ids repeat in every record. */
  private readonly loggers = new Map<string, string>();
  tuples = 0;

  constructor(options: FoldOptions = {}) {
    this.bySourcePort = options.bySourcePort === true;
  }

  add(tuple: LoggedFlow): void {
    this.tuples++;
    const entry = this.entry(
      tuple.direction,
      tuple.protocol,
      tuple.source,
      tuple.destination,
      tuple.destinationPort,
      tuple.sourcePort,
      tuple.time,
    );
    const traffic = entry.traffic;
    entry.ports.add(tuple.sourcePort);
    traffic.tuples++;
    if (tuple.time < traffic.firstSeen) traffic.firstSeen = tuple.time;
    if (tuple.time > traffic.lastSeen) traffic.lastSeen = tuple.time;
    let logger = tuple.aclId ?? "";
    if (tuple.nsgId !== undefined) {
      const known = this.loggers.get(tuple.nsgId);
      logger = known ?? nsgNameOf(tuple.nsgId);
      if (known === undefined) this.loggers.set(tuple.nsgId, logger);
    }
    const verdict = verdictOf(traffic, logger, tuple.format, tuple.access, tuple.rule);
    verdict.tuples++;
    verdict.packets += (tuple.packetsSent ?? 0) + (tuple.packetsReceived ?? 0);
    verdict.bytes += (tuple.bytesSent ?? 0) + (tuple.bytesReceived ?? 0);
  }

  /** Adds classes folded elsewhere (another thread's share of the files). */
  absorb(folded: Iterable<FoldedClass>, tuples: number): void {
    this.tuples += tuples;
    for (const { traffic: other, ports } of folded) {
      const entry = this.entry(
        other.direction,
        other.protocol,
        other.source,
        other.destination,
        other.destinationPort,
        other.sourcePort ?? 0,
        other.firstSeen,
      );
      const traffic = entry.traffic;
      for (const port of ports) entry.ports.add(port);
      traffic.tuples += other.tuples;
      if (other.firstSeen < traffic.firstSeen) traffic.firstSeen = other.firstSeen;
      if (other.lastSeen > traffic.lastSeen) traffic.lastSeen = other.lastSeen;
      for (const v of other.logged) {
        const verdict = verdictOf(traffic, v.logger, v.format, v.access, v.rule);
        verdict.tuples += v.tuples;
        verdict.packets += v.packets;
        verdict.bytes += v.bytes;
      }
    }
  }

  /** The classes, in the order first seen, with their counts settled. */
  classes(): FlowClass[] {
    return this.order.map((entry) => settle(entry));
  }

  /** The classes with their source ports, to move to another thread and absorb there. */
  folded(): FoldedClass[] {
    return this.order.map((entry) => ({ traffic: settle(entry), ports: entry.ports.values() }));
  }

  private entry(
    direction: "Inbound" | "Outbound",
    protocol: number,
    source: string,
    destination: string,
    destinationPort: number,
    sourcePort: number,
    time: number,
  ): Entry {
    let byDestination = this.bySource.get(source);
    if (!byDestination) {
      byDestination = new Map();
      this.bySource.set(source, byDestination);
    }
    let byPorts = byDestination.get(destination);
    if (!byPorts) {
      byPorts = new Map();
      byDestination.set(destination, byPorts);
    }
    // 1 + 9 + 16 + 16 bits: exact in a double. Protocol numbers above 255 are not IANA's, and kept apart.
    const packed =
      ((direction === "Inbound" ? 1 : 0) * 512 + Math.min(protocol, 256)) * 4294967296 +
      (this.bySourcePort ? sourcePort : 0) * 65536 +
      destinationPort;
    let entry = byPorts.get(packed);
    if (!entry) {
      entry = {
        traffic: {
          direction,
          protocol,
          source,
          destination,
          destinationPort,
          ...(this.bySourcePort ? { sourcePort } : {}),
          flows: 0,
          tuples: 0,
          packets: 0,
          bytes: 0,
          firstSeen: time,
          lastSeen: time,
          logged: [],
        },
        ports: new SourcePorts(),
      };
      byPorts.set(packed, entry);
      this.order.push(entry);
    }
    return entry;
  }
}

function verdictOf(
  traffic: FlowClass,
  logger: string,
  format: FlowLogFormat,
  access: Access,
  rule: string,
): LoggedVerdict {
  for (const v of traffic.logged)
    if (v.logger === logger && v.rule === rule && v.access === access && v.format === format)
      return v;
  const verdict = { logger, format, access, rule, tuples: 0, packets: 0, bytes: 0 };
  traffic.logged.push(verdict);
  return verdict;
}

function settle(entry: Entry): FlowClass {
  entry.traffic.flows = entry.ports.size;
  settleCounts(entry.traffic);
  return entry.traffic;
}

/**
 * A class's packets and bytes: those of the logger that counted most bytes
 * (then most packets), summed over its verdicts, whatever order they came in.
 */
export function settleCounts(traffic: FlowClass): void {
  traffic.packets = 0;
  traffic.bytes = 0;
  const byLogger = new Map<string, { packets: number; bytes: number }>();
  for (const v of traffic.logged) {
    const own = byLogger.get(v.logger) ?? { packets: 0, bytes: 0 };
    own.packets += v.packets;
    own.bytes += v.bytes;
    byLogger.set(v.logger, own);
  }
  for (const own of byLogger.values())
    if (
      own.bytes > traffic.bytes ||
      (own.bytes === traffic.bytes && own.packets > traffic.packets)
    ) {
      traffic.bytes = own.bytes;
      traffic.packets = own.packets;
    }
}
