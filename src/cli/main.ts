#!/usr/bin/env node
import { runCli } from "./program.js";
import { Style } from "./render/style.js";

const io = {
  out: (text: string) => process.stdout.write(text),
  err: (text: string) => process.stderr.write(text),
  style: Style.forStream(process.stdout),
};

process.exitCode = await runCli(process.argv.slice(2), io);
