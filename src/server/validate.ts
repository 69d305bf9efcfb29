/**
 * A write validated as `tierwall import` and `check` validate: the resource
 * (ARM's resource JSON, with what it refers to) read by the ARM importer and
 * built into the model, whose diagnostics already carry Azure's codes.
 */
import { importArm } from "../formats/arm/import.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { buildNetwork } from "../model/network.js";
import { ServiceTagCatalog } from "../model/service-tags.js";
import type { Store } from "../store/store.js";
import { asResource } from "./body.js";
import { ArmError, type ArmErrorDetail } from "./errors.js";

/** `/subscriptions/S/resourceGroups/G/providers/NAMESPACE/TYPE/NAME`: the top-level resource an id is in. */
const TOP_LEVEL = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+/i;

/** Every id the value refers to (an `id` field anywhere in it), as the top-level resource's id. */
function referencedIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) referencedIds(v, into);
  else if (typeof value === "object" && value !== null)
    for (const [key, v] of Object.entries(value)) {
      const top = key === "id" && typeof v === "string" ? TOP_LEVEL.exec(v)?.[0] : undefined;
      if (top) into.add(top.toLowerCase());
      else referencedIds(v, into);
    }
}

/**
 * The stored resources `body` refers to, and those they refer to in turn (a
 * subnet's NSG, an NSG's ASGs), as ARM resource JSON: what the model needs to
 * validate it. `self` is left out (the body stands for it).
 */
export async function referencedResources(
  store: Store,
  self: string,
  body: unknown,
): Promise<object[]> {
  const seen = new Set<string>([self.toLowerCase()]);
  const found: object[] = [];
  let next = new Set<string>();
  referencedIds(body, next);
  while (next.size > 0) {
    const current = [...next].filter((id) => !seen.has(id));
    next = new Set<string>();
    for (const id of current) {
      seen.add(id);
      const stored = await store.get(id);
      if (!stored) continue;
      found.push(asResource(stored));
      referencedIds(stored.body, next);
    }
  }
  return found;
}

/**
 * Validates resources (ARM's resource JSON, the one written first) as
 * `tierwall import` and `check` would: read by the ARM importer, built into
 * the model; its errors thrown as one ArmError, each detail pointing where
 * `target` places the diagnostic's path in the request body.
 */
export function validateResources(
  resources: readonly object[],
  target: (path: readonly (string | number)[]) => string | undefined,
): void {
  const imported = importArm(JSON.stringify(resources), "request body");
  const built = buildNetwork(imported.topology, ServiceTagCatalog.symbolic);
  const errors = [...imported.diagnostics, ...built.diagnostics].filter(
    (d: Diagnostic) => d.severity === "error",
  );
  const [first] = errors;
  if (!first) return;
  const details: ArmErrorDetail[] = errors.map((d) => {
    const at = target(d.path);
    return { code: d.code, message: d.message, ...(at ? { target: at } : {}) };
  });
  throw new ArmError(400, first.code, first.message, details);
}
