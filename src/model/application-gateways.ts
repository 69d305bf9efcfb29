/**
 * Application gateways resolved: the subnet their instances sit in and the
 * private address standing for them there (some host of the subnet, as a
 * Dynamic interface's), each frontend's address, each listener with the
 * backends and port its routing rule sends requests to — checked as Azure
 * checks them. The gateway is a proxy: backends see its instances' private
 * addresses as the source, not the client's.
 */
import { formatIpAddress, type IpAddress, parseIpAddress, sameAddress } from "../net/address.js";
import {
  type ApplicationGateway,
  type ApplicationGatewayBackendAddressPool,
  type ApplicationGatewayFrontendIPConfiguration,
  type ApplicationGatewayProtocol,
  type ApplicationGatewayTier,
  gatewayVersion,
} from "./application-gateway-types.js";
import { type Diagnostic, error, type ValuePath } from "./diagnostic.js";
import {
  type BackendInfo,
  configBackend,
  configRef,
  type LoadBalancerContext,
} from "./load-balancers.js";
import type { PublicIpInfo, SubnetInfo } from "./network.js";
import { type ReferencedType, referenced } from "./resource-id.js";
import { scaleSetIpConfigurations } from "./scale-sets.js";
import { type ResourceRef, refName } from "./types.js";

/** A frontend of an application gateway: a public IP, or a private address in its subnet. */
export interface GatewayFrontendInfo {
  readonly gateway: string;
  readonly name: string;
  readonly tier: ApplicationGatewayTier;
  readonly address: IpAddress;
  readonly publicIp?: PublicIpInfo;
  /** The gateway's subnet, for a private frontend. */
  readonly subnet?: SubnetInfo;
}

/**
 * A backend: an IP configuration or an address of a network (as a load
 * balancer's), an address outside every network, or a name (`fqdn`) that DNS
 * resolves when running and tierwall does not.
 */
export interface GatewayBackendInfo {
  readonly label: string;
  readonly address?: IpAddress;
  readonly fqdn?: string;
  /** The IP configuration or network address it is, when it is one. */
  readonly inNetwork?: BackendInfo;
}

/** Where a routing rule sends a listener's requests. */
export interface GatewayRouteInfo {
  readonly rule: string;
  readonly path: ValuePath;
  /** A redirection: the gateway answers the client itself. */
  readonly redirect?: string;
  readonly pool?: string;
  readonly backends: readonly GatewayBackendInfo[];
  readonly settings?: {
    readonly name: string;
    readonly port: number;
    readonly protocol: ApplicationGatewayProtocol;
  };
}

export interface GatewayListenerInfo {
  readonly name: string;
  readonly path: ValuePath;
  readonly frontend: GatewayFrontendInfo;
  readonly port: number;
  readonly protocol: ApplicationGatewayProtocol;
  /** The routing rules that take its requests (none: it takes requests and sends them nowhere). */
  readonly routes: readonly GatewayRouteInfo[];
}

export interface ApplicationGatewayInfo {
  readonly name: string;
  readonly tier: ApplicationGatewayTier;
  readonly version: 1 | 2;
  readonly path: ValuePath;
  readonly subnet: SubnetInfo;
  /** Stands for its instances' private addresses: some host of its subnet (symbolic, shown by subnet). */
  readonly instanceAddress: IpAddress;
  readonly frontends: readonly GatewayFrontendInfo[];
  readonly listeners: readonly GatewayListenerInfo[];
  readonly pools: ReadonlyMap<string, readonly GatewayBackendInfo[]>;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const findNamed = <T extends { name: string }>(items: readonly T[] | undefined, name: string) =>
  (items ?? []).find((i) => same(i.name, name));

/** Resolves every application gateway of the topology, reporting what Azure would refuse. */
export function resolveApplicationGateways(
  context: LoadBalancerContext,
): Map<string, ApplicationGatewayInfo> {
  const gateways = context.topology.applicationGateways ?? [];
  const members = nicMemberships(context, gateways);
  const resolved = new Map<string, ApplicationGatewayInfo>();
  gateways.forEach((gw, i) => {
    const info = new GatewayResolver(context, gw, ["applicationGateways", i], members).resolve();
    if (info) resolved.set(gw.name, info);
  });
  checkSubnets(context, [...resolved.values()]);
  return resolved;
}

/**
 * A gateway's subnet holds application gateways only, all of one generation
 * (Azure refuses others there, and v1 beside v2).
 */
function checkSubnets(context: LoadBalancerContext, gateways: readonly ApplicationGatewayInfo[]) {
  for (const gw of gateways) {
    const at: ValuePath = [...gw.path, "gatewayIPConfigurations", 0, "subnet"];
    // Interfaces, and the interfaces scale sets stand as.
    const others = [...context.nics.values()]
      .filter((nic) => nic.ipConfigurations.some((c) => c.subnet.id === gw.subnet.id))
      .map((nic) => `network interface ${nic.name}`);
    if (others.length > 0)
      context.report(
        error(
          "ApplicationGatewaySubnetCannotBeUsedByOtherResources",
          `application gateway ${gw.name}: subnet ${gw.subnet.id} is for application gateways only, and ${others.join(", ")} ${others.length > 1 ? "are" : "is"} in it`,
          at,
          "give the gateway a subnet of its own",
        ),
      );
    const mixed = gateways.find((o) => o.subnet.id === gw.subnet.id && o.version !== gw.version);
    if (mixed && gw.version === 2)
      context.report(
        error(
          "ApplicationGatewaySubnetMixesV1AndV2",
          `application gateway ${gw.name} (v2) and ${mixed.name} (v1) share subnet ${gw.subnet.id}; a subnet holds gateways of one generation`,
          at,
        ),
      );
  }
}

/** `GATEWAY/POOL` or `{ id }` of a pool, parsed; undefined (reported) when malformed. */
function poolRef(
  context: LoadBalancerContext,
  ref: ResourceRef,
  path: ValuePath,
): { gateway: string; pool: string } | undefined {
  if (typeof ref === "string" && !ref.startsWith("/")) {
    const [gateway, pool] = ref.split("/", 2);
    if (!gateway || !pool) {
      context.report(
        error(
          "InvalidResourceReference",
          `application gateway backend pool ${JSON.stringify(ref)}: write it as GATEWAY/POOL, or give its id`,
          path,
        ),
      );
      return undefined;
    }
    return { gateway, pool };
  }
  const found = referenced(ref, "applicationGateways/backendAddressPools");
  if (found.problem !== undefined) {
    context.report(error("InvalidResourceReference", found.problem, [...path, "id"]));
    return undefined;
  }
  return { gateway: found.parent ?? "", pool: found.name };
}

/** What IP configurations say they join (`applicationGatewayBackendAddressPools`), by `gateway\0pool`. */
function nicMemberships(
  context: LoadBalancerContext,
  gateways: readonly ApplicationGateway[],
): Map<string, BackendInfo[]> {
  const out = new Map<string, BackendInfo[]>();
  // Interfaces' IP configurations, then those of scale sets (each stands as an interface).
  const configs = [
    ...context.topology.networkInterfaces.map((nic, i) => ({
      nicName: nic.name,
      configs: nic.ipConfigurations.map((config, j) => ({
        config,
        index: j,
        path: ["networkInterfaces", i, "ipConfigurations", j] as ValuePath,
      })),
    })),
    ...scaleSetIpConfigurations(context.topology).map((c) => ({
      nicName: c.nicName,
      configs: [{ config: c.config, index: c.index, path: c.path }],
    })),
  ];
  configs.forEach((nic) => {
    const info = context.nics.get(nic.nicName);
    nic.configs.forEach(({ config, index: j, path: base }) => {
      (config.applicationGatewayBackendAddressPools ?? []).forEach((ref, k) => {
        const path: ValuePath = [...base, "applicationGatewayBackendAddressPools", k];
        const target = poolRef(context, ref, path);
        if (!target) return;
        const gw = findNamed(gateways, target.gateway);
        if (!gw) {
          context.report(
            error(
              "InvalidResourceReference",
              `application gateway ${JSON.stringify(target.gateway)} is not defined`,
              path,
            ),
          );
          return;
        }
        if (!findNamed(gw.backendAddressPools, target.pool)) {
          context.report(
            error(
              "InvalidResourceReference",
              `application gateway ${gw.name} has no backend pool ${JSON.stringify(target.pool)}`,
              path,
            ),
          );
          return;
        }
        const resolved = info?.ipConfigurations[j];
        if (!info || !resolved) return;
        const key = `${gw.name}\u0000${target.pool}`.toLowerCase();
        out.set(key, [...(out.get(key) ?? []), configBackend(info, resolved, config.name)]);
      });
    });
  });
  return out;
}

class GatewayResolver {
  private readonly label: string;
  private readonly version: 1 | 2;
  private readonly frontends: GatewayFrontendInfo[] = [];
  private readonly pools = new Map<string, GatewayBackendInfo[]>();

  constructor(
    private readonly context: LoadBalancerContext,
    private readonly gw: ApplicationGateway,
    private readonly path: ValuePath,
    private readonly members: Map<string, BackendInfo[]>,
  ) {
    this.label = `application gateway ${gw.name}`;
    this.version = gatewayVersion(gw.sku.tier);
  }

  private report(d: Diagnostic): void {
    this.context.report(d);
  }

  resolve(): ApplicationGatewayInfo | undefined {
    const gw = this.gw;
    this.checkChildNames(
      "gatewayIPConfigurations",
      "gateway IP configuration",
      gw.gatewayIPConfigurations,
    );
    this.checkChildNames("frontendIPConfigurations", "frontend", gw.frontendIPConfigurations);
    this.checkChildNames("frontendPorts", "frontend port", gw.frontendPorts);
    this.checkChildNames("httpListeners", "listener", gw.httpListeners);
    this.checkChildNames("backendAddressPools", "backend pool", gw.backendAddressPools);
    this.checkChildNames(
      "backendHttpSettingsCollection",
      "backend settings",
      gw.backendHttpSettingsCollection,
    );
    this.checkChildNames("requestRoutingRules", "request routing rule", gw.requestRoutingRules);
    if (gw.gatewayIPConfigurations.length !== 1) {
      this.report(
        error(
          "InvalidGatewayIPConfiguration",
          `${this.label} has ${gw.gatewayIPConfigurations.length} gateway IP configurations; it takes exactly one (its subnet)`,
          [...this.path, "gatewayIPConfigurations"],
        ),
      );
    }
    // Without its subnet the rest is still checked; the gateway is then left out.
    const ipConfigPath: ValuePath = [...this.path, "gatewayIPConfigurations", 0];
    const first = gw.gatewayIPConfigurations[0];
    const subnet = first && this.context.subnetRef(first.subnet, [...ipConfigPath, "subnet"]);
    const instanceAddress =
      subnet &&
      this.context.privateAddress(
        undefined,
        "IPv4",
        subnet,
        ipConfigPath,
        `${this.label}'s instances`,
      );
    if (gw.frontendIPConfigurations.length === 0)
      this.report(
        error(
          "ApplicationGatewayWithoutFrontend",
          `${this.label} has no frontend IP configuration`,
          [...this.path, "frontendIPConfigurations"],
        ),
      );
    gw.frontendIPConfigurations.forEach((f, i) => {
      this.addFrontend(f, subnet, [...this.path, "frontendIPConfigurations", i]);
    });
    for (const kind of ["public", "private"] as const) {
      const of = this.frontends.filter((f) => (f.publicIp ? "public" : "private") === kind);
      if (of.length > 1)
        this.report(
          error(
            "ApplicationGatewayFrontendsCount",
            `${this.label} has ${of.length} ${kind} frontends (${of.map((f) => f.name).join(", ")}); it takes one public and one private at most`,
            [...this.path, "frontendIPConfigurations"],
          ),
        );
    }
    gw.frontendPorts.forEach((p, i) => {
      this.checkPort(p.port, [...this.path, "frontendPorts", i, "port"], `frontend port ${p.name}`);
    });
    (gw.backendAddressPools ?? []).forEach((pool, i) => {
      this.addPool(pool, [...this.path, "backendAddressPools", i]);
    });
    (gw.backendHttpSettingsCollection ?? []).forEach((s, i) => {
      this.checkPort(
        s.port,
        [...this.path, "backendHttpSettingsCollection", i, "port"],
        `backend settings ${s.name}`,
      );
    });
    const listeners = this.listeners();
    if (!subnet || !instanceAddress) return undefined;
    return {
      name: gw.name,
      tier: gw.sku.tier,
      version: this.version,
      path: this.path,
      subnet,
      instanceAddress,
      frontends: this.frontends,
      listeners,
      pools: this.pools,
    };
  }

  private checkPort(port: number, path: ValuePath, what: string): boolean {
    if (Number.isInteger(port) && port >= 1 && port <= 65535) return true;
    this.report(
      error(
        "InvalidApplicationGatewayPort",
        `${this.label}: ${what}: port ${port} is not from 1 to 65535`,
        path,
      ),
    );
    return false;
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

  /** `subnet`: the gateway's, undefined when it is not known (reported). */
  private addFrontend(
    f: ApplicationGatewayFrontendIPConfiguration,
    subnet: SubnetInfo | undefined,
    path: ValuePath,
  ): void {
    const what = `${this.label}: frontend ${f.name}`;
    const isPrivate =
      f.subnet !== undefined ||
      f.privateIPAddress !== undefined ||
      f.privateIPAllocationMethod !== undefined;
    if ((f.publicIPAddress !== undefined) === isPrivate) {
      this.report(
        error(
          "InvalidFrontendIPConfiguration",
          `${what}: give a publicIPAddress, or a private address in the gateway's subnet (privateIPAddress, or privateIPAllocationMethod: Dynamic)`,
          path,
        ),
      );
      return;
    }
    const base = { gateway: this.gw.name, name: f.name, tier: this.gw.sku.tier };
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
      const wanted = this.version === 2 ? "Standard" : "Basic";
      if (pip.sku !== wanted)
        this.report(
          error(
            "ApplicationGatewayPublicIPSkuMismatch",
            `${what}: public IP address ${pip.name} is ${pip.sku}; a ${this.gw.sku.tier} (v${this.version}) gateway takes a ${wanted} one`,
            at,
          ),
        );
      this.frontends.push({ ...base, address: pip.address, publicIp: pip });
      return;
    }
    if (!subnet) return;
    if (f.subnet !== undefined) {
      const own = this.context.subnetRef(f.subnet, [...path, "subnet"]);
      if (!own) return;
      if (own.id !== subnet.id) {
        this.report(
          error(
            "InvalidFrontendIPConfiguration",
            `${what}: a private frontend is in the gateway's subnet ${subnet.id}, not ${own.id}`,
            [...path, "subnet"],
          ),
        );
        return;
      }
    }
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
    const address = this.context.privateAddress(f.privateIPAddress, "IPv4", subnet, path, what);
    if (address) this.frontends.push({ ...base, address, subnet });
  }

  private addPool(pool: ApplicationGatewayBackendAddressPool, path: ValuePath): void {
    const key = `${this.gw.name}\u0000${pool.name}`.toLowerCase();
    const backends: GatewayBackendInfo[] = (this.members.get(key) ?? []).map(inNetwork);
    (pool.backendIPConfigurations ?? []).forEach((ref, i) => {
      const b = configRef(this.context, ref, [...path, "backendIPConfigurations", i]);
      if (b) backends.push(inNetwork(b));
    });
    (pool.backendAddresses ?? []).forEach((a, i) => {
      const at: ValuePath = [...path, "backendAddresses", i];
      if ((a.ipAddress === undefined) === (a.fqdn === undefined)) {
        this.report(
          error(
            "InvalidBackendAddress",
            `${this.label}: backend pool ${pool.name}: a backend address gives its ipAddress or its fqdn`,
            at,
          ),
        );
        return;
      }
      if (a.fqdn !== undefined) {
        backends.push({ label: `${a.fqdn} (a name, resolved when running)`, fqdn: a.fqdn });
        return;
      }
      const address = parseIpAddress(a.ipAddress ?? "");
      if (!address) {
        this.report(
          error(
            "InvalidIPAddress",
            `${this.label}: ${JSON.stringify(a.ipAddress)} is not an IP address`,
            [...at, "ipAddress"],
          ),
        );
        return;
      }
      backends.push(this.addressBackend(address));
    });
    const unique = backends.filter(
      (b, i) =>
        backends.findIndex((o) =>
          b.address && o.address ? sameAddress(o.address, b.address) : o.fqdn === b.fqdn,
        ) === i,
    );
    this.pools.set(pool.name, unique);
  }

  /** An address: the IP configuration holding it, an address of a network, or one outside them all. */
  private addressBackend(address: IpAddress): GatewayBackendInfo {
    for (const nic of this.context.nics.values())
      for (const [j, config] of nic.ipConfigurations.entries())
        if (sameAddress(config.address, address)) {
          const name = this.context.topology.networkInterfaces.find((n) => same(n.name, nic.name))
            ?.ipConfigurations[j]?.name;
          return inNetwork(configBackend(nic, config, name));
        }
    for (const vnet of this.context.vnets.values())
      if (vnet.addressSpace.has(address)) {
        const subnet = vnet.subnets.find((s) => s.addresses.has(address));
        return inNetwork({
          address,
          vnet: vnet.name,
          ...(subnet ? { subnet } : {}),
          label: `${formatIpAddress(address)} (backend address${subnet ? ` in subnet ${subnet.id}` : ` in ${vnet.name}`})`,
        });
      }
    return { label: `${formatIpAddress(address)} (outside every virtual network)`, address };
  }

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
      if (found.parent !== undefined && !same(found.parent, this.gw.name)) {
        this.report(
          error(
            "InvalidResourceReference",
            `${this.label}: it uses its own ${what}s, not one of application gateway ${found.parent}`,
            [...path, "id"],
          ),
        );
        return undefined;
      }
      name = found.name;
    }
    const item = findNamed(items, name);
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

  /** Each listener, with the routing rules that take its requests. */
  private listeners(): GatewayListenerInfo[] {
    const gw = this.gw;
    const out: GatewayListenerInfo[] = [];
    const byName = new Map<string, { info: GatewayListenerInfo; routes: GatewayRouteInfo[] }>();
    (gw.httpListeners ?? []).forEach((l, i) => {
      const path: ValuePath = [...this.path, "httpListeners", i];
      const f = this.child(
        l.frontendIPConfiguration,
        "applicationGateways/frontendIPConfigurations",
        gw.frontendIPConfigurations,
        [...path, "frontendIPConfiguration"],
        "frontend",
      );
      const port = this.child(
        l.frontendPort,
        "applicationGateways/frontendPorts",
        gw.frontendPorts,
        [...path, "frontendPort"],
        "frontend port",
      );
      const frontend = f && this.frontends.find((x) => x.name === f.name);
      if (!frontend || !port) return;
      const routes: GatewayRouteInfo[] = [];
      const info = {
        name: l.name,
        path,
        frontend,
        port: port.port,
        protocol: l.protocol,
        routes,
      };
      byName.set(l.name.toLowerCase(), { info, routes });
      out.push(info);
    });
    const taken = new Map<string, string>();
    (gw.requestRoutingRules ?? []).forEach((rule, i) => {
      const path: ValuePath = [...this.path, "requestRoutingRules", i];
      const what = `${this.label}: request routing rule ${rule.name}`;
      const listener = this.child(
        rule.httpListener,
        "applicationGateways/httpListeners",
        gw.httpListeners,
        [...path, "httpListener"],
        "listener",
      );
      if (listener) {
        const other = taken.get(listener.name.toLowerCase());
        if (other !== undefined)
          this.report(
            error(
              "ApplicationGatewayListenerInUse",
              `${what}: listener ${listener.name} is already taken by rule ${other}; a listener has one routing rule`,
              [...path, "httpListener"],
            ),
          );
        else taken.set(listener.name.toLowerCase(), rule.name);
      }
      const redirect = rule.redirectConfiguration;
      if (
        redirect === undefined &&
        (rule.backendAddressPool === undefined || rule.backendHttpSettings === undefined)
      ) {
        this.report(
          error(
            "InvalidRequestRoutingRule",
            `${what} sends requests nowhere: give its backendAddressPool and backendHttpSettings, or a redirectConfiguration`,
            path,
          ),
        );
        return;
      }
      const pool = this.child(
        rule.backendAddressPool,
        "applicationGateways/backendAddressPools",
        gw.backendAddressPools,
        [...path, "backendAddressPool"],
        "backend pool",
      );
      const settings = this.child(
        rule.backendHttpSettings,
        "applicationGateways/backendHttpSettingsCollection",
        gw.backendHttpSettingsCollection,
        [...path, "backendHttpSettings"],
        "backend settings",
      );
      const target = listener && byName.get(listener.name.toLowerCase());
      if (!target) return;
      if (redirect !== undefined && pool === undefined) {
        target.routes.push({ rule: rule.name, path, redirect: refName(redirect), backends: [] });
        return;
      }
      if (!pool || !settings) return;
      target.routes.push({
        rule: rule.name,
        path,
        pool: pool.name,
        backends: this.pools.get(pool.name) ?? [],
        settings: { name: settings.name, port: settings.port, protocol: settings.protocol },
      });
    });
    return out;
  }
}

function inNetwork(b: BackendInfo): GatewayBackendInfo {
  return { label: b.label, address: b.address, inNetwork: b };
}
