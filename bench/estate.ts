/**
 * A reproducible synthetic estate for the classifier benchmarks: hub-and-spoke
 * virtual networks, one NSG per subnet, rules shaped like real ones (corporate,
 * on-premises and partner prefixes from /8 to /32, IPv6 prefixes, port lists and
 * ranges, built-in and catalog service tags, ASGs), optionally with augmented
 * rules that bring an NSG near Azure's 4,000 prefixes per side; and flow sets
 * drawn uniformly or aimed at the edges of the rules. Everything follows from a seed.
 */
import { type FlowBatch4, type FlowBatch6, PROTOCOL_CODE } from "../src/engine/classifier.js";
import type { ResolvedRule } from "../src/engine/resolve.js";
import { LIMITS } from "../src/model/limits.js";
import type {
  Environment,
  NetworkInterface,
  NetworkSecurityGroup,
  SecurityRule,
  Subnet,
  Topology,
  VirtualNetwork,
} from "../src/model/types.js";
import { familyMax, type IpFamily } from "../src/net/address.js";
import { random } from "./generate.js";

type Random = () => number;

const int = (rnd: Random, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Random, list: readonly T[]): T => list[int(rnd, list.length)] as T;

/** Picks from (weight, value) pairs. */
function weighted<T>(rnd: Random, choices: readonly (readonly [number, T])[]): T {
  const total = choices.reduce((s, [w]) => s + w, 0);
  let r = rnd() * total;
  for (const [w, v] of choices) {
    r -= w;
    if (r < 0) return v;
  }
  return (choices[choices.length - 1] as readonly [number, T])[1];
}

// ---------------------------------------------------------------- address plan

/** Subnets per virtual network; network v is 10.v.0.0/16 and fd00:v::/48, subnet k 10.v.k.0/24 and fd00:v:0:k::/64. */
export const SUBNETS_PER_VNET = 20;
/** So that 1,000 NSGs come with the 10,000 environments of a large estate. */
const WORKLOADS_PER_SUBNET = 10;

const ipv4 = (value: number, length: number): string => {
  const network = length === 0 ? 0 : (value >>> (32 - length)) << (32 - length);
  const octets = [24, 16, 8, 0].map((s) => String((network >>> s) & 255));
  return `${octets.join(".")}/${length}`;
};

const hex = (n: number) => n.toString(16);

/** A prefix inside the estate's own space, from a whole network to one host. */
function corporate4(rnd: Random, vnets: number): string {
  const v = int(rnd, vnets);
  const k = 1 + int(rnd, SUBNETS_PER_VNET);
  const base = ((10 << 24) | (v << 16) | (k << 8)) >>> 0;
  const length = weighted(rnd, [
    [1, 8],
    [6, 16],
    [4, 20],
    [30, 24],
    [8, 26],
    [8, 28],
    [30, 32],
  ] as const);
  return ipv4(base + int(rnd, 256), length);
}

/** On-premises space reached through a gateway. */
function onPremises4(rnd: Random): string {
  const [base, min] = pick(rnd, [
    [0xac100000, 12],
    [0xc0a80000, 16],
  ] as const);
  const length = min + int(rnd, 32 - min + 1);
  return ipv4(base + int(rnd, 2 ** (32 - min)), length);
}

/** A public prefix of a partner, a CDN or a blocklist. */
function public4(rnd: Random): string {
  const length = weighted(rnd, [
    [2, 8],
    [3, 12],
    [10, 16],
    [10, 20],
    [10, 22],
    [25, 24],
    [10, 28],
    [30, 32],
  ] as const);
  let first = 0;
  // Public first octets: not 0, 10, 127, or multicast and above.
  while (first === 0 || first === 10 || first === 127 || first >= 224) first = 1 + int(rnd, 223);
  return ipv4(((first << 24) >>> 0) + int(rnd, 2 ** 24), length);
}

function prefix6(rnd: Random, vnets: number): string {
  if (rnd() < 0.5) {
    const v = int(rnd, vnets);
    const k = 1 + int(rnd, SUBNETS_PER_VNET);
    return rnd() < 0.5
      ? `fd00:${hex(v)}:0:${hex(k)}::/64`
      : `fd00:${hex(v)}:0:${hex(k)}::${hex(4 + int(rnd, 250))}/128`;
  }
  const length = pick(rnd, [32, 40, 48, 48, 56, 64, 64, 128] as const);
  const groups = [0x2001, 0xdb8, int(rnd, 65536), int(rnd, 65536), int(rnd, 65536)];
  // Keep only whole groups inside the prefix; /40 and /56 clear the low byte of the last one.
  const whole = Math.floor(length / 16);
  const kept = groups.slice(0, Math.min(whole, groups.length)).map(hex);
  if (length % 16 !== 0) kept.push(hex((groups[whole] ?? 0) & 0xff00));
  if (length === 128)
    return `2001:db8:${hex(groups[2] as number)}::${hex(1 + int(rnd, 65535))}/128`;
  return `${kept.join(":")}::/${length}`;
}

// ---------------------------------------------------------------- service tags

/** Catalog tags and how many prefixes each has, like the regional tags of the published file. */
const CATALOG_TAGS: readonly (readonly [string, number])[] = [
  ["Storage.WestEurope", 120],
  ["Sql.WestEurope", 60],
  ["AzureMonitor", 240],
  ["AzureKeyVault.WestEurope", 20],
  ["AppService.WestEurope", 90],
  ["AzureCloud.WestEurope", 900],
];

/** A service-tags file (Azure's JSON shape) with the catalog tags above, IPv4 and some IPv6. */
export function serviceTagFile(seed: number): {
  values: { name: string; properties: { addressPrefixes: string[] } }[];
} {
  const rnd = random(seed ^ 0x5eed);
  return {
    values: CATALOG_TAGS.map(([name, count]) => ({
      name,
      properties: {
        addressPrefixes: Array.from({ length: count }, (_, i) =>
          i % 10 === 9
            ? `2603:${hex(0x1000 + int(rnd, 0x1000))}:${hex(int(rnd, 65536))}::/48`
            : ipv4(((20 + int(rnd, 40)) << 24) + int(rnd, 2 ** 24), 16 + int(rnd, 15)),
        ),
      },
    })),
  };
}

// ---------------------------------------------------------------- rules

const COMMON_PORTS = [
  ...["22", "80", "443", "1433", "3389", "5432", "8080", "8443", "53", "123"],
  ...["6379", "9000", "5671", "5672", "445", "389", "636", "3306", "27017", "9092"],
] as const;

function portText(rnd: Random): string {
  return weighted(rnd, [
    [6, () => pick(rnd, COMMON_PORTS)],
    [1, () => "49152-65535"],
    [1, () => "8000-8999"],
    [
      2,
      () => {
        const first = 1024 + int(rnd, 60000);
        return `${first}-${first + int(rnd, 1000)}`;
      },
    ],
  ] as const)();
}

type PortFields = Pick<SecurityRule, "destinationPortRange" | "destinationPortRanges">;

function destinationPorts(rnd: Random): PortFields {
  const r = rnd();
  if (r < 0.12) return { destinationPortRange: "*" };
  if (r < 0.6) return { destinationPortRange: portText(rnd) };
  return {
    destinationPortRanges: [
      ...new Set(Array.from({ length: 2 + int(rnd, 5) }, () => portText(rnd))),
    ],
  };
}

function sourcePorts(rnd: Random): Pick<SecurityRule, "sourcePortRange" | "sourcePortRanges"> {
  const r = rnd();
  if (r < 0.92) return { sourcePortRange: "*" };
  if (r < 0.97) return { sourcePortRange: "1024-65535" };
  return { sourcePortRanges: ["53", "123"] };
}

type AddressFields = Pick<
  SecurityRule,
  | "sourceAddressPrefix"
  | "sourceAddressPrefixes"
  | "sourceApplicationSecurityGroups"
  | "destinationAddressPrefix"
  | "destinationAddressPrefixes"
  | "destinationApplicationSecurityGroups"
>;

/** Where an NSG sits, which decides the addresses and ASGs its rules name. */
export interface NsgPlace {
  readonly vnet: number;
  readonly subnet: number;
  readonly vnets: number;
}

const asgName = (vnet: number, role: string) => `asg-${vnet}-${role}`;
const ROLES = ["web", "app", "db"] as const;

/** One rule's addresses, of one family, drawn from the mixture real NSGs show. */
function ruleAddresses(
  rnd: Random,
  place: NsgPlace,
  family: IpFamily,
): {
  fields: AddressFields;
  prefixes: number;
} {
  const own =
    family === 4
      ? `10.${place.vnet}.${place.subnet}.0/24`
      : `fd00:${hex(place.vnet)}:0:${hex(place.subnet)}::/64`;
  const one = (): string =>
    family === 6
      ? prefix6(rnd, place.vnets)
      : weighted(rnd, [
          [5, () => corporate4(rnd, place.vnets)],
          [2, () => onPremises4(rnd)],
          [3, () => public4(rnd)],
        ] as const)();
  const source = weighted(rnd, [
    [40, "prefix"],
    [20, "prefixes"],
    [5, "any"],
    [4, "Internet"],
    [5, "VirtualNetwork"],
    [2, "AzureLoadBalancer"],
    [7, "catalog"],
    [5, "asg"],
  ] as const);
  const fields: Record<string, unknown> = {};
  let prefixes = 0;
  switch (source) {
    case "prefix":
      fields.sourceAddressPrefix = one();
      prefixes++;
      break;
    case "prefixes": {
      const list = [...new Set(Array.from({ length: 2 + int(rnd, 11) }, one))];
      fields.sourceAddressPrefixes = list;
      prefixes += list.length;
      break;
    }
    case "any":
      fields.sourceAddressPrefix = "*";
      break;
    case "catalog":
      fields.sourceAddressPrefix = pick(rnd, CATALOG_TAGS)[0];
      break;
    case "asg":
      fields.sourceApplicationSecurityGroups = [asgName(place.vnet, pick(rnd, ROLES))];
      break;
    default:
      fields.sourceAddressPrefix = source;
  }
  // Destinations are mostly the subnet itself, a host in it, or anything.
  const destination = weighted(rnd, [
    [35, "own"],
    [15, "host"],
    [35, "any"],
    [8, "VirtualNetwork"],
    [7, "asg"],
  ] as const);
  switch (destination) {
    case "own":
      fields.destinationAddressPrefix = own;
      break;
    case "host":
      fields.destinationAddressPrefix =
        family === 4
          ? `10.${place.vnet}.${place.subnet}.${4 + int(rnd, 250)}`
          : `fd00:${hex(place.vnet)}:0:${hex(place.subnet)}::${hex(4 + int(rnd, 250))}`;
      break;
    case "any":
      fields.destinationAddressPrefix = "*";
      break;
    case "asg":
      fields.destinationApplicationSecurityGroups = [asgName(place.vnet, pick(rnd, ROLES))];
      break;
    default:
      fields.destinationAddressPrefix = destination;
  }
  return { fields: fields as AddressFields, prefixes };
}

export interface NsgOptions {
  readonly direction?: "Inbound" | "Outbound";
  /** Add augmented rules (hundreds of prefixes each) until the NSG nears 4,000 source prefixes. */
  readonly augmented?: boolean;
  /** Source prefixes the NSG's other direction already uses (the limit counts both). */
  readonly reservedPrefixes?: number;
}

/**
 * `count` custom rules of one direction for the NSG of subnet `place`, in
 * strictly increasing priorities; with `augmented`, the last rules carry long
 * prefix lists that bring the source side within 50 prefixes of the limit.
 */
export function nsgRules(
  count: number,
  seed: number,
  place: NsgPlace,
  options: NsgOptions = {},
): SecurityRule[] {
  const rnd = random(seed);
  const direction = options.direction ?? "Inbound";
  const step = Math.max(
    1,
    Math.floor((LIMITS.maxPriority - LIMITS.minPriority) / Math.max(1, count)),
  );
  const augmentedCount = options.augmented ? Math.min(count, 8) : 0;
  const rules: SecurityRule[] = [];
  let prefixes = 0;
  for (let i = 0; i < count - augmentedCount; i++) {
    const family: IpFamily = rnd() < 0.1 ? 6 : 4;
    const { fields, prefixes: used } = ruleAddresses(rnd, place, family);
    prefixes += used;
    const protocol = weighted(rnd, [
      [55, "Tcp"],
      [15, "Udp"],
      [20, "*"],
      [7, "Icmp"],
      [2, "Esp"],
      [1, "Ah"],
    ] as const);
    rules.push({
      name: `${direction === "Inbound" ? "in" : "out"}-${i}`,
      priority: LIMITS.minPriority + i * step,
      direction,
      access: rnd() < 0.7 ? "Allow" : "Deny",
      protocol,
      ...fields,
      ...sourcePorts(rnd),
      ...destinationPorts(rnd),
    });
  }
  // Augmented rules: what an allow-list of a partner's or a CDN's ranges looks like.
  const budget = Math.max(
    0,
    LIMITS.prefixesPerNsgSide - 50 - prefixes - (options.reservedPrefixes ?? 0),
  );
  for (let a = 0; a < augmentedCount; a++) {
    const i = count - augmentedCount + a;
    const share = Math.floor(budget / augmentedCount);
    const list = new Set<string>();
    while (list.size < share) list.add(a % 4 === 3 ? prefix6(rnd, place.vnets) : public4(rnd));
    rules.push({
      name: `${direction === "Inbound" ? "in" : "out"}-${i}`,
      priority: LIMITS.minPriority + i * step,
      direction,
      access: a % 3 === 2 ? "Deny" : "Allow",
      protocol: "Tcp",
      sourceAddressPrefixes: [...list],
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      ...destinationPorts(rnd),
    });
  }
  return rules;
}

/** Source addresses and ranges written out, as Azure counts them toward the limit. */
export function sourcePrefixCount(rules: readonly SecurityRule[]): number {
  const literal = (text: string | undefined) =>
    text !== undefined && /^[0-9a-fA-F:.]+(\/\d+)?$/.test(text);
  return rules.reduce(
    (n, r) => n + (r.sourceAddressPrefixes?.length ?? 0) + (literal(r.sourceAddressPrefix) ? 1 : 0),
    0,
  );
}

// ---------------------------------------------------------------- topology

export interface EstateOptions {
  readonly nsgs: number;
  /** Inbound custom rules per NSG. */
  readonly rulesPerNsg: number;
  /** Outbound custom rules per NSG (Azure allows 1,000 custom rules per NSG, both directions together). */
  readonly outboundRules?: number;
  readonly seed: number;
  /** Which NSGs (by index) get augmented rules. */
  readonly augmented?: (nsg: number) => boolean;
}

export interface Estate {
  readonly topology: Topology;
  readonly serviceTags: ReturnType<typeof serviceTagFile>;
  /** Each NSG's name and the virtual network it is bound in. */
  readonly nsgs: readonly { readonly name: string; readonly vnet: string }[];
}

/**
 * `nsgs` subnets, each with its own NSG of `rulesPerNsg` inbound and
 * `outboundRules` outbound rules; 20 subnets per virtual network; network 0 is a hub peered
 * with every other; two NICs per subnet, members of the network's ASGs, and
 * WORKLOADS_PER_SUBNET workloads (virtual machines and apps) beside them.
 */
export function estate(options: EstateOptions): Estate {
  const vnetCount = Math.ceil(options.nsgs / SUBNETS_PER_VNET);
  if (vnetCount > 256) throw new Error("at most 5,120 NSGs: one /16 of 10.0.0.0/8 per network");
  const vnets: VirtualNetwork[] = [];
  const nics: NetworkInterface[] = [];
  const environments: Environment[] = [];
  const nsgs: { name: string; vnet: string }[] = [];
  const networkSecurityGroups: NetworkSecurityGroup[] = [];
  for (let v = 0; v < vnetCount; v++) {
    const name = `vnet-${v}`;
    const subnets: Subnet[] = [];
    for (let k = 1; k <= SUBNETS_PER_VNET; k++) {
      const index = v * SUBNETS_PER_VNET + (k - 1);
      if (index >= options.nsgs) break;
      const nsg = `nsg-${index}`;
      // Rules name addresses across at least 16 networks, even in a small topology.
      const place = { vnet: v, subnet: k, vnets: Math.max(16, vnetCount) };
      const seed = options.seed * 7919 + index * 2;
      const outbound = nsgRules(options.outboundRules ?? 0, seed + 1, place, {
        direction: "Outbound",
      });
      const inbound = nsgRules(options.rulesPerNsg, seed, place, {
        augmented: options.augmented?.(index) ?? false,
        reservedPrefixes: sourcePrefixCount(outbound),
      });
      networkSecurityGroups.push({ name: nsg, securityRules: [...inbound, ...outbound] });
      nsgs.push({ name: nsg, vnet: name });
      subnets.push({
        name: `s${k}`,
        addressPrefixes: [`10.${v}.${k}.0/24`, `fd00:${hex(v)}:0:${hex(k)}::/64`],
        networkSecurityGroup: nsg,
      });
      for (const host of [4, 5])
        nics.push({
          name: `nic-${v}-${k}-${host}`,
          ipConfigurations: [
            {
              privateIPAddress: `10.${v}.${k}.${host}`,
              subnet: `${name}/s${k}`,
              applicationSecurityGroups: [asgName(v, ROLES[(k + host) % ROLES.length] as string)],
            },
          ],
        });
      for (let w = 0; w < WORKLOADS_PER_SUBNET; w++)
        environments.push({
          name: `app-${v}-${k}-${w}`,
          kind: w % 2 === 0 ? "VirtualMachine" : "Workload",
          subnet: `${name}/s${k}`,
          privateIPAddress: `10.${v}.${k}.${10 + w}`,
        });
    }
    const peers =
      v === 0 ? Array.from({ length: vnetCount - 1 }, (_, i) => `vnet-${i + 1}`) : ["vnet-0"];
    vnets.push({
      name,
      addressSpace: { addressPrefixes: [`10.${v}.0.0/16`, `fd00:${hex(v)}::/48`] },
      subnets,
      ...(peers.length > 0
        ? {
            virtualNetworkPeerings: peers.map((p) => ({
              name: `${name}-to-${p}`,
              remoteVirtualNetwork: p,
            })),
          }
        : {}),
    });
  }
  return {
    topology: {
      virtualNetworks: vnets,
      networkSecurityGroups,
      applicationSecurityGroups: vnets.flatMap((_, v) =>
        ROLES.map((r) => ({ name: asgName(v, r) })),
      ),
      networkInterfaces: nics,
      environments,
    },
    serviceTags: serviceTagFile(options.seed),
    nsgs,
  };
}

// ---------------------------------------------------------------- flows

/** Protocol codes in the proportions of a flow log: mostly TCP, then UDP, some ICMP, rare IPsec. */
function protocolCode(rnd: Random): number {
  const r = rnd();
  return r < 0.7
    ? PROTOCOL_CODE.Tcp
    : r < 0.9
      ? PROTOCOL_CODE.Udp
      : r < 0.97
        ? PROTOCOL_CODE.Icmp
        : r < 0.99
          ? PROTOCOL_CODE.Esp
          : PROTOCOL_CODE.Ah;
}

/** Room for `count` IPv4 flows. */
export function emptyBatch4(count: number): FlowBatch4 {
  return {
    protocol: new Uint8Array(count),
    source: new Uint32Array(count),
    sourcePort: new Uint16Array(count),
    destination: new Uint32Array(count),
    destinationPort: new Uint16Array(count),
  };
}

function emptyBatch6(count: number): FlowBatch6 {
  return {
    family: 6,
    protocol: new Uint8Array(count),
    source: new Uint32Array(4 * count),
    sourcePort: new Uint16Array(count),
    destination: new Uint32Array(4 * count),
    destinationPort: new Uint16Array(count),
  };
}

const u32 = (rnd: Random) => Math.floor(rnd() * 2 ** 32);

/** IPv4 flows with every field uniform over its whole space. */
export function uniformFlows4(
  count: number,
  seed: number,
  into = emptyBatch4(count),
  at = 0,
): FlowBatch4 {
  const rnd = random(seed);
  for (let i = at; i < at + count; i++) {
    into.protocol[i] = protocolCode(rnd);
    into.source[i] = u32(rnd);
    into.sourcePort[i] = int(rnd, 65536);
    into.destination[i] = u32(rnd);
    into.destinationPort[i] = int(rnd, 65536);
  }
  return into;
}

/** IPv6 flows with every field uniform over its whole space. */
export function uniformFlows6(count: number, seed: number): FlowBatch6 {
  const rnd = random(seed);
  const into = emptyBatch6(count);
  for (let i = 0; i < count; i++) {
    into.protocol[i] = protocolCode(rnd);
    into.sourcePort[i] = int(rnd, 65536);
    into.destinationPort[i] = int(rnd, 65536);
    for (let w = 0; w < 4; w++) {
      into.source[4 * i + w] = u32(rnd);
      into.destination[4 * i + w] = u32(rnd);
    }
  }
  return into;
}

/** The values a rule's field turns on: both ends of every range and the values just beyond. */
interface RuleEdges {
  readonly protocol: number | undefined;
  readonly source: readonly bigint[];
  readonly destination: readonly bigint[];
  readonly sourcePorts: readonly number[];
  readonly destinationPorts: readonly number[];
}

function ruleEdges(rule: ResolvedRule, family: IpFamily): RuleEdges {
  const max = familyMax(family);
  const addresses = (side: "source" | "destination") => {
    const out: bigint[] = [];
    for (const [first, last] of rule[side].intervals(family))
      for (const v of [first, last, first - 1n, last + 1n, (first + last) / 2n])
        if (v >= 0n && v <= max) out.push(v);
    return out;
  };
  const ports = (ranges: readonly { first: number; last: number }[]) =>
    ranges
      .flatMap((r) => [r.first, r.last, r.first - 1, r.last + 1])
      .filter((p) => p >= 0 && p <= 65535);
  return {
    protocol: rule.protocol === "*" ? undefined : PROTOCOL_CODE[rule.protocol],
    source: addresses("source"),
    destination: addresses("destination"),
    sourcePorts: ports(rule.sourcePorts),
    destinationPorts: ports(rule.destinationPorts),
  };
}

/**
 * Flows aimed at rule boundaries: each picks a rule and takes, per field, one of
 * its edges or a value just beyond (a field the rule does not constrain in this
 * family is drawn uniformly). These flows exercise the rules' edges, where a
 * classifier that is off by one would go wrong, and reach deep rules that
 * uniform flows rarely do.
 */
export function boundaryFlows4(
  rules: readonly ResolvedRule[],
  count: number,
  seed: number,
  into = emptyBatch4(count),
  at = 0,
): FlowBatch4 {
  const rnd = random(seed);
  const edges = rules.map((r) => ruleEdges(r, 4));
  for (let i = at; i < at + count; i++) {
    const e = pick(rnd, edges);
    into.protocol[i] = e.protocol ?? protocolCode(rnd);
    into.source[i] = e.source.length > 0 ? Number(pick(rnd, e.source)) : u32(rnd);
    into.destination[i] = e.destination.length > 0 ? Number(pick(rnd, e.destination)) : u32(rnd);
    into.sourcePort[i] = e.sourcePorts.length > 0 ? pick(rnd, e.sourcePorts) : int(rnd, 65536);
    into.destinationPort[i] =
      e.destinationPorts.length > 0 ? pick(rnd, e.destinationPorts) : int(rnd, 65536);
  }
  return into;
}

/** IPv6 flows aimed at rule boundaries, as boundaryFlows4 does for IPv4. */
export function boundaryFlows6(
  rules: readonly ResolvedRule[],
  count: number,
  seed: number,
): FlowBatch6 {
  const rnd = random(seed);
  const into = emptyBatch6(count);
  const edges = rules.map((r) => ruleEdges(r, 6));
  // An address is picked once and split into its four words; none to pick means any.
  const write = (array: Uint32Array, i: number, list: readonly bigint[]) => {
    const value = list.length > 0 ? pick(rnd, list) : undefined;
    for (let w = 0; w < 4; w++)
      array[4 * i + w] =
        value === undefined ? u32(rnd) : Number((value >> BigInt(96 - 32 * w)) & 0xffffffffn);
  };
  for (let i = 0; i < count; i++) {
    const e = pick(rnd, edges);
    into.protocol[i] = e.protocol ?? protocolCode(rnd);
    write(into.source, i, e.source);
    write(into.destination, i, e.destination);
    into.sourcePort[i] = e.sourcePorts.length > 0 ? pick(rnd, e.sourcePorts) : int(rnd, 65536);
    into.destinationPort[i] =
      e.destinationPorts.length > 0 ? pick(rnd, e.destinationPorts) : int(rnd, 65536);
  }
  return into;
}

/** Half uniform, half at rule boundaries, interleaved in blocks, into `into` from `at`. */
export function mixedFlows4(
  rules: readonly ResolvedRule[],
  count: number,
  seed: number,
  into = emptyBatch4(count),
  at = 0,
): FlowBatch4 {
  const half = Math.floor(count / 2);
  uniformFlows4(half, seed, into, at);
  boundaryFlows4(rules, count - half, seed + 1, into, at + half);
  return into;
}
