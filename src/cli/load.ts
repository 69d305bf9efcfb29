import type { Diagnostic } from "../model/diagnostic.js";
import { hasErrors } from "../model/diagnostic.js";
import { type LoadedSpec, loadSpec } from "../specfile/load.js";
import { type Io, printJson } from "./io.js";
import { notePartial } from "./partial.js";
import { diagnosticsJson, renderDiagnostics } from "./render/diagnostics.js";

/**
 * Loads the spec for a command that needs a valid one. On errors it reports
 * them (JSON on stdout with --json, text on stderr otherwise) and returns undefined.
 * A partial spec (one its import could not read whole) is named on stderr.
 */
export function loadForCommand(
  target: string,
  io: Io,
  json: boolean,
):
  | { spec: LoadedSpec; warnings: readonly Diagnostic[]; sources: ReadonlyMap<string, string> }
  | undefined {
  const loaded = loadSpec(target);
  if (loaded.spec && !hasErrors(loaded.diagnostics)) {
    notePartial(io, [loaded.spec]);
    return { spec: loaded.spec, warnings: loaded.diagnostics, sources: loaded.sources };
  }
  if (json) printJson(io, { valid: false, diagnostics: diagnosticsJson(loaded.diagnostics) });
  else io.err(`${renderDiagnostics(loaded.diagnostics, loaded.sources, io.style)}\n`);
  return undefined;
}
