/**
 * Load balancers in ARM JSON (templates, and `az network lb show/list`
 * output, where each child's properties are lifted): frontends, backend pools,
 * load-balancing rules, inbound NAT rules and probes, written inline or as
 * child resources (`loadBalancers/inboundNatRules`, `loadBalancers/backendAddressPools`)
 * in any order, inbound NAT pools (which scale sets name) and outbound rules
 * (which decide the address backends leave for the Internet from).
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import {
  type BackendAddressPool,
  type FrontendIPConfiguration,
  type InboundNatPool,
  type InboundNatRule,
  LOAD_BALANCER_PROTOCOLS,
  LOAD_BALANCER_SKUS,
  type LoadBalancer,
  type LoadBalancerBackendAddress,
  type LoadBalancingRule,
  type OutboundRule,
  PROBE_PROTOCOLS,
  type Probe,
} from "../../model/load-balancer-types.js";
import type { ResourceRef } from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origin, Origins } from "../shared/origins.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";

export const LOAD_BALANCER_TYPE = "Microsoft.Network/loadBalancers";
export const INBOUND_NAT_RULE_TYPE = "Microsoft.Network/loadBalancers/inboundNatRules";
export const BACKEND_POOL_TYPE = "Microsoft.Network/loadBalancers/backendAddressPools";
export const LOAD_BALANCER_TYPES = [LOAD_BALANCER_TYPE, INBOUND_NAT_RULE_TYPE, BACKEND_POOL_TYPE];

/** The lists of a load balancer the model reads, which property copy loops may make. */
export const LOAD_BALANCER_LISTS = [
  "frontendIPConfigurations",
  "backendAddressPools",
  "loadBalancingRules",
  "inboundNatRules",
  "inboundNatPools",
  "probes",
  "outboundRules",
];

/** An item of a list property, as resources.ts gives it (written, or made by a copy loop). */
export interface LoadBalancerListItem {
  readonly raw: unknown;
  readonly path: ValuePath;
}

/** What reading a load balancer needs of the template reader (resources.ts). */
export interface LoadBalancerReading {
  /** A value, reported (with what it leaves out) when not known. */
  value(obj: JsonObject, key: string, path: ValuePath): unknown;
  /** A name; what cannot be known in it is a placeholder. */
  name(obj: JsonObject, key: string, path: ValuePath): string | undefined;
  /** A `{ id }` reference as a model reference (`subnet`: kept as `vnet/subnet`). */
  ref(value: unknown, path: ValuePath, subnet?: boolean): ResourceRef | undefined;
  /** A public IP reference, recorded so that one no file declares stays a public endpoint. */
  publicIpRef(raw: unknown, path: ValuePath, owner: string, item: string): ResourceRef | undefined;
  peek(raw: unknown): unknown;
  props(resource: JsonObject): { obj: JsonObject; at: string[] };
  report(severity: Severity, code: string, message: string, path: ValuePath): void;
  /** Runs `read` with what its unknown values leave out. */
  leaving<V>(leftOut: LeftOut, read: () => V): V;
  /** Runs `read` in the copy of a property copy loop that made the item. */
  inCopy(item: LoadBalancerListItem, read: () => void): void;
  readonly at: (path: ValuePath) => Origin;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The key `obj` writes `name` under: ARM reads property names in any case (`frontendIpConfigurations`). */
function keyIn(obj: JsonObject, name: string): string {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

interface Draft {
  name: string;
  location?: string;
  sku?: LoadBalancer["sku"];
  declared: boolean;
  path: ValuePath;
  frontendIPConfigurations: FrontendIPConfiguration[];
  backendAddressPools: BackendAddressPool[];
  loadBalancingRules: LoadBalancingRule[];
  inboundNatRules: InboundNatRule[];
  inboundNatPools: InboundNatPool[];
  probes: Probe[];
  outboundRules: OutboundRule[];
}

/** An id of a scale set instance's IP configuration (…/virtualMachineScaleSets/…), as az output lists them. */
function isScaleSetInstanceRef(ref: ResourceRef): boolean {
  return typeof ref !== "string" && /\/virtualMachineScaleSets\//i.test(ref.id);
}

export class LoadBalancerReader {
  private readonly drafts = new Map<string, Draft>();

  constructor(
    private readonly r: LoadBalancerReading,
    private readonly origins: Origins,
  ) {}

  private draft(name: string, path: ValuePath): Draft {
    const key = name.toLowerCase();
    let d = this.drafts.get(key);
    if (!d) {
      d = {
        name,
        declared: false,
        path,
        frontendIPConfigurations: [],
        backendAddressPools: [],
        loadBalancingRules: [],
        inboundNatRules: [],
        inboundNatPools: [],
        probes: [],
        outboundRules: [],
      };
      this.drafts.set(key, d);
    }
    return d;
  }

  private leftOut(what: string): LeftOut {
    return { kind: "loadBalancer", what };
  }

  /** A `Microsoft.Network/loadBalancers` resource, its lists read through `items` (copies included). */
  loadBalancer(
    resource: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
    items: (key: string) => LoadBalancerListItem[],
  ): void {
    const d = this.draft(name, path);
    if (d.declared) {
      this.r.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: ${name} is declared a second time in this document`,
        [...path, "name"],
      );
      return;
    }
    d.declared = true;
    d.path = path;
    if (location !== undefined) d.location = location;
    const label = `load balancer ${JSON.stringify(name)}`;
    const skuRaw = isObject(resource.sku) ? resource.sku.name : resource.sku;
    const skuText = this.r.peek(skuRaw);
    const sku = LOAD_BALANCER_SKUS.find(
      (s) => typeof skuText === "string" && s.toLowerCase() === skuText.toLowerCase(),
    );
    if (typeof skuText === "string" && skuText.toLowerCase() === "gateway") {
      this.r.report(
        "warning",
        NOT_MODELLED_CODE,
        `${pathText(path)}: ${label} is a Gateway load balancer, which chains traffic through network virtual appliances; it is not modelled`,
        path,
      );
      this.drafts.delete(name.toLowerCase());
      return;
    }
    if (sku === undefined && skuRaw !== undefined)
      this.r.report(
        "info",
        "LoadBalancerSkuNotKnown",
        `${pathText([...path, "sku"])}: ${label} has a SKU (${JSON.stringify(skuRaw)}) not known to be Basic or Standard; it is read as Basic, open to inbound traffic where no NSG applies`,
        [...path, "sku"],
      );
    // A load balancer without a SKU is Basic, Azure's default.
    d.sku = sku ?? "Basic";
    this.origins.record(d, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      sku: this.r.at([...path, "sku"]),
    });
    const { obj } = this.r.props(resource);
    for (const item of items(keyIn(obj, "frontendIPConfigurations")))
      this.r.inCopy(item, () => this.frontend(item, d));
    for (const item of items(keyIn(obj, "backendAddressPools")))
      this.r.inCopy(item, () => this.pool(item.raw, item.path, d));
    for (const item of items(keyIn(obj, "loadBalancingRules")))
      this.r.inCopy(item, () => this.rule(item, d));
    for (const item of items(keyIn(obj, "inboundNatRules")))
      this.r.inCopy(item, () => this.natRule(item.raw, item.path, d));
    for (const item of items(keyIn(obj, "probes"))) this.r.inCopy(item, () => this.probe(item, d));
    for (const item of items(keyIn(obj, "inboundNatPools")))
      this.r.inCopy(item, () => this.natPool(item, d));
    for (const item of items(keyIn(obj, "outboundRules")))
      this.r.inCopy(item, () => this.outboundRule(item, d));
  }

  /** A child resource: `LB/NAME` of type inboundNatRules or backendAddressPools. */
  child(type: string, resource: JsonObject, path: ValuePath, segments: readonly string[]): void {
    const [lbName, childName] = segments;
    if (lbName === undefined || childName === undefined) return;
    const d = this.draft(lbName, path);
    const named = { ...resource, name: childName };
    if (type.toLowerCase() === INBOUND_NAT_RULE_TYPE.toLowerCase())
      this.natRule(named, path, d, childName);
    else this.pool(named, path, d, childName);
  }

  /** The load balancers read; one only child resources name is left out, named. */
  loadBalancers(): LoadBalancer[] {
    const out: LoadBalancer[] = [];
    for (const d of this.drafts.values()) {
      if (!d.declared) {
        this.r.report(
          "warning",
          "LoadBalancerNotDeclared",
          `${pathText(d.path)}: load balancer ${JSON.stringify(d.name)} is not declared in this document, so its frontends are not known; its ${d.inboundNatRules.length > 0 ? "inbound NAT rules" : "backend pools"} declared here are left out`,
          d.path,
        );
        continue;
      }
      const lb: LoadBalancer = {
        name: d.name,
        ...(d.location === undefined ? {} : { location: d.location }),
        sku: d.sku ?? "Basic",
        frontendIPConfigurations: d.frontendIPConfigurations,
        ...(d.backendAddressPools.length > 0 ? { backendAddressPools: d.backendAddressPools } : {}),
        ...(d.loadBalancingRules.length > 0 ? { loadBalancingRules: d.loadBalancingRules } : {}),
        ...(d.inboundNatRules.length > 0 ? { inboundNatRules: d.inboundNatRules } : {}),
        ...(d.inboundNatPools.length > 0 ? { inboundNatPools: d.inboundNatPools } : {}),
        ...(d.probes.length > 0 ? { probes: d.probes } : {}),
        ...(d.outboundRules.length > 0 ? { outboundRules: d.outboundRules } : {}),
      };
      this.origins.carry(d, lb);
      out.push(lb);
    }
    return out;
  }

  /** The child's name, its properties, and where they are. */
  private open(
    raw: unknown,
    path: ValuePath,
    kind: string,
    lb: Draft,
    givenName?: string,
  ): { name: string; obj: JsonObject; base: ValuePath } | undefined {
    if (!isObject(raw)) {
      this.r.report(
        "error",
        "InvalidPropertyType",
        `${pathText(path)}: a ${kind} should be an object`,
        path,
      );
      return undefined;
    }
    const name =
      givenName ??
      this.r.leaving(this.leftOut(`a ${kind} of load balancer ${JSON.stringify(lb.name)}`), () =>
        this.r.name(raw, "name", path),
      );
    if (name === undefined) {
      if (raw.name === undefined)
        this.r.report(
          "error",
          "MissingProperty",
          `${pathText(path)}: the ${kind} has no name`,
          path,
        );
      return undefined;
    }
    const { obj, at } = this.r.props(raw);
    return { name, obj, base: [...path, ...at] };
  }

  /** A reference property, reported when missing and required. */
  private refAt(
    obj: JsonObject,
    key: string,
    base: ValuePath,
    subnet = false,
  ): ResourceRef | undefined {
    key = keyIn(obj, key);
    if (obj[key] === undefined || obj[key] === null) return undefined;
    return this.r.ref(obj[key], [...base, key], subnet);
  }

  private refsAt(obj: JsonObject, key: string, base: ValuePath): ResourceRef[] {
    key = keyIn(obj, key);
    const list = obj[key];
    if (!Array.isArray(list)) return [];
    return list.flatMap((item, i) => {
      const ref = this.r.ref(item, [...base, key, i]);
      return ref === undefined ? [] : [ref];
    });
  }

  /** A whole number from `min` to 65535, or undefined (reported) when not known or not one. */
  private port(obj: JsonObject, key: string, base: ValuePath): number | undefined {
    key = keyIn(obj, key);
    const v = this.r.value(obj, key, base);
    if (v === undefined || v === null) return undefined;
    const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === "number" && Number.isInteger(n)) return n;
    this.r.report(
      "error",
      "InvalidPropertyType",
      `${pathText([...base, key])}: ${key} should be a port number`,
      [...base, key],
    );
    return undefined;
  }

  private pick<T extends string>(
    options: readonly T[],
    obj: JsonObject,
    key: string,
    base: ValuePath,
  ): T | undefined {
    key = keyIn(obj, key);
    const v = this.r.value(obj, key, base);
    if (v === undefined || v === null) return undefined;
    const found = options.find((o) => typeof v === "string" && o.toLowerCase() === v.toLowerCase());
    if (found === undefined)
      this.r.report(
        "error",
        "InvalidPropertyValue",
        `${pathText([...base, key])}: ${JSON.stringify(v)} is not one of ${options.join(", ")}`,
        [...base, key],
      );
    return found;
  }

  private flag(obj: JsonObject, key: string): boolean | undefined {
    key = keyIn(obj, key);
    const v = this.r.peek(obj[key]);
    return typeof v === "boolean" ? v : undefined;
  }

  private frontend(item: LoadBalancerListItem, lb: Draft): void {
    const opened = this.open(item.raw, item.path, "frontend IP configuration", lb);
    if (!opened) return;
    const { name, obj, base } = opened;
    this.r.leaving(
      this.leftOut(`frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`),
      () => {
        const f: Mutable<FrontendIPConfiguration> = { name };
        const pipKey = keyIn(obj, "publicIPAddress");
        if (obj[pipKey] !== undefined && obj[pipKey] !== null) {
          const pip = this.r.publicIpRef(obj[pipKey], [...base, pipKey], lb.name, name);
          if (pip !== undefined) f.publicIPAddress = pip;
        } else {
          const subnet = this.refAt(obj, "subnet", base, true);
          if (subnet !== undefined) f.subnet = subnet;
          const address = this.r.value(obj, keyIn(obj, "privateIPAddress"), base);
          const method = this.r.peek(obj[keyIn(obj, "privateIPAllocationMethod")]);
          if (typeof address === "string" && address !== "" && method !== "Dynamic")
            f.privateIPAddress = address;
          else f.privateIPAllocationMethod = "Dynamic";
          const version = this.r.peek(obj[keyIn(obj, "privateIPAddressVersion")]);
          if (typeof version === "string" && version.toLowerCase() === "ipv6")
            f.privateIPAddressVersion = "IPv6";
        }
        if (f.publicIPAddress === undefined && f.subnet === undefined) {
          this.r.report(
            "warning",
            "IncompleteFrontendIPConfiguration",
            `${pathText(item.path)}: frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)} has neither a known public IP address nor a known subnet; it is left out, with the rules that use it`,
            item.path,
          );
          return;
        }
        this.origins.record(f, this.r.at(item.path), {
          name: this.r.at([...item.path, "name"]),
          publicIPAddress: this.r.at([...base, "publicIPAddress"]),
          subnet: this.r.at([...base, "subnet"]),
          privateIPAddress: this.r.at([...base, "privateIPAddress"]),
        });
        lb.frontendIPConfigurations.push(f);
      },
    );
  }

  private pool(raw: unknown, path: ValuePath, lb: Draft, givenName?: string): void {
    const opened = this.open(raw, path, "backend address pool", lb, givenName);
    if (!opened) return;
    const { name, obj, base } = opened;
    if (lb.backendAddressPools.some((p) => p.name.toLowerCase() === name.toLowerCase())) return;
    const pool: Mutable<BackendAddressPool> = { name };
    const addresses: LoadBalancerBackendAddress[] = [];
    const list = obj[keyIn(obj, "loadBalancerBackendAddresses")];
    if (Array.isArray(list))
      list.forEach((a, i) => {
        if (!isObject(a)) return;
        const at = [...base, "loadBalancerBackendAddresses", i];
        const { obj: ao, at: aAt } = this.r.props(a);
        const aBase = [...at, ...aAt];
        const ipAddress = this.r.value(ao, keyIn(ao, "ipAddress"), aBase);
        if (typeof ipAddress !== "string") return;
        const vnet = this.refAt(ao, "virtualNetwork", aBase);
        const subnet = this.refAt(ao, "subnet", aBase, true);
        const entry = {
          ...(typeof a.name === "string" ? { name: a.name } : {}),
          ipAddress,
          ...(vnet === undefined ? {} : { virtualNetwork: vnet }),
          ...(subnet === undefined ? {} : { subnet }),
        };
        this.origins.record(entry, this.r.at(at), {
          ipAddress: this.r.at([...aBase, "ipAddress"]),
        });
        addresses.push(entry);
      });
    if (addresses.length > 0) pool.loadBalancerBackendAddresses = addresses;
    // az output lists the members on the pool too; a scale set's instances name their pools themselves.
    const members = this.refsAt(obj, "backendIPConfigurations", base).filter(
      (m) => !isScaleSetInstanceRef(m),
    );
    if (members.length > 0) pool.backendIPConfigurations = members;
    this.origins.record(pool, this.r.at(path), { name: this.r.at([...path, "name"]) });
    lb.backendAddressPools.push(pool);
  }

  private rule(item: LoadBalancerListItem, lb: Draft): void {
    const opened = this.open(item.raw, item.path, "load-balancing rule", lb);
    if (!opened) return;
    const { name, obj, base } = opened;
    const what = `load-balancing rule ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`;
    this.r.leaving(this.leftOut(what), () => {
      const frontend = this.refAt(obj, "frontendIPConfiguration", base);
      const protocol = this.pick(LOAD_BALANCER_PROTOCOLS, obj, "protocol", base);
      const frontendPort = this.port(obj, "frontendPort", base);
      const backendPort = this.port(obj, "backendPort", base);
      if (frontend === undefined || protocol === undefined || frontendPort === undefined) {
        this.incomplete(item.path, what, "frontend, protocol and frontend port");
        return;
      }
      const pool = this.refAt(obj, "backendAddressPool", base);
      const pools = this.refsAt(obj, "backendAddressPools", base);
      const probe = this.refAt(obj, "probe", base);
      const floating = this.flag(obj, "enableFloatingIP");
      const rule: LoadBalancingRule = {
        name,
        frontendIPConfiguration: frontend,
        ...(pool === undefined ? {} : { backendAddressPool: pool }),
        // az prints the one pool in both properties: keep it once.
        ...(pools.length > 0 && !(pools.length === 1 && pool !== undefined)
          ? { backendAddressPools: pools }
          : {}),
        ...(probe === undefined ? {} : { probe }),
        protocol,
        frontendPort,
        ...(backendPort === undefined ? {} : { backendPort }),
        ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      };
      this.record(rule, item.path, base);
      lb.loadBalancingRules.push(rule);
    });
  }

  private natRule(raw: unknown, path: ValuePath, lb: Draft, givenName?: string): void {
    const opened = this.open(raw, path, "inbound NAT rule", lb, givenName);
    if (!opened) return;
    const { name, obj, base } = opened;
    if (lb.inboundNatRules.some((r) => r.name.toLowerCase() === name.toLowerCase())) {
      this.r.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: inbound NAT rule ${name} of load balancer ${lb.name} is declared a second time in this document`,
        [...path, "name"],
      );
      return;
    }
    const what = `inbound NAT rule ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`;
    this.r.leaving(this.leftOut(what), () => {
      const frontend = this.refAt(obj, "frontendIPConfiguration", base);
      const protocol = this.pick(LOAD_BALANCER_PROTOCOLS, obj, "protocol", base);
      const backendPort = this.port(obj, "backendPort", base);
      const frontendPort = this.port(obj, "frontendPort", base);
      const start = this.port(obj, "frontendPortRangeStart", base);
      const end = this.port(obj, "frontendPortRangeEnd", base);
      const pool = this.refAt(obj, "backendAddressPool", base);
      const config = this.refAt(obj, "backendIPConfiguration", base);
      const v2 = start !== undefined || end !== undefined || pool !== undefined;
      if (config !== undefined && isScaleSetInstanceRef(config)) {
        // What Azure makes of an inbound NAT pool for each instance (az output): read through the pool.
        this.r.report(
          "info",
          "ScaleSetInstanceNatRule",
          `${pathText(path)}: ${what} is one instance's port of a scale set's inbound NAT pool; it is read through the pool`,
          path,
        );
        return;
      }
      if (
        frontend === undefined ||
        protocol === undefined ||
        backendPort === undefined ||
        (v2 ? start === undefined || end === undefined : frontendPort === undefined)
      ) {
        this.incomplete(path, what, "frontend, protocol and ports");
        return;
      }
      const floating = this.flag(obj, "enableFloatingIP");
      const rule: InboundNatRule = {
        name,
        frontendIPConfiguration: frontend,
        protocol,
        ...(v2
          ? {
              frontendPortRangeStart: start,
              frontendPortRangeEnd: end,
              ...(pool === undefined ? {} : { backendAddressPool: pool }),
            }
          : { frontendPort }),
        ...(!v2 && config !== undefined ? { backendIPConfiguration: config } : {}),
        backendPort,
        ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      } as InboundNatRule;
      this.record(rule, path, base);
      lb.inboundNatRules.push(rule);
    });
  }

  /** An inbound NAT pool: a port range, one port for each scale set instance that names it. */
  private natPool(item: LoadBalancerListItem, lb: Draft): void {
    const opened = this.open(item.raw, item.path, "inbound NAT pool", lb);
    if (!opened) return;
    const { name, obj, base } = opened;
    const what = `inbound NAT pool ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`;
    this.r.leaving(this.leftOut(what), () => {
      const frontend = this.refAt(obj, "frontendIPConfiguration", base);
      const protocol = this.pick(LOAD_BALANCER_PROTOCOLS, obj, "protocol", base);
      const start = this.port(obj, "frontendPortRangeStart", base);
      const end = this.port(obj, "frontendPortRangeEnd", base);
      const backendPort = this.port(obj, "backendPort", base);
      if (
        frontend === undefined ||
        protocol === undefined ||
        start === undefined ||
        end === undefined ||
        backendPort === undefined
      ) {
        this.incomplete(item.path, what, "frontend, protocol and ports");
        return;
      }
      const floating = this.flag(obj, "enableFloatingIP");
      const pool: InboundNatPool = {
        name,
        frontendIPConfiguration: frontend,
        protocol,
        frontendPortRangeStart: start,
        frontendPortRangeEnd: end,
        backendPort,
        ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      };
      this.record(pool, item.path, base);
      lb.inboundNatPools.push(pool);
    });
  }

  /** An outbound rule: its public frontends, its pool and protocol. */
  private outboundRule(item: LoadBalancerListItem, lb: Draft): void {
    const opened = this.open(item.raw, item.path, "outbound rule", lb);
    if (!opened) return;
    const { name, obj, base } = opened;
    const what = `outbound rule ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`;
    this.r.leaving(this.leftOut(what), () => {
      const frontends = this.refsAt(obj, "frontendIPConfigurations", base);
      const pool = this.refAt(obj, "backendAddressPool", base);
      const protocol = this.pick(LOAD_BALANCER_PROTOCOLS, obj, "protocol", base);
      if (frontends.length === 0 || pool === undefined || protocol === undefined) {
        this.incomplete(item.path, what, "frontends, backend pool and protocol");
        return;
      }
      const ports = this.r.peek(obj[keyIn(obj, "allocatedOutboundPorts")]);
      const idle = this.r.peek(obj[keyIn(obj, "idleTimeoutInMinutes")]);
      const reset = this.flag(obj, "enableTcpReset");
      const rule: OutboundRule = {
        name,
        frontendIPConfigurations: frontends,
        backendAddressPool: pool,
        protocol,
        ...(typeof ports === "number" ? { allocatedOutboundPorts: ports } : {}),
        ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
        ...(reset === undefined ? {} : { enableTcpReset: reset }),
      };
      this.record(rule, item.path, base);
      lb.outboundRules.push(rule);
    });
  }

  private probe(item: LoadBalancerListItem, lb: Draft): void {
    const opened = this.open(item.raw, item.path, "probe", lb);
    if (!opened) return;
    const { name, obj, base } = opened;
    const what = `probe ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb.name)}`;
    this.r.leaving(this.leftOut(what), () => {
      const protocol = this.pick(PROBE_PROTOCOLS, obj, "protocol", base);
      const port = this.port(obj, "port", base);
      if (protocol === undefined || port === undefined) {
        this.incomplete(item.path, what, "protocol and port");
        return;
      }
      const path = this.r.peek(obj[keyIn(obj, "requestPath")]);
      const probe: Probe = {
        name,
        protocol,
        port,
        ...(typeof path === "string" ? { requestPath: path } : {}),
      };
      this.record(probe, item.path, base);
      lb.probes.push(probe);
    });
  }

  private record(object: object, path: ValuePath, base: ValuePath): void {
    const fields: Record<string, Origin> = { name: this.r.at([...path, "name"]) };
    for (const key of Object.keys(object))
      if (key !== "name") fields[key] = this.r.at([...base, key]);
    this.origins.record(object, this.r.at(path), fields);
  }

  private incomplete(path: ValuePath, what: string, needed: string): void {
    this.r.report(
      "warning",
      "IncompleteLoadBalancerRule",
      `${pathText(path)}: ${what} is left out: its ${needed} are not all known`,
      path,
    );
  }
}
