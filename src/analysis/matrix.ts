import type { Host } from "../engine/endpoint.js";
import { bastionHost, hostAt } from "../engine/endpoint.js";
import { describeForwarding } from "../model/load-balancers.js";
import type { Network } from "../model/network.js";
import { displayAddress, sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { gatewayArrivals } from "./application-gateway-exposure.js";
import { ALL_IPV4, ALL_IPV6 } from "./fields.js";
import { exposedAtFrontend, loadBalancedArrivals } from "./load-balancer-exposure.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";
import { formatAddressSet, type SummaryLine, summarize } from "./summary.js";

/** One cell of the reachability matrix: what `from` may send to `to`, as rule-like lines. */
export interface ReachCell {
  readonly from: string;
  readonly to: string;
  /** Everything the row could send the column is allowed. */
  readonly all: boolean;
  /** The allowed traffic; an address side reads `*` where it is every host the row or column stands for. */
  readonly allowed: readonly SummaryLine[];
  readonly omitted: number;
}

export const INTERNET = "Internet";

/**
 * What each environment may send to each other one and to the Internet, and
 * what the Internet (any host outside every network that is not an
 * environment) may send to each: exact, over every packet.
 */
export function reachMatrix(analyzer: ReachAnalyzer): { names: string[]; cells: ReachCell[] } {
  const network = analyzer.network;
  const envs = [...network.environments.values()].map((e) => ({
    name: e.name,
    host: envHost(network, e.name),
  }));
  let known = AddressSet.empty;
  for (const { host } of envs)
    if (host.outboundAddress) known = known.union(AddressSet.ofAddresses([host.outboundAddress]));
  const anonymous = analyzer.outside.minus(known);
  const names = network.addressNames;
  const everyone = (set: AddressSet) => formatAddressSet(set, names).join();
  const cell = (
    from: string,
    to: string,
    space: { allowed: PacketSet; possible: PacketSet },
    whole?: { source?: AddressSet; destination?: AddressSet },
  ): ReachCell => {
    const s = summarize(space.allowed, 12, names);
    // A side that is the whole of what the row or column stands for says nothing: show it as *.
    const lines = s.lines.map((l) => ({
      ...l,
      source: whole?.source && l.source.join() === everyone(whole.source) ? ["*"] : l.source,
      destination:
        whole?.destination && l.destination.join() === everyone(whole.destination)
          ? ["*"]
          : l.destination,
    }));
    const all = !space.possible.isEmpty() && space.allowed.equals(space.possible);
    return { from, to, all, allowed: lines, omitted: s.omitted };
  };
  const cells: ReachCell[] = [];
  for (const from of envs) {
    for (const to of envs) cells.push(cell(from.name, to.name, analyzer.flow(from.host, to.host)));
    const possible = PacketSet.box({
      source: AddressSet.ofAddresses([from.host.address]),
      destination: analyzer.outside,
    });
    cells.push(
      cell(
        from.name,
        INTERNET,
        { allowed: analyzer.toOutside(from.host), possible },
        {
          destination: sameFamily(analyzer.outside, from.host),
        },
      ),
    );
  }
  for (const to of envs)
    cells.push(
      cell(INTERNET, to.name, analyzer.fromOutside(anonymous, to.host), {
        source: sameFamily(anonymous, to.host),
      }),
    );
  return { names: [...envs.map((e) => e.name), INTERNET], cells };
}

/** What the Internet reaches of one environment, or of a NIC through its public address. */
export interface Exposure {
  readonly environment?: string;
  readonly networkInterface?: string;
  /** An Azure Bastion host, on its public IP: what reaches it on 443, the port it accepts sessions on. */
  readonly bastionHost?: string;
  /** The public address it is reached at: an address, or `<name>` when not known. */
  readonly publicAddress?: string;
  /** The public IP resource it is reached on, when it is one. */
  readonly publicIPAddress?: string;
  /** Through a load balancer: its name, the frontend, the rule and the backend it forwards to. */
  readonly loadBalancer?: string;
  readonly frontend?: string;
  readonly rule?: string;
  readonly backend?: string;
  /** The backend's address and port the frontend's packets are translated to. */
  readonly translatedTo?: string;
  /** Through an application gateway's public frontend (`frontend`): its listeners and where each sends. */
  readonly applicationGateway?: string;
  readonly listeners?: readonly string[];
  readonly exposed: readonly SummaryLine[];
  readonly omitted: number;
}

/**
 * What the Internet, every host outside every network, environments'
 * addresses included, reaches of each environment, and of each network
 * interface with a public address that no environment stands on.
 */
export function exposureOf(analyzer: ReachAnalyzer): Exposure[] {
  const network = analyzer.network;
  const names = network.addressNames;
  const exposure = (host: Host) => {
    const s = summarize(analyzer.fromOutside(analyzer.outside, host).allowed, 20, names);
    return {
      ...(host.publicAddress ? { publicAddress: displayAddress(host.publicAddress) } : {}),
      ...(host.publicIp ? { publicIPAddress: host.publicIp.name } : {}),
      exposed: s.lines,
      omitted: s.omitted,
    };
  };
  const envs = [...network.environments.values()];
  const out: Exposure[] = envs.map((env) => ({
    environment: env.name,
    ...exposure(envHost(network, env.name)),
  }));
  for (const nic of network.nics.values())
    for (const config of nic.ipConfigurations) {
      if (!config.publicAddress || envs.some((e) => sameAddress(e.privateAddress, config.address)))
        continue;
      out.push({ networkInterface: nic.name, ...exposure(hostAt(network, config.address)) });
    }
  // Each Bastion host with a public IP: the service answers on TCP 443 only.
  for (const bastion of network.bastionHosts.values()) {
    if (!bastion.publicAddress) continue;
    const host = bastionHost(bastion);
    const https = PacketSet.box({
      protocols: ["Tcp"],
      destinationPorts: [{ first: 443, last: 443 }],
    });
    const s = summarize(
      analyzer.fromOutside(analyzer.outside, host).allowed.intersect(https),
      20,
      names,
    );
    out.push({
      bastionHost: bastion.name,
      publicAddress: displayAddress(bastion.publicAddress),
      ...(bastion.publicIp ? { publicIPAddress: bastion.publicIp.name } : {}),
      exposed: s.lines,
      omitted: s.omitted,
    });
  }
  // Each rule of a public load balancer, at each backend, as its frontend receives the packets.
  for (const a of loadBalancedArrivals(analyzer)) {
    const s = summarize(exposedAtFrontend(a), 20, names);
    out.push({
      loadBalancer: a.frontend.loadBalancer,
      frontend: a.frontend.name,
      publicAddress: displayAddress(a.frontend.address),
      ...(a.frontend.publicIp ? { publicIPAddress: a.frontend.publicIp.name } : {}),
      rule: describeForwarding(a.forwarding),
      backend: a.backend.label,
      translatedTo: `${displayAddress(a.backend.address)}:${a.backendPort}`,
      exposed: s.lines,
      omitted: s.omitted,
    });
  }
  // Each public frontend of an application gateway, on its listeners' ports.
  for (const a of gatewayArrivals(analyzer)) {
    const s = summarize(a.exposed, 20, names);
    out.push({
      applicationGateway: a.gateway.name,
      frontend: a.frontend.name,
      publicAddress: displayAddress(a.frontend.address),
      ...(a.frontend.publicIp ? { publicIPAddress: a.frontend.publicIp.name } : {}),
      listeners: a.listeners,
      exposed: s.lines,
      omitted: s.omitted,
    });
  }
  return out;
}

function envHost(network: Network, name: string): Host {
  const env = network.environments.get(name);
  if (!env) throw new Error(`no environment ${name}`);
  return hostAt(network, env.privateAddress);
}

/** A packet's two addresses share a family: the part of a set that can talk to a host. */
function sameFamily(set: AddressSet, host: Host): AddressSet {
  return set.intersect(host.address.family === 4 ? ALL_IPV4 : ALL_IPV6);
}
