import { type Host, resolveEndpoint } from "../engine/endpoint.js";
import { planRoute, vnetsConnected } from "../engine/route.js";
import type { Network } from "../model/network.js";
import { type IpAddress, sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

/** How rows of reach and exposure are gathered: one per environment (or host), subnet or virtual network. */
export type GroupBy = "environment" | "subnet" | "vnet";
export const GROUP_BYS: readonly GroupBy[] = ["environment", "subnet", "vnet"];

/** A row of the matrix or of exposure: a host, with the name it is shown by. */
export interface Row {
  readonly name: string;
  readonly host: Host;
}

/** The row a host falls in when rows are gathered: the host's own name, its subnet or its virtual network. */
export function groupOf(row: Row, by: GroupBy): string {
  if (by === "environment") return row.name;
  const subnet = row.host.subnet;
  if (by === "subnet") return subnet ? subnet.id : "(no subnet)";
  return row.host.vnet ?? subnet?.vnet ?? "(no virtual network)";
}

/**
 * Which rows a `--from` or `--to` filter keeps. Each text is one of: `Internet`
 * (the Internet's row or column), `vnet:NAME` or a virtual network's name
 * (every row in it), a CIDR block (every row whose private or public address
 * is in it), an application security group (`asg:NAME`: its members), or
 * any endpoint flow names (an environment, network interface,
 * subnet, public IP, service tag or address: the rows it stands for). A row is
 * kept when any text keeps it.
 */
export interface RowFilter {
  readonly internet: boolean;
  keeps(row: Row): boolean;
  /** Every address the filter names, for exposure's Internet side; undefined when it names none. */
  readonly addresses: AddressSet | undefined;
}

export type FilterResult =
  | { ok: true; filter: RowFilter }
  | { ok: false; message: string; hint?: string };

const single = (a: IpAddress) => AddressSet.ofAddresses([a]);

export function rowFilter(network: Network, texts: readonly string[]): FilterResult {
  let internet = false;
  const vnets = new Set<string>();
  const subnets = new Set<string>();
  const hosts: IpAddress[] = [];
  let blocks = AddressSet.empty;
  let named = false;
  for (const text of texts) {
    if (text === "Internet" || text === "tag:Internet") {
      internet = true;
      continue;
    }
    const vnet = text.startsWith("vnet:") ? text.slice(5) : text;
    if (network.vnets.has(vnet)) {
      vnets.add(vnet);
      continue;
    }
    if (text.startsWith("vnet:"))
      return { ok: false, message: `there is no virtual network ${vnet}` };
    const parsed = parsePrefix(text);
    if (parsed.ok && parsed.prefix.first !== parsed.prefix.last) {
      blocks = blocks.union(AddressSet.of([parsed.prefix]));
      named = true;
      continue;
    }
    if (text.startsWith("asg:")) {
      // An application security group stands for its members' addresses.
      const name = text.slice(4).toLowerCase();
      const key = [...network.asgMembers.keys()].find((k) => k.toLowerCase() === name);
      if (key === undefined)
        return { ok: false, message: `there is no application security group ${text.slice(4)}` };
      hosts.push(...(network.asgMembers.get(key) ?? []));
      named = true;
      continue;
    }
    const r = resolveEndpoint(network, text);
    if (!r.ok) return { ok: false, message: r.message, ...(r.hint ? { hint: r.hint } : {}) };
    const host = r.host;
    named = true;
    if (host.representative && host.subnet && host.label === `subnet ${host.subnet.id}`) {
      // A subnet stands for every row in it.
      subnets.add(host.subnet.id);
      blocks = blocks.union(host.subnet.addresses);
      continue;
    }
    if (host.representative) {
      // A service tag stands for every address it holds.
      const tag = network.serviceTags.prefixes(text.replace(/^tag:/, ""));
      blocks = blocks.union(tag ? AddressSet.of(tag) : single(host.address));
      continue;
    }
    hosts.push(host.address);
    if (host.publicAddress) hosts.push(host.publicAddress);
  }
  const filter: RowFilter = {
    internet,
    addresses: named ? blocks.union(AddressSet.ofAddresses(hosts)) : undefined,
    keeps(row) {
      const h = row.host;
      if (h.vnet !== undefined && vnets.has(h.vnet)) return true;
      if (h.subnet && subnets.has(h.subnet.id)) return true;
      const on = (a: IpAddress | undefined) =>
        a !== undefined && (hosts.some((x) => sameAddress(x, a)) || blocks.has(a));
      return on(h.address) || on(h.publicAddress);
    },
  };
  return { ok: true, filter };
}

/** What crosses between two rows or groups of rows: the allowed packets and every packet that could be sent. */
export interface Space {
  readonly allowed: PacketSet;
  readonly possible: PacketSet;
}

/**
 * Hosts that are alike for routing and NSGs: in one subnet, with the same NIC
 * NSG, reached on their private address only. Between two such classes in
 * connected networks, with no route table on the caller's subnet, every pair
 * travels on its own private addresses, so the flows of all pairs are one
 * set computation.
 */
interface HostClass {
  readonly hosts: readonly Host[];
  readonly addresses: AddressSet;
  /** Every host's outbound NSGs agree: the class's own outbound allowed set applies to all. */
  readonly plain: boolean;
}

function classKey(host: Host): string | undefined {
  const plain =
    host.vnet !== undefined &&
    host.subnet !== undefined &&
    host.ingress === "Internal" &&
    !host.publicAddress &&
    !host.privateEndpoint &&
    !host.platform &&
    !host.frontend &&
    !host.gatewayFrontend &&
    !host.bastion &&
    !host.natGateway;
  if (!plain || !host.subnet) return undefined;
  return `${host.subnet.id}\u0000${host.nic?.nsg ?? ""}\u0000${host.address.family}`;
}

function classesOf(hosts: readonly Host[]): HostClass[] {
  const byKey = new Map<string, Host[]>();
  const out: HostClass[] = [];
  for (const host of hosts) {
    const key = classKey(host);
    if (key === undefined) {
      out.push({ hosts: [host], addresses: single(host.address), plain: false });
      continue;
    }
    const list = byKey.get(key);
    if (list) list.push(host);
    else byKey.set(key, [host]);
  }
  for (const list of byKey.values())
    out.push({
      hosts: list,
      addresses: AddressSet.ofAddresses(list.map((h) => h.address)),
      plain: true,
    });
  return out;
}

interface Gathered {
  readonly classes: HostClass[];
  addresses: AddressSet;
  set: PacketSet;
}

interface Side {
  readonly byVnet: ReadonlyMap<string, Gathered>;
  readonly other: readonly HostClass[];
}

/**
 * Reach between groups of rows, exactly: the union over every pair of
 * distinct hosts, one from each group, of what the flow evaluator's route and
 * NSGs let through (a host to itself is no flow and is left out). Pairs of
 * alike hosts are computed a class at a time; any other pair host by host.
 */
export class GroupReach {
  private readonly classes = new Map<readonly Host[], HostClass[]>();

  constructor(private readonly analyzer: ReachAnalyzer) {}

  private classesFor(hosts: readonly Host[]): HostClass[] {
    let found = this.classes.get(hosts);
    if (!found) {
      found = classesOf(hosts);
      this.classes.set(hosts, found);
    }
    return found;
  }

  /**
   * What the rows' hosts may send the columns'. Alike hosts whose caller's
   * subnet has no route table travel on their private addresses wherever
   * their networks are connected (route.ts) and nowhere else: per pair of
   * networks, what the callers' NSGs let out of their addresses meets what
   * the callees' NSGs let in to theirs, at once for every pair of hosts.
   */
  between(from: readonly Host[], to: readonly Host[]): Space {
    let allowed = PacketSet.empty;
    let possible = PacketSet.empty;
    const add = (s: Space) => {
      allowed = allowed.union(s.allowed);
      possible = possible.union(s.possible);
    };
    const senders = this.side(from, "Outbound");
    const receivers = this.side(to, "Inbound");
    for (const [v, sent] of senders.byVnet)
      for (const [w, received] of receivers.byVnet) {
        if (!vnetsConnected(this.analyzer.network, v, w)) continue;
        if (!this.privateRoute(sent.classes, received.classes)) {
          for (const c of sent.classes) for (const d of received.classes) add(this.classPair(c, d));
          continue;
        }
        // A host to itself is no flow: the hosts on both sides send themselves nothing here.
        let self = PacketSet.empty;
        for (const c of sent.classes)
          for (const h of c.hosts)
            if (received.addresses.has(h.address))
              self = self.union(
                PacketSet.box({ source: single(h.address), destination: single(h.address) }),
              );
        add({
          allowed: sent.set.intersect(received.set).minus(self),
          possible: PacketSet.box({
            source: sent.addresses,
            destination: received.addresses,
          }).minus(self),
        });
      }
    for (const c of senders.other) for (const d of this.classesFor(to)) add(this.classPair(c, d));
    for (const c of this.classesFor(from).filter((x) => !senders.other.includes(x)))
      for (const d of receivers.other) add(this.classPair(c, d));
    return { allowed, possible };
  }

  private readonly sides = new Map<readonly Host[], Map<string, Side>>();

  /**
   * A group's alike hosts per virtual network: their addresses and what their
   * NSGs let out of (or in to) those addresses; `other`, the classes that are
   * not alike (or whose subnet has a route table, as callers).
   */
  private side(hosts: readonly Host[], direction: "Inbound" | "Outbound"): Side {
    let byDirection = this.sides.get(hosts);
    if (!byDirection) {
      byDirection = new Map();
      this.sides.set(hosts, byDirection);
    }
    const found = byDirection.get(direction);
    if (found) return found;
    const byVnet = new Map<string, Gathered>();
    const other: HostClass[] = [];
    for (const c of this.classesFor(hosts)) {
      const first = c.hosts[0] as Host;
      const vnet = first.vnet;
      if (
        !c.plain ||
        vnet === undefined ||
        (direction === "Outbound" && first.subnet?.routeTable !== undefined)
      ) {
        other.push(c);
        continue;
      }
      const own = PacketSet.box(
        direction === "Outbound" ? { source: c.addresses } : { destination: c.addresses },
      ).intersect(this.analyzer.allowedBy(first, direction));
      const g = byVnet.get(vnet);
      if (g) {
        g.classes.push(c);
        g.addresses = g.addresses.union(c.addresses);
        g.set = g.set.union(own);
      } else byVnet.set(vnet, { classes: [c], addresses: c.addresses, set: own });
    }
    const side = { byVnet, other };
    byDirection.set(direction, side);
    return side;
  }

  private readonly routes = new Map<string, boolean>();

  /** Whether a host of the first classes reaches one of the second on their own private addresses, as every pair then does. */
  private privateRoute(from: readonly HostClass[], to: readonly HostClass[]): boolean {
    const a = from[0]?.hosts[0];
    const b = to
      .flatMap((d) => d.hosts)
      .find(
        (h) =>
          a !== undefined &&
          !sameAddress(h.address, a.address) &&
          h.address.family === a.address.family,
      );
    if (a === undefined || b === undefined) return true;
    const key = `${a.subnet?.id}\u0000${b.vnet}`;
    let found = this.routes.get(key);
    if (found === undefined) {
      const route = planRoute(a, b, this.analyzer.network);
      found =
        route.kind === "private" &&
        sameAddress(route.presentedSource, a.address) &&
        sameAddress(route.outboundDestination, b.address);
      this.routes.set(key, found);
    }
    return found;
  }

  /** Two classes host by host: each pair's flow, as the flow evaluator routes it (a host's route to itself is no flow). */
  private classPair(c: HostClass, d: HostClass): Space {
    let allowed = PacketSet.empty;
    let possible = PacketSet.empty;
    for (const x of c.hosts)
      for (const y of d.hosts) {
        const flow = this.analyzer.flow(x, y);
        if (flow.route.kind === "local") continue;
        allowed = allowed.union(flow.allowed);
        possible = possible.union(flow.possible);
      }
    return { allowed, possible };
  }

  /** What a group may send to Internet hosts. */
  toOutside(from: readonly Host[]): Space {
    let allowed = PacketSet.empty;
    let possible = PacketSet.empty;
    for (const c of this.classesFor(from)) {
      const p = PacketSet.box({ source: c.addresses, destination: this.analyzer.outside });
      possible = possible.union(p);
      allowed = allowed.union(
        c.plain
          ? p.intersect(this.analyzer.allowedBy(c.hosts[0] as Host, "Outbound"))
          : this.analyzer.toOutside(c.hosts[0] as Host),
      );
    }
    return { allowed, possible };
  }

  /** What Internet hosts (`sources`) may send to a group. */
  fromOutside(sources: AddressSet, to: readonly Host[]): Space {
    let allowed = PacketSet.empty;
    let possible = PacketSet.empty;
    for (const host of to) {
      const s = this.analyzer.fromOutside(sources, host);
      allowed = allowed.union(s.allowed);
      possible = possible.union(s.possible);
    }
    return { allowed, possible };
  }
}
