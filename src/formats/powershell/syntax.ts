/**
 * PowerShell statements parsed into what the importer evaluates: values
 * (elements and comma lists), commands with named and positional arguments,
 * and pipelines.
 */
import { type Diagnostic, error, warning } from "../../model/diagnostic.js";
import { reporting } from "../shared/left-out.js";
import type { Pos, Token, TokenKind } from "./tokens.js";

export type Item =
  | { readonly kind: "string" | "word"; readonly text: string; readonly pos: Pos; expand?: boolean }
  | { readonly kind: "var"; readonly text: string; readonly pos: Pos }
  | { readonly kind: "expr"; readonly text: string; readonly pos: Pos };

export interface Value {
  readonly items: readonly Item[];
  readonly pos: Pos;
}

export interface Arg {
  readonly name: string;
  readonly pos: Pos;
  readonly value?: Value;
}

export interface Command {
  readonly name: string;
  readonly pos: Pos;
  readonly args: readonly Arg[];
  readonly positional: readonly Value[];
}

export type Segment = { readonly command: Command } | { readonly value: Value };

export class SyntaxProblem extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    readonly pos: Pos,
  ) {
    super(diagnostic.message);
  }
}

const VALUE_START: ReadonlySet<TokenKind> = new Set(["string", "word", "var", "open"]);
export const COMMAND_NAME = /^[A-Za-z]+-[A-Za-z0-9]+$/;

function describe(token: Token): string {
  return token.kind === "eol" ? "the end of the line" : JSON.stringify(token.text);
}

/** Reads one value: an element, or a comma-separated list of them. */
export function parseValue(
  tokens: readonly Token[],
  start: number,
): { value: Value; next: number } {
  const items: Item[] = [];
  let k = start;
  for (;;) {
    const token = tokens[k];
    if (token === undefined || !VALUE_START.has(token.kind)) {
      const at = token ?? tokens[k - 1] ?? tokens[start];
      throw new SyntaxProblem(
        error(
          "MissingParameterValue",
          token ? `expected a value, found ${describe(token)}` : "expected a value after ','",
          [],
        ),
        at ?? { line: 1, column: 1 },
      );
    }
    if (token.kind === "open") {
      const close = matchingClose(tokens, k);
      items.push(...bracketItems(tokens.slice(k + 1, close), token));
      k = close + 1;
    } else {
      items.push(
        token.kind === "var"
          ? { kind: "var", text: token.text, pos: token }
          : {
              kind: token.kind === "string" ? "string" : "word",
              text: token.text,
              pos: token,
              ...(token.expand ? { expand: true } : {}),
            },
      );
      k++;
    }
    if (tokens[k]?.kind !== "comma") break;
    k++;
  }
  const first = tokens[start] as Token;
  return { value: { items, pos: first }, next: k };
}

function matchingClose(tokens: readonly Token[], open: number): number {
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const kind = tokens[k]?.kind;
    if (kind === "open" || kind === "lbrace") depth++;
    if (kind === "close" || kind === "rbrace") depth--;
    if (depth === 0) return k;
  }
  const at = tokens[open] as Token;
  throw new SyntaxProblem(error("UnbalancedBracket", `${at.text} has no closing ')'`, []), at);
}

/** `@("a","b")` and `("a","b")` are lists; anything else in brackets is an expression. */
function bracketItems(inner: readonly Token[], open: Token): Item[] {
  const literal = inner.every((t, k) =>
    k % 2 === 0 ? t.kind === "string" || t.kind === "word" || t.kind === "var" : t.kind === "comma",
  );
  const commandLike = inner[0]?.kind === "word" && COMMAND_NAME.test(inner[0].text);
  if (!literal || open.text === "$(" || commandLike)
    return [
      { kind: "expr", text: `${open.text}${inner.map((t) => t.text).join(" ")})`, pos: open },
    ];
  if (inner.length === 0) return [];
  return parseValue(inner, 0).value.items as Item[];
}

export function parseSegment(tokens: readonly Token[]): Segment {
  const first = tokens[0];
  if (first === undefined)
    throw new SyntaxProblem(error("EmptyPipelineElement", "an empty pipeline element", []), {
      line: 1,
      column: 1,
    });
  if (first.kind !== "word") {
    const { value, next } = parseValue(tokens, 0);
    const extra = tokens[next];
    if (extra) throw unexpected(extra);
    return { value };
  }
  const args: Arg[] = [];
  const positional: Value[] = [];
  let k = 1;
  while (k < tokens.length) {
    const token = tokens[k] as Token;
    if (token.kind === "param") {
      k++;
      const next = tokens[k];
      if (next === undefined || next.kind === "param") args.push({ name: token.text, pos: token });
      else if (!VALUE_START.has(next.kind)) throw unexpected(next, first);
      else {
        const parsed = parseValue(tokens, k);
        args.push({ name: token.text, pos: token, value: parsed.value });
        k = parsed.next;
      }
    } else if (VALUE_START.has(token.kind)) {
      const parsed = parseValue(tokens, k);
      positional.push(parsed.value);
      k = parsed.next;
    } else throw unexpected(token, first);
  }
  return { command: { name: first.text, pos: first, args, positional } };
}

function unexpected(token: Token, head?: Token): SyntaxProblem {
  // What a script block runs (a loop's body, a branch) is not read: it may make anything.
  if (token.kind === "lbrace")
    return new SyntaxProblem(
      reporting(
        warning(
          "UnsupportedStatement",
          `${head ? `${head.text} with a script block` : "a script block"} is not supported; the statement is ignored`,
          [],
        ),
        {
          kind: "resources",
          what: `what the script block of ${head ? head.text : "the statement"} at line ${(head ?? token).line} makes`,
        },
      ),
      head ?? token,
    );
  return new SyntaxProblem(error("UnexpectedToken", `unexpected ${describe(token)}`, []), token);
}

/** Splits at '|' outside brackets. */
export function splitPipeline(tokens: readonly Token[]): Token[][] {
  const segments: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.kind === "open" || token.kind === "lbrace") depth++;
    if (token.kind === "close" || token.kind === "rbrace") depth--;
    if (token.kind === "pipe" && depth === 0) segments.push([]);
    else segments[segments.length - 1]?.push(token);
  }
  return segments;
}
