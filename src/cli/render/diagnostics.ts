import type { Diagnostic } from "../../model/diagnostic.js";
import type { Style } from "./style.js";
import { shortened } from "./terminal.js";

/**
 * A diagnostic as a terminal shows it: severity, code and message, then the
 * file position and the offending line with a caret under the column.
 */
export function renderDiagnostic(
  d: Diagnostic,
  sources: ReadonlyMap<string, string>,
  style: Style,
  sourceLines = new SourceLines(sources),
): string {
  const label =
    d.severity === "error"
      ? style.red(style.bold("error"))
      : d.severity === "warning"
        ? style.yellow(style.bold("warning"))
        : style.cyan(style.bold("note"));
  const lines = [`${label} ${style.bold(d.code)}: ${shortened(d.message)}`];
  if (d.location) {
    const { file, line, column } = d.location;
    lines.push(`  ${style.cyan("-->")} ${file}:${line}:${column}`);
    const whole = sourceLines.line(file, line);
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
  if (d.hint) lines.push(`  ${style.cyan("hint:")} ${shortened(d.hint)}`);
  return lines.join("\n");
}

/**
 * The lines of the sources, each file scanned once and only as far as a
 * diagnostic needs: specs may be megabytes, and an import may report
 * thousands of problems in one file.
 */
class SourceLines {
  /** Per file, the offset where each line starts, as far as scanned. */
  private readonly starts = new Map<string, number[]>();

  constructor(private readonly sources: ReadonlyMap<string, string>) {}

  /** Line `line` (1-based) of `file`, without its line end; undefined past its end. */
  line(file: string, line: number): string | undefined {
    const text = this.sources.get(file);
    if (text === undefined || line < 1) return undefined;
    let starts = this.starts.get(file);
    if (!starts) {
      starts = [0];
      this.starts.set(file, starts);
    }
    // A start past the end (length + 1) marks that the text has no more lines.
    let last = starts[starts.length - 1] as number;
    while (starts.length <= line && last <= text.length) {
      const end = text.indexOf("\n", last);
      last = end === -1 ? text.length + 1 : end + 1;
      starts.push(last);
    }
    const start = starts[line - 1];
    if (start === undefined || start > text.length) return undefined;
    const next = starts[line] ?? text.length + 1;
    return text.slice(start, next - 1).replace(/\r$/, "");
  }
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
  const lines = new SourceLines(sources);
  const body = diagnostics.map((d) => renderDiagnostic(d, sources, style, lines)).join("\n\n");
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
    message: shortened(d.message),
    ...(d.location
      ? { file: d.location.file, line: d.location.line, column: d.location.column }
      : {}),
    ...(d.hint ? { hint: shortened(d.hint) } : {}),
  }));
}
