import { specJsonSchema } from "../../specfile/json-schema.js";
import type { Io } from "../io.js";
import { emit } from "../output.js";

/** Prints (or writes) the JSON Schema of the spec file, for editors. */
export function runSchema(options: { output?: string }, io: Io): number {
  return emit(`${JSON.stringify(specJsonSchema(), null, 2)}\n`, options.output, io);
}
