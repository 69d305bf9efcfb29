/**
 * Which real connections test each assertion. A flow assertion is one
 * connection; an assertion over every packet is sampled at the edges of its
 * port ranges (and, for onlyFrom and exposure, from callers it does not list),
 * which is where a compiled ruleset goes wrong if it does.
 */
import { type Host, resolveEndpoint } from "../engine/endpoint.js";
import { DEFAULT_SOURCE_PORT } from "../engine/flow.js";
import type { Network } from "../model/network.js";
import { formatIpAddress } from "../net/address.js";
import { ALL_PORTS, type PortRange } from "../net/ports.js";
import { parsePrefix } from "../net/prefix.js";
import type { FlowProtocol } from "../net/protocol.js";
import type { SpecAssertion } from "../specfile/assertions.js";

export interface ProbeRequest {
  readonly assertion?: number;
  readonly description: string;
  readonly from: Host;
  readonly to: Host;
  readonly protocol: "Tcp" | "Udp";
  readonly destinationPort: number;
  readonly sourcePort: number;
}

export interface ProbeSkip {
  readonly assertion?: number;
  readonly description: string;
  readonly reason: string;
}

/** At most this many ports per range list: each range's ends and middle. */
const PORT_SAMPLES = 9;
/** Ports an exposure check also tries, outside what it allows. */
const COMMON_PORTS = [22, 80, 443, 3389, 8080];

export function samplePorts(ranges: readonly PortRange[] | undefined): number[] {
  const picked = new Set<number>();
  for (const r of ranges ?? [ALL_PORTS]) {
    const first = Math.max(r.first, 1);
    if (first > r.last) continue;
    for (const p of [first, r.last, Math.floor((first + r.last) / 2)]) picked.add(p);
  }
  return [...picked].slice(0, PORT_SAMPLES).sort((a, b) => a - b);
}

/** Both ends of a flow; a set-valued end takes the other end's family, as `flow` does. */
export function flowEnds(
  network: Network,
  from: string,
  to: string,
): { ok: true; from: Host; to: Host } | { ok: false; reason: string } {
  let a = resolveEndpoint(network, from);
  let b = resolveEndpoint(network, to);
  if (!a.ok) return { ok: false, reason: a.message };
  if (!b.ok) return { ok: false, reason: b.message };
  if (a.host.representative && b.host.address.family === 6) a = resolveEndpoint(network, from, 6);
  if (b.host.representative && a.ok && a.host.address.family === 6)
    b = resolveEndpoint(network, to, 6);
  if (!a.ok) return { ok: false, reason: a.message };
  if (!b.ok) return { ok: false, reason: b.message };
  // The lab plays hosts and subnets; it has no load balancer to translate a frontend's flows.
  const frontend = [a.host, b.host].find((h) => h.frontend);
  if (frontend)
    return { ok: false, reason: `the lab does not play load balancers (${frontend.label})` };
  return { ok: true, from: a.host, to: b.host };
}

function probeable(protocol: FlowProtocol | undefined): protocol is "Tcp" | "Udp" | undefined {
  return protocol === undefined || protocol === "Tcp" || protocol === "Udp";
}

export function probeRequests(
  assertions: readonly SpecAssertion[],
  network: Network,
): { requests: ProbeRequest[]; skipped: ProbeSkip[] } {
  const requests: ProbeRequest[] = [];
  const skipped: ProbeSkip[] = [];
  for (const [index, a] of assertions.entries()) {
    const skip = (description: string, reason: string) =>
      skipped.push({ assertion: index, description, reason });
    const add = (
      fromEnds: string | readonly string[],
      toEnds: string | readonly string[],
      protocols: readonly FlowProtocol[] | undefined,
      ports: readonly number[],
      sourcePort = DEFAULT_SOURCE_PORT,
    ): void => {
      // A claim's list of endpoints is probed one endpoint at a time.
      if (typeof fromEnds !== "string") {
        for (const f of fromEnds) add(f, toEnds, protocols, ports, sourcePort);
        return;
      }
      if (typeof toEnds !== "string") {
        for (const t of toEnds) add(fromEnds, t, protocols, ports, sourcePort);
        return;
      }
      const [from, to] = [fromEnds, toEnds];
      const ends = flowEnds(network, from, to);
      for (const protocol of protocols ?? ["Tcp", "Udp"]) {
        const description = (port?: number) =>
          `${protocol} ${from} -> ${to}${port === undefined ? "" : `:${port}`}`;
        if (!probeable(protocol)) {
          skip(
            description(),
            `${protocol} carries no ports to connect to; the lab probes TCP and UDP`,
          );
          continue;
        }
        if (!ends.ok) {
          skip(description(), ends.reason);
          continue;
        }
        for (const port of ports)
          requests.push({
            assertion: index,
            description: description(port),
            from: ends.from,
            to: ends.to,
            protocol,
            destinationPort: port,
            sourcePort,
          });
      }
    };
    switch (a.kind) {
      case "flow":
        add(a.from, a.to, [a.protocol], [a.destinationPort ?? 0], a.sourcePort);
        break;
      case "reach":
      case "isolate":
        add(a.from, a.to, a.protocols, samplePorts(a.ports));
        break;
      case "onlyFrom": {
        const listed = new Set(a.from);
        for (const caller of a.from) add(caller, a.to, a.protocols, samplePorts(a.ports));
        // Callers it does not list: every other environment, and the Internet.
        const others = [...network.environments.keys()].filter((e) => !listed.has(e));
        for (const caller of [...others, "Internet"])
          if (caller !== a.to && !(typeof a.to !== "string" && a.to.includes(caller)))
            add(caller, a.to, a.protocols, samplePorts(a.ports));
        break;
      }
      case "exposure": {
        for (const w of a.within) {
          const source = w.source === undefined ? "Internet" : representative(w.source);
          if (source === undefined) {
            skip(
              `from ${w.source} -> ${a.to}`,
              "the lab probes exposure sources that are addresses",
            );
            continue;
          }
          add(source, a.to, w.protocols, samplePorts(w.ports));
        }
        add("Internet", a.to, ["Tcp"], COMMON_PORTS);
        break;
      }
    }
  }
  return { requests, skipped };
}

/** An exposure source as one address: the address itself, or a CIDR's first host. */
function representative(source: string): string | undefined {
  if (source === "Internet") return source;
  const parsed = parsePrefix(source);
  if (!parsed.ok) return undefined;
  const { family, first, last } = parsed.prefix;
  return `ip:${formatIpAddress({ family, value: last - first >= 2n ? first + 1n : first })}`;
}
