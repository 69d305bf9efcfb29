/**
 * The values a Terraform configuration or state holds, as the azurerm reader
 * sees them, whichever source they came from.
 */
import type { SourceLocation, ValuePath } from "../../model/diagnostic.js";
import { MAX_NESTING } from "../../specfile/parse.js";

export type TfValue = string | number | boolean | null | readonly TfValue[] | TfObject | ResourceId;
export interface TfObject {
  readonly [key: string]: TfValue;
}

/** The `id` of a resource declared in the configuration: known by its type and name, not its ARM id. */
export class ResourceId {
  constructor(
    readonly type: string,
    readonly name: string,
    /** A subnet's virtual network. */
    readonly parent?: string,
    /** Whether a data source gives it: it exists already. */
    readonly data = false,
  ) {}
}

/** A value that only Terraform (or Azure) knows when it runs; the message says why. */
export class NotKnown extends Error {}

/**
 * A value reached through references nested deeper than MAX_NESTING (a local
 * naming a local naming a local...): following them recurses, and thousands
 * would exhaust the stack. Not followed, like any value tierwall cannot know.
 */
export class ReferencesTooDeep extends NotKnown {
  constructor(readonly start: string) {
    super(
      `${start} is reached through references nested deeper than ${MAX_NESTING} levels, the limit`,
    );
  }
}

export const isObject = (v: unknown): v is TfObject =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof ResourceId);

/** Where a value is, for diagnostics: a readable path, the value path, and the position when known. */
export interface Place {
  readonly text: string;
  readonly path: ValuePath;
  readonly location?: SourceLocation;
}

/** A resource body or a nested block, whose attributes are read one at a time. */
export interface TfBlock {
  /** The attribute's value, undefined when it is not set; throws NotKnown. */
  get(attribute: string): TfValue | undefined;
  /**
   * A name's value: a part not known is a placeholder (`<var.prefix>`), the
   * same wherever the same value is used; `placeholders` says why each is.
   */
  name(attribute: string): TfValue | undefined;
  readonly placeholders: ReadonlyMap<string, string>;
  /** The nested blocks of that name (or the objects of an attribute of that name); throws NotKnown. */
  blocks(name: string): TfBlock[];
  /** Where the `dynamic "name"` blocks are: they make blocks known only when Terraform runs. */
  dynamicBlocks(name: string): Place[];
  where(attribute?: string): Place;
}

export interface TfResource {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly address: string;
  /** Undefined when the resource is repeated (count, for_each) and so not read; `skipped` says why. */
  readonly body: TfBlock | undefined;
  /**
   * Read from `terraform show -json` (state or plan), where an NSG's
   * `security_rule` also lists the rules of its rule resources.
   */
  readonly shown?: boolean;
  readonly skipped?: {
    readonly reason: string;
    readonly place: Place;
    readonly severity: "info" | "warning";
    /**
     * The body, for what is the same in every copy (a rule's literal access):
     * what leaving the copies out costs. Reading it throws NotKnown as `get` does.
     */
    readonly body?: TfBlock;
  };
}

/**
 * A block over values already known: state JSON, a plan's planned values (with
 * `unknown`, the plan's `after_unknown` for this block), or objects given as an attribute.
 */
export class ValueBlock implements TfBlock {
  constructor(
    private readonly value: TfObject,
    private readonly place: Place,
    private readonly placeOf: (path: ValuePath) => Place["location"],
    private readonly unknown: unknown = undefined,
  ) {}

  readonly placeholders: ReadonlyMap<string, string> = new Map();

  /** Values in a state or plan are known: a name is its value. */
  name(attribute: string): TfValue | undefined {
    return this.get(attribute);
  }

  get(attribute: string): TfValue | undefined {
    const v = this.value[attribute];
    if (v === undefined && isObject(this.unknown) && this.unknown[attribute] !== undefined) {
      const u = this.unknown[attribute];
      if (u === true || (Array.isArray(u) && u.includes(true)))
        throw new NotKnown(`${attribute} is known only after apply`);
    }
    return v === null ? undefined : v;
  }

  blocks(name: string): TfBlock[] {
    const v = this.get(name);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw new NotKnown(`${name} is not a list of objects`);
    const unknowns = isObject(this.unknown) ? this.unknown[name] : undefined;
    return v.flatMap((item: TfValue, i: number) => {
      if (!isObject(item)) return [];
      const path = [...this.place.path, name, i];
      const location = this.placeOf(path) ?? this.place.location;
      return [
        new ValueBlock(
          item,
          { text: `${this.place.text}.${name}[${i}]`, path, ...(location ? { location } : {}) },
          this.placeOf,
          Array.isArray(unknowns) ? unknowns[i] : undefined,
        ),
      ];
    });
  }

  dynamicBlocks(): Place[] {
    return [];
  }

  where(attribute?: string): Place {
    if (attribute === undefined) return this.place;
    const path = [...this.place.path, attribute];
    const location = this.placeOf(path) ?? this.place.location;
    return { text: `${this.place.text}.${attribute}`, path, ...(location ? { location } : {}) };
  }
}
