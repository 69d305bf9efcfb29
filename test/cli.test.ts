import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

/**
 * The round trip's policy is the spec's but for the public addresses written
 * on interfaces, which the export says it does not write (NotExported): the
 * Internet no longer reaches those interfaces, and nothing else differs.
 */
function sameButPublicAddresses(spec: string, back: string, interfaces: string[]): void {
  const r = tierwall(["diff", spec, back, "--json"]);
  expect(r.code).toBe(1);
  const diff = JSON.parse(r.stdout) as {
    nsgs: unknown[];
    flows: { from: string; to: string; newlyAllowed: { lines: unknown[] } }[];
  };
  expect(diff.nsgs).toEqual([]);
  expect(diff.flows.map((f) => [f.from, f.to, f.newlyAllowed.lines.length])).toEqual(
    interfaces.map((nic) => ["Internet", nic, 0]),
  );
}

const LAYERED = join(ROOT, "examples", "layered-ase");

const noStackTrace = (text: string) => {
  expect(text).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
  expect(text).not.toMatch(/\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/);
};

beforeAll(requireBuild);

describe("tierwall check", () => {
  it("holds every assertion of the seed's example", () => {
    const r = tierwall(["check", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/(\d+) assertions: \1 held, 0 failed/);
    expect(r.stdout).toContain("Deny by defaultSecurityRules/DenyAllInBound");
    const json = JSON.parse(tierwall(["check", "examples/layered-ase", "--json"]).stdout);
    expect(json.summary).toEqual({ held: json.assertions.length, failed: 0, invalid: 0 });
    expect(json.assertions.length).toBeGreaterThanOrEqual(15);
  });

  it("holds every assertion of the ASG example", () => {
    expect(tierwall(["check", "examples/asg-tiers"]).code).toBe(0);
  });

  it("finds tierwall.yaml in the current folder when no spec is given", () => {
    const r = tierwall(["check"], { cwd: LAYERED });
    expect(r.code).toBe(0);
  });

  describe("when a front end's outbound address changes", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "tierwall-cli-"));
      cpSync(LAYERED, dir, { recursive: true });
      const file = join(dir, "tierwall.yaml");
      const text = readFileSync(file, "utf8");
      // fe2ase now leaves through another address, which the NSG does not know.
      writeFileSync(
        file,
        text.replace("publicIPAddress: 198.51.100.22", "publicIPAddress: 198.51.100.23"),
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("fails, naming the flow and the rule that denied it", () => {
      const r = tierwall(["check", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        "expected Allow, got Deny: fe2ase -> apiase Tcp port 80 is Deny by defaultSecurityRules/DenyAllInBound",
      );
      expect(r.stdout).toContain("Tcp 198.51.100.23:49152 -> 10.0.4.4:443");
      // The stale rule still admits fe2ase's old address, which now belongs to nobody.
      expect(r.stdout).toContain("for example: Tcp 198.51.100.22:49152 -> 10.0.4.4:443");
      expect(r.stdout).toMatch(/3 failed/);
      const json = JSON.parse(tierwall(["check", dir, "--json"]).stdout);
      const failed = json.assertions.filter(
        (a: { status: string; kind: string }) => a.status === "failed" && a.kind === "flow",
      );
      expect(failed.map((a: { port: number }) => a.port)).toEqual([80, 443]);
      expect(failed[0].result.rule).toBe("defaultSecurityRules/DenyAllInBound");
      expect(failed[0].location.line).toBeGreaterThan(1);
    });
  });

  it("reports an assertion naming an unknown endpoint as invalid, with its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-cli-"));
    try {
      cpSync(LAYERED, dir, { recursive: true });
      const file = join(dir, "tierwall.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("from: fe3ase", "from: fe4ase"));
      const r = tierwall(["check", dir]);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain('"fe4ase" is not an environment');
      expect(r.stdout).toMatch(/tierwall\.yaml:\d+:5/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a missing spec without a stack trace", () => {
    const r = tierwall(["check", "no/such/folder"]);
    expect(r.code).toBe(2);
    expect(r.all).toContain("SpecNotFound");
    noStackTrace(r.all);
  });
});

describe("tierwall flow", () => {
  it("prints the decision, the deciding rule and the trace", () => {
    const r = tierwall([
      "flow",
      "examples/layered-ase",
      "--from",
      "fe1ase",
      "--to",
      "apiase",
      "--port",
      "443",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Allow by securityRules/ALLOW-HTTPS-fe1ase of RestrictBackendApi");
  });

  it("prints Network Watcher's fields as JSON", () => {
    const r = tierwall([
      "flow",
      "examples/layered-ase",
      "--from",
      "203.0.113.99",
      "--to",
      "apiase",
      "--port",
      "443",
      "--json",
    ]);
    const json = JSON.parse(r.stdout);
    expect(json.access).toBe("Deny");
    expect(json.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(json.nsg).toBe("RestrictBackendApi");
    expect(json.trace).toHaveLength(1);
    expect(json.trace[0].packet).toBe("Tcp 203.0.113.99:49152 -> 10.0.4.4:443");
  });

  it("rejects bad arguments with exit 2", () => {
    expect(
      tierwall([
        "flow",
        "examples/layered-ase",
        "--from",
        "fe1ase",
        "--to",
        "apiase",
        "--port",
        "70000",
      ]).code,
    ).toBe(2);
    expect(
      tierwall([
        "flow",
        "examples/layered-ase",
        "--from",
        "fe1ase",
        "--to",
        "apiase",
        "--protocol",
        "Gre",
        "--port",
        "1",
      ]).code,
    ).toBe(2);
    const r = tierwall([
      "flow",
      "examples/layered-ase",
      "--from",
      "nowhere",
      "--to",
      "apiase",
      "--port",
      "1",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"nowhere" is not an environment');
    noStackTrace(r.all);
  });
});

describe("tierwall rules", () => {
  it("lists the effective rules of a subnet, defaults included", () => {
    const r = tierwall(["rules", "examples/layered-ase", "--subnet", "API-ASE-Subnet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("securityRules/ALLOW-AzureMngmt");
    expect(r.stdout).toContain("defaultSecurityRules/DenyAllOutBound");
  });

  it("prints az-shaped JSON with expanded prefixes", () => {
    const json = JSON.parse(
      tierwall(["rules", "examples/asg-tiers", "--nic", "db1-nic", "--json"]).stdout,
    );
    const groups = json.value[0].networkSecurityGroups;
    expect(groups.map((g: { association: { type: string } }) => g.association.type)).toEqual([
      "subnet",
      "networkInterface",
    ]);
    const rule = groups[0].effectiveSecurityRules.find(
      (r: { name: string }) => r.name === "securityRules/allow-api-to-db",
    );
    expect(rule.expandedSourceAddressPrefix).toEqual(["10.20.1.20/32"]);
    expect(rule.destinationPortRange).toEqual(["1433-1433"]);
  });
});

describe("tierwall verify", () => {
  it("proves only the assertions over every packet", () => {
    const r = tierwall(["verify", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/4 assertions: 4 held, 0 failed/);
    const json = JSON.parse(tierwall(["verify", "examples/three-tier", "--json"]).stdout);
    expect(json.assertions.map((a: { kind: string }) => a.kind)).toEqual([
      "onlyFrom",
      "onlyFrom",
      "exposure",
      "isolate",
    ]);
  });
});

describe("tierwall reach and exposure", () => {
  it("prints the matrix of the seed's architecture", () => {
    const r = tierwall(["reach", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    const row = (name: string) =>
      r.stdout
        .split("\n")
        .find((l) => l.startsWith(name))
        ?.split(/\s{2,}/);
    expect(row("fe1ase")).toEqual(["fe1ase", "all", "all", "all", "Tcp 80,443,454-455", "all"]);
    expect(row("Internet")).toEqual(["Internet", "all", "all", "all", "Tcp 454-455"]);
  });

  it("prints the matrix as JSON and Markdown", () => {
    const json = JSON.parse(tierwall(["reach", "examples/asg-tiers", "--json"]).stdout);
    const cell = json.matrix.find(
      (c: { from: string; to: string }) => c.from === "web1" && c.to === "api1",
    );
    expect(cell.all).toBe(false);
    expect(cell.allowed).toEqual([
      {
        protocols: ["Tcp"],
        source: ["10.20.1.10/32"],
        destination: ["10.20.1.20/32"],
        destinationPorts: ["8443"],
        sourcePorts: ["*"],
      },
    ]);
    const md = tierwall(["reach", "examples/asg-tiers", "--format", "markdown"]).stdout;
    expect(md).toContain("| web1 | all | - | Tcp 8443 | - | all |");
    expect(tierwall(["reach", "examples/asg-tiers", "--format", "html"]).code).toBe(2);
  });

  it("prints what the Internet reaches of each environment", () => {
    const r = tierwall(["exposure", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "apiase\n  Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32,198.51.100.11/32,198.51.100.22/32,198.51.100.33/32,203.0.113.40/32 -> 10.0.4.4/32 ports 454-455\n  Tcp 198.51.100.11/32,198.51.100.22/32,198.51.100.33/32,203.0.113.40/32 -> 10.0.4.4/32 ports 80,443,454-455",
    );
    const json = JSON.parse(tierwall(["exposure", "examples/asg-tiers", "--json"]).stdout);
    const db = json.exposure.find((e: { environment: string }) => e.environment === "db1");
    expect(db.exposed).toEqual([]);
  });
});

describe("tierwall lint", () => {
  it("is clean on the examples and exits 0", () => {
    const r = tierwall(["lint", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("clean");
  });

  it("exits 1 on findings at error level, with SARIF results on the spec's lines", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-lint-"));
    try {
      const text = readFileSync(join(LAYERED, "tierwall.yaml"), "utf8").replace(
        / {6}- name: ALLOW-HTTPS?-apiase\n(?: {8}.*\n)+/g,
        "",
      );
      writeFileSync(join(dir, "tierwall.yaml"), text);
      const r = tierwall(["lint", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        "error AseSelfCallNotAllowed: apiase calls itself through its outbound address 203.0.113.40",
      );
      const sarif = JSON.parse(tierwall(["lint", dir, "--format", "sarif"]).stdout);
      expect(sarif.version).toBe("2.1.0");
      const result = sarif.runs[0].results[0];
      expect(result.ruleId).toBe("AseSelfCallNotAllowed");
      expect(result.level).toBe("error");
      const line = text.split("\n").findIndex((l) => l.includes("- name: apiase")) + 1;
      expect(result.locations[0].physicalLocation.region).toEqual({
        startLine: line,
        startColumn: 5,
      });
      const rules = sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id);
      expect(rules[result.ruleIndex]).toBe("AseSelfCallNotAllowed");
      const json = JSON.parse(tierwall(["lint", dir, "--json"]).stdout);
      expect(json.findings[0]).toMatchObject({
        severity: "error",
        code: "AseSelfCallNotAllowed",
        line,
      });
      expect(tierwall(["lint", dir, "--format", "xml"]).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tierwall synth", () => {
  it("prints the guide's rules in its style, proven, and writes them in with -o", () => {
    const r = tierwall(["synth", "--style", "seed", "examples/layered-ase"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "# RestrictBackendApi (updated) on subnet yourvnetnamehere/API-ASE-Subnet, for tier api: proven over every packet",
    );
    expect(r.stdout).toContain("no change in allowed traffic");
    const dir = mkdtempSync(join(tmpdir(), "tierwall-synth-"));
    try {
      const out = join(dir, "tierwall.yaml");
      expect(tierwall(["synth", "examples/layered-ase", "-o", out]).code).toBe(0);
      expect(tierwall(["diff", "examples/layered-ase", out]).code).toBe(0);
      const json = JSON.parse(tierwall(["synth", "examples/layered-ase", "--json"]).stdout);
      expect(json.nsgs[0].rules).toHaveLength(2);
      expect(json.equivalent).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with the reason when the intent cannot be met, and rejects bad options", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-synth-"));
    try {
      const text = readFileSync(join(LAYERED, "tierwall.yaml"), "utf8").replaceAll(
        "kind: AppServiceEnvironmentV1",
        "kind: AppServiceEnvironmentV2",
      );
      // A service-tags file without AppServiceManagement (without a file, the tag is known by name).
      const lacking = `serviceTags:\n  values:\n    - name: Storage\n      properties: { addressPrefixes: [20.38.0.0/16] }\n`;
      writeFileSync(join(dir, "tierwall.yaml"), lacking + text);
      const r = tierwall(["synth", dir]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("SynthesisImpossible");
      expect(r.stderr).toContain("AppServiceManagement");
      expect(tierwall(["synth", "examples/layered-ase", "--style", "fancy"]).code).toBe(2);
      expect(tierwall(["synth", "examples/layered-ase", "--step", "0"]).code).toBe(2);
      expect(tierwall(["synth", "examples/asg-tiers"]).stderr).toContain("NoTiers");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tierwall import and export", () => {
  it("imports the guide's classic PowerShell, and exports it as an ARM template that imports back the same", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const imported = tierwall([
        "import",
        "powershell",
        "examples/layered-ase/guide.ps1",
        "-o",
        join(dir, "guide.yaml"),
      ]);
      expect(imported.code).toBe(0);
      expect(imported.stderr).toContain("RenamedForResourceManager");
      const spec = readFileSync(join(dir, "guide.yaml"), "utf8");
      expect(spec).toContain("name: ALLOW-HTTPS-apiase");
      expect(spec).toContain("networkSecurityGroup: RestrictBackendApi");
      // An address the guide leaves as a placeholder: checking names it.
      writeFileSync(
        join(dir, "placeholder.yaml"),
        spec.replace("sourceAddressPrefix: 198.51.100.11", "sourceAddressPrefix: 65.52.xx.xyz"),
      );
      const check = tierwall(["check", join(dir, "placeholder.yaml")]);
      expect(check.code).toBe(2);
      expect(check.stdout).toContain("65.52.xx.xyz");

      // The README's import tour: check asks for what the script leaves out; with it, the NSG is the example's.
      const asked = tierwall(["check", join(dir, "guide.yaml")]);
      expect(asked.code).toBe(2);
      expect(asked.stdout).toContain(
        "error InvalidAddressPrefixFormat: virtual network yourvnetnamehere has no address space",
      );
      writeFileSync(
        join(dir, "guide.yaml"),
        spec
          .replace("addressPrefixes: []", "addressPrefixes: [10.0.0.0/16]")
          .replace(
            "- name: API-ASE-Subnet",
            "- name: API-ASE-Subnet\n        addressPrefix: 10.0.4.0/24",
          ),
      );
      const same = tierwall(["diff", "examples/layered-ase", join(dir, "guide.yaml")]);
      // The NSGs decide the same; what the script never held is named, not called equal.
      expect(same.stdout).toMatch(/^equivalent in what was compared: NSG decisions/);
      expect(same.stdout).toContain("environment apiase: only in the old version");
      expect(same.stdout).toContain("assertions 19 of 19: only in the old version");
      expect(same.code).toBe(0);
      expect(
        tierwall(["diff", "examples/layered-ase", join(dir, "guide.yaml"), "--strict"]).code,
      ).toBe(1);
      expect(
        tierwall(["export", "bicep", join(dir, "guide.yaml"), "-o", join(dir, "main.bicep")]).code,
      ).toBe(0);

      expect(
        tierwall([
          "export",
          "arm",
          "examples/layered-ase",
          "--scope",
          "all",
          "-o",
          join(dir, "azuredeploy.json"),
        ]).code,
      ).toBe(0);
      expect(
        tierwall(["import", join(dir, "azuredeploy.json"), "-o", join(dir, "back.yaml")]).code,
      ).toBe(0);
      expect(tierwall(["diff", "examples/layered-ase", join(dir, "back.yaml")]).code).toBe(0);
      const script = tierwall(["export", "azcli", "examples/layered-ase"]);
      expect(script.stdout).toContain("az network nsg rule create");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports Bicep, and reads its own az CLI script back to the same policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const bicep = tierwall([
        "export",
        "bicep",
        "examples/asg-tiers",
        "-o",
        join(dir, "main.bicep"),
      ]);
      expect(bicep.code).toBe(0);
      expect(readFileSync(join(dir, "main.bicep"), "utf8")).toContain(
        "param location string = resourceGroup().location",
      );
      writeFileSync(
        join(dir, "deploy.sh"),
        tierwall(["export", "azcli", "examples/asg-tiers"]).stdout,
      );
      // The script gives db1-nic its NSG but does not create it: alone, its addresses are not
      // known, so the association is left out (listed under partial).
      const back = tierwall([
        "import",
        join(dir, "deploy.sh"),
        "--allow-partial",
        "-o",
        join(dir, "back.yaml"),
      ]);
      expect(back.code).toBe(0);
      expect(readFileSync(join(dir, "back.yaml"), "utf8")).toContain("name: allow-web-to-api");
      expect(readFileSync(join(dir, "back.yaml"), "utf8")).toContain(
        'what: the NSG of network interface "db1-nic"',
      );
      writeFileSync(
        join(dir, "env.sh"),
        'az network nsg rule create -g rg --nsg-name web -n r --priority 100 --source-address-prefixes "$ADMIN"\n',
      );
      const unknown = tierwall(["import", "azcli", join(dir, "env.sh")]);
      expect(unknown.stderr).toMatch(/ValueNotStaticallyKnown[\s\S]*env\.sh:1:95/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("imports a template with the service-tags file its rules need, and the result is the same policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const template = join(dir, "azuredeploy.json");
      expect(
        tierwall(["export", "arm", "examples/three-tier", "--scope", "all", "-o", template]).code,
      ).toBe(0);
      const back = join(dir, "back.yaml");
      const r = tierwall(["import", template, "examples/three-tier/service-tags.json", "-o", back]);
      expect(r.code).toBe(0);
      expect(readFileSync(back, "utf8")).toContain("- name: Storage.WestUS");
      sameButPublicAddresses("examples/three-tier", back, ["web1-nic", "web2-nic"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes nothing when an import fails, and names what it could not read", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      writeFileSync(
        join(dir, "broken.json"),
        '{ "resources": [ { "type": "Microsoft.Network/networkSecurityGroups", }',
      );
      const r = tierwall(["import", join(dir, "broken.json"), "-o", join(dir, "out.yaml")]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/InvalidSyntax[\s\S]*broken\.json:1:/);
      expect(existsSync(join(dir, "out.yaml"))).toBe(false);
      writeFileSync(join(dir, "notes.txt"), "hello");
      expect(tierwall(["import", join(dir, "notes.txt")]).stderr).toContain("UnknownFormat");
      expect(tierwall(["export", "cloudformation", "examples/layered-ase"]).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("detects `az network nic list-effective-nsg` output, and with `az network vnet show` gets the example's policy", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const fixtures = join(ROOT, "test", "fixtures", "az");
      cpSync(
        join(fixtures, "effective-nsg-restrict-backend-api.json"),
        join(dir, "effective.json"),
      );
      // Alone, it cannot place the NSG on its subnet: that would take the NSG off the path.
      const alone = tierwall(["import", "effective.json"], { cwd: dir });
      expect(alone.code).toBe(2);
      expect(alone.stdout).toBe("");
      expect(alone.stderr).toMatch(/error AssociationNotImported: [\s\S]*effective\.json:6:17/);
      const partial = tierwall(["import", "effective.json", "--allow-partial"], { cwd: dir });
      expect(partial.code).toBe(0);
      expect(partial.stdout).toContain("name: RestrictBackendApi");
      expect(partial.stdout).toContain("sourceAddressPrefix: 198.51.100.11/32");
      expect(partial.stdout).toContain("source: effective.json:6:17");
      expect(partial.stderr).toMatch(/warning AssociationNotImported: [\s\S]*effective\.json:6:17/);
      const both = tierwall([
        "import",
        join(dir, "effective.json"),
        join(fixtures, "vnet-show-layered.json"),
        "-o",
        join(dir, "imported.yaml"),
      ]);
      expect(both.code).toBe(0);
      expect(tierwall(["diff", "examples/layered-ase", join(dir, "imported.yaml")]).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports Terraform that imports back to the same policy, with its variables from a .tfvars file", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const main = join(dir, "main.tf");
      expect(
        tierwall(["export", "terraform", "examples/asg-tiers", "--scope", "all", "-o", main]).code,
      ).toBe(0);
      expect(readFileSync(main, "utf8")).toContain('variable "resource_group_name" {');
      writeFileSync(join(dir, "terraform.tfvars"), 'location = "westeurope"\n');
      const back = join(dir, "back.yaml");
      const r = tierwall(["import", "terraform", main, join(dir, "terraform.tfvars"), "-o", back]);
      expect(r.code).toBe(0);
      // Nothing to say but the summary of what was read.
      expect(r.stderr).toMatch(/^summary: [^\n]*: 17 resources read; imported [^\n]*\n$/);
      expect(readFileSync(back, "utf8")).toContain("location: westeurope");
      sameButPublicAddresses("examples/asg-tiers", back, ["web1-nic", "web2-nic"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("imports a folder as Terraform does: its .tf files, then terraform.tfvars, then *.auto.tfvars in name order", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const module = join(dir, "infra");
      mkdirSync(module);
      expect(
        tierwall([
          "export",
          "terraform",
          "examples/asg-tiers",
          "--scope",
          "all",
          "-o",
          join(module, "main.tf"),
        ]).code,
      ).toBe(0);
      writeFileSync(join(module, "terraform.tfvars"), 'location = "westeurope"\n');
      writeFileSync(join(module, "b.auto.tfvars"), 'location = "northeurope"\n');
      writeFileSync(join(module, "a.auto.tfvars"), 'location = "eastus"\n');
      writeFileSync(join(module, "notes.txt"), "not read\n");
      const back = join(dir, "back.yaml");
      const r = tierwall(["import", module, "-o", back]);
      expect(r.stderr).toMatch(/^summary: [^\n]*infra\/: 17 resources read; imported [^\n]*\n$/);
      expect(r.code).toBe(0);
      // The last file to set a variable wins, as in Terraform.
      expect(readFileSync(back, "utf8")).toContain("location: northeurope");
      sameButPublicAddresses("examples/asg-tiers", back, ["web1-nic", "web2-nic"]);

      // A .tf.json file is not read: what it may declare (a deny rule, an association)
      // is left out, so the import fails, or with --allow-partial records it.
      writeFileSync(join(module, "extra.tf.json"), '{"resource": {}}\n');
      const withJson = tierwall(["import", module, "-o", join(dir, "json.yaml")]);
      expect(withJson.code).toBe(2);
      expect(withJson.stderr).toContain(
        "extra.tf.json: Terraform's JSON configuration syntax is not read; the resources it declares are left out",
      );
      expect(existsSync(join(dir, "json.yaml"))).toBe(false);
      const partial = tierwall(["import", module, "--allow-partial", "-o", join(dir, "json.yaml")]);
      expect(partial.code).toBe(0);
      expect(readFileSync(join(dir, "json.yaml"), "utf8")).toMatch(
        /partial:[\s\S]*extra\.tf\.json/,
      );

      mkdirSync(join(dir, "empty"));
      const empty = tierwall(["import", join(dir, "empty")]);
      expect(empty.code).toBe(2);
      expect(empty.stderr).toContain("NoImportableFiles");
      const arm = tierwall(["import", "arm", module]);
      expect(arm.code).toBe(2);
      expect(arm.stderr).toContain("this one is a Terraform module");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names Terraform values that are not statically known, and places HCL syntax errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      // The module's NSG and its repeated rules (of unknown access) are not known: leaving
      // them out could allow what they deny, so the import fails, naming each at its place.
      const r = tierwall(["import", "test/fixtures/terraform/nsg-module/main.tf"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /error ExpressionNotStaticallyKnown: azurerm_network_security_rule\.custom_rules\.count: length\(var\.custom_rules\) calls length\(\)[\s\S]*main\.tf:41:48/,
      );
      writeFileSync(join(dir, "bad.tf"), 'resource "azurerm_subnet" "s" {\n  name = "a\n}\n');
      const bad = tierwall(["import", join(dir, "bad.tf"), "-o", join(dir, "out.yaml")]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/InvalidSyntax: not valid HCL[\s\S]*bad\.tf:2:12/);
      noStackTrace(bad.all);
      expect(existsSync(join(dir, "out.yaml"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("--json on import, export and schema", () => {
  it("import prints its diagnostics and the spec, or names the file it wrote", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-json-"));
    try {
      const printed = tierwall(["import", "examples/layered-ase/guide.ps1", "--json"]);
      expect(printed.code).toBe(0);
      expect(printed.stderr).toBe("");
      const report = JSON.parse(printed.stdout) as {
        valid: boolean;
        diagnostics: { code: string; line: number }[];
        spec: { networkSecurityGroups: { securityRules: unknown[] }[] };
        summary: unknown[];
      };
      expect(report.valid).toBe(true);
      // The summary of what was read, source by source.
      expect(report.summary).toEqual([
        expect.objectContaining({
          source: "examples/layered-ase/guide.ps1",
          unit: "cmdlets",
          imported: expect.objectContaining({ networkSecurityGroups: 1, securityRules: 9 }),
        }),
      ]);
      expect(report.diagnostics.filter((d) => d.code === "RenamedForResourceManager")).toHaveLength(
        9,
      );
      expect(report.spec.networkSecurityGroups[0]?.securityRules).toHaveLength(9);

      const written = tierwall([
        "import",
        "examples/layered-ase/guide.ps1",
        "--json",
        "-o",
        join(dir, "t.yaml"),
      ]);
      expect(JSON.parse(written.stdout)).toMatchObject({
        valid: true,
        output: join(dir, "t.yaml"),
      });
      expect(readFileSync(join(dir, "t.yaml"), "utf8")).toContain("name: RestrictBackendApi");

      writeFileSync(join(dir, "bad.json"), '{"resources": [');
      const bad = tierwall([
        "import",
        join(dir, "bad.json"),
        "--json",
        "-o",
        join(dir, "out.yaml"),
      ]);
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout)).toMatchObject({
        valid: false,
        diagnostics: [
          { severity: "error", code: "InvalidSyntax", file: join(dir, "bad.json"), line: 1 },
        ],
      });
      expect(existsSync(join(dir, "out.yaml"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("export fits what exists by default: the NSGs and their associations; --scope all writes the whole deployment", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-formats-"));
    try {
      const fitted = tierwall(["export", "terraform", "examples/asg-tiers"]);
      expect(fitted.code).toBe(0);
      expect(fitted.stdout).toContain('data "azurerm_subnet" "tiers_vnet_workload" {');
      expect(fitted.stdout).not.toContain('resource "azurerm_virtual_network"');
      expect(fitted.stderr).toContain("ReferredAsExisting");
      const whole = tierwall(["export", "terraform", "examples/asg-tiers", "--scope", "all"]);
      expect(whole.stdout).toContain('resource "azurerm_virtual_network" "tiers_vnet" {');
      // The fitted export imports back: the NSGs, associated with the subnet of a network that exists.
      writeFileSync(join(dir, "main.tf"), fitted.stdout);
      const back = tierwall(["import", join(dir, "main.tf"), "--allow-partial"]);
      expect(back.code).toBe(0);
      expect(back.stdout).toContain("name: workload-nsg");
      expect(back.stdout).toContain("networkSecurityGroup: workload-nsg");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("export prints the text, or the errors, as JSON", () => {
    const arm = tierwall(["export", "arm", "examples/layered-ase", "--json"]);
    expect(arm.code).toBe(0);
    const report = JSON.parse(arm.stdout) as { valid: boolean; format: string; text: string };
    expect(report).toMatchObject({ valid: true, format: "arm" });
    expect(JSON.parse(report.text)).toHaveProperty("resources");
    const nft = tierwall([
      "export",
      "nftables",
      "examples/layered-ase",
      "--json",
      "--placement",
      "edge",
    ]);
    expect(nft.code).toBe(2);
    expect(JSON.parse(nft.stdout)).toMatchObject({
      valid: false,
      diagnostics: [{ code: "InvalidOption", message: "--placement: expected host or router" }],
    });
    const unknown = tierwall(["export", "yaml", "examples/layered-ase", "--json"]);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({
      valid: false,
      diagnostics: [{ code: "UnknownFormat" }],
    });
    const scope = tierwall(["export", "arm", "examples/layered-ase", "--scope", "some", "--json"]);
    expect(scope.code).toBe(2);
    expect(JSON.parse(scope.stdout)).toMatchObject({
      valid: false,
      diagnostics: [{ code: "UnknownScope", message: "export --scope some: expected nsgs or all" }],
    });
    const invalid = tierwall([
      "export",
      "bicep",
      "test/fixtures/bad-input/many-mistakes",
      "--json",
    ]);
    expect(invalid.code).toBe(2);
    expect((JSON.parse(invalid.stdout) as { valid: boolean }).valid).toBe(false);
  });

  it("schema takes it too: the schema is JSON", () => {
    const plain = tierwall(["schema"]);
    const json = tierwall(["schema", "--json"]);
    expect(json.code).toBe(0);
    expect(json.stdout).toBe(plain.stdout);
  });
});

describe("tierwall diff", () => {
  it("exits 0 for equivalent versions and 1 with the newly allowed set otherwise", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-diff-"));
    try {
      const text = readFileSync(join(LAYERED, "tierwall.yaml"), "utf8");
      writeFileSync(
        join(dir, "renamed.yaml"),
        text.replace("name: ALLOW-HTTP-fe1ase", "name: fe1-http"),
      );
      // Only fe3ase's HTTP rule (the first with its address) is widened.
      writeFileSync(
        join(dir, "broad.yaml"),
        text.replace("sourceAddressPrefix: 198.51.100.33", "sourceAddressPrefix: 198.51.100.32/30"),
      );
      const same = tierwall(["diff", "examples/layered-ase", join(dir, "renamed.yaml")]);
      expect(same.code).toBe(0);
      expect(same.stdout).toContain("equivalent");
      const broad = tierwall(["diff", "examples/layered-ase", join(dir, "broad.yaml")]);
      expect(broad.code).toBe(1);
      expect(broad.stdout).toContain(
        "Internet -> apiase\n  newly allowed:\n    Tcp 198.51.100.32/32,198.51.100.34/31 -> 10.0.4.4/32 ports 80\n",
      );
      const json = JSON.parse(
        tierwall(["diff", "examples/layered-ase", join(dir, "broad.yaml"), "--json"]).stdout,
      );
      expect(json.equivalent).toBe(false);
      expect(json.flows[0].allowedExample).toBe("Tcp 198.51.100.32:49152 -> 10.0.4.4:80");
      expect(tierwall(["diff", "examples/layered-ase", join(dir, "missing.yaml")]).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the command line as a whole", () => {
  it("prints the schema that is committed for editors", () => {
    const printed = JSON.parse(tierwall(["schema"]).stdout);
    expect(printed).toEqual(
      JSON.parse(readFileSync(join(ROOT, "schema", "tierwall.schema.json"), "utf8")),
    );
    expect(printed.properties.networkSecurityGroups).toBeDefined();
  });

  it.each([
    "check",
    "verify",
    "flow",
    "rules",
    "reach",
    "exposure",
    "lint",
    "synth",
    "diff",
    "schema",
  ])("%s --help shows an example", (command) => {
    const r = tierwall([command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain(`$ tierwall ${command}`);
  });

  it("colours a terminal's output only when asked, never a pipe's", () => {
    expect(tierwall(["check", "examples/layered-ase"]).stdout).not.toContain("\u001b[");
    expect(
      tierwall(["check", "examples/layered-ase"], { env: { FORCE_COLOR: "1" } }).stdout,
    ).toContain("\u001b[");
  });

  it("rejects an unknown command with exit 2", () => {
    const r = tierwall(["frobnicate"]);
    expect(r.code).toBe(2);
    noStackTrace(r.all);
  });
});
