import { FlowEvaluator } from "../../engine/flow.js";
import {
  IpFlowVerifier,
  parseDirection,
  parseIpFlowEnd,
  parseIpFlowProtocol,
} from "../../engine/ip-flow-verify.js";
import { parseFlowProtocol } from "../../net/protocol.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { wholeNumber } from "../numbers.js";
import { partialJson } from "../partial.js";
import { shortened } from "../render/terminal.js";
import { flowJson, ipFlowVerifyJson, renderFlow, renderIpFlowVerify } from "../render/trace.js";

export interface FlowOptions {
  from?: string;
  to?: string;
  protocol?: string;
  port?: string;
  sourcePort?: string;
  nic?: string;
  direction?: string;
  local?: string;
  remote?: string;
  json?: boolean;
}

const ENDPOINT_FLAGS = ["from", "to", "port", "sourcePort"] as const;
const VERIFY_FLAGS = ["direction", "local", "remote"] as const;
const flag = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/**
 * One flow: between two named endpoints across every NSG on its path, with its
 * route; or, with --nic, as Network Watcher's IP flow verify answers it.
 */
export function runFlow(target: string, options: FlowOptions, io: Io): number {
  return options.nic === undefined
    ? runEndpointFlow(target, options, io)
    : runIpFlowVerify(target, { ...options, nic: options.nic }, io);
}

function runEndpointFlow(target: string, options: FlowOptions, io: Io): number {
  const problems: string[] = [];
  const stray = VERIFY_FLAGS.filter((f) => options[f] !== undefined);
  if (stray.length > 0)
    problems.push(`${stray.map(flag).join(", ")} go with --nic (IP flow verify)`);
  for (const f of ["from", "to"] as const)
    if (options[f] === undefined)
      problems.push(`${flag(f)} is required, or --nic for IP flow verify`);
  const protocolText = options.protocol ?? "Tcp";
  const protocol = parseFlowProtocol(protocolText);
  if (!protocol) problems.push(`--protocol ${protocolText}: expected Tcp, Udp, Icmp, Esp or Ah`);
  const port = parsePort("--port", options.port, problems);
  const sourcePort = parsePort("--source-port", options.sourcePort, problems);
  if (protocol && (protocol === "Tcp" || protocol === "Udp") && port === undefined)
    problems.push(`--port is required for ${protocol}`);
  if (problems.length > 0 || !protocol || options.from === undefined || options.to === undefined)
    return usageError(io, problems, options.json);

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
  if (options.json) printJson(io, { ...flowJson(evaluated.result), ...partialJson(loaded.spec) });
  else io.out(`${renderFlow(evaluated.result, io.style)}\n`);
  return EXIT.ok;
}

function runIpFlowVerify(target: string, options: FlowOptions & { nic: string }, io: Io): number {
  const problems: string[] = [];
  const stray = ENDPOINT_FLAGS.filter((f) => options[f] !== undefined);
  if (stray.length > 0)
    problems.push(
      `${stray.map(flag).join(", ")} do not go with --nic: IP flow verify takes --direction, --local, --remote and --protocol`,
    );
  for (const f of [...VERIFY_FLAGS, "protocol"] as const)
    if (options[f] === undefined) problems.push(`${flag(f)} is required with --nic`);
  const direction = options.direction === undefined ? undefined : parseDirection(options.direction);
  if (options.direction !== undefined && !direction)
    problems.push(`--direction ${options.direction}: expected Inbound or Outbound`);
  const protocol =
    options.protocol === undefined ? undefined : parseIpFlowProtocol(options.protocol);
  if (options.protocol !== undefined && !protocol)
    problems.push(
      `--protocol ${options.protocol}: IP flow verify tests TCP or UDP only (for other protocols, use --from and --to)`,
    );
  const end = (name: "local" | "remote") => {
    const text = options[name];
    if (text === undefined) return undefined;
    const parsed = parseIpFlowEnd(text);
    if (!parsed)
      problems.push(
        `--${name} ${text}: expected IP:PORT ([IPv6]:PORT for IPv6), the port from 0 to 65535 or *`,
      );
    return parsed;
  };
  const local = end("local");
  const remote = end("remote");
  if (problems.length > 0 || !direction || !protocol || !local || !remote)
    return usageError(io, problems, options.json);

  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const verified = new IpFlowVerifier(loaded.spec.network).verify({
    target: options.nic,
    direction,
    protocol,
    local,
    remote,
  });
  if (!verified.ok)
    return usageError(
      io,
      [verified.message + (verified.hint ? ` (${verified.hint})` : "")],
      options.json,
    );
  if (options.json)
    printJson(io, { ...ipFlowVerifyJson(verified.result), ...partialJson(loaded.spec) });
  else io.out(`${renderIpFlowVerify(verified.result, io.style)}\n`);
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
