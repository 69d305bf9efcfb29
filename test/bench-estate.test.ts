import { describe, expect, it } from "vitest";
import { boundaryFlows4, estate, uniformFlows4 } from "../bench/estate.js";
import { NsgResolver } from "../src/engine/resolve.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import { parseServiceTagFile } from "../src/model/service-tags.js";

describe("the benchmarks' synthetic estate", () => {
  const options = { nsgs: 45, rulesPerNsg: 30, seed: 3, augmented: (i: number) => i === 7 };

  it("is a valid topology: NSGs, workloads and NICs that build without an error", () => {
    const e = estate(options);
    const tags = parseServiceTagFile(e.serviceTags);
    const built = buildNetwork(e.topology, tags.catalog);
    expect(hasErrors(tags.diagnostics)).toBe(false);
    expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(e.topology.networkSecurityGroups).toHaveLength(45);
    expect(e.topology.virtualNetworks).toHaveLength(3);
    expect(e.topology.environments).toHaveLength(450);
    expect(e.topology.networkInterfaces).toHaveLength(90);
    const resolver = new NsgResolver(built.network as NonNullable<typeof built.network>);
    const augmented = resolver.resolve("nsg-7", "vnet-0").inbound;
    const prefixes = augmented.reduce((n, r) => n + r.source.intervals(4).length, 0);
    expect(prefixes).toBeGreaterThan(3000);
  });

  it("is the same for the same seed, and differs for another", () => {
    const text = (seed: number) => JSON.stringify(estate({ ...options, seed }));
    expect(text(3)).toBe(text(3));
    expect(text(4)).not.toBe(text(3));
    expect([...uniformFlows4(100, 9).source]).toEqual([...uniformFlows4(100, 9).source]);
  });

  it("aims boundary flows at the edges of the rules they are drawn for", () => {
    const e = estate({ ...options, nsgs: 1 });
    const built = buildNetwork(e.topology, parseServiceTagFile(e.serviceTags).catalog);
    const rules = new NsgResolver(built.network as NonNullable<typeof built.network>).resolve(
      "nsg-0",
      "vnet-0",
    ).inbound;
    const flows = boundaryFlows4(rules, 2000, 5);
    const edges = new Set<number>();
    for (const r of rules)
      for (const [first, last] of r.source.intervals(4))
        for (const v of [first - 1n, first, last, last + 1n])
          edges.add(Number(BigInt.asUintN(32, v)));
    const atEdge = [...flows.source].filter((s) => edges.has(s)).length;
    expect(atEdge).toBeGreaterThan(1500);
  });
});
