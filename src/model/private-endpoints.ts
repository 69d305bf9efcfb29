/**
 * Private endpoints and Azure Bastion hosts resolved: each with its subnet and
 * private address (given, or some free host of the subnet, shown symbolically),
 * checked as Azure checks them.
 */
import type { IpAddress } from "../net/address.js";
import { formatPrefix } from "../net/prefix.js";
import { error, info, type ValuePath } from "./diagnostic.js";
import type { LoadBalancerContext } from "./load-balancers.js";
import type { PublicIpInfo, SubnetInfo } from "./network.js";
import {
  BASTION_SUBNET,
  type BastionSku,
  type PrivateEndpointNetworkPolicies,
  type PrivateLinkServiceConnection,
} from "./private-endpoint-types.js";

export interface PrivateEndpointInfo {
  readonly name: string;
  readonly path: ValuePath;
  readonly subnet: SubnetInfo;
  readonly address: IpAddress;
  readonly dynamic: boolean;
  /** Its subnet's privateEndpointNetworkPolicies (Disabled when left out). */
  readonly policies: PrivateEndpointNetworkPolicies;
  /** What it reaches, in words: `RESOURCE (group, …)` for each connection. */
  readonly targets: readonly string[];
}

export interface BastionInfo {
  readonly name: string;
  readonly path: ValuePath;
  readonly sku: BastionSku;
  /** Its AzureBastionSubnet. */
  readonly subnet: SubnetInfo;
  /** The private address its sessions to VMs come from: some host of its subnet, shown symbolically. */
  readonly address: IpAddress;
  /** Users reach it here, on 443. */
  readonly publicAddress?: IpAddress;
  readonly publicIp?: PublicIpInfo;
}

export type EndpointContext = Pick<
  LoadBalancerContext,
  "topology" | "report" | "subnetRef" | "publicEndpoint" | "claimPublicIp" | "privateAddress"
>;

/** A connection's target as a trace shows it: the resource's name (by its id) and its sub-resources. */
function describeTarget(c: PrivateLinkServiceConnection): string {
  const segments = c.privateLinkServiceId.split("/").filter((s) => s.length > 0);
  const providers = segments.lastIndexOf("providers");
  const type = providers >= 0 ? segments.slice(providers + 1, -1).join("/") : "";
  const name = segments[segments.length - 1] ?? c.privateLinkServiceId;
  const groups = c.groupIds?.length ? ` (${c.groupIds.join(", ")})` : "";
  return `${type ? `${type} ` : ""}${name}${groups}`;
}

export function resolvePrivateEndpoints(ctx: EndpointContext): Map<string, PrivateEndpointInfo> {
  const out = new Map<string, PrivateEndpointInfo>();
  (ctx.topology.privateEndpoints ?? []).forEach((pe, i) => {
    const path: ValuePath = ["privateEndpoints", i];
    const label = `private endpoint ${pe.name}`;
    const subnet = ctx.subnetRef(pe.subnet, [...path, "subnet"]);
    if (!subnet) return;
    const address = ctx.privateAddress(pe.privateIPAddress, undefined, subnet, path, label);
    if (!address) return;
    const connections = [
      ...(pe.privateLinkServiceConnections ?? []),
      ...(pe.manualPrivateLinkServiceConnections ?? []),
    ];
    out.set(pe.name, {
      name: pe.name,
      path,
      subnet,
      address,
      dynamic: pe.privateIPAddress === undefined,
      policies: subnet.privateEndpointNetworkPolicies ?? "Disabled",
      targets: connections.map(describeTarget),
    });
  });
  return out;
}

export function resolveBastionHosts(ctx: EndpointContext): Map<string, BastionInfo> {
  const out = new Map<string, BastionInfo>();
  (ctx.topology.bastionHosts ?? []).forEach((bastion, i) => {
    const path: ValuePath = ["bastionHosts", i];
    const label = `Bastion host ${bastion.name}`;
    if (bastion.ipConfigurations.length !== 1) {
      ctx.report(
        error(
          "InvalidBastionIpConfiguration",
          `${label} has ${bastion.ipConfigurations.length} IP configurations; Azure Bastion takes exactly one`,
          [...path, "ipConfigurations"],
        ),
      );
      if (bastion.ipConfigurations.length === 0) return;
    }
    const cPath: ValuePath = [...path, "ipConfigurations", 0];
    const config = bastion.ipConfigurations[0];
    if (!config) return;
    const subnet = ctx.subnetRef(config.subnet, [...cPath, "subnet"]);
    if (!subnet) return;
    if (subnet.name !== BASTION_SUBNET) {
      ctx.report(
        error(
          "InvalidBastionSubnet",
          `${label}: its subnet is ${subnet.id}; Azure Bastion must be in a subnet named ${BASTION_SUBNET}`,
          [...cPath, "subnet"],
        ),
      );
      return;
    }
    const small = subnet.prefixes.find((p) => p.family === 4 && p.length > 26);
    if (small)
      ctx.report(
        info(
          "AzureBastionSubnetTooSmall",
          `${label}: ${subnet.id} is ${formatPrefix(small)}; Azure requires ${BASTION_SUBNET} to be /26 or larger for a new Bastion host (older ones keep a /27)`,
          [...cPath, "subnet"],
        ),
      );
    const endpoint =
      config.publicIPAddress === undefined
        ? undefined
        : ctx.publicEndpoint(config.publicIPAddress, [...cPath, "publicIPAddress"], label);
    if (endpoint?.publicIp) {
      ctx.claimPublicIp(endpoint.publicIp, label, [...cPath, "publicIPAddress"]);
      if (endpoint.publicIp.sku !== "Standard")
        ctx.report(
          error(
            "InvalidBastionPublicIp",
            `${label}: public IP address ${endpoint.publicIp.name} is ${endpoint.publicIp.sku}; Azure Bastion takes a Standard public IP`,
            [...cPath, "publicIPAddress"],
          ),
        );
    }
    // The instances' addresses are some hosts of the subnet: one stands for them.
    const address = ctx.privateAddress(undefined, undefined, subnet, cPath, label);
    if (!address) return;
    out.set(bastion.name, {
      name: bastion.name,
      path,
      sku: bastion.sku ?? "Basic",
      subnet,
      address,
      ...(endpoint ? { publicAddress: endpoint.address } : {}),
      ...(endpoint?.publicIp ? { publicIp: endpoint.publicIp } : {}),
    });
  });
  return out;
}
