import {
  type AssertionOutcome,
  checkAssertion,
  describeAssertion,
} from "../../engine/assertions.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { hasErrors } from "../../model/diagnostic.js";
import type { Network } from "../../model/network.js";
import { loadSpec } from "../../spec/load.js";
import { EXIT, type Io, printJson } from "../io.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { flowJson, renderTrace } from "../render/trace.js";

/** Validates the spec and evaluates every assertion: 0 all hold, 1 one fails, 2 invalid input. */
export function runCheck(target: string, options: { json?: boolean }, io: Io): number {
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
  const evaluator = new FlowEvaluator(spec.network);
  const outcomes = spec.assertions.map((a) => checkAssertion(evaluator, a));
  const count = (status: AssertionOutcome["status"]) =>
    outcomes.filter((o) => o.status === status).length;
  const summary = { held: count("held"), failed: count("failed"), invalid: count("invalid") };
  const code = summary.invalid > 0 ? EXIT.invalid : summary.failed > 0 ? EXIT.failed : EXIT.ok;

  if (options.json) {
    printJson(io, {
      file: spec.file,
      valid: summary.invalid === 0,
      diagnostics: diagnosticsJson(loaded.diagnostics),
      assertions: outcomes.map(outcomeJson),
      summary,
    });
    return code;
  }
  const lines: string[] = [];
  if (loaded.diagnostics.length > 0)
    lines.push(renderDiagnostics(loaded.diagnostics, loaded.sources, style), "");
  lines.push(`${style.bold(spec.file)}: ${describeNetwork(spec.network)}`);
  if (outcomes.length === 0) lines.push(style.dim("  the spec is valid and has no assertions"));
  for (const o of outcomes) {
    const title = describeAssertion(o.assertion);
    if (o.status === "held") {
      const by = o.result.rule ? `by ${o.result.rule}` : `(${o.result.reason})`;
      lines.push(`  ${style.green("✓")} ${title}  ${style.dim(`${o.result.access} ${by}`)}`);
      continue;
    }
    lines.push(`  ${style.red("✗")} ${title}`);
    const where = `at ${locationOf(o)}`;
    if (o.status === "invalid") {
      lines.push(`      ${o.why}${o.hint ? ` (${o.hint})` : ""}`, `      ${style.dim(where)}`);
      continue;
    }
    const a = o.assertion;
    const port = a.destinationPort === undefined ? "" : ` port ${a.destinationPort}`;
    lines.push(
      `      ${o.why}: ${a.from} -> ${a.to} ${a.protocol}${port} is ${style.access(o.result.access)}` +
        (o.result.rule
          ? ` by ${o.result.rule}${o.result.nsg ? ` of ${o.result.nsg}` : ""}`
          : ` (${o.result.reason})`),
      `      ${style.dim(where)}`,
      renderTrace(o.result, style, "      "),
    );
  }
  const parts = [
    style.green(`${summary.held} held`),
    summary.failed > 0 ? style.red(`${summary.failed} failed`) : `${summary.failed} failed`,
  ];
  if (summary.invalid > 0) parts.push(style.red(`${summary.invalid} invalid`));
  lines.push(
    "",
    `${outcomes.length} assertion${outcomes.length === 1 ? "" : "s"}: ${parts.join(", ")}`,
  );
  io.out(`${lines.join("\n")}\n`);
  return code;
}

function describeNetwork(network: Network): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return [
    n(network.vnets.size, "virtual network"),
    n(network.subnets.length, "subnet"),
    n(network.nsgs.size, "NSG"),
    n(network.environments.size, "environment"),
  ].join(", ");
}

function locationOf(o: AssertionOutcome): string {
  const l = o.assertion.location;
  return l ? `${l.file}:${l.line}:${l.column}` : "";
}

function outcomeJson(o: AssertionOutcome): object {
  const a = o.assertion;
  return {
    name: describeAssertion(a),
    from: a.from,
    to: a.to,
    protocol: a.protocol,
    port: a.destinationPort ?? null,
    expect: a.expect,
    ...(a.rule ? { expectRule: a.rule } : {}),
    status: o.status,
    ...(o.status === "held" ? {} : { why: o.why }),
    ...(o.status === "invalid" ? {} : { result: flowJson(o.result) }),
    ...(a.location ? { location: a.location } : {}),
  };
}
