import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { sampleFlowLogs } from "../../analysis/flow-log-sample.js";
import { flowLogDocuments } from "../../formats/flow-logs/write.js";
import type { FlowLogFormat, LoggedFlow } from "../../model/logged-flow.js";
import { EXIT, type Io, usageError } from "../io.js";
import { loadForCommand } from "../load.js";

export interface SampleLogsOptions {
  output: string;
  format?: string;
  days?: string;
  seed?: string;
  perHour?: string;
}

const FORMATS: Readonly<Record<string, FlowLogFormat>> = {
  vnet: "vnet",
  "nsg-v2": "nsg-v2",
  "nsg-v1": "nsg-v1",
};

/** A whole number of at least `min` from an option, or a problem. */
function whole(flag: string, text: string | undefined, fallback: number, min: number, max: number) {
  if (text === undefined) return fallback;
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new Error(`${flag} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}

/**
 * Writes the flow logs a spec would produce (flow-log-sample.ts) into a folder
 * in Azure's blob layout. The folder is written beside under a temporary name
 * and renamed into place at the end, so a failure leaves no half-written logs.
 */
export function runSampleLogs(target: string, options: SampleLogsOptions, io: Io): number {
  let days: number;
  let seed: number;
  let perHour: number;
  const format = FORMATS[options.format ?? "vnet"];
  try {
    if (!format) throw new Error(`--format ${options.format}: expected vnet, nsg-v2 or nsg-v1`);
    days = whole("--days", options.days, 7, 1, 366);
    seed = whole("--seed", options.seed, 1, 0, 2 ** 31);
    perHour = whole("--per-hour", options.perHour, 20, 1, 1_000_000);
  } catch (e) {
    return usageError(io, false, "InvalidArgument", (e as Error).message);
  }
  if (existsSync(options.output) && readdirSync(options.output).length > 0)
    return usageError(
      io,
      false,
      "OutputNotEmpty",
      `${options.output} is not empty; name a new folder (sample logs never mix with others)`,
    );
  const loaded = loadForCommand(target, io, false);
  if (!loaded) return EXIT.invalid;

  const temporary = join(
    dirname(options.output),
    `.${basename(options.output)}.${randomBytes(8).toString("hex")}.tmp`,
  );
  let files = 0;
  let tuples = 0;
  try {
    // Not recursive: the folder's parent must exist (and Node's recursive mkdir never returns under /proc).
    mkdirSync(temporary);
    let hour: LoggedFlow[] = [];
    let current = Number.NaN;
    const flush = () => {
      for (const [path, text] of flowLogDocuments(hour)) {
        const file = join(temporary, ...path.split("/"));
        mkdirSync(dirname(file), { recursive: true });
        // The sample keeps each connection inside its hour, so no blob is written twice.
        writeFileSync(file, text, { flag: "wx" });
        files++;
      }
      hour = [];
    };
    for (const t of sampleFlowLogs(loaded.spec.network, {
      seed,
      days,
      format,
      connectionsPerHour: perHour,
    })) {
      const h = Math.floor(t.time / 3_600_000);
      if (h !== current && hour.length > 0) flush();
      current = h;
      hour.push(t);
      tuples++;
    }
    flush();
    if (existsSync(options.output)) rmSync(options.output, { recursive: true });
    renameSync(temporary, options.output);
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    io.err(`${io.style.red("error")}: cannot write ${options.output}: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  io.err(
    `wrote ${tuples.toLocaleString("en-US")} tuples in ${files.toLocaleString("en-US")} files to ${options.output}\n`,
  );
  return EXIT.ok;
}
