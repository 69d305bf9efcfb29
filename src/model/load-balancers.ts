/**
 * Load balancers resolved: each frontend with its address, and each
 * load-balancing and inbound NAT rule as the forwarding it makes — from a
 * frontend, protocol and ports to backends' private addresses and a port —
 * checked as Azure checks them.
 */
import { formatIpAddress, type IpAddress, parseIpAddress } from "../net/address.js";
import type { PortRange } from "../net/ports.js";
import { type Diagnostic, error, type ValuePath } from "./diagnostic.js";
import type {
  BackendAddressPool,
  FrontendIPConfiguration,
  InboundNatPool,
  InboundNatRule,
  LoadBalancer,
  LoadBalancerProtocol,
  LoadBalancerSku,
  LoadBalancingRule,
  OutboundRule,
  ProbeProtocol,
} from "./load-balancer-types.js";
import type {
  IpConfigurationInfo,
  NicInfo,
  PublicIpInfo,
  SubnetInfo,
  VnetInfo,
} from "./network.js";
import { type ReferencedType, referenced } from "./resource-id.js";
import { scaleSetIpConfigurations } from "./scale-sets.js";
import type { ResourceRef, Topology } from "./types.js";

/** A frontend: the address a load balancer is reached at. */
export interface FrontendInfo {
  readonly loadBalancer: string;
  readonly name: string;
  readonly sku: LoadBalancerSku;
  /** Its public IP's address (or stand-in), or its private address. */
  readonly address: IpAddress;
  readonly publicIp?: PublicIpInfo;
  /** Where an internal frontend's private address is. */
  readonly subnet?: SubnetInfo;
}

/** One backend a forwarding may reach: an IP configuration, or an address in a network. */
export interface BackendInfo {
  readonly address: IpAddress;
  readonly vnet: string;
  readonly subnet?: SubnetInfo;
  readonly nic?: NicInfo;
  readonly config?: IpConfigurationInfo;
  /** `network interface NIC (ipconfig1)` or `10.0.1.9 (backend address in vnet)`. */
  readonly label: string;
}

export interface ProbeInfo {
  readonly name: string;
  readonly protocol: ProbeProtocol;
  readonly port: number;
}

/**
 * What one rule forwards: packets of `protocols` to `frontendPorts` of the
 * frontend go to each backend on `backendPort` (0: the port they came on),
 * the client's address kept.
 */
export interface ForwardingInfo {
  readonly kind: "loadBalancingRule" | "inboundNatRule" | "inboundNatPool";
  readonly name: string;
  readonly loadBalancer: string;
  /** An inbound NAT rule's version: 1 maps one port to one configuration, 2 a range over a pool. */
  readonly natVersion?: 1 | 2;
  readonly frontend: FrontendInfo;
  readonly protocols: readonly ("Tcp" | "Udp")[];
  readonly frontendPorts: PortRange;
  readonly backendPort: number;
  /** The pool it sends to, when it sends to one. */
  readonly pool?: string;
  readonly backends: readonly BackendInfo[];
  readonly floatingIp: boolean;
  readonly probe?: ProbeInfo;
  readonly path: ValuePath;
}

/** An outbound rule: the pool's backends leave for the Internet from the frontends' public addresses. */
export interface OutboundRuleInfo {
  readonly name: string;
  readonly loadBalancer: string;
  readonly frontends: readonly FrontendInfo[];
  readonly pool: string;
  readonly backends: readonly BackendInfo[];
  readonly protocols: readonly ("Tcp" | "Udp")[];
  readonly path: ValuePath;
}

export interface LoadBalancerInfo {
  readonly name: string;
  readonly sku: LoadBalancerSku;
  readonly path: ValuePath;
  readonly frontends: readonly FrontendInfo[];
  readonly forwardings: readonly ForwardingInfo[];
  /** Each pool's backends, by pool name. */
  readonly pools: ReadonlyMap<string, readonly BackendInfo[]>;
  /** Outbound rules (Standard only); left out when there are none. */
  readonly outboundRules?: readonly OutboundRuleInfo[];
}

/** What resolving load balancers needs of the network being built (network.ts). */
export interface LoadBalancerContext {
  readonly topology: Topology;
  readonly nics: ReadonlyMap<string, NicInfo>;
  readonly vnets: ReadonlyMap<string, VnetInfo>;
  report(d: Diagnostic): void;
  subnetRef(ref: ResourceRef, path: ValuePath): SubnetInfo | undefined;
  publicEndpoint(
    ref: ResourceRef,
    path: ValuePath,
    what: string,
  ): { address: IpAddress; publicIp?: PublicIpInfo } | undefined;
  claimPublicIp(publicIp: PublicIpInfo, owner: string, path: ValuePath): void;
  privateAddress(
    text: string | undefined,
    version: string | undefined,
    subnet: SubnetInfo,
    path: ValuePath,
    what: string,
  ): IpAddress | undefined;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const findNamed = <T extends { name: string }>(items: readonly T[], name: string) =>
  items.find((i) => same(i.name, name));

const PROTOCOLS: Record<LoadBalancerProtocol, readonly ("Tcp" | "Udp")[]> = {
  Tcp: ["Tcp"],
  Udp: ["Udp"],
  All: ["Tcp", "Udp"],
};

/** Resolves every load balancer of the topology, reporting what Azure would refuse. */
export function resolveLoadBalancers(context: LoadBalancerContext): Map<string, LoadBalancerInfo> {
  const resolved = new Map<string, LoadBalancerInfo>();
  const lbs = context.topology.loadBalancers ?? [];
  const members = new NicMemberships(context);
  lbs.forEach((lb, i) => {
    const info = new LoadBalancerResolver(context, lb, ["loadBalancers", i], members).resolve();
    if (info) resolved.set(lb.name, info);
  });
  members.checkUnresolved(lbs);
  return resolved;
}

/** A reference to an IP configuration: `{ id }` of one, `NIC/NAME`, or `NIC` for its first. */
export function configRef(
  context: LoadBalancerContext,
  ref: ResourceRef,
  path: ValuePath,
): BackendInfo | undefined {
  let nicName: string;
  let configName: string | undefined;
  if (typeof ref !== "string" || ref.startsWith("/")) {
    const found = referenced(ref, "networkInterfaces/ipConfigurations");
    if (found.problem !== undefined) {
      context.report(error("InvalidResourceReference", found.problem, [...path, "id"]));
      return undefined;
    }
    nicName = found.parent ?? "";
    configName = found.name;
  } else [nicName, configName] = ref.includes("/") ? ref.split("/", 2) : [ref, undefined];
  const nicIndex = context.topology.networkInterfaces.findIndex((n) => same(n.name, nicName));
  const nic = context.topology.networkInterfaces[nicIndex];
  const info = nic && [...context.nics.values()].find((n) => same(n.name, nic.name));
  if (!nic) {
    context.report(
      error(
        "InvalidResourceReference",
        `network interface ${JSON.stringify(nicName)} is not defined`,
        path,
      ),
    );
    return undefined;
  }
  const index =
    configName === undefined
      ? 0
      : nic.ipConfigurations.findIndex((c) => c.name !== undefined && same(c.name, configName));
  if (index < 0) {
    context.report(
      error(
        "InvalidResourceReference",
        `network interface ${nic.name} has no IP configuration ${JSON.stringify(configName)}`,
        path,
      ),
    );
    return undefined;
  }
  const config = info?.ipConfigurations[index];
  return info && config
    ? configBackend(info, config, nic.ipConfigurations[index]?.name)
    : undefined;
}

export function configBackend(
  nic: NicInfo,
  config: IpConfigurationInfo,
  configName: string | undefined,
): BackendInfo {
  return {
    address: config.address,
    vnet: nic.vnet,
    subnet: config.subnet,
    nic,
    config,
    label:
      nic.scaleSet === undefined
        ? `network interface ${nic.name}${configName === undefined ? "" : ` (${configName})`}`
        : `scale set ${nic.scaleSet} (${nic.name}${configName === undefined ? "" : `, ${configName}`})`,
  };
}

/**
 * What network interfaces' IP configurations say they join: pools and NAT
 * rules by load balancer, read once for all load balancers.
 */
class NicMemberships {
  /** `lb\0pool` or `lb\0rule` (lower case) to the configurations naming it. */
  readonly pools = new Map<string, BackendInfo[]>();
  readonly natRules = new Map<string, { backend: BackendInfo; path: ValuePath }[]>();
  /** `lb\0natpool` (lower case) to the scale sets' configurations naming it. */
  readonly natPools = new Map<string, { backend: BackendInfo; path: ValuePath }[]>();
  private readonly refs: {
    kind: "pool" | "natRule" | "natPool";
    lb: string;
    child: string;
    path: ValuePath;
  }[] = [];

  constructor(private readonly context: LoadBalancerContext) {
    context.topology.networkInterfaces.forEach((nic, i) => {
      const info =
        context.nics.get(nic.name) ??
        [...context.nics.values()].find((n) => same(n.name, nic.name));
      nic.ipConfigurations.forEach((config, j) => {
        const resolved = info?.ipConfigurations[j];
        const backend = info && resolved && configBackend(info, resolved, config.name);
        const base: ValuePath = ["networkInterfaces", i, "ipConfigurations", j];
        const add = (
          kind: "pool" | "natRule",
          field: string,
          refs: readonly ResourceRef[] | undefined,
        ) =>
          (refs ?? []).forEach((ref, k) => {
            const path = [...base, field, k];
            const target = this.childRef(
              ref,
              kind === "pool"
                ? "loadBalancers/backendAddressPools"
                : "loadBalancers/inboundNatRules",
              path,
            );
            if (!target) return;
            this.refs.push({ kind, ...target, path });
            if (!backend) return;
            const key = `${target.lb}\u0000${target.child}`.toLowerCase();
            if (kind === "pool") this.pools.set(key, [...(this.pools.get(key) ?? []), backend]);
            else this.natRules.set(key, [...(this.natRules.get(key) ?? []), { backend, path }]);
          });
        add("pool", "loadBalancerBackendAddressPools", config.loadBalancerBackendAddressPools);
        add("natRule", "loadBalancerInboundNatRules", config.loadBalancerInboundNatRules);
      });
    });
    this.addScaleSets();
  }

  /** Scale sets' IP configurations: the pools and NAT pools their instances join. */
  private addScaleSets(): void {
    for (const { nicName, index, config, path: base } of scaleSetIpConfigurations(
      this.context.topology,
    )) {
      const info = this.context.nics.get(nicName);
      const resolved = info?.ipConfigurations[index];
      const backend = info && resolved && configBackend(info, resolved, config.name);
      const add = (
        kind: "pool" | "natPool",
        field: string,
        refs: readonly ResourceRef[] | undefined,
      ) =>
        (refs ?? []).forEach((ref, m) => {
          const path = [...base, field, m];
          const target = this.childRef(
            ref,
            kind === "pool" ? "loadBalancers/backendAddressPools" : "loadBalancers/inboundNatPools",
            path,
          );
          if (!target) return;
          this.refs.push({ kind, ...target, path });
          if (!backend) return;
          const key = `${target.lb}\u0000${target.child}`.toLowerCase();
          if (kind === "pool") this.pools.set(key, [...(this.pools.get(key) ?? []), backend]);
          else this.natPools.set(key, [...(this.natPools.get(key) ?? []), { backend, path }]);
        });
      add("pool", "loadBalancerBackendAddressPools", config.loadBalancerBackendAddressPools);
      add("natPool", "loadBalancerInboundNatPools", config.loadBalancerInboundNatPools);
    }
  }

  /** `{ id }` of a pool or NAT rule, or `LB/NAME`. */
  private childRef(
    ref: ResourceRef,
    type: ReferencedType,
    path: ValuePath,
  ): { lb: string; child: string } | undefined {
    const what = type.endsWith("backendAddressPools")
      ? "backend address pool"
      : type.endsWith("inboundNatPools")
        ? "inbound NAT pool"
        : "inbound NAT rule";
    if (typeof ref === "string" && !ref.startsWith("/")) {
      const [lb, child] = ref.split("/", 2);
      if (child === undefined || lb === undefined || lb === "" || child === "") {
        this.context.report(
          error(
            "InvalidResourceReference",
            `${what} ${JSON.stringify(ref)}: write it as LOADBALANCER/NAME, or give its id`,
            path,
          ),
        );
        return undefined;
      }
      return { lb, child };
    }
    const found = referenced(ref, type);
    if (found.problem !== undefined) {
      this.context.report(error("InvalidResourceReference", found.problem, [...path, "id"]));
      return undefined;
    }
    return { lb: found.parent ?? "", child: found.name };
  }

  /** Every pool and NAT rule an interface names must exist. */
  checkUnresolved(lbs: readonly LoadBalancer[]): void {
    for (const ref of this.refs) {
      const lb = findNamed(lbs, ref.lb);
      const what =
        ref.kind === "pool"
          ? "backend address pool"
          : ref.kind === "natPool"
            ? "inbound NAT pool"
            : "inbound NAT rule";
      const children: readonly { name: string }[] =
        ref.kind === "pool"
          ? (lb?.backendAddressPools ?? [])
          : ref.kind === "natPool"
            ? (lb?.inboundNatPools ?? [])
            : (lb?.inboundNatRules ?? []);
      if (!lb)
        this.context.report(
          error(
            "InvalidResourceReference",
            `load balancer ${JSON.stringify(ref.lb)} is not defined`,
            ref.path,
          ),
        );
      else if (!findNamed(children, ref.child))
        this.context.report(
          error(
            "InvalidResourceReference",
            `load balancer ${lb.name} has no ${what} ${JSON.stringify(ref.child)}`,
            ref.path,
          ),
        );
    }
  }
}

class LoadBalancerResolver {
  private readonly label: string;
  private readonly frontends: FrontendInfo[] = [];
  private readonly pools = new Map<string, BackendInfo[]>();
  private readonly forwardings: ForwardingInfo[] = [];
  private readonly outboundRules: OutboundRuleInfo[] = [];

  constructor(
    private readonly context: LoadBalancerContext,
    private readonly lb: LoadBalancer,
    private readonly path: ValuePath,
    private readonly members: NicMemberships,
  ) {
    this.label = `load balancer ${lb.name}`;
  }

  private report(d: Diagnostic): void {
    this.context.report(d);
  }

  resolve(): LoadBalancerInfo | undefined {
    const lb = this.lb;
    this.checkChildNames("frontendIPConfigurations", "frontend", lb.frontendIPConfigurations);
    this.checkChildNames("backendAddressPools", "backend address pool", lb.backendAddressPools);
    this.checkChildNames("loadBalancingRules", "load-balancing rule", lb.loadBalancingRules);
    this.checkChildNames("inboundNatRules", "inbound NAT rule", lb.inboundNatRules);
    this.checkChildNames("probes", "probe", lb.probes);
    this.checkChildNames("inboundNatPools", "inbound NAT pool", lb.inboundNatPools);
    this.checkChildNames("outboundRules", "outbound rule", lb.outboundRules);
    if (lb.frontendIPConfigurations.length === 0)
      this.report(
        error("LoadBalancerWithoutFrontend", `${this.label} has no frontend IP configuration`, [
          ...this.path,
          "frontendIPConfigurations",
        ]),
      );
    lb.frontendIPConfigurations.forEach((f, i) => {
      this.addFrontend(f, [...this.path, "frontendIPConfigurations", i]);
    });
    const kinds = new Set(this.frontends.map((f) => (f.publicIp ? "public" : "private")));
    if (kinds.size > 1)
      this.report(
        error(
          "LoadBalancerFrontendsMixed",
          `${this.label}: its frontends are all public (a public load balancer) or all private (an internal one), not both`,
          [...this.path, "frontendIPConfigurations"],
        ),
      );
    (lb.backendAddressPools ?? []).forEach((pool, i) => {
      this.addPool(pool, [...this.path, "backendAddressPools", i]);
    });
    this.checkPoolNetworks();
    (lb.loadBalancingRules ?? []).forEach((rule, i) => {
      this.addRule(rule, [...this.path, "loadBalancingRules", i]);
    });
    (lb.inboundNatRules ?? []).forEach((rule, i) => {
      this.addNatRule(rule, [...this.path, "inboundNatRules", i]);
    });
    (lb.inboundNatPools ?? []).forEach((pool, i) => {
      this.addNatPool(pool, [...this.path, "inboundNatPools", i]);
    });
    (lb.probes ?? []).forEach((probe, i) => {
      this.checkPort(probe.port, [...this.path, "probes", i, "port"], `probe ${probe.name}`, 1);
    });
    this.checkPortConflicts();
    (lb.outboundRules ?? []).forEach((rule, i) => {
      this.addOutboundRule(rule, [...this.path, "outboundRules", i]);
    });
    return {
      name: lb.name,
      sku: lb.sku,
      path: this.path,
      frontends: this.frontends,
      forwardings: this.forwardings,
      pools: this.pools,
      ...(this.outboundRules.length > 0 ? { outboundRules: this.outboundRules } : {}),
    };
  }

  /** An outbound rule: Standard only, from public frontends, for one pool. */
  private addOutboundRule(rule: OutboundRule, path: ValuePath): void {
    const what = `${this.label}: outbound rule ${rule.name}`;
    if (this.lb.sku !== "Standard") {
      this.report(
        error(
          "OutboundRuleOnBasicLoadBalancer",
          `${what}: a Basic load balancer has no outbound rules`,
          path,
          "outbound rules need a Standard load balancer",
        ),
      );
      return;
    }
    if (rule.frontendIPConfigurations.length === 0)
      this.report(
        error("InvalidOutboundRule", `${what} names no frontend`, [
          ...path,
          "frontendIPConfigurations",
        ]),
      );
    const frontends = rule.frontendIPConfigurations.flatMap((ref, i) => {
      const at = [...path, "frontendIPConfigurations", i];
      const f = this.frontendOf(ref, at);
      if (f && !f.publicIp) {
        this.report(
          error(
            "InvalidOutboundRule",
            `${what}: frontend ${f.name} is private; an outbound rule leaves from public frontends`,
            at,
          ),
        );
        return [];
      }
      return f ? [f] : [];
    });
    const pool = this.poolOf(rule.backendAddressPool, [...path, "backendAddressPool"]);
    if (!pool) return;
    this.outboundRules.push({
      name: rule.name,
      loadBalancer: this.lb.name,
      frontends,
      pool: pool.name,
      backends: pool.backends,
      protocols: PROTOCOLS[rule.protocol] ?? [],
      path,
    });
  }

  private checkChildNames(
    field: string,
    kind: string,
    items: readonly { name: string }[] | undefined,
  ): void {
    const seen = new Map<string, number>();
    (items ?? []).forEach((item, i) => {
      const key = item.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined)
        this.report(
          error(
            "DuplicateResourceName",
            `${this.label}: ${kind} ${item.name} is defined twice (also at ${field}[${first}])`,
            [...this.path, field, i, "name"],
          ),
        );
      else seen.set(key, i);
    });
  }

  private addFrontend(f: FrontendIPConfiguration, path: ValuePath): void {
    const what = `${this.label}: frontend ${f.name}`;
    const isPublic = f.publicIPAddress !== undefined;
    const isPrivate =
      f.subnet !== undefined ||
      f.privateIPAddress !== undefined ||
      f.privateIPAllocationMethod !== undefined;
    if (isPublic === isPrivate) {
      this.report(
        error(
          "InvalidFrontendIPConfiguration",
          `${what}: give a publicIPAddress (a public load balancer) or a subnet with a private address (an internal one)`,
          path,
        ),
      );
      return;
    }
    const base = { loadBalancer: this.lb.name, name: f.name, sku: this.lb.sku };
    if (f.publicIPAddress !== undefined) {
      const at = [...path, "publicIPAddress"];
      const endpoint = this.context.publicEndpoint(f.publicIPAddress, at, what);
      if (!endpoint) return;
      const pip = endpoint.publicIp;
      if (!pip) {
        this.report(
          error(
            "InvalidFrontendIPConfiguration",
            `${what}: a frontend takes a public IP address resource, by name or id, not an address`,
            at,
          ),
        );
        return;
      }
      this.context.claimPublicIp(pip, what, at);
      if (pip.sku !== this.lb.sku)
        this.report(
          error(
            "LoadBalancerPublicIPSkuMismatch",
            `${what}: public IP address ${pip.name} is ${pip.sku} and the load balancer ${this.lb.sku}; Azure requires the same SKU`,
            at,
          ),
        );
      this.frontends.push({ ...base, address: pip.address, publicIp: pip });
      return;
    }
    if (f.subnet === undefined) {
      this.report(
        error(
          "InvalidFrontendIPConfiguration",
          `${what}: a private frontend needs its subnet`,
          path,
        ),
      );
      return;
    }
    const subnet = this.context.subnetRef(f.subnet, [...path, "subnet"]);
    if (!subnet) return;
    if (f.privateIPAddress === undefined && f.privateIPAllocationMethod !== "Dynamic") {
      this.report(
        error(
          "InvalidFrontendIPConfiguration",
          `${what}: a private frontend needs its privateIPAddress, or privateIPAllocationMethod: Dynamic`,
          path,
        ),
      );
      return;
    }
    const address = this.context.privateAddress(
      f.privateIPAddress,
      f.privateIPAddressVersion,
      subnet,
      path,
      what,
    );
    if (address) this.frontends.push({ ...base, address, subnet });
  }

  private addPool(pool: BackendAddressPool, path: ValuePath): void {
    const key = `${this.lb.name}\u0000${pool.name}`.toLowerCase();
    const backends: BackendInfo[] = [...(this.members.pools.get(key) ?? [])];
    (pool.backendIPConfigurations ?? []).forEach((ref, i) => {
      const backend = configRef(this.context, ref, [...path, "backendIPConfigurations", i]);
      if (backend) backends.push(backend);
    });
    const addresses = pool.loadBalancerBackendAddresses ?? [];
    if (addresses.length > 0 && this.lb.sku !== "Standard")
      this.report(
        error(
          "BackendAddressPoolByAddressNeedsStandard",
          `${this.label}: backend address pool ${pool.name} lists addresses; only a Standard load balancer takes backends by address`,
          [...path, "loadBalancerBackendAddresses"],
        ),
      );
    addresses.forEach((a, i) => {
      const at: ValuePath = [...path, "loadBalancerBackendAddresses", i];
      const backend = this.addressBackend(a.ipAddress, a.virtualNetwork, a.subnet, at);
      if (backend) backends.push(backend);
    });
    // One configuration named from both sides is one backend.
    const unique = backends.filter(
      (b, i) =>
        backends.findIndex(
          (o) => o.address.family === b.address.family && o.address.value === b.address.value,
        ) === i,
    );
    this.pools.set(pool.name, unique);
  }

  /** A backend by address: the IP configuration holding it, or an address of the network. */
  private addressBackend(
    text: string,
    vnetRef: ResourceRef | undefined,
    subnetRef: ResourceRef | undefined,
    path: ValuePath,
  ): BackendInfo | undefined {
    const address = parseIpAddress(text);
    if (!address) {
      this.report(
        error("InvalidIPAddress", `${this.label}: ${JSON.stringify(text)} is not an IP address`, [
          ...path,
          "ipAddress",
        ]),
      );
      return undefined;
    }
    const subnet =
      subnetRef === undefined ? undefined : this.context.subnetRef(subnetRef, [...path, "subnet"]);
    let vnet = subnet?.vnet;
    if (vnet === undefined && vnetRef !== undefined) {
      const found = referenced(vnetRef, "virtualNetworks");
      if (found.problem !== undefined) {
        this.report(error("InvalidResourceReference", found.problem, [...path, "virtualNetwork"]));
        return undefined;
      }
      vnet = [...this.context.vnets.keys()].find((v) => same(v, found.name));
      if (vnet === undefined)
        this.report(
          error(
            "InvalidResourceReference",
            `virtual network ${JSON.stringify(found.name)} is not defined`,
            [...path, "virtualNetwork"],
          ),
        );
    }
    if (vnet === undefined) {
      if (vnetRef === undefined && subnetRef === undefined)
        this.report(
          error(
            "InvalidBackendAddress",
            `${this.label}: backend address ${text} needs its virtualNetwork (or subnet)`,
            path,
          ),
        );
      return undefined;
    }
    const space = this.context.vnets.get(vnet)?.addressSpace;
    if (space && !space.has(address)) {
      this.report(
        error(
          "InvalidBackendAddress",
          `${this.label}: backend address ${text} is not in virtual network ${vnet}`,
          [...path, "ipAddress"],
        ),
      );
      return undefined;
    }
    for (const nic of this.context.nics.values())
      for (const [j, config] of nic.ipConfigurations.entries())
        if (config.address.family === address.family && config.address.value === address.value) {
          const name = this.context.topology.networkInterfaces.find((n) => same(n.name, nic.name))
            ?.ipConfigurations[j]?.name;
          return configBackend(nic, config, name);
        }
    const inSubnet =
      subnet ??
      [...(this.context.vnets.get(vnet)?.subnets ?? [])].find((s) => s.addresses.has(address));
    return {
      address,
      vnet,
      ...(inSubnet ? { subnet: inSubnet } : {}),
      label: `${formatIpAddress(address)} (backend address${inSubnet ? ` in subnet ${inSubnet.id}` : ` in ${vnet}`})`,
    };
  }

  /** A Standard load balancer's backends are in one virtual network. */
  private checkPoolNetworks(): void {
    const vnets = new Set<string>();
    for (const backends of this.pools.values()) for (const b of backends) vnets.add(b.vnet);
    if (vnets.size > 1)
      this.report(
        error(
          "BackendsInSeveralVirtualNetworks",
          `${this.label}: its backends are in several virtual networks (${[...vnets].sort().join(", ")}); a load balancer's backends are in one`,
          [...this.path, "backendAddressPools"],
        ),
      );
  }

  /** A child of this load balancer, named by a rule: by name, or by an id under this load balancer. */
  private child<T extends { name: string }>(
    ref: ResourceRef | undefined,
    type: ReferencedType,
    items: readonly T[] | undefined,
    path: ValuePath,
    what: string,
  ): T | undefined {
    if (ref === undefined) return undefined;
    let name: string;
    if (typeof ref === "string" && !ref.startsWith("/")) name = ref;
    else {
      const found = referenced(ref, type);
      if (found.problem !== undefined) {
        this.report(error("InvalidResourceReference", found.problem, [...path, "id"]));
        return undefined;
      }
      if (found.parent !== undefined && !same(found.parent, this.lb.name)) {
        this.report(
          error(
            "InvalidResourceReference",
            `${this.label}: its rules use its own ${what}s, not one of load balancer ${found.parent}`,
            [...path, "id"],
          ),
        );
        return undefined;
      }
      name = found.name;
    }
    const item = findNamed(items ?? [], name);
    if (!item)
      this.report(
        error(
          "InvalidResourceReference",
          `${this.label} has no ${what} ${JSON.stringify(name)}`,
          path,
        ),
      );
    return item;
  }

  private frontendOf(ref: ResourceRef, path: ValuePath): FrontendInfo | undefined {
    const f = this.child(
      ref,
      "loadBalancers/frontendIPConfigurations",
      this.lb.frontendIPConfigurations,
      path,
      "frontend",
    );
    return f && this.frontends.find((x) => x.name === f.name);
  }

  private poolOf(
    ref: ResourceRef | undefined,
    path: ValuePath,
  ): { name: string; backends: readonly BackendInfo[] } | undefined {
    const pool = this.child(
      ref,
      "loadBalancers/backendAddressPools",
      this.lb.backendAddressPools,
      path,
      "backend address pool",
    );
    return pool && { name: pool.name, backends: this.pools.get(pool.name) ?? [] };
  }

  /** A port from `min` to 65535 (65534 for a frontend port: Azure keeps 65535). */
  private checkPort(
    port: number,
    path: ValuePath,
    what: string,
    min: number,
    max = 65535,
  ): boolean {
    if (Number.isInteger(port) && port >= min && port <= max) return true;
    this.report(
      error(
        "InvalidLoadBalancerPort",
        `${this.label}: ${what}: port ${port} is not from ${min} to ${max}`,
        path,
      ),
    );
    return false;
  }

  private addRule(rule: LoadBalancingRule, path: ValuePath): void {
    const what = `load-balancing rule ${rule.name}`;
    const frontend = this.frontendOf(rule.frontendIPConfiguration, [
      ...path,
      "frontendIPConfiguration",
    ]);
    const poolRefs = [
      ...(rule.backendAddressPool === undefined ? [] : [rule.backendAddressPool]),
      ...(rule.backendAddressPools ?? []),
    ];
    const pools = poolRefs.flatMap((ref, i) => {
      const at =
        rule.backendAddressPool !== undefined && i === 0
          ? [...path, "backendAddressPool"]
          : [...path, "backendAddressPools", i - (rule.backendAddressPool === undefined ? 0 : 1)];
      const pool = this.poolOf(ref, at);
      return pool ? [pool] : [];
    });
    const probe = this.child(
      rule.probe,
      "loadBalancers/probes",
      this.lb.probes,
      [...path, "probe"],
      "probe",
    );
    const haPorts = rule.frontendPort === 0;
    const backendPort = rule.backendPort ?? rule.frontendPort;
    let ok = this.checkPort(rule.frontendPort, [...path, "frontendPort"], what, 0, 65534);
    ok = this.checkPort(backendPort, [...path, "backendPort"], what, 0) && ok;
    if (haPorts && (rule.protocol !== "All" || backendPort !== 0)) {
      this.report(
        error(
          "InvalidLoadBalancerPort",
          `${this.label}: ${what}: frontend port 0 (HA ports) goes with protocol All and backend port 0`,
          [...path, "frontendPort"],
        ),
      );
      ok = false;
    }
    if (haPorts && frontend && (frontend.publicIp || this.lb.sku !== "Standard")) {
      this.report(
        error(
          "HaPortsNeedInternalStandard",
          `${this.label}: ${what}: HA ports (frontend port 0) are for internal Standard load balancers only`,
          [...path, "frontendPort"],
        ),
      );
      ok = false;
    }
    if (!haPorts && backendPort === 0) {
      this.report(
        error(
          "InvalidLoadBalancerPort",
          `${this.label}: ${what}: backend port 0 goes with HA ports only (frontend port 0)`,
          [...path, "backendPort"],
        ),
      );
      ok = false;
    }
    if (!frontend || !ok) return;
    const backends = pools.flatMap((p) => p.backends);
    this.forwardings.push({
      kind: "loadBalancingRule",
      name: rule.name,
      loadBalancer: this.lb.name,
      frontend,
      protocols: PROTOCOLS[rule.protocol],
      frontendPorts: haPorts
        ? { first: 0, last: 65535 }
        : { first: rule.frontendPort, last: rule.frontendPort },
      backendPort,
      ...(pools[0] ? { pool: pools.map((p) => p.name).join(", ") } : {}),
      backends: backends.filter(
        (b, i) =>
          backends.findIndex(
            (o) => o.address.family === b.address.family && o.address.value === b.address.value,
          ) === i,
      ),
      floatingIp: rule.enableFloatingIP === true,
      ...(probe ? { probe: { name: probe.name, protocol: probe.protocol, port: probe.port } } : {}),
      path,
    });
  }

  private addNatRule(rule: InboundNatRule, path: ValuePath): void {
    const what = `inbound NAT rule ${rule.name}`;
    const frontend = this.frontendOf(rule.frontendIPConfiguration, [
      ...path,
      "frontendIPConfiguration",
    ]);
    const ranged =
      rule.frontendPortRangeStart !== undefined ||
      rule.frontendPortRangeEnd !== undefined ||
      rule.backendAddressPool !== undefined;
    let ok = this.checkPort(rule.backendPort, [...path, "backendPort"], what, 1);
    const key = `${this.lb.name}\u0000${rule.name}`.toLowerCase();
    const named = this.members.natRules.get(key) ?? [];
    const common = {
      kind: "inboundNatRule" as const,
      name: rule.name,
      loadBalancer: this.lb.name,
      protocols: PROTOCOLS[rule.protocol],
      backendPort: rule.backendPort,
      floatingIp: rule.enableFloatingIP === true,
      path,
    };
    if (!ranged) {
      if (rule.frontendPort === undefined) {
        this.report(
          error(
            "InvalidInboundNatRule",
            `${this.label}: ${what} needs its frontendPort (v1), or frontendPortRangeStart, frontendPortRangeEnd and backendAddressPool (v2)`,
            path,
          ),
        );
        return;
      }
      ok = this.checkPort(rule.frontendPort, [...path, "frontendPort"], what, 1, 65534) && ok;
      const backends = named.map((n) => n.backend);
      if (rule.backendIPConfiguration !== undefined) {
        const b = configRef(this.context, rule.backendIPConfiguration, [
          ...path,
          "backendIPConfiguration",
        ]);
        if (b && !backends.some((o) => o.config === b.config)) backends.push(b);
      }
      // Azure maps a v1 NAT rule to one IP configuration.
      if (backends.length > 1)
        this.report(
          error(
            "InboundNatRuleInUse",
            `${this.label}: ${what} forwards to one IP configuration, and ${backends.length} name it (${backends.map((b) => b.label).join(", ")})`,
            named[1]?.path ?? path,
          ),
        );
      if (!frontend || !ok) return;
      this.forwardings.push({
        ...common,
        natVersion: 1,
        frontend,
        frontendPorts: { first: rule.frontendPort, last: rule.frontendPort },
        backends: backends.slice(0, 1),
      });
      return;
    }
    const start = rule.frontendPortRangeStart;
    const end = rule.frontendPortRangeEnd;
    if (start === undefined || end === undefined || rule.backendAddressPool === undefined) {
      this.report(
        error(
          "InvalidInboundNatRule",
          `${this.label}: ${what}: a v2 rule gives frontendPortRangeStart, frontendPortRangeEnd and backendAddressPool together`,
          path,
        ),
      );
      return;
    }
    if (rule.frontendPort !== undefined || named.length > 0) {
      this.report(
        error(
          "InvalidInboundNatRule",
          `${this.label}: ${what}: a v2 rule (a port range over a pool) takes no frontendPort, and no IP configuration names it`,
          named[0]?.path ?? [...path, "frontendPort"],
        ),
      );
      ok = false;
    }
    ok = this.checkPort(start, [...path, "frontendPortRangeStart"], what, 1, 65534) && ok;
    ok = this.checkPort(end, [...path, "frontendPortRangeEnd"], what, 1, 65534) && ok;
    if (ok && end < start) {
      this.report(
        error(
          "InvalidInboundNatRule",
          `${this.label}: ${what}: frontendPortRangeEnd (${end}) is below frontendPortRangeStart (${start})`,
          [...path, "frontendPortRangeEnd"],
        ),
      );
      ok = false;
    }
    const pool = this.poolOf(rule.backendAddressPool, [...path, "backendAddressPool"]);
    if (pool && ok && pool.backends.length > end - start + 1)
      this.report(
        error(
          "InvalidInboundNatRule",
          `${this.label}: ${what}: ${pool.backends.length} backends in pool ${pool.name} and ${end - start + 1} frontend ports; each backend needs one`,
          [...path, "frontendPortRangeEnd"],
        ),
      );
    if (!frontend || !pool || !ok) return;
    this.forwardings.push({
      ...common,
      natVersion: 2,
      frontend,
      frontendPorts: { first: start, last: end },
      pool: pool.name,
      backends: pool.backends,
    });
  }

  /**
   * An inbound NAT pool: each scale set instance naming it gets one port of
   * the range, forwarded to its backend port. A scale set stands as one
   * member, so every port of the range may reach it.
   */
  private addNatPool(pool: InboundNatPool, path: ValuePath): void {
    const what = `inbound NAT pool ${pool.name}`;
    const frontend = this.frontendOf(pool.frontendIPConfiguration, [
      ...path,
      "frontendIPConfiguration",
    ]);
    const start = pool.frontendPortRangeStart;
    const end = pool.frontendPortRangeEnd;
    let ok = this.checkPort(pool.backendPort, [...path, "backendPort"], what, 1);
    ok = this.checkPort(start, [...path, "frontendPortRangeStart"], what, 1, 65534) && ok;
    ok = this.checkPort(end, [...path, "frontendPortRangeEnd"], what, 1, 65534) && ok;
    if (ok && end < start) {
      this.report(
        error(
          "InvalidInboundNatPool",
          `${this.label}: ${what}: frontendPortRangeEnd (${end}) is below frontendPortRangeStart (${start})`,
          [...path, "frontendPortRangeEnd"],
        ),
      );
      ok = false;
    }
    const key = `${this.lb.name}\u0000${pool.name}`.toLowerCase();
    const named = this.members.natPools.get(key) ?? [];
    const backends = named
      .map((n) => n.backend)
      .filter((b, i, all) => all.findIndex((o) => o.nic === b.nic) === i);
    // Each instance takes one port of the range: scale sets of known capacity must fit.
    const scaleSets = this.context.topology.virtualMachineScaleSets ?? [];
    const instances = backends.reduce(
      (n, b) => n + (scaleSets.find((s) => s.name === b.nic?.scaleSet)?.sku?.capacity ?? 0),
      0,
    );
    if (ok && instances > end - start + 1)
      this.report(
        error(
          "InvalidInboundNatPool",
          `${this.label}: ${what}: ${instances} instances take a port of it and its range has ${end - start + 1}; each instance needs one`,
          [...path, "frontendPortRangeEnd"],
        ),
      );
    if (!frontend || !ok) return;
    this.forwardings.push({
      kind: "inboundNatPool",
      name: pool.name,
      loadBalancer: this.lb.name,
      protocols: PROTOCOLS[pool.protocol],
      backendPort: pool.backendPort,
      floatingIp: pool.enableFloatingIP === true,
      frontend,
      frontendPorts: { first: start, last: end },
      backends,
      path,
    });
  }

  /** Two rules may not take the same frontend, protocol and port. */
  private checkPortConflicts(): void {
    this.forwardings.forEach((a, i) => {
      const clash = this.forwardings
        .slice(0, i)
        .find(
          (b) =>
            b.frontend === a.frontend &&
            b.protocols.some((p) => a.protocols.includes(p)) &&
            b.frontendPorts.first <= a.frontendPorts.last &&
            a.frontendPorts.first <= b.frontendPorts.last,
        );
      if (clash)
        this.report(
          error(
            "LoadBalancerFrontendPortConflict",
            `${this.label}: ${describeForwarding(a)} and ${describeForwarding(clash)} both take frontend ${a.frontend.name} on ${a.protocols.join("/")} port${a.frontendPorts.first === a.frontendPorts.last ? ` ${a.frontendPorts.first}` : `s ${a.frontendPorts.first}-${a.frontendPorts.last}`}`,
            [
              ...a.path,
              a.kind === "inboundNatPool" || a.natVersion === 2
                ? "frontendPortRangeStart"
                : "frontendPort",
            ],
          ),
        );
    });
  }
}

/** `inbound NAT rule RDP-VM0`, `load-balancing rule web`. */
export function describeForwarding(
  f: Pick<ForwardingInfo, "kind" | "name" | "natVersion">,
): string {
  if (f.kind === "inboundNatPool") return `inbound NAT pool ${f.name}`;
  return f.kind === "loadBalancingRule"
    ? `load-balancing rule ${f.name}`
    : `inbound NAT rule ${f.name}${f.natVersion === 2 ? " (v2)" : ""}`;
}
