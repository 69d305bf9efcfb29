/**
 * A deliberately naive reference for Azure NSG evaluation, written straight
 * from the reference tables (default rules, evaluation order, service tags).
 *
 * It shares no matching code with the engine: it reads the raw model objects
 * (string fields as a user writes them), parses addresses with ipaddr.js at the
 * moment of matching, parses port ranges itself and scans every rule for the
 * matching one of lowest priority. It assumes its input is valid (validation is
 * not its job) and trades all speed for being easy to check by eye.
 */
import ipaddr from "ipaddr.js";
import type {
  IpConfiguration,
  NetworkInterface,
  NetworkSecurityGroup,
  ResourceRef,
  SecurityRule,
  Topology,
  VirtualNetwork,
} from "../../src/model/types.js";

type Ip = ipaddr.IPv4 | ipaddr.IPv6;
export type ReferenceAccess = "Allow" | "Deny";
export type ReferenceDirection = "Inbound" | "Outbound";

/** Service tags from a service-tags file: tag name to its CIDR blocks. */
export type ReferenceServiceTags = Readonly<Record<string, readonly string[]>>;

/** A packet as the NSG sees it: addresses as text, protocol as Azure names it. */
export interface ReferencePacket {
  readonly protocol: string;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

export interface ReferenceDecision {
  readonly access: ReferenceAccess;
  /** Network Watcher form: `securityRules/NAME` or `defaultSecurityRules/NAME`. */
  readonly rule: string;
  readonly priority: number;
}

export interface ReferenceStage {
  readonly nsg: string;
  readonly direction: ReferenceDirection;
  readonly access: ReferenceAccess;
  readonly rule: string;
}

export interface ReferenceFlow {
  readonly access: ReferenceAccess;
  readonly rule?: string;
  readonly route: "private" | "public" | "local" | "none";
  readonly trace: readonly ReferenceStage[];
}

/** The platform host: DHCP, DNS, health probes. */
const AZURE_HOST = "168.63.129.16";

/** Section 2 of the reference, written out once more. */
const DEFAULT_RULES: readonly SecurityRule[] = [
  {
    name: "AllowVnetInBound",
    priority: 65000,
    direction: "Inbound",
    access: "Allow",
    protocol: "*",
    sourceAddressPrefix: "VirtualNetwork",
    sourcePortRange: "*",
    destinationAddressPrefix: "VirtualNetwork",
    destinationPortRange: "*",
  },
  {
    name: "AllowAzureLoadBalancerInBound",
    priority: 65001,
    direction: "Inbound",
    access: "Allow",
    protocol: "*",
    sourceAddressPrefix: "AzureLoadBalancer",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
  },
  {
    name: "DenyAllInBound",
    priority: 65500,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
  },
  {
    name: "AllowVnetOutBound",
    priority: 65000,
    direction: "Outbound",
    access: "Allow",
    protocol: "*",
    sourceAddressPrefix: "VirtualNetwork",
    sourcePortRange: "*",
    destinationAddressPrefix: "VirtualNetwork",
    destinationPortRange: "*",
  },
  {
    name: "AllowInternetOutBound",
    priority: 65001,
    direction: "Outbound",
    access: "Allow",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "Internet",
    destinationPortRange: "*",
  },
  {
    name: "DenyAllOutBound",
    priority: 65500,
    direction: "Outbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "*",
  },
];

// ---------------------------------------------------------------- names

/** Azure resource names compare case-insensitively. */
function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** A reference is a name or an ARM id; the name is the id's last segment. */
function nameOf(ref: ResourceRef): string {
  const text = typeof ref === "string" ? ref : ref.id;
  if (!text.startsWith("/")) return text;
  const parts = text.split("/").filter((p) => p !== "");
  return parts[parts.length - 1] ?? text;
}

// ---------------------------------------------------------------- addresses

function sameAddress(a: Ip, b: Ip): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}

/** Is `address` inside `prefixText`, a single address or a CIDR block? */
function inPrefix(address: Ip, prefixText: string): boolean {
  if (!prefixText.includes("/")) return sameAddress(address, ipaddr.parse(prefixText));
  const [network, bits] = ipaddr.parseCIDR(prefixText);
  if (network.kind() !== address.kind()) return false;
  return address.match(network, bits);
}

function inAnyPrefix(address: Ip, prefixes: readonly string[] | undefined): boolean {
  return (prefixes ?? []).some((p) => inPrefix(address, p));
}

function findVnet(topology: Topology, name: string): VirtualNetwork {
  const vnet = topology.virtualNetworks.find((v) => sameName(v.name, name));
  if (!vnet) throw new Error(`reference: no virtual network ${name}`);
  return vnet;
}

/** Peering joins two networks only when both declare it. */
function arePeered(topology: Topology, a: string, b: string): boolean {
  const declares = (from: string, to: string) =>
    (findVnet(topology, from).virtualNetworkPeerings ?? []).some((p) =>
      sameName(nameOf(p.remoteVirtualNetwork), to),
    );
  return declares(a, b) && declares(b, a);
}

/** Whether `from`'s own peering to `to` leaves `to` in its VirtualNetwork tag (allowVirtualNetworkAccess, true unless false). */
function tagsPeer(topology: Topology, from: string, to: string): boolean {
  return (findVnet(topology, from).virtualNetworkPeerings ?? []).some(
    (p) => sameName(nameOf(p.remoteVirtualNetwork), to) && p.allowVirtualNetworkAccess !== false,
  );
}

/**
 * The VirtualNetwork tag as seen from `vnetName`: its address space, the
 * spaces of its peers (those its own peering does not take out with
 * allowVirtualNetworkAccess: false), its connected (on-premises) spaces and
 * the host IP.
 */
function inVirtualNetworkTag(topology: Topology, vnetName: string, address: Ip): boolean {
  if (inPrefix(address, AZURE_HOST)) return true;
  const vnet = findVnet(topology, vnetName);
  if (inAnyPrefix(address, vnet.addressSpace.addressPrefixes)) return true;
  if (inAnyPrefix(address, vnet.connectedAddressPrefixes)) return true;
  for (const other of topology.virtualNetworks) {
    if (sameName(other.name, vnet.name)) continue;
    if (arePeered(topology, vnet.name, other.name) && tagsPeer(topology, vnet.name, other.name)) {
      if (inAnyPrefix(address, other.addressSpace.addressPrefixes)) return true;
    }
  }
  return false;
}

/** An ASG stands for the private addresses of the IP configurations that are its members. */
function inAsg(topology: Topology, asg: ResourceRef, address: Ip): boolean {
  const asgName = nameOf(asg);
  const addresses = privateAddresses(topology);
  for (const nic of topology.networkInterfaces) {
    for (const config of nic.ipConfigurations) {
      const member = (config.applicationSecurityGroups ?? []).some((a) =>
        sameName(nameOf(a), asgName),
      );
      const own = addresses.get(config);
      if (member && own !== undefined && sameAddress(ipaddr.parse(own), address)) return true;
    }
  }
  return false;
}

/**
 * The private address of every IP configuration. One written is itself. A
 * Dynamic one without an address gets, in the order the interfaces and their
 * configurations are declared, the first host of its subnet's range of its
 * family, from the fifth address on (Azure keeps the first four), that no
 * configuration or environment writes and no Dynamic one before it got.
 */
export function privateAddresses(topology: Topology): Map<IpConfiguration, string> {
  const out = new Map<IpConfiguration, string>();
  const taken = new Set<string>();
  const written = [
    ...topology.networkInterfaces.flatMap((n) => n.ipConfigurations.map((c) => c.privateIPAddress)),
    ...topology.environments.map((e) => e.privateIPAddress),
  ];
  for (const text of written)
    if (text !== undefined) taken.add(ipaddr.parse(text).toNormalizedString());
  for (const nic of topology.networkInterfaces)
    for (const config of nic.ipConfigurations) {
      if (config.privateIPAddress !== undefined) {
        out.set(config, config.privateIPAddress);
        continue;
      }
      const { subnet } = subnetOf(topology, config);
      const kind = config.privateIPAddressVersion === "IPv6" ? "ipv6" : "ipv4";
      const range = (subnet.addressPrefixes ?? [subnet.addressPrefix ?? ""]).find(
        (p) => ipaddr.parseCIDR(p)[0].kind() === kind,
      );
      if (range === undefined) throw new Error("reference: no range for a Dynamic address");
      const bytes = ipaddr.parseCIDR(range)[0].toByteArray();
      for (let n = 4; n < 4096; n++) {
        const candidate = [...bytes];
        let carry = n;
        for (let i = candidate.length - 1; i >= 0 && carry > 0; i--) {
          const sum = (candidate[i] as number) + carry;
          candidate[i] = sum % 256;
          carry = Math.floor(sum / 256);
        }
        const text = ipaddr.fromByteArray(candidate).toNormalizedString();
        if (taken.has(text)) continue;
        taken.add(text);
        out.set(config, ipaddr.fromByteArray(candidate).toString());
        break;
      }
    }
  return out;
}

interface Where {
  readonly topology: Topology;
  readonly serviceTags: ReferenceServiceTags;
  readonly vnet: string;
}

function singlePrefixMatches(text: string, address: Ip, where: Where): boolean {
  if (text === "*") return true;
  if (text === "VirtualNetwork") return inVirtualNetworkTag(where.topology, where.vnet, address);
  if (text === "Internet") return !inVirtualNetworkTag(where.topology, where.vnet, address);
  if (text === "AzureLoadBalancer") return inPrefix(address, AZURE_HOST);
  const tagged = where.serviceTags[text];
  if (tagged !== undefined) return inAnyPrefix(address, tagged);
  return inPrefix(address, text);
}

function addressSideMatches(
  rule: SecurityRule,
  side: "source" | "destination",
  address: Ip,
  where: Where,
): boolean {
  const single = side === "source" ? rule.sourceAddressPrefix : rule.destinationAddressPrefix;
  const many = side === "source" ? rule.sourceAddressPrefixes : rule.destinationAddressPrefixes;
  const asgs =
    side === "source"
      ? rule.sourceApplicationSecurityGroups
      : rule.destinationApplicationSecurityGroups;
  if (single !== undefined && single !== "") return singlePrefixMatches(single, address, where);
  if (many !== undefined && many.length > 0) return inAnyPrefix(address, many);
  if (asgs !== undefined && asgs.length > 0)
    return asgs.some((a) => inAsg(where.topology, a, address));
  throw new Error(`reference: rule ${rule.name} gives no ${side} address`);
}

// ---------------------------------------------------------------- ports and protocols

/** `*`, `80` or `1000-2000`. */
function portInText(port: number, text: string): boolean {
  if (text === "*") return true;
  const pieces = text.split("-");
  const low = Number(pieces[0]);
  const high = pieces.length === 2 ? Number(pieces[1]) : low;
  if (pieces.length > 2 || Number.isNaN(low) || Number.isNaN(high))
    throw new Error(`reference: cannot read port range ${text}`);
  return low <= port && port <= high;
}

function portSideMatches(
  rule: SecurityRule,
  side: "source" | "destination",
  port: number,
): boolean {
  const single = side === "source" ? rule.sourcePortRange : rule.destinationPortRange;
  const many = side === "source" ? rule.sourcePortRanges : rule.destinationPortRanges;
  const texts = single !== undefined && single !== "" ? [single] : (many ?? []);
  if (texts.length === 0) throw new Error(`reference: rule ${rule.name} gives no ${side} port`);
  return texts.some((t) => portInText(port, t));
}

/** Only TCP and UDP have ports; for every other protocol the port fields do not apply. */
function carriesPorts(protocol: string): boolean {
  const p = protocol.toLowerCase();
  return p === "tcp" || p === "udp";
}

function protocolMatches(rule: SecurityRule, protocol: string): boolean {
  return rule.protocol === "*" || sameName(rule.protocol, protocol);
}

// ---------------------------------------------------------------- one NSG

/**
 * A public address not known before deploying, written `<4:name>` or
 * `<6:name>`: some Internet address that no network holds, in a block no
 * deployment uses (240.0.0.0/4, 100::/64). `*`, `Internet`, and a prefix or
 * service tag that covers that whole block (0.0.0.0/0 does) match it; every
 * other prefix, tag and ASG does not, wherever its stand-in would fall.
 */
const UNKNOWN = /^<([46]):[^>]+>$/;
const UNKNOWN_BLOCK: Record<string, readonly [string, number]> = {
  "4": ["240.0.0.0", 4],
  "6": ["100::", 64],
};

function coversUnknown(prefix: string, family: string): boolean {
  const [start, length] = UNKNOWN_BLOCK[family] as readonly [string, number];
  if (!prefix.includes("/")) return false;
  const [network, bits] = ipaddr.parseCIDR(prefix);
  const address = ipaddr.parse(start);
  return network.kind() === address.kind() && bits <= length && address.match(network, bits);
}

function unknownSideMatches(
  rule: SecurityRule,
  side: "source" | "destination",
  family: string,
  serviceTags: ReferenceServiceTags,
): boolean {
  const single = side === "source" ? rule.sourceAddressPrefix : rule.destinationAddressPrefix;
  const many = side === "source" ? rule.sourceAddressPrefixes : rule.destinationAddressPrefixes;
  if (single !== undefined && single !== "") {
    if (single === "*" || single === "Internet") return true;
    if (single === "VirtualNetwork" || single === "AzureLoadBalancer") return false;
    const tagged = serviceTags[single];
    return (tagged ?? [single]).some((p) => coversUnknown(p, family));
  }
  return (many ?? []).some((p) => coversUnknown(p, family));
}

function sideMatches(
  rule: SecurityRule,
  side: "source" | "destination",
  text: string,
  where: Where,
): boolean {
  const unknown = UNKNOWN.exec(text);
  if (unknown) return unknownSideMatches(rule, side, unknown[1] as string, where.serviceTags);
  return addressSideMatches(rule, side, ipaddr.parse(text), where);
}

function ruleMatches(rule: SecurityRule, packet: ReferencePacket, where: Where): boolean {
  if (!protocolMatches(rule, packet.protocol)) return false;
  if (!sideMatches(rule, "source", packet.source, where)) return false;
  if (!sideMatches(rule, "destination", packet.destination, where)) return false;
  if (!carriesPorts(packet.protocol)) return true;
  return (
    portSideMatches(rule, "source", packet.sourcePort) &&
    portSideMatches(rule, "destination", packet.destinationPort)
  );
}

/**
 * The decision of one NSG for a packet in one direction, with the NSG bound in
 * virtual network `vnet` (which fixes what VirtualNetwork and Internet mean):
 * among the custom and default rules of that direction that match, the one with
 * the lowest priority number decides.
 */
export function referenceNsgDecision(
  topology: Topology,
  serviceTags: ReferenceServiceTags,
  nsg: NetworkSecurityGroup,
  vnet: string,
  direction: ReferenceDirection,
  packet: ReferencePacket,
): ReferenceDecision {
  const where: Where = { topology, serviceTags, vnet };
  let best: ReferenceDecision | undefined;
  const consider = (rule: SecurityRule, kind: "securityRules" | "defaultSecurityRules") => {
    if (!sameName(rule.direction, direction)) return;
    if (!ruleMatches(rule, packet, where)) return;
    if (best !== undefined && best.priority === rule.priority)
      throw new Error(`reference: two ${direction} rules share priority ${rule.priority}`);
    if (best === undefined || rule.priority < best.priority)
      best = {
        access: sameName(rule.access, "Allow") ? "Allow" : "Deny",
        rule: `${kind}/${rule.name}`,
        priority: rule.priority,
      };
  };
  for (const rule of nsg.securityRules) consider(rule, "securityRules");
  for (const rule of DEFAULT_RULES) consider(rule, "defaultSecurityRules");
  if (best === undefined) throw new Error("reference: no rule matched, not even a default one");
  return best;
}

// ---------------------------------------------------------------- flows between NICs

interface Placement {
  readonly nic: NetworkInterface;
  readonly address: string;
  readonly vnet: string;
  readonly subnetNsg?: string;
}

function findNsg(
  topology: Topology,
  ref: ResourceRef | undefined,
): NetworkSecurityGroup | undefined {
  if (ref === undefined) return undefined;
  const name = nameOf(ref);
  const nsg = topology.networkSecurityGroups.find((n) => sameName(n.name, name));
  if (!nsg) throw new Error(`reference: no network security group ${name}`);
  return nsg;
}

/** The subnet of an IP configuration: `vnet/subnet`, an ARM subnet id, or a subnet name. */
function subnetOf(topology: Topology, config: IpConfiguration) {
  const text = typeof config.subnet === "string" ? config.subnet : config.subnet.id;
  let vnetName: string | undefined;
  let subnetName: string;
  const parts = text.split("/").filter((p) => p !== "");
  if (text.startsWith("/")) {
    vnetName = parts[parts.indexOf("virtualNetworks") + 1];
    subnetName = parts[parts.indexOf("subnets") + 1] ?? "";
  } else if (parts.length === 2) {
    vnetName = parts[0];
    subnetName = parts[1] ?? "";
  } else subnetName = text;
  const found = topology.virtualNetworks.flatMap((v) =>
    v.subnets
      .filter(
        (s) =>
          sameName(s.name, subnetName) && (vnetName === undefined || sameName(v.name, vnetName)),
      )
      .map((s) => ({ vnet: v, subnet: s })),
  );
  if (found.length !== 1 || !found[0]) throw new Error(`reference: subnet ${text} not found once`);
  return found[0];
}

function place(topology: Topology, nicName: string): Placement {
  const nic = topology.networkInterfaces.find((n) => n.name === nicName);
  if (!nic) throw new Error(`reference: no network interface ${nicName}`);
  const primary = nic.ipConfigurations[0];
  if (!primary) throw new Error(`reference: ${nicName} has no IP configuration`);
  const { vnet, subnet } = subnetOf(topology, primary);
  const subnetNsg = findNsg(topology, subnet.networkSecurityGroup)?.name;
  const address = privateAddresses(topology).get(primary);
  if (address === undefined) throw new Error(`reference: ${nicName} has no address`);
  return {
    nic,
    address,
    vnet: vnet.name,
    ...(subnetNsg === undefined ? {} : { subnetNsg }),
  };
}

/** The public address of a NIC's primary configuration (`<f:name>` when not known), and its SKU. */
function publicOf(
  topology: Topology,
  at: Placement,
): { address: string; sku: "Basic" | "Standard" | undefined } | undefined {
  const ref = at.nic.ipConfigurations[0]?.publicIPAddress;
  if (ref === undefined) return undefined;
  if (typeof ref === "string" && ipaddr.isValid(ref)) return { address: ref, sku: undefined };
  const pip = (topology.publicIPAddresses ?? []).find((p) => sameName(p.name, nameOf(ref)));
  if (!pip) throw new Error(`reference: no public IP address ${nameOf(ref)}`);
  const family = pip.publicIPAddressVersion === "IPv6" ? "6" : "4";
  return { address: pip.ipAddress ?? `<${family}:${pip.name}>`, sku: pip.sku };
}

const familyOf = (text: string) => UNKNOWN.exec(text)?.[1] ?? (text.includes(":") ? "6" : "4");

/**
 * Evaluates the stages in order, each NSG on its own packet: the first Deny
 * decides, else the last NSG crossed; with none, `open` decides (a Standard
 * public IP with no NSG lets nothing in).
 */
function runStages(
  topology: Topology,
  serviceTags: ReferenceServiceTags,
  stages: readonly {
    nsg: string | undefined;
    vnet: string;
    direction: ReferenceDirection;
    packet: ReferencePacket;
  }[],
  route: "private" | "public",
  closedWithoutInboundNsg = false,
): ReferenceFlow {
  const trace: ReferenceStage[] = [];
  for (const stage of stages) {
    if (stage.nsg === undefined) continue;
    const nsg = findNsg(topology, stage.nsg) as NetworkSecurityGroup;
    const decision = referenceNsgDecision(
      topology,
      serviceTags,
      nsg,
      stage.vnet,
      stage.direction,
      stage.packet,
    );
    trace.push({
      nsg: nsg.name,
      direction: stage.direction,
      access: decision.access,
      rule: decision.rule,
    });
    if (decision.access === "Deny") return { access: "Deny", rule: decision.rule, route, trace };
  }
  const inbound = stages.some((st) => st.direction === "Inbound" && st.nsg !== undefined);
  if (closedWithoutInboundNsg && !inbound) return { access: "Deny", route, trace };
  const last = trace[trace.length - 1];
  if (last === undefined) return { access: "Allow", route, trace };
  return { access: "Allow", rule: last.rule, route, trace };
}

/**
 * A flow from one NIC's primary address to another's. In the same or peered
 * networks it travels on private addresses; a NIC calling its own address
 * crosses no NSG. Otherwise it crosses the Internet: the caller needs a
 * public IP (its outbound address) and the callee one to be reached at, of
 * the same family, else nothing arrives (Deny with no rule). On either route:
 * the source NIC's NSG then its subnet's NSG (Outbound), on the private source
 * and the address called; the destination subnet's NSG then its NIC's NSG
 * (Inbound), on the address presented and the private destination. The first
 * Deny decides, else the last NSG crossed; no NSG at all allows, except that
 * a Standard public IP with no inbound NSG lets nothing in.
 */
export function referenceFlow(
  topology: Topology,
  serviceTags: ReferenceServiceTags,
  fromNic: string,
  toNic: string,
  protocol: string,
  sourcePort: number,
  destinationPort: number,
): ReferenceFlow {
  const from = place(topology, fromNic);
  const to = place(topology, toNic);
  const connected = sameName(from.vnet, to.vnet) || arePeered(topology, from.vnet, to.vnet);
  const packet = (source: string, destination: string): ReferencePacket => ({
    protocol,
    source,
    sourcePort,
    destination,
    destinationPort,
  });
  const fromNsg = findNsg(topology, from.nic.networkSecurityGroup)?.name;
  const toNsg = findNsg(topology, to.nic.networkSecurityGroup)?.name;
  if (!connected) {
    const presented = publicOf(topology, from);
    const reached = publicOf(topology, to);
    if (!presented || !reached || familyOf(presented.address) !== familyOf(reached.address))
      return { access: "Deny", route: "none", trace: [] };
    const out = packet(from.address, reached.address);
    const into = packet(presented.address, to.address);
    return runStages(
      topology,
      serviceTags,
      [
        { nsg: fromNsg, vnet: from.vnet, direction: "Outbound", packet: out },
        { nsg: from.subnetNsg, vnet: from.vnet, direction: "Outbound", packet: out },
        { nsg: to.subnetNsg, vnet: to.vnet, direction: "Inbound", packet: into },
        { nsg: toNsg, vnet: to.vnet, direction: "Inbound", packet: into },
      ],
      "public",
      reached.sku === "Standard",
    );
  }
  const source = ipaddr.parse(from.address);
  const destination = ipaddr.parse(to.address);
  if (sameAddress(source, destination)) return { access: "Allow", route: "local", trace: [] };
  if (source.kind() !== destination.kind()) return { access: "Deny", route: "none", trace: [] };
  const p = packet(from.address, to.address);
  return runStages(
    topology,
    serviceTags,
    [
      { nsg: fromNsg, vnet: from.vnet, direction: "Outbound", packet: p },
      { nsg: from.subnetNsg, vnet: from.vnet, direction: "Outbound", packet: p },
      { nsg: to.subnetNsg, vnet: to.vnet, direction: "Inbound", packet: p },
      { nsg: toNsg, vnet: to.vnet, direction: "Inbound", packet: p },
    ],
    "private",
  );
}

/**
 * A flow from an Internet address to a NIC's primary configuration, on its
 * public IP: with none (or one of the other family) nothing arrives, Deny with
 * no rule. Otherwise the packet, from the Internet address to the private
 * address (the platform translates the public one first), meets the subnet's
 * NSG then the NIC's (Inbound); the first Deny decides, else the last NSG
 * crossed. With no NSG at all, a Standard public IP lets nothing in and a
 * Basic one (or a plain address) everything.
 */
export function referenceInternetFlow(
  topology: Topology,
  serviceTags: ReferenceServiceTags,
  source: string,
  toNic: string,
  protocol: string,
  sourcePort: number,
  destinationPort: number,
): ReferenceFlow {
  const to = place(topology, toNic);
  const reached = publicOf(topology, to);
  if (!reached || familyOf(source) !== familyOf(to.address))
    return { access: "Deny", route: "none", trace: [] };
  const into: ReferencePacket = {
    protocol,
    source,
    sourcePort,
    destination: to.address,
    destinationPort,
  };
  const toNsg = findNsg(topology, to.nic.networkSecurityGroup)?.name;
  return runStages(
    topology,
    serviceTags,
    [
      { nsg: to.subnetNsg, vnet: to.vnet, direction: "Inbound", packet: into },
      { nsg: toNsg, vnet: to.vnet, direction: "Inbound", packet: into },
    ],
    "public",
    reached.sku === "Standard",
  );
}
