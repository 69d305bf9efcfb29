import { type Diagnostic, error } from "./diagnostic.js";

/** Azure resource names compare case-insensitively: this finds the declared spelling of a name. */
export class NameIndex {
  private readonly byLower = new Map<string, string>();

  constructor(names: Iterable<string>) {
    for (const name of names)
      if (!this.byLower.has(name.toLowerCase())) this.byLower.set(name.toLowerCase(), name);
  }

  /** The declared spelling, or undefined when no resource has that name. */
  resolve(name: string): string | undefined {
    return this.byLower.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.byLower.has(name.toLowerCase());
  }
}

/**
 * A DuplicateResourceName error for each item named like one before it, by the
 * item's index. Names compare case-insensitively, as Azure's do.
 */
export function duplicateNames(
  collection: string,
  kind: string,
  items: readonly { name: string }[],
): Map<number, Diagnostic> {
  const first = new Map<string, number>();
  const found = new Map<number, Diagnostic>();
  items.forEach((item, i) => {
    const key = item.name.toLowerCase();
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, i);
    else
      found.set(
        i,
        error(
          "DuplicateResourceName",
          `${kind} ${item.name} is defined twice (also at ${collection}[${earlier}])`,
          [collection, i, "name"],
        ),
      );
  });
  return found;
}
