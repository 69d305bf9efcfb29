import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../net/protocol.js";

/**
 * The fields of a packet, in the order the decision diagram tests them.
 * Addresses of both families share one axis: IPv4 first, then IPv6 offset by 2^32.
 */
export const Field = {
  Protocol: 0,
  Source: 1,
  Destination: 2,
  DestinationPort: 3,
  SourcePort: 4,
} as const;
export type Field = (typeof Field)[keyof typeof Field];
export const FIELD_COUNT = 5;

export const V6_OFFSET = 1n << 32n;
const ADDRESS_MAX = V6_OFFSET + (1n << 128n) - 1n;

/** The largest value of each field; every field starts at 0. */
export const FIELD_MAX: readonly bigint[] = [
  BigInt(FLOW_PROTOCOLS.length - 1),
  ADDRESS_MAX,
  ADDRESS_MAX,
  65535n,
  65535n,
];

/** An inclusive range of one field's values. */
export type Span = readonly [first: bigint, last: bigint];

export function protocolValue(protocol: FlowProtocol): bigint {
  return BigInt(FLOW_PROTOCOLS.indexOf(protocol));
}

export function protocolOf(value: bigint): FlowProtocol {
  return FLOW_PROTOCOLS[Number(value)] as FlowProtocol;
}

export function addressValue(address: IpAddress): bigint {
  return address.family === 4 ? address.value : V6_OFFSET + address.value;
}

export function addressOf(value: bigint): IpAddress {
  return value < V6_OFFSET ? { family: 4, value } : { family: 6, value: value - V6_OFFSET };
}

/** An address set as spans on the shared address axis. */
export function addressSpans(set: AddressSet): Span[] {
  return [
    ...set.intervals(4).map(([a, b]): Span => [a, b]),
    ...set.intervals(6).map(([a, b]): Span => [a + V6_OFFSET, b + V6_OFFSET]),
  ];
}

/** Spans on the shared address axis back to an address set. */
export function spansToAddressSet(spans: readonly Span[]): AddressSet {
  const ranges = [];
  for (const [first, last] of spans) {
    if (first < V6_OFFSET)
      ranges.push({ family: 4 as const, first, last: last < V6_OFFSET ? last : V6_OFFSET - 1n });
    if (last >= V6_OFFSET)
      ranges.push({
        family: 6 as const,
        first: (first < V6_OFFSET ? V6_OFFSET : first) - V6_OFFSET,
        last: last - V6_OFFSET,
      });
  }
  return AddressSet.of(ranges);
}

export const ALL_IPV4 = AddressSet.of([{ family: 4, first: 0n, last: V6_OFFSET - 1n }]);
export const ALL_IPV6 = ALL_IPV4.complement();
