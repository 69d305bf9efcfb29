/**
 * An NSG judged as its rules change, against the semantic diff of the whole
 * network built again: on the examples' NSGs, random sequences of single-rule
 * changes (remove one, move one to a free priority, open one to every source,
 * flip one's access, add a copy at a free priority, move one to the other
 * direction) give exactly `semanticDiff`'s result, its NSG entries and its
 * flows between hosts, change after change; invalid changes are refused and
 * change nothing.
 */
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildNetwork, type Network } from "../model/network.js";
import type { SecurityRule, Topology } from "../model/types.js";
import { loadSpec } from "../specfile/load.js";
import { semanticDiff } from "./diff.js";
import { IncrementalNsg, type RuleChange } from "./incremental-nsg.js";

const EXAMPLES = resolve(import.meta.dirname, "..", "..", "examples");

function example(name: string): { topology: Topology; network: Network } {
  const loaded = loadSpec(join(EXAMPLES, name));
  if (!loaded.spec) throw new Error(`${name}: ${loaded.diagnostics[0]?.message}`);
  return { topology: loaded.spec.topology, network: loaded.spec.network };
}

function rebuilt(topology: Topology, like: Network): Network {
  const built = buildNetwork(topology, like.serviceTags);
  if (!built.network)
    throw new Error(built.diagnostics.find((d) => d.severity === "error")?.message);
  return built.network;
}

/** The topology with the change made to the NSG's rules. */
function changed(topology: Topology, nsg: string, change: RuleChange): Topology {
  return {
    ...topology,
    networkSecurityGroups: topology.networkSecurityGroups.map((n) => {
      if (n.name !== nsg) return n;
      const rules = n.securityRules.filter(
        (r) => change.kind === "add" || r.name.toLowerCase() !== change.name.toLowerCase(),
      );
      return { ...n, securityRules: change.kind === "remove" ? rules : [...rules, change.rule] };
    }),
  };
}

/** A change made of a seed: which rule, and what to do to it. */
function changeOf(
  rules: readonly SecurityRule[],
  seed: number,
  step: number,
): RuleChange | undefined {
  const rule = rules[seed % Math.max(1, rules.length)];
  const taken = new Set(rules.map((r) => `${r.direction}/${r.priority}`));
  const free = (direction: string) => {
    for (let p = 100 + ((seed * 37) % 3900); ; p = p >= 4096 ? 100 : p + 1)
      if (!taken.has(`${direction}/${p}`)) return p;
  };
  if (!rule) return undefined;
  const other = rule.direction === "Inbound" ? "Outbound" : "Inbound";
  switch (step % 6) {
    case 0:
      return { kind: "remove", name: rule.name };
    case 1:
      return {
        kind: "replace",
        name: rule.name,
        rule: { ...rule, priority: free(rule.direction) },
      };
    case 2: {
      const { sourceAddressPrefixes: _, sourceApplicationSecurityGroups: __, ...rest } = rule;
      return { kind: "replace", name: rule.name, rule: { ...rest, sourceAddressPrefix: "*" } };
    }
    case 3:
      return {
        kind: "replace",
        name: rule.name,
        rule: { ...rule, access: rule.access === "Allow" ? "Deny" : "Allow" },
      };
    case 4:
      return {
        kind: "add",
        rule: {
          ...rule,
          name: `copy-${seed}-${step}`,
          priority: free(rule.direction),
          access: "Deny",
        },
      };
    default:
      return {
        kind: "replace",
        name: rule.name,
        rule: { ...rule, direction: other, priority: free(other) },
      };
  }
}

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
              const change = changeOf(rules, seed, step);
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
