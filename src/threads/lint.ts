/**
 * lint on several threads. Each NSG's findings depend on nothing but the
 * network, the endpoints' exposure and the spec's positive claims, so the
 * calling thread works out the exposure once, and every thread (a worker
 * builds the network again from the topology) takes NSGs from a shared
 * counter until none is left; the calling thread ends its task between NSGs
 * (tasks.ts). The findings, put back in the NSGs' order, are lint's.
 */
import { setImmediate as nextTask } from "node:timers/promises";
import { type NeededClaim, neededBy } from "../analysis/assertions.js";
import { LintRun } from "../analysis/lint.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { buildNetwork, type Network, type NsgInfo } from "../model/network.js";
import { type PortableCatalog, ServiceTagCatalog } from "../model/service-tags.js";
import type { Topology } from "../model/types.js";
import { runWorker, type WorkerEnd } from "./worker.js";

/** What a worker needs to lint NSGs of the same network. */
export interface LintShare {
  readonly topology: Topology;
  readonly serviceTags: PortableCatalog;
  readonly claims: readonly NeededClaim[];
  readonly causes: readonly string[];
  /** One Int32: the next NSG to take. */
  readonly counter: SharedArrayBuffer;
}

export type LintMessage =
  | { readonly kind: "nsg"; readonly index: number; readonly findings: Diagnostic[] }
  | WorkerEnd;

/**
 * lint of `network` (built from `topology` and its service tags) on `threads`
 * threads, this one included, with what `claims` need counted as needed.
 */
export async function lintOnThreads(
  network: Network,
  topology: Topology,
  claims: readonly NeededClaim[],
  options: {
    readonly threads: number;
    readonly progress?: (done: number, total: number) => void;
  },
): Promise<Diagnostic[]> {
  const { run, share } = prepareLint(network, topology, claims);
  const total = run.nsgs.length;
  const perNsg: Diagnostic[][] = new Array(total);
  let done = 0;
  const place = (index: number, findings: Diagnostic[]) => {
    perNsg[index] = findings;
    options.progress?.(++done, total);
  };
  const workers = Array.from({ length: Math.max(0, options.threads - 1) }, () =>
    runWorker<LintMessage>("lint-worker.js", share, "lint", (m) => place(m.index, m.findings)),
  );
  await takeNsgs(run, share.counter, place);
  await Promise.all(workers);
  return run.findings(perNsg);
}

/** The calling thread's run (the endpoints' exposure worked out) and what workers are given. */
export function prepareLint(
  network: Network,
  topology: Topology,
  claims: readonly NeededClaim[],
): { run: LintRun; share: LintShare } {
  const analyzer = new ReachAnalyzer(network);
  const run = new LintRun(analyzer, neededBy(analyzer, claims));
  const share: LintShare = {
    topology,
    serviceTags: network.serviceTags.portable(),
    claims,
    causes: [...run.causes],
    counter: new SharedArrayBuffer(4),
  };
  return { run, share };
}

/**
 * A worker's part (lint-worker.ts runs it in its thread): the network built
 * again from the share, then NSGs from the shared counter until none is left,
 * each one's findings sent.
 */
export async function lintShare(
  share: LintShare,
  send: (message: LintMessage) => void,
): Promise<void> {
  const built = buildNetwork(share.topology, ServiceTagCatalog.fromPortable(share.serviceTags));
  if (!built.network) {
    // The calling thread built the same network without an error: this is a bug, said as one.
    send({
      kind: "failed",
      message: `the network did not build again (${built.diagnostics[0]?.message ?? "no diagnostic"})`,
    });
    return;
  }
  const analyzer = new ReachAnalyzer(built.network);
  const run = new LintRun(analyzer, neededBy(analyzer, share.claims), new Set(share.causes));
  await takeNsgs(run, share.counter, (index, findings) => send({ kind: "nsg", index, findings }));
  send({ kind: "done" });
}

/** Takes NSGs from the counter until none is left, ending the task after each (tasks.ts says why). */
async function takeNsgs(
  run: LintRun,
  counter: SharedArrayBuffer,
  found: (index: number, findings: Diagnostic[]) => void,
): Promise<void> {
  const taker = new Int32Array(counter);
  for (;;) {
    const index = Atomics.add(taker, 0, 1);
    if (index >= run.nsgs.length) return;
    found(index, run.nsgFindings(run.nsgs[index] as NsgInfo));
    await nextTask();
  }
}
