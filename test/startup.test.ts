/**
 * Start-up pays only for what a command uses: the modules a file loads before
 * any of its code runs (its static imports, followed through the build) hold
 * no command's work and no Terraform parser. Commands load their own modules
 * when they run, and the Terraform parser loads only to read Terraform.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../bench/startup.js";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

const DIST = join(ROOT, "dist");
const STATIC_IMPORT = /^\s*(?:import|export)\s[^;]*?from\s*"([^"]+)";|^\s*import\s*"([^"]+)";/gm;

/** The build's files and the packages a module loads statically, itself included. */
function staticClosure(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const specifier = (m[1] ?? m[2]) as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier));
      else if (!specifier.startsWith("node:"))
        packages.add(
          specifier
            .split("/")
            .slice(0, specifier.startsWith("@") ? 2 : 1)
            .join("/"),
        );
    }
  };
  visit(join(DIST, entry));
  return { files: [...files].map((f) => relative(DIST, f)).sort(), packages: [...packages].sort() };
}

beforeAll(requireBuild);

describe("start-up", () => {
  it("loads the command line and nothing of any command before a command runs", () => {
    const { files, packages } = staticClosure("cli/main.js");
    expect(packages).toEqual(["commander"]);
    // Every command's output reaches the terminal through render/terminal.js; --version reads package-info.js.
    expect(files).toEqual([
      "cli/io.js",
      "cli/main.js",
      "cli/package-info.js",
      "cli/program.js",
      "cli/render/style.js",
      "cli/render/terminal.js",
      "model/hidden-characters.js",
    ]);
  });

  it("checks a spec with the spec's parser and schema, and not the JSON Schema writer or Terraform's parser", () => {
    const { packages } = staticClosure("cli/commands/check.js");
    expect(packages).toEqual(["ipaddr.js", "valibot", "yaml"]);
  });

  it("loads the Terraform parser only to read Terraform", () => {
    for (const entry of ["index.js", "formats/catalog.js", "cli/commands/formats.js"])
      expect(staticClosure(entry).packages, entry).not.toContain("@cdktf/hcl2json");
    expect(staticClosure("formats/terraform/module.js").packages).toContain("@cdktf/hcl2json");
  });

  it("runs every command the start-up benchmark times", () => {
    for (const { label, args } of COMMANDS) {
      const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
      expect(run.status, `${label}: ${run.stderr}`).toBe(0);
    }
  });

  it("answers --version and --help without loading a command", () => {
    const version = tierwall(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(
      `${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`,
    );
    const help = tierwall(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: tierwall");
  });
});
