/**
 * Administrative ports open to the Internet, judged on the effective path of
 * each endpoint rather than on NSG rules alone. An endpoint is exposed when
 * the Internet reaches it (its public IP, a public load balancer's rule to
 * it) and what arrives there from addresses outside every network includes
 * an administrative service: the entry's SKU and the NSGs on its subnet and
 * network interface (or none) decide, as route.ts and reach.ts do. A
 * Standard public IP or load balancer with no NSG lets nothing in; a Basic
 * one, or a public address given without a public IP resource, is open.
 * Azure retired Basic public IPs on 30 September 2025, and how leftover ones
 * behave is UNCONFIRMED (reference/reachability.md §1): they are read as
 * documented before, open by default, the reading that hides no exposure.
 *
 * App Service Environments are left out: their address is their own front
 * end's, which serves their apps and the platform's ports, not a host's
 * administrative services. Application gateways and Azure Bastion are no such entry: both are proxies
 * whose connections to the hosts behind them come from their own subnet's
 * private addresses (HTTP(S) on the gateway's listeners, SSH and RDP
 * sessions through Bastion's 443), so they do not expose a backend's
 * administrative ports to the Internet.
 *
 * A rule that lets the Internet in on an administrative port but through
 * which no endpoint of the spec is reached is not an exposure: it is a
 * warning (AdminPortAllowedFromInternet), since one public IP behind it
 * makes it one.
 */
import { type Host, hostAt } from "../engine/endpoint.js";
import { formatPacket } from "../engine/packet.js";
import type { ResolvedRule } from "../engine/resolve.js";
import { type Diagnostic, error, type ValuePath, warning } from "../model/diagnostic.js";
import {
  isAppServiceEnvironment,
  type NicInfo,
  type PublicIpInfo,
  type SubnetInfo,
} from "../model/network.js";
import { watcherRuleName } from "../model/rule.js";
import { displayAddress, formatIpAddress, type IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { describeArrival, loadBalancedArrivals } from "./load-balancer-exposure.js";
import { PacketSet } from "./packet-set.js";
import type { RuleEffect } from "./policy.js";
import type { ReachAnalyzer } from "./reach.js";

/** A service that should never be open to the whole Internet: its port and the protocols it listens on. */
export interface AdminPort {
  readonly port: number;
  readonly service: string;
  readonly protocols: readonly ("Tcp" | "Udp")[];
}

/**
 * Ports that should never be open to the whole Internet, with what listens
 * there and on which protocols: `Allow Udp 22` is no SSH exposure, while RDP
 * listens on TCP and UDP 3389.
 */
export const ADMIN_PORTS: readonly AdminPort[] = [
  { port: 22, service: "SSH", protocols: ["Tcp"] },
  { port: 23, service: "Telnet", protocols: ["Tcp"] },
  { port: 135, service: "RPC", protocols: ["Tcp", "Udp"] },
  { port: 139, service: "NetBIOS", protocols: ["Tcp"] },
  { port: 445, service: "SMB", protocols: ["Tcp"] },
  { port: 1433, service: "SQL Server", protocols: ["Tcp"] },
  { port: 1434, service: "SQL Server Browser", protocols: ["Udp"] },
  { port: 2375, service: "Docker", protocols: ["Tcp"] },
  { port: 2376, service: "Docker", protocols: ["Tcp"] },
  { port: 3306, service: "MySQL", protocols: ["Tcp"] },
  { port: 3389, service: "RDP", protocols: ["Tcp", "Udp"] },
  { port: 5432, service: "PostgreSQL", protocols: ["Tcp"] },
  { port: 5985, service: "WinRM", protocols: ["Tcp"] },
  { port: 5986, service: "WinRM", protocols: ["Tcp"] },
  { port: 6379, service: "Redis", protocols: ["Tcp"] },
  { port: 9200, service: "Elasticsearch", protocols: ["Tcp"] },
  { port: 11211, service: "memcached", protocols: ["Tcp", "Udp"] },
  { port: 27017, service: "MongoDB", protocols: ["Tcp"] },
];

/**
 * Addresses no packet from the Internet comes from: private (RFC 1918, RFC
 * 4193), shared (RFC 6598), loopback and link-local ranges. A rule that lets
 * in 10.0.0.0/8 speaks of a corporate network, not of the Internet.
 */
const NOT_INTERNET = AddressSet.of(
  [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
  ].map((text) => {
    const parsed = parsePrefix(text);
    if (!parsed.ok) throw new Error(`not a prefix: ${text}`);
    return parsed.prefix;
  }),
);

const adminCache = new WeakMap<AddressSet, PacketSet>();

/**
 * Every packet from `outside` (addresses outside every network) to an
 * administrative service, on its own protocols, leaving out addresses no
 * Internet host has.
 */
export function adminPackets(outside: AddressSet): PacketSet {
  const known = adminCache.get(outside);
  if (known) return known;
  const sources = outside.minus(NOT_INTERNET);
  let all = PacketSet.empty;
  for (const a of ADMIN_PORTS)
    all = all.union(
      PacketSet.box({
        protocols: a.protocols,
        source: sources,
        destinationPorts: [{ first: a.port, last: a.port }],
      }),
    );
  adminCache.set(outside, all);
  return all;
}

/**
 * The administrative services some packet of `open` reaches, SSH and RDP
 * first, the first four by name: `SSH (Tcp 22), RDP (Tcp/Udp 3389), SMB (Tcp 445), ... and 15 more`.
 */
export function servicesIn(open: PacketSet): string {
  const first = (a: AdminPort) => (a.service === "SSH" || a.service === "RDP" ? 0 : 1);
  const ports = open.destinationPorts();
  const found = [...ADMIN_PORTS]
    .sort((a, b) => first(a) - first(b))
    .filter((a) => ports.some((r) => r.first <= a.port && a.port <= r.last))
    .map((a) => {
      if (a.protocols.length === 1) return `${a.service} (${a.protocols[0]} ${a.port})`;
      const protocols = a.protocols.filter(
        (p) =>
          !open
            .intersect(
              PacketSet.box({
                protocols: [p],
                destinationPorts: [{ first: a.port, last: a.port }],
              }),
            )
            .isEmpty(),
      );
      return protocols.length === 0 ? "" : `${a.service} (${protocols.join("/")} ${a.port})`;
    })
    .filter(Boolean);
  const shown = found.length > 5 ? found.slice(0, 4) : found;
  return `${shown.join(", ")}${found.length > shown.length ? ` and ${found.length - shown.length} more administrative ports` : ""}`;
}

/** Whether a rule, as written, names an administrative port on one of its protocols: the cheap test before the exact one. */
function mayOpenAdminPort(rule: ResolvedRule): boolean {
  return ADMIN_PORTS.some(
    (a) =>
      (rule.protocol === "*" || (a.protocols as readonly string[]).includes(rule.protocol)) &&
      rule.destinationPorts.some((r) => r.first <= a.port && a.port <= r.last),
  );
}

/** More sources than a /16 of IPv4 or a /48 of IPv6: the Internet at large, not a known range. */
export function broad(sources: AddressSet): boolean {
  const size = (family: 4 | 6) =>
    sources.intervals(family).reduce((n, [a, b]) => n + (b - a + 1n), 0n);
  return size(4) > 1n << 16n || size(6) > 1n << 80n;
}

/** One way the Internet gets to an endpoint, and what of its administrative services arrives that way. */
interface WayIn {
  /** `Basic public IP pip-web1`, `load balancer lb: inbound NAT rule rdp to ...`. */
  readonly via: string;
  /** What lets it in when no NSG applies: `a Basic public IP`. */
  readonly openByDefault: string;
  readonly open: PacketSet;
  /** Where the entry is written: the configuration's public IP, the environment, the load balancer's rule. */
  readonly path: ValuePath;
}

interface Endpoint {
  readonly label: string;
  readonly vnet: string;
  readonly subnet?: SubnetInfo;
  readonly nic?: NicInfo;
  readonly ways: WayIn[];
}

/** `network interface NAME`, or a scale set's: `scale set NAME's network interfaces`. */
const nicLabel = (nic: NicInfo) =>
  nic.scaleSet === undefined
    ? `network interface ${nic.name}`
    : `scale set ${nic.scaleSet}'s network interfaces`;

const keyOf = (vnet: string, address: IpAddress) => `${vnet}|${formatIpAddress(address)}`;
export const ruleKey = (nsg: string, rule: string) => `${nsg}\u0000${rule}`;

/** A public IP as the finding names it, with what it does when no NSG applies. */
function entryOf(pip: PublicIpInfo | undefined, address: IpAddress | undefined) {
  if (pip)
    return {
      via: `${pip.sku} public IP ${pip.name}`,
      openByDefault: `a ${pip.sku} public IP is open by default`,
    };
  return {
    via: `public address ${address ? displayAddress(address) : "?"}`,
    openByDefault:
      "a public address given without its public IP resource is read as open by default, as a Basic public IP is (give the resource and its SKU to say otherwise)",
  };
}

export interface EndpointExposure {
  readonly findings: Diagnostic[];
  /** The rules (`ruleKey`) that let the Internet reach an endpoint's administrative port. */
  readonly causes: ReadonlySet<string>;
}

/**
 * Each endpoint whose administrative ports the Internet at large reaches,
 * once, with the cause: the rules of the NSGs on its subnet and network
 * interface that let the traffic in, or, with no NSG on either, the
 * open-by-default entry (a Basic public IP or load balancer).
 */
export function endpointExposure(analyzer: ReachAnalyzer): EndpointExposure {
  const network = analyzer.network;
  const admin = adminPackets(analyzer.outside);
  const endpoints = new Map<string, Endpoint>();
  const at = (host: Host, label: string): Endpoint | undefined => {
    if (host.vnet === undefined) return undefined;
    const key = keyOf(host.vnet, host.address);
    let found = endpoints.get(key);
    if (!found) {
      found = {
        label,
        vnet: host.vnet,
        ...(host.subnet ? { subnet: host.subnet } : {}),
        ...(host.nic ? { nic: host.nic } : {}),
        ways: [],
      };
      endpoints.set(key, found);
    }
    return found;
  };
  const direct = (host: Host, label: string, path: ValuePath) => {
    if (!host.publicAddress) return;
    const open = analyzer.fromOutside(analyzer.outside, host).allowed.intersect(admin);
    if (open.isEmpty()) return;
    at(host, label)?.ways.push({ ...entryOf(host.publicIp, host.publicAddress), open, path });
  };
  const onEnvironment = new Map<string, string>();
  for (const env of network.environments.values()) {
    onEnvironment.set(keyOf(env.subnet.vnet, env.privateAddress), env.name);
    // An App Service Environment's address is its own front end's, which serves its apps and the
    // platform's ports only: no host's administrative service listens behind it.
    if (isAppServiceEnvironment(env.kind) || !env.publicAddress) continue;
    direct(hostAt(network, env.privateAddress), `environment ${env.name}`, env.path);
  }
  for (const nic of network.nics.values())
    nic.ipConfigurations.forEach((config, j) => {
      if (!config.publicAddress || onEnvironment.has(keyOf(nic.vnet, config.address))) return;
      const label =
        nic.scaleSet === undefined ? `network interface ${nic.name}` : `scale set ${nic.scaleSet}`;
      direct(hostAt(network, config.address), label, [
        ...(nic.path ?? ["networkInterfaces"]),
        "ipConfigurations",
        j,
      ]);
    });
  for (const a of loadBalancedArrivals(analyzer)) {
    const open = a.arrived.intersect(admin);
    if (open.isEmpty()) continue;
    const host = hostAt(network, a.backend.address);
    const env = onEnvironment.get(keyOf(a.backend.vnet, a.backend.address));
    const endpoint = at(
      {
        ...host,
        vnet: a.backend.vnet,
        ...(a.backend.subnet ? { subnet: a.backend.subnet } : {}),
        ...(a.backend.nic ? { nic: a.backend.nic } : {}),
      },
      env !== undefined ? `environment ${env}` : a.backend.label,
    );
    endpoint?.ways.push({
      via: `${a.frontend.sku} load balancer ${a.frontend.loadBalancer}'s ${describeArrival(a)} (frontend port${a.forwarding.frontendPorts.first === a.forwarding.frontendPorts.last ? ` ${a.forwarding.frontendPorts.first}` : `s ${a.forwarding.frontendPorts.first}-${a.forwarding.frontendPorts.last}`})`,
      openByDefault: `a ${a.frontend.sku} load balancer is open by default`,
      open,
      path: a.forwarding.path,
    });
  }

  const findings: Diagnostic[] = [];
  const causes = new Set<string>();
  for (const endpoint of endpoints.values()) {
    let open = PacketSet.empty;
    for (const w of endpoint.ways) open = open.union(w.open);
    if (open.isEmpty() || !broad(open.sources())) continue;
    // The ways that each let in the Internet at large; all of them if it takes several together.
    const wide = endpoint.ways.filter((w) => broad(w.open.sources()));
    const ways = wide.length > 0 ? wide : endpoint.ways;
    const stages = [
      ...(endpoint.subnet?.nsg
        ? [{ nsg: endpoint.subnet.nsg, on: `subnet ${endpoint.subnet.id}` }]
        : []),
      ...(endpoint.nic?.nsg ? [{ nsg: endpoint.nic.nsg, on: nicLabel(endpoint.nic) }] : []),
    ];
    const rules: { text: string; path: ValuePath }[] = [];
    for (const stage of stages) {
      const nsg = network.nsgs.get(stage.nsg);
      const effects = analyzer.nsgDecisions(stage.nsg, endpoint.vnet, "Inbound").effects;
      const letting = effects.filter(
        (e) => e.rule.access === "Allow" && !e.decides.intersect(open).isEmpty(),
      );
      for (const e of letting) {
        causes.add(ruleKey(stage.nsg, e.rule.rule.name));
        rules.push({
          text: `${stage.nsg}'s ${watcherRuleName(e.rule.rule)} (${e.rule.priority}) on ${stage.on}`,
          path: nsg?.rulePaths.get(e.rule.rule.name) ?? nsg?.path ?? [],
        });
      }
    }
    const where = [
      ...(endpoint.subnet ? [`subnet ${endpoint.subnet.id}`] : []),
      ...(endpoint.nic ? [nicLabel(endpoint.nic)] : []),
    ].join(" or ");
    const cause =
      stages.length === 0
        ? `no NSG on ${where || "it"}, and ${[...new Set(ways.map((w) => w.openByDefault))].join("; ")}`
        : `let in by ${rules.map((r) => r.text).join(" and ")}`;
    const witness = open.witness();
    const example = witness && network.addressNames.labelledPacket(witness);
    const path = stages.length === 0 ? ways[0]?.path : rules[0]?.path;
    findings.push(
      error(
        "InternetExposedAdminPort",
        `${endpoint.label} is reachable from the Internet on ${servicesIn(open)} through ${ways.map((w) => w.via).join(" and ")}: ${cause}${example ? `; e.g. ${formatPacket(example)}` : ""}`,
        path ?? [],
        stages.length === 0
          ? `put an NSG on its subnet or network interface that allows only what it serves, or use a Standard ${ways.some((w) => w.via.includes("load balancer")) ? "load balancer" : "public IP"} (closed to inbound traffic unless an NSG allows it)`
          : "allow administrative ports only from known addresses, or reach the host through Azure Bastion or a VPN",
      ),
    );
  }
  return { findings, causes };
}

/**
 * Allow rules that let the Internet at large in on an administrative port
 * (what each rule really decides: a port a deny before it takes is not open)
 * through which no endpoint of the spec is reached: no exposure today, but
 * one as soon as a host behind the NSG gets a public IP or a public load
 * balancer.
 */
export function adminRuleFindings(
  nsg: string,
  effects: readonly RuleEffect[],
  analyzer: ReachAnalyzer,
  pathOf: (r: ResolvedRule) => ValuePath,
  causes: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const admin = adminPackets(analyzer.outside);
  for (const e of effects) {
    if (e.rule.access !== "Allow" || !mayOpenAdminPort(e.rule)) continue;
    if (causes.has(ruleKey(nsg, e.rule.rule.name))) continue;
    const open = e.decides.intersect(admin);
    if (open.isEmpty() || !broad(open.sources())) continue;
    out.push(
      warning(
        "AdminPortAllowedFromInternet",
        `${nsg}: ${watcherRuleName(e.rule.rule)} allows the Internet in on ${servicesIn(open)}, but no endpoint of the spec is reached through it from the Internet (no public IP or public load balancer behind it, or another NSG denies it): not an exposure today`,
        pathOf(e.rule),
        "allow administrative ports only from known addresses, so that a public IP added behind this NSG does not expose them",
      ),
    );
  }
  return out;
}
