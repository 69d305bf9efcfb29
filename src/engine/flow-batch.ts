/** The batch API's flows and decisions: typed arrays, one entry per flow. */

/** IPv4 flows, one entry per flow in each array. */
export interface FlowBatch4 {
  readonly protocol: Uint8Array;
  readonly source: Uint32Array;
  readonly sourcePort: Uint16Array;
  readonly destination: Uint32Array;
  readonly destinationPort: Uint16Array;
}

/** IPv6 flows: addresses as four 32-bit words per flow, most significant first. */
export interface FlowBatch6 {
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
