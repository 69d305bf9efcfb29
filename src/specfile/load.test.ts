import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { findSpecFile, type LoadResult, loadSpec } from "./load.js";

let root: string;
let count = 0;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tierwall-load-"));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Writes the files to a fresh folder and loads the first one named. */
function load(files: Record<string, string>): { result: LoadResult; dir: string } {
  const dir = join(root, String(count++));
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const [entry] = Object.keys(files);
  return { result: loadSpec(join(dir, entry as string)), dir };
}

function loadYaml(text: string, extra: Record<string, string> = {}): LoadResult {
  return load({ "tierwall.yaml": text, ...extra }).result;
}

/** "Code line:column" for each diagnostic: what must be exact. */
function found(result: LoadResult): string[] {
  return result.diagnostics.map(
    (d: Diagnostic) => `${d.code} ${d.location?.line}:${d.location?.column}`,
  );
}

// Lines 1-11; the rules written after it start on line 12.
const PREAMBLE = `virtualNetworks:
  - name: hub
    addressSpace:
      addressPrefixes: [10.0.0.0/16]
    subnets:
      - name: web
        addressPrefix: 10.0.1.0/24
        networkSecurityGroup: web-nsg
networkSecurityGroups:
  - name: web-nsg
    securityRules:
`;

// A valid rule of 9 lines; `rule()` changes or adds lines.
const RULE_FIELDS: [string, string][] = [
  ["protocol", "Tcp"],
  ["access", "Allow"],
  ["priority", "100"],
  ["direction", "Inbound"],
  ["sourceAddressPrefix", '"*"'],
  ["sourcePortRange", '"*"'],
  ["destinationAddressPrefix", '"*"'],
  ["destinationPortRange", '"443"'],
];

function rule(name: string, changes: Record<string, string | undefined> = {}): string {
  const fields = new Map<string, string | undefined>(RULE_FIELDS);
  for (const [k, v] of Object.entries(changes)) fields.set(k, v);
  const lines = [`      - name: ${name}`];
  for (const [k, v] of fields) if (v !== undefined) lines.push(`        ${k}: ${v}`);
  return `${lines.join("\n")}\n`;
}

describe("loadSpec: a valid spec", () => {
  it("loads, with no diagnostics", () => {
    const result = loadYaml(PREAMBLE + rule("allow-https"));
    expect(result.diagnostics).toEqual([]);
    expect(result.spec?.network.nsgs.get("web-nsg")?.inbound[0]?.name).toBe("allow-https");
  });

  it("rejects an empty file: a check of nothing must not pass", () => {
    const result = loadYaml("");
    expect(found(result)).toEqual(["EmptySpec 1:1"]);
    expect(result.spec).toBeUndefined();
  });

  it("loads an explicitly empty mapping as an empty deployment", () => {
    const result = loadYaml("{}\n");
    expect(result.diagnostics).toEqual([]);
    expect(result.spec?.network.vnets.size).toBe(0);
  });

  it("loads the same spec written as JSON, found in its folder", () => {
    const json = {
      virtualNetworks: [
        {
          name: "hub",
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "web-nsg" }],
        },
      ],
      networkSecurityGroups: [
        {
          name: "web-nsg",
          securityRules: [
            {
              name: "allow-https",
              protocol: "Tcp",
              access: "Allow",
              priority: 100,
              direction: "Inbound",
              sourceAddressPrefix: "*",
              sourcePortRange: "*",
              destinationAddressPrefix: "*",
              destinationPortRange: "443",
            },
          ],
        },
      ],
    };
    const { dir } = load({ "tierwall.json": JSON.stringify(json, null, 2) });
    expect(findSpecFile(dir).file).toBe(join(dir, "tierwall.json"));
    const result = loadSpec(dir);
    expect(result.diagnostics).toEqual([]);
    expect(result.spec?.file).toBe(join(dir, "tierwall.json"));
    expect(result.spec?.network.subnets[0]?.nsg).toBe("web-nsg");
  });

  it("places problems in a JSON spec at their line and column", () => {
    const text = `{
  "networkSecurityGroups": [
    {
      "name": "web-nsg",
      "securityRules": [
        {
          "name": "r1", "protocol": "Tcp", "access": "Allow", "direction": "Inbound",
          "priority": 5000,
          "sourceAddressPrefix": "*", "sourcePortRange": "*",
          "destinationAddressPrefix": "*", "destinationPortRange": "443"
        }
      ]
    }
  ]
}
`;
    const { result } = load({ "spec.json": text });
    expect(found(result)).toEqual(["SecurityRuleInvalidPriority 8:23"]);
  });
});

describe("loadSpec: files that cannot be read or parsed", () => {
  it("reports a missing spec", () => {
    const result = loadSpec(join(root, "nope.yaml"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SpecNotFound"]);
    expect(result.spec).toBeUndefined();
  });

  it("reports a folder without a spec, with a hint", () => {
    const { dir } = load({ "other.txt": "" });
    const result = loadSpec(dir);
    expect(result.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["SpecNotFound", "pass the spec file itself"],
    ]);
  });

  it("reports a YAML syntax error at its line and column, in the file", () => {
    const { result, dir } = load({
      "tierwall.yaml": `virtualNetworks:
  - name: hub
    addressSpace: { addressPrefixes: [10.0.0.0/16 }
`,
    });
    expect(result.spec).toBeUndefined();
    const [first] = result.diagnostics;
    expect(first?.code).toBe("InvalidSyntax");
    expect(first?.location).toEqual({ file: join(dir, "tierwall.yaml"), line: 3, column: 51 });
    expect(first?.message).not.toContain("\n");
  });

  it("reports an unterminated string", () => {
    expect(found(loadYaml('description: "unterminated\nvirtualNetworks: []\n'))).toEqual([
      "InvalidSyntax 3:1",
    ]);
  });

  it("reports a key given twice at the second one", () => {
    const text = `${PREAMBLE}${rule("r1")}        priority: 200\n`;
    expect(found(loadYaml(text))).toEqual(["InvalidSyntax 21:9"]);
    expect(loadYaml(text).diagnostics[0]?.message).toBe("Map keys must be unique");
  });

  it("reports a document that is not a mapping", () => {
    expect(loadYaml("- just\n- a list\n").diagnostics.map((d) => d.code)).toEqual(["InvalidType"]);
  });
});

describe("loadSpec: anchors and aliases", () => {
  it("lets one anchor stand for a list in many rules", () => {
    // 150 uses of one list: the yaml package's own guard refuses more than 100.
    const rules = Array.from({ length: 150 }, (_, i) =>
      rule(`r${i}`, {
        priority: String(100 + i),
        sourceAddressPrefix: undefined,
        sourceAddressPrefixes: i === 0 ? "&callers [10.0.1.0/24, 10.0.2.0/24]" : "*callers",
      }),
    );
    const result = loadYaml(PREAMBLE + rules.join(""));
    expect(result.diagnostics).toEqual([]);
    const inbound = (result.spec?.network.nsgs.get("web-nsg")?.inbound ?? []).filter(
      (r) => !r.isDefault,
    );
    expect(inbound).toHaveLength(150);
    expect(inbound[149]?.source).toEqual(inbound[0]?.source);
  });

  it("reads a key that is a number as its text, and places it", () => {
    const result = loadYaml(`${PREAMBLE}${rule("r1")}        443: open\n`);
    expect(found(result)).toEqual(["UnknownProperty 21:9"]);
    expect(result.diagnostics[0]?.message).toBe(
      'networkSecurityGroups[0].securityRules[0]: unknown property "443"',
    );
  });
});

describe("loadSpec: the document's shape", () => {
  it("reports an unknown key at the key, with a 'did you mean' hint", () => {
    const text =
      PREAMBLE + rule("r1", { destinationPortRange: undefined, destinationPortRnage: '"443"' });
    const result = loadYaml(text);
    // The missing destination port that the typo causes is not reported as well.
    expect(found(result)).toEqual(["UnknownProperty 20:9"]);
    const [d] = result.diagnostics;
    expect(d?.message).toBe(
      'networkSecurityGroups[0].securityRules[0]: unknown property "destinationPortRnage"',
    );
    expect(d?.hint).toBe("did you mean destinationPortRange?");
  });

  it("suggests names across the schema, and says why when there is none close", () => {
    const result = loadYaml("virtualNetwork: []\nxyzzy_setting: 1\n");
    expect(result.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ["UnknownProperty", "did you mean virtualNetworks?"],
      ["UnknownProperty", "unknown properties are errors, so that a typo cannot weaken a policy"],
    ]);
  });

  it("does not let an unknown key hide the other problems", () => {
    const text = `${PREAMBLE}${rule("r1", { priorty: "200" })}${rule("r2", { priority: "5000" })}${rule("r3", { priority: "300", sourceAddressPrefix: "10.0.0.1/24" })}`;
    // r1: lines 12-21, r2: 22-30, r3: 31-39.
    expect(found(loadYaml(text))).toEqual([
      "UnknownProperty 21:9",
      "SecurityRuleInvalidPriority 25:19",
      "SecurityRuleInvalidAddressPrefix 36:30",
    ]);
  });

  it("does not report a required field whose name is misspelt as missing", () => {
    const text = PREAMBLE + rule("r1", { priority: undefined, priorty: "100" });
    expect(found(loadYaml(text))).toEqual(["UnknownProperty 20:9"]);
  });

  it("reports a value of the wrong type at the value", () => {
    const result = loadYaml(PREAMBLE + rule("r1", { priority: '"100"' }));
    expect(found(result)).toEqual(["InvalidType 15:19"]);
    expect(result.diagnostics[0]?.message).toBe(
      'networkSecurityGroups[0].securityRules[0].priority: expected number, got string "100"',
    );
  });

  it("reports a list where an object belongs, and a non-integer priority", () => {
    const result = loadYaml(
      `virtualNetworks:\n  - name: hub\n    addressSpace: [10.0.0.0/16]\n${PREAMBLE.slice(PREAMBLE.indexOf("networkSecurityGroups"))}${rule("r1", { priority: "100.5" })}`,
    );
    expect(found(result)).toEqual(["InvalidNumber 10:19", "InvalidType 3:19"]);
  });

  it("reports a value outside an enumeration", () => {
    const result = loadYaml("environments:\n  - name: app\n    kind: AppServiceEnvironmentV4\n");
    expect(found(result)).toEqual(["InvalidValue 3:11"]);
    expect(result.diagnostics[0]?.message).toContain("AppServiceEnvironmentV3");
  });

  it("reports a missing required field of a rule at the rule", () => {
    const result = loadYaml(PREAMBLE + rule("r1", { access: undefined }));
    expect(found(result)).toEqual(["MissingProperty 12:9"]);
    expect(result.diagnostics[0]?.message).toBe("security rule r1 has no access");
    expect(result.diagnostics[0]?.hint).toBe("Allow or Deny");
  });

  it("still checks the other rules, and places them right, when one lacks a field", () => {
    // r1 (lines 12-19) is left out of the model; r2 (20-28) and r3 (29-37) are checked.
    const text = `${PREAMBLE}${rule("r1", { direction: undefined })}${rule("r2", { priority: "99" })}${rule("r3", { priority: "200", protocol: "Http" })}`;
    expect(found(loadYaml(text))).toEqual([
      "MissingProperty 12:9",
      "SecurityRuleInvalidPriority 23:19",
      "SecurityRuleInvalidProtocol 30:19",
    ]);
  });

  it("reports a missing name, and a missing address space", () => {
    const result = loadYaml(
      "virtualNetworks:\n  - name: hub\n    subnets: []\nnetworkSecurityGroups:\n  - securityRules: []\n",
    );
    expect(found(result)).toEqual(["MissingProperty 2:5", "MissingProperty 5:5"]);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      "virtualNetworks[0].addressSpace is required (object)",
      "networkSecurityGroups[0].name is required (string)",
    ]);
  });
});

describe("loadSpec: rules in ARM form", () => {
  const armRule = (priority: string, extra = "") => `      - name: arm-rule
        properties:
          protocol: Tcp
          access: Allow
          priority: ${priority}
          direction: Inbound
          sourceAddressPrefix: "*"
          sourcePortRange: "*"
          destinationAddressPrefix: "*"
          destinationPortRange: "443"
${extra}`;

  it("reads rule fields under properties", () => {
    const result = loadYaml(PREAMBLE + armRule("100"));
    expect(result.diagnostics).toEqual([]);
    expect(result.spec?.network.nsgs.get("web-nsg")?.inbound[0]).toMatchObject({
      name: "arm-rule",
      priority: 100,
      destinationPorts: [{ first: 443, last: 443 }],
    });
  });

  it("places a problem under properties at its own line", () => {
    expect(found(loadYaml(PREAMBLE + armRule("99")))).toEqual([
      "SecurityRuleInvalidPriority 16:21",
    ]);
  });

  it("places an unknown key under properties at the key", () => {
    const result = loadYaml(PREAMBLE + armRule("100", "          destinationPortRnage: '80'\n"));
    expect(found(result)).toEqual(["UnknownProperty 22:11"]);
    expect(result.diagnostics[0]?.hint).toBe("did you mean destinationPortRange?");
  });

  it("does not report a field misspelt under properties as missing from the rule", () => {
    const misspelt = PREAMBLE + armRule("100").replace("priority: 100", "priorty: 100");
    expect(found(loadYaml(misspelt))).toEqual(["UnknownProperty 16:11"]);
  });

  it("rejects a field given both flat and under properties: DuplicateProperty at the flat one", () => {
    const result = loadYaml(PREAMBLE + armRule("100", "        priority: 200\n"));
    expect(found(result)).toEqual(["DuplicateProperty 22:19"]);
    expect(result.diagnostics[0]?.message).toBe(
      "security rule arm-rule: priority is given both here and under properties",
    );
  });
});

describe("loadSpec: what az network nsg show prints", () => {
  const shown = {
    name: "web-nsg",
    id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web-nsg",
    etag: 'W/"0a1b2c3d-0000-0000-0000-000000000000"',
    type: "Microsoft.Network/networkSecurityGroups",
    location: "southcentralus",
    provisioningState: "Succeeded",
    resourceGroup: "rg",
    resourceGuid: "11111111-2222-3333-4444-555555555555",
    defaultSecurityRules: [{ name: "AllowVnetInBound", priority: 65000 }],
    securityRules: [
      {
        access: "Allow",
        destinationAddressPrefix: "*",
        destinationAddressPrefixes: [],
        destinationPortRange: "443",
        destinationPortRanges: [],
        direction: "Inbound",
        etag: 'W/"0a1b2c3d-0000-0000-0000-000000000000"',
        id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web-nsg/securityRules/allow-https",
        name: "allow-https",
        priority: 100,
        protocol: "Tcp",
        provisioningState: "Succeeded",
        resourceGroup: "rg",
        sourceAddressPrefix: "Internet",
        sourceAddressPrefixes: [],
        sourcePortRange: "*",
        sourcePortRanges: [],
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
      },
    ],
  };

  it("is accepted as it is", () => {
    const { result } = load({
      "tierwall.json": JSON.stringify({ networkSecurityGroups: [shown] }, null, 2),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.spec?.network.nsgs.get("web-nsg")?.inbound[0]).toMatchObject({
      name: "allow-https",
      source: { kind: "tag", tag: "Internet" },
      destination: { kind: "any" },
    });
  });

  it("still has its rules checked", () => {
    const bad = { ...shown, securityRules: [{ ...shown.securityRules[0], priority: 99 }] };
    const { result } = load({ "tierwall.json": JSON.stringify({ networkSecurityGroups: [bad] }) });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["SecurityRuleInvalidPriority"]);
  });
});

describe("loadSpec: service tags", () => {
  const TAGS = JSON.stringify({
    changeNumber: 1,
    cloud: "Public",
    values: [
      {
        name: "Storage",
        id: "Storage",
        properties: { changeNumber: 1, addressPrefixes: ["20.38.0.0/16", "2603:1000::/40"] },
      },
      {
        name: "Storage.WestUS",
        id: "Storage.WestUS",
        properties: { addressPrefixes: ["20.38.1.0/24"] },
      },
    ],
  });
  // serviceTags is on line 1, so the rules start on line 13.
  const spec = (file: string, source: string) =>
    `serviceTags: ${file}\n${PREAMBLE}${rule("r1", { destinationAddressPrefix: source })}`;

  it("makes the file's tags usable in rules, regional ones included", () => {
    for (const tag of ["Storage", "Storage.WestUS"]) {
      const result = loadYaml(spec("tags.json", tag), { "tags.json": TAGS });
      expect(result.diagnostics).toEqual([]);
      const network = result.spec?.network;
      expect(network?.serviceTags.has(tag)).toBe(true);
      expect(network?.nsgs.get("web-nsg")?.inbound[0]?.destination).toEqual({ kind: "tag", tag });
    }
  });

  it("reports a tag that is not in the file", () => {
    const result = loadYaml(spec("tags.json", "Sql"), { "tags.json": TAGS });
    expect(found(result)).toEqual(["UnknownServiceTag 20:35"]);
  });

  it("knows the tags Azure publishes without a file, symbolic, with one note at the first", () => {
    const text =
      PREAMBLE +
      rule("r1", { destinationAddressPrefix: "Storage" }) +
      rule("r2", { priority: "200", destinationAddressPrefix: "Sql.WestEurope" });
    const result = loadYaml(text);
    expect(found(result)).toEqual(["ServiceTagsSymbolic 19:35"]);
    const [note] = result.diagnostics;
    expect(note?.severity).toBe("info");
    expect(note?.message).toContain("Sql.WestEurope, Storage");
    expect(note?.hint).toContain("serviceTags:");
    expect(result.spec?.network.serviceTags.isSymbolic("Storage")).toBe(true);
  });

  it("refuses a prefix in the symbolic tags' area beside a symbolic tag, at its place", () => {
    const text = (prefix: string) =>
      PREAMBLE +
      rule("r1", { destinationAddressPrefix: "Storage" }) +
      rule("r2", { priority: "200", sourceAddressPrefix: prefix });
    expect(found(loadYaml(text("250.0.0.0/8")))).toEqual([
      "ServiceTagsSymbolic 19:35",
      "SymbolicServiceTagsOverlap 26:30",
    ]);
    // A block that covers the whole reserved block matches every tag, as '*' does.
    expect(found(loadYaml(text("240.0.0.0/4")))).toEqual(["ServiceTagsSymbolic 19:35"]);
    expect(found(loadYaml(text("203.0.113.0/24")))).toEqual(["ServiceTagsSymbolic 19:35"]);
  });

  it("still refuses, at its place, a word that is no tag Azure publishes", () => {
    const result = loadYaml(PREAMBLE + rule("r1", { destinationAddressPrefix: "Storge" }));
    expect(found(result)).toEqual(["UnknownServiceTag 19:35"]);
    expect(result.diagnostics[0]?.hint).toContain("known by name");
    const cased = loadYaml(PREAMBLE + rule("r1", { destinationAddressPrefix: "sql.westeurope" }));
    expect(found(cased)).toEqual(["UnknownServiceTag 19:35"]);
    expect(cased.diagnostics[0]?.hint).toBe(
      "did you mean Sql.westeurope? Tag names are written as Azure publishes them",
    );
    const platform = loadYaml(
      PREAMBLE + rule("r1", { destinationAddressPrefix: "AzurePlatformDNS" }),
    );
    expect(found(platform)).toEqual(["UnknownServiceTag 19:35"]);
    expect(platform.diagnostics[0]?.hint).toContain("168.63.129.16");
  });

  it("accepts the tags inline", () => {
    const inline = `serviceTags:\n  values:\n    - name: Storage\n      properties: { addressPrefixes: [20.38.0.0/16] }\n`;
    const result = loadYaml(
      inline + PREAMBLE + rule("r1", { destinationAddressPrefix: "Storage" }),
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("reports a missing file at the spec's serviceTags line, and nothing more", () => {
    const result = loadYaml(spec("missing.json", "Storage"));
    expect(found(result)).toEqual(["FileUnreadable 1:14"]);
    expect(result.diagnostics[0]?.message).toContain("missing.json: no such file");
  });

  it("reports a file that is not JSON, in that file", () => {
    const { result, dir } = load({
      "tierwall.yaml": spec("tags.json", "Storage"),
      "tags.json": '{"values": [\n  {"name": "Storage" "x": 1}\n]}\n',
    });
    const [first] = result.diagnostics;
    expect(first?.code).toBe("InvalidSyntax");
    expect(first?.location).toEqual({ file: join(dir, "tags.json"), line: 2, column: 22 });
    // Placed, but not shown: the file's text stays out of code frames.
    expect(result.sources.has(join(dir, "tags.json"))).toBe(false);
  });

  it("reports JSON that only YAML accepts, rather than reading it as empty", () => {
    for (const text of [
      '{"values": [{"name": "Storage", "properties": {"addressPrefixes": []}},]}',
      "{'values': []}",
    ]) {
      const { result, dir } = load({
        "tierwall.yaml": spec("tags.json", "Storage"),
        "tags.json": text,
      });
      expect(result.diagnostics.map((d) => [d.code, d.location?.file])).toEqual([
        ["InvalidSyntax", join(dir, "tags.json")],
      ]);
      expect(result.diagnostics[0]?.message).toMatch(/^not valid JSON: /);
    }
  });

  it("places a JSON error at the position JSON.parse names", () => {
    const { result } = load({
      "tierwall.yaml": spec("tags.json", "Storage"),
      "tags.json": "{\n  'values': []\n}",
    });
    expect(found(result)).toEqual(["InvalidSyntax 2:3"]);
  });

  it("reads a file that starts with a byte order mark", () => {
    const result = loadYaml(spec("tags.json", "Storage"), { "tags.json": `\uFEFF${TAGS}` });
    expect(result.diagnostics).toEqual([]);
  });

  it("reports an invalid entry of the file at its line in that file", () => {
    const { result, dir } = load({
      "tierwall.yaml": spec("tags.json", "Storage"),
      "tags.json": `{
  "values": [
    { "name": "Storage", "properties": { "addressPrefixes": ["20.38.0.1/16"] } }
  ]
}
`,
    });
    expect(result.diagnostics.map((d) => [d.code, d.location])).toEqual([
      ["InvalidServiceTagFile", { file: join(dir, "tags.json"), line: 3, column: 62 }],
    ]);
  });

  it("reports a file without a values array", () => {
    const result = loadYaml(spec("tags.json", "Storage"), { "tags.json": "[]" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["InvalidServiceTagFile"]);
  });

  it("reports an empty path at the value, not the spec's folder as unreadable", () => {
    const result = loadYaml(spec('""', "Storage"));
    expect(found(result)).toEqual(["InvalidValue 1:14"]);
    expect(result.diagnostics[0]?.message).toBe("serviceTags: the path is empty");
  });

  it("reports a folder at the value", () => {
    const dir = join(root, String(count++));
    mkdirSync(join(dir, "tags"), { recursive: true });
    writeFileSync(join(dir, "tierwall.yaml"), spec("tags", "Storage"));
    const folder = loadSpec(join(dir, "tierwall.yaml"));
    expect(found(folder)).toEqual(["NotARegularFile 1:14"]);
  });

  it("reports a file over the size limit at the value, with how to raise the limit", () => {
    vi.stubEnv("TIERWALL_MAX_FILE_MIB", "0.01");
    const padded = TAGS + " ".repeat(20_000);
    const result = loadYaml(spec("tags.json", "Storage"), { "tags.json": padded });
    expect(found(result)).toEqual(["FileTooLarge 1:14"]);
    expect(result.diagnostics[0]?.message).toContain("larger than 0.01 MiB");
    expect(result.diagnostics[0]?.hint).toContain("TIERWALL_MAX_FILE_MIB=");
  });
});

describe("loadSpec: the service-tags file is read only inside the spec's repository", () => {
  const TAGS =
    '{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["20.38.0.0/16"]}}]}';
  const specNaming = (file: string) =>
    `serviceTags: ${file}\n${PREAMBLE}${rule("r1", { destinationAddressPrefix: "Storage" })}`;
  /** A repository (a folder with .git) with the spec in specs/, and a folder outside it. */
  function repository(tagsRef: string): { repo: string; outside: string; spec: string } {
    const base = join(root, String(count++));
    const repo = join(base, "repo");
    const outside = join(base, "outside");
    mkdirSync(join(repo, ".git"), { recursive: true });
    mkdirSync(join(repo, "specs"));
    mkdirSync(outside);
    writeFileSync(join(outside, "tags.json"), TAGS);
    writeFileSync(join(repo, ".git", "config"), "[credential]\n\thelper = store\n");
    const spec = join(repo, "specs", "tierwall.yaml");
    writeFileSync(spec, specNaming(tagsRef));
    return { repo, outside, spec };
  }

  it("reads a file elsewhere in the repository", () => {
    const { repo, spec } = repository("../tags.json");
    writeFileSync(join(repo, "tags.json"), TAGS);
    expect(loadSpec(spec).diagnostics).toEqual([]);
  });

  it("refuses /etc/passwd, by absolute or relative path, at the value and without its text", () => {
    for (const ref of ["/etc/passwd", "../../../../../../../../../../etc/passwd"]) {
      const { spec } = repository(ref);
      const result = loadSpec(spec);
      expect(found(result)).toEqual(["PathNotAllowed 1:14"]);
      expect(result.diagnostics[0]?.message).toMatch(/\/etc\/passwd is outside the repository /);
      expect(JSON.stringify(result)).not.toContain("root:");
      expect([...result.sources.keys()]).toEqual([spec]);
    }
  });

  it("refuses a symbolic link in the repository that leads outside it, naming where it leads", () => {
    const { repo, outside, spec } = repository("../tags.json");
    symlinkSync(join(outside, "tags.json"), join(repo, "tags.json"));
    const result = loadSpec(spec);
    expect(found(result)).toEqual(["PathNotAllowed 1:14"]);
    expect(result.diagnostics[0]?.message).toContain(
      `leads to ${join(outside, "tags.json")}, which is outside`,
    );
    expect(result.diagnostics[0]?.hint).toContain("TIERWALL_ALLOW_OUTSIDE_PATHS=1");
  });

  it("says no more of a missing file outside than of one that is there", () => {
    const { spec } = repository(`${root}/no-such-folder/tags.json`);
    expect(found(loadSpec(spec))).toEqual(["PathNotAllowed 1:14"]);
    const linked = repository("../tags.json");
    symlinkSync(join(linked.outside, "missing.json"), join(linked.repo, "tags.json"));
    const result = loadSpec(linked.spec);
    expect(found(result)).toEqual(["PathNotAllowed 1:14"]);
    expect(result.diagnostics[0]?.message).toContain(
      `leads to ${join(linked.outside, "missing.json")}`,
    );
    // A link to nothing inside the repository is only missing.
    const inside = repository("../tags.json");
    symlinkSync(join(inside.repo, "missing.json"), join(inside.repo, "tags.json"));
    expect(found(loadSpec(inside.spec))).toEqual(["FileUnreadable 1:14"]);
  });

  it("refuses the repository's .git folder, where credentials may be kept", () => {
    const { spec } = repository("../.git/config");
    const result = loadSpec(spec);
    expect(found(result)).toEqual(["PathNotAllowed 1:14"]);
    expect(result.diagnostics[0]?.message).toContain(".git folder");
  });

  it("outside any repository, keeps to the spec's own folder", () => {
    const dir = join(root, String(count++));
    mkdirSync(join(dir, "spec"), { recursive: true });
    writeFileSync(join(dir, "tags.json"), TAGS);
    writeFileSync(join(dir, "spec", "tierwall.yaml"), specNaming("../tags.json"));
    const result = loadSpec(join(dir, "spec", "tierwall.yaml"));
    expect(found(result)).toEqual(["PathNotAllowed 1:14"]);
    expect(result.diagnostics[0]?.message).toContain(`outside the folder ${join(dir, "spec")}`);
  });

  it("refuses a spec that is a symbolic link out of its folder", () => {
    const { outside } = repository("tags.json");
    writeFileSync(join(outside, "tierwall.yaml"), "networkSecurityGroups: []\n");
    const dir = join(root, String(count++));
    mkdirSync(dir);
    symlinkSync(join(outside, "tierwall.yaml"), join(dir, "tierwall.yaml"));
    expect(loadSpec(dir).diagnostics.map((d) => d.code)).toEqual(["PathNotAllowed"]);
  });

  it("reads outside when TIERWALL_ALLOW_OUTSIDE_PATHS=1, and still shows none of such a file's text", () => {
    vi.stubEnv("TIERWALL_ALLOW_OUTSIDE_PATHS", "1");
    const linked = repository("../tags.json");
    symlinkSync(join(linked.outside, "tags.json"), join(linked.repo, "tags.json"));
    expect(loadSpec(linked.spec).diagnostics).toEqual([]);
    const { spec } = repository("/etc/passwd");
    const result = loadSpec(spec);
    expect(result.diagnostics.map((d) => [d.code, d.location])).toEqual([
      ["InvalidSyntax", { file: "/etc/passwd", line: 1, column: 1 }],
    ]);
    expect(result.diagnostics[0]?.message).toBe("not valid JSON: unexpected character");
    expect(JSON.stringify(result)).not.toContain("root:");
  });
});

describe("loadSpec: ports written as bare YAML numbers", () => {
  it('reads 443 as the port range "443"', () => {
    const result = loadSpecText(`
networkSecurityGroups:
  - name: nsg
    securityRules:
      - { name: r, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: 443 }
      - { name: s, protocol: Tcp, access: Allow, priority: 110, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRanges: [80, "8080-8081"] }
`);
    expect(result.diagnostics).toEqual([]);
    const rules = result.spec?.network.nsgs.get("nsg")?.inbound ?? [];
    expect(rules[0]?.destinationPorts).toEqual([{ first: 443, last: 443 }]);
    expect(rules[1]?.destinationPorts).toEqual([
      { first: 80, last: 80 },
      { first: 8080, last: 8081 },
    ]);
  });
});

describe("a value of the wrong form where a list of names or an object is taken", () => {
  it("names the values as they must be written, in their case", () => {
    const result = loadYaml(
      "publicIPAddresses:\n  - name: pip\n    sku: standard\n    ipAddress: 203.0.113.7\n",
    );
    const sku = result.diagnostics.find((d) => d.path.join(".") === "publicIPAddresses.0.sku");
    expect(sku?.message).toContain('("Basic" | "Standard") or object');
  });
});
