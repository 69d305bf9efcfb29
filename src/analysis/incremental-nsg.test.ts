/**
 * An NSG judged as its rules change, against the semantic diff of the whole
 * network built again: on the examples' NSGs, random sequences of single-rule
 * changes (remove one, move one to a free priority, open one to every source,
 * flip one's access, add a copy at a free priority, move one to the other
 * direction) give exactly `semanticDiff`'s result, its NSG entries and its
 * flows between hosts, change after change; invalid changes are refused and
 * change nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changed, example, randomChange, rebuilt } from "../../test/support/rule-changes.js";
import { buildNetwork } from "../model/network.js";
import type { SecurityRule, Topology } from "../model/types.js";
import { semanticDiff } from "./diff.js";
import { IncrementalNsg } from "./incremental-nsg.js";

const CASES = [
  ["layered-ase", "RestrictBackendApi"],
  ["asg-tiers", "workload-nsg"],
  ["asg-tiers", "db-nic-nsg"],
  ["three-tier", "data-nsg"],
  ["hub-spoke-tiers", "web-nsg"],
  ["three-tier", "web-nsg"],
  ["load-balancer", "web-nsg"],
  ["application-gateway", "gateway-nsg"],
  ["scale-set", "web-nsg"],
] as const;

describe("an NSG judged as its rules change", () => {
  for (const [name, nsg] of CASES)
    it(`gives ${name}'s ${nsg} the semantic diff, change after change`, () => {
      const start = example(name);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
          (seeds) => {
            let topology = start.topology;
            let before = start.network;
            const kept = new IncrementalNsg(before, nsg);
            for (const [seed, step] of seeds) {
              const rules =
                topology.networkSecurityGroups.find((n) => n.name === nsg)?.securityRules ?? [];
              const change = randomChange(rules, seed, step);
              if (!change) continue;
              const next = changed(topology, nsg, change);
              const built = buildNetwork(next, before.serviceTags);
              const applied = kept.apply(change);
              if (!built.network) {
                // What the model refuses, the NSG refuses too, and stays as it was.
                expect(applied.diagnostics.length).toBeGreaterThan(0);
                continue;
              }
              expect(applied.diagnostics).toEqual([]);
              const after = rebuilt(next, before);
              const expected = semanticDiff(before, after);
              expect(applied.changes).toEqual(expected.nsgs.filter((c) => c.nsg === nsg));
              // The whole diff, flows between hosts included, as the network built again gives it.
              expect(applied.diff).toEqual(expected);
              topology = next;
              before = after;
            }
          },
        ),
        { numRuns: 40 },
      );
    });

  it("refuses a rule the model would refuse, and a clash of names or priorities", () => {
    const { network } = example("layered-ase");
    const kept = new IncrementalNsg(network, "RestrictBackendApi");
    const rule: SecurityRule = {
      name: "ALLOW-HTTP-fe1ase",
      protocol: "Tcp",
      access: "Allow",
      priority: 150,
      direction: "Inbound",
      sourceAddressPrefix: "198.51.100.11",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "80",
    };
    expect(kept.apply({ kind: "add", rule }).diagnostics[0]?.code).toBe("DuplicateResourceName");
    expect(
      kept.apply({ kind: "add", rule: { ...rule, name: "other", priority: 200 } }).diagnostics[0]
        ?.code,
    ).toBe("SecurityRuleConflict");
    expect(
      kept.apply({ kind: "add", rule: { ...rule, name: "other", priority: 5 } }).diagnostics[0]
        ?.code,
    ).toBe("SecurityRuleInvalidPriority");
    expect(kept.apply({ kind: "remove", name: "nothing" }).diagnostics[0]?.code).toBe("NotFound");
    // An NSG holds at most 1,000 rules: the one that would be one too many is refused.
    const full: Topology = {
      ...example("layered-ase").topology,
      networkSecurityGroups: [
        {
          name: "RestrictBackendApi",
          securityRules: Array.from({ length: 1000 }, (_, i) => ({
            ...rule,
            name: `r${i}`,
            priority: 100 + i,
          })),
        },
      ],
    };
    const crowded = new IncrementalNsg(rebuilt(full, network), "RestrictBackendApi");
    expect(
      crowded.apply({ kind: "add", rule: { ...rule, name: "one-more", priority: 4000 } })
        .diagnostics[0]?.code,
    ).toBe("SecurityRuleLimitExceeded");
    // None of them changed anything: removing fe2ase's HTTPS rule denies fe2ase's HTTPS only.
    const { changes } = kept.apply({ kind: "remove", name: "ALLOW-HTTPS-fe2ase" });
    expect(changes.map((c) => c.newlyDenied.lines.map((l) => l.destinationPorts))).toEqual([
      [["443"]],
    ]);
  });
});
