/**
 * What a spec keeps of service-tags files: the tags its rules name (every tag
 * when it has no rules), written as its `serviceTags` section.
 */
import { stringify } from "yaml";
import type { Topology } from "../../model/types.js";
import type { ServiceTag, ServiceTagDocument } from "./import.js";

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
