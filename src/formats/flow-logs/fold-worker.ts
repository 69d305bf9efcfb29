/**
 * A worker thread of foldFlowLogs (fold.ts): reads its share of the files,
 * folds their tuples into classes, and sends the classes, the totals and the
 * problems found (unfinished: the reading as a whole finishes them) back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { FlowClassFolder } from "../../analysis/flow-classes.js";
import { FlowLogDiagnostics } from "./diagnostics.js";
import type { FoldMessage, FoldShare } from "./fold.js";
import { readFlowLogFiles } from "./read.js";

const share = workerData as FoldShare;
const port = parentPort;
if (port) {
  const diagnostics = new FlowLogDiagnostics(share.listedTuples);
  const folder = new FlowClassFolder({ bySourcePort: share.bySourcePort });
  let told = 0;
  const reading = readFlowLogFiles(share.files, diagnostics, {
    onFlow: (flow) => folder.add(flow),
    onProgress: (bytes, _total, tuples) => {
      // A few times a second is enough for a progress bar.
      const now = Date.now();
      if (now - told < 100) return;
      told = now;
      port.postMessage({ kind: "progress", bytes, tuples } satisfies FoldMessage);
    },
  });
  for await (const _ of reading); // onFlow folds each flow as it is read
  const totals = { ...reading.totals };
  port.postMessage({
    kind: "progress",
    bytes: totals.bytes,
    tuples: totals.tuples,
  } satisfies FoldMessage);
  port.postMessage({
    kind: "done",
    folded: folder.folded(),
    totals,
    diagnostics: diagnostics.unfinished(),
  } satisfies FoldMessage);
}
