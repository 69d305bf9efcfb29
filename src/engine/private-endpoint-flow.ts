/**
 * What judges traffic to a private endpoint: it has no NSG of its own, and its
 * subnet's NSG applies only when the subnet's privateEndpointNetworkPolicies
 * is Enabled or NetworkSecurityGroupEnabled (Disabled when left out). Where it
 * applies, its rules' source ports are read as * (Azure's Private Link
 * documentation: "source port filtering is interpreted as *"). The caller's
 * own outbound NSGs apply as to any flow.
 */
import { nsgAppliesToPrivateEndpoints } from "../model/private-endpoint-types.js";
import type { PrivateEndpointInfo } from "../model/private-endpoints.js";
import type { NsgStage } from "./nsg-chain.js";
import type { Packet } from "./packet.js";

/** The inbound NSG stages of a flow to a private endpoint: its subnet's NSG, or none. */
export function privateEndpointStages(pe: PrivateEndpointInfo, packet: Packet): NsgStage[] {
  const nsg = pe.subnet.nsg;
  if (nsg === undefined || !nsgAppliesToPrivateEndpoints(pe.policies)) return [];
  return [
    {
      nsg,
      appliedTo: { type: "subnet", name: pe.subnet.id },
      direction: "Inbound",
      vnet: pe.subnet.vnet,
      packet,
      anySourcePort: true,
    },
  ];
}

/** What a flow's trace says of the NSG on a private endpoint's subnet, when there is one. */
export function privateEndpointNote(pe: PrivateEndpointInfo): string | undefined {
  const nsg = pe.subnet.nsg;
  if (nsg === undefined) return undefined;
  if (nsgAppliesToPrivateEndpoints(pe.policies))
    return `NSG ${nsg} of subnet ${pe.subnet.id} applies to private endpoint ${pe.name} (privateEndpointNetworkPolicies ${pe.policies}), with its rules' source ports read as *`;
  return `NSG ${nsg} of subnet ${pe.subnet.id} does not apply to private endpoint traffic (privateEndpointNetworkPolicies ${pe.policies}), so only the caller's own NSGs judge it`;
}
