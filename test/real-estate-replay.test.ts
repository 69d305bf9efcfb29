/**
 * Flow logs of real estates as people publish them: each real fixture that
 * imports to a valid spec with an NSG gets a day of sampled logs, in both
 * formats; replayed against its own spec, they must agree with it and map
 * every name; replayed against a version where one of its custom allow
 * rules that decided traffic denies instead, exactly the classes that rule
 * decided must be newly denied.
 */
import { readdirSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { FlowClassFolder } from "../src/analysis/flow-classes.js";
import { sampleFlowLogs } from "../src/analysis/flow-log-sample.js";
import { judgesBySourcePort, replay } from "../src/analysis/replay.js";
import { importSources } from "../src/formats/catalog.js";
import type { Network } from "../src/model/network.js";
import { sharedFile, titled } from "./support/environment.js";
import { fixtureSources } from "./support/fixtures.js";
import { loadSpecText } from "./support/spec.js";

const real = sharedFile("fixtures/real");

interface Estate {
  readonly name: string;
  readonly text: string;
  readonly network: Network;
}

describe.skipIf(real.missing)(titled("replay on real estates", real.missing), () => {
  const estates: Estate[] = [];

  beforeAll(async () => {
    for (const name of readdirSync(real.path).sort()) {
      if (!/^\d\d-/.test(name)) continue;
      const imported = await importSources(fixtureSources(real.path, name));
      if (!imported.spec) continue;
      const loaded = loadSpecText(imported.spec);
      const network = loaded.spec?.network;
      if (!network || network.nsgs.size === 0 || network.subnets.length === 0) continue;
      estates.push({ name, text: imported.spec, network });
    }
  });

  it("finds estates with NSGs among the real fixtures", () => {
    expect(estates.length).toBeGreaterThanOrEqual(8);
  });

  for (const format of ["vnet", "nsg-v2"] as const)
    it(`(${format}) agree with the spec each estate's logs come from, and name every rule they decided`, () => {
      let judged = 0;
      for (const estate of estates) {
        const folder = new FlowClassFolder({ bySourcePort: judgesBySourcePort(estate.network) });
        for (const t of sampleFlowLogs(estate.network, {
          seed: 13,
          days: 1,
          connectionsPerHour: 40,
          format,
        }))
          folder.add(t);
        const report = replay(folder.classes(), folder.tuples, estate.network);
        expect(
          report.disagreements.flatMap((d) => d.disagreements),
          estate.name,
        ).toEqual([]);
        expect(report.unmapped, estate.name).toEqual([]);
        judged += report.classes.filter((c) => c.current).length;
      }
      expect(judged).toBeGreaterThan(100);
    });

  it("lists exactly the classes an allow rule decided as newly denied when it denies instead", () => {
    let changed = 0;
    for (const estate of estates) {
      const folder = new FlowClassFolder({ bySourcePort: judgesBySourcePort(estate.network) });
      for (const t of sampleFlowLogs(estate.network, { seed: 17, days: 1, connectionsPerHour: 40 }))
        folder.add(t);
      const classes = folder.classes();
      const before = replay(classes, folder.tuples, estate.network);
      const hit = before.ruleHits.find((h) => !h.isDefault && h.access === "Allow" && h.flows > 0);
      if (!hit) continue;
      // The same spec with that rule's access turned to Deny, in the imported text.
      const lines = estate.text.split("\n");
      // The rule's line, after its NSG's (NSGs may share rule names).
      const nsgAt = lines.findIndex((l) => new RegExp(`^ *- name: "?${hit.nsg}"?$`).test(l));
      const at = lines.findIndex(
        (l, i) => i > nsgAt && new RegExp(`^ *- name: "?${hit.rule}"?$`).test(l),
      );
      expect(at, `${estate.name}: ${hit.rule}`).toBeGreaterThanOrEqual(0);
      const indent = (lines[at] as string).indexOf("-");
      let end = at + 1;
      while (end < lines.length && (lines[end] as string).search(/\S/) > indent) end++;
      const block = lines.slice(at, end).join("\n");
      expect(block).toMatch(/access: Allow/);
      const proposedText = [
        ...lines.slice(0, at),
        block.replace(/access: Allow/, "access: Deny"),
        ...lines.slice(end),
      ].join("\n");
      const proposed = loadSpecText(proposedText).spec?.network;
      expect(proposed, estate.name).toBeDefined();
      if (!proposed) continue;
      const after = replay(classes, folder.tuples, estate.network, proposed);
      const decidedByIt = after.classes.filter(
        (r) =>
          r.logged === "Allow" &&
          r.current?.evaluations.some(
            (e) => e.nsg === hit.nsg && e.rule === `securityRules/${hit.rule}`,
          ),
      );
      expect(decidedByIt.length, estate.name).toBeGreaterThan(0);
      expect(new Set(after.newlyDenied), `${estate.name}: ${hit.rule}`).toEqual(
        new Set(decidedByIt),
      );
      changed++;
    }
    expect(changed).toBeGreaterThanOrEqual(5);
  });
});
