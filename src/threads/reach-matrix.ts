/**
 * The reachability matrix on several threads. Each thread holds the same
 * network (a worker builds it again from the topology, which is plain data)
 * and takes blocks of one plan from a shared counter until none is left; the
 * calling thread takes blocks too, so a worker that is still building its
 * network costs nothing but the blocks it does not take. Blocks cut the side
 * whose NSG rules are the heavier (columns: what lets traffic in; rows: what
 * lets it out), since every thread computes what the other side's NSGs allow
 * for itself. The cells, put back in order, are reachMatrix's.
 */
import {
  type MatrixBlock,
  MatrixPlan,
  type Progress,
  type ReachCell,
  type ReachMatrix,
} from "../analysis/matrix.js";
import { type GroupBy, type RowFilter, rowFilter } from "../analysis/matrix-rows.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import type { Network } from "../model/network.js";
import type { PortableCatalog } from "../model/service-tags.js";
import type { Topology } from "../model/types.js";
import { runWorker, type WorkerEnd } from "./worker.js";

/** What a worker needs to compute blocks of the same plan. */
export interface MatrixShare {
  readonly topology: Topology;
  readonly serviceTags: PortableCatalog;
  readonly request: MatrixRequest;
  readonly cut: Cut;
  /** One Int32: the next block to take. */
  readonly counter: SharedArrayBuffer;
}

/** The rows and columns asked for, as the command line gives them. */
export interface MatrixRequest {
  readonly groupBy: GroupBy;
  readonly from?: readonly string[];
  readonly to?: readonly string[];
}

/** How the plan is cut into blocks: along rows or columns, `size` at a time, `count` blocks. */
export interface Cut {
  readonly along: "rows" | "columns";
  readonly size: number;
  readonly count: number;
}

export type MatrixMessage =
  | { readonly kind: "block"; readonly positions: Int32Array; readonly cells: ReachCell[] }
  | WorkerEnd;

/** About this many blocks per thread: enough to even out, few enough that each is worth a message. */
const BLOCKS_PER_THREAD = 32;

/**
 * The matrix of `network` (built from `topology` and its service tags) on
 * `threads` threads, this one included. With one thread it is reachMatrix's
 * work, cut into the same blocks.
 */
export async function reachMatrixOnThreads(
  network: Network,
  topology: Topology,
  request: MatrixRequest,
  options: { readonly threads: number; readonly progress?: Progress },
): Promise<ReachMatrix> {
  const plan = planOf(network, request);
  const cut = cutOf(network, plan, options.threads);
  const counter = new SharedArrayBuffer(4);
  const share: MatrixShare = {
    topology,
    serviceTags: network.serviceTags.portable(),
    request,
    cut,
    counter,
  };
  const slots: (ReachCell | undefined)[] = new Array(plan.rowCount * plan.columnCount);
  let done = 0;
  const tell = () => options.progress?.(done, plan.cellCount);
  const place = (positions: Int32Array, cells: readonly ReachCell[]) => {
    for (let i = 0; i < cells.length; i++) slots[positions[i] as number] = cells[i];
  };
  const workers = Array.from({ length: Math.max(0, options.threads - 1) }, () =>
    runWorker<MatrixMessage>("reach-matrix-worker.js", share, "reachability", (m) => {
      place(m.positions, m.cells);
      done += m.cells.length;
      tell();
    }),
  );
  const taker = new Int32Array(counter);
  for (;;) {
    const index = Atomics.add(taker, 0, 1);
    if (index >= cut.count) break;
    const { positions, cells } = computeBlock(plan, cut, index, () => {
      done++;
      tell();
    });
    place(positions, cells);
    // Lets the workers' finished blocks in between this thread's own.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(workers);
  return { ...plan.shape(), cells: slots.filter((c): c is ReachCell => c !== undefined) };
}

/** The plan of a request: its row filters made from their texts (already checked by the caller). */
export function planOf(network: Network, request: MatrixRequest): MatrixPlan {
  const filter = (texts: readonly string[] | undefined): RowFilter | undefined => {
    if (!texts) return undefined;
    const r = rowFilter(network, texts);
    if (!r.ok) throw new Error(`${texts.join(",")}: ${r.message}`);
    return r.filter;
  };
  const from = filter(request.from);
  const to = filter(request.to);
  return new MatrixPlan(new ReachAnalyzer(network), {
    groupBy: request.groupBy,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  });
}

/** Cut along columns unless the NSGs' outbound rules outweigh their inbound ones. */
function cutOf(network: Network, plan: MatrixPlan, threads: number): Cut {
  let inbound = 0;
  let outbound = 0;
  for (const nsg of network.nsgs.values()) {
    inbound += nsg.inbound.length;
    outbound += nsg.outbound.length;
  }
  const along = outbound > inbound ? "rows" : "columns";
  const length = along === "rows" ? plan.rowCount : plan.columnCount;
  const size = Math.max(1, Math.ceil(length / (BLOCKS_PER_THREAD * Math.max(1, threads))));
  return { along, size, count: Math.ceil(length / size) };
}

/** Block `index` of the cut: its cells and where each goes in the whole matrix (row × columns + column). */
export function computeBlock(
  plan: MatrixPlan,
  cut: Cut,
  index: number,
  step?: () => void,
): { positions: Int32Array; cells: ReachCell[] } {
  const span: readonly [number, number] = [
    index * cut.size,
    Math.min((index + 1) * cut.size, cut.along === "rows" ? plan.rowCount : plan.columnCount),
  ];
  const block: MatrixBlock =
    cut.along === "rows"
      ? { rows: span, columns: [0, plan.columnCount] }
      : { rows: [0, plan.rowCount], columns: span };
  const positions: number[] = [];
  const cells = plan.cells(block, step, (r, c) => positions.push(r * plan.columnCount + c));
  return { positions: Int32Array.from(positions), cells };
}
