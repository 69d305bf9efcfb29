import type { Host } from "../engine/endpoint.js";
import { hostAt } from "../engine/endpoint.js";
import { planRoute } from "../engine/route.js";
import { type Diagnostic, error, type ValuePath } from "../model/diagnostic.js";
import { type EnvironmentInfo, isAppServiceEnvironment, type Network } from "../model/network.js";
import { isBuiltInTag } from "../model/service-tags.js";
import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { type PortRange, parsePortRange } from "../net/ports.js";
import { parsePrefix } from "../net/prefix.js";
import { type FlowProtocol, parseRuleProtocol } from "../net/protocol.js";

/** A tier as the spec writes it. */
export interface TierSpec {
  readonly name: string;
  readonly description?: string | undefined;
  readonly environments: readonly string[];
  readonly callers?: readonly string[] | undefined;
  readonly protocol?: string | undefined;
  readonly ports?: readonly (number | string)[] | undefined;
  readonly selfCalls?: boolean | undefined;
  readonly allow?:
    | readonly {
        source: string;
        protocol?: string | undefined;
        ports?: readonly (number | string)[] | undefined;
      }[]
    | undefined;
  readonly egress?:
    | readonly {
        to: string;
        protocol?: string | undefined;
        ports?: readonly (number | string)[] | undefined;
      }[]
    | undefined;
}

/** Traffic: `*` protocol, or one; ports, all when empty. */
export interface Traffic {
  readonly protocol: FlowProtocol | "*";
  readonly ports: readonly PortRange[];
}

/** One caller of a tier, with the address each of the tier's environments sees it come from. */
export interface Caller {
  readonly name: string;
  readonly environment: EnvironmentInfo;
  readonly presented: IpAddress;
}

/** A source or destination written as a tag or as addresses. */
export type Endpoint =
  | { readonly tag: string }
  | { readonly addresses: AddressSet; readonly text: string };

/** A tier with every name resolved: what synthesis works from. */
export interface Tier {
  readonly name: string;
  readonly path: ValuePath;
  readonly environments: readonly EnvironmentInfo[];
  readonly callers: readonly Caller[];
  readonly traffic: Traffic;
  readonly allow: readonly (Traffic & { readonly source: Endpoint })[];
  readonly egress?: readonly (Traffic & { readonly destination: Endpoint })[];
}

/**
 * Resolves the tiers section against the network, reporting every name that
 * does not resolve and every protocol, port or source that is not one
 * (InvalidTier), and each caller that cannot reach a tier from one address
 * (SynthesisImpossible).
 */
export function resolveTiers(
  network: Network,
  specs: readonly TierSpec[],
): { tiers: Tier[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byName = new Map(specs.map((t) => [t.name, t]));
  const tiers: Tier[] = [];
  specs.forEach((spec, i) => {
    const path: ValuePath = ["tiers", i];
    const problem = (message: string, field?: (string | number)[], hint?: string) =>
      diagnostics.push(
        error(
          "InvalidTier",
          `tier ${spec.name}: ${message}`,
          field ? [...path, ...field] : path,
          hint,
        ),
      );
    const environments: EnvironmentInfo[] = [];
    spec.environments.forEach((name, j) => {
      const env = network.environments.get(name);
      if (env) environments.push(env);
      else problem(`environment ${JSON.stringify(name)} is not defined`, ["environments", j]);
    });
    if (spec.environments.length === 0) problem("has no environments", ["environments"]);
    const traffic = trafficOf(spec, (m, f) => problem(m, f));
    // Callers: tiers (all their environments) or single environments, then the tier itself.
    const callerEnvs: { name: string; env: EnvironmentInfo }[] = [];
    (spec.callers ?? []).forEach((name, j) => {
      const tier = byName.get(name);
      const env = network.environments.get(name);
      if (tier)
        for (const e of tier.environments) {
          const found = network.environments.get(e);
          if (found) callerEnvs.push({ name: e, env: found });
        }
      else if (env) callerEnvs.push({ name, env });
      else
        problem(`caller ${JSON.stringify(name)} is neither a tier nor an environment`, [
          "callers",
          j,
        ]);
    });
    const selfCalls = spec.selfCalls ?? environments.some((e) => isAppServiceEnvironment(e.kind));
    if (selfCalls) for (const env of environments) callerEnvs.push({ name: env.name, env });
    const callers: Caller[] = [];
    const seen = new Set<string>();
    for (const { name, env } of callerEnvs) {
      if (seen.has(name)) continue;
      seen.add(name);
      // Not a mistake in the tier as written: what the network makes of it.
      const presented = presentedAddress(network, env, environments, (m) =>
        diagnostics.push(
          error("SynthesisImpossible", `tier ${spec.name}: ${m}`, [...path, "callers"]),
        ),
      );
      if (presented) callers.push({ name, environment: env, presented });
    }
    const allow = (spec.allow ?? []).flatMap((a, j) => {
      // What an allowance inherits from a tier whose own traffic is wrong is reported once, there.
      const t = trafficOf(
        traffic
          ? { protocol: a.protocol ?? spec.protocol, ports: a.ports ?? spec.ports }
          : { protocol: a.protocol ?? "*", ports: a.ports },
        (m, f) => problem(m, ["allow", j, ...(f ?? [])]),
      );
      const source = endpointOf(network, a.source, (m) => problem(m, ["allow", j, "source"]));
      return t && source ? [{ ...t, source }] : [];
    });
    const egress = spec.egress?.flatMap((e, j) => {
      const t = trafficOf({ protocol: e.protocol ?? "*", ports: e.ports }, (m, f) =>
        problem(m, ["egress", j, ...(f ?? [])]),
      );
      const destination = egressTarget(
        network,
        byName,
        e.to,
        (m) => problem(m, ["egress", j, "to"]),
        (m) =>
          diagnostics.push(
            error("SynthesisImpossible", `tier ${spec.name}: ${m}`, [...path, "egress", j, "to"]),
          ),
      );
      return t && destination ? [{ ...t, destination }] : [];
    });
    // The rest is checked too, so that every problem of the tier is reported at once.
    if (!traffic) return;
    tiers.push({
      name: spec.name,
      path,
      environments,
      callers,
      traffic,
      allow,
      ...(egress ? { egress } : {}),
    });
  });
  return { tiers, diagnostics };
}

function trafficOf(
  t: { protocol?: string | undefined; ports?: readonly (number | string)[] | undefined },
  problem: (message: string, field?: (string | number)[]) => void,
): Traffic | undefined {
  const protocol = t.protocol === undefined ? "Tcp" : parseRuleProtocol(t.protocol);
  if (!protocol) {
    problem(`protocol ${JSON.stringify(t.protocol)} is not one of Tcp, Udp, Icmp, Esp, Ah, *`, [
      "protocol",
    ]);
    return undefined;
  }
  const ports: PortRange[] = [];
  for (const [i, p] of (t.ports ?? []).entries()) {
    const parsed = parsePortRange(String(p));
    if (!parsed.ok) {
      problem(`port ${JSON.stringify(p)} is not a port or a range a-b within 0-65535`, [
        "ports",
        i,
      ]);
      return undefined;
    }
    ports.push(parsed.range);
  }
  return { protocol, ports };
}

/** The address a caller's packets carry when they reach the tier's environments; one for all of them. */
function presentedAddress(
  network: Network,
  caller: EnvironmentInfo,
  targets: readonly EnvironmentInfo[],
  problem: (message: string) => void,
): IpAddress | undefined {
  const from: Host = hostAt(network, caller.privateAddress);
  let presented: IpAddress | undefined;
  for (const target of targets) {
    const route = planRoute(from, hostAt(network, target.privateAddress), network);
    if (route.kind === "none") {
      problem(`${caller.name} cannot reach ${target.name}: ${route.reason}`);
      return undefined;
    }
    const address = route.kind === "local" ? caller.privateAddress : route.presentedSource;
    // A rule cannot name an address Azure assigns only when deploying.
    if (address.label !== undefined) {
      problem(
        `${caller.name} reaches ${target.name} from ${address.label}, an address not known before deploying; give it (ipAddress, privateIPAddress) so that a rule can name it`,
      );
      return undefined;
    }
    if (presented && (presented.value !== address.value || presented.family !== address.family)) {
      problem(
        `${caller.name} reaches the tier's environments from different addresses; put them in separate tiers`,
      );
      return undefined;
    }
    presented = address;
  }
  return presented;
}

function endpointOf(
  network: Network,
  text: string,
  problem: (message: string) => void,
): Endpoint | undefined {
  if (isBuiltInTag(text) || network.serviceTags.has(text)) return { tag: text };
  const parsed = parsePrefix(text);
  if (parsed.ok) return { addresses: AddressSet.of([parsed.prefix]), text };
  problem(`${JSON.stringify(text)} is neither a CIDR block, an address nor a known service tag`);
  return undefined;
}

/**
 * An egress destination: a tier or environment (their addresses as reached),
 * or a CIDR or tag. One reached at an address not known before deploying is
 * `impossible`: no rule can name it.
 */
function egressTarget(
  network: Network,
  tiers: ReadonlyMap<string, TierSpec>,
  text: string,
  problem: (message: string) => void,
  impossible: (message: string) => void,
): Endpoint | undefined {
  const names =
    tiers.get(text)?.environments ?? (network.environments.has(text) ? [text] : undefined);
  if (!names) return endpointOf(network, text, problem);
  const addresses: IpAddress[] = [];
  for (const name of names) {
    const env = network.environments.get(name);
    if (!env) continue;
    const address =
      env.ingress === "External" && env.publicAddress ? env.publicAddress : env.privateAddress;
    if (address.label !== undefined) {
      impossible(
        `${name} is reached at ${address.label}, an address not known before deploying; give it (ipAddress, privateIPAddress) so that a rule can name it`,
      );
      return undefined;
    }
    addresses.push(address);
  }
  return {
    addresses: AddressSet.ofAddresses(addresses),
    text,
  };
}

/** What is wrong with the tiers as written: names, protocols, ports and sources (not what synthesis can meet). */
export function tierProblems(network: Network, specs: readonly TierSpec[]): Diagnostic[] {
  return resolveTiers(network, specs).diagnostics.filter((d) => d.code === "InvalidTier");
}
