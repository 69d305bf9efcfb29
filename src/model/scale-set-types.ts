/**
 * Virtual machine scale sets as the user writes them, with ARM's property
 * names (each child's `properties` lifted, as `az vmss show` prints them).
 * Every instance of a scale set has the same network configuration, so for
 * reachability a scale set is one symbolic member per network interface
 * configuration: a Dynamic host of its subnet with the configuration's NSG,
 * ASGs, load balancer pools and inbound NAT pools, and a public address of
 * its own when the configuration gives its instances one.
 */
import type { IpVersion, PublicIPSku, ResourceRef } from "./types.js";

export const ORCHESTRATION_MODES = ["Uniform", "Flexible"] as const;
export type OrchestrationMode = (typeof ORCHESTRATION_MODES)[number];

/**
 * A public address each instance gets (`publicIPAddressConfiguration`): not a
 * public IP resource, and its address is known only when deploying. Its SKU is
 * Basic when left out (the platform's default before Standard was required):
 * open to inbound traffic where no NSG applies, the reading that hides no
 * exposure.
 */
export interface ScaleSetPublicIpConfiguration {
  readonly name: string;
  readonly sku?: PublicIPSku;
  readonly publicIPAddressVersion?: IpVersion;
  readonly idleTimeoutInMinutes?: number;
}

export interface ScaleSetIpConfiguration {
  readonly name: string;
  readonly primary?: boolean;
  readonly subnet: ResourceRef;
  /** IPv4 when left out; every instance gets some free host of the subnet (Dynamic). */
  readonly privateIPAddressVersion?: IpVersion;
  readonly publicIPAddressConfiguration?: ScaleSetPublicIpConfiguration;
  readonly applicationSecurityGroups?: readonly ResourceRef[];
  /** Backend pools the instances join: `{ id }`, or `LB/POOL`. */
  readonly loadBalancerBackendAddressPools?: readonly ResourceRef[];
  /** Inbound NAT pools that forward one frontend port to each instance: `{ id }`, or `LB/POOL`. */
  readonly loadBalancerInboundNatPools?: readonly ResourceRef[];
  /** Application gateway backend pools the instances join (named, not modelled here). */
  readonly applicationGatewayBackendAddressPools?: readonly ResourceRef[];
}

export interface ScaleSetNetworkInterfaceConfiguration {
  readonly name: string;
  readonly primary?: boolean;
  readonly networkSecurityGroup?: ResourceRef;
  readonly enableIPForwarding?: boolean;
  readonly enableAcceleratedNetworking?: boolean;
  readonly ipConfigurations: readonly ScaleSetIpConfiguration[];
}

export interface VirtualMachineScaleSet {
  readonly name: string;
  readonly location?: string;
  /** Uniform when left out (ARM's default before Flexible). */
  readonly orchestrationMode?: OrchestrationMode;
  /** Its VM size and, when given, how many instances (a NAT pool needs one frontend port each). */
  readonly sku?: { readonly name?: string; readonly tier?: string; readonly capacity?: number };
  readonly networkProfile: {
    readonly networkInterfaceConfigurations: readonly ScaleSetNetworkInterfaceConfiguration[];
  };
}

/**
 * The name a scale set's network interface configuration is known by among
 * network interfaces: `vmss:NAME` for its primary (or only) one, else
 * `vmss:NAME/CONFIG`.
 */
export function scaleSetInterfaceName(scaleSet: string, config: string, primary: boolean): string {
  return primary ? `vmss:${scaleSet}` : `vmss:${scaleSet}/${config}`;
}
