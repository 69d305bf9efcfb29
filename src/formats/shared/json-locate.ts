/**
 * Where a value is in a JSON text, by its path, without parsing the whole
 * text into a tree: the text is scanned only where a path leads, and each
 * object or array on the way is indexed once (its keys' or items' offsets),
 * so that placing many paths of a large file (az output of thousands of
 * resources) costs about one pass over it. The text is valid JSON (readers
 * place paths only once JSON.parse has accepted it).
 *
 * As the spec's locator (specfile/locate.ts): where a key is missing, a
 * `properties` object is searched too (ARM nests fields there); where the path
 * cannot be followed to the end, the deepest value found is placed; a key
 * given twice is taken at its first occurrence.
 */
import type { ValuePath } from "../../model/diagnostic.js";

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

export class JsonLocator {
  /** Each object's keys and each array's items, by the offset of its opening bracket. */
  private readonly objects = new Map<number, Map<string, number>>();
  private readonly arrays = new Map<number, number[]>();
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** The 1-based line and column of the value at `path` (or of the deepest value found on it). */
  locate(path: ValuePath): { line: number; column: number } {
    let at = this.space(0);
    for (const segment of path) {
      const next = this.child(at, segment);
      if (next === undefined) break;
      at = next;
    }
    return this.position(at);
  }

  /** The offset of the value `segment` names in the value at `at`. */
  private child(at: number, segment: string | number): number | undefined {
    const c = this.text.charCodeAt(at);
    if (c === OPEN_BRACE) {
      const keys = this.keys(at);
      const found = keys.get(String(segment));
      if (found !== undefined) return found;
      const properties = keys.get("properties");
      if (properties === undefined || this.text.charCodeAt(properties) !== OPEN_BRACE)
        return undefined;
      return this.keys(properties).get(String(segment));
    }
    if (c === OPEN_BRACKET && typeof segment === "number") return this.items(at)[segment];
    return undefined;
  }

  private keys(at: number): Map<string, number> {
    let keys = this.objects.get(at);
    if (keys) return keys;
    keys = new Map();
    let i = this.space(at + 1);
    while (i < this.text.length && this.text.charCodeAt(i) === QUOTE) {
      const end = this.stringEnd(i);
      const raw = this.text.slice(i + 1, end - 1);
      const key = raw.includes("\\") ? (JSON.parse(this.text.slice(i, end)) as string) : raw;
      i = this.space(end);
      const value = this.space(i + 1); // past ':'
      if (!keys.has(key)) keys.set(key, value);
      i = this.space(this.valueEnd(value));
      if (this.text.charCodeAt(i) !== COMMA) break;
      i = this.space(i + 1);
    }
    this.objects.set(at, keys);
    return keys;
  }

  private items(at: number): number[] {
    let items = this.arrays.get(at);
    if (items) return items;
    items = [];
    let i = this.space(at + 1);
    while (i < this.text.length && this.text.charCodeAt(i) !== CLOSE_BRACKET) {
      items.push(i);
      i = this.space(this.valueEnd(i));
      if (this.text.charCodeAt(i) !== COMMA) break;
      i = this.space(i + 1);
    }
    this.arrays.set(at, items);
    return items;
  }

  private space(i: number): number {
    let j = i;
    while (j < this.text.length && isSpace(this.text.charCodeAt(j))) j++;
    return j;
  }

  /** The offset after the string whose opening quote is at `i`. */
  private stringEnd(i: number): number {
    let j = i + 1;
    for (;;) {
      const q = this.text.indexOf('"', j);
      if (q < 0) return this.text.length;
      let backslashes = 0;
      for (let b = q - 1; this.text.charCodeAt(b) === BACKSLASH; b--) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      j = q + 1;
    }
  }

  /** The offset after the value starting at `i`. */
  private valueEnd(i: number): number {
    const text = this.text;
    const c = text.charCodeAt(i);
    if (c === QUOTE) return this.stringEnd(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      let depth = 0;
      let j = i;
      while (j < text.length) {
        const d = text.charCodeAt(j);
        if (d === QUOTE) {
          j = this.stringEnd(j);
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

  private position(offset: number): { line: number; column: number } {
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
}
