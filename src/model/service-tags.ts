import { type Prefix, parsePrefix } from "../net/prefix.js";
import { type Diagnostic, error, type ValuePath } from "./diagnostic.js";

/** Tags whose addresses follow from the topology rather than from a file. */
export const BUILT_IN_TAGS = ["VirtualNetwork", "Internet", "AzureLoadBalancer"] as const;
export type BuiltInTag = (typeof BUILT_IN_TAGS)[number];

/** The spellings of the classic deployment model, which ARM rejects. */
const CLASSIC_SPELLINGS: ReadonlyMap<string, BuiltInTag> = new Map([
  ["VIRTUAL_NETWORK", "VirtualNetwork"],
  ["INTERNET", "Internet"],
  ["AZURE_LOADBALANCER", "AzureLoadBalancer"],
]);

export function classicTagReplacement(text: string): BuiltInTag | undefined {
  return CLASSIC_SPELLINGS.get(text);
}

export function isBuiltInTag(text: string): text is BuiltInTag {
  return (BUILT_IN_TAGS as readonly string[]).includes(text);
}

/** The address prefixes of the service tags named in a published service-tags file. */
export class ServiceTagCatalog {
  private constructor(private readonly tags: ReadonlyMap<string, readonly Prefix[]>) {}

  static readonly empty = new ServiceTagCatalog(new Map());

  static of(entries: Iterable<readonly [string, readonly Prefix[]]>): ServiceTagCatalog {
    return new ServiceTagCatalog(new Map(entries));
  }

  has(tag: string): boolean {
    return this.tags.has(tag);
  }

  prefixes(tag: string): readonly Prefix[] | undefined {
    return this.tags.get(tag);
  }

  names(): string[] {
    return [...this.tags.keys()];
  }
}

/**
 * Reads the JSON Azure publishes (`{"values":[{"name", "properties":{"addressPrefixes"}}]}`).
 * Paths in the diagnostics are within that document.
 */
export function parseServiceTagFile(document: unknown): {
  catalog: ServiceTagCatalog;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const entries: [string, Prefix[]][] = [];
  const values = isObject(document) ? document.values : undefined;
  if (!Array.isArray(values)) {
    diagnostics.push(
      error("InvalidServiceTagFile", 'a service-tags file is an object with a "values" array', []),
    );
    return { catalog: ServiceTagCatalog.empty, diagnostics };
  }
  values.forEach((value, i) => {
    const path: ValuePath = ["values", i];
    const name = isObject(value) ? value.name : undefined;
    const properties = isObject(value) ? value.properties : undefined;
    const list = isObject(properties) ? properties.addressPrefixes : undefined;
    if (typeof name !== "string" || name.length === 0) {
      diagnostics.push(
        error("InvalidServiceTagFile", "a service tag needs a name", [...path, "name"]),
      );
      return;
    }
    if (!Array.isArray(list)) {
      diagnostics.push(
        error(
          "InvalidServiceTagFile",
          `service tag ${name} has no properties.addressPrefixes array`,
          path,
        ),
      );
      return;
    }
    const prefixes: Prefix[] = [];
    list.forEach((text, j) => {
      const parsed = typeof text === "string" ? parsePrefix(text) : undefined;
      if (parsed?.ok) prefixes.push(parsed.prefix);
      else
        diagnostics.push(
          error(
            "InvalidServiceTagFile",
            `service tag ${name} has an invalid address prefix: ${JSON.stringify(text)}`,
            [...path, "properties", "addressPrefixes", j],
          ),
        );
    });
    entries.push([name, prefixes]);
  });
  return { catalog: ServiceTagCatalog.of(entries), diagnostics };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
