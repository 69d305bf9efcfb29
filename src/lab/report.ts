/** What the network did beside what the engine predicted, probe by probe and assertion by assertion. */
import type { Access } from "../model/rule.js";
import type { SpecAssertion } from "../specfile/assertions.js";
import { describeSpecAssertion } from "../specfile/check.js";
import type { AgentResult, ProbeOutcome } from "./agent.js";
import type { LabPlan, LabProbe, LabSkip } from "./plan.js";

export interface ProbeVerdict {
  readonly probe: LabProbe;
  readonly engine: Access;
  readonly network: ProbeOutcome;
  readonly detail?: string;
  /** Both allowed, or both denied; a probe that failed for another reason never agrees. */
  readonly agrees: boolean;
}

export interface AssertionReport {
  readonly index?: number;
  readonly name: string;
  readonly probes: readonly ProbeVerdict[];
  readonly skipped: readonly LabSkip[];
}

export interface LabReport {
  readonly assertions: readonly AssertionReport[];
  readonly probes: number;
  readonly agreed: number;
  readonly disagreed: number;
  readonly skipped: number;
}

export function verdictOf(probe: LabProbe, result: AgentResult | undefined): ProbeVerdict {
  const network: ProbeOutcome = result?.outcome ?? "error";
  const allowed = network === "answered";
  const denied = network === "refused" || network === "timeout" || network === "unreachable";
  const engine = probe.engine.access;
  return {
    probe,
    engine,
    network,
    ...(result?.detail ? { detail: result.detail } : {}),
    agrees: engine === "Allow" ? allowed : denied,
  };
}

export function labReport(
  plan: LabPlan,
  assertions: readonly SpecAssertion[],
  results: ReadonlyMap<number, AgentResult>,
): LabReport {
  const verdicts = plan.probes.map((p) => verdictOf(p, results.get(p.id)));
  const groups: AssertionReport[] = assertions.map((a, index) => ({
    index,
    name: describeSpecAssertion(a),
    probes: verdicts.filter((v) => v.probe.assertion === index),
    skipped: plan.skipped.filter((s) => s.assertion === index),
  }));
  const extra = verdicts.filter((v) => v.probe.assertion === undefined);
  if (extra.length > 0)
    groups.push({
      name: "other flows",
      probes: extra,
      skipped: plan.skipped.filter((s) => s.assertion === undefined),
    });
  const agreed = verdicts.filter((v) => v.agrees).length;
  return {
    assertions: groups,
    probes: verdicts.length,
    agreed,
    disagreed: verdicts.length - agreed,
    skipped: plan.skipped.length,
  };
}
