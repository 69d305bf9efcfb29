/**
 * Flow logs a spec would produce: seeded, realistic tuples for tests, the
 * README's tour and benchmarks. Workloads call each other on the ports their
 * NSGs were written for (and a few they were not), and the Internet knocks on
 * administrative and web ports of whatever has a public address. Each call is
 * judged by the full flow evaluator (routes, public addresses, every NSG on the
 * path), and logged as Azure logs it: at each end's network interface, by each
 * NSG that evaluated it, with that NSG's deciding rule, up to the first Deny.
 */
import { FlowEvaluator, type FlowResult } from "../engine/flow.js";
import type { FlowLogFormat, LoggedFlow } from "../model/logged-flow.js";
import type { Network } from "../model/network.js";
import { formatIpAddress, type IpAddress } from "../net/address.js";
import { seededRandom as random } from "./seeded-random.js";

export interface SampleOptions {
  readonly seed?: number;
  /** Epoch milliseconds of the first hour (default 2026-11-23T00:00Z, a Monday). */
  readonly start?: number;
  readonly days?: number;
  /** Connections started per hour, across the estate (default 20). */
  readonly connectionsPerHour?: number;
  readonly format?: FlowLogFormat;
  /** Resource id prefix of the NSGs (`/SUBSCRIPTIONS/.../NETWORKSECURITYGROUPS/`). */
  readonly nsgIdPrefix?: string;
}

/** One end of a call, as the logs see it. */
interface SampleHost {
  readonly endpoint: string;
  readonly name: string;
  readonly address: IpAddress;
  /** The address it presents to, and is reached at from, the Internet. */
  readonly outside?: IpAddress;
  /**
   * It has a public address, known or not (one allocated when deployed):
   * the Internet knocks on it, and its logs name only its private address.
   */
  readonly public?: boolean;
  readonly mac: string;
  /** An App Service Environment v1 or v2: the platform manages it from the Internet on 454-455. */
  readonly managed?: boolean;
}

/** One way a call can go, judged once; connections repeat it. */
interface Conversation {
  readonly protocol: 6 | 17;
  readonly port: number;
  readonly weight: number;
  /** The tuples' loggers at the caller's end (outbound) and the callee's (inbound). */
  readonly legs: readonly Leg[];
}

interface Leg {
  readonly direction: "Inbound" | "Outbound";
  readonly source: string;
  readonly destination: string;
  readonly mac: string;
  readonly verdicts: readonly { nsg: string; access: "Allow" | "Deny"; rule: string }[];
}

const WORKLOAD_PORTS = [80, 443, 1433, 8080, 22, 3389];
/** Up to this many hosts, every pair calls; past it, as many pairs are drawn as this many hosts make. */
const MAX_HOSTS_PAIRED = 40;
const INTERNET_PORTS = [22, 3389, 443, 80, 445, 23];
const DEFAULT_START = Date.UTC(2026, 10, 23);
export const SAMPLE_NSG_ID_PREFIX =
  "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/TIERWALL-SAMPLE/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/";

/** A stable made-up MAC address for a host, in the logs' form (`000D3A...`). */
function macOf(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return `000D3A${(h >>> 8).toString(16).toUpperCase().padStart(6, "0")}`;
}

function hostsOf(network: Network): SampleHost[] {
  const hosts: SampleHost[] = [];
  const named = new Set<string>();
  for (const env of network.environments.values()) {
    const outside = env.outboundAddress ?? env.publicAddress;
    hosts.push({
      endpoint: `env:${env.name}`,
      name: env.name,
      address: env.privateAddress,
      ...(outside && !outside.label ? { outside } : {}),
      ...(outside ? { public: true } : {}),
      mac: macOf(env.name),
      ...(env.kind === "AppServiceEnvironmentV1" || env.kind === "AppServiceEnvironmentV2"
        ? { managed: true }
        : {}),
    });
    if (env.nic) named.add(env.nic.name);
  }
  for (const nic of network.nics.values()) {
    if (named.has(nic.name) || nic.scaleSet) continue;
    const config = nic.ipConfigurations[0];
    // A Dynamic interface is sampled at the address that stands for it, which replay places in its subnet.
    if (!config) continue;
    const outside = config.publicAddress;
    hosts.push({
      endpoint: `nic:${nic.name}`,
      name: nic.name,
      address: config.address,
      ...(outside && !outside.label ? { outside } : {}),
      ...(outside ? { public: true } : {}),
      mac: macOf(nic.name),
    });
  }
  return hosts;
}

/** `securityRules/NAME` as flow logs write it: `UserRule_NAME` (`DefaultRule_NAME` for a default rule). */
function loggedRule(watcherName: string): string {
  const slash = watcherName.indexOf("/");
  const name = watcherName.slice(slash + 1);
  return watcherName.startsWith("default") ? `DefaultRule_${name}` : `UserRule_${name}`;
}

/** The legs of a call that travels: who logs it at each end, on which addresses. */
function legsOf(result: FlowResult, from: SampleHost | IpAddress, to: SampleHost): Leg[] {
  const caller = "endpoint" in from ? from : undefined;
  const overTheInternet = result.route === "public";
  const seenBy = (direction: "Inbound" | "Outbound") =>
    result.trace
      .filter((e) => e.direction === direction)
      .map((e) => ({ nsg: e.nsg, access: e.access, rule: loggedRule(e.rule) }));
  const legs: Leg[] = [];
  const toAddress = overTheInternet ? to.outside : to.address;
  if (caller && toAddress) {
    const verdicts = seenBy("Outbound");
    if (verdicts.length > 0)
      legs.push({
        direction: "Outbound",
        source: formatIpAddress(caller.address),
        destination: formatIpAddress(toAddress),
        mac: caller.mac,
        verdicts,
      });
  }
  const presented: IpAddress | undefined = caller
    ? overTheInternet
      ? caller.outside
      : caller.address
    : (from as IpAddress);
  const outboundDenied = legs[0]?.verdicts.some((v) => v.access === "Deny") ?? false;
  const verdicts = seenBy("Inbound");
  if (presented && !outboundDenied && verdicts.length > 0)
    legs.push({
      direction: "Inbound",
      source: formatIpAddress(presented),
      destination: formatIpAddress(to.address),
      mac: to.mac,
      verdicts,
    });
  return legs;
}

function conversationsOf(network: Network, next: () => number): Conversation[] {
  const evaluator = new FlowEvaluator(network);
  const hosts = hostsOf(network);
  const out: Conversation[] = [];
  const add = (from: SampleHost | IpAddress, to: SampleHost, port: number, weight: number) => {
    const query = {
      from: "endpoint" in from ? from.endpoint : formatIpAddress(from),
      to: to.endpoint,
      protocol: "Tcp" as const,
      destinationPort: port,
    };
    const evaluated = evaluator.evaluate(query);
    if (!evaluated.ok || evaluated.result.route === "none") return;
    const legs = legsOf(evaluated.result, from, to);
    if (legs.length === 0) return;
    // Allowed calls carry the traffic; denied attempts are rarer.
    const allowed = evaluated.result.access === "Allow";
    out.push({ protocol: 6, port, weight: allowed ? weight : weight / 8, legs });
  };
  // Every pair of a small estate; a seeded draw of pairs in a large one, where pairs are millions.
  const pairs: [SampleHost, SampleHost][] = [];
  if (hosts.length <= MAX_HOSTS_PAIRED) {
    for (const from of hosts) for (const to of hosts) pairs.push([from, to]);
  } else
    for (let i = 0; i < MAX_HOSTS_PAIRED * MAX_HOSTS_PAIRED; i++)
      pairs.push([
        hosts[Math.floor(next() * hosts.length)] as SampleHost,
        hosts[Math.floor(next() * hosts.length)] as SampleHost,
      ]);
  for (const [from, to] of pairs)
    for (const port of WORKLOAD_PORTS) add(from, to, port, port === 443 || port === 80 ? 8 : 1);
  const taken = new Set(
    hosts
      .flatMap((h) => [h.address, h.outside])
      .filter((a) => a !== undefined)
      .map(formatIpAddress),
  );
  const internet: IpAddress[] = [];
  for (const base of [0xc0000200n, 0xc6336400n, 0xcb007100n])
    for (let i = 0; internet.length < 24 && i < 8; i++) {
      const address: IpAddress = { family: 4, value: base + BigInt(1 + Math.floor(next() * 250)) };
      if (!taken.has(formatIpAddress(address))) internet.push(address);
    }
  for (const to of hosts.filter((h) => h.public).slice(0, MAX_HOSTS_PAIRED))
    for (const from of internet) {
      for (const port of INTERNET_PORTS) add(from, to, port, port === 443 ? 0.5 : 0.25);
      if (to.managed) for (const port of [454, 455]) add(from, to, port, 0.5);
    }
  return out;
}

/**
 * Tuples in time order, hour by hour, as a generator: as many as the options
 * ask for, without holding them. Each allowed connection logs Begin, a
 * Continuing tuple when it lasts past five minutes, and End with its counts
 * (version 1 of NSG flow logs: one tuple, no state); a denied one logs one
 * tuple, state D in VNet flow logs.
 */
export function* sampleFlowLogs(
  network: Network,
  options: SampleOptions = {},
): Generator<LoggedFlow> {
  const next = random(options.seed ?? 1);
  const format = options.format ?? "vnet";
  const conversations = conversationsOf(network, next);
  if (conversations.length === 0) return;
  const total = conversations.reduce((sum, c) => sum + c.weight, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const c of conversations) {
    running += c.weight / total;
    cumulative.push(running);
  }
  const pick = () => {
    const r = next();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < r) lo = mid + 1;
      else hi = mid;
    }
    return conversations[lo] as Conversation;
  };
  const start = options.start ?? DEFAULT_START;
  const hours = Math.round((options.days ?? 7) * 24);
  const perHour = options.connectionsPerHour ?? 20;
  const nsgPrefix = options.nsgIdPrefix ?? SAMPLE_NSG_ID_PREFIX;
  for (let hour = 0; hour < hours; hour++) {
    const batch: LoggedFlow[] = [];
    for (let n = 0; n < perHour; n++) {
      const c = pick();
      const begin = start + hour * 3_600_000 + Math.floor(next() * 3_000_000);
      const seconds = 1 + Math.floor(next() * (next() < 0.1 ? 590 : 30));
      const sourcePort = 49152 + Math.floor(next() * 16384);
      const packets = 2 + Math.floor(next() * 40);
      const bytes = packets * (60 + Math.floor(next() * 1400));
      for (const leg of c.legs)
        for (const v of leg.verdicts) {
          const base = {
            format,
            source: leg.source,
            destination: leg.destination,
            sourcePort,
            destinationPort: c.port,
            protocol: c.protocol,
            direction: leg.direction,
            access: v.access,
            rule: v.rule,
            mac: leg.mac,
            ...(format === "vnet"
              ? { aclId: aclIdOf(v.nsg), encryption: "NX" }
              : { nsgId: `${nsgPrefix}${v.nsg.toUpperCase()}` }),
          } as const;
          if (v.access === "Deny") {
            batch.push({
              ...base,
              time: begin,
              ...(format === "vnet"
                ? stats("D", 1, 60)
                : format === "nsg-v2"
                  ? { state: "B" }
                  : {}),
            });
            continue;
          }
          if (format === "nsg-v1") {
            batch.push({ ...base, time: begin });
            continue;
          }
          batch.push({
            ...base,
            time: begin,
            state: "B",
            ...(format === "vnet" ? stats("B", 0, 0) : {}),
          });
          if (seconds > 300)
            batch.push({ ...base, time: begin + 300_000, ...stats("C", packets >> 1, bytes >> 1) });
          batch.push({ ...base, time: begin + seconds * 1000, ...stats("E", packets, bytes) });
        }
    }
    batch.sort((a, b) => a.time - b.time);
    yield* batch;
  }
}

function stats(state: "B" | "C" | "E" | "D", packets: number, bytes: number) {
  const back = packets >> 1;
  return {
    state,
    packetsSent: packets - back,
    bytesSent: bytes - Math.floor(bytes / 3),
    packetsReceived: back,
    bytesReceived: Math.floor(bytes / 3),
  };
}

/** A stable made-up resource GUID for an NSG, as VNet flow logs' aclID gives it. */
function aclIdOf(nsg: string): string {
  const hex = macOf(`acl:${nsg}`).slice(6) + macOf(`id:${nsg}`).slice(6);
  return `${hex.slice(0, 8)}-0000-4000-8000-${hex.slice(0, 12).padEnd(12, "0").toLowerCase()}`.toLowerCase();
}
