#!/usr/bin/env node
import { EXIT } from "./io.js";
import { runCli } from "./program.js";
import { Style } from "./render/style.js";

/**
 * Output that cannot be written is an ordinary end, for every command. Node
 * reports a failed write as an 'error' event, which unhandled ends the process
 * with a stack trace. When the reader has gone (EPIPE: `tierwall ... | head`),
 * the rest of the output is dropped without a word and the command ends with
 * its own status, as it would have had the reader read it all; any other
 * failure (ENOSPC: `> /dev/full`) is one line on stderr and exit 2.
 */
let stdoutFailed: NodeJS.ErrnoException | undefined;
let stderrFailed = false;
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (stdoutFailed) return;
  stdoutFailed = e;
  if (e.code === "EPIPE") return;
  if (!stderrFailed) process.stderr.write(`tierwall: cannot write the output: ${e.message}\n`);
  process.exitCode = EXIT.invalid;
});
// Nowhere is left to report a failure of stderr itself.
process.stderr.on("error", () => {
  stderrFailed = true;
});

const io = {
  out: (text: string) => {
    if (!stdoutFailed) process.stdout.write(text);
  },
  err: (text: string) => {
    if (!stderrFailed) process.stderr.write(text);
  },
  style: Style.forStream(process.stdout),
  interactive: process.stderr.isTTY === true,
};

const code = await runCli(process.argv.slice(2), io);
// The error event may come before or after the command's end; either way it decides.
process.exitCode = stdoutFailed && stdoutFailed.code !== "EPIPE" ? EXIT.invalid : code;
