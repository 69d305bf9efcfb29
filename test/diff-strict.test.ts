/** `diff` names what it did not compare, and `--strict` fails on it: an export and re-import loses environments and claims. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);
const dir = mkdtempSync(join(tmpdir(), "tierwall-diff-strict-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tierwall diff after a round trip through ARM", () => {
  it("is equivalent in what it compared, names the rest, and fails on it with --strict", () => {
    const template = join(dir, "azuredeploy.json");
    const reimported = join(dir, "reimported.yaml");
    expect(
      tierwall(["export", "arm", "examples/layered-ase", "--scope", "all", "-o", template]).code,
    ).toBe(0);
    expect(tierwall(["import", template, "-o", reimported]).code).toBe(0);
    const r = tierwall(["diff", "examples/layered-ase", reimported]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("equivalent in what was compared");
    expect(r.stdout).toContain(
      "environment apiase: only in the old version; its flows are not compared",
    );
    expect(r.stdout).toMatch(/assertions \d+ of \d+: only in the old version/);
    expect(r.stdout).toContain("tier api: only in the old version");
    expect(tierwall(["diff", "examples/layered-ase", reimported, "--strict"]).code).toBe(1);
    const json = JSON.parse(
      tierwall(["diff", "examples/layered-ase", reimported, "--json"]).stdout,
    );
    expect(json.equivalent).toBe(true);
    expect(json.notCompared).toContainEqual({
      kind: "environment",
      name: "fe1ase",
      change: "removed",
      why: "its flows are not compared",
    });
  });

  it("has nothing left out between a spec and itself, and --strict passes", () => {
    const r = tierwall(["diff", "examples/layered-ase", "examples/layered-ase", "--strict"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("equivalent: both versions allow exactly the same packets");
  });
});
