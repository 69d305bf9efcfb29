/**
 * One NSG direction's first-match decisions, kept current under single-rule
 * changes (add, remove, replace), with the packets each change newly allows
 * and newly denies: a change touches only the rules whose packets overlap the
 * changed rule's, so it costs what those overlaps cost, not what the list
 * costs (the approach of APKeep and Delta-net, for ordered rule lists).
 *
 * Invariant: every rule's `decides` is the packets it matches that no rule
 * before it matches; these sets partition every packet (the default rules
 * close each list); `allowed` is the union of the Allow rules' sets. The
 * same as `decide` would give from scratch (tested against it).
 */
import type { ResolvedRule } from "../engine/resolve.js";
import type { PortRange } from "../net/ports.js";
import { hasPorts } from "../net/protocol.js";
import { PacketSet } from "./packet-set.js";
import { type Decisions, decide, ruleMatchSet } from "./policy.js";

/** What a change did to the allowed packets. */
export interface Delta {
  readonly newlyAllowed: PacketSet;
  readonly newlyDenied: PacketSet;
}

interface Entry {
  readonly rule: ResolvedRule;
  readonly matches: PacketSet;
  decides: PacketSet;
}

const portsOverlap = (a: readonly PortRange[], b: readonly PortRange[]) =>
  a.some((x) => b.some((y) => x.first <= y.last && y.first <= x.last));

/** Whether a rule matches some protocol without ports (ICMP, ESP, AH), whose packets its port fields do not filter. */
const matchesPortless = (r: ResolvedRule) => r.protocol === "*" || !hasPorts(r.protocol);

/**
 * Whether two rules may match a packet in common, from their fields: a cheap
 * test that spares the set operations for rules that cannot meet. Ports part
 * them only when they share no protocol without ports.
 */
function mayOverlap(a: ResolvedRule, b: ResolvedRule): boolean {
  const protocols = a.protocol === "*" || b.protocol === "*" || a.protocol === b.protocol;
  if (!protocols || !a.source.overlaps(b.source) || !a.destination.overlaps(b.destination))
    return false;
  if (matchesPortless(a) && matchesPortless(b)) return true;
  return (
    portsOverlap(a.destinationPorts, b.destinationPorts) &&
    portsOverlap(a.sourcePorts, b.sourcePorts)
  );
}

export class IncrementalDecisions {
  private readonly entries: Entry[];
  private allowedNow: PacketSet;

  /** From a rule list in evaluation order (custom rules by priority, then the defaults). */
  constructor(rules: readonly ResolvedRule[]) {
    const decided = decide(rules);
    this.entries = decided.effects.map((e) => ({
      rule: e.rule,
      matches: e.matches,
      decides: e.decides,
    }));
    this.allowedNow = decided.allowed;
  }

  get allowed(): PacketSet {
    return this.allowedNow;
  }

  /** The decisions as `decide` gives them. */
  decisions(): Decisions {
    return {
      allowed: this.allowedNow,
      effects: this.entries.map(({ rule, matches, decides }) => ({ rule, matches, decides })),
    };
  }

  get rules(): readonly ResolvedRule[] {
    return this.entries.map((e) => e.rule);
  }

  /** Adds a rule at its priority (after a default rule of the same priority never happens: those are 65000+). */
  add(rule: ResolvedRule): Delta {
    const at = this.positionOf(rule.priority);
    const matches = ruleMatchSet(rule);
    // What it decides: what it matches that no rule before it matches.
    let decides = matches;
    for (let j = 0; j < at && !decides.isEmpty(); j++) {
      const before = this.entries[j] as Entry;
      if (mayOverlap(rule, before.rule)) decides = decides.minus(before.matches);
    }
    // Taken from the rules after it, which decided those packets until now.
    let newlyAllowed = PacketSet.empty;
    let newlyDenied = PacketSet.empty;
    let rest = decides;
    for (let j = at; j < this.entries.length && !rest.isEmpty(); j++) {
      const after = this.entries[j] as Entry;
      if (!mayOverlap(rule, after.rule)) continue;
      const taken = after.decides.intersect(rest);
      if (taken.isEmpty()) continue;
      after.decides = after.decides.minus(taken);
      rest = rest.minus(taken);
      if (after.rule.access !== rule.access) {
        if (rule.access === "Allow") newlyAllowed = newlyAllowed.union(taken);
        else newlyDenied = newlyDenied.union(taken);
      }
    }
    this.entries.splice(at, 0, { rule, matches, decides });
    this.allowedNow = this.allowedNow.union(newlyAllowed).minus(newlyDenied);
    return { newlyAllowed, newlyDenied };
  }

  /** Removes the custom rule of this name; its packets fall to the rules after it. */
  remove(name: string): Delta {
    const at = this.entries.findIndex(
      (e) => !e.rule.rule.isDefault && e.rule.rule.name.toLowerCase() === name.toLowerCase(),
    );
    if (at < 0) throw new Error(`no custom rule ${name}`);
    const [gone] = this.entries.splice(at, 1) as [Entry];
    let newlyAllowed = PacketSet.empty;
    let newlyDenied = PacketSet.empty;
    let rest = gone.decides;
    for (let j = at; j < this.entries.length && !rest.isEmpty(); j++) {
      const after = this.entries[j] as Entry;
      if (!mayOverlap(gone.rule, after.rule)) continue;
      const gained = rest.intersect(after.matches);
      if (gained.isEmpty()) continue;
      after.decides = after.decides.union(gained);
      rest = rest.minus(gained);
      if (after.rule.access !== gone.rule.access) {
        if (after.rule.access === "Allow") newlyAllowed = newlyAllowed.union(gained);
        else newlyDenied = newlyDenied.union(gained);
      }
    }
    if (!rest.isEmpty()) throw new Error("packets no rule decides: the list has no default rules");
    this.allowedNow = this.allowedNow.union(newlyAllowed).minus(newlyDenied);
    return { newlyAllowed, newlyDenied };
  }

  /**
   * Replaces the custom rule of this name (a change of priority, fields or
   * access) by `rule`: the net change, packets that flip and flip back
   * counted as unchanged.
   */
  replace(name: string, rule: ResolvedRule): Delta {
    const removed = this.remove(name);
    const added = this.add(rule);
    // A packet newly allowed by one step and newly denied by the other is where it was.
    return {
      newlyAllowed: removed.newlyAllowed
        .minus(added.newlyDenied)
        .union(added.newlyAllowed.minus(removed.newlyDenied)),
      newlyDenied: removed.newlyDenied
        .minus(added.newlyAllowed)
        .union(added.newlyDenied.minus(removed.newlyAllowed)),
    };
  }

  /** Where a rule of this priority goes: before the first rule of a larger one. */
  private positionOf(priority: number): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.entries[mid] as Entry).rule.priority < priority) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
