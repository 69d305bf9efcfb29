/**
 * The guide's deployment as an ARM template (examples/layered-ase/azuredeploy.json)
 * through the built command, as the README shows it: imported with the
 * environments' addresses, the example's tiers and assertions added, every
 * command that reads a spec works on it as on the example.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

const EXAMPLE = readFileSync(join(ROOT, "examples/layered-ase/tierwall.yaml"), "utf8");
/** A top-level section of the example's spec, as text. */
function section(name: string): string {
  const start = EXAMPLE.indexOf(`\n${name}:`) + 1;
  const next = EXAMPLE.slice(start + 1).search(/\n[a-zA-Z]+:/);
  return next < 0 ? EXAMPLE.slice(start) : EXAMPLE.slice(start, start + 1 + next + 1);
}

describe("the guide's deployment as a template, imported", () => {
  let dir = "";
  let estate = "";
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), "tierwall-layered-template-"));
    estate = join(dir, "estate.yaml");
    const r = tierwall([
      "import",
      "examples/layered-ase/azuredeploy.json",
      "examples/layered-ase/ase-addresses.json",
      "-o",
      estate,
    ]);
    expect(r.code, r.all).toBe(0);
    writeFileSync(
      estate,
      `${readFileSync(estate, "utf8")}${section("tiers")}${section("assertions")}`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("checks as the example does: the same 19 verdicts", () => {
    const imported = tierwall(["check", estate]);
    const example = tierwall(["check", "examples/layered-ase"]);
    expect(imported.code).toBe(0);
    const verdicts = (out: string) => out.split("\n").filter((l) => /^\s+[✓✗]/.test(l));
    expect(verdicts(example.stdout)).toHaveLength(19);
    // Addresses of Dynamic hosts show by their subnet; the verdicts and deciding rules are the same.
    expect(verdicts(imported.stdout)).toEqual(verdicts(example.stdout));
    expect(imported.stdout).toContain("19 assertions: 19 held, 0 failed");
  });

  it("verifies, lints and synthesizes", () => {
    expect(tierwall(["verify", estate]).code).toBe(0);
    const lint = tierwall(["lint", estate]);
    expect(lint.code, lint.all).toBe(0);
    const synth = tierwall(["synth", estate]);
    expect(synth.code, synth.all).toBe(0);
    expect(synth.stdout).toContain("proven over every packet");
  });

  it("without the addresses, denies the front ends' calls and says why", () => {
    const bare = join(dir, "bare.yaml");
    const r = tierwall(["import", "examples/layered-ase/azuredeploy.json", "-o", bare]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("EnvironmentAddressNotKnown");
    writeFileSync(bare, `${readFileSync(bare, "utf8")}${section("assertions")}`);
    const check = tierwall(["check", bare]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("Tcp <fe1ase>:49152 -> 10.0.4.x:443");
  });
});
