/**
 * Service tags as Azure publishes them (the weekly `ServiceTags_Public_*.json`
 * download, or `az network list-service-tags`): checked, and reduced to what
 * the spec's `serviceTags` holds, a name and address prefixes per tag.
 */
import { stringify } from "yaml";
import { type Diagnostic, error } from "../../model/diagnostic.js";
import { parseServiceTagFile } from "../../model/service-tags.js";
import type { Topology } from "../../model/types.js";
import { placed, syntaxError } from "../shared/json-positions.js";

export interface ServiceTag {
  readonly name: string;
  readonly properties: { readonly addressPrefixes: readonly string[] };
}
export interface ServiceTagDocument {
  readonly values: readonly ServiceTag[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A document shaped like Azure's service-tags file: `values` of tags with address prefixes. */
export function looksLikeServiceTags(document: unknown): boolean {
  if (!isObject(document) || !Array.isArray(document.values) || "resources" in document)
    return false;
  const first: unknown = document.values[0];
  return isObject(first) && isObject(first.properties) && "addressPrefixes" in first.properties;
}

/** Whether a text is JSON shaped like a service-tags file. */
export function isServiceTagsText(text: string): boolean {
  try {
    return looksLikeServiceTags(JSON.parse(text.replace(/^\uFEFF/, "")));
  } catch {
    return false;
  }
}

/** Reads a service-tags file; every problem is placed at its line and column. */
export function importServiceTags(
  text: string,
  file: string,
): { tags?: ServiceTagDocument; diagnostics: Diagnostic[] } {
  const clean = text.replace(/^\uFEFF/, "");
  let document: unknown;
  try {
    document = JSON.parse(clean);
  } catch (e) {
    return { diagnostics: [syntaxError(e as Error, file, clean)] };
  }
  const { diagnostics } = parseServiceTagFile(document);
  const values = isObject(document) && Array.isArray(document.values) ? document.values : [];
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const name = isObject(value) && typeof value.name === "string" ? value.name : undefined;
    if (name === undefined) return;
    const first = seen.get(name);
    if (first === undefined) seen.set(name, i);
    else
      diagnostics.push(
        error(
          "InvalidServiceTagFile",
          `service tag ${name} is listed twice (also at values[${first}])`,
          ["values", i, "name"],
        ),
      );
  });
  const problems = placed(diagnostics, clean, file);
  if (problems.some((d) => d.severity === "error")) return { diagnostics: problems };
  // Valid now: each tag as written, without the fields tierwall does not use.
  const tags = values.map(
    (value): ServiceTag => ({
      name: String((value as { name: string }).name),
      properties: {
        addressPrefixes: (value as { properties: { addressPrefixes: string[] } }).properties
          .addressPrefixes,
      },
    }),
  );
  return { tags: { values: tags }, diagnostics: problems };
}

/** The tags the topology's rules name, from several files (the first file naming a tag wins). */
export function tagsUsedBy(
  topology: Topology,
  files: readonly ServiceTagDocument[],
): ServiceTagDocument {
  const used = new Set<string>();
  for (const nsg of topology.networkSecurityGroups)
    for (const rule of nsg.securityRules)
      for (const value of [
        rule.sourceAddressPrefix,
        rule.destinationAddressPrefix,
        ...(rule.sourceAddressPrefixes ?? []),
        ...(rule.destinationAddressPrefixes ?? []),
      ])
        if (value !== undefined) used.add(value);
  return { values: allTags(files).filter((t) => used.has(t.name)) };
}

/** Every tag of the files, each name once. */
export function allTags(files: readonly ServiceTagDocument[]): ServiceTag[] {
  const byName = new Map<string, ServiceTag>();
  for (const file of files)
    for (const tag of file.values) if (!byName.has(tag.name)) byName.set(tag.name, tag);
  return [...byName.values()];
}

/**
 * What a spec needs of the files: the tags its rules name, or every tag when
 * there are no rules (a file imported on its own).
 */
export function serviceTagsForSpec(
  topology: Topology,
  files: readonly ServiceTagDocument[],
): ServiceTagDocument {
  const rules = topology.networkSecurityGroups.some((n) => n.securityRules.length > 0);
  return rules ? tagsUsedBy(topology, files) : { values: allTags(files) };
}

/** Spec text with `serviceTags` as its first section, after the header comment. */
export function withServiceTags(specText: string, tags: ServiceTagDocument): string {
  const lines = specText.split("\n");
  const headerLength = lines.findIndex((l) => !l.startsWith("#"));
  const header = lines
    .slice(0, headerLength)
    .map((l) => `${l}\n`)
    .join("");
  const body = lines.slice(headerLength).join("\n");
  // An empty topology is written as `{}`, which cannot follow another section.
  return `${header}${stringify({ serviceTags: tags }, { lineWidth: 0 })}${body.trim() === "{}" ? "" : body}`;
}
