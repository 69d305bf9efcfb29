/**
 * Exhaustive analysis of a 1,000-rule NSG: the allowed space, a full lint, and
 * a diff against a one-rule change, by tierwall and by Z3 on the same
 * questions in the same run. The answers must agree; the times are reported.
 */
import { semanticDiff } from "../src/analysis/diff.js";
import { lint } from "../src/analysis/lint.js";
import { decide } from "../src/analysis/policy.js";
import { ReachAnalyzer } from "../src/analysis/reach.js";
import { NsgResolver } from "../src/engine/resolve.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork, type Network } from "../src/model/network.js";
import { ServiceTagCatalog } from "../src/model/service-tags.js";
import type { SecurityRule } from "../src/model/types.js";
import { startZ3, Z3Packets } from "../test/oracle/z3-packets.js";
import { ruleSet, topologyWith } from "./generate.js";
import { type Measurement, measure, measureAsync } from "./measure.js";

export interface AnalysisRow {
  readonly question: string;
  readonly tierwall: Measurement;
  readonly z3: Measurement;
  /** How the Z3 time was obtained, when it is not one full run. */
  readonly z3Note?: string;
  readonly agree: boolean;
}

function network(rules: SecurityRule[]): Network {
  const built = buildNetwork(topologyWith(rules), ServiceTagCatalog.empty);
  if (!built.network || hasErrors(built.diagnostics))
    throw new Error("the generated NSG is invalid");
  return built.network;
}

export async function analysisBenchmarks(size = 1000, seed = 42): Promise<AnalysisRow[]> {
  const rules = ruleSet(size, seed);
  // The change: one rule in the middle admits one more port.
  const changed = rules.map((r, i) =>
    i === Math.floor(size / 2)
      ? { ...r, destinationPortRange: "1-1024", destinationPortRanges: undefined }
      : r,
  );
  const before = network(rules);
  const after = network(changed);
  const resolved = (n: Network) => new NsgResolver(n).resolve("nsg", "vnet").inbound;
  const rulesBefore = resolved(before);
  const rulesAfter = resolved(after);

  const runtime = await startZ3();
  try {
    const z3 = new Z3Packets(runtime.z3);
    const rows: AnalysisRow[] = [];

    // The allowed space: built as a set; for Z3, the first-match formula and one satisfiability check.
    let allowedEmpty = false;
    const allowedT = measure("allowed space", () => {
      allowedEmpty = decide(rulesBefore).allowed.isEmpty();
    });
    let z3AllowedSat = false;
    const allowedZ = await measureAsync(
      "allowed space",
      async () => {
        const fm = z3.firstMatch(rulesBefore);
        z3AllowedSat = await z3.satisfiable(z3.z3.And(z3.universe(), fm.allowed));
      },
      { runs: 3 },
    );
    rows.push({
      question: `allowed space of a ${size}-rule NSG (is anything allowed?)`,
      tierwall: allowedT,
      z3: allowedZ,
      agree: allowedEmpty !== z3AllowedSat,
    });

    // A diff against a one-rule change: both directions, with a witness.
    let diffT = { added: false, removed: false };
    const diffMeasure = measure("diff", () => {
      const d = semanticDiff(before, after);
      const c = d.nsgs.find((x) => x.direction === "Inbound");
      diffT = {
        added: (c?.newlyAllowed.lines.length ?? 0) > 0,
        removed: (c?.newlyDenied.lines.length ?? 0) > 0,
      };
    });
    let diffZ = { added: false, removed: false };
    const diffZMeasure = await measureAsync(
      "diff",
      async () => {
        const a = z3.firstMatch(rulesBefore).allowed;
        const b = z3.firstMatch(rulesAfter).allowed;
        const u = z3.universe();
        diffZ = {
          added: (await z3.solve(z3.z3.And(u, b, z3.z3.Not(a)))) !== undefined,
          removed: (await z3.solve(z3.z3.And(u, a, z3.z3.Not(b)))) !== undefined,
        };
      },
      { runs: 3 },
    );
    rows.push({
      question: `diff against a one-rule change (newly allowed and denied, with witnesses)`,
      tierwall: diffMeasure,
      z3: diffZMeasure,
      agree: diffT.added === diffZ.added && diffT.removed === diffZ.removed,
    });

    // Lint: tierwall's whole lint; Z3 answers the core of it, which rules never decide,
    // one query per rule, timed on a sample and scaled to all rules.
    let shadowedT = new Set<string>();
    const lintT = measure(
      "lint",
      () => {
        const findings = lint(new ReachAnalyzer(before));
        shadowedT = new Set(
          findings
            .filter(
              (f) =>
                f.code === "ShadowedRule" ||
                f.code === "EmptyRule" ||
                (f.code === "RedundantRule" && f.message.includes("never decides")),
            )
            .map((f) => String(f.path[3])),
        );
      },
      { runs: 3 },
    );
    const sample = Math.min(size, 100);
    const shadowedZ = new Set<string>();
    const lintZ = await measureAsync(
      "lint",
      async () => {
        const fm = z3.firstMatch(rulesBefore);
        for (let i = 0; i < sample; i++) {
          const decides = fm.decides[i];
          if (decides && !(await z3.satisfiable(z3.z3.And(z3.universe(), decides))))
            shadowedZ.add(String(i));
        }
      },
      { runs: 1, warmup: 0 },
    );
    const scaled: Measurement = {
      ...lintZ,
      medianMs: (lintZ.medianMs * size) / sample,
      minMs: (lintZ.minMs * size) / sample,
      maxMs: (lintZ.maxMs * size) / sample,
    };
    const inSample = (s: Set<string>) =>
      [...s]
        .filter((i) => Number(i) < sample)
        .sort()
        .join();
    if (inSample(shadowedT) !== inSample(shadowedZ))
      console.error(
        `never-deciding rules among the first ${sample}: tierwall ${inSample(shadowedT)}; Z3 ${inSample(shadowedZ)}`,
      );
    rows.push({
      question: `lint of a ${size}-rule NSG`,
      tierwall: lintT,
      z3: scaled,
      z3Note: `Z3 answers only which rules never decide (one query per rule), timed on the first ${sample} rules and scaled to ${size}`,
      agree: inSample(shadowedT) === inSample(shadowedZ),
    });
    return rows;
  } finally {
    await runtime.close();
  }
}
