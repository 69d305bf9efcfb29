/**
 * PowerShell's tokens, as far as scripts that deploy network resources use
 * them: words, parameters, variables, strings with every quote character
 * PowerShell accepts, brackets, pipes and statement ends.
 */
import { type Diagnostic, error } from "../../model/diagnostic.js";

export interface Pos {
  readonly line: number;
  readonly column: number;
}

export type TokenKind =
  | "word"
  | "param"
  | "var"
  | "string"
  | "pipe"
  | "comma"
  | "assign"
  | "open"
  | "close"
  | "lbrace"
  | "rbrace"
  | "semi"
  | "eol";

export interface Token extends Pos {
  readonly kind: TokenKind;
  readonly text: string;
  /** A double-quoted string, whose `$variables` expand. */
  readonly expand?: boolean;
}

export const SINGLE_QUOTES = new Set(["'", "\u2018", "\u2019", "\u201a", "\u201b"]);
export const DOUBLE_QUOTES = new Set(['"', "\u201c", "\u201d", "\u201e"]);
const WORD_END = /[\s|;,(){}'"\u2018\u2019\u201a\u201b\u201c\u201d\u201e]/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0" };
/** `$([char]0x202E)` in a double-quoted string: a character by its code, which both PowerShell 5.1 and 7 read. */
const CHAR_CODE = /^\$\(\s*\[char\]\s*0x([0-9a-f]{1,4})\s*\)/i;

/** Reports a problem at a position; tokenizing goes on after it. */
export type Report = (diagnostic: Diagnostic, pos: Pos) => void;

export function tokenize(text: string, report: Report): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const advance = (count: number) => {
    for (let k = 0; k < count && i < text.length; k++) {
      if (text[i] === "\n") {
        line++;
        column = 1;
      } else column++;
      i++;
    }
  };
  const push = (kind: TokenKind, tokenText: string, at: Pos, expand?: boolean) =>
    tokens.push(
      expand ? { kind, text: tokenText, ...at, expand } : { kind, text: tokenText, ...at },
    );

  while (i < text.length) {
    const c = text[i] as string;
    const at = { line, column };
    if (c === "\n") {
      push("eol", "\n", at);
      advance(1);
      continue;
    }
    if (/\s/.test(c)) {
      advance(1);
      continue;
    }
    if (c === "`") {
      const rest = /^`[ \t\r]*(\n|$)/.exec(text.slice(i, i + 200));
      if (rest) {
        advance(rest[0].length);
        continue;
      }
    }
    if (c === "<" && text[i + 1] === "#") {
      const end = text.indexOf("#>", i + 2);
      if (end < 0) report(error("UnterminatedComment", "the block comment <# has no #>", []), at);
      advance((end < 0 ? text.length : end + 2) - i);
      continue;
    }
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") advance(1);
      continue;
    }
    if (SINGLE_QUOTES.has(c) || DOUBLE_QUOTES.has(c)) {
      const double = DOUBLE_QUOTES.has(c);
      const quotes = double ? DOUBLE_QUOTES : SINGLE_QUOTES;
      let value = "";
      let closed = false;
      advance(1);
      while (i < text.length) {
        const d = text[i] as string;
        if (quotes.has(d)) {
          if (quotes.has(text[i + 1] ?? "")) {
            value += d;
            advance(2);
            continue;
          }
          advance(1);
          closed = true;
          break;
        }
        if (double && d === "`" && i + 1 < text.length) {
          const next = text[i + 1] as string;
          value += ESCAPES[next] ?? next;
          advance(2);
          continue;
        }
        const code = double && d === "$" ? CHAR_CODE.exec(text.slice(i, i + 24)) : null;
        if (code) {
          value += String.fromCharCode(Number.parseInt(code[1] as string, 16));
          advance(code[0].length);
          continue;
        }
        value += d;
        advance(1);
      }
      if (!closed)
        report(error("UnterminatedString", `the string opened here has no closing quote`, []), at);
      push("string", value, at, double);
      continue;
    }
    const single: Partial<Record<string, TokenKind>> = {
      "|": "pipe",
      ",": "comma",
      ";": "semi",
      "(": "open",
      ")": "close",
      "{": "lbrace",
      "}": "rbrace",
      "=": "assign",
    };
    const kind = single[c];
    if (kind) {
      push(kind, c, at);
      advance(1);
      continue;
    }
    if ((c === "@" || c === "$") && text[i + 1] === "(") {
      push("open", `${c}(`, at);
      advance(2);
      continue;
    }
    // A bare word: a command, a parameter, a variable or an unquoted value.
    let word = "";
    while (i < text.length) {
      const d = text[i] as string;
      if (WORD_END.test(d)) break;
      if (d === "=" && word.startsWith("$")) break;
      if (d === "`" && i + 1 < text.length && text[i + 1] !== "\n") {
        word += text[i + 1];
        advance(2);
        continue;
      }
      word += d;
      advance(1);
    }
    if (/^-[A-Za-z]/.test(word)) {
      const colon = word.indexOf(":");
      if (colon < 0) push("param", word.slice(1), at);
      else {
        push("param", word.slice(1, colon), at);
        const rest = word.slice(colon + 1);
        if (rest !== "")
          tokens.push(wordToken(rest, { line: at.line, column: at.column + colon + 1 }));
      }
    } else tokens.push(wordToken(word, at));
  }
  return tokens;
}

function wordToken(word: string, at: Pos): Token {
  if (word.startsWith("$") && word.length > 1) {
    const name = word.startsWith("${") && word.endsWith("}") ? word.slice(2, -1) : word.slice(1);
    return { kind: "var", text: name, ...at };
  }
  return { kind: "word", text: word, ...at };
}

/**
 * Splits the tokens into statements at line ends and ';'. A line continues
 * after a backtick (removed by the tokenizer), after '|', ',' or '=', inside
 * brackets, and when the next line starts with a parameter: commands copied
 * from documentation often wrap that way.
 */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  const flush = () => {
    if (current.length > 0) statements.push(current);
    current = [];
  };
  tokens.forEach((token, k) => {
    if (token.kind === "open" || token.kind === "lbrace") depth++;
    if ((token.kind === "close" || token.kind === "rbrace") && depth > 0) depth--;
    if (token.kind === "semi" && depth === 0) flush();
    else if (token.kind !== "eol") current.push(token);
    else {
      const last = current[current.length - 1];
      if (depth > 0 || last === undefined) return;
      if (last.kind === "pipe" || last.kind === "comma" || last.kind === "assign") return;
      if (tokens[k + 1]?.kind !== "param") flush();
    }
  });
  flush();
  return statements;
}
