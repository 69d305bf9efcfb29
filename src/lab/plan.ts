/**
 * The lab as data: which network namespaces, links, addresses, routes, NAT and
 * nft rulesets stand the spec up on one Linux machine, and which probes test
 * it. Pure: the commands that build it live in `system.ts`.
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { type Host, resolveEndpoint } from "../engine/endpoint.js";
import { FlowEvaluator, type FlowResult } from "../engine/flow.js";
import { planRoute, vnetsConnected } from "../engine/route.js";
import { exportNftables, type NsgBinding } from "../formats/nftables/export.js";
import type { Network, PublicIpInfo, SubnetInfo } from "../model/network.js";
import { isStandIn } from "../model/public-ips.js";
import { isSymbolicTagAddress } from "../model/symbolic-tags.js";
import {
  displayAddress,
  formatIpAddress,
  type IpAddress,
  parseIpAddress,
  sameAddress,
} from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import type { LoadedSpec } from "../specfile/load.js";
import { type ProbeRequest, probeRequests } from "./probes.js";

export type { ProbeRequest };

/** A host of the deployment (an environment or a network interface) in its own namespace. */
export interface LabHost {
  readonly key: string;
  readonly label: string;
  readonly namespace: string;
  /** The router's end of the link; the host's end is always `eth0`. */
  readonly routerInterface: string;
  readonly addresses: readonly IpAddress[];
  /** The router's address on the link, one per family the host uses. */
  readonly gateways: readonly IpAddress[];
  readonly vnet: string;
  readonly publicAddress?: IpAddress;
  readonly outboundAddress?: IpAddress;
  /** Reached only on its public address, even from its own network (an external ASE). */
  readonly external: boolean;
  /** Reached on a Standard public IP and no NSG applies: nothing gets in on it (engine/route.ts). */
  readonly closedPublic: boolean;
  /** The NSGs of its subnet and network interface, compiled for the host's `eth0`. */
  readonly nftables: string;
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
}

/** A concrete connection the lab makes, with the engine's verdict on the same packet. */
export interface LabProbe {
  readonly id: number;
  /** Index of the spec assertion it samples; undefined for extra flows. */
  readonly assertion?: number;
  readonly description: string;
  /** The namespace the connection starts in. */
  readonly namespace: string;
  /** The namespace that answers it. */
  readonly destinationNamespace: string;
  readonly protocol: "Tcp" | "Udp";
  readonly source: IpAddress;
  readonly sourcePort: number;
  /** The address dialled: the callee's public address on a public route. */
  readonly destination: IpAddress;
  readonly destinationPort: number;
  readonly engine: FlowResult;
}

/** What the lab cannot probe, and why; reported, never dropped silently. */
export interface LabSkip {
  readonly assertion?: number;
  readonly description: string;
  readonly reason: string;
}

export interface LabPlan {
  readonly prefix: string;
  readonly spec: string;
  readonly router: {
    readonly namespace: string;
    readonly internetInterface: string;
    /** The router's addresses on the Internet link, one per family in use. */
    readonly internetGateways: readonly IpAddress[];
    readonly nftables: string;
  };
  readonly internet: {
    readonly namespace: string;
    readonly addresses: readonly IpAddress[];
    readonly tcpPorts: readonly number[];
    readonly udpPorts: readonly number[];
  };
  readonly hosts: readonly LabHost[];
  readonly probes: readonly LabProbe[];
  readonly skipped: readonly LabSkip[];
}

export type LabPlanResult =
  | { ok: true; plan: LabPlan }
  | { ok: false; problems: readonly string[] };

/** The only addresses the lab assigns: documentation and private ranges. */
const SAFE_RANGES = AddressSet.of(
  [
    "192.0.2.0/24",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "2001:db8::/32",
    "fc00::/7",
  ].map((text) => {
    const parsed = parsePrefix(text);
    if (!parsed.ok) throw new Error(`bad built-in prefix ${text}`);
    return parsed.prefix;
  }),
);

/** Every run is bounded: connections per `lab test`, each with its own time-out. */
export const MAX_PROBES = 5000;

export function isLabSafe(address: IpAddress): boolean {
  return SAFE_RANGES.has(address);
}

/**
 * The names of a spec file's lab start with this: `tw-<id>-rt`, `tw-<id>-h0`,
 * ..., where the id is short and stable: a digest of the file's absolute path.
 */
export function labPrefix(specFile: string): string {
  return `tw-${createHash("sha256").update(resolve(specFile)).digest("hex").slice(0, 6)}-`;
}

export interface LabOptions {
  /** More flows to probe besides the assertions' samples (the differential test's random flows). */
  readonly extraFlows?: readonly ProbeRequest[];
}

export function planLab(spec: LoadedSpec, options: LabOptions = {}): LabPlanResult {
  const network = spec.network;
  const prefix = labPrefix(spec.file);
  const problems: string[] = [];
  const unsafe = (address: IpAddress, what: string) => {
    if (isSymbolicTagAddress(address))
      problems.push(
        `${displayAddress(address)} (${what}) stands for a service tag without Azure's service-tags file; name the file in serviceTags to stand it up`,
      );
    else if (isStandIn(address))
      problems.push(
        `${displayAddress(address)} (${what}) is a public IP whose address is not known; give its ipAddress from the documentation ranges to stand it up`,
      );
    else if (!isLabSafe(address))
      problems.push(
        `${formatIpAddress(address)} (${what}) is outside the documentation and private ranges`,
      );
  };

  // The lab's routers follow the networks' addresses: a route table's appliance or drop is not stood up.
  for (const subnet of network.subnets) {
    const table = subnet.routeTable && network.routeTables.get(subnet.routeTable);
    if (table && table.routes.length > 0)
      problems.push(
        `subnet ${subnet.id} follows route table ${table.name}, whose routes the lab does not stand up; remove its routeTable to test the NSGs alone`,
      );
  }

  const hosts = labHosts(network, prefix);
  for (const host of hosts) {
    for (const a of host.addresses) unsafe(a, `address of ${host.label}`);
    if (host.publicAddress) unsafe(host.publicAddress, `public address of ${host.label}`);
    if (host.outboundAddress) unsafe(host.outboundAddress, `outbound address of ${host.label}`);
  }

  const evaluator = new FlowEvaluator(network);
  const sampled = probeRequests(spec.assertions, network);
  const requests = [...sampled.requests, ...(options.extraFlows ?? [])];
  const probes: LabProbe[] = [];
  const skipped: LabSkip[] = [...sampled.skipped];
  const internetAddresses = new Map<string, IpAddress>();
  const listeners = new Map<string, { tcp: Set<number>; udp: Set<number> }>();
  const listen = (key: string, protocol: "Tcp" | "Udp", port: number) => {
    const entry = listeners.get(key) ?? { tcp: new Set<number>(), udp: new Set<number>() };
    listeners.set(key, entry);
    (protocol === "Tcp" ? entry.tcp : entry.udp).add(port);
  };
  const hostOf = (h: Host) => hosts.find((l) => l.addresses.some((a) => sameAddress(a, h.address)));
  const outside = (h: Host) => h.vnet === undefined && !h.platform;

  for (const request of requests) {
    const skip = (reason: string) =>
      skipped.push({
        ...(request.assertion === undefined ? {} : { assertion: request.assertion }),
        description: request.description,
        reason,
      });
    // An outside address that is a lab host's public or outbound address is that host.
    const from = asLabHost(request.from, hosts, network);
    const to = asLabHost(request.to, hosts, network);
    const fromHost = hostOf(from);
    const toHost = hostOf(to);
    if (!fromHost && !outside(from)) {
      skip(`${from.label} is not a host of the lab (environments and network interfaces are)`);
      continue;
    }
    if (!toHost && !outside(to)) {
      skip(`${to.label} is not a host of the lab (environments and network interfaces are)`);
      continue;
    }
    if (!fromHost && !toHost) {
      skip("both ends are outside every virtual network");
      continue;
    }
    const route = planRoute(from, to, network);
    // With no route the caller can only dial the private address, which the lab must not
    // deliver; a local flow stays inside the host's namespace, as it crosses no NSG.
    const dialled =
      route.kind === "none" || route.kind === "local" ? to.address : route.outboundDestination;
    if (from.address.family !== dialled.family) {
      skip("the two ends have addresses of different families");
      continue;
    }
    const engine = evaluator.evaluateHosts(from, to, {
      protocol: request.protocol,
      destinationPort: request.destinationPort,
      sourcePort: request.sourcePort,
    });
    if (!fromHost) internetAddresses.set(formatIpAddress(from.address), from.address);
    if (!toHost) internetAddresses.set(formatIpAddress(dialled), dialled);
    listen(toHost?.key ?? "internet", request.protocol, request.destinationPort);
    probes.push({
      id: probes.length,
      ...(request.assertion === undefined ? {} : { assertion: request.assertion }),
      description: request.description,
      namespace: fromHost?.namespace ?? `${prefix}inet`,
      destinationNamespace: toHost?.namespace ?? `${prefix}inet`,
      protocol: request.protocol,
      source: from.address,
      sourcePort: request.sourcePort,
      destination: dialled,
      destinationPort: request.destinationPort,
      engine,
    });
  }
  for (const a of internetAddresses.values()) unsafe(a, "an address on the Internet side");
  if (probes.length > MAX_PROBES)
    problems.push(
      `the assertions ask for ${probes.length} connections; the lab makes at most ${MAX_PROBES}`,
    );

  const used = AddressSet.ofAddresses([
    ...hosts.flatMap((h) => [
      ...h.addresses,
      ...h.gateways,
      ...(h.publicAddress ? [h.publicAddress] : []),
      ...(h.outboundAddress ? [h.outboundAddress] : []),
    ]),
    ...internetAddresses.values(),
  ]);
  const families = new Set([...internetAddresses.values()].map((a) => a.family));
  const internetGateways = [...families].sort().map((f) => linkAddress(f, used));
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };

  const sorted = (s: Set<number> | undefined) => [...(s ?? [])].sort((a, b) => a - b);
  const withPorts = hosts.map((h) => ({
    ...h,
    tcpPorts: sorted(listeners.get(h.key)?.tcp),
    udpPorts: sorted(listeners.get(h.key)?.udp),
  }));
  return {
    ok: true,
    plan: {
      prefix,
      spec: spec.file,
      router: {
        namespace: `${prefix}rt`,
        internetInterface: "inet",
        internetGateways,
        nftables: routerRuleset(network, withPorts),
      },
      internet: {
        namespace: `${prefix}inet`,
        addresses: [...internetAddresses.values()],
        tcpPorts: sorted(listeners.get("internet")?.tcp),
        udpPorts: sorted(listeners.get("internet")?.udp),
      },
      hosts: withPorts,
      probes,
      skipped,
    },
  };
}

/** The lab host whose public or outbound address an outside endpoint is, or the endpoint itself. */
function asLabHost(
  endpoint: Host,
  hosts: readonly Omit<LabHost, "tcpPorts" | "udpPorts">[],
  network: Network,
): Host {
  if (endpoint.vnet !== undefined) return endpoint;
  const a = endpoint.address;
  const owner = hosts.find(
    (h) =>
      (h.publicAddress && sameAddress(h.publicAddress, a)) ||
      (h.outboundAddress && sameAddress(h.outboundAddress, a)),
  );
  if (!owner) return endpoint;
  const resolved = resolveEndpoint(network, owner.key);
  return resolved.ok ? resolved.host : endpoint;
}

/** Environments, then network interfaces that no environment stands on, each a namespace. */
function labHosts(network: Network, prefix: string): Omit<LabHost, "tcpPorts" | "udpPorts">[] {
  const hosts: Omit<LabHost, "tcpPorts" | "udpPorts">[] = [];
  const nicsOfEnvironments = new Set<string>();
  const add = (
    key: string,
    label: string,
    addresses: readonly IpAddress[],
    subnets: readonly SubnetInfo[],
    vnet: string,
    nic: { name: string; nsg?: string } | undefined,
    publicAddress?: IpAddress,
    outboundAddress?: IpAddress,
    external = false,
    publicIp?: PublicIpInfo,
  ) => {
    const i = hosts.length;
    const bindings: NsgBinding[] = [];
    for (const subnet of new Set(subnets))
      if (subnet.nsg)
        bindings.push({ nsg: subnet.nsg, vnet, appliedTo: { type: "subnet", name: subnet.id } });
    if (nic?.nsg)
      bindings.push({
        nsg: nic.nsg,
        vnet,
        appliedTo: { type: "networkInterface", name: nic.name },
      });
    hosts.push({
      key,
      label,
      namespace: `${prefix}h${i}`,
      routerInterface: `h${i}`,
      addresses,
      gateways: subnets.map((s, j) => gatewayOf(s, addresses[j] as IpAddress)),
      vnet,
      ...(publicAddress ? { publicAddress } : {}),
      ...(outboundAddress ? { outboundAddress } : {}),
      external,
      closedPublic: publicIp?.sku === "Standard" && bindings.length === 0,
      nftables: exportNftables(network, bindings, { placement: "host", interface: "eth0" }),
    });
  };
  for (const env of network.environments.values()) {
    if (env.nic) nicsOfEnvironments.add(env.nic.name);
    add(
      `env:${env.name}`,
      `environment ${env.name}`,
      [env.privateAddress],
      [env.subnet],
      env.subnet.vnet,
      env.nic,
      env.publicAddress,
      env.outboundAddress,
      env.ingress === "External",
      env.publicIp,
    );
  }
  for (const nic of network.nics.values()) {
    if (nicsOfEnvironments.has(nic.name)) continue;
    const configs = nic.ipConfigurations;
    add(
      `nic:${nic.name}`,
      `network interface ${nic.name}`,
      configs.map((c) => c.address),
      configs.map((c) => c.subnet),
      nic.vnet,
      nic,
      configs[0]?.publicAddress,
      configs[0]?.publicAddress,
      false,
      configs[0]?.publicIp,
    );
  }
  return hosts;
}

/** The subnet's gateway as Azure places it (the first address after the network's), in the address's family. */
function gatewayOf(subnet: SubnetInfo, address: IpAddress): IpAddress {
  const prefix = subnet.prefixes.find((p) => p.family === address.family) ?? subnet.prefixes[0];
  const value = (prefix?.first ?? address.value) + 1n;
  return { family: address.family, value: value === address.value ? value + 1n : value };
}

/** An address for the router's Internet link that the deployment does not use. */
function linkAddress(family: 4 | 6, used: AddressSet): IpAddress {
  const candidates =
    family === 4 ? ["192.0.2.254", "198.51.100.254", "203.0.113.254"] : ["2001:db8:ffff::fe"];
  for (const text of candidates) {
    const address = parseIpAddress(text) as IpAddress;
    if (!used.has(address)) return address;
  }
  const base = parseIpAddress(family === 4 ? "192.0.2.0" : "2001:db8:ffff::") as IpAddress;
  for (let v = base.value + 253n; v > base.value; v--)
    if (!used.has({ family, value: v })) return { family, value: v };
  throw new Error("no free documentation address for the lab's Internet link");
}

const ip = (a: IpAddress) => (a.family === 4 ? "ip" : "ip6");

/**
 * The connection mark of flows that reached a public address: set where the
 * destination is translated, it lets the forward rules tell a public route from
 * a private one for the whole connection.
 */
const PUBLIC_ROUTE = "0x1";

/**
 * The router between the namespaces plays Azure's fabric: public addresses are
 * translated to private ones on the way in and callers' private addresses to
 * their outbound ones on the way out; private routes exist only between
 * connected virtual networks, and nothing from the Internet reaches a private
 * address.
 */
function routerRuleset(
  network: Network,
  hosts: readonly Omit<LabHost, "tcpPorts" | "udpPorts">[],
): string {
  const q = (s: string) => JSON.stringify(s);
  const prerouting: string[] = [];
  const postrouting: string[] = [];
  const forward: string[] = ["    ct state established,related accept"];
  // A Standard public IP that no NSG opens lets nothing in.
  for (const host of hosts)
    if (host.closedPublic)
      forward.push(`    oifname ${q(host.routerInterface)} ct mark ${PUBLIC_ROUTE} drop`);
  for (const host of hosts) {
    const pub = host.publicAddress;
    const target = pub && host.addresses.find((a) => a.family === pub.family);
    if (pub && target)
      prerouting.push(
        `    ${ip(pub)} daddr ${formatIpAddress(pub)} ct mark set ${PUBLIC_ROUTE} dnat ${ip(pub)} to ${formatIpAddress(target)}`,
      );
    const out = host.outboundAddress;
    const from = out && host.addresses.find((a) => a.family === out.family);
    if (out && from) {
      const sel = `${ip(out)} saddr ${formatIpAddress(from)}`;
      postrouting.push(
        `    ${sel} ct mark ${PUBLIC_ROUTE} snat ${ip(out)} to ${formatIpAddress(out)}`,
      );
      postrouting.push(`    ${sel} oifname "inet" snat ${ip(out)} to ${formatIpAddress(out)}`);
      forward.push(`    iifname ${q(host.routerInterface)} ct mark ${PUBLIC_ROUTE} accept`);
    }
  }
  forward.push(`    iifname "inet" ct mark ${PUBLIC_ROUTE} accept`);
  // An external host has no private route in, not even from its own network.
  for (const host of hosts)
    if (host.external) forward.push(`    oifname ${q(host.routerInterface)} drop`);
  for (const host of hosts) {
    const peers = hosts.filter((h) => vnetsConnected(network, h.vnet, host.vnet));
    forward.push(
      `    iifname ${q(host.routerInterface)} oifname { ${peers.map((p) => q(p.routerInterface)).join(", ")} } ct mark != ${PUBLIC_ROUTE} accept`,
      `    iifname ${q(host.routerInterface)} oifname "inet" accept`,
    );
  }
  return [
    "table inet lab {",
    "  chain prerouting {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    ...prerouting,
    "  }",
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    ...postrouting,
    "  }",
    "  chain forward {",
    "    type filter hook forward priority filter; policy drop;",
    ...forward,
    "  }",
    "}",
    "",
  ].join("\n");
}
