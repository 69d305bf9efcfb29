import type { Diagnostic } from "../model/diagnostic.js";

/** JSON.parse's error, placed at the position it names, or else at the first error a scan finds. */
export function jsonSyntaxError(e: Error, file: string, text: string): Diagnostic {
  const named = /at position (\d+)/.exec(e.message)?.[1];
  const position = named === undefined ? firstJsonError(text) : Number(named);
  const before = text.slice(0, position).split("\n");
  return {
    severity: "error",
    code: "InvalidSyntax",
    message: `not valid JSON: ${e.message.replace(/\s+/g, " ")}`,
    path: [],
    location: {
      file,
      line: before.length,
      column: (before[before.length - 1]?.length ?? 0) + 1,
    },
  };
}

/** The offset of the first JSON syntax error in `text` (its length when the text ends early). */
function firstJsonError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c < " ") fail();
      i += c === "\\" ? 2 : 1;
    }
    i = text.length;
    fail();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ":") fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    number.lastIndex = i;
    if (number.test(text)) {
      i = number.lastIndex;
      return;
    }
    for (const word of ["true", "false", "null"])
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    fail();
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return Math.min(at as number, text.length);
  }
}
