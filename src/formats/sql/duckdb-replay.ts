/**
 * Replay's judging in an embedded DuckDB, for inputs of hundreds of millions
 * of tuples: the tuples are appended to a table, folded into flow classes by
 * SQL (as FlowClassFolder folds them), and each class is judged by the SQL the
 * spec compiles to (compile.ts), for the spec and the proposed spec. What
 * comes back is small (one row per class and logger) and is summed up by the
 * same code as the JavaScript path.
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  classKey,
  type FlowClass,
  type FoldOptions,
  loggerOf,
  settleCounts,
} from "../../analysis/flow-classes.js";
import type { JudgedClass, Judgement, StageVerdict } from "../../analysis/replay.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import type { Network } from "../../model/network.js";
import { type CompiledSql, compileSql } from "./compile.js";

const TUPLES = `CREATE TABLE flow_tuples (
  direction VARCHAR, protocol INTEGER, src_ip VARCHAR, src_port INTEGER, dst_ip VARCHAR, dst_port INTEGER,
  logged_at DOUBLE, packets DOUBLE, bytes DOUBLE, logger VARCHAR, format VARCHAR, rule VARCHAR, access VARCHAR)`;

/** The class's source port column: the port itself when classes are kept apart by it, else 0 (any port judges alike). */
const classPort = (bySourcePort: boolean) => (bySourcePort ? "src_port" : "0");

/** One row per class and what one logger logged of it. */
const fold = (bySourcePort: boolean) => `CREATE TABLE tw_logged AS
SELECT direction, protocol, src_ip, ${classPort(bySourcePort)} AS src_port, dst_ip, dst_port, logger, format, rule, access,
  count(*) AS tuples, sum(packets) AS packets, sum(bytes) AS bytes, min(logged_at) AS first_seen, max(logged_at) AS last_seen
FROM flow_tuples
GROUP BY ALL`;

/** One row per class, with its distinct flows. */
const classes = (bySourcePort: boolean) => `CREATE TABLE tw_classes AS
SELECT direction, protocol, src_ip, ${classPort(bySourcePort)} AS src_port, dst_ip, dst_port, count(DISTINCT src_port) AS flows
FROM flow_tuples
GROUP BY ALL`;

type Row = Record<string, unknown>;

const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : (v as number));
const text = (v: unknown): string => v as string;

export interface DuckDbJudging {
  readonly judged: JudgedClass[];
  readonly tuples: number;
}

/** Appends the tuples as they stream in, then folds and judges them. */
export async function judgeInDuckDb(
  batches: AsyncIterable<LoggedFlow[]>,
  current: Network,
  proposed?: Network,
  options: FoldOptions = {},
): Promise<DuckDbJudging> {
  const bySourcePort = options.bySourcePort === true;
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
    await connection.run(fold(bySourcePort));
    await connection.run(classes(bySourcePort));
    const folded = await foldedClasses(connection, bySourcePort);
    const currentJudgements = await judgements(
      connection,
      compileSql(current, { dialect: "duckdb", table: "tw_classes" }),
      bySourcePort,
    );
    const proposedJudgements = proposed
      ? await judgements(
          connection,
          compileSql(proposed, { dialect: "duckdb", table: "tw_classes" }),
          bySourcePort,
        )
      : undefined;
    const judged = [...folded.values()].map((traffic): JudgedClass => {
      const key = classKey(traffic);
      const spec = currentJudgements.get(key);
      if (!spec) return { traffic };
      if (!proposedJudgements) return { traffic, current: spec };
      const there = proposedJudgements.get(key);
      return there
        ? { traffic, current: spec, proposed: there }
        : { traffic, current: spec, proposedNotJudged: "not judged by the SQL engine" };
    });
    return { judged, tuples };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** A row's class, as FlowClassFolder makes it. */
function shapeOf(row: Row, bySourcePort: boolean) {
  return {
    direction: text(row.direction) === "I" ? ("Inbound" as const) : ("Outbound" as const),
    protocol: num(row.protocol),
    source: text(row.src_ip),
    destination: text(row.dst_ip),
    destinationPort: num(row.dst_port),
    ...(bySourcePort ? { sourcePort: num(row.src_port) } : {}),
  };
}

/** The classes, folded as FlowClassFolder folds them. */
async function foldedClasses(
  connection: DuckDBConnection,
  bySourcePort: boolean,
): Promise<Map<string, FlowClass>> {
  const out = new Map<string, FlowClass>();
  const logged = await connection.runAndReadAll(
    "SELECT * FROM tw_logged ORDER BY first_seen, direction, protocol, src_ip, src_port, dst_ip, dst_port, logger, rule, access",
  );
  for (const row of logged.getRowObjects() as Row[]) {
    const shape = shapeOf(row, bySourcePort);
    const key = classKey(shape);
    let traffic = out.get(key);
    if (!traffic) {
      traffic = {
        ...shape,
        flows: 0,
        tuples: 0,
        packets: 0,
        bytes: 0,
        firstSeen: num(row.first_seen),
        lastSeen: num(row.last_seen),
        logged: [],
      };
      out.set(key, traffic);
    }
    traffic.tuples += num(row.tuples);
    traffic.firstSeen = Math.min(traffic.firstSeen, num(row.first_seen));
    traffic.lastSeen = Math.max(traffic.lastSeen, num(row.last_seen));
    traffic.logged.push({
      logger: text(row.logger),
      format: text(row.format) as LoggedFlow["format"],
      access: text(row.access) as "Allow" | "Deny",
      rule: text(row.rule),
      tuples: num(row.tuples),
      packets: num(row.packets),
      bytes: num(row.bytes),
    });
  }
  const counted = await connection.runAndReadAll("SELECT * FROM tw_classes");
  for (const row of counted.getRowObjects() as Row[]) {
    const traffic = out.get(classKey(shapeOf(row, bySourcePort)));
    if (traffic) traffic.flows = num(row.flows);
  }
  for (const traffic of out.values()) settleCounts(traffic);
  return out;
}

/** Each class's judgement by the compiled SQL, by class key; classes it does not judge are absent. */
async function judgements(
  connection: DuckDBConnection,
  compiled: CompiledSql,
  bySourcePort: boolean,
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
    const key = classKey(shapeOf(row, bySourcePort));
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
