import {
  bastionHost,
  type Host,
  hostAt,
  privateEndpointHost,
  resolveEndpoint,
} from "../engine/endpoint.js";
import { planRoute, vnetsConnected } from "../engine/route.js";
import { routePrefixes } from "../engine/route-selection.js";
import { AZURE_HOST_ADDRESS, type SubnetInfo } from "../model/network.js";
import { isBuiltInTag } from "../model/service-tags.js";
import { hostAddresses, reservedAddresses } from "../model/subnet-hosts.js";
import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { edges, type Node } from "./diagram.js";
import { Field, spansToAddressSet } from "./fields.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

/**
 * A set of hosts a claim is about: the known hosts in it (environments,
 * network interfaces and scale sets, private endpoints, Bastion hosts), each
 * with its own NSGs and routes; the other addresses of each subnet it covers,
 * hosts with the subnet's NSG only (never Azure's reserved addresses); and
 * addresses outside every network (the Internet, a service tag, a block).
 */
export interface HostSet {
  readonly label: string;
  readonly hosts: readonly Host[];
  /** Per subnet, the addresses of hosts the spec does not name: its NSG applies, no NIC's does. */
  readonly rest: readonly { readonly subnet: SubnetInfo; readonly addresses: AddressSet }[];
  /** Internet addresses. */
  readonly outside: AddressSet;
}

/** One part of a set that behaves alike: a host, a block of unnamed hosts of one subnet and family, or Internet addresses. */
export type Member =
  | { readonly kind: "host"; readonly host: Host }
  | {
      readonly kind: "block";
      readonly subnet: SubnetInfo;
      readonly addresses: AddressSet;
      /** Known hosts taken together: one of them, whose NIC's NSG they all share. */
      readonly like?: Host;
    }
  | { readonly kind: "outside"; readonly addresses: AddressSet };

/** What crosses from one member to another, in the coordinates packets are checked in. */
export interface PairSpace {
  readonly allowed: PacketSet;
  readonly possible: PacketSet;
  /** Why nothing can cross (no route, no public address). */
  readonly why?: string;
  /** The sending host where the packets do not name it (a translated source), else found from the packet. */
  readonly caller?: Host;
  readonly callee?: Host;
  /** Both ends draw on the same addresses: a packet from a host to itself is no flow. */
  readonly overlap?: boolean;
  /** The two ends are one host. */
  readonly local?: boolean;
}

export class InvalidSet extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

const single = (a: IpAddress) => AddressSet.ofAddresses([a]);
const keyOf = (a: IpAddress) => `${a.family}/${a.value}`;

/** The lowest address of a set, or undefined when it is empty. */
export function firstAddress(set: AddressSet): IpAddress | undefined {
  for (const family of [4, 6] as const) {
    const first = set.intervals(family)[0];
    if (first) return { family, value: first[0] };
  }
  return undefined;
}

/**
 * Resolves claim endpoints to host sets and computes what crosses between
 * them, exactly, over every packet: per known host with the analyzer's cached
 * decisions, per block of unnamed hosts symbolically.
 */
export class HostSets {
  private known?: Host[];
  private knownAddresses?: AddressSet;
  private notHosts?: AddressSet;
  private readonly families: AddressSet;
  private readonly arrivalCache = new Map<string, PacketSet>();

  constructor(readonly analyzer: ReachAnalyzer) {
    let families = AddressSet.empty;
    for (const vnet of analyzer.network.vnets.values())
      for (const p of vnet.addressPrefixes)
        families = families.union(
          AddressSet.of([
            { family: p.family, first: 0n, last: p.family === 4 ? 0xffffffffn : (1n << 128n) - 1n },
          ]),
        );
    // An estate with no network: both families, as the Internet has.
    this.families = families.isEmpty() ? AddressSet.all : families;
  }

  /** Every known host: the analyzer's, private endpoints and Bastion hosts. */
  knownHosts(): Host[] {
    if (!this.known) {
      const network = this.analyzer.network;
      const hosts = [...this.analyzer.knownHosts()];
      const seen = new Set(hosts.map((h) => keyOf(h.address)));
      const add = (h: Host) => {
        if (seen.has(keyOf(h.address))) return;
        seen.add(keyOf(h.address));
        hosts.push(h);
      };
      for (const pe of network.privateEndpoints.values()) add(privateEndpointHost(pe));
      for (const b of network.bastionHosts.values()) add(bastionHost(b));
      this.known = hosts;
      this.knownAddresses = AddressSet.ofAddresses(hosts.map((h) => h.address));
    }
    return this.known;
  }

  /** Addresses in subnets that are no host: load balancers' and gateways' private frontends. */
  private frontends(): AddressSet {
    if (!this.notHosts) {
      const network = this.analyzer.network;
      const addresses: IpAddress[] = [];
      for (const lb of network.loadBalancers.values())
        for (const f of lb.frontends) if (f.subnet) addresses.push(f.address);
      for (const gw of network.applicationGateways?.values() ?? [])
        for (const f of gw.frontends) if (f.subnet) addresses.push(f.address);
      this.notHosts = AddressSet.ofAddresses(addresses);
    }
    return this.notHosts;
  }

  /** The Internet's addresses in the families the estate uses. */
  get internet(): AddressSet {
    return this.analyzer.outside.intersect(this.families);
  }

  /** One endpoint or a list of them, as a set of hosts. */
  resolve(texts: string | readonly string[], side: "from" | "to" = "to"): HostSet {
    const list = typeof texts === "string" ? [texts] : texts;
    if (list.length === 0) throw new InvalidSet("an empty list names no host");
    const sets = list.map((t) => this.resolveOne(t, side));
    if (sets.length === 1) return sets[0] as HostSet;
    const hosts: Host[] = [];
    const seen = new Set<string>();
    const rest = new Map<SubnetInfo, AddressSet>();
    let outside = AddressSet.empty;
    for (const s of sets) {
      for (const h of s.hosts)
        if (!seen.has(keyOf(h.address))) {
          seen.add(keyOf(h.address));
          hosts.push(h);
        }
      for (const r of s.rest)
        rest.set(r.subnet, (rest.get(r.subnet) ?? AddressSet.empty).union(r.addresses));
      outside = outside.union(s.outside);
    }
    return {
      label: list.join(", "),
      hosts,
      rest: [...rest].map(([subnet, addresses]) => ({ subnet, addresses })),
      outside,
    };
  }

  private resolveOne(text: string, side: "from" | "to"): HostSet {
    const network = this.analyzer.network;
    const tag = text.startsWith("tag:") ? text.slice(4) : text;
    if (tag === "Internet") return { label: text, hosts: [], rest: [], outside: this.internet };
    if (!isBuiltInTag(tag) && network.serviceTags.has(tag))
      return this.addresses(AddressSet.of(network.serviceTags.prefixes(tag) ?? []), text);
    if (text.startsWith("asg:")) return this.asg(text.slice(4), text);
    const parsed = parsePrefix(text.startsWith("ip:") ? text.slice(3) : text);
    if (parsed.ok && parsed.prefix.first !== parsed.prefix.last)
      return this.addresses(AddressSet.of([parsed.prefix]), text);
    if (!parsed.ok && text.includes("/") && !text.includes(":"))
      throw new InvalidSet(`${text} is not a valid CIDR block`);
    if (parsed.ok) {
      const address = { family: parsed.prefix.family, value: parsed.prefix.first };
      // A caller's address on the Internet is that address; a callee's is what it reaches.
      if (side === "from" && this.analyzer.outside.has(address))
        return { label: text, hosts: [], rest: [], outside: single(address) };
      const subnet = network.subnets.find((s) => s.addresses.has(address));
      if (subnet && reservedAddresses(subnet.prefixes).has(address))
        throw new InvalidSet(
          `${text} is one of the addresses Azure reserves in subnet ${subnet.id} (the first four and the last): no host has it`,
        );
    }
    const r = resolveEndpoint(network, text);
    if (!r.ok) throw new InvalidSet(r.message, r.hint);
    const host = r.host;
    if (host.frontend || host.gatewayFrontend)
      throw new InvalidSet(
        `${text} is a ${host.frontend ? "load balancer's" : "application gateway's"} frontend, which forwards to its backends`,
        "name a backend here, or check the frontend with a flow assertion",
      );
    if (host.representative) {
      if (host.subnet && host.label === `subnet ${host.subnet.id}`)
        return this.subnetSet(host.subnet, text);
      throw new InvalidSet(
        `${text} stands for the platform or for different addresses in each network, not a set of hosts`,
        "name a subnet, an ASG, a CIDR, a service tag, Internet or a host",
      );
    }
    return { label: text, hosts: [host], rest: [], outside: AddressSet.empty };
  }

  private subnetSet(subnet: SubnetInfo, label: string): HostSet {
    this.knownHosts();
    const hosts = (this.known ?? []).filter(
      (h) => h.subnet?.id === subnet.id && subnet.addresses.has(h.address),
    );
    const addresses = this.unnamed(subnet, subnet.addresses);
    return {
      label,
      hosts,
      rest: addresses.isEmpty() ? [] : [{ subnet, addresses }],
      outside: AddressSet.empty,
    };
  }

  /** A subnet's addresses of `within` that no known host has and that can be a host's. */
  private unnamed(subnet: SubnetInfo, within: AddressSet): AddressSet {
    this.knownHosts();
    return hostAddresses(subnet)
      .intersect(within)
      .minus(this.knownAddresses ?? AddressSet.empty)
      .minus(this.frontends());
  }

  private asg(name: string, label: string): HostSet {
    const members = this.analyzer.network.asgMembers;
    const key = [...members.keys()].find((k) => k.toLowerCase() === name.toLowerCase());
    if (key === undefined)
      throw new InvalidSet(
        `there is no application security group ${JSON.stringify(name)}`,
        members.size > 0 ? `the spec's: ${[...members.keys()].join(", ")}` : undefined,
      );
    const addresses = members.get(key) ?? [];
    if (addresses.length === 0)
      throw new InvalidSet(`application security group ${key} has no member`);
    return {
      label,
      hosts: addresses.map((a) => hostAt(this.analyzer.network, a)),
      rest: [],
      outside: AddressSet.empty,
    };
  }

  /** The hosts of a block of addresses: known ones, each subnet's others, and the Internet's. */
  private addresses(set: AddressSet, label: string): HostSet {
    const network = this.analyzer.network;
    this.knownHosts();
    const hosts = (this.known ?? []).filter((h) => h.vnet !== undefined && set.has(h.address));
    const rest = network.subnets.flatMap((subnet) => {
      const addresses = this.unnamed(subnet, set);
      return addresses.isEmpty() ? [] : [{ subnet, addresses }];
    });
    const outside = set.intersect(this.analyzer.outside);
    let onPremises = AddressSet.empty;
    for (const vnet of network.vnets.values())
      onPremises = onPremises.union(AddressSet.of(vnet.gatewayPrefixes));
    if (set.overlaps(onPremises.minus(this.analyzer.outside)))
      throw new InvalidSet(
        `${label} reaches into on-premises spaces behind a gateway, which tierwall does not take as a set`,
        "name on-premises hosts one address at a time",
      );
    if (hosts.length === 0 && rest.length === 0 && outside.isEmpty())
      throw new InvalidSet(
        `${label} holds no host: no subnet, known host or Internet address is in it`,
      );
    return { label, hosts, rest, outside };
  }

  /**
   * The parts of a set that behave alike. With `group`, known hosts that
   * differ only in their address (one subnet and family, the same NIC NSG and
   * outbound address, no public address, not a private endpoint or Bastion)
   * are taken together as a block: the same packets, computed once.
   */
  members(set: HostSet, group = false): Member[] {
    const out: Member[] = [];
    const groups = new Map<string, Host[]>();
    for (const host of set.hosts) {
      const key = group ? groupKey(host) : undefined;
      if (key === undefined) out.push({ kind: "host", host });
      else groups.set(key, [...(groups.get(key) ?? []), host]);
    }
    for (const hosts of groups.values()) {
      const like = hosts[0] as Host;
      if (hosts.length === 1 || !like.subnet) out.push({ kind: "host", host: like });
      else
        out.push({
          kind: "block",
          subnet: like.subnet,
          addresses: AddressSet.ofAddresses(hosts.map((h) => h.address)),
          like,
        });
    }
    for (const r of set.rest)
      for (const family of [4, 6] as const) {
        const addresses = r.addresses.intersect(this.familySet(family));
        if (!addresses.isEmpty()) out.push({ kind: "block", subnet: r.subnet, addresses });
      }
    if (!set.outside.isEmpty()) out.push({ kind: "outside", addresses: set.outside });
    return out;
  }

  private familySet(family: 4 | 6): AddressSet {
    return AddressSet.of([
      { family, first: 0n, last: family === 4 ? 0xffffffffn : (1n << 128n) - 1n },
    ]);
  }

  /** A host standing for an address of a block: as the address resolves alone. */
  private blockHost(address: IpAddress): Host {
    return hostAt(this.analyzer.network, address);
  }

  private sent(m: Member): PacketSet {
    if (m.kind === "host") return this.analyzer.allowedBy(m.host, "Outbound");
    if (m.kind === "block")
      return this.analyzer.allowedBy(
        m.like ?? { vnet: m.subnet.vnet, subnet: m.subnet },
        "Outbound",
      );
    return PacketSet.all;
  }

  /** Every known host as a caller, those alike taken together. */
  private knownCallers?: Member[];

  private addressesOf(m: Member): AddressSet {
    return m.kind === "host" ? single(m.host.address) : m.addresses;
  }

  /** `addresses` cut where the route a subnet's packets take can change. */
  private byRoute(addresses: AddressSet, subnet: SubnetInfo | undefined): AddressSet[] {
    if (!subnet) return [addresses];
    let pieces = [addresses];
    const cuts = [
      ...routePrefixes(this.analyzer.network, subnet).map((p) => AddressSet.of([p])),
      AddressSet.of([AZURE_HOST_ADDRESS]),
    ];
    for (const cut of cuts)
      pieces = pieces.flatMap((p) => [p.intersect(cut), p.minus(cut)].filter((x) => !x.isEmpty()));
    return pieces;
  }

  /**
   * What crosses from `a` to `b`: one space per part that routes alike. Both
   * ends in networks: in the callee's coordinates (source as presented).
   * From the Internet: as it arrives. To the Internet: as the caller sends it.
   */
  pair(a: Member, b: Member): PairSpace[] {
    const analyzer = this.analyzer;
    if (a.kind === "outside") {
      if (b.kind === "outside")
        throw new InvalidSet("both ends are outside every network, so no NSG is involved");
      if (b.kind === "block")
        return [
          {
            allowed: PacketSet.empty,
            possible: PacketSet.empty,
            why: `the hosts of subnet ${b.subnet.id} that the spec does not name have no public address, so no Internet host can reach them`,
          },
        ];
      const space = analyzer.fromOutside(a.addresses, b.host);
      if (space.possible.isEmpty() && !b.host.publicAddress)
        return [
          {
            ...space,
            callee: b.host,
            why: `${b.host.label} has no public address, so no Internet host can reach it`,
          },
        ];
      return [{ ...space, callee: b.host }];
    }
    const caller = a.kind === "host" ? a.host : undefined;
    const subnet = a.kind === "host" ? a.host.subnet : a.subnet;
    const from = a.kind === "host" ? a.host : undefined;
    const fromAddresses = this.addressesOf(a);
    const fromRep = from ?? this.blockHost(firstAddress(fromAddresses) as IpAddress);
    // A packet's two addresses share a family: a block of the other family is no pair.
    if (
      b.kind === "block" &&
      b.addresses.intersect(this.familySet(fromRep.address.family)).isEmpty()
    )
      return [];
    if (a.kind === "block" && b.kind === "host" && b.host.address.family !== fromRep.address.family)
      return [];
    if (b.kind === "outside") {
      // To the Internet: as the caller sends it, in the families it can send.
      return this.byRoute(b.addresses.minus(AddressSet.of([AZURE_HOST_ADDRESS])), subnet).flatMap(
        (piece): PairSpace[] => {
          const family = fromRep.address.family;
          const same = piece.intersect(this.familySet(family));
          if (same.isEmpty()) return [];
          const to = hostAt(analyzer.network, firstAddress(same) as IpAddress);
          const route = planRoute(fromRep, to, analyzer.network);
          // Shared and private ranges outside every network that Azure's own routes drop hold no Internet host.
          if (
            route.kind === "none" &&
            route.hop?.source === "Default" &&
            route.hop.nextHopType === "None"
          )
            return [];
          if (route.kind === "none")
            return [{ allowed: PacketSet.empty, possible: PacketSet.empty, why: route.reason }];
          const possible = PacketSet.box({ source: fromAddresses, destination: same });
          const allowed = fromRep.vnet === undefined ? possible : possible.intersect(this.sent(a));
          return [{ allowed, possible, ...(caller ? { caller } : {}) }];
        },
      );
    }
    if (a.kind === "host" && b.kind === "host") {
      const space = analyzer.flow(a.host, b.host);
      const ends = { caller: a.host, callee: b.host };
      if (space.route.kind === "local") return [{ ...space, ...ends, local: true }];
      if (space.route.kind === "none") return [{ ...space, ...ends, why: space.route.reason }];
      return [{ ...space, ...ends }];
    }
    const toAddresses = this.addressesOf(b);
    const pieces = b.kind === "block" ? this.byRoute(toAddresses, subnet) : [toAddresses];
    const out: PairSpace[] = [];
    for (const piece of pieces) {
      // A destination standing for the piece; never the caller's own address.
      const at =
        b.kind === "host"
          ? b.host
          : this.blockHost(
              (firstAddress(piece.minus(single(fromRep.address))) ??
                firstAddress(piece)) as IpAddress,
            );
      const overlap = fromAddresses.overlaps(piece);
      if (
        b.kind === "block" &&
        overlap &&
        piece.minus(fromAddresses).isEmpty() &&
        fromAddresses.equals(single(at.address))
      )
        continue; // one host to itself
      const route = planRoute(fromRep, at, analyzer.network);
      const callee = b.kind === "host" ? { callee: b.host } : {};
      if (route.kind === "none") {
        out.push({
          allowed: PacketSet.empty,
          possible: PacketSet.empty,
          why: route.reason,
          ...callee,
        });
        continue;
      }
      if (route.kind === "private" || route.kind === "local") {
        const possible = PacketSet.box({ source: fromAddresses, destination: piece });
        const admitted =
          b.kind === "host"
            ? analyzer.inbound(b.host)
            : analyzer.allowedBy(b.like ?? { vnet: b.subnet.vnet, subnet: b.subnet }, "Inbound");
        const allowed = possible.intersect(admitted).intersect(this.sent(a));
        out.push({
          allowed,
          possible,
          ...(caller ? { caller } : {}),
          ...callee,
          ...(overlap ? { overlap } : {}),
        });
        continue;
      }
      // Across the Internet, the source translated: one sender per part its NSG treats alike.
      if (a.kind === "host" || b.kind !== "host") {
        out.push({
          allowed: PacketSet.empty,
          possible: PacketSet.empty,
          why: `${at.label} has no public address to be reached on`,
          ...callee,
        });
        continue;
      }
      for (const part of sourceClasses(this.sent(a), fromAddresses)) {
        const sender = this.blockHost(firstAddress(part) as IpAddress);
        const space = analyzer.flow(sender, b.host);
        out.push({
          allowed: space.allowed,
          possible: space.possible,
          caller: sender,
          callee: b.host,
        });
      }
    }
    return out;
  }

  private readonly inboundAt = new Map<Member, PacketSet>();

  /** What a member's inbound NSGs let in, addressed to it. */
  private admittedAt(b: Member): PacketSet {
    let found = this.inboundAt.get(b);
    if (!found) {
      if (b.kind === "host") found = this.analyzer.inbound(b.host);
      else if (b.kind === "block")
        found = this.analyzer
          .allowedBy(b.like ?? { vnet: b.subnet.vnet, subnet: b.subnet }, "Inbound")
          .intersect(PacketSet.box({ destination: b.addresses }));
      else found = PacketSet.empty;
      this.inboundAt.set(b, found);
    }
    return found;
  }

  private readonly unions = new WeakMap<readonly Member[], Map<string, PacketSet>>();

  /** The union of what the listed parts of `bs` admit, computed once per list. */
  private admittedUnion(
    bs: readonly Member[],
    parts: readonly { index: number; piece?: AddressSet }[],
  ): PacketSet {
    let cache = this.unions.get(bs);
    if (!cache) {
      cache = new Map();
      this.unions.set(bs, cache);
    }
    const key = parts.map((p) => (p.piece ? `${p.index}:${p.piece}` : `${p.index}`)).join(",");
    let found = cache.get(key);
    if (!found) {
      found = PacketSet.empty;
      for (const p of parts) {
        const admitted = this.admittedAt(bs[p.index] as Member);
        found = found.union(
          p.piece ? admitted.intersect(PacketSet.box({ destination: p.piece })) : admitted,
        );
      }
      cache.set(key, found);
    }
    return found;
  }

  /**
   * What crosses from `a` to every member of `bs`: the members it reaches on
   * private addresses taken together (one space: the same packets as pair by
   * pair, computed once), the others pair by pair. A host to itself is in the
   * space's overlap, left out by whoever reads it.
   */
  pairAll(a: Member, members: readonly Member[]): PairSpace[] {
    if (a.kind === "outside")
      return members.flatMap((b) => (b.kind === "outside" ? [] : this.pair(a, b)));
    return this.chunks(members).flatMap((bs) => this.pairChunk(a, bs));
  }

  private readonly chunked = new WeakMap<readonly Member[], (readonly Member[])[]>();

  /**
   * A list of members in chunks of a few: packet sets over many destinations
   * with different NSGs grow as the product of their source and destination
   * cuts, so they are taken together a few at a time.
   */
  chunks(members: readonly Member[]): (readonly Member[])[] {
    let found = this.chunked.get(members);
    if (!found) {
      found = [];
      for (let i = 0; i < members.length; i += CHUNK) found.push(members.slice(i, i + CHUNK));
      this.chunked.set(members, found);
    }
    return found;
  }

  private pairChunk(a: Member, bs: readonly Member[]): PairSpace[] {
    if (a.kind === "outside") return [];
    const network = this.analyzer.network;
    const subnet = a.kind === "host" ? a.host.subnet : a.subnet;
    const fromAddresses = this.addressesOf(a);
    const fromRep =
      a.kind === "host" ? a.host : this.blockHost(firstAddress(fromAddresses) as IpAddress);
    const family = this.familySet(fromRep.address.family);
    const out: PairSpace[] = [];
    const parts: { index: number; piece?: AddressSet }[] = [];
    let reached = AddressSet.empty;
    for (const [index, b] of bs.entries()) {
      if (b.kind === "outside") {
        out.push(...this.pair(a, b));
        continue;
      }
      const addresses = this.addressesOf(b).intersect(family);
      // A packet's two addresses share a family: a member of the other family is no pair.
      if (addresses.isEmpty()) continue;
      const pieces = b.kind === "block" ? this.byRoute(addresses, subnet) : [addresses];
      let apart = false;
      for (const piece of pieces) {
        const at =
          b.kind === "host"
            ? b.host
            : this.blockHost(
                (firstAddress(piece.minus(single(fromRep.address))) ??
                  firstAddress(piece)) as IpAddress,
              );
        const route = planRoute(fromRep, at, network);
        if (route.kind === "private" || route.kind === "local") {
          const whole = pieces.length === 1 && piece.equals(this.addressesOf(b));
          parts.push(whole ? { index } : { index, piece });
          reached = reached.union(piece);
        } else if (route.kind === "none")
          out.push({
            allowed: PacketSet.empty,
            possible: PacketSet.empty,
            why: route.reason,
            ...(b.kind === "host" ? { callee: b.host } : {}),
          });
        else apart = true;
      }
      // Across the Internet: the pair's own translation, as pair computes it.
      if (apart) out.push(...this.pair(a, b).filter((sp) => !sp.possible.isEmpty()));
    }
    if (parts.length > 0) {
      const possible = PacketSet.box({ source: fromAddresses, destination: reached });
      const allowed = possible.intersect(this.admittedUnion(bs, parts)).intersect(this.sent(a));
      out.push({
        allowed,
        possible,
        ...(a.kind === "host" ? { caller: a.host } : {}),
        ...(fromAddresses.overlaps(reached) ? { overlap: true } : {}),
      });
    }
    return out;
  }

  /**
   * Everything that can arrive at hosts of the estate with no public address,
   * taken together: as `arrivals` for each, a host's packets to itself in the
   * overlap (left out by whoever reads it).
   */
  arrivalsAll(bs: readonly Member[]): PacketSet {
    const known = this.analyzer.knownHosts();
    this.knownCallers ??= this.members(
      { label: "", hosts: known, rest: [], outside: AddressSet.empty },
      true,
    );
    let all = PacketSet.empty;
    for (const caller of this.knownCallers)
      for (const space of this.pairAll(caller, bs))
        if (!space.local) all = all.union(space.allowed);
    // Unnamed hosts of connected networks: subnet NSG only, as arrivals takes them.
    const knownAddresses = AddressSet.ofAddresses(known.map((h) => h.address));
    for (const subnet of this.analyzer.network.subnets) {
      const parts: { index: number }[] = [];
      let to = AddressSet.empty;
      bs.forEach((b, index) => {
        const vnet =
          b.kind === "host" ? b.host.vnet : b.kind === "block" ? b.subnet.vnet : undefined;
        if (!vnetsConnected(this.analyzer.network, subnet.vnet, vnet)) return;
        parts.push({ index });
        to = to.union(this.addressesOf(b));
      });
      if (parts.length === 0) continue;
      const addresses = hostAddresses(subnet).minus(knownAddresses);
      if (addresses.isEmpty()) continue;
      const sent = this.analyzer.allowedBy({ vnet: subnet.vnet, subnet }, "Outbound");
      all = all.union(
        PacketSet.box({ source: addresses, destination: to })
          .intersect(this.admittedUnion(bs, parts))
          .intersect(sent),
      );
    }
    return all;
  }

  /** Everything that can arrive at a member in the estate, as `ReachAnalyzer.arrivals` for each of its hosts. */
  arrivals(m: Member): PacketSet {
    if (m.kind === "host") {
      const key = keyOf(m.host.address);
      let found = this.arrivalCache.get(key);
      if (!found) {
        found = this.analyzer.arrivals(m.host);
        this.arrivalCache.set(key, found);
      }
      return found;
    }
    if (m.kind === "outside") throw new InvalidSet("the Internet is not a host of the estate");
    let all = PacketSet.empty;
    const known = this.analyzer.knownHosts();
    this.knownCallers ??= this.members(
      { label: "", hosts: known, rest: [], outside: AddressSet.empty },
      true,
    );
    for (const caller of this.knownCallers)
      for (const space of this.pair(caller, m)) if (!space.local) all = all.union(space.allowed);
    // Unnamed hosts of connected networks: subnet NSG only, as arrivals takes them.
    const knownAddresses = AddressSet.ofAddresses(known.map((h) => h.address));
    const admitted = this.analyzer.allowedBy(
      m.like ?? { vnet: m.subnet.vnet, subnet: m.subnet },
      "Inbound",
    );
    for (const subnet of this.analyzer.network.subnets) {
      if (!vnetsConnected(this.analyzer.network, subnet.vnet, m.subnet.vnet)) continue;
      const addresses = hostAddresses(subnet).minus(knownAddresses);
      if (addresses.isEmpty()) continue;
      const sent = this.analyzer.allowedBy({ vnet: subnet.vnet, subnet }, "Outbound");
      all = all.union(
        PacketSet.box({ source: addresses, destination: m.addresses })
          .intersect(admitted)
          .intersect(sent),
      );
    }
    return all;
  }
}

/** Members taken together at most (HostSets.chunks). */
const CHUNK = 8;

/** Hosts that differ only in their address share a key; others have none. */
function groupKey(h: Host): string | undefined {
  if (
    h.vnet === undefined ||
    !h.subnet ||
    h.publicAddress ||
    h.publicIp ||
    h.ingress !== "Internal" ||
    h.privateEndpoint ||
    h.bastion ||
    h.frontend ||
    h.gatewayFrontend ||
    h.platform ||
    h.natGateway !== undefined
  )
    return undefined;
  const out = h.outboundAddress ? `${h.outboundAddress.family}/${h.outboundAddress.value}` : "";
  return `${h.subnet.id}|${h.nic?.nsg ?? ""}|${out}|${h.address.family}`;
}

/** The parts of `within` that every source-address test of `set` treats alike. */
export function sourceClasses(set: PacketSet, within: AddressSet): AddressSet[] {
  const cuts: AddressSet[] = [];
  const seen = new Set<Node>();
  const walk = (node: Node) => {
    if (seen.has(node) || node.level > Field.Source) return;
    seen.add(node);
    for (const { spans, kid } of edges(node)) {
      if (node.level === Field.Source) cuts.push(spansToAddressSet(spans));
      else walk(kid);
    }
  };
  walk(set.root);
  let parts = [within];
  for (const cut of cuts)
    parts = parts.flatMap((p) => [p.intersect(cut), p.minus(cut)].filter((x) => !x.isEmpty()));
  return parts;
}

/**
 * A packet of `set` whose source and destination differ, if there is one:
 * a host's packets to its own address never cross an NSG.
 */
export function offDiagonal(set: PacketSet): PacketSet | undefined {
  let rest = set;
  for (;;) {
    const w = rest.witness();
    if (!w) return undefined;
    if (w.source.family !== w.destination.family || w.source.value !== w.destination.value)
      return rest;
    const a = single(w.source);
    const other = rest.intersect(PacketSet.box({ source: a, destination: a.complement() }));
    if (!other.isEmpty()) return other;
    rest = rest.minus(PacketSet.box({ source: a }));
  }
}
