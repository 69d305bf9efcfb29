import { describe, expect, it } from "vitest";
import { parsePrefix } from "../net/prefix.js";
import type { Diagnostic, ValuePath } from "./diagnostic.js";
import { NameIndex } from "./names.js";
import { parseSecurityRule, type RuleContext } from "./rule.js";
import { ServiceTagCatalog } from "./service-tags.js";
import type { SecurityRule } from "./types.js";

// Where the rule sits in a spec; every diagnostic path must start here.
const AT: ValuePath = ["networkSecurityGroups", 2, "securityRules", 5];
const at = (...rest: (string | number)[]): ValuePath => [...AT, ...rest];

const ASGS = ["web", "api", "db", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11"];
const CONTEXT: RuleContext = {
  serviceTags: ServiceTagCatalog.empty,
  applicationSecurityGroups: new NameIndex(ASGS),
};

// A valid rule; each test changes what it is about. Setting a field to
// undefined removes it.
const BASE: SecurityRule = {
  name: "allow-https",
  protocol: "Tcp",
  access: "Allow",
  priority: 100,
  direction: "Inbound",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "10.0.1.0/24",
  destinationPortRange: "443",
};

function parse(changes: Partial<Record<keyof SecurityRule, unknown>>, context = CONTEXT) {
  return parseSecurityRule({ ...BASE, ...changes } as SecurityRule, AT, context);
}

/** The diagnostics of a rule as severity, code and path: what must be exact. */
function problems(changes: Partial<Record<keyof SecurityRule, unknown>>, context = CONTEXT) {
  return parse(changes, context).diagnostics.map((d: Diagnostic) => ({
    severity: d.severity,
    code: d.code,
    path: d.path,
  }));
}

const err = (code: string, path: ValuePath) => ({ severity: "error", code, path });

/** Asserts that the rule parses without any diagnostic, and returns it. */
function valid(changes: Partial<Record<keyof SecurityRule, unknown>>, context = CONTEXT) {
  const result = parse(changes, context);
  expect(result.diagnostics).toEqual([]);
  expect(result.rule).toBeDefined();
  return result.rule as NonNullable<typeof result.rule>;
}

function prefix(text: string) {
  const parsed = parsePrefix(text);
  if (!parsed.ok) throw new Error(`bad test prefix ${text}`);
  return parsed.prefix;
}

describe("parseSecurityRule: the base rule", () => {
  it("is valid and typed", () => {
    const rule = valid({});
    expect(rule).toEqual({
      name: "allow-https",
      isDefault: false,
      protocol: "Tcp",
      access: "Allow",
      priority: 100,
      direction: "Inbound",
      source: { kind: "any" },
      sourcePorts: [{ first: 0, last: 65535 }],
      destination: { kind: "prefixes", prefixes: [prefix("10.0.1.0/24")] },
      destinationPorts: [{ first: 443, last: 443 }],
    });
  });
});

describe("parseSecurityRule: required properties", () => {
  it("reports each one missing, as an importer or the library may leave them out", () => {
    expect(
      problems({
        protocol: undefined,
        access: undefined,
        priority: undefined,
        direction: undefined,
      }),
    ).toEqual(
      ["protocol", "access", "priority", "direction"].map(() => err("MissingProperty", AT)),
    );
    expect(parse({ protocol: undefined }).diagnostics[0]?.message).toBe(
      "security rule allow-https has no protocol",
    );
  });
});

describe("parseSecurityRule: names", () => {
  it.each([
    ["-leading-dash"],
    ["has space"],
    ["a".repeat(81)],
    ["trailing."],
    ["trailing-"],
    [""],
    ["_leading-underscore"],
    ["slash/in"],
    ["a<b"],
    ["<>"],
    ["<has space>"],
    ["<x>-"],
  ])("rejects %j with InvalidResourceName at name", (name) => {
    expect(problems({ name })).toEqual([err("InvalidResourceName", at("name"))]);
  });

  it.each([
    ["a"],
    ["a".repeat(80)],
    ["trailing_"],
    ["Allow.HTTPS-from_fe1"],
    ["7"],
    // An import's placeholder for a part known only when deploying.
    ["<projectName>"],
    ["<var.prefix>-nsg"],
    ["msdocs-nsg-<randomIdentifier>"],
  ])("accepts %j", (name) => {
    expect(valid({ name }).name).toBe(name);
  });

  it("explains the naming rule in the hint", () => {
    const [d] = parse({ name: "bad name" }).diagnostics;
    expect(d?.hint).toContain("1-80 characters");
  });
});

describe("parseSecurityRule: priority", () => {
  it.each([[99], [4097], [100.5], [0], [-100], [65000]])(
    "rejects %d with SecurityRuleInvalidPriority at priority",
    (priority) => {
      expect(problems({ priority })).toEqual([err("SecurityRuleInvalidPriority", at("priority"))]);
    },
  );

  it.each([[100], [4096], [2048]])("accepts %d", (priority) => {
    expect(valid({ priority }).priority).toBe(priority);
  });

  it("allows the default rules' priorities only to default rules", () => {
    const result = parseSecurityRule({ ...BASE, priority: 65500 }, AT, CONTEXT, true);
    expect(result.diagnostics).toEqual([]);
    expect(result.rule?.isDefault).toBe(true);
  });
});

describe("parseSecurityRule: protocol, access, direction", () => {
  it.each([["http"], ["TCP/UDP"], ["Any"], ["icmpv6"], [""]])(
    "rejects protocol %j with SecurityRuleInvalidProtocol",
    (protocol) => {
      expect(problems({ protocol })).toEqual([err("SecurityRuleInvalidProtocol", at("protocol"))]);
    },
  );

  it.each([
    ["tcp", "Tcp"],
    ["UDP", "Udp"],
    ["icmp", "Icmp"],
    ["esp", "Esp"],
    ["AH", "Ah"],
    ["*", "*"],
  ])("accepts protocol %j as %s", (protocol, canonical) => {
    // '*' ports, so that protocols without ports raise no warning.
    const rule = valid({ protocol, destinationPortRange: "*" });
    expect(rule.protocol).toBe(canonical);
  });

  it.each([["Permit"], ["allowed"], [""]])(
    "rejects access %j with SecurityRuleInvalidAccess",
    (access) => {
      expect(problems({ access })).toEqual([err("SecurityRuleInvalidAccess", at("access"))]);
    },
  );

  it.each([
    ["ALLOW", "Allow"],
    ["deny", "Deny"],
  ])("accepts access %j as %s", (access, canonical) => {
    expect(valid({ access }).access).toBe(canonical);
  });

  it.each([["In"], ["Ingress"], ["both"]])(
    "rejects direction %j with SecurityRuleInvalidDirection",
    (direction) => {
      expect(problems({ direction })).toEqual([
        err("SecurityRuleInvalidDirection", at("direction")),
      ]);
    },
  );

  it.each([
    ["inbound", "Inbound"],
    ["OUTBOUND", "Outbound"],
  ])("accepts direction %j as %s", (direction, canonical) => {
    expect(valid({ direction }).direction).toBe(canonical);
  });
});

describe("parseSecurityRule: description", () => {
  it("rejects 141 characters with SecurityRuleInvalidDescription", () => {
    expect(problems({ description: "d".repeat(141) })).toEqual([
      err("SecurityRuleInvalidDescription", at("description")),
    ]);
  });

  it("accepts 140 characters", () => {
    expect(valid({ description: "d".repeat(140) }).description).toBe("d".repeat(140));
  });
});

describe("parseSecurityRule: a single address prefix", () => {
  it.each([
    ["10.0.0.1/24"],
    ["10.0.0.0/33"],
    ["10.0.0/16"],
    ["10.0.0.0/0/16"],
    ["any"],
    ["Any"],
    ["10.0.0.1-10.0.0.9"],
    ["256.0.0.1"],
    ["010.0.0.0/8"],
    ["2001:db8::1/64"],
    ["INTERNET"],
    ["VIRTUAL_NETWORK"],
    ["AZURE_LOADBALANCER"],
  ])("rejects %j with SecurityRuleInvalidAddressPrefix at the field", (text) => {
    expect(problems({ sourceAddressPrefix: text })).toEqual([
      err("SecurityRuleInvalidAddressPrefix", at("sourceAddressPrefix")),
    ]);
    expect(problems({ destinationAddressPrefix: text })).toEqual([
      err("SecurityRuleInvalidAddressPrefix", at("destinationAddressPrefix")),
    ]);
  });

  it("explains host bits, naming the prefix length", () => {
    const [d] = parse({ sourceAddressPrefix: "10.0.0.1/24" }).diagnostics;
    expect(d?.message).toContain("Value provided: 10.0.0.1/24");
    expect(d?.hint).toContain("/24");
    expect(d?.hint).toContain("network address");
  });

  it("explains that hyphenated ranges are not accepted", () => {
    const [d] = parse({ sourceAddressPrefix: "10.0.0.1-10.0.0.9" }).diagnostics;
    expect(d?.hint).toContain("CIDR");
  });

  it("suggests '*' for 'any'", () => {
    const [d] = parse({ destinationAddressPrefix: "any" }).diagnostics;
    expect(d?.hint).toContain("'*'");
  });

  it.each([
    ["INTERNET", "Internet"],
    ["VIRTUAL_NETWORK", "VirtualNetwork"],
    ["AZURE_LOADBALANCER", "AzureLoadBalancer"],
  ])("names the Resource Manager spelling of the classic tag %s", (classic, modern) => {
    const [d] = parse({ sourceAddressPrefix: classic }).diagnostics;
    expect(d?.hint).toBe(`write ${modern}`);
  });

  it.each([["Storage"], ["Sql.WestEurope"], ["AppService"]])(
    "rejects the unknown tag %j with UnknownServiceTag",
    (tag) => {
      expect(problems({ sourceAddressPrefix: tag })).toEqual([
        err("UnknownServiceTag", at("sourceAddressPrefix")),
      ]);
    },
  );

  it("accepts a tag the service-tag catalog knows, regional tags included", () => {
    const catalog = ServiceTagCatalog.of([
      ["Storage", [prefix("20.0.0.0/8")]],
      ["Sql.WestEurope", [prefix("40.0.0.0/8")]],
    ]);
    const context = { ...CONTEXT, serviceTags: catalog };
    expect(valid({ sourceAddressPrefix: "Storage" }, context).source).toEqual({
      kind: "tag",
      tag: "Storage",
    });
    expect(valid({ destinationAddressPrefix: "Sql.WestEurope" }, context).destination).toEqual({
      kind: "tag",
      tag: "Sql.WestEurope",
    });
  });

  it.each([["VirtualNetwork"], ["Internet"], ["AzureLoadBalancer"]])(
    "accepts the built-in tag %s",
    (tag) => {
      expect(valid({ sourceAddressPrefix: tag }).source).toEqual({ kind: "tag", tag });
    },
  );

  it.each([["10.0.0.4"], ["0.0.0.0/0"], ["2001:db8::/32"], ["2001:db8::4"]])(
    "accepts the address or block %s",
    (text) => {
      const rule = valid({ sourceAddressPrefix: text, destinationAddressPrefix: "*" });
      expect(rule.source).toEqual({ kind: "prefixes", prefixes: [prefix(text)] });
    },
  );
});

describe("parseSecurityRule: address prefix lists", () => {
  it.each([["*"], ["VirtualNetwork"], ["Internet"], ["INTERNET"]])(
    "rejects %j inside sourceAddressPrefixes with SecurityRuleParameterContainsUnsupportedValue at its element",
    (text) => {
      expect(
        problems({ sourceAddressPrefix: undefined, sourceAddressPrefixes: ["10.0.0.0/24", text] }),
      ).toEqual([
        err("SecurityRuleParameterContainsUnsupportedValue", at("sourceAddressPrefixes", 1)),
      ]);
    },
  );

  it("rejects a catalog tag inside destinationAddressPrefixes too", () => {
    const context = {
      ...CONTEXT,
      serviceTags: ServiceTagCatalog.of([["Storage", [prefix("20.0.0.0/8")]]]),
    };
    expect(
      problems(
        { destinationAddressPrefix: undefined, destinationAddressPrefixes: ["Storage"] },
        context,
      ),
    ).toEqual([
      err("SecurityRuleParameterContainsUnsupportedValue", at("destinationAddressPrefixes", 0)),
    ]);
  });

  it("reports each bad element of a list at its own index", () => {
    expect(
      problems({
        sourceAddressPrefix: undefined,
        sourceAddressPrefixes: ["10.0.0.1/24", "10.0.1.0/24", "nonsense", "*"],
      }),
    ).toEqual([
      err("SecurityRuleInvalidAddressPrefix", at("sourceAddressPrefixes", 0)),
      err("SecurityRuleInvalidAddressPrefix", at("sourceAddressPrefixes", 2)),
      err("SecurityRuleParameterContainsUnsupportedValue", at("sourceAddressPrefixes", 3)),
    ]);
  });

  it("accepts a list of addresses and blocks", () => {
    const rule = valid({
      sourceAddressPrefix: undefined,
      sourceAddressPrefixes: ["198.51.100.11", "203.0.113.0/24"],
    });
    expect(rule.source).toEqual({
      kind: "prefixes",
      prefixes: [prefix("198.51.100.11"), prefix("203.0.113.0/24")],
    });
  });
});

describe("parseSecurityRule: address families", () => {
  const MIXED = "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies";

  it("rejects IPv4 and IPv6 in one list", () => {
    expect(
      problems({
        sourceAddressPrefix: undefined,
        sourceAddressPrefixes: ["10.0.0.0/24", "2001:db8::/64"],
      }),
    ).toEqual([err(MIXED, at("sourceAddressPrefixes"))]);
  });

  it("rejects IPv4 on one side and IPv6 on the other", () => {
    expect(
      problems({ sourceAddressPrefix: "2001:db8::/64", destinationAddressPrefix: "10.0.1.0/24" }),
    ).toEqual([err(MIXED, at("destinationAddressPrefix"))]);
  });

  it("accepts IPv6 on both sides, and a tag or '*' beside either family", () => {
    valid({ sourceAddressPrefix: "2001:db8::/64", destinationAddressPrefix: "2001:db8:1::/64" });
    valid({ sourceAddressPrefix: "VirtualNetwork", destinationAddressPrefix: "2001:db8::/64" });
    valid({ sourceAddressPrefix: "*", destinationAddressPrefix: "2001:db8::/64" });
  });
});

describe("parseSecurityRule: exactly one address field per side", () => {
  const FIELDS = "SecurityRuleInvalidAddressFields";

  it("rejects a side with none, at the rule", () => {
    expect(problems({ sourceAddressPrefix: undefined })).toEqual([err(FIELDS, AT)]);
    expect(problems({ destinationAddressPrefix: undefined })).toEqual([err(FIELDS, AT)]);
  });

  it("treats an empty prefix and empty lists as absent, placed at the first empty one", () => {
    expect(
      problems({
        sourceAddressPrefix: "",
        sourceAddressPrefixes: [],
        sourceApplicationSecurityGroups: [],
      }),
    ).toEqual([err(FIELDS, at("sourceAddressPrefix"))]);
    expect(
      problems({ destinationAddressPrefix: undefined, destinationAddressPrefixes: [] }),
    ).toEqual([err(FIELDS, at("destinationAddressPrefixes"))]);
  });

  it("rejects a prefix beside a list, at the prefix", () => {
    expect(problems({ sourceAddressPrefixes: ["10.0.0.0/24"] })).toEqual([
      err(FIELDS, at("sourceAddressPrefix")),
    ]);
  });

  it("rejects a prefix beside application security groups, at the prefix", () => {
    expect(problems({ destinationApplicationSecurityGroups: ["web"] })).toEqual([
      err(FIELDS, at("destinationAddressPrefix")),
    ]);
  });

  it("rejects all three at once", () => {
    const [d] = parse({
      sourceAddressPrefixes: ["10.0.0.0/24"],
      sourceApplicationSecurityGroups: ["web"],
    }).diagnostics;
    expect(d?.code).toBe(FIELDS);
    expect(d?.message).toContain("3 are given");
  });

  it("accepts the empty lists the az CLI prints beside a single prefix", () => {
    const rule = valid({
      sourceAddressPrefixes: [],
      destinationAddressPrefixes: [],
      sourcePortRanges: [],
      destinationPortRanges: [],
    });
    expect(rule.source).toEqual({ kind: "any" });
  });

  it("accepts a list beside an empty single prefix", () => {
    const rule = valid({ sourceAddressPrefix: "", sourceAddressPrefixes: ["10.0.0.0/24"] });
    expect(rule.source).toEqual({ kind: "prefixes", prefixes: [prefix("10.0.0.0/24")] });
  });
});

describe("parseSecurityRule: application security groups", () => {
  it("accepts known groups, by name or ARM id", () => {
    const rule = valid({
      sourceAddressPrefix: undefined,
      sourceApplicationSecurityGroups: [
        "web",
        {
          id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/api",
        },
      ],
    });
    expect(rule.source).toEqual({ kind: "asgs", names: ["web", "api"] });
  });

  it("rejects an unknown group with UnknownApplicationSecurityGroup at its element", () => {
    expect(
      problems({
        destinationAddressPrefix: undefined,
        destinationApplicationSecurityGroups: ["web", "nope"],
      }),
    ).toEqual([
      err("UnknownApplicationSecurityGroup", at("destinationApplicationSecurityGroups", 1)),
    ]);
  });

  it("accepts 10 groups on one side", () => {
    valid({ sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: ASGS.slice(0, 10) });
  });

  it("rejects 11 groups on one side", () => {
    expect(
      problems({ sourceAddressPrefix: undefined, sourceApplicationSecurityGroups: ASGS }),
    ).toEqual([
      err(
        "NumberOfApplicationSecurityGroupsReferencedInSecurityRuleLimitReached",
        at("sourceApplicationSecurityGroups"),
      ),
    ]);
  });
});

describe("parseSecurityRule: ports", () => {
  const RANGE = "SecurityRuleInvalidPortRange";
  const FIELDS = "SecurityRuleInvalidPortFields";

  it.each([["65536"], ["80,443"], ["90-80"], ["abc"], ["80-"], ["-80"], [" 80"], ["1-2-3"], [""]])(
    "rejects the single range %j",
    (text) => {
      if (text === "") {
        // An empty single range counts as absent, and is placed at itself.
        expect(problems({ destinationPortRange: text })).toEqual([
          err(FIELDS, at("destinationPortRange")),
        ]);
        return;
      }
      expect(problems({ destinationPortRange: text })).toEqual([
        err(RANGE, at("destinationPortRange")),
      ]);
      expect(problems({ sourcePortRange: text })).toEqual([err(RANGE, at("sourcePortRange"))]);
    },
  );

  it.each([["65536"], ["80,443"], ["636, 389"], ["*"], ["90-80"], ["abc"]])(
    "rejects %j inside destinationPortRanges, at its element",
    (text) => {
      expect(
        problems({ destinationPortRange: undefined, destinationPortRanges: ["22", text] }),
      ).toEqual([err(RANGE, at("destinationPortRanges", 1))]);
    },
  );

  it("says why, for the mistakes with a known fix", () => {
    const hint = (changes: Partial<Record<keyof SecurityRule, unknown>>) =>
      parse(changes).diagnostics[0]?.hint;
    expect(hint({ destinationPortRange: undefined, destinationPortRanges: ["*"] })).toContain(
      "0-65535",
    );
    expect(hint({ destinationPortRange: undefined, destinationPortRanges: ["80,443"] })).toContain(
      "own list element",
    );
    expect(hint({ destinationPortRange: "90-80" })).toContain("must not exceed");
  });

  it("quotes Azure's message with the value", () => {
    const [d] = parse({ destinationPortRange: "65536" }).diagnostics;
    expect(d?.message).toContain("Value provided: 65536");
    expect(d?.message).toContain("Valid range 0-65535");
  });

  it("rejects both the single range and the list, at the list", () => {
    expect(problems({ destinationPortRanges: ["80"] })).toEqual([
      err(FIELDS, at("destinationPortRanges")),
    ]);
    expect(problems({ sourcePortRanges: ["1024-65535"] })).toEqual([
      err(FIELDS, at("sourcePortRanges")),
    ]);
  });

  it("rejects neither, at the rule, or at an empty list", () => {
    expect(problems({ destinationPortRange: undefined })).toEqual([err(FIELDS, AT)]);
    expect(problems({ sourcePortRange: undefined, sourcePortRanges: [] })).toEqual([
      err(FIELDS, at("sourcePortRanges")),
    ]);
  });

  it("accepts ports, ranges and '*'", () => {
    expect(valid({ destinationPortRange: "0" }).destinationPorts).toEqual([{ first: 0, last: 0 }]);
    expect(valid({ destinationPortRange: "65535" }).destinationPorts).toEqual([
      { first: 65535, last: 65535 },
    ]);
    expect(valid({ destinationPortRange: "1000-2000" }).destinationPorts).toEqual([
      { first: 1000, last: 2000 },
    ]);
    expect(
      valid({ destinationPortRange: undefined, destinationPortRanges: ["80", "10000-10005"] })
        .destinationPorts,
    ).toEqual([
      { first: 80, last: 80 },
      { first: 10000, last: 10005 },
    ]);
    expect(valid({ sourcePortRange: "*" }).sourcePorts).toEqual([{ first: 0, last: 65535 }]);
  });
});

describe("parseSecurityRule: protocols without ports", () => {
  it("warns that an Icmp rule's port is ignored, and still parses", () => {
    const result = parse({ protocol: "Icmp", destinationPortRange: "80" });
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.path])).toEqual([
      ["warning", "PortsIgnoredForProtocol", at("destinationPortRange")],
    ]);
    expect(result.rule?.protocol).toBe("Icmp");
  });

  it("points at the list when the ports are given as one", () => {
    const result = parse({
      protocol: "Esp",
      sourcePortRange: undefined,
      sourcePortRanges: ["500"],
      destinationPortRange: "*",
    });
    expect(result.diagnostics.map((d) => [d.severity, d.code, d.path])).toEqual([
      ["warning", "PortsIgnoredForProtocol", at("sourcePortRanges")],
    ]);
  });

  it("does not warn for '*' or 0-65535", () => {
    valid({ protocol: "Icmp", destinationPortRange: "*" });
    valid({ protocol: "Ah", destinationPortRange: "0-65535" });
  });

  it("does not warn for Tcp, Udp or '*'", () => {
    valid({ protocol: "Udp", destinationPortRange: "53" });
    valid({ protocol: "*", destinationPortRange: "53" });
  });
});

describe("parseSecurityRule: several problems", () => {
  it("reports every one of them, each at its field, and returns no rule", () => {
    const result = parse({
      name: "-bad",
      description: "x".repeat(141),
      protocol: "http",
      access: "Permit",
      priority: 5000,
      direction: "In",
      sourceAddressPrefix: "10.0.0.1/24",
      sourcePortRange: "70000",
      destinationAddressPrefix: "Storage",
      destinationPortRange: undefined,
      destinationPortRanges: ["*", "90-80"],
    });
    expect(result.rule).toBeUndefined();
    expect(
      result.diagnostics.map((d) => ({ severity: d.severity, code: d.code, path: d.path })),
    ).toEqual([
      err("InvalidResourceName", at("name")),
      err("SecurityRuleInvalidDescription", at("description")),
      err("SecurityRuleInvalidProtocol", at("protocol")),
      err("SecurityRuleInvalidAccess", at("access")),
      err("SecurityRuleInvalidDirection", at("direction")),
      err("SecurityRuleInvalidPriority", at("priority")),
      err("SecurityRuleInvalidAddressPrefix", at("sourceAddressPrefix")),
      err("UnknownServiceTag", at("destinationAddressPrefix")),
      err("SecurityRuleInvalidPortRange", at("sourcePortRange")),
      err("SecurityRuleInvalidPortRange", at("destinationPortRanges", 0)),
      err("SecurityRuleInvalidPortRange", at("destinationPortRanges", 1)),
    ]);
  });

  it("names the rule in every message", () => {
    const result = parse({ name: "my-rule", priority: 1, access: "x" });
    expect(result.diagnostics).toHaveLength(2);
    for (const d of result.diagnostics) expect(d.message).toContain("my-rule");
  });
});
