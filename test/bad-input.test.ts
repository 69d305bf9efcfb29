import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../src/specfile/load.js";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

// Bad input end to end: through the loader, and through the built CLI as a user
// runs it. Every mistake must be reported at its place, and never as a crash.

const FIXTURES = "test/fixtures/bad-input";
const MANY = `${FIXTURES}/many-mistakes/tierwall.yaml`;

beforeAll(requireBuild);

const run = (...args: string[]) => tierwall(args);

/** What a JavaScript crash prints: a stack frame or an Error name. */
function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at\s/m);
  expect(text).not.toMatch(/\b\w*Error:/);
  expect(text).not.toContain("internal error");
  expect(text).not.toContain("node:internal");
}

// Every mistake in the fixture: code, line and column, in the order reported.
// The line in the comment is what the fixture holds there.
const EXPECTED: [code: string, line: number, column: number][] = [
  // Shape and normalization: a misspelt key, a rule without direction, a field
  // both flat and under properties, an assertion's protocol.
  ["UnknownProperty", 143, 9], // destinationPortRnage: 4016-4020
  ["MissingProperty", 144, 9], // - name: DENY-Other (no direction)
  ["DuplicateProperty", 171, 19], // priority: 100 (and properties.priority)
  ["InvalidAssertion", 197, 15], // protocol: Https
  // Rules.
  ["SecurityRuleInvalidDescription", 36, 22], // 141 characters
  ["SecurityRuleInvalidAddressPrefix", 41, 30], // sourceAddressPrefix: INTERNET
  ["InvalidResourceName", 45, 15], // - name: ALLOW HTTP fe1ase
  ["SecurityRuleInvalidPriority", 57, 19], // priority: 5000
  ["SecurityRuleConflict", 75, 19], // priority: 800, as the rule before
  ["SecurityRuleInvalidProtocol", 82, 19], // protocol: HTTP
  ["SecurityRuleInvalidPortRange", 98, 33], // destinationPortRanges: ["80,443"]
  ["SecurityRuleParameterContainsUnsupportedValue", 104, 49], // "*" in sourceAddressPrefixes
  ["ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies", 115, 35], // the IPv4 destination
  ["SecurityRuleInvalidAddressPrefix", 122, 30], // 10.0.4.1/24
  ["UnknownServiceTag", 131, 30], // AppServiceManagment
  ["DuplicateResourceName", 152, 15], // - name: allow-https-APIASE
  ["PortsIgnoredForProtocol", 169, 31], // Icmp with destinationPortRange: "8"
  ["SecurityRuleInvalidAddressFields", 189, 35], // prefix and ASGs
  ["SecurityRuleInvalidPortFields", 188, 27], // sourcePortRange and sourcePortRanges
  // Topology.
  ["NetcfgSubnetRangeOutsideVnet", 15, 24], // addressPrefix: 10.1.2.0/24
  ["InvalidResourceReference", 18, 31], // networkSecurityGroup: RestrictBackendApi2
  ["PrivateIPAddressIsReserved", 24, 23], // privateIPAddress: 10.0.1.1
  ["PublicAddressInsideVirtualNetwork", 30, 22], // publicIPAddress: 10.0.9.40
];

describe("a spec with many different mistakes", () => {
  it("has at least a dozen different kinds of mistake, each at its own place", () => {
    expect(new Set(EXPECTED.map(([code]) => code)).size).toBeGreaterThanOrEqual(12);
    expect(new Set(EXPECTED.map(([, line, column]) => `${line}:${column}`)).size).toBe(
      EXPECTED.length,
    );
  });

  it("gets every mistake reported by loadSpec, at its line and column", () => {
    const result = loadSpec(join(ROOT, MANY));
    expect(result.spec).toBeUndefined();
    expect(result.diagnostics.map((d) => [d.code, d.location?.line, d.location?.column])).toEqual(
      EXPECTED,
    );
    expect(result.diagnostics.filter((d) => d.severity === "warning").map((d) => d.code)).toEqual([
      "PortsIgnoredForProtocol",
    ]);
  });

  it("makes check exit 2 and print every code at file:line:column, with no stack trace", () => {
    const { code, stdout, stderr } = run("check", MANY);
    expect(code).toBe(2);
    expectNoStackTrace(stdout + stderr);
    for (const [name, line, column] of EXPECTED) {
      expect(stdout).toContain(`${name}:`);
      expect(stdout).toContain(`${MANY}:${line}:${column}\n`);
    }
    expect(stdout).toContain("22 errors, 1 warning");
  });

  it("shows each mistake under its code, with the offending line and a caret", () => {
    const { stdout } = run("check", MANY);
    expect(stdout).toContain(
      [
        'error SecurityRuleInvalidAddressPrefix: security rule ALLOW-AzureMngmt: "INTERNET" is the classic spelling of a service tag, which Resource Manager rejects',
        `  --> ${MANY}:41:30`,
        "    |",
        "41  |         sourceAddressPrefix: INTERNET",
        "    |                              ^",
        "  hint: write Internet",
      ].join("\n"),
    );
    expect(stdout).toContain("hint: did you mean destinationPortRange?");
  });

  it("lists the same diagnostics with --json", () => {
    const { code, stdout, stderr } = run("check", MANY, "--json");
    expect(code).toBe(2);
    expect(stderr).toBe("");
    const report = JSON.parse(stdout) as {
      valid: boolean;
      diagnostics: { code: string; severity: string; file: string; line: number; column: number }[];
    };
    expect(report.valid).toBe(false);
    expect(report.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual(EXPECTED);
    expect(new Set(report.diagnostics.map((d) => d.file))).toEqual(new Set([MANY]));
    const loaded = loadSpec(MANY).diagnostics;
    expect(report.diagnostics.map((d) => [d.severity, d.code])).toEqual(
      loaded.map((d) => [d.severity, d.code]),
    );
  });
});

describe("other bad input through the CLI", () => {
  // Each fixture, and what check must print for it.
  const CASES: [fixture: string, expected: [code: string, where: string][]][] = [
    ["syntax-error", [["InvalidSyntax", "syntax-error/tierwall.yaml:10:9"]]],
    [
      "wrong-type",
      [
        ["InvalidType", "wrong-type/tierwall.yaml:9:19"],
        ["InvalidType", "wrong-type/tierwall.yaml:14:31"],
      ],
    ],
    ["missing-service-tags", [["FileUnreadable", "missing-service-tags/tierwall.yaml:2:14"]]],
    [
      "invalid-service-tags",
      [["InvalidServiceTagFile", "invalid-service-tags/service-tags.json:9:45"]],
    ],
  ];

  it.each(CASES)("%s: exit 2, each code at file:line:column", (fixture, expected) => {
    const { code, stdout, stderr } = run("check", `${FIXTURES}/${fixture}`);
    expect(code).toBe(2);
    expectNoStackTrace(stdout + stderr);
    const reported = [...stdout.matchAll(/^(?:error|warning) (\w+): [^\n]*\n {2}--> (\S+)$/gm)].map(
      (m) => [m[1], m[2]],
    );
    expect(reported).toEqual(expected.map(([c, where]) => [c, `${FIXTURES}/${where}`]));
  });

  it.each(CASES)("%s: the same with --json", (fixture, expected) => {
    const { code, stdout } = run("check", `${FIXTURES}/${fixture}`, "--json");
    expect(code).toBe(2);
    const report = JSON.parse(stdout) as {
      diagnostics: { code: string; file: string; line: number; column: number }[];
    };
    expect(report.diagnostics.map((d) => [d.code, `${d.file}:${d.line}:${d.column}`])).toEqual(
      expected.map(([c, where]) => [c, `${FIXTURES}/${where}`]),
    );
  });

  it("reports a spec that does not exist, exit 2", () => {
    const { code, stdout, stderr } = run("check", `${FIXTURES}/no-such-spec.yaml`);
    expect(code).toBe(2);
    expectNoStackTrace(stdout + stderr);
    expect(stdout).toContain(`error SpecNotFound: ${FIXTURES}/no-such-spec.yaml: no such file`);
  });

  it("reports a folder that holds no spec, exit 2", () => {
    const { code, stdout, stderr } = run("check", FIXTURES);
    expect(code).toBe(2);
    expectNoStackTrace(stdout + stderr);
    expect(stdout).toContain("error SpecNotFound:");
  });
});

describe("malformed files of the other import formats", () => {
  // Each file, and what import must print for it: exit 2, the code at file:line:column.
  const CASES: [file: string, text: string, code: string, where: string][] = [
    ["deploy.sh", "az network nsg create -g rg \\\n  -n 'web\n", "InvalidSyntax", "2:6"],
    [
      "tags.json",
      '{ "values": [\n  { "name": "Storage", "properties": { "addressPrefixes": ["20.0.0.1/8"] } }\n] }\n',
      "InvalidServiceTagFile",
      "2:60",
    ],
  ];

  it.each(CASES)("%s: exit 2, the problem placed, nothing written", (file, text, code, where) => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-bad-import-"));
    try {
      writeFileSync(join(dir, file), text);
      const out = join(dir, "out.yaml");
      const { code: exit, stdout, stderr } = run("import", join(dir, file), "-o", out);
      expect(exit).toBe(2);
      expectNoStackTrace(stdout + stderr);
      expect(stderr).toContain(`error ${code}:`);
      expect(stderr).toContain(`${join(dir, file)}:${where}`);
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
