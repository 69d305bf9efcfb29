/**
 * An application gateway as a resource of a whole deployment (scope `all`):
 * its SKU, subnet, frontends on public IPs or its subnet, frontend ports,
 * listeners, pools, backend settings and request routing rules, each naming
 * the gateway's own children by `resourceId()`, as ARM templates do.
 */
import type { ApplicationGateway } from "../../model/application-gateway-types.js";
import { type ResourceRef, refName } from "../../model/types.js";
import type { PlanLocation, PlannedResource, PlanValue } from "./deployment.js";
import type { LoadBalancerPlanning } from "./load-balancer-plan.js";

export const APPLICATION_GATEWAY_PLAN_TYPE = "Microsoft.Network/applicationGateways";

const defined = (o: Record<string, PlanValue | undefined>): Record<string, PlanValue> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<
    string,
    PlanValue
  >;

export function planApplicationGateway(
  gw: ApplicationGateway,
  location: PlanLocation,
  plan: LoadBalancerPlanning,
): PlannedResource {
  const needs = plan.needs();
  const child = (kind: string, ref: ResourceRef | undefined): PlanValue | undefined =>
    ref === undefined
      ? undefined
      : { id: plan.id(`${APPLICATION_GATEWAY_PLAN_TYPE}/${kind}`, [gw.name, refName(ref)]) };
  const named = (name: string, properties: Record<string, PlanValue>): PlanValue => ({
    name,
    properties,
  });
  const sku = defined({
    // A v1 SKU's name carries its size; Standard_Medium and WAF_Medium stand for one not given.
    name:
      gw.sku.name ??
      (gw.sku.tier === "Standard" || gw.sku.tier === "WAF" ? `${gw.sku.tier}_Medium` : gw.sku.tier),
    tier: gw.sku.tier,
    capacity: gw.sku.capacity,
  });
  const properties: Record<string, PlanValue> = {
    sku,
    gatewayIPConfigurations: gw.gatewayIPConfigurations.map((c) =>
      named(c.name, { subnet: plan.subnet(c.subnet, needs) }),
    ),
    frontendIPConfigurations: gw.frontendIPConfigurations.map((f) =>
      named(
        f.name,
        f.publicIPAddress !== undefined
          ? { publicIPAddress: plan.publicIp(f.publicIPAddress, needs) }
          : defined({
              subnet: f.subnet === undefined ? undefined : plan.subnet(f.subnet, needs),
              privateIPAllocationMethod: f.privateIPAddress === undefined ? "Dynamic" : "Static",
              privateIPAddress: f.privateIPAddress,
            }),
      ),
    ),
    frontendPorts: gw.frontendPorts.map((p) => named(p.name, { port: p.port })),
    httpListeners: (gw.httpListeners ?? []).map((l) =>
      named(
        l.name,
        defined({
          frontendIPConfiguration: child("frontendIPConfigurations", l.frontendIPConfiguration),
          frontendPort: child("frontendPorts", l.frontendPort),
          protocol: l.protocol,
          hostName: l.hostName,
          hostNames: l.hostNames === undefined ? undefined : [...l.hostNames],
        }),
      ),
    ),
    backendAddressPools: (gw.backendAddressPools ?? []).map((p) =>
      named(
        p.name,
        p.backendAddresses === undefined
          ? {}
          : {
              backendAddresses: p.backendAddresses.map((a) =>
                defined({ ipAddress: a.ipAddress, fqdn: a.fqdn }),
              ),
            },
      ),
    ),
    backendHttpSettingsCollection: (gw.backendHttpSettingsCollection ?? []).map((s) =>
      named(
        s.name,
        defined({
          port: s.port,
          protocol: s.protocol,
          cookieBasedAffinity: s.cookieBasedAffinity ?? "Disabled",
          requestTimeout: s.requestTimeout,
        }),
      ),
    ),
    requestRoutingRules: (gw.requestRoutingRules ?? []).map((r) =>
      named(
        r.name,
        defined({
          ruleType: r.ruleType ?? "Basic",
          priority: r.priority,
          httpListener: child("httpListeners", r.httpListener),
          backendAddressPool: child("backendAddressPools", r.backendAddressPool),
          backendHttpSettings: child("backendHttpSettingsCollection", r.backendHttpSettings),
          redirectConfiguration: child("redirectConfigurations", r.redirectConfiguration),
        }),
      ),
    ),
  };
  return {
    type: APPLICATION_GATEWAY_PLAN_TYPE,
    names: [gw.name],
    location,
    properties,
    dependsOn: needs.list(),
  };
}
