/**
 * What every top-level resource's PUT body shares in ARM: an object with a
 * `location` (required), optional `tags`, and `properties`, from which what is
 * read-only is dropped; a `resourceGuid` made once and kept across replaces;
 * and, for a refused write, where a model diagnostic's path points in it.
 */
import { randomUUID } from "node:crypto";
import type { ResourceBody, StoredResource } from "../store/store.js";
import { ArmError } from "./errors.js";

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The body's location, tags and properties (without `readOnly` ones, with the resourceGuid kept), or a 400. */
export function topLevelBody(
  body: unknown,
  previous: StoredResource | undefined,
  readOnly: readonly string[],
): { location: string; tags?: unknown; properties: Record<string, unknown> } {
  if (!isObject(body))
    throw new ArmError(400, "InvalidRequestFormat", "the request body must be a JSON object");
  if (typeof body.location !== "string" || body.location === "")
    throw new ArmError(
      400,
      "LocationRequired",
      "The location property is required for this definition.",
    );
  const properties = isObject(body.properties) ? { ...body.properties } : {};
  for (const key of ["provisioningState", "resourceGuid", ...readOnly]) delete properties[key];
  const previousGuid = (previous?.body.properties as Record<string, unknown> | undefined)
    ?.resourceGuid;
  properties.resourceGuid = typeof previousGuid === "string" ? previousGuid : randomUUID();
  return {
    location: body.location,
    ...(isObject(body.tags) ? { tags: body.tags } : {}),
    properties,
  };
}

/** A stored top-level resource as a GET shows it: its identity, location, tags, and `properties`, provisioned. */
export function resourceJson(stored: StoredResource, type: string, properties: object) {
  return {
    name: stored.id.split("/").pop() as string,
    id: stored.id,
    etag: stored.etag,
    type,
    location: stored.body.location,
    ...(stored.body.tags !== undefined ? { tags: stored.body.tags } : {}),
    properties: { ...properties, provisioningState: "Succeeded" },
  };
}

/** A stored resource as ARM resource JSON, for the importer. */
export const asResource = (r: StoredResource): object => ({
  id: r.id,
  name: r.id.split("/").pop(),
  type: r.type,
  ...(r.body as ResourceBody),
});

/** A path's segments as a body's path: `.name` and `[index]`. */
export const pathText = (segments: readonly (string | number)[]): string =>
  segments.map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`)).join("");

/**
 * Where a model diagnostic's path (`[collection, 0, child, i, field...]`)
 * points in the body of the resource written: `properties.child[i].properties.field`,
 * or `properties.field` for the resource's own fields.
 */
export function bodyTarget(
  collection: string,
  child: string,
): (path: readonly (string | number)[]) => string | undefined {
  return (path) => {
    if (path[0] !== collection || path[1] !== 0 || path[2] === undefined) return undefined;
    if (path[2] !== child) return `properties${pathText(path.slice(2))}`;
    const at = `properties.${child}[${path[3]}]`;
    return path[4] === undefined ? at : `${at}.properties${pathText(path.slice(4))}`;
  };
}
