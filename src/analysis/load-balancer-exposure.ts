/**
 * What the Internet reaches through public load balancers, exactly: for each
 * rule of a public frontend and each backend it forwards to, the packets
 * that the backend's NSGs admit once translated (client address kept, the
 * backend's address and port), shown as the frontend receives them. A
 * Standard load balancer with no NSG on the backend forwards nothing from
 * the Internet; a backend whose NSGs deny its health probe gets nothing.
 */
import type { Host } from "../engine/endpoint.js";
import type { BackendInfo, ForwardingInfo, FrontendInfo } from "../model/load-balancers.js";
import { describeForwarding } from "../model/load-balancers.js";
import { AZURE_HOST_ADDRESS } from "../model/network.js";
import { displayAddress, type IpAddress, sameAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import type { PortRange } from "../net/ports.js";
import { cofactor, FALSE, makeNode, type Node, spanNode } from "./diagram.js";
import { addressValue, Field } from "./fields.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

/** One rule of a public frontend towards one backend: the packets that get through, as the backend receives them. */
export interface LoadBalancedArrival {
  readonly frontend: FrontendInfo;
  readonly forwarding: ForwardingInfo;
  readonly backend: BackendInfo;
  readonly backendPort: number;
  /** At the backend: Internet sources, the backend's address and port. */
  readonly arrived: PacketSet;
}

/** The backend as a host reached through the frontend, for its NSGs (as load-balanced-flow.ts builds it). */
function backendHost(frontend: FrontendInfo, backend: BackendInfo): Host {
  return {
    label: backend.label,
    address: backend.address,
    vnet: backend.vnet,
    ...(backend.subnet ? { subnet: backend.subnet } : {}),
    ...(backend.nic ? { nic: backend.nic } : {}),
    publicAddress: frontend.address,
    ingress: "External",
  };
}

/** Whether the backend's NSGs let its health probe in (no probe: it is taken as up). */
function probeAdmitted(analyzer: ReachAnalyzer, host: Host, forwarding: ForwardingInfo): boolean {
  const probe = forwarding.probe;
  if (!probe) return true;
  return analyzer.inbound(host).has({
    protocol: "Tcp",
    source: { family: 4, value: AZURE_HOST_ADDRESS.first },
    sourcePort: 49152,
    destination: host.address,
    destinationPort: probe.port,
  });
}

/** Every public frontend's rule and backend, with what arrives at the backend from the Internet. */
export function loadBalancedArrivals(analyzer: ReachAnalyzer): LoadBalancedArrival[] {
  const out: LoadBalancedArrival[] = [];
  for (const lb of analyzer.network.loadBalancers.values())
    for (const forwarding of lb.forwardings) {
      const frontend = forwarding.frontend;
      if (!frontend.publicIp) continue;
      for (const backend of forwarding.backends) {
        const host = backendHost(frontend, backend);
        const closed =
          frontend.sku === "Standard" &&
          host.subnet?.nsg === undefined &&
          host.nic?.nsg === undefined;
        const backendPort = forwarding.backendPort;
        const possible = PacketSet.box({
          protocols: forwarding.protocols,
          source: analyzer.outside,
          destination: AddressSet.ofAddresses([backend.address]),
          destinationPorts: [
            backendPort === 0
              ? forwarding.frontendPorts
              : { first: backendPort, last: backendPort },
          ],
        });
        const arrived =
          closed || !probeAdmitted(analyzer, host, forwarding)
            ? PacketSet.empty
            : analyzer.inbound(host).intersect(possible);
        out.push({ frontend, forwarding, backend, backendPort, arrived });
      }
    }
  return out;
}

/** What arrives at a host from the Internet through load balancers, as it receives it. */
export function loadBalancedInto(analyzer: ReachAnalyzer, host: Host): PacketSet {
  let all = PacketSet.empty;
  for (const a of loadBalancedArrivals(analyzer))
    if (sameAddress(a.backend.address, host.address)) all = all.union(a.arrived);
  return all;
}

/**
 * The packets of `set` sent to `from` on `fromPort`, as they were before the
 * translation: to `to`, on any of `toPorts` (the frontend's ports that map to
 * the backend's). Source, protocol and source ports are kept.
 */
export function untranslated(
  set: PacketSet,
  from: IpAddress,
  fromPort: number,
  to: IpAddress,
  toPorts: PortRange,
): PacketSet {
  const memo = new Map<Node, Node>();
  const walk = (node: Node): Node => {
    if (node === FALSE) return FALSE;
    const known = memo.get(node);
    if (known) return known;
    let result: Node;
    if (node.level < Field.Destination)
      result = makeNode(node.level, node.starts, node.kids.map(walk));
    else {
      const below = cofactor(
        cofactor(node, Field.Destination, addressValue(from)),
        Field.DestinationPort,
        BigInt(fromPort),
      );
      const v = addressValue(to);
      result =
        below === FALSE
          ? FALSE
          : spanNode(
              Field.Destination,
              [[v, v]],
              spanNode(
                Field.DestinationPort,
                [[BigInt(toPorts.first), BigInt(toPorts.last)]],
                below,
                FALSE,
              ),
              FALSE,
            );
    }
    memo.set(node, result);
    return result;
  };
  return PacketSet.of(walk(set.root)).intersect(PacketSet.all);
}

/** What the Internet reaches of one rule of a public frontend at one backend, as the frontend receives it. */
export function exposedAtFrontend(a: LoadBalancedArrival): PacketSet {
  const f = a.forwarding;
  if (a.backendPort === 0) return a.arrived;
  return untranslated(
    a.arrived,
    a.backend.address,
    a.backendPort,
    a.frontend.address,
    f.frontendPorts,
  );
}

/** `inbound NAT rule RDP-VM0 to network interface nic0 (ipconfig1), port 3389`. */
export function describeArrival(a: LoadBalancedArrival): string {
  return `${describeForwarding(a.forwarding)} to ${a.backend.label} on ${displayAddress(a.backend.address)}:${a.backendPort}`;
}
