import { hostAt } from "../engine/endpoint.js";
import { NsgResolver, type ResolvedRule, rulesFor } from "../engine/resolve.js";
import { type Diagnostic, error, info, type ValuePath, warning } from "../model/diagnostic.js";
import {
  AZURE_HOST_ADDRESS,
  type EnvironmentInfo,
  type Network,
  type NsgInfo,
} from "../model/network.js";
import type { Direction } from "../model/rule.js";
import { watcherRuleName } from "../model/rule.js";
import { hostAddresses, reservedAddresses } from "../model/subnet-hosts.js";
import type { IpAddress } from "../net/address.js";
import { displayAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { formatPortRange, type PortRange } from "../net/ports.js";
import { FLOW_PROTOCOLS, type FlowProtocol, hasPorts } from "../net/protocol.js";
import { applicationGatewayFindings } from "./application-gateway-lint.js";
import { bastionFindings } from "./bastion-lint.js";
import { closingDenies } from "./deny-all.js";
import { adminRuleFindings, endpointExposure } from "./exposure-lint.js";
import { ALL_IPV4, ALL_IPV6 } from "./fields.js";
import { loadBalancerFindings } from "./load-balancer-lint.js";
import { hasAssociationTargets, unassociatedNsgFinding } from "./nsg-association-lint.js";
import { outboundFindings } from "./outbound-lint.js";
import { PacketSet } from "./packet-set.js";
import type { RuleEffect } from "./policy.js";
import { privateEndpointFindings } from "./private-endpoint-lint.js";
import type { ReachAnalyzer } from "./reach.js";
import { formatSummaryLine, summarize } from "./summary.js";

const single = (a: IpAddress) => AddressSet.ofAddresses([a]);
const ports = (...list: [number, number][]): PortRange[] =>
  list.map(([first, last]) => ({ first, last }));
const portsText = (list: readonly PortRange[]) => list.map(formatPortRange).join(",");

/**
 * Findings about a deployment's NSGs, each a diagnostic placed on the rule or
 * environment it is about: rules that never or needlessly decide, rules that
 * overlap with opposite access (the deny-all pattern aside: deny-all.ts),
 * administrative ports the Internet reaches on each endpoint's effective path
 * (exposure-lint.ts), NSGs associated with nothing (nsg-association-lint.ts),
 * crowded priorities, addresses of nothing known, and what App Service
 * Environments need (their own calls to themselves, management traffic).
 */
export function lint(
  analyzer: ReachAnalyzer,
  needed?: PacketSet,
  /** Called after each NSG: how many are done, of how many. */
  progress?: (done: number, total: number) => void,
): Diagnostic[] {
  const steps = lintSteps(analyzer, needed);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    progress?.(step.value.done, step.value.total);
  }
}

/**
 * lint's work one NSG at a time: yields after each NSG how many are done, of
 * how many, and returns the findings. A caller that lets its task end between
 * steps (the CLI) lets the collector free what each NSG's checks made: V8
 * keeps every object a WeakRef was made for or read in (the diagrams' unique
 * table does both) until the task ends, so one synchronous run of a large
 * estate holds every diagram it ever made.
 */
export function* lintSteps(
  analyzer: ReachAnalyzer,
  needed?: PacketSet,
): Generator<{ done: number; total: number }, Diagnostic[]> {
  const run = new LintRun(analyzer, needed);
  const perNsg: Diagnostic[][] = [];
  for (const nsg of run.nsgs) {
    perNsg.push(run.nsgFindings(nsg));
    yield { done: perNsg.length, total: run.nsgs.length };
  }
  return run.findings(perNsg);
}

/**
 * One lint of a network in its three parts: what is found before any NSG
 * (each endpoint's exposure), each NSG's own findings (independent of one
 * another, so that threads may share them out: threads/lint.ts), and what is
 * found after (environments, load balancers, gateways, outbound, Bastion,
 * private endpoints).
 */
export class LintRun {
  readonly nsgs: readonly NsgInfo[];
  /** The rules (`ruleKey`) that let the Internet reach an endpoint's administrative port. */
  readonly causes: ReadonlySet<string>;
  private readonly leading: readonly Diagnostic[];
  private readonly resolver: NsgResolver;
  private readonly known: AddressSet;
  private readonly associable: boolean;

  /** `causes` as another thread's run found them: given, the endpoints' exposure is not worked out again. */
  constructor(
    readonly analyzer: ReachAnalyzer,
    readonly needed?: PacketSet,
    causes?: ReadonlySet<string>,
  ) {
    const network = analyzer.network;
    this.nsgs = [...network.nsgs.values()];
    this.resolver = new NsgResolver(network);
    this.known = knownAddresses(network);
    this.associable = hasAssociationTargets(network);
    if (causes) {
      this.causes = causes;
      this.leading = [];
    } else {
      const exposure = endpointExposure(analyzer);
      this.causes = exposure.causes;
      this.leading = exposure.findings;
    }
  }

  /** One NSG's findings, in each virtual network it is bound in and each direction. */
  nsgFindings(nsg: NsgInfo): Diagnostic[] {
    const analyzer = this.analyzer;
    const vnets = bindings(analyzer.network, nsg.name);
    if (vnets.length === 0 && this.associable) return [unassociatedNsgFinding(nsg)];
    const out: Diagnostic[] = [];
    for (const vnet of vnets.length > 0 ? vnets : [""]) {
      for (const direction of ["Inbound", "Outbound"] as const) {
        const rules = rulesFor(this.resolver.resolve(nsg.name, vnet), direction);
        const held = analyzer.holdsDecisions(nsg.name, vnet, direction);
        const effects = analyzer.nsgDecisions(nsg.name, vnet, direction).effects;
        const pathOf = (r: ResolvedRule) => nsg.rulePaths.get(r.rule.name) ?? nsg.path;
        const closing = closingDenies(effects);
        out.push(...ruleFindings(nsg.name, effects, pathOf, closing));
        out.push(...overlapFindings(nsg.name, rules, pathOf, closing));
        if (direction === "Inbound")
          out.push(...adminRuleFindings(nsg.name, effects, analyzer, pathOf, this.causes));
        if (direction === "Inbound" && this.needed && !this.needed.isEmpty())
          out.push(...broaderFindings(nsg.name, effects, analyzer, this.needed, pathOf));
        out.push(...crowdingFindings(nsg.name, rules, direction, pathOf));
        out.push(...unknownAddressFindings(nsg.name, rules, direction, this.known, pathOf));
        // Decisions made for these checks alone are not kept: a large estate's would not fit.
        if (!held) analyzer.releaseDecisions(nsg.name, vnet, direction);
      }
    }
    return out;
  }

  /** Every finding, in order: before the NSGs, each NSG's (`perNsg`, in `nsgs`' order), after; each once. */
  findings(perNsg: readonly (readonly Diagnostic[])[]): Diagnostic[] {
    const analyzer = this.analyzer;
    const network = analyzer.network;
    const found = new Map<string, Diagnostic>();
    const add = (list: Iterable<Diagnostic>) => {
      for (const d of list) {
        const key = `${d.code}|${d.path.join("/")}|${d.message}`;
        if (!found.has(key)) found.set(key, d);
      }
    };
    add(this.leading);
    for (const list of perNsg) add(list);
    for (const env of network.environments.values()) add(environmentFindings(env, analyzer));
    add(loadBalancerFindings(analyzer));
    add(applicationGatewayFindings(analyzer));
    add(outboundFindings(network));
    add(bastionFindings(analyzer));
    add(privateEndpointFindings(network));
    return [...found.values()];
  }
}

function bindings(network: Network, nsg: string): string[] {
  const vnets = new Set<string>();
  for (const s of network.subnets) if (s.nsg === nsg) vnets.add(s.vnet);
  for (const n of network.nics.values()) if (n.nsg === nsg) vnets.add(n.vnet);
  return [...vnets].sort();
}

const names = (rules: readonly ResolvedRule[]) =>
  rules.map((r) => watcherRuleName(r.rule)).join(", ");

/**
 * Shadowed and redundant rules. A rule that decides nothing is covered by
 * the rules before it (named: the fewest found in priority order). A rule
 * that decides packets the rules after it would decide the same way can go.
 * A closing deny (deny-all.ts) that only repeats the default deny is no note:
 * it is the recommended pattern.
 */
function ruleFindings(
  nsg: string,
  effects: readonly RuleEffect[],
  pathOf: (r: ResolvedRule) => ValuePath,
  closing: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  // after[i]: what the rules from i on allow, on their own (first match).
  const after: PacketSet[] = new Array(effects.length + 1);
  after[effects.length] = PacketSet.empty;
  for (let i = effects.length - 1; i >= 0; i--) {
    const e = effects[i] as RuleEffect;
    const next = after[i + 1] as PacketSet;
    after[i] = e.rule.access === "Allow" ? next.union(e.matches) : next.minus(e.matches);
  }
  effects.forEach((e, i) => {
    if (e.rule.rule.isDefault) return;
    const label = `${nsg}: ${watcherRuleName(e.rule.rule)} (${e.rule.priority})`;
    if (e.matches.isEmpty()) {
      // An NSG bound to no virtual network does not know what VirtualNetwork holds: unknown, not empty.
      if (namesUnknownVirtualNetwork(e.rule)) return;
      out.push(
        warning(
          "EmptyRule",
          `${label} matches no packet at all`,
          pathOf(e.rule),
          "its source and destination have no address family in common: correct the side with the wrong family, or remove the rule",
        ),
      );
      return;
    }
    if (e.decides.isEmpty()) {
      const cover = covering(effects.slice(0, i), e.matches);
      const opposite = cover.filter((c) => c.access !== e.rule.access);
      if (opposite.length === 0)
        out.push(
          warning(
            "RedundantRule",
            `${label} never decides a packet: ${names(cover)} before it already ${e.rule.access.toLowerCase()} everything it matches; removing it changes nothing`,
            pathOf(e.rule),
            "remove it, or narrow the rules before it if it is the one meant to decide",
          ),
        );
      else
        out.push(
          warning(
            "ShadowedRule",
            `${label} never takes effect: ${names(cover)} decide everything it matches first, ${opposite.map((c) => `${watcherRuleName(c.rule)} with ${c.access}`).join(", ")} where it says ${e.rule.access}`,
            pathOf(e.rule),
            "raise its priority (a lower number) or narrow the rules before it",
          ),
        );
      return;
    }
    const rest = after[i + 1] as PacketSet;
    const same =
      e.rule.access === "Allow" ? e.decides.isSubsetOf(rest) : e.decides.intersect(rest).isEmpty();
    if (!same) return;
    const later = covering(effects.slice(i + 1), e.decides);
    const onlyDefaults = later.every((r) => r.rule.isDefault);
    const message = `${label} is redundant: ${names(later)} after it decide the same packets the same way; removing it changes nothing`;
    // An explicit deny that only repeats the default deny is often there on purpose, to be seen in logs.
    if (e.rule.access === "Deny" && onlyDefaults) {
      if (!closing.has(e.rule.rule.name))
        out.push(
          info(
            "RedundantRule",
            message,
            pathOf(e.rule),
            "keep it if it is there to be seen in flow logs; else remove it",
          ),
        );
    } else
      out.push(
        warning(
          "RedundantRule",
          message,
          pathOf(e.rule),
          "remove it, or narrow the rules after it if it is the one meant to decide",
        ),
      );
  });
  return out;
}

/** A rule that names VirtualNetwork where the NSG is bound to no virtual network: its addresses are not known. */
function namesUnknownVirtualNetwork(rule: ResolvedRule): boolean {
  const side = (spec: ResolvedRule["rule"]["source"], set: AddressSet) =>
    spec.kind === "tag" && spec.tag === "VirtualNetwork" && set.isEmpty();
  return side(rule.rule.source, rule.source) || side(rule.rule.destination, rule.destination);
}

/** The rules, in order, whose matches together cover `target`: each taken only if it covers something new. */
function covering(effects: readonly RuleEffect[], target: PacketSet): ResolvedRule[] {
  const taken: ResolvedRule[] = [];
  let left = target;
  for (const e of effects) {
    if (left.isEmpty()) break;
    const part = e.matches.intersect(left);
    if (part.isEmpty()) continue;
    taken.push(e.rule);
    left = left.minus(part);
  }
  return taken;
}

/** A rule's match as a box whose two address sides are cut to the families they can meet in. */
interface Box {
  readonly rule: ResolvedRule;
  readonly protocols: ReadonlySet<FlowProtocol>;
  readonly source: AddressSet;
  readonly destination: AddressSet;
  readonly ports: readonly PortRange[];
  readonly sourcePorts: readonly PortRange[];
  readonly portless: boolean;
}

function boxOf(rule: ResolvedRule): Box {
  const protocols = new Set<FlowProtocol>(rule.protocol === "*" ? FLOW_PROTOCOLS : [rule.protocol]);
  const families = (s: AddressSet) =>
    s.intersect(ALL_IPV4).isEmpty()
      ? ALL_IPV6
      : s.intersect(ALL_IPV6).isEmpty()
        ? ALL_IPV4
        : AddressSet.all;
  return {
    rule,
    protocols,
    source: rule.source.intersect(families(rule.destination)),
    destination: rule.destination.intersect(families(rule.source)),
    ports: rule.destinationPorts,
    sourcePorts: rule.sourcePorts,
    portless: [...protocols].some((p) => !hasPorts(p)),
  };
}

const rangesMeet = (a: readonly PortRange[], b: readonly PortRange[]) =>
  a.some((x) => b.some((y) => x.first <= y.last && y.first <= x.last));
const rangesWithin = (a: readonly PortRange[], b: readonly PortRange[]) =>
  a.every((x) => b.some((y) => y.first <= x.first && x.last <= y.last));

function boxesMeet(a: Box, b: Box): boolean {
  const common = [...a.protocols].filter((p) => b.protocols.has(p));
  if (common.length === 0 || !a.source.overlaps(b.source) || !a.destination.overlaps(b.destination))
    return false;
  // Ports matter only to TCP and UDP: a shared portless protocol meets whatever the ports.
  if (common.some((p) => !hasPorts(p))) return true;
  return rangesMeet(a.ports, b.ports) && rangesMeet(a.sourcePorts, b.sourcePorts);
}

function boxWithin(a: Box, b: Box): boolean {
  if (![...a.protocols].every((p) => b.protocols.has(p))) return false;
  if (!a.source.isSubsetOf(b.source) || !a.destination.isSubsetOf(b.destination)) return false;
  if (![...a.protocols].some((p) => hasPorts(p))) return true;
  return rangesWithin(a.ports, b.ports) && rangesWithin(a.sourcePorts, b.sourcePorts);
}

/**
 * Al-Shaer's relations between custom rules of opposite access: a later rule
 * that generalizes an earlier one (the earlier is its exception, often on
 * purpose), and rules that overlap without either containing the other (the
 * order alone decides the packets in both). A closing deny (deny-all.ts) is
 * meant to have the allows before it as exceptions: neither is said of it.
 */
function overlapFindings(
  nsg: string,
  rules: readonly ResolvedRule[],
  pathOf: (r: ResolvedRule) => ValuePath,
  closing: ReadonlySet<string>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const boxes = rules.filter((r) => !r.rule.isDefault).map(boxOf);
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i] as Box;
    for (let j = i + 1; j < boxes.length; j++) {
      const b = boxes[j] as Box;
      if (a.rule.access === b.rule.access || !boxesMeet(a, b)) continue;
      const [ra, rb] = [watcherRuleName(a.rule.rule), watcherRuleName(b.rule.rule)];
      if (boxWithin(b, a)) continue; // b is shadowed by a: reported as such
      if (b.rule.access === "Deny" && closing.has(b.rule.rule.name)) continue;
      if (boxWithin(a, b))
        out.push(
          info(
            "GeneralizingRule",
            `${nsg}: ${rb} (${b.rule.priority}, ${b.rule.access}) generalizes ${ra} (${a.rule.priority}, ${a.rule.access}): it matches everything ${ra} does, which is its exception`,
            pathOf(b.rule),
            "nothing to do if the exception is meant; else narrow one of them",
          ),
        );
      else
        out.push(
          warning(
            "CorrelatedRules",
            `${nsg}: ${ra} (${a.rule.priority}, ${a.rule.access}) and ${rb} (${b.rule.priority}, ${b.rule.access}) overlap with opposite access; only their order decides the packets they share`,
            pathOf(b.rule),
            "make the overlap explicit: narrow one of them, or check that the order is what you mean",
          ),
        );
    }
  }
  return out;
}

/**
 * Allow rules that let in more than the spec's claims need, judged only on
 * hosts that some claim is about, one by one or as a subnet, CIDR or ASG (a
 * rule toward hosts no claim covers is left alone), with what the platform
 * needs counted as needed.
 */
function broaderFindings(
  nsg: string,
  effects: readonly RuleEffect[],
  analyzer: ReachAnalyzer,
  needed: PacketSet,
  pathOf: (r: ResolvedRule) => ValuePath,
): Diagnostic[] {
  const network = analyzer.network;
  let covered = AddressSet.empty;
  let platform = PacketSet.empty;
  for (const env of network.environments.values()) {
    const host = hostAt(network, env.privateAddress);
    if (host.subnet?.nsg !== nsg && host.nic?.nsg !== nsg) continue;
    if (needed.intersect(PacketSet.box({ destination: single(env.privateAddress) })).isEmpty())
      continue;
    covered = covered.union(single(env.privateAddress));
    platform = platform.union(platformNeeds(env, analyzer));
  }
  // Hosts claims name by subnet, CIDR or ASG as well as one by one: each
  // address a claim needs to reach that this NSG guards, on a subnet or a NIC.
  const claimed = needed.destinations();
  for (const subnet of network.subnets)
    if (subnet.nsg === nsg) covered = covered.union(hostAddresses(subnet).intersect(claimed));
  for (const nic of network.nics.values())
    if (nic.nsg === nsg)
      covered = covered.union(
        AddressSet.ofAddresses(nic.ipConfigurations.map((c) => c.address)).intersect(claimed),
      );
  if (covered.isEmpty()) return [];
  // Health probes reach every host; Azure's reserved addresses send nothing, so a
  // rule naming a whole subnet as its source is no broader for including them.
  platform = platform.union(
    PacketSet.box({ source: AddressSet.of([AZURE_HOST_ADDRESS]), destination: covered }),
  );
  let reserved = AddressSet.empty;
  for (const subnet of network.subnets)
    reserved = reserved.union(reservedAddresses(subnet.prefixes));
  const noSender = PacketSet.box({ source: reserved });
  const out: Diagnostic[] = [];
  for (const e of effects) {
    if (e.rule.access !== "Allow" || e.rule.rule.isDefault) continue;
    const judged = e.decides.intersect(PacketSet.box({ destination: covered }));
    const excess = judged.minus(needed).minus(platform).minus(noSender);
    if (judged.isEmpty() || excess.isEmpty()) continue;
    const line = summarize(excess, 1, network.addressNames).lines[0];
    out.push(
      info(
        "BroaderThanNeeded",
        `${nsg}: ${watcherRuleName(e.rule.rule)} lets in more than the spec's claims need, such as ${line ? formatSummaryLine(line) : "other traffic"}`,
        pathOf(e.rule),
        "narrow it, or state the traffic it is for as an assertion",
      ),
    );
  }
  return out;
}

/**
 * The traffic the platform needs to reach an environment: health probes from
 * 168.63.129.16 on whatever port a load balancer uses, and what each kind of
 * App Service Environment needs.
 */
function platformNeeds(env: EnvironmentInfo, analyzer: ReachAnalyzer): PacketSet {
  const probes = PacketSet.box({
    source: AddressSet.of([AZURE_HOST_ADDRESS]),
    destination: single(env.privateAddress),
  });
  return probes.union(kindNeeds(env, analyzer));
}

function kindNeeds(env: EnvironmentInfo, analyzer: ReachAnalyzer): PacketSet {
  const to = single(env.privateAddress);
  const box = (
    source: AddressSet,
    portList: PortRange[],
    protocols: readonly FlowProtocol[] = ["Tcp"],
  ) => PacketSet.box({ protocols, source, destination: to, destinationPorts: portList });
  const loadBalancer = AddressSet.of([AZURE_HOST_ADDRESS]);
  switch (env.kind) {
    case "AppServiceEnvironmentV1":
      return box(analyzer.outside, ports([454, 455]));
    case "AppServiceEnvironmentV2": {
      const tag = AddressSet.of(
        analyzer.network.serviceTags.prefixes("AppServiceManagement") ?? [],
      );
      return box(tag, ports([454, 455]))
        .union(box(loadBalancer, ports([16001, 16001])))
        .union(box(env.subnet.addresses, ports([0, 65535]), FLOW_PROTOCOLS));
    }
    case "AppServiceEnvironmentV3":
      return box(loadBalancer, ports([80, 80]));
    default:
      return PacketSet.empty;
  }
}

/** Consecutive priorities leave no room to insert a rule between two others. */
function crowdingFindings(
  nsg: string,
  rules: readonly ResolvedRule[],
  direction: Direction,
  pathOf: (r: ResolvedRule) => ValuePath,
): Diagnostic[] {
  const custom = rules.filter((r) => !r.rule.isDefault);
  const out: Diagnostic[] = [];
  for (let i = 1; i < custom.length; i++) {
    const [a, b] = [custom[i - 1] as ResolvedRule, custom[i] as ResolvedRule];
    if (b.priority - a.priority === 1)
      out.push(
        info(
          "PriorityCrowding",
          `${nsg}: no ${direction.toLowerCase()} priority is free between ${a.rule.name} (${a.priority}) and ${b.rule.name} (${b.priority}) to insert a rule`,
          pathOf(b),
          "leave gaps (100, 200, ...) so rules can be added in between",
        ),
      );
  }
  return out;
}

/** Every address the spec knows: networks, connected spaces, environments' and NICs' addresses. */
function knownAddresses(network: Network): AddressSet {
  let known = AddressSet.of([AZURE_HOST_ADDRESS]);
  for (const vnet of network.vnets.values()) known = known.union(vnet.virtualNetworkTag);
  for (const env of network.environments.values())
    for (const a of [env.privateAddress, env.publicAddress, env.outboundAddress])
      if (a) known = known.union(single(a));
  for (const nic of network.nics.values())
    for (const c of nic.ipConfigurations)
      if (c.publicAddress) known = known.union(single(c.publicAddress));
  return known;
}

/** A rule that names, as the far end of its traffic, addresses of nothing the spec knows. */
function unknownAddressFindings(
  nsg: string,
  rules: readonly ResolvedRule[],
  direction: Direction,
  known: AddressSet,
  pathOf: (r: ResolvedRule) => ValuePath,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of rules) {
    const far = direction === "Inbound" ? r.rule.source : r.rule.destination;
    if (r.rule.isDefault || far.kind !== "prefixes") continue;
    const set = direction === "Inbound" ? r.source : r.destination;
    if (set.overlaps(known)) continue;
    out.push(
      info(
        "AddressOfNoKnownEnvironment",
        `${nsg}: ${watcherRuleName(r.rule)} names ${set}, the address of no environment, network interface or network in the spec`,
        pathOf(r),
        "declare the caller as an environment, or check the address for a typo",
      ),
    );
  }
  return out;
}

/**
 * What App Service Environments need of their NSGs: an external ASE's calls
 * to itself arrive from its own outbound address (the guide's "sometimes
 * overlooked" point), and the platform's management traffic must get in.
 */
function environmentFindings(env: EnvironmentInfo, analyzer: ReachAnalyzer): Diagnostic[] {
  const out: Diagnostic[] = [];
  const network = analyzer.network;
  const host = hostAt(network, env.privateAddress);
  const nsgNames = [host.subnet?.nsg, host.nic?.nsg].filter(Boolean).join(" and ");
  if (!nsgNames) return out;
  const isAse = env.kind.startsWith("AppServiceEnvironment");
  if (isAse && env.ingress === "External" && env.outboundAddress) {
    // The ports it serves: those its other callers reach it on, else HTTP and HTTPS.
    let served = PacketSet.empty;
    for (const other of network.environments.values()) {
      if (other.name === env.name) continue;
      served = served.union(analyzer.flow(hostAt(network, other.privateAddress), host).allowed);
    }
    const wanted = served.isEmpty() ? ports([80, 80], [443, 443]) : served.destinationPorts();
    const self = analyzer.flow(host, host);
    const missing = self.possible
      .intersect(PacketSet.box({ protocols: ["Tcp"], destinationPorts: wanted }))
      .minus(self.allowed);
    if (!missing.isEmpty())
      out.push(
        error(
          "AseSelfCallNotAllowed",
          `${env.name} calls itself through its outbound address ${displayAddress(env.outboundAddress)} (an Internet call), but ${nsgNames} does not let it in on ${portsText(missing.destinationPorts())}`,
          env.path,
          `add inbound rules allowing ${displayAddress(env.outboundAddress)} on those ports, as for its other callers`,
        ),
      );
  }
  const requirement = (label: string, source: AddressSet, portList: PortRange[]) => {
    const needed = PacketSet.box({
      protocols: ["Tcp"],
      source,
      destination: single(env.privateAddress),
      destinationPorts: portList,
    });
    const blocked = needed.minus(analyzer.inbound(host));
    if (blocked.isEmpty()) return;
    const line = summarize(blocked, 1, network.addressNames).lines[0];
    out.push(
      error(
        "AseManagementTrafficBlocked",
        `${env.name} (${env.kind}) needs ${label} on Tcp ${portsText(portList)}, but ${nsgNames} blocks ${line ? formatSummaryLine(line) : "some of it"}`,
        env.path,
        `the platform cannot manage the environment without it: allow ${label.replace(/^[a-z ]+ from /, "")} on Tcp ${portsText(portList)} above the rule that blocks it`,
      ),
    );
  };
  const family = env.privateAddress.family === 4 ? ALL_IPV4 : ALL_IPV6;
  const loadBalancer = AddressSet.of([AZURE_HOST_ADDRESS]);
  if (env.kind === "AppServiceEnvironmentV1")
    requirement(
      "management from the Internet",
      analyzer.outside.intersect(family),
      ports([454, 455]),
    );
  if (env.kind === "AppServiceEnvironmentV2") {
    const tag = network.serviceTags.prefixes("AppServiceManagement");
    if (tag)
      requirement(
        "management from AppServiceManagement",
        AddressSet.of(tag).intersect(family),
        ports([454, 455]),
      );
    else
      out.push(
        info(
          "AseManagementNotChecked",
          `${env.name}: management traffic from AppServiceManagement cannot be checked without that tag`,
          env.path,
          "name Azure's service-tags file in serviceTags",
        ),
      );
    requirement("health probes from AzureLoadBalancer", loadBalancer, ports([16001, 16001]));
  }
  if (env.kind === "AppServiceEnvironmentV3")
    requirement("health probes from AzureLoadBalancer", loadBalancer, ports([80, 80]));
  return out;
}
