/**
 * The spec's NSGs as one SQL query over a table of flow tuples: for each row,
 * where it is judged (the network interface or subnet holding its local
 * address), the verdict of each NSG that applies there in Azure's order, and
 * the decision with its deciding rule — the same answers replay gives in
 * JavaScript (analysis/replay.ts), for data too large for one process: run it
 * in DuckDB, PostgreSQL, Spark SQL, Trino or ClickHouse.
 *
 * The input table has the columns `direction` ('I' or 'O', as flow logs write
 * it), `protocol` (the IANA number), `src_ip`, `src_port`, `dst_ip` and
 * `dst_port`; every other column passes through. IPv4 only: a row with an IPv6
 * address, an address in no subnet, or a protocol NSG rules do not name gets a
 * NULL decision (not judged), as replay leaves it out.
 *
 * Rules are numbered from 1; a stage column holds the deciding rule's number,
 * negative when it denies, so that the chain's first Deny is a sign test.
 */

import { type Place, Places } from "../../analysis/replay.js";
import { NsgResolver, type ResolvedRule, rulesFor } from "../../engine/resolve.js";
import type { Network } from "../../model/network.js";
import type { Direction } from "../../model/rule.js";
import { familyMax } from "../../net/address.js";
import type { PortRange } from "../../net/ports.js";

export const SQL_DIALECTS = ["duckdb", "postgres", "spark", "trino", "clickhouse"] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

export const isSqlDialect = (text: string): text is SqlDialect =>
  (SQL_DIALECTS as readonly string[]).includes(text);

export interface SqlOptions {
  readonly dialect: SqlDialect;
  /** The table (or view) of flow tuples (default `flow_tuples`). */
  readonly table?: string;
  /** Wrap the query in `CREATE VIEW name AS`. */
  readonly view?: string;
  /** A line naming the spec, in the header comment. */
  readonly source?: string;
}

/** What each rule number stands for. */
export interface CompiledRule {
  readonly id: number;
  readonly nsg: string;
  readonly direction: Direction;
  /** `securityRules/NAME` or `defaultSecurityRules/NAME`, as Network Watcher names it. */
  readonly rule: string;
  readonly access: "Allow" | "Deny";
}

export interface CompiledSql {
  /** The statement, with its header comment. */
  readonly text: string;
  /** The query alone, to embed in another statement. */
  readonly query: string;
  readonly rules: readonly CompiledRule[];
  /** Place labels by their number in `tw_place`. */
  readonly places: readonly string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
export const isSqlIdentifier = (text: string) => IDENTIFIER.test(text);

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const MAX4 = familyMax(4);

/** An IPv4 address's text as a number, NULL for anything else. */
function ipv4Number(column: string, dialect: SqlDialect): string {
  if (dialect === "clickhouse") return `toInt64(IPv4StringToNumOrNull(${column}))`;
  const octet = (n: number) => `CAST(split_part(${column}, '.', ${n}) AS BIGINT)`;
  return `CASE WHEN ${column} LIKE '%.%.%.%' AND ${column} NOT LIKE '%:%' THEN ${octet(1)} * 16777216 + ${octet(2)} * 65536 + ${octet(3)} * 256 + ${octet(4)} END`;
}

function intervals(
  column: string,
  set: readonly (readonly [bigint, bigint])[],
): string | undefined {
  if (set.length === 1 && set[0]?.[0] === 0n && set[0]?.[1] === MAX4) return undefined;
  const parts = set.map(([a, b]) =>
    a === b ? `${column} = ${a}` : `${column} BETWEEN ${a} AND ${b}`,
  );
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(" OR ")})`;
}

function ports(column: string, ranges: readonly PortRange[]): string | undefined {
  if (ranges.some((r) => r.first === 0 && r.last === 65535)) return undefined;
  const parts = ranges.map((r) =>
    r.first === r.last ? `${column} = ${r.first}` : `${column} BETWEEN ${r.first} AND ${r.last}`,
  );
  return parts.length === 1 ? (parts[0] as string) : `(${parts.join(" OR ")})`;
}

const PROTOCOL_NUMBER: Readonly<Record<string, number>> = {
  Tcp: 6,
  Udp: 17,
  Icmp: 1,
  Esp: 50,
  Ah: 51,
};

/** The rule's condition on a row, or undefined when it matches no IPv4 packet. */
function condition(rule: ResolvedRule): string | undefined {
  const source = rule.source.intervals(4);
  const destination = rule.destination.intervals(4);
  if (source.length === 0 || destination.length === 0) return undefined;
  const parts: string[] = [];
  if (rule.protocol !== "*") parts.push(`protocol = ${PROTOCOL_NUMBER[rule.protocol]}`);
  const s = intervals("tw_src", source);
  const d = intervals("tw_dst", destination);
  if (s) parts.push(s);
  if (d) parts.push(d);
  const sp = ports("src_port", rule.sourcePorts);
  const dp = ports("dst_port", rule.destinationPorts);
  const portParts = [sp, dp].filter((p): p is string => p !== undefined);
  if (portParts.length > 0) {
    const both = portParts.join(" AND ");
    // Ports apply to TCP and UDP only; a rule for one of them needs no test of the protocol.
    parts.push(
      rule.protocol === "Tcp" || rule.protocol === "Udp"
        ? both
        : `(protocol NOT IN (6, 17) OR (${both}))`,
    );
  }
  return parts.length === 0 ? "TRUE" : parts.join(" AND ");
}

/** Compiles the network's NSGs, as they apply at each place, into one query. */
export function compileSql(network: Network, options: SqlOptions): CompiledSql {
  const table = options.table ?? "flow_tuples";
  if (!isSqlIdentifier(table))
    throw new Error(`table name ${JSON.stringify(table)} is not a plain SQL identifier`);
  if (options.view !== undefined && !isSqlIdentifier(options.view))
    throw new Error(`view name ${JSON.stringify(options.view)} is not a plain SQL identifier`);
  const resolver = new NsgResolver(network);
  const places = new Places(network);
  const rules: CompiledRule[] = [];
  const ruleIds = new Map<string, number>();
  const nsgCases = new Map<string, string>();

  /** The CASE giving the deciding rule's signed number of one NSG, in one network, for one direction. */
  const nsgCase = (nsg: string, vnet: string, direction: Direction): string => {
    const key = `${nsg}\u0000${vnet}\u0000${direction}`;
    const cached = nsgCases.get(key);
    if (cached) return cached;
    const whens: string[] = [];
    for (const rule of rulesFor(resolver.resolve(nsg, vnet), direction)) {
      const name = `${rule.rule.isDefault ? "defaultSecurityRules" : "securityRules"}/${rule.rule.name}`;
      const idKey = `${nsg}\u0000${direction}\u0000${name}`;
      let id = ruleIds.get(idKey);
      if (id === undefined) {
        id = rules.length + 1;
        ruleIds.set(idKey, id);
        rules.push({ id, nsg, direction, rule: name, access: rule.access });
      }
      const when = condition(rule);
      if (when === undefined) continue;
      const signed = rule.access === "Deny" ? -id : id;
      whens.push(`WHEN ${when} THEN ${signed}`);
      if (when === "TRUE") break;
    }
    const text = `CASE ${whens.join(" ")} END`;
    nsgCases.set(key, text);
    return text;
  };

  // A place of undefined: addresses replay does not judge (a subnet whose Dynamic interfaces differ).
  const placeList: { condition: string; place: Place | undefined }[] = [];
  for (const { address, place } of places.exact.values())
    if (address.family === 4) placeList.push({ condition: `tw_local = ${address.value}`, place });
  for (const subnet of network.subnets) {
    const c = intervals("tw_local", subnet.addresses.intervals(4));
    const place = places.subnetPlace(subnet);
    if (c) placeList.push({ condition: c, place: "reason" in place ? undefined : place });
  }
  const stageWhens: [string[], string[]] = [[], []];
  placeList.forEach(({ place }, i) => {
    if (!place) return;
    for (const direction of ["Inbound", "Outbound"] as const) {
      const nic = place.nic?.nsg;
      const sub = place.subnet.nsg;
      const order = direction === "Inbound" ? [sub, nic] : [nic, sub];
      const stages = order.filter((n): n is string => n !== undefined);
      const letter = direction === "Inbound" ? "I" : "O";
      stages.forEach((nsg, s) => {
        stageWhens[s]?.push(
          `WHEN tw_place = ${i + 1} AND direction = '${letter}' THEN ${nsgCase(nsg, place.vnet, direction)}`,
        );
      });
    }
  });
  const caseOf = (whens: string[]) =>
    whens.length === 0 ? "CAST(NULL AS BIGINT)" : `CASE\n      ${whens.join("\n      ")}\n    END`;
  const byId = (pick: (r: CompiledRule) => string) =>
    rules.length === 0
      ? "CAST(NULL AS VARCHAR)"
      : `CASE abs(tw_rule) ${rules.map((r) => `WHEN ${r.id} THEN ${literal(pick(r))}`).join(" ")} END`;
  const labelWhens = placeList.flatMap(({ place }, i) =>
    place ? [`WHEN ${i + 1} THEN ${literal(place.label)}`] : [],
  );
  const labels =
    labelWhens.length === 0 ? "CAST(NULL AS VARCHAR)" : `CASE tw_place ${labelWhens.join(" ")} END`;
  const d = options.dialect;
  const query = `WITH tw_numbered AS (
  SELECT t.*, ${ipv4Number("t.src_ip", d)} AS tw_src, ${ipv4Number("t.dst_ip", d)} AS tw_dst
  FROM ${table} t
), tw_localized AS (
  SELECT n.*, CASE WHEN n.direction = 'I' THEN n.tw_dst ELSE n.tw_src END AS tw_local
  FROM tw_numbered n
), tw_placed AS (
  SELECT l.*, CASE WHEN l.protocol NOT IN (6, 17, 1, 50, 51) OR l.tw_src IS NULL OR l.tw_dst IS NULL THEN NULL${placeList.map(({ condition: c, place }, i) => `\n      WHEN ${c} THEN ${place ? i + 1 : "NULL"}`).join("")}
    END AS tw_place
  FROM tw_localized l
), tw_staged AS (
  SELECT p.*,
    ${caseOf(stageWhens[0])} AS tw_stage1,
    ${caseOf(stageWhens[1])} AS tw_stage2
  FROM tw_placed p
), tw_decided AS (
  SELECT s.*, CASE WHEN s.tw_stage1 < 0 OR s.tw_stage2 IS NULL THEN s.tw_stage1 ELSE s.tw_stage2 END AS tw_rule
  FROM tw_staged s
)
SELECT tw_decided.*,
  CASE WHEN tw_place IS NULL THEN NULL WHEN tw_rule < 0 THEN 'Deny' ELSE 'Allow' END AS spec_decision,
  ${byId((r) => r.nsg)} AS spec_nsg,
  ${byId((r) => r.rule)} AS spec_rule,
  ${labels} AS spec_judged_at
FROM tw_decided`;
  const header = [
    `-- NSG decisions for flow tuples, compiled by tierwall${options.source ? ` from ${options.source}` : ""} (${d}).`,
    `-- Input: ${table}(direction 'I'/'O', protocol as its IANA number, src_ip, src_port, dst_ip, dst_port, ...).`,
    "-- Output: every input column, tw_* working columns, spec_decision ('Allow'/'Deny'; NULL: not judged),",
    "-- spec_nsg and spec_rule (the deciding rule, NULL when no NSG applies), spec_judged_at (where the NSGs apply).",
  ].join("\n");
  const text = options.view
    ? `${header}\nCREATE VIEW ${options.view} AS\n${query};\n`
    : `${header}\n${query};\n`;
  return { text, query, rules, places: placeList.map((p) => p.place?.label ?? "not judged") };
}
