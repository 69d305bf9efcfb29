/**
 * Replay: logged flows judged against a spec, and against a proposed version
 * of it. Each flow is judged where it was captured, at the network interface
 * holding its local address (the destination of inbound traffic, the source of
 * outbound), by that interface's NSGs in Azure's order; an address of a subnet
 * that no interface of the spec holds is judged by the subnet's NSG alone.
 *
 * What the logs say is the truth of what happened: a flow whose logged
 * decision or rule differs from the spec's shows that the spec does not
 * describe what is deployed; a flow the logs show allowed that the proposed
 * version denies is what the change would break.
 *
 * Strict readings, also in the README:
 * - A flow is allowed end to end unless some NSG logged it denied.
 * - Rules are matched to logged names as Azure writes them: `UserRule_NAME` is
 *   the custom rule NAME, `DefaultRule_NAME` the default rule NAME; any other
 *   name (a security admin rule) is named as not in the spec.
 * - Protocol numbers 6, 17, 1 (58 for IPv6), 50 and 51 are TCP, UDP, ICMP, ESP
 *   and AH; flows of other protocols are not judged, and named.
 */
import { CompiledNsgs } from "../engine/classifier.js";
import { evaluateStages, type NsgVerdict, nsgStages } from "../engine/nsg-chain.js";
import type { Packet } from "../engine/packet.js";
import { NsgResolver } from "../engine/resolve.js";
import type { Network, NicInfo, SubnetInfo } from "../model/network.js";
import type { Access, Direction } from "../model/rule.js";
import { formatIpAddress, type IpAddress, parseIpAddress } from "../net/address.js";
import type { FlowProtocol } from "../net/protocol.js";
import type { AggregatedFlow } from "./flow-aggregate.js";

/** The spec's judgement of a flow. */
export interface Judgement {
  readonly access: Access;
  /** The deciding NSG and rule (`securityRules/NAME`), absent when no NSG applies. */
  readonly nsg?: string;
  readonly rule?: string;
  /** Where the flow was judged: `network interface NAME` or `subnet VNET/SUBNET`. */
  readonly at: string;
  /** Every NSG the flow met, with its verdict, in Azure's order up to the first Deny. */
  readonly evaluations: NsgVerdict["evaluations"];
  /** Every NSG that applies where it was judged, met or not. */
  readonly nsgs: readonly string[];
}

export interface ReplayedFlow {
  readonly flow: AggregatedFlow;
  /** Deny when any NSG logged it denied. */
  readonly logged: Access;
  readonly current?: Judgement;
  readonly proposed?: Judgement;
  /** Why it could not be judged against the spec (or the proposed spec). */
  readonly notJudged?: string;
  /** How the logs differ from the spec, one line per difference. */
  readonly disagreements: readonly string[];
}

export interface RuleHits {
  readonly nsg: string;
  readonly direction: Direction;
  readonly rule: string;
  readonly isDefault: boolean;
  readonly priority: number;
  readonly access: Access;
  /** Flows it decided at its NSG, and their tuples. */
  flows: number;
  tuples: number;
}

export interface ReplayReport {
  readonly tuples: number;
  readonly flows: readonly ReplayedFlow[];
  /** Flows whose logged decision or rule differs from the spec's. */
  readonly disagreements: readonly ReplayedFlow[];
  /** Logged allowed, denied by the proposed spec: what the change breaks. */
  readonly newlyDenied: readonly ReplayedFlow[];
  /** Logged denied, allowed by the proposed spec. */
  readonly newlyAllowed: readonly ReplayedFlow[];
  /** Every rule of every NSG some flow met, with its hits; then the NSGs none met. */
  readonly ruleHits: readonly RuleHits[];
  /** Custom rules of NSGs that flows met, that decided none of them. */
  readonly unusedRules: readonly RuleHits[];
  readonly nsgsWithoutFlows: readonly string[];
  /** Names in the logs that map to nothing in the spec, with the tuples that carry them. */
  readonly unmapped: readonly {
    readonly kind: "nsg" | "rule";
    readonly name: string;
    tuples: number;
  }[];
  /** Flows not judged, grouped by reason. */
  readonly notJudged: readonly { readonly reason: string; flows: number; tuples: number }[];
}

const PROTOCOLS: ReadonlyMap<number, FlowProtocol> = new Map([
  [6, "Tcp"],
  [17, "Udp"],
  [1, "Icmp"],
  [50, "Esp"],
  [51, "Ah"],
]);

/** The protocol of an IANA number, as NSG rules name it; ICMPv6 (58) is ICMP for IPv6 flows only. */
export function flowProtocol(number: number, family: 4 | 6): FlowProtocol | undefined {
  if (number === 58) return family === 6 ? "Icmp" : undefined;
  if (number === 1 && family === 6) return undefined;
  return PROTOCOLS.get(number);
}

/** Where an address is, in one network. */
interface Place {
  readonly vnet: string;
  readonly subnet: SubnetInfo;
  readonly nic?: NicInfo;
  readonly label: string;
}

/** Judges flows against one network, with its NSGs resolved and compiled once. */
export class FlowJudge {
  private readonly resolver: NsgResolver;
  private readonly compiled = new CompiledNsgs();
  private readonly places = new Map<string, Place>();
  private readonly nsgNames = new Map<string, string>();

  constructor(readonly network: Network) {
    this.resolver = new NsgResolver(network);
    for (const name of network.nsgs.keys()) this.nsgNames.set(name.toLowerCase(), name);
    // Addresses a NIC holds as written; Dynamic ones stand for an address not known, so they place nothing.
    for (const nic of network.nics.values())
      for (const c of nic.ipConfigurations)
        if (!c.dynamic && !nic.scaleSet)
          this.places.set(formatIpAddress(c.address), {
            vnet: c.subnet.vnet,
            subnet: c.subnet,
            nic,
            label: `network interface ${nic.name}`,
          });
    for (const env of network.environments.values()) {
      const key = formatIpAddress(env.privateAddress);
      if (this.places.has(key)) continue;
      this.places.set(key, {
        vnet: env.subnet.vnet,
        subnet: env.subnet,
        ...(env.nic ? { nic: env.nic } : {}),
        label: env.nic ? `network interface ${env.nic.name}` : `environment ${env.name}`,
      });
    }
  }

  /** The spec's name of an NSG named in the logs (any case), if it has one. */
  nsgNamed(name: string): string | undefined {
    return this.nsgNames.get(name.toLowerCase());
  }

  private place(address: IpAddress): Place | undefined {
    const key = formatIpAddress(address);
    const found = this.places.get(key);
    if (found) return found;
    const subnet = this.network.subnets.find((s) => s.addresses.has(address));
    return subnet ? { vnet: subnet.vnet, subnet, label: `subnet ${subnet.id}` } : undefined;
  }

  /** The packet and where it is judged, or why it cannot be. */
  locate(
    flow: AggregatedFlow,
  ): { ok: true; packet: Packet; place: Place } | { ok: false; reason: string } {
    const source = parseIpAddress(flow.source);
    const destination = parseIpAddress(flow.destination);
    if (!source || !destination || source.family !== destination.family)
      return { ok: false, reason: "addresses that are not one family's" };
    const protocol = flowProtocol(flow.protocol, source.family);
    if (!protocol)
      return { ok: false, reason: `protocol ${flow.protocol}, which NSG rules do not name` };
    const local = flow.direction === "Inbound" ? destination : source;
    const place = this.place(local);
    if (!place)
      return {
        ok: false,
        reason: `${flow.direction === "Inbound" ? "destination" : "source"} addresses in no subnet of the spec`,
      };
    return {
      ok: true,
      packet: {
        protocol,
        source,
        sourcePort: flow.sourcePort,
        destination,
        destinationPort: flow.destinationPort,
      },
      place,
    };
  }

  judge(packet: Packet, place: Place, direction: Direction): Judgement {
    const stages = nsgStages(direction, place, place.vnet, packet);
    const verdict = evaluateStages(stages, this.resolver, this.compiled);
    return {
      access: verdict.access,
      ...(verdict.nsg ? { nsg: verdict.nsg } : {}),
      ...(verdict.rule ? { rule: verdict.rule } : {}),
      at: place.label,
      evaluations: verdict.evaluations,
      nsgs: stages.map((s) => s.nsg),
    };
  }

  /** One NSG's verdict on the packet, as if it applied in the place's network: for an NSG the logs name and the spec does not apply there. */
  alone(
    nsg: string,
    packet: Packet,
    place: Place,
    direction: Direction,
  ): { access: Access; rule: string } {
    const resolved = this.resolver.resolve(nsg, place.vnet);
    const rule = this.compiled.firstMatch(resolved, direction, packet);
    return {
      access: rule.access,
      rule: `${rule.rule.isDefault ? "defaultSecurityRules" : "securityRules"}/${rule.rule.name}`,
    };
  }
}

/** `securityRules/NAME` for `UserRule_NAME`, `defaultSecurityRules/NAME` for `DefaultRule_NAME`; undefined for any other name. */
export function watcherNameOfLogged(rule: string): string | undefined {
  if (rule.startsWith("UserRule_")) return `securityRules/${rule.slice("UserRule_".length)}`;
  if (rule.startsWith("DefaultRule_"))
    return `defaultSecurityRules/${rule.slice("DefaultRule_".length)}`;
  return undefined;
}

const sameRule = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Judges every flow against the spec, and the proposed spec when given, and sums up. */
export function replay(
  flows: readonly AggregatedFlow[],
  tuples: number,
  current: Network,
  proposed?: Network,
): ReplayReport {
  const judge = new FlowJudge(current);
  const proposedJudge = proposed ? new FlowJudge(proposed) : undefined;
  const hits = new Map<string, RuleHits>();
  const met = new Set<string>();
  const unmapped = new Map<string, { kind: "nsg" | "rule"; name: string; tuples: number }>();
  const notJudged = new Map<string, { reason: string; flows: number; tuples: number }>();
  const noteUnmapped = (kind: "nsg" | "rule", name: string, count: number) => {
    const key = `${kind}\u0000${name}`;
    const entry = unmapped.get(key) ?? { kind, name, tuples: 0 };
    entry.tuples += count;
    unmapped.set(key, entry);
  };
  const noteNotJudged = (reason: string, flow: AggregatedFlow) => {
    const entry = notJudged.get(reason) ?? { reason, flows: 0, tuples: 0 };
    entry.flows++;
    entry.tuples += flow.tuples;
    notJudged.set(reason, entry);
  };

  const replayed: ReplayedFlow[] = flows.map((flow) => {
    const logged: Access = flow.logged.some((v) => v.access === "Deny") ? "Deny" : "Allow";
    const located = judge.locate(flow);
    if (!located.ok) {
      noteNotJudged(located.reason, flow);
      return { flow, logged, notJudged: located.reason, disagreements: [] };
    }
    const { packet, place } = located;
    const currentJudgement = judge.judge(packet, place, flow.direction);
    for (const e of currentJudgement.evaluations) {
      met.add(e.nsg);
      const hit = hitFor(hits, current, e.nsg, flow.direction, e.rule);
      if (hit) {
        hit.flows++;
        hit.tuples += flow.tuples;
      }
    }
    const disagreements = compare(
      flow,
      logged,
      currentJudgement,
      judge,
      packet,
      place,
      noteUnmapped,
    );
    let proposedJudgement: Judgement | undefined;
    let proposedProblem: string | undefined;
    if (proposedJudge) {
      const there = proposedJudge.locate(flow);
      if (there.ok)
        proposedJudgement = proposedJudge.judge(there.packet, there.place, flow.direction);
      else {
        proposedProblem = `proposed spec: ${there.reason}`;
        noteNotJudged(proposedProblem, flow);
      }
    }
    return {
      flow,
      logged,
      current: currentJudgement,
      ...(proposedJudgement ? { proposed: proposedJudgement } : {}),
      ...(proposedProblem ? { notJudged: proposedProblem } : {}),
      disagreements,
    };
  });

  const ruleHits: RuleHits[] = [];
  for (const name of [...met].sort())
    for (const direction of ["Inbound", "Outbound"] as const)
      for (const rule of rulesOf(current, name, direction)) {
        const hit = hitFor(hits, current, name, direction, watcherName(rule));
        if (hit) ruleHits.push(hit);
      }
  const byTime = (a: ReplayedFlow, b: ReplayedFlow) => b.flow.lastSeen - a.flow.lastSeen;
  return {
    tuples,
    flows: replayed,
    disagreements: replayed.filter((r) => r.disagreements.length > 0),
    newlyDenied: replayed
      .filter((r) => r.logged === "Allow" && r.proposed?.access === "Deny")
      .sort(byTime),
    newlyAllowed: replayed
      .filter((r) => r.logged === "Deny" && r.proposed?.access === "Allow")
      .sort(byTime),
    ruleHits,
    unusedRules: ruleHits.filter((h) => !h.isDefault && h.flows === 0),
    nsgsWithoutFlows: [...current.nsgs.keys()].filter((n) => !met.has(n)).sort(),
    unmapped: [...unmapped.values()],
    notJudged: [...notJudged.values()],
  };
}

function rulesOf(network: Network, nsg: string, direction: Direction) {
  const info = network.nsgs.get(nsg);
  return info ? (direction === "Inbound" ? info.inbound : info.outbound) : [];
}

const watcherName = (rule: { name: string; isDefault: boolean }) =>
  `${rule.isDefault ? "defaultSecurityRules" : "securityRules"}/${rule.name}`;

function hitFor(
  hits: Map<string, RuleHits>,
  network: Network,
  nsg: string,
  direction: Direction,
  rule: string,
): RuleHits | undefined {
  const key = `${nsg}\u0000${direction}\u0000${rule}`;
  let hit = hits.get(key);
  if (!hit) {
    const parsed = rulesOf(network, nsg, direction).find((r) => watcherName(r) === rule);
    if (!parsed) return undefined;
    hit = {
      nsg,
      direction,
      rule: parsed.name,
      isDefault: parsed.isDefault,
      priority: parsed.priority,
      access: parsed.access,
      flows: 0,
      tuples: 0,
    };
    hits.set(key, hit);
  }
  return hit;
}

/** How what was logged differs from the spec's judgement; each logged name that maps to nothing is noted. */
function compare(
  flow: AggregatedFlow,
  logged: Access,
  spec: Judgement,
  judge: FlowJudge,
  packet: Packet,
  place: Place,
  noteUnmapped: (kind: "nsg" | "rule", name: string, tuples: number) => void,
): string[] {
  const out: string[] = [];
  if (logged !== spec.access)
    out.push(
      `logged ${logged}, the spec ${spec.access === "Allow" ? "allows" : "denies"} it${spec.rule ? ` (${spec.rule} of ${spec.nsg})` : " (no NSG applies)"}`,
    );
  for (const verdict of flow.logged) {
    if (verdict.rule === "") continue;
    const name = watcherNameOfLogged(verdict.rule);
    if (!name) {
      noteUnmapped("rule", verdict.rule, flow.tuples);
      continue;
    }
    if (verdict.format === "vnet") {
      // The ACL id is the NSG's resource GUID, which a spec does not hold: the rule is looked for in every NSG the flow met.
      const evaluation = spec.evaluations.find((e) => sameRule(e.rule, name));
      if (!evaluation)
        out.push(
          `logged ${verdict.access} by ${verdict.rule}, which no NSG the spec applies at ${spec.at} decided`,
        );
      else if (evaluation.access !== verdict.access)
        out.push(
          `logged ${verdict.access} by ${verdict.rule}, which ${evaluation.access === "Allow" ? "allows" : "denies"} it in the spec`,
        );
      continue;
    }
    const nsg = judge.nsgNamed(verdict.logger);
    if (!nsg) {
      noteUnmapped("nsg", verdict.logger, flow.tuples);
      continue;
    }
    const evaluation = spec.evaluations.find((e) => e.nsg === nsg);
    const specVerdict = evaluation
      ? { access: evaluation.access, rule: evaluation.rule }
      : judge.alone(nsg, packet, place, flow.direction);
    const where = spec.nsgs.includes(nsg)
      ? ""
      : `, and the spec does not apply ${nsg} at ${spec.at}`;
    if (!sameRule(specVerdict.rule, name) || specVerdict.access !== verdict.access || where)
      out.push(
        `${nsg} logged ${verdict.access} by ${verdict.rule}; the spec's ${nsg} gives ${specVerdict.access} by ${specVerdict.rule}${where}`,
      );
  }
  return out;
}
