/**
 * fast-check generators for valid NSGs, packets and small topologies, biased
 * toward the places where evaluation goes wrong: prefix edges and the
 * addresses just outside them, port range edges, 168.63.129.16, addresses of
 * the virtual networks, their peers and their connected spaces.
 */
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import type {
  IpConfiguration,
  NetworkInterface,
  PublicIPAddress,
  ResourceRef,
  SecurityRule,
  Subnet,
  Topology,
  VirtualNetwork,
} from "../../src/model/types.js";
import { privateAddresses } from "./reference-evaluator.js";

export type Family = 4 | 6;
export type FlowProtocolName = "Tcp" | "Udp" | "Icmp" | "Esp" | "Ah";

// ---------------------------------------------------------------- address text

const BITS: Record<Family, number> = { 4: 32, 6: 128 };
export const familyMax = (family: Family): bigint => (1n << BigInt(BITS[family])) - 1n;

/** Formats an address value; IPv6 compressed (RFC 5952) or, with `long`, every group written. */
export function formatAddress(family: Family, value: bigint, long = false): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const bytes: number[] = [];
  for (let s = 120n; s >= 0n; s -= 8n) bytes.push(Number((value >> s) & 0xffn));
  const ip = ipaddr.fromByteArray(bytes);
  return long ? ip.toNormalizedString() : ip.toString();
}

/** The family and numeric value of an address written as text. */
export function addressValue(text: string): { family: Family; value: bigint } {
  const ip = ipaddr.parse(text);
  const value = ip.toByteArray().reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return { family: ip.kind() === "ipv4" ? 4 : 6, value };
}

/** The CIDR block of `length` bits around `value`, host bits cleared as Azure requires. */
export function cidrText(family: Family, value: bigint, length: number, long = false): string {
  const host = (1n << BigInt(BITS[family] - length)) - 1n;
  const network = value & (familyMax(family) ^ host);
  return `${formatAddress(family, network, long)}/${length}`;
}

/** First and last address of a prefix written as `a/n` or a single address. */
export function prefixBounds(text: string): { family: Family; first: bigint; last: bigint } {
  const [addressText = "", lengthText] = text.split("/");
  const { family, value } = addressValue(addressText);
  const length = lengthText === undefined ? BITS[family] : Number(lengthText);
  const host = (1n << BigInt(BITS[family] - length)) - 1n;
  return { family, first: value, last: value | host };
}

const v4 = (a: number, b: number, c: number, d: number): bigint =>
  (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d);
const v6 = (g0: number, g1: number, g3: number, low: number): bigint =>
  (BigInt(g0) << 112n) | (BigInt(g1) << 96n) | (BigInt(g3) << 64n) | BigInt(low);

// ---------------------------------------------------------------- shared plan

/**
 * The address plan every generated topology follows: virtual network v has
 * 10.v.0.0/16 and fd00:v::/48, its k-th subnet 10.v.k.0/24 and fd00:v:0:k::/64,
 * hosts sit at the host numbers below. Rule addresses are drawn near this plan
 * so that they often hit hosts and prefix edges.
 */
export const HOST_NUMBERS = [4, 5, 6, 7, 10, 100, 254] as const;
const OCTET_EDGES = [0, 1, 3, 4, 5, 6, 7, 10, 100, 127, 128, 254, 255] as const;

export const vnetSpace = (family: Family, v: number): string =>
  family === 4 ? `10.${v}.0.0/16` : cidrText(6, v6(0xfd00, v, 0, 0), 48);
export const subnetPrefix = (family: Family, v: number, k: number): string =>
  family === 4 ? `10.${v}.${k}.0/24` : cidrText(6, v6(0xfd00, v, k, 0), 64);
export const hostAddress = (family: Family, v: number, k: number, host: number): string =>
  family === 4 ? formatAddress(4, v4(10, v, k, host)) : formatAddress(6, v6(0xfd00, v, k, host));

export const AZURE_HOST = "168.63.129.16";

/** A service tag from a (tiny) service-tags file, to check catalog tags too. */
export const SERVICE_TAG_FILE = {
  values: [
    {
      name: "Storage.WestEurope",
      properties: { addressPrefixes: ["20.38.0.0/16", "20.60.0.0/24", "2603:1000::/40"] },
    },
  ],
};
export const SERVICE_TAGS: Record<string, string[]> = Object.fromEntries(
  SERVICE_TAG_FILE.values.map((t) => [t.name, t.properties.addressPrefixes]),
);

const KNOWN_PREFIXES: Record<Family, readonly string[]> = {
  4: [
    "0.0.0.0/0",
    "10.0.0.0/8",
    "10.0.0.0/16",
    "10.1.0.0/16",
    "10.2.0.0/16",
    "10.0.1.0/24",
    "10.0.2.0/24",
    "10.1.1.0/24",
    "10.2.1.0/24",
    "192.168.0.0/20",
    "192.168.0.0/24",
    "192.168.1.0/24",
    "172.16.0.0/24",
    "168.63.129.16/32",
    "168.63.129.0/24",
    "20.38.0.0/16",
  ],
  6: [
    "::/0",
    "fd00::/8",
    "fd00::/16",
    "fd00::/48",
    "fd00:1::/48",
    "fd00:0:0:1::/64",
    "fd00:1:0:1::/64",
    "2603:1000::/40",
  ],
};

// ---------------------------------------------------------------- address arbitraries

/**
 * `wide`: anywhere around the address plan; `hosts`: mostly exactly the host
 * addresses generated topologies use, so that rules hit their NICs.
 */
export type Flavour = "wide" | "hosts";

const hostValue = (family: Family): fc.Arbitrary<bigint> =>
  fc
    .tuple(fc.nat(1), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...HOST_NUMBERS))
    .map(([v, k, h]) => (family === 4 ? v4(10, v, k, h) : v6(0xfd00, v, k, h)));

const nearValue = (family: Family, flavour: Flavour): fc.Arbitrary<bigint> =>
  flavour === "hosts"
    ? fc.oneof(
        { weight: 3, arbitrary: hostValue(family) },
        { weight: 1, arbitrary: nearValue(family, "wide") },
      )
    : family === 4
      ? fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .tuple(fc.nat(2), fc.nat(4), fc.constantFrom(...OCTET_EDGES))
              .map(([v, k, h]) => v4(10, v, k, h)),
          },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.constantFrom(0, 1, 15, 16), fc.constantFrom(...OCTET_EDGES))
              .map(([c, d]) => v4(192, 168, c, d)),
          },
          {
            weight: 2,
            arbitrary: fc.constantFrom(15, 16, 17).map((d) => v4(168, 63, 129, d)),
          },
          { weight: 1, arbitrary: fc.constantFrom(0n, familyMax(4), v4(172, 16, 0, 9)) },
          { weight: 1, arbitrary: fc.nat(0xffff).map((x) => v4(20, 38, 0, 0) | BigInt(x)) },
        )
      : fc.oneof(
          {
            weight: 6,
            arbitrary: fc
              .tuple(fc.nat(2), fc.nat(4), fc.constantFrom(...OCTET_EDGES, 0xffff))
              .map(([v, k, h]) => v6(0xfd00, v, k, h)),
          },
          { weight: 1, arbitrary: fc.constantFrom(0n, familyMax(6), v6(0x2603, 0x1000, 0, 1)) },
        );

const randomValue = (family: Family): fc.Arbitrary<bigint> =>
  fc.bigInt({ min: 0n, max: familyMax(family) });

const valueArb = (family: Family, flavour: Flavour): fc.Arbitrary<bigint> =>
  fc.oneof(
    { weight: 4, arbitrary: nearValue(family, flavour) },
    { weight: 1, arbitrary: randomValue(family) },
  );

const lengthArb = (family: Family): fc.Arbitrary<number> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary:
        family === 4
          ? fc.constantFrom(0, 1, 8, 12, 15, 16, 20, 23, 24, 25, 28, 30, 31, 32)
          : fc.constantFrom(0, 1, 8, 16, 32, 47, 48, 56, 63, 64, 96, 120, 127, 128),
    },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: BITS[family] }) },
  );

/** A single address as a rule would write it. */
export const hostTextArb = (family: Family, flavour: Flavour): fc.Arbitrary<string> =>
  fc
    .tuple(valueArb(family, flavour), fc.boolean())
    .map(([v, long]) => formatAddress(family, v, long));

/** A CIDR block with its host bits zero. */
export const prefixTextArb = (family: Family, flavour: Flavour): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...KNOWN_PREFIXES[family]) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(valueArb(family, flavour), lengthArb(family), fc.boolean())
        .map(([v, n, long]) => cidrText(family, v, n, long)),
    },
  );

// ---------------------------------------------------------------- rules

export const ASG_ID_PREFIX =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/";

interface AddressSide {
  readonly prefix?: string;
  readonly prefixes?: readonly string[];
  readonly asgs?: readonly ResourceRef[];
}
interface PortSide {
  readonly range?: string;
  readonly ranges?: readonly string[];
}

const TAGS = ["VirtualNetwork", "Internet", "AzureLoadBalancer", "Storage.WestEurope"] as const;

const addressSideArb = (
  family: Family,
  asgNames: readonly string[],
  flavour: Flavour,
): fc.Arbitrary<AddressSide> => {
  const asgRef = fc
    .tuple(fc.constantFrom(...asgNames), fc.boolean())
    .map(([name, byId]): ResourceRef => (byId ? { id: `${ASG_ID_PREFIX}${name}` } : name));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({ prefix: "*" }) },
    {
      weight: 4,
      arbitrary: fc
        .constantFrom(...TAGS, "VirtualNetwork", "Internet", "AzureLoadBalancer")
        .map((t) => ({ prefix: t })),
    },
    { weight: 2, arbitrary: hostTextArb(family, flavour).map((a) => ({ prefix: a })) },
    { weight: 3, arbitrary: prefixTextArb(family, flavour).map((p) => ({ prefix: p })) },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.oneof(hostTextArb(family, flavour), prefixTextArb(family, flavour)), {
          minLength: 1,
          maxLength: 4,
        })
        .map((ps) => ({ prefixes: ps })),
    },
    {
      weight: 3,
      arbitrary: fc
        .uniqueArray(asgRef, {
          minLength: 1,
          maxLength: 3,
          selector: (r) => (typeof r === "string" ? r : r.id.split("/").pop()),
        })
        .map((asgs) => ({ asgs })),
    },
  );
};

const PORT_EDGES = [
  0, 1, 21, 22, 23, 53, 79, 80, 81, 443, 1023, 1024, 3389, 8080, 49151, 49152, 65534, 65535,
] as const;

export const portArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PORT_EDGES) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
);

const rangeTextArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: portArb.map(String) },
  {
    weight: 3,
    arbitrary: fc.tuple(portArb, portArb).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  },
);

const portSideArb: fc.Arbitrary<PortSide> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ range: "*" }) },
  { weight: 4, arbitrary: rangeTextArb.map((r) => ({ range: r })) },
  { weight: 1, arbitrary: fc.constant({ range: "0-65535" }) },
  {
    weight: 3,
    arbitrary: fc.array(rangeTextArb, { minLength: 1, maxLength: 4 }).map((rs) => ({ ranges: rs })),
  },
);

const ruleProtocolArb = fc.oneof(
  { weight: 5, arbitrary: fc.constant("Tcp") },
  { weight: 3, arbitrary: fc.constant("Udp") },
  { weight: 4, arbitrary: fc.constant("*") },
  { weight: 1, arbitrary: fc.constantFrom("Icmp", "Esp", "Ah") },
  // The service reads the protocol case-insensitively.
  { weight: 1, arbitrary: fc.constantFrom("tcp", "UDP", "icmp") },
);

const priorityArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 100, max: 140 }) },
  { weight: 1, arbitrary: fc.constantFrom(100, 4096) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 4096 }) },
);

interface RuleBody {
  readonly protocol: string;
  readonly access: string;
  readonly direction: string;
  readonly priority: number;
  readonly source: AddressSide;
  readonly destination: AddressSide;
  readonly sourcePorts: PortSide;
  readonly destinationPorts: PortSide;
  readonly emptyArrays: boolean;
  readonly nameHint: string | undefined;
}

const ruleBodyArb = (
  family: Family,
  asgNames: readonly string[],
  flavour: Flavour,
): fc.Arbitrary<RuleBody> =>
  fc.record({
    protocol: ruleProtocolArb,
    access: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("Allow", "Deny") },
      { weight: 1, arbitrary: fc.constantFrom("allow", "deny") },
    ),
    direction: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom("Inbound", "Outbound") },
      { weight: 1, arbitrary: fc.constantFrom("inbound", "OUTBOUND") },
    ),
    priority: priorityArb,
    source: addressSideArb(family, asgNames, flavour),
    destination: addressSideArb(family, asgNames, flavour),
    sourcePorts: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ range: "*" }) },
      { weight: 1, arbitrary: portSideArb },
    ),
    destinationPorts: portSideArb,
    emptyArrays: fc.boolean(),
    // A custom rule may carry the name of a default rule; it is still a custom rule.
    nameHint: fc.option(fc.constantFrom("AllowVnetInBound", "DenyAllInBound", "DenyAllOutBound"), {
      nil: undefined,
      freq: 20,
    }),
  });

function toRule(body: RuleBody, name: string): SecurityRule {
  const rule: Record<string, unknown> = {
    name,
    protocol: body.protocol,
    access: body.access,
    priority: body.priority,
    direction: body.direction,
  };
  for (const [side, value] of [
    ["source", body.source],
    ["destination", body.destination],
  ] as const) {
    if (value.prefix !== undefined) rule[`${side}AddressPrefix`] = value.prefix;
    else if (body.emptyArrays) rule[`${side}AddressPrefix`] = "";
    if (value.prefixes !== undefined) rule[`${side}AddressPrefixes`] = value.prefixes;
    else if (body.emptyArrays) rule[`${side}AddressPrefixes`] = [];
    if (value.asgs !== undefined) rule[`${side}ApplicationSecurityGroups`] = value.asgs;
    else if (body.emptyArrays) rule[`${side}ApplicationSecurityGroups`] = [];
  }
  for (const [side, value] of [
    ["source", body.sourcePorts],
    ["destination", body.destinationPorts],
  ] as const) {
    if (value.range !== undefined) rule[`${side}PortRange`] = value.range;
    if (value.ranges !== undefined) rule[`${side}PortRanges`] = value.ranges;
    else if (body.emptyArrays) rule[`${side}PortRanges`] = [];
  }
  return rule as unknown as SecurityRule;
}

/**
 * Valid custom rules: 1–`maxLength` of them, priorities unique per direction,
 * names unique, one address family per rule (IPv6 for about a quarter).
 */
export function securityRulesArb(
  asgNames: readonly string[],
  minLength: number,
  maxLength: number,
  flavour: Flavour = "wide",
): fc.Arbitrary<SecurityRule[]> {
  const body = fc.oneof(
    { weight: 3, arbitrary: ruleBodyArb(4, asgNames, flavour) },
    { weight: 1, arbitrary: ruleBodyArb(6, asgNames, flavour) },
  );
  return fc
    .uniqueArray(body, {
      minLength,
      maxLength,
      selector: (b) => `${b.direction.toLowerCase()}/${b.priority}`,
    })
    .map((bodies) => {
      const used = new Set<string>();
      return bodies.map((b, i) => {
        const name =
          b.nameHint !== undefined && !used.has(b.nameHint.toLowerCase()) ? b.nameHint : `r${i}`;
        used.add(name.toLowerCase());
        return toRule(b, name);
      });
    });
}

// ---------------------------------------------------------------- NSG-level topology and packets

/**
 * The fixed topology the NSG-level property binds its NSG in: hub (dual-stack,
 * on-premises space connected) peered with spoke (declared on both sides, one as an id),
 * and lone, peered with nothing.
 */
export const NSG_LEVEL_ASGS = ["web", "db", "spoke-app", "empty"] as const;
export const NSG_LEVEL_VNETS = ["hub", "spoke", "lone"] as const;

export function nsgLevelTopology(securityRules: readonly SecurityRule[]): Topology {
  return {
    virtualNetworks: [
      {
        name: "hub",
        addressSpace: { addressPrefixes: [vnetSpace(4, 0), vnetSpace(6, 0)] },
        connectedAddressPrefixes: ["192.168.0.0/20"],
        subnets: [
          { name: "app", addressPrefixes: [subnetPrefix(4, 0, 1), subnetPrefix(6, 0, 1)] },
          { name: "data", addressPrefix: subnetPrefix(4, 0, 2) },
        ],
        virtualNetworkPeerings: [
          {
            name: "hub-to-spoke",
            remoteVirtualNetwork: {
              id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/spoke",
            },
          },
        ],
      },
      {
        name: "spoke",
        addressSpace: { addressPrefixes: [vnetSpace(4, 1), vnetSpace(6, 1)] },
        connectedAddressPrefixes: ["172.16.0.0/24"],
        subnets: [{ name: "web", addressPrefixes: [subnetPrefix(4, 1, 1), subnetPrefix(6, 1, 1)] }],
        virtualNetworkPeerings: [{ name: "spoke-to-hub", remoteVirtualNetwork: "HUB" }],
      },
      {
        name: "lone",
        addressSpace: { addressPrefixes: [vnetSpace(4, 2)] },
        subnets: [{ name: "s1", addressPrefix: subnetPrefix(4, 2, 1) }],
      },
    ],
    networkSecurityGroups: [{ name: "nsg-under-test", securityRules }],
    applicationSecurityGroups: NSG_LEVEL_ASGS.map((name) => ({ name })),
    networkInterfaces: [
      {
        name: "nic-a",
        ipConfigurations: [
          { privateIPAddress: "10.0.1.4", subnet: "hub/app", applicationSecurityGroups: ["web"] },
          {
            privateIPAddress: hostAddress(6, 0, 1, 4),
            subnet: "hub/app",
            applicationSecurityGroups: [{ id: `${ASG_ID_PREFIX}web` }],
          },
        ],
      },
      {
        name: "nic-b",
        ipConfigurations: [
          {
            privateIPAddress: "10.0.1.5",
            subnet: "hub/app",
            applicationSecurityGroups: ["web", "db"],
          },
        ],
      },
      {
        name: "nic-c",
        ipConfigurations: [
          { privateIPAddress: "10.0.2.10", subnet: "hub/data", applicationSecurityGroups: ["db"] },
        ],
      },
      {
        name: "nic-d",
        ipConfigurations: [
          {
            privateIPAddress: "10.1.1.4",
            subnet: "spoke/web",
            applicationSecurityGroups: ["spoke-app"],
          },
          {
            privateIPAddress: hostAddress(6, 1, 1, 5),
            subnet: "spoke/web",
            applicationSecurityGroups: ["spoke-app"],
          },
        ],
      },
      { name: "nic-e", ipConfigurations: [{ privateIPAddress: "10.2.1.4", subnet: "lone/s1" }] },
    ],
    environments: [],
  };
}

/** Either an index into the candidate values (edges of the rules and topology) or any value. */
export type Pick = { readonly index: number } | { readonly random: bigint };

/**
 * How to build one packet. With `aim`, the packet is built near one rule (the
 * index modulo the number of rules): its address family and protocol, addresses
 * at and just beyond the edges of its prefixes, ASG members and tags, ports at
 * and just beyond the ends of its ranges. Without, from the whole candidate set.
 */
export interface PacketChoice {
  readonly family: Family;
  readonly protocol: FlowProtocolName;
  readonly aim: number | undefined;
  readonly source: Pick;
  readonly destination: Pick;
  readonly sourcePort: Pick;
  readonly destinationPort: Pick;
}

export const flowProtocolArb: fc.Arbitrary<FlowProtocolName> = fc.oneof(
  { weight: 5, arbitrary: fc.constant("Tcp" as const) },
  { weight: 3, arbitrary: fc.constant("Udp" as const) },
  { weight: 2, arbitrary: fc.constantFrom("Icmp" as const, "Esp" as const, "Ah" as const) },
);

export const pickArb = (max: bigint): fc.Arbitrary<Pick> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.nat().map((index) => ({ index })) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max }).map((random) => ({ random })) },
  );

export const packetChoiceArb: fc.Arbitrary<PacketChoice> = fc.record({
  family: fc.oneof(
    { weight: 3, arbitrary: fc.constant(4 as const) },
    { weight: 1, arbitrary: fc.constant(6 as const) },
  ),
  protocol: flowProtocolArb,
  aim: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
  source: pickArb(familyMax(6)),
  destination: pickArb(familyMax(6)),
  sourcePort: pickArb(65535n),
  destinationPort: pickArb(65535n),
});

interface SideCandidates {
  readonly addresses: Record<Family, readonly bigint[]>;
  readonly ports: readonly number[];
}

interface RuleCandidates {
  readonly family: Family | undefined;
  readonly protocol: FlowProtocolName | undefined;
  readonly source: SideCandidates;
  readonly destination: SideCandidates;
}

export interface Candidates {
  readonly any: SideCandidates;
  readonly rules: readonly RuleCandidates[];
}

const byValue = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);

/** First, last, middle, and the neighbours just outside, of every prefix or address. */
function addressEdges(texts: readonly string[]): Record<Family, readonly bigint[]> {
  const sets: Record<Family, Set<bigint>> = { 4: new Set(), 6: new Set() };
  for (const text of texts) {
    const { family, first, last } = prefixBounds(text);
    for (const v of [
      first,
      first + 1n,
      (first + last) / 2n,
      last - 1n,
      last,
      first - 1n,
      last + 1n,
    ])
      if (v >= 0n && v <= familyMax(family)) sets[family].add(v);
  }
  return { 4: [...sets[4]].sort(byValue), 6: [...sets[6]].sort(byValue) };
}

/** Both ends of every range and the ports just outside. */
function portEdges(texts: readonly string[]): number[] {
  const ports = new Set<number>();
  for (const text of texts) {
    if (text === "" || text === "*") continue;
    const [a = "0", b = a] = text.split("-");
    const [low, high] = [Number(a), Number(b)];
    for (const p of [low, low + 1, high - 1, high, low - 1, high + 1])
      if (p >= 0 && p <= 65535) ports.add(p);
  }
  return [...ports].sort((x, y) => x - y);
}

const isLiteral = (text: string) => /^[0-9a-fA-F:.]+(\/[0-9]+)?$/.test(text) && text !== "*";

const PROTOCOL_NAMES: Record<string, FlowProtocolName> = {
  tcp: "Tcp",
  udp: "Udp",
  icmp: "Icmp",
  esp: "Esp",
  ah: "Ah",
};

/**
 * Candidate packet fields: everything the rules and the topology name (prefixes,
 * spaces, hosts, 168.63.129.16, two Internet addresses), and for each rule the
 * values at its own edges.
 */
export function candidatesFor(rules: readonly SecurityRule[], topology: Topology): Candidates {
  const topologyTexts: string[] = [AZURE_HOST, "8.8.8.8", "2001:db8::1"];
  for (const vnet of topology.virtualNetworks) {
    topologyTexts.push(
      ...vnet.addressSpace.addressPrefixes,
      ...(vnet.connectedAddressPrefixes ?? []),
    );
    for (const s of vnet.subnets)
      topologyTexts.push(
        ...(s.addressPrefixes ?? []),
        ...(s.addressPrefix ? [s.addressPrefix] : []),
      );
  }
  for (const nic of topology.networkInterfaces)
    for (const c of nic.ipConfigurations)
      if (c.privateIPAddress !== undefined) topologyTexts.push(c.privateIPAddress);
  for (const prefixes of Object.values(SERVICE_TAGS)) topologyTexts.push(...prefixes);

  const ruleTexts = (rule: SecurityRule, side: "source" | "destination"): string[] => {
    const single = rule[`${side}AddressPrefix`];
    if (single !== undefined && single !== "") {
      if (single === "AzureLoadBalancer") return [AZURE_HOST];
      const tagged = SERVICE_TAGS[single];
      if (tagged) return tagged;
      return isLiteral(single) ? [single] : [];
    }
    const many = rule[`${side}AddressPrefixes`] ?? [];
    if (many.length > 0) return [...many];
    const names = (rule[`${side}ApplicationSecurityGroups`] ?? []).map((a) =>
      typeof a === "string" ? a : (a.id.split("/").pop() ?? ""),
    );
    return topology.networkInterfaces.flatMap((n) =>
      n.ipConfigurations
        .filter((c) =>
          (c.applicationSecurityGroups ?? []).some((a) =>
            names.includes(typeof a === "string" ? a : (a.id.split("/").pop() ?? "")),
          ),
        )
        .flatMap((c) => privateAddresses(topology).get(c) ?? []),
    );
  };
  const rulePortTexts = (rule: SecurityRule, side: "source" | "destination"): string[] => {
    const single = rule[`${side}PortRange`];
    return single !== undefined && single !== ""
      ? [single]
      : [...(rule[`${side}PortRanges`] ?? [])];
  };

  const allRuleTexts = rules.flatMap((r) => [
    ...ruleTexts(r, "source"),
    ...ruleTexts(r, "destination"),
  ]);
  const allPortTexts = rules.flatMap((r) => [
    ...rulePortTexts(r, "source"),
    ...rulePortTexts(r, "destination"),
  ]);
  const any: SideCandidates = {
    addresses: addressEdges([...topologyTexts, ...allRuleTexts]),
    ports: [...new Set([...PORT_EDGES, ...portEdges(allPortTexts)])].sort((x, y) => x - y),
  };
  const side = (rule: SecurityRule, which: "source" | "destination"): SideCandidates => {
    const texts = ruleTexts(rule, which);
    const ports = portEdges(rulePortTexts(rule, which));
    return {
      addresses: texts.length > 0 ? addressEdges(texts) : any.addresses,
      ports: ports.length > 0 ? ports : any.ports,
    };
  };
  return {
    any,
    rules: rules.map((rule) => {
      const literal = [
        ...(rule.sourceAddressPrefixes ?? []),
        ...(rule.destinationAddressPrefixes ?? []),
        rule.sourceAddressPrefix ?? "",
        rule.destinationAddressPrefix ?? "",
      ].find(isLiteral);
      return {
        family: literal === undefined ? undefined : prefixBounds(literal).family,
        protocol: PROTOCOL_NAMES[rule.protocol.toLowerCase()],
        source: side(rule, "source"),
        destination: side(rule, "destination"),
      };
    }),
  };
}

export interface ConcretePacket {
  readonly protocol: FlowProtocolName;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

export function concretePacket(choice: PacketChoice, candidates: Candidates): ConcretePacket {
  const target =
    choice.aim === undefined || candidates.rules.length === 0
      ? undefined
      : candidates.rules[choice.aim % candidates.rules.length];
  const family = target?.family ?? choice.family;
  const address = (p: Pick, side: SideCandidates | undefined): string => {
    const own = side?.addresses[family] ?? [];
    const list = own.length > 0 ? own : candidates.any.addresses[family];
    const value =
      "index" in p ? (list[p.index % list.length] as bigint) : p.random & familyMax(family);
    return formatAddress(family, value);
  };
  const port = (p: Pick, side: SideCandidates | undefined): number => {
    const list = side?.ports ?? candidates.any.ports;
    return "index" in p ? (list[p.index % list.length] as number) : Number(p.random % 65536n);
  };
  return {
    protocol: target?.protocol ?? choice.protocol,
    source: address(choice.source, target?.source),
    sourcePort: port(choice.sourcePort, target?.source),
    destination: address(choice.destination, target?.destination),
    destinationPort: port(choice.destinationPort, target?.destination),
  };
}

// ---------------------------------------------------------------- topology-level

export const TOPOLOGY_ASGS = ["asg-0a", "asg-0b", "asg-1a", "asg-1b", "asg-unused"] as const;

export interface FlowChoice {
  /** A NIC's name; with `source`, the flow comes from that Internet address instead. */
  readonly from: string;
  readonly source?: string;
  readonly to: string;
  readonly protocol: FlowProtocolName;
  readonly sourcePort: number;
  readonly destinationPort: number;
}

export interface TopologyCase {
  readonly topology: Topology;
  readonly flows: readonly FlowChoice[];
}

const flowPortArb: fc.Arbitrary<number> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...PORT_EDGES), fc.constantFrom(-1, 0, 0, 1))
      .map(([p, d]) => Math.min(65535, Math.max(0, p + d))),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
);

const shapeArb = fc.record({
  dualStack: fc.boolean(),
  primary: fc.constantFrom("v4" as const, "v6" as const, "mixed" as const),
  twoVnets: fc.boolean(),
  peering: fc.constantFrom("none", "first", "second", "both"),
  peeringById: fc.boolean(),
  // Each side's allowVirtualNetworkAccess: left out, true or false.
  peeringAccess: fc.tuple(
    fc.constantFrom(undefined, true, false),
    fc.constantFrom(undefined, true, false),
  ),
  connected: fc.tuple(fc.boolean(), fc.boolean()),
  nsgRefStyle: fc.constantFrom("name" as const, "upper" as const, "id" as const),
  subnetRefById: fc.boolean(),
  subnets: fc.array(
    fc.record({
      vnet: fc.nat(1),
      nsg: fc.option(fc.nat(2), { nil: undefined, freq: 3 }),
    }),
    { minLength: 2, maxLength: 4 },
  ),
  nsgRules: fc.array(securityRulesArb(TOPOLOGY_ASGS, 1, 12, "hosts"), {
    minLength: 1,
    maxLength: 3,
  }),
  nics: fc.array(
    fc.record({
      subnet: fc.nat(3),
      nsg: fc.option(fc.nat(2), { nil: undefined, freq: 2 }),
      host: fc.constantFrom(...HOST_NUMBERS),
      asgs: fc.subarray(["a", "b"]),
      v6First: fc.boolean(),
      secondary: fc.constantFrom("none" as const, "otherFamily" as const, "otherSubnet" as const),
      secondaryAsgs: fc.subarray(["a", "b"]),
      // A Dynamic primary address, and a public IP of either SKU, its address known or not.
      dynamic: fc.constantFrom(false, false, false, true),
      publicIp: fc.option(
        fc.record({
          sku: fc.constantFrom("Basic" as const, "Standard" as const),
          known: fc.boolean(),
        }),
        { nil: undefined, freq: 2 },
      ),
    }),
    { minLength: 2, maxLength: 6 },
  ),
  flows: fc.array(
    fc.record({
      from: fc.nat(5),
      // Mostly another NIC; now and then the NIC itself.
      offset: fc.oneof(
        { weight: 1, arbitrary: fc.constant(0) },
        { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }) },
      ),
      protocol: flowProtocolArb,
      // Now and then from an Internet address, of either family.
      internet: fc.constantFrom(...Array(6).fill(undefined), 4 as const, 6 as const),
      sourcePort: fc.oneof(
        { weight: 1, arbitrary: pickArb(65535n) },
        { weight: 1, arbitrary: flowPortArb.map((port): Pick => ({ random: BigInt(port) })) },
      ),
      destinationPort: pickArb(65535n),
    }),
    { minLength: 1, maxLength: 34, size: "max" },
  ),
});

const ARM =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network";

/** Small valid topologies (1–2 networks, 2–4 subnets, 2–6 NICs) and flows between their NICs. */
export const topologyCaseArb: fc.Arbitrary<TopologyCase> = shapeArb.map((shape) => {
  const vnetCount = shape.twoVnets ? 2 : 1;
  const subnetVnet = shape.subnets.map((s) => (shape.twoVnets ? s.vnet : 0));
  if (shape.twoVnets && !subnetVnet.includes(1)) subnetVnet[subnetVnet.length - 1] = 1;
  if (!subnetVnet.includes(0)) subnetVnet[0] = 0;
  const nsgNames = shape.nsgRules.map((_, i) => `nsg-${i}`);
  const nsgRef = (index: number): ResourceRef => {
    const name = nsgNames[index % nsgNames.length] as string;
    if (shape.nsgRefStyle === "id") return { id: `${ARM}/networkSecurityGroups/${name}` };
    return shape.nsgRefStyle === "upper" ? name.toUpperCase() : name;
  };
  const families: Family[] = shape.dualStack ? [4, 6] : [4];

  // Subnets: the k-th subnet of network v (k from 1) is 10.v.k.0/24 (and fd00:v:0:k::/64).
  const subnetInfo = subnetVnet.map((v, i) => {
    const k = subnetVnet.slice(0, i + 1).filter((x) => x === v).length;
    return { v, k, name: `sn${i}`, nsg: shape.subnets[i]?.nsg };
  });
  const vnets: VirtualNetwork[] = [];
  for (let v = 0; v < vnetCount; v++) {
    const subnets: Subnet[] = subnetInfo
      .filter((s) => s.v === v)
      .map((s) => {
        const prefixes = families.map((f) => subnetPrefix(f, v, s.k));
        return {
          name: s.name,
          ...(prefixes.length === 1
            ? { addressPrefix: prefixes[0] }
            : { addressPrefixes: prefixes }),
          ...(s.nsg === undefined ? {} : { networkSecurityGroup: nsgRef(s.nsg) }),
        };
      });
    const other = `vnet-${1 - v}`;
    const declares =
      shape.twoVnets &&
      (shape.peering === "both" || shape.peering === (v === 0 ? "first" : "second"));
    vnets.push({
      name: `vnet-${v}`,
      addressSpace: { addressPrefixes: families.map((f) => vnetSpace(f, v)) },
      ...(shape.connected[v] ? { connectedAddressPrefixes: [`192.168.${v}.0/24`] } : {}),
      subnets,
      ...(declares
        ? {
            virtualNetworkPeerings: [
              {
                remoteVirtualNetwork: shape.peeringById
                  ? { id: `${ARM}/virtualNetworks/${other}` }
                  : other,
                ...(shape.peeringAccess[v] === undefined
                  ? {}
                  : { allowVirtualNetworkAccess: shape.peeringAccess[v] }),
              },
            ],
          }
        : {}),
    });
  }

  // NICs: addresses unique per network; ASGs only from the NIC's own network.
  const taken = new Set<string>();
  const claim = (f: Family, v: number, k: number, wanted: number): string => {
    let host = wanted;
    while (taken.has(hostAddress(f, v, k, host))) host = host >= 250 ? 4 : host + 1;
    const address = hostAddress(f, v, k, host);
    taken.add(address);
    return address;
  };
  const subnetRef = (s: { v: number; name: string }): ResourceRef =>
    shape.subnetRefById
      ? { id: `${ARM}/virtualNetworks/vnet-${s.v}/subnets/${s.name}` }
      : `vnet-${s.v}/${s.name}`;
  const publicIPAddresses: PublicIPAddress[] = [];
  const nics: NetworkInterface[] = shape.nics.map((n, i) => {
    const s = subnetInfo[n.subnet % subnetInfo.length] as (typeof subnetInfo)[number];
    const primaryFamily: Family = !shape.dualStack
      ? 4
      : shape.primary === "v4"
        ? 4
        : shape.primary === "v6"
          ? 6
          : n.v6First
            ? 6
            : 4;
    const asgsOf = (letters: string[]) => letters.map((l) => `asg-${s.v}${l}`);
    const pip = n.publicIp && {
      name: `pip-${i}`,
      sku: n.publicIp.sku,
      ...(primaryFamily === 6 ? { publicIPAddressVersion: "IPv6" as const } : {}),
      ...(n.publicIp.known
        ? { ipAddress: primaryFamily === 4 ? `198.51.100.${10 + i}` : `2001:db8:1::${10 + i}` }
        : {}),
    };
    if (pip) publicIPAddresses.push(pip);
    const configs: IpConfiguration[] = [
      {
        name: "primary",
        ...(n.dynamic
          ? {
              privateIPAllocationMethod: "Dynamic" as const,
              ...(primaryFamily === 6 ? { privateIPAddressVersion: "IPv6" as const } : {}),
            }
          : { privateIPAddress: claim(primaryFamily, s.v, s.k, n.host) }),
        subnet: subnetRef(s),
        applicationSecurityGroups: asgsOf(n.asgs),
        ...(pip ? { publicIPAddress: pip.name } : {}),
      },
    ];
    if (n.secondary === "otherFamily" && shape.dualStack) {
      const f: Family = primaryFamily === 4 ? 6 : 4;
      configs.push({
        name: "secondary",
        privateIPAddress: claim(f, s.v, s.k, n.host),
        subnet: subnetRef(s),
        applicationSecurityGroups: asgsOf(n.secondaryAsgs),
      });
    }
    const sibling = subnetInfo.find((o) => o.v === s.v && o.name !== s.name);
    if (n.secondary === "otherSubnet" && sibling)
      configs.push({
        name: "secondary",
        privateIPAddress: claim(primaryFamily, sibling.v, sibling.k, n.host),
        subnet: subnetRef(sibling),
        applicationSecurityGroups: asgsOf(n.secondaryAsgs),
      });
    return {
      name: `nic-${i}`,
      ipConfigurations: configs,
      ...(n.nsg === undefined ? {} : { networkSecurityGroup: nsgRef(n.nsg) }),
    };
  });

  const topology: Topology = {
    virtualNetworks: vnets,
    networkSecurityGroups: shape.nsgRules.map((securityRules, i) => ({
      name: nsgNames[i] as string,
      securityRules,
    })),
    applicationSecurityGroups: TOPOLOGY_ASGS.map((name) => ({ name })),
    networkInterfaces: nics,
    environments: [],
    ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
  };
  // Ports: the ends of the rules' ranges and the ports just outside them, or any port.
  const ports = candidatesFor(shape.nsgRules.flat(), { ...topology, networkInterfaces: [] }).any
    .ports;
  const port = (p: Pick) =>
    "index" in p ? (ports[p.index % ports.length] as number) : Number(p.random % 65536n);
  const flows: FlowChoice[] = shape.flows.map((f) => {
    const from = f.from % nics.length;
    return {
      from: `nic-${from}`,
      ...(f.internet === undefined
        ? {}
        : { source: f.internet === 4 ? "203.0.113.77" : "2001:db8:ff::77" }),
      to: `nic-${f.offset === 0 ? from : (from + 1 + (f.offset % (nics.length - 1))) % nics.length}`,
      protocol: f.protocol,
      sourcePort: port(f.sourcePort),
      destinationPort: port(f.destinationPort),
    };
  });
  return { topology, flows };
});
