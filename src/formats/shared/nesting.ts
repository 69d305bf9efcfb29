/**
 * How deeply brackets nest in a file, found by one pass over its text before
 * any reader recurses into it. Every format tierwall reads nests its values
 * with brackets (JSON, HCL, PowerShell's `@(...)`, bash's `$(...)`); readers
 * walk them recursively, and thousands of levels would exhaust the stack.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import { MAX_NESTING } from "../../specfile/parse.js";

// Character codes: the scan runs over every character of every file imported.
const [PAREN, BRACKET, BRACE] = [40, 91, 123];
const [CLOSE_PAREN, CLOSE_BRACKET, CLOSE_BRACE] = [41, 93, 125];
const [DOUBLE, SINGLE, BACKSLASH, NEWLINE] = [34, 39, 92, 10];

/**
 * The offset where nesting first passes `MAX_NESTING`, or -1. Brackets inside
 * quoted strings do not count (a backslash escapes the next character in a
 * double-quoted one); the scan needs no knowledge of the format beyond that.
 */
export function tooDeepAt(text: string): number {
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === BACKSLASH && quote === DOUBLE) i++;
      else if (c === quote) quote = 0;
    } else if (c === DOUBLE || c === SINGLE) quote = c;
    else if (c === PAREN || c === BRACKET || c === BRACE) {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === CLOSE_PAREN || c === CLOSE_BRACKET || c === CLOSE_BRACE) && depth > 0)
      depth--;
    // A line end closes a quote left open, as in comments with an apostrophe.
    if (c === NEWLINE && quote === SINGLE) quote = 0;
  }
  return -1;
}

/** The NestingTooDeep diagnostic for a file, placed at the bracket that passes the limit. */
export function nestingProblem({
  text,
  file,
}: {
  text: string;
  file: string;
}): Diagnostic | undefined {
  const at = tooDeepAt(text);
  if (at < 0) return undefined;
  const before = text.slice(0, at).split("\n");
  return {
    severity: "error",
    code: "NestingTooDeep",
    message: `nesting deeper than ${MAX_NESTING} levels; the file is not read`,
    path: [],
    location: { file, line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 },
  };
}
