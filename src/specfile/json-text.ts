import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  skipSpace,
  stringEnd,
  valueEnd,
} from "./json-locate.js";
import { MAX_NESTING } from "./parse.js";

/**
 * A spec written as JSON, read by JSON.parse: a hundred times as fast as the
 * YAML parser, which keeps every node's place. It is taken only when the YAML
 * path would find nothing to say: the top is a mapping, no key repeats, every
 * number is a safe whole number in decimal digits, nesting stays within the
 * limit (JSON.parse itself refuses control characters and bad syntax).
 * Undefined otherwise: the text is then read as YAML, which places each
 * problem. Places in JSON read here are found on demand (json-locate.ts).
 */
export function plainJson(text: string): Record<string, unknown> | undefined {
  if (text.charCodeAt(skipSpace(text, 0)) !== OPEN_BRACE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return plain(text) ? (value as Record<string, unknown>) : undefined;
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
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      stack.push(c === OPEN_BRACE ? new Set() : null);
      if (stack.length > MAX_NESTING) return false;
      expectKey = c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
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
