/**
 * Replay's judging in an embedded DuckDB, for inputs of hundreds of millions
 * of tuples: the tuples are appended to a table, folded into flows by SQL,
 * and each flow is judged by the SQL the spec compiles to (compile.ts), for
 * the spec and the proposed spec. What comes back is small (one row per flow
 * and logger) and is summed up by the same code as the JavaScript path.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  type AggregatedFlow,
  flowKey,
  loggerOf,
  settleCounts,
} from "../../analysis/flow-aggregate.js";
import type { JudgedFlow, Judgement, StageVerdict } from "../../analysis/replay.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import type { Network } from "../../model/network.js";
import { type CompiledSql, compileSql } from "./compile.js";

const TUPLES = `CREATE TABLE flow_tuples (
  direction VARCHAR, protocol INTEGER, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER,
  logged_at DOUBLE, packets DOUBLE, bytes DOUBLE, logger VARCHAR, format VARCHAR, rule VARCHAR, access VARCHAR)`;

/** One row per flow and what one logger logged of it. */
const FOLD = `CREATE TABLE tw_logged AS
SELECT direction, protocol, src_ip, src_port, dst_ip, dst_port, logger, format, rule, access,
  count(*) AS tuples, sum(packets) AS packets, sum(bytes) AS bytes, min(logged_at) AS first_seen, max(logged_at) AS last_seen
FROM flow_tuples
GROUP BY ALL`;

const FLOWS = `CREATE TABLE tw_flows AS
SELECT DISTINCT direction, protocol, src_ip, src_port, dst_ip, dst_port FROM tw_logged`;

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : (v as number));
const text = (v: unknown): string => v as string;

export interface DuckDbJudging {
  readonly judged: JudgedFlow[];
  readonly tuples: number;
}

/** Appends the tuples as they stream in, then folds and judges them. */
export async function judgeInDuckDb(
  batches: AsyncIterable<LoggedFlow[]>,
  current: Network,
  proposed?: Network,
): Promise<DuckDbJudging> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    await connection.run(TUPLES);
    const appender = await connection.createAppender("flow_tuples");
    let tuples = 0;
    for await (const batch of batches) {
      for (const t of batch) {
        appender.appendVarchar(t.direction === "Inbound" ? "I" : "O");
        appender.appendInteger(t.protocol);
        appender.appendVarchar(t.source);
        appender.appendInteger(t.sourcePort);
        appender.appendVarchar(t.destination);
        appender.appendInteger(t.destinationPort);
        // Doubles hold these whole numbers exactly (below 2^53) and cost no BigInt per value.
        appender.appendDouble(t.time);
        appender.appendDouble((t.packetsSent ?? 0) + (t.packetsReceived ?? 0));
        appender.appendDouble((t.bytesSent ?? 0) + (t.bytesReceived ?? 0));
        appender.appendVarchar(loggerOf(t));
        appender.appendVarchar(t.format);
        appender.appendVarchar(t.rule);
        appender.appendVarchar(t.access);
        appender.endRow();
      }
      tuples += batch.length;
    }
    appender.closeSync();
    await connection.run(FOLD);
    await connection.run(FLOWS);
    const flows = await foldedFlows(connection);
    const currentJudgements = await judgements(
      connection,
      compileSql(current, { dialect: "duckdb", table: "tw_flows" }),
    );
    const proposedJudgements = proposed
      ? await judgements(connection, compileSql(proposed, { dialect: "duckdb", table: "tw_flows" }))
      : undefined;
    const judged = [...flows.values()].map((flow): JudgedFlow => {
      const key = flowKey(flow);
      const spec = currentJudgements.get(key);
      if (!spec) return { flow };
      if (!proposedJudgements) return { flow, current: spec };
      const there = proposedJudgements.get(key);
      return there
        ? { flow, current: spec, proposed: there }
        : { flow, current: spec, proposedNotJudged: "not judged by the SQL engine" };
    });
    return { judged, tuples };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** The flows, folded as FlowAggregator folds them. */
async function foldedFlows(connection: DuckDBConnection): Promise<Map<string, AggregatedFlow>> {
  const reader = await connection.runAndReadAll(
    "SELECT * FROM tw_logged ORDER BY first_seen, direction, protocol, src_ip, src_port, dst_ip, dst_port, logger, rule, access",
  );
  const flows = new Map<string, AggregatedFlow>();
  for (const row of reader.getRowObjects() as Row[]) {
    const shape = {
      direction: text(row.direction) === "I" ? ("Inbound" as const) : ("Outbound" as const),
      protocol: num(row.protocol),
      source: text(row.src_ip),
      sourcePort: num(row.src_port),
      destination: text(row.dst_ip),
      destinationPort: num(row.dst_port),
    };
    const key = flowKey(shape);
    let flow = flows.get(key);
    if (!flow) {
      flow = {
        ...shape,
        tuples: 0,
        packets: 0,
        bytes: 0,
        firstSeen: num(row.first_seen),
        lastSeen: num(row.last_seen),
        logged: [],
      };
      flows.set(key, flow);
    }
    flow.tuples += num(row.tuples);
    flow.firstSeen = Math.min(flow.firstSeen, num(row.first_seen));
    flow.lastSeen = Math.max(flow.lastSeen, num(row.last_seen));
    flow.logged.push({
      logger: text(row.logger),
      format: text(row.format) as LoggedFlow["format"],
      access: text(row.access) as "Allow" | "Deny",
      rule: text(row.rule),
      tuples: num(row.tuples),
      packets: num(row.packets),
      bytes: num(row.bytes),
    });
  }
  for (const flow of flows.values()) settleCounts(flow);
  return flows;
}

/** Each flow's judgement by the compiled SQL, by flow key; flows it does not judge are absent. */
async function judgements(
  connection: DuckDBConnection,
  compiled: CompiledSql,
): Promise<Map<string, Judgement>> {
  const reader = await connection.runAndReadAll(compiled.query);
  const out = new Map<string, Judgement>();
  const stage = (id: unknown): StageVerdict | undefined => {
    if (id === null || id === undefined) return undefined;
    const n = num(id);
    const rule = compiled.rules[Math.abs(n) - 1];
    return rule ? { nsg: rule.nsg, rule: rule.rule, access: rule.access } : undefined;
  };
  for (const row of reader.getRowObjects() as Row[]) {
    if (row.spec_decision === null) continue;
    const key = flowKey({
      direction: text(row.direction) === "I" ? "Inbound" : "Outbound",
      protocol: num(row.protocol),
      source: text(row.src_ip),
      sourcePort: num(row.src_port),
      destination: text(row.dst_ip),
      destinationPort: num(row.dst_port),
    });
    const first = stage(row.tw_stage1);
    const second = first?.access === "Allow" ? stage(row.tw_stage2) : undefined;
    const evaluations = [first, second].filter((s): s is StageVerdict => s !== undefined);
    out.set(key, {
      access: text(row.spec_decision) as "Allow" | "Deny",
      ...(row.spec_rule !== null ? { nsg: text(row.spec_nsg), rule: text(row.spec_rule) } : {}),
      at: text(row.spec_judged_at),
      evaluations,
    });
  }
  return out;
}
