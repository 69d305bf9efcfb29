/**
 * A reader for the part of Bicep the exporter writes, following the language's
 * rules (one-line strings with Bicep's documented escapes `\\`, `\'`, `\n`,
 * `\r`, `\t`, `\$` and `\u{...}`, and `${}` interpolation; newline-separated
 * object properties and array items), that evaluates each resource to what
 * ARM would deploy: ids resolved in a fixed resource group. And the same for
 * an ARM template, to compare the two.
 */
import { expect } from "vitest";
import { exportArm } from "../../src/formats/arm/export.js";
import { exportBicep } from "../../src/formats/bicep/export.js";
import type { ExportScope } from "../../src/formats/shared/export-scope.js";
import type { Topology } from "../../src/model/types.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Expr =
  | { kind: "string"; parts: (string | Expr)[] }
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "ident"; name: string; props: string[] }
  | { kind: "call"; name: string; args: Expr[]; props: string[] }
  | { kind: "object"; entries: [string, Expr][] }
  | { kind: "array"; items: Expr[] };

const GROUP = "/subscriptions/sub/resourceGroups/rg/providers";
const LOCATION = "resource-group-location";

/** The id resourceId() gives in the test's resource group. */
function resourceId(type: string, names: readonly string[]): string {
  const [namespace, ...types] = type.split("/");
  if (types.length !== names.length) throw new Error(`resourceId(${type}, ${names.join(", ")})`);
  return `${GROUP}/${namespace}/${types.map((t, i) => `${t}/${names[i]}`).join("/")}`;
}

class BicepReader {
  private i = 0;
  constructor(private readonly text: string) {}

  private fail(why: string): never {
    const line = this.text.slice(0, this.i).split("\n").length;
    throw new Error(`bicep line ${line}: ${why}`);
  }
  private blank(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === " " || c === "\t" || (newlines && (c === "\n" || c === "\r"))) this.i++;
      else if (this.text.startsWith("//", this.i))
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
      else return;
    }
  }
  private expect(s: string): void {
    this.blank(false);
    if (!this.text.startsWith(s, this.i)) this.fail(`expected ${s}`);
    this.i += s.length;
  }
  private newline(): void {
    this.blank(false);
    if (this.text[this.i] !== "\n") this.fail("expected a new line");
    this.blank(true);
  }
  private identifier(): string {
    this.blank(false);
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.i));
    if (!m) this.fail("expected an identifier");
    this.i += m[0].length;
    return m[0];
  }

  /** Declarations: `@description(...)`, `param`, `resource`. */
  declarations(): {
    params: Map<string, Expr>;
    resources: [string, string, Expr][];
    existing: Set<string>;
  } {
    const params = new Map<string, Expr>();
    const resources: [string, string, Expr][] = [];
    const existing = new Set<string>();
    this.blank(true);
    while (this.i < this.text.length) {
      if (this.text[this.i] === "@") {
        this.i++;
        this.expression();
      } else {
        const word = this.identifier();
        if (word === "param") {
          const name = this.identifier();
          this.identifier();
          this.expect("=");
          params.set(name, this.expression());
        } else if (word === "resource") {
          const symbol = this.identifier();
          const type = this.expression();
          if (type.kind !== "string" || type.parts.length !== 1) this.fail("resource type");
          this.blank(false);
          if (this.text.startsWith("existing", this.i)) {
            this.identifier();
            existing.add(symbol);
          }
          this.expect("=");
          resources.push([symbol, type.parts[0] as string, this.expression()]);
        } else this.fail(`unexpected ${word}`);
      }
      this.newline();
    }
    return { params, resources, existing };
  }

  expression(): Expr {
    this.blank(false);
    const c = this.text[this.i];
    if (c === "'") return this.string();
    if (c === "{" || c === "[") {
      this.i++;
      const close = c === "{" ? "}" : "]";
      const entries: [string, Expr][] = [];
      const items: Expr[] = [];
      this.blank(false);
      if (this.text[this.i] !== close) {
        this.newline();
        while (this.text[this.i] !== close) {
          if (c === "{") {
            const k = this.text[this.i] === "'" ? this.string() : undefined;
            const name =
              k === undefined ? this.identifier() : k.kind === "string" ? k.parts[0] : "";
            if (typeof name !== "string") this.fail("object key");
            if (entries.some(([e]) => e === name)) this.fail(`duplicate key ${name}`);
            this.expect(":");
            entries.push([name, this.expression()]);
          } else items.push(this.expression());
          this.newline();
        }
      }
      this.i++;
      return c === "{" ? { kind: "object", entries } : { kind: "array", items };
    }
    const number = /^-?\d+/.exec(this.text.slice(this.i));
    if (number) {
      this.i += number[0].length;
      return { kind: "number", value: Number(number[0]) };
    }
    const name = this.identifier();
    if (name === "true" || name === "false") return { kind: "bool", value: name === "true" };
    let args: Expr[] | undefined;
    if (this.text[this.i] === "(") {
      this.i++;
      args = [];
      this.blank(false);
      while (this.text[this.i] !== ")") {
        args.push(this.expression());
        this.blank(false);
        if (this.text[this.i] === ",") this.i++;
        else if (this.text[this.i] !== ")") this.fail("expected , or )");
      }
      this.i++;
    }
    const props: string[] = [];
    while (this.text[this.i] === ".") {
      this.i++;
      props.push(this.identifier());
    }
    return args ? { kind: "call", name, args, props } : { kind: "ident", name, props };
  }

  private string(): Expr {
    const escapes: Record<string, string> = { "\\": "\\", "'": "'", n: "\n", r: "\r", t: "\t" };
    const parts: (string | Expr)[] = [""];
    this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined || c === "\n") this.fail("unterminated string");
      if (c === "'") {
        this.i++;
        return { kind: "string", parts };
      }
      let chunk: string;
      if (c === "\\") {
        const e = this.text[this.i + 1] as string;
        if (e === "$") chunk = "$";
        else if (e === "u") {
          const m = /^\\u\{([0-9A-Fa-f]{1,6})\}/.exec(this.text.slice(this.i));
          if (!m) this.fail("bad \\u escape");
          chunk = String.fromCodePoint(Number.parseInt(m[1] as string, 16));
          this.i += m[0].length - 2;
        } else if (e in escapes) chunk = escapes[e] as string;
        else this.fail(`unknown escape \\${e}`);
        this.i += 2;
      } else if (c === "$" && this.text[this.i + 1] === "{") {
        this.i += 2;
        parts.push(this.expression(), "");
        this.expect("}");
        continue;
      } else {
        chunk = c;
        this.i++;
      }
      parts[parts.length - 1] += chunk;
    }
  }
}

/** Evaluates each resource of a Bicep file as ARM would deploy it, with the symbols it refers to. */
export function readBicep(text: string) {
  const { params, resources, existing } = new BicepReader(text).declarations();
  const symbols = new Map<string, { type: string; names: string[] }>();
  const pending = new Map(resources.map(([s, type, body]) => [s, { type, body }]));
  expect(pending.size).toBe(resources.length);
  const declare = (symbol: string): { type: string; names: string[] } => {
    const known = symbols.get(symbol);
    if (known) return known;
    const r = pending.get(symbol);
    const body = r?.body;
    if (body?.kind !== "object" || r === undefined) throw new Error(`unknown symbol ${symbol}`);
    const field = (k: string) => body.entries.find(([e]) => e === k)?.[1];
    const type = r.type.split("@")[0] as string;
    const name = evaluate(field("name") as Expr, new Set()) as string;
    const parent = field("parent");
    const names =
      parent?.kind === "ident" ? [...declare(parent.name).names, name] : name.split("/");
    const entry = { type, names };
    symbols.set(symbol, entry);
    return entry;
  };
  const evaluate = (e: Expr, used: Set<string>): Json => {
    switch (e.kind) {
      case "string":
        return e.parts.map((p) => (typeof p === "string" ? p : evaluate(p, used))).join("");
      case "number":
      case "bool":
        return e.value;
      case "object":
        return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v, used)]));
      case "array":
        return e.items.map((x) => evaluate(x, used));
      case "call": {
        const args = e.args.map((a) => evaluate(a, used) as string);
        if (e.name === "resourceId") return resourceId(args[0] as string, args.slice(1));
        if (e.name === "resourceGroup" && e.props.join(".") === "location") return LOCATION;
        throw new Error(`unexpected call ${e.name}`);
      }
      case "ident": {
        const param = params.get(e.name);
        if (param && e.props.length === 0) return evaluate(param, used);
        if (e.props.join(".") !== "id") throw new Error(`unexpected ${e.name}.${e.props}`);
        const target = declare(e.name);
        used.add(resourceId(target.type, target.names));
        return resourceId(target.type, target.names);
      }
    }
  };
  return resources.map(([symbol, type, body]) => {
    const { names } = declare(symbol);
    const used = new Set<string>();
    if (body.kind !== "object") throw new Error(`${symbol} is not an object`);
    const parent = body.entries.find(([k]) => k === "parent")?.[1];
    if (parent !== undefined) {
      if (parent.kind !== "ident" || parent.props.length > 0) throw new Error("parent: symbol");
      const p = declare(parent.name);
      used.add(resourceId(p.type, p.names));
    }
    const { name: _name, ...rest } = evaluate(
      { kind: "object", entries: body.entries.filter(([k]) => k !== "parent") },
      used,
    ) as Record<string, Json>;
    const [bare, apiVersion] = type.split("@");
    return {
      symbol,
      resource: { type: bare, apiVersion, name: names.join("/"), ...rest } as Json,
      needs: used,
      existing: existing.has(symbol),
    };
  });
}

/** The template's resources as deployed: expressions resolved, dependencies as ids. */
export function evaluateArm(text: string) {
  const template = JSON.parse(text) as { resources: Record<string, Json>[] };
  const expression = (s: string): Json => {
    // ARM's rule: `[...]` is an expression, `[[...]` a literal starting with `[`.
    if (!s.startsWith("[") || !s.endsWith("]")) return s;
    if (s.startsWith("[[")) return s.slice(1);
    if (s === "[parameters('location')]") return LOCATION;
    const m = /^\[resourceId\((.*)\)\]$/.exec(s);
    if (!m) throw new Error(`unexpected expression ${s}`);
    const args = [...(m[1] as string).matchAll(/'((?:[^']|'')*)'/g)].map((a) =>
      (a[1] as string).replace(/''/g, "'"),
    );
    return resourceId(args[0] as string, args.slice(1));
  };
  const resolve = (v: Json): Json =>
    typeof v === "string"
      ? expression(v)
      : Array.isArray(v)
        ? v.map(resolve)
        : v !== null && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]))
          : v;
  return template.resources.map(({ dependsOn, ...rest }) => ({
    resource: resolve(rest),
    needs: new Set(((dependsOn ?? []) as string[]).map((d) => expression(d) as string)),
  }));
}

/** Bicep and ARM deploy the same resources, and Bicep's references imply ARM's dependsOn. */
export function expectSameAsArm(topology: Topology, scope: ExportScope = "all"): void {
  // A resource that exists is Bicep's symbol for its children; ARM refers to it by id only.
  const bicep = readBicep(exportBicep(topology, scope)).filter((b) => !b.existing);
  const arm = evaluateArm(exportArm(topology, scope));
  expect(bicep.map((b) => b.resource)).toEqual(arm.map((a) => a.resource));
  bicep.forEach((b, i) => {
    for (const need of arm[i]?.needs ?? []) expect(b.needs).toContain(need);
  });
}
