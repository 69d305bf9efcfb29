/** Where in a JSON text a value is, by its path: for the diagnostics of every JSON reader. */
import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic } from "../../model/diagnostic.js";
import { locate } from "../../specfile/locate.js";

/** Diagnostics with JSON paths, given the line and column of the value each names. */
export function placed(
  diagnostics: readonly Diagnostic[],
  text: string,
  file: string,
): Diagnostic[] {
  if (diagnostics.length === 0) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return diagnostics.map((d) => ({
    ...d,
    location: { file, ...locate(doc, lineCounter, d.path) },
  }));
}
