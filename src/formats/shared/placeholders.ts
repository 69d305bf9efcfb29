/**
 * Placeholders in imported names (`<projectName>`, `<var.prefix>`): a part of
 * a name known only when deploying. The model accepts them in names
 * (model/rule.ts NAME_PLACEHOLDER); each importer gives the same placeholder
 * to the same value, and names each once, where it first stands.
 */

export const NAME_PLACEHOLDER_CODE = "NamePlaceholder";

/** The placeholders of `name` not yet named (in `named`, which they join), with why each stands. */
export function newPlaceholders(
  name: string,
  known: Iterable<readonly [string, string]>,
  named: Set<string>,
): [string, string][] {
  const found: [string, string][] = [];
  if (!name.includes("<")) return found;
  for (const [text, why] of known)
    if (!named.has(text) && name.includes(text)) {
      named.add(text);
      found.push([text, why]);
    }
  return found;
}

/** The message naming placeholders where they first stand. */
export function placeholderMessage(found: readonly (readonly [string, string])[]): string {
  const whys = found.map(([, why]) => why).join("; ");
  const texts = found.map(([text]) => text);
  const stands =
    texts.length === 1
      ? `it stands as ${texts[0]}`
      : `they stand as ${texts.slice(0, -1).join(", ")} and ${texts.at(-1)}`;
  const part = texts.length === 1 ? "it is part of" : "they are part of";
  return `${whys}; ${stands} in the names ${part}, here and wherever the same value is used`;
}
