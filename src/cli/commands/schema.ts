import { writeFileSync } from "node:fs";
import { specJsonSchema } from "../../spec/schema.js";
import { EXIT, type Io } from "../io.js";

/** Prints (or writes) the JSON Schema of the spec file, for editors. */
export function runSchema(options: { output?: string }, io: Io): number {
  const text = `${JSON.stringify(specJsonSchema(), null, 2)}\n`;
  if (!options.output) {
    io.out(text);
    return EXIT.ok;
  }
  try {
    writeFileSync(options.output, text);
  } catch (e) {
    io.err(`${io.style.red("error")}: cannot write ${options.output}: ${(e as Error).message}\n`);
    return EXIT.invalid;
  }
  return EXIT.ok;
}
