/**
 * The azurerm resources that attach one resource to another: an NSG to a
 * subnet or to a network interface, and a network interface to an ASG. They
 * are read after what they attach, and change it. One that cannot be applied
 * is reported as leaving out the association (or the memberships).
 *
 * A subnet or interface these files refer to by a data source or an ARM id
 * exists already (what `tierwall export` writes by default): the NSG is
 * imported onto a placeholder of it, which merges into the declaration
 * another imported file gives (shared/imported.ts). A placeholder network
 * has no address space; a placeholder interface no other file declares is
 * left out there, with its NSG.
 */
import type { Subnet } from "../../model/types.js";
import type { VnetDraft } from "../shared/drafts.js";
import type { LeftOut } from "../shared/left-out.js";
import { type AzurermReader, lower, type NicDraft, type Target } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { ResourceId, type TfBlock } from "./values.js";

const consequence = "the association is left out";

/** The association being read, with its NSG's name and its target once they are known. */
function association(
  block: TfBlock,
  nsg?: string,
  target?: { subnet: string } | { nic: string },
): LeftOut {
  return {
    kind: "association",
    ...(nsg === undefined ? {} : { nsg }),
    ...(target === undefined ? {} : { target }),
    what: `the association ${block.where().text}`,
  };
}

export function readSubnetNsgAssociation(r: AzurermReader, block: TfBlock): void {
  const nsgName = peekNsg(r, block);
  const at = r.omitting(association(block, nsgName), () => associatedSubnet(r, block, nsgName));
  if (!at) return;
  const nsg = r.omitting(association(block), () =>
    r.nsgRef(block, "network_security_group_id", consequence),
  );
  if (nsg === undefined) return;
  const subnet = at.vnet.subnets[at.index] as Subnet;
  const associated = { ...subnet, networkSecurityGroup: nsg };
  r.origins.carry(subnet, associated);
  r.origins.field(associated, "networkSecurityGroup", r.at(block, "network_security_group_id"));
  at.vnet.subnets[at.index] = associated;
}

export function readNicNsgAssociation(r: AzurermReader, block: TfBlock): void {
  const nsgName = peekNsg(r, block);
  const nic = r.omitting(association(block, nsgName), () =>
    associatedNic(r, block, (target) => association(block, nsgName, { nic: target.name })),
  );
  if (!nic) return;
  const nsg = r.omitting(association(block), () =>
    r.nsgRef(block, "network_security_group_id", consequence),
  );
  if (nsg === undefined) return;
  nic.nsg = nsg;
  r.origins.field(nic, "networkSecurityGroup", r.at(block, "network_security_group_id"));
}

/** The name of the NSG an association names, when it is known (read without reporting). */
function peekNsg(r: AzurermReader, block: TfBlock): string | undefined {
  const v = r.peek(block, "network_security_group_id");
  if (v instanceof ResourceId) return v.name;
  return typeof v === "string" && v !== "" ? (v.split("/").pop() ?? v) : undefined;
}

export function readNicAsgAssociation(r: AzurermReader, block: TfBlock): void {
  const membership = (asgs?: string[]): LeftOut => ({
    kind: "asgMembership",
    ...(asgs === undefined ? {} : { asgs }),
    what: `the application security group membership ${block.where().text}`,
  });
  const peeked = r.peek(block, "application_security_group_id");
  const asgs =
    peeked instanceof ResourceId
      ? [peeked.name]
      : typeof peeked === "string" && peeked !== ""
        ? [peeked.split("/").pop() ?? peeked]
        : undefined;
  const nic = r.omitting(membership(asgs), () => associatedNic(r, block, () => membership(asgs)));
  if (!nic) return;
  if (nic.configs.length === 0) {
    // An interface that exists: its IP configurations, which ASGs join, are not known here.
    r.report(
      "warning",
      "NetworkInterfaceNotDeclared",
      block.where("network_interface_id"),
      `network interface ${nic.name} is not declared in these files, so its IP configurations are not known; ${consequence}`,
      membership(asgs),
    );
    return;
  }
  const ref = r.omitting(membership(), () => {
    const v = r.value(block, "application_security_group_id", consequence);
    return v === undefined ? undefined : r.asgRef(block, "application_security_group_id", v);
  });
  if (ref === undefined) return;
  const key = lower(typeof ref === "string" ? ref : ref.id);
  // azurerm 1.x named one IP configuration; later versions join every configuration of the interface.
  const only = r.string(block, "ip_configuration_name", consequence);
  for (const c of nic.configs)
    if (only === undefined || lower(c.name ?? "") === lower(only))
      if (!c.asgs.some((a) => lower(typeof a === "string" ? a : a.id) === key)) c.asgs.push(ref);
}

/** Whether a reference names a resource that exists already: a data source's id, or an ARM id. */
function existing(v: unknown): boolean {
  return (v instanceof ResourceId && v.data) || (typeof v === "string" && v.startsWith("/"));
}

/** The declared subnet an association names, or undefined (reported: the association is left out). */
function associatedSubnet(
  r: AzurermReader,
  block: TfBlock,
  nsg: string | undefined,
): { vnet: VnetDraft; index: number } | undefined {
  const v = r.value(block, "subnet_id", consequence);
  if (v === undefined) r.missing(block, "subnet_id");
  const target = r.reference(block, "subnet_id", v, AZURERM.subnet);
  let vnet = target.parent === undefined ? undefined : r.vnetDraft(target.parent);
  if (!vnet && target.parent !== undefined && existing(v))
    vnet = r.existingVnet(target.parent, block);
  let index = vnet?.subnets.findIndex((s) => lower(s.name) === lower(target.name)) ?? -1;
  if (vnet && index < 0 && existing(v) && r.origins.isPlaceholder(vnet)) {
    // A subnet of a network that exists: its range is for the user (or another file) to give.
    const subnet = { name: target.name };
    r.record(subnet, block, { name: "subnet_id" });
    r.origins.stub(subnet);
    vnet.subnets.push(subnet);
    index = vnet.subnets.length - 1;
  }
  if (!vnet || index < 0) {
    const subnet = target.parent === undefined ? target.name : `${target.parent}/${target.name}`;
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("subnet_id"),
      `subnet ${target.parent ?? "?"}/${target.name} is not declared in these files; ${consequence}`,
      association(block, nsg, { subnet }),
    );
    return undefined;
  }
  return { vnet, index };
}

/**
 * The declared network interface an association names, or undefined: reported
 * as leaving out what `leftOut` says, whether the interface is not declared
 * or was itself left out.
 */
function associatedNic(
  r: AzurermReader,
  block: TfBlock,
  leftOut: (target: Target) => LeftOut,
): NicDraft | undefined {
  const v = r.value(block, "network_interface_id", consequence);
  if (v === undefined) r.missing(block, "network_interface_id");
  const target = r.reference(block, "network_interface_id", v, AZURERM.nic);
  const nic =
    r.nics.get(lower(target.name)) ??
    (existing(v) && !r.leftOutNics.has(lower(target.name))
      ? r.existingNic(target.name, block)
      : undefined);
  if (!nic)
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("network_interface_id"),
      r.leftOutNics.has(lower(target.name))
        ? `network interface ${target.name} is left out (see there); ${consequence}`
        : `network interface ${target.name} is not declared in these files; ${consequence}`,
      leftOut(target),
    );
  return nic;
}
