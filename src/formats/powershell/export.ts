import type { IpConfiguration, ResourceRef, SecurityRule, Topology } from "../../model/types.js";
import { refName } from "../../model/types.js";
import { parseIpAddress } from "../../net/address.js";
import type { ExportScope } from "../shared/export-scope.js";
import { hasHidden, isHidden } from "../shared/hidden-characters.js";
import { wellFormed, writing } from "../shared/unwritable.js";
import { DOUBLE_QUOTES, SINGLE_QUOTES } from "./tokens.js";

/** Hidden characters PowerShell 5.1 and 7 both have a backtick escape for. */
const BACKTICK_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\0", "0"],
  ["\n", "n"],
  ["\r", "r"],
  ["\t", "t"],
]);

/**
 * A value as PowerShell reads it literally. PowerShell opens and closes
 * strings at the typographic quotes too (‘ ’ ‚ ‛, and “ ” „ for double-quoted
 * strings), so each of them is escaped, not only the ASCII one.
 *
 * Text without hidden characters goes in single quotes, where nothing is
 * special but the quotes, each doubled. Text with hidden characters goes in
 * double quotes, where they can be escaped so that a reviewer sees them:
 * `n, `r, `t, `0, and $([char]0x202E) for the others (Windows PowerShell 5.1
 * has no `u{...}); there the backtick, `$` and the double quotes are escaped.
 */
export function psQuote(value: string): string {
  wellFormed(value);
  if (!hasHidden(value))
    return `'${[...value].map((c) => (SINGLE_QUOTES.has(c) ? c + c : c)).join("")}'`;
  let out = "";
  for (const char of value) {
    const named = BACKTICK_ESCAPES.get(char);
    if (char === "`" || char === "$" || DOUBLE_QUOTES.has(char)) out += `\`${char}`;
    else if (named !== undefined) out += `\`${named}`;
    else if (isHidden(char)) out += char.split("").map(charCode).join("");
    else out += char;
  }
  return `"${out}"`;
}

/** One UTF-16 unit as a subexpression: an astral character takes two, which PowerShell joins back. */
const charCode = (unit: string): string =>
  `$([char]0x${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`;

/**
 * PowerShell variable names for resources, readable (`$nsg_web_nsg`), and one
 * per resource: names such as a-b, a_b and a.b would all read `$nsg_a_b`, and
 * PowerShell's variable names ignore case, so a name already given to another
 * resource gets a number.
 */
class Variables {
  private readonly byResource = new Map<string, string>();
  private readonly taken = new Set<string>();

  of(prefix: string, name: string): string {
    const key = `${prefix}\0${name.toLowerCase()}`;
    let variable = this.byResource.get(key);
    if (variable === undefined) {
      const base = `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
      variable = base;
      for (let n = 2; this.taken.has(variable.toLowerCase()); n++) variable = `${base}_${n}`;
      this.taken.add(variable.toLowerCase());
      this.byResource.set(key, variable);
    }
    return `$${variable}`;
  }
}

/**
 * An Az PowerShell script that creates the NSGs with their rules and applies
 * them to the subnets of networks as they exist (scope `nsgs`, the default),
 * or creates the networks with their subnets, the public IPs and the
 * interfaces with them (scope `all`). Set $ResourceGroupName and $Location
 * before it runs.
 */
export function exportAzPowerShell(topology: Topology, scope: ExportScope = "nsgs"): string {
  const variables = new Variables();
  const variable = (prefix: string, name: string) => variables.of(prefix, name);
  const lines = [
    "# NSGs, their rules and their associations, with the Az module.",
    "# Set $ResourceGroupName and $Location first, e.g. $ResourceGroupName = 'my-rg'; $Location = 'westus'",
    "",
  ];
  // Rules name ASGs by object, so the groups are looked up (or, scope all, made) first.
  for (const asg of topology.applicationSecurityGroups)
    lines.push(
      scope === "all"
        ? `${variable("asg", asg.name)} = New-AzApplicationSecurityGroup -Name ${psQuote(asg.name)} -ResourceGroupName $ResourceGroupName -Location $Location -Force`
        : `${variable("asg", asg.name)} = Get-AzApplicationSecurityGroup -Name ${psQuote(asg.name)} -ResourceGroupName $ResourceGroupName`,
    );
  if (topology.applicationSecurityGroups.length > 0) lines.push("");
  topology.networkSecurityGroups.forEach((nsg, n) => {
    const rules: string[] = [];
    nsg.securityRules.forEach((rule, i) => {
      const name = variable(`rule${i + 1}`, nsg.name);
      rules.push(name);
      const parameters = writing(["networkSecurityGroups", n, "securityRules", i], rule, () =>
        ruleParameters(rule, variables),
      );
      lines.push(`${name} = New-AzNetworkSecurityRuleConfig ${parameters}`);
    });
    const list = rules.length > 0 ? ` -SecurityRules ${rules.join(",")}` : "";
    lines.push(
      `${variable("nsg", nsg.name)} = New-AzNetworkSecurityGroup -Name ${psQuote(nsg.name)} -ResourceGroupName $ResourceGroupName -Location $Location${list} -Force`,
      "",
    );
  });
  if (scope === "all") {
    lines.push(...createNetwork(topology, variables));
    return `${lines.join("\n").trimEnd()}\n`;
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
  // An interface's NSG is set on the fetched object, then saved.
  for (const nic of topology.networkInterfaces) {
    if (nic.networkSecurityGroup === undefined) continue;
    const v = variable("nic", nic.name);
    lines.push(
      `${v} = Get-AzNetworkInterface -Name ${psQuote(nic.name)} -ResourceGroupName $ResourceGroupName`,
      `${v}.NetworkSecurityGroup = ${variable("nsg", refName(nic.networkSecurityGroup))}`,
      `Set-AzNetworkInterface -NetworkInterface ${v}`,
      "",
    );
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Scope all: the networks with their subnets, the public IPs and the interfaces, with their NSGs and ASGs. */
function createNetwork(topology: Topology, variables: Variables): string[] {
  const lines: string[] = [];
  const nsgOf = (ref: ResourceRef) => variables.of("nsg", refName(ref));
  for (const vnet of topology.virtualNetworks) {
    const subnets = vnet.subnets.map((subnet) => {
      const v = variables.of("subnet", `${vnet.name}/${subnet.name}`);
      const prefixes =
        subnet.addressPrefixes ??
        (subnet.addressPrefix === undefined ? [] : [subnet.addressPrefix]);
      const nsg = subnet.networkSecurityGroup;
      lines.push(
        `${v} = New-AzVirtualNetworkSubnetConfig -Name ${psQuote(subnet.name)} -AddressPrefix ${prefixes.map(psQuote).join(",")}${nsg === undefined ? "" : ` -NetworkSecurityGroup ${nsgOf(nsg)}`}`,
      );
      return v;
    });
    lines.push(
      `${variables.of("vnet", vnet.name)} = New-AzVirtualNetwork -Name ${psQuote(vnet.name)} -ResourceGroupName $ResourceGroupName -Location $Location -AddressPrefix ${vnet.addressSpace.addressPrefixes.map(psQuote).join(",")}${subnets.length > 0 ? ` -Subnet ${subnets.join(",")}` : ""} -Force`,
      "",
    );
  }
  for (const pip of topology.publicIPAddresses ?? [])
    lines.push(
      // -Sku given always (the module's default changed); -AllocationMethod is required.
      `${variables.of("pip", pip.name)} = New-AzPublicIpAddress -Name ${psQuote(pip.name)} -ResourceGroupName $ResourceGroupName -Location $Location -Sku ${pip.sku} -AllocationMethod ${pip.publicIPAllocationMethod ?? (pip.sku === "Standard" ? "Static" : "Dynamic")}${pip.publicIPAddressVersion === undefined ? "" : ` -IpAddressVersion ${pip.publicIPAddressVersion}`} -Force`,
    );
  if ((topology.publicIPAddresses?.length ?? 0) > 0) lines.push("");
  // The subnet each configuration is in, fetched from its network's object.
  const subnetOf = (ref: ResourceRef): string => {
    const text = typeof ref === "string" ? ref : ref.id;
    const id = /\/virtualNetworks\/([^/]+)\/subnets\/([^/]+)\/?$/i.exec(text);
    const [vnet, subnet] = id
      ? [id[1] as string, id[2] as string]
      : text.includes("/")
        ? (text.split("/", 2) as [string, string])
        : [
            topology.virtualNetworks.find((v) =>
              v.subnets.some((s) => s.name.toLowerCase() === text.toLowerCase()),
            )?.name ?? "",
            text,
          ];
    const v = variables.of("in", `${vnet}/${subnet}`);
    lines.push(
      `${v} = Get-AzVirtualNetworkSubnetConfig -Name ${psQuote(subnet)} -VirtualNetwork ${variables.of("vnet", vnet)}`,
    );
    return v;
  };
  const configParameters = (c: IpConfiguration): string => {
    const pip = c.publicIPAddress;
    const named =
      pip !== undefined && (typeof pip !== "string" || parseIpAddress(pip) === undefined);
    const asgs = (c.applicationSecurityGroups ?? []).map((a) => variables.of("asg", refName(a)));
    return [
      `-Subnet ${subnetOf(c.subnet)}`,
      ...(c.privateIPAddress === undefined
        ? c.privateIPAddressVersion === "IPv6"
          ? ["-PrivateIpAddressVersion IPv6"]
          : []
        : [`-PrivateIpAddress ${psQuote(c.privateIPAddress)}`]),
      ...(named ? [`-PublicIpAddress ${variables.of("pip", refName(pip))}`] : []),
      ...(asgs.length === 0 ? [] : [`-ApplicationSecurityGroup ${asgs.join(",")}`]),
    ].join(" ");
  };
  topology.networkInterfaces.forEach((nic) => {
    const configs = nic.ipConfigurations.map((c, i) => {
      const v = variables.of(`ipconfig${i + 1}`, nic.name);
      lines.push(
        `${v} = New-AzNetworkInterfaceIpConfig -Name ${psQuote(c.name ?? `ipconfig${i + 1}`)} ${configParameters(c)}${nic.ipConfigurations.length > 1 && i === 0 ? " -Primary" : ""}`,
      );
      return v;
    });
    const nsg = nic.networkSecurityGroup;
    lines.push(
      `${variables.of("nic", nic.name)} = New-AzNetworkInterface -Name ${psQuote(nic.name)} -ResourceGroupName $ResourceGroupName -Location $Location -IpConfiguration ${configs.join(",")}${nsg === undefined ? "" : ` -NetworkSecurityGroup ${nsgOf(nsg)}`} -Force`,
      "",
    );
  });
  return lines;
}

function ruleParameters(rule: SecurityRule, variables: Variables): string {
  const values = (many: readonly string[] | undefined, one: string | undefined) =>
    (many && many.length > 0 ? many : [one ?? "*"]).map(psQuote).join(",");
  const side = (s: "source" | "destination", Side: "Source" | "Destination") => {
    const asgs = rule[`${s}ApplicationSecurityGroups`];
    const address =
      asgs && asgs.length > 0
        ? `-${Side}ApplicationSecurityGroup ${asgs.map((a) => variables.of("asg", refName(a))).join(",")}`
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
