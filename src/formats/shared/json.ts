/** What the readers of Azure's JSON (templates, az CLI output, Terraform state) share. */
import type { ValuePath } from "../../model/diagnostic.js";

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A value's path as a reader writes it: `value[0].effectiveSecurityRules[1].priority`. */
export const pathText = (path: ValuePath): string =>
  path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");

/**
 * The type and names an ARM resource id of Microsoft.Network names, types in
 * lower case: `networksecuritygroups`, or `virtualnetworks/subnets` with the
 * network as `parent`.
 */
export function armId(id: string): { type: string; name: string; parent?: string } | undefined {
  const m = /\/providers\/Microsoft\.Network\/([^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/i.exec(
    id,
  );
  if (!m) return undefined;
  const type = (m[1] as string).toLowerCase();
  return m[3] === undefined
    ? { type, name: m[2] as string }
    : { type: `${type}/${m[3].toLowerCase()}`, name: m[4] as string, parent: m[2] as string };
}
