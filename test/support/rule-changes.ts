/**
 * Examples' specs and random single-rule changes to their NSGs, for the tests
 * that hold incremental judging to the whole network built again.
 */
import { join, resolve } from "node:path";
import type { RuleChange } from "../../src/analysis/incremental-nsg.js";
import { buildNetwork, type Network } from "../../src/model/network.js";
import type { SecurityRule, Topology } from "../../src/model/types.js";
import { type LoadedSpec, loadSpec } from "../../src/specfile/load.js";

const EXAMPLES = resolve(import.meta.dirname, "..", "..", "examples");

/** An example's spec: its topology, network and the rest. */
export function example(name: string): { topology: Topology; network: Network; spec: LoadedSpec } {
  const loaded = loadSpec(join(EXAMPLES, name));
  if (!loaded.spec) throw new Error(`${name}: ${loaded.diagnostics[0]?.message}`);
  return { topology: loaded.spec.topology, network: loaded.spec.network, spec: loaded.spec };
}

export function rebuilt(topology: Topology, like: Network): Network {
  const built = buildNetwork(topology, like.serviceTags);
  if (!built.network)
    throw new Error(built.diagnostics.find((d) => d.severity === "error")?.message);
  return built.network;
}

/** The topology with the change made to the NSG's rules. */
export function changed(topology: Topology, nsg: string, change: RuleChange): Topology {
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
export function randomChange(
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
