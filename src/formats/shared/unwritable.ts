/**
 * Text a format cannot write as it is. Writers throw UnwritableText rather
 * than write something else; `exportTopology` turns it into an error at each
 * place of the spec that holds the text.
 */
import { type Diagnostic, error, type ValuePath } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { hasLoneSurrogate, shown } from "./hidden-characters.js";

export class UnwritableText extends Error {
  /** The resource being written when the text was refused, and its path in the spec (see `writing`). */
  within?: { readonly path: ValuePath; readonly value: unknown };

  constructor(
    readonly text: string,
    /** Why, completing "the value ...": "holds NUL (U+0000), which bash cannot pass to a command". */
    readonly reason: string,
  ) {
    super(`${shown(text)} ${reason}`);
  }
}

/** Writes one resource of the topology: text refused while writing it is placed in it. */
export function writing<T>(path: ValuePath, value: unknown, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof UnwritableText && e.within === undefined) e.within = { path, value };
    throw e;
  }
}

/** The text itself, unless it holds half a surrogate pair, which no text format can write. */
export function wellFormed(text: string): string {
  if (hasLoneSurrogate(text))
    throw new UnwritableText(
      text,
      "holds half of a UTF-16 surrogate pair, which is not Unicode text: no UTF-8 file can hold it",
    );
  return text;
}

/** Every string in a value, at its path. */
function placedTexts(value: unknown, path: ValuePath): { path: ValuePath; text: string }[] {
  if (typeof value === "string") return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => placedTexts(item, [...path, i]));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => placedTexts(item, [...path, key]));
  return [];
}

/**
 * The refusal as errors, one at each place that holds the text: in the
 * resource being written, when the writer said which (`writing`), else
 * anywhere in the topology but its environments, which no export writes.
 */
export function refusal(format: string, refused: UnwritableText, topology: Topology): Diagnostic[] {
  const { environments: _, ...written } = topology;
  const places = (
    refused.within
      ? placedTexts(refused.within.value, refused.within.path)
      : placedTexts(written, [])
  ).filter((p) => p.text === refused.text);
  const hint = "change the text in the spec, or export another format";
  const at = (path: ValuePath) => {
    const field = [...path].reverse().find((p) => typeof p === "string") ?? "value";
    return error(
      "UnwritableText",
      `the ${format} export cannot write the ${field} ${shown(refused.text)}: it ${refused.reason}`,
      path,
      hint,
    );
  };
  return places.length > 0 ? places.map((p) => at(p.path)) : [at([])];
}
