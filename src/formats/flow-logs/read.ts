/**
 * Reads flow logs, NSG flow logs (versions 1 and 2) and virtual network flow
 * logs alike, from files, folders (the blob layout, walked in name order),
 * gzip'ed files and standard input, as batches of LoggedFlow: streaming, so
 * that memory stays the same however large the input. Bad tuples and broken
 * files are reported with their place and the rest is read; the totals say
 * how much was read and left out.
 *
 *     const reading = readFlowLogs(["logs/"], { onProgress });
 *     for await (const batch of reading) for (const flow of batch) ...;
 *     reading.diagnostics; reading.totals;
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import { decodedChunks, FileChunks } from "./bytes.js";
import { FlowLogDiagnostics } from "./diagnostics.js";
import { FlowLogScanner } from "./scanner.js";
import { type FlowLogFile, flowLogFiles, reason, STDIN_NAME } from "./sources.js";
import { TupleReader } from "./tuple.js";

export interface FlowLogReadOptions {
  /** Flows per batch (10,000 unless given). */
  readonly batchSize?: number;
  /**
   * Told, as the reading goes, the bytes read so far (of the files as stored,
   * gzip'ed or not), the total when every input is a file, and the tuples read.
   */
  readonly onProgress?: (bytesRead: number, totalBytes: number | undefined, tuples: number) => void;
  /** What `-` reads (the process's standard input unless given). */
  readonly stdin?: AsyncIterable<Buffer | string>;
  /** Bad tuples reported one by one before the rest are only counted (1,000 unless given). */
  readonly listedTuples?: number;
  /**
   * Given each flow as it is read, instead of in batches (the reading then
   * gives none): what folds the flows at once need not hold them.
   */
  readonly onFlow?: (flow: LoggedFlow) => void;
}

export interface FlowLogTotals {
  /** Files (and standard input) opened. */
  files: number;
  /** Flow-log records met, whole or not. */
  records: number;
  /** Records of other categories, not read. */
  recordsSkipped: number;
  /** Tuples read into flows. */
  tuples: number;
  /** Tuples left out, each reported (or counted once too many were). */
  tuplesRejected: number;
  /** Bytes read, as stored. */
  bytes: number;
}

export interface FlowLogReading extends AsyncIterable<LoggedFlow[]> {
  /** Problems found so far; complete once the batches are all taken. */
  readonly diagnostics: readonly Diagnostic[];
  /** Totals so far; complete once the batches are all taken. */
  readonly totals: Readonly<FlowLogTotals>;
}

export const BATCH_SIZE = 10_000;

/** The flows of the sources (files, folders, `-`), in batches. Read once. */
export function readFlowLogs(
  sources: readonly string[],
  options: FlowLogReadOptions = {},
): FlowLogReading {
  const diagnostics = new FlowLogDiagnostics(options.listedTuples);
  return reading((d) => flowLogFiles(sources, d), diagnostics, options, true);
}

/**
 * The flows of files already found (by flowLogFiles), in batches, their
 * problems told to `diagnostics`, which the caller finishes: a share of a
 * reading's files, read in another thread.
 */
export function readFlowLogFiles(
  files: readonly FlowLogFile[],
  diagnostics: FlowLogDiagnostics,
  options: FlowLogReadOptions = {},
): FlowLogReading {
  return reading(async () => files, diagnostics, options, false);
}

function reading(
  find: (diagnostics: FlowLogDiagnostics) => Promise<readonly FlowLogFile[]>,
  diagnostics: FlowLogDiagnostics,
  options: FlowLogReadOptions,
  finish: boolean,
): FlowLogReading {
  const totals: FlowLogTotals = {
    files: 0,
    records: 0,
    recordsSkipped: 0,
    tuples: 0,
    tuplesRejected: 0,
    bytes: 0,
  };
  let started = false;
  return {
    diagnostics: diagnostics.list,
    totals,
    [Symbol.asyncIterator]() {
      if (started) throw new Error("a flow-log reading is read once");
      started = true;
      return batches(find, options, diagnostics, totals, finish)[Symbol.asyncIterator]();
    },
  };
}

async function* batches(
  find: (diagnostics: FlowLogDiagnostics) => Promise<readonly FlowLogFile[]>,
  options: FlowLogReadOptions,
  diagnostics: FlowLogDiagnostics,
  totals: FlowLogTotals,
  finish: boolean,
): AsyncGenerator<LoggedFlow[]> {
  const size = Math.max(1, options.batchSize ?? BATCH_SIZE);
  const progress = options.onProgress;
  const files = await find(diagnostics);
  const total = files.every((f) => f.size !== undefined)
    ? files.reduce((sum, f) => sum + (f.size ?? 0), 0)
    : undefined;
  const ready: LoggedFlow[][] = [];
  let batch: LoggedFlow[] = [];
  const emit =
    options.onFlow ??
    ((flow: LoggedFlow) => {
      batch.push(flow);
      if (batch.length === size) {
        ready.push(batch);
        batch = [];
      }
    });
  const counted = (bytes: number) => {
    totals.bytes += bytes;
  };
  const tuples = new TupleReader();
  const open = (index: number) => {
    const file = files[index];
    return file === undefined || file.path === "-"
      ? undefined
      : new FileChunks(file.path, file.size);
  };
  let ahead = open(0);
  try {
    for (let index = 0; index < files.length; index++) {
      const file = files[index] as (typeof files)[number];
      const current = ahead;
      ahead = open(index + 1);
      const stdin = file.path === "-";
      const name = stdin ? STDIN_NAME : file.path;
      const scanner = new FlowLogScanner(name, emit, diagnostics, tuples);
      totals.files++;
      const before = { ...scanner.counts };
      try {
        const raw = current ?? options.stdin ?? process.stdin;
        for await (const chunk of decodedChunks(raw, counted)) {
          scanner.push(chunk);
          add(totals, scanner, before);
          progress?.(totals.bytes, total, totals.tuples);
          while (ready.length > 0) yield ready.shift() as LoggedFlow[];
        }
        scanner.end();
      } catch (e) {
        const gzip = (e as { code?: string }).code?.startsWith("Z_") === true;
        scanner.fail(
          gzip ? "FlowLogGzipInvalid" : "FlowLogUnreadable",
          gzip
            ? `its gzip stream breaks here (${(e as Error).message}): the tuples before this point were read, the rest was not`
            : `could not be read further: ${reason(e)}`,
        );
      }
      add(totals, scanner, before);
      while (ready.length > 0) yield ready.shift() as LoggedFlow[];
    }
    if (batch.length > 0) {
      const last = batch;
      batch = [];
      yield last;
    }
  } finally {
    await ahead?.close();
    if (finish) diagnostics.finish();
    progress?.(totals.bytes, total, totals.tuples);
  }
}

/** Moves the scanner's counts since `before` into the totals. */
function add(
  totals: FlowLogTotals,
  scanner: FlowLogScanner,
  before: { records: number; recordsSkipped: number; tuples: number; tuplesRejected: number },
): void {
  const now = scanner.counts;
  totals.records += now.records - before.records;
  totals.recordsSkipped += now.recordsSkipped - before.recordsSkipped;
  totals.tuples += now.tuples - before.tuples;
  totals.tuplesRejected += now.tuplesRejected - before.tuplesRejected;
  before.records = now.records;
  before.recordsSkipped = now.recordsSkipped;
  before.tuples = now.tuples;
  before.tuplesRejected = now.tuplesRejected;
}
