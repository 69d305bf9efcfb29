/**
 * A spec's network and assertions, judged as NSG rules change one at a time:
 * each change's semantic diff (IncrementalNsg: from the changed rule, not the
 * whole network) and every assertion's outcome after it, those that held and
 * no longer do named, with one analysis carried from change to change so that
 * no unchanged NSG is resolved or decided again. What a policy service or an
 * editor needs to judge a change as it is made.
 */
import { retraced } from "../analysis/assertions.js";
import type { SemanticDiff } from "../analysis/diff.js";
import { IncrementalNsg, type RuleChange } from "../analysis/incremental-nsg.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import { FlowEvaluator } from "../engine/flow.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Network } from "../model/network.js";
import { missingNsg } from "../model/rule-change.js";
import type { SpecAssertion } from "./assertions.js";
import { checkSpecAssertions, type SpecOutcome } from "./check.js";

export interface JudgedChange {
  /** Absent when the change is refused (diagnostics say why); nothing changed then. */
  readonly diff?: SemanticDiff;
  /** Every assertion's outcome after the change, in the spec's order. */
  readonly outcomes: readonly SpecOutcome[];
  /** The assertions that held before the change and do not after it. */
  readonly broken: readonly SpecOutcome[];
  readonly diagnostics: readonly Diagnostic[];
}

export class SpecUnderChange {
  private network: Network;
  private analyzer: ReachAnalyzer;
  /** The NSG changed last, kept for the next change to it. */
  private kept?: IncrementalNsg;
  private outcomesNow?: SpecOutcome[];

  constructor(
    network: Network,
    readonly assertions: readonly SpecAssertion[],
  ) {
    this.network = network;
    this.analyzer = new ReachAnalyzer(network);
  }

  /** The assertions' outcomes on the network as it stands. */
  outcomes(): readonly SpecOutcome[] {
    this.outcomesNow ??= checkSpecAssertions(this.network, this.assertions, this.analyzer);
    return this.outcomesNow;
  }

  get current(): Network {
    return this.network;
  }

  /**
   * Makes what judging changes to an NSG needs (every rule's decisions, in
   * each virtual network it is bound in) ahead of its first change, as an
   * editor may when the NSG is opened; the first change does it otherwise.
   * False when the network has no such NSG.
   */
  prepare(nsg: string): boolean {
    if (this.kept?.nsg === nsg) return true;
    if (!this.network.nsgs.has(nsg)) return false;
    this.kept = new IncrementalNsg(this.network, nsg, this.analyzer);
    return true;
  }

  /** Judges a change to one rule of an NSG, and keeps it when it is valid. */
  change(nsg: string, change: RuleChange): JudgedChange {
    const before = this.outcomes();
    if (!this.prepare(nsg) || !this.kept)
      return { outcomes: before, broken: [], diagnostics: [missingNsg(nsg)] };
    const applied = this.kept.apply(change);
    if (!applied.diff) return { outcomes: before, broken: [], diagnostics: applied.diagnostics };
    this.network = applied.network;
    this.analyzer = applied.analyzer;
    const after = applied.diff.equivalent
      ? this.recheckRuleNames(before)
      : checkSpecAssertions(this.network, this.assertions, this.analyzer);
    this.outcomesNow = after;
    const broken = after.filter(
      (o, i) => o.outcome.status !== "held" && before[i]?.outcome.status === "held",
    );
    return { diff: applied.diff, outcomes: after, broken, diagnostics: [] };
  }

  /**
   * After a change that allows exactly the packets allowed before (a rule
   * shadowed, moved or deleted without effect), a set claim that held still
   * holds, and one that failed fails on the same packets; only what names
   * rules may differ: a flow's trace (checked again), a failed claim's
   * counterexample (traced again).
   */
  private recheckRuleNames(before: readonly SpecOutcome[]): SpecOutcome[] {
    const evaluator = new FlowEvaluator(this.network, { resolver: this.analyzer.resolver });
    const kept = before.map((o): SpecOutcome | undefined => {
      if (o.kind !== "set") return undefined;
      if (o.outcome.status === "held") return o;
      const again = retraced(o.outcome, evaluator);
      return again && { kind: "set", outcome: again };
    });
    // The rest (flows, and claims not traced here) checked again in one pass.
    const checked = checkSpecAssertions(
      this.network,
      this.assertions.filter((_, i) => !kept[i]),
      this.analyzer,
    );
    let next = 0;
    return kept.map((o) => o ?? (checked[next++] as SpecOutcome));
  }
}
