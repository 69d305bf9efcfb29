import type { ValuePath } from "../model/diagnostic.js";
import { MAX_NESTING } from "./parse.js";

/**
 * A spec written as JSON, read by JSON.parse: a hundred times as fast as the
 * YAML parser, which keeps every node's place. It is taken only when the YAML
 * path would find nothing to say: the top is a mapping, no key repeats, every
 * number is a safe whole number in decimal digits, nesting stays within the
 * limit (JSON.parse itself refuses control characters and bad syntax). Any of
 * those, and the text is read as YAML, which places each problem. Places are
 * found on demand, by scanning the text: each object or array met on the way
 * is scanned once, and its members' offsets kept.
 */
export class JsonText {
  private lineStarts: number[] | undefined;
  private readonly members = new Map<number, Map<string, Member> | Member[]>();

  private constructor(
    private readonly text: string,
    readonly value: Record<string, unknown>,
  ) {}

  /** The text read as JSON, or undefined when it is to be read as YAML. */
  static read(text: string): JsonText | undefined {
    const start = firstNonSpace(text, 0);
    if (text.charCodeAt(start) !== OPEN_OBJECT) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    if (!plain(text)) return undefined;
    return new JsonText(text, value as Record<string, unknown>);
  }

  /**
   * The line and column (1-based) of the value at `path`, as locate() gives
   * them in a YAML document: a missing key is looked for in `properties`, a
   * path that cannot be followed stops at the deepest value found; `atKey`
   * places the last key rather than its value.
   */
  locate(path: ValuePath, atKey = false): { line: number; column: number } {
    let at = firstNonSpace(this.text, 0);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] as string | number;
      const last = i === path.length - 1;
      const inside = this.membersAt(at);
      let member: Member | undefined;
      if (inside instanceof Map) {
        member = inside.get(String(segment));
        if (!member) {
          const props = inside.get("properties");
          const nested = props ? this.membersAt(props.value) : undefined;
          if (nested instanceof Map) member = nested.get(String(segment));
        }
      } else if (Array.isArray(inside) && typeof segment === "number") member = inside[segment];
      if (!member) break;
      at = last && atKey ? member.key : member.value;
    }
    return this.linePos(at);
  }

  /** The line and column (1-based) of an offset. */
  linePos(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = this.text.indexOf("\n"); i >= 0; i = this.text.indexOf("\n", i + 1))
        starts.push(i + 1);
      this.lineStarts = starts;
    }
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (starts[low] as number) + 1 };
  }

  /** The members of the object or array whose text starts at `at` (scanned once); undefined for a scalar. */
  private membersAt(at: number): Map<string, Member> | Member[] | undefined {
    const known = this.members.get(at);
    if (known) return known;
    const text = this.text;
    const open = text.charCodeAt(at);
    if (open !== OPEN_OBJECT && open !== OPEN_ARRAY) return undefined;
    const close = open === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
    const found: Map<string, Member> | Member[] = open === OPEN_OBJECT ? new Map() : [];
    let i = firstNonSpace(text, at + 1);
    while (text.charCodeAt(i) !== close) {
      let key = i;
      let name = "";
      if (found instanceof Map) {
        const end = stringEnd(text, i);
        name = JSON.parse(text.slice(i, end)) as string;
        i = firstNonSpace(text, firstNonSpace(text, end) + 1); // past the colon
      }
      const value = i;
      if (!(found instanceof Map)) key = value;
      if (found instanceof Map) found.set(name, { key, value });
      else found.push({ key, value });
      i = firstNonSpace(text, valueEnd(text, i));
      if (text.charCodeAt(i) === COMMA) i = firstNonSpace(text, i + 1);
    }
    this.members.set(at, found);
    return found;
  }
}

/** Where a member's key (an array item: its value) and its value start. */
interface Member {
  readonly key: number;
  readonly value: number;
}

const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

function firstNonSpace(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** The offset just past the string that starts at `at`. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
}

/** The offset just past the value that starts at `at` (valid JSON). */
function valueEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return stringEnd(text, at);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    let i = at;
    for (;;) {
      const d = text.charCodeAt(i);
      if (d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || Number.isNaN(d)) return i;
      if (d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) return i;
      i++;
    }
  }
  let depth = 0;
  let i = at;
  for (;;) {
    const d = text.charCodeAt(i);
    if (d === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
    else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
}

/**
 * Whether valid JSON needs nothing the YAML path reports: no key twice in an
 * object, every number a safe whole number in decimal digits, nesting within
 * the limit.
 */
function plain(text: string): boolean {
  // Per open collection: an object's keys so far, or null for an array.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (expectKey) {
        const raw = text.slice(i + 1, end - 1);
        const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
        const keys = stack[stack.length - 1] as Set<string>;
        if (keys.has(key)) return false;
        keys.add(key);
        expectKey = false;
      }
      i = end;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      stack.push(c === OPEN_OBJECT ? new Set() : null);
      if (stack.length > MAX_NESTING) return false;
      expectKey = c === OPEN_OBJECT;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) expectKey = stack[stack.length - 1] instanceof Set;
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const end = valueEnd(text, i);
      const written = text.slice(i, end);
      if (!/^-?[0-9]+$/.test(written) || !Number.isSafeInteger(Number(written))) return false;
      i = end;
      continue;
    } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      // true, false, null
      i = valueEnd(text, i);
      continue;
    }
    i++;
  }
  return true;
}
