/**
 * ARM template expressions (`[parameters('x')]`, `[concat(...)]`,
 * `[resourceId(...)]`, `[reference('vnet').subnets[0].id]`...) resolved where
 * they are plain: what depends on the deployment throws NotStatic, so that the
 * reader names it instead of guessing. Copy loops give `copyIndex()`; a
 * reference to a resource the template declares gives what the template sets
 * in it (Azure's own values, such as a dynamic address, stay not known).
 *
 * Names are evaluated in naming mode (`name`): a part that cannot be known
 * becomes a placeholder, `<projectName>` for a parameter without a value, or
 * `<uniqueString(resourceGroup().id)>`, the same text wherever the same value
 * is used, so that references between resources still meet.
 */
import { MAX_NESTING } from "../../specfile/parse.js";
import {
  type Expr,
  ExpressionTooDeep,
  expressionText,
  NotStatic,
  parseExpression,
} from "./expression-syntax.js";
import { isRecord, type Plain, plainFunction, propertyOf, text } from "./template-functions.js";

export { ExpressionTooDeep, NotStatic } from "./expression-syntax.js";

/** A value `resourceId(...)` gives: the resource type and the names of its segments. */
export class ResourceIdValue {
  constructor(
    readonly type: string,
    readonly names: readonly string[],
  ) {}
}

/** A resource the template declares, as `reference()` finds it. */
export interface DeclaredResource {
  readonly type: string;
  readonly names: readonly string[];
  /** Its JSON in the template. */
  readonly raw: Record<string, unknown>;
}

/** Finds a resource of the template by id, by name, or (languageVersion 2.0) by symbolic name. */
export type ResourceFinder = (target: ResourceIdValue | string) => DeclaredResource | undefined;

/**
 * Part of a resource's JSON in the template, read only where an expression
 * reads it (`reference('vnet').subnets[0].id`). Items of a child collection
 * (`subnets`, `securityRules`) have the id Azure gives them.
 */
class Declared {
  constructor(
    readonly raw: unknown,
    readonly resource: DeclaredResource | undefined,
    /** The child collection this is, or an item of (`subnets`). */
    readonly collection?: string,
    readonly item = false,
    /** The whole resource (`reference(x, version, 'full')`), whose `id` Azure gives. */
    readonly full = false,
  ) {}
}

/** A loop's name and the copy being read. */
interface Loop {
  readonly name: string;
  readonly index: number;
  /** A resource's copy loop, which `copyIndex()` without a name counts. */
  readonly resource: boolean;
}

const NAME_BUILDERS = new Set([
  "concat",
  "format",
  "tolower",
  "toupper",
  "string",
  "trim",
  "replace",
  "resourceid",
  "subscriptionresourceid",
  "parameters",
  "variables",
]);

/** Evaluates template values: strings holding expressions are resolved where they are plain. */
export class TemplateContext {
  /** Values of variables, in strict mode and in naming mode. */
  private readonly caches = [new Map<string, unknown>(), new Map<string, unknown>()];
  private readonly resolving = new Set<string>();
  /** How deep evaluation is: calls, and the lists and objects of the values they reach. */
  private depth = 0;
  private loops: Loop[] = [];
  private lambdas: Map<string, unknown>[] = [];
  private naming = false;
  /** Every placeholder made so far, with why its value is not known. */
  readonly placeholders = new Map<string, string>();
  /** Finds the resources `reference()` reads; none until the reader sets it. */
  finder: ResourceFinder = () => undefined;

  constructor(
    private readonly parameters: Record<string, unknown>,
    private readonly variables: Record<string, unknown>,
    private readonly parameterValues: Record<string, unknown>,
  ) {}

  /** The value of a JSON value with its expressions resolved; throws NotStatic. */
  value(v: unknown): unknown {
    return this.materialize(this.raw(v));
  }

  /** The value of a name: what cannot be known in it is a placeholder (see `placeholders`). */
  name(v: unknown): unknown {
    const saved = this.naming;
    this.naming = true;
    try {
      return this.value(v);
    } finally {
      this.naming = saved;
    }
  }

  /** Runs `read` for one copy of a copy loop, where `copyIndex()` gives `index`. */
  inLoop<T>(name: string, index: number, resource: boolean, read: () => T): T {
    const saved = this.loops;
    this.loops = [...this.loops, { name, index, resource }];
    try {
      return read();
    } finally {
      this.loops = saved;
    }
  }

  /** The value, before a resource's JSON read through `reference()` is evaluated. */
  private raw(v: unknown): unknown {
    if (typeof v === "string") {
      // `[...]` is an expression, `[[...]` the literal starting with one `[`; other strings are literal.
      if (!v.startsWith("[") || !v.endsWith("]")) return v;
      if (v.startsWith("[[")) return v.slice(1);
      return this.evaluate(parseExpression(v.slice(1, -1)));
    }
    if (v instanceof ResourceIdValue || v instanceof Declared) return v;
    if (Array.isArray(v)) return this.deeper(() => v.map((x) => this.value(x)));
    if (v !== null && typeof v === "object")
      return this.deeper(() => {
        const out: Record<string, unknown> = {};
        // defineProperty keeps a key named __proto__ a key.
        for (const [k, x] of Object.entries(v))
          Object.defineProperty(out, k, {
            value: this.value(x),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return out;
      });
    return v;
  }

  /** A value with the resource JSON it holds evaluated. */
  private materialize(v: unknown): unknown {
    if (!(v instanceof Declared)) return v;
    return this.value(v.raw);
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
    if (!this.naming || (e.kind === "call" && NAME_BUILDERS.has(e.name.toLowerCase())))
      return this.deeper(() => this.strict(e));
    // Outside the functions that build names, a value not known stands as a placeholder.
    this.naming = false;
    try {
      return this.deeper(() => this.strict(e));
    } catch (error) {
      if (!(error instanceof NotStatic) || error instanceof ExpressionTooDeep) throw error;
      return this.placeholder(`<${this.shown(e).replaceAll(/\s+/g, "")}>`, error.message);
    } finally {
      this.naming = true;
    }
  }

  /**
   * An expression as a placeholder shows it: each part whose value is known
   * as that value (`uniqueString('web')` for `uniqueString(parameters('vm'))`),
   * so that the same value gives the same placeholder however it is written.
   */
  private shown(e: Expr): string {
    if (e.kind !== "literal")
      try {
        const v = this.materialize(this.strict(e));
        if (typeof v === "string") return `'${v.replaceAll("'", "''")}'`;
        if (typeof v === "number" || typeof v === "boolean") return String(v);
      } catch (error) {
        if (!(error instanceof NotStatic) || error instanceof ExpressionTooDeep) throw error;
      }
    switch (e.kind) {
      case "literal":
        return expressionText(e);
      case "call":
        return `${e.name}(${e.args.map((a) => this.shown(a)).join(",")})`;
      case "property":
        return `${this.shown(e.target)}.${e.name}`;
      case "index":
        return `${this.shown(e.target)}[${this.shown(e.index)}]`;
    }
  }

  private placeholder(text: string, why: string): string {
    if (!this.placeholders.has(text)) this.placeholders.set(text, why);
    return text;
  }

  private strict(e: Expr): unknown {
    switch (e.kind) {
      case "literal":
        return e.value;
      case "property":
        return this.access(this.evaluate(e.target), e.name);
      case "index":
        return this.access(this.evaluate(e.target), this.materialize(this.evaluate(e.index)));
      case "call":
        return this.call(e);
    }
  }

  /** `target.name` or `target[index]`. */
  private access(target: unknown, key: unknown): unknown {
    if (target instanceof Declared) return this.declaredAccess(target, key);
    if (target instanceof ResourceIdValue) throw new NotStatic("the properties of a resource id");
    if (Array.isArray(target)) {
      if (typeof key !== "number" || !Number.isInteger(key))
        throw new NotStatic("an array indexed by a value that is not a whole number");
      if (key < 0 || key >= target.length)
        throw new NotStatic(`index ${key} is outside an array of ${target.length}`);
      return target[key];
    }
    if (isRecord(target)) {
      const found = propertyOf(target, text(key, "property access"));
      if (found === undefined)
        throw new NotStatic(`the object has no property ${JSON.stringify(key)}`);
      return found[1];
    }
    throw new NotStatic(`property ${JSON.stringify(key)} of a value that is not an object`);
  }

  /**
   * A property of a resource's JSON: what the template sets, evaluated; an
   * item's `id` as Azure gives it; anything else is set by Azure.
   */
  private declaredAccess(target: Declared, key: unknown): unknown {
    const raw = target.raw;
    if (Array.isArray(raw)) {
      if (typeof key !== "number" || key < 0 || key >= raw.length)
        throw new NotStatic(
          `index ${JSON.stringify(key)} is not among the ${raw.length} the template declares`,
        );
      return new Declared(raw[key], target.resource, target.collection, true);
    }
    if (!isRecord(raw))
      throw new NotStatic(`property ${JSON.stringify(key)} of a value that is not an object`);
    const name = text(key, "property access");
    const found = propertyOf(raw, name);
    if (found !== undefined) {
      const [k, child] = found;
      if (typeof child === "string") return this.raw(child);
      // A list of objects at the top of a resource's properties is a child collection.
      const collection =
        !target.item && target.collection === undefined && Array.isArray(child) ? k : undefined;
      return new Declared(child, target.item ? undefined : target.resource, collection);
    }
    const resource = target.resource;
    if (name.toLowerCase() === "id" && resource !== undefined && target.full)
      return new ResourceIdValue(resource.type, resource.names);
    if (name.toLowerCase() === "id" && resource !== undefined && target.item && target.collection) {
      const itemName = this.materialize(this.raw(raw.name));
      if (typeof itemName === "string")
        return new ResourceIdValue(`${resource.type}/${target.collection}`, [
          ...resource.names,
          itemName,
        ]);
    }
    throw new NotStatic(`${name} is set by Azure when deploying, not by the template`);
  }

  private call(e: Extract<Expr, { kind: "call" }>): unknown {
    const name = e.name.toLowerCase();
    const args = () => e.args.map((a) => this.materialize(this.evaluate(a)));
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
      case "if": {
        const [test, then, otherwise] = e.args;
        const value = test === undefined ? undefined : this.materialize(this.evaluate(test));
        if (typeof value !== "boolean" || then === undefined || otherwise === undefined)
          throw new NotStatic("if() needs a known condition and two values");
        return this.evaluate(value ? then : otherwise);
      }
      case "copyindex":
        return this.copyIndex(args());
      case "resourceid":
      case "subscriptionresourceid": {
        const values = args().map((v) => text(v, e.name));
        const at = values.findIndex((v) => v.includes("/"));
        if (at < 0 || at > 2) throw new NotStatic(`${e.name}() without a resource type`);
        const names = values.slice(at + 1);
        if (names.length === 0) throw new NotStatic(`${e.name}() without a resource name`);
        return new ResourceIdValue(values[at] as string, names);
      }
      case "reference":
        return this.reference(e);
      case "resourceinfo": {
        const found = this.find(e);
        return {
          id: new ResourceIdValue(found.type, found.names),
          name: found.names.join("/"),
          type: found.type,
        };
      }
      case "lambda":
        throw new NotStatic("lambda() outside map() or filter()");
      case "lambdavariables": {
        const [key] = args();
        for (const scope of [...this.lambdas].reverse())
          if (typeof key === "string" && scope.has(key)) return scope.get(key);
        throw new NotStatic(`lambdaVariables(${JSON.stringify(key)}) outside its lambda()`);
      }
      case "map":
      case "filter":
        return this.mapOrFilter(e, name);
    }
    const f = plainFunction(name);
    if (f) return f(args());
    throw new NotStatic(`${e.name}() is known only when deploying`);
  }

  private copyIndex(args: readonly Plain[]): number {
    const [first, second] = args;
    const named = typeof first === "string" ? first : undefined;
    const offset = typeof first === "number" ? first : typeof second === "number" ? second : 0;
    const loop = [...this.loops]
      .reverse()
      .find((l) =>
        named === undefined ? l.resource : l.name.toLowerCase() === named.toLowerCase(),
      );
    if (!loop)
      throw new NotStatic(
        named === undefined
          ? "copyIndex() outside a copy loop"
          : `copyIndex('${named}') outside that loop`,
      );
    return loop.index + offset;
  }

  /** `map(array, lambda('x', body))` and `filter(...)`, evaluated item by item. */
  private mapOrFilter(e: Extract<Expr, { kind: "call" }>, name: string): unknown {
    const [source, fn] = e.args;
    const items = source === undefined ? undefined : this.materialize(this.evaluate(source));
    if (!Array.isArray(items) || fn?.kind !== "call" || fn.name.toLowerCase() !== "lambda")
      throw new NotStatic(`${e.name}() needs an array and a lambda()`);
    const [variable, body] = fn.args;
    const key = variable === undefined ? undefined : this.materialize(this.evaluate(variable));
    if (typeof key !== "string" || body === undefined || fn.args.length !== 2)
      throw new NotStatic("lambda() with one variable and a body");
    const each = (item: unknown) => {
      this.lambdas.push(new Map([[key, item]]));
      try {
        return this.materialize(this.evaluate(body));
      } finally {
        this.lambdas.pop();
      }
    };
    if (name === "map") return items.map(each);
    return items.filter((item) => {
      const keep = each(item);
      if (typeof keep !== "boolean")
        throw new NotStatic("filter() with a lambda that is not a condition");
      return keep;
    });
  }

  /** The resource `reference()` or `resourceInfo()` names, when the template declares it. */
  private find(e: Extract<Expr, { kind: "call" }>): DeclaredResource {
    const first = e.args[0];
    const target = first === undefined ? undefined : this.materialize(this.evaluate(first));
    if (!(target instanceof ResourceIdValue) && typeof target !== "string")
      throw new NotStatic(`${e.name}() of a value that is not a resource`);
    const found = this.finder(target);
    if (!found)
      throw new NotStatic(
        `${e.name}() of a resource this template does not declare is known only when deploying`,
      );
    return found;
  }

  /** `reference(resource)`: its properties as the template sets them; with 'full', the whole resource. */
  private reference(e: Extract<Expr, { kind: "call" }>): unknown {
    const found = this.find(e);
    const option = e.args[2] === undefined ? undefined : this.materialize(this.evaluate(e.args[2]));
    if (typeof option === "string" && option.toLowerCase() === "full") {
      const { id: _, ...rest } = found.raw;
      return new Declared(rest, found, undefined, false, true);
    }
    return new Declared(isRecord(found.raw.properties) ? found.raw.properties : {}, found);
  }

  private lookup(record: Record<string, unknown>, key: string): [string, unknown] | undefined {
    return propertyOf(record, key);
  }

  private parameter(key: string): unknown {
    const given = this.lookup(this.parameterValues, key);
    if (given) {
      const entry = given[1];
      if (isRecord(entry) && Object.hasOwn(entry, "value")) return entry.value;
      return this.unknownParameter(key, `parameter ${key} has no value in the parameters file`);
    }
    const declared = this.lookup(this.parameters, key);
    if (!declared) throw new NotStatic(`parameter ${key} is not declared`);
    const definition = declared[1];
    if (isRecord(definition) && Object.hasOwn(definition, "defaultValue"))
      return this.guarded(`parameters/${key}`, () => this.raw(definition.defaultValue));
    // A parameter that may be null is null when the deployment leaves it out (languageVersion 2.0).
    if (isRecord(definition) && definition.nullable === true) return null;
    return this.unknownParameter(key, `parameter ${key} has no value and no defaultValue`);
  }

  /** A parameter without a value: its placeholder in naming mode, else not known. */
  private unknownParameter(key: string, why: string): string {
    if (this.naming) return this.placeholder(`<${key}>`, why);
    throw new NotStatic(why);
  }

  private variable(key: string): unknown {
    const declared = this.lookup(this.variables, key);
    const cache = this.caches[this.naming ? 1 : 0] as Map<string, unknown>;
    if (!declared) {
      const loop = this.variableLoop(key);
      if (loop === undefined) throw new NotStatic(`variable ${key} is not declared`);
      return loop;
    }
    const cacheKey = declared[0];
    if (cache.has(cacheKey)) return cache.get(cacheKey);
    const value = this.guarded(`variables/${key}`, () => this.value(declared[1]));
    cache.set(cacheKey, value);
    return value;
  }

  /** A variable a copy loop of `variables.copy` makes, when that is one. */
  private variableLoop(key: string): unknown[] | undefined {
    const loops = this.variables.copy;
    if (!Array.isArray(loops)) return undefined;
    const loop = loops.find(
      (l) =>
        isRecord(l) && typeof l.name === "string" && l.name.toLowerCase() === key.toLowerCase(),
    );
    if (!isRecord(loop)) return undefined;
    const name = loop.name as string;
    return this.guarded(`variables/${key}`, () => {
      const count = this.value(loop.count);
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > 800)
        throw new NotStatic(`the copy loop of variable ${name} has no known count`);
      return Array.from({ length: count }, (_, index) =>
        this.inLoop(name, index, false, () => this.value(loop.input)),
      );
    });
  }

  private guarded<T>(key: string, f: () => T): T {
    if (this.resolving.has(key)) throw new NotStatic(`${key} refers to itself`);
    this.resolving.add(key);
    try {
      return f();
    } finally {
      this.resolving.delete(key);
    }
  }
}
