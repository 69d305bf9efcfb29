import { Worker } from "node:worker_threads";

/** How every worker of this folder ends: done, or failed with why (a bug, since the caller built the same network). */
export type WorkerEnd =
  | { readonly kind: "done" }
  | { readonly kind: "failed"; readonly message: string };

/**
 * Runs the worker `file` of this folder on `share`, giving each of its
 * messages but its end to `onMessage`. Resolves once it has said it is done
 * and exited; rejects, naming `what`, when it stops before.
 */
export function runWorker<M extends { readonly kind: string }>(
  file: string,
  share: unknown,
  what: string,
  onMessage: (message: Exclude<M, WorkerEnd>) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`./${file}`, import.meta.url), { workerData: share });
    let finished = false;
    let failure: string | undefined;
    worker.on("message", (message: M | WorkerEnd) => {
      if (message.kind === "done") finished = true;
      else if (message.kind === "failed")
        failure = (message as WorkerEnd & { kind: "failed" }).message;
      else onMessage(message as Exclude<M, WorkerEnd>);
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (finished) resolve();
      else
        reject(
          new Error(
            `a ${what} thread stopped (exit code ${code}) before it was done${failure ? `: ${failure}` : ""}`,
          ),
        );
    });
  });
}
