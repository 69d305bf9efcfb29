import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { hasErrors } from "../model/diagnostic.js";
import { neededTraffic } from "../specfile/check.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const EXAMPLE = readFileSync(
  join(resolve(import.meta.dirname, "../.."), "examples/hub-spoke-tiers/tierwall.yaml"),
  "utf8",
);

/** BroaderThanNeeded findings on the hub-and-spoke example, changed by `edit`. */
function broader(edit: (text: string) => string = (t) => t): string[] {
  const loaded = loadSpecText(edit(EXAMPLE));
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const analyzer = new ReachAnalyzer(loaded.spec.network);
  return lint(analyzer, neededTraffic(analyzer, loaded.spec.assertions))
    .filter((d) => d.code === "BroaderThanNeeded")
    .map((d) => d.message);
}

describe("BroaderThanNeeded against claims made per subnet", () => {
  it("finds nothing when each rule opens exactly the subnets a claim names", () => {
    // A rule from web's /24 to app's /24 is what `reach subnet:web -> subnet:app` needs,
    // Azure's reserved addresses of web (which send nothing) included.
    expect(broader()).toEqual([]);
  });

  it("finds a rule that opens app to the whole spoke, with traffic no claim needs", () => {
    const found = broader((t) =>
      t.replace("sourceAddressPrefix: 10.1.1.0/24", "sourceAddressPrefix: 10.1.0.0/16"),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^app-nsg: securityRules\/allow-https-from-web lets in more/);
    // The excess is judged on app's hosts, not on its reserved addresses.
    expect(found[0]).toContain("-> 10.1.2.0/24 except 10.1.2.0/30,10.1.2.255/32 ports 443");
  });

  it("finds a rule that opens more ports than the claim over the subnets needs", () => {
    const found = broader((t) =>
      t.replace(
        'destinationAddressPrefix: 10.1.3.0/24\n        destinationPortRange: "1433"',
        'destinationAddressPrefix: 10.1.3.0/24\n        destinationPortRange: "1400-1500"',
      ),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^db-nsg: securityRules\/allow-sql-from-app/);
  });
});
