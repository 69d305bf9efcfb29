import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type Pair,
  type YAMLMap,
} from "yaml";
import type { ValuePath } from "../model/diagnostic.js";

/**
 * The line and column (1-based) of the value at `path` in a parsed document.
 * Where a key is missing, a `properties` object is searched too (ARM nests rule
 * fields there); where the path cannot be followed to the end, the deepest node
 * found is used. With `atKey`, the position of the last key rather than its value.
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: ValuePath,
  atKey = false,
): { line: number; column: number } {
  let node: Node | null | undefined = doc.contents as Node | null;
  let position = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const segment = path[i] as string | number;
    const last = i === path.length - 1;
    if (isMap(node)) {
      let pair = pairNamed(node, segment);
      if (!pair) {
        const props = pairNamed(node, "properties")?.value;
        if (isMap(props)) pair = pairNamed(props, segment);
      }
      if (!pair) break;
      const key = pair.key as Node;
      const value = pair.value as Node | null;
      position = (last && atKey) || !value?.range ? (key.range?.[0] ?? position) : value.range[0];
      node = value;
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      position = item.range?.[0] ?? position;
      node = item;
    } else break;
  }
  const { line, col } = lineCounter.linePos(position);
  return { line, column: col };
}

/**
 * The property name a key stands for: a scalar as its text (`443:` is "443"),
 * an empty key as ""; undefined for a list, a mapping or an alias.
 */
export function keyName(key: unknown): string | undefined {
  if (key === null || key === undefined) return "";
  if (!isScalar(key)) return undefined;
  return key.value === null ? "" : String(key.value);
}

// Each map's pairs by key name, built on first use: a map may hold many
// thousands of keys, and many of them may need placing.
const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairNamed(map: YAMLMap, name: string | number): Pair | undefined {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    for (const pair of map.items) {
      const key = keyName(pair.key);
      if (key !== undefined && !index.has(key)) index.set(key, pair as Pair);
    }
    indexes.set(map, index);
  }
  return index.get(String(name));
}
