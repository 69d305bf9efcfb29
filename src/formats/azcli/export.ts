import type { SecurityRule, Topology } from "../../model/types.js";
import { refName } from "../../model/types.js";

/** A value in single quotes, safe for bash whatever it holds. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * An az CLI script (bash) that creates the NSGs with their rules and applies
 * them to their subnets and network interfaces. `az ... create` puts the
 * resource as described, so the script can run again. Every flag is given,
 * since some defaults surprise (`--destination-port-ranges` defaults to 80).
 */
export function exportAzCli(topology: Topology): string {
  const lines = [
    "#!/usr/bin/env bash",
    "# NSGs, their rules and their associations, as az CLI commands.",
    "# Set RG to the resource group; LOCATION is optional (the group's by default).",
    "set -euo pipefail",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    ': "${RG:?set RG to the resource group}"',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    'location=(); if [ -n "${LOCATION:-}" ]; then location=(--location "$LOCATION"); fi',
    "",
  ];
  for (const asg of topology.applicationSecurityGroups)
    lines.push(
      `az network asg create --resource-group "$RG" --name ${shellQuote(asg.name)} "\${location[@]}" --output none`,
    );
  for (const nsg of topology.networkSecurityGroups) {
    lines.push(
      `az network nsg create --resource-group "$RG" --name ${shellQuote(nsg.name)} "\${location[@]}" --output none`,
    );
    for (const rule of nsg.securityRules) lines.push(ruleCommand(nsg.name, rule));
    lines.push("");
  }
  for (const vnet of topology.virtualNetworks)
    for (const subnet of vnet.subnets)
      if (subnet.networkSecurityGroup !== undefined)
        lines.push(
          `az network vnet subnet update --resource-group "$RG" --vnet-name ${shellQuote(vnet.name)} --name ${shellQuote(subnet.name)} --network-security-group ${shellQuote(refName(subnet.networkSecurityGroup))} --output none`,
        );
  for (const nic of topology.networkInterfaces)
    if (nic.networkSecurityGroup !== undefined)
      lines.push(
        `az network nic update --resource-group "$RG" --name ${shellQuote(nic.name)} --network-security-group ${shellQuote(refName(nic.networkSecurityGroup))} --output none`,
      );
  return `${lines.join("\n").trimEnd()}\n`;
}

function ruleCommand(nsg: string, rule: SecurityRule): string {
  const list = (values: readonly string[]) => values.map(shellQuote).join(" ");
  const side = (s: "source" | "destination") => {
    const asgs = rule[`${s}ApplicationSecurityGroups`];
    if (asgs && asgs.length > 0) return `--${s}-asgs ${list(asgs.map(refName))}`;
    const prefixes = rule[`${s}AddressPrefixes`];
    const prefix = rule[`${s}AddressPrefix`];
    return `--${s}-address-prefixes ${list(prefixes && prefixes.length > 0 ? prefixes : [prefix ?? "*"])}`;
  };
  const ports = (s: "source" | "destination") => {
    const many = rule[`${s}PortRanges`];
    const one = rule[`${s}PortRange`];
    return `--${s}-port-ranges ${list(many && many.length > 0 ? many : [one ?? "*"])}`;
  };
  return [
    `az network nsg rule create --resource-group "$RG" --nsg-name ${shellQuote(nsg)} --name ${shellQuote(rule.name)}`,
    `--priority ${rule.priority} --direction ${rule.direction} --access ${rule.access} --protocol ${shellQuote(rule.protocol)}`,
    `${side("source")} ${ports("source")}`,
    `${side("destination")} ${ports("destination")}`,
    ...(rule.description ? [`--description ${shellQuote(rule.description)}`] : []),
    "--output none",
  ].join(" \\\n  ");
}
