/**
 * Virtual networks in azurerm: networks with their inline `subnet` blocks,
 * subnet resources (with azurerm 1.x's NSG on the subnet), and peerings.
 */
import type { Subnet } from "../../model/types.js";
import type { VnetDraft } from "../shared/drafts.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

export function readVnet(r: AzurermReader, block: TfBlock): void {
  const name = r.required(block, "name", "the virtual network is left out");
  const prefixes =
    r.strings(block, "address_space", `the virtual network ${JSON.stringify(name)} is left out`) ??
    [];
  const vnet: VnetDraft = {
    name,
    ...r.location(block),
    addressPrefixes: prefixes,
    subnets: [],
    peerings: [],
  };
  r.vnets.set(lower(name), vnet);
  for (const s of r.knownBlocks(block, "subnet", "subnets"))
    r.guarded(() => {
      const subnetName = r.required(s, "name", "the subnet is left out");
      const consequence = `the subnet ${JSON.stringify(subnetName)} is left out`;
      const subnet: Subnet = { name: subnetName, ...subnetPrefixes(r, s, consequence) };
      const nsg = r.nsgRef(
        s,
        "security_group",
        `subnet ${JSON.stringify(subnetName)} is imported without its NSG`,
      );
      addSubnet(vnet, nsg === undefined ? subnet : { ...subnet, networkSecurityGroup: nsg });
    });
}

export function readSubnet(r: AzurermReader, block: TfBlock): void {
  const name = r.required(block, "name", "the subnet is left out");
  const consequence = `the subnet ${JSON.stringify(name)} is left out`;
  const vnetName = r.required(block, "virtual_network_name", consequence);
  const vnet = parentVnet(r, block, vnetName, consequence);
  if (!vnet) return;
  const subnet: Subnet = { name, ...subnetPrefixes(r, block, consequence) };
  // azurerm 1.x set the subnet's NSG on the subnet itself.
  const nsg = r.nsgRef(
    block,
    "network_security_group_id",
    `subnet ${JSON.stringify(name)} is imported without its NSG`,
  );
  addSubnet(vnet, nsg === undefined ? subnet : { ...subnet, networkSecurityGroup: nsg });
}

export function readPeering(r: AzurermReader, block: TfBlock): void {
  const consequence = "the peering is left out";
  const name = r.string(block, "name", consequence);
  const vnetName = r.required(block, "virtual_network_name", consequence);
  const remoteValue = r.value(block, "remote_virtual_network_id", consequence);
  if (remoteValue === undefined) return;
  const remote = r.reference(
    block,
    "remote_virtual_network_id",
    remoteValue,
    AZURERM.vnet,
    consequence,
  );
  const vnet = parentVnet(r, block, vnetName, consequence);
  if (!vnet) return;
  vnet.peerings.push({
    ...(name === undefined ? {} : { name }),
    remoteVirtualNetwork: r.modelRef(remote, r.vnetDraft(remote.name) !== undefined),
  });
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
  if (all.length === 0) r.missing(block, "address_prefixes", consequence);
  return all.length === 1 ? { addressPrefix: all[0] as string } : { addressPrefixes: all };
}

/** Merges a subnet into its network (state lists a network's subnets inline and as resources). */
function addSubnet(vnet: VnetDraft, subnet: Subnet): void {
  const i = vnet.subnets.findIndex((s) => lower(s.name) === lower(subnet.name));
  if (i < 0) vnet.subnets.push(subnet);
  else vnet.subnets[i] = { ...vnet.subnets[i], ...subnet };
}

/** The virtual network a subnet or peering names, or undefined (reported) when these files do not declare it. */
function parentVnet(
  r: AzurermReader,
  block: TfBlock,
  vnetName: string,
  consequence: string,
): VnetDraft | undefined {
  const vnet = r.vnetDraft(vnetName);
  if (!vnet)
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("virtual_network_name"),
      `virtual network ${JSON.stringify(vnetName)} is not declared in these files; ${consequence}`,
    );
  return vnet;
}
