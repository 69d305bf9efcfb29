/**
 * ARM deployment templates and Azure resource JSON, to and from the model.
 *
 * `exportArm` writes a deployable template of the application security groups,
 * NSGs, virtual networks and network interfaces of a topology. `importArm`
 * reads a template (resolving the plain template expressions), the flattened
 * resource JSON of `az network nsg show` / `list` and `az network vnet show`, or
 * the output of `az network nic list-effective-nsg` (read in az-effective-nsg.ts).
 */

import { LineCounter, parseDocument } from "yaml";
import type { Diagnostic, Severity, ValuePath } from "../../model/diagnostic.js";
import {
  type ApplicationSecurityGroup,
  type IpConfiguration,
  type NetworkInterface,
  type ResourceRef,
  SECURITY_RULE_PROPERTIES,
  type SecurityRule,
  type Subnet,
  type Topology,
  type VirtualNetworkPeering,
} from "../../model/types.js";
import { locate } from "../../specfile/locate.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import {
  API_VERSION,
  type PlanValue,
  planDeployment,
  RESOURCE_TYPES,
  ResourceReference,
} from "./deployment.js";
import { readEffectiveNsgs } from "./effective-nsg.js";

export const ARM_SCHEMA =
  "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
export const ARM_API_VERSION = API_VERSION;

const T = RESOURCE_TYPES;

const RULE_FIELDS = SECURITY_RULE_PROPERTIES;
type RuleField = (typeof RULE_FIELDS)[number];
const ASG_FIELDS = new Set<RuleField>([
  "sourceApplicationSecurityGroups",
  "destinationApplicationSecurityGroups",
]);
const LIST_FIELDS = new Set<RuleField>([
  "sourceAddressPrefixes",
  "sourcePortRanges",
  "destinationAddressPrefixes",
  "destinationPortRanges",
]);

// ================================================================ export

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** A literal string value: one starting with `[` would be read as an expression. */
const literal = (s: string): string => (s.startsWith("[") ? `[${s}` : s);
const resourceIdExpr = (ref: ResourceReference): string =>
  `[resourceId(${[ref.type, ...ref.names].map(quote).join(", ")})]`;

function armValue(value: PlanValue): Json {
  if (value instanceof ResourceReference) return resourceIdExpr(value);
  if (typeof value === "string") return literal(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(armValue);
  return Object.fromEntries(
    Object.entries(value as Record<string, PlanValue>).map(([k, v]) => [k, armValue(v)]),
  );
}

/** Writes the topology as an ARM deployment template (JSON, 2-space indent). */
export function exportArm(topology: Topology): string {
  const resources = planDeployment(topology).map((r): Json => {
    const resource: Record<string, Json> = {
      type: r.type,
      apiVersion: ARM_API_VERSION,
      name: literal(r.names.join("/")),
    };
    if (r.location !== undefined)
      resource.location =
        r.location === "parameter" ? "[parameters('location')]" : literal(r.location.region);
    if (r.properties !== undefined) resource.properties = armValue(r.properties);
    if (r.dependsOn.length > 0) resource.dependsOn = r.dependsOn.map(resourceIdExpr);
    return resource;
  });

  const template = {
    $schema: ARM_SCHEMA,
    contentVersion: "1.0.0.0",
    metadata: {
      generator: "tierwall",
      description:
        "Application security groups, network security groups, virtual networks and network interfaces. " +
        "Environments, assertions, tiers, connected address prefixes and public IP addresses are not exported.",
    },
    parameters: {
      location: {
        type: "string",
        defaultValue: "[resourceGroup().location]",
        metadata: { description: "Location of resources that do not name their own" },
      },
    },
    resources,
  };
  return `${JSON.stringify(template, null, 2)}\n`;
}

// ================================================================ expressions

/** A value `resourceId(...)` gives: the resource type and the names of its segments. */
class ResourceIdValue {
  constructor(
    readonly type: string,
    readonly names: readonly string[],
  ) {}
}

/** Thrown while evaluating an expression that cannot be known without deploying. */
class NotStatic extends Error {}

type Expr =
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: "access"; readonly target: Expr };

/** Parses the inside of `[...]`; throws NotStatic on anything it does not understand. */
function parseExpression(text: string): Expr {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
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
    const number = /^-?\d+/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      return { kind: "literal", value: Number(number[0]) };
    }
    const ident = /^[A-Za-z_][\w.]*/.exec(text.slice(i));
    if (!ident) return fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
    i += ident[0].length;
    const name = ident[0];
    space();
    if (text[i] !== "(") {
      if (name === "true" || name === "false") return { kind: "literal", value: name === "true" };
      return fail(`unexpected ${name}`);
    }
    i++;
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
class TemplateContext {
  private readonly variableCache = new Map<string, unknown>();
  private readonly resolving = new Set<string>();

  constructor(
    private readonly parameters: Record<string, unknown>,
    private readonly variables: Record<string, unknown>,
    private readonly parameterValues: Record<string, unknown>,
  ) {}

  /** The value of a JSON value with its expressions resolved; throws NotStatic. */
  value(v: unknown): unknown {
    if (typeof v === "string") {
      if (v.startsWith("[[")) return v.slice(1);
      if (v.startsWith("[") && v.endsWith("]"))
        return this.evaluate(parseExpression(v.slice(1, -1)));
      return v;
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)]));
    return v;
  }

  private evaluate(e: Expr): unknown {
    if (e.kind === "literal") return e.value;
    if (e.kind === "access") throw new NotStatic("property or index access");
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
      if (entry !== null && typeof entry === "object" && "value" in entry)
        return (entry as { value: unknown }).value;
      throw new NotStatic(`parameter ${key} has no value in the parameters file`);
    }
    const declared = this.lookup(this.parameters, key);
    if (!declared) throw new NotStatic(`parameter ${key} is not declared`);
    const definition = declared[1];
    if (definition === null || typeof definition !== "object" || !("defaultValue" in definition))
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

// ================================================================ import

export interface ArmImport {
  readonly topology: Topology;
  readonly diagnostics: Diagnostic[];
}

const sameType = (a: unknown, b: string) =>
  typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** JSON.parse's error, placed at the position it names, or else at the first error a scan finds. */
export function syntaxError(e: Error, file: string, text: string): Diagnostic {
  const named = /at position (\d+)/.exec(e.message)?.[1];
  const position = named === undefined ? firstJsonError(text) : Number(named);
  const before = text.slice(0, position).split("\n");
  return {
    severity: "error",
    code: "InvalidSyntax",
    message: `not valid JSON: ${e.message.replace(/\s+/g, " ")}`,
    path: [],
    location: {
      file,
      line: before.length,
      column: (before[before.length - 1]?.length ?? 0) + 1,
    },
  };
}

/** The offset of the first JSON syntax error in `text` (its length when the text ends early). */
function firstJsonError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c < " ") fail();
      i += c === "\\" ? 2 : 1;
    }
    i = text.length;
    fail();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ["true", "false", "null"])
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    fail();
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}

/**
 * Reads an ARM deployment template (with an optional parameters file), the
 * resource JSON of `az network nsg show` / `list` and `az network vnet show`, or
 * `az network nic list-effective-nsg` output. Values that depend on the
 * deployment are reported and left out.
 */
export function importArm(text: string, file: string, parametersText?: string): ArmImport {
  const empty: Topology = {
    virtualNetworks: [],
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [],
  };
  const clean = text.replace(/^\uFEFF/, "");
  let document: unknown;
  try {
    document = JSON.parse(clean);
  } catch (e) {
    return { topology: empty, diagnostics: [syntaxError(e as Error, file, clean)] };
  }
  const effective = readEffectiveNsgs(document);
  if (effective) {
    const { networkSecurityGroups, diagnostics } = effective;
    const unused: Diagnostic[] =
      parametersText === undefined
        ? []
        : [
            {
              severity: "warning",
              code: "ParametersNotUsed",
              message:
                "the parameters file is for templates; effective NSG output has no parameters",
              path: [],
              location: { file: `${file} (parameters)`, line: 1, column: 1 },
            },
          ];
    return {
      topology: { ...empty, networkSecurityGroups },
      diagnostics: [...unused, ...placed(diagnostics, clean, file)],
    };
  }
  let parameterValues: Record<string, unknown> = {};
  const preliminary: Diagnostic[] = [];
  if (parametersText !== undefined) {
    const parametersFile = `${file} (parameters)`;
    const cleanParameters = parametersText.replace(/^\uFEFF/, "");
    try {
      const parsed: unknown = JSON.parse(cleanParameters);
      if (isObject(parsed) && isObject(parsed.parameters)) parameterValues = parsed.parameters;
      else
        preliminary.push({
          severity: "error",
          code: "InvalidParametersFile",
          message: "the parameters file has no parameters object",
          path: [],
          location: { file: parametersFile, line: 1, column: 1 },
        });
    } catch (e) {
      return {
        topology: empty,
        diagnostics: [syntaxError(e as Error, parametersFile, cleanParameters)],
      };
    }
  }
  const reader = new Reader(document, parameterValues);
  const topology = reader.read();
  const diagnostics = [...preliminary, ...placed(reader.diagnostics, clean, file)];
  return { topology, diagnostics };
}

/** Diagnostics with JSON paths, given the line and column of the value each names. */
export function placed(
  diagnostics: readonly Diagnostic[],
  text: string,
  file: string,
): Diagnostic[] {
  if (diagnostics.length === 0) return [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return diagnostics.map((d) => ({
    ...d,
    location: { file, ...locate(doc, lineCounter, d.path) },
  }));
}

/** Collects the resources of one document into a topology. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly context: TemplateContext;
  private readonly asgs: ApplicationSecurityGroup[] = [];
  private readonly nsgs = new Map<string, NsgDraft>();
  private readonly vnets = new Map<string, VnetDraft>();
  private readonly nics: NetworkInterface[] = [];

  constructor(
    private readonly document: unknown,
    parameterValues: Record<string, unknown>,
  ) {
    const template = isObject(document) ? document : {};
    this.context = new TemplateContext(
      isObject(template.parameters) ? template.parameters : {},
      isObject(template.variables) ? template.variables : {},
      parameterValues,
    );
  }

  read(): Topology {
    const doc = this.document;
    const list = (items: unknown[], at: ValuePath) => {
      for (const [i, r] of items.entries()) this.resource(r, [...at, i], undefined);
    };
    if (Array.isArray(doc)) list(doc, []);
    else if (isObject(doc) && Array.isArray(doc.resources)) list(doc.resources, ["resources"]);
    else if (isObject(doc) && Array.isArray(doc.value)) list(doc.value, ["value"]);
    else if (isObject(doc) && typeof doc.type === "string") this.resource(doc, [], undefined);
    else
      this.report(
        "error",
        "UnrecognizedDocument",
        "neither a deployment template (no resources array) nor Azure resource JSON (no type)",
        [],
      );
    return {
      virtualNetworks: [...this.vnets.values()].map(vnetOf),
      networkSecurityGroups: [...this.nsgs.values()].map(nsgOf),
      applicationSecurityGroups: this.asgs,
      networkInterfaces: this.nics,
      environments: [],
    };
  }

  /** What leaving out a value that is not statically known costs, for the message. */
  private consequence = "the value is left out";
  /** How many values were not statically known: a reader compares before and after. */
  private unknowns = 0;

  /** Runs `read` with the consequence its unknown values have. */
  private leaving<V>(consequence: string, read: () => V): V {
    const saved = this.consequence;
    this.consequence = consequence;
    try {
      return read();
    } finally {
      this.consequence = saved;
    }
  }

  /** Runs `read` as `leaving` does; whether every value it met was known (else `consequence` holds). */
  private whole(consequence: string, read: () => void): boolean {
    const before = this.unknowns;
    this.leaving(consequence, read);
    return this.unknowns === before;
  }

  private report(severity: Severity, code: string, message: string, path: ValuePath): void {
    this.diagnostics.push({ severity, code, message, path });
  }

  /** The resolved value at `key` of `obj`, or undefined (reported) when it cannot be known. */
  private get(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    severity: Severity = "warning",
  ): unknown {
    const raw = obj[key];
    if (raw === undefined) return undefined;
    try {
      return this.context.value(raw);
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
      const at = [...path, key];
      this.unknowns++;
      this.report(
        severity,
        "ExpressionNotStaticallyKnown",
        `${pathText(at)}: ${JSON.stringify(raw)} cannot be known without deploying (${e.message}); ${this.consequence}`,
        at,
      );
      return undefined;
    }
  }

  private string(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    severity?: Severity,
  ): string | undefined {
    const v = this.get(obj, key, path, severity);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.wrongType(key, "a string", [...path, key]);
    return undefined;
  }

  private wrongType(key: string, what: string, path: ValuePath): void {
    this.report(
      "warning",
      "InvalidPropertyType",
      `${pathText(path)}: ${key} should be ${what}; it is left out`,
      path,
    );
  }

  /** A `{ id }` reference (or an id string) as a model reference. */
  private ref(value: unknown, path: ValuePath, subnet = false): ResourceRef | undefined {
    let v = value;
    if (isObject(v)) {
      if (!("id" in v)) {
        this.wrongType("reference", "an object with an id", path);
        return undefined;
      }
      const id = this.get(v, "id", path);
      if (id === undefined) return undefined;
      v = id;
    }
    if (v instanceof ResourceIdValue)
      return subnet && v.names.length >= 2
        ? `${v.names[0]}/${v.names[1]}`
        : (v.names[v.names.length - 1] as string);
    if (typeof v === "string") return v.startsWith("/") ? { id: v } : v;
    this.wrongType("reference", "a resource id", path);
    return undefined;
  }

  private refs(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    subnet = false,
  ): ResourceRef[] | undefined {
    const raw = obj[key];
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) {
      this.wrongType(key, "an array", [...path, key]);
      return undefined;
    }
    const out: ResourceRef[] = [];
    raw.forEach((item, i) => {
      const r = this.ref(item, [...path, key, i], subnet);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  /** The object holding a resource's settings: `properties` in templates, the resource itself when flattened. */
  private props(resource: JsonObject): { obj: JsonObject; at: string[] } {
    return isObject(resource.properties)
      ? { obj: resource.properties, at: ["properties"] }
      : { obj: resource, at: [] };
  }

  private resource(
    r: unknown,
    path: ValuePath,
    parent: { type: string; name: string } | undefined,
  ): void {
    if (!isObject(r)) return;
    let type = this.string(r, "type", path);
    if (type === undefined) return;
    if (parent && !type.includes("/")) type = `${parent.type}/${type}`;
    if (sameType(type, "Microsoft.Resources/deployments")) {
      this.deployment(r, path);
      return;
    }
    const known = Object.values(T).some((t) => sameType(type, t));
    if (!known) return;
    if (r.copy !== undefined) {
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        `${pathText([...path, "copy"])}: a copy loop makes resources known only when deploying; the resource is left out`,
        [...path, "copy"],
      );
      return;
    }
    if (r.condition !== undefined) {
      const condition = this.leaving("the resource is left out", () =>
        this.get(r, "condition", path),
      );
      if (condition !== true) {
        if (condition === false) return;
        if (condition !== undefined)
          this.report(
            "warning",
            "ExpressionNotStaticallyKnown",
            `${pathText([...path, "condition"])}: not a boolean; the resource is left out`,
            [...path, "condition"],
          );
        return;
      }
    }
    const fullName = this.leaving("the resource is left out", () => this.string(r, "name", path));
    if (fullName === undefined) return;
    const names = fullName.split("/");
    // A child declared inside its parent has its own name only; at the top level, parent/child.
    const segments = parent ? [parent.name, ...names.slice(-1)] : names;
    const name = segments[segments.length - 1] as string;
    const isChild = [T.rule, T.subnet, T.peering].some((t) => sameType(type, t));
    if (isChild && segments.length < 2) {
      this.missingParent(fullName, [...path, "name"]);
      return;
    }
    const location = this.string(r, "location", path, "info");

    if (sameType(type, T.asg)) {
      this.asgs.push({ name, ...(location === undefined ? {} : { location }) });
    } else if (sameType(type, T.nsg)) {
      const nsg = this.nsg(name);
      if (location !== undefined) nsg.location = location;
      const { obj, at } = this.props(r);
      const flush = this.get(obj, "flushConnection", [...path, ...at]);
      if (typeof flush === "boolean") nsg.flushConnection = flush;
      const rules = obj.securityRules;
      if (Array.isArray(rules))
        rules.forEach((rule, i) => {
          const parsed = this.rule(rule, [...path, ...at, "securityRules", i]);
          if (parsed) nsg.rules.push(parsed);
        });
    } else if (sameType(type, T.rule)) {
      const parsed = this.rule(r, path);
      if (parsed) this.nsg(segments[0] as string).rules.push(parsed);
    } else if (sameType(type, T.vnet)) {
      const vnet = this.vnet(name);
      if (location !== undefined) vnet.location = location;
      const { obj, at } = this.props(r);
      const base = [...path, ...at];
      const space = obj.addressSpace;
      if (isObject(space)) {
        const prefixes = this.get(space, "addressPrefixes", [...base, "addressSpace"]);
        if (Array.isArray(prefixes))
          vnet.addressPrefixes.push(...prefixes.filter((p) => typeof p === "string"));
      }
      if (Array.isArray(obj.subnets))
        obj.subnets.forEach((s, i) => {
          const subnet = this.subnet(s, [...base, "subnets", i]);
          if (subnet) vnet.subnets.push(subnet);
        });
      if (Array.isArray(obj.virtualNetworkPeerings))
        obj.virtualNetworkPeerings.forEach((p, i) => {
          const peering = this.peering(p, [...base, "virtualNetworkPeerings", i]);
          if (peering) vnet.peerings.push(peering);
        });
    } else if (sameType(type, T.subnet)) {
      const subnet = this.subnet(r, path, name);
      if (subnet) this.vnet(segments[0] as string).subnets.push(subnet);
    } else if (sameType(type, T.peering)) {
      const peering = this.peering(r, path, name);
      if (peering) this.vnet(segments[0] as string).peerings.push(peering);
    } else if (sameType(type, T.nic)) {
      const nic = this.nic(r, path, name);
      if (nic) this.nics.push(nic);
    }

    if (Array.isArray(r.resources) && !type.includes("/", type.indexOf("/") + 1))
      for (const [i, child] of r.resources.entries())
        this.resource(child, [...path, "resources", i], { type, name });
  }

  private missingParent(name: string, path: ValuePath): void {
    this.report(
      "warning",
      "InvalidResourceName",
      `${pathText(path)}: child resource ${JSON.stringify(name)} does not name its parent (parent/child); it is left out`,
      path,
    );
  }

  private nsg(name: string): NsgDraft {
    const key = name.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(key, nsg);
    }
    return nsg;
  }

  private vnet(name: string): VnetDraft {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], peerings: [] };
      this.vnets.set(key, vnet);
    }
    return vnet;
  }

  /**
   * A nested deployment: an inline template evaluated in this template's scope
   * is read as part of it; a linked template or an inner scope is named.
   */
  private deployment(r: JsonObject, path: ValuePath): void {
    const properties = isObject(r.properties) ? r.properties : {};
    const at = [...path, "properties"];
    const options = properties.expressionEvaluationOptions;
    const inner = isObject(options) && String(options.scope).toLowerCase() === "inner";
    const template = properties.template;
    if (isObject(template) && Array.isArray(template.resources) && !inner) {
      template.resources.forEach((child, i) => {
        this.resource(child, [...at, "template", "resources", i], undefined);
      });
      return;
    }
    const linked = properties.templateLink !== undefined;
    this.report(
      "warning",
      linked ? "LinkedTemplateNotRead" : "NestedTemplateNotRead",
      linked
        ? `${pathText(at)}: the linked template is not read; import it too if it holds network resources`
        : `${pathText(at)}: a nested template with its own (inner) scope is not read; its resources are left out`,
      linked ? [...at, "templateLink"] : at,
    );
  }

  private rule(r: unknown, path: ValuePath): SecurityRule | undefined {
    if (!isObject(r)) return undefined;
    const name = this.string(r, "name", path);
    if (name === undefined) return undefined;
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const ruleName = name.split("/").pop() as string;
    const rule: Record<string, unknown> = { name: ruleName };
    const description = this.string(obj, "description", base);
    if (description !== undefined && description !== "") rule.description = description;
    // A rule missing any other value would be a different rule: it is left out whole.
    const known = this.whole(`the rule ${JSON.stringify(ruleName)} is left out`, () =>
      this.ruleFields(obj, base, rule),
    );
    return known ? (rule as unknown as SecurityRule) : undefined;
  }

  private ruleFields(obj: JsonObject, base: ValuePath, rule: Record<string, unknown>): void {
    for (const field of RULE_FIELDS) {
      if (field === "description") continue;
      if (ASG_FIELDS.has(field)) {
        const refs = this.refs(obj, field, base);
        if (refs !== undefined && refs.length > 0) rule[field] = refs;
        continue;
      }
      const value = this.get(obj, field, base);
      if (value === undefined || value === null) continue;
      if (LIST_FIELDS.has(field)) {
        if (!Array.isArray(value)) {
          this.wrongType(field, "an array", [...base, field]);
          continue;
        }
        const items = value.map(String);
        // Azure returns empty lists for the fields a rule does not use.
        if (items.length > 0) rule[field] = items;
      } else if (field === "priority") {
        const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof n === "number") rule[field] = n;
        else this.wrongType(field, "a number", [...base, field]);
      } else if (typeof value === "string" || typeof value === "number") {
        if (value !== "") rule[field] = String(value);
      } else this.wrongType(field, "a string", [...base, field]);
    }
  }

  private subnet(s: unknown, path: ValuePath, givenName?: string): Subnet | undefined {
    if (!isObject(s)) return undefined;
    const name = givenName ?? this.string(s, "name", path);
    if (name === undefined) return undefined;
    const { obj, at } = this.props(s);
    const base = [...path, ...at];
    const subnet: { -readonly [K in keyof Subnet]: Subnet[K] } = { name };
    // A subnet whose range or NSG is not known cannot be placed: it is left out whole.
    const known = this.whole(`the subnet ${JSON.stringify(name)} is left out`, () => {
      const prefix = this.string(obj, "addressPrefix", base);
      if (prefix !== undefined && prefix !== "") subnet.addressPrefix = prefix;
      const prefixes = this.get(obj, "addressPrefixes", base);
      if (Array.isArray(prefixes) && prefixes.length > 0)
        subnet.addressPrefixes = prefixes.map(String);
      if (obj.networkSecurityGroup !== undefined && obj.networkSecurityGroup !== null) {
        const nsg = this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]);
        if (nsg !== undefined) subnet.networkSecurityGroup = nsg;
      }
    });
    return known ? subnet : undefined;
  }

  private peering(
    p: unknown,
    path: ValuePath,
    givenName?: string,
  ): VirtualNetworkPeering | undefined {
    if (!isObject(p)) return undefined;
    const name = givenName ?? this.string(p, "name", path);
    const { obj, at } = this.props(p);
    if (obj.remoteVirtualNetwork === undefined) return undefined;
    const remote = this.ref(obj.remoteVirtualNetwork, [...path, ...at, "remoteVirtualNetwork"]);
    if (remote === undefined) return undefined;
    return { ...(name === undefined ? {} : { name }), remoteVirtualNetwork: remote };
  }

  private nic(r: JsonObject, path: ValuePath, name: string): NetworkInterface | undefined {
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const configs: IpConfiguration[] = [];
    if (Array.isArray(obj.ipConfigurations))
      obj.ipConfigurations.forEach((c, i) => {
        if (!isObject(c)) return;
        const cPath = [...base, "ipConfigurations", i];
        const configName = this.string(c, "name", cPath);
        const { obj: co, at: cAt } = this.props(c);
        const cBase = [...cPath, ...cAt];
        const address = this.string(co, "privateIPAddress", cBase);
        const subnet =
          co.subnet === undefined || co.subnet === null
            ? undefined
            : this.ref(co.subnet, [...cBase, "subnet"], true);
        if (address === undefined || subnet === undefined) {
          this.report(
            "warning",
            "IncompleteIpConfiguration",
            `${pathText(cPath)}: an IP configuration without a known static privateIPAddress and subnet is left out`,
            cPath,
          );
          return;
        }
        const asgs = this.refs(co, "applicationSecurityGroups", cBase);
        configs.push({
          ...(configName === undefined ? {} : { name: configName }),
          privateIPAddress: address,
          subnet,
          ...(asgs === undefined || asgs.length === 0 ? {} : { applicationSecurityGroups: asgs }),
        });
      });
    const nsg =
      obj.networkSecurityGroup === undefined || obj.networkSecurityGroup === null
        ? undefined
        : this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]);
    if (configs.length === 0) {
      this.report(
        "warning",
        "IncompleteNetworkInterface",
        `${pathText(path)}: network interface ${JSON.stringify(name)} has no IP configuration with a static address and a known subnet; it is left out${nsg === undefined ? "" : ", with its network security group"}`,
        path,
      );
      return undefined;
    }
    return {
      name,
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations: configs,
    };
  }
}
