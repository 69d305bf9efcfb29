import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { estate } from "../../bench/estate.js";
import type { Host } from "../engine/endpoint.js";
import { hasErrors } from "../model/diagnostic.js";
import { buildNetwork, type Network } from "../model/network.js";
import { parseServiceTagFile } from "../model/service-tags.js";
import type { Topology } from "../model/types.js";
import { loadSpec } from "../specfile/load.js";
import { environmentRows, exposureOf, INTERNET, reachMatrix } from "./matrix.js";
import { type GroupBy, GroupReach, groupOf, rowFilter } from "./matrix-rows.js";
import { PacketSet } from "./packet-set.js";
import { ReachAnalyzer } from "./reach.js";
import { summarize } from "./summary.js";

function build(
  topology: Topology,
  tags: ReturnType<typeof parseServiceTagFile>["catalog"],
): Network {
  const built = buildNetwork(topology, tags);
  if (!built.network || hasErrors(built.diagnostics))
    throw new Error(built.diagnostics.map((d) => d.message).join("\n"));
  return built.network;
}

function exampleNetwork(name: string): Network {
  const loaded = loadSpec(join(import.meta.dirname, "../../examples", name, "tierwall.yaml"));
  if (!loaded.spec) throw new Error(`examples/${name} does not load`);
  return loaded.spec.network;
}

/** A generated hub and two spokes; one subnet of the hub has a route table, so its hosts go host by host. */
function generated(): Network {
  const e = estate({ nsgs: 42, rulesPerNsg: 14, outboundRules: 8, seed: 11 });
  const t = e.topology;
  const topology: Topology = {
    ...t,
    routeTables: [
      {
        name: "rt-hub",
        routes: [{ name: "spoke-1", addressPrefix: "10.1.0.0/16", nextHopType: "None" }],
      },
    ],
    virtualNetworks: t.virtualNetworks.map((v, i) =>
      i !== 0
        ? v
        : {
            ...v,
            subnets: (v.subnets ?? []).map((s, k) =>
              k === 1 ? { ...s, routeTable: "rt-hub" } : s,
            ),
          },
    ),
  };
  return build(topology, parseServiceTagFile(e.serviceTags).catalog);
}

/** The union of every flow between two distinct hosts of the groups, pair by pair. */
function pairByPair(analyzer: ReachAnalyzer, from: readonly Host[], to: readonly Host[]) {
  let allowed = PacketSet.empty;
  let possible = PacketSet.empty;
  for (const a of from)
    for (const b of to) {
      const flow = analyzer.flow(a, b);
      if (flow.route.kind === "local") continue;
      allowed = allowed.union(flow.allowed);
      possible = possible.union(flow.possible);
    }
  return { allowed, possible };
}

function groups(network: Network, by: GroupBy, keep: (g: string) => boolean) {
  const out = new Map<string, Host[]>();
  for (const row of environmentRows(network)) {
    const g = groupOf(row, by);
    if (!keep(g)) continue;
    out.set(g, [...(out.get(g) ?? []), row.host]);
  }
  return [...out];
}

describe("reach between groups of rows", () => {
  it("is the union of every pair's flow, on a generated estate with a route table", () => {
    const network = generated();
    const analyzer = new ReachAnalyzer(network);
    const reach = new GroupReach(analyzer);
    const picked = new Set([
      "vnet-0/s1",
      "vnet-0/s2",
      "vnet-0/s3",
      "vnet-1/s1",
      "vnet-1/s4",
      "vnet-2/s2",
    ]);
    const bySubnet = groups(network, "subnet", (g) => picked.has(g));
    expect(bySubnet).toHaveLength(6);
    let nonEmpty = 0;
    for (const [, from] of bySubnet)
      for (const [, to] of bySubnet) {
        const fast = reach.between(from, to);
        const slow = pairByPair(analyzer, from, to);
        expect(fast.allowed.equals(slow.allowed)).toBe(true);
        expect(fast.possible.equals(slow.possible)).toBe(true);
        if (!fast.allowed.isEmpty()) nonEmpty++;
      }
    // Spokes reach the hub and each other not: some cells hold traffic, some none.
    expect(nonEmpty).toBeGreaterThan(5);
    expect(nonEmpty).toBeLessThan(36);
  });

  it("is the union of every pair's flow on the examples, by subnet and by network", () => {
    for (const example of [
      "layered-ase",
      "hub-spoke-routes",
      "asg-tiers",
      "nat-gateway",
      "three-tier",
    ]) {
      const network = exampleNetwork(example);
      const analyzer = new ReachAnalyzer(network);
      const reach = new GroupReach(analyzer);
      for (const by of ["subnet", "vnet"] as const) {
        const all = groups(network, by, () => true);
        for (const [, from] of all)
          for (const [, to] of all) {
            const slow = pairByPair(analyzer, from, to);
            expect(reach.between(from, to).allowed.equals(slow.allowed), example).toBe(true);
          }
      }
    }
  });

  it("shows in the matrix what the pairs' union summarizes to, and keeps the rows and columns the filters name", () => {
    const network = generated();
    const analyzer = new ReachAnalyzer(network);
    const from = rowFilter(network, ["subnet:vnet-1/s1"]);
    const to = rowFilter(network, ["vnet:vnet-0", "Internet"]);
    if (!from.ok || !to.ok) throw new Error("filters");
    const m = reachMatrix(analyzer, { from: from.filter, to: to.filter, groupBy: "subnet" });
    expect(m.rows).toEqual(["vnet-1/s1"]);
    expect(m.columns[m.columns.length - 1]).toBe(INTERNET);
    expect(m.columns.slice(0, -1).every((c) => c.startsWith("vnet-0/"))).toBe(true);
    const hosts = (g: string) => groups(network, "subnet", (x) => x === g)[0]?.[1] ?? [];
    const cell = m.cells.find((c) => c.from === "vnet-1/s1" && c.to === "vnet-0/s3");
    const expected = summarize(
      pairByPair(analyzer, hosts("vnet-1/s1"), hosts("vnet-0/s3")).allowed,
      12,
      network.addressNames,
    );
    expect(cell?.allowed).toEqual(expected.lines);
    expect(m.cells).toHaveLength(m.columns.length);
  });

  it("is unchanged one row per environment, where nothing is filtered or gathered", () => {
    const network = exampleNetwork("layered-ase");
    const plain = reachMatrix(new ReachAnalyzer(network));
    const asked = reachMatrix(new ReachAnalyzer(network), { groupBy: "environment" });
    expect(asked).toEqual(plain);
    expect(plain.rows).toEqual(plain.columns);
    expect(plain.cells).toHaveLength(plain.rows.length ** 2 - 1);
  });
});

describe("row filters", () => {
  const network = exampleNetwork("layered-ase");
  const rows = environmentRows(network);
  const kept = (texts: string[]) => {
    const r = rowFilter(network, texts);
    if (!r.ok) throw new Error(r.message);
    return rows.filter((row) => r.filter.keeps(row)).map((row) => row.name);
  };

  it("keeps rows by environment, subnet, network, block and public address", () => {
    expect(kept(["fe1ase"])).toEqual(["fe1ase"]);
    expect(kept(["subnet:FE2-ASE-Subnet"])).toEqual(["fe2ase"]);
    expect(kept(["10.0.1.0/24,10.0.2.0/24".split(",")[0] as string, "10.0.2.0/24"])).toEqual([
      "fe1ase",
      "fe2ase",
    ]);
    expect(kept(["198.51.100.22"])).toEqual(["fe2ase"]);
    expect(kept([network.vnets.keys().next().value as string]).length).toBe(rows.length);
    expect(kept(["Internet"])).toEqual([]);
    const internet = rowFilter(network, ["Internet"]);
    expect(internet.ok && internet.filter.internet).toBe(true);
  });

  it("refuses what names nothing, with the endpoint's hint", () => {
    const r = rowFilter(network, ["no-such-thing"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.hint).toContain("subnet:VNET/NAME");
    const v = rowFilter(network, ["vnet:nowhere"]);
    expect(v.ok).toBe(false);
  });

  it("narrows exposure to the Internet sources --from names, and gathers it by network", () => {
    const analyzer = new ReachAnalyzer(network);
    const all = exposureOf(analyzer);
    const source = rowFilter(network, ["203.0.113.0/24"]);
    if (!source.ok) throw new Error(source.message);
    const narrowed = exposureOf(analyzer, { from: source.filter });
    expect(narrowed.map((e) => e.environment)).toEqual(all.map((e) => e.environment));
    for (const e of narrowed)
      for (const line of e.exposed)
        for (const s of line.source) expect(s.startsWith("203.0.113.")).toBe(true);
    const byVnet = exposureOf(analyzer, { groupBy: "vnet" });
    expect(byVnet.map((e) => e.virtualNetwork)).toEqual([...new Set(rows.map((r) => r.host.vnet))]);
    expect(byVnet.some((e) => e.exposed.length > 0)).toBe(all.some((e) => e.exposed.length > 0));
  });
});
