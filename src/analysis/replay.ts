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
import type { Packet } from "../engine/packet.js";
import { NsgResolver } from "../engine/resolve.js";
import type { Network, NicInfo, SubnetInfo } from "../model/network.js";
import { type Access, type Direction, type ParsedRule, watcherRuleName } from "../model/rule.js";
import { formatIpAddress, type IpAddress, parseIpAddress } from "../net/address.js";
import type { FlowProtocol } from "../net/protocol.js";
import { classKey, type FlowClass } from "./flow-classes.js";

/** The spec's judgement of a flow. */
export interface Judgement {
  readonly access: Access;
  /** The deciding NSG and rule (`securityRules/NAME`), absent when no NSG applies. */
  readonly nsg?: string;
  readonly rule?: string;
  /** Where the flow was judged: `network interface NAME` or `subnet VNET/SUBNET`. */
  readonly at: string;
  /** Every NSG the flow met, with its verdict, in Azure's order up to the first Deny. */
  readonly evaluations: readonly StageVerdict[];
}

/** One NSG's verdict on a flow: its deciding rule, `securityRules/NAME` or `defaultSecurityRules/NAME`. */
export interface StageVerdict {
  readonly nsg: string;
  readonly rule: string;
  readonly access: Access;
}

/** A flow with the judgements of the spec and of the proposed spec, made here or by SQL (formats/sql). */
export interface JudgedClass {
  readonly traffic: FlowClass;
  /** Absent when the flow could not be judged. */
  readonly current?: Judgement;
  readonly proposed?: Judgement;
  /** The proposed spec could not judge it, though the spec could. */
  readonly proposedNotJudged?: string;
}

export interface ReplayedClass {
  readonly traffic: FlowClass;
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
  /** Flows (5-tuples) it decided at its NSG, and their tuples. */
  flows: number;
  tuples: number;
}

export interface ReplayReport {
  readonly tuples: number;
  /** Every class of flows, in the order first seen (then by class key). */
  readonly classes: readonly ReplayedClass[];
  /** Classes whose logged decision or rule differs from the spec's. */
  readonly disagreements: readonly ReplayedClass[];
  /** Logged allowed, denied by the proposed spec: what the change breaks. */
  readonly newlyDenied: readonly ReplayedClass[];
  /** Logged denied, allowed by the proposed spec. */
  readonly newlyAllowed: readonly ReplayedClass[];
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
  /** Flows not judged (5-tuples, and their tuples), grouped by reason. */
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
export interface Place {
  readonly vnet: string;
  readonly subnet: SubnetInfo;
  readonly nic?: NicInfo;
  readonly label: string;
}

/**
 * Where flows are judged: each address a network interface holds as written
 * (Dynamic ones stand for an address not known, so they place nothing), each
 * environment's own address, then each subnet for the rest of its addresses.
 */
export class Places {
  /** By address text, in the order found. */
  readonly exact = new Map<string, { readonly address: IpAddress; readonly place: Place }>();

  constructor(readonly network: Network) {
    for (const nic of network.nics.values())
      for (const c of nic.ipConfigurations)
        if (!c.dynamic && !nic.scaleSet)
          this.exact.set(formatIpAddress(c.address), {
            address: c.address,
            place: {
              vnet: c.subnet.vnet,
              subnet: c.subnet,
              nic,
              label: `network interface ${nic.name}`,
            },
          });
    for (const env of network.environments.values()) {
      const key = formatIpAddress(env.privateAddress);
      if (this.exact.has(key)) continue;
      this.exact.set(key, {
        address: env.privateAddress,
        place: {
          vnet: env.subnet.vnet,
          subnet: env.subnet,
          ...(env.nic ? { nic: env.nic } : {}),
          label: env.nic ? `network interface ${env.nic.name}` : `environment ${env.name}`,
        },
      });
    }
  }

  /**
   * Where the addresses of a subnet that no interface or environment holds as
   * written are judged. A subnet with Dynamic interfaces (or scale sets, whose
   * instances' addresses are not known either) takes such an address as one of
   * them: judged with their network interface NSG when they all have the same
   * (or none), and not judged when they differ, since the spec does not say
   * which one holds it. Without them, the subnet's NSG alone judges.
   */
  subnetPlace(subnet: SubnetInfo): Place | { readonly reason: string } {
    let place = this.subnets.get(subnet);
    if (!place) {
      const holders = [...this.network.nics.values()].filter((nic) =>
        nic.ipConfigurations.some(
          (c) => c.subnet.id === subnet.id && (c.dynamic === true || nic.scaleSet !== undefined),
        ),
      );
      const nsgs = new Set(holders.map((nic) => nic.nsg));
      const names = holders.map((nic) => nic.name).join(", ");
      const [first] = holders;
      place =
        first === undefined
          ? { vnet: subnet.vnet, subnet, label: `subnet ${subnet.id}` }
          : nsgs.size === 1
            ? {
                vnet: subnet.vnet,
                subnet,
                nic: first,
                label: `a Dynamic interface of subnet ${subnet.id} (${names})`,
              }
            : {
                reason: `local addresses in subnet ${subnet.id}, whose Dynamic interfaces (${names}) have different NSGs: which one holds an address is not in the spec`,
              };
      this.subnets.set(subnet, place);
    }
    return place;
  }

  private readonly subnets = new Map<SubnetInfo, Place | { readonly reason: string }>();

  find(address: IpAddress): Place | { readonly reason: string } | undefined {
    const found = this.exact.get(formatIpAddress(address));
    if (found) return found.place;
    const subnet = this.network.subnets.find((s) => s.addresses.has(address));
    return subnet ? this.subnetPlace(subnet) : undefined;
  }
}

/** Judges flows against one network, with its NSGs resolved and compiled once. */
export class FlowJudge {
  private readonly resolver: NsgResolver;
  private readonly compiled = new CompiledNsgs();
  private readonly places: Places;
  private readonly nsgNames = new Map<string, string>();

  /** True when a rule of the network names source ports, so that classes must be kept apart by them. */
  readonly bySourcePort: boolean;

  constructor(readonly network: Network) {
    this.bySourcePort = judgesBySourcePort(network);
    this.resolver = new NsgResolver(network);
    this.places = new Places(network);
    for (const name of network.nsgs.keys()) this.nsgNames.set(name.toLowerCase(), name);
  }

  /** The spec's name of an NSG named in the logs (any case), if it has one. */
  nsgNamed(name: string): string | undefined {
    return this.nsgNames.get(name.toLowerCase());
  }

  /** The packet and where it is judged, or why it cannot be. */
  locate(
    traffic: FlowClass,
  ): { ok: true; packet: Packet; place: Place } | { ok: false; reason: string } {
    if (this.bySourcePort && traffic.sourcePort === undefined)
      throw new Error(
        "a rule of the spec names source ports: fold the logs by source port (judgesBySourcePort)",
      );
    const source = parseIpAddress(traffic.source);
    const destination = parseIpAddress(traffic.destination);
    if (!source || !destination || source.family !== destination.family)
      return { ok: false, reason: "addresses that are not one family's" };
    const protocol = flowProtocol(traffic.protocol, source.family);
    if (!protocol)
      return { ok: false, reason: `protocol ${traffic.protocol}, which NSG rules do not name` };
    const local = traffic.direction === "Inbound" ? destination : source;
    const place = this.places.find(local);
    if (!place)
      return {
        ok: false,
        reason: `${traffic.direction === "Inbound" ? "destination" : "source"} addresses in no subnet of the spec`,
      };
    if ("reason" in place) return { ok: false, reason: place.reason };
    return {
      ok: true,
      packet: {
        protocol,
        source,
        // Folded without source ports only for specs whose rules name none: any port judges alike.
        sourcePort: traffic.sourcePort ?? 0,
        destination,
        destinationPort: traffic.destinationPort,
      },
      place,
    };
  }

  /**
   * The NSGs of the place in Azure's order (inbound the subnet's then the
   * interface's, outbound the reverse), each by first match, up to the first
   * Deny: nsg-chain.ts's evaluation, without the trace's text, which replay
   * does not show and would pay for on every flow.
   */
  judge(packet: Packet, place: Place, direction: Direction): Judgement {
    const order =
      direction === "Inbound"
        ? [place.subnet.nsg, place.nic?.nsg]
        : [place.nic?.nsg, place.subnet.nsg];
    const evaluations: StageVerdict[] = [];
    for (const nsg of order) {
      if (nsg === undefined) continue;
      const rule = this.compiled.firstMatch(
        this.resolver.resolve(nsg, place.vnet),
        direction,
        packet,
      );
      evaluations.push({ nsg, rule: this.nameOf(rule.rule), access: rule.access });
      if (rule.access === "Deny") break;
    }
    const last = evaluations[evaluations.length - 1];
    return {
      access: last?.access ?? "Allow",
      ...(last ? { nsg: last.nsg, rule: last.rule } : {}),
      at: place.label,
      evaluations,
    };
  }

  private readonly names = new WeakMap<ParsedRule, string>();

  /** `securityRules/NAME` or `defaultSecurityRules/NAME`, made once per rule. */
  private nameOf(rule: ParsedRule): string {
    let name = this.names.get(rule);
    if (name === undefined) {
      name = watcherRuleName(rule);
      this.names.set(rule, name);
    }
    return name;
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
      rule: this.nameOf(rule.rule),
    };
  }
}

/**
 * Whether some rule of the network names source ports (other than all of
 * them): then flows of one class may be judged differently, and replay must
 * fold the logs by source port too.
 */
export function judgesBySourcePort(network: Network): boolean {
  for (const nsg of network.nsgs.values())
    for (const rule of [...nsg.inbound, ...nsg.outbound])
      if (!rule.sourcePorts.some((r) => r.first === 0 && r.last === 65535)) return true;
  return false;
}

/** `securityRules/NAME` for `UserRule_NAME`, `defaultSecurityRules/NAME` for `DefaultRule_NAME`; undefined for any other name. */
export function watcherNameOfLogged(rule: string): string | undefined {
  if (rule.startsWith("UserRule_")) return `securityRules/${rule.slice("UserRule_".length)}`;
  if (rule.startsWith("DefaultRule_"))
    return `defaultSecurityRules/${rule.slice("DefaultRule_".length)}`;
  return undefined;
}

const sameRule = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const DENIED_WITHOUT_RULE =
  "logged denied with no rule (VNet flow logs' encryption denials), which no NSG decides";

/** Judges every class against the spec, and the proposed spec when given, and sums up. */
export function replay(
  classes: readonly FlowClass[],
  tuples: number,
  current: Network,
  proposed?: Network,
): ReplayReport {
  return replayReport(
    judgeClasses(classes, current, proposed),
    tuples,
    current,
    proposed !== undefined,
  );
}

/**
 * The judgements of each class where it was captured, by the spec and the
 * proposed spec. Classes folded without source ports can be judged only by
 * specs whose rules do not name source ports (see judgesBySourcePort).
 */
export function judgeClasses(
  classes: readonly FlowClass[],
  current: Network,
  proposed?: Network,
): JudgedClass[] {
  const judge = new FlowJudge(current);
  const proposedJudge = proposed ? new FlowJudge(proposed) : undefined;
  return classes.map((traffic) => {
    const located = judge.locate(traffic);
    if (!located.ok) return { traffic };
    const judged = {
      traffic,
      current: judge.judge(located.packet, located.place, traffic.direction),
    };
    if (!proposedJudge) return judged;
    const there = proposedJudge.locate(traffic);
    return there.ok
      ? { ...judged, proposed: proposedJudge.judge(there.packet, there.place, traffic.direction) }
      : { ...judged, proposedNotJudged: there.reason };
  });
}

/**
 * The report of judged flows: disagreements with the logs, what the proposed
 * spec changes, rule hits, and what maps to nothing. Why a flow was not judged
 * is found again here, so that judgements made by SQL get the same reasons.
 */
export function replayReport(
  judged: readonly JudgedClass[],
  tuples: number,
  current: Network,
  withProposed: boolean,
): ReplayReport {
  const judge = new FlowJudge(current);
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
  const noteNotJudged = (reason: string, traffic: FlowClass) => {
    const entry = notJudged.get(reason) ?? { reason, flows: 0, tuples: 0 };
    entry.flows += traffic.flows;
    entry.tuples += traffic.tuples;
    notJudged.set(reason, entry);
  };

  const replayed: ReplayedClass[] = judged.map(
    ({ traffic, current: spec, proposed, proposedNotJudged }) => {
      const logged: Access = traffic.logged.some((v) => v.access === "Deny") ? "Deny" : "Allow";
      if (!spec) {
        const located = judge.locate(traffic);
        const reason = located.ok ? "not judged by the SQL engine" : located.reason;
        noteNotJudged(reason, traffic);
        return { traffic, logged, notJudged: reason, disagreements: [] };
      }
      for (const e of spec.evaluations) {
        met.add(e.nsg);
        const hit = hitFor(hits, current, e.nsg, traffic.direction, e.rule);
        if (hit) {
          hit.flows += traffic.flows;
          hit.tuples += traffic.tuples;
        }
      }
      // VNet flow logs deny for encryption with no rule named: no NSG decided it, so it is no disagreement.
      const deniedWithoutRule =
        logged === "Deny" && traffic.logged.every((v) => v.access === "Allow" || v.rule === "");
      if (deniedWithoutRule) noteNotJudged(DENIED_WITHOUT_RULE, traffic);
      const disagreements = deniedWithoutRule
        ? []
        : compare(traffic, logged, spec, judge, noteUnmapped);
      let problem: string | undefined;
      if (withProposed && !proposed) {
        problem = `proposed spec: ${proposedNotJudged ?? "not judged"}`;
        noteNotJudged(problem, traffic);
      }
      return {
        traffic,
        logged,
        current: spec,
        ...(proposed ? { proposed } : {}),
        ...(problem ? { notJudged: problem } : {}),
        disagreements,
      };
    },
  );

  // In time order, whichever engine folded them and in whatever order the files came.
  replayed.sort(
    (a, b) =>
      a.traffic.firstSeen - b.traffic.firstSeen ||
      (classKey(a.traffic) < classKey(b.traffic) ? -1 : 1),
  );
  const ruleHits: RuleHits[] = [];
  for (const name of [...met].sort())
    for (const direction of ["Inbound", "Outbound"] as const)
      for (const rule of rulesOf(current, name, direction)) {
        const hit = hitFor(hits, current, name, direction, watcherName(rule));
        if (hit) ruleHits.push(hit);
      }
  const byTime = (a: ReplayedClass, b: ReplayedClass) => b.traffic.lastSeen - a.traffic.lastSeen;
  return {
    tuples,
    classes: replayed,
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
  traffic: FlowClass,
  logged: Access,
  spec: Judgement,
  judge: FlowJudge,
  noteUnmapped: (kind: "nsg" | "rule", name: string, tuples: number) => void,
): string[] {
  const out: string[] = [];
  if (logged !== spec.access)
    out.push(
      `logged ${logged}, the spec ${spec.access === "Allow" ? "allows" : "denies"} it${spec.rule ? ` (${spec.rule} of ${spec.nsg})` : " (no NSG applies)"}`,
    );
  for (const verdict of traffic.logged) {
    if (verdict.rule === "") continue;
    const name = watcherNameOfLogged(verdict.rule);
    if (!name) {
      noteUnmapped("rule", verdict.rule, traffic.tuples);
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
      noteUnmapped("nsg", verdict.logger, traffic.tuples);
      continue;
    }
    const evaluation = spec.evaluations.find((e) => e.nsg === nsg);
    const located = judge.locate(traffic);
    if (!located.ok) continue;
    const specVerdict = evaluation
      ? { access: evaluation.access, rule: evaluation.rule }
      : judge.alone(nsg, located.packet, located.place, traffic.direction);
    const applied = [located.place.subnet.nsg, located.place.nic?.nsg].includes(nsg);
    const where = applied ? "" : `, and the spec does not apply ${nsg} at ${spec.at}`;
    if (!sameRule(specVerdict.rule, name) || specVerdict.access !== verdict.access || where)
      out.push(
        `${nsg} logged ${verdict.access} by ${verdict.rule}; the spec's ${nsg} gives ${specVerdict.access} by ${specVerdict.rule}${where}`,
      );
  }
  return out;
}
