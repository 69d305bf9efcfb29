/**
 * The bodies of a module's resources as the azurerm readers read them
 * (TfBlock): nested blocks and `dynamic` blocks with their positions from the
 * scan of the text, and nested blocks given as a list attribute.
 */
import type { SourceLocation } from "../../model/diagnostic.js";
import { evaluate, type Scope } from "./expressions.js";
import { isRaw, type Raw, rawBlocks } from "./hcl-parse.js";
import type { SourceBlock } from "./hcl-source.js";
import {
  isObject,
  NotKnown,
  type Place,
  type TfBlock,
  type TfValue,
  ValueBlock,
} from "./values.js";

/** A body of the configuration: attributes evaluate when asked, in the resource's scope. */
export class HclBlock implements TfBlock {
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

  get placeholders(): ReadonlyMap<string, string> {
    return this.scope.named?.().placeholders ?? new Map();
  }

  name(attribute: string): TfValue | undefined {
    const raw = this.raw[attribute];
    if (raw === undefined) return undefined;
    const v = evaluate(raw, this.scope.named?.() ?? this.scope);
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
          this.nestedPlace(`${this.place.text}.${name}[${i}]`, path, source),
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
      this.nestedPlace(
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

  private nestedPlace(
    text: string,
    path: (string | number)[],
    source: SourceBlock | undefined,
  ): Place {
    const location = source ? { file: this.file, ...source.position } : this.place.location;
    return { text, path, ...(location ? { location } : {}) };
  }
}
