/** What the readers of Azure's JSON (templates, az CLI output, Terraform state) share. */
import type { ValuePath } from "../../model/diagnostic.js";

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** A value's path as a reader writes it: `value[0].effectiveSecurityRules[1].priority`. */
export const pathText = (path: ValuePath): string =>
  path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");

/** ARM ids are read by the model, which checks the references of a spec by them. */
export { armId } from "../../model/resource-id.js";
