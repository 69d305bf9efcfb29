import { describe, expect, it } from "vitest";
import type { Topology } from "../model/types.js";
import { type DiffSide, notCompared } from "./diff-coverage.js";

const base: Topology = {
  virtualNetworks: [
    { name: "vnet", addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets: [] },
  ],
  networkSecurityGroups: [{ name: "nsg", securityRules: [] }],
  applicationSecurityGroups: [],
  networkInterfaces: [],
  environments: [
    { name: "web", kind: "Workload", privateIPAddress: "10.0.1.4" },
    { name: "api", kind: "Workload", privateIPAddress: "10.0.2.4" },
  ],
  publicIPAddresses: [{ name: "pip", sku: "Standard", ipAddress: "203.0.113.5" }],
};
const side = (topology: Topology, assertions: unknown[] = [], tiers: unknown[] = []): DiffSide => ({
  topology,
  assertions,
  tiers,
});

describe("what a diff does not compare", () => {
  it("is nothing between equal versions, whatever the order of keys", () => {
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const reordered = reverse(base) as Topology;
    expect(Object.keys(reordered)[0]).toBe("publicIPAddresses");
    expect(notCompared(side(base), side(base))).toEqual([]);
    expect(notCompared(side(base), side(reordered))).toEqual([]);
  });

  it("names resources on one side only and changed ones, but not NSGs, which the proof covers", () => {
    const after: Topology = {
      ...base,
      networkSecurityGroups: [],
      environments: [
        { name: "web", kind: "Workload", privateIPAddress: "10.0.1.5" },
        { name: "db", kind: "Workload", privateIPAddress: "10.0.3.4" },
      ],
      publicIPAddresses: [{ name: "pip", sku: "Basic", ipAddress: "203.0.113.5" }],
      routeTables: [{ name: "rt", routes: [] }],
    };
    const left = notCompared(side(base), side(after));
    expect(left.map((n) => [n.kind, n.name, n.change])).toEqual([
      ["environment", "web", "changed"],
      ["environment", "api", "removed"],
      ["environment", "db", "added"],
      ["public IP address", "pip", "changed"],
      ["route table", "rt", "added"],
    ]);
  });

  it("counts assertions and tiers that are not in both versions", () => {
    const claim = (to: string) => ({ kind: "onlyFrom", to, from: ["web"] });
    const left = notCompared(
      side(base, [claim("api"), claim("db")], [{ name: "api", callers: ["web"] }]),
      side(base, [claim("api"), claim("db2")], []),
    );
    expect(left.map((n) => [n.kind, n.name, n.change])).toEqual([
      ["assertions", "1 of 2", "removed"],
      ["assertions", "1 of 2", "added"],
      ["tier", "api", "removed"],
    ]);
  });
});
