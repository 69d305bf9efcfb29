import { MAX_NESTING } from "../../specfile/parse.js";

/**
 * ARM template expressions (`[parameters('x')]`, `[concat(...)]`,
 * `[resourceId(...)]`...) resolved where they are plain: what depends on the
 * deployment throws NotStatic, so that the reader names it instead of guessing.
 */

/** A value `resourceId(...)` gives: the resource type and the names of its segments. */
export class ResourceIdValue {
  constructor(
    readonly type: string,
    readonly names: readonly string[],
  ) {}
}

/** Thrown while evaluating an expression that cannot be known without deploying. */
export class NotStatic extends Error {}

/**
 * Thrown for an expression that nests deeper than MAX_NESTING levels, counting
 * the variables and parameters it refers to: parsing and evaluating recurse,
 * and thousands of levels (`concat(concat(...))` inside one JSON string, or a
 * chain of variables each naming the next) would exhaust the stack.
 */
export class ExpressionTooDeep extends NotStatic {
  constructor() {
    super(
      `expressions nest more than ${MAX_NESTING} levels deep here, counting the variables and parameters they name; ${MAX_NESTING} is the limit`,
    );
  }
}

type Expr =
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: "access"; readonly target: Expr };

/** Parses the inside of `[...]`; throws NotStatic on anything it does not understand. */
function parseExpression(text: string): Expr {
  let i = 0;
  let depth = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  };
  // Sticky patterns match at i, without copying the rest of the text at each token.
  const at = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    const m = pattern.exec(text)?.[0];
    if (m !== undefined) i += m.length;
    return m;
  };
  const fail = (why: string): never => {
    throw new NotStatic(why);
  };
  const primary = (): Expr => {
    space();
    const c = text[i];
    if (c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      return { kind: "literal", value };
    }
    const number = at(/-?\d+/y);
    if (number !== undefined) return { kind: "literal", value: Number(number) };
    const name = at(/[A-Za-z_][\w.]*/y);
    if (name === undefined) return fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
    space();
    if (text[i] !== "(") {
      if (name === "true" || name === "false") return { kind: "literal", value: name === "true" };
      return fail(`unexpected ${name}`);
    }
    i++;
    if (++depth > MAX_NESTING) throw new ExpressionTooDeep();
    const args: Expr[] = [];
    space();
    if (text[i] === ")") i++;
    else
      for (;;) {
        args.push(postfix());
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        fail("expected , or )");
      }
    depth--;
    return { kind: "call", name, args };
  };
  const postfix = (): Expr => {
    const e = primary();
    space();
    if (text[i] !== "." && text[i] !== "[") return e;
    // Property or index access (of an object parameter, a reference()...): not followed further.
    i = text.length;
    return { kind: "access", target: e };
  };
  const e = postfix();
  space();
  if (i < text.length) fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
  return e;
}

/** Evaluates template values: strings holding expressions are resolved where they are plain. */
export class TemplateContext {
  private readonly variableCache = new Map<string, unknown>();
  private readonly resolving = new Set<string>();
  /** How deep evaluation is: calls, and the lists and objects of the values they reach. */
  private depth = 0;

  constructor(
    private readonly parameters: Record<string, unknown>,
    private readonly variables: Record<string, unknown>,
    private readonly parameterValues: Record<string, unknown>,
  ) {}

  /** The value of a JSON value with its expressions resolved; throws NotStatic. */
  value(v: unknown): unknown {
    if (typeof v === "string") {
      // `[...]` is an expression, `[[...]` the literal starting with one `[`; other strings are literal.
      if (!v.startsWith("[") || !v.endsWith("]")) return v;
      if (v.startsWith("[[")) return v.slice(1);
      return this.evaluate(parseExpression(v.slice(1, -1)));
    }
    if (Array.isArray(v)) return this.deeper(() => v.map((x) => this.value(x)));
    if (v !== null && typeof v === "object")
      return this.deeper(() =>
        Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)])),
      );
    return v;
  }

  /** Runs `f` one level deeper; throws ExpressionTooDeep past the limit. */
  private deeper<T>(f: () => T): T {
    if (this.depth >= MAX_NESTING) throw new ExpressionTooDeep();
    this.depth++;
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  private evaluate(e: Expr): unknown {
    if (e.kind === "literal") return e.value;
    if (e.kind === "access") throw new NotStatic("property or index access");
    return this.deeper(() => this.call(e));
  }

  private call(e: Extract<Expr, { kind: "call" }>): unknown {
    const args = () => e.args.map((a) => this.evaluate(a));
    const name = e.name.toLowerCase();
    switch (name) {
      case "parameters": {
        const [key] = args();
        if (typeof key !== "string") throw new NotStatic("parameters() needs a name");
        return this.parameter(key);
      }
      case "variables": {
        const [key] = args();
        if (typeof key !== "string") throw new NotStatic("variables() needs a name");
        return this.variable(key);
      }
      case "concat": {
        const values = args();
        if (values.every(Array.isArray)) return values.flat();
        return values.map((v) => this.text(v, "concat")).join("");
      }
      case "format": {
        const [pattern, ...rest] = args();
        if (typeof pattern !== "string") throw new NotStatic("format() needs a format string");
        return pattern.replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n: string | undefined) => {
          if (m === "{{") return "{";
          if (m === "}}") return "}";
          const arg = rest[Number(n)];
          if (arg === undefined) throw new NotStatic(`format() has no argument ${n}`);
          return this.text(arg, "format");
        });
      }
      // Plain functions of known values, as conditions and names use them.
      case "equals": {
        const [a, b] = args();
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case "not": {
        const [a] = args();
        if (typeof a !== "boolean") throw new NotStatic("not() of a value that is not a boolean");
        return !a;
      }
      case "and":
      case "or": {
        const values = args();
        if (!values.every((v) => typeof v === "boolean"))
          throw new NotStatic(`${e.name}() of a value that is not a boolean`);
        return name === "and" ? values.every(Boolean) : values.some(Boolean);
      }
      case "if": {
        const [test, then, otherwise] = e.args;
        const value = test === undefined ? undefined : this.evaluate(test);
        if (typeof value !== "boolean" || then === undefined || otherwise === undefined)
          throw new NotStatic("if() needs a known condition and two values");
        return this.evaluate(value ? then : otherwise);
      }
      case "true":
      case "false":
        return name === "true";
      case "tolower":
      case "toupper": {
        const [a] = args();
        const text = this.text(a, e.name);
        return name === "tolower" ? text.toLowerCase() : text.toUpperCase();
      }
      case "resourceid": {
        const values = args().map((v) => this.text(v, "resourceId"));
        const at = values.findIndex((v) => v.includes("/"));
        if (at < 0 || at > 2) throw new NotStatic("resourceId() without a resource type");
        const names = values.slice(at + 1);
        if (names.length === 0) throw new NotStatic("resourceId() without a resource name");
        return new ResourceIdValue(values[at] as string, names);
      }
      default:
        throw new NotStatic(`${e.name}() is known only when deploying`);
    }
  }

  private text(v: unknown, fn: string): string {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return String(v);
    throw new NotStatic(`${fn}() of a value that is not a string`);
  }

  private lookup(record: Record<string, unknown>, key: string): [string, unknown] | undefined {
    const found = Object.keys(record).find((k) => k.toLowerCase() === key.toLowerCase());
    return found === undefined ? undefined : [found, record[found]];
  }

  private parameter(key: string): unknown {
    const given = this.lookup(this.parameterValues, key);
    if (given) {
      const entry = given[1];
      if (entry !== null && typeof entry === "object" && Object.hasOwn(entry, "value"))
        return (entry as { value: unknown }).value;
      throw new NotStatic(`parameter ${key} has no value in the parameters file`);
    }
    const declared = this.lookup(this.parameters, key);
    if (!declared) throw new NotStatic(`parameter ${key} is not declared`);
    const definition = declared[1];
    if (
      definition === null ||
      typeof definition !== "object" ||
      !Object.hasOwn(definition, "defaultValue")
    )
      throw new NotStatic(`parameter ${key} has no value and no defaultValue`);
    return this.guarded(`parameters/${key}`, () =>
      this.value((definition as { defaultValue: unknown }).defaultValue),
    );
  }

  private variable(key: string): unknown {
    const declared = this.lookup(this.variables, key);
    if (!declared) throw new NotStatic(`variable ${key} is not declared`);
    const cacheKey = declared[0];
    if (this.variableCache.has(cacheKey)) return this.variableCache.get(cacheKey);
    const value = this.guarded(`variables/${key}`, () => this.value(declared[1]));
    this.variableCache.set(cacheKey, value);
    return value;
  }

  private guarded(key: string, f: () => unknown): unknown {
    if (this.resolving.has(key)) throw new NotStatic(`${key} refers to itself`);
    this.resolving.add(key);
    try {
      return f();
    } finally {
      this.resolving.delete(key);
    }
  }
}
