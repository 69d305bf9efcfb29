/**
 * Flow-log documents as Azure writes them to storage: one `PT1H.json` per
 * hour and network interface, under the NSG (NSG flow logs) or the flow log
 * resource (VNet flow logs), in the blob layout readers expect, with one
 * record per minute. Used to write sample logs; the tuples must come in time
 * order, one hour after another.
 */
import type { LoggedFlow } from "../../model/logged-flow.js";

export interface FlowLogLayout {
  /** VNet flow logs: the flow log resource's id (the folder under `flowLogResourceID=`). */
  readonly flowLogResourceId?: string;
  /** VNet flow logs: the resource the flow log targets (a virtual network). */
  readonly targetResourceId?: string;
}

export const SAMPLE_FLOW_LOG_ID =
  "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_SAMPLE/FLOWLOGS/TIERWALL-SAMPLE";

const pad = (n: number) => String(n).padStart(2, "0");

/** `y=2026/m=11/d=23/h=10/m=00`, the hour folder of a time. */
function hourFolder(time: number): string {
  const d = new Date(time);
  return `y=${d.getUTCFullYear()}/m=${pad(d.getUTCMonth() + 1)}/d=${pad(d.getUTCDate())}/h=${pad(d.getUTCHours())}/m=00`;
}

const PROTOCOL_LETTER: Readonly<Record<number, string>> = { 6: "T", 17: "U" };

/** The tuple's comma-separated text in its format. */
export function tupleText(t: LoggedFlow): string {
  const direction = t.direction === "Inbound" ? "I" : "O";
  const counts = [t.packetsSent, t.bytesSent, t.packetsReceived, t.bytesReceived]
    .map((n) => (n === undefined ? "" : String(n)))
    .join(",");
  const ends = `${t.source},${t.destination},${t.sourcePort},${t.destinationPort}`;
  if (t.format === "vnet")
    return `${t.time},${ends},${t.protocol},${direction},${t.state ?? (t.access === "Deny" ? "D" : "B")},${t.encryption ?? "NX"},${counts}`;
  const letter = PROTOCOL_LETTER[t.protocol];
  if (letter === undefined)
    throw new Error(`NSG flow logs record TCP and UDP only, not protocol ${t.protocol}`);
  const head = `${Math.floor(t.time / 1000)},${ends},${letter},${direction},${t.access[0]}`;
  return t.format === "nsg-v1" ? head : `${head},${t.state ?? "B"},${counts}`;
}

interface Blob {
  readonly path: string;
  /** Records by minute, each with its tuples by logger and rule. */
  readonly minutes: Map<number, Map<string, Map<string, string[]>>>;
  readonly first: LoggedFlow;
}

/**
 * The documents of the tuples, by path relative to the container's root
 * (`resourceId=/SUBSCRIPTIONS/.../PT1H.json`), as JSON text.
 */
export function flowLogDocuments(
  tuples: Iterable<LoggedFlow>,
  layout: FlowLogLayout = {},
): Map<string, string> {
  const blobs = new Map<string, Blob>();
  for (const t of tuples) {
    const mac = t.mac ?? "000000000000";
    const root =
      t.format === "vnet"
        ? `flowLogResourceID=${layout.flowLogResourceId ?? SAMPLE_FLOW_LOG_ID}`
        : `resourceId=${(t.nsgId ?? "").toUpperCase()}`;
    const path = `${root}/${hourFolder(t.time)}/macAddress=${mac}/PT1H.json`;
    let blob = blobs.get(path);
    if (!blob) {
      blob = { path, minutes: new Map(), first: t };
      blobs.set(path, blob);
    }
    const minute = Math.floor(t.time / 60_000);
    let loggers = blob.minutes.get(minute);
    if (!loggers) {
      loggers = new Map();
      blob.minutes.set(minute, loggers);
    }
    const logger = t.format === "vnet" ? (t.aclId ?? "") : "";
    let rules = loggers.get(logger);
    if (!rules) {
      rules = new Map();
      loggers.set(logger, rules);
    }
    const list = rules.get(t.rule) ?? [];
    list.push(tupleText(t));
    rules.set(t.rule, list);
  }
  const out = new Map<string, string>();
  for (const blob of blobs.values()) {
    const records = [...blob.minutes].map(([minute, loggers]) =>
      record(blob.first, minute, loggers, layout),
    );
    out.set(blob.path, `${JSON.stringify({ records }, null, 1)}\n`);
  }
  return out;
}

function record(
  first: LoggedFlow,
  minute: number,
  loggers: Map<string, Map<string, string[]>>,
  layout: FlowLogLayout,
): object {
  const time = new Date((minute + 1) * 60_000).toISOString().replace(/\.000Z$/, ".0000000Z");
  const mac = first.mac ?? "000000000000";
  if (first.format === "vnet")
    return {
      time,
      flowLogVersion: 4,
      flowLogGUID: "00000000-0000-4000-8000-000000000000",
      macAddress: mac,
      category: "FlowLogFlowEvent",
      flowLogResourceID: layout.flowLogResourceId ?? SAMPLE_FLOW_LOG_ID,
      targetResourceID: layout.targetResourceId ?? first.targetResourceId ?? "",
      operationName: "FlowLogFlowEvent",
      flowRecords: {
        flows: [...loggers].map(([aclID, rules]) => ({
          aclID,
          flowGroups: [...rules].map(([rule, flowTuples]) => ({ rule, flowTuples })),
        })),
      },
    };
  const rules = loggers.get("") ?? new Map<string, string[]>();
  return {
    time,
    systemId: "00000000-0000-0000-0000-000000000000",
    category: "NetworkSecurityGroupFlowEvent",
    resourceId: (first.nsgId ?? "").toUpperCase(),
    operationName: "NetworkSecurityGroupFlowEvents",
    properties: {
      Version: first.format === "nsg-v1" ? 1 : 2,
      flows: [...rules].map(([rule, flowTuples]) => ({
        rule,
        flows: [{ mac, flowTuples }],
      })),
    },
  };
}
