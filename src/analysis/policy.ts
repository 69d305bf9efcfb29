import type { ResolvedRule } from "../engine/resolve.js";
import { FLOW_PROTOCOLS } from "../net/protocol.js";
import { PacketSet } from "./packet-set.js";

/** The packets a rule matches, with its tags and ASGs already expanded. */
export function ruleMatchSet(rule: ResolvedRule): PacketSet {
  return PacketSet.box({
    protocols: rule.protocol === "*" ? FLOW_PROTOCOLS : [rule.protocol],
    source: rule.source,
    destination: rule.destination,
    sourcePorts: rule.sourcePorts,
    destinationPorts: rule.destinationPorts,
  });
}

/** What one rule does in its list: the packets it matches, and those it decides (no earlier rule matched them). */
export interface RuleEffect {
  readonly rule: ResolvedRule;
  readonly matches: PacketSet;
  readonly decides: PacketSet;
}

/** A first-match rule list as sets: the packets it allows, and what each rule decides. */
export interface Decisions {
  readonly allowed: PacketSet;
  readonly effects: readonly RuleEffect[];
}

/**
 * Azure's first-match evaluation over every packet at once: each rule decides
 * the packets it matches that no rule before it matched. The default rules
 * close the list, so every packet is decided by exactly one rule.
 */
export function decide(rules: readonly ResolvedRule[]): Decisions {
  let undecided = PacketSet.all;
  let allowed = PacketSet.empty;
  const effects: RuleEffect[] = [];
  for (const rule of rules) {
    const matches = ruleMatchSet(rule);
    const decides = matches.intersect(undecided);
    if (rule.access === "Allow") allowed = allowed.union(decides);
    // The same as taking away `decides`, and cheaper: a rule's match is one box.
    undecided = undecided.minus(matches);
    effects.push({ rule, matches, decides });
  }
  return { allowed, effects };
}

/**
 * What a first-match rule list allows, without what each rule decides: folded
 * from the last rule up, each rule taking the packets it matches and leaving
 * the rest to the rules after it. One operation per rule on its own match,
 * where `decide` needs three on the undecided rest; the same set (diagrams are
 * canonical).
 */
export function allowedSet(rules: readonly ResolvedRule[]): PacketSet {
  let allowed = PacketSet.empty;
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i] as ResolvedRule;
    const matches = ruleMatchSet(rule);
    allowed = rule.access === "Allow" ? allowed.union(matches) : allowed.minus(matches);
  }
  return allowed;
}
