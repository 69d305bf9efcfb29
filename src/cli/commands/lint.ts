import { lint } from "../../analysis/lint.js";
import { ReachAnalyzer } from "../../analysis/reach.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { neededTraffic } from "../../specfile/check.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { partialJson } from "../partial.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { toSarif } from "../render/sarif.js";

export interface LintOptions {
  json?: boolean;
  format?: string;
}

/** Findings about the spec's NSGs: exit 0 clean, 1 with findings at error level, 2 for invalid input. */
export function runLint(target: string, options: LintOptions, io: Io): number {
  const format = options.json ? "json" : (options.format ?? "text");
  if (!["text", "json", "sarif"].includes(format)) {
    io.err(`${io.style.red("error")}: --format ${format}: expected text, json or sarif\n`);
    return EXIT.invalid;
  }
  const loaded = loadForCommand(target, io, format !== "text");
  if (!loaded) return EXIT.invalid;
  const spec = loaded.spec;
  // One analyzer for both: the NSGs' decisions are computed once.
  const analyzer = new ReachAnalyzer(spec.network);
  const findings: Diagnostic[] = lint(analyzer, neededTraffic(analyzer, spec.assertions)).map(
    (d) => ({
      ...d,
      location: spec.locate(d.path),
    }),
  );
  const code = findings.some((d) => d.severity === "error") ? EXIT.failed : EXIT.ok;
  if (format === "json")
    printJson(io, { file: spec.file, findings: diagnosticsJson(findings), ...partialJson(spec) });
  else if (format === "sarif") printJson(io, toSarif(findings, partialJson(spec)));
  else if (findings.length === 0)
    io.out(`${io.style.green("clean")}: ${spec.file} has no findings\n`);
  else io.out(`${renderDiagnostics(findings, loaded.sources, io.style)}\n`);
  return code;
}
