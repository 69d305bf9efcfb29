import type { SourceLocation, ValuePath } from "../model/diagnostic.js";
import type { Access } from "../model/rule.js";
import type { FlowProtocol } from "../net/protocol.js";
import type { FlowEvaluator, FlowResult } from "./flow.js";

/** A concrete flow and the outcome the user expects of it. */
export interface FlowAssertion {
  readonly name?: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: FlowProtocol;
  readonly destinationPort?: number;
  readonly sourcePort?: number;
  readonly expect: Access;
  /** The rule expected to decide, in Network Watcher form. */
  readonly rule?: string;
  /** Where the assertion sits in the user's document. */
  readonly path: ValuePath;
  readonly location?: SourceLocation;
}

export type AssertionOutcome =
  | { readonly status: "held"; readonly assertion: FlowAssertion; readonly result: FlowResult }
  | {
      readonly status: "failed";
      readonly assertion: FlowAssertion;
      readonly result: FlowResult;
      readonly why: string;
    }
  | {
      readonly status: "invalid";
      readonly assertion: FlowAssertion;
      readonly why: string;
      readonly hint?: string;
    };

export function checkAssertion(
  evaluator: FlowEvaluator,
  assertion: FlowAssertion,
): AssertionOutcome {
  const evaluated = evaluator.evaluate(assertion);
  if (!evaluated.ok)
    return {
      status: "invalid",
      assertion,
      why: evaluated.message,
      ...(evaluated.hint === undefined ? {} : { hint: evaluated.hint }),
    };
  const result = evaluated.result;
  if (result.access !== assertion.expect)
    return {
      status: "failed",
      assertion,
      result,
      why: `expected ${assertion.expect}, got ${result.access}`,
    };
  if (assertion.rule !== undefined && !sameRuleName(assertion.rule, result.rule))
    return {
      status: "failed",
      assertion,
      result,
      why: `expected rule ${assertion.rule} to decide, but ${result.rule ?? "no rule"} did`,
    };
  return { status: "held", assertion, result };
}

/** Rule names compare case-insensitively; `NAME` alone matches `securityRules/NAME`. */
function sameRuleName(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const e = expected.toLowerCase();
  const a = actual.toLowerCase();
  return e === a || (!e.includes("/") && a === `securityrules/${e}`);
}

export function describeAssertion(assertion: FlowAssertion): string {
  const port = assertion.destinationPort === undefined ? "" : ` port ${assertion.destinationPort}`;
  return (
    assertion.name ??
    `${assertion.from} -> ${assertion.to} ${assertion.protocol}${port}: ${assertion.expect}`
  );
}
