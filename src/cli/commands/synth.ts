import { stringify } from "yaml";
import { semanticDiff } from "../../analysis/diff.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { orderedRule, writeSynthesis } from "../../specfile/edit.js";
import { resolveTiers } from "../../synth/intent.js";
import { proveSynthesis } from "../../synth/prove.js";
import { applySynthesis, DEFAULT_OPTIONS, type Style, synthesize } from "../../synth/synthesize.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { wholeNumber } from "../numbers.js";
import { writeAtomically } from "../output.js";
import { partialJson } from "../partial.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { renderChange } from "./diff.js";

export interface SynthCommandOptions {
  output?: string;
  style?: string;
  start?: string;
  step?: string;
  denyAll?: boolean;
  json?: boolean;
}

/**
 * From the spec's tiers to NSG rules, proven before they are shown: exit 0 with
 * the rules, 1 when the intent cannot be met (with the reason), 2 for invalid input.
 */
export function runSynth(target: string, options: SynthCommandOptions, io: Io): number {
  const problems: string[] = [];
  const style = (options.style ?? DEFAULT_OPTIONS.style) as Style;
  if (style !== "seed" && style !== "compact")
    problems.push(`--style ${options.style}: expected seed or compact`);
  const number = (
    flag: string,
    text: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ) => {
    if (text === undefined) return fallback;
    const n = wholeNumber(text);
    if (n === undefined || n < min || n > max) {
      problems.push(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const start = number("--start", options.start, DEFAULT_OPTIONS.start, 100, 4096);
  const step = number("--step", options.step, DEFAULT_OPTIONS.step, 1, 1000);
  if (problems.length > 0) {
    io.err(`${problems.map((p) => `${io.style.red("error")}: ${p}`).join("\n")}\n`);
    return EXIT.invalid;
  }
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const { spec, sources } = loaded;
  const report = (diagnostics: readonly Diagnostic[], code: number) => {
    const placed = diagnostics.map((d) => ({ ...d, location: spec.locate(d.path) }));
    if (options.json) printJson(io, { diagnostics: diagnosticsJson(placed), ...partialJson(spec) });
    else io.err(`${renderDiagnostics(placed, sources, io.style)}\n`);
    return code;
  };
  if (spec.tiers.length === 0)
    return report(
      [
        {
          severity: "error",
          code: "NoTiers",
          message: "the spec has no tiers section to synthesize from",
          path: [],
          hint: "add tiers: [{ name, environments, callers, ports }]",
        },
      ],
      EXIT.invalid,
    );
  const resolved = resolveTiers(spec.network, spec.tiers);
  if (resolved.diagnostics.length > 0) return report(resolved.diagnostics, EXIT.invalid);
  const synthesized = synthesize(spec.network, spec.topology, resolved.tiers, {
    style,
    start,
    step,
    denyAll: options.denyAll === true,
  });
  if (synthesized.diagnostics.length > 0) return report(synthesized.diagnostics, EXIT.failed);
  const proven = proveSynthesis(
    spec.network,
    applySynthesis(spec.topology, synthesized.nsgs),
    resolved.tiers,
  );
  if (!proven.network) return report(proven.diagnostics, EXIT.failed);
  const diff = semanticDiff(spec.network, proven.network);

  if (options.output) {
    try {
      writeAtomically(
        options.output,
        // The text that was checked, not the file again: it may have changed, or been swapped.
        writeSynthesis(sources.get(spec.file) as string, synthesized.nsgs),
      );
    } catch (e) {
      io.err(`${io.style.red("error")}: cannot write ${options.output}: ${(e as Error).message}\n`);
      return EXIT.invalid;
    }
  }
  if (options.json) {
    printJson(io, {
      nsgs: synthesized.nsgs.map((n) => ({
        ...n,
        subnets: n.subnets.map((s) => s.id),
        rules: n.rules.map(orderedRule),
      })),
      proven: true,
      equivalent: diff.equivalent,
      diff: { nsgs: diff.nsgs, flows: diff.flows },
      ...partialJson(spec),
    });
    return EXIT.ok;
  }
  const { style: paint } = io;
  const blocks: string[] = [];
  for (const nsg of synthesized.nsgs) {
    const state = nsg.existed ? (nsg.renumbered ? "updated, renumbered" : "updated") : "new";
    blocks.push(
      `# ${nsg.name} (${state}) on ${nsg.subnets.map((s) => `subnet ${s.id}`).join(", ")}, for tier ${nsg.tiers.join(", ")}: proven over every packet`,
      stringify(
        { networkSecurityGroups: [{ name: nsg.name, securityRules: nsg.rules.map(orderedRule) }] },
        { lineWidth: 0 },
      ).trimEnd(),
      "",
    );
  }
  if (diff.equivalent)
    blocks.push(paint.green("no change in allowed traffic: the spec already meets its tiers"));
  else {
    blocks.push(paint.bold("what changes against the spec as it is:"));
    for (const c of diff.nsgs) blocks.push(renderChange(`NSG ${c.nsg}, ${c.direction}`, c, io));
    for (const c of diff.flows) blocks.push(renderChange(`${c.from} -> ${c.to}`, c, io));
  }
  if (options.output) blocks.push("", `written to ${options.output}`);
  io.out(`${blocks.join("\n")}\n`);
  return EXIT.ok;
}
