import { describe, expect, it } from "vitest";
import { parseIpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { PacketSet } from "./packet-set.js";
import { formatSummaryLine, summarize } from "./summary.js";

const addresses = (...texts: string[]) =>
  AddressSet.of(
    texts.map((t) => {
      const p = parsePrefix(t);
      if (!p.ok) throw new Error(t);
      return p.prefix;
    }),
  );
const ports = (...list: [number, number][]) => list.map(([first, last]) => ({ first, last }));
const lines = (s: PacketSet) => summarize(s).lines.map((l) => formatSummaryLine(l));

describe("packet sets", () => {
  it("has canonical forms: equal sets built differently are equal", () => {
    const a = PacketSet.box({ protocols: ["Tcp"], destinationPorts: ports([80, 80], [443, 443]) });
    const b = PacketSet.box({ protocols: ["Tcp"], destinationPorts: ports([443, 443]) }).union(
      PacketSet.box({ protocols: ["Tcp"], destinationPorts: ports([80, 80]) }),
    );
    expect(a.equals(b)).toBe(true);
    expect(a.minus(b).isEmpty()).toBe(true);
  });

  it("obeys complement and De Morgan", () => {
    const a = PacketSet.box({ source: addresses("10.0.0.0/8"), protocols: ["Udp"] });
    const b = PacketSet.box({ destinationPorts: ports([1, 1000]) });
    expect(a.complement().complement().equals(a)).toBe(true);
    expect(a.union(b).complement().equals(a.complement().intersect(b.complement()))).toBe(true);
    expect(a.union(a.complement()).equals(PacketSet.all)).toBe(true);
  });

  it("ignores ports for protocols without them", () => {
    const icmp = PacketSet.box({ protocols: ["Icmp"], destinationPorts: ports([80, 80]) });
    expect(icmp.equals(PacketSet.box({ protocols: ["Icmp"] }))).toBe(true);
  });

  it("has no packet whose addresses differ in family, not even the universe", () => {
    const mixed = {
      protocol: "Tcp" as const,
      source: { family: 4 as const, value: 1n },
      destination: { family: 6 as const, value: 1n },
      sourcePort: 1,
      destinationPort: 2,
    };
    expect(PacketSet.all.has(mixed)).toBe(false);
    expect(PacketSet.empty.has(mixed)).toBe(false);
  });

  it("holds only packets whose two addresses share a family", () => {
    const v4ToV6 = PacketSet.box({
      source: addresses("10.0.0.0/8"),
      destination: addresses("2001:db8::/32"),
    });
    expect(v4ToV6.isEmpty()).toBe(true);
  });

  it("gives a witness inside the set and counts exactly", () => {
    const s = PacketSet.box({
      protocols: ["Tcp"],
      source: addresses("198.51.100.0/30"),
      destination: addresses("10.0.4.4"),
      destinationPorts: ports([443, 443]),
    });
    const w = s.witness();
    expect(w && s.has(w)).toBe(true);
    expect(s.size()).toBe(4n * 65536n);
    const other = { ...w, destinationPort: 444 } as NonNullable<typeof w>;
    expect(s.has(other)).toBe(false);
    expect(parseIpAddress("198.51.100.0")).toEqual(w?.source);
  });

  it("summarizes as short rule-like lines, merging adjacent prefixes and ports", () => {
    const s = PacketSet.box({
      protocols: ["Tcp"],
      source: addresses("198.51.100.0/25"),
      destination: addresses("10.0.3.0/24"),
      destinationPorts: ports([80, 80]),
    })
      .union(
        PacketSet.box({
          protocols: ["Tcp"],
          source: addresses("198.51.100.128/25"),
          destination: addresses("10.0.3.0/24"),
          destinationPorts: ports([443, 443]),
        }),
      )
      .union(
        PacketSet.box({
          protocols: ["Tcp"],
          source: addresses("198.51.100.0/25"),
          destination: addresses("10.0.3.0/24"),
          destinationPorts: ports([443, 443]),
        }),
      )
      .union(
        PacketSet.box({
          protocols: ["Tcp"],
          source: addresses("198.51.100.128/25"),
          destination: addresses("10.0.3.0/24"),
          destinationPorts: ports([80, 80]),
        }),
      );
    expect(lines(s)).toEqual(["Tcp 198.51.100.0/24 -> 10.0.3.0/24 ports 80,443"]);
    expect(lines(PacketSet.all)).toEqual(["Tcp,Udp * -> * ports *", "Icmp,Esp,Ah * -> *"]);
    expect(lines(PacketSet.empty)).toEqual([]);
  });
});
