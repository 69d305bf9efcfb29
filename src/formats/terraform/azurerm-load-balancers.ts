/**
 * Load balancers in azurerm: `azurerm_lb` with its `frontend_ip_configuration`
 * blocks, and the resources that add to one (`azurerm_lb_backend_address_pool`,
 * `_backend_address_pool_address`, `_rule`, `_nat_rule`, `_probe`) or join an
 * interface's IP configuration to a pool or NAT rule
 * (`azurerm_network_interface_backend_address_pool_association`,
 * `_nat_rule_association`, and azurerm 1.x's `load_balancer_*_ids` of an
 * `ip_configuration`). What cannot be read is left out and named: a load
 * balancer, or a part of one, left out forwards nothing in the spec.
 *
 * `sku` left out is azurerm's default, Basic (open to inbound traffic where
 * no NSG applies: the reading that hides no exposure). `azurerm_lb_nat_pool`
 * (scale sets' NAT) and `azurerm_lb_outbound_rule` are read too.
 */
import {
  type BackendAddressPool,
  type FrontendIPConfiguration,
  type InboundNatPool,
  type InboundNatRule,
  LOAD_BALANCER_PROTOCOLS,
  LOAD_BALANCER_SKUS,
  type LoadBalancerProtocol,
  type LoadBalancingRule,
  type OutboundRule,
  PROBE_PROTOCOLS,
  type Probe,
} from "../../model/load-balancer-types.js";
import type { IpVersion, ResourceRef } from "../../model/types.js";
import {
  childNamed,
  joining,
  type LoadBalancerDraft,
  leftOutLoadBalancer,
  loadBalancersFrom,
  loadBalancersPerReader,
  putChild,
} from "../shared/load-balancer-drafts.js";
import { NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import { publicIpRef } from "./azurerm-public-ips.js";
import { type AzurermReader, lower, type Target } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock, TfValue } from "./values.js";

export const AZURERM_LB = {
  lb: "azurerm_lb",
  pool: "azurerm_lb_backend_address_pool",
  poolAddress: "azurerm_lb_backend_address_pool_address",
  rule: "azurerm_lb_rule",
  natRule: "azurerm_lb_nat_rule",
  probe: "azurerm_lb_probe",
  natPool: "azurerm_lb_nat_pool",
  outboundRule: "azurerm_lb_outbound_rule",
  nicPool: "azurerm_network_interface_backend_address_pool_association",
  nicNatRule: "azurerm_network_interface_nat_rule_association",
} as const;

const drafts = loadBalancersPerReader<AzurermReader>();
const leftOut = leftOutLoadBalancer;

/** One of the options, compared without case; a value that is none of them is an error. */
function option<T extends string>(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  options: readonly T[],
  consequence: string,
): T | undefined {
  const text = r.string(block, attribute, consequence);
  if (text === undefined) return undefined;
  const found = options.find((o) => lower(o) === lower(text));
  if (found === undefined) r.wrongType(block, attribute, `one of ${options.join(", ")}`);
  return found;
}

/** A whole number; undefined when unset. */
function integer(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  consequence: string,
): number | undefined {
  const v = r.value(block, attribute, consequence);
  if (v === undefined || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) return r.wrongType(block, attribute, "a whole number");
  return n;
}

/** A boolean under either of its names (azurerm 4 renamed `enable_x` to `x_enabled`); undefined when unset. */
function flag(
  r: AzurermReader,
  block: TfBlock,
  attributes: readonly string[],
  consequence: string,
): boolean | undefined {
  for (const attribute of attributes) {
    const v = r.value(block, attribute, consequence);
    if (v === undefined) continue;
    if (typeof v === "boolean") return v;
    if (v === "true" || v === "false") return v === "true";
    return r.wrongType(block, attribute, "true or false");
  }
  return undefined;
}

/** The load balancer `loadbalancer_id` names, when these files declare it; else named, and undefined. */
function parentOf(
  r: AzurermReader,
  block: TfBlock,
  what: string,
  consequence: string,
): LoadBalancerDraft | undefined {
  const v = r.value(block, "loadbalancer_id", consequence);
  if (v === undefined) r.missing(block, "loadbalancer_id");
  const target = r.reference(block, "loadbalancer_id", v, AZURERM_LB.lb);
  const lb = drafts(r).get(lower(target.name));
  if (!lb)
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("loadbalancer_id"),
      `load balancer ${JSON.stringify(target.name)} is not declared in these files; ${consequence}`,
      leftOut(`${what} of load balancer ${JSON.stringify(target.name)}`),
    );
  return lb;
}

/** A pool, NAT rule or probe id: the child's name, checked to be one of `lb`'s. */
function childOf(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  value: TfValue,
  type: string,
  lb: LoadBalancerDraft,
): string {
  const target = r.reference(block, attribute, value, type);
  if (target.parent !== undefined && lower(target.parent) !== lower(lb.name))
    r.wrongType(block, attribute, `a reference to a ${type} of load balancer ${lb.name}`);
  return target.name;
}

export function readLoadBalancer(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`load balancer ${address}`), () =>
    r.name(block, "name", "the load balancer is left out"),
  );
  const label = `load balancer ${JSON.stringify(name)}`;
  if (drafts(r).has(lower(name))) {
    r.report(
      "error",
      "DuplicateResourceName",
      block.where("name"),
      `${label} is declared a second time; this one is left out`,
    );
    return;
  }
  const skuText = r.peek(block, "sku");
  if (typeof skuText === "string" && lower(skuText) === "gateway") {
    r.report(
      "warning",
      NOT_MODELLED_CODE,
      block.where("sku"),
      `${label} is a Gateway load balancer, which chains traffic through network virtual appliances; it is not modelled`,
    );
    return;
  }
  const sku = r.omitting(leftOut(label), () =>
    option(r, block, "sku", LOAD_BALANCER_SKUS, "the load balancer is left out"),
  );
  const lb: LoadBalancerDraft = {
    name,
    ...r.location(block),
    // azurerm's default: Basic, open where no NSG applies.
    sku: sku ?? "Basic",
    frontendIPConfigurations: [],
    backendAddressPools: [],
    loadBalancingRules: [],
    inboundNatRules: [],
    probes: [],
  };
  r.record(lb, block, { name: "name", sku: "sku" });
  const blocks = r.omitting(leftOut(`the frontends of ${label}`), () =>
    r.knownBlocks(block, "frontend_ip_configuration", "frontends"),
  );
  for (const b of blocks)
    r.guarded(() => {
      const frontend = r.omitting(leftOut(`a frontend of ${label}`), () =>
        readFrontend(r, b, name),
      );
      if (frontend) putChild(lb.frontendIPConfigurations, frontend);
    });
  drafts(r).set(lower(name), lb);
}

/** A `frontend_ip_configuration` block: a public IP, or a private address in a subnet. */
function readFrontend(
  r: AzurermReader,
  b: TfBlock,
  lb: string,
): FrontendIPConfiguration | undefined {
  const name = r.required(b, "name", "the frontend is left out");
  const consequence = `frontend ${JSON.stringify(name)} is left out`;
  for (const attribute of [
    "public_ip_prefix_id",
    "gateway_load_balancer_frontend_ip_configuration_id",
  ])
    if (r.isSet(b, attribute) && r.peek(b, attribute) !== "") {
      r.report(
        "warning",
        NOT_MODELLED_CODE,
        b.where(attribute),
        attribute === "public_ip_prefix_id"
          ? `frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb)} takes its address from a public IP prefix, which is not modelled; the frontend is left out`
          : `frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb)} chains to a Gateway load balancer, which is not modelled; its appliances' path is not shown`,
        attribute === "public_ip_prefix_id"
          ? leftOut(`frontend ${JSON.stringify(name)} of load balancer ${JSON.stringify(lb)}`)
          : undefined,
      );
      if (attribute === "public_ip_prefix_id") return undefined;
    }
  const publicIp = r.isSet(b, "public_ip_address_id") ? publicIpRef(r, b, lb, name) : undefined;
  let frontend: FrontendIPConfiguration;
  if (publicIp !== undefined) frontend = { name, publicIPAddress: publicIp };
  else {
    const subnetValue = r.value(b, "subnet_id", consequence);
    if (subnetValue === undefined || subnetValue === "") {
      r.report(
        "error",
        "MissingProperty",
        b.where(),
        "a frontend needs public_ip_address_id, or subnet_id for a private address",
      );
      return undefined;
    }
    const subnet = r.reference(b, "subnet_id", subnetValue, AZURERM.subnet);
    const allocation = r.string(b, "private_ip_address_allocation", consequence);
    const version = r.string(b, "private_ip_address_version", consequence);
    const dynamic = allocation === undefined || lower(allocation) === "dynamic";
    const assigned = dynamic && r.shown ? r.peek(b, "private_ip_address") : undefined;
    const address =
      typeof assigned === "string" && assigned !== ""
        ? assigned
        : dynamic
          ? undefined
          : r.required(b, "private_ip_address", consequence);
    frontend = {
      name,
      subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
      ...(address === undefined
        ? { privateIPAllocationMethod: "Dynamic" as const }
        : { privateIPAddress: address }),
      ...(version !== undefined && lower(version) === "ipv6"
        ? { privateIPAddressVersion: "IPv6" as IpVersion }
        : {}),
    };
  }
  r.record(frontend, b, {
    name: "name",
    publicIPAddress: "public_ip_address_id",
    subnet: "subnet_id",
    privateIPAddress: "private_ip_address",
    privateIPAllocationMethod: "private_ip_address_allocation",
    privateIPAddressVersion: "private_ip_address_version",
  });
  return frontend;
}

export function readBackendPool(r: AzurermReader, block: TfBlock): void {
  const what = `backend address pool ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the backend address pool is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `backend address pool ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    // A state may list the pool's addresses (azurerm_lb_backend_address_pool_address) here too.
    const existing = childNamed(lb.backendAddressPools, name);
    const pool: BackendAddressPool = existing ?? { name };
    if (!existing) {
      r.record(pool, block, { name: "name" });
      putChild(lb.backendAddressPools, pool);
    }
  });
}

export function readBackendPoolAddress(r: AzurermReader, block: TfBlock): void {
  const what = `backend address ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the backend address is left out";
    const name = r.name(block, "name", consequence);
    if (r.isSet(block, "backend_address_ip_configuration_id")) {
      r.report(
        "warning",
        NOT_MODELLED_CODE,
        block.where("backend_address_ip_configuration_id"),
        "a cross-region load balancer's backend (a regional load balancer's frontend) is not modelled; the backend address is left out",
        leftOut(`backend address ${JSON.stringify(name)}`),
      );
      return;
    }
    const poolValue = r.value(block, "backend_address_pool_id", consequence);
    if (poolValue === undefined) r.missing(block, "backend_address_pool_id");
    const target = r.reference(block, "backend_address_pool_id", poolValue, AZURERM_LB.pool);
    const lb = target.parent === undefined ? undefined : drafts(r).get(lower(target.parent));
    const pool = lb && childNamed(lb.backendAddressPools, target.name);
    if (!lb || !pool) {
      r.report(
        "warning",
        "ParentNotDeclared",
        block.where("backend_address_pool_id"),
        `backend address pool ${JSON.stringify(target.name)} of load balancer ${JSON.stringify(target.parent ?? "?")} is not declared in these files; ${consequence}`,
        leftOut(`backend address ${JSON.stringify(name)}`),
      );
      return;
    }
    const ipAddress = r.required(block, "ip_address", consequence);
    const vnetValue = r.value(block, "virtual_network_id", consequence);
    const vnet =
      vnetValue === undefined || vnetValue === ""
        ? undefined
        : r.reference(block, "virtual_network_id", vnetValue, AZURERM.vnet);
    const backend = {
      name,
      ipAddress,
      ...(vnet === undefined
        ? {}
        : { virtualNetwork: r.modelRef(vnet, r.vnets.has(lower(vnet.name))) }),
    };
    r.record(backend, block, {
      name: "name",
      ipAddress: "ip_address",
      virtualNetwork: "virtual_network_id",
    });
    const addresses = [...(pool.loadBalancerBackendAddresses ?? [])];
    const same = addresses.findIndex((a) => a.name !== undefined && lower(a.name) === lower(name));
    if (same >= 0) addresses[same] = backend;
    else addresses.push(backend);
    const updated = { ...pool, loadBalancerBackendAddresses: addresses };
    r.origins.carry(pool, updated);
    putChild(lb.backendAddressPools, updated);
  });
}

/** `protocol`, one of Tcp, Udp, All; required. */
function protocolOf(r: AzurermReader, block: TfBlock, consequence: string): LoadBalancerProtocol {
  const protocol = option(r, block, "protocol", LOAD_BALANCER_PROTOCOLS, consequence);
  if (protocol === undefined) r.missing(block, "protocol");
  return protocol;
}

export function readRule(r: AzurermReader, block: TfBlock): void {
  const what = `load-balancing rule ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the load-balancing rule is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `load-balancing rule ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    const frontend = r.required(block, "frontend_ip_configuration_name", consequence);
    const protocol = protocolOf(r, block, consequence);
    const frontendPort = integer(r, block, "frontend_port", consequence);
    if (frontendPort === undefined) r.missing(block, "frontend_port");
    const backendPort = integer(r, block, "backend_port", consequence);
    if (backendPort === undefined) r.missing(block, "backend_port");
    const pools: string[] = [];
    for (const attribute of ["backend_address_pool_ids", "backend_address_pool_id"]) {
      const v = r.value(block, attribute, consequence);
      if (v === undefined || v === "") continue;
      for (const item of Array.isArray(v) ? v : [v])
        pools.push(childOf(r, block, attribute, item, AZURERM_LB.pool, lb));
    }
    const probeValue = r.value(block, "probe_id", consequence);
    const probe =
      probeValue === undefined || probeValue === ""
        ? undefined
        : childOf(r, block, "probe_id", probeValue, AZURERM_LB.probe, lb);
    const floating = flag(r, block, ["floating_ip_enabled", "enable_floating_ip"], consequence);
    const noSnat = flag(r, block, ["disable_outbound_snat"], consequence);
    const reset = flag(r, block, ["tcp_reset_enabled", "enable_tcp_reset"], consequence);
    const idle = integer(r, block, "idle_timeout_in_minutes", consequence);
    const distribution = r.string(block, "load_distribution", consequence);
    const rule: LoadBalancingRule = {
      name,
      frontendIPConfiguration: frontend,
      ...(pools.length === 1 ? { backendAddressPool: pools[0] as string } : {}),
      ...(pools.length > 1 ? { backendAddressPools: pools } : {}),
      ...(probe === undefined ? {} : { probe }),
      protocol,
      frontendPort,
      backendPort,
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(noSnat === undefined ? {} : { disableOutboundSnat: noSnat }),
      ...(idle === undefined ? {} : { idleTimeoutInMinutes: idle }),
      ...(distribution === undefined ? {} : { loadDistribution: distribution }),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    r.record(rule, block, {
      name: "name",
      frontendIPConfiguration: "frontend_ip_configuration_name",
      backendAddressPool: r.isSet(block, "backend_address_pool_ids")
        ? "backend_address_pool_ids"
        : "backend_address_pool_id",
      backendAddressPools: "backend_address_pool_ids",
      probe: "probe_id",
      protocol: "protocol",
      frontendPort: "frontend_port",
      backendPort: "backend_port",
      enableFloatingIP: r.isSet(block, "floating_ip_enabled")
        ? "floating_ip_enabled"
        : "enable_floating_ip",
      disableOutboundSnat: "disable_outbound_snat",
    });
    putChild(lb.loadBalancingRules, rule);
  });
}

export function readNatRule(r: AzurermReader, block: TfBlock): void {
  const what = `inbound NAT rule ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the inbound NAT rule is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `inbound NAT rule ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    const frontend = r.required(block, "frontend_ip_configuration_name", consequence);
    const protocol = protocolOf(r, block, consequence);
    const frontendPort = integer(r, block, "frontend_port", consequence);
    const start = integer(r, block, "frontend_port_start", consequence);
    const end = integer(r, block, "frontend_port_end", consequence);
    const backendPort = integer(r, block, "backend_port", consequence);
    if (backendPort === undefined) r.missing(block, "backend_port");
    const poolValue = r.value(block, "backend_address_pool_id", consequence);
    const pool =
      poolValue === undefined || poolValue === ""
        ? undefined
        : childOf(r, block, "backend_address_pool_id", poolValue, AZURERM_LB.pool, lb);
    if (frontendPort === undefined && (start === undefined || end === undefined || !pool)) {
      r.report(
        "error",
        "MissingProperty",
        block.where(),
        "an inbound NAT rule needs frontend_port, or frontend_port_start, frontend_port_end and backend_address_pool_id",
      );
      return;
    }
    const floating = flag(r, block, ["floating_ip_enabled", "enable_floating_ip"], consequence);
    const reset = flag(r, block, ["tcp_reset_enabled", "enable_tcp_reset"], consequence);
    const idle = integer(r, block, "idle_timeout_in_minutes", consequence);
    const rule: InboundNatRule = {
      name,
      frontendIPConfiguration: frontend,
      protocol,
      ...(frontendPort !== undefined
        ? { frontendPort }
        : {
            frontendPortRangeStart: start as number,
            frontendPortRangeEnd: end as number,
            backendAddressPool: pool as string,
          }),
      backendPort,
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(idle === undefined ? {} : { idleTimeoutInMinutes: idle }),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    r.record(rule, block, {
      name: "name",
      frontendIPConfiguration: "frontend_ip_configuration_name",
      protocol: "protocol",
      frontendPort: "frontend_port",
      frontendPortRangeStart: "frontend_port_start",
      frontendPortRangeEnd: "frontend_port_end",
      backendAddressPool: "backend_address_pool_id",
      backendPort: "backend_port",
    });
    putChild(lb.inboundNatRules, rule);
  });
}

export function readProbe(r: AzurermReader, block: TfBlock): void {
  const what = `probe ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the probe is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `probe ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    const path = r.string(block, "request_path", consequence);
    // azurerm's default: Tcp, or Http when a request path is given.
    const protocol =
      option(r, block, "protocol", PROBE_PROTOCOLS, consequence) ??
      (path === undefined ? "Tcp" : "Http");
    const port = integer(r, block, "port", consequence);
    if (port === undefined) r.missing(block, "port");
    const interval = integer(r, block, "interval_in_seconds", consequence);
    const count = integer(r, block, "number_of_probes", consequence);
    const threshold = integer(r, block, "probe_threshold", consequence);
    const probe: Probe = {
      name,
      protocol,
      port,
      ...(path === undefined ? {} : { requestPath: path }),
      ...(interval === undefined ? {} : { intervalInSeconds: interval }),
      ...(count === undefined ? {} : { numberOfProbes: count }),
      ...(threshold === undefined ? {} : { probeThreshold: threshold }),
    };
    r.record(probe, block, {
      name: "name",
      protocol: "protocol",
      port: "port",
      requestPath: "request_path",
    });
    putChild(lb.probes, probe);
  });
}

export function readNatPool(r: AzurermReader, block: TfBlock): void {
  const what = `inbound NAT pool ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the inbound NAT pool is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `inbound NAT pool ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    const frontend = r.required(block, "frontend_ip_configuration_name", consequence);
    const protocol = protocolOf(r, block, consequence);
    const start = integer(r, block, "frontend_port_start", consequence);
    if (start === undefined) r.missing(block, "frontend_port_start");
    const end = integer(r, block, "frontend_port_end", consequence);
    if (end === undefined) r.missing(block, "frontend_port_end");
    const backendPort = integer(r, block, "backend_port", consequence);
    if (backendPort === undefined) r.missing(block, "backend_port");
    const floating = flag(r, block, ["floating_ip_enabled"], consequence);
    const reset = flag(r, block, ["tcp_reset_enabled"], consequence);
    const idle = integer(r, block, "idle_timeout_in_minutes", consequence);
    const pool: InboundNatPool = {
      name,
      frontendIPConfiguration: frontend,
      protocol,
      frontendPortRangeStart: start,
      frontendPortRangeEnd: end,
      backendPort,
      ...(floating === undefined ? {} : { enableFloatingIP: floating }),
      ...(idle === undefined ? {} : { idleTimeoutInMinutes: idle }),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    r.record(pool, block, {
      name: "name",
      frontendIPConfiguration: "frontend_ip_configuration_name",
      protocol: "protocol",
      frontendPortRangeStart: "frontend_port_start",
      frontendPortRangeEnd: "frontend_port_end",
      backendPort: "backend_port",
    });
    lb.inboundNatPools ??= [];
    putChild(lb.inboundNatPools, pool);
  });
}

export function readOutboundRule(r: AzurermReader, block: TfBlock): void {
  const what = `outbound rule ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the outbound rule is left out";
    const name = r.name(block, "name", consequence);
    const lb = parentOf(r, block, `outbound rule ${JSON.stringify(name)}`, consequence);
    if (!lb) return;
    const protocol = protocolOf(r, block, consequence);
    const poolValue = r.value(block, "backend_address_pool_id", consequence);
    if (poolValue === undefined || poolValue === "") r.missing(block, "backend_address_pool_id");
    const pool = childOf(r, block, "backend_address_pool_id", poolValue, AZURERM_LB.pool, lb);
    const frontends = r
      .knownBlocks(block, "frontend_ip_configuration", "frontends")
      .map((b) => r.required(b, "name", consequence));
    const ports = integer(r, block, "allocated_outbound_ports", consequence);
    const idle = integer(r, block, "idle_timeout_in_minutes", consequence);
    const reset = flag(r, block, ["tcp_reset_enabled", "enable_tcp_reset"], consequence);
    const rule: OutboundRule = {
      name,
      frontendIPConfigurations: frontends,
      backendAddressPool: pool,
      protocol,
      ...(ports === undefined ? {} : { allocatedOutboundPorts: ports }),
      ...(idle === undefined ? {} : { idleTimeoutInMinutes: idle }),
      ...(reset === undefined ? {} : { enableTcpReset: reset }),
    };
    r.record(rule, block, {
      name: "name",
      frontendIPConfigurations: "frontend_ip_configuration",
      backendAddressPool: "backend_address_pool_id",
      protocol: "protocol",
    });
    lb.outboundRules ??= [];
    putChild(lb.outboundRules, rule);
  });
}

/** A pool or NAT rule id as `LB/NAME` when these files declare it, else its ARM id (named at settling). */
function memberRef(target: Target, declared: boolean): ResourceRef {
  if (declared || target.id === undefined) return `${target.parent ?? "?"}/${target.name}`;
  return { id: target.id };
}

function declaresChild(r: AzurermReader, target: Target, kind: "pool" | "natRule"): boolean {
  const lb = target.parent === undefined ? undefined : drafts(r).get(lower(target.parent));
  if (!lb) return false;
  return (
    childNamed<{ name: string }>(
      kind === "pool" ? lb.backendAddressPools : lb.inboundNatRules,
      target.name,
    ) !== undefined
  );
}

/** The association of an interface's IP configuration with a pool or NAT rule. */
function readMembership(r: AzurermReader, block: TfBlock, kind: "pool" | "natRule"): void {
  const attribute = kind === "pool" ? "backend_address_pool_id" : "nat_rule_id";
  const field = kind === "pool" ? "loadBalancerBackendAddressPools" : "loadBalancerInboundNatRules";
  const what = `the ${kind === "pool" ? "backend pool" : "inbound NAT rule"} membership ${block.where().text}`;
  r.omitting(leftOut(what), () => {
    const consequence = "the membership is left out";
    const nicValue = r.value(block, "network_interface_id", consequence);
    if (nicValue === undefined) r.missing(block, "network_interface_id");
    const nicTarget = r.reference(block, "network_interface_id", nicValue, AZURERM.nic);
    const configName = r.required(block, "ip_configuration_name", consequence);
    const value = r.value(block, attribute, consequence);
    if (value === undefined) r.missing(block, attribute);
    const target = r.reference(
      block,
      attribute,
      value,
      kind === "pool" ? AZURERM_LB.pool : AZURERM_LB.natRule,
    );
    const nic = r.nics.get(lower(nicTarget.name));
    const index =
      nic?.configs.findIndex((c) => c.name !== undefined && lower(c.name) === lower(configName)) ??
      -1;
    const config = nic?.configs[index];
    if (!nic || !config) {
      r.report(
        "warning",
        "NetworkInterfaceNotDeclared",
        block.where("network_interface_id"),
        `${nic ? `network interface ${JSON.stringify(nicTarget.name)} has no IP configuration ${JSON.stringify(configName)}` : `network interface ${JSON.stringify(nicTarget.name)} is ${r.leftOutNics.has(lower(nicTarget.name)) ? "left out" : "not declared in these files"}`}; ${consequence}`,
        leftOut(what),
      );
      return;
    }
    const ref = memberRef(target, declaresChild(r, target, kind));
    nic.configs[index] = joining(config, field, ref, r.origins, r.at(block, attribute));
  });
}

export function readNicPoolAssociation(r: AzurermReader, block: TfBlock): void {
  readMembership(r, block, "pool");
}

export function readNicNatRuleAssociation(r: AzurermReader, block: TfBlock): void {
  readMembership(r, block, "natRule");
}

/**
 * azurerm 1.x's `load_balancer_backend_address_pools_ids` and
 * `load_balancer_inbound_nat_rules_ids` of an interface's `ip_configuration`:
 * read after the load balancers, onto the configuration read before.
 */
export function readInlineMemberships(r: AzurermReader, block: TfBlock): void {
  // The interface's name as readNic read it (placeholders included); an interface left out was named there.
  let name: TfValue | undefined;
  try {
    name = block.name("name");
  } catch {
    return;
  }
  if (typeof name !== "string") return;
  const nic = r.nics.get(lower(name));
  if (!nic) return;
  let blocks: TfBlock[] = [];
  try {
    blocks = block.blocks("ip_configuration");
  } catch {
    return;
  }
  for (const c of blocks) {
    const configName = r.peek(c, "name");
    const index = nic.configs.findIndex(
      (x) =>
        typeof configName === "string" &&
        x.name !== undefined &&
        lower(x.name) === lower(configName),
    );
    if (index < 0) continue;
    for (const [attribute, kind] of [
      ["load_balancer_backend_address_pools_ids", "pool"],
      ["load_balancer_inbound_nat_rules_ids", "natRule"],
    ] as const) {
      if (!r.isSet(c, attribute)) continue;
      const what = `the ${kind === "pool" ? "backend pools" : "inbound NAT rules"} of IP configuration ${JSON.stringify(configName)} of network interface ${JSON.stringify(name)}`;
      r.guarded(() =>
        r.omitting(leftOut(what), () => {
          const v = r.value(c, attribute, "they are left out");
          for (const item of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
            const target = r.reference(
              c,
              attribute,
              item,
              kind === "pool" ? AZURERM_LB.pool : AZURERM_LB.natRule,
            );
            const ref = memberRef(target, declaresChild(r, target, kind));
            const config = nic.configs[index];
            if (config)
              nic.configs[index] = joining(
                config,
                kind === "pool" ? "loadBalancerBackendAddressPools" : "loadBalancerInboundNatRules",
                ref,
                r.origins,
                r.at(c, attribute),
              );
          }
        }),
      );
    }
  }
}

/** What the topology holds of the load balancers read: left out when there are none. */
export function loadBalancersOf(r: AzurermReader): ReturnType<typeof loadBalancersFrom> {
  return loadBalancersFrom(drafts(r), r.origins);
}
