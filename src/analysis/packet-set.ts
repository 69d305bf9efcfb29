import type { Packet } from "../engine/packet.js";
import { type IpAddress, parseIpAddress } from "../net/address.js";
import type { AddressSet } from "../net/address-set.js";
import type { PortRange } from "../net/ports.js";
import { FLOW_PROTOCOLS, type FlowProtocol, hasPorts } from "../net/protocol.js";
import {
  apply,
  cofactor,
  count,
  FALSE,
  makeNode,
  type Node,
  project,
  spanNode,
  TRUE,
} from "./diagram.js";
import {
  addressOf,
  addressSpans,
  addressValue,
  FIELD_COUNT,
  Field,
  protocolOf,
  protocolValue,
  type Span,
  spansToAddressSet,
  V6_OFFSET,
} from "./fields.js";

/** The fields of a box: each absent field is unrestricted. */
export interface BoxSpec {
  readonly protocols?: readonly FlowProtocol[];
  readonly source?: AddressSet;
  readonly destination?: AddressSet;
  readonly sourcePorts?: readonly PortRange[];
  readonly destinationPorts?: readonly PortRange[];
}

const V4: Span[] = [[0n, V6_OFFSET - 1n]];

const documentation = ["203.0.113.99", "198.51.100.99", "192.0.2.99", "2001:db8::99"].map((t) =>
  addressValue(parseIpAddress(t) as IpAddress),
);
/** Values a witness takes when the set allows them, per field. */
const WITNESS_PREFERENCES: readonly (readonly bigint[])[] = [
  [protocolValue("Tcp"), protocolValue("Udp")],
  documentation,
  [...documentation].reverse(),
  [443n, 80n],
  [49152n],
];
const portSpans = (ranges: readonly PortRange[]): Span[] =>
  ranges.map((r) => [BigInt(r.first), BigInt(r.last)]);
const ZERO_PORTS = spanNode(
  Field.DestinationPort,
  [[0n, 0n]],
  spanNode(Field.SourcePort, [[0n, 0n]], TRUE, FALSE),
  FALSE,
);

/** Source and destination of the same family, then `tail`. */
function sameFamily(tail: Node): Node {
  const dstV4 = spanNode(Field.Destination, V4, tail, FALSE);
  const dstV6 = spanNode(Field.Destination, V4, FALSE, tail);
  return makeNode(Field.Source, [0n, V6_OFFSET], [dstV4, dstV6]);
}

/**
 * Every packet there can be: TCP and UDP with any ports, ICMP, ESP and AH with
 * none (their ports are fixed at 0), source and destination of one family.
 */
const UNIVERSE = makeNode(
  Field.Protocol,
  [protocolValue("Tcp"), protocolValue("Icmp")],
  [sameFamily(TRUE), sameFamily(ZERO_PORTS)],
);

/**
 * A set of packets over protocol × source × destination × ports, IPv4 and
 * IPv6, in canonical form: equal sets are the same object underneath, so
 * equality and emptiness cost nothing.
 */
export class PacketSet {
  private constructor(readonly root: Node) {}

  static readonly empty = new PacketSet(FALSE);
  static readonly all = new PacketSet(UNIVERSE);

  static of(root: Node): PacketSet {
    return root === FALSE
      ? PacketSet.empty
      : root === UNIVERSE
        ? PacketSet.all
        : new PacketSet(root);
  }

  /**
   * The packets matching every given field. Ports restrict only TCP and UDP,
   * as in an NSG rule: for other protocols they are ignored.
   */
  static box(spec: BoxSpec): PacketSet {
    const protocols = spec.protocols ?? FLOW_PROTOCOLS;
    const tail = (withPorts: boolean): Node => {
      let node: Node = TRUE;
      if (withPorts && spec.sourcePorts)
        node = spanNode(Field.SourcePort, portSpans(spec.sourcePorts), node, FALSE);
      if (withPorts && spec.destinationPorts)
        node = spanNode(Field.DestinationPort, portSpans(spec.destinationPorts), node, FALSE);
      if (spec.destination)
        node = spanNode(Field.Destination, addressSpans(spec.destination), node, FALSE);
      if (spec.source) node = spanNode(Field.Source, addressSpans(spec.source), node, FALSE);
      return node;
    };
    const ported = tail(true);
    const portless = tail(false);
    const starts: bigint[] = [];
    const kids: Node[] = [];
    FLOW_PROTOCOLS.forEach((p, i) => {
      starts.push(BigInt(i));
      kids.push(protocols.includes(p) ? (hasPorts(p) ? ported : portless) : FALSE);
    });
    return PacketSet.of(apply("and", makeNode(Field.Protocol, starts, kids), UNIVERSE));
  }

  /** The one packet, as a set. */
  static packet(packet: Packet): PacketSet {
    const one = (v: bigint): Span[] => [[v, v]];
    const ports = hasPorts(packet.protocol);
    let node: Node = TRUE;
    if (ports) {
      node = spanNode(Field.SourcePort, one(BigInt(packet.sourcePort)), node, FALSE);
      node = spanNode(Field.DestinationPort, one(BigInt(packet.destinationPort)), node, FALSE);
    }
    node = spanNode(Field.Destination, one(addressValue(packet.destination)), node, FALSE);
    node = spanNode(Field.Source, one(addressValue(packet.source)), node, FALSE);
    node = spanNode(Field.Protocol, one(protocolValue(packet.protocol)), node, FALSE);
    return PacketSet.of(apply("and", node, UNIVERSE));
  }

  union(other: PacketSet): PacketSet {
    return PacketSet.of(apply("or", this.root, other.root));
  }

  intersect(other: PacketSet): PacketSet {
    return PacketSet.of(apply("and", this.root, other.root));
  }

  minus(other: PacketSet): PacketSet {
    return PacketSet.of(apply("diff", this.root, other.root));
  }

  /** Every packet not in this set. */
  complement(): PacketSet {
    return PacketSet.all.minus(this);
  }

  isEmpty(): boolean {
    return this.root === FALSE;
  }

  equals(other: PacketSet): boolean {
    return this.root === other.root;
  }

  isSubsetOf(other: PacketSet): boolean {
    return this.minus(other).isEmpty();
  }

  has(packet: Packet): boolean {
    // A packet whose two addresses differ in family exists in no set.
    const one = PacketSet.packet(packet);
    return !one.isEmpty() && one.minus(this).isEmpty();
  }

  /**
   * The packets of this set that go from `source` to `destination`, with their
   * addresses rewritten to `newSource` and `newDestination`: how a flow's
   * packets look on the other side of the platform's address translation.
   */
  translate(
    source: IpAddress,
    destination: IpAddress,
    newSource: IpAddress,
    newDestination: IpAddress,
  ): PacketSet {
    const kids = FLOW_PROTOCOLS.map((_, p) => {
      let node = cofactor(this.root, Field.Protocol, BigInt(p));
      node = cofactor(node, Field.Source, addressValue(source));
      node = cofactor(node, Field.Destination, addressValue(destination));
      const one = (a: IpAddress): Span[] => [[addressValue(a), addressValue(a)]];
      return spanNode(
        Field.Source,
        one(newSource),
        spanNode(Field.Destination, one(newDestination), node, FALSE),
        FALSE,
      );
    });
    const starts = FLOW_PROTOCOLS.map((_, p) => BigInt(p));
    return PacketSet.of(apply("and", makeNode(Field.Protocol, starts, kids), UNIVERSE));
  }

  /** The source addresses of the set's packets. */
  sources(): AddressSet {
    return spansToAddressSet(project(this.root, Field.Source));
  }

  /** The destination addresses of the set's packets. */
  destinations(): AddressSet {
    return spansToAddressSet(project(this.root, Field.Destination));
  }

  /** The destination ports the set's TCP and UDP packets use. */
  destinationPorts(): PortRange[] {
    const ported = this.intersect(PacketSet.box({ protocols: ["Tcp", "Udp"] }));
    return project(ported.root, Field.DestinationPort).map(([a, b]) => ({
      first: Number(a),
      last: Number(b),
    }));
  }

  /** How many packets the set holds. */
  size(): bigint {
    return count(this.root);
  }

  /**
   * One packet of the set, undefined when it is empty. Where the set allows,
   * it takes values a reader recognises (an ephemeral source port, a
   * documentation address), else the lowest: the answer is stable.
   */
  witness(): Packet | undefined {
    if (this.isEmpty()) return undefined;
    const values: bigint[] = [0n, 0n, 0n, 0n, 0n];
    let node = this.root;
    let level = 0;
    while (node !== TRUE) {
      // Levels the diagram skips allow any value: keep the preferred one there.
      for (; level < node.level; level++) values[level] = WITNESS_PREFERENCES[level]?.[0] ?? 0n;
      const at = node;
      const preferred = (WITNESS_PREFERENCES[at.level] ?? []).find(
        (v) => cofactor(at, at.level, v) !== FALSE,
      );
      if (preferred !== undefined) {
        values[at.level] = preferred;
        node = cofactor(at, at.level, preferred);
      } else {
        const i = at.kids.findIndex((k) => k !== FALSE);
        values[at.level] = at.starts[i] as bigint;
        node = at.kids[i] as Node;
      }
      level = at.level + 1;
    }
    for (; level < FIELD_COUNT; level++) values[level] = WITNESS_PREFERENCES[level]?.[0] ?? 0n;
    const protocol = protocolOf(values[Field.Protocol] as bigint);
    return {
      protocol,
      source: addressOf(values[Field.Source] as bigint),
      destination: addressOf(values[Field.Destination] as bigint),
      sourcePort: Number(values[Field.SourcePort]),
      destinationPort: Number(values[Field.DestinationPort]),
    };
  }
}
