/**
 * What some tests need of the machine beyond the repository: files in the
 * shared folder beside it, or root with iproute2 and nftables. Without them
 * such a test is skipped, with the reason in its name; `.ci/run` sets
 * TIERWALL_TEST_EVERYTHING=1, and then nothing is skipped: a missing need fails.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const EVERYTHING = process.env.TIERWALL_TEST_EVERYTHING === "1";

/** The shared folder beside the repository: the guide, reference notes, real public files. */
export const SHARED = resolve(ROOT, "..", "shared");

/** A file of the shared folder (`seed/...`, `fixtures/real/...`), and why a test of it is skipped. */
export function sharedFile(path: string): { path: string; missing: string | undefined } {
  const full = join(SHARED, path);
  return {
    path: full,
    missing: EVERYTHING || existsSync(full) ? undefined : `needs ${full}, which is not there`,
  };
}

function onPath(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

/** Why the lab's tests cannot run here: they need root, iproute2 (ip), nftables (nft) and unshare. */
export function labMissing(): string | undefined {
  if (EVERYTHING) return undefined;
  if (process.getuid?.() !== 0) return "needs root";
  const missing = ["ip", "nft", "unshare", "sysctl"].filter((c) => !onPath(c));
  return missing.length > 0 ? `needs ${missing.join(", ")} on the PATH` : undefined;
}

/** A title that names why the test is skipped, when it is. */
export const titled = (title: string, missing: string | undefined): string =>
  missing === undefined ? title : `${title} (skipped: ${missing})`;

/** Debian's chromium, which the browser tests drive (`.ci/run` installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here: they need Debian's chromium. */
export function browserMissing(): string | undefined {
  if (EVERYTHING) return undefined;
  return existsSync(CHROMIUM) ? undefined : `needs ${CHROMIUM} (apt-get install chromium)`;
}
