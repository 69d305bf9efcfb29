import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { readArea, readInputFile } from "./read-file.js";

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), "tierwall-read-")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});

const codeOf = (file: string) => readInputFile(file).diagnostic?.code;

describe("readInputFile", () => {
  it("refuses a device, which would never end", () => {
    const { diagnostic } = readInputFile("/dev/zero");
    expect(diagnostic?.code).toBe("NotARegularFile");
    expect(diagnostic?.message).toBe("/dev/zero: a device, not a regular file");
  });

  it("reads a file of exactly the limit, and refuses one byte more", () => {
    vi.stubEnv("TIERWALL_MAX_FILE_MIB", "0.001"); // 1,048 bytes
    writeFileSync(join(dir, "at-limit"), "x".repeat(1048));
    writeFileSync(join(dir, "over-limit"), "x".repeat(1049));
    expect(readInputFile(join(dir, "at-limit")).bytes?.length).toBe(1048);
    const { diagnostic } = readInputFile(join(dir, "over-limit"));
    expect(diagnostic?.code).toBe("FileTooLarge");
    expect(diagnostic?.message).toContain("larger than 0.001 MiB");
    expect(diagnostic?.hint).toContain("set TIERWALL_MAX_FILE_MIB to raise it");
  });

  it("reads what a file holds beyond the size it claims, and stops at the limit", () => {
    // Files in /proc claim a size of 0.
    const status = readInputFile("/proc/self/status");
    expect(status.bytes?.toString("utf8")).toContain("Pid:");
    vi.stubEnv("TIERWALL_MAX_FILE_MIB", "0.0001"); // 104 bytes
    expect(codeOf("/proc/self/status")).toBe("FileTooLarge");
  });

  it("reads 64 MiB by default", () => {
    writeFileSync(join(dir, "big"), Buffer.alloc(64 * 2 ** 20 + 1));
    expect(codeOf(join(dir, "big"))).toBe("FileTooLarge");
  });

  it("names a limit that is not a size", () => {
    vi.stubEnv("TIERWALL_MAX_FILE_MIB", "lots");
    writeFileSync(join(dir, "small"), "x");
    const { diagnostic } = readInputFile(join(dir, "small"));
    expect(diagnostic?.code).toBe("InvalidSetting");
    expect(diagnostic?.message).toBe('TIERWALL_MAX_FILE_MIB="lots" is not a size in MiB');
  });

  it("reports a missing file and a folder", () => {
    expect(readInputFile(join(dir, "missing"), { display: "missing" }).diagnostic?.message).toBe(
      "missing: no such file",
    );
    expect(codeOf(dir)).toBe("NotARegularFile");
  });
});

describe("readArea", () => {
  it("is the nearest folder holding .git, or else the folder itself", () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "a", "b"), { recursive: true });
    expect(readArea(join(repo, "a", "b"))).toEqual({ root: repo, repository: true });
    mkdirSync(join(dir, "plain"));
    expect(readArea(join(dir, "plain"))).toEqual({ root: join(dir, "plain"), repository: false });
  });
});
