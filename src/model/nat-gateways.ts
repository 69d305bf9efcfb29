/**
 * NAT gateways resolved: the public addresses the subnets that name one leave
 * for the Internet from, checked as Azure checks them (Standard IPv4 public
 * IPs only, the subnets of one virtual network, never the GatewaySubnet).
 */
import type { IpAddress } from "../net/address.js";
import { type Diagnostic, error, type ValuePath } from "./diagnostic.js";
import { duplicateNames } from "./names.js";
import type { PublicIpInfo, SubnetInfo } from "./network.js";
import { nameProblem } from "./rule.js";
import { type NatGateway, type ResourceRef, refName } from "./types.js";

export interface NatGatewayInfo {
  readonly name: string;
  readonly path: ValuePath;
  /** Its public IP resources (addresses known or stand-ins), in order. */
  readonly publicIps: readonly PublicIpInfo[];
  /** Its public IP prefixes, by name: tierwall does not know their blocks. */
  readonly publicIpPrefixes: readonly string[];
  /** The subnets (`vnet/subnet`) that name it. */
  readonly subnets: readonly SubnetInfo[];
}

/** What resolving NAT gateways needs of the network being built (network.ts). */
export interface NatGatewayContext {
  readonly natGateways: readonly NatGateway[];
  readonly subnets: readonly SubnetInfo[];
  report(d: Diagnostic): void;
  publicEndpoint(
    ref: ResourceRef,
    path: ValuePath,
    what: string,
  ): { address: IpAddress; publicIp?: PublicIpInfo } | undefined;
  claimPublicIp(publicIp: PublicIpInfo, owner: string, path: ValuePath): void;
}

/** Resolves every NAT gateway, reporting what Azure would refuse. */
export function resolveNatGateways(context: NatGatewayContext): Map<string, NatGatewayInfo> {
  const out = new Map<string, NatGatewayInfo>();
  const gateways = context.natGateways;
  const duplicates = duplicateNames("natGateways", "NAT gateway", gateways);
  gateways.forEach((nat, i) => {
    const path: ValuePath = ["natGateways", i];
    const bad = nameProblem("NAT gateway", nat.name, [...path, "name"]);
    if (bad) context.report(bad);
    const duplicate = duplicates.get(i);
    if (duplicate) {
      context.report(duplicate);
      return;
    }
    const what = `NAT gateway ${nat.name}`;
    const publicIps: PublicIpInfo[] = [];
    (nat.publicIpAddresses ?? []).forEach((ref, j) => {
      const at = [...path, "publicIpAddresses", j];
      const endpoint = context.publicEndpoint(ref, at, what);
      if (!endpoint) return;
      const pip = endpoint.publicIp;
      if (!pip) {
        context.report(
          error(
            "InvalidNatGatewayPublicIp",
            `${what}: it takes public IP address resources, by name or id, not an address`,
            at,
          ),
        );
        return;
      }
      context.claimPublicIp(pip, what, at);
      if (pip.sku !== "Standard")
        context.report(
          error(
            "NatGatewayCannotUseBasicPublicIp",
            `${what}: public IP address ${pip.name} is Basic; a NAT gateway takes Standard public IPs only`,
            at,
          ),
        );
      else if (pip.address.family !== 4)
        context.report(
          error(
            "InvalidNatGatewayPublicIp",
            `${what}: public IP address ${pip.name} is IPv6; a NAT gateway translates IPv4 only`,
            at,
          ),
        );
      else publicIps.push(pip);
    });
    const publicIpPrefixes: string[] = [];
    (nat.publicIpPrefixes ?? []).forEach((ref, j) => {
      const at = [...path, "publicIpPrefixes", j];
      const found = typeof ref === "string" && !ref.startsWith("/") ? undefined : idProblem(ref);
      if (found) context.report(error("InvalidResourceReference", found, [...at, "id"]));
      else publicIpPrefixes.push(refName(ref));
    });
    if (nat.idleTimeoutInMinutes !== undefined) {
      const t = nat.idleTimeoutInMinutes;
      if (!Number.isInteger(t) || t < 4 || t > 120)
        context.report(
          error("InvalidIdleTimeout", `${what}: idleTimeoutInMinutes ${t} is not from 4 to 120`, [
            ...path,
            "idleTimeoutInMinutes",
          ]),
        );
    }
    const subnets = context.subnets.filter(
      (s) => s.natGateway !== undefined && s.natGateway.toLowerCase() === nat.name.toLowerCase(),
    );
    const vnets = new Set(subnets.map((s) => s.vnet));
    if (vnets.size > 1)
      context.report(
        error(
          "NatGatewaySubnetsInSeveralVirtualNetworks",
          `${what} is named by subnets of several virtual networks (${[...vnets].sort().join(", ")}); a NAT gateway serves the subnets of one`,
          path,
        ),
      );
    for (const s of subnets)
      if (s.name.toLowerCase() === "gatewaysubnet")
        context.report(
          error(
            "NatGatewayCannotBeAssociatedWithGatewaySubnet",
            `${what}: subnet ${s.id} is a GatewaySubnet, where a NAT gateway cannot be`,
            path,
          ),
        );
    out.set(nat.name, { name: nat.name, path, publicIps, publicIpPrefixes, subnets });
  });
  return out;
}

/** Why an id is not a public IP prefix's, or undefined. */
function idProblem(ref: ResourceRef): string | undefined {
  const id = typeof ref === "string" ? ref : ref.id;
  return /\/providers\/Microsoft\.Network\/publicIPPrefixes\/[^/]+\/?$/i.test(id)
    ? undefined
    : `${JSON.stringify(id)} is not the id of a public IP prefix (…/providers/Microsoft.Network/publicIPPrefixes/NAME)`;
}
