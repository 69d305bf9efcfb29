/**
 * An incremental reader of one flow-log file's JSON, fed its bytes chunk by
 * chunk: it never holds the file, only the chunk at hand (and a token cut in
 * two by a chunk's end), and it keeps the line and column of every place and
 * the path of keys that leads there. It follows only the paths where flow
 * logs keep what a flow needs:
 *
 * - NSG flow logs: records[] -> category, resourceId, properties.Version,
 *   properties.flows[].rule, .flows[].mac, .flows[].flowTuples[];
 * - virtual network flow logs: records[] -> category, macAddress,
 *   targetResourceID, flowRecords.flows[].aclID, .flowGroups[].rule,
 *   .flowGroups[].flowTuples[];
 *
 * and steps over everything else without decoding it. A tuple is read as soon
 * as everything it needs from its record has been seen (Azure writes those
 * keys before the tuples); a record that gives them after its tuples has its
 * tuples held until it closes, so that key order never changes the result.
 * A bad tuple is reported where it is and the reading goes on; JSON that
 * breaks is reported where it breaks, and what came before is kept.
 *
 * Columns count bytes from the start of the line (the same as characters in
 * the ASCII that flow logs are written in).
 */
import { type Diagnostic, error, type SourceLocation, warning } from "../../model/diagnostic.js";
import type { LoggedFlow } from "../../model/logged-flow.js";
import type { FlowLogDiagnostics } from "./diagnostics.js";
import { type TupleContext, TupleReader } from "./tuple.js";

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

/** A token cut by a chunk's end is kept whole up to this size; a longer string is stepped over. */
const LONGEST_TOKEN = 1 << 20;
const LONGEST_NUMBER = 1024;

// Where the scanner is in the JSON grammar.
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON = 4;
const AFTER = 5;
const DONE = 6;
const DEAD = 7;
const SKIP_STRING = 8;

// What a value is, by where it is. Containers first, then the values read.
const SKIP = 0;
const ROOT = 1;
const RECORDS = 2;
const RECORD = 3;
const PROPERTIES = 4;
const NSG_RULES = 5;
const NSG_RULE = 6;
const NSG_MACS = 7;
const NSG_MAC = 8;
const NSG_TUPLES = 9;
const FLOW_RECORDS = 10;
const VNET_ACLS = 11;
const VNET_ACL = 12;
const VNET_GROUPS = 13;
const VNET_GROUP = 14;
const VNET_TUPLES = 15;
const NSG_TUPLE = 20;
const VNET_TUPLE = 21;
const CATEGORY = 22;
const RESOURCE_ID = 23;
const VERSION = 24;
const MAC_ADDRESS = 25;
const TARGET_ID = 26;
const NSG_RULE_NAME = 27;
const NSG_MAC_NAME = 28;
const ACL_ID = 29;
const VNET_RULE_NAME = 30;

const OBJECTS = new Set([
  ROOT,
  RECORD,
  PROPERTIES,
  NSG_RULE,
  NSG_MAC,
  FLOW_RECORDS,
  VNET_ACL,
  VNET_GROUP,
]);
const ARRAYS = new Set([
  RECORDS,
  NSG_RULES,
  NSG_MACS,
  NSG_TUPLES,
  VNET_ACLS,
  VNET_GROUPS,
  VNET_TUPLES,
]);

/** The role of an array's items. */
const ITEMS: Record<number, number> = {
  [RECORDS]: RECORD,
  [NSG_RULES]: NSG_RULE,
  [NSG_MACS]: NSG_MAC,
  [NSG_TUPLES]: NSG_TUPLE,
  [VNET_ACLS]: VNET_ACL,
  [VNET_GROUPS]: VNET_GROUP,
  [VNET_TUPLES]: VNET_TUPLE,
};

/** The role of an object's members, by key. */
const MEMBERS: ReadonlyMap<number, ReadonlyMap<string, number>> = new Map(
  Object.entries({
    [ROOT]: { records: RECORDS },
    [RECORD]: {
      category: CATEGORY,
      resourceId: RESOURCE_ID,
      macAddress: MAC_ADDRESS,
      targetResourceID: TARGET_ID,
      properties: PROPERTIES,
      flowRecords: FLOW_RECORDS,
    },
    [PROPERTIES]: { Version: VERSION, flows: NSG_RULES },
    [NSG_RULE]: { rule: NSG_RULE_NAME, flows: NSG_MACS },
    [NSG_MAC]: { mac: NSG_MAC_NAME, flowTuples: NSG_TUPLES },
    [FLOW_RECORDS]: { flows: VNET_ACLS },
    [VNET_ACL]: { aclID: ACL_ID, flowGroups: VNET_GROUPS },
    [VNET_GROUP]: { rule: VNET_RULE_NAME, flowTuples: VNET_TUPLES },
  }).map(([owner, keys]) => [Number(owner), new Map(Object.entries(keys))]),
);

export const NSG_CATEGORY = "NetworkSecurityGroupFlowEvent";
export const VNET_CATEGORY = "FlowLogFlowEvent";

// What a record, or a flow group, has given so far.
const HAS_CATEGORY = 1;
const HAS_RESOURCE_ID = 2;
const HAS_VERSION = 4;
const HAS_MAC_ADDRESS = 8;
const HAS_TARGET = 16;
const NSG_READY = HAS_CATEGORY | HAS_RESOURCE_ID | HAS_VERSION;
const VNET_READY = HAS_CATEGORY | HAS_MAC_ADDRESS | HAS_TARGET;

interface RecordState {
  seen: number;
  category: string | undefined;
  /** From the category: which format the record is; undefined for another category or none. */
  kind: "nsg" | "vnet" | undefined;
  resourceId: string | undefined;
  version: number | undefined;
  macAddress: string | undefined;
  targetResourceId: string | undefined;
  readonly where: SourceLocation;
}

/** An NSG flow log's rule and network interface, or a VNet flow log's ACL and rule. */
interface GroupState {
  seen: boolean;
  value: string | undefined;
}

interface HeldTuple {
  readonly bytes: Buffer;
  /** False when the string had escapes: a fault is placed at the string, not at the field. */
  readonly exact: boolean;
  readonly line: number;
  readonly column: number;
  readonly path: (string | number)[];
  readonly kind: "nsg" | "vnet";
  readonly outer: GroupState;
  readonly inner: GroupState;
}

export interface ScanCounts {
  /** Flow-log records read (NSG or VNet), whole or not. */
  records: number;
  /** Records of other categories, stepped over. */
  recordsSkipped: number;
  tuples: number;
  tuplesRejected: number;
}

const newGroup = (): GroupState => ({ seen: false, value: undefined });

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;
const isTokenByte = (c: number) =>
  (c >= 48 && c <= 57) ||
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  c === 45 ||
  c === 43 ||
  c === 46;

export class FlowLogScanner {
  readonly counts: ScanCounts = { records: 0, recordsSkipped: 0, tuples: 0, tuplesRejected: 0 };

  private mode = VALUE;
  private valueRole = ROOT;
  private readonly roles: number[] = [];
  private readonly steps: (string | number)[] = [];

  /** Bytes pushed so far; the offset of the next chunk. */
  private offset = 0;
  /** The offset of the current buffer's first byte. */
  private base = 0;
  private carry: Buffer | undefined;
  private carryBase = 0;
  private line = 1;
  private lineStart = 0;

  /** In SKIP_STRING: the chunk ended inside an escape; and what the string was. */
  private escapePending = false;
  private skipRole = SKIP;
  private skipStart: SourceLocation | undefined;

  private record: RecordState | undefined;
  private outer: GroupState = newGroup();
  private inner: GroupState = newGroup();
  private context: TupleContext | undefined;
  private held: HeldTuple[] = [];
  private sawRecords = false;
  private sawContent = false;
  private inferredCategory = false;

  constructor(
    private readonly file: string,
    private readonly emit: (flow: LoggedFlow) => void,
    private readonly diagnostics: FlowLogDiagnostics,
    private readonly tuples: TupleReader = new TupleReader(),
  ) {}

  /** Reads the next bytes of the file. */
  push(chunk: Buffer): void {
    const at = this.offset;
    this.offset += chunk.length;
    if (this.mode === DEAD || chunk.length === 0) return;
    let b = chunk;
    if (this.carry !== undefined) {
      b = Buffer.concat([this.carry, chunk]);
      this.base = this.carryBase;
      this.carry = undefined;
    } else this.base = at;
    let i = 0;
    if (this.mode === SKIP_STRING) {
      i = this.skipString(b, this.escapePending ? 1 : 0);
      if (i < 0) return;
    }
    this.run(b, i);
  }

  /** The file has ended: reports a JSON document left open, and reads the tuples it held. */
  end(): void {
    if (this.mode === DEAD) return;
    if (this.mode === DONE) {
      if (!this.sawRecords)
        this.report(
          error(
            "FlowLogNoRecords",
            "has no records: flow logs are an object whose records array holds the flow events",
            [],
          ),
          { file: this.file, line: 1, column: 1 },
        );
      return;
    }
    const where = this.locate(this.offset);
    if (!this.sawContent) {
      this.report(warning("FlowLogEmpty", "is empty: no flow events in it", []), where);
      this.mode = DEAD;
      return;
    }
    this.report(
      error(
        "FlowLogTruncated",
        `ends inside its JSON (${this.inside()}): the tuples before this point were read, the rest of the file is missing`,
        this.path(),
        "a flow log copied while Azure was still writing it, or cut short in transfer: copy it again",
      ),
      where,
    );
    this.stop();
  }

  /** The bytes could not be read further (a broken gzip stream): reported where the reading stopped. */
  fail(code: string, message: string, hint?: string): void {
    if (this.mode === DEAD) return;
    this.report(error(code, message, this.path(), hint), this.locate(this.offset));
    this.stop();
  }

  private stop(): void {
    this.mode = DEAD;
    this.carry = undefined;
    if (this.record !== undefined) this.closeRecord();
  }

  private run(b: Buffer, start: number): void {
    const n = b.length;
    let i = start;
    while (i < n) {
      const c = b[i] as number;
      if (c === 32 || c === 9 || c === 13) {
        i++;
        continue;
      }
      if (c === NEWLINE) {
        this.line++;
        this.lineStart = this.base + i + 1;
        i++;
        continue;
      }
      if (c === 0xef && !this.sawContent) {
        // A byte order mark (files saved by some editors and shells): stepped over.
        if (i + 2 >= n) {
          this.keep(b, i, false, this.valueRole);
          return;
        }
        if (b[i + 1] === 0xbb && b[i + 2] === 0xbf) {
          i += 3;
          this.lineStart = this.base + i;
          continue;
        }
      }
      this.sawContent = true;
      switch (this.mode) {
        case VALUE_OR_CLOSE:
        case VALUE: {
          if (c === 93 && this.mode === VALUE_OR_CLOSE) {
            i = this.close(i);
            break;
          }
          const role = this.valueRole;
          if (role === ROOT && c !== 123) {
            this.unexpected(
              ROOT,
              c === 91 ? "an array" : c === QUOTE ? "a string" : "not an object",
              i,
            );
            return;
          }
          if (c === QUOTE) {
            if (role === NSG_TUPLE || role === VNET_TUPLE) {
              let j = b.indexOf(QUOTE, i + 1);
              if (j > 0 && b[j - 1] === BACKSLASH) j = this.stringEnd(b, i + 1);
              if (j === -2) {
                this.invalid(this.badAt, "a control character inside a string");
                return;
              }
              if (j < 0) {
                this.keep(b, i, true, role);
                return;
              }
              this.tuple(b, i + 1, j, role === NSG_TUPLE ? "nsg" : "vnet");
              i = j + 1;
              this.mode = AFTER;
            } else if (role === SKIP) {
              const j = this.skipEnd(b, i + 1, i + 1);
              if (j < 0) {
                this.startSkip(b, i, SKIP);
                return;
              }
              i = j + 1;
              this.mode = AFTER;
            } else {
              const j = this.stringEnd(b, i + 1);
              if (j === -2) {
                this.invalid(this.badAt, "a control character inside a string");
                return;
              }
              if (j < 0) {
                this.keep(b, i, true, role);
                return;
              }
              const text = this.decode(b, i, j);
              if (text === undefined) {
                this.invalid(i, "a string with a bad escape");
                return;
              }
              this.value(role, text, i);
              i = j + 1;
              this.mode = AFTER;
            }
          } else if (c === 123 || c === 91) {
            const object = c === 123;
            if (role !== SKIP && (object ? !OBJECTS.has(role) : !ARRAYS.has(role))) {
              this.unexpected(role, object ? "an object" : "an array", i);
              this.open(SKIP, object, i);
            } else this.open(role, object, i);
            i++;
          } else if (isTokenByte(c)) {
            let j = i + 1;
            while (j < n && isTokenByte(b[j] as number)) j++;
            if (j === n) {
              if (j - i > LONGEST_NUMBER) {
                this.invalid(i, "a number too long");
                return;
              }
              this.keep(b, i, false, role);
              return;
            }
            const text = b.toString("latin1", i, j);
            if (text === "true" || text === "false" || text === "null") {
              if (role !== SKIP) this.unexpected(role, text, i);
            } else if (NUMBER.test(text)) {
              if (role === VERSION) this.value(role, Number(text), i);
              else if (role !== SKIP) this.unexpected(role, "a number", i);
            } else {
              this.invalid(i, `"${text.slice(0, 40)}"`);
              return;
            }
            i = j;
            this.mode = AFTER;
          } else {
            this.invalid(i, describe(c), "where a value belongs");
            return;
          }
          break;
        }
        case KEY_OR_CLOSE:
        case KEY: {
          if (c === 125 && this.mode === KEY_OR_CLOSE) {
            i = this.close(i);
            break;
          }
          if (c !== QUOTE) {
            this.invalid(i, describe(c), "where a key belongs");
            return;
          }
          const j = this.stringEnd(b, i + 1);
          if (j === -2) {
            this.invalid(this.badAt, "a control character inside a string");
            return;
          }
          if (j < 0) {
            this.keep(b, i, true, -1);
            return;
          }
          const key = this.decode(b, i, j);
          if (key === undefined) {
            this.invalid(i, "a key with a bad escape");
            return;
          }
          const top = this.roles.length - 1;
          const owner = this.roles[top] as number;
          this.steps[top] = key;
          this.valueRole =
            owner === RECORD &&
            this.record?.category !== undefined &&
            this.record.kind === undefined
              ? SKIP
              : (MEMBERS.get(owner)?.get(key) ?? SKIP);
          this.mode = COLON;
          i = j + 1;
          break;
        }
        case COLON:
          if (c !== 58) {
            this.invalid(i, describe(c), "where a colon belongs");
            return;
          }
          this.mode = VALUE;
          i++;
          break;
        case AFTER: {
          const top = this.roles.length - 1;
          const owner = this.roles[top] as number;
          const array = typeof this.steps[top] === "number";
          if (c === 44) {
            if (array) {
              this.steps[top] = (this.steps[top] as number) + 1;
              this.valueRole = ITEMS[owner] ?? SKIP;
              this.mode = VALUE;
            } else this.mode = KEY;
            i++;
          } else if (c === (array ? 93 : 125)) i = this.close(i);
          else {
            this.invalid(
              i,
              describe(c),
              array ? "where a comma or ] belongs" : "where a comma or } belongs",
            );
            return;
          }
          break;
        }
        case DONE: {
          this.invalid(i, describe(c), "after the end of the JSON document");
          return;
        }
        default:
          return;
      }
    }
  }

  private open(role: number, object: boolean, i: number): void {
    this.roles.push(role);
    this.steps.push(object ? "" : 0);
    if (object) {
      this.mode = KEY_OR_CLOSE;
      if (role === RECORD) {
        this.record = {
          seen: 0,
          category: undefined,
          kind: undefined,
          resourceId: undefined,
          version: undefined,
          macAddress: undefined,
          targetResourceId: undefined,
          where: this.locate(this.base + i),
        };
        this.context = undefined;
      } else if (role === NSG_RULE || role === VNET_ACL) {
        this.outer = newGroup();
        this.inner = newGroup();
        this.context = undefined;
      } else if (role === NSG_MAC || role === VNET_GROUP) {
        this.inner = newGroup();
        this.context = undefined;
      }
    } else {
      this.mode = VALUE_OR_CLOSE;
      this.valueRole = ITEMS[role] ?? SKIP;
      if (role === RECORDS) this.sawRecords = true;
    }
  }

  private close(i: number): number {
    const role = this.roles.pop() as number;
    this.steps.pop();
    if (role === RECORD) this.closeRecord();
    this.mode = this.roles.length === 0 ? DONE : AFTER;
    return i + 1;
  }

  private closeRecord(): void {
    const record = this.record;
    if (record === undefined) return;
    this.record = undefined;
    this.context = undefined;
    if (record.category !== undefined && record.kind === undefined) {
      this.counts.recordsSkipped++;
      this.diagnostics.skippedRecord(record.category, record.where);
      this.held = [];
      return;
    }
    this.counts.records++;
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    for (const tuple of held) {
      const context = this.contextOf(
        record,
        tuple.kind,
        tuple.outer,
        tuple.inner,
        tuple.line,
        tuple.column,
        tuple.bytes,
        tuple.path,
      );
      if (context === undefined) continue;
      const flow = this.tuples.read(tuple.bytes, 0, tuple.bytes.length, context);
      if (flow !== undefined) {
        this.counts.tuples++;
        this.emit(flow);
      } else
        this.reject(
          tuple.bytes,
          0,
          tuple.bytes.length,
          this.tuples.problem,
          tuple.path,
          tuple.line,
          tuple.exact ? tuple.column + this.tuples.problemAt : tuple.column,
        );
    }
  }

  /**
   * The context a tuple is read in, once its record is complete; undefined
   * (the tuple rejected and reported) when the record does not allow reading it.
   */
  private contextOf(
    record: RecordState,
    kind: "nsg" | "vnet",
    outer: GroupState,
    inner: GroupState,
    line: number,
    column: number,
    bytes: Buffer,
    path: (string | number)[],
  ): TupleContext | undefined {
    let problem: string | undefined;
    if (record.kind === undefined) {
      if (!this.inferredCategory) {
        this.inferredCategory = true;
        this.report(
          warning(
            "FlowLogRecordWithoutCategory",
            `a record has no category: read as ${kind === "nsg" ? `${NSG_CATEGORY} (NSG flow logs), from its properties.flows` : `${VNET_CATEGORY} (virtual network flow logs), from its flowRecords`}`,
            path.slice(0, 2),
          ),
          record.where,
        );
      }
    } else if (record.kind !== kind)
      problem =
        kind === "nsg"
          ? `is an NSG flow log's (properties.flows) in a record of category ${VNET_CATEGORY}`
          : `is a virtual network flow log's (flowRecords) in a record of category ${NSG_CATEGORY}`;
    const rule = kind === "nsg" ? outer.value : inner.value;
    if (problem === undefined && rule === undefined)
      problem = "has no rule: its flow group names none";
    if (
      problem === undefined &&
      kind === "nsg" &&
      record.version !== undefined &&
      record.version !== 1 &&
      record.version !== 2
    )
      problem = `is in a record of version ${record.version}: NSG flow logs have versions 1 and 2`;
    if (problem !== undefined) {
      this.reject(bytes, 0, bytes.length, problem, path, line, column);
      return undefined;
    }
    return kind === "nsg"
      ? {
          kind,
          version: record.version,
          rule: rule as string,
          nsgId: record.resourceId,
          aclId: undefined,
          targetResourceId: undefined,
          mac: inner.value,
        }
      : {
          kind,
          version: undefined,
          rule: rule as string,
          nsgId: undefined,
          aclId: outer.value,
          targetResourceId: record.targetResourceId,
          mac: record.macAddress,
        };
  }

  private tuple(b: Buffer, start: number, end: number, kind: "nsg" | "vnet"): void {
    const record = this.record;
    if (record === undefined || (record.category !== undefined && record.kind === undefined))
      return;
    const mask = kind === "nsg" ? NSG_READY : VNET_READY;
    const column = this.base + start - this.lineStart + 1;
    if ((record.seen & mask) !== mask || !this.outer.seen || !this.inner.seen) {
      const exact = !hasBackslash(b, start, end);
      this.held.push({
        bytes: exact ? Buffer.from(b.subarray(start, end)) : unescapeTuple(b, start, end),
        exact,
        line: this.line,
        column: exact ? column : column - 1,
        path: this.path(),
        kind,
        outer: this.outer,
        inner: this.inner,
      });
      return;
    }
    let context = this.context;
    if (context === undefined) {
      context = this.contextOf(
        record,
        kind,
        this.outer,
        this.inner,
        this.line,
        column,
        b.subarray(start, end),
        this.path(),
      );
      if (context === undefined) return;
      this.context = context;
    }
    let flow = this.tuples.read(b, start, end, context);
    if (flow !== undefined) {
      this.counts.tuples++;
      this.emit(flow);
      return;
    }
    if (!hasBackslash(b, start, end)) {
      this.reject(
        b,
        start,
        end,
        this.tuples.problem,
        this.path(),
        this.line,
        column + this.tuples.problemAt - start,
      );
      return;
    }
    // Escapes in a tuple: read what they stand for; a fault is placed at the string.
    const bytes = unescapeTuple(b, start, end);
    flow = this.tuples.read(bytes, 0, bytes.length, context);
    if (flow !== undefined) {
      this.counts.tuples++;
      this.emit(flow);
    } else
      this.reject(bytes, 0, bytes.length, this.tuples.problem, this.path(), this.line, column - 1);
  }

  private reject(
    bytes: Buffer,
    from: number,
    to: number,
    problem: string,
    path: (string | number)[],
    line: number,
    column: number,
  ): void {
    this.counts.tuplesRejected++;
    const text = bytes.toString("latin1", from, Math.min(to, from + 200));
    this.diagnostics.tuple({
      ...error(
        "FlowTupleInvalid",
        `flow tuple "${text}${to - from > 200 ? "..." : ""}" ${problem}; it was left out`,
        path,
      ),
      location: { file: this.file, line, column },
    });
  }

  /** A value read at a place whose value is kept. */
  private value(role: number, value: string | number, at: number): void {
    this.context = undefined;
    const record = this.record;
    if (role === VERSION) {
      if (record !== undefined) {
        record.version = value as number;
        record.seen |= HAS_VERSION;
      }
      return;
    }
    if (typeof value !== "string") {
      this.unexpected(role, "a number", at);
      return;
    }
    switch (role) {
      case CATEGORY:
        if (record === undefined) return;
        record.category = value;
        record.kind = value === NSG_CATEGORY ? "nsg" : value === VNET_CATEGORY ? "vnet" : undefined;
        record.seen |= HAS_CATEGORY;
        return;
      case RESOURCE_ID:
        if (record === undefined) return;
        record.resourceId = value;
        record.seen |= HAS_RESOURCE_ID;
        return;
      case MAC_ADDRESS:
        if (record === undefined) return;
        record.macAddress = value;
        record.seen |= HAS_MAC_ADDRESS;
        return;
      case TARGET_ID:
        if (record === undefined) return;
        record.targetResourceId = value;
        record.seen |= HAS_TARGET;
        return;
      case NSG_RULE_NAME:
      case ACL_ID:
        this.outer.value = value;
        this.outer.seen = true;
        return;
      case NSG_MAC_NAME:
      case VNET_RULE_NAME:
        this.inner.value = value;
        this.inner.seen = true;
        return;
      default: {
        this.unexpected(role, "a string", at);
        return;
      }
    }
  }

  /** A value of the wrong type where flow logs keep something: reported, and stepped over. */
  private unexpected(role: number, found: string, at: number): void {
    if (role === NSG_TUPLE || role === VNET_TUPLE) {
      this.counts.tuplesRejected++;
      this.diagnostics.tuple({
        ...error(
          "FlowTupleInvalid",
          `a flow tuple is ${found}, not a string; it was left out`,
          this.path(),
        ),
        location: this.locate(this.base + at),
      });
      return;
    }
    if (role === ROOT) {
      this.report(
        error(
          "FlowLogNoRecords",
          `is not a flow log: it is ${found}, where flow logs are an object whose records array holds the flow events`,
          [],
        ),
        this.locate(this.base + at),
      );
      this.mode = DEAD;
      return;
    }
    // A group's rule, ACL or MAC, or a record's key, of the wrong type: as if absent.
    if (role === NSG_RULE_NAME || role === ACL_ID) this.outer.seen = true;
    if (role === NSG_MAC_NAME || role === VNET_RULE_NAME) this.inner.seen = true;
    const record = this.record;
    if (record !== undefined) {
      if (role === CATEGORY) record.seen |= HAS_CATEGORY;
      if (role === RESOURCE_ID) record.seen |= HAS_RESOURCE_ID;
      if (role === VERSION) record.seen |= HAS_VERSION;
      if (role === MAC_ADDRESS) record.seen |= HAS_MAC_ADDRESS;
      if (role === TARGET_ID) record.seen |= HAS_TARGET;
    }
    this.diagnostics.value({
      ...error(
        "FlowLogUnexpectedValue",
        `${pathText(this.path())} is ${found}, where flow logs have ${EXPECTED[role] ?? "something else"}; it was not read`,
        this.path(),
      ),
      location: this.locate(this.base + at),
    });
  }

  /** JSON that breaks here: reported, and the file read no further. */
  private invalid(at: number, found: string, where = ""): void {
    this.report(
      error(
        "FlowLogJsonInvalid",
        `is not valid JSON here: ${found}${where === "" ? "" : ` ${where}`}; the tuples before this point were read, the rest of the file was not`,
        this.path(),
      ),
      this.locate(this.base + at),
    );
    this.stop();
  }

  /** Keeps a token cut by the chunk's end, to read it whole with the next chunk. */
  private keep(b: Buffer, at: number, string: boolean, role: number): void {
    if (string && b.length - at > LONGEST_TOKEN) {
      this.startSkip(b, at, role);
      return;
    }
    this.carry = b.subarray(at);
    this.carryBase = this.base + at;
  }

  /** Steps over a string longer than the chunk without keeping it. */
  private startSkip(b: Buffer, at: number, role: number): void {
    this.mode = SKIP_STRING;
    this.skipRole = role;
    this.skipStart = this.locate(this.base + at);
    this.escapePending = trailingBackslashes(b, at + 1) % 2 === 1;
  }

  /** In SKIP_STRING: finds the string's end in this chunk; -1 when it goes on into the next. */
  private skipString(b: Buffer, from: number): number {
    const j = this.skipEnd(b, from, from);
    if (j < 0) {
      this.escapePending = trailingBackslashes(b, from) % 2 === 1;
      return -1;
    }
    const role = this.skipRole;
    const where = this.skipStart as SourceLocation;
    if (role === -1) {
      // A key too long to be one of flow logs': its value is stepped over.
      this.valueRole = SKIP;
      this.mode = COLON;
    } else {
      this.mode = AFTER;
      if (role === NSG_TUPLE || role === VNET_TUPLE) {
        this.counts.tuplesRejected++;
        this.diagnostics.tuple({
          ...error(
            "FlowTupleInvalid",
            "a flow tuple is longer than a megabyte; it was left out",
            this.path(),
          ),
          location: where,
        });
      } else if (role !== SKIP)
        this.report(
          error(
            "FlowLogUnexpectedValue",
            `${pathText(this.path())} is longer than a megabyte; it was not read`,
            this.path(),
          ),
          where,
        );
    }
    return j + 1;
  }

  /** The index of the quote that ends a string whose content starts at `from`; -1 when not in `b`. */
  private skipEnd(b: Buffer, from: number, contentStart: number): number {
    let j = from;
    for (;;) {
      j = b.indexOf(QUOTE, j);
      if (j < 0) return -1;
      let k = j - 1;
      let slashes = 0;
      while (k >= contentStart && b[k] === BACKSLASH) {
        slashes++;
        k--;
      }
      if (slashes % 2 === 0) return j;
      j++;
    }
  }

  private badAt = 0;

  /**
   * The index of the quote that ends a string whose content starts at `from`,
   * checking each byte: -1 when the string goes on past `b`, -2 at a control
   * character (its index in badAt).
   */
  private stringEnd(b: Buffer, from: number): number {
    const n = b.length;
    for (let j = from; j < n; j++) {
      const c = b[j] as number;
      if (c === QUOTE) return j;
      if (c === BACKSLASH) j++;
      else if (c < 32) {
        this.badAt = j;
        return -2;
      }
    }
    return -1;
  }

  /** The text of the string from its opening quote `open` to its closing quote `close`. */
  private decode(b: Buffer, open: number, close: number): string | undefined {
    if (!hasBackslash(b, open + 1, close)) return b.toString("utf8", open + 1, close);
    try {
      return JSON.parse(b.toString("utf8", open, close + 1)) as string;
    } catch {
      return undefined;
    }
  }

  private locate(offset: number): SourceLocation {
    return { file: this.file, line: this.line, column: offset - this.lineStart + 1 };
  }

  private path(): (string | number)[] {
    return [...this.steps];
  }

  private inside(): string {
    return this.roles.length === 0 ? "inside a value" : `in ${pathText(this.path())}`;
  }

  private report(diagnostic: Diagnostic, location: SourceLocation): void {
    this.diagnostics.add({ ...diagnostic, location });
  }
}

const EXPECTED: Record<number, string> = {
  [RECORDS]: "an array of records",
  [RECORD]: "a record (an object)",
  [PROPERTIES]: "an object",
  [NSG_RULES]: "an array of rules' flows",
  [NSG_RULE]: "an object with rule and flows",
  [NSG_MACS]: "an array of network interfaces' flows",
  [NSG_MAC]: "an object with mac and flowTuples",
  [NSG_TUPLES]: "an array of tuples",
  [FLOW_RECORDS]: "an object with flows",
  [VNET_ACLS]: "an array of ACLs' flows",
  [VNET_ACL]: "an object with aclID and flowGroups",
  [VNET_GROUPS]: "an array of flow groups",
  [VNET_GROUP]: "an object with rule and flowTuples",
  [VNET_TUPLES]: "an array of tuples",
  [CATEGORY]: "a string",
  [RESOURCE_ID]: "a string",
  [VERSION]: "a number",
  [MAC_ADDRESS]: "a string",
  [TARGET_ID]: "a string",
  [NSG_RULE_NAME]: "a string",
  [NSG_MAC_NAME]: "a string",
  [ACL_ID]: "a string",
  [VNET_RULE_NAME]: "a string",
};

function hasBackslash(b: Buffer, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (b[k] === BACKSLASH) return true;
  return false;
}

/** The bytes a tuple string's escapes stand for (a bad escape: the raw bytes). */
function unescapeTuple(b: Buffer, start: number, end: number): Buffer {
  try {
    return Buffer.from(JSON.parse(b.toString("utf8", start - 1, end + 1)) as string, "latin1");
  } catch {
    return Buffer.from(b.subarray(start, end));
  }
}

function trailingBackslashes(b: Buffer, from: number): number {
  let k = b.length - 1;
  let count = 0;
  while (k >= from && b[k] === BACKSLASH) {
    count++;
    k--;
  }
  return count;
}

/** A path as JSON Pointer-like text: records[3].properties.flows[0]. */
export function pathText(path: readonly (string | number)[]): string {
  if (path.length === 0) return "the document";
  return path
    .map((step, i) => (typeof step === "number" ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join("");
}

function describe(c: number): string {
  if (c >= 33 && c <= 126) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, "0")}`;
}
