/**
 * A worker thread of reachMatrixOnThreads (reach-matrix.ts): builds the
 * network from the topology it is given, then takes blocks of the plan from
 * the shared counter and sends each block's cells back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { buildNetwork } from "../model/network.js";
import { ServiceTagCatalog } from "../model/service-tags.js";
import { computeBlock, type MatrixMessage, type MatrixShare, planOf } from "./reach-matrix.js";

const share = workerData as MatrixShare;
const port = parentPort;
if (port) {
  const built = buildNetwork(share.topology, ServiceTagCatalog.fromPortable(share.serviceTags));
  if (!built.network) {
    // The calling thread built the same network without an error: this is a bug, said as one.
    port.postMessage({
      kind: "failed",
      message: `the network did not build again (${built.diagnostics[0]?.message ?? "no diagnostic"})`,
    } satisfies MatrixMessage);
  } else {
    const plan = planOf(built.network, share.request);
    const taker = new Int32Array(share.counter);
    for (;;) {
      const index = Atomics.add(taker, 0, 1);
      if (index >= share.cut.count) break;
      const { positions, cells } = computeBlock(plan, share.cut, index);
      port.postMessage({ kind: "block", positions, cells } satisfies MatrixMessage, [
        positions.buffer as ArrayBuffer,
      ]);
      // Ending the task lets the collector take the block's diagrams (diagram.ts holds them weakly).
      await new Promise((resolve) => setImmediate(resolve));
    }
    port.postMessage({ kind: "done" } satisfies MatrixMessage);
  }
}
