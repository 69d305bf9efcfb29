/**
 * Start-up: whole `tierwall` processes as a user runs them, beside Node's own
 * start (`node -e 0`) in the same run. Time is the wall clock from spawn to
 * exit; memory is the process's peak resident set (VmHWM), read by a
 * preloaded module when it exits (loaded the same way for every command,
 * Node's included).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Measurement, measure, peakHook, QUICK } from "./measure.js";

/** The repository: the nearest folder above holding package.json (this file runs from bench/ and from dist-bench/bench/). */
function repository(from: string): string {
  return existsSync(join(from, "package.json")) ? from : repository(dirname(from));
}

const ROOT = repository(import.meta.dirname);
const CLI = join(ROOT, "dist", "cli", "main.js");

export interface StartupRow {
  readonly label: string;
  readonly time: Measurement;
  readonly peakMiB: number;
}

export const COMMANDS: readonly { label: string; args: readonly string[] }[] = [
  { label: "`node -e 0` (Node's own start)", args: ["-e", "0"] },
  { label: "`tierwall --version`", args: [CLI, "--version"] },
  { label: "`tierwall --help`", args: [CLI, "--help"] },
  { label: "`tierwall check examples/layered-ase`", args: [CLI, "check", "examples/layered-ase"] },
  {
    label: "`tierwall flow examples/layered-ase --from fe1ase --to apiase --port 443`",
    args: [
      CLI,
      "flow",
      "examples/layered-ase",
      "--from",
      "fe1ase",
      "--to",
      "apiase",
      "--port",
      "443",
    ],
  },
  {
    label: "`tierwall import examples/layered-ase/guide.ps1` (PowerShell)",
    args: [CLI, "import", "examples/layered-ase/guide.ps1"],
  },
  {
    label:
      "`tierwall import test/fixtures/terraform/hashicorp-nsg --allow-partial` (loads the HCL parser)",
    args: [CLI, "import", "test/fixtures/terraform/hashicorp-nsg", "--allow-partial"],
  },
];

export function startupBenchmarks(): StartupRow[] {
  const folder = mkdtempSync(join(tmpdir(), "tierwall-startup-"));
  const { hook, readMiB } = peakHook(folder);
  const run = (args: readonly string[], preload: boolean) => {
    const r = spawnSync(process.execPath, preload ? ["--import", hook, ...args] : [...args], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  };
  try {
    return COMMANDS.map(({ label, args }) => {
      const time = measure(label, () => run(args, false), { warmup: 2, runs: 11 });
      const peaks: number[] = [];
      for (let i = 0; i < (QUICK ? 1 : 3); i++) {
        run(args, true);
        peaks.push(readMiB());
      }
      peaks.sort((a, b) => a - b);
      return { label, time, peakMiB: peaks[Math.floor(peaks.length / 2)] as number };
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
