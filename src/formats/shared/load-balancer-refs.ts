/**
 * References between load balancers and network interfaces across imported
 * files: an interface that joins a pool or NAT rule of a load balancer no
 * file declares, or a pool (as `az network lb show` prints it) that names an
 * interface no file holds. Such a reference is dropped, named, so that what
 * is written is what `check` accepts; the membership it stood for forwards
 * nothing in the spec (the Internet reaches less, so the spec allows no more).
 */
import { type Diagnostic, warning } from "../../model/diagnostic.js";
import type {
  BackendAddressPool,
  InboundNatRule,
  LoadBalancer,
} from "../../model/load-balancer-types.js";
import { armId } from "../../model/resource-id.js";
import type {
  IpConfiguration,
  NetworkInterface,
  ResourceRef,
  Topology,
} from "../../model/types.js";
import type { Origins } from "./origins.js";

const lower = (s: string) => s.toLowerCase();

/** `LB/CHILD` of a reference to a pool or NAT rule, or undefined when it is not one. */
function childOf(ref: ResourceRef): { lb: string; child: string } | undefined {
  if (typeof ref === "string" && !ref.startsWith("/")) {
    const [lb, child] = ref.split("/", 2);
    return lb !== undefined && child !== undefined ? { lb, child } : undefined;
  }
  const parsed = armId(typeof ref === "string" ? ref : ref.id);
  return parsed?.parent === undefined ? undefined : { lb: parsed.parent, child: parsed.name };
}

/** The interface an IP configuration reference names (`{ id }`, `NIC/CONFIG` or `NIC`). */
function nicOf(ref: ResourceRef): string | undefined {
  if (typeof ref === "string" && !ref.startsWith("/")) return ref.split("/", 1)[0];
  const parsed = armId(typeof ref === "string" ? ref : ref.id);
  return parsed?.type === "networkinterfaces/ipconfigurations" ? parsed.parent : undefined;
}

export function settleLoadBalancerReferences(
  topology: Topology,
  origins: Origins,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const lbs = topology.loadBalancers ?? [];
  const nics = new Set(topology.networkInterfaces.map((n) => lower(n.name)));
  const place = (root: object, path: (string | number)[]) => {
    const location = origins.locate(root, path);
    return location ? { location } : {};
  };
  const declares = (ref: ResourceRef, kind: "pool" | "natRule"): boolean => {
    const target = childOf(ref);
    if (!target) return true; // the model reports it
    const lb = lbs.find((l) => lower(l.name) === lower(target.lb));
    const children: readonly { name: string }[] =
      kind === "pool" ? (lb?.backendAddressPools ?? []) : (lb?.inboundNatRules ?? []);
    return lb !== undefined && children.some((c) => lower(c.name) === lower(target.child));
  };
  let changed = false;
  const networkInterfaces = topology.networkInterfaces.map((nic, n): NetworkInterface => {
    const configs = nic.ipConfigurations.map((config, c): IpConfiguration => {
      const keep = (field: "loadBalancerBackendAddressPools" | "loadBalancerInboundNatRules") => {
        const refs = config[field] ?? [];
        const kind = field === "loadBalancerBackendAddressPools" ? "pool" : "natRule";
        return refs.filter((ref, k) => {
          if (declares(ref, kind)) return true;
          const target = childOf(ref);
          diagnostics.push({
            ...warning(
              "LoadBalancerNotDeclared",
              `network interface ${nic.name}: the ${kind === "pool" ? "backend pool" : "inbound NAT rule"} ${target ? `${target.child} of load balancer ${target.lb}` : JSON.stringify(ref)} is declared by no imported file; what it forwards to the interface is left out`,
              ["networkInterfaces", n, "ipConfigurations", c, field, k],
              "import what declares the load balancer too (its template, or az network lb show output)",
            ),
            ...place(nic, ["ipConfigurations", c, field, k]),
          });
          return false;
        });
      };
      const pools = keep("loadBalancerBackendAddressPools");
      const natRules = keep("loadBalancerInboundNatRules");
      if (
        pools.length === (config.loadBalancerBackendAddressPools ?? []).length &&
        natRules.length === (config.loadBalancerInboundNatRules ?? []).length
      )
        return config;
      changed = true;
      const {
        loadBalancerBackendAddressPools: _p,
        loadBalancerInboundNatRules: _n,
        ...rest
      } = config;
      const kept = {
        ...rest,
        ...(pools.length > 0 ? { loadBalancerBackendAddressPools: pools } : {}),
        ...(natRules.length > 0 ? { loadBalancerInboundNatRules: natRules } : {}),
      };
      origins.carry(config, kept);
      return kept;
    });
    if (configs.every((c, i) => c === nic.ipConfigurations[i])) return nic;
    const kept = { ...nic, ipConfigurations: configs };
    origins.carry(nic, kept);
    return kept;
  });
  // Members a load balancer names that no imported file holds.
  const loadBalancers = lbs.map((lb, l): LoadBalancer => {
    const named = (ref: ResourceRef, path: (string | number)[], by: string): boolean => {
      const nic = nicOf(ref);
      if (nic === undefined || nics.has(lower(nic))) return true;
      diagnostics.push({
        ...warning(
          "NetworkInterfaceNotDeclared",
          `load balancer ${lb.name}: network interface ${nic}, a backend of its ${by}, is created by no imported file; what the load balancer forwards to it is left out`,
          ["loadBalancers", l, ...path],
          "import the interface too (az network nic show output, or the template that creates it)",
        ),
        ...place(lb, path),
      });
      return false;
    };
    const pools = (lb.backendAddressPools ?? []).map((pool, p): BackendAddressPool => {
      const members = (pool.backendIPConfigurations ?? []).filter((ref, k) =>
        named(ref, ["backendAddressPools", p, "backendIPConfigurations", k], `pool ${pool.name}`),
      );
      if (members.length === (pool.backendIPConfigurations ?? []).length) return pool;
      const { backendIPConfigurations: _, ...rest } = pool;
      const kept = { ...rest, ...(members.length > 0 ? { backendIPConfigurations: members } : {}) };
      origins.carry(pool, kept);
      return kept;
    });
    const natRules = (lb.inboundNatRules ?? []).map((rule, r): InboundNatRule => {
      const ref = rule.backendIPConfiguration;
      if (
        ref === undefined ||
        named(
          ref,
          ["inboundNatRules", r, "backendIPConfiguration"],
          `inbound NAT rule ${rule.name}`,
        )
      )
        return rule;
      const { backendIPConfiguration: _, ...rest } = rule;
      origins.carry(rule, rest);
      return rest;
    });
    const same =
      pools.every((p, i) => p === lb.backendAddressPools?.[i]) &&
      natRules.every((r, i) => r === lb.inboundNatRules?.[i]);
    if (same) return lb;
    changed = true;
    const kept = {
      ...lb,
      ...(lb.backendAddressPools ? { backendAddressPools: pools } : {}),
      ...(lb.inboundNatRules ? { inboundNatRules: natRules } : {}),
    };
    origins.carry(lb, kept);
    return kept;
  });
  if (!changed) return { topology, diagnostics };
  return {
    topology: {
      ...topology,
      networkInterfaces,
      ...(topology.loadBalancers ? { loadBalancers } : {}),
    },
    diagnostics,
  };
}
