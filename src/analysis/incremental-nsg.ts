/**
 * One NSG of a network, judged as its rules change: its decisions in every
 * virtual network it is bound in, both directions (IncrementalDecisions),
 * and for each single-rule change the NSG entries of the semantic diff
 * (`semanticDiff`'s `nsgs`), computed from the rules the change overlaps
 * instead of deciding the whole list twice. Only the changed rule is parsed
 * and resolved. The flows between hosts and the assertions are not judged
 * here (yet): `semanticDiff` and the assertion checker still do that.
 */
import { NsgResolver, resolveRule, type TagContext } from "../engine/resolve.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { error } from "../model/diagnostic.js";
import { LIMITS } from "../model/limits.js";
import { NameIndex } from "../model/names.js";
import type { Network } from "../model/network.js";
import { type Direction, type ParsedRule, parseSecurityRule } from "../model/rule.js";
import type { SecurityRule } from "../model/types.js";
import { AddressSet } from "../net/address-set.js";
import { bindings, changeOf, diffTagNames, type NsgChange } from "./diff.js";
import { type Delta, IncrementalDecisions } from "./incremental.js";

/** A change of one custom rule: added, removed (by name), or replaced (by name) with another. */
export type RuleChange =
  | { readonly kind: "add"; readonly rule: SecurityRule }
  | { readonly kind: "remove"; readonly name: string }
  | { readonly kind: "replace"; readonly name: string; readonly rule: SecurityRule };

const DIRECTIONS = ["Inbound", "Outbound"] as const;

export class IncrementalNsg {
  /** Decisions per virtual network the NSG is bound in ("" when it is bound in none), per direction. */
  private readonly kept = new Map<string, IncrementalDecisions>();
  private readonly vnets: readonly string[];
  /** The custom rules as they stand: name (lower-case) to direction and priority. */
  private readonly custom = new Map<string, { direction: Direction; priority: number }>();

  constructor(
    private readonly network: Network,
    readonly nsg: string,
  ) {
    const info = network.nsgs.get(nsg);
    if (!info) throw new Error(`no network security group ${nsg}`);
    const bound = bindings(network, nsg);
    this.vnets = bound.length > 0 ? bound : [""];
    const resolver = new NsgResolver(network);
    for (const vnet of this.vnets) {
      const resolved = resolver.resolve(nsg, vnet);
      this.kept.set(`${vnet}\u0000Inbound`, new IncrementalDecisions(resolved.inbound));
      this.kept.set(`${vnet}\u0000Outbound`, new IncrementalDecisions(resolved.outbound));
    }
    for (const r of [...info.inbound, ...info.outbound])
      if (!r.isDefault)
        this.custom.set(r.name.toLowerCase(), { direction: r.direction, priority: r.priority });
  }

  /** What the NSG allows in a direction, in a virtual network it is bound in. */
  allowed(vnet: string, direction: Direction) {
    return this.decisionsOf(vnet, direction).allowed;
  }

  /**
   * Applies a change, if it is valid: the semantic diff's entries for this
   * NSG (one per virtual network and direction whose allowed packets
   * changed), or the problems that keep it from being applied.
   */
  apply(change: RuleChange): { changes: NsgChange[]; diagnostics: Diagnostic[] } {
    const removed = change.kind === "add" ? undefined : this.custom.get(change.name.toLowerCase());
    if (change.kind !== "add" && !removed)
      return {
        changes: [],
        diagnostics: [error("NotFound", `${this.nsg} has no rule ${change.name}`, [])],
      };
    const parsed =
      change.kind === "remove"
        ? undefined
        : this.parse(change.rule, change.kind === "replace" ? change.name : undefined);
    if (parsed && "diagnostics" in parsed) return { changes: [], diagnostics: parsed.diagnostics };
    const added = parsed?.rule;
    // Each virtual network and direction changes once: a rule moved between directions changes both.
    const deltas = new Map<string, Delta>();
    const note = (vnet: string, direction: Direction, delta: Delta) =>
      deltas.set(`${vnet}\u0000${direction}`, delta);
    for (const vnet of this.vnets) {
      const context = this.context(vnet);
      if (change.kind === "replace" && added && removed?.direction === added.direction)
        note(
          vnet,
          added.direction,
          this.decisionsOf(vnet, added.direction).replace(change.name, resolveRule(added, context)),
        );
      else {
        if (change.kind !== "add" && removed)
          note(
            vnet,
            removed.direction,
            this.decisionsOf(vnet, removed.direction).remove(change.name),
          );
        if (added)
          note(
            vnet,
            added.direction,
            this.decisionsOf(vnet, added.direction).add(resolveRule(added, context)),
          );
      }
    }
    if (change.kind !== "add") this.custom.delete(change.name.toLowerCase());
    if (added)
      this.custom.set(added.name.toLowerCase(), {
        direction: added.direction,
        priority: added.priority,
      });
    const names = diffTagNames(this.network, this.network);
    const changes: NsgChange[] = [];
    for (const vnet of this.vnets)
      for (const direction of DIRECTIONS) {
        const delta = deltas.get(`${vnet}\u0000${direction}`);
        if (!delta || (delta.newlyAllowed.isEmpty() && delta.newlyDenied.isEmpty())) continue;
        changes.push({
          nsg: this.nsg,
          direction,
          vnet,
          presence: "both",
          ...changeOf(delta.newlyAllowed, delta.newlyDenied, { before: names, after: names }),
        });
      }
    return { changes, diagnostics: [] };
  }

  private decisionsOf(vnet: string, direction: Direction): IncrementalDecisions {
    return this.kept.get(`${vnet}\u0000${direction}`) as IncrementalDecisions;
  }

  private context(vnet: string): TagContext {
    return {
      network: this.network,
      virtualNetworkTag: this.network.vnets.get(vnet)?.virtualNetworkTag ?? AddressSet.empty,
    };
  }

  /**
   * The rule parsed as the model parses one, and checked against the others
   * of its NSG: names and priorities unique, no more rules than Azure allows.
   */
  private parse(
    rule: SecurityRule,
    replacing: string | undefined,
  ): { rule: ParsedRule } | { diagnostics: Diagnostic[] } {
    const result = parseSecurityRule(rule, [], {
      serviceTags: this.network.serviceTags,
      applicationSecurityGroups: new NameIndex(this.network.asgMembers.keys()),
    });
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (!result.rule || errors.length > 0) return { diagnostics: errors };
    const parsed = result.rule;
    const others = [...this.custom].filter(([name]) => name !== replacing?.toLowerCase());
    if (others.length + 1 > LIMITS.rulesPerNsg)
      return {
        diagnostics: [
          error(
            "SecurityRuleLimitExceeded",
            `network security group ${this.nsg} would have ${others.length + 1} security rules; at most ${LIMITS.rulesPerNsg} are allowed`,
            [],
          ),
        ],
      };
    if (others.some(([name]) => name === parsed.name.toLowerCase()))
      return {
        diagnostics: [
          error("DuplicateResourceName", `${this.nsg} already has a rule ${parsed.name}`, []),
        ],
      };
    const clash = others.find(
      ([, r]) => r.direction === parsed.direction && r.priority === parsed.priority,
    );
    if (clash)
      return {
        diagnostics: [
          error(
            "SecurityRuleConflict",
            `${this.nsg}: rules ${clash[0]} and ${parsed.name} have the same priority (${parsed.priority}) and direction (${parsed.direction})`,
            [],
          ),
        ],
      };
    return { rule: parsed };
  }
}
