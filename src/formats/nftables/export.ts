import { NsgResolver, type ResolvedNsg, type ResolvedRule } from "../../engine/resolve.js";
import type { Network } from "../../model/network.js";
import { type Direction, watcherRuleName } from "../../model/rule.js";
import { familyMax, formatIpAddress, type IpFamily } from "../../net/address.js";
import type { AddressSet } from "../../net/address-set.js";
import { formatPortRange, type PortRange } from "../../net/ports.js";
import { hasHidden, spelledOut } from "../shared/hidden-characters.js";
import { UnwritableText, wellFormed } from "../shared/unwritable.js";

/** Where an NSG is applied, as Network Watcher names it, and the virtual network that gives its tags meaning. */
export interface NsgBinding {
  readonly nsg: string;
  readonly vnet: string;
  readonly appliedTo: { readonly type: "subnet" | "networkInterface"; readonly name: string };
}

/**
 * How the tables attach to the machine:
 * - `host`: on a host inside the subnet; inbound rules on packets arriving
 *   through the interface (input hook), outbound rules on packets leaving
 *   through it (output hook);
 * - `router`: on a router in front of the subnet; inbound rules on packets
 *   forwarded out of the interface toward the subnet, outbound rules on packets
 *   forwarded in from it.
 */
export type Placement = "host" | "router";

export interface NftablesOptions {
  readonly placement: Placement;
  /** The interface toward the subnet (router) or the host's interface in it (host). */
  readonly interface: string;
}

/** The longest comment nft accepts, in bytes. */
const NFT_COMMENT_BYTES = 128;

/**
 * A string in double quotes, as nft reads it. nft strings have no escapes:
 * a `"` or a line break cannot be written, so such text is refused (the
 * names written here are validated resource names, which never hold one).
 */
export function nftString(text: string): string {
  if (text.includes('"') || hasHidden(wellFormed(text)))
    throw new UnwritableText(
      text,
      "holds a double quote or a hidden character, which nft strings cannot hold",
    );
  return `"${text}"`;
}

/** A comment, shortened to what nft accepts (long names make longer ones). */
function nftComment(text: string): string {
  let kept = text;
  if (Buffer.byteLength(kept) > NFT_COMMENT_BYTES) {
    const chars = [...kept];
    while (Buffer.byteLength(`${chars.join("")}...`) > NFT_COMMENT_BYTES) chars.pop();
    kept = `${chars.join("")}...`;
  }
  return `comment ${nftString(kept)}`;
}

/** Every binding of the network: NSGs on subnets, then on network interfaces. */
export function nsgBindings(network: Network): NsgBinding[] {
  const bindings: NsgBinding[] = [];
  for (const subnet of network.subnets)
    if (subnet.nsg)
      bindings.push({
        nsg: subnet.nsg,
        vnet: subnet.vnet,
        appliedTo: { type: "subnet", name: subnet.id },
      });
  for (const nic of network.nics.values())
    if (nic.nsg)
      bindings.push({
        nsg: nic.nsg,
        vnet: nic.vnet,
        appliedTo: { type: "networkInterface", name: nic.name },
      });
  return bindings;
}

/** A valid, readable nft identifier for a binding's table. */
export function tableName(binding: NsgBinding): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  const where = binding.appliedTo.name.split("/").pop() ?? binding.appliedTo.name;
  return `nsg_${clean(binding.nsg)}_${clean(where)}`.slice(0, 200);
}

/**
 * An nftables ruleset with Azure's semantics: one `inet` table per binding,
 * rules in priority order (first match wins, so each becomes accept or drop),
 * Azure's default rules last, and return traffic of allowed connections
 * passed by conntrack. Every rule carries a counter and a comment naming the
 * NSG rule it came from, so `nft list ruleset` maps back to the NSG.
 */
export function exportNftables(
  network: Network,
  bindings: readonly NsgBinding[],
  options: NftablesOptions,
): string {
  const resolver = new NsgResolver(network);
  const names = new Set<string>();
  const tables = bindings.map((binding) => {
    let name = tableName(binding);
    for (let i = 2; names.has(name); i++) name = `${tableName(binding)}_${i}`;
    names.add(name);
    return compileTable(resolver.resolve(binding.nsg, binding.vnet), binding, name, options);
  });
  return [
    "#!/usr/sbin/nft -f",
    "# NSGs compiled by tierwall: Azure's first-match rules, default rules included.",
    "",
    ...tables,
  ].join("\n");
}

/** Large address lists become named interval sets; smaller ones stay inline. */
const INLINE_LIMIT = 16;

class TableWriter {
  readonly sets: string[] = [];

  /** `ip saddr {...}` for one family, the shorter of the set and its complement. */
  addressMatch(
    family: IpFamily,
    field: "saddr" | "daddr",
    set: AddressSet,
    label: string,
  ): string | undefined {
    const intervals = set.intervals(family);
    const key = family === 4 ? "ip" : "ip6";
    if (intervals.length === 1 && intervals[0]?.[0] === 0n && intervals[0][1] === familyMax(family))
      return undefined;
    const holes = set.complement().intervals(family);
    const negate = holes.length < intervals.length;
    const elements = (negate ? holes : intervals).map(([first, last]) =>
      formatInterval(family, first, last),
    );
    return `${key} ${field} ${negate ? "!= " : ""}${this.elements(family, elements, label)}`;
  }

  private elements(family: IpFamily, elements: string[], label: string): string {
    if (elements.length === 1) return elements[0] as string;
    if (elements.length <= INLINE_LIMIT) return `{ ${elements.join(", ")} }`;
    const name = `a${this.sets.length}_${label}`;
    this.sets.push(
      [
        `  set ${name} {`,
        `    type ${family === 4 ? "ipv4_addr" : "ipv6_addr"}`,
        "    flags interval",
        `    elements = { ${elements.join(",\n                 ")} }`,
        "  }",
      ].join("\n"),
    );
    return `@${name}`;
  }
}

function formatInterval(family: IpFamily, first: bigint, last: bigint): string {
  const text = (value: bigint) => formatIpAddress({ family, value });
  const size = last - first + 1n;
  const aligned = (size & (size - 1n)) === 0n && first % size === 0n;
  if (!aligned) return `${text(first)}-${text(last)}`;
  const length = family === 4 ? 32 : 128;
  let bits = 0;
  while (1n << BigInt(bits) < size) bits++;
  return bits === 0 ? text(first) : `${text(first)}/${length - bits}`;
}

function isAllPorts(ranges: readonly PortRange[]): boolean {
  return ranges.some((r) => r.first === 0 && r.last === 65535);
}

function portMatch(key: string, field: "sport" | "dport", ranges: readonly PortRange[]) {
  if (isAllPorts(ranges)) return undefined;
  const items = ranges.map(formatPortRange);
  return `${key} ${field} ${items.length === 1 ? items[0] : `{ ${items.join(", ")} }`}`;
}

/** The protocol and port part of a rule; ports apply only to TCP and UDP, as in Azure. */
function protocolMatches(rule: ResolvedRule): string[] {
  const ports = (key: string) =>
    [portMatch(key, "sport", rule.sourcePorts), portMatch(key, "dport", rule.destinationPorts)]
      .filter((p) => p !== undefined)
      .join(" ");
  switch (rule.protocol) {
    case "Tcp":
    case "Udp": {
      const key = rule.protocol.toLowerCase();
      return [ports(key) || `meta l4proto ${key}`];
    }
    case "Icmp":
      return ["meta l4proto { icmp, ipv6-icmp }"];
    case "Esp":
      return ["meta l4proto esp"];
    case "Ah":
      return ["meta l4proto ah"];
    case "*": {
      const withPorts = ports("th");
      if (!withPorts) return [""];
      return [
        `meta l4proto { tcp, udp } ${withPorts}`,
        "meta l4proto { icmp, ipv6-icmp, esp, ah }",
      ];
    }
  }
}

/** The address part, per family; a family either side cannot match is left out. */
function addressMatches(rule: ResolvedRule, writer: TableWriter, label: string): string[] {
  const families = ([4, 6] as const).filter(
    (f) => rule.source.intervals(f).length > 0 && rule.destination.intervals(f).length > 0,
  );
  const perFamily = families.map((f) =>
    [
      writer.addressMatch(f, "saddr", rule.source, `${label}s${f}`),
      writer.addressMatch(f, "daddr", rule.destination, `${label}d${f}`),
    ].filter((m) => m !== undefined),
  );
  // Every address of both families on both sides: no address match at all.
  if (families.length === 2 && perFamily.every((m) => m.length === 0)) return [""];
  return perFamily.map((m, i) =>
    m.length > 0 ? m.join(" ") : `meta nfproto ${families[i] === 4 ? "ipv4" : "ipv6"}`,
  );
}

function ruleLines(rule: ResolvedRule, writer: TableWriter, label: string): string[] {
  const verdict = rule.access === "Allow" ? "accept" : "drop";
  const comment = nftComment(`${watcherRuleName(rule.rule)} (${rule.priority})`);
  const lines: string[] = [];
  for (const addresses of addressMatches(rule, writer, label))
    for (const protocol of protocolMatches(rule)) {
      const match = [addresses, protocol].filter((m) => m !== "").join(" ");
      lines.push(`    ${match ? `${match} ` : ""}counter ${verdict} ${comment}`);
    }
  if (lines.length === 0)
    lines.push(
      `    # ${spelledOut(watcherRuleName(rule.rule))} (${rule.priority}) matches no address`,
    );
  return lines;
}

function chain(name: string, rules: readonly ResolvedRule[], writer: TableWriter): string {
  const direction = name === "inbound" ? "in" : "out";
  return [
    `  chain ${name} {`,
    ...rules.flatMap((rule, i) => ruleLines(rule, writer, `${direction}${i}`)),
    "  }",
  ].join("\n");
}

function compileTable(
  nsg: ResolvedNsg,
  binding: NsgBinding,
  name: string,
  options: NftablesOptions,
): string {
  const writer = new TableWriter();
  const inbound = chain("inbound", nsg.inbound, writer);
  const outbound = chain("outbound", nsg.outbound, writer);
  const iface = nftString(options.interface);
  const nic = binding.appliedTo.type === "networkInterface";
  const hook = (direction: Direction) => {
    const inbound = direction === "Inbound";
    // Azure evaluates a subnet's NSG before a NIC's on the way in, and the NIC's first on the way out.
    const order = nic === inbound ? 1 : 0;
    const hookName = options.placement === "router" ? "forward" : inbound ? "input" : "output";
    // A host receives inbound traffic on the interface; a router sends it out of it.
    const side = inbound === (options.placement === "host") ? "iifname" : "oifname";
    const chainName = inbound ? "inbound" : "outbound";
    return [
      `  chain ${hookName}_${chainName} {`,
      `    type filter hook ${hookName} priority ${order}; policy accept;`,
      `    ${side} ${iface} ct state established,related accept`,
      `    ${side} ${iface} jump ${chainName}`,
      "  }",
    ].join("\n");
  };
  return [
    `table inet ${name} {`,
    `  ${nftComment(`NSG ${binding.nsg} on ${binding.appliedTo.type} ${binding.appliedTo.name}`)}`,
    ...writer.sets,
    inbound,
    outbound,
    hook("Inbound"),
    hook("Outbound"),
    "}",
    "",
  ].join("\n");
}
