/**
 * The words of a bash script, as far as reading `az` commands needs: line
 * continuations, quoting (ANSI-C `$'...'` too), comments, variable
 * expansions and array assignments. The script is read, never run.
 */
import { readAnsiC } from "./ansi-c.js";

export interface Pos {
  readonly line: number;
  readonly column: number;
}

/** A piece of a word: literal text, a `$` expansion, or a command substitution. */
export type Part =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "var"; readonly expr: string }
  | { readonly kind: "subst"; readonly text: string };

export interface Word {
  readonly parts: readonly Part[];
  readonly pos: Pos;
  /** `name=( ... )`: the words of an array assignment, after the `name=` parts. */
  readonly array?: readonly Word[];
}

/** One simple command: its words, and the operator that ended it. */
export interface SimpleCommand {
  readonly words: readonly Word[];
  readonly pos: Pos;
}

export interface LexProblem {
  readonly message: string;
  readonly pos: Pos;
}

const OPERATORS = ["&&", "||", ";;", ";", "&", "|", "\n", "(", ")"];

/** Splits a script into simple commands; `problem` is set when the script ends inside a quote. */
export function lexBash(text: string): { commands: SimpleCommand[]; problem?: LexProblem } {
  let i = 0;
  let line = 1;
  let column = 1;
  const pos = (): Pos => ({ line, column });
  const advance = (n = 1) => {
    for (let k = 0; k < n && i < text.length; k++) {
      if (text[i] === "\n") {
        line++;
        column = 1;
      } else column++;
      i++;
    }
  };
  const fail = (message: string, at: Pos): never => {
    throw Object.assign(new Error(message), { at });
  };

  /** `${...}`, `$(...)` or `` `...` ``: the text up to the matching close. */
  const enclosed = (open: string, close: string, start: Pos): string => {
    let depth = 1;
    let out = "";
    while (i < text.length) {
      const c = text[i] as string;
      if (c === "\\" && i + 1 < text.length) {
        out += c + text[i + 1];
        advance(2);
        continue;
      }
      if (c === "'" && open === "(") {
        const end = text.indexOf("'", i + 1);
        if (end < 0) break;
        out += text.slice(i, end + 1);
        advance(end + 1 - i);
        continue;
      }
      if (c === close && --depth === 0) {
        advance();
        return out;
      }
      if (c === open && open !== close) depth++;
      out += c;
      advance();
    }
    return fail(`${open === "`" ? "`" : `$${open}`} has no closing ${close}`, start);
  };

  const dollar = (parts: Part[]): void => {
    const start = pos();
    const next = text[i + 1];
    if (next === "{") {
      advance(2);
      parts.push({ kind: "var", expr: enclosed("{", "}", start) });
    } else if (next === "(") {
      advance(2);
      parts.push({ kind: "subst", text: enclosed("(", ")", start) });
    } else {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(text.slice(i));
      if (m) {
        advance(m[0].length);
        parts.push({ kind: "var", expr: m[1] as string });
      } else {
        advance();
        parts.push({ kind: "text", text: "$" });
      }
    }
  };

  const word = (): Word => {
    const at = pos();
    const parts: Part[] = [];
    const literal = (s: string) => {
      const last = parts[parts.length - 1];
      if (last?.kind === "text") parts[parts.length - 1] = { kind: "text", text: last.text + s };
      else parts.push({ kind: "text", text: s });
    };
    while (i < text.length) {
      const c = text[i] as string;
      if (/[\s;&|()<>]/.test(c)) {
        // `name=(`: an array assignment.
        const prefix = parts.length === 1 && parts[0]?.kind === "text" ? parts[0].text : "";
        if (c === "(" && /^[A-Za-z_][A-Za-z0-9_]*=$/.test(prefix)) {
          advance();
          const items: Word[] = [];
          for (;;) {
            while (i < text.length && /\s/.test(text[i] as string)) advance();
            if (text.startsWith("\\\n", i)) {
              advance(2);
              continue;
            }
            if (text[i] === ")") {
              advance();
              break;
            }
            if (i >= text.length) fail("the array assignment has no closing )", at);
            items.push(word());
          }
          return { parts, pos: at, array: items };
        }
        break;
      }
      if (c === "\\") {
        if (text[i + 1] === "\n") advance(2);
        else {
          literal(text[i + 1] ?? "");
          advance(2);
        }
      } else if (c === "'") {
        const start = pos();
        const end = text.indexOf("'", i + 1);
        if (end < 0) fail("the string opened here has no closing '", start);
        literal(text.slice(i + 1, end));
        advance(end + 1 - i);
      } else if (c === '"') {
        const start = pos();
        advance();
        for (;;) {
          if (i >= text.length) fail('the string opened here has no closing "', start);
          const d = text[i] as string;
          if (d === '"') {
            advance();
            break;
          }
          if (d === "\\" && '$`"\\\n'.includes(text[i + 1] ?? "")) {
            if (text[i + 1] !== "\n") literal(text[i + 1] as string);
            advance(2);
          } else if (d === "$") dollar(parts);
          else if (d === "`") {
            const s = pos();
            advance();
            parts.push({ kind: "subst", text: enclosed("`", "`", s) });
          } else {
            literal(d);
            advance();
          }
        }
      } else if (c === "$" && text[i + 1] === "'") {
        const start = pos();
        const quoted =
          readAnsiC(text, i + 2) ?? fail("the string opened here has no closing '", start);
        literal(quoted.value);
        advance(quoted.end - i);
      } else if (c === "$") dollar(parts);
      else if (c === "`") {
        const s = pos();
        advance();
        parts.push({ kind: "subst", text: enclosed("`", "`", s) });
      } else {
        literal(c);
        advance();
      }
    }
    if (parts.length === 0) parts.push({ kind: "text", text: "" });
    return { parts, pos: at };
  };

  const commands: SimpleCommand[] = [];
  let current: Word[] = [];
  const flush = () => {
    if (current.length > 0) commands.push({ words: current, pos: (current[0] as Word).pos });
    current = [];
  };
  /** Here-documents opened on the current line: their bodies start at the next. */
  let heredocs: { delimiter: string; tabs: boolean; pos: Pos }[] = [];
  /** Past the bodies of the pending here-documents, each up to its delimiter line. */
  const skipHeredocs = () => {
    for (const h of heredocs)
      for (;;) {
        if (i >= text.length)
          fail(`the here-document opened here has no closing ${h.delimiter} line`, h.pos);
        const end = text.indexOf("\n", i);
        const line = text.slice(i, end < 0 ? text.length : end);
        advance(line.length + 1);
        if ((h.tabs ? line.replace(/^\t+/, "") : line) === h.delimiter) break;
      }
    heredocs = [];
  };
  try {
    while (i < text.length) {
      const c = text[i] as string;
      if (text.startsWith("\\\n", i)) advance(2);
      else if (c === "\n" || c === ";" || c === "&" || c === "|" || c === "(" || c === ")") {
        const op = OPERATORS.find((o) => text.startsWith(o, i)) ?? c;
        flush();
        advance(op.length);
        // A here-document's body is text for its command, never commands.
        if (c === "\n" && heredocs.length > 0) skipHeredocs();
      } else if (/\s/.test(c)) advance();
      else if (c === "#") while (i < text.length && text[i] !== "\n") advance();
      else if (c === "<" || c === ">") {
        // Redirections: the operator and its target are no arguments.
        const at = pos();
        const from = i;
        while (i < text.length && /[<>&0-9]/.test(text[i] as string)) advance();
        // `<<` and `<<-` open a here-document (`<<<` is a here-string).
        const heredoc = /(^|[^<])<<$/.test(text.slice(from, i));
        const tabs = heredoc && text[i] === "-";
        if (tabs) advance();
        while (i < text.length && /[ \t]/.test(text[i] as string)) advance();
        if (i < text.length && !/[\n;&|]/.test(text[i] as string)) {
          const target = word();
          const delimiter = target.parts.map((p) => (p.kind === "text" ? p.text : "")).join("");
          if (heredoc) heredocs.push({ delimiter, tabs, pos: at });
        }
      } else current.push(word());
    }
    flush();
    if (heredocs.length > 0) skipHeredocs();
    return { commands };
  } catch (e) {
    const at = (e as { at?: Pos }).at;
    if (at === undefined) throw e;
    // The command the quote cut short is left out: its words are not known.
    return { commands, problem: { message: (e as Error).message, pos: at } };
  }
}

/** The literal text of a word without expansions, or undefined. */
export function plainText(word: Word): string | undefined {
  if (word.array !== undefined) return undefined;
  return word.parts.every((p) => p.kind === "text")
    ? word.parts.map((p) => (p.kind === "text" ? p.text : "")).join("")
    : undefined;
}
