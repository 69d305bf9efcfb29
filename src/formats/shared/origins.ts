/**
 * Where the values an import writes came from in its sources, so that the
 * validation of the imported topology is reported at the source's lines, not
 * the spec's. Importers record origins on the objects they put into the
 * topology (a rule, an NSG, a list of prefixes) and, for each, on its fields;
 * a model path is placed at the origin of its value, or of the nearest
 * recorded ancestor. Recording by object rather than by path lets drafts be
 * merged and reordered freely: what moves keeps its origin.
 *
 * Importers also mark what they write knowingly incomplete: a placeholder (a
 * resource a script only names, such as a virtual network it attaches an NSG
 * to) and its stubs (the required values it leaves for the user, such as that
 * network's address space). A placeholder merges into a declaration of the
 * same name from another file; a stub's missing value is the importer's note
 * to the user, not a validation error of the import.
 */
import type { SourceLocation, ValuePath } from "../../model/diagnostic.js";

/** A source location, or a way to find it when it is needed (placing JSON paths parses the file). */
export type Origin = SourceLocation | (() => SourceLocation | undefined);

export class Origins {
  private readonly objects = new WeakMap<object, Origin>();
  private readonly fields = new WeakMap<object, Map<string | number, Origin>>();
  private readonly placeholders = new WeakSet<object>();
  private readonly stubs = new WeakMap<object, Set<string | number | undefined>>();

  /** Where `object` came from, and where those of its `fields` given came from. */
  record(
    object: object,
    origin: Origin | undefined,
    fields: Readonly<Record<string, Origin | undefined>> = {},
  ): void {
    if (origin !== undefined) this.objects.set(object, origin);
    for (const [key, at] of Object.entries(fields)) this.field(object, key, at);
  }

  /** Where the value at `key` of `object` (a field, or an item of a list) came from. */
  field(object: object, key: string | number, origin: Origin | undefined): void {
    if (origin === undefined) return;
    let map = this.fields.get(object);
    if (!map) {
      map = new Map();
      this.fields.set(object, map);
    }
    map.set(key, origin);
  }

  /** `to` (the model's object made from the draft `from`) has the origins `from` has. */
  carry(from: object, to: object): void {
    if (from === to) return;
    const origin = this.objects.get(from);
    if (origin !== undefined) this.objects.set(to, origin);
    const fields = this.fields.get(from);
    if (fields) this.fields.set(to, new Map([...(this.fields.get(to) ?? []), ...fields]));
    if (this.placeholders.has(from)) this.placeholders.add(to);
    const stubs = this.stubs.get(from);
    if (stubs) this.stubs.set(to, new Set([...(this.stubs.get(to) ?? []), ...stubs]));
  }

  /** `to` has the origin of `from`'s field `key`. */
  copyField(from: object, key: string | number, to: object): void {
    this.field(to, key, this.fields.get(from)?.get(key));
  }

  /** The location of the value at `path` under `root`, or of its nearest recorded ancestor. */
  locate(root: unknown, path: ValuePath): SourceLocation | undefined {
    let found = this.objects.get(root as object);
    let node: unknown = root;
    for (const segment of path) {
      if (node === null || typeof node !== "object") break;
      const field = this.fields.get(node)?.get(segment);
      if (field !== undefined) found = field;
      node = (node as Record<string | number, unknown>)[segment];
      const own = node !== null && typeof node === "object" ? this.objects.get(node) : undefined;
      if (own !== undefined) found = own;
    }
    return typeof found === "function" ? found() : found;
  }

  /** Marks (or, with `is` false, unmarks) a resource the source only names: it merges into a declaration of the same name. */
  placeholder(object: object, is = true): void {
    if (is) this.placeholders.add(object);
    else this.placeholders.delete(object);
  }

  isPlaceholder(object: object): boolean {
    return this.placeholders.has(object);
  }

  /**
   * Marks a required value the importer leaves for the user: the field `key`
   * of `object`, or the object itself (its required fields) when `key` is
   * left out.
   */
  stub(object: object, key?: string | number): void {
    let keys = this.stubs.get(object);
    if (!keys) {
      keys = new Set();
      this.stubs.set(object, keys);
    }
    keys.add(key);
  }

  /** `object` is no stub any more: its values are given. */
  unstub(object: object): void {
    this.stubs.delete(object);
  }

  /** Whether the value at `path` under `root` is a stub: a problem there is the importer's note. */
  isStub(root: unknown, path: ValuePath): boolean {
    let parent: unknown;
    let node: unknown = root;
    for (const segment of path) {
      if (node === null || typeof node !== "object") return false;
      parent = node;
      node = (node as Record<string | number, unknown>)[segment];
    }
    const last = path[path.length - 1];
    const onParent = parent !== null && typeof parent === "object" && last !== undefined;
    return (
      (onParent && this.stubs.get(parent as object)?.has(last) === true) ||
      (node !== null && typeof node === "object" && this.stubs.get(node)?.has(undefined) === true)
    );
  }
}
