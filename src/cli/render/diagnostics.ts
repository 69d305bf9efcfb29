import type { Diagnostic } from "../../model/diagnostic.js";
import type { Style } from "./style.js";

/**
 * A diagnostic as a terminal shows it: severity, code and message, then the
 * file position and the offending line with a caret under the column.
 */
export function renderDiagnostic(
  d: Diagnostic,
  sources: ReadonlyMap<string, string>,
  style: Style,
): string {
  const label =
    d.severity === "error"
      ? style.red(style.bold("error"))
      : d.severity === "warning"
        ? style.yellow(style.bold("warning"))
        : style.cyan(style.bold("note"));
  const lines = [`${label} ${style.bold(d.code)}: ${d.message}`];
  if (d.location) {
    const { file, line, column } = d.location;
    lines.push(`  ${style.cyan("-->")} ${file}:${line}:${column}`);
    const text = sources.get(file)?.split(/\r?\n/)[line - 1];
    if (text !== undefined) {
      const gutter = String(line);
      const pad = " ".repeat(gutter.length);
      lines.push(`${pad}  ${style.cyan("|")}`);
      lines.push(`${style.cyan(gutter)}  ${style.cyan("|")} ${text}`);
      lines.push(
        `${pad}  ${style.cyan("|")} ${" ".repeat(Math.max(0, column - 1))}${style.red("^")}`,
      );
    }
  }
  if (d.hint) lines.push(`  ${style.cyan("hint:")} ${d.hint}`);
  return lines.join("\n");
}

export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  style: Style,
): string {
  const count = (severity: string) => diagnostics.filter((d) => d.severity === severity).length;
  const plural = (n: number, word: string) => (n > 0 ? `${n} ${word}${n === 1 ? "" : "s"}` : "");
  const body = diagnostics.map((d) => renderDiagnostic(d, sources, style)).join("\n\n");
  const counts = [
    plural(count("error"), "error"),
    plural(count("warning"), "warning"),
    plural(count("info"), "note"),
  ]
    .filter(Boolean)
    .join(", ");
  return counts ? `${body}\n\n${counts}` : body;
}

/** Diagnostics as plain objects for --json. */
export function diagnosticsJson(diagnostics: readonly Diagnostic[]): object[] {
  return diagnostics.map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.location
      ? { file: d.location.file, line: d.location.line, column: d.location.column }
      : {}),
    ...(d.hint ? { hint: d.hint } : {}),
  }));
}
