import { availableParallelism } from "node:os";
import {
  type JudgedClass,
  judgeClasses,
  judgesBySourcePort,
  replayReport,
} from "../../analysis/replay.js";
import { FlowLogDiagnostics } from "../../formats/flow-logs/diagnostics.js";
import { foldFlowLogs } from "../../formats/flow-logs/fold.js";
import { type FlowLogTotals, readFlowLogs } from "../../formats/flow-logs/read.js";
import { flowLogFiles } from "../../formats/flow-logs/sources.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { byteProgress } from "../byte-progress.js";
import { EXIT, type Io, printJson, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { threadsOption } from "../numbers.js";
import { emit } from "../output.js";
import { diagnosticsJson, renderDiagnostics } from "../render/diagnostics.js";
import { renderReplay, replayCsv, replayJson } from "../render/replay.js";

export interface ReplayOptions {
  proposed?: string;
  json?: boolean;
  csv?: boolean;
  output?: string;
  limit?: string;
  engine?: string;
  threads?: string;
}

/** An input smaller than this per thread is read on fewer threads: a thread costs its start-up. */
const BYTES_PER_THREAD = 32 << 20;

/**
 * Replays flow logs against the spec (and a proposed version): exit 0, or 1
 * when the proposed version denies traffic the logs show allowed; 2 when the
 * spec or the options are wrong, or no tuple could be read.
 */
export async function runReplay(
  target: string,
  logs: readonly string[],
  options: ReplayOptions,
  io: Io,
): Promise<number> {
  const machine = options.json === true || options.csv === true;
  if (options.json && options.csv)
    return usageError(io, true, "InvalidArgument", "--json and --csv: choose one");
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1)
    return usageError(
      io,
      options.json,
      "InvalidArgument",
      `--limit ${options.limit}: expected a whole number of at least 1`,
    );
  const engine = options.engine ?? "js";
  if (engine !== "js" && engine !== "duckdb")
    return usageError(
      io,
      options.json,
      "InvalidArgument",
      `--engine ${engine}: expected js or duckdb`,
    );
  const { threads, error: threadsError } = threadsOption(options.threads);
  if (threadsError) return usageError(io, options.json, "InvalidArgument", threadsError);
  if (logs.length === 0)
    return usageError(
      io,
      options.json,
      "InvalidArgument",
      "name the flow logs to replay: files, folders, or - for standard input",
    );
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const proposed =
    options.proposed === undefined
      ? undefined
      : loadForCommand(options.proposed, io, options.json === true);
  if (options.proposed !== undefined && !proposed) return EXIT.invalid;

  const progress = byteProgress(io, machine);
  const onProgress = (b: number, t: number | undefined, n: number) => progress.update(b, t, n);
  const bySourcePort =
    judgesBySourcePort(loaded.spec.network) ||
    (proposed !== undefined && judgesBySourcePort(proposed.spec.network));
  let judged: JudgedClass[];
  let tuples: number;
  let problems: readonly Diagnostic[];
  let totals: FlowLogTotals;
  if (engine === "duckdb") {
    // Loaded only when asked for: the embedded database is large.
    const { judgeFilesInDuckDb, judgeInDuckDb } = await import(
      "../../formats/sql/duckdb-replay.js"
    );
    // DuckDB reads the files itself when it reads them clean; else tierwall's reader reads them and says where they are wrong.
    const found = new FlowLogDiagnostics();
    const files = logs.includes("-") ? [] : await flowLogFiles(logs, found);
    const direct = found.list.some((d) => d.severity === "error")
      ? undefined
      : await judgeFilesInDuckDb(
          files.map((f) => f.path),
          loaded.spec.network,
          proposed?.spec.network,
          { bySourcePort },
        );
    if (direct) {
      found.finish();
      ({ judged, tuples } = direct);
      problems = found.list;
      totals = {
        files: files.length,
        records: direct.records,
        recordsSkipped: 0,
        tuples,
        tuplesRejected: 0,
        bytes: files.reduce((sum, f) => sum + (f.size ?? 0), 0),
      };
    } else {
      if (files.length > 0 && !options.json)
        io.err(
          `${io.style.dim("note")}: DuckDB could not read the logs clean (a file too large for it, or one that is not read whole and well-formed), so tierwall's reader reads them and says what is wrong\n`,
        );
      const reading = readFlowLogs(logs, { onProgress });
      ({ judged, tuples } = await judgeInDuckDb(
        reading,
        loaded.spec.network,
        proposed?.spec.network,
        { bySourcePort },
      ));
      problems = reading.diagnostics;
      totals = reading.totals;
    }
  } else {
    const folded = await foldFlowLogs(logs, {
      bySourcePort,
      threads: threads ?? availableParallelism(),
      bytesPerThread: threads === undefined ? BYTES_PER_THREAD : 0,
      onProgress,
    });
    judged = judgeClasses(folded.classes, loaded.spec.network, proposed?.spec.network);
    tuples = folded.totals.tuples;
    problems = folded.diagnostics;
    totals = folded.totals;
  }
  progress.end();

  if (problems.length > 0 && !options.json)
    io.err(`${renderDiagnostics(problems, new Map(), io.style)}\n`);
  if (totals.tuples === 0) {
    if (options.json) printJson(io, { valid: false, diagnostics: diagnosticsJson(problems) });
    else io.err(`${io.style.red("error")}: no flow tuple could be read from ${logs.join(", ")}\n`);
    return EXIT.invalid;
  }
  const report = replayReport(judged, tuples, loaded.spec.network, proposed !== undefined);
  const input = {
    files: totals.files,
    spec: target,
    ...(options.proposed !== undefined ? { proposed: options.proposed } : {}),
    rejected: totals.tuplesRejected,
  };
  const code = report.newlyDenied.length > 0 ? EXIT.failed : EXIT.ok;
  const text = options.json
    ? `${JSON.stringify({ ...replayJson(report, input), diagnostics: diagnosticsJson(problems) }, null, 2)}\n`
    : options.csv
      ? replayCsv(report)
      : `${renderReplay(report, input, io.style, limit)}\n`;
  const written = emit(text, options.output, io);
  return written === EXIT.ok ? code : written;
}
