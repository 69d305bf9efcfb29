/**
 * Notes about NSG rules that would only act on private endpoints whose subnet
 * does not apply its NSG to them (privateEndpointNetworkPolicies Disabled or
 * RouteTableEnabled): a subnet that holds nothing but such endpoints, whose
 * NSG has inbound rules of its own; and, in a subnet with other hosts, an
 * inbound rule whose destinations are only such endpoints' addresses.
 */
import { type Diagnostic, info, type ValuePath } from "../model/diagnostic.js";
import type { Network, SubnetInfo } from "../model/network.js";
import { nsgAppliesToPrivateEndpoints } from "../model/private-endpoint-types.js";
import type { PrivateEndpointInfo } from "../model/private-endpoints.js";
import { type AddressMatch, watcherRuleName } from "../model/rule.js";
import { displayAddress, sameAddress } from "../net/address.js";

export function privateEndpointFindings(network: Network): Diagnostic[] {
  const out: Diagnostic[] = [];
  [...network.vnets.values()].forEach((vnet, i) => {
    vnet.subnets.forEach((subnet, j) => {
      const nsgName = subnet.nsg;
      const nsg = nsgName === undefined ? undefined : network.nsgs.get(nsgName);
      if (!nsg || nsgAppliesToPrivateEndpoints(subnet.privateEndpointNetworkPolicies)) return;
      const endpoints = [...network.privateEndpoints.values()].filter(
        (pe) => pe.subnet.id === subnet.id,
      );
      if (endpoints.length === 0) return;
      const custom = nsg.inbound.filter((r) => !r.isDefault);
      if (custom.length === 0) return;
      const policy = subnet.privateEndpointNetworkPolicies ?? "Disabled";
      if (onlyPrivateEndpoints(network, subnet)) {
        const path: ValuePath = ["virtualNetworks", i, "subnets", j, "networkSecurityGroup"];
        out.push(
          info(
            "PrivateEndpointNsgNotApplied",
            `subnet ${subnet.id} holds only private endpoints (${endpoints.map((p) => p.name).join(", ")}), and its privateEndpointNetworkPolicies is ${policy}: the inbound rules of NSG ${nsg.name} (${custom.map((r) => watcherRuleName(r)).join(", ")}) do not apply to their traffic`,
            path,
            "set privateEndpointNetworkPolicies to Enabled or NetworkSecurityGroupEnabled if the rules are meant to filter it",
          ),
        );
        return;
      }
      for (const rule of custom) {
        const targets = endpointsNamed(rule.destination, endpoints);
        if (!targets) continue;
        out.push(
          info(
            "PrivateEndpointNsgNotApplied",
            `${nsg.name}: ${watcherRuleName(rule)} (${rule.priority}) names only private endpoint addresses (${targets.map((p) => `${p.name} ${displayAddress(p.address)}`).join(", ")}) of ${subnet.id}, whose privateEndpointNetworkPolicies is ${policy}: it does not apply to their traffic`,
            nsg.rulePaths.get(rule.name) ?? nsg.path,
            "set privateEndpointNetworkPolicies to Enabled or NetworkSecurityGroupEnabled if the rule is meant to filter it",
          ),
        );
      }
    });
  });
  return out;
}

/** Whether nothing but private endpoints sits in the subnet: no NIC, environment, frontend or Bastion. */
function onlyPrivateEndpoints(network: Network, subnet: SubnetInfo): boolean {
  for (const nic of network.nics.values())
    if (nic.ipConfigurations.some((c) => c.subnet.id === subnet.id)) return false;
  for (const env of network.environments.values()) if (env.subnet.id === subnet.id) return false;
  for (const lb of network.loadBalancers.values())
    if (lb.frontends.some((f) => f.subnet?.id === subnet.id)) return false;
  for (const b of network.bastionHosts.values()) if (b.subnet.id === subnet.id) return false;
  return true;
}

/** The endpoints a rule's destination names, when it names them only, each as its own /32 (or /128). */
function endpointsNamed(
  destination: AddressMatch,
  endpoints: readonly PrivateEndpointInfo[],
): PrivateEndpointInfo[] | undefined {
  if (destination.kind !== "prefixes" || destination.prefixes.length === 0) return undefined;
  const found: PrivateEndpointInfo[] = [];
  for (const p of destination.prefixes) {
    if (p.length !== (p.family === 4 ? 32 : 128)) return undefined;
    const pe = endpoints.find(
      (e) => !e.dynamic && sameAddress(e.address, { family: p.family, value: p.first }),
    );
    if (!pe) return undefined;
    found.push(pe);
  }
  return found;
}
