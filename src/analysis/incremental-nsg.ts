/**
 * One NSG of a network, judged as its rules change: its decisions in every
 * virtual network it is bound in, both directions (IncrementalDecisions),
 * and for each single-rule change the semantic diff of the network: the
 * NSG's entries from the rules the change overlaps instead of deciding the
 * whole list twice, and the flows between hosts recomputed only where the
 * NSG stands at either end, with every other NSG's packets as the analysis
 * before the change worked them out. Only the changed rule is parsed and
 * resolved; the network after the change is the one before with this NSG's
 * rules replaced, not built again. A spec's assertions are judged with the
 * analysis kept here by specfile/spec-under-change.ts.
 */
import { resolveRule, rulesFor, type TagContext } from "../engine/resolve.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { NameIndex } from "../model/names.js";
import type { Network, NsgInfo } from "../model/network.js";
import type { Direction, ParsedRule } from "../model/rule.js";
import { checkRuleChange, missingRule } from "../model/rule-change.js";
import type { SecurityRule } from "../model/types.js";
import { AddressSet } from "../net/address-set.js";
import {
  bindings,
  changeOf,
  diffTagNames,
  type NsgChange,
  type SemanticDiff,
  semanticDiff,
} from "./diff.js";
import { type Delta, IncrementalDecisions } from "./incremental.js";
import { ReachAnalyzer } from "./reach.js";

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
  /** The network as the changes so far left it, and its analysis. */
  private current: Network;
  private analyzer: ReachAnalyzer;

  /** `analyzer`: the analysis of `network` done so far, to build on. */
  constructor(
    network: Network,
    readonly nsg: string,
    analyzer: ReachAnalyzer = new ReachAnalyzer(network),
  ) {
    this.current = network;
    this.analyzer = analyzer;
    const info = network.nsgs.get(nsg);
    if (!info) throw new Error(`no network security group ${nsg}`);
    const bound = bindings(network, nsg);
    this.vnets = bound.length > 0 ? bound : [""];
    // Resolved and decided once, here, and lent to the analysis of the network as it stands.
    for (const vnet of this.vnets) {
      const resolved = this.analyzer.resolver.resolve(nsg, vnet);
      for (const direction of DIRECTIONS) {
        const kept = new IncrementalDecisions(rulesFor(resolved, direction));
        this.kept.set(`${vnet}\u0000${direction}`, kept);
        this.analyzer.adoptDecisions(nsg, vnet, direction, kept.decisions());
      }
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
  apply(change: RuleChange): {
    changes: NsgChange[];
    /** The semantic diff of the network, as `semanticDiff` gives it; absent when the change is refused. */
    diff?: SemanticDiff;
    /** The network after the change, and its analysis (which shares every unchanged NSG's work). */
    network: Network;
    analyzer: ReachAnalyzer;
    diagnostics: Diagnostic[];
  } {
    const refused = (diagnostics: Diagnostic[]) => ({
      changes: [],
      network: this.current,
      analyzer: this.analyzer,
      diagnostics,
    });
    const removed = change.kind === "add" ? undefined : this.custom.get(change.name.toLowerCase());
    if (change.kind !== "add" && !removed) return refused([missingRule(this.nsg, change.name)]);
    const parsed =
      change.kind === "remove"
        ? undefined
        : this.parse(change.rule, change.kind === "replace" ? change.name : undefined);
    if (parsed && "diagnostics" in parsed) return refused(parsed.diagnostics);
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
    const names = diffTagNames(this.current, this.current);
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
    const before = this.analyzer;
    const after = this.withRules(change, added);
    const analyzer = new ReachAnalyzer(after);
    analyzer.inherit(
      before,
      this.nsg,
      this.vnets.map((vnet) => {
        const inbound = this.decisionsOf(vnet, "Inbound");
        const outbound = this.decisionsOf(vnet, "Outbound");
        return {
          resolved: { name: this.nsg, vnet, inbound: inbound.rules, outbound: outbound.rules },
          inbound: inbound.decisions(),
          outbound: outbound.decisions(),
        };
      }),
    );
    const diff = semanticDiff(this.current, after, {
      nsg: this.nsg,
      nsgChanges: changes,
      analyzers: { before, after: analyzer },
    });
    this.current = after;
    this.analyzer = analyzer;
    return { changes, diff, network: after, analyzer, diagnostics: [] };
  }

  /** The network as the changes so far left it, and its analysis (every NSG resolved and decided once). */
  get network(): Network {
    return this.current;
  }

  get analysis(): ReachAnalyzer {
    return this.analyzer;
  }

  /** The network with the change made to this NSG's rules: the rest as it was. */
  private withRules(change: RuleChange, added: ParsedRule | undefined): Network {
    const info = this.current.nsgs.get(this.nsg) as NsgInfo;
    const gone = change.kind === "add" ? undefined : change.name.toLowerCase();
    const rulePaths = new Map(info.rulePaths);
    const list = (rules: readonly ParsedRule[], direction: Direction) => {
      const kept = rules.filter((r) => r.isDefault || r.name.toLowerCase() !== gone);
      if (added?.direction !== direction) return kept;
      const at = kept.findIndex((r) => r.priority > added.priority);
      return at < 0 ? [...kept, added] : [...kept.slice(0, at), added, ...kept.slice(at)];
    };
    if (gone !== undefined)
      for (const name of rulePaths.keys()) if (name.toLowerCase() === gone) rulePaths.delete(name);
    // A rule added here has no place in a document: it is placed at its NSG.
    if (added) rulePaths.set(added.name, info.path);
    const next: NsgInfo = {
      ...info,
      rulePaths,
      inbound: list(info.inbound, "Inbound"),
      outbound: list(info.outbound, "Outbound"),
    };
    return { ...this.current, nsgs: new Map(this.current.nsgs).set(this.nsg, next) };
  }

  private decisionsOf(vnet: string, direction: Direction): IncrementalDecisions {
    return this.kept.get(`${vnet}\u0000${direction}`) as IncrementalDecisions;
  }

  private context(vnet: string): TagContext {
    return {
      network: this.current,
      virtualNetworkTag: this.current.vnets.get(vnet)?.virtualNetworkTag ?? AddressSet.empty,
    };
  }

  /** The rule, if this NSG may hold it (replacing the rule named `replacing`); else why not. */
  private parse(
    rule: SecurityRule,
    replacing: string | undefined,
  ): { rule: ParsedRule } | { diagnostics: Diagnostic[] } {
    const others = new Map(this.custom);
    if (replacing !== undefined) others.delete(replacing.toLowerCase());
    return checkRuleChange(this.nsg, rule, others, {
      serviceTags: this.current.serviceTags,
      applicationSecurityGroups: new NameIndex(this.current.asgMembers.keys()),
    });
  }
}
