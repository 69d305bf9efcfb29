/**
 * Application gateways in ARM JSON (templates, and `az network
 * application-gateway show/list` output, where each child's properties are
 * lifted): the SKU's tier, the gateway's subnet, frontends, frontend ports,
 * listeners, backend pools, backend settings and request routing rules, with
 * property names in any case (quickstarts write `Port`, `BackendAddresses`,
 * `Id`). Path-based rules (URL path maps) are named as not modelled, and left
 * out: the spec then sends less to backends, never more.
 */

import {
  APPLICATION_GATEWAY_PROTOCOLS,
  APPLICATION_GATEWAY_TIERS,
  type ApplicationGateway,
  type ApplicationGatewayBackendAddress,
  type ApplicationGatewayBackendAddressPool,
  type ApplicationGatewayBackendHttpSettings,
  type ApplicationGatewayFrontendIPConfiguration,
  type ApplicationGatewayFrontendPort,
  type ApplicationGatewayHttpListener,
  type ApplicationGatewayIPConfiguration,
  type ApplicationGatewayRequestRoutingRule,
  type ApplicationGatewayTier,
} from "../../model/application-gateway-types.js";
import type { ValuePath } from "../../model/diagnostic.js";
import type { ResourceRef } from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origins } from "../shared/origins.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import type { LoadBalancerListItem, LoadBalancerReading } from "./load-balancers.js";

export const APPLICATION_GATEWAY_TYPE = "Microsoft.Network/applicationGateways";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The key `obj` writes `name` under, in any case. */
function keyIn(obj: JsonObject, name: string): string {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

/** The tier a SKU's name implies: `Standard_v2`, `WAF_Medium` (v1 WAF), `Standard_Small` (v1). */
function tierOfName(name: string): ApplicationGatewayTier | undefined {
  const exact = APPLICATION_GATEWAY_TIERS.find((t) => t.toLowerCase() === name.toLowerCase());
  if (exact) return exact;
  if (/^waf_/i.test(name)) return "WAF";
  if (/^standard_/i.test(name)) return "Standard";
  return undefined;
}

export class ApplicationGatewayReader {
  private readonly gateways: ApplicationGateway[] = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly r: LoadBalancerReading,
    private readonly origins: Origins,
  ) {}

  private leftOut(what: string): LeftOut {
    // Left out, it forwards nothing in the spec: the Internet reaches less (shared/left-out.ts).
    return { kind: "loadBalancer", what };
  }

  /** The application gateways read. */
  applicationGateways(): ApplicationGateway[] {
    return this.gateways;
  }

  /** A `Microsoft.Network/applicationGateways` resource. */
  gateway(
    resource: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
    items: (key: string) => LoadBalancerListItem[],
  ): void {
    if (this.names.has(name.toLowerCase())) {
      this.r.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: ${name} is declared a second time in this document`,
        [...path, "name"],
      );
      return;
    }
    this.names.add(name.toLowerCase());
    const label = `application gateway ${JSON.stringify(name)}`;
    const { obj, at } = this.r.props(resource);
    const base = [...path, ...at];
    const sku = this.sku(resource, obj, path, base, label);
    const list = <T>(key: string, read: (item: LoadBalancerListItem) => T | undefined): T[] => {
      const out: T[] = [];
      for (const item of items(keyIn(obj, key)))
        this.r.inCopy(item, () => {
          const v = read(item);
          if (v !== undefined) out.push(v);
        });
      return out;
    };
    const gatewayIPConfigurations = list("gatewayIPConfigurations", (i) =>
      this.ipConfiguration(i, name),
    );
    if (gatewayIPConfigurations.length === 0) {
      this.r.report(
        "warning",
        "IncompleteApplicationGateway",
        `${pathText(path)}: ${label} has no gateway IP configuration with a known subnet; it is left out`,
        path,
      );
      return;
    }
    const frontendIPConfigurations = list("frontendIPConfigurations", (i) =>
      this.frontend(i, name),
    );
    const frontendPorts = list("frontendPorts", (i) => this.frontendPort(i, name));
    const httpListeners = list("httpListeners", (i) => this.listener(i, name));
    const backendAddressPools = list("backendAddressPools", (i) => this.pool(i, name));
    const backendHttpSettingsCollection = list("backendHttpSettingsCollection", (i) =>
      this.settings(i, name),
    );
    const requestRoutingRules = list("requestRoutingRules", (i) => this.routingRule(i, name));
    const gw: ApplicationGateway = {
      name,
      ...(location === undefined ? {} : { location }),
      sku,
      gatewayIPConfigurations,
      frontendIPConfigurations,
      frontendPorts,
      ...(httpListeners.length > 0 ? { httpListeners } : {}),
      ...(backendAddressPools.length > 0 ? { backendAddressPools } : {}),
      ...(backendHttpSettingsCollection.length > 0 ? { backendHttpSettingsCollection } : {}),
      ...(requestRoutingRules.length > 0 ? { requestRoutingRules } : {}),
    };
    this.origins.record(gw, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      sku: this.r.at([...base, "sku"]),
    });
    this.gateways.push(gw);
  }

  /** The SKU (under properties in templates, beside them in some outputs): its tier decides v1 or v2. */
  private sku(
    resource: JsonObject,
    obj: JsonObject,
    path: ValuePath,
    base: ValuePath,
    label: string,
  ): ApplicationGateway["sku"] {
    const inProps = obj[keyIn(obj, "sku")];
    const raw = isObject(inProps) ? inProps : resource[keyIn(resource, "sku")];
    const at = isObject(inProps) ? [...base, keyIn(obj, "sku")] : [...path, "sku"];
    const sku = isObject(raw) ? raw : {};
    const tierText = this.r.peek(sku[keyIn(sku, "tier")]);
    const nameText = this.r.peek(sku[keyIn(sku, "name")]);
    const capacity = this.r.peek(sku[keyIn(sku, "capacity")]);
    const tier =
      (typeof tierText === "string" ? tierOfName(tierText) : undefined) ??
      (typeof nameText === "string" ? tierOfName(nameText) : undefined);
    if (tier === undefined)
      this.r.report(
        "warning",
        "ApplicationGatewaySkuNotKnown",
        `${pathText(at)}: the tier of ${label} is not known (${JSON.stringify(sku.tier ?? sku.name ?? null)}); it is read as Standard_v2, whose subnet needs the most (GatewayManager on 65200-65535)`,
        at,
      );
    return {
      ...(typeof nameText === "string" ? { name: nameText } : {}),
      tier: tier ?? "Standard_v2",
      ...(typeof capacity === "number" && Number.isInteger(capacity) ? { capacity } : {}),
    };
  }

  /** The child's name (`name` or `Name`), its properties, and where they are. */
  private open(
    item: LoadBalancerListItem,
    kind: string,
    gateway: string,
  ): { name: string; obj: JsonObject; base: ValuePath } | undefined {
    const raw = item.raw;
    if (!isObject(raw)) {
      this.r.report(
        "error",
        "InvalidPropertyType",
        `${pathText(item.path)}: a ${kind} should be an object`,
        item.path,
      );
      return undefined;
    }
    const name = this.r.leaving(
      this.leftOut(`a ${kind} of application gateway ${JSON.stringify(gateway)}`),
      () => this.r.name(raw, keyIn(raw, "name"), item.path),
    );
    if (name === undefined) {
      if (raw[keyIn(raw, "name")] === undefined)
        this.r.report(
          "error",
          "MissingProperty",
          `${pathText(item.path)}: the ${kind} has no name`,
          item.path,
        );
      return undefined;
    }
    const { obj, at } = this.r.props(raw);
    return { name, obj, base: [...item.path, ...at] };
  }

  /** A reference, `{ id }` or `{ Id }`; undefined when absent or not known (reported). */
  private refAt(
    obj: JsonObject,
    key: string,
    base: ValuePath,
    subnet = false,
  ): ResourceRef | undefined {
    const k = keyIn(obj, key);
    const v = obj[k];
    if (v === undefined || v === null) return undefined;
    const value = isObject(v) && !("id" in v) && "Id" in v ? { id: v.Id } : v;
    return this.r.ref(value, [...base, k], subnet);
  }

  private port(obj: JsonObject, key: string, base: ValuePath): number | undefined {
    const k = keyIn(obj, key);
    const v = this.r.value(obj, k, base);
    if (v === undefined || v === null) return undefined;
    const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n === "number" && Number.isInteger(n)) return n;
    this.r.report(
      "error",
      "InvalidPropertyType",
      `${pathText([...base, k])}: ${key} should be a port number`,
      [...base, k],
    );
    return undefined;
  }

  private protocol(
    obj: JsonObject,
    base: ValuePath,
  ): ApplicationGatewayBackendHttpSettings["protocol"] | undefined {
    const k = keyIn(obj, "protocol");
    const v = this.r.value(obj, k, base);
    if (v === undefined || v === null) return undefined;
    const found = APPLICATION_GATEWAY_PROTOCOLS.find(
      (p) => typeof v === "string" && p.toLowerCase() === v.toLowerCase(),
    );
    if (found === undefined)
      this.r.report(
        "error",
        "InvalidPropertyValue",
        `${pathText([...base, k])}: ${JSON.stringify(v)} is not one of ${APPLICATION_GATEWAY_PROTOCOLS.join(", ")}`,
        [...base, k],
      );
    return found;
  }

  private incomplete(path: ValuePath, what: string, needed: string): void {
    this.r.report(
      "warning",
      "IncompleteApplicationGateway",
      `${pathText(path)}: ${what} is left out: its ${needed} are not all known`,
      path,
    );
  }

  private record(object: object, path: ValuePath, base: ValuePath): void {
    const fields: Record<string, ReturnType<LoadBalancerReading["at"]>> = {
      name: this.r.at([...path, "name"]),
    };
    for (const key of Object.keys(object))
      if (key !== "name") fields[key] = this.r.at([...base, key]);
    this.origins.record(object, this.r.at(path), fields);
  }

  private ipConfiguration(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayIPConfiguration | undefined {
    const opened = this.open(item, "gateway IP configuration", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `gateway IP configuration ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const subnet = this.refAt(obj, "subnet", base, true);
      if (subnet === undefined) {
        this.incomplete(item.path, what, "subnet");
        return undefined;
      }
      const config = { name, subnet };
      this.record(config, item.path, base);
      return config;
    });
  }

  private frontend(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayFrontendIPConfiguration | undefined {
    const opened = this.open(item, "frontend IP configuration", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `frontend ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const f: Mutable<ApplicationGatewayFrontendIPConfiguration> = { name };
      const pipKey = keyIn(obj, "publicIPAddress");
      if (obj[pipKey] !== undefined && obj[pipKey] !== null) {
        const raw = obj[pipKey];
        const value = isObject(raw) && !("id" in raw) && "Id" in raw ? { id: raw.Id } : raw;
        const pip = this.r.publicIpRef(value, [...base, pipKey], gateway, name);
        if (pip !== undefined) f.publicIPAddress = pip;
      } else {
        const subnet = this.refAt(obj, "subnet", base, true);
        if (subnet !== undefined) f.subnet = subnet;
        const address = this.r.value(obj, keyIn(obj, "privateIPAddress"), base);
        const method = this.r.peek(obj[keyIn(obj, "privateIPAllocationMethod")]);
        if (typeof address === "string" && address !== "" && method !== "Dynamic")
          f.privateIPAddress = address;
        else f.privateIPAllocationMethod = "Dynamic";
      }
      if (f.publicIPAddress === undefined && f.subnet === undefined) {
        this.r.report(
          "warning",
          "IncompleteFrontendIPConfiguration",
          `${pathText(item.path)}: ${what} has neither a known public IP address nor a known subnet; it is left out, with the listeners that use it`,
          item.path,
        );
        return undefined;
      }
      this.record(f, item.path, base);
      return f;
    });
  }

  private frontendPort(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayFrontendPort | undefined {
    const opened = this.open(item, "frontend port", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `frontend port ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const port = this.port(obj, "port", base);
      if (port === undefined) {
        this.incomplete(item.path, what, "port");
        return undefined;
      }
      const p = { name, port };
      this.record(p, item.path, base);
      return p;
    });
  }

  private listener(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayHttpListener | undefined {
    const opened = this.open(item, "listener", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `listener ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const frontend = this.refAt(obj, "frontendIPConfiguration", base);
      const port = this.refAt(obj, "frontendPort", base);
      const protocol = this.protocol(obj, base);
      if (frontend === undefined || port === undefined || protocol === undefined) {
        this.incomplete(item.path, what, "frontend, port and protocol");
        return undefined;
      }
      const host = this.r.peek(obj[keyIn(obj, "hostName")]);
      const hosts = this.r.peek(obj[keyIn(obj, "hostNames")]);
      const l: ApplicationGatewayHttpListener = {
        name,
        frontendIPConfiguration: frontend,
        frontendPort: port,
        protocol,
        ...(typeof host === "string" && host !== "" ? { hostName: host } : {}),
        ...(Array.isArray(hosts) && hosts.length > 0 && hosts.every((h) => typeof h === "string")
          ? { hostNames: hosts as string[] }
          : {}),
      };
      this.record(l, item.path, base);
      return l;
    });
  }

  private pool(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayBackendAddressPool | undefined {
    const opened = this.open(item, "backend pool", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `a backend address of pool ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    const addresses: ApplicationGatewayBackendAddress[] = [];
    const key = keyIn(obj, "backendAddresses");
    const list = obj[key];
    if (Array.isArray(list))
      list.forEach((a, i) => {
        if (!isObject(a)) return;
        const at = [...base, key, i];
        this.r.leaving(this.leftOut(what), () => {
          const ip = this.r.value(a, keyIn(a, "ipAddress"), at);
          const fqdn = this.r.value(a, keyIn(a, "fqdn"), at);
          const entry =
            typeof ip === "string" && ip !== ""
              ? { ipAddress: ip }
              : typeof fqdn === "string" && fqdn !== ""
                ? { fqdn }
                : undefined;
          if (!entry) return;
          this.origins.record(entry, this.r.at(at), {
            ipAddress: this.r.at([...at, keyIn(a, "ipAddress")]),
            fqdn: this.r.at([...at, keyIn(a, "fqdn")]),
          });
          addresses.push(entry);
        });
      });
    // az output lists the interfaces that join the pool on the pool too.
    const membersKey = keyIn(obj, "backendIPConfigurations");
    const members = Array.isArray(obj[membersKey])
      ? (obj[membersKey] as unknown[]).flatMap((m, i) => {
          const ref = this.r.ref(isObject(m) && !("id" in m) && "Id" in m ? { id: m.Id } : m, [
            ...base,
            membersKey,
            i,
          ]);
          return ref === undefined ? [] : [ref];
        })
      : [];
    const pool: ApplicationGatewayBackendAddressPool = {
      name,
      ...(addresses.length > 0 ? { backendAddresses: addresses } : {}),
      ...(members.length > 0 ? { backendIPConfigurations: members } : {}),
    };
    this.origins.record(pool, this.r.at(item.path), { name: this.r.at([...item.path, "name"]) });
    return pool;
  }

  private settings(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayBackendHttpSettings | undefined {
    const opened = this.open(item, "backend settings", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `backend settings ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const port = this.port(obj, "port", base);
      const protocol = this.protocol(obj, base);
      if (port === undefined || protocol === undefined) {
        this.incomplete(item.path, what, "port and protocol");
        return undefined;
      }
      const s = { name, port, protocol };
      this.record(s, item.path, base);
      return s;
    });
  }

  private routingRule(
    item: LoadBalancerListItem,
    gateway: string,
  ): ApplicationGatewayRequestRoutingRule | undefined {
    const opened = this.open(item, "request routing rule", gateway);
    if (!opened) return undefined;
    const { name, obj, base } = opened;
    const what = `request routing rule ${JSON.stringify(name)} of application gateway ${JSON.stringify(gateway)}`;
    return this.r.leaving(this.leftOut(what), () => {
      const pathMap = obj[keyIn(obj, "urlPathMap")];
      if (pathMap !== undefined && pathMap !== null) {
        this.r.report(
          "warning",
          NOT_MODELLED_CODE,
          `${pathText(item.path)}: ${what} routes by URL path (a URL path map), which is not modelled; it is left out, so the spec sends its listener's requests nowhere, where the gateway sends them to its paths' backend pools`,
          item.path,
        );
        return undefined;
      }
      const listener = this.refAt(obj, "httpListener", base);
      const pool = this.refAt(obj, "backendAddressPool", base);
      const settings = this.refAt(obj, "backendHttpSettings", base);
      const redirect = this.refAt(obj, "redirectConfiguration", base);
      if (
        listener === undefined ||
        (redirect === undefined && (pool === undefined || settings === undefined))
      ) {
        this.incomplete(item.path, what, "listener, backend pool and settings");
        return undefined;
      }
      const ruleType = this.r.peek(obj[keyIn(obj, "ruleType")]);
      const priority = this.r.peek(obj[keyIn(obj, "priority")]);
      const rule: ApplicationGatewayRequestRoutingRule = {
        name,
        ...(typeof ruleType === "string" ? { ruleType } : {}),
        ...(typeof priority === "number" && Number.isInteger(priority) ? { priority } : {}),
        httpListener: listener,
        ...(pool === undefined ? {} : { backendAddressPool: pool }),
        ...(settings === undefined ? {} : { backendHttpSettings: settings }),
        ...(redirect === undefined ? {} : { redirectConfiguration: redirect }),
      };
      this.record(rule, item.path, base);
      return rule;
    });
  }
}
