import type { Network, SubnetInfo } from "../model/network.js";
import type { NextHopType } from "../model/types.js";
import { displayAddress, type IpAddress } from "../net/address.js";
import { formatPrefix, type Prefix, parsePrefix } from "../net/prefix.js";

/**
 * The route a packet leaving a subnet follows: a user-defined route of the
 * subnet's route table, or one of Azure's system routes (`Default`; a
 * gateway's routes are `VirtualNetworkGateway`, as Azure's effective routes
 * name their source).
 */
export interface SelectedRoute {
  readonly source: "User" | "Default" | "VirtualNetworkGateway";
  readonly prefix: Prefix;
  readonly nextHopType: NextHopType | "VNetPeering";
  readonly nextHopIpAddress?: IpAddress;
  /** A user route's name and table, and its address prefix as written (a CIDR block or a tag). */
  readonly name?: string;
  readonly routeTable?: string;
  readonly addressPrefix?: string;
  /** The peered network (VNetPeering), or the network whose gateway it is (VirtualNetworkGateway). */
  readonly network?: string;
}

const block = (text: string): Prefix => {
  const parsed = parsePrefix(text);
  if (!parsed.ok) throw new Error(`bad system prefix ${text}`);
  return parsed.prefix;
};

/** Azure's system routes to the Internet, and those that drop private and shared ranges by default. */
const INTERNET_ROUTES = [block("0.0.0.0/0"), block("::/0")];
const DROPPED_BY_DEFAULT = [
  block("10.0.0.0/8"),
  block("172.16.0.0/12"),
  block("192.168.0.0/16"),
  block("100.64.0.0/10"),
];

/** At equal prefix length: a user route, then a gateway's (BGP) route, then a system route. */
const SOURCE_RANK = { User: 0, VirtualNetworkGateway: 1, Default: 2 } as const;
/** Among system routes of equal length, the network's own space wins (a reserved range inside it is local). */
const SYSTEM_RANK: Record<SelectedRoute["nextHopType"], number> = {
  VnetLocal: 0,
  VNetPeering: 1,
  VirtualNetworkGateway: 2,
  None: 3,
  Internet: 4,
  VirtualAppliance: 5,
};

const holds = (p: Prefix, address: IpAddress): boolean =>
  p.family === address.family && p.first <= address.value && address.value <= p.last;

/**
 * The route Azure picks for a packet to `destination` leaving `subnet`: the
 * longest prefix that holds it, over the subnet's user routes and the system
 * routes (the network's space, its connected peers, the gateway's spaces unless
 * the route table stops their propagation, the Internet, and the private and
 * shared ranges dropped by default). At equal length a user route wins. Routes
 * to the network and its peers win over a gateway's routes even when those are
 * more specific. Undefined when no route holds it.
 */
export function selectRoute(
  network: Network,
  subnet: SubnetInfo,
  destination: IpAddress,
): SelectedRoute | undefined {
  const candidates = [...userRoutes(network, subnet), ...systemRoutes(network, subnet)].filter(
    (r) => holds(r.prefix, destination),
  );
  candidates.sort(
    (a, b) =>
      b.prefix.length - a.prefix.length ||
      SOURCE_RANK[a.source] - SOURCE_RANK[b.source] ||
      SYSTEM_RANK[a.nextHopType] - SYSTEM_RANK[b.nextHopType],
  );
  const best = candidates[0];
  if (best?.source === "VirtualNetworkGateway") {
    const local = candidates.find(
      (r) =>
        r.source === "Default" &&
        (r.nextHopType === "VnetLocal" || r.nextHopType === "VNetPeering"),
    );
    if (local) return local;
  }
  return best;
}

/** Every prefix a route of the subnet's traffic holds: where the route chosen for a destination can change. */
export function routePrefixes(network: Network, subnet: SubnetInfo): Prefix[] {
  return [...userRoutes(network, subnet), ...systemRoutes(network, subnet)].map((r) => r.prefix);
}

function userRoutes(network: Network, subnet: SubnetInfo): SelectedRoute[] {
  const table =
    subnet.routeTable === undefined ? undefined : network.routeTables.get(subnet.routeTable);
  if (!table) return [];
  return table.routes.flatMap((r) =>
    r.prefixes.map((prefix) => ({
      source: "User" as const,
      prefix,
      nextHopType: r.nextHopType,
      ...(r.nextHopIpAddress ? { nextHopIpAddress: r.nextHopIpAddress } : {}),
      name: r.name,
      routeTable: r.table,
      addressPrefix: r.addressPrefix,
    })),
  );
}

function systemRoutes(network: Network, subnet: SubnetInfo): SelectedRoute[] {
  const vnet = network.vnets.get(subnet.vnet);
  if (!vnet) return [];
  const routes: SelectedRoute[] = vnet.addressPrefixes.map((prefix) => ({
    source: "Default",
    prefix,
    nextHopType: "VnetLocal",
  }));
  for (const peer of vnet.peers)
    for (const prefix of network.vnets.get(peer)?.addressPrefixes ?? [])
      routes.push({ source: "Default", prefix, nextHopType: "VNetPeering", network: peer });
  const table =
    subnet.routeTable === undefined ? undefined : network.routeTables.get(subnet.routeTable);
  if (!table?.disableBgpRoutePropagation)
    for (const gateway of gatewaysUsed(network, vnet.name))
      for (const prefix of network.vnets.get(gateway)?.gatewayPrefixes ?? [])
        routes.push({
          source: "VirtualNetworkGateway",
          prefix,
          nextHopType: "VirtualNetworkGateway",
          network: gateway,
        });
  for (const prefix of INTERNET_ROUTES)
    routes.push({ source: "Default", prefix, nextHopType: "Internet" });
  for (const prefix of DROPPED_BY_DEFAULT)
    routes.push({ source: "Default", prefix, nextHopType: "None" });
  return routes;
}

/**
 * The networks whose gateway a network's packets reach: its own, and that of
 * the peer it uses with useRemoteGateways when that peer allows gateway
 * transit (a gateway is known by the on-premises spaces it reaches).
 */
export function gatewaysUsed(network: Network, vnetName: string): string[] {
  const vnet = network.vnets.get(vnetName);
  if (!vnet) return [];
  const out = vnet.gatewayPrefixes.length > 0 ? [vnet.name] : [];
  for (const [peer, flags] of vnet.peerings) {
    if (!flags.useRemoteGateways) continue;
    if (network.vnets.get(peer)?.peerings.get(vnet.name)?.allowGatewayTransit) out.push(peer);
  }
  return out;
}

/** A route in words: a user route by name and table, a system route by its prefix. */
export function describeSelectedRoute(route: SelectedRoute): string {
  const target =
    route.nextHopType === "VirtualAppliance" && route.nextHopIpAddress
      ? `VirtualAppliance ${displayAddress(route.nextHopIpAddress)}`
      : route.nextHopType;
  if (route.source === "User")
    return `route ${route.name} of route table ${route.routeTable} (${route.addressPrefix} -> ${target})`;
  const via = route.network ? ` of ${route.network}` : "";
  const kind = route.source === "VirtualNetworkGateway" ? "gateway route" : "system route";
  return `Azure's ${kind} ${formatPrefix(route.prefix)} -> ${target}${via}`;
}
