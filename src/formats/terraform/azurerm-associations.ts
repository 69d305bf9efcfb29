/**
 * The azurerm resources that attach one resource to another: an NSG to a
 * subnet or to a network interface, and a network interface to an ASG. They
 * are read after what they attach, and change it.
 */
import type { Subnet } from "../../model/types.js";
import type { VnetDraft } from "../shared/drafts.js";
import { type AzurermReader, lower, type NicDraft } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

const consequence = "the association is left out";

export function readSubnetNsgAssociation(r: AzurermReader, block: TfBlock): void {
  const at = associatedSubnet(r, block);
  if (!at) return;
  const nsg = r.nsgRef(block, "network_security_group_id", consequence);
  if (nsg === undefined) return;
  const subnet = at.vnet.subnets[at.index] as Subnet;
  at.vnet.subnets[at.index] = { ...subnet, networkSecurityGroup: nsg };
}

export function readNicNsgAssociation(r: AzurermReader, block: TfBlock): void {
  const nic = associatedNic(r, block);
  if (!nic) return;
  const nsg = r.nsgRef(block, "network_security_group_id", consequence);
  if (nsg !== undefined) nic.nsg = nsg;
}

export function readNicAsgAssociation(r: AzurermReader, block: TfBlock): void {
  const nic = associatedNic(r, block);
  if (!nic) return;
  const v = r.value(block, "application_security_group_id", consequence);
  if (v === undefined) return;
  const ref = r.asgRef(block, "application_security_group_id", v, consequence);
  const key = lower(typeof ref === "string" ? ref : ref.id);
  // azurerm 1.x named one IP configuration; later versions join every configuration of the interface.
  const only = r.string(block, "ip_configuration_name", consequence);
  for (const c of nic.configs)
    if (only === undefined || lower(c.name ?? "") === lower(only))
      if (!c.asgs.some((a) => lower(typeof a === "string" ? a : a.id) === key)) c.asgs.push(ref);
}

/** The declared subnet an association names, or undefined (reported). */
function associatedSubnet(
  r: AzurermReader,
  block: TfBlock,
): { vnet: VnetDraft; index: number } | undefined {
  const v = r.value(block, "subnet_id", consequence);
  if (v === undefined) return undefined;
  const target = r.reference(block, "subnet_id", v, AZURERM.subnet, consequence);
  const vnet = target.parent === undefined ? undefined : r.vnetDraft(target.parent);
  const index = vnet?.subnets.findIndex((s) => lower(s.name) === lower(target.name)) ?? -1;
  if (!vnet || index < 0) {
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("subnet_id"),
      `subnet ${target.parent ?? "?"}/${target.name} is not declared in these files; ${consequence}`,
    );
    return undefined;
  }
  return { vnet, index };
}

/** The declared network interface an association names, or undefined (reported unless it was left out). */
function associatedNic(r: AzurermReader, block: TfBlock): NicDraft | undefined {
  const v = r.value(block, "network_interface_id", consequence);
  if (v === undefined) return undefined;
  const target = r.reference(block, "network_interface_id", v, AZURERM.nic, consequence);
  const nic = r.nics.get(lower(target.name));
  if (!nic && !r.leftOutNics.has(lower(target.name)))
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("network_interface_id"),
      `network interface ${target.name} is not declared in these files; ${consequence}`,
    );
  return nic;
}
