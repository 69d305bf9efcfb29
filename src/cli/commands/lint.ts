import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { lintCheck } from "../../analysis/lint-checks.js";
import { type FailOn, type GateResult, gate, parseSeverity } from "../../analysis/lint-gate.js";
import { type FindingGroup, groupFindings } from "../../analysis/lint-groups.js";
import { type Diagnostic, error } from "../../model/diagnostic.js";
import { neededClaims } from "../../specfile/check.js";
import { jsonSyntaxError } from "../../specfile/json-syntax.js";
import type { LoadedSpec } from "../../specfile/load.js";
import { readArea, readInputFile } from "../../specfile/read-file.js";
import { lintOnThreads } from "../../threads/lint.js";
import { EXIT, type Io, printJson, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { threadsOption } from "../numbers.js";
import { emit } from "../output.js";
import { packageInfo } from "../package-info.js";
import { partialJson } from "../partial.js";
import { progressLine } from "../progress.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { toSarif } from "../render/sarif.js";
import { renderTable } from "../render/table.js";

export interface LintOptions {
  json?: boolean;
  format?: string;
  failOn?: string;
  minSeverity?: string;
  only?: string[];
  ignore?: string[];
  baseline?: string;
  writeBaseline?: string;
  quiet?: boolean;
  /** subnet or vnet: counts of findings per group instead of the findings. */
  groupBy?: string;
  /** Threads to lint the NSGs on. */
  threads?: string;
}

/** Fewer rules than this in all and no --threads: one thread (a worker costs its start and a network of its own). */
export const RULES_PER_THREAD = 10_000;

const BASELINE_VERSION = 1;

/**
 * Findings about the spec's NSGs: exit 1 when a finding at or above
 * --fail-on (default error) is neither suppressed in the spec nor in the
 * baseline, 0 otherwise, 2 for invalid input.
 */
export async function runLint(target: string, options: LintOptions, io: Io): Promise<number> {
  const format = options.json ? "json" : (options.format ?? "text");
  const json = format !== "text";
  if (!["text", "json", "sarif"].includes(format))
    return usageError(
      io,
      false,
      "InvalidOption",
      `--format ${format}: expected text, json or sarif`,
    );
  const failOn = options.failOn === "none" ? "none" : parseSeverity(options.failOn ?? "error");
  if (failOn === undefined)
    return usageError(
      io,
      json,
      "InvalidOption",
      `--fail-on ${options.failOn}: expected error, warning, note or none`,
    );
  const minSeverity = parseSeverity(options.minSeverity ?? "note");
  if (minSeverity === undefined)
    return usageError(
      io,
      json,
      "InvalidOption",
      `--min-severity ${options.minSeverity}: expected error, warning or note`,
    );
  if (options.groupBy !== undefined && options.groupBy !== "subnet" && options.groupBy !== "vnet")
    return usageError(
      io,
      json,
      "InvalidOption",
      `--group-by ${options.groupBy}: expected subnet or vnet`,
    );
  const { threads: asked, error: threadsError } = threadsOption(options.threads);
  if (threadsError) return usageError(io, json, "InvalidOption", threadsError);
  const loaded = loadForCommand(target, io, json);
  if (!loaded) return EXIT.invalid;
  const spec = loaded.spec;

  const baseline = options.baseline ? readBaseline(options.baseline) : undefined;
  if (baseline && "diagnostic" in baseline) {
    if (json) printJson(io, { valid: false, diagnostics: diagnosticsJson([baseline.diagnostic]) });
    else io.err(`${renderDiagnostics([baseline.diagnostic], new Map(), io.style)}\n`);
    return EXIT.invalid;
  }
  const invalid = suppressionProblems(spec);
  if (invalid.length > 0) {
    if (json) printJson(io, { valid: false, diagnostics: diagnosticsJson(invalid) });
    else io.err(`${renderDiagnostics(invalid, loaded.sources, io.style)}\n`);
    return EXIT.invalid;
  }

  let rules = 0;
  for (const nsg of spec.network.nsgs.values()) rules += nsg.inbound.length + nsg.outbound.length;
  const threads = asked ?? (rules >= RULES_PER_THREAD ? Math.min(availableParallelism(), 64) : 1);
  const progress = progressLine(io, json);
  progress.phase("lint: NSGs");
  const findings: Diagnostic[] = await lintOnThreads(
    spec.network,
    spec.topology,
    neededClaims(spec.assertions),
    { threads, progress: (done, total) => progress.step(done, total) },
  );
  progress.end();

  const result = gate(spec.topology, findings, {
    ...(options.only ? { only: ids(options.only) } : {}),
    ...(options.ignore ? { ignore: ids(options.ignore) } : {}),
    minSeverity,
    failOn: failOn as FailOn,
    suppressions: spec.suppressions,
    ...(baseline ? { baseline: baseline.fingerprints } : {}),
    today: new Date().toISOString().slice(0, 10),
  });
  const located = (d: Diagnostic): Diagnostic => ({ ...d, location: spec.locate(d.path) });
  const groups = options.groupBy
    ? groupFindings(
        spec.network,
        result.active.map((g) => g.finding),
        options.groupBy as "subnet" | "vnet",
      )
    : undefined;

  if (options.writeBaseline) {
    const written = emit(baselineText(result), options.writeBaseline, io);
    if (written !== EXIT.ok) return written;
  }
  const code = result.failed ? EXIT.failed : EXIT.ok;
  if (format === "sarif") {
    const root = readArea(dirname(spec.file));
    const about = packageInfo();
    printJson(
      io,
      toSarif(
        result.findings.map((g) => ({
          finding: located(g.finding),
          fingerprint: g.fingerprint,
          ...(g.suppressedBy ? { suppression: g.suppressedBy.reason } : {}),
          ...(baseline ? { baselineState: g.known ? "unchanged" : "new" } : {}),
        })),
        result.suppressionFindings.map(located),
        {
          ...(root.repository ? { root: root.root } : {}),
          version: about.version,
          ...(about.homepage ? { helpBase: about.homepage } : {}),
          properties: partialJson(spec),
        },
      ),
    );
  } else if (format === "json") {
    printJson(io, {
      file: spec.file,
      failed: result.failed,
      findings: result.findings.map((g) => ({
        ...(diagnosticsJson([located(g.finding)])[0] as object),
        fingerprint: g.fingerprint,
        ...(g.suppressedBy
          ? { suppressed: { reason: g.suppressedBy.reason, expires: g.suppressedBy.expires } }
          : {}),
        ...(baseline ? { baseline: g.known ? "unchanged" : "new" } : {}),
      })),
      suppressions: diagnosticsJson(result.suppressionFindings.map(located)),
      ...(groups ? { groupBy: options.groupBy, groups } : {}),
      ...partialJson(spec),
    });
  } else if (groups) renderGroups(groups, options.groupBy === "vnet", io);
  else
    renderText(spec, result, options.quiet === true, failOn as FailOn, located, loaded.sources, io);
  return code;
}

function renderText(
  spec: LoadedSpec,
  result: GateResult,
  quiet: boolean,
  failOn: FailOn,
  located: (d: Diagnostic) => Diagnostic,
  sources: ReadonlyMap<string, string>,
  io: Io,
): void {
  const rank = { info: 0, warning: 1, error: 2 } as const;
  const failing = (d: Diagnostic) => failOn !== "none" && rank[d.severity] >= rank[failOn];
  const shown = [...result.active.map((g) => g.finding), ...result.suppressionFindings].filter(
    (d) => !quiet || failing(d),
  );
  if (shown.length > 0) io.out(`${renderDiagnostics(shown.map(located), sources, io.style)}\n`);
  if (quiet) return;
  const accepted = result.findings.filter((g) => g.suppressedBy).length;
  const known = result.findings.filter((g) => !g.suppressedBy && g.known).length;
  const besides = [
    ...(accepted > 0 ? [`${accepted} suppressed in the spec`] : []),
    ...(known > 0 ? [`${known} in the baseline`] : []),
  ];
  if (shown.length === 0)
    io.out(
      `${io.style.green("clean")}: ${spec.file} has no findings${besides.length > 0 ? ` but ${besides.join(" and ")}` : ""}\n`,
    );
  else if (besides.length > 0) io.out(`not shown: ${besides.join(", ")}\n`);
}

/** Findings shown (not suppressed, not in the baseline) per subnet or virtual network, by severity. */
function renderGroups(groups: readonly FindingGroup[], byVnet: boolean, io: Io): void {
  const total = { error: 0, warning: 0, note: 0 };
  for (const g of groups) {
    total.error += g.error;
    total.warning += g.warning;
    total.note += g.note;
  }
  const rows = groups.map((g) => [g.group, String(g.error), String(g.warning), String(g.note)]);
  rows.push(["total", String(total.error), String(total.warning), String(total.note)]);
  io.out(
    `${renderTable([byVnet ? "virtual network" : "subnet", "errors", "warnings", "notes"], rows)}\n\n${io.style.dim("a finding on an NSG counts in each subnet it applies to; drop --group-by for the findings")}\n`,
  );
}

/** `--only A,B --only C` as [A, B, C]. */
function ids(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** Suppressions whose check no lint check has: a typo would otherwise accept nothing in silence. */
function suppressionProblems(spec: LoadedSpec): Diagnostic[] {
  return spec.suppressions
    .filter((s) => !lintCheck(s.check))
    .map((s) => ({
      ...error(
        "InvalidSuppression",
        `suppressions: ${s.check} is not a lint check`,
        [...s.path, "check"],
        "see the README's table of checks for their ids",
      ),
      location: spec.locate([...s.path, "check"]),
    }));
}

function baselineText(result: GateResult): string {
  const findings = result.findings
    .filter((g) => !g.suppressedBy)
    .map((g) => ({
      fingerprint: g.fingerprint,
      code: g.finding.code,
      severity: g.finding.severity,
      message: g.finding.message,
    }));
  return `${JSON.stringify({ tierwall: "lint baseline", version: BASELINE_VERSION, findings }, null, 2)}\n`;
}

function readBaseline(
  file: string,
): { fingerprints: ReadonlySet<string> } | { diagnostic: Diagnostic } {
  const read = readInputFile(file);
  if (read.diagnostic) return { diagnostic: read.diagnostic };
  const text = read.bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { diagnostic: jsonSyntaxError(e as Error, file, text) };
  }
  const findings = (value as { findings?: unknown } | null)?.findings;
  const version = (value as { version?: unknown } | null)?.version;
  if (version !== BASELINE_VERSION || !Array.isArray(findings))
    return {
      diagnostic: {
        ...error(
          "InvalidBaseline",
          `${file} is not a lint baseline of version ${BASELINE_VERSION} (write one with --write-baseline)`,
          [],
        ),
        location: { file, line: 1, column: 1 },
      },
    };
  const fingerprints = new Set<string>();
  for (const f of findings) {
    const print = (f as { fingerprint?: unknown } | null)?.fingerprint;
    if (typeof print === "string") fingerprints.add(print);
  }
  return { fingerprints };
}
