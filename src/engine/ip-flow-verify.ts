/**
 * Network Watcher's IP flow verify, offline: one packet to or from an address a
 * network interface holds, judged by the NSGs of that interface and of the
 * subnet of the IP configuration holding the address, in Azure's order for the
 * direction. No route is followed and no public address translated: the remote
 * address is taken as it is, as Azure does.
 *
 * Where Azure's documentation is silent, the strict reading, also in the README:
 * - When every NSG allows, the answer names the allowing rule of the NSG
 *   evaluated last (the NIC's inbound, the subnet's outbound): the last rule the
 *   packet had to pass. When one denies, it names the denying rule; NSGs after a
 *   Deny are not evaluated.
 * - With no NSG at all the packet is allowed and no rule is named, as the API
 *   omits `ruleName` when no rule matched.
 * - A `*` source port (the API allows it) is answered only when every source
 *   port gets the same answer; otherwise the query is refused, naming two ports
 *   that differ.
 * - The API takes IPv4 addresses only, and TCP or UDP only; others are refused.
 */

import { NameIndex } from "../model/names.js";
import type { Network, NicInfo, SubnetInfo } from "../model/network.js";
import type { Access, Direction } from "../model/rule.js";
import { formatIpAddress, type IpAddress, parseIpAddress, sameAddress } from "../net/address.js";
import { CompiledNsgs } from "./classifier.js";
import {
  type AppliedTo,
  evaluateStages,
  type NsgEvaluation,
  type NsgStage,
  type NsgVerdict,
  nsgStages,
} from "./nsg-chain.js";
import { formatPacket, type Packet } from "./packet.js";
import { NsgResolver, rulesFor } from "./resolve.js";

/** The protocols IP flow verify tests: TCP and UDP (ICMP needs NSG diagnostics). */
export type IpFlowProtocol = "Tcp" | "Udp";

/** One end of the flow. A port may be `*` only where it is the source port. */
export interface IpFlowEnd {
  readonly address: IpAddress;
  readonly port: number | "*";
}

export interface IpFlowVerifyQuery {
  /**
   * A network interface, or an environment (its network interface, or its own
   * address in its subnet). `nic:` or `env:` picks the kind; names compare
   * case-insensitively, as Azure's do.
   */
  readonly target: string;
  readonly direction: Direction;
  readonly protocol: IpFlowProtocol;
  /** An address the target holds, in any of its IP configurations. */
  readonly local: IpFlowEnd;
  /** Any address. */
  readonly remote: IpFlowEnd;
}

/** IP flow verify's answer (`VerificationIPFlowResult`), with tierwall's trace beside it. */
export interface IpFlowVerifyResult {
  readonly access: Access;
  /** `securityRules/NAME` or `defaultSecurityRules/NAME`; absent when no NSG applies, as in Azure's answer. */
  readonly ruleName?: string;
  /** The NSG of the rule named, and what it is bound to. */
  readonly nsg?: string;
  readonly appliedTo?: AppliedTo;
  readonly target: string;
  readonly direction: Direction;
  readonly packet: string;
  /** The NSGs evaluated, in Azure's order, up to the first that denies. */
  readonly evaluations: readonly NsgEvaluation[];
}

export type IpFlowVerification =
  | { ok: true; result: IpFlowVerifyResult }
  | { ok: false; message: string; hint?: string };

/** `TCP` or `UDP`, in any case, as Azure's API and az take them. */
export function parseIpFlowProtocol(text: string): IpFlowProtocol | undefined {
  const lower = text.toLowerCase();
  return lower === "tcp" ? "Tcp" : lower === "udp" ? "Udp" : undefined;
}

/** `Inbound` or `Outbound`, in any case. */
export function parseDirection(text: string): Direction | undefined {
  const lower = text.toLowerCase();
  return lower === "inbound" ? "Inbound" : lower === "outbound" ? "Outbound" : undefined;
}

/** `IP:PORT`, `[IPv6]:PORT`, with `*` for any port; undefined for anything else. */
export function parseIpFlowEnd(text: string): IpFlowEnd | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return undefined;
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  else if (host.includes(":")) return undefined;
  const address = parseIpAddress(host);
  const port = portText === "*" ? "*" : /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!address || Number.isNaN(port) || (port !== "*" && port > 65535)) return undefined;
  return { address, port };
}

/** What IP flow verify runs on: the addresses a NIC (or an environment) holds, and where each sits. */
interface Target {
  readonly label: string;
  readonly vnet: string;
  readonly nic?: NicInfo;
  readonly configurations: readonly { readonly address: IpAddress; readonly subnet: SubnetInfo }[];
  /** Addresses it is reached at or presents outside: not local addresses, since NSGs see private ones. */
  readonly publicAddresses: readonly IpAddress[];
}

/** Answers IP flow verify queries over one network, with resolved NSGs cached across queries. */
export class IpFlowVerifier {
  private readonly resolver: NsgResolver;
  private readonly compiled = new CompiledNsgs();

  constructor(readonly network: Network) {
    this.resolver = new NsgResolver(network);
  }

  verify(query: IpFlowVerifyQuery): IpFlowVerification {
    const target = resolveTarget(this.network, query.target);
    if ("message" in target) return { ok: false, ...target };
    for (const [side, end] of [
      ["local", query.local],
      ["remote", query.remote],
    ] as const)
      if (end.address.family !== 4)
        return {
          ok: false,
          message: `IP flow verify takes IPv4 addresses only: the ${side} address ${formatIpAddress(end.address)} is IPv6`,
          hint: "Azure's API (VerificationIPFlowParameters) accepts IPv4 local and remote addresses",
        };
    const configuration = target.configurations.find((c) =>
      sameAddress(c.address, query.local.address),
    );
    if (!configuration) return notLocal(target, query.local.address);
    const inbound = query.direction === "Inbound";
    const [source, destination] = inbound
      ? [query.remote, query.local]
      : [query.local, query.remote];
    if (destination.port === "*")
      return {
        ok: false,
        message: `the ${inbound ? "local" : "remote"} port is the destination port of ${query.direction} traffic and must be one port, not *`,
        hint: "only the source port may be *",
      };
    const packet: Packet = {
      protocol: query.protocol,
      source: source.address,
      sourcePort: source.port === "*" ? 0 : source.port,
      destination: destination.address,
      destinationPort: destination.port,
    };
    const stagesFor = (p: Packet) =>
      nsgStages(query.direction, { subnet: configuration.subnet, nic: target.nic }, target.vnet, p);
    const stages = stagesFor(packet);
    let verdict: NsgVerdict;
    if (source.port === "*") {
      const any = this.anySourcePort(stages, (port) => stagesFor({ ...packet, sourcePort: port }));
      if (!any.ok) return any;
      verdict = {
        ...any.verdict,
        evaluations: any.verdict.evaluations.map((e) => ({
          ...e,
          packet: formatPacket(packet, "*"),
        })),
      };
    } else verdict = evaluateStages(stages, this.resolver, this.compiled);
    const anyPort = source.port === "*";
    return {
      ok: true,
      result: {
        access: verdict.access,
        ...(verdict.rule
          ? { ruleName: verdict.rule, nsg: verdict.nsg, appliedTo: verdict.appliedTo }
          : {}),
        target: target.label,
        direction: query.direction,
        // Written out when read (the API's answer never reads it).
        get packet() {
          return anyPort ? formatPacket(packet, "*") : formatPacket(packet);
        },
        evaluations: verdict.evaluations,
      },
    };
  }

  /**
   * The verdict for every source port at once: the rules split the ports into
   * intervals that every rule treats alike, so one port of each interval stands for it.
   */
  private anySourcePort(
    stages: readonly NsgStage[],
    stagesAt: (port: number) => NsgStage[],
  ): { ok: true; verdict: NsgVerdict } | { ok: false; message: string; hint: string } {
    const cuts = new Set<number>([0]);
    for (const s of stages)
      for (const rule of rulesFor(this.resolver.resolve(s.nsg, s.vnet), s.direction))
        for (const range of rule.sourcePorts) {
          cuts.add(range.first);
          if (range.last < 65535) cuts.add(range.last + 1);
        }
    const ports = [...cuts].sort((a, b) => a - b);
    const first = evaluateStages(stagesAt(ports[0] ?? 0), this.resolver, this.compiled);
    for (const port of ports.slice(1)) {
      const other = evaluateStages(stagesAt(port), this.resolver, this.compiled);
      if (verdictKey(other) !== verdictKey(first))
        return {
          ok: false,
          message: `the answer depends on the source port: from port ${ports[0]} it is ${describe(first)}, from port ${port} ${describe(other)}`,
          hint: "give the source port as a number",
        };
    }
    return { ok: true, verdict: first };
  }
}

function verdictKey(v: NsgVerdict): string {
  return v.evaluations.map((e) => `${e.nsg}\u0000${e.appliedTo.type}\u0000${e.rule}`).join("\n");
}

function describe(v: NsgVerdict): string {
  return v.rule ? `${v.access} by ${v.rule} of ${v.nsg}` : v.access;
}

function resolveTarget(network: Network, text: string): Target | { message: string; hint: string } {
  const colon = text.indexOf(":");
  const kind = colon > 0 ? text.slice(0, colon) : "";
  const forced = kind === "nic" || kind === "env";
  const name = forced ? text.slice(colon + 1) : text;
  const nic = kind !== "env" ? byName(network.nics, name) : undefined;
  if (nic) return nicTarget(nic, `network interface ${nic.name}`);
  const env = kind !== "nic" ? byName(network.environments, name) : undefined;
  if (env) {
    const publicAddresses = [env.publicAddress, env.outboundAddress].filter(
      (a): a is IpAddress => a !== undefined,
    );
    if (env.nic) {
      const t = nicTarget(env.nic, `environment ${env.name} (network interface ${env.nic.name})`);
      return { ...t, publicAddresses: [...t.publicAddresses, ...publicAddresses] };
    }
    return {
      label: `environment ${env.name}`,
      vnet: env.subnet.vnet,
      configurations: [{ address: env.privateAddress, subnet: env.subnet }],
      publicAddresses,
    };
  }
  return {
    message: `${JSON.stringify(text)} is not a network interface${forced && kind === "nic" ? "" : " or environment"}`,
    hint: "IP flow verify runs on a network interface (nic:NAME) or an environment (env:NAME)",
  };
}

function nicTarget(nic: NicInfo, label: string): Target {
  return {
    label,
    vnet: nic.vnet,
    nic,
    configurations: nic.ipConfigurations,
    publicAddresses: nic.ipConfigurations.flatMap((c) =>
      c.publicAddress ? [c.publicAddress] : [],
    ),
  };
}

function byName<T>(map: ReadonlyMap<string, T>, name: string): T | undefined {
  const declared = new NameIndex(map.keys()).resolve(name);
  return declared === undefined ? undefined : map.get(declared);
}

function notLocal(target: Target, address: IpAddress): IpFlowVerification {
  const held = target.configurations.map((c) => formatIpAddress(c.address)).join(", ");
  const shown = formatIpAddress(address);
  if (target.publicAddresses.some((p) => sameAddress(p, address)))
    return {
      ok: false,
      message: `${shown} is a public address of ${target.label}; the local address must be one it holds (${held})`,
      hint: "NSGs see traffic after the platform translates public addresses, so IP flow verify takes the private one",
    };
  return {
    ok: false,
    message: `${shown} is not an address of ${target.label}, which holds ${held}`,
    hint: "the local address must be one of the target's IP configurations, as Azure's API requires",
  };
}
