/**
 * Keys given twice in one object of a JSON text. JSON.parse keeps the last
 * silently, so a reader would see a different document than a reviewer (or
 * Azure, which rejects them); the spec loader refuses them too. One pass over
 * the text, for text JSON.parse has already accepted.
 */
import type { Diagnostic } from "../../model/diagnostic.js";

/** The second (third...) occurrence of each key repeated in one object: its offset and name. */
export function repeatedKeys(text: string): { offset: number; key: string }[] {
  const found: { offset: number; key: string }[] = [];
  /** The keys of each open object; null for an array. */
  const open: (Set<string> | null)[] = [];
  const QUOTE = 34;
  const BACKSLASH = 92;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) open.push(new Set());
    else if (c === 91 /* [ */) open.push(null);
    else if (c === 125 /* } */ || c === 93 /* ] */) open.pop();
    else if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++)
        if (text.charCodeAt(i) === BACKSLASH) i++;
      const keys = open[open.length - 1];
      if (!keys) continue;
      let next = i + 1;
      while (next < text.length && text.charCodeAt(next) <= 32) next++;
      if (text[next] !== ":") continue;
      const raw = text.slice(start + 1, i);
      const key = raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
      if (keys.has(key)) found.push({ offset: start, key });
      else keys.add(key);
    }
  }
  return found;
}

/** Each repeated key as an error at its second occurrence. */
export function repeatedKeyErrors(text: string, file: string): Diagnostic[] {
  const found = repeatedKeys(text);
  if (found.length === 0) return [];
  const lineStarts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === "\n") lineStarts.push(k + 1);
  return found.map(({ offset, key }) => {
    let line = lineStarts.findIndex((s) => s > offset);
    line = line < 0 ? lineStarts.length : line;
    return {
      severity: "error",
      code: "InvalidSyntax",
      message: `key ${JSON.stringify(key)} is given twice in one object: JSON keeps only the last, so the first would be read as if it were not there`,
      path: [],
      location: { file, line, column: offset - (lineStarts[line - 1] as number) + 1 },
      hint: "give each key once",
    };
  });
}
