/**
 * Virtual networks in azurerm: networks with their inline `subnet` blocks,
 * subnet resources (with azurerm 1.x's NSG on the subnet), and peerings.
 */
import type { ResourceRef, Subnet } from "../../model/types.js";
import type { VnetDraft } from "../shared/drafts.js";
import { privateEndpointPoliciesOf } from "./azurerm-private-endpoints.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM_ROUTES } from "./azurerm-routes.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

export function readVnet(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const { name, prefixes } = r.omitting(
    { kind: "virtualNetwork", what: `virtual network ${address}` },
    () => {
      const name = r.name(block, "name", "the virtual network is left out");
      const consequence = `the virtual network ${JSON.stringify(name)} is left out`;
      return { name, prefixes: r.strings(block, "address_space", consequence) ?? [] };
    },
  );
  const vnet: VnetDraft = {
    name,
    ...r.location(block),
    addressPrefixes: prefixes,
    subnets: [],
    peerings: [],
  };
  r.record(vnet, block, { name: "name", addressSpace: "address_space" });
  vnet.addressPrefixes.forEach((_, k) => {
    r.origins.field(vnet.addressPrefixes, k, r.at(block, "address_space"));
  });
  r.vnets.set(lower(name), vnet);
  const blocks = r.omitting(
    // What a dynamic block makes is not read: its subnets may carry NSGs.
    { kind: "subnet", nsg: true, what: `the subnets ${address} makes when Terraform runs` },
    () => r.knownBlocks(block, "subnet", "subnets"),
  );
  for (const s of blocks)
    r.guarded(() => {
      const omission = (what: string) => ({
        kind: "subnet" as const,
        nsg: r.isSet(s, "security_group"),
        what: `${what} of virtual network ${JSON.stringify(name)}`,
      });
      const subnetName = r.omitting(omission(`the subnet ${s.where().text}`), () =>
        r.name(s, "name", "the subnet is left out"),
      );
      const consequence = `the subnet ${JSON.stringify(subnetName)} is left out`;
      const subnet: Subnet = {
        name: subnetName,
        ...r.omitting(omission(`subnet ${JSON.stringify(subnetName)}`), () =>
          subnetPrefixes(r, s, consequence),
        ),
      };
      const nsg = r.omitting(
        {
          kind: "association",
          what: `the NSG of subnet ${JSON.stringify(`${name}/${subnetName}`)}`,
        },
        () =>
          r.nsgRef(
            s,
            "security_group",
            `subnet ${JSON.stringify(subnetName)} is imported without its NSG`,
          ),
      );
      const placed = {
        ...subnet,
        ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
        ...routeTableOf(r, s, `${name}/${subnetName}`),
        ...outboundAccessOf(r, s),
      };
      r.record(placed, s, {
        name: "name",
        addressPrefix: "address_prefix",
        addressPrefixes: "address_prefixes",
        networkSecurityGroup: "security_group",
        routeTable: "route_table_id",
        defaultOutboundAccess: "default_outbound_access_enabled",
      });
      addSubnet(r, vnet, placed);
    });
}

export function readSubnet(r: AzurermReader, block: TfBlock): void {
  const omission = (what: string) => ({
    kind: "subnet" as const,
    // azurerm 1.x set the subnet's NSG on the subnet itself; later versions, an association does.
    nsg: r.isSet(block, "network_security_group_id"),
    what,
  });
  const address = block.where().text;
  const name = r.omitting(omission(`subnet ${address}`), () =>
    r.name(block, "name", "the subnet is left out"),
  );
  const consequence = `the subnet ${JSON.stringify(name)} is left out`;
  const named = omission(`subnet ${JSON.stringify(name)} (${address})`);
  const { vnet, prefixes } = r.omitting(named, () => {
    const vnetName = r.name(block, "virtual_network_name", consequence);
    const vnet = parentVnet(r, block, vnetName, consequence, named);
    return { vnet, prefixes: vnet ? subnetPrefixes(r, block, consequence) : undefined };
  });
  if (!vnet || !prefixes) return;
  const subnet: Subnet = { name, ...prefixes };
  const nsg = r.omitting(
    { kind: "association", what: `the NSG of subnet ${JSON.stringify(`${vnet.name}/${name}`)}` },
    () =>
      r.nsgRef(
        block,
        "network_security_group_id",
        `subnet ${JSON.stringify(name)} is imported without its NSG`,
      ),
  );
  const placed = {
    ...subnet,
    ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
    ...routeTableOf(r, block, `${vnet.name}/${name}`),
    ...outboundAccessOf(r, block),
    ...privateEndpointPoliciesOf(r, block),
  };
  r.record(placed, block, {
    name: "name",
    addressPrefix: "address_prefixes",
    addressPrefixes: "address_prefixes",
    networkSecurityGroup: "network_security_group_id",
    routeTable: "route_table_id",
    defaultOutboundAccess: "default_outbound_access_enabled",
    privateEndpointNetworkPolicies: r.isSet(block, "private_endpoint_network_policies")
      ? "private_endpoint_network_policies"
      : "private_endpoint_network_policies_enabled",
  });
  addSubnet(r, vnet, placed);
}

/**
 * azurerm 4's `default_outbound_access_enabled`: false gives the subnet's hosts
 * no implicit outbound address. One not known is read as true (azurerm's and
 * Azure's default before API 2025-07-01), named.
 */
function outboundAccessOf(r: AzurermReader, block: TfBlock): { defaultOutboundAccess?: boolean } {
  const v = r.value(
    block,
    "default_outbound_access_enabled",
    "it is read as true, azurerm's default",
    "warning",
    false,
  );
  return typeof v === "boolean" ? { defaultOutboundAccess: v } : {};
}

export function readPeering(r: AzurermReader, block: TfBlock): void {
  const consequence = "the peering is left out";
  const omission = { kind: "peering" as const, what: `peering ${block.where().text}` };
  r.omitting(omission, () => {
    const name = r.string(block, "name", consequence);
    const vnetName = r.name(block, "virtual_network_name", consequence);
    const remoteValue = r.value(block, "remote_virtual_network_id", consequence);
    if (remoteValue === undefined) r.missing(block, "remote_virtual_network_id");
    const remote = r.reference(block, "remote_virtual_network_id", remoteValue, AZURERM.vnet);
    const vnet = parentVnet(r, block, vnetName, consequence, omission);
    if (!vnet) return;
    const peering = {
      ...(name === undefined ? {} : { name }),
      remoteVirtualNetwork: r.modelRef(remote, r.vnetDraft(remote.name) !== undefined),
      ...peeringFlags(r, block),
    };
    r.record(peering, block, {
      name: "name",
      remoteVirtualNetwork: "remote_virtual_network_id",
      ...Object.fromEntries(PEERING_FLAGS.map(([attribute, field]) => [field, attribute])),
    });
    vnet.peerings.push(peering);
  });
}

/**
 * The route table a subnet names itself: azurerm 1.x's `route_table_id` on a
 * subnet resource, azurerm 4's on a network's inline subnet block. One not
 * known is left out, named (its routes may have dropped what the spec lets through).
 */
function routeTableOf(
  r: AzurermReader,
  block: TfBlock,
  subnet: string,
): { routeTable?: ResourceRef } {
  return r.omitting(
    { kind: "resources", what: `the route table of subnet ${JSON.stringify(subnet)}` },
    () => {
      const v = r.value(
        block,
        "route_table_id",
        "the subnet is imported without its route table",
        "warning",
        false,
      );
      if (v === undefined || v === "") return {};
      const target = r.reference(block, "route_table_id", v, AZURERM_ROUTES.table);
      return { routeTable: r.modelRef(target, true) };
    },
  );
}

/** azurerm's peering flags and the model's fields; azurerm's defaults are Azure's. */
const PEERING_FLAGS = [
  ["allow_virtual_network_access", "allowVirtualNetworkAccess", true],
  ["allow_forwarded_traffic", "allowForwardedTraffic", false],
  ["allow_gateway_transit", "allowGatewayTransit", false],
  ["use_remote_gateways", "useRemoteGateways", false],
] as const;

/**
 * The flags a peering sets away from their defaults. One not known is read
 * the way that hides no path: access and forwarded traffic allowed, no
 * gateway used through the peer.
 */
function peeringFlags(r: AzurermReader, block: TfBlock): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [attribute, field, byDefault] of PEERING_FLAGS) {
    const unknownAs =
      attribute === "allow_virtual_network_access" || attribute === "allow_forwarded_traffic";
    const v = r.value(block, attribute, `it is read as ${unknownAs}`, "warning", false);
    const value = v === undefined ? (r.isSet(block, attribute) ? unknownAs : byDefault) : v;
    if (typeof value !== "boolean") r.wrongType(block, attribute, "a boolean");
    if (value !== byDefault) out[field] = value;
  }
  return out;
}

/** A subnet's `address_prefixes` (and the older `address_prefix`), one or several. */
function subnetPrefixes(
  r: AzurermReader,
  block: TfBlock,
  consequence: string,
): { addressPrefix?: string; addressPrefixes?: string[] } {
  const list = r.strings(block, "address_prefixes", consequence);
  const one = r.string(block, "address_prefix", consequence);
  const all = [...(list ?? []), ...(one === undefined ? [] : [one])];
  if (all.length === 0) r.missing(block, "address_prefixes");
  return all.length === 1 ? { addressPrefix: all[0] as string } : { addressPrefixes: all };
}

/** Merges a subnet into its network (state lists a network's subnets inline and as resources). */
function addSubnet(r: AzurermReader, vnet: VnetDraft, subnet: Subnet): void {
  const i = vnet.subnets.findIndex((s) => lower(s.name) === lower(subnet.name));
  const before = vnet.subnets[i];
  if (before === undefined) {
    vnet.subnets.push(subnet);
    return;
  }
  const merged = { ...before, ...subnet };
  r.origins.carry(before, merged);
  r.origins.carry(subnet, merged);
  vnet.subnets[i] = merged;
}

/**
 * The virtual network a subnet or peering names, or undefined when these files
 * do not declare it: reported as leaving out what `leftOut` says.
 */
function parentVnet(
  r: AzurermReader,
  block: TfBlock,
  vnetName: string,
  consequence: string,
  leftOut: Parameters<AzurermReader["omitting"]>[0],
): VnetDraft | undefined {
  const vnet = r.vnetDraft(vnetName);
  if (!vnet)
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("virtual_network_name"),
      `virtual network ${JSON.stringify(vnetName)} is not declared in these files; ${consequence}`,
      leftOut,
    );
  return vnet;
}
