/** What the Terraform import tests share. */
import type { Diagnostic } from "../../src/model/diagnostic.js";

/** A source file of a module. */
export const tf = (text: string, file = "main.tf") => ({ file, text });

/** The values reported as not statically known, as `line:column message`. */
export const notKnown = (ds: readonly Diagnostic[]) =>
  ds
    .filter((d) => d.code === "ExpressionNotStaticallyKnown" && d.severity === "warning")
    .map((d) => `${d.location?.line}:${d.location?.column} ${d.message}`);
