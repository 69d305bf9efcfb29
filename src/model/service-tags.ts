import { type Prefix, parsePrefix } from "../net/prefix.js";
import { PLATFORM_TAGS, publishedSpelling, publishedTag } from "./azure-service-tags.js";
import { type Diagnostic, error, type ValuePath } from "./diagnostic.js";
import { symbolicTagPrefixes } from "./symbolic-tags.js";

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

/**
 * The address prefixes of service tags: those of a published service-tags file,
 * exact; or, without one (`symbolic`), every tag Azure publishes as a symbolic set
 * of public addresses (symbolic-tags.ts).
 */
export class ServiceTagCatalog {
  private constructor(
    private readonly tags: ReadonlyMap<string, readonly Prefix[]>,
    /** Without a file: the tags are Azure's published names, their addresses symbolic. */
    readonly symbolic = false,
  ) {}

  static readonly empty = new ServiceTagCatalog(new Map());

  /** What a spec without a service-tags file knows: Azure's tags, by name. */
  static readonly symbolic = new ServiceTagCatalog(new Map(), true);

  static of(entries: Iterable<readonly [string, readonly Prefix[]]>): ServiceTagCatalog {
    return new ServiceTagCatalog(new Map(entries));
  }

  has(tag: string): boolean {
    return this.tags.has(tag) || (this.symbolic && publishedTag(tag) !== undefined);
  }

  prefixes(tag: string): readonly Prefix[] | undefined {
    const given = this.tags.get(tag);
    if (given || !this.symbolic) return given;
    const cached = this.cache.get(tag);
    if (cached) return cached;
    const published = publishedTag(tag);
    if (!published) return undefined;
    const prefixes = symbolicTagPrefixes(published);
    this.cache.set(tag, prefixes);
    return prefixes;
  }

  private readonly cache = new Map<string, readonly Prefix[]>();

  /** Whether the tag's addresses are symbolic (no file gives them). */
  isSymbolic(tag: string): boolean {
    return this.symbolic && !this.tags.has(tag) && publishedTag(tag) !== undefined;
  }

  names(): string[] {
    return [...this.tags.keys()];
  }

  /** As plain data, which a worker thread receives (structured clone keeps no classes). */
  portable(): PortableCatalog {
    return { symbolic: this.symbolic, tags: [...this.tags] };
  }

  static fromPortable(data: PortableCatalog): ServiceTagCatalog {
    return new ServiceTagCatalog(new Map(data.tags), data.symbolic);
  }
}

/** A catalog as plain data: its tags and their prefixes, and whether other published tags are known by name. */
export interface PortableCatalog {
  readonly symbolic: boolean;
  readonly tags: readonly (readonly [string, readonly Prefix[]])[];
}

/** What to say of a word a rule gives where an address or a tag belongs. */
export function unknownTagHint(text: string, catalog: ServiceTagCatalog): string {
  if (PLATFORM_TAGS.includes(text))
    return `${text} stands for the platform's own host addresses (168.63.129.16, 169.254.169.254), which NSG rules in tierwall do not model`;
  const spelling = publishedSpelling(text);
  if (spelling) return `did you mean ${spelling}? Tag names are written as Azure publishes them`;
  if (!catalog.symbolic)
    return "VirtualNetwork, Internet and AzureLoadBalancer are built in; other tags come from the service-tags file named by serviceTags in the spec";
  return "VirtualNetwork, Internet and AzureLoadBalancer are built in, and the tags Azure publishes (Sql, Storage, Storage.WestEurope...) are known by name; a tag Azure added since needs its service-tags file (serviceTags in the spec)";
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
