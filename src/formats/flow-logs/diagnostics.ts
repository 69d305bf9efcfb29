/**
 * The problems found while reading flow logs, gathered across every file of
 * a reading. Bad tuples can number millions in a damaged log: the first ones
 * are listed one by one, the rest counted in one diagnostic, so that memory
 * does not grow with them. Records of categories that are not flow logs are
 * named once per category, with their count and where the first one was.
 */
import { type Diagnostic, error, type SourceLocation, warning } from "../../model/diagnostic.js";

/** Bad tuples (and, apart, values of the wrong type) listed one by one before the rest are only counted. */
export const LISTED_TUPLES = 1000;

/** What a reading found before it was finished: to carry a share of the files' problems to another thread. */
export interface UnfinishedDiagnostics {
  /** Each diagnostic listed, with how it was given. */
  readonly entries: readonly (readonly ["add" | "tuple" | "value", Diagnostic])[];
  /** Bad tuples and values counted beyond those listed. */
  readonly unlistedTuples: number;
  readonly unlistedValues: number;
  readonly skipped: readonly (readonly [string, number, SourceLocation])[];
}

export class FlowLogDiagnostics {
  readonly list: Diagnostic[] = [];
  private readonly kinds: ("add" | "tuple" | "value")[] = [];
  private badTuples = 0;
  private badValues = 0;
  private readonly skipped = new Map<string, { count: number; first: SourceLocation }>();

  constructor(private readonly listed = LISTED_TUPLES) {}

  add(diagnostic: Diagnostic): void {
    this.list.push(diagnostic);
    this.kinds.push("add");
  }

  /** A bad tuple: listed while few, counted after. */
  tuple(diagnostic: Diagnostic): void {
    if (this.badTuples++ < this.listed) {
      this.list.push(diagnostic);
      this.kinds.push("tuple");
    }
  }

  /** A value of the wrong type where flow logs keep something: listed while few, counted after. */
  value(diagnostic: Diagnostic): void {
    if (this.badValues++ < this.listed) {
      this.list.push(diagnostic);
      this.kinds.push("value");
    }
  }

  /** What was found so far, unfinished, to be absorbed by another reading's diagnostics. */
  unfinished(): UnfinishedDiagnostics {
    return {
      entries: this.list.map((d, i) => [this.kinds[i] ?? "add", d] as const),
      unlistedTuples: Math.max(0, this.badTuples - this.listed),
      unlistedValues: Math.max(0, this.badValues - this.listed),
      skipped: [...this.skipped].map(([category, { count, first }]) => [category, count, first]),
    };
  }

  /** Takes in another reading's findings, as if they had been found here, in order, after this one's. */
  absorb(other: UnfinishedDiagnostics): void {
    for (const [kind, diagnostic] of other.entries)
      if (kind === "tuple") this.tuple(diagnostic);
      else if (kind === "value") this.value(diagnostic);
      else this.add(diagnostic);
    this.badTuples += other.unlistedTuples;
    this.badValues += other.unlistedValues;
    for (const [category, count, first] of other.skipped) {
      const seen = this.skipped.get(category);
      if (seen === undefined) this.skipped.set(category, { count, first });
      else seen.count += count;
    }
  }

  /** A record of another category than the two flow-log ones. */
  skippedRecord(category: string, where: SourceLocation): void {
    const seen = this.skipped.get(category);
    if (seen === undefined) this.skipped.set(category, { count: 1, first: where });
    else seen.count++;
  }

  /** Adds what was only counted; called once, when the reading ends. */
  finish(): void {
    for (const [category, { count, first }] of this.skipped)
      this.list.push({
        ...warning(
          "FlowLogRecordSkipped",
          `${count} record${count === 1 ? "" : "s"} of category "${category}" ${count === 1 ? "is" : "are"} not flow logs and ${count === 1 ? "was" : "were"} not read (the first here)`,
          ["records"],
          "flow logs are records of category NetworkSecurityGroupFlowEvent (NSG flow logs) or FlowLogFlowEvent (virtual network flow logs)",
        ),
        location: first,
      });
    this.skipped.clear();
    const unlisted = this.badTuples - this.listed;
    if (unlisted > 0)
      this.list.push(
        error(
          "FlowTuplesNotListed",
          `${unlisted} more bad tuple${unlisted === 1 ? " was" : "s were"} left out of the reading and not listed one by one`,
          [],
        ),
      );
    this.badTuples = Math.min(this.badTuples, this.listed);
    const values = this.badValues - this.listed;
    if (values > 0)
      this.list.push(
        error(
          "FlowLogValuesNotListed",
          `${values} more value${values === 1 ? "" : "s"} of the wrong type ${values === 1 ? "was" : "were"} not read and not listed one by one`,
          [],
        ),
      );
    this.badValues = Math.min(this.badValues, this.listed);
  }
}
