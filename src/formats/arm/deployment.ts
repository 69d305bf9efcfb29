/**
 * The resources a topology deploys as, whatever the template language: what
 * the ARM and Bicep exporters both write. A reference to a resource declared
 * in the same deployment stays a reference, so that each language writes it
 * its own way (`resourceId()` with `dependsOn`, or a symbolic name).
 */
import {
  type PrivateLinkServiceConnection,
  type ResourceRef,
  refName,
  SECURITY_RULE_PROPERTIES,
  type SecurityRule,
  type Subnet,
  type Topology,
} from "../../model/types.js";
import { parseIpAddress } from "../../net/address.js";
import { type ExportScope, hasSecurity } from "../shared/export-scope.js";
import { UnwritableText } from "../shared/unwritable.js";
import {
  APPLICATION_GATEWAY_PLAN_TYPE,
  planApplicationGateway,
} from "./application-gateway-plan.js";
import { LOAD_BALANCER_TYPE, planLoadBalancer } from "./load-balancer-plan.js";

const PRIVATE_ENDPOINT_TYPE = "Microsoft.Network/privateEndpoints";
const BASTION_HOST_TYPE = "Microsoft.Network/bastionHosts";

export const API_VERSION = "2024-05-01";

export const RESOURCE_TYPES = {
  asg: "Microsoft.Network/applicationSecurityGroups",
  nsg: "Microsoft.Network/networkSecurityGroups",
  rule: "Microsoft.Network/networkSecurityGroups/securityRules",
  vnet: "Microsoft.Network/virtualNetworks",
  subnet: "Microsoft.Network/virtualNetworks/subnets",
  peering: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
  nic: "Microsoft.Network/networkInterfaces",
  pip: "Microsoft.Network/publicIPAddresses",
  routeTable: "Microsoft.Network/routeTables",
  route: "Microsoft.Network/routeTables/routes",
  natGateway: "Microsoft.Network/natGateways",
  publicIpPrefix: "Microsoft.Network/publicIPPrefixes",
} as const;
const T = RESOURCE_TYPES;

/** The id of a resource given by type and name segments, as `resourceId()` builds it. */
export class ResourceReference {
  constructor(
    readonly type: string,
    readonly names: readonly string[],
  ) {}

  get key(): string {
    return `${this.type}|${this.names.join("/")}`.toLowerCase();
  }
}

export type PlanValue =
  | string
  | number
  | boolean
  | ResourceReference
  | readonly PlanValue[]
  | { readonly [key: string]: PlanValue };

/** Where a resource is placed: a region by name, or the deployment's location parameter. */
export type PlanLocation = { readonly region: string } | "parameter";

export interface PlannedResource {
  readonly type: string;
  /** One segment for a top-level resource; the parent's name, then its own, for a child. */
  readonly names: readonly string[];
  readonly location?: PlanLocation;
  /** The SKU's name (a public IP's). */
  readonly sku?: string;
  /** A resource that exists, named for its children (Bicep's `existing`); ARM writes none. */
  readonly existing?: true;
  readonly properties?: Readonly<Record<string, PlanValue>>;
  /** Resources of this deployment that must exist first, in the order first needed. */
  readonly dependsOn: readonly ResourceReference[];
}

const ASG_FIELDS = new Set<string>([
  "sourceApplicationSecurityGroups",
  "destinationApplicationSecurityGroups",
]);

/** Collects the dependencies of one resource, each once. */
class Needs {
  private readonly refs = new Map<string, ResourceReference>();
  add(ref: ResourceReference): void {
    if (!this.refs.has(ref.key)) this.refs.set(ref.key, ref);
  }
  list(): ResourceReference[] {
    return [...this.refs.values()];
  }
}

/**
 * A name as one segment of a resource's name (`vnet/peering`). A `/` in it
 * would make another resource of another type, so such a name is refused
 * (only peering names can hold one: the others are validated).
 */
function segment(name: string): string {
  if (name.includes("/"))
    throw new UnwritableText(
      name,
      "holds '/', which separates the segments of a resource's name in ARM and Bicep",
    );
  return name;
}

/**
 * The application security groups, NSGs, virtual networks, peerings, public
 * IPs and NICs of a topology (scope `all`); or (scope `nsgs`) the ASGs and
 * NSGs, each subnet with an NSG as a child of its existing network, and the
 * interfaces with an NSG or ASGs, which ARM sets only through the interface,
 * referring to existing subnets and public IPs.
 */
export function planDeployment(topology: Topology, scope: ExportScope = "all"): PlannedResource[] {
  const lower = (s: string) => s.toLowerCase();
  const all = scope === "all";
  const asgs = new Map(topology.applicationSecurityGroups.map((a) => [lower(a.name), a.name]));
  const nsgs = new Map(topology.networkSecurityGroups.map((n) => [lower(n.name), n.name]));
  const vnets = new Map(all ? topology.virtualNetworks.map((v) => [lower(v.name), v.name]) : []);
  const pips = new Map(
    all ? (topology.publicIPAddresses ?? []).map((p) => [lower(p.name), p.name]) : [],
  );
  const natGateways = new Map(
    all ? (topology.natGateways ?? []).map((n) => [lower(n.name), n.name]) : [],
  );
  const location = (l: string | undefined): PlanLocation =>
    l === undefined ? "parameter" : { region: l };

  /** `{ id }` of a referenced resource; a dependency when it is declared here. */
  const reference = (
    ref: ResourceRef,
    type: string,
    declared: ReadonlyMap<string, string>,
    needs: Needs,
  ): PlanValue => {
    const name = declared.get(lower(refName(ref)));
    if (name !== undefined) {
      const id = new ResourceReference(type, [name]);
      needs.add(id);
      return { id };
    }
    if (typeof ref !== "string") return { id: ref.id };
    return { id: new ResourceReference(type, [ref]) };
  };

  /** A subnet named `subnet`, `vnet/subnet` or by id; a dependency on its network when declared here. */
  const subnetReference = (ref: ResourceRef, needs: Needs): PlanValue => {
    const text = typeof ref === "string" ? ref : ref.id;
    const idMatch = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)\/?$/i.exec(text);
    let [vnet, subnet] = idMatch
      ? [idMatch[1], idMatch[2]]
      : text.includes("/")
        ? text.split("/", 2)
        : [undefined, text];
    if (vnet === undefined) {
      const holder = topology.virtualNetworks.find((v) =>
        v.subnets.some((s) => lower(s.name) === lower(subnet ?? "")),
      );
      vnet = holder?.name;
    }
    const declaredVnet = vnet === undefined ? undefined : vnets.get(lower(vnet));
    if (declaredVnet !== undefined && subnet !== undefined) {
      const holder = topology.virtualNetworks.find((v) => v.name === declaredVnet);
      const declaredSubnet =
        holder?.subnets.find((s) => lower(s.name) === lower(subnet ?? ""))?.name ?? subnet;
      needs.add(new ResourceReference(T.vnet, [declaredVnet]));
      return { id: new ResourceReference(T.subnet, [declaredVnet, declaredSubnet]) };
    }
    if (typeof ref !== "string") return { id: ref.id };
    return vnet !== undefined && subnet !== undefined
      ? { id: new ResourceReference(T.subnet, [vnet, subnet]) }
      : { id: text };
  };

  const rule = (r: SecurityRule, needs: Needs): PlanValue => {
    const properties: Record<string, PlanValue> = {};
    for (const field of SECURITY_RULE_PROPERTIES) {
      const value = r[field];
      if (value === undefined) continue;
      properties[field] = ASG_FIELDS.has(field)
        ? (value as readonly ResourceRef[]).map((a) => reference(a, T.asg, asgs, needs))
        : (value as PlanValue);
    }
    return { name: r.name, properties };
  };

  const resources: PlannedResource[] = [];

  for (const asg of topology.applicationSecurityGroups)
    resources.push({
      type: T.asg,
      names: [asg.name],
      location: location(asg.location),
      dependsOn: [],
    });

  for (const nsg of topology.networkSecurityGroups) {
    const needs = new Needs();
    const properties: Record<string, PlanValue> = {
      securityRules: nsg.securityRules.map((r) => rule(r, needs)),
    };
    if (nsg.flushConnection !== undefined) properties.flushConnection = nsg.flushConnection;
    resources.push({
      type: T.nsg,
      names: [nsg.name],
      location: location(nsg.location),
      properties,
      dependsOn: needs.list(),
    });
  }

  /** A subnet's properties: what a deployment of the subnet sets (the rest Azure resets). */
  const subnetProperties = (subnet: Subnet, needs: Needs) => {
    const properties: Record<string, PlanValue> = {};
    if (subnet.addressPrefix !== undefined) properties.addressPrefix = subnet.addressPrefix;
    if (subnet.addressPrefixes !== undefined) properties.addressPrefixes = subnet.addressPrefixes;
    if (subnet.networkSecurityGroup !== undefined)
      properties.networkSecurityGroup = reference(subnet.networkSecurityGroup, T.nsg, nsgs, needs);
    // Deploying a subnet without its route table would detach it.
    if (subnet.routeTable !== undefined)
      properties.routeTable = reference(subnet.routeTable, T.routeTable, new Map(), needs);
    // And without its NAT gateway, or its outbound access as created.
    if (subnet.natGateway !== undefined)
      properties.natGateway = reference(subnet.natGateway, T.natGateway, natGateways, needs);
    if (subnet.defaultOutboundAccess !== undefined)
      properties.defaultOutboundAccess = subnet.defaultOutboundAccess;
    // And without its private endpoint policies, which would fall back to Disabled.
    if (subnet.privateEndpointNetworkPolicies !== undefined)
      properties.privateEndpointNetworkPolicies = subnet.privateEndpointNetworkPolicies;
    return properties;
  };

  // Scope nsgs: each subnet with an NSG, a child of its network as it exists, one after the other
  // (Azure refuses two changes to one network at once).
  for (const vnet of all ? [] : topology.virtualNetworks) {
    const associated = vnet.subnets.filter((s) => s.networkSecurityGroup !== undefined);
    if (associated.length === 0) continue;
    resources.push({ type: T.vnet, names: [vnet.name], existing: true, dependsOn: [] });
    let previous: ResourceReference | undefined;
    for (const subnet of associated) {
      const needs = new Needs();
      if (previous) needs.add(previous);
      resources.push({
        type: T.subnet,
        names: [vnet.name, subnet.name],
        properties: subnetProperties(subnet, needs),
        dependsOn: needs.list(),
      });
      previous = new ResourceReference(T.subnet, [vnet.name, subnet.name]);
    }
  }

  for (const pip of all ? (topology.publicIPAddresses ?? []) : [])
    resources.push({
      type: T.pip,
      names: [pip.name],
      location: location(pip.location),
      sku: pip.sku,
      properties: {
        // Standard allows only Static; ARM's default is Dynamic.
        publicIPAllocationMethod:
          pip.publicIPAllocationMethod ?? (pip.sku === "Standard" ? "Static" : "Dynamic"),
        ...(pip.publicIPAddressVersion === undefined
          ? {}
          : { publicIPAddressVersion: pip.publicIPAddressVersion }),
        ...(pip.ipAddress === undefined ? {} : { ipAddress: pip.ipAddress }),
      },
      dependsOn: [],
    });

  for (const nat of all ? (topology.natGateways ?? []) : []) {
    const needs = new Needs();
    const publicIpAddresses = (nat.publicIpAddresses ?? []).map((p) =>
      reference(p, T.pip, pips, needs),
    );
    const publicIpPrefixes = (nat.publicIpPrefixes ?? []).map((p) =>
      reference(p, T.publicIpPrefix, new Map(), needs),
    );
    resources.push({
      type: T.natGateway,
      names: [nat.name],
      location: location(nat.location),
      sku: "Standard",
      properties: {
        ...(publicIpAddresses.length > 0 ? { publicIpAddresses } : {}),
        ...(publicIpPrefixes.length > 0 ? { publicIpPrefixes } : {}),
        ...(nat.idleTimeoutInMinutes === undefined
          ? {}
          : { idleTimeoutInMinutes: nat.idleTimeoutInMinutes }),
      },
      dependsOn: needs.list(),
    });
  }

  for (const vnet of all ? topology.virtualNetworks : []) {
    const needs = new Needs();
    const subnets = vnet.subnets.map(
      (subnet): PlanValue => ({ name: subnet.name, properties: subnetProperties(subnet, needs) }),
    );
    resources.push({
      type: T.vnet,
      names: [vnet.name],
      location: location(vnet.location),
      properties: { addressSpace: { addressPrefixes: vnet.addressSpace.addressPrefixes }, subnets },
      dependsOn: needs.list(),
    });
  }

  // Peerings are child resources, so that two networks peered both ways do not depend on each other.
  for (const vnet of all ? topology.virtualNetworks : [])
    for (const peering of vnet.virtualNetworkPeerings ?? []) {
      const needs = new Needs();
      needs.add(new ResourceReference(T.vnet, [vnet.name]));
      const remote = reference(peering.remoteVirtualNetwork, T.vnet, vnets, needs);
      resources.push({
        type: T.peering,
        names: [
          vnet.name,
          segment(peering.name ?? `${vnet.name}-to-${refName(peering.remoteVirtualNetwork)}`),
        ],
        properties: {
          remoteVirtualNetwork: remote,
          allowVirtualNetworkAccess: peering.allowVirtualNetworkAccess !== false,
          // Left out when false, ARM's default.
          ...(peering.allowForwardedTraffic ? { allowForwardedTraffic: true } : {}),
          ...(peering.allowGatewayTransit ? { allowGatewayTransit: true } : {}),
          ...(peering.useRemoteGateways ? { useRemoteGateways: true } : {}),
        },
        dependsOn: needs.list(),
      });
    }

  const lbs = new Map(
    all ? (topology.loadBalancers ?? []).map((l) => [lower(l.name), l.name]) : [],
  );
  for (const lb of all ? (topology.loadBalancers ?? []) : [])
    resources.push(
      planLoadBalancer(lb, location(lb.location), {
        publicIp: (ref, needs) => reference(ref, T.pip, pips, needs as Needs),
        subnet: (ref, needs) => subnetReference(ref, needs as Needs),
        needs: () => new Needs(),
        id: (type, names) => new ResourceReference(type, names),
      }),
    );

  // Private endpoints (scope all), with the address the spec gives, and Bastion hosts.
  for (const pe of all ? (topology.privateEndpoints ?? []) : []) {
    const needs = new Needs();
    const connection = (c: PrivateLinkServiceConnection, i: number): PlanValue => ({
      name: segment(c.name ?? `${pe.name}-${i}`),
      properties: {
        privateLinkServiceId: c.privateLinkServiceId,
        ...(c.groupIds === undefined ? {} : { groupIds: c.groupIds }),
      },
    });
    const groupId = pe.privateLinkServiceConnections?.[0]?.groupIds?.[0];
    resources.push({
      type: PRIVATE_ENDPOINT_TYPE,
      names: [pe.name],
      location: location(pe.location),
      properties: {
        subnet: subnetReference(pe.subnet, needs),
        ...(pe.privateLinkServiceConnections
          ? { privateLinkServiceConnections: pe.privateLinkServiceConnections.map(connection) }
          : {}),
        ...(pe.manualPrivateLinkServiceConnections
          ? {
              manualPrivateLinkServiceConnections:
                pe.manualPrivateLinkServiceConnections.map(connection),
            }
          : {}),
        // A static address is given with the target's group and member (the first group's own).
        ...(pe.privateIPAddress !== undefined && groupId !== undefined
          ? {
              ipConfigurations: [
                {
                  name: "ipconfig1",
                  properties: {
                    groupId,
                    memberName: groupId,
                    privateIPAddress: pe.privateIPAddress,
                  },
                },
              ],
            }
          : {}),
      },
      dependsOn: needs.list(),
    });
  }
  for (const bastion of all ? (topology.bastionHosts ?? []) : []) {
    const needs = new Needs();
    resources.push({
      type: BASTION_HOST_TYPE,
      names: [bastion.name],
      location: location(bastion.location),
      sku: bastion.sku ?? "Basic",
      properties: {
        ipConfigurations: bastion.ipConfigurations.map(
          (c, i): PlanValue => ({
            name: segment(c.name ?? `ipconfig${i + 1}`),
            properties: {
              subnet: subnetReference(c.subnet, needs),
              ...(c.publicIPAddress === undefined
                ? {}
                : { publicIPAddress: reference(c.publicIPAddress, T.pip, pips, needs) }),
            },
          }),
        ),
      },
      dependsOn: needs.list(),
    });
  }

  const gateways = new Map(
    all ? (topology.applicationGateways ?? []).map((g) => [lower(g.name), g.name]) : [],
  );
  for (const gw of all ? (topology.applicationGateways ?? []) : [])
    resources.push(
      planApplicationGateway(gw, location(gw.location), {
        publicIp: (ref, needs) => reference(ref, T.pip, pips, needs as Needs),
        subnet: (ref, needs) => subnetReference(ref, needs as Needs),
        needs: () => new Needs(),
        id: (type, names) => new ResourceReference(type, names),
      }),
    );

  for (const nic of topology.networkInterfaces) {
    if (!all && !hasSecurity(nic)) continue;
    const needs = new Needs();
    const several = nic.ipConfigurations.length > 1;
    const ipConfigurations = nic.ipConfigurations.map((config, i): PlanValue => {
      // A Dynamic configuration is left to Azure to address, as the spec does.
      const address = config.privateIPAddress;
      const properties: Record<string, PlanValue> =
        address === undefined
          ? { privateIPAllocationMethod: "Dynamic" }
          : { privateIPAllocationMethod: "Static", privateIPAddress: address };
      if (address === undefined ? config.privateIPAddressVersion === "IPv6" : address.includes(":"))
        properties.privateIPAddressVersion = "IPv6";
      properties.subnet = subnetReference(config.subnet, needs);
      // A public address given as an address is no resource (catalog.ts names it).
      const pip = config.publicIPAddress;
      if (pip !== undefined && (typeof pip !== "string" || parseIpAddress(pip) === undefined))
        properties.publicIPAddress = reference(pip, T.pip, pips, needs);
      if (config.applicationSecurityGroups !== undefined)
        properties.applicationSecurityGroups = config.applicationSecurityGroups.map((r) =>
          reference(r, T.asg, asgs, needs),
        );
      // Deploying an interface without its pools and NAT rules would take it out of them.
      for (const [field, child] of [
        ["loadBalancerBackendAddressPools", "backendAddressPools"],
        ["loadBalancerInboundNatRules", "inboundNatRules"],
      ] as const) {
        const refs = config[field];
        if (refs !== undefined && refs.length > 0)
          properties[field] = refs.map((r): PlanValue => {
            if (typeof r !== "string") return { id: r.id };
            if (r.startsWith("/")) return { id: r };
            const [lb, name] = r.split("/", 2);
            // A load balancer of this deployment is deployed first.
            const declared = lbs.get(lower(lb ?? ""));
            if (declared !== undefined)
              needs.add(new ResourceReference(LOAD_BALANCER_TYPE, [declared]));
            return {
              id: new ResourceReference(`Microsoft.Network/loadBalancers/${child}`, [
                lb ?? r,
                name ?? r,
              ]),
            };
          });
      }
      // Deploying an interface without its gateway pools would take it out of them too.
      const gatewayPools = config.applicationGatewayBackendAddressPools ?? [];
      if (gatewayPools.length > 0)
        properties.applicationGatewayBackendAddressPools = gatewayPools.map((r): PlanValue => {
          if (typeof r !== "string") return { id: r.id };
          if (r.startsWith("/")) return { id: r };
          const [gw, name] = r.split("/", 2);
          const declared = gateways.get(lower(gw ?? ""));
          if (declared !== undefined)
            needs.add(new ResourceReference(APPLICATION_GATEWAY_PLAN_TYPE, [declared]));
          return {
            id: new ResourceReference(`${APPLICATION_GATEWAY_PLAN_TYPE}/backendAddressPools`, [
              gw ?? r,
              name ?? r,
            ]),
          };
        });
      if (several) properties.primary = i === 0;
      return { name: config.name ?? `ipconfig${i + 1}`, properties };
    });
    const properties: Record<string, PlanValue> = { ipConfigurations };
    if (nic.networkSecurityGroup !== undefined)
      properties.networkSecurityGroup = reference(nic.networkSecurityGroup, T.nsg, nsgs, needs);
    resources.push({
      type: T.nic,
      names: [nic.name],
      location: "parameter",
      properties,
      dependsOn: needs.list(),
    });
  }
  return resources;
}
