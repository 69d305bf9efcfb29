import { describe, expect, it } from "vitest";
import { formatIpAddress, parseIpAddress } from "./address.js";
import { AddressSet } from "./address-set.js";
import { parsePortRange } from "./ports.js";
import { formatPrefix, parsePrefix, rangeToPrefixes } from "./prefix.js";
import { parseRuleProtocol } from "./protocol.js";

const prefix = (text: string) => {
  const p = parsePrefix(text);
  if (!p.ok) throw new Error(`${text}: ${p.problem}`);
  return p.prefix;
};

describe("addresses", () => {
  it.each([
    ["10.0.0.1", 4, 0x0a000001n],
    ["255.255.255.255", 4, 0xffffffffn],
    ["::1", 6, 1n],
    ["2001:db8::", 6, 0x20010db8n << 96n],
  ] as const)("parses %s", (text, family, value) => {
    expect(parseIpAddress(text)).toEqual({ family, value });
  });

  it.each([
    "010.0.0.1",
    "10.1",
    "256.0.0.1",
    "0x7f.0.0.1",
    "1.2.3.4.5",
    "fe80::1%eth0",
    "",
    "any",
    " 10.0.0.1",
  ])("rejects %j, as Azure does", (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it("formats IPv6 in its shortest form", () => {
    expect(
      formatIpAddress(parseIpAddress("2001:0db8:0000:0000:0000:0000:0000:0001") as never),
    ).toBe("2001:db8::1");
  });
});

describe("prefixes", () => {
  it("rejects host bits and bad lengths", () => {
    expect(parsePrefix("10.0.0.1/24")).toEqual({ ok: false, problem: "hostBits" });
    expect(parsePrefix("10.0.0.0/33")).toEqual({ ok: false, problem: "syntax" });
    expect(parsePrefix("10.0.0.0/016")).toEqual({ ok: false, problem: "syntax" });
    expect(parsePrefix("10.0.0/0/16")).toEqual({ ok: false, problem: "syntax" });
    expect(parsePrefix("2001:db8::1/64")).toEqual({ ok: false, problem: "hostBits" });
  });

  it("reads a bare address as a host prefix", () => {
    expect(formatPrefix(prefix("203.0.113.5"))).toBe("203.0.113.5/32");
    expect(formatPrefix(prefix("2001:db8::5"))).toBe("2001:db8::5/128");
  });

  it("covers a range with the fewest CIDR blocks", () => {
    const blocks = rangeToPrefixes({
      family: 4,
      first: prefix("10.0.0.1").first,
      last: prefix("10.0.0.6").first,
    });
    expect(blocks.map(formatPrefix)).toEqual([
      "10.0.0.1/32",
      "10.0.0.2/31",
      "10.0.0.4/31",
      "10.0.0.6/32",
    ]);
    expect(rangeToPrefixes({ family: 4, first: 0n, last: 0xffffffffn }).map(formatPrefix)).toEqual([
      "0.0.0.0/0",
    ]);
  });
});

describe("address sets", () => {
  const set = (...texts: string[]) => AddressSet.of(texts.map(prefix));

  it("merges adjacent and overlapping blocks into one canonical form", () => {
    expect(set("10.0.0.0/25", "10.0.0.128/25", "10.0.0.7").toString()).toBe("10.0.0.0/24");
  });

  it("complements within each family", () => {
    const c = set("128.0.0.0/1").complement();
    expect(c.has(parseIpAddress("127.255.255.255") as never)).toBe(true);
    expect(c.has(parseIpAddress("128.0.0.0") as never)).toBe(false);
    expect(c.has(parseIpAddress("::1") as never)).toBe(true);
  });

  it("intersects and subtracts", () => {
    const a = set("10.0.0.0/16");
    const b = set("10.0.1.0/24", "192.0.2.0/24");
    expect(a.intersect(b).toString()).toBe("10.0.1.0/24");
    expect(a.minus(b).toPrefixes().length).toBe(8);
    expect(a.overlaps(set("10.1.0.0/16"))).toBe(false);
  });

  it("answers membership at the edges", () => {
    const s = set("10.0.0.0/24", "10.0.2.0/24");
    for (const [text, inside] of [
      ["10.0.0.0", true],
      ["10.0.0.255", true],
      ["10.0.1.0", false],
      ["10.0.2.0", true],
      ["10.0.3.0", false],
      ["9.255.255.255", false],
    ] as const)
      expect(s.has(parseIpAddress(text) as never), text).toBe(inside);
  });
});

describe("ports and protocols", () => {
  it("parses what Azure accepts in a port range", () => {
    expect(parsePortRange("*")).toEqual({ ok: true, range: { first: 0, last: 65535 } });
    expect(parsePortRange("443")).toEqual({ ok: true, range: { first: 443, last: 443 } });
    expect(parsePortRange("454-455")).toEqual({ ok: true, range: { first: 454, last: 455 } });
    expect(parsePortRange("65536")).toEqual({ ok: false, problem: "outOfRange" });
    expect(parsePortRange("90-80")).toEqual({ ok: false, problem: "reversed" });
    for (const bad of ["80,443", " 80", "-1", "80-", "http", ""])
      expect(parsePortRange(bad).ok, bad).toBe(false);
  });

  it("takes decimal digits only, as Azure does", () => {
    const notDigits = ["1e3", "0x10", "0o20", "0b1", "+80", "80.0", "1_000", "80 ", "\t80", "80\n"];
    // Other scripts' digits: Arabic-Indic, Devanagari, fullwidth, mathematical bold.
    const otherDigits = ["٣", "८०", "８０", "𝟖𝟎", "8٠"];
    for (const bad of [...notDigits, ...otherDigits, "Infinity", "NaN", "1e3-2e3", "80-٣"])
      expect(parsePortRange(bad), JSON.stringify(bad)).toEqual({ ok: false, problem: "syntax" });
    expect(parsePortRange("0080")).toEqual({ ok: true, range: { first: 80, last: 80 } });
  });

  it("reads protocols case-insensitively", () => {
    expect(parseRuleProtocol("TCP")).toBe("Tcp");
    expect(parseRuleProtocol("*")).toBe("*");
    expect(parseRuleProtocol("Any")).toBeUndefined();
  });
});
