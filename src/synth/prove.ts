import { PacketSet } from "../analysis/packet-set.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import { formatSummaryLine, summarize } from "../analysis/summary.js";
import { hostAt } from "../engine/endpoint.js";
import { formatPacket, type Packet } from "../engine/packet.js";
import { type Diagnostic, error, hasErrors } from "../model/diagnostic.js";
import { AZURE_HOST_ADDRESS, buildNetwork, type Network } from "../model/network.js";
import type { Topology } from "../model/types.js";
import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { FLOW_PROTOCOLS } from "../net/protocol.js";
import type { Endpoint, Tier, Traffic } from "./intent.js";

const scope = (t: Traffic, source?: AddressSet): PacketSet =>
  PacketSet.box({
    protocols: t.protocol === "*" ? FLOW_PROTOCOLS : [t.protocol],
    ...(t.ports.length > 0 ? { destinationPorts: t.ports } : {}),
    ...(source ? { source } : {}),
  });

const point = (a: IpAddress) => AddressSet.ofAddresses([a]);

/**
 * Checks a synthesized deployment against the tiers it came from, over every
 * packet: each caller gets all of its traffic through, and nothing else
 * reaches a tier but what the platform needs and the tier's own allowances.
 * Returns the new network only when both hold.
 */
export function proveSynthesis(
  before: Network,
  topology: Topology,
  tiers: readonly Tier[],
): { network?: Network; diagnostics: Diagnostic[] } {
  const built = buildNetwork(topology, before.serviceTags);
  if (!built.network || hasErrors(built.diagnostics))
    return {
      diagnostics: built.diagnostics
        .filter((d) => d.severity === "error")
        .map((d) =>
          error(
            "SynthesisImpossible",
            `the synthesized policy is not valid in Azure: ${d.message}`,
            d.path,
            d.hint,
          ),
        ),
    };
  const network = built.network;
  const analyzer = new ReachAnalyzer(network);
  const diagnostics: Diagnostic[] = [];
  for (const tier of tiers) {
    let intended = PacketSet.empty;
    for (const c of tier.callers)
      intended = intended.union(scope(tier.traffic, point(c.presented)));
    for (const a of tier.allow) intended = intended.union(scope(a, sourceSet(a.source, analyzer)));
    intended = intended.union(platformTraffic(tier, analyzer));
    for (const env of tier.environments) {
      const to = hostAt(network, env.privateAddress);
      for (const c of tier.callers) {
        const space = analyzer.flow(hostAt(network, c.environment.privateAddress), to);
        const missing = space.possible.intersect(scope(tier.traffic)).minus(space.allowed);
        if (!missing.isEmpty())
          diagnostics.push(
            error(
              "SynthesisUnproven",
              `the synthesized rules do not let ${c.name} reach ${env.name}, e.g. ${formatPacket(network.addressNames.labelledPacket(missing.witness() as Packet))}`,
              tier.path,
            ),
          );
      }
      // The cheap bound usually settles it; the exact arrivals only when it does not.
      let extra = analyzer.arrivalsBound(to).minus(intended);
      if (!extra.isEmpty()) extra = analyzer.arrivals(to).minus(intended);
      if (!extra.isEmpty()) {
        // Addresses that stand for ones not known (symbolic tags too) are shown by name.
        const line = summarize(extra, 1, network.addressNames).lines[0];
        const example = network.addressNames.labelledPacket(extra.witness() as Packet);
        diagnostics.push(
          error(
            "SynthesisUnproven",
            `the synthesized rules would also let in ${line ? formatSummaryLine(line) : "other traffic"} to ${env.name}, e.g. ${formatPacket(example)}`,
            tier.path,
          ),
        );
      }
    }
  }
  return diagnostics.length > 0 ? { diagnostics } : { network, diagnostics };
}

function sourceSet(endpoint: Endpoint, analyzer: ReachAnalyzer): AddressSet {
  if (!("tag" in endpoint)) return endpoint.addresses;
  if (endpoint.tag === "Internet") return analyzer.outside;
  if (endpoint.tag === "AzureLoadBalancer") return AddressSet.of([AZURE_HOST_ADDRESS]);
  return AddressSet.of(analyzer.network.serviceTags.prefixes(endpoint.tag) ?? []);
}

/** What the platform rules admit on purpose: management, and ASE v2's traffic inside its subnet. */
function platformTraffic(tier: Tier, analyzer: ReachAnalyzer): PacketSet {
  const kinds = new Set(tier.environments.map((e) => e.kind));
  const management = { protocol: "Tcp" as const, ports: [{ first: 454, last: 455 }] };
  let set = PacketSet.empty;
  if (kinds.has("AppServiceEnvironmentV1")) set = set.union(scope(management, analyzer.outside));
  if (kinds.has("AppServiceEnvironmentV2")) {
    set = set.union(scope(management, sourceSet({ tag: "AppServiceManagement" }, analyzer)));
    for (const env of tier.environments)
      set = set.union(PacketSet.box({ source: env.subnet.addresses }));
  }
  return set;
}
