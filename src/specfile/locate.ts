import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
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
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      let pair = node.items.find((p) => isScalar(p.key) && p.key.value === segment);
      if (!pair) {
        const props = node.items.find(
          (p) => isScalar(p.key) && p.key.value === "properties",
        )?.value;
        if (isMap(props))
          pair = props.items.find((p) => isScalar(p.key) && p.key.value === segment);
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
