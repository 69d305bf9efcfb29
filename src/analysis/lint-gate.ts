/**
 * What a pipeline does with lint's findings: which to show (filters by id and
 * severity), which a reviewed suppression or a baseline accepts, and whether
 * the run fails. Pure: the caller reads the baseline and gives today's date.
 */
import {
  type Diagnostic,
  info,
  type Severity,
  type ValuePath,
  warning,
} from "../model/diagnostic.js";

/** Severities from least to most severe; SARIF and the CLI call `info` a note. */
const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export type FailOn = Severity | "none";

/** A finding accepted in the spec, with why and until when. */
export interface Suppression {
  readonly check: string;
  /** The resource it is about, by names from the top: `NSG`, `NSG/RULE`, an environment, a load balancer. */
  readonly at?: string;
  readonly reason: string;
  /** YYYY-MM-DD: from the day after, the finding counts again. */
  readonly expires: string;
  readonly path: ValuePath;
}

export interface GateOptions {
  /** Only these checks (empty: all). */
  readonly only?: readonly string[];
  readonly ignore?: readonly string[];
  /** Findings below this severity are not shown and do not count. */
  readonly minSeverity?: Severity;
  readonly failOn?: FailOn;
  readonly suppressions?: readonly Suppression[];
  /** Fingerprints of findings already known (a baseline): shown as such, never failing. */
  readonly baseline?: ReadonlySet<string>;
  /** YYYY-MM-DD. */
  readonly today: string;
}

export interface GatedFinding {
  readonly finding: Diagnostic;
  /** Stable across priority and address edits and rule reordering. */
  readonly fingerprint: string;
  /** The suppression that accepts it. */
  readonly suppressedBy?: Suppression;
  /** In the baseline. */
  readonly known: boolean;
}

export interface GateResult {
  /** Every finding that passed the filters, suppressed and known ones included. */
  readonly findings: readonly GatedFinding[];
  /** Those that count: neither suppressed nor known. */
  readonly active: readonly GatedFinding[];
  /** About the suppressions themselves: expired, or matching nothing. */
  readonly suppressionFindings: readonly Diagnostic[];
  readonly failed: boolean;
}

/** Names along a value path: `networkSecurityGroups/api-nsg/securityRules/allow-web`. */
export function namedPath(document: unknown, path: ValuePath): string {
  const parts: string[] = [];
  let node: unknown = document;
  for (const step of path) {
    node =
      node !== null && typeof node === "object"
        ? (node as Record<string, unknown>)[step]
        : undefined;
    const name =
      typeof step === "number" && node !== null && typeof node === "object"
        ? (node as { name?: unknown }).name
        : undefined;
    parts.push(typeof name === "string" ? name : String(step));
  }
  return parts.join("/");
}

/** The resource names along a path, without the collection names: `api-nsg/allow-web`. */
function subjectOf(document: unknown, path: ValuePath): string[] {
  const names: string[] = [];
  let node: unknown = document;
  for (const step of path) {
    node =
      node !== null && typeof node === "object"
        ? (node as Record<string, unknown>)[step]
        : undefined;
    if (typeof step !== "number" || node === null || typeof node !== "object") continue;
    const name = (node as { name?: unknown }).name;
    if (typeof name === "string") names.push(name);
  }
  return names;
}

/**
 * A finding's identity for a baseline: its check, where it is by name, and
 * its message with every digit masked, so that renumbering priorities or
 * moving rules does not make an old finding new.
 */
export function fingerprint(document: unknown, finding: Diagnostic): string {
  const message = finding.message.replace(/[0-9]+/g, "#");
  return `${finding.code}|${namedPath(document, finding.path)}|${message}`;
}

function covers(suppression: Suppression, code: string, subject: readonly string[]): boolean {
  if (suppression.check !== code) return false;
  if (suppression.at === undefined) return true;
  const wanted = suppression.at.split("/");
  return wanted.length <= subject.length && wanted.every((w, i) => w === subject[i]);
}

export function gate(
  document: unknown,
  findings: readonly Diagnostic[],
  options: GateOptions,
): GateResult {
  const min = RANK[options.minSeverity ?? "info"];
  const shown = findings.filter(
    (d) =>
      RANK[d.severity] >= min &&
      (!options.only?.length || options.only.includes(d.code)) &&
      !options.ignore?.includes(d.code),
  );
  const suppressions = options.suppressions ?? [];
  const live = suppressions.filter((s) => s.expires >= options.today);
  const used = new Set<Suppression>();
  const gated = shown.map((finding): GatedFinding => {
    const subject = subjectOf(document, finding.path);
    const matching = suppressions.filter((s) => covers(s, finding.code, subject));
    for (const s of matching) used.add(s);
    const suppressedBy = matching.find((s) => live.includes(s));
    const print = fingerprint(document, finding);
    return {
      finding,
      fingerprint: print,
      ...(suppressedBy ? { suppressedBy } : {}),
      known: options.baseline?.has(print) ?? false,
    };
  });
  const suppressionFindings: Diagnostic[] = [];
  for (const s of suppressions) {
    const label = `suppression of ${s.check}${s.at ? ` at ${s.at}` : ""}`;
    if (s.expires < options.today && used.has(s))
      suppressionFindings.push(
        warning(
          "SuppressionExpired",
          `${label} expired on ${s.expires}: the findings it accepted count again (${s.reason})`,
          s.path,
          "fix the findings, or review the reason and set a new expiry date",
        ),
      );
    else if (!used.has(s))
      suppressionFindings.push(
        info(
          "SuppressionUnused",
          `${label} matches no finding`,
          s.path,
          "remove it: what it accepted is gone, or its check or resource name is wrong",
        ),
      );
  }
  const active = gated.filter((g) => !g.suppressedBy && !g.known);
  const failOn = options.failOn ?? "error";
  const counted = [...active.map((g) => g.finding), ...suppressionFindings];
  const failed = failOn !== "none" && counted.some((d) => RANK[d.severity] >= RANK[failOn]);
  return { findings: gated, active, suppressionFindings, failed };
}

/** Parses a severity as the CLI writes it (`note` for info). */
export function parseSeverity(text: string): Severity | undefined {
  if (text === "note" || text === "info") return "info";
  if (text === "warning" || text === "error") return text;
  return undefined;
}
