/**
 * What importers collect while they read, before the topology is whole: an
 * NSG whose rules may arrive one by one, and a virtual network whose subnets
 * and peerings may be declared apart from it.
 */
import type {
  NetworkSecurityGroup,
  SecurityRule,
  Subnet,
  VirtualNetwork,
  VirtualNetworkPeering,
} from "../../model/types.js";

export interface NsgDraft {
  name: string;
  location?: string;
  flushConnection?: boolean;
  rules: SecurityRule[];
}

export interface VnetDraft {
  name: string;
  location?: string;
  addressPrefixes: string[];
  subnets: Subnet[];
  peerings: VirtualNetworkPeering[];
}

/** The model's NSG, with only the properties that were read. */
export function nsgOf(draft: NsgDraft): NetworkSecurityGroup {
  return {
    name: draft.name,
    ...(draft.location === undefined ? {} : { location: draft.location }),
    ...(draft.flushConnection === undefined ? {} : { flushConnection: draft.flushConnection }),
    securityRules: draft.rules,
  };
}

/** The model's virtual network, with only the properties that were read. */
export function vnetOf(draft: VnetDraft): VirtualNetwork {
  return {
    name: draft.name,
    ...(draft.location === undefined ? {} : { location: draft.location }),
    addressSpace: { addressPrefixes: draft.addressPrefixes },
    subnets: draft.subnets,
    ...(draft.peerings.length === 0 ? {} : { virtualNetworkPeerings: draft.peerings }),
  };
}
