import { toJsonSchema } from "@valibot/to-json-schema";
import { specSchema } from "./schema.js";

/** The JSON Schema of the spec file, for editors: it describes what may be written (the input). */
export function specJsonSchema(): unknown {
  // trim (a suppression's reason) changes what is read, not what may be written.
  return toJsonSchema(specSchema, {
    target: "draft-2020-12",
    typeMode: "input",
    ignoreActions: ["trim"],
  });
}
