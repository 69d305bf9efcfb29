import type { Network } from "../model/network.js";
import { type IpAddress, sameAddress } from "../net/address.js";
import type { Host } from "./endpoint.js";

/** How a packet travels between two hosts, and the addresses it carries on each side. */
export type Route =
  | { kind: "private" | "public"; outboundDestination: IpAddress; presentedSource: IpAddress }
  | { kind: "local" }
  | { kind: "none"; reason: string };

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
