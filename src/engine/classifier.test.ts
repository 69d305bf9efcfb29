import { describe, expect, it, vi } from "vitest";
import type { ParsedRule } from "../model/rule.js";
import { type IpAddress, parseIpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { ALL_PORTS, type PortRange } from "../net/ports.js";
import { parsePrefix } from "../net/prefix.js";
import type { FlowProtocol, RuleProtocol } from "../net/protocol.js";
import {
  ALLOW,
  CompiledNsgs,
  DENY,
  type FlowBatch4,
  type FlowBatch6,
  FlowClassifier,
  NO_DECISION,
  NO_RULE,
  PROTOCOL_CODE,
} from "./classifier.js";
import { CHUNK } from "./classifier-memory.js";
import { firstMatch, type Packet, ruleMatches } from "./packet.js";
import type { ResolvedNsg, ResolvedRule } from "./resolve.js";

interface RuleSpec {
  readonly access?: "Allow" | "Deny";
  readonly protocol?: RuleProtocol;
  readonly source?: readonly string[];
  readonly destination?: readonly string[];
  readonly sourcePorts?: readonly PortRange[];
  readonly destinationPorts?: readonly PortRange[];
}

const addresses = (prefixes: readonly string[] | undefined): AddressSet => {
  if (prefixes === undefined) return AddressSet.all;
  return AddressSet.of(
    prefixes.map((text) => {
      const parsed = parsePrefix(text);
      if (!parsed.ok) throw new Error(`bad prefix ${text}`);
      return parsed.prefix;
    }),
  );
};

function rules(...specs: RuleSpec[]): ResolvedRule[] {
  return specs.map((spec, i) => {
    const access = spec.access ?? "Allow";
    const protocol = spec.protocol ?? "*";
    return {
      rule: { name: `r${i}`, isDefault: false, priority: 100 + i, access, protocol } as ParsedRule,
      access,
      priority: 100 + i,
      protocol,
      source: addresses(spec.source),
      sourcePorts: spec.sourcePorts ?? [ALL_PORTS],
      destination: addresses(spec.destination),
      destinationPorts: spec.destinationPorts ?? [ALL_PORTS],
    };
  });
}

const ip = (text: string): IpAddress => {
  const a = parseIpAddress(text);
  if (!a) throw new Error(`bad address ${text}`);
  return a;
};

const packet = (
  protocol: FlowProtocol,
  source: string,
  destination: string,
  destinationPort = 80,
  sourcePort = 50000,
): Packet => ({
  protocol,
  source: ip(source),
  sourcePort,
  destination: ip(destination),
  destinationPort,
});

/** The naive answer, as an index. */
const naive = (list: readonly ResolvedRule[], p: Packet): number =>
  list.findIndex((r) => ruleMatches(r, p));

describe("FlowClassifier", () => {
  it("returns the first matching rule, as the rule list does", () => {
    const list = rules(
      {
        access: "Deny",
        protocol: "Tcp",
        source: ["10.0.0.0/8"],
        destinationPorts: [{ first: 22, last: 22 }],
      },
      {
        protocol: "Tcp",
        destination: ["10.1.0.0/16"],
        destinationPorts: [{ first: 80, last: 443 }],
      },
      { protocol: "Udp", source: ["192.168.0.0/24"] },
      { access: "Deny" },
    );
    const c = FlowClassifier.compile(list);
    for (const p of [
      packet("Tcp", "10.2.3.4", "10.1.0.1", 22),
      packet("Tcp", "11.2.3.4", "10.1.0.1", 22),
      packet("Tcp", "11.2.3.4", "10.1.0.1", 443),
      packet("Tcp", "11.2.3.4", "10.1.0.1", 444),
      packet("Udp", "192.168.0.255", "8.8.8.8", 53),
      packet("Udp", "192.168.1.0", "8.8.8.8", 53),
    ])
      expect(
        c.matchIndex(p),
        JSON.stringify(p, (_, v) => (typeof v === "bigint" ? `${v}` : v)),
      ).toBe(naive(list, p));
    expect(c.match(packet("Tcp", "10.2.3.4", "10.1.0.1", 22))).toBe(list[0]);
    expect(c.match(packet("Tcp", "11.2.3.4", "10.1.0.1", 80))).toBe(list[1]);
  });

  it("ignores a rule's ports for Icmp, Esp and Ah, and checks them for Tcp and Udp", () => {
    const list = rules(
      { access: "Deny", destinationPorts: [{ first: 3389, last: 3389 }] },
      { protocol: "Icmp", access: "Allow" },
      { access: "Allow" },
    );
    const c = FlowClassifier.compile(list);
    expect(c.matchIndex(packet("Icmp", "1.1.1.1", "2.2.2.2", 0))).toBe(0);
    expect(c.matchIndex(packet("Esp", "1.1.1.1", "2.2.2.2", 0))).toBe(0);
    expect(c.matchIndex(packet("Ah", "1.1.1.1", "2.2.2.2", 9))).toBe(0);
    expect(c.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2", 0))).toBe(2);
    expect(c.matchIndex(packet("Udp", "1.1.1.1", "2.2.2.2", 3389))).toBe(0);
    const icmpOnly = FlowClassifier.compile(
      rules({ protocol: "Icmp", destinationPorts: [{ first: 1, last: 1 }] }),
    );
    expect(icmpOnly.matchIndex(packet("Icmp", "1.1.1.1", "2.2.2.2", 7))).toBe(0);
    expect(icmpOnly.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2", 1))).toBe(NO_RULE);
  });

  it("is exact at the ends of the address and port spaces", () => {
    const list = rules(
      { source: ["0.0.0.0/32"], destinationPorts: [{ first: 0, last: 0 }] },
      { source: ["255.255.255.255/32"], destinationPorts: [{ first: 65535, last: 65535 }] },
      { source: ["::/128"] },
      { source: ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"] },
      { source: ["128.0.0.0/1", "8000::/1"], access: "Deny" },
    );
    const c = FlowClassifier.compile(list);
    const cases: [Packet, number][] = [
      [packet("Tcp", "0.0.0.0", "1.1.1.1", 0), 0],
      [packet("Tcp", "0.0.0.0", "1.1.1.1", 1), NO_RULE],
      [packet("Tcp", "0.0.0.1", "1.1.1.1", 0), NO_RULE],
      [packet("Tcp", "255.255.255.255", "1.1.1.1", 65535), 1],
      [packet("Tcp", "255.255.255.255", "1.1.1.1", 65534), 4],
      [packet("Tcp", "127.255.255.255", "1.1.1.1", 65535), NO_RULE],
      [packet("Udp", "::", "::1"), 2],
      [packet("Udp", "::1", "::1"), NO_RULE],
      [packet("Udp", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1"), 3],
      [packet("Udp", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::1"), 4],
      [packet("Udp", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::1"), NO_RULE],
    ];
    for (const [p, expected] of cases) {
      expect(naive(list, p)).toBe(expected);
      expect(c.matchIndex(p)).toBe(expected);
    }
  });

  it("merges overlapping and adjacent port ranges of one rule", () => {
    const list = rules(
      {
        destinationPorts: [
          { first: 100, last: 200 },
          { first: 150, last: 160 },
          { first: 201, last: 210 },
          { first: 300, last: 300 },
        ],
      },
      { access: "Deny" },
    );
    const c = FlowClassifier.compile(list);
    for (const port of [99, 100, 150, 160, 200, 201, 210, 211, 299, 300, 301])
      expect(c.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2", port))).toBe(
        naive(list, packet("Tcp", "1.1.1.1", "2.2.2.2", port)),
      );
  });

  it("finds rules beyond the first word of the vectors", () => {
    const specs: RuleSpec[] = Array.from({ length: 70 }, (_, i) => ({
      source: [`10.${i}.0.0/16`],
    }));
    specs[33] = { source: ["10.0.0.0/8"], protocol: "Udp" };
    specs[64] = { source: ["10.0.0.0/8"], access: "Deny" };
    const list = rules(...specs);
    const c = FlowClassifier.compile(list);
    expect(c.matchIndex(packet("Tcp", "10.69.1.1", "1.1.1.1"))).toBe(64);
    expect(c.matchIndex(packet("Udp", "10.69.1.1", "1.1.1.1"))).toBe(33);
    expect(c.matchIndex(packet("Tcp", "10.31.1.1", "1.1.1.1"))).toBe(31);
    expect(c.matchIndex(packet("Tcp", "10.65.1.1", "1.1.1.1"))).toBe(64);
    expect(c.matchIndex(packet("Tcp", "11.0.0.0", "1.1.1.1"))).toBe(NO_RULE);
  });

  it("finds the rule at every position of several 128-bit steps, in both 64-bit lanes", () => {
    // Rule i alone matches destination port 1000 + i; the kernel scans 128 rules a step.
    const count = 300;
    const list = rules(
      ...Array.from({ length: count }, (_, i) => ({
        destinationPorts: [{ first: 1000 + i, last: 1000 + i }],
      })),
    );
    const c = FlowClassifier.compile(list);
    for (let i = 0; i < count; i++) {
      expect(c.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2", 1000 + i))).toBe(i);
      expect(c.matchIndex(packet("Udp", "::1", "::2", 1000 + i))).toBe(i);
    }
    expect(c.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2", 1000 + count))).toBe(NO_RULE);
  });

  it("treats each address of a packet in its own family", () => {
    const list = rules({ source: ["10.0.0.0/8"], destination: ["fd00::/8"] }, {});
    const c = FlowClassifier.compile(list);
    const mixed: Packet = { ...packet("Tcp", "10.1.1.1", "1.1.1.1"), destination: ip("fd00::1") };
    expect(c.matchIndex(mixed)).toBe(naive(list, mixed));
    expect(c.matchIndex(mixed)).toBe(0);
  });

  it("matches no port range with a port outside 0-65535, as the rule list does", () => {
    const list = rules({});
    const c = FlowClassifier.compile(list);
    const p = { ...packet("Tcp", "1.1.1.1", "2.2.2.2"), destinationPort: 70000 };
    expect(naive(list, p)).toBe(NO_RULE);
    expect(c.matchIndex(p)).toBe(NO_RULE);
    expect(c.matchIndex({ ...p, protocol: "Icmp" })).toBe(0);
  });

  it("refuses a packet whose protocol is not a flow protocol", () => {
    const c = FlowClassifier.compile(rules({}));
    const p = { ...packet("Tcp", "1.1.1.1", "2.2.2.2"), protocol: "tcp" as FlowProtocol };
    expect(() => c.matchIndex(p)).toThrow(new TypeError("not a flow protocol: tcp"));
  });

  it("compiles an empty rule list to a classifier that matches nothing", () => {
    const c = FlowClassifier.compile([]);
    expect(c.matchIndex(packet("Tcp", "1.1.1.1", "2.2.2.2"))).toBe(NO_RULE);
    expect(c.match(packet("Udp", "::1", "::2"))).toBeUndefined();
  });

  it("shares equal vectors, so that many alike rules stay small", () => {
    const alike = FlowClassifier.compile(rules(...Array.from({ length: 1000 }, () => ({}))));
    const distinct = FlowClassifier.compile(
      rules(
        ...Array.from({ length: 1000 }, (_, i) => ({ source: [`10.${i >> 8}.${i & 255}.0/24`] })),
      ),
    );
    expect(alike.byteLength).toBeLessThan(distinct.byteLength / 10);
    expect(alike.matchIndex(packet("Ah", "1.1.1.1", "2.2.2.2"))).toBe(0);
    expect(distinct.matchIndex(packet("Tcp", "10.3.231.9", "2.2.2.2"))).toBe(999);
  });
});

describe("FlowClassifier batch API", () => {
  const list = rules(
    {
      access: "Deny",
      protocol: "Tcp",
      source: ["10.0.0.0/8", "fd00::/8"],
      destinationPorts: [{ first: 22, last: 22 }],
    },
    { protocol: "Udp", sourcePorts: [{ first: 53, last: 53 }] },
    { protocol: "Icmp", destination: ["192.0.2.0/24", "2001:db8::/32"] },
    { access: "Allow", destination: ["198.51.100.7/32"] },
  );
  const c = FlowClassifier.compile(list);

  it("decides IPv4 flows from typed arrays as the single-flow API does", () => {
    const protocols: FlowProtocol[] = ["Tcp", "Udp", "Icmp", "Esp", "Ah"];
    const packets: Packet[] = [];
    for (const protocol of protocols)
      for (const [s, d] of [
        ["10.1.1.1", "198.51.100.7"],
        ["11.1.1.1", "192.0.2.9"],
        ["10.255.255.255", "198.51.100.8"],
      ] as const)
        for (const port of [22, 53]) packets.push(packet(protocol, s, d, port, port));
    const n = packets.length;
    const flows = {
      protocol: Uint8Array.from(packets, (p) => PROTOCOL_CODE[p.protocol]),
      source: Uint32Array.from(packets, (p) => Number(p.source.value)),
      sourcePort: Uint16Array.from(packets, (p) => p.sourcePort),
      destination: Uint32Array.from(packets, (p) => Number(p.destination.value)),
      destinationPort: Uint16Array.from(packets, (p) => p.destinationPort),
    };
    const out = { rule: new Int32Array(n), access: new Uint8Array(n) };
    c.decide4(flows, out);
    packets.forEach((p, i) => {
      const expected = naive(list, p);
      expect(out.rule[i]).toBe(expected);
      const access = expected < 0 ? NO_DECISION : list[expected]?.access === "Allow" ? ALLOW : DENY;
      expect(out.access[i]).toBe(access);
    });
    expect(new Set(out.rule)).toEqual(new Set([0, 1, 2, 3, NO_RULE]));
  });

  it("decides IPv6 flows given as four words per address", () => {
    const packets = [
      packet("Tcp", "fd00::1", "2001:db8::1", 22),
      packet("Tcp", "fe00::1", "2001:db8::1", 22),
      packet("Icmp", "fe00::1", "2001:db8:ffff::1", 22),
      packet("Icmp", "fe00::1", "2001:db9::", 22),
      packet("Udp", "::", "::", 0, 53),
    ];
    const words = (a: IpAddress) =>
      [96n, 64n, 32n, 0n].map((shift) => Number((a.value >> shift) & 0xffffffffn));
    const flows = {
      family: 6 as const,
      protocol: Uint8Array.from(packets, (p) => PROTOCOL_CODE[p.protocol]),
      source: Uint32Array.from(packets.flatMap((p) => words(p.source))),
      sourcePort: Uint16Array.from(packets, (p) => p.sourcePort),
      destination: Uint32Array.from(packets.flatMap((p) => words(p.destination))),
      destinationPort: Uint16Array.from(packets, (p) => p.destinationPort),
    };
    const out = { rule: new Int32Array(packets.length), access: new Uint8Array(packets.length) };
    c.decide6(flows, out);
    expect([...out.rule]).toEqual(packets.map((p) => naive(list, p)));
    expect([...out.rule]).toEqual([0, NO_RULE, 2, NO_RULE, 1]);
  });

  it("writes only the requested range, and decides an unknown protocol code as no rule", () => {
    const flows = {
      protocol: Uint8Array.of(0, 17, 2),
      source: Uint32Array.of(0, 0, 0),
      sourcePort: Uint16Array.of(0, 0, 0),
      destination: Uint32Array.of(0xc0000201, 0xc0000201, 0xc0000201),
      destinationPort: Uint16Array.of(0, 0, 0),
    };
    const out = { rule: Int32Array.of(7, 7, 7), access: Uint8Array.of(9, 9, 9) };
    c.decide4(flows, out, 1, 3);
    expect([...out.rule]).toEqual([7, NO_RULE, 2]);
    expect([...out.access]).toEqual([9, NO_DECISION, ALLOW]);
  });
});

describe("FlowClassifier batch API over many flows", () => {
  const list = rules(
    { access: "Deny", protocol: "Tcp", destinationPorts: [{ first: 0, last: 1023 }] },
    { protocol: "Udp", source: ["10.0.0.0/8"] },
    { access: "Deny", source: ["128.0.0.0/1"] },
    { protocol: "Icmp" },
  );
  const c = FlowClassifier.compile(list);
  const n = 3 * CHUNK + 123;
  const flows = {
    protocol: Uint8Array.from({ length: n }, (_, i) => i % 6),
    source: Uint32Array.from({ length: n }, (_, i) => Math.imul(i, 0x9e3779b1) >>> 0),
    sourcePort: Uint16Array.from({ length: n }, (_, i) => (i * 7919) & 0xffff),
    destination: Uint32Array.from({ length: n }, (_, i) => Math.imul(i, 0x85ebca6b) >>> 0),
    destinationPort: Uint16Array.from({ length: n }, (_, i) => (i * 37) % 2048),
  };
  const single = (i: number): number => {
    const code = flows.protocol[i] as number;
    const protocol = (Object.keys(PROTOCOL_CODE) as FlowProtocol[])[code];
    if (!protocol) return NO_RULE;
    return c.matchIndex({
      protocol,
      source: { family: 4, value: BigInt(flows.source[i] as number) },
      sourcePort: flows.sourcePort[i] as number,
      destination: { family: 4, value: BigInt(flows.destination[i] as number) },
      destinationPort: flows.destinationPort[i] as number,
    });
  };

  it("decides batches longer than one chunk, and ranges that start and end inside chunks", () => {
    const out = { rule: new Int32Array(n).fill(-7), access: new Uint8Array(n).fill(9) };
    c.decide4(flows, out, 100, n - 5);
    for (let i = 0; i < n; i++) {
      const expected = i < 100 || i >= n - 5 ? -7 : single(i);
      if (out.rule[i] !== expected) expect({ i, rule: out.rule[i] }).toEqual({ i, rule: expected });
    }
    expect(new Set(out.rule.subarray(100, n - 5))).toEqual(new Set([0, 1, 2, 3, NO_RULE]));
  });

  it("rejects a range the arrays do not hold, naming the short arrays", () => {
    const out = { rule: new Int32Array(10), access: new Uint8Array(n) };
    expect(() => c.decide4(flows, out)).toThrow(
      new RangeError(`flows [0, ${n}) do not fit: rule holds 10`),
    );
    expect(() => c.decide4(flows, out, 5, 2)).toThrow("flows [5, 2) is not a range of positions");
    const out6 = { rule: new Int32Array(n), access: new Uint8Array(n) };
    expect(() => c.decide6({ ...flows, family: 6 }, out6)).toThrow(
      `flows [0, ${n}) do not fit: source holds ${Math.floor(n / 4)}, destination holds ${Math.floor(n / 4)}`,
    );
  });

  it("refuses a batch of the other family, or arrays of the wrong type, naming them", () => {
    const out = { rule: new Int32Array(n), access: new Uint8Array(n) };
    const v6 = { ...flows, family: 6 as const };
    expect(() => c.decide4(v6 as unknown as FlowBatch4, out)).toThrow(
      new TypeError("decide4 takes IPv4 flows; this batch says family 6"),
    );
    expect(() => c.decide6(flows as unknown as FlowBatch6, out)).toThrow(
      new TypeError("decide6 takes IPv6 flows, marked family: 6; this batch says no family (IPv4)"),
    );
    const wrong = { ...flows, protocol: new Uint16Array(n), sourcePort: [1, 2, 3] };
    expect(() => c.decide4(wrong as unknown as FlowBatch4, out)).toThrow(
      new TypeError(
        "the batch's arrays have the wrong types: protocol must be a Uint8Array; sourcePort must be a Uint16Array",
      ),
    );
  });
});

describe("CompiledNsgs", () => {
  const nsg: ResolvedNsg = {
    name: "nsg",
    vnet: "vnet",
    inbound: rules({ access: "Deny", source: ["10.0.0.0/8"] }, { access: "Allow" }),
    outbound: rules({ access: "Deny", destination: ["192.0.2.0/24"] }),
  };

  it("answers as firstMatch does, compiling each direction once", () => {
    const compiled = new CompiledNsgs(0);
    for (const p of [packet("Tcp", "10.1.1.1", "1.1.1.1"), packet("Udp", "11.1.1.1", "1.1.1.1")])
      expect(compiled.firstMatch(nsg, "Inbound", p)).toBe(firstMatch(nsg, "Inbound", p));
    expect(compiled.classifier(nsg.inbound)).toBe(compiled.classifier(nsg.inbound));
    expect(compiled.classifier(nsg.outbound)).not.toBe(compiled.classifier(nsg.inbound));
  });

  it("walks a direction's rules for its first packets, then compiles it", () => {
    const compiled = new CompiledNsgs(2);
    const compile = vi.spyOn(FlowClassifier, "compile");
    try {
      const packets = [1, 2, 3, 4].map((i) => packet("Tcp", `10.1.1.${i}`, "1.1.1.1"));
      const rules = packets.map((p) => compiled.firstMatch(nsg, "Inbound", p));
      expect(rules).toEqual(packets.map((p) => firstMatch(nsg, "Inbound", p)));
      expect(compile).toHaveBeenCalledTimes(1);
      expect(compile).toHaveBeenCalledWith(nsg.inbound);
    } finally {
      compile.mockRestore();
    }
  });

  it("fails as firstMatch does when no rule matches", () => {
    const p = packet("Tcp", "10.1.1.1", "1.1.1.1");
    expect(() => firstMatch(nsg, "Outbound", p)).toThrow(/default rules are missing/);
    expect(() => new CompiledNsgs().firstMatch(nsg, "Outbound", p)).toThrow(
      "NSG nsg has no Outbound rule for the packet; the default rules are missing",
    );
  });
});
