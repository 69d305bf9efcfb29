import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estate } from "../../bench/estate.js";
import { networkOf } from "../../test/support/spec.js";
import { hasErrors } from "../model/diagnostic.js";
import { buildNetwork } from "../model/network.js";
import { parseServiceTagFile } from "../model/service-tags.js";
import { FlowClassFolder } from "./flow-classes.js";
import { sampleFlowLogs } from "./flow-log-sample.js";
import { judgesBySourcePort, replay } from "./replay.js";

const LAYERED = readFileSync(
  join(import.meta.dirname, "../../examples/layered-ase/tierwall.yaml"),
  "utf8",
);
const WITHOUT_FE3 = LAYERED.replace(
  / {6}- name: ALLOW-HTTP-fe3ase[\s\S]*?(?= {6}- name: ALLOW-HTTP-apiase)/,
  "",
);

describe("sampled flow logs", () => {
  const network = networkOf(LAYERED);

  for (const format of ["vnet", "nsg-v2", "nsg-v1"] as const)
    it(`(${format}) agree with the spec they come from, and a week of them lists exactly fe3ase's flows as what dropping fe3ase breaks`, () => {
      const aggregator = new FlowClassFolder();
      let last = 0;
      for (const t of sampleFlowLogs(network, { seed: 7, days: 7, format })) {
        expect(t.time).toBeGreaterThanOrEqual(last);
        last = t.time;
        aggregator.add(t);
      }
      expect(aggregator.tuples).toBeGreaterThan(3000);
      const report = replay(
        aggregator.classes(),
        aggregator.tuples,
        network,
        networkOf(WITHOUT_FE3),
      );
      expect(report.disagreements.map((d) => d.disagreements)).toEqual([]);
      expect(report.notJudged).toEqual([]);
      expect(report.unmapped).toEqual([]);
      const fe3 = report.classes.filter(
        (r) =>
          r.traffic.source === "198.51.100.33" &&
          r.logged === "Allow" &&
          r.traffic.direction === "Inbound",
      );
      expect(fe3.length).toBeGreaterThan(0);
      expect(new Set(report.newlyDenied)).toEqual(new Set(fe3));
      expect(report.newlyAllowed).toEqual([]);
    });

  it("is the same for the same seed, and different for another", () => {
    const take = (seed: number) => [...sampleFlowLogs(network, { seed, days: 1 })];
    expect(take(3)).toEqual(take(3));
    expect(take(3)).not.toEqual(take(4));
  });
});

describe("sampled flow logs of a generated estate", () => {
  it("agree with it: every call judged by the flow evaluator is judged alike where it was captured", () => {
    const e = estate({ nsgs: 42, rulesPerNsg: 14, outboundRules: 8, seed: 11 });
    const built = buildNetwork(e.topology, parseServiceTagFile(e.serviceTags).catalog);
    if (!built.network || hasErrors(built.diagnostics))
      throw new Error("the estate does not build");
    const aggregator = new FlowClassFolder({ bySourcePort: judgesBySourcePort(built.network) });
    for (const t of sampleFlowLogs(built.network, {
      seed: 5,
      days: 1,
      connectionsPerHour: 200,
      format: "nsg-v2",
    }))
      aggregator.add(t);
    expect(aggregator.tuples).toBeGreaterThan(5000);
    const report = replay(aggregator.classes(), aggregator.tuples, built.network);
    expect(report.disagreements.flatMap((d) => d.disagreements)).toEqual([]);
    expect(report.unmapped).toEqual([]);
    expect(report.ruleHits.filter((h) => h.flows > 0).length).toBeGreaterThan(40);
  });
});
