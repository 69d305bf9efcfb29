/**
 * One flow tuple as Azure's flow logs record it, in either format: NSG flow
 * logs (versions 1 and 2, per NSG and network interface) and virtual network
 * flow logs (per network interface, the NSGs' combined verdict). Readers of
 * the files fill it; replay judges it against a spec. Values are kept as
 * logged: addresses as text, the rule as Azure names it.
 */

/** Which format, and version, the tuple was read from. */
export type FlowLogFormat = "nsg-v1" | "nsg-v2" | "vnet";

/** A flow's state in the tuple: Begin, Continuing, End, or (VNet flow logs) Denied. */
export type LoggedFlowState = "B" | "C" | "E" | "D";

export interface LoggedFlow {
  readonly format: FlowLogFormat;
  /** Milliseconds since the epoch (NSG flow logs give seconds, scaled here). */
  readonly time: number;
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** IANA protocol number: NSG flow logs' `T` is 6 and `U` is 17. */
  readonly protocol: number;
  /** At the network interface where the flow was captured. */
  readonly direction: "Inbound" | "Outbound";
  /** NSG flow logs' `A`/`D`; in VNet flow logs, `D` (denied) as the state is Deny, any other state Allow. */
  readonly access: "Allow" | "Deny";
  /** Absent in version 1 of NSG flow logs. */
  readonly state?: LoggedFlowState;
  /** Counts since the previous tuple of the flow; absent where the tuple leaves them empty (a `B` tuple, version 1). */
  readonly packetsSent?: number;
  readonly bytesSent?: number;
  readonly packetsReceived?: number;
  readonly bytesReceived?: number;
  /** The rule as logged: `UserRule_NAME`, `DefaultRule_NAME`, or a security admin rule's name. */
  readonly rule: string;
  /** NSG flow logs: the resource id of the NSG that logged the tuple (the record's `resourceId`). */
  readonly nsgId?: string;
  /** VNet flow logs: the evaluating resource's id (`aclID`; an NSG's resource GUID). */
  readonly aclId?: string;
  /** VNet flow logs: the record's `targetResourceID` (a virtual network, subnet or network interface). */
  readonly targetResourceId?: string;
  /** The network interface's MAC address, as logged (`000D3AF8801A`). */
  readonly mac?: string;
  /** VNet flow logs' encryption field (`X`, `NX`, `NX_HW_NOT_SUPPORTED`...). */
  readonly encryption?: string;
}
