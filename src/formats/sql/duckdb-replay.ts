/**
 * Replay's judging in an embedded DuckDB, for inputs of hundreds of millions
 * of tuples: DuckDB reads the files itself (or the tuples are appended to a
 * table, from standard input or when it cannot read them clean), folds them
 * into flow classes by SQL (as FlowClassFolder folds them), and judges each
 * class by the SQL the spec compiles to (compile.ts), for the spec and the
 * proposed spec. What comes back is small (one row per class and logger) and
 * is summed up by the same code as the JavaScript path.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const tuples = await appendTuples(connection, batches);
    const judged = await foldAndJudge(connection, current, proposed, options);
    return { judged, tuples };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Lets DuckDB read the flow-log files itself (in parallel, as it reads JSON),
 * then folds and judges their tuples there. Only files it reads whole and
 * clean are judged so: a file it cannot parse, a record of another category
 * or without its format's parts, or a tuple that is not its format's, and
 * the answer is undefined, for the caller to read the files with tierwall's
 * reader, which says what is wrong and where.
 */
export async function judgeFilesInDuckDb(
  files: readonly string[],
  current: Network,
  proposed?: Network,
  options: FoldOptions = {},
): Promise<(DuckDbJudging & { readonly records: number }) | undefined> {
  if (files.length === 0) return undefined;
  // A database file, not memory: the tuples DuckDB reads are kept on disk, compressed, and
  // what does not fit its share of memory (DuckDB's default) spills there too.
  const folder = await mkdtemp(join(tmpdir(), "tierwall-duckdb-"));
  const instance = await DuckDBInstance.create(join(folder, "replay.duckdb"), {
    temp_directory: join(folder, "spill"),
  });
  const connection = await instance.connect();
  try {
    try {
      await connection.run(readFiles(files));
    } catch {
      // Invalid JSON, a gzip'ed file not named .gz, a value of another type: tierwall's reader says where.
      return undefined;
    }
    const check = await connection.runAndReadAll(
      "SELECT count(*) AS tuples, count(*) FILTER (WHERE NOT ok) AS bad FROM tw_read",
    );
    const records = await connection.runAndReadAll(
      `SELECT count(*) AS records, count(*) FILTER (WHERE NOT ok) AS bad FROM tw_records`,
    );
    const [counts] = check.getRowObjects() as Row[];
    const [recordCounts] = records.getRowObjects() as Row[];
    if (!counts || !recordCounts || num(counts.bad) > 0 || num(recordCounts.bad) > 0)
      return undefined;
    await connection.run("CREATE TABLE flow_tuples AS SELECT * EXCLUDE (ok) FROM tw_read");
    const judged = await foldAndJudge(connection, current, proposed, options);
    return { judged, tuples: num(counts.tuples), records: num(recordCounts.records) };
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The largest file DuckDB reads itself (a file is one JSON object, which it
 * holds whole, once per thread); larger ones are read by tierwall's reader.
 */
const MAX_FILE = 256 << 20;

const NSG_CATEGORY = "NetworkSecurityGroupFlowEvent";
const VNET_CATEGORY = "FlowLogFlowEvent";

/** The records' shape, both formats in one: what a format does not have is NULL. */
const RECORD = `STRUCT(category VARCHAR, resourceId VARCHAR, macAddress VARCHAR,
  properties STRUCT("Version" BIGINT, flows STRUCT(rule VARCHAR, flows STRUCT(mac VARCHAR, flowTuples VARCHAR[])[])[]),
  flowRecords STRUCT(flows STRUCT(aclID VARCHAR, flowGroups STRUCT(rule VARCHAR, flowTuples VARCHAR[])[])[]))`;

const IPV4 =
  "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}";
const ADDRESS = `(${IPV4}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)`;
const COUNTS = "[0-9]{0,15},[0-9]{0,15},[0-9]{0,15},[0-9]{0,15}";
const HEAD = "[0-9]{1,16},[^,]+,[^,]+,[0-9]{1,5},[0-9]{1,5}";
/** Each format's tuple, field by field, as tierwall's reader takes it (tuple.ts). */
const VNET_TUPLE = `${HEAD},[0-9]{1,3},[IO],[BCED],[A-Za-z0-9_]+,${COUNTS}`;
const NSG_V1_TUPLE = `${HEAD},[TU],[IO],[AD]`;
const NSG_V2_TUPLE = `${HEAD},[TU],[IO],[AD],[BCE],${COUNTS}`;

const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The view tw_records (each record, and whether it is one of the two formats'
 * whole) and tw_read (each tuple as flow_tuples holds them, and whether it is
 * its format's). Each tuple is split once; the logger is found once per record.
 */
function readFiles(files: readonly string[]): string {
  const list = `[${files.map(sqlText).join(", ")}]`;
  const count = (n: number) => `coalesce(TRY_CAST(NULLIF(p[${n}], '') AS DOUBLE), 0)`;
  const anyOf = (items: string, test: string) =>
    `coalesce(list_bool_or(list_transform(${items}, ${test})), FALSE)`;
  const ports = "TRY_CAST(p[4] AS INTEGER) <= 65535 AND TRY_CAST(p[5] AS INTEGER) <= 65535";
  return `
CREATE VIEW tw_records AS
SELECT r, coalesce(CASE
  WHEN r.category = '${NSG_CATEGORY}' THEN r.properties.flows IS NOT NULL AND r.flowRecords IS NULL
    AND coalesce(r.properties."Version", 1) IN (1, 2)
    AND NOT ${anyOf("r.properties.flows", `g -> g.rule IS NULL OR g.flows IS NULL OR ${anyOf("g.flows", "m -> m.flowTuples IS NULL")}`)}
  WHEN r.category = '${VNET_CATEGORY}' THEN r.flowRecords.flows IS NOT NULL AND r.properties IS NULL
    AND NOT ${anyOf("r.flowRecords.flows", `f -> f.flowGroups IS NULL OR ${anyOf("f.flowGroups", "g -> g.rule IS NULL OR g.flowTuples IS NULL")}`)}
  ELSE FALSE END, FALSE) AS ok
FROM (SELECT unnest(records) AS r
  FROM read_json(${list}, columns = {records: '${RECORD}[]'}, format = 'auto', maximum_object_size = ${MAX_FILE}));
CREATE TABLE tw_read AS
WITH nsg_records AS (
  SELECT CASE WHEN r.resourceId IS NULL THEN ''
      ELSE coalesce(NULLIF(regexp_extract(r.resourceId, '(?i)/networksecuritygroups/([^/]+)/?$', 1), ''), r.resourceId) END AS logger,
    r.properties."Version" AS version, r.properties.flows AS groups
  FROM tw_records WHERE ok AND r.category = '${NSG_CATEGORY}'
), nsg_tuples AS (
  SELECT logger, version, rule, t, string_split(t, ',') AS p
  FROM (SELECT logger, version, rule, unnest(m.flowTuples) AS t
    FROM (SELECT logger, version, g.rule AS rule, unnest(g.flows) AS m
      FROM (SELECT logger, version, unnest(groups) AS g FROM nsg_records)))
), vnet_tuples AS (
  SELECT acl, rule, t, string_split(t, ',') AS p
  FROM (SELECT acl, g.rule AS rule, unnest(g.flowTuples) AS t
    FROM (SELECT f.aclID AS acl, unnest(f.flowGroups) AS g
      FROM (SELECT unnest(r.flowRecords.flows) AS f FROM tw_records WHERE ok AND r.category = '${VNET_CATEGORY}')))
)
SELECT p[7] AS direction, CASE p[6] WHEN 'T' THEN 6 ELSE 17 END AS protocol,
  p[2] AS src_ip, TRY_CAST(p[4] AS INTEGER) AS src_port, p[3] AS dst_ip, TRY_CAST(p[5] AS INTEGER) AS dst_port,
  TRY_CAST(p[1] AS DOUBLE) * 1000 AS logged_at,
  ${count(10)} + ${count(12)} AS packets, ${count(11)} + ${count(13)} AS bytes,
  logger, CASE WHEN version = 1 OR (version IS NULL AND len(p) = 8) THEN 'nsg-v1' ELSE 'nsg-v2' END AS format,
  rule, CASE p[8] WHEN 'A' THEN 'Allow' ELSE 'Deny' END AS access,
  coalesce(CASE
    WHEN coalesce(version, len(p) = 8) = 1 OR (version IS NULL AND len(p) = 8)
      THEN len(p) = 8 AND regexp_full_match(t, '${NSG_V1_TUPLE}')
    ELSE len(p) = 13 AND (version IS NULL OR version = 2) AND regexp_full_match(t, '${NSG_V2_TUPLE}')
  END AND ${ports}, FALSE) AS ok
FROM nsg_tuples
UNION ALL
SELECT p[7], TRY_CAST(p[6] AS INTEGER), p[2], TRY_CAST(p[4] AS INTEGER), p[3], TRY_CAST(p[5] AS INTEGER),
  TRY_CAST(p[1] AS DOUBLE), ${count(10)} + ${count(12)}, ${count(11)} + ${count(13)},
  coalesce(acl, ''), 'vnet', rule, CASE p[8] WHEN 'D' THEN 'Deny' ELSE 'Allow' END,
  coalesce(len(p) = 13 AND regexp_full_match(t, '${VNET_TUPLE}')
    AND TRY_CAST(p[6] AS INTEGER) <= 255 AND ${ports}, FALSE)
FROM vnet_tuples;
-- Addresses repeat: each is checked once.
CREATE TABLE tw_bad_addresses AS
SELECT a FROM (SELECT src_ip AS a FROM tw_read UNION SELECT dst_ip FROM tw_read)
WHERE NOT coalesce(regexp_full_match(a, '${ADDRESS}'), FALSE);
UPDATE tw_read SET ok = FALSE
WHERE src_ip IN (SELECT a FROM tw_bad_addresses) OR dst_ip IN (SELECT a FROM tw_bad_addresses);`;
}

async function appendTuples(
  connection: DuckDBConnection,
  batches: AsyncIterable<LoggedFlow[]>,
): Promise<number> {
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
  return tuples;
}

/** Folds flow_tuples into classes and judges them, for the spec and the proposed spec. */
async function foldAndJudge(
  connection: DuckDBConnection,
  current: Network,
  proposed: Network | undefined,
  options: FoldOptions,
): Promise<JudgedClass[]> {
  const bySourcePort = options.bySourcePort === true;
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
  return [...folded.values()].map((traffic): JudgedClass => {
    const key = classKey(traffic);
    const spec = currentJudgements.get(key);
    if (!spec) return { traffic };
    if (!proposedJudgements) return { traffic, current: spec };
    const there = proposedJudgements.get(key);
    return there
      ? { traffic, current: spec, proposed: there }
      : { traffic, current: spec, proposedNotJudged: "not judged by the SQL engine" };
  });
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
