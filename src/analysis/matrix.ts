import type { Host } from "../engine/endpoint.js";
import { bastionHost, hostAt } from "../engine/endpoint.js";
import { describeForwarding } from "../model/load-balancers.js";
import type { Network } from "../model/network.js";
import { displayAddress, sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { gatewayArrivals } from "./application-gateway-exposure.js";
import { ALL_IPV4, ALL_IPV6 } from "./fields.js";
import { exposedAtFrontend, loadBalancedArrivals } from "./load-balancer-exposure.js";
import { type GroupBy, GroupReach, groupOf, type Row, type RowFilter } from "./matrix-rows.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";
import { formatAddressSet, type SummaryLine, summarize } from "./summary.js";

/** One cell of the reachability matrix: what `from` may send to `to`, as rule-like lines. */
export interface ReachCell {
  readonly from: string;
  readonly to: string;
  /** Everything the row could send the column is allowed. */
  readonly all: boolean;
  /** The allowed traffic; an address side reads `*` where it is every host the row or column stands for. */
  readonly allowed: readonly SummaryLine[];
  readonly omitted: number;
}

export const INTERNET = "Internet";

/** Called as a long analysis goes: how many of its steps are done, of how many. */
export type Progress = (done: number, total: number) => void;

/** Which rows and columns to compute and how to gather them. */
export interface MatrixOptions {
  /** Rows (callers) kept; every environment and the Internet when absent. */
  readonly from?: RowFilter;
  /** Columns (callees) kept. */
  readonly to?: RowFilter;
  readonly groupBy?: GroupBy;
  readonly progress?: Progress;
  /** The hosts the matrix is between: every environment unless given (interfaceRows adds interfaces). */
  readonly hosts?: readonly Row[];
}

/** The matrix: its rows and columns (the Internet last), and one cell per row and column. */
export interface ReachMatrix {
  /** Every row and column name, rows first. */
  readonly names: string[];
  readonly rows: string[];
  readonly columns: string[];
  readonly cells: ReachCell[];
}

/**
 * What each environment may send to each other one and to the Internet, and
 * what the Internet (any host outside every network that is not an
 * environment) may send to each: exact, over every packet. Gathered by subnet
 * or virtual network, a cell is what any environment of the row may send any
 * other of the column (an environment to itself is no flow there).
 */
export function reachMatrix(analyzer: ReachAnalyzer, options: MatrixOptions = {}): ReachMatrix {
  const plan = new MatrixPlan(analyzer, options);
  let done = 0;
  const step = () => options.progress?.(++done, plan.cellCount);
  return {
    ...plan.shape(),
    cells: plan.cells({ rows: [0, plan.rowCount], columns: [0, plan.columnCount] }, step),
  };
}

/** A block of the matrix: rows and columns by index, each [first, end) (the Internet's row and column last). */
export interface MatrixBlock {
  readonly rows: readonly [number, number];
  readonly columns: readonly [number, number];
}

/**
 * The matrix's rows and columns, and its cells block by block: threads that
 * each hold the same network compute blocks of one plan apart, and the cells
 * put together in row order are reachMatrix's.
 */
export class MatrixPlan {
  private readonly rows: (readonly [string, Host[]])[];
  private readonly columns: (readonly [string, Host[]])[];
  private readonly internetRow: boolean;
  private readonly internetColumn: boolean;
  private readonly anonymous: AddressSet;
  private readonly groups: GroupReach;
  private readonly by: GroupBy;

  constructor(
    private readonly analyzer: ReachAnalyzer,
    options: Omit<MatrixOptions, "progress"> = {},
  ) {
    const network = analyzer.network;
    this.by = options.groupBy ?? "environment";
    const envs = options.hosts ?? environmentRows(network);
    let known = AddressSet.empty;
    for (const { host } of envs)
      if (host.outboundAddress) known = known.union(AddressSet.ofAddresses([host.outboundAddress]));
    this.anonymous = analyzer.outside.minus(known);
    const gather = (filter: RowFilter | undefined) => {
      const groups = new Map<string, Host[]>();
      for (const row of envs) {
        if (filter && !filter.keeps(row)) continue;
        const name = groupOf(row, this.by);
        const list = groups.get(name);
        if (list) list.push(row.host);
        else groups.set(name, [row.host]);
      }
      return [...groups];
    };
    this.rows = gather(options.from);
    this.columns = gather(options.to);
    this.internetRow = !options.from || options.from.internet;
    this.internetColumn = !options.to || options.to.internet;
    this.groups = new GroupReach(analyzer);
  }

  /** Rows, the Internet's included. */
  get rowCount(): number {
    return this.rows.length + (this.internetRow ? 1 : 0);
  }

  /** Columns, the Internet's included. */
  get columnCount(): number {
    return this.columns.length + (this.internetColumn ? 1 : 0);
  }

  /** Every cell but the Internet's to itself. */
  get cellCount(): number {
    return this.rowCount * this.columnCount - (this.internetRow && this.internetColumn ? 1 : 0);
  }

  /** The names of the rows and columns, as ReachMatrix gives them. */
  shape(): Omit<ReachMatrix, "cells"> {
    const rowNames = [...this.rows.map(([n]) => n), ...(this.internetRow ? [INTERNET] : [])];
    const columnNames = [
      ...this.columns.map(([n]) => n),
      ...(this.internetColumn ? [INTERNET] : []),
    ];
    return {
      names: [...new Set([...rowNames, ...columnNames])],
      rows: rowNames,
      columns: columnNames,
    };
  }

  /** The cells of a block, row by row; `step` is called after each, `at` with its row and column. */
  cells(
    block: MatrixBlock,
    step?: () => void,
    at?: (row: number, column: number) => void,
  ): ReachCell[] {
    const out: ReachCell[] = [];
    for (let r = block.rows[0]; r < block.rows[1]; r++)
      for (let c = block.columns[0]; c < block.columns[1]; c++) {
        const cell = this.cell(r, c);
        if (!cell) continue;
        out.push(cell);
        at?.(r, c);
        step?.();
      }
    return out;
  }

  /** The cell at a row and column; none for the Internet to itself. */
  private cell(r: number, c: number): ReachCell | undefined {
    const analyzer = this.analyzer;
    const row = this.rows[r];
    const column = this.columns[c];
    if (row && column) {
      const [from, fromHosts] = row;
      const [to, toHosts] = column;
      return this.summarized(
        from,
        to,
        this.by === "environment"
          ? analyzer.flow(fromHosts[0] as Host, toHosts[0] as Host)
          : this.groups.between(fromHosts, toHosts),
      );
    }
    if (row) {
      const [from, fromHosts] = row;
      const first = fromHosts[0] as Host;
      const space =
        this.by === "environment"
          ? {
              allowed: analyzer.toOutside(first),
              possible: PacketSet.box({
                source: AddressSet.ofAddresses([first.address]),
                destination: analyzer.outside,
              }),
            }
          : this.groups.toOutside(fromHosts);
      return this.summarized(from, INTERNET, space, {
        destination: analyzer.outside.intersect(families(fromHosts)),
      });
    }
    if (column) {
      const [to, toHosts] = column;
      return this.summarized(INTERNET, to, this.groups.fromOutside(this.anonymous, toHosts), {
        source: this.anonymous.intersect(families(toHosts)),
      });
    }
    return undefined;
  }

  private summarized(
    from: string,
    to: string,
    space: { allowed: PacketSet; possible: PacketSet },
    whole?: { source?: AddressSet; destination?: AddressSet },
  ): ReachCell {
    const names = this.analyzer.network.addressNames;
    const everyone = (set: AddressSet) => formatAddressSet(set, names).join();
    const s = summarize(space.allowed, 12, names);
    // A side that is the whole of what the row or column stands for says nothing: show it as *.
    const lines = s.lines.map((l) => ({
      ...l,
      source: whole?.source && l.source.join() === everyone(whole.source) ? ["*"] : l.source,
      destination:
        whole?.destination && l.destination.join() === everyone(whole.destination)
          ? ["*"]
          : l.destination,
    }));
    const all = !space.possible.isEmpty() && space.allowed.equals(space.possible);
    return { from, to, all, allowed: lines, omitted: s.omitted };
  }
}

/** Every address of the families the hosts have. */
function families(hosts: readonly Host[]): AddressSet {
  return hosts.reduce(
    (set, h) => set.union(h.address.family === 4 ? ALL_IPV4 : ALL_IPV6),
    AddressSet.empty,
  );
}

/** What the Internet reaches of one environment, or of a NIC through its public address. */
export interface Exposure {
  readonly environment?: string;
  readonly networkInterface?: string;
  /** An Azure Bastion host, on its public IP: what reaches it on 443, the port it accepts sessions on. */
  readonly bastionHost?: string;
  /** The public address it is reached at: an address, or `<name>` when not known. */
  readonly publicAddress?: string;
  /** The public IP resource it is reached on, when it is one. */
  readonly publicIPAddress?: string;
  /** Through a load balancer: its name, the frontend, the rule and the backend it forwards to. */
  readonly loadBalancer?: string;
  readonly frontend?: string;
  readonly rule?: string;
  readonly backend?: string;
  /** The backend's address and port the frontend's packets are translated to. */
  readonly translatedTo?: string;
  /** Through an application gateway's public frontend (`frontend`): its listeners and where each sends. */
  readonly applicationGateway?: string;
  readonly listeners?: readonly string[];
  /** Gathered by subnet or virtual network (--group-by): what the Internet reaches of any row in it. */
  readonly subnet?: string;
  readonly virtualNetwork?: string;
  readonly exposed: readonly SummaryLine[];
  readonly omitted: number;
}

/** Which exposures to compute and how to gather them. */
export interface ExposureOptions {
  /** Only these Internet sources (addresses, blocks, tags); every one when absent. */
  readonly from?: RowFilter;
  /** Only the rows whose host or public address this keeps. */
  readonly to?: RowFilter;
  /** Gathered rows: `environment` (or by subnet: the subnet's name) and the union of their exposure. */
  readonly groupBy?: GroupBy;
  readonly progress?: Progress;
}

/**
 * What the Internet, every host outside every network, environments'
 * addresses included, reaches of each environment, and of each network
 * interface with a public address that no environment stands on.
 */
export function exposureOf(analyzer: ReachAnalyzer, options: ExposureOptions = {}): Exposure[] {
  const network = analyzer.network;
  const names = network.addressNames;
  const sources = options.from?.addresses;
  const only = (set: PacketSet) =>
    sources ? set.intersect(PacketSet.box({ source: sources })) : set;
  const rows: {
    row: Row;
    exposure: Omit<Exposure, "exposed" | "omitted">;
    set: () => PacketSet;
  }[] = [];
  const envs = [...network.environments.values()];
  for (const env of envs) {
    const host = envHost(network, env.name);
    rows.push({
      row: { name: env.name, host },
      exposure: { environment: env.name, ...publicOf(host) },
      set: () => analyzer.fromOutside(analyzer.outside, host).allowed,
    });
  }
  for (const nic of network.nics.values())
    for (const config of nic.ipConfigurations) {
      if (!config.publicAddress || envs.some((e) => sameAddress(e.privateAddress, config.address)))
        continue;
      const host = hostAt(network, config.address);
      rows.push({
        row: { name: nic.name, host },
        exposure: { networkInterface: nic.name, ...publicOf(host) },
        set: () => analyzer.fromOutside(analyzer.outside, host).allowed,
      });
    }
  // Each Bastion host with a public IP: the service answers on TCP 443 only.
  for (const bastion of network.bastionHosts.values()) {
    if (!bastion.publicAddress) continue;
    const host = bastionHost(bastion);
    const https = PacketSet.box({
      protocols: ["Tcp"],
      destinationPorts: [{ first: 443, last: 443 }],
    });
    rows.push({
      row: { name: bastion.name, host },
      exposure: {
        bastionHost: bastion.name,
        publicAddress: displayAddress(bastion.publicAddress),
        ...(bastion.publicIp ? { publicIPAddress: bastion.publicIp.name } : {}),
      },
      set: () => analyzer.fromOutside(analyzer.outside, host).allowed.intersect(https),
    });
  }
  // Each rule of a public load balancer, at each backend, as its frontend receives the packets.
  for (const a of loadBalancedArrivals(analyzer))
    rows.push({
      row: {
        name: a.backend.label,
        host: {
          label: a.backend.label,
          address: a.backend.address,
          vnet: a.backend.vnet,
          ...(a.backend.subnet ? { subnet: a.backend.subnet } : {}),
          publicAddress: a.frontend.address,
          ingress: "Internal",
        },
      },
      exposure: {
        loadBalancer: a.frontend.loadBalancer,
        frontend: a.frontend.name,
        publicAddress: displayAddress(a.frontend.address),
        ...(a.frontend.publicIp ? { publicIPAddress: a.frontend.publicIp.name } : {}),
        rule: describeForwarding(a.forwarding),
        backend: a.backend.label,
        translatedTo: `${displayAddress(a.backend.address)}:${a.backendPort}`,
      },
      set: () => exposedAtFrontend(a),
    });
  // Each public frontend of an application gateway, on its listeners' ports.
  for (const a of gatewayArrivals(analyzer))
    rows.push({
      row: {
        name: a.gateway.name,
        host: {
          label: a.gateway.name,
          address: a.gateway.instanceAddress,
          vnet: a.gateway.subnet.vnet,
          subnet: a.gateway.subnet,
          publicAddress: a.frontend.address,
          ingress: "External",
        },
      },
      exposure: {
        applicationGateway: a.gateway.name,
        frontend: a.frontend.name,
        publicAddress: displayAddress(a.frontend.address),
        ...(a.frontend.publicIp ? { publicIPAddress: a.frontend.publicIp.name } : {}),
        listeners: a.listeners,
      },
      set: () => a.exposed,
    });
  const kept = options.to ? rows.filter((r) => options.to?.keeps(r.row)) : rows;
  const by = options.groupBy ?? "environment";
  let done = 0;
  const step = () => options.progress?.(++done, kept.length);
  if (by === "environment")
    return kept.map((r) => {
      const s = summarize(only(r.set()), 20, names);
      step();
      return { ...r.exposure, exposed: s.lines, omitted: s.omitted };
    });
  const groups = new Map<string, PacketSet>();
  for (const r of kept) {
    const group = groupOf(r.row, by);
    groups.set(group, (groups.get(group) ?? PacketSet.empty).union(only(r.set())));
    step();
  }
  return [...groups].map(([group, set]) => {
    const s = summarize(set, 20, names);
    return {
      ...(by === "subnet" ? { subnet: group } : { virtualNetwork: group }),
      exposed: s.lines,
      omitted: s.omitted,
    };
  });
}

/** The public address a host is reached at, and its public IP resource. */
function publicOf(host: Host): { publicAddress?: string; publicIPAddress?: string } {
  return {
    ...(host.publicAddress ? { publicAddress: displayAddress(host.publicAddress) } : {}),
    ...(host.publicIp ? { publicIPAddress: host.publicIp.name } : {}),
  };
}

/** Each environment as a row: its name and host. */
export function environmentRows(network: Network): Row[] {
  return [...network.environments.values()].map((e) => ({
    name: e.name,
    host: envHost(network, e.name),
  }));
}

/**
 * Each environment, and each network interface no environment stands on (a
 * machine's, not a scale set's), as a row: its name and host (at its first
 * address).
 */
export function hostRows(network: Network): Row[] {
  const rows = environmentRows(network);
  const taken = new Set(rows.map((r) => r.host.nic?.name).filter((n) => n !== undefined));
  for (const nic of network.nics.values()) {
    const first = nic.ipConfigurations[0];
    if (nic.scaleSet !== undefined || !first || taken.has(nic.name)) continue;
    rows.push({ name: nic.name, host: hostAt(network, first.address) });
  }
  return rows;
}

function envHost(network: Network, name: string): Host {
  const env = network.environments.get(name);
  if (!env) throw new Error(`no environment ${name}`);
  return hostAt(network, env.privateAddress);
}
