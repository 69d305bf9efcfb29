/**
 * Writing HCL as `terraform fmt` leaves it: two-space indentation, and the `=`
 * of consecutive one-line attributes aligned within their block.
 */
import { isHidden, spelledOut } from "../shared/hidden-characters.js";
import { wellFormed } from "../shared/unwritable.js";

const NAMED_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
]);

/**
 * A string literal that HCL reads back as the same text: quotes and
 * backslashes escaped, `${` and `%{` doubled to stay literal, and hidden
 * characters escaped (`\n`, `\r`, `\t`, else `\uNNNN` or `\UNNNNNNNN`) so
 * that a reviewer sees them. Terraform normalizes every string to Unicode NFC
 * as it reads it, whatever its escapes: text in another form (a decomposed
 * accent) is deployed in NFC, which shows the same.
 */
export function hclString(value: string): string {
  wellFormed(value);
  let out = "";
  for (let i = 0; i < value.length; ) {
    const code = value.codePointAt(i) as number;
    const char = String.fromCodePoint(code);
    i += char.length;
    const named = NAMED_ESCAPES.get(char);
    if (char === '"' || char === "\\") out += `\\${char}`;
    else if (named !== undefined) out += named;
    else if ((char === "$" || char === "%") && value[i] === "{") out += `${char}${char}`;
    else if (isHidden(char))
      out +=
        code > 0xffff
          ? `\\U${code.toString(16).padStart(8, "0")}`
          : `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `"${out}"`;
}

/** A list of already written expressions, on one line. */
export const hclList = (items: readonly string[]): string => `[${items.join(", ")}]`;

/** One line of a body: an attribute, a nested block, a blank line or a comment. */
export type HclItem =
  | { readonly attribute: string; readonly value: string }
  | {
      readonly block: string;
      readonly labels?: readonly string[];
      readonly body: readonly HclItem[];
    }
  | { readonly blank: true }
  | { readonly comment: string };

export const attr = (attribute: string, value: string): HclItem => ({ attribute, value });
export const blank: HclItem = { blank: true };
export const block = (
  name: string,
  labels: readonly string[],
  body: readonly HclItem[],
): HclItem => ({
  block: name,
  labels,
  body,
});

/** The lines of a body at `depth`; runs of attributes not broken by a blank line or block align their `=`. */
export function renderBody(items: readonly HclItem[], depth = 0): string[] {
  const indent = "  ".repeat(depth);
  const lines: string[] = [];
  let run: { attribute: string; value: string }[] = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((a) => a.attribute.length));
    for (const a of run) lines.push(`${indent}${a.attribute.padEnd(width)} = ${a.value}`);
    run = [];
  };
  for (const item of items) {
    if ("attribute" in item) {
      run.push(item);
      continue;
    }
    flush();
    if ("blank" in item) lines.push("");
    // A comment is one line, whatever names it quotes.
    else if ("comment" in item) lines.push(`${indent}# ${spelledOut(item.comment)}`);
    else {
      const labels = (item.labels ?? []).map((l) => ` ${hclString(l)}`).join("");
      if (item.body.length === 0) lines.push(`${indent}${item.block}${labels} {}`);
      else
        lines.push(
          `${indent}${item.block}${labels} {`,
          ...renderBody(item.body, depth + 1),
          `${indent}}`,
        );
    }
  }
  flush();
  return lines;
}

/** A Terraform identifier (letters, digits, `_`, `-`; not starting with a digit) from a resource name. */
export function identifier(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return id === "" || /^[0-9]/.test(id) ? `_${id}` : id;
}

/** Hands out identifiers unique within one namespace (Terraform's per-type resource labels). */
export class Labels {
  private readonly used = new Set<string>();

  take(name: string): string {
    const base = identifier(name);
    let label = base;
    for (let n = 2; this.used.has(label); n++) label = `${base}_${n}`;
    this.used.add(label);
    return label;
  }
}
