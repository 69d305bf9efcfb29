/**
 * Terraform expressions as the HCL-to-JSON parser gives them: every string is a
 * template (`${...}` interpolates, `$${` and `%%{` are literal), and every
 * non-literal expression is wrapped as `"${...}"`. Literals and plain
 * references are evaluated; anything else is NotKnown, with what it is.
 */
import { isObject, NotKnown, ReferencesTooDeep, ResourceId, type TfValue } from "./values.js";

/** One step after the root of a reference: `.name` or `[index]`. */
export type Step = { readonly attribute: string } | { readonly index: number | string };

/** What references resolve against. */
export interface Scope {
  variable(name: string): TfValue;
  local(name: string): TfValue;
  /** `TYPE.NAME...` (managed) or `data.TYPE.NAME...`; `steps` follow the name. */
  resource(mode: "managed" | "data", type: string, name: string, steps: readonly Step[]): TfValue;
  /** `count.index`, when the resource has a count known to be 1. */
  readonly countIndex?: number;
  /**
   * Set when a name is evaluated: an interpolation that is not known becomes
   * a placeholder, `<var.prefix>`, recorded here with why it is not known.
   */
  readonly placeholders?: Map<string, string>;
  /** The same scope evaluating names (with `placeholders`). */
  readonly named?: () => Scope;
}

/** The scope of a value that may not refer to anything: a variable's default, a `.tfvars` value. */
export const noReferences: Scope = {
  variable: (name) => {
    throw new NotKnown(`var.${name} cannot be used here`);
  },
  local: (name) => {
    throw new NotKnown(`local.${name} cannot be used here`);
  },
  resource: (_mode, type, name) => {
    throw new NotKnown(`${type}.${name} cannot be used here`);
  },
};

/** The value of a parsed HCL value (string templates, numbers, booleans, lists, objects). */
export function evaluate(raw: unknown, scope: Scope): TfValue {
  if (typeof raw === "string") return template(raw, scope);
  if (raw === null || typeof raw === "number" || typeof raw === "boolean") return raw;
  if (Array.isArray(raw)) return raw.map((item) => evaluate(item, scope));
  if (typeof raw === "object")
    // fromEntries defines each key, so that a key named __proto__ stays a key.
    return Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, evaluate(v, scope)]),
    );
  throw new NotKnown(`an unexpected value ${String(raw)}`);
}

type Part = { readonly text: string } | { readonly expression: string };

/** The literal text and interpolations of a template. */
export function templateParts(s: string): Part[] {
  const parts: Part[] = [];
  let text = "";
  let i = 0;
  while (i < s.length) {
    if ((s.startsWith("$${", i) || s.startsWith("%%{", i)) && s[i] === s[i + 1]) {
      text += `${s[i]}{`;
      i += 3;
    } else if (s.startsWith("${", i)) {
      const end = closingBrace(s, i + 2);
      if (text !== "") parts.push({ text });
      text = "";
      parts.push({ expression: s.slice(i + 2, end).trim() });
      i = end + 1;
    } else if (s.startsWith("%{", i)) {
      const end = closingBrace(s, i + 2);
      throw new NotKnown(
        `${s.slice(i, end + 1)} is a template directive, evaluated only by Terraform`,
      );
    } else {
      text += s[i];
      i++;
    }
  }
  if (text !== "" || parts.length === 0) parts.push({ text });
  return parts;
}

/** The index of the `}` closing the interpolation whose body starts at `from`. */
function closingBrace(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return s.length;
}

/** The expression's value; in a name (`scope.placeholders`), a placeholder when it is not known. */
function named(text: string, scope: Scope): TfValue {
  // count.index and each.key differ from copy to copy: one placeholder cannot stand for them.
  if (!scope.placeholders || /\b(count|each)\./.test(text)) return expression(text, scope);
  try {
    return expression(text, scope);
  } catch (e) {
    if (!(e instanceof NotKnown) || e instanceof ReferencesTooDeep) throw e;
    const placeholder = `<${text.replace(/\s+/g, "")}>`;
    if (!scope.placeholders.has(placeholder)) scope.placeholders.set(placeholder, e.message);
    return placeholder;
  }
}

function template(s: string, scope: Scope): TfValue {
  const parts = templateParts(s);
  if (parts.length === 1) {
    const only = parts[0] as Part;
    return "text" in only ? only.text : named(only.expression, scope);
  }
  return parts
    .map((part) => {
      if ("text" in part) return part.text;
      const v = named(part.expression, scope);
      if (typeof v === "string" || typeof v === "number" || typeof v === "boolean")
        return String(v);
      throw new NotKnown(`${part.expression} is not a string, so it cannot be interpolated`);
    })
    .join("");
}

/** A reference: a root name and the steps after it, or undefined when the text is not one. */
export function parseReference(text: string): { root: string; steps: Step[] } | undefined {
  const ident = /[A-Za-z_][A-Za-z0-9_-]*/y;
  let i = 0;
  const word = (): string | undefined => {
    ident.lastIndex = i;
    const m = ident.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const root = word();
  if (root === undefined) return undefined;
  const steps: Step[] = [];
  while (i < text.length) {
    if (text[i] === ".") {
      i++;
      const number = /\d+/y;
      number.lastIndex = i;
      const n = number.exec(text);
      if (n) {
        i += n[0].length;
        steps.push({ index: Number(n[0]) });
        continue;
      }
      const name = word();
      if (name === undefined) return undefined;
      steps.push({ attribute: name });
    } else if (text[i] === "[") {
      const m = /\[\s*(?:(\d+)|"((?:[^"\\]|\\.)*)")\s*\]/y;
      m.lastIndex = i;
      const found = m.exec(text);
      if (!found) return undefined;
      i += found[0].length;
      steps.push(
        found[1] !== undefined
          ? { index: Number(found[1]) }
          : { index: JSON.parse(`"${found[2]}"`) },
      );
    } else return undefined;
  }
  return { root, steps };
}

/** What kind of expression `text` is, for saying why it is not known. */
export function describe(text: string): string {
  const call = /^([A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z0-9_]+)*)\s*\(/.exec(text);
  if (call) return `${text} calls ${call[1]}(), and function calls are evaluated only by Terraform`;
  if (/^[[{]\s*for\b/.test(text)) return `${text} is a for expression, evaluated only by Terraform`;
  if (/\[\*\]|\.\*/.test(text)) return `${text} is a splat expression, evaluated only by Terraform`;
  if (/\?/.test(text) && /:/.test(text))
    return `${text} is a conditional expression, evaluated only by Terraform`;
  return `${text} is an expression tierwall does not evaluate (only literals and plain references)`;
}

function expression(text: string, scope: Scope): TfValue {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  if (text === "null") return null;
  const ref = parseReference(text);
  if (!ref) throw new NotKnown(describe(text));
  const { root, steps } = ref;
  const first = steps[0];
  const name = first !== undefined && "attribute" in first ? first.attribute : undefined;
  switch (root) {
    case "var":
      if (name === undefined) break;
      return follow(scope.variable(name), steps.slice(1), `var.${name}`);
    case "local":
      if (name === undefined) break;
      return follow(scope.local(name), steps.slice(1), `local.${name}`);
    case "count":
      if (name === "index" && scope.countIndex !== undefined) return scope.countIndex;
      throw new NotKnown(`${text} is known only for each copy Terraform makes`);
    case "each":
      throw new NotKnown(`${text} is known only for each copy for_each makes`);
    case "module":
      throw new NotKnown(
        `${text} is an output of module ${name ?? ""}, whose files are not read here`,
      );
    case "path":
    case "terraform":
    case "self":
      throw new NotKnown(`${text} is known only when Terraform runs`);
    case "data": {
      const second = steps[1];
      if (name === undefined || second === undefined || !("attribute" in second)) break;
      return scope.resource("data", name, second.attribute, steps.slice(2));
    }
    default:
      if (name === undefined) break;
      return scope.resource("managed", root, name, steps.slice(1));
  }
  throw new NotKnown(`${text} is not a reference tierwall can follow`);
}

/** The value reached by `steps` from `value`, named `text` so far. */
export function follow(value: TfValue, steps: readonly Step[], text: string): TfValue {
  let v = value;
  let at = text;
  for (const step of steps) {
    const key = "attribute" in step ? step.attribute : step.index;
    at = "attribute" in step ? `${at}.${step.attribute}` : `${at}[${JSON.stringify(step.index)}]`;
    if (Array.isArray(v) && typeof key === "number" && key < v.length) v = v[key] as TfValue;
    else if (isObject(v) && typeof key === "string" && Object.hasOwn(v, key)) v = v[key] as TfValue;
    else if (v instanceof ResourceId) throw new NotKnown(`${at} is assigned by Azure`);
    else throw new NotKnown(`${at} does not exist`);
  }
  return v;
}
