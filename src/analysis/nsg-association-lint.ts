/**
 * NSGs associated with nothing. Where the spec has subnets or network
 * interfaces, an NSG on none of them filters no traffic: it is named once
 * (UnassociatedNsg, a note) and its rules are not linted, since nothing they
 * say takes effect. A spec of NSGs alone (no subnet, no network interface:
 * a module that defines NSGs associated elsewhere) is linted rule by rule,
 * with no such note.
 */
import { type Diagnostic, info } from "../model/diagnostic.js";
import type { Network, NsgInfo } from "../model/network.js";

/** Whether a spec has anything an NSG can be associated with. */
export function hasAssociationTargets(network: Network): boolean {
  return network.subnets.length > 0 || network.nics.size > 0;
}

export function unassociatedNsgFinding(nsg: NsgInfo): Diagnostic {
  const rules = nsg.inbound.concat(nsg.outbound).filter((r) => !r.isDefault).length;
  return info(
    "UnassociatedNsg",
    `${nsg.name} is associated with no subnet and no network interface: it filters nothing, and its ${rules} rule${rules === 1 ? "" : "s"} ${rules === 1 ? "is" : "are"} not linted`,
    nsg.path,
    "associate it with the subnet or network interface it is meant for, or delete it",
  );
}
