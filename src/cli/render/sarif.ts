import { createHash } from "node:crypto";
import { relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { LINT_CHECKS, type LintCheck, lintCheck } from "../../analysis/lint-checks.js";
import type { Diagnostic, Severity } from "../../model/diagnostic.js";

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

/** A finding as SARIF shows it: with its fingerprint, and what accepts it. */
export interface SarifFinding {
  readonly finding: Diagnostic;
  readonly fingerprint: string;
  /** The reason of the spec's suppression that accepts it. */
  readonly suppression?: string;
  /** With a baseline: whether it was there before. */
  readonly baselineState?: "new" | "unchanged";
}

export interface SarifOptions {
  /** The folder locations are relative to (the repository's root); the working folder when left out. */
  readonly root?: string;
  readonly version?: string;
  /** Where the table of checks is published: each rule's helpUri is this with `#id`. */
  readonly helpBase?: string;
  /** The run's property bag, when not empty. */
  readonly properties?: object;
}

/**
 * Findings as a SARIF 2.1.0 log that code scanning takes as is: every check
 * with its description, help and security severity, each result placed on
 * its line relative to the repository's root (%SRCROOT%), with a stable
 * fingerprint, and accepted findings marked as suppressed rather than left out.
 */
export function toSarif(
  findings: readonly SarifFinding[],
  others: readonly Diagnostic[],
  options: SarifOptions = {},
): object {
  const all = [
    ...findings,
    ...others.map((finding) => ({ finding, fingerprint: plainPrint(finding) })),
  ];
  const unknown = [...new Set(all.map((f) => f.finding.code))]
    .filter((code) => !lintCheck(code))
    .sort();
  const rules = [...LINT_CHECKS.map((c) => c.id), ...unknown];
  const root = options.root ?? process.cwd();
  const properties = options.properties ?? {};
  return {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: {
          driver: {
            name: "tierwall",
            ...(options.version
              ? { version: options.version, semanticVersion: options.version }
              : {}),
            ...(options.helpBase ? { informationUri: options.helpBase } : {}),
            rules: rules.map((id) => ruleOf(id, lintCheck(id), all, options.helpBase)),
          },
        },
        originalUriBaseIds: {
          "%SRCROOT%": { uri: `${pathToFileURL(root).href.replace(/\/?$/, "/")}` },
        },
        results: all.map((f) => resultOf(f, rules, root)),
        columnKind: "unicodeCodePoints",
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      },
    ],
  };
}

function ruleOf(
  id: string,
  check: LintCheck | undefined,
  all: readonly { finding: Diagnostic }[],
  helpBase: string | undefined,
): object {
  const severity: Severity =
    check?.severity ?? all.find((f) => f.finding.code === id)?.finding.severity ?? "warning";
  const title = check?.title ?? id.replace(/([a-z])([A-Z])/g, "$1 $2");
  return {
    id,
    name: id,
    shortDescription: { text: title },
    ...(check
      ? {
          fullDescription: { text: check.rationale },
          help: {
            text: `${check.rationale}\n\nFix: ${check.fix}\n\nExample: ${check.example}`,
            markdown: `**${check.title}**\n\n${check.rationale}\n\n**Fix:** ${check.fix}\n\n**Example:** ${check.example}`,
          },
        }
      : {}),
    ...(helpBase ? { helpUri: `${helpBase}#${id.toLowerCase()}` } : {}),
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      ...(check
        ? { "security-severity": check.securitySeverity.toFixed(1), tags: [...check.tags] }
        : {}),
      precision: "very-high",
    },
  };
}

function resultOf(f: SarifFinding, rules: readonly string[], root: string): object {
  const d = f.finding;
  return {
    ruleId: d.code,
    ruleIndex: rules.indexOf(d.code),
    level: LEVEL[d.severity],
    message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
    ...(d.location
      ? {
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: relative(root, resolve(d.location.file))
                    .split(sep)
                    .map(encodeURIComponent)
                    .join("/"),
                  uriBaseId: "%SRCROOT%",
                },
                region: { startLine: d.location.line, startColumn: d.location.column },
              },
            },
          ],
        }
      : {}),
    partialFingerprints: {
      "tierwallFinding/v1": createHash("sha256").update(f.fingerprint).digest("hex").slice(0, 32),
    },
    ...(f.suppression !== undefined
      ? { suppressions: [{ kind: "inSource", status: "accepted", justification: f.suppression }] }
      : {}),
    ...(f.baselineState ? { baselineState: f.baselineState } : {}),
  };
}

function plainPrint(d: Diagnostic): string {
  return `${d.code}|${d.path.join("/")}|${d.message}`;
}
