/**
 * Virtual machine scale sets in azurerm: the `network_interface` blocks of
 * azurerm_linux_virtual_machine_scale_set, _windows_ and
 * azurerm_orchestrated_virtual_machine_scale_set (Flexible), and the
 * `network_profile` blocks of azurerm 1.x/2.x's azurerm_virtual_machine_scale_set:
 * each with its NSG and IP configurations (subnet, ASGs, load balancer pools
 * and inbound NAT pools, a public address per instance), and the instance count.
 */
import type {
  ScaleSetIpConfiguration,
  ScaleSetNetworkInterfaceConfiguration,
  ScaleSetPublicIpConfiguration,
  VirtualMachineScaleSet,
} from "../../model/scale-set-types.js";
import type { ResourceRef } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import { ipForwardingMessage, NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import { AZURERM_LB } from "./azurerm-load-balancers.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock, TfValue } from "./values.js";

export const AZURERM_VMSS = {
  linux: "azurerm_linux_virtual_machine_scale_set",
  windows: "azurerm_windows_virtual_machine_scale_set",
  orchestrated: "azurerm_orchestrated_virtual_machine_scale_set",
  legacy: "azurerm_virtual_machine_scale_set",
} as const;

const read = new WeakMap<AzurermReader, VirtualMachineScaleSet[]>();

/** The scale sets read, for the topology; left out when there are none. */
export function scaleSetsOf(r: AzurermReader): {
  virtualMachineScaleSets?: VirtualMachineScaleSet[];
} {
  const sets = read.get(r) ?? [];
  return sets.length > 0 ? { virtualMachineScaleSets: sets } : {};
}

/** azurerm_linux_ / _windows_virtual_machine_scale_set (Uniform). */
export function readScaleSet(r: AzurermReader, block: TfBlock): void {
  readAny(r, block, "Uniform", "network_interface", "instances");
}

/** azurerm_orchestrated_virtual_machine_scale_set (Flexible). */
export function readOrchestratedScaleSet(r: AzurermReader, block: TfBlock): void {
  readAny(r, block, "Flexible", "network_interface", "instances");
}

/** azurerm_virtual_machine_scale_set (azurerm 1.x and 2.x). */
export function readLegacyScaleSet(r: AzurermReader, block: TfBlock): void {
  readAny(r, block, "Uniform", "network_profile", undefined);
}

function readAny(
  r: AzurermReader,
  block: TfBlock,
  mode: "Uniform" | "Flexible",
  nicBlock: "network_interface" | "network_profile",
  instances: string | undefined,
): void {
  const address = block.where().text;
  const whole: LeftOut = { kind: "networkInterface", nsg: true, what: `scale set ${address}` };
  const name = r.omitting(whole, () => r.name(block, "name", "the scale set is left out"));
  const label = `scale set ${JSON.stringify(name)}`;
  const blocks = r.omitting(whole, () =>
    r.knownBlocks(block, nicBlock, `network interfaces of ${label}`),
  );
  const configs: ScaleSetNetworkInterfaceConfiguration[] = [];
  for (const nb of blocks)
    r.guarded(() => {
      const config = nicConfig(r, nb, name, nicBlock === "network_profile");
      if (config) configs.push(config);
    });
  if (configs.length === 0) {
    if (blocks.length === 0 && mode === "Flexible")
      r.report(
        "info",
        "ScaleSetWithoutNetworkProfile",
        block.where(),
        `${label} gives no network interface; its VMs' interfaces, if any, are resources of their own`,
      );
    else
      r.report(
        "warning",
        "IncompleteNetworkInterface",
        block.where(),
        `${label} has no network interface with a known subnet; it is left out, with its NSG`,
        whole,
      );
    return;
  }
  const capacity = capacityOf(r, block, instances);
  const vmss: VirtualMachineScaleSet = {
    name,
    ...r.location(block),
    orchestrationMode: mode,
    ...(capacity === undefined ? {} : { sku: { capacity } }),
    networkProfile: { networkInterfaceConfigurations: configs },
  };
  r.record(vmss, block, { name: "name" });
  const sets = read.get(r) ?? [];
  if (sets.some((s) => lower(s.name) === lower(name)))
    r.report(
      "error",
      "DuplicateResourceName",
      block.where("name"),
      `${label} is declared a second time`,
    );
  else sets.push(vmss);
  read.set(r, sets);
}

/** `instances`, or the legacy `sku { capacity }`: when known, a NAT pool needs a port per instance. */
function capacityOf(
  r: AzurermReader,
  block: TfBlock,
  instances: string | undefined,
): number | undefined {
  let v: TfValue | undefined;
  if (instances !== undefined) v = r.peek(block, instances);
  else {
    const sku = r.peek(block, "sku");
    const skuBlock = Array.isArray(sku) ? sku[0] : sku;
    if (skuBlock && typeof skuBlock === "object" && !Array.isArray(skuBlock))
      v = (skuBlock as Record<string, TfValue>).capacity;
  }
  return typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined;
}

function nicConfig(
  r: AzurermReader,
  nb: TfBlock,
  scaleSet: string,
  legacy: boolean,
): ScaleSetNetworkInterfaceConfiguration | undefined {
  const hasNsg = r.isSet(nb, "network_security_group_id");
  const peekName = r.peek(nb, "name");
  const what = `network interface ${JSON.stringify(typeof peekName === "string" ? peekName : "")} of scale set ${JSON.stringify(scaleSet)}`;
  const leftOut: LeftOut = { kind: "networkInterface", nsg: hasNsg, what };
  return r.omitting(leftOut, () => {
    const name = r.required(nb, "name", `the ${what} is left out`);
    const nsg = r.omitting({ kind: "association", what: `the NSG of ${what}` }, () =>
      r.nsgRef(nb, "network_security_group_id", `${what} is imported without its NSG`),
    );
    for (const attribute of legacy
      ? ["ip_forwarding"]
      : ["enable_ip_forwarding", "ip_forwarding_enabled"])
      if (r.peek(nb, attribute) === true)
        r.report(
          "warning",
          NOT_MODELLED_CODE,
          nb.where(attribute),
          ipForwardingMessage(`${scaleSet}'s instances`),
        );
    const ipConfigurations: ScaleSetIpConfiguration[] = [];
    for (const c of r.knownBlocks(nb, "ip_configuration", `IP configurations of ${what}`))
      r.guarded(() => {
        const ip = ipConfig(r, c, what, legacy);
        if (ip) ipConfigurations.push(ip);
      });
    if (ipConfigurations.length === 0) {
      r.report(
        "warning",
        "IncompleteNetworkInterface",
        nb.where(),
        `${what} has no IP configuration with a known subnet; it is left out${hasNsg ? ", with its NSG" : ""}`,
        leftOut,
      );
      return undefined;
    }
    const primary = r.peek(nb, "primary");
    const config: ScaleSetNetworkInterfaceConfiguration = {
      name,
      ...(primary === true ? { primary } : {}),
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations,
    };
    r.record(config, nb, { name: "name", networkSecurityGroup: "network_security_group_id" });
    return config;
  });
}

function ipConfig(
  r: AzurermReader,
  c: TfBlock,
  owner: string,
  legacy: boolean,
): ScaleSetIpConfiguration {
  const consequence = `an IP configuration of ${owner} is left out`;
  const name = r.required(c, "name", consequence);
  const subnetValue = r.value(c, "subnet_id", consequence);
  if (subnetValue === undefined) r.missing(c, "subnet_id");
  const subnet = r.reference(c, "subnet_id", subnetValue, AZURERM.subnet);
  const list = (attribute: string, what: string): readonly TfValue[] => {
    const v = r.omitting(
      {
        kind: what === "asg" ? "asgMembership" : "loadBalancer",
        what: `the ${attribute} of ${owner}`,
      },
      () => r.value(c, attribute, "they are left out", "warning", false),
    );
    return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  };
  const asgs = list("application_security_group_ids", "asg").map((a) =>
    r.asgRef(c, "application_security_group_ids", a),
  );
  const child = (attribute: string, type: string) =>
    list(attribute, "lb").map((item): ResourceRef => {
      const target = r.reference(c, attribute, item, type);
      return target.id !== undefined && target.parent === undefined
        ? { id: target.id }
        : `${target.parent ?? "?"}/${target.name}`;
    });
  // azurerm 1.x wrote `_pools_ids`; later versions `_pool_ids`.
  const poolAttribute = r.isSet(c, "load_balancer_backend_address_pool_ids")
    ? "load_balancer_backend_address_pool_ids"
    : "load_balancer_backend_address_pools_ids";
  const pools = child(poolAttribute, AZURERM_LB.pool);
  const natPools = child("load_balancer_inbound_nat_rules_ids", AZURERM_LB.natPool);
  if (
    r.isSet(c, "application_gateway_backend_address_pool_ids") &&
    list("application_gateway_backend_address_pool_ids", "lb").length > 0
  )
    r.report(
      "warning",
      NOT_MODELLED_CODE,
      c.where("application_gateway_backend_address_pool_ids"),
      `the application gateway pools ${owner} joins are not read; what a gateway forwards to its instances is not modelled`,
    );
  const publicIp = publicIpOf(r, c, legacy);
  const version = r.peek(c, "version");
  const primary = r.peek(c, "primary");
  const config: ScaleSetIpConfiguration = {
    name,
    ...(primary === true ? { primary } : {}),
    subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
    ...(typeof version === "string" && lower(version) === "ipv6"
      ? { privateIPAddressVersion: "IPv6" }
      : {}),
    ...(publicIp === undefined ? {} : { publicIPAddressConfiguration: publicIp }),
    ...(asgs.length > 0 ? { applicationSecurityGroups: asgs } : {}),
    ...(pools.length > 0 ? { loadBalancerBackendAddressPools: pools } : {}),
    ...(natPools.length > 0 ? { loadBalancerInboundNatPools: natPools } : {}),
  };
  r.record(config, c, {
    name: "name",
    subnet: "subnet_id",
    applicationSecurityGroups: "application_security_group_ids",
  });
  return config;
}

/** `public_ip_address` (or the legacy `public_ip_address_configuration`): each instance's own address. */
function publicIpOf(
  r: AzurermReader,
  c: TfBlock,
  legacy: boolean,
): ScaleSetPublicIpConfiguration | undefined {
  const blocks = r.knownBlocks(
    c,
    legacy ? "public_ip_address_configuration" : "public_ip_address",
    "per-instance public addresses",
  );
  const [b] = blocks;
  if (!b) return undefined;
  const name = r.peek(b, "name");
  // The orchestrated scale set's sku_name: Basic_Regional, Standard_Regional, Standard_Global.
  const sku = r.peek(b, "sku_name");
  const version = r.peek(b, "version");
  return {
    name: typeof name === "string" && name !== "" ? name : "publicIp",
    ...(typeof sku === "string" && /^standard/i.test(sku)
      ? { sku: "Standard" as const }
      : typeof sku === "string" && /^basic/i.test(sku)
        ? { sku: "Basic" as const }
        : {}),
    ...(typeof version === "string" && lower(version) === "ipv6"
      ? { publicIPAddressVersion: "IPv6" as const }
      : {}),
  };
}
