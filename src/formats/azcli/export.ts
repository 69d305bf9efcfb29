import type { ResourceRef, SecurityRule, Topology } from "../../model/types.js";
import { refName } from "../../model/types.js";
import { parseIpAddress } from "../../net/address.js";
import type { ExportScope } from "../shared/export-scope.js";
import { hasHidden, isHidden } from "../shared/hidden-characters.js";
import { UnwritableText, wellFormed, writing } from "../shared/unwritable.js";

/**
 * A value as one bash word, taken literally. Text without hidden characters
 * goes in single quotes, where only the quote itself is special. Text with
 * hidden characters goes in ANSI-C quotes ($'...'), where each is written as
 * the \xHH escapes of its UTF-8 bytes so that a reviewer sees it (\u needs
 * bash 4.2 and a UTF-8 locale; \x works in every bash). NUL ends a C string,
 * so no bash word can hold it: such text is refused.
 */
export function shellQuote(value: string): string {
  wellFormed(value);
  if (value.includes("\0"))
    throw new UnwritableText(value, "holds NUL (U+0000), which bash cannot pass to a command");
  if (!hasHidden(value)) return `'${value.replace(/'/g, `'\\''`)}'`;
  let out = "";
  for (const char of value) {
    if (char === "\\" || char === "'") out += `\\${char}`;
    else if (isHidden(char))
      for (const byte of Buffer.from(char, "utf8"))
        out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += char;
  }
  return `$'${out}'`;
}

/**
 * Why az would not take a value as written, if it would not: it reads its
 * arguments again after bash. A value starting with `@` (or whose part after
 * its first `=` does) names a file whose content az sends instead; one
 * starting with `-` is an option to argparse; az's shorthand syntax reads
 * `null` and `None` as no value, `??` as a request for help (the command
 * shows it and succeeds without creating anything), and a value starting
 * with `'` as quoted. Lists read more: `[...]` and `{...}` are shorthand
 * lists and objects, `key=value` sets an element.
 */
function azReading(value: string, list: boolean): string | undefined {
  const afterEquals = value.includes("=") ? value.slice(value.indexOf("=") + 1) : value;
  if (/^@./s.test(afterEquals))
    return "starts with '@' (or has it after its first '='), which makes az send the content of the file it names";
  if (value.startsWith("-")) return "starts with '-', which az reads as an option";
  if (["null", "None", "??"].includes(value))
    return `is ${value}, which az reads as ${value === "??" ? "a request for help: the command would create nothing" : "no value"}`;
  if (value.startsWith("'")) return "starts with a single quote, which az reads as its own quoting";
  if (list && (/^[[{]/.test(value) || value.includes("=")))
    return "starts with '[' or '{', or holds '=', which az reads as a list, an object or an assignment";
  return undefined;
}

/** A value of one az argument: quoted for bash, refused when az would read it as something else. */
function azValue(value: string, list = false): string {
  const why = azReading(value, list);
  if (why !== undefined) throw new UnwritableText(value, why);
  return shellQuote(value);
}

/**
 * An az CLI script (bash) that creates the NSGs with their rules and applies
 * them to their subnets and network interfaces as they exist (scope `nsgs`,
 * the default), or creates the networks, subnets, public IPs and interfaces
 * with them (scope `all`). `az ... create` puts the resource as described,
 * so the script can run again. Every flag is given, since some defaults
 * surprise (`--destination-port-ranges` defaults to 80, `--sku` changed).
 */
export function exportAzCli(topology: Topology, scope: ExportScope = "nsgs"): string {
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
  topology.applicationSecurityGroups.forEach((asg, a) => {
    lines.push(
      writing(
        ["applicationSecurityGroups", a],
        asg,
        () =>
          `az network asg create --resource-group "$RG" --name ${azValue(asg.name)} "\${location[@]}" --output none`,
      ),
    );
  });
  topology.networkSecurityGroups.forEach((nsg, n) => {
    lines.push(
      writing(
        ["networkSecurityGroups", n],
        { name: nsg.name },
        () =>
          `az network nsg create --resource-group "$RG" --name ${azValue(nsg.name)} "\${location[@]}" --output none`,
      ),
    );
    nsg.securityRules.forEach((rule, r) => {
      lines.push(
        writing(["networkSecurityGroups", n, "securityRules", r], rule, () =>
          ruleCommand(nsg.name, rule),
        ),
      );
    });
    lines.push("");
  });
  if (scope === "all") {
    lines.push(...createNetwork(topology));
    return `${lines.join("\n").trimEnd()}\n`;
  }
  topology.virtualNetworks.forEach((vnet, v) => {
    vnet.subnets.forEach((subnet, s) => {
      if (subnet.networkSecurityGroup === undefined) return;
      const nsg = refName(subnet.networkSecurityGroup);
      lines.push(
        writing(
          ["virtualNetworks", v, "subnets", s],
          subnet,
          () =>
            `az network vnet subnet update --resource-group "$RG" --vnet-name ${azValue(vnet.name)} --name ${azValue(subnet.name)} --network-security-group ${azValue(nsg)} --output none`,
        ),
      );
    });
  });
  topology.networkInterfaces.forEach((nic, i) => {
    const nsg = nic.networkSecurityGroup;
    if (nsg !== undefined)
      lines.push(
        writing(
          ["networkInterfaces", i],
          nic,
          () =>
            `az network nic update --resource-group "$RG" --name ${azValue(nic.name)} --network-security-group ${azValue(refName(nsg))} --output none`,
        ),
      );
    // Each IP configuration's ASG memberships, by the configuration's name.
    nic.ipConfigurations.forEach((config, c) => {
      const asgs = (config.applicationSecurityGroups ?? []).map(refName);
      if (asgs.length === 0) return;
      lines.push(
        writing(
          ["networkInterfaces", i, "ipConfigurations", c],
          config,
          () =>
            `az network nic ip-config update --resource-group "$RG" --nic-name ${azValue(nic.name)} --name ${azValue(config.name ?? `ipconfig${c + 1}`)} --asgs ${asgs.map((a) => azValue(a, true)).join(" ")} --output none`,
        ),
      );
    });
  });
  return `${lines.join("\n").trimEnd()}\n`;
}

/** Scope all: the networks with their subnets, the public IPs and the interfaces, with their NSGs and ASGs. */
function createNetwork(topology: Topology): string[] {
  const lines: string[] = [];
  const list = (values: readonly string[]) => values.map((v) => azValue(v, true)).join(" ");
  topology.virtualNetworks.forEach((vnet, v) => {
    lines.push(
      writing(
        ["virtualNetworks", v],
        vnet,
        () =>
          `az network vnet create --resource-group "$RG" --name ${azValue(vnet.name)} --address-prefixes ${list(vnet.addressSpace.addressPrefixes)} "\${location[@]}" --output none`,
      ),
    );
    vnet.subnets.forEach((subnet, s) => {
      const prefixes =
        subnet.addressPrefixes ??
        (subnet.addressPrefix === undefined ? [] : [subnet.addressPrefix]);
      const nsg = subnet.networkSecurityGroup;
      lines.push(
        writing(["virtualNetworks", v, "subnets", s], subnet, () =>
          [
            `az network vnet subnet create --resource-group "$RG" --vnet-name ${azValue(vnet.name)} --name ${azValue(subnet.name)}`,
            `--address-prefixes ${list(prefixes)}`,
            ...(nsg === undefined ? [] : [`--network-security-group ${azValue(nsgArgument(nsg))}`]),
            "--output none",
          ].join(" "),
        ),
      );
    });
    lines.push("");
  });
  (topology.publicIPAddresses ?? []).forEach((pip, p) => {
    lines.push(
      writing(["publicIPAddresses", p], pip, () =>
        [
          `az network public-ip create --resource-group "$RG" --name ${azValue(pip.name)}`,
          // Given always: az's default changed from Basic to Standard in 2.55.
          `--sku ${pip.sku}`,
          ...(pip.publicIPAllocationMethod === undefined
            ? []
            : [`--allocation-method ${pip.publicIPAllocationMethod}`]),
          ...(pip.publicIPAddressVersion === undefined
            ? []
            : [`--version ${pip.publicIPAddressVersion}`]),
          `"\${location[@]}" --output none`,
        ].join(" "),
      ),
    );
  });
  topology.networkInterfaces.forEach((nic, i) => {
    const config = nic.ipConfigurations[0];
    if (config === undefined) return;
    const pip = config.publicIPAddress;
    const named =
      pip !== undefined && (typeof pip !== "string" || parseIpAddress(pip) === undefined);
    const asgs = (config.applicationSecurityGroups ?? []).map(refName);
    lines.push(
      writing(["networkInterfaces", i], nic, () =>
        [
          `az network nic create --resource-group "$RG" --name ${azValue(nic.name)}`,
          subnetArguments(topology, config.subnet),
          ...(config.privateIPAddress === undefined
            ? config.privateIPAddressVersion === "IPv6"
              ? ["--private-ip-address-version IPv6"]
              : []
            : [`--private-ip-address ${azValue(config.privateIPAddress)}`]),
          ...(named ? [`--public-ip-address ${azValue(nsgArgument(pip))}`] : []),
          ...(nic.networkSecurityGroup === undefined
            ? []
            : [`--network-security-group ${azValue(nsgArgument(nic.networkSecurityGroup))}`]),
          ...(asgs.length === 0 ? [] : [`--asgs ${list(asgs)}`]),
          `"\${location[@]}" --output none`,
        ].join(" \\\n  "),
      ),
    );
    // az network nic create makes one IP configuration; the others are named, not written.
    if (nic.ipConfigurations.length > 1)
      lines.push(
        `# the interface above has ${nic.ipConfigurations.length - 1} more IP configurations, not written: add them with az network nic ip-config create`,
      );
  });
  return lines;
}

/** A resource as a flag names it: its id as given, else its name. */
const nsgArgument = (ref: ResourceRef): string => (typeof ref === "string" ? ref : ref.id);

/** `--vnet-name V --subnet S` for a subnet named `vnet/subnet` or alone, or `--subnet ID`. */
function subnetArguments(topology: Topology, ref: ResourceRef): string {
  const text = typeof ref === "string" ? ref : ref.id;
  if (text.startsWith("/")) return `--subnet ${azValue(text)}`;
  const [vnet, subnet] = text.includes("/")
    ? (text.split("/", 2) as [string, string])
    : [
        topology.virtualNetworks.find((v) =>
          v.subnets.some((s) => s.name.toLowerCase() === text.toLowerCase()),
        )?.name,
        text,
      ];
  return `${vnet === undefined ? "" : `--vnet-name ${azValue(vnet)} `}--subnet ${azValue(subnet)}`;
}

function ruleCommand(nsg: string, rule: SecurityRule): string {
  const list = (values: readonly string[]) => values.map((v) => azValue(v, true)).join(" ");
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
    `az network nsg rule create --resource-group "$RG" --nsg-name ${azValue(nsg)} --name ${azValue(rule.name)}`,
    `--priority ${rule.priority} --direction ${rule.direction} --access ${rule.access} --protocol ${azValue(rule.protocol)}`,
    `${side("source")} ${ports("source")}`,
    `${side("destination")} ${ports("destination")}`,
    ...(rule.description ? [`--description ${azValue(rule.description)}`] : []),
    "--output none",
  ].join(" \\\n  ");
}
