/** The built command, run as a user runs it, for end-to-end tests. */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CLI = join(ROOT, "dist", "cli", "main.js");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout then stderr. */
  readonly all: string;
}

/**
 * `tierwall ARGS` in `cwd` (the repository by default). The colour settings of
 * the test's own environment do not leak in; `env` adds to what is left.
 */
export function tierwall(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): CliRun {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  Object.assign(env, options.env);
  const run = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    encoding: "utf8",
    env,
    // A matrix's JSON passes the default megabyte.
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, all: run.stdout + run.stderr };
}

/** For a beforeAll: the tests run the build, which `npm test` makes first. */
export function requireBuild(): void {
  if (!existsSync(CLI))
    throw new Error("dist/ is missing: npm test builds it before running the tests");
}
