/**
 * Service tags as Azure publishes them (the weekly `ServiceTags_Public_*.json`
 * download, or `az network list-service-tags`), checked, each tag reduced to
 * what the spec's `serviceTags` holds: its name and address prefixes.
 */
import { type Diagnostic, error } from "../../model/diagnostic.js";
import { parseServiceTagFile } from "../../model/service-tags.js";
import { jsonSyntaxError } from "../../specfile/json-syntax.js";
import { isObject } from "../shared/json.js";
import { repeatedKeyErrors } from "../shared/json-keys.js";
import { placed } from "../shared/json-positions.js";

export interface ServiceTag {
  readonly name: string;
  readonly properties: { readonly addressPrefixes: readonly string[] };
}
export interface ServiceTagDocument {
  readonly values: readonly ServiceTag[];
}

/** A document shaped like Azure's service-tags file: `values` of tags with address prefixes. */
export function isServiceTagsDocument(document: unknown): boolean {
  if (!isObject(document) || !Array.isArray(document.values) || "resources" in document)
    return false;
  const first: unknown = document.values[0];
  return isObject(first) && isObject(first.properties) && "addressPrefixes" in first.properties;
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
    return { diagnostics: [jsonSyntaxError(e as Error, file, clean)] };
  }
  const repeated = repeatedKeyErrors(clean, file);
  if (repeated.length > 0) return { diagnostics: repeated };
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
