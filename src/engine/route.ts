import type { Network } from "../model/network.js";
import { routesApplyToPrivateEndpoints } from "../model/private-endpoint-types.js";
import { displayAddress, type IpAddress, sameAddress } from "../net/address.js";
import type { Host } from "./endpoint.js";
import { describeSelectedRoute, type SelectedRoute, selectRoute } from "./route-selection.js";

/**
 * How a packet travels between two hosts, and the addresses it carries on each
 * side; `hop` is the route it follows out of the caller's subnet, and `note`
 * what the trace should add about it.
 */
export type Route =
  | {
      kind: "private" | "public";
      outboundDestination: IpAddress;
      presentedSource: IpAddress;
      hop?: SelectedRoute;
      note?: string;
    }
  | { kind: "local" }
  | { kind: "none"; reason: string; hop?: SelectedRoute };

type Travelled = Route & { kind: "private" | "public" };

/** Whether two virtual networks exchange packets on private addresses: the same one, or peered. */
export function vnetsConnected(
  network: Network,
  a: string | undefined,
  b: string | undefined,
): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || (network.vnets.get(a)?.peers.includes(b) ?? false);
}

/**
 * Which addresses the packet carries. Inside connected networks it travels on
 * private addresses. To an external App Service Environment, or from outside the
 * callee's network, it crosses the Internet: the caller presents its outbound
 * address and reaches the callee's public one (the seed's point: calls between
 * ASEs, and an ASE's calls to itself, are Internet calls).
 */
export function planRoute(from: Host, to: Host, network: Network): Route {
  const direct = directRoute(from, to, network);
  const subnet = from.subnet;
  if (direct.kind === "public" && from.vnet === undefined)
    return wayBack(direct, from, to, network);
  if (direct.kind === "local" || subnet === undefined || from.platform) return direct;
  // The private destination first: a user route to an appliance or a gateway
  // carries the packet on private addresses, even where no peering does.
  if (
    to.vnet !== undefined &&
    to.ingress !== "External" &&
    from.address.family === to.address.family
  ) {
    // A user route that holds it is followed where the packet has no other way
    // (which it then explains), and always to an appliance or a gateway.
    const hop = selectRoute(network, subnet, to.address);
    const pe = to.privateEndpoint;
    // A private endpoint's /32 route (InterfaceEndpoint) outranks every user
    // route, even one as long, unless its subnet's policies let route tables
    // apply (Enabled, RouteTableEnabled): then user routes are followed as for
    // any host. The mapping of values to routes is read from their names and
    // the private-link documentation ("a user-defined routes default route
    // doesn't invalidate private endpoint routes"); tierwall takes it strictly.
    if (pe && direct.kind === "private" && !routesApplyToPrivateEndpoints(pe.policies))
      return hop?.source === "User"
        ? {
            ...direct,
            note: `private endpoint ${pe.name}'s /32 route wins over ${describeSelectedRoute(hop)}: user routes do not apply to private endpoint traffic (privateEndpointNetworkPolicies ${pe.policies} on ${pe.subnet.id})`,
          }
        : direct;
    const carried =
      hop?.source === "User" &&
      (direct.kind === "none" ||
        hop.nextHopType === "VirtualAppliance" ||
        hop.nextHopType === "VirtualNetworkGateway");
    if (direct.kind === "private" || carried)
      return follow(hop, from, to, network, {
        kind: "private",
        outboundDestination: to.address,
        presentedSource: from.address,
      });
  }
  if (direct.kind !== "public") return direct;
  return follow(
    selectRoute(network, subnet, direct.outboundDestination),
    from,
    to,
    network,
    direct,
  );
}

/**
 * A packet from the Internet reaches the callee directly; the callee's replies
 * follow its own subnet's routes. When those send them to an appliance, a
 * gateway or nowhere, the reply does not go straight back: Azure's routing
 * documentation says such a subnet can no longer be reached directly from the
 * Internet. tierwall does not follow the way back (what the appliance does to
 * a reply is not modelled), so the flow keeps the NSGs' verdict and the trace
 * says so.
 */
function wayBack(direct: Travelled, from: Host, to: Host, network: Network): Route {
  if (to.subnet === undefined) return direct;
  const back = selectRoute(network, to.subnet, from.address);
  if (
    back?.source !== "User" ||
    (back.nextHopType !== "VirtualAppliance" &&
      back.nextHopType !== "VirtualNetworkGateway" &&
      back.nextHopType !== "None")
  )
    return direct;
  return {
    ...direct,
    note: `replies to ${displayAddress(from.address)} follow ${describeSelectedRoute(back)}, not straight back: Azure's documentation says a subnet routed so cannot be reached directly from the Internet; tierwall does not follow the way back`,
  };
}

/**
 * What the route out of the caller's subnet does with a packet planned to
 * travel as `planned`: lets it go (on to the network, a peer, the Internet or a
 * gateway), drops it (None; the Internet for a private address; a network that
 * does not hold it), or hands it to an appliance.
 */
function follow(
  hop: SelectedRoute | undefined,
  from: Host,
  to: Host,
  network: Network,
  planned: Travelled,
): Route {
  const destination = displayAddress(planned.outboundDestination);
  if (!hop) return { kind: "none", reason: `no route of ${from.subnet?.id} holds ${destination}` };
  const by = describeSelectedRoute(hop);
  switch (hop.nextHopType) {
    case "None":
      return { kind: "none", hop, reason: `${by} drops packets to ${destination}` };
    case "Internet":
      if (planned.kind === "private")
        return {
          kind: "none",
          hop,
          reason: `${by} sends it to the Internet, where the private address ${destination} is not reached`,
        };
      return { ...planned, hop };
    case "VnetLocal": {
      const own = from.vnet === undefined ? undefined : network.vnets.get(from.vnet);
      if (own?.addressSpace.has(planned.outboundDestination)) return { ...planned, hop };
      return {
        kind: "none",
        hop,
        reason: `${by} keeps it in virtual network ${from.vnet}, which does not hold ${destination}`,
      };
    }
    case "VNetPeering":
    case "VirtualNetworkGateway":
      return { ...planned, hop };
    case "VirtualAppliance":
      return throughAppliance(hop, from, to, network, planned);
  }
}

/**
 * A packet handed to an appliance. The appliance must sit in the caller's
 * network or a peer; to reach a callee in another network, the appliance's
 * network must be connected to the callee's, and the packet, forwarded, must be
 * let across that peering by allowForwardedTraffic. The documentation puts the
 * flag on the receiving network's peering, the REST API's on the sending one's:
 * tierwall drops the packet only when neither sets it, and notes the other case.
 */
function throughAppliance(
  hop: SelectedRoute,
  from: Host,
  to: Host,
  network: Network,
  planned: Travelled,
): Route {
  const by = describeSelectedRoute(hop);
  const appliance = hop.nextHopIpAddress;
  const home =
    appliance && [...network.vnets.values()].find((v) => v.addressSpace.has(appliance))?.name;
  if (appliance === undefined || home === undefined || !vnetsConnected(network, from.vnet, home))
    return {
      kind: "none",
      hop,
      reason: `${by}: the appliance's address is in no virtual network that ${from.vnet} reaches (itself or a connected peer)`,
    };
  if (planned.kind === "public" || to.vnet === undefined || to.vnet === home)
    return { ...planned, hop };
  if (!vnetsConnected(network, home, to.vnet))
    return {
      kind: "none",
      hop,
      reason: `${by}: the appliance's network ${home} is not connected to ${to.vnet}, where ${displayAddress(to.address)} is`,
    };
  if (from.vnet === home) return { ...planned, hop };
  const entering = network.vnets.get(to.vnet)?.peerings.get(home)?.allowForwardedTraffic === true;
  const leaving = network.vnets.get(home)?.peerings.get(to.vnet)?.allowForwardedTraffic === true;
  if (!entering && !leaving)
    return {
      kind: "none",
      hop,
      reason: `${by}: the appliance forwards it from ${home} to ${to.vnet}, and neither peering between them sets allowForwardedTraffic`,
    };
  if (entering) return { ...planned, hop };
  return {
    ...planned,
    hop,
    note: `only ${home}'s peering to ${to.vnet} sets allowForwardedTraffic; Azure's documentation puts the flag on ${to.vnet}'s side and its REST API on ${home}'s, so tierwall lets the packet through`,
  };
}

/** The route between two hosts as the networks' addresses decide it, before any route table. */
function directRoute(from: Host, to: Host, network: Network): Route {
  if (from.vnet === undefined && to.vnet === undefined)
    return { kind: "none", reason: "neither end is in a virtual network, so no NSG is involved" };
  if (to.vnet === undefined) {
    if (from.address.family !== to.address.family) return familyMismatch();
    return { kind: "public", outboundDestination: to.address, presentedSource: from.address };
  }
  const publicRoute =
    to.ingress === "External" || (!vnetsConnected(network, from.vnet, to.vnet) && !from.platform);
  if (!publicRoute) {
    if (sameAddress(from.address, to.address)) return { kind: "local" };
    if (from.address.family !== to.address.family) return familyMismatch();
    return { kind: "private", outboundDestination: to.address, presentedSource: from.address };
  }
  if (!to.publicAddress)
    return {
      kind: "none",
      reason: `${to.label} has no public address and ${from.label} is outside its network, so there is no route`,
    };
  const presented = from.vnet === undefined ? from.address : from.outboundAddress;
  if (!presented)
    return {
      kind: "none",
      reason: `${from.label} has no outbound address, so it cannot call ${to.label} on its public address`,
    };
  if (presented.family !== to.publicAddress.family) return familyMismatch();
  return { kind: "public", outboundDestination: to.publicAddress, presentedSource: presented };
}

function familyMismatch(): Route {
  return {
    kind: "none",
    reason: "the two ends have addresses of different families (IPv4 and IPv6)",
  };
}

/**
 * Why a packet that reaches a host across the Internet is dropped whatever
 * the rules: a Standard public IP is closed to inbound traffic unless an NSG
 * allows it, so with no NSG on the host's subnet or NIC nothing gets in (a
 * Basic one, or a plain address, is open: then the NSGs alone decide).
 * Undefined when the NSGs decide.
 */
export function closedPublicIp(to: Host): string | undefined {
  const pip = to.publicIp;
  if (pip?.sku !== "Standard" || to.subnet?.nsg !== undefined || to.nic?.nsg !== undefined)
    return undefined;
  const where = [
    ...(to.nic ? [`network interface ${to.nic.name}`] : []),
    ...(to.subnet ? [`subnet ${to.subnet.id}`] : []),
  ].join(" or ");
  return `Standard public IP ${pip.name} is closed to inbound traffic unless an NSG allows it, and no NSG applies to ${where || "what it is associated with"}`;
}
