/**
 * What an export deploys. `nsgs` (the default of `tierwall export`) fits
 * what exists: the NSGs with their rules, the ASGs the rules name, and the
 * associations of NSGs (and ASGs) with subnets and network interfaces,
 * referring to the virtual networks, subnets, interfaces and public IPs as
 * they already are instead of declaring them again. `all` deploys the whole
 * topology as a new deployment.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import { info, warning } from "../../model/diagnostic.js";
import type { NetworkInterface, Topology } from "../../model/types.js";

export const EXPORT_SCOPES = ["nsgs", "all"] as const;
export type ExportScope = (typeof EXPORT_SCOPES)[number];

export const isExportScope = (text: string): text is ExportScope =>
  (EXPORT_SCOPES as readonly string[]).includes(text);

/** Whether an interface has anything an NSG-scoped export sets on it: an NSG, or ASG memberships. */
export const hasSecurity = (nic: NetworkInterface): boolean =>
  nic.networkSecurityGroup !== undefined ||
  nic.ipConfigurations.some((c) => (c.applicationSecurityGroups?.length ?? 0) > 0);

/**
 * The notes of an NSG-scoped export: what it refers to as existing, which
 * `--scope all` would declare. `redeployedInterfaces` says how the format
 * sets an interface's NSG and ASGs when it cannot set them alone (ARM and
 * Bicep have no association resource for an interface); `redeployedSubnets`,
 * how it sets a subnet's NSG when that deploys the whole subnet (ARM and
 * Bicep, and PowerShell's Set-AzVirtualNetworkSubnetConfig).
 */
export function existingNotes(
  topology: Topology,
  redeployedInterfaces?: string,
  redeployedSubnets?: string,
): Diagnostic[] {
  const notes: Diagnostic[] = [];
  const names = (items: readonly { name: string }[]) => items.map((i) => i.name).join(", ");
  if (topology.virtualNetworks.length > 0)
    notes.push(
      info(
        "ReferredAsExisting",
        `virtual networks (${names(topology.virtualNetworks)}) and their subnets are referred to as they exist; the export sets only the NSGs of subnets${topology.virtualNetworks.some((v) => (v.virtualNetworkPeerings?.length ?? 0) > 0) ? ", and writes no peering" : ""}`,
        ["virtualNetworks"],
        "export with --scope all to declare them",
      ),
    );
  const associated = topology.virtualNetworks.flatMap((v) =>
    v.subnets.filter((s) => s.networkSecurityGroup !== undefined).map((s) => `${v.name}/${s.name}`),
  );
  if (associated.length > 0 && redeployedSubnets !== undefined)
    notes.push(
      warning(
        "SubnetRedeployed",
        `subnets (${associated.join(", ")}) are ${redeployedSubnets}; what the spec does not hold of them (service endpoints, delegations, a NAT gateway, network policies) is reset by that`,
        ["virtualNetworks"],
        "add those properties to what is written, or export terraform or azcli, which set the NSG alone",
      ),
    );
  const interfaces = topology.networkInterfaces.filter(hasSecurity);
  if (interfaces.length > 0 && redeployedInterfaces !== undefined)
    notes.push(
      info(
        "InterfaceRedeployed",
        `network interfaces (${names(interfaces)}) are written whole, ${redeployedInterfaces}`,
        ["networkInterfaces"],
      ),
    );
  const untouched = topology.networkInterfaces.filter((n) => !hasSecurity(n));
  if (untouched.length > 0)
    notes.push(
      info(
        "ReferredAsExisting",
        `network interfaces without an NSG or ASGs (${names(untouched)}) are left as they exist`,
        ["networkInterfaces"],
        "export with --scope all to declare them",
      ),
    );
  if ((topology.publicIPAddresses?.length ?? 0) > 0)
    notes.push(
      info(
        "ReferredAsExisting",
        `public IP addresses (${names(topology.publicIPAddresses ?? [])}) are referred to as they exist`,
        ["publicIPAddresses"],
        "export with --scope all to declare them",
      ),
    );
  return notes;
}

/** What a script format does not write in a scope, named so that nothing is lost in silence. */
export function unwrittenNotes(
  format: "azcli" | "powershell",
  scope: ExportScope,
  topology: Topology,
): Diagnostic[] {
  const notes: Diagnostic[] = [];
  const nics = (pick: (n: NetworkInterface) => boolean) =>
    topology.networkInterfaces.filter(pick).map((n) => n.name);
  const withAsgs = nics((n) =>
    n.ipConfigurations.some((c) => (c.applicationSecurityGroups?.length ?? 0) > 0),
  );
  const peered = topology.virtualNetworks.filter(
    (v) => (v.virtualNetworkPeerings?.length ?? 0) > 0,
  );
  if (scope === "nsgs" && format === "powershell" && withAsgs.length > 0)
    notes.push(
      info(
        "NotExported",
        `the ASG memberships of network interfaces (${withAsgs.join(", ")}) are not written`,
        ["networkInterfaces"],
        "set them on the interface object's IP configurations, then Set-AzNetworkInterface",
      ),
    );
  if (scope === "all" && peered.length > 0)
    notes.push(
      info(
        "NotExported",
        `the peerings of virtual networks (${peered.map((v) => v.name).join(", ")}) are not written`,
        ["virtualNetworks"],
        format === "azcli"
          ? "create them with az network vnet peering create"
          : "create them with Add-AzVirtualNetworkPeering",
      ),
    );
  if (scope === "all" && format === "azcli") {
    const several = nics((n) => n.ipConfigurations.length > 1);
    if (several.length > 0)
      notes.push(
        info(
          "NotExported",
          `network interfaces (${several.join(", ")}) are created with their first IP configuration only`,
          ["networkInterfaces"],
          "add the others with az network nic ip-config create",
        ),
      );
  }
  return notes;
}
