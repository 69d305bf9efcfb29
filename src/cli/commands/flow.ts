import { FlowEvaluator } from "../../engine/flow.js";
import { parseFlowProtocol } from "../../net/protocol.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { wholeNumber } from "../numbers.js";
import { partialJson } from "../partial.js";
import { shortened } from "../render/terminal.js";
import { flowJson, renderTrace } from "../render/trace.js";

export interface FlowOptions {
  from: string;
  to: string;
  protocol: string;
  port?: string;
  sourcePort?: string;
  json?: boolean;
}

/** Evaluates one flow like Network Watcher's IP flow verify, across every NSG on the path. */
export function runFlow(target: string, options: FlowOptions, io: Io): number {
  const protocol = parseFlowProtocol(options.protocol);
  const problems: string[] = [];
  if (!protocol)
    problems.push(`--protocol ${options.protocol}: expected Tcp, Udp, Icmp, Esp or Ah`);
  const port = parsePort("--port", options.port, problems);
  const sourcePort = parsePort("--source-port", options.sourcePort, problems);
  if (protocol && (protocol === "Tcp" || protocol === "Udp") && port === undefined)
    problems.push(`--port is required for ${protocol}`);
  if (problems.length > 0 || !protocol) return usageError(io, problems, options.json);

  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const evaluator = new FlowEvaluator(loaded.spec.network);
  const evaluated = evaluator.evaluate({
    from: options.from,
    to: options.to,
    protocol,
    ...(port === undefined ? {} : { destinationPort: port }),
    ...(sourcePort === undefined ? {} : { sourcePort }),
  });
  if (!evaluated.ok)
    return usageError(
      io,
      [evaluated.message + (evaluated.hint ? ` (${evaluated.hint})` : "")],
      options.json,
    );
  const result = evaluated.result;
  if (options.json) {
    printJson(io, { ...flowJson(result), ...partialJson(loaded.spec) });
    return EXIT.ok;
  }
  const { style } = io;
  const decided = result.rule
    ? ` by ${style.bold(result.rule)} of ${result.nsg} (${result.appliedTo?.type} ${result.appliedTo?.name})`
    : "";
  io.out(
    [
      `${style.bold(style.access(result.access))}${decided}`,
      `  ${result.from} -> ${result.to}, ${result.route} route: ${result.reason}`,
      renderTrace(result, style),
      "",
    ].join("\n"),
  );
  return EXIT.ok;
}

function parsePort(flag: string, text: string | undefined, problems: string[]): number | undefined {
  if (text === undefined) return undefined;
  const port = wholeNumber(text);
  if (port === undefined || port > 65535) {
    problems.push(`${flag} ${text}: expected a port from 0 to 65535`);
    return undefined;
  }
  return port;
}

function usageError(io: Io, problems: string[], json?: boolean): number {
  if (json) printJson(io, { error: problems.map(shortened) });
  else io.err(`${problems.map((p) => `${io.style.red("error")}: ${p}`).join("\n")}\n`);
  return EXIT.invalid;
}
