/** Where in a JSON text a value is, by its path: for the diagnostics of every JSON reader. */
import type { Diagnostic, SourceLocation, ValuePath } from "../../model/diagnostic.js";
import { JsonLocator } from "../../specfile/json-locate.js";

/**
 * The location of a value by its JSON path in `text` (valid JSON): scanned
 * only where the paths placed lead (specfile/json-locate.ts), since most imports place
 * few paths and a full parse of a large file for them costs seconds.
 */
export function jsonLocator(text: string, file: string): (path: ValuePath) => SourceLocation {
  let locator: JsonLocator | undefined;
  return (path) => {
    locator ??= new JsonLocator(text);
    return { file, ...locator.locate(path) };
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
