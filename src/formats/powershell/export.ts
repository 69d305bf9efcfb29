import type { SecurityRule, Topology } from "../../model/types.js";
import { refName } from "../../model/types.js";

/** A value in single quotes, as PowerShell reads it literally. */
export function psQuote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A PowerShell variable name for a resource, from its name. */
const variable = (prefix: string, name: string) =>
  `$${prefix}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/**
 * An Az PowerShell script that creates the NSGs with their rules and applies
 * them to their subnets. Set $ResourceGroupName and $Location before it runs.
 */
export function exportAzPowerShell(topology: Topology): string {
  const lines = [
    "# NSGs, their rules and their associations, with the Az module.",
    "# Set $ResourceGroupName and $Location first, e.g. $ResourceGroupName = 'my-rg'; $Location = 'westus'",
    "",
  ];
  // Rules name ASGs by object, so the groups are looked up first.
  for (const asg of topology.applicationSecurityGroups)
    lines.push(
      `${variable("asg", asg.name)} = Get-AzApplicationSecurityGroup -Name ${psQuote(asg.name)} -ResourceGroupName $ResourceGroupName`,
    );
  if (topology.applicationSecurityGroups.length > 0) lines.push("");
  for (const nsg of topology.networkSecurityGroups) {
    const rules: string[] = [];
    nsg.securityRules.forEach((rule, i) => {
      const name = variable(`rule${i + 1}`, nsg.name);
      rules.push(name);
      lines.push(`${name} = New-AzNetworkSecurityRuleConfig ${ruleParameters(rule)}`);
    });
    const list = rules.length > 0 ? ` -SecurityRules ${rules.join(",")}` : "";
    lines.push(
      `${variable("nsg", nsg.name)} = New-AzNetworkSecurityGroup -Name ${psQuote(nsg.name)} -ResourceGroupName $ResourceGroupName -Location $Location${list} -Force`,
      "",
    );
  }
  for (const vnet of topology.virtualNetworks) {
    const associated = vnet.subnets.filter((s) => s.networkSecurityGroup !== undefined);
    if (associated.length === 0) continue;
    const v = variable("vnet", vnet.name);
    lines.push(
      `${v} = Get-AzVirtualNetwork -Name ${psQuote(vnet.name)} -ResourceGroupName $ResourceGroupName`,
    );
    for (const subnet of associated) {
      const prefixes =
        subnet.addressPrefixes ?? (subnet.addressPrefix ? [subnet.addressPrefix] : []);
      lines.push(
        `Set-AzVirtualNetworkSubnetConfig -Name ${psQuote(subnet.name)} -VirtualNetwork ${v} -AddressPrefix ${prefixes.map(psQuote).join(",")} -NetworkSecurityGroup ${variable("nsg", refName(subnet.networkSecurityGroup ?? ""))}`,
      );
    }
    lines.push(`Set-AzVirtualNetwork -VirtualNetwork ${v}`, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function ruleParameters(rule: SecurityRule): string {
  const values = (many: readonly string[] | undefined, one: string | undefined) =>
    (many && many.length > 0 ? many : [one ?? "*"]).map(psQuote).join(",");
  const side = (s: "source" | "destination", Side: "Source" | "Destination") => {
    const asgs = rule[`${s}ApplicationSecurityGroups`];
    const address =
      asgs && asgs.length > 0
        ? `-${Side}ApplicationSecurityGroup ${asgs.map((a) => variable("asg", refName(a))).join(",")}`
        : `-${Side}AddressPrefix ${values(rule[`${s}AddressPrefixes`], rule[`${s}AddressPrefix`])}`;
    return `${address} -${Side}PortRange ${values(rule[`${s}PortRanges`], rule[`${s}PortRange`])}`;
  };
  return [
    `-Name ${psQuote(rule.name)}`,
    ...(rule.description ? [`-Description ${psQuote(rule.description)}`] : []),
    `-Protocol ${psQuote(rule.protocol)} -Access ${rule.access} -Priority ${rule.priority} -Direction ${rule.direction}`,
    side("source", "Source"),
    side("destination", "Destination"),
  ].join(" `\n  ");
}
