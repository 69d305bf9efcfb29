import type { Diagnostic } from "../../model/diagnostic.js";

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

/**
 * Diagnostics as a SARIF 2.1.0 log, so that code-scanning tools show each
 * finding on the spec's line; `properties`, when not empty, is the run's property bag.
 */
export function toSarif(diagnostics: readonly Diagnostic[], properties: object = {}): object {
  const ruleIds = [...new Set(diagnostics.map((d) => d.code))].sort();
  return {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: {
          driver: {
            name: "tierwall",
            version: "0.1.0",
            rules: ruleIds.map((id) => ({
              id,
              name: id,
              shortDescription: { text: id.replace(/([a-z])([A-Z])/g, "$1 $2") },
            })),
          },
        },
        results: diagnostics.map((d) => ({
          ruleId: d.code,
          ruleIndex: ruleIds.indexOf(d.code),
          level: LEVEL[d.severity],
          message: { text: d.hint ? `${d.message} (${d.hint})` : d.message },
          ...(d.location
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: { uri: d.location.file.split("\\\\").join("/") },
                      region: { startLine: d.location.line, startColumn: d.location.column },
                    },
                  },
                ],
              }
            : {}),
        })),
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      },
    ],
  };
}
