/**
 * The command's files and streams under hostile conditions: -o in a shared
 * folder, standard output closed or full, and inputs that are devices, FIFOs,
 * huge, or outside the repository.
 */
import { type SpawnSyncOptions, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeAtomically } from "../src/cli/output.js";
import { CLI, ROOT, requireBuild } from "./support/cli.js";

const LAYERED = join(ROOT, "examples", "layered-ase");
/** Long enough for a slow machine, short enough that a hang fails the test instead of the run. */
const TIMEOUT = 20_000;

let dir: string;
let count = 0;
beforeAll(() => {
  requireBuild();
  dir = realpathSync(mkdtempSync(join(tmpdir(), "tierwall-io-")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh empty folder. */
function folder(): string {
  const path = join(dir, String(count++));
  mkdirSync(path);
  return path;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The built command, killed if it takes longer than TIMEOUT. */
function run(args: readonly string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: TIMEOUT,
    ...options,
  });
  return {
    code: r.status,
    signal: r.signal,
    stdout: String(r.stdout ?? ""),
    stderr: String(r.stderr ?? ""),
  };
}

/** The command run by sh, after `setup` (a umask, a ulimit). */
function runAfter(setup: string, args: readonly string[], cwd: string): Run {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a}'`).join(" ");
  const r = spawnSync("sh", ["-c", `${setup}; exec ${quoted}`], {
    cwd,
    encoding: "utf8",
    timeout: TIMEOUT,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const noStackTrace = (text: string) => {
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain("node:internal");
};

const mode = (path: string) => statSync(path).mode & 0o777;

describe("-o writes a file whole, and only that file", () => {
  it("does not follow a link planted at the temporary name the write once used", () => {
    const shared = folder();
    const victim = join(folder(), "victim");
    writeFileSync(victim, "precious\n");
    const planted = join(shared, `.out.yaml.${process.pid}.tmp`);
    symlinkSync(victim, planted);
    writeAtomically(join(shared, "out.yaml"), "written\n");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(shared, "out.yaml")).isFile()).toBe(true);
    expect(readFileSync(join(shared, "out.yaml"), "utf8")).toBe("written\n");
    expect(readlinkSync(planted)).toBe(victim);
    // Nothing else was left behind.
    expect(readdirSync(shared).sort()).toEqual([`.out.yaml.${process.pid}.tmp`, "out.yaml"]);
  });

  it("leaves no temporary file after a success, nor after a failed write", () => {
    const out = folder();
    const ok = run(["export", "arm", LAYERED, "-o", join(out, "azuredeploy.json")]);
    expect(ok.code).toBe(0);
    expect(readdirSync(out)).toEqual(["azuredeploy.json"]);
    // No file may grow past 0 blocks: the write fails after the temporary file is created,
    // whoever runs the test (root is bound by the limit too).
    const failed = runAfter(
      "trap '' XFSZ; ulimit -f 0",
      ["export", "arm", LAYERED, "-o", "azuredeploy.json"],
      folder(),
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain("error: cannot write azuredeploy.json:");
    noStackTrace(failed.stderr);
    const left = join(dir, String(count - 1));
    expect(readdirSync(left)).toEqual([]);
  });

  it("keeps an existing file's mode, and gives a new one the umask's", () => {
    const out = folder();
    writeFileSync(join(out, "kept.json"), "old\n");
    chmodSync(join(out, "kept.json"), 0o604);
    const kept = runAfter("umask 077", ["export", "arm", LAYERED, "-o", "kept.json"], out);
    expect(kept.code).toBe(0);
    expect(readFileSync(join(out, "kept.json"), "utf8")).toContain("networkSecurityGroups");
    expect(mode(join(out, "kept.json"))).toBe(0o604);
    const fresh = runAfter("umask 027", ["schema", "-o", "new.json"], out);
    expect(fresh.code).toBe(0);
    expect(mode(join(out, "new.json"))).toBe(0o640);
  });

  it("refuses to write onto a symbolic link, leaving the link and its target as they were", () => {
    const out = folder();
    writeFileSync(join(out, "target.json"), "mine\n");
    symlinkSync(join(out, "target.json"), join(out, "link.json"));
    const r = run(["export", "arm", LAYERED, "-o", join(out, "link.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("it is a symbolic link; name the file it leads to");
    expect(readlinkSync(join(out, "link.json"))).toBe(join(out, "target.json"));
    expect(readFileSync(join(out, "target.json"), "utf8")).toBe("mine\n");
    expect(readdirSync(out).sort()).toEqual(["link.json", "target.json"]);
  });

  it("refuses to replace what is not a regular file", () => {
    const out = folder();
    spawnSync("mkfifo", [join(out, "pipe")]);
    const r = run(["schema", "-o", join(out, "pipe")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not a regular file");
    expect(lstatSync(join(out, "pipe")).isFIFO()).toBe(true);
  });

  it("rejects an empty file name rather than printing", () => {
    for (const args of [
      ["export", "arm", LAYERED, "-o", ""],
      ["schema", "-o", ""],
      ["import", join(LAYERED, "guide.ps1"), "-o", ""],
      ["synth", LAYERED, "-o", ""],
    ]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("the file name is empty");
    }
  });
});

describe("standard output closed by its reader, or full", () => {
  /** The command with its standard output's reading end closed before it writes. */
  function withClosedOutput(args: readonly string[]): Promise<Run> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        timeout: TIMEOUT,
      });
      child.stdout.destroy();
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.on("error", fail);
      child.on("close", (code, signal) => done({ code, signal, stdout: "", stderr }));
    });
  }

  it("ends quietly with the command's own status when the reader has gone", async () => {
    const r = await withClosedOutput(["export", "arm", LAYERED]);
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(r.stderr).not.toContain("EPIPE");
    noStackTrace(r.stderr);

    const changed = folder();
    cpSync(LAYERED, changed, { recursive: true });
    const spec = join(changed, "tierwall.yaml");
    const text = readFileSync(spec, "utf8");
    writeFileSync(spec, text.replace("198.51.100.22", "198.51.100.23"));
    const failing = await withClosedOutput(["check", changed]);
    expect(failing).toMatchObject({ code: 1, stderr: "" });
  });

  it("reports a full device in one line, exit 2", () => {
    for (const args of [["check", LAYERED], ["check", LAYERED, "--json"], ["schema"]]) {
      const full = openSync("/dev/full", "w");
      try {
        const r = run(args, { stdio: ["ignore", full, "pipe"] });
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(
          "tierwall: cannot write the output: ENOSPC: no space left on device, write\n",
        );
      } finally {
        closeSync(full);
      }
    }
  });
});

describe("reads are bounded, of regular files, and inside the spec's repository", () => {
  const RULES = `networkSecurityGroups:
  - name: nsg
    securityRules:
      - { name: r, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: Storage, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" }
`;
  const TAGS =
    '{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["20.38.0.0/16"]}}]}';
  /** A repository holding a spec that names `tags` as its serviceTags (line 1, column 14). */
  function repoSpec(tags: string): string {
    const repo = folder();
    mkdirSync(join(repo, ".git"));
    writeFileSync(join(repo, "tierwall.yaml"), `serviceTags: ${tags}\n${RULES}`);
    return repo;
  }
  /** The one diagnostic of `check --json`: code and where. */
  function reported(r: Run): string[] {
    const json = JSON.parse(r.stdout) as {
      diagnostics: { code: string; file?: string; line?: number; column?: number }[];
    };
    return json.diagnostics.map((d) =>
      d.file === undefined ? d.code : `${d.code} ${d.file}:${d.line}:${d.column}`,
    );
  }

  it("refuses devices at once: check, import and a spec's serviceTags", () => {
    const check = run(["check", "/dev/zero"]);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(
      "error NotARegularFile: /dev/zero: a device, not a regular file",
    );
    const imported = run(["import", "arm", "/dev/zero"]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain("error NotARegularFile: /dev/zero: a device");
    const repo = repoSpec("/dev/zero");
    const tags = run(["check", repo, "--json"]);
    expect(tags.code).toBe(2);
    expect(reported(tags)).toEqual([`PathNotAllowed ${join(repo, "tierwall.yaml")}:1:14`]);
    const allowed = run(["check", repo, "--json"], {
      env: { ...process.env, TIERWALL_ALLOW_OUTSIDE_PATHS: "1" },
    });
    expect(reported(allowed)).toEqual([`NotARegularFile ${join(repo, "tierwall.yaml")}:1:14`]);
  });

  it("refuses a FIFO without waiting for a writer", () => {
    const repo = repoSpec("tags.json");
    spawnSync("mkfifo", [join(repo, "tags.json")]);
    const tags = run(["check", repo, "--json"]);
    expect(tags.signal).toBe(null);
    expect(reported(tags)).toEqual([`NotARegularFile ${join(repo, "tierwall.yaml")}:1:14`]);
    const fifo = join(folder(), "tierwall.yaml");
    spawnSync("mkfifo", [fifo]);
    const check = run(["check", fifo]);
    expect(check).toMatchObject({ code: 2, signal: null });
    expect(check.stdout).toContain("a named pipe, not a regular file");
    const imported = run(["import", "arm", fifo]);
    expect(imported).toMatchObject({ code: 2, signal: null });
    expect(imported.stderr).toContain("NotARegularFile");
  });

  it("refuses a file over the size limit, saying how to raise it", () => {
    const small = { env: { ...process.env, TIERWALL_MAX_FILE_MIB: "0.001" } };
    const check = run(["check", LAYERED], small);
    expect(check.code).toBe(2);
    expect(check.stdout).toContain(
      "error FileTooLarge: examples/layered-ase/tierwall.yaml: larger than 0.001 MiB",
    );
    expect(check.stdout).toContain("hint: set TIERWALL_MAX_FILE_MIB to raise it");
    const imported = run(["import", join(LAYERED, "guide.ps1")], small);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain("error FileTooLarge:");
  });

  it("refuses /etc/passwd as serviceTags, and never prints its text, allowed or not", () => {
    const repo = repoSpec("/etc/passwd");
    for (const args of [
      ["check", repo],
      ["check", repo, "--json"],
    ]) {
      const r = run(args);
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain("PathNotAllowed");
      expect(r.stdout + r.stderr).not.toContain("root:");
    }
    const allowed = run(["check", repo], {
      env: { ...process.env, TIERWALL_ALLOW_OUTSIDE_PATHS: "1" },
    });
    expect(allowed.code).toBe(2);
    expect(allowed.stdout).toContain("error InvalidSyntax: not valid JSON: unexpected character");
    expect(allowed.stdout).toContain("--> /etc/passwd:1:1");
    expect(allowed.stdout + allowed.stderr).not.toContain("root:");
  });

  it("refuses a link in the repository that leads out of it, unless outside paths are allowed", () => {
    const outside = folder();
    writeFileSync(join(outside, "tags.json"), TAGS);
    const repo = repoSpec("tags.json");
    symlinkSync(join(outside, "tags.json"), join(repo, "tags.json"));
    const refused = run(["check", repo]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(
      `error PathNotAllowed: ${join(repo, "tags.json")} leads to ${join(outside, "tags.json")}, which is outside the repository ${repo}`,
    );
    expect(refused.stdout).toContain("hint: tierwall reads only files inside it");
    const allowed = run(["check", repo], {
      env: { ...process.env, TIERWALL_ALLOW_OUTSIDE_PATHS: "1" },
    });
    expect(allowed.code).toBe(0);
    // A Terraform module's file that leads out of its folder is refused the same way.
    const module = folder();
    writeFileSync(join(outside, "main.tf"), "");
    symlinkSync(join(outside, "main.tf"), join(module, "main.tf"));
    const imported = run(["import", module]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain("error PathNotAllowed:");
  });

  it("reports an empty serviceTags at its value", () => {
    const repo = repoSpec('""');
    const r = run(["check", repo, "--json"]);
    expect(r.code).toBe(2);
    expect(reported(r)).toEqual([`InvalidValue ${join(repo, "tierwall.yaml")}:1:14`]);
  });
});
