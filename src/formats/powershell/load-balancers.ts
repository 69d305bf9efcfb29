/**
 * The Az cmdlets of load balancers: the parts built first
 * (`New-AzLoadBalancerFrontendIpConfig`, `-BackendAddressPoolConfig`,
 * `-ProbeConfig`, `-RuleConfig`, `-InboundNatRuleConfig`), then
 * `New-AzLoadBalancer`, which makes them children of the load balancer (and
 * gives the objects their ids, so an interface made after it may join
 * `-LoadBalancerBackendAddressPool $pool` or `-LoadBalancerInboundNatRule $rule`).
 *
 * `-Sku` left out: read as the SKU of the public IPs of its frontends when
 * the script makes them with one (Azure requires the same), else Basic, open
 * to inbound traffic where no NSG applies, and named (LoadBalancerSkuNotKnown).
 * Inbound NAT pools (`New-AzLoadBalancerInboundNatPoolConfig`, for scale
 * sets) and outbound rules (`New-AzLoadBalancerOutboundRuleConfig`) are read too.
 */
import { error, info, warning } from "../../model/diagnostic.js";
import {
  type BackendAddressPool,
  type FrontendIPConfiguration,
  type InboundNatPool,
  type InboundNatRule,
  LOAD_BALANCER_PROTOCOLS,
  LOAD_BALANCER_SKUS,
  type LoadBalancer,
  type LoadBalancingRule,
  type OutboundRule,
  PROBE_PROTOCOLS,
  type Probe,
} from "../../model/load-balancer-types.js";
import type { PublicIPAddress, ResourceRef } from "../../model/types.js";
import { reporting } from "../shared/left-out.js";
import { leftOutLoadBalancer, putChild } from "../shared/load-balancer-drafts.js";
import { Origins } from "../shared/origins.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import type { NetworkLookups } from "./interfaces.js";
import type { Handler, Held, LoadBalancerPart, Params, Script } from "./script.js";
import type { Command } from "./syntax.js";
import type { Pos } from "./tokens.js";

const lower = (s: string) => s.toLowerCase();
const lastSegment = (text: string) => text.split("/").filter(Boolean).pop() ?? text;

/** What the load balancer cmdlets need of the interface cmdlets: the public IPs the script makes. */
export interface PublicIpLookups {
  publicIp(name: string): PublicIPAddress | undefined;
  notePip(name: string, pos: Pos): void;
}

export class LoadBalancerCmdlets {
  private readonly lbs = new Map<string, LoadBalancer>();
  /** The load balancer each part was given to, once New-AzLoadBalancer has run. */
  private readonly owners = new WeakMap<object, string>();

  constructor(
    private readonly script: Script,
    private readonly network: NetworkLookups,
    private readonly pips: PublicIpLookups,
    private readonly origins = new Origins(),
  ) {}

  private at(pos: Pos | undefined) {
    return pos && this.script.locationOf(pos);
  }

  handlers(): Record<string, Handler> {
    return {
      "New-AzLoadBalancerFrontendIpConfig": (c) => this.newFrontend(c),
      "New-AzLoadBalancerBackendAddressPoolConfig": (c) => this.newPool(c),
      "New-AzLoadBalancerProbeConfig": (c) => this.newProbe(c),
      "New-AzLoadBalancerRuleConfig": (c) => this.newRule(c),
      "New-AzLoadBalancerInboundNatRuleConfig": (c) => this.newNatRule(c),
      "New-AzLoadBalancerInboundNatPoolConfig": (c) => this.newNatPool(c),
      "New-AzLoadBalancerOutboundRuleConfig": (c) => this.newOutboundRule(c),
      "New-AzLoadBalancer": (c) => this.newLoadBalancer(c),
    };
  }

  /**
   * What a property of a load balancer or of a part gives: `$lb.BackendAddressPools[0]`
   * (the part, with its load balancer), `$pool.Id` (the part, standing for its id).
   */
  members(held: Held, path: string): Held | undefined {
    if (held.kind === "lbPart" && /^\.Id$/i.test(path)) return { ...held };
    if (held.kind !== "lb") return undefined;
    const m =
      /^\.(FrontendIpConfigurations|BackendAddressPools|LoadBalancingRules|InboundNatRules|Probes|InboundNatPools|OutboundRules)\[(\d+)\](\.Id)?$/i.exec(
        path,
      );
    const lb = this.lbs.get(lower(held.name));
    if (!m || !lb) return undefined;
    const lists = {
      frontendipconfigurations: ["frontend", lb.frontendIPConfigurations],
      backendaddresspools: ["pool", lb.backendAddressPools],
      loadbalancingrules: ["rule", lb.loadBalancingRules],
      inboundnatrules: ["natRule", lb.inboundNatRules],
      probes: ["probe", lb.probes],
      inboundnatpools: ["natPool", lb.inboundNatPools],
      outboundrules: ["outboundRule", lb.outboundRules],
    } as const;
    const [type, items] = lists[lower(m[1] as string) as keyof typeof lists];
    const value = items?.[Number(m[2])];
    if (value === undefined) return undefined;
    return { kind: "lbPart", part: { type, value } as LoadBalancerPart, pos: held.pos };
  }

  loadBalancers(): LoadBalancer[] {
    return [...this.lbs.values()];
  }

  private leftOut(command: Command, message: string, pos: Pos, what: string): void {
    this.script.report(
      reporting(warning("ValueNotStaticallyKnown", `${command.name}: ${message}`, []), {
        ...leftOutLoadBalancer(what),
      }),
      pos,
    );
  }

  /** A whole number parameter from `min` to `max`; null (reported) when it is not one. */
  private whole(command: Command, p: Params, param: string, min = 0, max = 65535) {
    const given = p.optionalText(param);
    if (!given) return undefined;
    const n = /^\d+$/.test(given.text) ? Number(given.text) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.script.badValue(
      command,
      param,
      { kind: "text", ...given },
      `a whole number from ${min} to ${max}`,
    );
    return null;
  }

  private option<T extends string>(
    command: Command,
    p: Params,
    param: string,
    options: readonly T[],
  ): T | undefined | null {
    const given = p.optionalText(param);
    if (!given) return undefined;
    const found = options.find((o) => lower(o) === lower(given.text));
    if (found === undefined) {
      this.script.badValue(command, param, { kind: "text", ...given }, options.join(" or "));
      return null;
    }
    return found;
  }

  private switchGiven(command: Command, name: string): boolean | undefined {
    const arg = command.args.find((a) => lower(a.name) === lower(name));
    if (!arg) return undefined;
    // -EnableFloatingIP:$false
    const held = arg.value ? this.script.resolve(arg.value) : [];
    const first = held[0];
    if (first?.kind === "unknownVar" && lower(first.name) === "false") return false;
    return true;
  }

  private part(part: LoadBalancerPart, pos: Pos): Held[] {
    return [{ kind: "lbPart", part, pos }];
  }

  /**
   * The name of a part a parameter names: the object (`$frontend`), or its id
   * (`-FrontendIpConfigurationId $lb.FrontendIpConfigurations[0].Id`, or text).
   * Undefined when not known (reported, what is made left out).
   */
  private partName(
    command: Command,
    p: Params,
    param: string,
    type: LoadBalancerPart["type"],
    what: string,
  ): string[] | undefined {
    const names: string[] = [];
    for (const id of [false, true])
      for (const held of p.all(id ? `${param}Id` : param)) {
        // An object, or (-...Id) `$part.Id`, which stands for it.
        if (held.kind === "lbPart" && held.part.type === type) names.push(held.part.value.name);
        else if (held.kind === "text" && id) names.push(lastSegment(held.text));
        else if (held.kind === "unknownVar" || held.kind === "expr") {
          this.leftOut(
            command,
            `-${id ? `${param}Id` : param} is ${held.kind === "expr" ? held.text : `$${held.name}, which the script does not set`}; ${what} is left out`,
            held.pos,
            what,
          );
          return undefined;
        } else {
          this.script.badValue(
            command,
            id ? `${param}Id` : param,
            held,
            `a ${type} of a load balancer`,
          );
          return undefined;
        }
      }
    return names;
  }

  // --- parts -----------------------------------------------------------------

  private newFrontend(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "PublicIpAddress",
      "PublicIpAddressId",
      "Subnet",
      "SubnetId",
      "PrivateIpAddress",
      "PrivateIpAddressVersion",
      "PublicIpAddressPrefix",
      "PublicIpAddressPrefixId",
      "GatewayLoadBalancerId",
      "Zone",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const what = `frontend ${JSON.stringify(name.text)}`;
    const prefix = [...p.all("PublicIpAddressPrefix"), ...p.all("PublicIpAddressPrefixId")][0];
    if (prefix) {
      this.script.report(
        reporting(
          warning(
            NOT_MODELLED_CODE,
            `${command.name}: a frontend on a public IP prefix is not modelled; ${what} is left out`,
            [],
          ),
          leftOutLoadBalancer(what),
        ),
        prefix.pos,
      );
      return undefined;
    }
    let frontend: FrontendIPConfiguration | undefined;
    for (const param of ["PublicIpAddress", "PublicIpAddressId"])
      for (const held of p.all(param)) {
        if (frontend) continue;
        if (held.kind === "pip") {
          this.pips.notePip(held.name, held.pos);
          frontend = { name: name.text, publicIPAddress: held.name };
        } else if (held.kind === "text" && param.endsWith("Id")) {
          this.pips.notePip(lastSegment(held.text), held.pos);
          frontend = {
            name: name.text,
            publicIPAddress: held.text.startsWith("/") ? { id: held.text } : held.text,
          };
        } else if (held.kind === "unknownVar") {
          this.leftOut(
            command,
            `-${param} is $${held.name}, which the script does not set; ${what} is left out`,
            held.pos,
            what,
          );
          return undefined;
        } else {
          this.script.badValue(
            command,
            param,
            held,
            "a public IP address from New-AzPublicIpAddress",
          );
          return undefined;
        }
      }
    const subnetHeld = [...p.all("Subnet"), ...p.all("SubnetId")][0];
    if (!frontend && subnetHeld) {
      const subnet = this.network.subnetRef(
        command,
        p.all("Subnet").length > 0 ? "Subnet" : "SubnetId",
        subnetHeld,
      );
      if (subnet === undefined) return undefined;
      const address = p.optionalText("PrivateIpAddress");
      const version = p.optionalText("PrivateIpAddressVersion");
      frontend = {
        name: name.text,
        subnet,
        ...(address
          ? { privateIPAddress: address.text }
          : { privateIPAllocationMethod: "Dynamic" as const }),
        ...(version && lower(version.text) === "ipv6"
          ? { privateIPAddressVersion: "IPv6" as const }
          : {}),
      };
    }
    if (!frontend) {
      this.script.report(
        error(
          "MissingParameter",
          `${command.name}: a frontend needs -PublicIpAddress, or -Subnet for a private address`,
          [],
        ),
        command.pos,
      );
      return undefined;
    }
    this.origins.record(frontend, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "frontend", value: frontend }, command.pos);
  }

  private newPool(command: Command): Held[] | undefined {
    const p = this.script.params(command, ["Name", "TunnelInterface"]);
    const name = p.required("Name");
    if (!name) return undefined;
    const pool: BackendAddressPool = { name: name.text };
    this.origins.record(pool, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "pool", value: pool }, command.pos);
  }

  private newProbe(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "Protocol",
      "Port",
      "IntervalInSeconds",
      "ProbeCount",
      "ProbeThreshold",
      "RequestPath",
      "NoHealthyBackendsBehavior",
    ]);
    const name = p.required("Name");
    const protocol = this.option(command, p, "Protocol", PROBE_PROTOCOLS);
    const port = this.whole(command, p, "Port", 1);
    if (port === undefined) p.required("Port");
    const interval = this.whole(command, p, "IntervalInSeconds", 1, 3600);
    const count = this.whole(command, p, "ProbeCount", 1, 1000);
    const threshold = this.whole(command, p, "ProbeThreshold", 1, 1000);
    const path = p.optionalText("RequestPath");
    if (
      !name ||
      protocol === null ||
      typeof port !== "number" ||
      [interval, count, threshold].includes(null)
    )
      return undefined;
    const probe: Probe = {
      name: name.text,
      // The cmdlet's default: Tcp, or Http with a request path.
      protocol: protocol ?? (path ? "Http" : "Tcp"),
      port,
      ...(path ? { requestPath: path.text } : {}),
      ...(typeof interval === "number" ? { intervalInSeconds: interval } : {}),
      ...(typeof count === "number" ? { numberOfProbes: count } : {}),
      ...(typeof threshold === "number" ? { probeThreshold: threshold } : {}),
    };
    this.origins.record(probe, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "probe", value: probe }, command.pos);
  }

  private newRule(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "Protocol",
      "LoadDistribution",
      "FrontendPort",
      "BackendPort",
      "IdleTimeoutInMinutes",
      "EnableFloatingIP",
      "EnableTcpReset",
      "DisableOutboundSNAT",
      "EnableConnectionTracking",
      "FrontendIpConfiguration",
      "FrontendIpConfigurationId",
      "BackendAddressPool",
      "BackendAddressPoolId",
      "Probe",
      "ProbeId",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const what = `load-balancing rule ${JSON.stringify(name.text)}`;
    const protocol = this.option(command, p, "Protocol", LOAD_BALANCER_PROTOCOLS);
    const frontendPort = this.whole(command, p, "FrontendPort");
    const backendPort = this.whole(command, p, "BackendPort");
    const idle = this.whole(command, p, "IdleTimeoutInMinutes", 4, 100);
    const distribution = p.optionalText("LoadDistribution");
    const frontends = this.partName(command, p, "FrontendIpConfiguration", "frontend", what);
    const pools = this.partName(command, p, "BackendAddressPool", "pool", what);
    const probes = this.partName(command, p, "Probe", "probe", what);
    if (
      protocol === null ||
      typeof frontendPort !== "number" ||
      [backendPort, idle].includes(null) ||
      !frontends ||
      !pools ||
      !probes
    ) {
      if (frontendPort === undefined) p.required("FrontendPort");
      return undefined;
    }
    const frontend = frontends[0];
    if (frontend === undefined) {
      p.required("FrontendIpConfiguration");
      return undefined;
    }
    const floating = this.switchGiven(command, "EnableFloatingIP");
    const noSnat = this.switchGiven(command, "DisableOutboundSNAT");
    const reset = this.switchGiven(command, "EnableTcpReset");
    const rule: LoadBalancingRule = {
      name: name.text,
      frontendIPConfiguration: frontend,
      ...(pools.length === 1 ? { backendAddressPool: pools[0] as string } : {}),
      ...(pools.length > 1 ? { backendAddressPools: pools } : {}),
      ...(probes[0] === undefined ? {} : { probe: probes[0] }),
      // The cmdlet's default protocol is Tcp.
      protocol: protocol ?? "Tcp",
      frontendPort,
      ...(typeof backendPort === "number" ? { backendPort } : {}),
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(noSnat === undefined ? {} : { disableOutboundSnat: noSnat }),
      ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
      ...(distribution ? { loadDistribution: distribution.text } : {}),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    this.origins.record(rule, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "rule", value: rule }, command.pos);
  }

  private newNatRule(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "Protocol",
      "FrontendPort",
      "BackendPort",
      "FrontendPortRangeStart",
      "FrontendPortRangeEnd",
      "IdleTimeoutInMinutes",
      "EnableFloatingIP",
      "EnableTcpReset",
      "FrontendIpConfiguration",
      "FrontendIpConfigurationId",
      "BackendAddressPool",
      "BackendAddressPoolId",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const what = `inbound NAT rule ${JSON.stringify(name.text)}`;
    const protocol = this.option(command, p, "Protocol", LOAD_BALANCER_PROTOCOLS);
    const frontendPort = this.whole(command, p, "FrontendPort");
    const start = this.whole(command, p, "FrontendPortRangeStart");
    const end = this.whole(command, p, "FrontendPortRangeEnd");
    const backendPort = this.whole(command, p, "BackendPort");
    const idle = this.whole(command, p, "IdleTimeoutInMinutes", 4, 100);
    const frontends = this.partName(command, p, "FrontendIpConfiguration", "frontend", what);
    const pools = this.partName(command, p, "BackendAddressPool", "pool", what);
    if (
      protocol === null ||
      [frontendPort, start, end, backendPort, idle].includes(null) ||
      !frontends ||
      !pools
    )
      return undefined;
    const frontend = frontends[0];
    if (frontend === undefined || typeof backendPort !== "number") {
      if (frontend === undefined) p.required("FrontendIpConfiguration");
      if (backendPort === undefined) p.required("BackendPort");
      return undefined;
    }
    const v2 = typeof start === "number" && typeof end === "number" && pools[0] !== undefined;
    if (typeof frontendPort !== "number" && !v2) {
      this.script.report(
        error(
          "MissingParameter",
          `${command.name}: an inbound NAT rule needs -FrontendPort, or -FrontendPortRangeStart, -FrontendPortRangeEnd and -BackendAddressPool`,
          [],
        ),
        command.pos,
      );
      return undefined;
    }
    const floating = this.switchGiven(command, "EnableFloatingIP");
    const reset = this.switchGiven(command, "EnableTcpReset");
    const rule: InboundNatRule = {
      name: name.text,
      frontendIPConfiguration: frontend,
      protocol: protocol ?? "Tcp",
      ...(typeof frontendPort === "number"
        ? { frontendPort }
        : {
            frontendPortRangeStart: start as number,
            frontendPortRangeEnd: end as number,
            backendAddressPool: pools[0] as string,
          }),
      backendPort,
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    this.origins.record(rule, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "natRule", value: rule }, command.pos);
  }

  private newNatPool(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "Protocol",
      "FrontendPortRangeStart",
      "FrontendPortRangeEnd",
      "BackendPort",
      "IdleTimeoutInMinutes",
      "EnableFloatingIP",
      "EnableTcpReset",
      "FrontendIpConfiguration",
      "FrontendIpConfigurationId",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const what = `inbound NAT pool ${JSON.stringify(name.text)}`;
    const protocol = this.option(command, p, "Protocol", LOAD_BALANCER_PROTOCOLS);
    const start = this.whole(command, p, "FrontendPortRangeStart");
    const end = this.whole(command, p, "FrontendPortRangeEnd");
    const backendPort = this.whole(command, p, "BackendPort");
    const idle = this.whole(command, p, "IdleTimeoutInMinutes", 4, 100);
    const frontends = this.partName(command, p, "FrontendIpConfiguration", "frontend", what);
    if (protocol === null || idle === null || !frontends) return undefined;
    const frontend = frontends[0];
    if (
      frontend === undefined ||
      typeof start !== "number" ||
      typeof end !== "number" ||
      typeof backendPort !== "number"
    ) {
      for (const [param, v] of [
        ["FrontendIpConfiguration", frontend],
        ["FrontendPortRangeStart", start],
        ["FrontendPortRangeEnd", end],
        ["BackendPort", backendPort],
      ] as const)
        if (v === undefined) p.required(param);
      return undefined;
    }
    const floating = this.switchGiven(command, "EnableFloatingIP");
    const reset = this.switchGiven(command, "EnableTcpReset");
    const pool: InboundNatPool = {
      name: name.text,
      frontendIPConfiguration: frontend,
      protocol: protocol ?? "Tcp",
      frontendPortRangeStart: start,
      frontendPortRangeEnd: end,
      backendPort,
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    this.origins.record(pool, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "natPool", value: pool }, command.pos);
  }

  private newOutboundRule(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "Protocol",
      "AllocatedOutboundPort",
      "IdleTimeoutInMinutes",
      "EnableTcpReset",
      "FrontendIpConfiguration",
      "BackendAddressPool",
      "BackendAddressPoolId",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const what = `outbound rule ${JSON.stringify(name.text)}`;
    const protocol = this.option(command, p, "Protocol", LOAD_BALANCER_PROTOCOLS);
    const ports = this.whole(command, p, "AllocatedOutboundPort", 0, 64000);
    const idle = this.whole(command, p, "IdleTimeoutInMinutes", 4, 120);
    const frontends = this.partName(command, p, "FrontendIpConfiguration", "frontend", what);
    const pools = this.partName(command, p, "BackendAddressPool", "pool", what);
    if (protocol === null || ports === null || idle === null || !frontends || !pools)
      return undefined;
    const pool = pools[0];
    if (pool === undefined || frontends.length === 0) {
      if (pool === undefined) p.required("BackendAddressPool");
      if (frontends.length === 0) p.required("FrontendIpConfiguration");
      return undefined;
    }
    const reset = this.switchGiven(command, "EnableTcpReset");
    const rule: OutboundRule = {
      name: name.text,
      frontendIPConfigurations: frontends,
      backendAddressPool: pool,
      protocol: protocol ?? "All",
      ...(typeof ports === "number" ? { allocatedOutboundPorts: ports } : {}),
      ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    this.origins.record(rule, this.at(command.pos), { name: this.at(name.pos) });
    return this.part({ type: "outboundRule", value: rule }, command.pos);
  }

  // --- the load balancer -------------------------------------------------------

  private newLoadBalancer(command: Command): Held[] | undefined {
    const lists = {
      FrontendIpConfiguration: "frontend",
      BackendAddressPool: "pool",
      LoadBalancingRule: "rule",
      InboundNatRule: "natRule",
      Probe: "probe",
      InboundNatPool: "natPool",
      OutboundRule: "outboundRule",
    } as const;
    const p = this.script.params(command, [
      "Name",
      "ResourceGroupName",
      "Location",
      "Sku",
      "Tier",
      "Tag",
      "EdgeZone",
      ...Object.keys(lists),
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const label = `load balancer ${JSON.stringify(name.text)}`;
    const skuText = p.optionalText("Sku");
    if (skuText && lower(skuText.text) === "gateway") {
      this.script.report(
        warning(
          NOT_MODELLED_CODE,
          `${command.name}: ${label} is a Gateway load balancer, which chains traffic through network virtual appliances; it is not modelled`,
          [],
        ),
        skuText.pos,
      );
      return undefined;
    }
    const sku = this.option(command, p, "Sku", LOAD_BALANCER_SKUS);
    if (sku === null) return undefined;
    const lb = {
      name: name.text,
      sku: "Basic" as LoadBalancer["sku"],
      frontendIPConfigurations: [] as FrontendIPConfiguration[],
      backendAddressPools: [] as BackendAddressPool[],
      loadBalancingRules: [] as LoadBalancingRule[],
      inboundNatRules: [] as InboundNatRule[],
      probes: [] as Probe[],
      inboundNatPools: [] as InboundNatPool[],
      outboundRules: [] as OutboundRule[],
    };
    const children = {
      frontend: lb.frontendIPConfigurations,
      pool: lb.backendAddressPools,
      rule: lb.loadBalancingRules,
      natRule: lb.inboundNatRules,
      probe: lb.probes,
      natPool: lb.inboundNatPools,
      outboundRule: lb.outboundRules,
    } as const;
    for (const [param, type] of Object.entries(lists))
      for (const held of p.all(param)) {
        if (held.kind === "lbPart" && held.part.type === type) {
          putChild(children[type] as { name: string }[], held.part.value);
          this.owners.set(held.part.value, name.text);
        } else if (held.kind === "unknownVar" || held.kind === "expr")
          this.leftOut(
            command,
            `-${param} is ${held.kind === "expr" ? held.text : `$${held.name}, which the script does not set`}; what it holds is left out of ${label}`,
            held.pos,
            `the ${param} of ${label}`,
          );
        else this.script.badValue(command, param, held, `a ${type} of a load balancer`);
      }
    if (sku !== undefined) lb.sku = sku;
    else {
      // Azure requires the frontends' public IPs to have the load balancer's SKU.
      const skus = new Set(
        lb.frontendIPConfigurations.flatMap((f) =>
          typeof f.publicIPAddress === "string"
            ? [this.pips.publicIp(f.publicIPAddress)?.sku]
            : [undefined],
        ),
      );
      const only = skus.size === 1 ? [...skus][0] : undefined;
      lb.sku = only ?? "Basic";
      this.script.report(
        info(
          "LoadBalancerSkuNotKnown",
          `${command.name}: ${label} gives no -Sku; it is read as ${lb.sku}${lb.sku === "Basic" ? ", open to inbound traffic where no NSG applies" : ", the SKU of its public IPs"}`,
          [],
          "give -Sku Standard or -Sku Basic",
        ),
        command.pos,
      );
    }
    const location = p.optionalText("Location");
    const made: LoadBalancer = {
      name: lb.name,
      ...(location ? { location: location.text } : {}),
      sku: lb.sku,
      frontendIPConfigurations: lb.frontendIPConfigurations,
      ...(lb.backendAddressPools.length > 0 ? { backendAddressPools: lb.backendAddressPools } : {}),
      ...(lb.loadBalancingRules.length > 0 ? { loadBalancingRules: lb.loadBalancingRules } : {}),
      ...(lb.inboundNatRules.length > 0 ? { inboundNatRules: lb.inboundNatRules } : {}),
      ...(lb.probes.length > 0 ? { probes: lb.probes } : {}),
      ...(lb.inboundNatPools.length > 0 ? { inboundNatPools: lb.inboundNatPools } : {}),
      ...(lb.outboundRules.length > 0 ? { outboundRules: lb.outboundRules } : {}),
    };
    this.origins.record(made, this.at(command.pos), {
      name: this.at(name.pos),
      sku: this.at(p.all("Sku")[0]?.pos),
    });
    if (this.lbs.has(lower(name.text)))
      this.script.report(
        info(
          "ResourceReplaced",
          `${command.name}: ${label} is made again; the later one is imported`,
          [],
        ),
        command.pos,
      );
    this.lbs.set(lower(name.text), made);
    return [{ kind: "lb", name: name.text, pos: command.pos }];
  }

  /**
   * A pool or NAT rule an interface's IP configuration joins: the object,
   * given to a load balancer before (`LB/NAME`), or its id. Undefined when
   * not known (reported, the membership left out).
   */
  memberRef(command: Command, param: string, held: Held, config: string): ResourceRef | undefined {
    const what = `the membership of IP configuration ${JSON.stringify(config)} given by -${param}`;
    if (held.kind === "lbPart" && (held.part.type === "pool" || held.part.type === "natRule")) {
      const lb = this.owners.get(held.part.value);
      if (lb !== undefined) return `${lb}/${held.part.value.name}`;
      this.leftOut(
        command,
        `-${param}: ${held.part.type === "pool" ? "backend pool" : "inbound NAT rule"} ${JSON.stringify(held.part.value.name)} is given to no load balancer before this (New-AzLoadBalancer gives it its id); ${what} is left out`,
        held.pos,
        what,
      );
      return undefined;
    }
    if (held.kind === "text" && held.text.startsWith("/")) {
      const parts = held.text.split("/").filter(Boolean);
      const at = parts.findIndex((x) => lower(x) === "loadbalancers");
      const lb = at >= 0 ? parts[at + 1] : undefined;
      const child = parts[parts.length - 1];
      return lb !== undefined && child !== undefined ? `${lb}/${child}` : { id: held.text };
    }
    if (held.kind === "unknownVar" || held.kind === "expr") {
      this.leftOut(
        command,
        `-${param} is ${held.kind === "expr" ? held.text : `$${held.name}, which the script does not set`}; ${what} is left out`,
        held.pos,
        what,
      );
      return undefined;
    }
    this.script.badValue(
      command,
      param,
      held,
      "a backend pool or inbound NAT rule of a load balancer",
    );
    return undefined;
  }
}
