/**
 * Parsing a module's files: `.tf` files with `@cdktf/hcl2json`, whose JSON
 * has no positions (a scan of the text gives them), and `.tfvars` files
 * (HCL or JSON) to variable values. Syntax errors are placed at their line
 * and column.
 */
import { parse } from "@cdktf/hcl2json";
import type { Diagnostic } from "../../model/diagnostic.js";
import { isObject, type JsonObject } from "../shared/json.js";
import { evaluate, noReferences } from "./expressions.js";
import { type SourceBlock, scanHcl } from "./hcl-source.js";
import { NotKnown, type TfValue } from "./values.js";

export interface TerraformSource {
  readonly file: string;
  readonly text: string;
}

/** A body as the parser gives it: attributes, and nested blocks as lists of objects. */
export type Raw = JsonObject;
export const isRaw = isObject;
export const rawBlocks = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter(isRaw) : []);

/** The parser's errors ("file:line,col-...: summary; detail"), each at its position. */
function syntaxErrors(message: string, file: string): Diagnostic[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const head = new RegExp(`${escaped}:(\\d+),(\\d+)-(?:\\d+,)?\\d+: `, "g");
  const starts = [...message.matchAll(head)];
  const found = starts.map((m, k) => {
    const end = k + 1 < starts.length ? (starts[k + 1]?.index as number) : message.length;
    const text = message
      .slice((m.index as number) + m[0].length, end)
      .replace(/\]\s*$/, "")
      .trim();
    const [summary, ...detail] = text.split("; ");
    return {
      line: Number(m[1]),
      column: Number(m[2]),
      text: detail.length > 0 ? `${summary}: ${detail.join("; ")}` : (summary ?? text),
    };
  });
  if (found.length === 0)
    found.push({ line: 1, column: 1, text: message.replace(/^parse config: /, "") });
  const seen = new Set<string>();
  return found
    .sort((a, b) => a.line - b.line || a.column - b.column)
    .filter((f) => {
      const key = `${f.line}:${f.column}:${f.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((f) => ({
      severity: "error",
      code: "InvalidSyntax",
      message: `not valid HCL: ${f.text}`,
      path: [],
      location: { file, line: f.line, column: f.column },
    }));
}

/** A `.tf` file as the parser gives it, with the positions of its blocks and attributes. */
export interface ParsedFile {
  readonly json: Raw;
  readonly source: SourceBlock;
}

/** Parses one HCL file; syntax errors go to `diagnostics`. */
export async function parseFile(
  src: TerraformSource,
  diagnostics: Diagnostic[],
): Promise<ParsedFile | undefined> {
  try {
    const json = (await parse(src.file, src.text)) as Raw;
    return { json, source: scanHcl(src.text) };
  } catch (e) {
    diagnostics.push(...syntaxErrors((e as Error).message, src.file));
    return undefined;
  }
}

/** Values of a `.tfvars` file (HCL) or `.tfvars.json` file. */
export async function readTfvars(
  src: TerraformSource,
  diagnostics: Diagnostic[],
): Promise<Map<string, TfValue>> {
  const values = new Map<string, TfValue>();
  if (src.file.endsWith(".json")) {
    try {
      const parsed: unknown = JSON.parse(src.text.replace(/^\uFEFF/, ""));
      if (!isRaw(parsed)) throw new Error("a .tfvars.json file holds one object");
      // JSON variable values are literal: no templates to evaluate.
      for (const [k, v] of Object.entries(parsed)) values.set(k, v as TfValue);
    } catch (e) {
      diagnostics.push({
        severity: "error",
        code: "InvalidSyntax",
        message: `not valid JSON: ${(e as Error).message}`,
        path: [],
        location: { file: src.file, line: 1, column: 1 },
      });
    }
    return values;
  }
  const parsed = await parseFile(src, diagnostics);
  if (!parsed) return values;
  const { json, source } = parsed;
  for (const [name, value] of Object.entries(json)) {
    try {
      values.set(name, evaluate(value, noReferences));
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      const at = source.attributes.get(name);
      diagnostics.push({
        severity: "warning",
        code: "ExpressionNotStaticallyKnown",
        message: `${name}: ${e.message}; the value is left out`,
        path: [name],
        ...(at ? { location: { file: src.file, ...at } } : {}),
      });
    }
  }
  return values;
}
