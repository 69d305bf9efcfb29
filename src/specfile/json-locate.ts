/**
 * Where a value is in a JSON text, by its path, without parsing the whole
 * text into a tree: the text is scanned only where a path leads, and each
 * object or array on the way is indexed once (its keys' or items' offsets),
 * so that placing many paths of a large file (az output of thousands of
 * resources, a spec of thousands of NSGs) costs about one pass over it. The
 * text is valid JSON (readers place paths only once JSON.parse has accepted it).
 *
 * As the spec's locator (locate.ts): where a key is missing, a `properties`
 * object is searched too (ARM nests fields there); where the path cannot be
 * followed to the end, the deepest value found is placed; with `atKey`, the
 * last key rather than its value; a key given twice is taken at its first
 * occurrence.
 */
import type { ValuePath } from "../model/diagnostic.js";

export const QUOTE = 34;
const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const COMMA = 44;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Where a member's key (an array item: the item itself) and its value start. */
interface Member {
  readonly key: number;
  readonly value: number;
}

export class JsonLocator {
  /** Each object's keys and each array's items, by the offset of its opening bracket. */
  private readonly objects = new Map<number, Map<string, Member>>();
  private readonly arrays = new Map<number, number[]>();
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** The 1-based line and column of the value at `path` (or of the deepest value found on it). */
  locate(path: ValuePath, atKey = false): { line: number; column: number } {
    let at = skipSpace(this.text, 0);
    for (const [i, segment] of path.entries()) {
      const next = this.child(at, segment);
      if (next === undefined) break;
      at = atKey && i === path.length - 1 ? next.key : next.value;
    }
    return this.position(at);
  }

  /** The 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
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

  /** The member `segment` names in the value at `at`. */
  private child(at: number, segment: string | number): Member | undefined {
    const c = this.text.charCodeAt(at);
    if (c === OPEN_BRACE) {
      const keys = this.keys(at);
      const found = keys.get(String(segment));
      if (found !== undefined) return found;
      const properties = keys.get("properties")?.value;
      if (properties === undefined || this.text.charCodeAt(properties) !== OPEN_BRACE)
        return undefined;
      return this.keys(properties).get(String(segment));
    }
    if (c === OPEN_BRACKET && typeof segment === "number") {
      const item = this.items(at)[segment];
      return item === undefined ? undefined : { key: item, value: item };
    }
    return undefined;
  }

  private keys(at: number): Map<string, Member> {
    let keys = this.objects.get(at);
    if (keys) return keys;
    keys = new Map();
    const text = this.text;
    let i = skipSpace(text, at + 1);
    while (i < text.length && text.charCodeAt(i) === QUOTE) {
      const end = stringEnd(text, i);
      const raw = text.slice(i + 1, end - 1);
      const key = raw.includes("\\") ? (JSON.parse(text.slice(i, end)) as string) : raw;
      const value = skipSpace(text, skipSpace(text, end) + 1); // past ':'
      if (!keys.has(key)) keys.set(key, { key: i, value });
      i = skipSpace(text, valueEnd(text, value));
      if (text.charCodeAt(i) !== COMMA) break;
      i = skipSpace(text, i + 1);
    }
    this.objects.set(at, keys);
    return keys;
  }

  private items(at: number): number[] {
    let items = this.arrays.get(at);
    if (items) return items;
    items = [];
    const text = this.text;
    let i = skipSpace(text, at + 1);
    while (i < text.length && text.charCodeAt(i) !== CLOSE_BRACKET) {
      items.push(i);
      i = skipSpace(text, valueEnd(text, i));
      if (text.charCodeAt(i) !== COMMA) break;
      i = skipSpace(text, i + 1);
    }
    this.arrays.set(at, items);
    return items;
  }
}

/** The first offset from `i` that is not JSON whitespace. */
export function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  return j;
}

/** The offset after the string whose opening quote is at `i`. */
export function stringEnd(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let backslashes = 0;
    for (let b = q - 1; text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** The offset after the value starting at `i`. */
export function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const d = text.charCodeAt(j);
      if (d === QUOTE) {
        j = stringEnd(text, j);
        continue;
      }
      if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
      else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return j;
  }
  let j = i;
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
    j++;
  }
  return j;
}
