import type { SetOutcome } from "../../analysis/assertions.js";
import { formatSummaryLineWithin } from "../../analysis/summary.js";
import type { AssertionOutcome } from "../../engine/assertions.js";
import { formatPacket } from "../../engine/packet.js";
import { hasErrors, type SourceLocation } from "../../model/diagnostic.js";
import type { Network } from "../../model/network.js";
import type { SpecAssertion } from "../../specfile/assertions.js";
import {
  checkSpecAssertions,
  describeSpecAssertion,
  type SpecOutcome,
} from "../../specfile/check.js";
import { loadSpec } from "../../specfile/load.js";
import { EXIT, type Io, printJson } from "../io.js";
import { notePartial, partialJson } from "../partial.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import type { Style } from "../render/style.js";
import { shortened } from "../render/terminal.js";
import { flowJson, renderTrace } from "../render/trace.js";

/**
 * Validates the spec and checks its assertions (with `proofsOnly`, only those
 * over every packet): 0 all hold, 1 one fails, 2 invalid input.
 */
export function runCheck(
  target: string,
  options: { json?: boolean; proofsOnly?: boolean },
  io: Io,
): number {
  const loaded = loadSpec(target);
  const { style } = io;
  if (!loaded.spec || hasErrors(loaded.diagnostics)) {
    if (options.json)
      printJson(io, {
        valid: false,
        diagnostics: diagnosticsJson(loaded.diagnostics),
        assertions: [],
      });
    else io.out(`${renderDiagnostics(loaded.diagnostics, loaded.sources, style)}\n`);
    return EXIT.invalid;
  }
  const spec = loaded.spec;
  notePartial(io, [spec]);
  const assertions = options.proofsOnly
    ? spec.assertions.filter((a) => a.kind !== "flow")
    : spec.assertions;
  const outcomes = checkSpecAssertions(spec.network, assertions);
  const count = (status: "held" | "failed" | "invalid") =>
    outcomes.filter((o) => o.outcome.status === status).length;
  const summary = { held: count("held"), failed: count("failed"), invalid: count("invalid") };
  const code = summary.invalid > 0 ? EXIT.invalid : summary.failed > 0 ? EXIT.failed : EXIT.ok;

  if (options.json) {
    printJson(io, {
      file: spec.file,
      valid: summary.invalid === 0,
      diagnostics: diagnosticsJson(loaded.diagnostics),
      assertions: outcomes.map(outcomeJson),
      summary,
      ...partialJson(spec),
    });
    return code;
  }
  const lines: string[] = [];
  if (loaded.diagnostics.length > 0)
    lines.push(renderDiagnostics(loaded.diagnostics, loaded.sources, style), "");
  lines.push(`${style.bold(spec.file)}: ${describeNetwork(spec.network)}`);
  if (outcomes.length === 0) lines.push(style.dim("  the spec is valid and has no assertions"));
  for (const o of outcomes)
    lines.push(
      ...(o.kind === "flow"
        ? renderFlowOutcome(o.outcome, style)
        : renderSetOutcome(o.outcome, style)),
    );
  const parts = [
    style.green(`${summary.held} held`),
    summary.failed > 0 ? style.red(`${summary.failed} failed`) : `${summary.failed} failed`,
  ];
  if (summary.invalid > 0) parts.push(style.red(`${summary.invalid} invalid`));
  lines.push(
    "",
    `${outcomes.length} assertion${outcomes.length === 1 ? "" : "s"}: ${parts.join(", ")}`,
  );
  io.out(`${shortened(lines.join("\n"))}\n`);
  return code;
}

const where = (location: SourceLocation | undefined) =>
  location ? `at ${location.file}:${location.line}:${location.column}` : "";

/** An assertion that cannot be evaluated: why, and where it is. */
function invalidLines(
  head: string,
  o: { why: string; hint?: string; assertion: { location?: SourceLocation } },
  style: Style,
): string[] {
  return [
    head,
    `      ${o.why}${o.hint ? ` (${o.hint})` : ""}`,
    `      ${style.dim(where(o.assertion.location))}`,
  ];
}

function renderFlowOutcome(o: AssertionOutcome, style: Style): string[] {
  const title = describeSpecAssertion({ kind: "flow", ...o.assertion });
  if (o.status === "held") {
    const by = o.result.rule ? `by ${o.result.rule}` : `(${o.result.reason})`;
    return [`  ${style.green("✓")} ${title}  ${style.dim(`${o.result.access} ${by}`)}`];
  }
  const head = `  ${style.red("✗")} ${title}`;
  if (o.status === "invalid") return invalidLines(head, o, style);
  const a = o.assertion;
  const port = a.destinationPort === undefined ? "" : ` port ${a.destinationPort}`;
  const decided = o.result.rule
    ? ` by ${o.result.rule}${o.result.nsg ? ` of ${o.result.nsg}` : ""}`
    : ` (${o.result.reason})`;
  return [
    head,
    `      ${o.why}: ${a.from} -> ${a.to} ${a.protocol}${port} is ${style.access(o.result.access)}${decided}`,
    `      ${style.dim(where(a.location))}`,
    renderTrace(o.result, style, "      "),
  ];
}

function renderSetOutcome(o: SetOutcome, style: Style): string[] {
  const title = describeSpecAssertion(o.assertion);
  if (o.status === "held")
    return [`  ${style.green("✓")} ${title}  ${style.dim("proven over every packet")}`];
  const head = `  ${style.red("✗")} ${title}`;
  if (o.status === "invalid") return invalidLines(head, o, style);
  const lines = [head, `      ${o.why}`, `      ${style.dim(where(o.assertion.location))}`];
  if (o.counterexample) {
    lines.push(`      for example: ${formatPacket(o.counterexample.packet)}`);
    if (o.counterexample.trace) lines.push(renderTrace(o.counterexample.trace, style, "      "));
  }
  if (o.offending && o.offending.lines.length > 0) {
    // Each line fits a terminal's; the whole set is in --json.
    lines.push("      all such packets:");
    const shown = o.offending.lines.slice(0, OFFENDING_SHOWN);
    for (const l of shown) lines.push(`        ${formatSummaryLineWithin(l, 92)}`);
    const more = o.offending.lines.length - shown.length + o.offending.omitted;
    if (more > 0)
      lines.push(
        style.dim(`        … and ${more} more line${more === 1 ? "" : "s"} (--json lists them)`),
      );
  }
  return lines;
}

/** Lines of an offending set a failed claim shows on the terminal. */
const OFFENDING_SHOWN = 5;

function describeNetwork(network: Network): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return [
    n(network.vnets.size, "virtual network"),
    n(network.subnets.length, "subnet"),
    n(network.nsgs.size, "NSG"),
    n(network.environments.size, "environment"),
    ...(network.loadBalancers.size > 0 ? [n(network.loadBalancers.size, "load balancer")] : []),
    ...(network.applicationGateways?.size
      ? [n(network.applicationGateways.size, "application gateway")]
      : []),
    ...scaleSetCount(network, n),
  ].join(", ");
}

/** Scale sets, counted once each however many interface configurations stand for them. */
function scaleSetCount(network: Network, n: (count: number, word: string) => string): string[] {
  const sets = new Set<string>();
  for (const nic of network.nics.values()) if (nic.scaleSet !== undefined) sets.add(nic.scaleSet);
  return sets.size > 0 ? [n(sets.size, "scale set")] : [];
}

function outcomeJson(o: SpecOutcome): object {
  const a: SpecAssertion =
    o.kind === "flow" ? { kind: "flow", ...o.outcome.assertion } : o.outcome.assertion;
  const base = {
    kind: a.kind,
    name: describeSpecAssertion(a),
    status: o.outcome.status,
    ...(o.outcome.status === "held" ? {} : { why: o.outcome.why }),
    ...(a.location ? { location: a.location } : {}),
  };
  if (o.kind === "flow") {
    const f = o.outcome.assertion;
    return {
      ...base,
      from: f.from,
      to: f.to,
      protocol: f.protocol,
      port: f.destinationPort ?? null,
      expect: f.expect,
      ...(f.rule ? { expectRule: f.rule } : {}),
      ...(o.outcome.status === "invalid" ? {} : { result: flowJson(o.outcome.result) }),
    };
  }
  const s = o.outcome;
  return {
    ...base,
    ...(s.status === "failed" && s.counterexample
      ? {
          counterexample: {
            packet: formatPacket(s.counterexample.packet),
            ...(s.counterexample.trace ? { trace: flowJson(s.counterexample.trace) } : {}),
          },
        }
      : {}),
    ...(s.status === "failed" && s.offending ? { offending: s.offending } : {}),
  };
}
