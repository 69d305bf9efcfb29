import { Composer, type CST, type Document, Lexer, type LineCounter, Parser } from "yaml";

/**
 * How deep collections may nest. A spec needs fewer than ten levels. The YAML
 * composer, the schema check and structuredClone all recurse, and a few hundred levels of
 * `[[[` exhaust the call stack, so deeper input is refused before composing.
 */
export const MAX_NESTING = 100;

/** A problem at an offset of the text, found before there are value paths to place it by. */
export interface TextProblem {
  readonly code: string;
  readonly message: string;
  readonly offset: number;
  readonly hint?: string;
}

export const tooDeep = (
  offset: number,
  message = `nesting deeper than ${MAX_NESTING} levels`,
): TextProblem => ({
  code: "NestingTooDeep",
  message,
  offset,
  hint: "a spec nests fewer than ten levels",
});

/**
 * Parses YAML (or JSON, which YAML reads) into one document, with its problems.
 * The text is lexed and parsed token by token, as the yaml package's
 * parseDocument does, so that nesting is measured on the parser's own stack and
 * refused at the token that passes the limit.
 */
export function parseYaml(
  text: string,
  lineCounter: LineCounter,
): { doc?: Document.Parsed; problems: TextProblem[] } {
  const tokens = parseTokens(text, lineCounter);
  if (!Array.isArray(tokens)) return { problems: [tokens] };
  // Keys are checked for duplicates by plainValue: the yaml package's own check
  // compares each key with every one before it, minutes for 50,000 keys.
  const composer = new Composer({ uniqueKeys: false });
  const [doc, second] = firstTwo(composer.compose(tokens, true, text.length));
  // compose() always gives a document, an empty one for empty text.
  const parsed = doc as Document.Parsed;
  const problems: TextProblem[] = [...parsed.errors, ...parsed.warnings].map((e) => ({
    code: "InvalidSyntax",
    message: e.message.split("\n")[0] ?? e.message,
    offset: e.pos[0],
  }));
  if (second)
    problems.push({
      code: "InvalidSyntax",
      message: "a spec file holds one YAML document; a second one starts here",
      offset: second.range[0],
    });
  const control = controlCharacter(text);
  if (control) problems.push(control);
  return { doc: parsed, problems };
}

/** The first two documents: composing stops there. */
function firstTwo<T>(documents: Iterable<T>): T[] {
  const found: T[] = [];
  for (const doc of documents) if (found.push(doc) === 2) break;
  return found;
}

/** The concrete syntax tree's top-level tokens, or where nesting passes the limit. */
function parseTokens(text: string, lineCounter: LineCounter): CST.Token[] | TextProblem {
  const parser = new Parser(lineCounter.addNewLine);
  lineCounter.addNewLine(0);
  const tokens: CST.Token[] = [];
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    // The stack holds the document, the open collections, and at most one scalar.
    if (parser.stack.length > MAX_NESTING + 1) {
      const open = parser.stack.filter(isCollection);
      const deepest = open[MAX_NESTING];
      if (deepest) return tooDeep(deepest.offset);
    }
  }
  for (const token of parser.end()) tokens.push(token);
  return tokens;
}

function isCollection(
  token: CST.Token,
): token is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return (
    token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection"
  );
}

/**
 * The first control character YAML and JSON both refuse (tab, line feed and
 * carriage return are allowed); the yaml package would keep it in a value.
 */
function controlCharacter(text: string): TextProblem | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  const found = /[\x00-\x08\x0B\x0C\x0E-\x1F]/.exec(text);
  if (!found) return undefined;
  const code = (found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
  return {
    code: "InvalidCharacter",
    message: `control character U+${code} is not allowed in a spec`,
    offset: found.index,
  };
}
