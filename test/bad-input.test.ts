import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("hostile input", () => {
  // Each case: a file written to a temporary folder, and every diagnostic it must
  // give (code, message, line, column). None may crash, hang, warn on stderr, or
  // take 2 s in the loader.
  const many = (n: number, line: (i: number) => string) =>
    Array.from({ length: n }, (_, i) => line(i)).join("\n");
  const letters = "abcdefghij";
  const aliasBomb = many(10, (i) => {
    const items = i === 0 ? "x" : `*${letters[i - 1]}`;
    return `${letters[i]}: &${letters[i]} [${Array(10).fill(items).join(",")}]`;
  });
  const unknownKeys = (n: number) =>
    `networkSecurityGroups:\n  - name: n\n${many(n, (i) => `    bogus${i}: 1`)}\n`;
  const unknownKeysJson = (n: number) =>
    `{"networkSecurityGroups": [{"name": "n",\n${many(n, (i) => `"bogus${i}": 1`).replace(/\n/g, ",\n")}}]}\n`;
  const deepBlockMaps = (n: number) =>
    `${many(n, (i) => `${" ".repeat(i)}a:`)}\n${" ".repeat(n)}x\n`;
  const deepBlockSeqs = (n: number) =>
    `description:\n${many(n, (i) => `${" ".repeat(i)}-`)}\n${" ".repeat(n)}x\n`;
  const deepFlow = (n: number) => `description: ${"[".repeat(n)}${"]".repeat(n)}\n`;
  const rule = (name: string, priority: number, fields: string) =>
    `      - name: ${name}\n        protocol: Tcp\n        access: Allow\n        priority: ${priority}\n        direction: Inbound\n${fields}`;
  const nsg = `networkSecurityGroups:\n  - name: nsg\n    securityRules:\n`;
  const UNKNOWN = 'networkSecurityGroups[0]: unknown property "bogus';
  const TOP = "the spec must be a mapping of sections such as networkSecurityGroups:, not";
  const DEEP = "nesting deeper than 100 levels";

  type Expected = [code: string, message: string, line: number, column: number];
  const CASES: [name: string, file: string, text: string | Buffer, expected: Expected[]][] = [
    [
      "an alias bomb",
      "tierwall.yaml",
      aliasBomb,
      [
        [
          "AliasLimitExceeded",
          "alias *d: aliases would copy more than 100000 values, the limit",
          5,
          29,
        ],
      ],
    ],
    [
      "an undefined alias",
      "tierwall.yaml",
      "description: ok\ntiers: *nope\n",
      [["UndefinedAlias", "alias *nope: there is no anchor &nope before it", 2, 8]],
    ],
    [
      "an alias inside the value it names",
      "tierwall.yaml",
      "description: ok\ntiers: &t [*t]\n",
      [["RecursiveAlias", "alias *t is inside the value &t it names", 2, 12]],
    ],
    [
      "50,000 unknown keys",
      "tierwall.yaml",
      unknownKeys(50_000),
      [
        ...Array.from(
          { length: 20 },
          (_, i): Expected => ["UnknownProperty", `${UNKNOWN}${i}"`, 3 + i, 5],
        ),
        [
          "UnknownProperty",
          "49980 more UnknownProperty problems not listed; the next is here",
          23,
          5,
        ],
      ],
    ],
    [
      "50,000 unknown keys in JSON",
      "tierwall.json",
      unknownKeysJson(50_000),
      [
        ...Array.from(
          { length: 20 },
          (_, i): Expected => ["UnknownProperty", `${UNKNOWN}${i}"`, 2 + i, 1],
        ),
        [
          "UnknownProperty",
          "49980 more UnknownProperty problems not listed; the next is here",
          22,
          1,
        ],
      ],
    ],
    [
      "3,000 nested block mappings",
      "tierwall.yaml",
      deepBlockMaps(3_000),
      [["NestingTooDeep", DEEP, 101, 101]],
    ],
    [
      "3,000 nested block sequences",
      "tierwall.yaml",
      deepBlockSeqs(3_000),
      [["NestingTooDeep", DEEP, 101, 100]],
    ],
    [
      "10,000 nested flow sequences",
      "tierwall.yaml",
      deepFlow(10_000),
      [["NestingTooDeep", DEEP, 1, 113]],
    ],
    [
      "1,000,000 nested flow sequences",
      "tierwall.yaml",
      deepFlow(1_000_000),
      [["NestingTooDeep", DEEP, 1, 113]],
    ],
    [
      "10,000 nested arrays in JSON",
      "tierwall.json",
      `{"description": ${"[".repeat(10_000)}${"]".repeat(10_000)}}`,
      [["NestingTooDeep", DEEP, 1, 116]],
    ],
    [
      "aliases that nest too deep together",
      "tierwall.yaml",
      `a: &a ${"[".repeat(60)}${"]".repeat(60)}\ndescription: ${"[".repeat(60)}*a${"]".repeat(60)}\n`,
      [["NestingTooDeep", `${DEEP} (through alias *a)`, 2, 74]],
    ],
    [
      "a list as a key",
      "tierwall.yaml",
      "description: ok\n[a, b]: x\n",
      [["InvalidKey", "a key must be a name, not a list", 2, 1]],
    ],
    [
      "an explicit complex key",
      "tierwall.yaml",
      // `[a, b] : x` is itself a mapping, the key of `?`.
      "? [a, b] : x\n",
      [["InvalidKey", "a key must be a name, not a mapping", 1, 3]],
    ],
    [
      "a numeric key",
      "tierwall.yaml",
      "description: ok\n1: x\n",
      [["UnknownProperty", 'the document: unknown property "1"', 2, 1]],
    ],
    [
      "a numeric key in a flow mapping",
      "tierwall.yaml",
      "networkSecurityGroups: [{1: 2}]\n",
      [
        ["MissingProperty", "networkSecurityGroups[0].name is required (string)", 1, 25],
        ["UnknownProperty", 'networkSecurityGroups[0]: unknown property "1"', 1, 26],
      ],
    ],
    [
      "a __proto__ key",
      "tierwall.yaml",
      "description: ok\n__proto__: {tiers: 1}\n",
      [["UnknownProperty", 'the document: unknown property "__proto__"', 2, 1]],
    ],
    ["an empty file", "tierwall.yaml", "", [["EmptySpec", "the spec is empty", 1, 1]]],
    [
      "a whitespace-only file",
      "tierwall.yaml",
      "  \n\t\n\n",
      [["EmptySpec", "the spec is empty", 1, 1]],
    ],
    ["a BOM-only file", "tierwall.yaml", "\uFEFF", [["EmptySpec", "the spec is empty", 1, 1]]],
    [
      "a comment-only file",
      "tierwall.yaml",
      "# nothing yet\n---\n",
      [["EmptySpec", "the spec is empty", 1, 1]],
    ],
    ["an empty JSON file", "tierwall.json", "", [["EmptySpec", "the spec is empty", 1, 1]]],
    [
      "a null document",
      "tierwall.yaml",
      "# a comment\nnull\n",
      [["InvalidType", `${TOP} null`, 2, 1]],
    ],
    [
      "a scalar document",
      "tierwall.yaml",
      "hello\n",
      [["InvalidType", `${TOP} string "hello"`, 1, 1]],
    ],
    ["a list document", "tierwall.yaml", "- a\n- b\n", [["InvalidType", `${TOP} a list`, 1, 1]]],
    ["a JSON list", "tierwall.json", "[]\n", [["InvalidType", `${TOP} a list`, 1, 1]]],
    [
      "duplicate tier names",
      "tierwall.yaml",
      "tiers:\n  - name: api\n    environments: []\n  - name: API\n    environments: []\n",
      [
        ["DuplicateResourceName", "tier API is defined twice (also at tiers[0])", 4, 11],
        ["InvalidTier", "tier api: has no environments", 3, 19],
        ["InvalidTier", "tier API: has no environments", 5, 19],
      ],
    ],
    [
      "empty address and port values",
      "tierwall.yaml",
      nsg +
        rule(
          "r1",
          100,
          '        sourceAddressPrefix: ""\n        sourcePortRange: "*"\n        destinationAddressPrefix: "*"\n        destinationPortRange: ""\n',
        ) +
        rule(
          "r2",
          200,
          '        sourceAddressPrefixes: []\n        sourcePortRange: "*"\n        destinationAddressPrefix: "*"\n        destinationPortRanges: [""]\n',
        ),
      [
        [
          "SecurityRuleInvalidAddressFields",
          "security rule r1: must specify a non empty value for exactly one of SourceAddressPrefix, SourceAddressPrefixes, SourceApplicationSecurityGroups (none is given)",
          9,
          30,
        ],
        [
          "SecurityRuleInvalidPortFields",
          "security rule r1: must specify DestinationPortRange or DestinationPortRanges",
          12,
          31,
        ],
        [
          "SecurityRuleInvalidAddressFields",
          "security rule r2: must specify a non empty value for exactly one of SourceAddressPrefix, SourceAddressPrefixes, SourceApplicationSecurityGroups (none is given)",
          18,
          32,
        ],
        [
          "SecurityRuleInvalidPortRange",
          "security rule r2: Security rule has invalid Port range. Value provided: . Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.",
          21,
          33,
        ],
      ],
    ],
    [
      "invalid UTF-8",
      "tierwall.yaml",
      Buffer.concat([
        Buffer.from("description: ok\ntiers: [caf\u00e9, "),
        Buffer.from([0xff, 0xfe]),
        Buffer.from("]\n"),
      ]),
      [["InvalidEncoding", "the file is not UTF-8 text: byte 0xff", 2, 15]],
    ],
    [
      "invalid UTF-8 in JSON",
      "tierwall.json",
      Buffer.concat([
        Buffer.from('{"description": "'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]),
      [["InvalidEncoding", "the file is not UTF-8 text: byte 0xc3", 1, 18]],
    ],
    [
      "a NUL byte",
      "tierwall.yaml",
      "description: ok\ntiers: [a\u0000b]\n",
      [["InvalidCharacter", "control character U+0000 is not allowed in a spec", 2, 10]],
    ],
    [
      "CRLF line endings",
      "tierwall.yaml",
      (
        nsg +
        rule(
          "r1",
          100,
          '        sourceAddressPrefix: "*"\n        sourcePortRange: "*"\n        destinationAddressPrefix: "*"\n        destinationPortRange: "80-"\n',
        )
      ).replace(/\n/g, "\r\n"),
      [
        [
          "SecurityRuleInvalidPortRange",
          "security rule r1: Security rule has invalid Port range. Value provided: 80-. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.",
          12,
          31,
        ],
      ],
    ],
    [
      "tab indentation",
      "tierwall.yaml",
      "tiers:\n\t- name: api\n",
      [["InvalidSyntax", "Tabs are not allowed as indentation", 2, 1]],
    ],
    [
      "a duplicate key",
      "tierwall.yaml",
      "description: a\ndescription: b\n",
      [["InvalidSyntax", "Map keys must be unique", 2, 1]],
    ],
    [
      "a duplicate key in JSON",
      "tierwall.json",
      '{"tiers": [],\n "tiers": []}\n',
      [["InvalidSyntax", "Map keys must be unique", 2, 2]],
    ],
    [
      "a 1 MB line",
      "tierwall.yaml",
      `{description: "${"x".repeat(1 << 20)}", bogus: 1}\n`,
      [["UnknownProperty", 'the document: unknown property "bogus"', 1, (1 << 20) + 19]],
    ],
    [
      "two documents",
      "tierwall.yaml",
      "---\ndescription: a\n---\ndescription: b\n",
      [["InvalidSyntax", "a spec file holds one YAML document; a second one starts here", 3, 1]],
    ],
  ];

  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tierwall-hostile-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, file: string, text: string | Buffer) => {
    const folder = join(dir, name.replace(/\W+/g, "-"));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, file), text);
    return join(folder, file);
  };

  // Each case loads in well under 2 s (the largest, 50,000 keys, in about 1 s);
  // the bound is looser so that a busy machine cannot fail it: it catches a
  // return of the quadratic or unbounded work these inputs once caused.
  it.each(CASES)(
    "%s: loadSpec gives exactly these diagnostics, without unbounded work",
    (name, file, text, expected) => {
      const path = write(name, file, text);
      const start = performance.now();
      const result = loadSpec(path);
      const elapsed = performance.now() - start;
      expect(result.spec).toBeUndefined();
      expect(
        result.diagnostics.map((d) => [d.code, d.message, d.location?.line, d.location?.column]),
      ).toEqual(expected);
      expect(new Set(result.diagnostics.map((d) => d.location?.file))).toEqual(new Set([path]));
      expect(elapsed).toBeLessThan(8000);
    },
  );

  // The command adds Node's start-up to the loader's time, which a loaded
  // machine stretches: the bound here only catches a hang.
  it.each(CASES)(
    "%s: check exits 2, places each problem, prints no stack trace or warning",
    (name, file, text, expected) => {
      const path = write(name, file, text);
      const start = performance.now();
      const { code, stdout, stderr } = run("check", path);
      expect(performance.now() - start).toBeLessThan(10_000);
      expect(code).toBe(2);
      expectNoStackTrace(stdout + stderr);
      expect(stderr).toBe("");
      for (const [diagnostic, , line, column] of expected) {
        expect(stdout).toContain(`error ${diagnostic}:`);
        expect(stdout).toContain(`--> ${path}:${line}:${column}\n`);
      }
    },
  );

  it("hints at the listed unknown properties only, and says why the rest are not listed", () => {
    const listed = loadSpec(write("hints", "tierwall.yaml", unknownKeys(30))).diagnostics;
    expect(listed).toHaveLength(21);
    expect(listed[0]?.hint).toBe(
      "unknown properties are errors, so that a typo cannot weaken a policy",
    );
    expect(listed[20]?.hint).toBe("only the first 20 of each kind are listed");
  });

  it("loads a valid spec in time linear in its size", () => {
    // NSGs of 1,000 valid rules, about 260 kB each.
    const valid = (count: number) =>
      `networkSecurityGroups:\n${many(
        count,
        (k) =>
          `  - name: nsg${k}\n    securityRules:\n${many(1000, (j) =>
            rule(
              `rule-${j}`,
              100 + j,
              `        sourceAddressPrefix: 10.${j >> 8}.${j & 255}.0/24\n        sourcePortRange: "*"\n        destinationAddressPrefix: "*"\n        destinationPortRange: "${1000 + j}"`,
            ),
          )}`,
      )}\n`;
    const time = (count: number) => {
      const path = write(`valid-${count}`, "tierwall.yaml", valid(count));
      const start = performance.now();
      const result = loadSpec(path);
      expect(result.diagnostics).toEqual([]);
      return performance.now() - start;
    };
    time(1); // warms the code up
    // Four times the size (1 MB); quadratic time would be sixteen times longer.
    expect(time(4)).toBeLessThan(10 * time(1));
  });
});
