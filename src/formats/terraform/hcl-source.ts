/**
 * Where the blocks and attributes of an HCL file are. The HCL-to-JSON parser
 * gives values without positions; diagnostics need the line and column of the
 * attribute they are about, so a light scan of the (already parsed) text finds them.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface SourceBlock {
  readonly type: string;
  readonly labels: readonly string[];
  readonly position: Position;
  /** Each attribute's value, by name (the first, should a name repeat). */
  readonly attributes: ReadonlyMap<string, Position>;
  readonly blocks: readonly SourceBlock[];
}

const IDENT = /[A-Za-z_][A-Za-z0-9_-]*/y;

/** The top-level body of `text` as a block with no type. */
export function scanHcl(text: string): SourceBlock {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const position = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] as number) + 1 };
  };
  let i = 0;

  const skipComment = (): boolean => {
    if (text[i] === "#" || text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
      return true;
    }
    if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      return true;
    }
    return false;
  };
  const skipSpaces = (newlines: boolean) => {
    while (i < text.length) {
      const c = text[i] as string;
      if (c === " " || c === "\t" || c === "\r" || (newlines && c === "\n")) i++;
      else if (!skipComment()) return;
    }
  };
  const identifier = (): string | undefined => {
    IDENT.lastIndex = i;
    const m = IDENT.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };

  /** Past a quoted template, from its opening quote. */
  const skipString = () => {
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === '"') {
        i++;
        return;
      } else if (c === "\n") return;
      else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") i += 3;
      else if ((c === "$" || c === "%") && text[i + 1] === "{") {
        i += 2;
        skipExpression(true);
        i++;
      } else i++;
    }
  };
  const skipHeredoc = (): boolean => {
    const m = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;
    m.lastIndex = i;
    const found = m.exec(text);
    if (!found) return false;
    i += found[0].length;
    const marker = found[1] as string;
    while (i < text.length) {
      const end = text.indexOf("\n", i);
      const line = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end + 1;
      if (line.trim() === marker) return true;
    }
    return true;
  };
  /** Past an expression: up to a newline or a `}` outside brackets (inside a template, up to its `}`). */
  const skipExpression = (inTemplate: boolean) => {
    let depth = 0;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') skipString();
      else if (c === "<" && text[i + 1] === "<" && skipHeredoc()) {
        if (depth === 0 && !inTemplate) return;
      } else if (skipComment()) continue;
      else if (c === "(" || c === "[" || c === "{") {
        depth++;
        i++;
      } else if (c === ")" || c === "]" || c === "}") {
        if (depth === 0) return;
        depth--;
        i++;
      } else if (c === "\n" && depth === 0 && !inTemplate) return;
      else i++;
    }
  };

  const body = (type: string, labels: string[], at: Position, nested: boolean): SourceBlock => {
    const attributes = new Map<string, Position>();
    const blocks: SourceBlock[] = [];
    for (;;) {
      skipSpaces(true);
      if (i >= text.length) break;
      if (text[i] === "}") {
        i++;
        if (nested) break;
        continue;
      }
      const start = i;
      const name = identifier();
      if (name === undefined) {
        i++;
        continue;
      }
      skipSpaces(false);
      if (text[i] === "=" && text[i + 1] !== "=") {
        i++;
        skipSpaces(false);
        if (!attributes.has(name)) attributes.set(name, position(i));
        skipExpression(false);
        continue;
      }
      const blockLabels: string[] = [];
      for (;;) {
        skipSpaces(false);
        if (text[i] === '"') {
          const from = i;
          skipString();
          blockLabels.push(unquote(text.slice(from, i)));
        } else {
          const label = identifier();
          if (label === undefined) break;
          blockLabels.push(label);
        }
      }
      if (text[i] !== "{") continue;
      i++;
      blocks.push(body(name, blockLabels, position(start), true));
    }
    return { type, labels, position: at, attributes, blocks };
  };

  return body("", [], { line: 1, column: 1 }, false);
}

function unquote(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return literal.slice(1, -1);
  }
}
