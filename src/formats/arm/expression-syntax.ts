/**
 * The syntax of ARM template expressions (the inside of `"[...]"`): literals,
 * function calls, and property and index access (`parameters('o').name`,
 * `variables('list')[copyIndex()]`). Anything else throws NotStatic, so that
 * the reader names it instead of guessing.
 */
import { MAX_NESTING } from "../../specfile/parse.js";

/** Thrown for a value that cannot be known without deploying; the message says why. */
export class NotStatic extends Error {}

/**
 * Thrown for an expression that nests deeper than MAX_NESTING levels, counting
 * the variables and parameters it refers to: parsing and evaluating recurse,
 * and thousands of levels (`concat(concat(...))` inside one JSON string, or a
 * chain of variables each naming the next) would exhaust the stack.
 */
export class ExpressionTooDeep extends NotStatic {
  constructor() {
    super(
      `expressions nest more than ${MAX_NESTING} levels deep here, counting the variables and parameters they name; ${MAX_NESTING} is the limit`,
    );
  }
}

export type Expr =
  | { readonly kind: "literal"; readonly value: string | number | boolean }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] }
  | { readonly kind: "property"; readonly target: Expr; readonly name: string }
  | { readonly kind: "index"; readonly target: Expr; readonly index: Expr };

/** Parses the inside of `[...]`; throws NotStatic on anything it does not understand. */
export function parseExpression(text: string): Expr {
  let i = 0;
  let depth = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] ?? "")) i++;
  };
  // Sticky patterns match at i, without copying the rest of the text at each token.
  const at = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    const m = pattern.exec(text)?.[0];
    if (m !== undefined) i += m.length;
    return m;
  };
  const fail = (why: string): never => {
    throw new NotStatic(why);
  };
  const deeper = () => {
    if (++depth > MAX_NESTING) throw new ExpressionTooDeep();
  };
  const primary = (): Expr => {
    space();
    if (text[i] === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= text.length) fail("unterminated string");
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i];
        i++;
      }
      return { kind: "literal", value };
    }
    const number = at(/-?\d+/y);
    if (number !== undefined) return { kind: "literal", value: Number(number) };
    const name = at(/[A-Za-z_][\w]*/y);
    if (name === undefined) return fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
    space();
    if (text[i] !== "(") {
      if (name === "true" || name === "false") return { kind: "literal", value: name === "true" };
      return fail(`unexpected ${name}`);
    }
    i++;
    deeper();
    const args: Expr[] = [];
    space();
    if (text[i] === ")") i++;
    else
      for (;;) {
        args.push(postfix());
        space();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === ")") {
          i++;
          break;
        }
        fail("expected , or )");
      }
    depth--;
    return { kind: "call", name, args };
  };
  // Each access nests the expression one level deeper, as a call does.
  const postfix = (): Expr => {
    let e = primary();
    const start = depth;
    for (;;) {
      space();
      if (text[i] === ".") {
        i++;
        space();
        const name = at(/[A-Za-z_$][\w$-]*/y) ?? fail("expected a property name after '.'");
        deeper();
        e = { kind: "property", target: e, name };
      } else if (text[i] === "[") {
        i++;
        deeper();
        const index = postfix();
        space();
        if (text[i] !== "]") fail("expected ]");
        i++;
        e = { kind: "index", target: e, index };
      } else break;
    }
    depth = start;
    return e;
  };
  const e = postfix();
  space();
  if (i < text.length) fail(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
  return e;
}

/** The expression as one text, the same however it was spaced: what a placeholder names. */
export function expressionText(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return typeof e.value === "string" ? `'${e.value.replaceAll("'", "''")}'` : String(e.value);
    case "call":
      return `${e.name}(${e.args.map(expressionText).join(", ")})`;
    case "property":
      return `${expressionText(e.target)}.${e.name}`;
    case "index":
      return `${expressionText(e.target)}[${expressionText(e.index)}]`;
  }
}
