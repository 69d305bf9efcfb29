/** Where in a JSON text a value is, by its path: for the diagnostics of every JSON reader. */
import { type Document, LineCounter, parseDocument } from "yaml";
import type { Diagnostic, SourceLocation, ValuePath } from "../../model/diagnostic.js";
import { locate } from "../../specfile/locate.js";

/**
 * The location of a value by its JSON path in `text`. The text is parsed (for
 * positions) when the first path is placed, and once only: most imports place none.
 */
export function jsonLocator(text: string, file: string): (path: ValuePath) => SourceLocation {
  let doc: Document | undefined;
  const lineCounter = new LineCounter();
  return (path) => {
    doc ??= parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    return { file, ...locate(doc, lineCounter, path) };
  };
}

/** Diagnostics with JSON paths, given the line and column of the value each names. */
export function placed(
  diagnostics: readonly Diagnostic[],
  text: string,
  file: string,
  locator = jsonLocator(text, file),
): Diagnostic[] {
  return diagnostics.map((d) => ({ ...d, location: locator(d.path) }));
}
