import { formatIpAddress, type IpAddress, parseIpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { formatPrefix, type Prefix, parsePrefix } from "../net/prefix.js";
import { type ApplicationGatewayInfo, resolveApplicationGateways } from "./application-gateways.js";
import { DEFAULT_SECURITY_RULES } from "./default-rules.js";
import { type Diagnostic, error, hasErrors, type ValuePath, warning } from "./diagnostic.js";
import { LIMITS } from "./limits.js";
import { type LoadBalancerInfo, resolveLoadBalancers } from "./load-balancers.js";
import { duplicateNames, NameIndex } from "./names.js";
import { type NatGatewayInfo, resolveNatGateways } from "./nat-gateways.js";
import {
  type BastionInfo,
  type EndpointContext,
  type PrivateEndpointInfo,
  resolveBastionHosts,
  resolvePrivateEndpoints,
} from "./private-endpoints.js";
import { AddressNames, dynamicLabel, standInAddress, UNKNOWN_PUBLIC_BLOCKS } from "./public-ips.js";
import { isIdRef, type ReferencedType, referenced } from "./resource-id.js";
import { type RouteTableInfo, resolveRouteTables } from "./route-tables.js";
import { nameProblem, type ParsedRule, parseSecurityRule, type RuleContext } from "./rule.js";
import type { ScaleSetPublicIpConfiguration } from "./scale-set-types.js";
import { type ScaleSetInterface, scaleSetInterfaces } from "./scale-sets.js";
import type { ServiceTagCatalog } from "./service-tags.js";
import { firstFreeHost } from "./subnet-hosts.js";
import { symbolicTagsOf } from "./symbolic-uses.js";
import type {
  Environment,
  EnvironmentKind,
  NetworkSecurityGroup,
  PrivateEndpointNetworkPolicies,
  PublicIPSku,
  ResourceRef,
  Topology,
} from "./types.js";

/** The platform's host address: DNS, DHCP, health probes; part of VirtualNetwork. */
export const AZURE_HOST_ADDRESS: Prefix = {
  family: 4,
  first: 0xa83f8110n,
  last: 0xa83f8110n,
  length: 32,
};

export interface SubnetInfo {
  /** `vnet/subnet`, unique across the deployment. */
  readonly id: string;
  readonly name: string;
  readonly vnet: string;
  readonly prefixes: readonly Prefix[];
  readonly addresses: AddressSet;
  readonly nsg?: string;
  /** The route table its traffic follows, besides Azure's system routes. */
  readonly routeTable?: string;
  /** Whether its NSG and routes apply to its private endpoints (Disabled when left out). */
  readonly privateEndpointNetworkPolicies?: PrivateEndpointNetworkPolicies;
  /** The NAT gateway its traffic to the Internet leaves through. */
  readonly natGateway?: string;
  /** False: no implicit outbound address (left out: true, as in networks made before API 2025-07-01). */
  readonly defaultOutboundAccess?: boolean;
}

/** What a network's peering to a connected peer allows beyond plain traffic (all false when left out). */
export interface PeeringFlags {
  readonly allowForwardedTraffic: boolean;
  readonly allowGatewayTransit: boolean;
  readonly useRemoteGateways: boolean;
}

export interface VnetInfo {
  readonly name: string;
  readonly addressSpace: AddressSet;
  readonly subnets: readonly SubnetInfo[];
  /** Names of the virtual networks peered with this one, in either direction. */
  readonly peers: readonly string[];
  /** Its address space as written, for routing by longest prefix. */
  readonly addressPrefixes: readonly Prefix[];
  /** The on-premises spaces its own gateway reaches (connectedAddressPrefixes). */
  readonly gatewayPrefixes: readonly Prefix[];
  /** Its own peering's flags toward each connected peer. */
  readonly peerings: ReadonlyMap<string, PeeringFlags>;
  /** What the VirtualNetwork service tag means for resources in this network. */
  readonly virtualNetworkTag: AddressSet;
}

/** A public IP resource; `address` is its own, or the stand-in for an unknown one (public-ips.ts). */
export interface PublicIpInfo {
  readonly name: string;
  readonly sku: PublicIPSku;
  readonly address: IpAddress;
  readonly known: boolean;
}

export interface IpConfigurationInfo {
  /** Its private address; for a Dynamic one not given, the subnet's first free host stands for it. */
  readonly address: IpAddress;
  readonly dynamic?: boolean;
  readonly publicAddress?: IpAddress;
  /** The public IP resource `publicAddress` belongs to, when it is given as one. */
  readonly publicIp?: PublicIpInfo;
  readonly subnet: SubnetInfo;
  readonly asgs: readonly string[];
}

export interface NicInfo {
  readonly name: string;
  readonly vnet: string;
  /** The scale set whose every instance this interface stands for (`vmss:NAME`). */
  readonly scaleSet?: string;
  /** Its scale set is of Flexible orchestration: no default outbound access. */
  readonly flexibleScaleSet?: boolean;
  readonly nsg?: string;
  readonly ipConfigurations: readonly IpConfigurationInfo[];
  /** Where it is written: the interface, or its scale set's network interface configuration. */
  readonly path?: ValuePath;
}

export interface NsgInfo {
  readonly name: string;
  /** Where the NSG and each custom rule sit in the user's document. */
  readonly path: ValuePath;
  readonly rulePaths: ReadonlyMap<string, ValuePath>;
  /** Custom and default rules of both directions, each direction sorted by priority. */
  readonly inbound: readonly ParsedRule[];
  readonly outbound: readonly ParsedRule[];
}

export interface EnvironmentInfo {
  readonly name: string;
  readonly path: ValuePath;
  readonly kind: EnvironmentKind;
  readonly subnet: SubnetInfo;
  readonly privateAddress: IpAddress;
  readonly nic?: NicInfo;
  readonly publicAddress?: IpAddress;
  readonly publicIp?: PublicIpInfo;
  readonly outboundAddress?: IpAddress;
  readonly ingress: "External" | "Internal";
}

/** A validated deployment, with every reference and address resolved. */
export interface Network {
  readonly vnets: ReadonlyMap<string, VnetInfo>;
  readonly subnets: readonly SubnetInfo[];
  readonly nics: ReadonlyMap<string, NicInfo>;
  readonly nsgs: ReadonlyMap<string, NsgInfo>;
  /** ASG name to the private addresses of its member IP configurations. */
  readonly asgMembers: ReadonlyMap<string, readonly IpAddress[]>;
  readonly environments: ReadonlyMap<string, EnvironmentInfo>;
  readonly publicIps: ReadonlyMap<string, PublicIpInfo>;
  readonly routeTables: ReadonlyMap<string, RouteTableInfo>;
  /** Load balancers: their frontends, and what each rule forwards to which backends. */
  readonly loadBalancers: ReadonlyMap<string, LoadBalancerInfo>;
  /** Application gateways: their instances' subnet, frontends, listeners and where each routes. */
  readonly applicationGateways?: ReadonlyMap<string, ApplicationGatewayInfo>;
  /** Private endpoints: addresses in subnets that reach resources through Private Link. */
  readonly privateEndpoints: ReadonlyMap<string, PrivateEndpointInfo>;
  /** Azure Bastion hosts, with the address their sessions to VMs come from. */
  readonly bastionHosts: ReadonlyMap<string, BastionInfo>;
  /** NAT gateways, by name; left out by networks built before they were modelled. */
  readonly natGateways?: ReadonlyMap<string, NatGatewayInfo>;
  /** How its addresses are printed: unknown public ones by name, Dynamic ones by subnet. */
  readonly addressNames: AddressNames;
  readonly serviceTags: ServiceTagCatalog;
}

const ASE_KINDS: ReadonlySet<EnvironmentKind> = new Set([
  "AppServiceEnvironmentV1",
  "AppServiceEnvironmentV2",
  "AppServiceEnvironmentV3",
]);

export function isAppServiceEnvironment(kind: EnvironmentKind): boolean {
  return ASE_KINDS.has(kind);
}

/**
 * Validates a deployment as strictly as Azure would and resolves it. Every
 * problem is reported; the network is returned only when there is no error.
 */
export function buildNetwork(
  topology: Topology,
  serviceTags: ServiceTagCatalog,
): { network?: Network; diagnostics: Diagnostic[] } {
  const builder = new NetworkBuilder(topology, serviceTags);
  return builder.build();
}

class NetworkBuilder {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly vnets = new Map<string, VnetInfo>();
  private readonly subnets: SubnetInfo[] = [];
  private readonly nics = new Map<string, NicInfo>();
  private readonly nsgs = new Map<string, NsgInfo>();
  private readonly asgMembers = new Map<string, IpAddress[]>();
  private readonly environments = new Map<string, EnvironmentInfo>();
  private readonly publicIps = new Map<string, PublicIpInfo>();
  private readonly asgNames: NameIndex;
  private readonly publicIpNames: NameIndex;
  /** Private addresses written in the topology, and those given to Dynamic configurations so far. */
  private readonly privateTaken = new Set<string>();
  private readonly dynamicAddresses: IpAddress[] = [];
  /** Where each subnet block's search for the next Dynamic address starts (privateTaken only grows). */
  private readonly dynamicFrom = new Map<Prefix, bigint>();
  /** Which resource each public IP is associated with (by lower-case name). */
  private readonly publicIpOwners = new Map<string, string>();
  private routeTables = new Map<string, RouteTableInfo>();
  /** Stand-ins for environments' public addresses the spec does not give (publicIPAllocationMethod: Dynamic). */
  private readonly environmentStandIns: IpAddress[] = [];

  constructor(
    private readonly topology: Topology,
    private readonly serviceTags: ServiceTagCatalog,
  ) {
    this.asgNames = new NameIndex(topology.applicationSecurityGroups.map((a) => a.name));
    this.publicIpNames = new NameIndex((topology.publicIPAddresses ?? []).map((p) => p.name));
  }

  build(): { network?: Network; diagnostics: Diagnostic[] } {
    const t = this.topology;
    this.checkNames("virtualNetworks", "virtual network", t.virtualNetworks);
    this.checkNames("networkSecurityGroups", "network security group", t.networkSecurityGroups);
    this.checkNames(
      "applicationSecurityGroups",
      "application security group",
      t.applicationSecurityGroups,
    );
    this.checkNames("networkInterfaces", "network interface", t.networkInterfaces);
    this.checkNames("environments", "environment", t.environments, false);
    this.checkNames("publicIPAddresses", "public IP address", t.publicIPAddresses ?? []);
    this.checkNames("loadBalancers", "load balancer", t.loadBalancers ?? []);
    this.checkNames(
      "virtualMachineScaleSets",
      "virtual machine scale set",
      t.virtualMachineScaleSets ?? [],
    );
    this.checkNames("applicationGateways", "application gateway", t.applicationGateways ?? []);
    this.checkNames("privateEndpoints", "private endpoint", t.privateEndpoints ?? []);
    this.checkNames("bastionHosts", "Bastion host", t.bastionHosts ?? []);
    for (const asg of t.applicationSecurityGroups) this.asgMembers.set(asg.name, []);
    const routing = resolveRouteTables(t.routeTables ?? [], this.serviceTags);
    this.diagnostics.push(...routing.diagnostics);
    this.routeTables = routing.tables;
    t.networkSecurityGroups.forEach((nsg, i) => {
      this.addNsg(nsg, ["networkSecurityGroups", i]);
    });
    this.addVirtualNetworks();
    this.addPublicIps();
    const natGateways = resolveNatGateways({
      natGateways: t.natGateways ?? [],
      subnets: this.subnets,
      report: (d) => this.report(d),
      publicEndpoint: (ref, path, what) => this.publicEndpoint(ref, path, what),
      claimPublicIp: (pip, owner, path) => this.claimPublicIp(pip, owner, path),
    });
    this.notePrivateAddresses();
    this.addNetworkInterfaces();
    t.environments.forEach((env, i) => {
      this.addEnvironment(env, ["environments", i]);
    });
    this.checkAsgNetworks();
    const loadBalancers = this.addLoadBalancers();
    const applicationGateways = resolveApplicationGateways({
      ...this.endpointContext(),
      nics: this.nics,
      vnets: this.vnets,
    });
    const privateEndpoints = resolvePrivateEndpoints(this.endpointContext());
    const bastionHosts = resolveBastionHosts(this.endpointContext());
    const symbolic = symbolicTagsOf(t, this.serviceTags);
    this.diagnostics.push(...symbolic.diagnostics);
    if (hasErrors(this.diagnostics)) return { diagnostics: this.diagnostics };
    return {
      diagnostics: this.diagnostics,
      network: {
        vnets: this.vnets,
        subnets: this.subnets,
        nics: this.nics,
        nsgs: this.nsgs,
        asgMembers: this.asgMembers,
        environments: this.environments,
        publicIps: this.publicIps,
        routeTables: this.routeTables,
        loadBalancers,
        ...(applicationGateways.size > 0 ? { applicationGateways } : {}),
        privateEndpoints,
        bastionHosts,
        natGateways,
        addressNames: new AddressNames(
          [
            ...[...this.publicIps.values()].filter((p) => !p.known).map((p) => p.address),
            ...this.dynamicAddresses,
            ...this.environmentStandIns,
          ],
          symbolic.tags,
        ),
        serviceTags: this.serviceTags,
      },
    };
  }

  private report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }

  private checkNames(
    collection: string,
    kind: string,
    items: readonly { name: string }[],
    armName = true,
  ): void {
    const duplicates = duplicateNames(collection, kind, items);
    items.forEach((item, i) => {
      const bad = armName ? nameProblem(kind, item.name, [collection, i, "name"]) : undefined;
      if (bad) this.report(bad);
      const duplicate = duplicates.get(i);
      if (duplicate) this.report(duplicate);
    });
  }

  private addNsg(nsg: NetworkSecurityGroup, path: ValuePath): void {
    const context: RuleContext = {
      serviceTags: this.serviceTags,
      applicationSecurityGroups: this.asgNames,
    };
    const label = `network security group ${nsg.name}`;
    if (nsg.securityRules.length > LIMITS.rulesPerNsg)
      this.report(
        error(
          "SecurityRuleLimitExceeded",
          `${label} has ${nsg.securityRules.length} security rules; at most ${LIMITS.rulesPerNsg} are allowed`,
          [...path, "securityRules"],
        ),
      );
    const parsed: ParsedRule[] = [];
    const names = new Map<string, number>();
    const priorities = new Map<string, { name: string; index: number }>();
    const asgs = new Set<string>();
    const prefixCount = { source: 0, destination: 0 };
    nsg.securityRules.forEach((rule, i) => {
      const rulePath = [...path, "securityRules", i];
      const result = parseSecurityRule(rule, rulePath, context);
      this.diagnostics.push(...result.diagnostics);
      const key = rule.name.toLowerCase();
      const first = names.get(key);
      if (first !== undefined)
        this.report(
          error(
            "DuplicateResourceName",
            `${label}: security rule ${rule.name} is defined twice (also at securityRules[${first}])`,
            [...rulePath, "name"],
          ),
        );
      else names.set(key, i);
      const r = result.rule;
      if (!r) return;
      parsed.push(r);
      const slot = `${r.direction}/${r.priority}`;
      const clash = priorities.get(slot);
      if (clash)
        this.report(
          error(
            "SecurityRuleConflict",
            `Security rule ${r.name} conflicts with rule ${clash.name}. Rules cannot have the same Priority and Direction.`,
            [...rulePath, "priority"],
            `both are ${r.direction} at priority ${r.priority}`,
          ),
        );
      else priorities.set(slot, { name: r.name, index: i });
      for (const side of ["source", "destination"] as const) {
        const match = r[side];
        if (match.kind === "prefixes") prefixCount[side] += match.prefixes.length;
        if (match.kind === "asgs") for (const a of match.names) asgs.add(a);
      }
    });
    for (const side of ["source", "destination"] as const) {
      if (prefixCount[side] > LIMITS.prefixesPerNsgSide)
        this.report(
          error(
            "AddressPrefixLimitExceeded",
            `${label} has ${prefixCount[side]} ${side} addresses and ranges; at most ${LIMITS.prefixesPerNsgSide} are allowed`,
            [...path, "securityRules"],
          ),
        );
    }
    if (asgs.size > LIMITS.asgsPerNsg)
      this.report(
        error(
          "ApplicationSecurityGroupLimitExceeded",
          `${label} references ${asgs.size} application security groups; at most ${LIMITS.asgsPerNsg} are allowed`,
          [...path, "securityRules"],
        ),
      );
    const defaults = DEFAULT_SECURITY_RULES.map((rule) => {
      const r = parseSecurityRule(rule, [], context, true).rule;
      if (!r) throw new Error(`default rule ${rule.name} does not parse`);
      return r;
    });
    const all = [...parsed, ...defaults];
    const byPriority = (a: ParsedRule, b: ParsedRule) => a.priority - b.priority;
    this.nsgs.set(nsg.name, {
      name: nsg.name,
      path,
      rulePaths: new Map(nsg.securityRules.map((r, i) => [r.name, [...path, "securityRules", i]])),
      inbound: all.filter((r) => r.direction === "Inbound").sort(byPriority),
      outbound: all.filter((r) => r.direction === "Outbound").sort(byPriority),
    });
  }

  /**
   * The resource a reference names, which must be of `type`; undefined (reported
   * at the id) when it is an id of another type.
   */
  private named(
    ref: ResourceRef,
    type: ReferencedType,
    path: ValuePath,
  ): { name: string; parent?: string } | undefined {
    const found = referenced(ref, type);
    if (found.problem === undefined) return found;
    const at = typeof ref === "string" ? path : [...path, "id"];
    this.report(error("InvalidResourceReference", found.problem, at));
    return undefined;
  }

  private nsgRef(ref: ResourceRef | undefined, path: ValuePath): string | undefined {
    if (ref === undefined) return undefined;
    const name = this.named(ref, "networkSecurityGroups", path)?.name;
    if (name === undefined) return undefined;
    const found = [...this.nsgs.keys()].find((n) => n.toLowerCase() === name.toLowerCase());
    const declared = this.topology.networkSecurityGroups.some(
      (n) => n.name.toLowerCase() === name.toLowerCase(),
    );
    if (!found && !declared)
      this.report(
        error(
          "InvalidResourceReference",
          `network security group ${JSON.stringify(name)} is not defined`,
          path,
        ),
      );
    return found ?? name;
  }

  private prefixList(texts: readonly string[], path: ValuePath, what: string): Prefix[] {
    const out: Prefix[] = [];
    texts.forEach((text, i) => {
      const parsed = parsePrefix(text);
      if (parsed.ok) out.push(parsed.prefix);
      else
        this.report(
          error(
            "InvalidAddressPrefixFormat",
            `${what}: ${JSON.stringify(text)} is not a valid CIDR block${parsed.problem === "hostBits" ? " (host bits are set)" : ""}`,
            [...path, i],
          ),
        );
    });
    return out;
  }

  private addVirtualNetworks(): void {
    const spaces = new Map<string, AddressSet>();
    const partial: {
      name: string;
      prefixes: Prefix[];
      gatewayPrefixes: Prefix[];
      space: AddressSet;
      connected: AddressSet;
      subnets: SubnetInfo[];
    }[] = [];
    this.topology.virtualNetworks.forEach((vnet, i) => {
      const path: ValuePath = ["virtualNetworks", i];
      const label = `virtual network ${vnet.name}`;
      const prefixes = this.prefixList(
        vnet.addressSpace.addressPrefixes,
        [...path, "addressSpace", "addressPrefixes"],
        label,
      );
      if (vnet.addressSpace.addressPrefixes.length === 0)
        this.report(
          error("InvalidAddressPrefixFormat", `${label} has no address space`, [
            ...path,
            "addressSpace",
          ]),
        );
      prefixes.forEach((p, j) => {
        const earlier = prefixes.slice(0, j).find((q) => q.first <= p.last && p.first <= q.last);
        if (earlier)
          this.report(
            error(
              "VnetAddressSpacesOverlap",
              `${label}: address prefix ${formatPrefix(p)} overlaps ${formatPrefix(earlier)}`,
              [...path, "addressSpace", "addressPrefixes", j],
            ),
          );
      });
      const space = AddressSet.of(prefixes);
      spaces.set(vnet.name, space);
      const gatewayPrefixes = this.prefixList(
        vnet.connectedAddressPrefixes ?? [],
        [...path, "connectedAddressPrefixes"],
        label,
      );
      const connected = AddressSet.of(gatewayPrefixes);
      const subnets: SubnetInfo[] = [];
      const subnetNames = new Map<string, number>();
      vnet.subnets.forEach((subnet, j) => {
        const sPath: ValuePath = [...path, "subnets", j];
        const sLabel = `subnet ${vnet.name}/${subnet.name}`;
        const bad = nameProblem("subnet", subnet.name, [...sPath, "name"]);
        if (bad) this.report(bad);
        const key = subnet.name.toLowerCase();
        if (subnetNames.has(key))
          this.report(
            error("DuplicateResourceName", `${sLabel} is defined twice`, [...sPath, "name"]),
          );
        subnetNames.set(key, j);
        const hasOne = subnet.addressPrefix !== undefined;
        const hasMany = (subnet.addressPrefixes?.length ?? 0) > 0;
        if (hasOne === hasMany)
          this.report(
            error(
              "InvalidSubnetAddressFields",
              `${sLabel}: give exactly one of addressPrefix and addressPrefixes`,
              sPath,
            ),
          );
        const texts =
          subnet.addressPrefix !== undefined
            ? [subnet.addressPrefix]
            : (subnet.addressPrefixes ?? []);
        const field = subnet.addressPrefix !== undefined ? ["addressPrefix"] : ["addressPrefixes"];
        const sPrefixes = texts.flatMap((text, k) => {
          const fieldPath =
            subnet.addressPrefix !== undefined ? [...sPath, ...field] : [...sPath, ...field, k];
          const parsed = parsePrefix(text);
          if (!parsed.ok) {
            this.report(
              error(
                "InvalidAddressPrefixFormat",
                `${sLabel}: ${JSON.stringify(text)} is not a valid CIDR block${parsed.problem === "hostBits" ? " (host bits are set)" : ""}`,
                fieldPath,
              ),
            );
            return [];
          }
          const p = parsed.prefix;
          // Azure's smallest IPv4 subnet is a /29, and IPv6 subnets are exactly /64.
          if ((p.family === 4 && p.length > 29) || (p.family === 6 && p.length !== 64))
            this.report(
              error(
                "InvalidSubnetPrefixLength",
                `${sLabel}: ${formatPrefix(p)} is ${p.family === 4 ? "smaller than the smallest IPv4 subnet Azure allows (/29)" : "not a /64, the only size Azure allows for IPv6 subnets"}`,
                fieldPath,
              ),
            );
          if (!space.isEmpty() && !AddressSet.of([p]).minus(space).isEmpty())
            this.report(
              error(
                "NetcfgSubnetRangeOutsideVnet",
                `${sLabel}: ${formatPrefix(p)} is not inside the address space of ${vnet.name} (${space})`,
                fieldPath,
              ),
            );
          for (const other of subnets) {
            if (other.addresses.overlaps(AddressSet.of([p])))
              this.report(
                error(
                  "NetcfgSubnetRangesOverlap",
                  `${sLabel}: ${formatPrefix(p)} overlaps subnet ${other.id}`,
                  fieldPath,
                ),
              );
          }
          return [p];
        });
        const nsg = this.nsgRef(subnet.networkSecurityGroup, [...sPath, "networkSecurityGroup"]);
        const routeTable = this.routeTableRef(subnet.routeTable, [...sPath, "routeTable"]);
        const natGateway = this.natGatewayRef(subnet.natGateway, [...sPath, "natGateway"]);
        const info: SubnetInfo = {
          id: `${vnet.name}/${subnet.name}`,
          name: subnet.name,
          vnet: vnet.name,
          prefixes: sPrefixes,
          addresses: AddressSet.of(sPrefixes),
          ...(nsg === undefined ? {} : { nsg }),
          ...(routeTable === undefined ? {} : { routeTable }),
          ...(subnet.privateEndpointNetworkPolicies === undefined
            ? {}
            : { privateEndpointNetworkPolicies: subnet.privateEndpointNetworkPolicies }),
          ...(natGateway === undefined ? {} : { natGateway }),
          ...(subnet.defaultOutboundAccess === undefined
            ? {}
            : { defaultOutboundAccess: subnet.defaultOutboundAccess }),
        };
        subnets.push(info);
        this.subnets.push(info);
      });
      partial.push({ name: vnet.name, prefixes, gatewayPrefixes, space, connected, subnets });
    });

    // A peering carries traffic only once both networks declare it; one side
    // alone stays "Initiated" in Azure.
    const vnetNames = new NameIndex(spaces.keys());
    const declared = new Map<
      string,
      { remote: string; path: ValuePath; tagged: boolean; flags: PeeringFlags }
    >();
    this.topology.virtualNetworks.forEach((vnet, i) => {
      (vnet.virtualNetworkPeerings ?? []).forEach((peering, j) => {
        const path: ValuePath = [
          "virtualNetworks",
          i,
          "virtualNetworkPeerings",
          j,
          "remoteVirtualNetwork",
        ];
        const given = this.named(peering.remoteVirtualNetwork, "virtualNetworks", path)?.name;
        if (given === undefined) return;
        const remote = vnetNames.resolve(given);
        if (remote === undefined) {
          this.report(
            error(
              "InvalidResourceReference",
              `virtual network ${JSON.stringify(given)} is not defined`,
              path,
            ),
          );
          return;
        }
        if (remote === vnet.name) {
          this.report(
            error(
              "InvalidResourceReference",
              `virtual network ${vnet.name} cannot peer with itself`,
              path,
            ),
          );
          return;
        }
        const a = spaces.get(vnet.name);
        const b = spaces.get(remote);
        if (a && b && a.overlaps(b))
          this.report(
            error(
              "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet",
              `virtual networks ${vnet.name} and ${remote} cannot be peered: their address spaces overlap`,
              path,
            ),
          );
        declared.set(`${vnet.name}\u0000${remote}`, {
          remote,
          path,
          tagged: peering.allowVirtualNetworkAccess !== false,
          flags: {
            allowForwardedTraffic: peering.allowForwardedTraffic === true,
            allowGatewayTransit: peering.allowGatewayTransit === true,
            useRemoteGateways: peering.useRemoteGateways === true,
          },
        });
      });
    });
    const peers = new Map<string, Set<string>>(partial.map((p) => [p.name, new Set()]));
    for (const [key, { remote, path }] of declared) {
      const local = key.slice(0, key.indexOf("\u0000"));
      if (declared.has(`${remote}\u0000${local}`)) peers.get(local)?.add(remote);
      else
        this.report(
          warning(
            "VirtualNetworkPeeringNotConnected",
            `the peering from ${local} to ${remote} has no peering back from ${remote}: Azure leaves it Initiated and it carries no traffic`,
            path,
            `declare a peering to ${local} on ${remote} too`,
          ),
        );
    }
    this.checkGatewayUse(declared);
    // allowVirtualNetworkAccess: false takes the peer out of this network's
    // VirtualNetwork tag and nothing more: traffic still flows where a rule allows
    // its addresses (the 2022 documentation and third-party tests; the 2018
    // documentation said no traffic flows). The peer's own tag is its own
    // peering's to decide.
    for (const p of partial) {
      const peerNames = [...(peers.get(p.name) ?? [])].sort();
      let tag = p.space.union(p.connected).union(AddressSet.of([AZURE_HOST_ADDRESS]));
      for (const peer of peerNames)
        if (declared.get(`${p.name}\u0000${peer}`)?.tagged !== false)
          tag = tag.union(spaces.get(peer) ?? AddressSet.empty);
      const peerings = new Map<string, PeeringFlags>();
      for (const peer of peerNames) {
        const flags = declared.get(`${p.name}\u0000${peer}`)?.flags;
        if (flags) peerings.set(peer, flags);
        // The on-premises spaces of a gateway it uses through the peer are connected to it too.
        if (
          flags?.useRemoteGateways &&
          declared.get(`${peer}\u0000${p.name}`)?.flags.allowGatewayTransit
        )
          tag = tag.union(partial.find((q) => q.name === peer)?.connected ?? AddressSet.empty);
      }
      this.vnets.set(p.name, {
        name: p.name,
        addressSpace: p.space,
        addressPrefixes: p.prefixes,
        gatewayPrefixes: p.gatewayPrefixes,
        peerings,
        subnets: p.subnets,
        peers: peerNames,
        virtualNetworkTag: tag,
      });
    }
  }

  /**
   * useRemoteGateways needs the remote network's peering to allow gateway
   * transit, and one network uses one remote gateway at most: Azure refuses
   * the peering otherwise.
   */
  private checkGatewayUse(
    declared: ReadonlyMap<string, { remote: string; path: ValuePath; flags: PeeringFlags }>,
  ): void {
    const using = new Map<string, string>();
    for (const [key, { remote, path, flags }] of declared) {
      if (!flags.useRemoteGateways) continue;
      const local = key.slice(0, key.indexOf("\u0000"));
      const at = [...path.slice(0, -1), "useRemoteGateways"];
      const back = declared.get(`${remote}\u0000${local}`);
      if (back && !back.flags.allowGatewayTransit)
        this.report(
          error(
            "RemotePeeringDoesNotAllowGatewayTransit",
            `the peering from ${local} to ${remote} uses ${remote}'s gateway, but ${remote}'s peering to ${local} does not set allowGatewayTransit`,
            at,
            `set allowGatewayTransit: true on ${remote}'s peering to ${local}`,
          ),
        );
      const other = using.get(local);
      if (other !== undefined)
        this.report(
          error(
            "UseRemoteGatewaysOnSeveralPeerings",
            `virtual network ${local} uses the gateways of both ${other} and ${remote}; only one peering can set useRemoteGateways`,
            at,
          ),
        );
      else using.set(local, remote);
    }
  }

  /** The route table a subnet names, which the topology must declare. */
  private routeTableRef(ref: ResourceRef | undefined, path: ValuePath): string | undefined {
    if (ref === undefined) return undefined;
    const name = this.named(ref, "routeTables", path)?.name;
    if (name === undefined) return undefined;
    const found = new NameIndex(this.routeTables.keys()).resolve(name);
    if (found === undefined && !(this.topology.routeTables ?? []).some((t) => t.name === name))
      this.report(
        error(
          "InvalidResourceReference",
          `route table ${JSON.stringify(name)} is not defined`,
          path,
          "declare it under routeTables",
        ),
      );
    return found;
  }

  /** The NAT gateway a subnet names, which the topology must declare. */
  private natGatewayRef(ref: ResourceRef | undefined, path: ValuePath): string | undefined {
    if (ref === undefined) return undefined;
    const name = this.named(ref, "natGateways", path)?.name;
    if (name === undefined) return undefined;
    const found = new NameIndex((this.topology.natGateways ?? []).map((n) => n.name)).resolve(name);
    if (found === undefined)
      this.report(
        error(
          "InvalidResourceReference",
          `NAT gateway ${JSON.stringify(name)} is not defined`,
          path,
          "declare it under natGateways",
        ),
      );
    return found;
  }

  /** Resolves `vnet/subnet`, a subnet name unique in the deployment, or an ARM subnet id. */
  private subnetRef(ref: ResourceRef, path: ValuePath): SubnetInfo | undefined {
    const text = typeof ref === "string" ? ref : ref.id;
    let vnet: string | undefined;
    let name: string | undefined;
    if (isIdRef(ref)) {
      const found = this.named(ref, "virtualNetworks/subnets", path);
      if (!found) return undefined;
      [vnet, name] = [found.parent, found.name];
    } else [vnet, name] = text.includes("/") ? text.split("/", 2) : [undefined, text];
    const matches = this.subnets.filter(
      (s) =>
        s.name.toLowerCase() === name?.toLowerCase() &&
        (vnet === undefined || s.vnet.toLowerCase() === vnet.toLowerCase()),
    );
    if (matches.length === 1) return matches[0];
    this.report(
      matches.length === 0
        ? error("InvalidResourceReference", `subnet ${JSON.stringify(text)} is not defined`, path)
        : error(
            "AmbiguousReference",
            `subnet ${JSON.stringify(text)} exists in several virtual networks (${matches.map((m) => m.vnet).join(", ")})`,
            path,
            "write it as vnet/subnet",
          ),
    );
    return undefined;
  }

  private address(text: string, path: ValuePath, what: string): IpAddress | undefined {
    const address = parseIpAddress(text);
    if (!address)
      this.report(
        error("InvalidIPAddress", `${what}: ${JSON.stringify(text)} is not an IP address`, path),
      );
    return address;
  }

  private checkHostAddress(
    address: IpAddress,
    subnet: SubnetInfo,
    path: ValuePath,
    what: string,
  ): void {
    if (!subnet.addresses.has(address)) {
      this.report(
        error(
          "PrivateIPAddressNotInSubnet",
          `${what}: ${formatIpAddress(address)} is not in subnet ${subnet.id} (${subnet.addresses})`,
          path,
        ),
      );
      return;
    }
    // Azure keeps the first four addresses and the last of every IPv4 subnet.
    const prefix = subnet.prefixes.find(
      (p) => p.family === address.family && p.first <= address.value && address.value <= p.last,
    );
    if (
      prefix &&
      prefix.family === 4 &&
      prefix.length <= 29 &&
      (address.value - prefix.first < 4n || address.value === prefix.last)
    )
      this.report(
        error(
          "PrivateIPAddressIsReserved",
          `${what}: ${formatIpAddress(address)} is one of the addresses Azure reserves in ${formatPrefix(prefix)} (the first four and the last)`,
          path,
        ),
      );
  }

  private readonly addressOwners = new Map<string, string>();

  private claimAddress(address: IpAddress, vnet: string, owner: string, path: ValuePath): void {
    const key = `${vnet}|${formatIpAddress(address)}`;
    const other = this.addressOwners.get(key);
    if (other)
      this.report(
        error(
          "PrivateIPAddressInUse",
          `${owner}: ${formatIpAddress(address)} is already used by ${other}`,
          path,
        ),
      );
    else this.addressOwners.set(key, owner);
  }

  private addNetworkInterfaces(): void {
    const scaleSets = scaleSetInterfaces(this.topology, (d) => this.report(d));
    [
      ...this.topology.networkInterfaces.map((nic, i) => ({
        nic,
        path: ["networkInterfaces", i] as ValuePath,
        label: `network interface ${nic.name}`,
        scaleSet: undefined as ScaleSetInterface | undefined,
      })),
      ...scaleSets.map((s) => ({ nic: s.nic, path: s.path, label: s.label, scaleSet: s })),
    ].forEach(({ nic, path, label, scaleSet }) => {
      const nsg = this.nsgRef(nic.networkSecurityGroup, [...path, "networkSecurityGroup"]);
      if (nic.ipConfigurations.length === 0)
        this.report(
          error("InvalidIpConfiguration", `${label} has no IP configuration`, [
            ...path,
            "ipConfigurations",
          ]),
        );
      const configs: IpConfigurationInfo[] = [];
      nic.ipConfigurations.forEach((config, j) => {
        const cPath: ValuePath = [...path, "ipConfigurations", j];
        const subnet = this.subnetRef(config.subnet, [...cPath, "subnet"]);
        const dynamic =
          config.privateIPAddress === undefined && config.privateIPAllocationMethod === "Dynamic";
        if (config.privateIPAddress === undefined && !dynamic)
          this.report(
            error(
              "InvalidIpConfiguration",
              `${label}: an IP configuration needs its privateIPAddress, or privateIPAllocationMethod: Dynamic`,
              cPath,
            ),
          );
        const address =
          config.privateIPAddress === undefined
            ? dynamic && subnet
              ? this.dynamicAddress(subnet, config.privateIPAddressVersion, cPath, label)
              : undefined
            : this.address(config.privateIPAddress, [...cPath, "privateIPAddress"], label);
        const refs = (config.applicationSecurityGroups ?? []).flatMap((ref, k) => {
          const at = [...cPath, "applicationSecurityGroups", k];
          const name = this.named(ref, "applicationSecurityGroups", at)?.name;
          return name === undefined ? [] : [{ name: this.asgNames.resolve(name) ?? name, at }];
        });
        const asgs = refs.map((r) => r.name);
        if (asgs.length > LIMITS.asgsPerIpConfiguration)
          this.report(
            error(
              "ApplicationSecurityGroupLimitExceeded",
              `${label}: ${asgs.length} application security groups on one IP configuration; at most ${LIMITS.asgsPerIpConfiguration} are allowed`,
              [...cPath, "applicationSecurityGroups"],
            ),
          );
        for (const { name: asg, at } of refs)
          if (!this.asgMembers.has(asg))
            this.report(
              error(
                "InvalidResourceReference",
                `application security group ${JSON.stringify(asg)} is not defined`,
                at,
              ),
            );
        if (!subnet || !address) return;
        if (!dynamic) this.checkHostAddress(address, subnet, [...cPath, "privateIPAddress"], label);
        this.claimAddress(address, subnet.vnet, label, [...cPath, "privateIPAddress"]);
        const first = configs[0];
        if (first && first.subnet.vnet !== subnet.vnet)
          this.report(
            error(
              "IpConfigurationsInDifferentVirtualNetworks",
              `${label}: all IP configurations must be in one virtual network (${first.subnet.vnet}, not ${subnet.vnet})`,
              [...cPath, "subnet"],
            ),
          );
        for (const asg of asgs) this.asgMembers.get(asg)?.push(address);
        const instancePublicIp = scaleSet?.publicIps[j];
        const endpoint = instancePublicIp
          ? this.instancePublicEndpoint(
              nic.name,
              instancePublicIp,
              [...cPath, "publicIPAddressConfiguration"],
              label,
            )
          : this.publicEndpoint(config.publicIPAddress, [...cPath, "publicIPAddress"], label);
        if (endpoint?.publicIp)
          this.claimPublicIp(endpoint.publicIp, label, [...cPath, "publicIPAddress"]);
        if (endpoint)
          this.checkFamilies(address, endpoint.address, [...cPath, "publicIPAddress"], label);
        configs.push({
          address,
          subnet,
          asgs,
          ...(dynamic ? { dynamic } : {}),
          ...(endpoint ? { publicAddress: endpoint.address } : {}),
          ...(endpoint?.publicIp ? { publicIp: endpoint.publicIp } : {}),
        });
      });
      const vnet = configs[0]?.subnet.vnet;
      if (vnet !== undefined)
        this.nics.set(nic.name, {
          name: nic.name,
          vnet,
          ...(scaleSet ? { scaleSet: scaleSet.scaleSet } : {}),
          ...(scaleSet?.flexible ? { flexibleScaleSet: true } : {}),
          ipConfigurations: configs,
          ...(nsg === undefined ? {} : { nsg }),
          path,
        });
    });
  }

  private addEnvironment(env: Environment, path: ValuePath): void {
    const label = `environment ${env.name}`;
    let subnet: SubnetInfo | undefined;
    let privateAddress: IpAddress | undefined;
    let nic: NicInfo | undefined;
    if (env.networkInterface !== undefined) {
      if (env.subnet !== undefined || env.privateIPAddress !== undefined)
        this.report(
          error(
            "InvalidEnvironmentPlacement",
            `${label}: give either networkInterface or subnet with privateIPAddress, not both`,
            [...path, "networkInterface"],
          ),
        );
      const given = this.named(env.networkInterface, "networkInterfaces", [
        ...path,
        "networkInterface",
      ])?.name;
      if (given === undefined) return;
      const name = new NameIndex(this.nics.keys()).resolve(given) ?? given;
      nic = this.nics.get(name);
      if (!nic) {
        if (!this.topology.networkInterfaces.some((n) => n.name === name))
          this.report(
            error(
              "InvalidResourceReference",
              `network interface ${JSON.stringify(name)} is not defined`,
              [...path, "networkInterface"],
            ),
          );
        return;
      }
      const primary = nic.ipConfigurations[0];
      if (!primary) return;
      subnet = primary.subnet;
      privateAddress = primary.address;
    } else {
      const dynamic =
        env.privateIPAddress === undefined && env.privateIPAllocationMethod === "Dynamic";
      if (env.subnet === undefined || (env.privateIPAddress === undefined && !dynamic)) {
        this.report(
          error(
            "InvalidEnvironmentPlacement",
            `${label}: give its subnet and privateIPAddress (or privateIPAllocationMethod: Dynamic), or its networkInterface`,
            path,
          ),
        );
        return;
      }
      subnet = this.subnetRef(env.subnet, [...path, "subnet"]);
      if (dynamic) {
        // Some free host of the subnet, as for a Dynamic IP configuration.
        if (subnet) privateAddress = this.dynamicAddress(subnet, undefined, path, label);
      } else if (env.privateIPAddress !== undefined)
        privateAddress = this.address(env.privateIPAddress, [...path, "privateIPAddress"], label);
      if (subnet && privateAddress && !dynamic) {
        this.checkHostAddress(privateAddress, subnet, [...path, "privateIPAddress"], label);
        this.claimAddress(privateAddress, subnet.vnet, label, [...path, "privateIPAddress"]);
      }
    }
    // A workload on a NIC presents the NIC's public address unless it names its own.
    const own = this.publicEndpoint(env.publicIPAddress, [...path, "publicIPAddress"], label);
    const primary = nic?.ipConfigurations[0];
    if (own?.publicIp && own.publicIp !== primary?.publicIp)
      this.claimPublicIp(own.publicIp, label, [...path, "publicIPAddress"]);
    const unknown = own || primary?.publicAddress ? undefined : this.environmentStandIn(env, path);
    const publicAddress =
      (own ? own.address : primary?.publicAddress) ??
      (env.ingress === "Internal" ? undefined : unknown);
    const publicIp = own ? own.publicIp : primary?.publicIp;
    if (own && privateAddress)
      this.checkFamilies(privateAddress, own.address, [...path, "publicIPAddress"], label);
    const outboundAddress =
      this.publicAddress(env.outboundIPAddress, [...path, "outboundIPAddress"], label) ??
      publicAddress ??
      (env.outboundIPAddress === undefined ? unknown : undefined);
    if (env.ingress === "External" && !publicAddress)
      this.report(
        error("InvalidEnvironmentIngress", `${label}: External ingress needs a publicIPAddress`, [
          ...path,
          "ingress",
        ]),
      );
    if (!subnet || !privateAddress) return;
    const ingress =
      env.ingress ?? (isAppServiceEnvironment(env.kind) && publicAddress ? "External" : "Internal");
    this.environments.set(env.name, {
      name: env.name,
      path,
      kind: env.kind,
      subnet,
      privateAddress,
      ingress,
      ...(nic ? { nic } : {}),
      ...(publicAddress ? { publicAddress } : {}),
      ...(publicIp ? { publicIp } : {}),
      ...(outboundAddress ? { outboundAddress } : {}),
    });
  }

  /**
   * The stand-in for the public addresses the platform assigns an environment
   * and the spec does not give (publicIPAllocationMethod: Dynamic), shown as
   * `<name>`; undefined when it has none of that kind.
   */
  private environmentStandIn(env: Environment, path: ValuePath): IpAddress | undefined {
    if (env.publicIPAllocationMethod !== "Dynamic") return undefined;
    const family = env.privateIPAddress?.includes(":") ? 6 : 4;
    const standIn = this.standInFor(env.name, family);
    if (!standIn) {
      this.report(
        error(
          "PublicIPAddressNotKnown",
          `environment ${env.name}: its public address is not known, and the addresses reserved to stand for such addresses (${formatPrefix(UNKNOWN_PUBLIC_BLOCKS[family])}) are all named by rules or service tags`,
          [...path, "publicIPAllocationMethod"],
          "give its publicIPAddress",
        ),
      );
      return undefined;
    }
    const labelled = { ...standIn, label: `<${env.name}>` };
    this.environmentStandIns.push(labelled);
    return labelled;
  }

  /**
   * The public IP resources, each with its address: its own when given, else a
   * stand-in (public-ips.ts) that no network, address given or other stand-in holds.
   */
  private addPublicIps(): void {
    const pips = this.topology.publicIPAddresses ?? [];
    const addresses = new Map<number, IpAddress>();
    pips.forEach((pip, i) => {
      const path: ValuePath = ["publicIPAddresses", i];
      const label = `public IP address ${pip.name}`;
      if (pip.sku === "Standard" && pip.publicIPAllocationMethod === "Dynamic")
        this.report(
          error(
            "InvalidPublicIPAllocationMethod",
            `${label}: a Standard public IP address is Static; only Basic ones can be Dynamic`,
            [...path, "publicIPAllocationMethod"],
          ),
        );
      if (pip.ipAddress === undefined) return;
      const address = this.publicAddress(pip.ipAddress, [...path, "ipAddress"], label);
      if (!address) return;
      addresses.set(i, address);
    });
    this.givenPublicAddresses.push(...addresses.values());
    const standInFor = (name: string, family: 4 | 6) => this.standInFor(name, family);
    pips.forEach((pip, i) => {
      if (this.publicIps.has(pip.name)) return;
      const given = addresses.get(i);
      if (pip.ipAddress !== undefined && !given) return;
      const family = pip.publicIPAddressVersion === "IPv6" ? 6 : 4;
      const standIn = given === undefined ? standInFor(pip.name, family) : undefined;
      const address = given ?? (standIn && { ...standIn, label: `<${pip.name}>` });
      if (!address) {
        this.report(
          error(
            "PublicIPAddressNotKnown",
            `public IP address ${pip.name}: its address is not known, and the addresses reserved to stand for such addresses (${formatPrefix(UNKNOWN_PUBLIC_BLOCKS[family])}) are all named by rules or service tags`,
            ["publicIPAddresses", i],
            "give its ipAddress",
          ),
        );
        return;
      }
      this.publicIps.set(pip.name, {
        name: pip.name,
        sku: pip.sku,
        address,
        known: given !== undefined,
      });
    });
  }

  /** The public addresses public IPs give: no stand-in takes one. */
  private readonly givenPublicAddresses: IpAddress[] = [];
  /** What stand-ins must avoid, worked out when one is first needed; each one taken joins it. */
  private standInsAvoid: AddressSet | undefined;

  /**
   * A stand-in for the unknown public address of `name` (public-ips.ts). It is
   * outside every network and every address given, and a prefix a rule or
   * service tag names matches it only when it covers the whole reserved block
   * (0.0.0.0/0 does), never by where the stand-in falls.
   */
  private standInFor(name: string, family: 4 | 6): IpAddress | undefined {
    if (!this.standInsAvoid) {
      let excluded = AddressSet.of(
        this.namedPrefixes().filter((p) => {
          const block = UNKNOWN_PUBLIC_BLOCKS[p.family];
          return p.first <= block.last && block.first <= p.last && p.length > block.length;
        }),
      ).union(AddressSet.ofAddresses(this.givenPublicAddresses));
      for (const vnet of this.vnets.values()) excluded = excluded.union(vnet.virtualNetworkTag);
      this.standInsAvoid = excluded;
    }
    const address = standInAddress(name, family, this.standInsAvoid);
    if (address) this.standInsAvoid = this.standInsAvoid.union(AddressSet.ofAddresses([address]));
    return address;
  }

  /**
   * A public address as a configuration or environment gives it: an address,
   * or a public IP resource by name or id (text that is an address is one).
   */
  private publicEndpoint(
    ref: ResourceRef | undefined,
    path: ValuePath,
    what: string,
  ): { address: IpAddress; publicIp?: PublicIpInfo } | undefined {
    if (ref === undefined) return undefined;
    if (typeof ref === "string" && parseIpAddress(ref)) {
      const address = this.publicAddress(ref, path, what);
      return address ? { address } : undefined;
    }
    const name = this.named(ref, "publicIPAddresses", path)?.name;
    if (name === undefined) return undefined;
    const declared = this.publicIpNames.resolve(name);
    const publicIp = declared === undefined ? undefined : this.publicIps.get(declared);
    if (declared === undefined)
      this.report(
        error(
          "InvalidResourceReference",
          `${what}: public IP address ${JSON.stringify(name)} is not defined`,
          path,
          "give an IP address, or the name of a resource under publicIPAddresses",
        ),
      );
    return publicIp ? { address: publicIp.address, publicIp } : undefined;
  }

  /**
   * The public address each instance of a scale set gets from a
   * `publicIPAddressConfiguration`: not a public IP resource, and known only
   * when deploying, so a stand-in shown as `<vmss:NAME/CONFIG>`. Basic when no
   * SKU is given: open where no NSG applies (the reading that hides no exposure).
   */
  private instancePublicEndpoint(
    nicName: string,
    config: ScaleSetPublicIpConfiguration,
    path: ValuePath,
    what: string,
  ): { address: IpAddress; publicIp: PublicIpInfo } | undefined {
    const name = `${nicName}/${config.name}`;
    const family = config.publicIPAddressVersion === "IPv6" ? 6 : 4;
    const standIn = this.standInFor(name, family);
    if (!standIn) {
      this.report(
        error(
          "PublicIPAddressNotKnown",
          `${what}: the public address of its instances is not known, and the addresses reserved to stand for such addresses (${formatPrefix(UNKNOWN_PUBLIC_BLOCKS[family])}) are all named by rules or service tags`,
          path,
        ),
      );
      return undefined;
    }
    const publicIp: PublicIpInfo = {
      name,
      sku: config.sku ?? "Basic",
      address: { ...standIn, label: `<${name}>` },
      known: false,
    };
    this.publicIps.set(name, publicIp);
    return { address: publicIp.address, publicIp };
  }

  /** Every prefix the rules name, and those of the service tags they name. */
  private namedPrefixes(): Prefix[] {
    const out: Prefix[] = [];
    for (const nsg of this.nsgs.values())
      for (const rule of [...nsg.inbound, ...nsg.outbound])
        for (const side of [rule.source, rule.destination]) {
          if (side.kind === "prefixes") out.push(...side.prefixes);
          if (side.kind === "tag") out.push(...(this.serviceTags.prefixes(side.tag) ?? []));
        }
    return out;
  }

  /** The platform translates a public address to a private one of the same family only. */
  private checkFamilies(
    privateAddress: IpAddress,
    publicAddress: IpAddress,
    path: ValuePath,
    what: string,
  ): void {
    if (privateAddress.family !== publicAddress.family)
      this.report(
        error(
          "PublicIPAddressFamilyMismatch",
          `${what}: its public address is IPv${publicAddress.family} and its private address IPv${privateAddress.family}; a public address is translated to a private one of its own family`,
          path,
        ),
      );
  }

  /** Azure associates a public IP address with one resource at a time. */
  private claimPublicIp(publicIp: PublicIpInfo, owner: string, path: ValuePath): void {
    const key = publicIp.name.toLowerCase();
    const other = this.publicIpOwners.get(key);
    if (other)
      this.report(
        error(
          "PublicIPAddressInUse",
          `${owner}: public IP address ${publicIp.name} is already associated with ${other}`,
          path,
        ),
      );
    else this.publicIpOwners.set(key, owner);
  }

  /** Load balancers (load-balancers.ts), with this builder's references and addresses. */
  private addLoadBalancers(): Map<string, LoadBalancerInfo> {
    return resolveLoadBalancers({
      ...this.endpointContext(),
      nics: this.nics,
      vnets: this.vnets,
    });
  }

  /** What private endpoints, Bastion hosts and load balancers resolve their references and addresses with. */
  private endpointContext(): EndpointContext {
    return {
      topology: this.topology,
      report: (d) => this.report(d),
      subnetRef: (ref, path) => this.subnetRef(ref, path),
      publicEndpoint: (ref, path, what) => this.publicEndpoint(ref, path, what),
      claimPublicIp: (pip, owner, path) => this.claimPublicIp(pip, owner, path),
      privateAddress: (text, version, subnet, path, what) => {
        if (text === undefined) return this.dynamicAddress(subnet, version, path, what);
        const at = [...path, "privateIPAddress"];
        const address = this.address(text, at, what);
        if (!address) return undefined;
        this.checkHostAddress(address, subnet, at, what);
        this.claimAddress(address, subnet.vnet, what, at);
        return address;
      },
    };
  }

  /** Notes every private address the topology writes, so that no Dynamic configuration takes one. */
  private notePrivateAddresses(): void {
    const texts = [
      ...this.topology.networkInterfaces.flatMap((n) =>
        n.ipConfigurations.map((c) => c.privateIPAddress),
      ),
      ...this.topology.environments.map((e) => e.privateIPAddress),
      ...(this.topology.loadBalancers ?? []).flatMap((lb) =>
        lb.frontendIPConfigurations.map((f) => f.privateIPAddress),
      ),
      ...(this.topology.privateEndpoints ?? []).map((p) => p.privateIPAddress),
      ...(this.topology.applicationGateways ?? []).flatMap((g) =>
        g.frontendIPConfigurations.map((f) => f.privateIPAddress),
      ),
    ];
    for (const text of texts) {
      const address = text === undefined ? undefined : parseIpAddress(text);
      if (address) this.privateTaken.add(formatIpAddress(address));
    }
  }

  /**
   * The address standing for a Dynamic configuration: the subnet's first host
   * of the family that Azure does not reserve and nothing else holds, as Azure
   * itself picks the next one.
   */
  private dynamicAddress(
    subnet: SubnetInfo,
    version: string | undefined,
    path: ValuePath,
    what: string,
  ): IpAddress | undefined {
    const family = version === "IPv6" ? 6 : 4;
    const prefixes = subnet.prefixes.filter((p) => p.family === family);
    const address = firstFreeHost(prefixes, this.privateTaken, this.dynamicFrom);
    if (!address) {
      this.report(
        prefixes.length === 0
          ? error(
              "InvalidIpConfiguration",
              `${what}: subnet ${subnet.id} has no IPv${family} range for a Dynamic address`,
              [...path, "subnet"],
            )
          : error(
              "SubnetIsFull",
              `${what}: subnet ${subnet.id} has no free address left for a Dynamic configuration`,
              [...path, "subnet"],
            ),
      );
      return undefined;
    }
    this.privateTaken.add(formatIpAddress(address));
    const prefix = prefixes.find((p) => p.first <= address.value && address.value <= p.last);
    const labelled = prefix ? { ...address, label: dynamicLabel(prefix) } : address;
    this.dynamicAddresses.push(labelled);
    return labelled;
  }

  /** A public address must lie outside every virtual network, or the platform would never present it. */
  private publicAddress(
    text: string | undefined,
    path: ValuePath,
    what: string,
  ): IpAddress | undefined {
    if (text === undefined) return undefined;
    const address = this.address(text, path, what);
    if (!address) return undefined;
    for (const vnet of this.vnets.values()) {
      if (vnet.addressSpace.has(address))
        this.report(
          error(
            "PublicAddressInsideVirtualNetwork",
            `${what}: public address ${text} is inside the address space of virtual network ${vnet.name}`,
            path,
          ),
        );
    }
    return address;
  }

  /** All members of one ASG must be in the same virtual network. */
  private checkAsgNetworks(): void {
    for (const [asg, members] of this.asgMembers) {
      const vnets = new Set<string>();
      for (const nic of this.nics.values())
        for (const c of nic.ipConfigurations)
          if (c.asgs.includes(asg) && members.length > 0) vnets.add(nic.vnet);
      if (vnets.size > 1) {
        const index = this.topology.applicationSecurityGroups.findIndex((a) => a.name === asg);
        this.report(
          error(
            "ApplicationSecurityGroupSpansVirtualNetworks",
            `application security group ${asg} has members in several virtual networks (${[...vnets].sort().join(", ")}); all must be in one`,
            ["applicationSecurityGroups", index],
          ),
        );
      }
    }
  }
}
