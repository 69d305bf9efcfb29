/**
 * A load balancer as a resource of a whole deployment (scope `all`): its
 * frontends on public IPs or subnets of the deployment, pools, probes,
 * load-balancing rules and inbound NAT rules, each rule naming the load
 * balancer's own children by `resourceId()`, as ARM templates do.
 */
import type { LoadBalancer } from "../../model/load-balancer-types.js";
import { type ResourceRef, refName } from "../../model/types.js";
import type { PlanLocation, PlannedResource, PlanValue, ResourceReference } from "./deployment.js";

export const LOAD_BALANCER_TYPE = "Microsoft.Network/loadBalancers";

/** What planning a load balancer needs of the deployment's plan (deployment.ts). */
export interface LoadBalancerPlanning {
  /** `{ id }` of a public IP, a dependency when the deployment declares it. */
  publicIp(ref: ResourceRef, needs: PlanNeeds): PlanValue;
  /** `{ id }` of a subnet, a dependency on its network when the deployment declares it. */
  subnet(ref: ResourceRef, needs: PlanNeeds): PlanValue;
  needs(): PlanNeeds;
  /** The id of a resource by type and names. */
  id(type: string, names: readonly string[]): ResourceReference;
}

export interface PlanNeeds {
  add(ref: ResourceReference): void;
  list(): ResourceReference[];
}

const defined = <T extends Record<string, PlanValue | undefined>>(
  o: T,
): Record<string, PlanValue> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<
    string,
    PlanValue
  >;

export function planLoadBalancer(
  lb: LoadBalancer,
  location: PlanLocation,
  plan: LoadBalancerPlanning,
): PlannedResource {
  const needs = plan.needs();
  // A child of this load balancer, named by name or id: by its own name here.
  const child = (kind: string, ref: ResourceRef | undefined): PlanValue | undefined =>
    ref === undefined
      ? undefined
      : { id: plan.id(`${LOAD_BALANCER_TYPE}/${kind}`, [lb.name, refName(ref)]) };
  const frontendIPConfigurations = lb.frontendIPConfigurations.map(
    (f): PlanValue => ({
      name: f.name,
      properties:
        f.publicIPAddress !== undefined
          ? { publicIPAddress: plan.publicIp(f.publicIPAddress, needs) }
          : defined({
              subnet: f.subnet === undefined ? undefined : plan.subnet(f.subnet, needs),
              privateIPAllocationMethod: f.privateIPAddress === undefined ? "Dynamic" : "Static",
              privateIPAddress: f.privateIPAddress,
              privateIPAddressVersion: f.privateIPAddressVersion,
            }),
    }),
  );
  const backendAddressPools = (lb.backendAddressPools ?? []).map((p): PlanValue => {
    const addresses = (p.loadBalancerBackendAddresses ?? []).map(
      (a, i): PlanValue => ({
        name: a.name ?? `address${i + 1}`,
        properties: defined({
          ipAddress: a.ipAddress,
          virtualNetwork:
            a.virtualNetwork === undefined
              ? undefined
              : { id: plan.id("Microsoft.Network/virtualNetworks", [refName(a.virtualNetwork)]) },
          subnet: a.subnet === undefined ? undefined : plan.subnet(a.subnet, needs),
        }),
      }),
    );
    return addresses.length > 0
      ? { name: p.name, properties: { loadBalancerBackendAddresses: addresses } }
      : { name: p.name };
  });
  const probes = (lb.probes ?? []).map(
    (p): PlanValue => ({
      name: p.name,
      properties: defined({
        protocol: p.protocol,
        port: p.port,
        requestPath: p.requestPath,
        intervalInSeconds: p.intervalInSeconds,
        numberOfProbes: p.numberOfProbes,
        probeThreshold: p.probeThreshold,
      }),
    }),
  );
  const loadBalancingRules = (lb.loadBalancingRules ?? []).map(
    (r): PlanValue => ({
      name: r.name,
      properties: defined({
        frontendIPConfiguration: child("frontendIPConfigurations", r.frontendIPConfiguration),
        backendAddressPool: child("backendAddressPools", r.backendAddressPool),
        backendAddressPools:
          r.backendAddressPools === undefined
            ? undefined
            : r.backendAddressPools.map((p) => child("backendAddressPools", p) as PlanValue),
        probe: child("probes", r.probe),
        protocol: r.protocol,
        frontendPort: r.frontendPort,
        backendPort: r.backendPort ?? r.frontendPort,
        enableFloatingIP: r.enableFloatingIP,
        disableOutboundSnat: r.disableOutboundSnat,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
        loadDistribution: r.loadDistribution,
        enableTcpReset: r.enableTcpReset,
      }),
    }),
  );
  const inboundNatRules = (lb.inboundNatRules ?? []).map(
    (r): PlanValue => ({
      name: r.name,
      properties: defined({
        frontendIPConfiguration: child("frontendIPConfigurations", r.frontendIPConfiguration),
        protocol: r.protocol,
        frontendPort: r.frontendPort,
        frontendPortRangeStart: r.frontendPortRangeStart,
        frontendPortRangeEnd: r.frontendPortRangeEnd,
        backendAddressPool: child("backendAddressPools", r.backendAddressPool),
        backendPort: r.backendPort,
        enableFloatingIP: r.enableFloatingIP,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
        enableTcpReset: r.enableTcpReset,
      }),
    }),
  );
  const inboundNatPools = (lb.inboundNatPools ?? []).map(
    (p): PlanValue => ({
      name: p.name,
      properties: defined({
        frontendIPConfiguration: child("frontendIPConfigurations", p.frontendIPConfiguration),
        protocol: p.protocol,
        frontendPortRangeStart: p.frontendPortRangeStart,
        frontendPortRangeEnd: p.frontendPortRangeEnd,
        backendPort: p.backendPort,
        enableFloatingIP: p.enableFloatingIP,
        idleTimeoutInMinutes: p.idleTimeoutInMinutes,
        enableTcpReset: p.enableTcpReset,
      }),
    }),
  );
  const outboundRules = (lb.outboundRules ?? []).map(
    (r): PlanValue => ({
      name: r.name,
      properties: defined({
        frontendIPConfigurations: r.frontendIPConfigurations.map(
          (f) => child("frontendIPConfigurations", f) as PlanValue,
        ),
        backendAddressPool: child("backendAddressPools", r.backendAddressPool),
        protocol: r.protocol,
        allocatedOutboundPorts: r.allocatedOutboundPorts,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
        enableTcpReset: r.enableTcpReset,
      }),
    }),
  );
  return {
    type: LOAD_BALANCER_TYPE,
    names: [lb.name],
    location,
    sku: lb.sku,
    properties: {
      frontendIPConfigurations,
      ...(backendAddressPools.length > 0 ? { backendAddressPools } : {}),
      ...(probes.length > 0 ? { probes } : {}),
      ...(loadBalancingRules.length > 0 ? { loadBalancingRules } : {}),
      ...(inboundNatRules.length > 0 ? { inboundNatRules } : {}),
      ...(inboundNatPools.length > 0 ? { inboundNatPools } : {}),
      ...(outboundRules.length > 0 ? { outboundRules } : {}),
    },
    dependsOn: needs.list(),
  };
}
