/** The batch API's flows and decisions: typed arrays, one entry per flow, and the codes in them. */
import type { FlowProtocol } from "../net/protocol.js";

/** Protocol codes of the batch API. Any other code matches no rule. */
export const PROTOCOL_CODE: Readonly<Record<FlowProtocol, number>> = {
  Tcp: 0,
  Udp: 1,
  Icmp: 2,
  Esp: 3,
  Ah: 4,
};

/** Codes below this are the protocols with ports (Tcp and Udp). */
export const PORT_PROTOCOLS = 2;

/** Access codes written by the batch API. */
export const DENY = 0;
export const ALLOW = 1;
/** No rule matched: only possible for a rule list without Azure's default rules, or an unknown protocol code. */
export const NO_DECISION = 2;
export const NO_RULE = -1;

/** IPv4 flows, one entry per flow in each array. */
export interface FlowBatch4 {
  /** Optional; an IPv6 batch must say 6, so that the two cannot be mistaken. */
  readonly family?: 4;
  readonly protocol: Uint8Array;
  readonly source: Uint32Array;
  readonly sourcePort: Uint16Array;
  readonly destination: Uint32Array;
  readonly destinationPort: Uint16Array;
}

/** IPv6 flows: addresses as four 32-bit words per flow, most significant first. */
export interface FlowBatch6 {
  readonly family: 6;
  readonly protocol: Uint8Array;
  readonly source: Uint32Array;
  readonly sourcePort: Uint16Array;
  readonly destination: Uint32Array;
  readonly destinationPort: Uint16Array;
}

/** Where the batch API writes: the deciding rule's index (or NO_RULE) and its access code. */
export interface Decisions {
  readonly rule: Int32Array;
  readonly access: Uint8Array;
}
