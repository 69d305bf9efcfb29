import { type Diagnostic, error } from "../model/diagnostic.js";
import { LIMITS } from "../model/limits.js";
import type { EnvironmentInfo, Network, SubnetInfo } from "../model/network.js";
import type { NetworkSecurityGroup, SecurityRule, Topology } from "../model/types.js";
import { refName } from "../model/types.js";
import { formatIpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { formatPortRange, type PortRange } from "../net/ports.js";
import { formatPrefix } from "../net/prefix.js";
import type { Endpoint, Tier } from "./intent.js";

/** `seed`: one rule per caller and port, as the guide writes them; `compact`: fewest rules, callers merged. */
export type Style = "seed" | "compact";

export interface SynthOptions {
  readonly style: Style;
  /** Priority of the first rule, and the gap between rules. */
  readonly start: number;
  readonly step: number;
  /** Close each NSG with an explicit, logged deny of everything else. */
  readonly denyAll: boolean;
}

export const DEFAULT_OPTIONS: SynthOptions = {
  style: "compact",
  start: 100,
  step: 100,
  denyAll: false,
};

/** An NSG as synthesis leaves it: its rules, the subnets it applies to, the tiers it serves. */
export interface SynthesizedNsg {
  readonly name: string;
  readonly tiers: readonly string[];
  readonly subnets: readonly SubnetInfo[];
  readonly rules: readonly SecurityRule[];
  /** Whether it existed before (its rules were updated) or is new. */
  readonly existed: boolean;
  /** Whether keeping the old priorities was impossible, so every rule was renumbered. */
  readonly renumbered: boolean;
}

/** A rule before its priority is chosen; `end` rules close the list at fixed priorities. */
type Planned = Omit<SecurityRule, "priority"> & { readonly end?: number };

const PORT_NAMES: Record<number, string> = { 80: "HTTP", 443: "HTTPS" };

/**
 * Turns tiers into NSG rules: the platform rules each kind of environment
 * needs, the callers' rules (in the guide's style or merged), extra
 * allowances, and egress limits. Existing NSGs keep the priorities of rules
 * that stay, so an update changes as little as it can.
 */
export function synthesize(
  network: Network,
  topology: Topology,
  tiers: readonly Tier[],
  options: SynthOptions = DEFAULT_OPTIONS,
): { nsgs: SynthesizedNsg[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const placement = placeTiers(network, topology, tiers, diagnostics);
  const nsgs: SynthesizedNsg[] = [];
  for (const { tier, subnets, nsgName } of placement) {
    // A tier reached on private addresses gets rules aimed at its subnets: each an exception to the deny of the network below.
    const internal = tier.environments.some((e) => e.ingress === "Internal");
    const target: Endpoint | "*" = internal
      ? { addresses: subnetAddresses(subnets), text: "tier" }
      : "*";
    const planned = [
      ...platformRules(tier, subnets, network, options, diagnostics),
      ...callerRules(tier, options, target),
      ...allowRules(tier, options, target),
    ];
    if (internal) planned.push(...vnetRules(options));
    if (options.denyAll) planned.push(denyAll("Inbound", options));
    const outbound = tier.egress ? egressRules(tier, options) : [];
    const existing = topology.networkSecurityGroups.find(
      (n) => n.name.toLowerCase() === nsgName.toLowerCase(),
    );
    const oldPriorities = new Map(
      (existing?.securityRules ?? []).map((r) => [
        `${r.direction.toLowerCase()}|${r.name.toLowerCase()}`,
        r.priority,
      ]),
    );
    const inboundRules = allocate(planned, "Inbound", oldPriorities, options);
    const outboundRules = allocate(outbound, "Outbound", oldPriorities, options);
    // A rule that stays keeps the words its author gave it.
    const oldDescriptions = new Map(
      (existing?.securityRules ?? []).map((r) => [
        `${r.direction.toLowerCase()}|${r.name.toLowerCase()}`,
        r.description,
      ]),
    );
    const rules = [...inboundRules.rules, ...outboundRules.rules].map((r) => {
      const description = oldDescriptions.get(
        `${r.direction.toLowerCase()}|${r.name.toLowerCase()}`,
      );
      return description === undefined ? r : { ...r, description };
    });
    if (rules.length > LIMITS.rulesPerNsg)
      diagnostics.push(
        error(
          "SynthesisImpossible",
          `tier ${tier.name} needs ${rules.length} rules in ${nsgName}; an NSG holds at most ${LIMITS.rulesPerNsg}`,
          tier.path,
        ),
      );
    nsgs.push({
      name: existing?.name ?? nsgName,
      tiers: [tier.name],
      subnets,
      rules,
      existed: existing !== undefined,
      renumbered: inboundRules.renumbered || outboundRules.renumbered,
    });
  }
  return { nsgs, diagnostics };
}

/**
 * Which subnets each tier's NSG goes on, and its name: the NSG already on
 * them, or `<tier>-nsg`. An NSG applies to a whole subnet, so two tiers in one
 * subnet, or an NSG that also serves something outside the tier, cannot be
 * synthesized without weakening one of them.
 */
function placeTiers(
  network: Network,
  topology: Topology,
  tiers: readonly Tier[],
  diagnostics: Diagnostic[],
): { tier: Tier; subnets: SubnetInfo[]; nsgName: string }[] {
  const owner = new Map<string, string>();
  const placed: { tier: Tier; subnets: SubnetInfo[]; nsgName: string }[] = [];
  for (const tier of tiers) {
    const subnets = [...new Map(tier.environments.map((e) => [e.subnet.id, e.subnet])).values()];
    let ok = true;
    for (const subnet of subnets) {
      const other = owner.get(subnet.id);
      if (other && other !== tier.name) {
        diagnostics.push(
          error(
            "SynthesisImpossible",
            `tiers ${other} and ${tier.name} share subnet ${subnet.id}: an NSG applies to the whole subnet, so it cannot admit different callers to each`,
            tier.path,
            "place the tiers in separate subnets, or merge them into one tier",
          ),
        );
        ok = false;
      }
      owner.set(subnet.id, tier.name);
    }
    const existing = [
      ...new Set(subnets.map((s) => s.nsg).filter((n): n is string => n !== undefined)),
    ];
    if (existing.length > 1) {
      diagnostics.push(
        error(
          "SynthesisImpossible",
          `tier ${tier.name}'s subnets carry different NSGs (${existing.join(", ")}); give them one`,
          tier.path,
        ),
      );
      ok = false;
    }
    const nsgName = existing[0] ?? `${tier.name}-nsg`;
    const elsewhere = [
      ...network.subnets
        .filter((s) => s.nsg === nsgName && !subnets.includes(s))
        .map((s) => `subnet ${s.id}`),
      ...[...network.nics.values()]
        .filter((n) => n.nsg === nsgName)
        .map((n) => `network interface ${n.name}`),
    ];
    if (existing[0] && elsewhere.length > 0) {
      diagnostics.push(
        error(
          "SynthesisImpossible",
          `NSG ${nsgName} of tier ${tier.name} also applies to ${elsewhere.join(", ")}; rewriting it would change their traffic too`,
          tier.path,
        ),
      );
      ok = false;
    }
    if (!ok) continue;
    // The NSG must not be one that topology declares for something else under another spelling.
    const declared = topology.networkSecurityGroups.find(
      (n) => n.name.toLowerCase() === nsgName.toLowerCase(),
    );
    placed.push({ tier, subnets, nsgName: declared ? refName(declared.name) : nsgName });
  }
  return placed;
}

/** What a rule says, sides as endpoints; the rest defaults to an inbound TCP allow from any source port. */
type RuleInput = Partial<Omit<Planned, "name" | "protocol">> & {
  readonly name: string;
  readonly protocol?: string;
  readonly source: Endpoint | "*";
  readonly destination: Endpoint | "*";
};

function rule(input: RuleInput): Planned {
  const { source, destination, ...rest } = input;
  const portsGiven =
    rest.destinationPortRange !== undefined || rest.destinationPortRanges !== undefined;
  return {
    protocol: rest.protocol ?? "Tcp",
    access: rest.access ?? "Allow",
    direction: rest.direction ?? "Inbound",
    sourcePortRange: "*",
    ...rest,
    ...address("source", source),
    ...address("destination", destination),
    ...(portsGiven ? {} : { destinationPortRange: "*" }),
  };
}

/** A rule side as ARM fields: a tag, one prefix, or a list of them (the augmented form). */
function address(side: "source" | "destination", endpoint: Endpoint | "*"): Partial<SecurityRule> {
  if (endpoint === "*") return { [`${side}AddressPrefix`]: "*" };
  if ("tag" in endpoint) return { [`${side}AddressPrefix`]: endpoint.tag };
  const prefixes = endpoint.addresses
    .toPrefixes()
    .map((p) =>
      p.length === (p.family === 4 ? 32 : 128)
        ? formatIpAddress({ family: p.family, value: p.first })
        : formatPrefix(p),
    );
  return prefixes.length === 1
    ? { [`${side}AddressPrefix`]: prefixes[0] }
    : { [`${side}AddressPrefixes`]: prefixes };
}

function ports(
  list: readonly PortRange[],
): Pick<SecurityRule, "destinationPortRange" | "destinationPortRanges"> {
  const merged = mergePorts(list).map(formatPortRange);
  if (merged.length === 0) return { destinationPortRange: "*" };
  return merged.length === 1
    ? { destinationPortRange: merged[0] }
    : { destinationPortRanges: merged };
}

function mergePorts(list: readonly PortRange[]): PortRange[] {
  const sorted = [...list].sort((a, b) => a.first - b.first);
  const out: { first: number; last: number }[] = [];
  for (const r of sorted) {
    const top = out[out.length - 1];
    if (top && r.first <= top.last + 1) top.last = Math.max(top.last, r.last);
    else out.push({ ...r });
  }
  return out;
}

const name = (options: SynthOptions, seed: string, compact: string) =>
  options.style === "seed" ? seed : compact;

/** What each kind of environment needs from the platform (the reference's section 8), marked as such. */
function platformRules(
  tier: Tier,
  subnets: readonly SubnetInfo[],
  network: Network,
  options: SynthOptions,
  diagnostics: Diagnostic[],
): Planned[] {
  const kinds = new Set(tier.environments.map((e: EnvironmentInfo) => e.kind));
  const out: Planned[] = [];
  if (kinds.has("AppServiceEnvironmentV1"))
    out.push(
      rule({
        name: name(options, "ALLOW-AzureMngmt", "allow-ase-management"),
        description: "platform: App Service Environment v1 management",
        source: { tag: "Internet" },
        destination: "*",
        destinationPortRange: "454-455",
      }),
    );
  if (kinds.has("AppServiceEnvironmentV2")) {
    if (!network.serviceTags.has("AppServiceManagement"))
      diagnostics.push(
        error(
          "SynthesisImpossible",
          `tier ${tier.name} holds an App Service Environment v2, whose management comes from the AppServiceManagement service tag, which the spec does not know`,
          tier.path,
          "name Azure's service-tags file in serviceTags",
        ),
      );
    out.push(
      rule({
        name: name(options, "ALLOW-AppServiceManagement", "allow-ase-management"),
        description: "platform: App Service Environment v2 management",
        source: { tag: "AppServiceManagement" },
        destination: "*",
        destinationPortRange: "454-455",
      }),
      rule({
        name: name(options, "ALLOW-AzureLoadBalancer", "allow-ase-load-balancer"),
        description: "platform: App Service Environment v2 health probes",
        source: { tag: "AzureLoadBalancer" },
        destination: "*",
        destinationPortRange: "16001",
      }),
      rule({
        name: name(options, "ALLOW-ASE-Subnet", "allow-ase-subnet"),
        description: "platform: App Service Environment v2 traffic inside its subnet",
        protocol: "*",
        source: { addresses: subnetAddresses(subnets), text: "subnet" },
        destination: { addresses: subnetAddresses(subnets), text: "subnet" },
      }),
    );
  }
  if (kinds.has("AppServiceEnvironmentV3"))
    out.push(
      rule({
        name: name(options, "ALLOW-AzureLoadBalancer", "allow-load-balancer"),
        description: "platform: App Service Environment v3 health probes",
        source: { tag: "AzureLoadBalancer" },
        destination: "*",
        destinationPortRange: "80",
      }),
    );
  return out;
}

function subnetAddresses(subnets: readonly SubnetInfo[]): AddressSet {
  return subnets.reduce((set, s) => set.union(s.addresses), AddressSet.empty);
}

/** The callers' rules: one per caller and port (seed), or one per address family with every caller (compact). */
function callerRules(tier: Tier, options: SynthOptions, target: Endpoint | "*"): Planned[] {
  const { protocol, ports: portList } = tier.traffic;
  if (options.style === "seed") {
    return tier.callers.flatMap((c) => {
      const source = {
        addresses: AddressSet.ofAddresses([c.presented]),
        text: c.name,
      };
      if (portList.length === 0)
        return [rule({ name: `ALLOW-${c.name}`, protocol, source, destination: target })];
      return mergePorts(portList).map((p) =>
        rule({
          name: `ALLOW-${p.first === p.last ? (PORT_NAMES[p.first] ?? `${protocol === "*" ? "ANY" : protocol.toUpperCase()}${p.first}`) : `PORTS${p.first}-${p.last}`}-${c.name}`,
          protocol,
          source,
          destination: target,
          destinationPortRange: formatPortRange(p),
        }),
      );
    });
  }
  const out: Planned[] = [];
  for (const family of [4, 6] as const) {
    const addresses = tier.callers
      .filter((c) => c.presented.family === family)
      .map((c) => c.presented);
    if (addresses.length === 0) continue;
    out.push(
      rule({
        name: `allow-${tier.name}-callers${family === 6 ? "-ipv6" : ""}`,
        description: `callers: ${tier.callers
          .filter((c) => c.presented.family === family)
          .map((c) => c.name)
          .join(", ")}`.slice(0, LIMITS.descriptionLength),
        protocol,
        source: { addresses: AddressSet.ofAddresses(addresses), text: "callers" },
        destination: target,
        ...ports(portList),
      }),
    );
  }
  return out;
}

function allowRules(tier: Tier, options: SynthOptions, target: Endpoint | "*"): Planned[] {
  return tier.allow.map((a, i) =>
    rule({
      name: name(
        options,
        `ALLOW-${slug("tag" in a.source ? a.source.tag : a.source.text)}`,
        `allow-${tier.name}-extra-${i + 1}`,
      ),
      protocol: a.protocol,
      source: a.source,
      destination: target,
      ...ports(a.ports),
    }),
  );
}

/** Inside a network every host reaches every other by default; a tier reached on private addresses closes that. */
function vnetRules(options: SynthOptions): Planned[] {
  return [
    rule({
      name: name(options, "ALLOW-AzureLoadBalancer-Probes", "allow-load-balancer-probes"),
      description: "platform: health probes, which VirtualNetwork would otherwise deny below",
      protocol: "*",
      source: { tag: "AzureLoadBalancer" },
      destination: { tag: "VirtualNetwork" },
      end: 3900,
    }),
    rule({
      name: name(options, "DENY-VirtualNetwork", "deny-other-vnet-inbound"),
      description: "the network's other hosts are not callers",
      protocol: "*",
      access: "Deny",
      source: { tag: "VirtualNetwork" },
      destination: { tag: "VirtualNetwork" },
      end: 4000,
    }),
  ];
}

function denyAll(direction: "Inbound" | "Outbound", options: SynthOptions): Planned {
  return rule({
    name: name(options, `DENY-All-${direction}`, `deny-all-${direction.toLowerCase()}`),
    description: "explicit, so that flow logs name it",
    protocol: "*",
    access: "Deny",
    direction,
    source: "*",
    destination: "*",
    end: 4096,
  });
}

function egressRules(tier: Tier, options: SynthOptions): Planned[] {
  const out = (tier.egress ?? []).map((e, i) =>
    rule({
      name: name(
        options,
        `ALLOW-OUT-${slug("tag" in e.destination ? e.destination.tag : e.destination.text)}`,
        `allow-${tier.name}-egress-${i + 1}`,
      ),
      protocol: e.protocol,
      direction: "Outbound",
      source: "*",
      destination: e.destination,
      ...ports(e.ports),
    }),
  );
  out.push(denyAll("Outbound", options));
  return out;
}

function slug(text: string): string {
  return (
    text.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9_]+$/g, "") || "rule"
  );
}

/**
 * Priorities: a rule that already exists (same name and direction) keeps its
 * priority while the order allows; a new rule takes a free priority between its
 * neighbours, `step` after the previous one when there is room. Only when no
 * order-keeping choice exists is the list renumbered from `start`.
 */
function allocate(
  planned: readonly Planned[],
  direction: "Inbound" | "Outbound",
  old: ReadonlyMap<string, number>,
  options: SynthOptions,
): { rules: SecurityRule[]; renumbered: boolean } {
  const ordered = planned.filter((p) => p.end === undefined);
  const ends = planned.filter((p) => p.end !== undefined);
  const ceiling = Math.min(
    LIMITS.maxPriority + 1,
    ...ends.map((e) => old.get(key(e, direction)) ?? (e.end as number)),
  );
  const previous = (p: Planned) => old.get(key(p, direction));
  const priorities: number[] = [];
  let last = options.start - options.step;
  let renumbered = false;
  for (let i = 0; i < ordered.length; i++) {
    const kept = previous(ordered[i] as Planned);
    // The next rule that will keep its priority bounds this one from above.
    const nextKept =
      ordered
        .slice(i + 1)
        .map(previous)
        .find((p) => p !== undefined && p > last) ?? ceiling;
    if (kept !== undefined && kept > last && kept < nextKept) priorities.push(kept);
    else if (last + options.step < nextKept) priorities.push(last + options.step);
    else if (nextKept - last >= 2) priorities.push(last + Math.floor((nextKept - last) / 2));
    else {
      renumbered = true;
      break;
    }
    last = priorities[priorities.length - 1] as number;
  }
  if (renumbered) {
    priorities.length = 0;
    for (let i = 0; i < ordered.length; i++) priorities.push(options.start + i * options.step);
  }
  const withPriority = (p: Planned, priority: number): SecurityRule => {
    const { end: _end, ...fields } = p;
    return { ...fields, priority };
  };
  return {
    rules: [
      ...ordered.map((p, i) => withPriority(p, priorities[i] as number)),
      ...ends.map((e) => withPriority(e, previous(e) ?? (e.end as number))),
    ],
    renumbered,
  };
}

function key(p: Planned, direction: string): string {
  return `${direction.toLowerCase()}|${p.name.toLowerCase()}`;
}

/** The topology with the synthesized NSGs in place and on their subnets. */
export function applySynthesis(topology: Topology, nsgs: readonly SynthesizedNsg[]): Topology {
  const byName = new Map(nsgs.map((n) => [n.name.toLowerCase(), n]));
  const updated: NetworkSecurityGroup[] = topology.networkSecurityGroups.map((n) => {
    const s = byName.get(n.name.toLowerCase());
    return s ? { ...n, securityRules: s.rules } : n;
  });
  for (const s of nsgs) if (!s.existed) updated.push({ name: s.name, securityRules: s.rules });
  const subnetNsg = new Map<string, string>();
  for (const s of nsgs) for (const subnet of s.subnets) subnetNsg.set(subnet.id, s.name);
  return {
    ...topology,
    networkSecurityGroups: updated,
    virtualNetworks: topology.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map((sub) => {
        const nsg = subnetNsg.get(`${v.name}/${sub.name}`);
        return nsg ? { ...sub, networkSecurityGroup: nsg } : sub;
      }),
    })),
  };
}
