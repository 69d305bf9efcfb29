import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { semanticDiff } from "../analysis/diff.js";
import { hasErrors } from "../model/diagnostic.js";
import type { SecurityRule } from "../model/types.js";
import { writeSynthesis } from "../specfile/edit.js";
import { resolveTiers } from "./intent.js";
import { proveSynthesis } from "./prove.js";
import { applySynthesis, DEFAULT_OPTIONS, type SynthOptions, synthesize } from "./synthesize.js";

const ROOT = resolve(import.meta.dirname, "../..");
const LAYERED = readFileSync(join(ROOT, "examples/layered-ase/tierwall.yaml"), "utf8");
const THREE = readFileSync(join(ROOT, "examples/three-tier/tierwall.yaml"), "utf8");

function run(
  text: string,
  options: Partial<SynthOptions> = {},
  files: Record<string, string> = {},
) {
  const loaded = loadSpecText(text, files);
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  const spec = loaded.spec;
  const { tiers, diagnostics } = resolveTiers(spec.network, spec.tiers);
  if (diagnostics.length > 0) return { diagnostics, spec };
  const result = synthesize(spec.network, spec.topology, tiers, { ...DEFAULT_OPTIONS, ...options });
  if (result.diagnostics.length > 0) return { diagnostics: result.diagnostics, spec };
  const proven = proveSynthesis(spec.network, applySynthesis(spec.topology, result.nsgs), tiers);
  return { diagnostics: proven.diagnostics, spec, nsgs: result.nsgs, after: proven.network };
}

/** What makes a rule the rule it is, ignoring its words. */
const essence = (r: SecurityRule) => {
  const { description: _d, ...rest } = r;
  return rest;
};

const exampleRules = () => {
  const loaded = loadSpecText(LAYERED);
  const nsg = loaded.spec?.topology.networkSecurityGroups.find(
    (n) => n.name === "RestrictBackendApi",
  );
  return (nsg?.securityRules ?? []).map(essence);
};

describe("synthesis on the seed's architecture", () => {
  it("reproduces the guide's nine rules in its style: same sources, ports, access and order", () => {
    const r = run(LAYERED, { style: "seed" });
    expect(r.diagnostics).toEqual([]);
    expect(r.nsgs?.[0]?.rules.map(essence)).toEqual(exampleRules());
  });

  it("writes a shorter equivalent in the compact style, proven equal by the semantic diff", () => {
    const r = run(LAYERED);
    expect(r.nsgs?.[0]?.rules.map((x) => x.name)).toEqual([
      "allow-ase-management",
      "allow-api-callers",
    ]);
    expect(r.nsgs?.[0]?.rules[1]?.sourceAddressPrefixes).toEqual([
      "198.51.100.11",
      "198.51.100.22",
      "198.51.100.33",
      "203.0.113.40",
    ]);
    expect(semanticDiff(r.spec.network, r.after as never).equivalent).toBe(true);
  });

  it("without the self-call, changes exactly the two apiase rules", () => {
    const text = LAYERED.replace(
      "    callers: [fe1ase, fe2ase, fe3ase]\n",
      "    callers: [fe1ase, fe2ase, fe3ase]\n    selfCalls: false\n",
    );
    const r = run(text, { style: "seed" });
    expect(r.nsgs?.[0]?.rules.map(essence)).toEqual(
      exampleRules().filter((x) => !x.name.endsWith("-apiase")),
    );
  });

  it("adds a new caller's rules between the others without renumbering them", () => {
    const text = LAYERED.replace(
      "  - name: apiase\n    kind: AppServiceEnvironmentV1",
      "  - name: fe4ase\n    kind: AppServiceEnvironmentV1\n    subnet: FE3-ASE-Subnet\n    privateIPAddress: 10.0.3.5\n    publicIPAddress: 198.51.100.44\n  - name: apiase\n    kind: AppServiceEnvironmentV1",
    ).replace("callers: [fe1ase, fe2ase, fe3ase]", "callers: [fe1ase, fe2ase, fe3ase, fe4ase]");
    const seed = run(text, { style: "seed" });
    expect(seed.diagnostics).toEqual([]);
    const rules = seed.nsgs?.[0]?.rules ?? [];
    const priority = (n: string) => rules.find((x) => x.name === n)?.priority;
    for (const old of exampleRules()) expect(priority(old.name), old.name).toBe(old.priority);
    expect([priority("ALLOW-HTTP-fe4ase"), priority("ALLOW-HTTPS-fe4ase")]).toEqual([750, 775]);
    expect(seed.nsgs?.[0]?.renumbered).toBe(false);
    // In the compact style the new caller is one more prefix of the same rule.
    const compact = run(text);
    expect(compact.nsgs?.[0]?.rules.map((x) => [x.name, x.priority])).toEqual([
      ["allow-ase-management", 100],
      ["allow-api-callers", 200],
    ]);
    expect(compact.nsgs?.[0]?.rules[1]?.sourceAddressPrefixes).toContain("198.51.100.44");
  });

  it("adds explicit, logged denies when asked", () => {
    const rules = run(LAYERED, { denyAll: true }).nsgs?.[0]?.rules ?? [];
    expect(rules.at(-1)).toMatchObject({
      name: "deny-all-inbound",
      access: "Deny",
      priority: 4096,
      sourceAddressPrefix: "*",
    });
  });
});

describe("synthesis that cannot meet its intent", () => {
  it("fails when two tiers share a subnet", () => {
    const text = LAYERED.replace(
      "tiers:\n",
      "tiers:\n  - name: front\n    environments: [fe3ase]\n    callers: [fe1ase]\n    ports: [443]\n  - name: front-too\n    environments: [fe3ase]\n    callers: [fe2ase]\n    ports: [443]\n",
    );
    const r = run(text);
    expect(r.diagnostics.map((d) => d.code)).toContain("SynthesisImpossible");
    expect(r.diagnostics.find((d) => d.code === "SynthesisImpossible")?.message).toContain(
      "share subnet yourvnetnamehere/FE3-ASE-Subnet",
    );
  });

  it("fails when a caller presents a public address not known before deploying", () => {
    const text = LAYERED.replace(
      "publicIPAddress: 198.51.100.11",
      "publicIPAddress: pip-fe1",
    ).replace(
      "environments:\n",
      "publicIPAddresses: [{ name: pip-fe1, sku: Standard }]\nenvironments:\n",
    );
    const r = run(text);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["SynthesisImpossible"]);
    expect(r.diagnostics[0]?.message).toContain(
      "fe1ase reaches apiase from <pip-fe1>, an address not known before deploying",
    );
  });

  it("fails for an ASE v2 when the service-tags file lacks AppServiceManagement", () => {
    const text = LAYERED.replaceAll(
      "kind: AppServiceEnvironmentV1",
      "kind: AppServiceEnvironmentV2",
    );
    const lacking = `serviceTags:\n  values:\n    - name: Storage\n      properties: { addressPrefixes: [20.38.0.0/16] }\n${text}`;
    expect(run(lacking).diagnostics.map((d) => d.code)).toEqual(["SynthesisImpossible"]);
    // Without a file, the tag Azure publishes is known by name: its rule is synthesized.
    const r = run(text);
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("tiers, checked when the spec loads for any command", () => {
  const problems = (text: string) =>
    loadSpecText(text).diagnostics.map(
      (d) => `${d.code} ${d.path.join(".")} ${d.location?.line}: ${d.message}`,
    );
  const line = (text: string, needle: string) =>
    text.slice(0, text.indexOf(needle)).split("\n").length;

  it("name environments, tiers and tags that exist, and real protocols and ports", () => {
    const text = LAYERED.replace("callers: [fe1ase, fe2ase, fe3ase]", "callers: [fe1ase, fe9ase]")
      .replace("environments: [apiase]", "environments: [apiase, nowhere]")
      .replace(
        "protocol: Tcp\n    ports: [80, 443]\n",
        "protocol: Http\n    ports: [80, 99999]\n    allow:\n      - source: Nowhere\n      - { source: Internet, ports: [70000] }\n    egress:\n      - to: 10.0.0.0/33\n",
      );
    expect(problems(text)).toEqual([
      `InvalidTier tiers.0.environments.1 ${line(text, "nowhere]")}: tier api: environment "nowhere" is not defined`,
      `InvalidTier tiers.0.protocol ${line(text, "protocol: Http")}: tier api: protocol "Http" is not one of Tcp, Udp, Icmp, Esp, Ah, *`,
      `InvalidTier tiers.0.callers.1 ${line(text, "fe9ase")}: tier api: caller "fe9ase" is neither a tier nor an environment`,
      `InvalidTier tiers.0.allow.0.source ${line(text, "source: Nowhere")}: tier api: "Nowhere" is neither a CIDR block, an address nor a known service tag`,
      `InvalidTier tiers.0.allow.1.ports.0 ${line(text, "ports: [70000]")}: tier api: port 70000 is not a port or a range a-b within 0-65535`,
      `InvalidTier tiers.0.egress.0.to ${line(text, "to: 10.0.0.0/33")}: tier api: "10.0.0.0/33" is neither a CIDR block, an address nor a known service tag`,
    ]);
  });

  it("are reported with every problem of each tier", () => {
    const text = LAYERED.replace("callers: [fe1ase, fe2ase, fe3ase]", "callers: [fe1ase, fe9ase]")
      .replace("environments: [apiase]", "environments: [apiase, nowhere]")
      .replace("ports: [80, 443]\n", "ports: [80, 99999]\n");
    expect(problems(text)).toEqual([
      `InvalidTier tiers.0.environments.1 ${line(text, "nowhere]")}: tier api: environment "nowhere" is not defined`,
      `InvalidTier tiers.0.ports.1 ${line(text, "99999")}: tier api: port 99999 is not a port or a range a-b within 0-65535`,
      `InvalidTier tiers.0.callers.1 ${line(text, "fe9ase")}: tier api: caller "fe9ase" is neither a tier nor an environment`,
    ]);
  });

  it("leave what synthesis cannot meet to synthesis", () => {
    const text = `virtualNetworks:
  - { name: one, addressSpace: { addressPrefixes: [10.1.0.0/16] }, subnets: [{ name: a, addressPrefix: 10.1.1.0/24 }] }
  - { name: two, addressSpace: { addressPrefixes: [10.2.0.0/16] }, subnets: [{ name: b, addressPrefix: 10.2.1.0/24 }] }
environments:
  - { name: front, kind: Workload, subnet: a, privateIPAddress: 10.1.1.4 }
  - { name: back, kind: Workload, subnet: b, privateIPAddress: 10.2.1.4 }
tiers:
  - { name: api, environments: [back], callers: [front], ports: [443] }
`;
    expect(problems(text)).toEqual([]);
    const loaded = loadSpecText(text);
    const spec = loaded.spec as NonNullable<typeof loaded.spec>;
    expect(resolveTiers(spec.network, spec.tiers).diagnostics.map((d) => d.code)).toEqual([
      "SynthesisImpossible",
    ]);
  });
});

describe("the three-tier example", () => {
  it("is what synthesis writes from its tiers: synthesizing again changes nothing", () => {
    const r = run(
      THREE,
      {},
      {
        "service-tags.json": readFileSync(
          join(ROOT, "examples/three-tier/service-tags.json"),
          "utf8",
        ),
      },
    );
    expect(r.diagnostics).toEqual([]);
    expect(semanticDiff(r.spec.network, r.after as never).equivalent).toBe(true);
    expect(writeSynthesis(THREE, r.nsgs ?? [])).toBe(THREE);
  });
});

describe("writing synthesized NSGs into a spec", () => {
  it("keeps the user's lines, comments and spacing, and changes only the rules", () => {
    const r = run(LAYERED);
    const written = writeSynthesis(LAYERED, r.nsgs ?? []);
    const before = LAYERED.split("\n");
    const after = written.split("\n");
    expect(after.slice(0, 60)).toEqual(before.slice(0, 60));
    expect(written).toContain("# Who may call whom");
    expect(written).toContain("      - name: allow-api-callers");
    expect(written).not.toContain("ALLOW-HTTP-fe1ase\n        protocol");
  });
});
