/**
 * Flow logs read and folded into classes of flows (analysis/flow-classes.ts),
 * on as many threads as asked: the files are cut into shares of about equal
 * size, in name order, each share read and folded by a worker thread, and the
 * folds joined; problems come back in the order of the files, as one thread
 * would have found them. Standard input, and a single file, are read here.
 */
import { Worker } from "node:worker_threads";
import { type FlowClass, FlowClassFolder, type FoldedClass } from "../../analysis/flow-classes.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { FlowLogDiagnostics, type UnfinishedDiagnostics } from "./diagnostics.js";
import { type FlowLogTotals, readFlowLogFiles } from "./read.js";
import { type FlowLogFile, flowLogFiles } from "./sources.js";

export interface FoldLogsOptions {
  /** Keep classes apart by source port (see analysis/replay.ts, judgesBySourcePort). */
  readonly bySourcePort?: boolean;
  /** Threads to read on (1 unless given); fewer when there are fewer files. */
  readonly threads?: number;
  /** Fewer threads when each would read less than this (a thread costs its start-up); 0 unless given. */
  readonly bytesPerThread?: number;
  /** Told the bytes read so far (of all threads), the total when known, and the tuples read. */
  readonly onProgress?: (bytesRead: number, totalBytes: number | undefined, tuples: number) => void;
  /** What `-` reads (the process's standard input unless given). */
  readonly stdin?: AsyncIterable<Buffer | string>;
  readonly listedTuples?: number;
}

export interface FoldedLogs {
  readonly classes: FlowClass[];
  readonly totals: FlowLogTotals;
  readonly diagnostics: readonly Diagnostic[];
}

/** What a worker is given. */
export interface FoldShare {
  readonly files: readonly FlowLogFile[];
  readonly bySourcePort: boolean;
  readonly listedTuples: number | undefined;
}

/** What a worker says: how far it is, then what it folded. */
export type FoldMessage =
  | { readonly kind: "progress"; readonly bytes: number; readonly tuples: number }
  | {
      readonly kind: "done";
      readonly folded: FoldedClass[];
      readonly totals: FlowLogTotals;
      readonly diagnostics: UnfinishedDiagnostics;
    };

const emptyTotals = (): FlowLogTotals => ({
  files: 0,
  records: 0,
  recordsSkipped: 0,
  tuples: 0,
  tuplesRejected: 0,
  bytes: 0,
});

export async function foldFlowLogs(
  sources: readonly string[],
  options: FoldLogsOptions = {},
): Promise<FoldedLogs> {
  const diagnostics = new FlowLogDiagnostics(options.listedTuples);
  const files = await flowLogFiles(sources, diagnostics);
  const known = files.every((f) => f.size !== undefined);
  const total = known ? files.reduce((sum, f) => sum + (f.size ?? 0), 0) : undefined;
  const least = options.bytesPerThread ?? 0;
  const threads = Math.max(
    1,
    Math.min(
      options.threads ?? 1,
      files.length,
      least > 0 && total !== undefined ? Math.floor(total / least) : Number.POSITIVE_INFINITY,
    ),
  );
  const folder = new FlowClassFolder({ bySourcePort: options.bySourcePort === true });
  if (threads === 1 || !known) {
    const reading = readFlowLogFiles(files, diagnostics, {
      onFlow: (flow) => folder.add(flow),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.stdin ? { stdin: options.stdin } : {}),
    });
    for await (const _ of reading); // onFlow folds each flow as it is read
    diagnostics.finish();
    return {
      classes: folder.classes(),
      totals: { ...reading.totals },
      diagnostics: diagnostics.list,
    };
  }

  const shares = cut(files, threads);
  const progress = shares.map(() => ({ bytes: 0, tuples: 0 }));
  const tell = () => {
    let bytes = 0;
    let tuples = 0;
    for (const p of progress) {
      bytes += p.bytes;
      tuples += p.tuples;
    }
    options.onProgress?.(bytes, total, tuples);
  };
  const done = await Promise.all(
    shares.map((share, i) =>
      runShare(
        {
          files: share,
          bySourcePort: options.bySourcePort === true,
          listedTuples: options.listedTuples,
        },
        (bytes, tuples) => {
          progress[i] = { bytes, tuples };
          tell();
        },
      ),
    ),
  );
  const totals = emptyTotals();
  for (const share of done) {
    folder.absorb(share.folded, share.totals.tuples);
    diagnostics.absorb(share.diagnostics);
    for (const key of Object.keys(totals) as (keyof FlowLogTotals)[])
      totals[key] += share.totals[key];
  }
  diagnostics.finish();
  tell();
  return {
    classes: folder.classes(),
    totals,
    diagnostics: diagnostics.list,
  };
}

/** The files in `count` runs of about equal size, in order. */
export function cut(files: readonly FlowLogFile[], count: number): FlowLogFile[][] {
  const total = files.reduce((sum, f) => sum + (f.size ?? 0), 0);
  const shares: FlowLogFile[][] = [];
  let share: FlowLogFile[] = [];
  let sum = 0;
  files.forEach((file, i) => {
    share.push(file);
    sum += file.size ?? 0;
    const left = files.length - i - 1;
    const wanted = count - shares.length - 1;
    // Cut when this share has its part of the bytes, or when each share to come needs one of the files left.
    if (wanted > 0 && (sum >= (total * (shares.length + 1)) / count || left === wanted)) {
      shares.push(share);
      share = [];
    }
  });
  if (share.length > 0) shares.push(share);
  return shares;
}

function runShare(
  share: FoldShare,
  onProgress: (bytes: number, tuples: number) => void,
): Promise<Extract<FoldMessage, { kind: "done" }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./fold-worker.js", import.meta.url), { workerData: share });
    let result: Extract<FoldMessage, { kind: "done" }> | undefined;
    worker.on("message", (message: FoldMessage) => {
      if (message.kind === "progress") onProgress(message.bytes, message.tuples);
      else result = message;
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (result) resolve(result);
      else
        reject(
          new Error(`a flow-log reading thread stopped (exit code ${code}) before it was done`),
        );
    });
  });
}
