/** A worker thread of lintOnThreads (lint.ts): lintShare's part, its messages sent to the calling thread. */
import { parentPort, workerData } from "node:worker_threads";
import { type LintShare, lintShare } from "./lint.js";

const port = parentPort;
if (port) await lintShare(workerData as LintShare, (message) => port.postMessage(message));
