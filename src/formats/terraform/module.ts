/**
 * A Terraform module read from its `.tf` files (and `.tfvars` values): the
 * variables, locals and resources, with references between them resolved
 * where they are plain. Parsing is `@cdktf/hcl2json`'s; positions come from
 * a scan of the text, which the parser does not give.
 */
import { parse } from "@cdktf/hcl2json";
import type { Diagnostic, SourceLocation } from "../../model/diagnostic.js";
import { evaluate, follow, type Scope, type Step } from "./expressions.js";
import { type SourceBlock, scanHcl } from "./hcl-source.js";
import {
  isObject,
  NotKnown,
  type Place,
  ResourceId,
  type TfBlock,
  type TfResource,
  type TfValue,
  ValueBlock,
} from "./values.js";

export interface TerraformSource {
  readonly file: string;
  readonly text: string;
}

type Raw = Record<string, unknown>;
const isRaw = (v: unknown): v is Raw => v !== null && typeof v === "object" && !Array.isArray(v);
const rawBlocks = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter(isRaw) : []);

/** The parser's errors ("file:line,col-...: summary; detail"), each at its position. */
export function syntaxErrors(message: string, file: string): Diagnostic[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const head = new RegExp(`${escaped}:(\\d+),(\\d+)-(?:\\d+,)?\\d+: `, "g");
  const starts = [...message.matchAll(head)];
  const found = starts.map((m, k) => {
    const end = k + 1 < starts.length ? (starts[k + 1]?.index as number) : message.length;
    const text = message
      .slice((m.index as number) + m[0].length, end)
      .replace(/\]\s*$/, "")
      .trim();
    const [summary, ...detail] = text.split("; ");
    return {
      line: Number(m[1]),
      column: Number(m[2]),
      text: detail.length > 0 ? `${summary}: ${detail.join("; ")}` : (summary ?? text),
    };
  });
  if (found.length === 0)
    found.push({ line: 1, column: 1, text: message.replace(/^parse config: /, "") });
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((f) => {
      const key = `${f.line}:${f.column}:${f.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((f) => ({
      severity: "error",
      code: "InvalidSyntax",
      message: `not valid HCL: ${f.text}`,
      path: [],
      location: { file, line: f.line, column: f.column },
    }));
}

interface Declared {
  readonly raw: Raw;
  readonly file: string;
  readonly source: SourceBlock | undefined;
}

interface Parsed {
  readonly json: Raw;
  readonly source: SourceBlock;
}

/** Parses one HCL file; syntax errors go to `diagnostics`. */
async function parseFile(
  src: TerraformSource,
  diagnostics: Diagnostic[],
): Promise<Parsed | undefined> {
  try {
    const json = (await parse(src.file, src.text)) as Raw;
    return { json, source: scanHcl(src.text) };
  } catch (e) {
    diagnostics.push(...syntaxErrors((e as Error).message, src.file));
    return undefined;
  }
}

const noReferences: Scope = {
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

/** Values of a `.tfvars` file (HCL) or `.tfvars.json` file. */
async function readTfvars(
  src: TerraformSource,
  diagnostics: Diagnostic[],
): Promise<Map<string, TfValue>> {
  const values = new Map<string, TfValue>();
  let raw: Raw;
  let source: SourceBlock | undefined;
  if (src.file.endsWith(".json")) {
    try {
      const parsed: unknown = JSON.parse(src.text.replace(/^\uFEFF/, ""));
      if (!isRaw(parsed)) throw new Error("a .tfvars.json file holds one object");
      // JSON variable values are literal: no templates to evaluate.
      for (const [k, v] of Object.entries(parsed)) values.set(k, v as TfValue);
    } catch (e) {
      diagnostics.push({
        severity: "error",
        code: "InvalidSyntax",
        message: `not valid JSON: ${(e as Error).message}`,
        path: [],
        location: { file: src.file, line: 1, column: 1 },
      });
    }
    return values;
  }
  const parsed = await parseFile(src, diagnostics);
  if (!parsed) return values;
  raw = parsed.json;
  source = parsed.source;
  for (const [name, value] of Object.entries(raw)) {
    try {
      values.set(name, evaluate(value, noReferences));
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      const at = source.attributes.get(name);
      diagnostics.push({
        severity: "warning",
        code: "ExpressionNotStaticallyKnown",
        message: `${name}: ${e.message}; the value is left out`,
        path: [name],
        ...(at ? { location: { file: src.file, ...at } } : {}),
      });
    }
  }
  return values;
}

/** The `id` of the resource types tierwall reads, as references by name. */
const ID_TYPES = new Set([
  "azurerm_network_security_group",
  "azurerm_application_security_group",
  "azurerm_virtual_network",
  "azurerm_subnet",
  "azurerm_network_interface",
]);

/** A module: its declarations from every file, and how references among them resolve. */
export class TerraformModule {
  readonly diagnostics: Diagnostic[] = [];
  private readonly variables = new Map<string, Declared>();
  private readonly locals = new Map<string, { raw: unknown; file: string }>();
  private readonly declared = new Map<
    string,
    Declared & { mode: "managed" | "data"; type: string; name: string }
  >();
  private readonly values = new Map<string, TfValue>();
  private readonly resolving = new Set<string>();
  private readonly repeated = new Map<string, number | undefined>();
  private readonly files: string[] = [];

  private constructor() {}

  static async read(
    configs: readonly TerraformSource[],
    tfvars: readonly TerraformSource[],
  ): Promise<TerraformModule> {
    const module = new TerraformModule();
    for (const src of configs) {
      const parsed = await parseFile(src, module.diagnostics);
      module.files.push(src.file);
      if (parsed) module.add(parsed, src.file);
    }
    for (const src of tfvars)
      for (const [k, v] of await readTfvars(src, module.diagnostics)) module.values.set(k, v);
    return module;
  }

  private add({ json, source }: Parsed, file: string): void {
    const sourceBlocks = (type: string, ...labels: string[]) =>
      source.blocks.filter((b) => b.type === type && labels.every((l, i) => b.labels[i] === l));
    for (const [name, blocks] of Object.entries(isRaw(json.variable) ? json.variable : {}))
      for (const raw of rawBlocks(blocks))
        this.variables.set(name, { raw, file, source: sourceBlocks("variable", name)[0] });
    for (const block of rawBlocks(json.locals))
      for (const [name, raw] of Object.entries(block)) this.locals.set(name, { raw, file });
    for (const mode of ["resource", "data"] as const) {
      const byType = json[mode];
      if (!isRaw(byType)) continue;
      for (const [type, byName] of Object.entries(byType)) {
        if (!isRaw(byName)) continue;
        for (const [name, blocks] of Object.entries(byName)) {
          const address = mode === "data" ? `data.${type}.${name}` : `${type}.${name}`;
          const all = rawBlocks(blocks);
          const at = sourceBlocks(mode, type, name);
          if (this.declared.has(address) || all.length > 1)
            this.diagnostics.push({
              severity: "error",
              code: "DuplicateResource",
              message: `${address} is declared more than once in the module`,
              path: [mode, type, name],
              ...(at[1] || at[0]
                ? { location: { file, ...((at[1] ?? at[0]) as SourceBlock).position } }
                : {}),
            });
          const raw = all[0];
          if (raw && !this.declared.has(address))
            this.declared.set(address, {
              raw,
              file,
              source: at[0],
              mode: mode === "data" ? "data" : "managed",
              type,
              name,
            });
        }
      }
    }
    for (const [name, blocks] of Object.entries(isRaw(json.module) ? json.module : {})) {
      const raw = rawBlocks(blocks)[0];
      const at = sourceBlocks("module", name)[0];
      const from = typeof raw?.source === "string" ? ` (source ${JSON.stringify(raw.source)})` : "";
      this.diagnostics.push({
        severity: "info",
        code: "ModuleNotRead",
        message: `module "${name}"${from}: the resources of a module call are not read; import the module's own .tf files to include them`,
        path: ["module", name],
        ...(at ? { location: { file, ...at.position } } : {}),
      });
    }
  }

  /** Every resource and data source, with bodies that evaluate in the module. */
  resources(): TfResource[] {
    // The parser orders names alphabetically; the model keeps the order of the files.
    const order = (d: Declared) =>
      [this.files.indexOf(d.file), d.source?.position.line ?? 0] as const;
    const sorted = [...this.declared.entries()].sort(([, a], [, b]) => {
      const [fa, la] = order(a);
      const [fb, lb] = order(b);
      return fa - fb || la - lb;
    });
    return sorted.map(([address, d]) => {
      const place = this.place(address, ["resource", d.type, d.name], d.file, d.source);
      const block = (countIndex?: number) =>
        new HclBlock(d.raw, place, d.source, d.file, this.scope(countIndex));
      const forEach = d.raw.for_each;
      const skip = (
        reason: string,
        attribute: string,
        severity: "info" | "warning" = "warning",
      ): TfResource => ({
        mode: d.mode,
        type: d.type,
        address,
        body: undefined,
        skipped: { reason, place: block().where(attribute), severity },
      });
      if (forEach !== undefined)
        return skip(
          "for_each makes one copy per element when Terraform runs; the resource is left out",
          "for_each",
        );
      if (d.raw.count !== undefined) {
        const count = this.count(address, d);
        if (typeof count === "string") return skip(`${count}; the resource is left out`, "count");
        if (count === 0) return skip("count = 0: the resource is not created", "count", "info");
        if (count !== 1)
          return skip(
            `count = ${count} makes ${count} copies, which are not read; the resource is left out`,
            "count",
          );
        return { mode: d.mode, type: d.type, address, body: block(0) };
      }
      return { mode: d.mode, type: d.type, address, body: block() };
    });
  }

  /** A resource's count as a number, or why it is not known. */
  private count(address: string, d: Declared): number | string {
    if (this.repeated.has(address)) {
      const n = this.repeated.get(address);
      return n === undefined ? "count is not known" : n;
    }
    try {
      const v = evaluate(d.raw.count, this.scope());
      const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== "number") throw new NotKnown(`count is ${JSON.stringify(v)}, not a number`);
      this.repeated.set(address, n);
      return n;
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.repeated.set(address, undefined);
      return e.message;
    }
  }

  private place(
    text: string,
    path: (string | number)[],
    file: string,
    source: SourceBlock | undefined,
  ): Place {
    return { text, path, ...(source ? { location: { file, ...source.position } } : {}) };
  }

  private guard<T>(key: string, f: () => T): T {
    if (this.resolving.has(key)) throw new NotKnown(`${key} refers to itself`);
    this.resolving.add(key);
    try {
      return f();
    } finally {
      this.resolving.delete(key);
    }
  }

  private scope(countIndex?: number): Scope {
    return {
      variable: (name) => this.variable(name),
      local: (name) => this.local(name),
      resource: (mode, type, name, steps) => this.reference(mode, type, name, steps),
      ...(countIndex === undefined ? {} : { countIndex }),
    };
  }

  private variable(name: string): TfValue {
    const given = this.values.get(name);
    const declared = this.variables.get(name);
    if (!declared) throw new NotKnown(`var.${name} is not declared in these files`);
    if (given !== undefined) return given;
    if (declared.raw.default === undefined)
      throw new NotKnown(`var.${name} has no default and no value in a .tfvars file`);
    return evaluate(declared.raw.default, noReferences);
  }

  private local(name: string): TfValue {
    const declared = this.locals.get(name);
    if (!declared) throw new NotKnown(`local.${name} is not declared in these files`);
    return this.guard(`local.${name}`, () => {
      try {
        return evaluate(declared.raw, this.scope());
      } catch (e) {
        if (e instanceof NotKnown && !e.message.startsWith(`local.${name}`))
          throw new NotKnown(`local.${name} is not known: ${e.message}`);
        throw e;
      }
    });
  }

  private reference(
    mode: "managed" | "data",
    type: string,
    name: string,
    steps: readonly Step[],
  ): TfValue {
    const address = mode === "data" ? `data.${type}.${name}` : `${type}.${name}`;
    const d = this.declared.get(address);
    if (!d) throw new NotKnown(`${address} is not declared in these files`);
    let rest = steps;
    let countIndex: number | undefined;
    if (d.raw.for_each !== undefined) throw new NotKnown(`${address} is repeated by for_each`);
    if (d.raw.count !== undefined) {
      const count = this.count(address, d);
      const first = rest[0];
      if (count !== 1 || first === undefined || !("index" in first) || first.index !== 0)
        throw new NotKnown(`${address} is repeated by count`);
      countIndex = 0;
      rest = rest.slice(1);
    }
    const first = rest[0];
    if (first === undefined || !("attribute" in first))
      throw new NotKnown(`${address} is a whole resource`);
    const attribute = first.attribute;
    const scope = this.scope(countIndex);
    const attributeOf = (key: string): TfValue =>
      this.guard(`${address}.${key}`, () => {
        const raw = d.raw[key];
        if (raw === undefined)
          throw new NotKnown(
            `${address}.${key} is ${mode === "data" ? "read from Azure" : "set by Azure"} when Terraform runs`,
          );
        try {
          return evaluate(raw, scope);
        } catch (e) {
          // Say which reference led to the value that is not known.
          if (e instanceof NotKnown && !e.message.startsWith(address))
            throw new NotKnown(`${address}.${key} is not known: ${e.message}`);
          throw e;
        }
      });
    if (attribute === "id" && ID_TYPES.has(type)) {
      if (rest.length > 1) throw new NotKnown(`${address}.id is assigned by Azure`);
      const named = (key: string): string => {
        const v = attributeOf(key);
        if (typeof v !== "string") throw new NotKnown(`${address}.${key} is not a string`);
        return v;
      };
      return type === "azurerm_subnet"
        ? new ResourceId(type, named("name"), named("virtual_network_name"))
        : new ResourceId(type, named("name"));
    }
    if (attribute === "id")
      throw new NotKnown(`${address}.id is assigned by Azure when Terraform runs`);
    return follow(attributeOf(attribute), rest.slice(1), `${address}.${attribute}`);
  }
}

/** A body of the configuration: attributes evaluate when asked, in the resource's scope. */
class HclBlock implements TfBlock {
  constructor(
    private readonly raw: Raw,
    private readonly place: Place,
    private readonly source: SourceBlock | undefined,
    private readonly file: string,
    private readonly scope: Scope,
  ) {}

  get(attribute: string): TfValue | undefined {
    const raw = this.raw[attribute];
    if (raw === undefined) return undefined;
    const v = evaluate(raw, this.scope);
    return v === null ? undefined : v;
  }

  blocks(name: string): TfBlock[] {
    const raw = this.raw[name];
    if (raw === undefined) return [];
    const sources = this.source?.blocks.filter((b) => b.type === name) ?? [];
    if (Array.isArray(raw) && raw.every(isRaw) && sources.length === raw.length)
      return raw.map((item, i) => {
        const source = sources[i];
        const path = [...this.place.path, name, i];
        return new HclBlock(
          item,
          this.place0(`${this.place.text}.${name}[${i}]`, path, source),
          source,
          this.file,
          this.scope,
        );
      });
    // Given as an attribute (`name = [{...}]`, or a reference to such a list).
    const value = evaluate(raw, this.scope);
    if (value === null) return [];
    if (!Array.isArray(value)) throw new NotKnown(`${name} is not a list of objects`);
    const at = this.where(name);
    return value.flatMap((item: TfValue, i: number) =>
      isObject(item)
        ? [
            new ValueBlock(
              item,
              { ...at, text: `${at.text}[${i}]`, path: [...at.path, i] },
              () => at.location,
            ),
          ]
        : [],
    );
  }

  dynamicBlocks(name: string): Place[] {
    const dynamic = isRaw(this.raw.dynamic) ? rawBlocks(this.raw.dynamic[name]) : [];
    const sources =
      this.source?.blocks.filter((b) => b.type === "dynamic" && b.labels[0] === name) ?? [];
    return dynamic.map((_, i) =>
      this.place0(
        `${this.place.text}.dynamic.${name}`,
        [...this.place.path, "dynamic", name, i],
        sources[i],
      ),
    );
  }

  where(attribute?: string): Place {
    if (attribute === undefined) return this.place;
    const at = this.source?.attributes.get(attribute);
    const location: SourceLocation | undefined = at
      ? { file: this.file, ...at }
      : this.place.location;
    return {
      text: `${this.place.text}.${attribute}`,
      path: [...this.place.path, attribute],
      ...(location ? { location } : {}),
    };
  }

  private place0(text: string, path: (string | number)[], source: SourceBlock | undefined): Place {
    const location = source ? { file: this.file, ...source.position } : this.place.location;
    return { text, path, ...(location ? { location } : {}) };
  }
}
