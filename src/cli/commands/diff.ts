import { type Change, rulesChanged, semanticDiff, semanticDiffJson } from "../../analysis/diff.js";
import { type DiffSide, type NotCompared, notCompared } from "../../analysis/diff-coverage.js";
import { formatSummaryLine } from "../../analysis/summary.js";
import { formatPacket } from "../../engine/packet.js";
import type { LoadedSpec } from "../../specfile/load.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { partialJson } from "../partial.js";

/**
 * The semantic difference between two versions of a spec: 0 when they allow
 * the same packets, 1 when not (or, with --strict, when they differ in
 * something the diff does not compare).
 */
export function runDiff(
  oldTarget: string,
  newTarget: string,
  options: { json?: boolean; strict?: boolean },
  io: Io,
): number {
  const before = loadForCommand(oldTarget, io, options.json === true);
  if (!before) return EXIT.invalid;
  const after = loadForCommand(newTarget, io, options.json === true);
  if (!after) return EXIT.invalid;
  const diff = semanticDiff(
    before.spec.network,
    after.spec.network,
    rulesChanged(before.spec, after.spec),
  );
  const left = notCompared(sideOf(before.spec), sideOf(after.spec));
  const code = diff.equivalent && !(options.strict && left.length > 0) ? EXIT.ok : EXIT.failed;
  if (options.json) {
    printJson(io, {
      ...semanticDiffJson(diff),
      notCompared: left,
      ...partialJson(before.spec, after.spec),
    });
    return code;
  }
  const { style } = io;
  if (diff.equivalent) {
    io.out(
      left.length === 0
        ? `${style.green("equivalent")}: both versions allow exactly the same packets\n`
        : `${style.green("equivalent")} in what was compared: NSG decisions, and flows between environments in both versions\n${renderNotCompared(left, io)}\n`,
    );
    return code;
  }
  const blocks: string[] = [];
  for (const c of diff.nsgs) {
    const where = c.vnet ? ` in ${c.vnet}` : "";
    const presence =
      c.presence === "both" ? "" : c.presence === "added" ? " (added)" : " (removed)";
    blocks.push(renderChange(`NSG ${c.nsg}${presence}, ${c.direction}${where}`, c, io));
  }
  for (const c of diff.flows) blocks.push(renderChange(`${c.from} -> ${c.to}`, c, io));
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  blocks.push(
    `${style.red("not equivalent")}: ${n(diff.nsgs.length, "NSG direction", "NSG directions")} and ${n(diff.flows.length, "pair of endpoints", "pairs of endpoints")} differ`,
  );
  if (left.length > 0) blocks.push(renderNotCompared(left, io));
  io.out(`${blocks.join("\n\n")}\n`);
  return code;
}

/** A version's deployment and claims, without where each claim was written. */
function sideOf(spec: LoadedSpec): DiffSide {
  const claim = (a: object) =>
    Object.fromEntries(Object.entries(a).filter(([k]) => k !== "path" && k !== "location"));
  return { topology: spec.topology, assertions: spec.assertions.map(claim), tiers: spec.tiers };
}

function renderNotCompared(left: readonly NotCompared[], io: Io): string {
  const what = {
    removed: "only in the old version",
    added: "only in the new version",
    changed: "changed",
  };
  return [
    io.style.yellow(`not compared (${left.length}; --strict fails on them):`),
    ...left.map((n) => `  ${n.kind} ${n.name}: ${what[n.change]}; ${n.why}`),
  ].join("\n");
}

export function renderChange(title: string, c: Change, io: Io): string {
  const { style } = io;
  const lines = [style.bold(title)];
  const part = (
    label: string,
    summary: Change["newlyAllowed"],
    example: Change["allowedExample"],
    paint: (s: string) => string,
  ) => {
    if (summary.lines.length === 0) return;
    lines.push(`  ${paint(label)}:`);
    for (const l of summary.lines) lines.push(`    ${formatSummaryLine(l)}`);
    if (summary.omitted > 0) lines.push(style.dim(`    … and ${summary.omitted} more lines`));
    if (example) lines.push(style.dim(`    for example ${formatPacket(example)}`));
  };
  part("newly allowed", c.newlyAllowed, c.allowedExample, style.red);
  part("newly denied", c.newlyDenied, c.deniedExample, style.yellow);
  return lines.join("\n");
}
