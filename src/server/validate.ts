/**
 * A write validated as `tierwall import` and `check` validate: the resource
 * (ARM's resource JSON, with what it refers to) read by the ARM importer and
 * built into the model, whose diagnostics already carry Azure's codes.
 */
import { importArm } from "../formats/arm/import.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { buildNetwork } from "../model/network.js";
import { ServiceTagCatalog } from "../model/service-tags.js";
import { ArmError, type ArmErrorDetail } from "./errors.js";

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
