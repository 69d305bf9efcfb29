/**
 * A Terraform module read from its `.tf` files (and `.tfvars` values): the
 * variables, locals and resources, with references between them resolved
 * where they are plain. A reference to the `id` of a resource other
 * resources refer to is kept as a ResourceId (its type and name).
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import { armId } from "../../model/resource-id.js";
import { MAX_NESTING } from "../../specfile/parse.js";
import { reporting } from "../shared/left-out.js";
import { ARM_TYPES } from "./azurerm-schema.js";
import { evaluate, follow, noReferences, type Scope, type Step } from "./expressions.js";
import { HclBlock } from "./hcl-block.js";
import {
  isRaw,
  type ParsedFile,
  parseFile,
  type Raw,
  rawBlocks,
  readTfvars,
  type TerraformSource,
} from "./hcl-parse.js";
import type { SourceBlock } from "./hcl-source.js";
import {
  NotKnown,
  type Place,
  ReferencesTooDeep,
  ResourceId,
  type TfResource,
  type TfValue,
} from "./values.js";

interface Declared {
  readonly raw: Raw;
  readonly file: string;
  readonly source: SourceBlock | undefined;
}

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

  private add({ json, source }: ParsedFile, file: string): void {
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
      // What the module makes is not seen: it may hold Deny rules, NSGs or their associations.
      this.diagnostics.push(
        reporting(
          {
            severity: "info",
            code: "ModuleNotRead",
            message: `module "${name}"${from}: the resources of a module call are not read; import the module's own .tf files to include them`,
            path: ["module", name],
            ...(at ? { location: { file, ...at.position } } : {}),
          },
          { kind: "resources", what: `the resources of module "${name}"` },
        ),
      );
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
        skipped: { reason, place: block().where(attribute), severity, body: block() },
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
    if (this.resolving.size >= MAX_NESTING)
      throw new ReferencesTooDeep([...this.resolving][0] ?? key);
    this.resolving.add(key);
    try {
      return f();
    } finally {
      this.resolving.delete(key);
    }
  }

  /** The placeholders names were given, with why each value is not known (Scope.placeholders). */
  private readonly placeholders = new Map<string, string>();

  /** What a resource's body evaluates in; `naming`, for its names (placeholders for what is not known). */
  private scope(countIndex?: number, naming = false): Scope {
    return {
      variable: (name) => this.variable(name),
      local: (name) => this.local(name, naming),
      resource: (mode, type, name, steps) => this.reference(mode, type, name, steps, naming),
      ...(countIndex === undefined ? {} : { countIndex }),
      ...(naming ? { placeholders: this.placeholders } : {}),
      named: () => this.scope(countIndex, true),
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

  private local(name: string, naming = false): TfValue {
    const declared = this.locals.get(name);
    if (!declared) throw new NotKnown(`local.${name} is not declared in these files`);
    return this.guard(`local.${name}`, () => {
      try {
        return evaluate(declared.raw, this.scope(undefined, naming));
      } catch (e) {
        if (
          e instanceof NotKnown &&
          !(e instanceof ReferencesTooDeep) &&
          !e.message.startsWith(`local.${name}`)
        )
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
    naming = false,
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
    const attributeOf = (key: string, named = naming): TfValue =>
      this.guard(`${address}.${key}`, () => {
        const scope = this.scope(countIndex, named);
        const raw = Object.hasOwn(d.raw, key) ? d.raw[key] : undefined;
        if (raw === undefined)
          throw new NotKnown(
            `${address}.${key} is ${mode === "data" ? "read from Azure" : "set by Azure"} when Terraform runs`,
          );
        try {
          return evaluate(raw, scope);
        } catch (e) {
          // Say which reference led to the value that is not known.
          if (
            e instanceof NotKnown &&
            !(e instanceof ReferencesTooDeep) &&
            !e.message.startsWith(address)
          )
            throw new NotKnown(`${address}.${key} is not known: ${e.message}`);
          throw e;
        }
      });
    // The id of a resource others refer to stands for the resource, by its name.
    if (attribute === "id" && Object.hasOwn(ARM_TYPES, type)) {
      if (rest.length > 1) throw new NotKnown(`${address}.id is assigned by Azure`);
      // A resource is referred to by its name: what is not known in it is a placeholder.
      const named = (key: string): string => {
        const v = attributeOf(key, true);
        if (typeof v !== "string") throw new NotKnown(`${address}.${key} is not a string`);
        return v;
      };
      if (type === "azurerm_subnet")
        return new ResourceId(type, named("name"), named("virtual_network_name"), mode === "data");
      // A load balancer's pool, rule or probe: its parent is the load balancer loadbalancer_id names.
      if (type.startsWith("azurerm_lb_"))
        return new ResourceId(
          type,
          named("name"),
          loadBalancerName(attributeOf("loadbalancer_id", true), address),
          mode === "data",
        );
      return new ResourceId(type, named("name"), undefined, mode === "data");
    }
    if (attribute === "id")
      throw new NotKnown(`${address}.id is assigned by Azure when Terraform runs`);
    return follow(attributeOf(attribute), rest.slice(1), `${address}.${attribute}`);
  }
}

/** The name of the load balancer a `loadbalancer_id` gives: a reference to one, or its ARM id. */
function loadBalancerName(v: TfValue, address: string): string {
  if (v instanceof ResourceId) return v.name;
  if (typeof v === "string" && v.startsWith("/")) {
    const id = armId(v);
    if (id?.type === "loadbalancers") return id.name;
  }
  throw new NotKnown(`${address}.loadbalancer_id does not name a load balancer`);
}
