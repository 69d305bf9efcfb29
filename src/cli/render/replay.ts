/**
 * Replay's report as text (classes of flows: everything but the source port,
 * which changes with every connection), JSON (every class), and CSV (one row
 * per class, for a spreadsheet or a SQL table).
 */
import type { FlowClass } from "../../analysis/flow-classes.js";
import type { Judgement, ReplayedClass, ReplayReport, RuleHits } from "../../analysis/replay.js";
import type { Style } from "./style.js";

const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  6: "TCP",
  17: "UDP",
  1: "ICMP",
  58: "ICMPv6",
  50: "ESP",
  51: "AH",
};
const protocolName = (n: number) => PROTOCOL_NAMES[n] ?? `protocol ${n}`;
const count = (n: number) => n.toLocaleString("en-US");
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** `2026-11-23 10:04 UTC` */
export function timeText(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const wrap = (a: string) => (a.includes(":") ? `[${a}]` : a);

/** The class: `Inbound TCP 198.51.100.33 -> 10.0.4.4:443` (with `:PORT` after the source when kept apart by it). */
function classText(f: FlowClass): string {
  const ports = f.protocol === 6 || f.protocol === 17;
  const source =
    ports && f.sourcePort !== undefined ? `${wrap(f.source)}:${f.sourcePort}` : f.source;
  return ports
    ? `${f.direction} ${protocolName(f.protocol)} ${source} -> ${wrap(f.destination)}:${f.destinationPort}`
    : `${f.direction} ${protocolName(f.protocol)} ${f.source} -> ${f.destination}`;
}

const decider = (j: Judgement | undefined) =>
  j?.rule ? `${j.rule} of ${j.nsg}` : j ? "no NSG applies" : "not judged";

interface Group {
  readonly text: string;
  flows: number;
  tuples: number;
  lastSeen: number;
  readonly detail: string;
}

/** Classes alike but for their source ports, as one line each, most recent first. */
function grouped(rows: readonly ReplayedClass[], detail: (r: ReplayedClass) => string): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rows) {
    const text = classText({ ...r.traffic, sourcePort: undefined });
    const d = detail(r);
    const key = `${text}\u0000${d}`;
    let g = groups.get(key);
    if (!g) {
      g = { text, flows: 0, tuples: 0, lastSeen: 0, detail: d };
      groups.set(key, g);
    }
    g.flows += r.traffic.flows;
    g.tuples += r.traffic.tuples;
    g.lastSeen = Math.max(g.lastSeen, r.traffic.lastSeen);
  }
  return [...groups.values()].sort((a, b) => b.lastSeen - a.lastSeen);
}

function groupLines(groups: readonly Group[], limit: number): string[] {
  const lines = groups
    .slice(0, limit)
    .map(
      (g) =>
        `  ${g.text}  ${plural(g.flows, "flow")}, ${plural(g.tuples, "tuple")}, last ${timeText(g.lastSeen)}\n    ${g.detail}`,
    );
  if (groups.length > limit)
    lines.push(`  … and ${count(groups.length - limit)} more (--limit, or --json for all)`);
  return lines;
}

export interface ReplayInput {
  readonly files: number;
  readonly spec: string;
  readonly proposed?: string;
  readonly rejected: number;
}

export function renderReplay(
  report: ReplayReport,
  input: ReplayInput,
  style: Style,
  limit: number,
): string {
  const out: string[] = [];
  // A loop, not Math.min(...): a week of logs holds more flows than a call takes arguments.
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let flows = 0;
  for (const { traffic } of report.classes) {
    first = Math.min(first, traffic.firstSeen);
    last = Math.max(last, traffic.lastSeen);
    flows += traffic.flows;
  }
  out.push(
    `replayed ${plural(report.tuples, "tuple")} from ${plural(input.files, "file")}: ${plural(flows, "flow")} (by 5-tuple and direction) in ${plural(report.classes.length, "class", "classes")} (by source, destination, protocol and port)${report.classes.length > 0 ? `, ${timeText(first)} to ${timeText(last)}` : ""}`,
  );
  if (input.rejected > 0) out.push(`${plural(input.rejected, "tuple")} could not be read (above)`);

  const flowsOf = (rows: readonly ReplayedClass[]) =>
    rows.reduce((sum, r) => sum + r.traffic.flows, 0);
  out.push("");
  if (report.disagreements.length === 0)
    out.push(`${style.green("✓")} the logs agree with ${input.spec}`);
  else {
    out.push(
      `${style.yellow("!")} ${plural(flowsOf(report.disagreements), "flow")} disagree with ${input.spec}: it does not describe what is deployed`,
    );
    out.push(
      ...groupLines(
        grouped(report.disagreements, (r) => r.disagreements.join("; ")),
        limit,
      ),
    );
  }

  if (input.proposed !== undefined) {
    out.push("");
    const tuples = report.newlyDenied.reduce((sum, r) => sum + r.traffic.tuples, 0);
    if (report.newlyDenied.length === 0)
      out.push(`${style.green("✓")} ${input.proposed} denies no logged traffic that was allowed`);
    else {
      out.push(
        `${style.red("✗")} ${input.proposed} newly denies ${plural(flowsOf(report.newlyDenied), "flow")} (${plural(tuples, "tuple")}) that the logs show allowed: what the change breaks`,
      );
      out.push(
        ...groupLines(
          grouped(
            report.newlyDenied,
            (r) => `denied by ${decider(r.proposed)} at ${r.proposed?.at}`,
          ),
          limit,
        ),
      );
    }
    if (report.newlyAllowed.length > 0) {
      out.push(
        `${style.yellow("!")} ${input.proposed} newly allows ${plural(flowsOf(report.newlyAllowed), "flow")} that the logs show denied`,
      );
      out.push(
        ...groupLines(
          grouped(
            report.newlyAllowed,
            (r) => `allowed by ${decider(r.proposed)} at ${r.proposed?.at}`,
          ),
          limit,
        ),
      );
    }
  }

  out.push("", `rule hits in ${input.spec} (flows each rule decided at its NSG):`);
  out.push(...ruleHitLines(report.ruleHits, style));
  if (report.unusedRules.length > 0)
    out.push(
      "",
      `unused: ${plural(report.unusedRules.length, "custom rule")} decided no logged flow: ${report.unusedRules.map((h) => `${h.nsg}/${h.rule}`).join(", ")}`,
    );
  if (report.nsgsWithoutFlows.length > 0)
    out.push(`no logged flow met ${report.nsgsWithoutFlows.join(", ")}`);
  for (const u of report.unmapped)
    out.push(
      `${style.yellow("!")} ${u.kind === "nsg" ? "NSG" : "rule"} ${JSON.stringify(u.name)} in the logs (${plural(u.tuples, "tuple")}) is not in ${input.spec}${u.kind === "rule" ? " (a security admin rule, or a rule since removed)" : ""}`,
    );
  for (const n of report.notJudged)
    out.push(
      `${style.yellow("!")} ${plural(n.flows, "flow")} (${plural(n.tuples, "tuple")}) not judged: ${n.reason}`,
    );
  return out.join("\n");
}

function ruleHitLines(hits: readonly RuleHits[], style: Style): string[] {
  const lines: string[] = [];
  let heading = "";
  const width = hits.reduce((w, h) => Math.max(w, h.rule.length), 4);
  for (const h of hits) {
    const head = `  ${h.nsg} ${h.direction}`;
    if (head !== heading) {
      lines.push(head);
      heading = head;
    }
    const used =
      h.flows === 0
        ? style.dim(h.isDefault ? "-" : "unused")
        : `${plural(h.flows, "flow")}, ${plural(h.tuples, "tuple")}`;
    lines.push(
      `    ${String(h.priority).padStart(5)} ${h.rule.padEnd(width)} ${h.access.padEnd(5)} ${used}`,
    );
  }
  return lines;
}

const judgementJson = (j: Judgement | undefined) =>
  j
    ? {
        access: j.access,
        ...(j.rule ? { rule: j.rule, nsg: j.nsg } : {}),
        at: j.at,
      }
    : undefined;

function classJson(r: ReplayedClass) {
  const f = r.traffic;
  return {
    direction: f.direction,
    protocol: f.protocol,
    source: f.source,
    ...(f.sourcePort !== undefined ? { sourcePort: f.sourcePort } : {}),
    destination: f.destination,
    destinationPort: f.destinationPort,
    flows: f.flows,
    tuples: f.tuples,
    packets: f.packets,
    bytes: f.bytes,
    firstSeen: new Date(f.firstSeen).toISOString(),
    lastSeen: new Date(f.lastSeen).toISOString(),
    logged: { access: r.logged, by: f.logged },
    ...(r.current ? { spec: judgementJson(r.current) } : {}),
    ...(r.proposed ? { proposed: judgementJson(r.proposed) } : {}),
    ...(r.notJudged ? { notJudged: r.notJudged } : {}),
    ...(r.disagreements.length > 0 ? { disagreements: r.disagreements } : {}),
  };
}

export function replayJson(report: ReplayReport, input: ReplayInput) {
  return {
    tuples: report.tuples,
    files: input.files,
    rejectedTuples: input.rejected,
    flows: report.classes.reduce((sum, r) => sum + r.traffic.flows, 0),
    classes: report.classes.length,
    disagreements: report.disagreements.map(classJson),
    ...(input.proposed !== undefined
      ? {
          newlyDenied: report.newlyDenied.map(classJson),
          newlyAllowed: report.newlyAllowed.map(classJson),
        }
      : {}),
    ruleHits: report.ruleHits,
    unusedRules: report.unusedRules.map((h) => ({
      nsg: h.nsg,
      direction: h.direction,
      rule: h.rule,
    })),
    nsgsWithoutFlows: report.nsgsWithoutFlows,
    unmapped: report.unmapped,
    notJudged: report.notJudged,
    allClasses: report.classes.map(classJson),
  };
}

const CSV_COLUMNS = [
  "direction",
  "protocol",
  "source",
  "sourcePort",
  "destination",
  "destinationPort",
  "flows",
  "tuples",
  "packets",
  "bytes",
  "firstSeen",
  "lastSeen",
  "loggedAccess",
  "loggedRules",
  "specAccess",
  "specRule",
  "specNsg",
  "judgedAt",
  "proposedAccess",
  "proposedRule",
  "proposedNsg",
  "change",
  "disagreement",
] as const;

function csvField(value: string | number | undefined): string {
  const text = value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per class; `sourcePort` is empty unless classes were kept apart by
 * it; `change` is `newly denied` or `newly allowed` against the proposed spec.
 */
export function replayCsv(report: ReplayReport): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const r of report.classes) {
    const f = r.traffic;
    const change =
      r.logged === "Allow" && r.proposed?.access === "Deny"
        ? "newly denied"
        : r.logged === "Deny" && r.proposed?.access === "Allow"
          ? "newly allowed"
          : "";
    rows.push(
      [
        f.direction,
        protocolName(f.protocol),
        f.source,
        f.sourcePort,
        f.destination,
        f.destinationPort,
        f.flows,
        f.tuples,
        f.packets,
        f.bytes,
        new Date(f.firstSeen).toISOString(),
        new Date(f.lastSeen).toISOString(),
        r.logged,
        f.logged.map((v) => (v.logger ? `${v.logger}: ${v.rule}` : v.rule)).join("; "),
        r.current?.access,
        r.current?.rule,
        r.current?.nsg,
        r.current?.at ?? r.notJudged,
        r.proposed?.access,
        r.proposed?.rule,
        r.proposed?.nsg,
        change,
        r.disagreements.join("; "),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${rows.join("\n")}\n`;
}
