import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReachAnalyzer } from "../src/analysis/reach.js";
import { resolveEndpoint } from "../src/engine/endpoint.js";
import { FlowEvaluator } from "../src/engine/flow.js";
import { formatPacket, type Packet } from "../src/engine/packet.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import { parseServiceTagFile } from "../src/model/service-tags.js";
import { SERVICE_TAG_FILE, topologyCaseArb } from "./oracle/arbitraries.js";

/*
 * The set analysis and the concrete evaluator are written separately; on random
 * topologies and flows, a packet is in the analysis's allowed set exactly when
 * the evaluator allows its flow.
 */
const SEED = Number(process.env.ORACLE_SEED ?? 11);
const catalog = parseServiceTagFile(SERVICE_TAG_FILE).catalog;

describe("set analysis against concrete evaluation", () => {
  it("agrees on every sampled flow of random topologies", () => {
    let compared = 0;
    let allowed = 0;
    let publicRoutes = 0;
    fc.assert(
      fc.property(topologyCaseArb, (c) => {
        const built = buildNetwork(c.topology, catalog);
        if (!built.network || hasErrors(built.diagnostics))
          throw new Error("generator produced an invalid topology");
        const network = built.network;
        const analyzer = new ReachAnalyzer(network);
        const evaluator = new FlowEvaluator(network);
        for (const flow of c.flows) {
          // From an Internet address, or a NIC; public IPs of both SKUs and Dynamic NICs among them.
          const from = resolveEndpoint(
            network,
            flow.source === undefined ? `nic:${flow.from}` : `ip:${flow.source}`,
          );
          const to = resolveEndpoint(network, `nic:${flow.to}`);
          if (!from.ok || !to.ok) throw new Error("unknown NIC in a generated flow");
          const result = evaluator.evaluateHosts(from.host, to.host, flow);
          const space = analyzer.flow(from.host, to.host);
          const route = space.route;
          let inSet: boolean;
          let packet: Packet | undefined;
          if (route.kind === "none") inSet = !space.allowed.isEmpty();
          else {
            const source = route.kind === "local" ? from.host.address : route.presentedSource;
            packet = { ...flow, source, destination: to.host.address };
            inSet = space.allowed.has(packet);
          }
          compared++;
          if (result.access === "Allow") allowed++;
          if (route.kind === "public") publicRoutes++;
          if (inSet !== (result.access === "Allow"))
            throw new Error(
              `${flow.source ?? flow.from} -> ${flow.to} ${packet ? formatPacket(packet) : "(no route)"}: evaluator ${result.access} (${result.rule ?? result.reason}), analysis ${inSet ? "Allow" : "Deny"}`,
            );
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    console.log(
      `set analysis against evaluation: ${compared} flows compared, ${allowed} allowed, ${publicRoutes} across the Internet`,
    );
    expect(publicRoutes).toBeGreaterThan(compared / 20);
    expect(compared).toBeGreaterThan(2_000);
    expect(allowed).toBeGreaterThan(compared / 10);
    expect(allowed).toBeLessThan(compared);
  });
});
