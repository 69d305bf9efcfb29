/**
 * One flow tuple, read from the bytes of its JSON string: the comma-separated
 * fields of NSG flow logs (version 1: 8 fields, version 2: 13) or of virtual
 * network flow logs (13), checked field by field and turned into a
 * LoggedFlow. Reading works on the bytes in place (no string per field), and
 * IPv4 addresses are kept once per value, so that millions of tuples cost
 * little more than the bytes they are made of.
 */
import type { FlowLogFormat, LoggedFlow, LoggedFlowState } from "../../model/logged-flow.js";
import { parseIpAddress } from "../../net/address.js";

/** What the tuple's record and flow groups say about it. */
export interface TupleContext {
  /** Which of the two formats the tuple's place in the record is. */
  readonly kind: "nsg" | "vnet";
  /** NSG flow logs' `properties.Version` (1 or 2), when the record gives it. */
  readonly version: number | undefined;
  readonly rule: string;
  readonly nsgId: string | undefined;
  readonly aclId: string | undefined;
  readonly targetResourceId: string | undefined;
  readonly mac: string | undefined;
}

const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Slots of the cache of IPv4 addresses' text (direct-mapped: a new address takes its slot). */
const ADDRESS_SLOTS = 1 << 16;

const VNET_STATES: Record<number, LoggedFlowState | undefined> = {
  66: "B",
  67: "C",
  69: "E",
  68: "D",
};
const NSG_STATES: Record<number, LoggedFlowState | undefined> = { 66: "B", 67: "C", 69: "E" };

/**
 * Reads tuples. After `read` returns undefined, `problem` says what is wrong
 * and `problemAt` is the offset (in the bytes given) of the field at fault.
 */
export class TupleReader {
  problem = "";
  problemAt = 0;
  private b: Buffer = Buffer.alloc(0);
  private p = 0;
  private start = 0;
  private end = 0;
  private context: TupleContext = {
    kind: "vnet",
    version: undefined,
    rule: "",
    nsgId: undefined,
    aclId: undefined,
    targetResourceId: undefined,
    mac: undefined,
  };
  private readonly addressKeys = new Int32Array(ADDRESS_SLOTS);
  private readonly addressTexts: (string | undefined)[] = new Array(ADDRESS_SLOTS).fill(undefined);
  private readonly encryptions = new Map<string, string>();

  /** The flow that the bytes `start` to `end` of `b` (a tuple string's content, unescaped) log. */
  read(b: Buffer, start: number, end: number, context: TupleContext): LoggedFlow | undefined {
    // One pass, field by field; the count of fields is checked when a field
    // is at fault (a wrong count is the fault then) and at the end.
    this.b = b;
    this.p = start;
    this.start = start;
    this.end = end;
    this.context = context;
    const vnet = context.kind === "vnet";
    const time = this.integer(16);
    if (time < 0) return this.fail(start, "its timestamp is not a whole number");
    const sourceAt = this.p;
    const source = this.address();
    if (source === undefined) return this.fail(sourceAt, "its source is not an IP address");
    const destinationAt = this.p;
    const destination = this.address();
    if (destination === undefined)
      return this.fail(destinationAt, "its destination is not an IP address");
    const sourcePortAt = this.p;
    const sourcePort = this.integer(5);
    if (sourcePort < 0 || sourcePort > 65535)
      return this.fail(sourcePortAt, "its source port is not a port (0 to 65535)");
    const destinationPortAt = this.p;
    const destinationPort = this.integer(5);
    if (destinationPort < 0 || destinationPort > 65535)
      return this.fail(destinationPortAt, "its destination port is not a port (0 to 65535)");
    const protocolAt = this.p;
    let protocol: number;
    if (vnet) {
      protocol = this.integer(3);
      if (protocol < 0 || protocol > 255)
        return this.fail(protocolAt, "its protocol is not an IANA protocol number (0 to 255)");
    } else {
      const letter = this.letter();
      // NSG flow logs write T (TCP) and U (UDP), nothing else.
      protocol = letter === 84 ? 6 : letter === 85 ? 17 : -1;
      if (protocol < 0) return this.fail(protocolAt, "its protocol is not T (TCP) or U (UDP)");
    }
    const directionAt = this.p;
    const d = this.letter();
    if (d !== 73 && d !== 79) return this.fail(directionAt, "its direction is not I or O");
    const direction = d === 73 ? "Inbound" : "Outbound";
    const decisionAt = this.p;
    const decision = this.letter();
    let access: "Allow" | "Deny";
    let state: LoggedFlowState | undefined;
    let encryption: string | undefined;
    let format: FlowLogFormat;
    let expected = 13;
    if (vnet) {
      state = VNET_STATES[decision];
      if (state === undefined) return this.fail(decisionAt, "its state is not B, C, E or D");
      access = state === "D" ? "Deny" : "Allow";
      const encryptionAt = this.p;
      encryption = this.token();
      if (encryption === undefined)
        return this.fail(encryptionAt, "its encryption is not a word such as X or NX");
      format = "vnet";
    } else {
      if (decision !== 65 && decision !== 68)
        return this.fail(decisionAt, "its decision is not A or D");
      access = decision === 65 ? "Allow" : "Deny";
      const more = this.p <= end;
      const version = context.version;
      expected = version === 1 ? 8 : version === 2 ? 13 : more ? 13 : 8;
      if (more !== (expected === 13)) return this.fail(start, "");
      format = expected === 8 ? "nsg-v1" : "nsg-v2";
      if (expected === 13) {
        const stateAt = this.p;
        state = NSG_STATES[this.letter()];
        if (state === undefined) return this.fail(stateAt, "its state is not B, C or E");
      }
    }
    let packetsSent: number | undefined;
    let bytesSent: number | undefined;
    let packetsReceived: number | undefined;
    let bytesReceived: number | undefined;
    if (expected === 13) {
      const at = this.p;
      packetsSent = this.count();
      bytesSent = this.count();
      packetsReceived = this.count();
      bytesReceived = this.count();
      if (packetsSent === -1 || bytesSent === -1 || packetsReceived === -1 || bytesReceived === -1)
        return this.fail(at, "its packet and byte counts are not whole numbers (or empty)");
      if (this.p !== end + 1) return this.fail(start, "");
    }
    return {
      format,
      time: vnet ? time : time * 1000,
      source,
      destination,
      sourcePort,
      destinationPort,
      protocol,
      direction,
      access,
      state,
      packetsSent,
      bytesSent,
      packetsReceived,
      bytesReceived,
      rule: context.rule,
      nsgId: context.nsgId,
      aclId: context.aclId,
      targetResourceId: context.targetResourceId,
      mac: context.mac,
      encryption,
    };
  }

  /** A fault at `at`; or, when the tuple has the wrong number of fields, that. */
  private fail(at: number, problem: string): undefined {
    const { b, start, end, context } = this;
    let fields = 1;
    for (let i = start; i < end; i++) if (b[i] === COMMA) fields++;
    const version = context.kind === "vnet" ? undefined : context.version;
    const expected =
      context.kind === "vnet"
        ? 13
        : version === 1
          ? 8
          : version === 2
            ? 13
            : fields === 8 || fields === 13
              ? fields
              : -1;
    if (fields !== expected) {
      const what =
        context.kind === "vnet"
          ? "virtual network flow logs' tuples have 13"
          : version === undefined
            ? "NSG flow logs' tuples have 8 (version 1) or 13 (version 2)"
            : `NSG flow logs' version ${version} tuples have ${expected}`;
      this.problemAt = start;
      this.problem = `has ${fields} field${fields === 1 ? "" : "s"}; ${what}`;
    } else {
      this.problemAt = at;
      this.problem = problem === "" ? "is not a tuple of its format" : problem;
    }
    return undefined;
  }

  /** A field of decimal digits (at most `digits`), and the comma after it; -1 when it is not one. */
  private integer(digits: number): number {
    const b = this.b;
    const end = this.end;
    const start = this.p;
    let p = start;
    let value = 0;
    while (p < end) {
      const c = b[p] as number;
      if (c === COMMA) break;
      if (c < ZERO || c > NINE) return -1;
      value = value * 10 + (c - ZERO);
      p++;
    }
    if (p === start || p - start > digits) return -1;
    this.p = p + 1;
    return value;
  }

  /** A count, which may be empty (undefined); -1 when it is neither. */
  private count(): number | undefined {
    const b = this.b;
    if (this.p >= this.end || b[this.p] === COMMA) {
      this.p++;
      return undefined;
    }
    return this.integer(15);
  }

  /** A field of one character, its code; -1 when the field is not one character. */
  private letter(): number {
    const p = this.p;
    if (p >= this.end) return -1;
    const next = p + 1;
    if (next < this.end && this.b[next] !== COMMA) return -1;
    this.p = next + 1;
    return this.b[p] as number;
  }

  /** A field of letters, digits and underscores, as text. */
  private token(): string | undefined {
    const b = this.b;
    const start = this.p;
    let p = start;
    while (p < this.end && b[p] !== COMMA) {
      const c = b[p] as number;
      const word =
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= ZERO && c <= NINE) || c === 95;
      if (!word) return undefined;
      p++;
    }
    if (p === start) return undefined;
    this.p = p + 1;
    // The usual words without making a string of them.
    if (p - start === 2 && b[start] === 78 && b[start + 1] === 88) return "NX";
    if (p - start === 1 && b[start] === 88) return "X";
    const text = b.toString("latin1", start, p);
    const known = this.encryptions.get(text);
    if (known !== undefined) return known;
    this.encryptions.set(text, text);
    return text;
  }

  /** An IPv4 address in dotted decimal (no leading zeros) or an IPv6 address, as logged. */
  private address(): string | undefined {
    const b = this.b;
    const end = this.end;
    const start = this.p;
    let p = start;
    let value = 0;
    let octet = 0;
    let digits = 0;
    let dots = 0;
    while (p < end) {
      const c = b[p] as number;
      if (c >= ZERO && c <= NINE) {
        if (digits === 1 && octet === 0) return this.ipv6(start);
        octet = octet * 10 + (c - ZERO);
        digits++;
        if (octet > 255) return this.ipv6(start);
      } else if (c === DOT) {
        if (digits === 0 || dots === 3) return this.ipv6(start);
        value = (value << 8) | octet;
        octet = 0;
        digits = 0;
        dots++;
      } else if (c === COMMA) break;
      else return this.ipv6(start);
      p++;
    }
    if (dots !== 3 || digits === 0) return undefined;
    value = (value << 8) | octet;
    this.p = p + 1;
    const slot = Math.imul(value, 0x9e3779b1) >>> 16;
    const known = this.addressTexts[slot];
    if (known !== undefined && this.addressKeys[slot] === value) return known;
    const text = b.toString("latin1", start, p);
    this.addressKeys[slot] = value;
    this.addressTexts[slot] = text;
    return text;
  }

  private ipv6(start: number): string | undefined {
    let p = start;
    while (p < this.end && this.b[p] !== COMMA) p++;
    const text = this.b.toString("latin1", start, p);
    if (!text.includes(":") || parseIpAddress(text)?.family !== 6) return undefined;
    this.p = p + 1;
    return text;
  }
}
