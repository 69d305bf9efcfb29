/**
 * Load balancers as script and Terraform importers gather them: a load
 * balancer's frontends, pools, rules and probes arrive one command or
 * resource at a time, kept per reader; and an interface's IP configuration
 * joins a pool or inbound NAT rule (`LB/NAME`) after the interface is read.
 */
import type {
  BackendAddressPool,
  FrontendIPConfiguration,
  InboundNatPool,
  InboundNatRule,
  LoadBalancer,
  LoadBalancerSku,
  LoadBalancingRule,
  OutboundRule,
  Probe,
} from "../../model/load-balancer-types.js";
import type { IpConfiguration, ResourceRef } from "../../model/types.js";
import type { LeftOut } from "./left-out.js";
import type { Origin, Origins } from "./origins.js";

export interface LoadBalancerDraft {
  name: string;
  location?: string;
  sku: LoadBalancerSku;
  frontendIPConfigurations: FrontendIPConfiguration[];
  backendAddressPools: BackendAddressPool[];
  loadBalancingRules: LoadBalancingRule[];
  inboundNatRules: InboundNatRule[];
  probes: Probe[];
  inboundNatPools?: InboundNatPool[];
  outboundRules?: OutboundRule[];
}

/** The load balancers each reader has read, by lower-cased name. */
export function loadBalancersPerReader<R extends object>(): (
  reader: R,
) => Map<string, LoadBalancerDraft> {
  const of = new WeakMap<R, Map<string, LoadBalancerDraft>>();
  return (reader) => {
    let found = of.get(reader);
    if (!found) {
      found = new Map();
      of.set(reader, found);
    }
    return found;
  };
}

/** A load balancer, or a frontend, pool, rule or probe of one, left out: it forwards nothing in the spec. */
export const leftOutLoadBalancer = (what: string): LeftOut => ({ kind: "loadBalancer", what });

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Adds `item` to a list of a load balancer's children, replacing the one of
 * the same name (a `create` run again, a state listing a child resource
 * inline too).
 */
export function putChild<T extends { name: string }>(list: T[], item: T): void {
  const at = list.findIndex((x) => same(x.name, item.name));
  if (at >= 0) list[at] = item;
  else list.push(item);
}

/** The child of that name, if the draft has one. */
export function childNamed<T extends { name: string }>(
  list: readonly T[],
  name: string,
): T | undefined {
  return list.find((x) => same(x.name, name));
}

/** What the topology holds of the drafted load balancers, each keeping its source place: left out when none. */
export function loadBalancersFrom(
  drafts: Map<string, LoadBalancerDraft>,
  origins: Origins,
): { loadBalancers?: LoadBalancer[] } {
  if (drafts.size === 0) return {};
  return {
    loadBalancers: [...drafts.values()].map((d) => {
      const lb: LoadBalancer = {
        name: d.name,
        ...(d.location === undefined ? {} : { location: d.location }),
        sku: d.sku,
        frontendIPConfigurations: d.frontendIPConfigurations,
        ...(d.backendAddressPools.length > 0 ? { backendAddressPools: d.backendAddressPools } : {}),
        ...(d.loadBalancingRules.length > 0 ? { loadBalancingRules: d.loadBalancingRules } : {}),
        ...(d.inboundNatRules.length > 0 ? { inboundNatRules: d.inboundNatRules } : {}),
        ...(d.probes.length > 0 ? { probes: d.probes } : {}),
        ...((d.inboundNatPools ?? []).length > 0 ? { inboundNatPools: d.inboundNatPools } : {}),
        ...((d.outboundRules ?? []).length > 0 ? { outboundRules: d.outboundRules } : {}),
      };
      origins.carry(d, lb);
      return lb;
    }),
  };
}

/**
 * The IP configuration joining a pool (`loadBalancerBackendAddressPools`) or
 * an inbound NAT rule (`loadBalancerInboundNatRules`) of a load balancer, as
 * `LB/NAME`; a membership it has already is not repeated.
 */
export function joining<C extends IpConfiguration>(
  config: C,
  field: "loadBalancerBackendAddressPools" | "loadBalancerInboundNatRules",
  ref: ResourceRef,
  origins: Origins,
  at: Origin | undefined,
): C {
  const refs = config[field] ?? [];
  const key = (r: ResourceRef) => (typeof r === "string" ? r : r.id).toLowerCase();
  if (refs.some((r) => key(r) === key(ref))) return config;
  const joined = { ...config, [field]: [...refs, ref] };
  origins.carry(config, joined);
  if (at) origins.field(joined, field, at);
  return joined;
}
