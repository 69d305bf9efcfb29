import { formatPrefix, parsePrefix } from "../net/prefix.js";
import { type Diagnostic, error, info, type ValuePath } from "./diagnostic.js";
import { UNKNOWN_PUBLIC_BLOCKS } from "./public-ips.js";
import type { ServiceTagCatalog } from "./service-tags.js";
import {
  collidingRegions,
  type NamedSymbolicTag,
  namedSymbolicTag,
  SYMBOLIC_TAG_AREAS,
} from "./symbolic-tags.js";
import type { Topology } from "./types.js";

/** Where the rules name a tag whose addresses are symbolic. */
interface Use {
  readonly name: string;
  readonly path: ValuePath;
}

function usesOf(topology: Topology, catalog: ServiceTagCatalog): Use[] {
  if (!catalog.symbolic) return [];
  const uses: Use[] = [];
  topology.networkSecurityGroups.forEach((nsg, i) => {
    nsg.securityRules.forEach((rule, j) => {
      for (const field of ["sourceAddressPrefix", "destinationAddressPrefix"] as const) {
        const value = rule[field];
        if (typeof value === "string" && catalog.isSymbolic(value))
          uses.push({ name: value, path: ["networkSecurityGroups", i, "securityRules", j, field] });
      }
    });
  });
  return uses;
}

/**
 * The symbolic tags the rules name (for showing addresses by name), and what to
 * say of them: one note, at the first, that answers are exact about the rules but
 * not about which real addresses a tag holds; an error if two regions named
 * would share their symbolic place.
 */
export function symbolicTagsOf(
  topology: Topology,
  catalog: ServiceTagCatalog,
): { tags: NamedSymbolicTag[]; diagnostics: Diagnostic[] } {
  const uses = usesOf(topology, catalog);
  const first = uses[0];
  if (!first) return { tags: [], diagnostics: [] };
  const names = [...new Set(uses.map((u) => u.name))].sort();
  const tags = names.flatMap((n) => namedSymbolicTag(n) ?? []);
  const diagnostics = [symbolicNote(names, first.path)];
  const clash = collidingRegions(names);
  if (clash)
    diagnostics.push(
      error(
        "SymbolicServiceTagsClash",
        `regions ${clash[0]} and ${clash[1]} would stand on the same symbolic addresses, so their tags would seem to share addresses`,
        first.path,
        "name Azure's service-tags file in serviceTags, which gives each tag its real addresses",
      ),
    );
  diagnostics.push(...namedInArea(topology));
  return { tags, diagnostics };
}

/**
 * Prefixes rules name in the symbolic tags' area (class E, 248.0.0.0/5, or
 * 100::8000:0:0:0/65) would match part of a tag there: refused, unless they
 * cover the whole reserved block as `*` does.
 */
function namedInArea(topology: Topology): Diagnostic[] {
  const out: Diagnostic[] = [];
  topology.networkSecurityGroups.forEach((nsg, i) => {
    nsg.securityRules.forEach((rule, j) => {
      const fields = [
        "sourceAddressPrefix",
        "destinationAddressPrefix",
        "sourceAddressPrefixes",
        "destinationAddressPrefixes",
      ] as const;
      for (const field of fields) {
        const value = rule[field];
        const texts = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
        texts.forEach((text, k) => {
          const parsed = typeof text === "string" ? parsePrefix(text) : undefined;
          if (!parsed?.ok) return;
          const p = parsed.prefix;
          const area = SYMBOLIC_TAG_AREAS[p.family];
          const reserved = UNKNOWN_PUBLIC_BLOCKS[p.family];
          if (p.last < area.first || area.last < p.first || p.length <= reserved.length) return;
          const path = ["networkSecurityGroups", i, "securityRules", j, field];
          out.push(
            error(
              "SymbolicServiceTagsOverlap",
              `security rule ${rule.name}: ${text} names addresses of ${formatPrefix(area)}, where service tags without Azure's file stand, so it would seem to match part of them`,
              typeof value === "string" ? path : [...path, k],
              "name Azure's service-tags file in serviceTags, or leave out addresses that are reserved for future use",
            ),
          );
        });
      }
    });
  });
  return out;
}

/** The note a spec or an import gets when its rules name tags without Azure's file. */
export function symbolicNote(names: readonly string[], path: ValuePath): Diagnostic {
  return info(
    "ServiceTagsSymbolic",
    `the rules name service tags without Azure's service-tags file: ${names.join(", ")}; each is a symbolic set of public addresses (shown as <${names[0]}>), so answers are exact about the rules but not about which real addresses are in a tag`,
    path,
    "name the file Azure publishes weekly in the spec (serviceTags: ServiceTags_Public_YYYYMMDD.json, or the output of az network list-service-tags) for the tags' real addresses",
  );
}
