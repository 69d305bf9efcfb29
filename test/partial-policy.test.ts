/**
 * A spec whose import could not read everything carries a `partial` section;
 * every analysis command says, on stderr and in its JSON, that its answers are
 * about a partial policy and how many items are missing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";
import { loadSpecText } from "./support/spec.js";

const PARTIAL = `
partial:
  - what: security rule "deny-admin" of network security group "RestrictBackendApi"
    why: "priority: [parameters('p')] cannot be known without deploying"
    source: azuredeploy.json:12:21
  - what: the NSG of subnet "API-ASE-Subnet"
    why: "$(az network nsg show --query id) is known only when the script runs"
`;

describe("a spec's partial section", () => {
  it("is read with the spec, and checked like every section", () => {
    const example = readFileSync(join(ROOT, "examples/layered-ase/tierwall.yaml"), "utf8");
    const loaded = loadSpecText(example + PARTIAL);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.spec?.partial).toEqual([
      {
        what: 'security rule "deny-admin" of network security group "RestrictBackendApi"',
        why: "priority: [parameters('p')] cannot be known without deploying",
        source: "azuredeploy.json:12:21",
      },
      {
        what: 'the NSG of subnet "API-ASE-Subnet"',
        why: "$(az network nsg show --query id) is known only when the script runs",
      },
    ]);
    expect(loadSpecText(example).spec?.partial).toEqual([]);
    const typo = loadSpecText(`${example}\npartial:\n  - what: x\n    why: y\n    sorce: z\n`);
    expect(typo.diagnostics).toContainEqual(
      expect.objectContaining({ code: "UnknownProperty", path: ["partial", 0, "sorce"] }),
    );
  });
});

describe("every analysis command on a partial spec", () => {
  let dir: string;
  let spec: string;
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), "tierwall-partial-"));
    spec = join(dir, "tierwall.yaml");
    writeFileSync(
      spec,
      readFileSync(join(ROOT, "examples/layered-ase/tierwall.yaml"), "utf8") + PARTIAL,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const commands: [string, string[]][] = [
    ["check", ["check", "SPEC"]],
    ["verify", ["verify", "SPEC"]],
    ["flow", ["flow", "SPEC", "--from", "fe1ase", "--to", "apiase", "--port", "443"]],
    ["rules", ["rules", "SPEC", "--subnet", "API-ASE-Subnet"]],
    ["reach", ["reach", "SPEC"]],
    ["exposure", ["exposure", "SPEC"]],
    ["lint", ["lint", "SPEC"]],
    ["synth", ["synth", "SPEC"]],
    ["diff", ["diff", "examples/layered-ase", "SPEC"]],
    ["export", ["export", "arm", "SPEC"]],
    ["export nftables", ["export", "nftables", "SPEC", "--subnet", "API-ASE-Subnet"]],
  ];
  const notice =
    "warning PartialPolicy: the answers are about a partial policy: 2 items its import could not read are missing from";

  for (const [name, args] of commands)
    it(`${name} says so on stderr and in its JSON`, () => {
      const argv = args.map((a) => (a === "SPEC" ? spec : a));
      const text = tierwall(argv);
      expect(text.code, text.all).toBeLessThan(2);
      expect(text.stderr).toContain(notice);
      const json = tierwall([...argv, "--json"]);
      expect(json.code, json.all).toBeLessThan(2);
      expect(JSON.parse(json.stdout).partial).toEqual([
        expect.objectContaining({ file: spec, missing: 2 }),
      ]);
    });

  it("lint's SARIF carries it in the run's properties", () => {
    const sarif = JSON.parse(tierwall(["lint", spec, "--format", "sarif"]).stdout);
    expect(sarif.runs[0].properties.partial).toEqual([
      expect.objectContaining({ file: spec, missing: 2 }),
    ]);
  });

  it("a whole spec gets no notice", () => {
    const r = tierwall(["check", "examples/layered-ase", "--json"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).partial).toBeUndefined();
  });
});
