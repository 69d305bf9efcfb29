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
    const source = sources.get(file);
    const whole = source === undefined ? undefined : lineOf(source, line);
    if (whole !== undefined) {
      const { text, caret } = clip(whole, column);
      const gutter = String(line);
      const pad = " ".repeat(gutter.length);
      lines.push(`${pad}  ${style.cyan("|")}`);
      lines.push(`${style.cyan(gutter)}  ${style.cyan("|")} ${text}`);
      lines.push(
        `${pad}  ${style.cyan("|")} ${" ".repeat(Math.max(0, caret - 1))}${style.red("^")}`,
      );
    }
  }
  if (d.hint) lines.push(`  ${style.cyan("hint:")} ${d.hint}`);
  return lines.join("\n");
}

/** Line `line` (1-based) of a text, found without splitting all of it: specs may be megabytes. */
function lineOf(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const end = text.indexOf("\n", start);
    if (end === -1) return undefined;
    start = end + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end === -1 ? undefined : end).replace(/\r$/, "");
}

/** The widest stretch of a line a code frame shows; a generated line may be megabytes long. */
const FRAME_WIDTH = 240;

/** The stretch of a line shown around a column, and the caret's column in it. */
function clip(text: string, column: number): { text: string; caret: number } {
  if (text.length <= FRAME_WIDTH) return { text, caret: column };
  const start = Math.max(0, Math.min(column - 1 - FRAME_WIDTH / 2, text.length - FRAME_WIDTH));
  const head = start > 0 ? "…" : "";
  const tail = start + FRAME_WIDTH < text.length ? "…" : "";
  return {
    text: `${head}${text.slice(start, start + FRAME_WIDTH)}${tail}`,
    caret: column - start + head.length,
  };
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
