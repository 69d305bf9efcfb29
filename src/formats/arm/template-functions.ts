/**
 * ARM template functions whose result depends only on their arguments
 * (`coalesce`, `length`, `union`, `format`...), as Azure documents them. A
 * function of the deployment (`resourceGroup()`, `uniqueString()`,
 * `utcNow()`) is not here: its value is known only when deploying.
 */
import { NotStatic } from "./expression-syntax.js";

/** A value a template function takes or gives, once evaluated. */
export type Plain = unknown;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === "object" &&
  !Array.isArray(v) &&
  Object.getPrototypeOf(v) === Object.prototype;

/** The property of an object as ARM finds it: names compare without regard to case. */
export function propertyOf(
  object: Record<string, unknown>,
  name: string,
): [string, unknown] | undefined {
  if (Object.hasOwn(object, name)) return [name, object[name]];
  const found = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : [found, object[found]];
}

export function text(v: Plain, fn: string): string {
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
  throw new NotStatic(`${fn}() of a value that is not a string`);
}

function whole(v: Plain, fn: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v);
  throw new NotStatic(`${fn}() of a value that is not a whole number`);
}

function list(v: Plain, fn: string): unknown[] {
  if (Array.isArray(v)) return v;
  throw new NotStatic(`${fn}() of a value that is not an array`);
}

const same = (a: Plain, b: Plain) => JSON.stringify(a) === JSON.stringify(b);

function length(v: Plain): number {
  if (typeof v === "string" || Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  throw new NotStatic("length() of a value that is neither a string, an array nor an object");
}

/** `format()`'s composite format: `{0}`, `{{`, `}}`; a format specifier (`{0:D2}`) is not followed. */
function format(pattern: Plain, rest: readonly Plain[]): string {
  if (typeof pattern !== "string") throw new NotStatic("format() needs a format string");
  return pattern.replace(/\{\{|\}\}|\{(\d+)(:[^}]*)?\}/g, (m, n: string | undefined, spec) => {
    if (m === "{{") return "{";
    if (m === "}}") return "}";
    if (spec !== undefined) throw new NotStatic(`format() with the specifier ${m}`);
    const arg = rest[Number(n)];
    if (arg === undefined) throw new NotStatic(`format() has no argument ${n}`);
    return text(arg, "format");
  });
}

function compare(a: Plain, b: Plain, fn: string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new NotStatic(`${fn}() of values that are not both numbers or both strings`);
}

function union(values: readonly Plain[]): Plain {
  if (values.every(Array.isArray)) {
    const out: unknown[] = [];
    for (const v of values.flat()) if (!out.some((o) => same(o, v))) out.push(v);
    return out;
  }
  if (values.every(isRecord)) return Object.assign({}, ...values);
  throw new NotStatic("union() of values that are not all arrays or all objects");
}

function contains(container: Plain, item: Plain): boolean {
  if (typeof container === "string")
    return container.toLowerCase().includes(text(item, "contains").toLowerCase());
  if (Array.isArray(container)) return container.some((c) => same(c, item));
  if (isRecord(container)) return propertyOf(container, text(item, "contains")) !== undefined;
  throw new NotStatic("contains() of a value that is neither a string, an array nor an object");
}

function empty(v: Plain): boolean {
  if (v === null) return true;
  return length(v) === 0;
}

const FUNCTIONS: Record<string, (args: readonly Plain[]) => Plain> = {
  concat: (a) => (a.every(Array.isArray) ? a.flat() : a.map((v) => text(v, "concat")).join("")),
  format: ([pattern, ...rest]) => format(pattern, rest),
  coalesce: (a) => a.find((v) => v !== null) ?? null,
  createarray: (a) => [...a],
  array: ([v]) => (Array.isArray(v) ? v : [v]),
  createobject: (a) => {
    if (a.length % 2 !== 0) throw new NotStatic("createObject() needs pairs of names and values");
    const out: Record<string, unknown> = {};
    for (let k = 0; k < a.length; k += 2)
      Object.defineProperty(out, text(a[k], "createObject"), {
        value: a[k + 1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  },
  null: () => null,
  json: ([v]) => {
    try {
      return JSON.parse(text(v, "json"));
    } catch {
      throw new NotStatic("json() of text that is not JSON");
    }
  },
  length: ([v]) => length(v),
  empty: ([v]) => empty(v),
  union: (a) => union(a),
  contains: ([c, item]) => contains(c, item),
  first: ([v]) => (typeof v === "string" ? (v[0] ?? "") : (list(v, "first")[0] ?? null)),
  last: ([v]) => (typeof v === "string" ? (v.at(-1) ?? "") : (list(v, "last").at(-1) ?? null)),
  take: ([v, n]) =>
    typeof v === "string"
      ? v.slice(0, Math.max(0, whole(n, "take")))
      : list(v, "take").slice(0, Math.max(0, whole(n, "take"))),
  skip: ([v, n]) =>
    typeof v === "string"
      ? v.slice(Math.max(0, whole(n, "skip")))
      : list(v, "skip").slice(Math.max(0, whole(n, "skip"))),
  range: ([start, count]) => {
    const n = whole(count, "range");
    if (n < 0 || n > 10000) throw new NotStatic("range() of more than 10000 items");
    return Array.from({ length: n }, (_, k) => whole(start, "range") + k);
  },
  min: (a) =>
    Math.min(...(a.length === 1 && Array.isArray(a[0]) ? a[0] : a).map((v) => whole(v, "min"))),
  max: (a) =>
    Math.max(...(a.length === 1 && Array.isArray(a[0]) ? a[0] : a).map((v) => whole(v, "max"))),
  add: ([a, b]) => whole(a, "add") + whole(b, "add"),
  sub: ([a, b]) => whole(a, "sub") - whole(b, "sub"),
  mul: ([a, b]) => whole(a, "mul") * whole(b, "mul"),
  div: ([a, b]) => {
    const d = whole(b, "div");
    if (d === 0) throw new NotStatic("div() by zero");
    return Math.trunc(whole(a, "div") / d);
  },
  mod: ([a, b]) => {
    const d = whole(b, "mod");
    if (d === 0) throw new NotStatic("mod() by zero");
    return whole(a, "mod") % d;
  },
  int: ([v]) => whole(v, "int"),
  string: ([v]) => (typeof v === "string" ? v : JSON.stringify(v)),
  bool: ([v]) => {
    if (typeof v === "boolean") return v;
    if (typeof v === "string" && /^(true|false)$/i.test(v)) return v.toLowerCase() === "true";
    if (typeof v === "number") return v !== 0;
    throw new NotStatic("bool() of a value that is not a boolean");
  },
  tolower: ([v]) => text(v, "toLower").toLowerCase(),
  toupper: ([v]) => text(v, "toUpper").toUpperCase(),
  trim: ([v]) => text(v, "trim").trim(),
  replace: ([v, from, to]) =>
    text(v, "replace").replaceAll(text(from, "replace"), text(to, "replace")),
  split: ([v, by]) => {
    const separators = Array.isArray(by) ? by.map((s) => text(s, "split")) : [text(by, "split")];
    return separators.reduce<string[]>(
      (parts, s) => parts.flatMap((p) => p.split(s)),
      [text(v, "split")],
    );
  },
  join: ([v, by]) =>
    list(v, "join")
      .map((s) => text(s, "join"))
      .join(text(by, "join")),
  substring: ([v, start, count]) => {
    const s = text(v, "substring");
    const from = whole(start, "substring");
    const n = count === undefined ? s.length - from : whole(count, "substring");
    if (from < 0 || n < 0 || from + n > s.length) throw new NotStatic("substring() out of range");
    return s.slice(from, from + n);
  },
  startswith: ([v, p]) =>
    text(v, "startsWith").toLowerCase().startsWith(text(p, "startsWith").toLowerCase()),
  endswith: ([v, p]) =>
    text(v, "endsWith").toLowerCase().endsWith(text(p, "endsWith").toLowerCase()),
  indexof: ([v, p]) => text(v, "indexOf").toLowerCase().indexOf(text(p, "indexOf").toLowerCase()),
  lastindexof: ([v, p]) =>
    text(v, "lastIndexOf").toLowerCase().lastIndexOf(text(p, "lastIndexOf").toLowerCase()),
  equals: ([a, b]) => same(a, b),
  greater: ([a, b]) => compare(a, b, "greater") > 0,
  greaterorequals: ([a, b]) => compare(a, b, "greaterOrEquals") >= 0,
  less: ([a, b]) => compare(a, b, "less") < 0,
  lessorequals: ([a, b]) => compare(a, b, "lessOrEquals") <= 0,
  not: ([a]) => {
    if (typeof a !== "boolean") throw new NotStatic("not() of a value that is not a boolean");
    return !a;
  },
  and: (a) => {
    if (!a.every((v) => typeof v === "boolean"))
      throw new NotStatic("and() of a value that is not a boolean");
    return a.every(Boolean);
  },
  or: (a) => {
    if (!a.every((v) => typeof v === "boolean"))
      throw new NotStatic("or() of a value that is not a boolean");
    return a.some(Boolean);
  },
  true: () => true,
  false: () => false,
  items: ([v]) => {
    if (!isRecord(v)) throw new NotStatic("items() of a value that is not an object");
    return Object.keys(v)
      .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1))
      .map((key) => ({ key, value: v[key] }));
  },
  tryget: ([v, ...keys]) => {
    let at: unknown = v;
    for (const key of keys) {
      if (Array.isArray(at) && typeof key === "number") at = at[key] ?? null;
      else if (isRecord(at)) at = propertyOf(at, text(key, "tryGet"))?.[1] ?? null;
      else return null;
    }
    return at ?? null;
  },
};

/** The function of that name (any case) whose value its arguments decide, if it is one. */
export function plainFunction(name: string): ((args: readonly Plain[]) => Plain) | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(FUNCTIONS, key) ? FUNCTIONS[key] : undefined;
}

export { isRecord };
