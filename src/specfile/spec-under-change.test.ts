/**
 * A spec judged as its NSGs' rules change, against checking the whole
 * network built again: on the examples, random sequences of single-rule
 * changes to any of their NSGs give `semanticDiff`'s result and every
 * assertion's outcome as `checkSpecAssertions` gives them on the network
 * built again, with the assertions a change breaks named.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changed, example, randomChange, rebuilt } from "../../test/support/rule-changes.js";
import { semanticDiff } from "../analysis/diff.js";
import { buildNetwork } from "../model/network.js";
import { checkSpecAssertions, type SpecOutcome } from "./check.js";
import { SpecUnderChange } from "./spec-under-change.js";

/** Each outcome's kind, status and why; a flow's whole outcome and a failed claim's counterexample, traces and deciding rules included. */
const summary = (outcomes: readonly SpecOutcome[]) =>
  outcomes.map((o) => [
    o.kind,
    o.outcome.status,
    o.outcome.status === "held" ? "" : o.outcome.why,
    JSON.stringify(
      o.kind === "flow" ? o.outcome : o.outcome.status === "failed" ? o.outcome.counterexample : "",
      (_, v) => (typeof v === "bigint" ? String(v) : v),
    ),
  ]);

describe("a spec judged as its rules change", () => {
  for (const name of ["layered-ase", "three-tier", "asg-tiers", "hub-spoke-tiers"])
    it(`holds ${name}'s assertions and diff to the network built again, change after change`, () => {
      const start = example(name);
      const nsgs = start.topology.networkSecurityGroups.map((n) => n.name);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
          (steps) => {
            let topology = start.topology;
            let before = start.network;
            const spec = new SpecUnderChange(before, start.spec.assertions);
            for (const [which, seed, step] of steps) {
              const nsg = nsgs[which % nsgs.length] as string;
              const rules =
                topology.networkSecurityGroups.find((n) => n.name === nsg)?.securityRules ?? [];
              const change = randomChange(rules, seed, step);
              if (!change) continue;
              const next = changed(topology, nsg, change);
              const judged = spec.change(nsg, change);
              if (!buildNetwork(next, before.serviceTags).network) {
                expect(judged.diagnostics.length).toBeGreaterThan(0);
                continue;
              }
              expect(judged.diagnostics).toEqual([]);
              const after = rebuilt(next, before);
              expect(judged.diff).toEqual(semanticDiff(before, after));
              const expected = checkSpecAssertions(after, start.spec.assertions);
              expect(summary(judged.outcomes)).toEqual(summary(expected));
              const was = checkSpecAssertions(before, start.spec.assertions);
              expect(summary(judged.broken)).toEqual(
                summary(
                  expected.filter(
                    (o, i) => o.outcome.status !== "held" && was[i]?.outcome.status === "held",
                  ),
                ),
              );
              topology = next;
              before = after;
            }
          },
        ),
        { numRuns: 25 },
      );
    });

  it("names the assertions that deleting the fe2ase rules breaks", () => {
    const { network, spec } = example("layered-ase");
    const judged = new SpecUnderChange(network, spec.assertions);
    expect(judged.prepare("RestrictBackendApi")).toBe(true);
    expect(judged.prepare("NoSuchNsg")).toBe(false);
    expect(judged.change("NoSuchNsg", { kind: "remove", name: "x" }).diagnostics).toHaveLength(1);
    judged.change("RestrictBackendApi", { kind: "remove", name: "ALLOW-HTTP-fe2ase" });
    const { broken, diff } = judged.change("RestrictBackendApi", {
      kind: "remove",
      name: "ALLOW-HTTPS-fe2ase",
    });
    expect(broken).toHaveLength(1);
    expect(broken[0]?.outcome.status).toBe("failed");
    expect(
      diff?.flows.find((f) => f.from === "fe2ase" && f.to === "apiase")?.newlyDenied.lines,
    ).toHaveLength(1);
  });
});
