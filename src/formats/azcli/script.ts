/**
 * What a bash script's statements leave in its variables, read without
 * running it: assignments and array assignments, `read`, and the `if`, `for`,
 * `while`, `case` and `{` blocks a statement sits in. A value that depends on
 * the environment, on a command's output or on a block's condition is named,
 * never guessed.
 */
import { type Pos, plainText, type SimpleCommand, type Word } from "./bash.js";

/**
 * A value the script gives, or why it is not known before it runs. A value
 * made of text and variables that are not known has a `placeholder` for use
 * in names: `msdocs-nsg-<randomIdentifier>`.
 */
export type Known =
  | { readonly text: string }
  | {
      readonly unknown: string;
      readonly placeholder?: string;
      readonly why?: ReadonlyMap<string, string>;
    };

/** An open block: the keyword that opened it, and where. */
export interface Block {
  readonly keyword: string;
  readonly pos: Pos;
}

export class Script {
  private readonly variables = new Map<string, Known>();
  /** Every value an array variable may hold, one per assignment. */
  private readonly arrays = new Map<string, Word[][]>();
  /** Open `if`, `for`, `while`, `case` and `{` blocks, with where each began. */
  private readonly blocks: Block[] = [];

  /** The innermost open block, or undefined at the top level. */
  get block(): Block | undefined {
    return this.blocks[this.blocks.length - 1];
  }

  /**
   * Follows one statement: the blocks it opens or closes and the variables it
   * sets. Gives the words of an `az` command, for the caller to read.
   */
  statement(command: SimpleCommand): Word[] | undefined {
    let words = [...command.words];
    // Keywords that open or close blocks; what follows `then`, `do` or `else` is a command.
    for (;;) {
      const head = words[0] && plainText(words[0]);
      if (head === undefined) break;
      if (["if", "while", "until", "for", "case", "select", "{"].includes(head)) {
        this.blocks.push({ keyword: head, pos: (words[0] as Word).pos });
        if (head === "for" || head === "case" || head === "select") return undefined;
        words = words.slice(1);
      } else if (["fi", "done", "esac", "}"].includes(head)) {
        this.blocks.pop();
        words = words.slice(1);
      } else if (["then", "do", "else", "elif", "!"].includes(head)) words = words.slice(1);
      else break;
      if (words.length === 0) return undefined;
    }
    const first = words[0];
    if (first === undefined) return undefined;
    const head = plainText(first);
    if (head === "az") return words;
    // `let "x=$RANDOM*$RANDOM"`: arithmetic the shell computes when the script runs.
    if (head === "let") {
      for (const w of words.slice(1)) {
        const name = /^([A-Za-z_][A-Za-z0-9_]*)\s*[-+*/%&|^]?=/.exec(
          w.parts.map((p) => (p.kind === "text" ? p.text : "\0")).join(""),
        )?.[1];
        if (name !== undefined)
          this.setUnknown(name, `$${name} is computed by let when the script runs`);
      }
      return undefined;
    }
    const assignments = ["export", "readonly", "declare", "local", "typeset"].includes(head ?? "")
      ? words.slice(1).filter((w) => !(plainText(w) ?? "").startsWith("-"))
      : words;
    if (assignments.length > 0 && assignments.every((w) => assignmentName(w) !== undefined))
      for (const w of assignments) this.assign(w);
    else if (head === "read" || head === "mapfile" || head === "readarray")
      for (const w of words.slice(1)) {
        const name = plainText(w);
        if (name !== undefined && !name.startsWith("-"))
          this.setUnknown(name, `$${name} is read at run time`);
      }
    return undefined;
  }

  private assign(word: Word): void {
    const name = assignmentName(word) as string;
    const first = word.parts[0] as { text: string };
    const rest: Word = {
      pos: word.pos,
      parts: [
        { kind: "text", text: first.text.slice(first.text.indexOf("=") + 1) },
        ...word.parts.slice(1),
      ],
    };
    if (word.array !== undefined) {
      const values = this.blocks.length > 0 ? (this.arrays.get(name) ?? []) : [];
      this.arrays.set(name, [...values, [...word.array]]);
      return;
    }
    const block = this.block;
    if (block !== undefined) {
      this.setUnknown(
        name,
        `$${name} is set inside the ${block.keyword} block at line ${block.pos.line}`,
      );
      return;
    }
    if (first.text.includes("+=")) {
      this.setUnknown(name, `$${name} is appended to`);
      return;
    }
    const value = this.value(rest);
    if ("text" in value) this.variables.set(name, value);
    // A value built of unknown variables keeps its placeholder: `vnet-<randomIdentifier>`.
    else if (value.placeholder !== undefined) this.variables.set(name, value);
    else this.setUnknown(name, value.unknown);
  }

  /** How many times each variable was given a value not known, for telling those values apart. */
  private readonly unknownSets = new Map<string, number>();

  /** The variable holds a value not known: its placeholder is `<name>` (`<name~2>` for its second such value). */
  private setUnknown(name: string, why: string): void {
    const n = (this.unknownSets.get(name) ?? 0) + 1;
    this.unknownSets.set(name, n);
    const placeholder = n === 1 ? `<${name}>` : `<${name}~${n}>`;
    this.variables.set(name, { unknown: why, placeholder, why: new Map([[placeholder, why]]) });
  }

  /**
   * The value of a word, following the script's variables. Text and plain
   * variables not known give a placeholder too (`$X` unset is `<X>`).
   */
  value(word: Word): Known {
    if (word.array !== undefined) return { unknown: "an array" };
    let out = "";
    let unknown: string | undefined;
    const why = new Map<string, string>();
    for (const part of word.parts) {
      if (part.kind === "text") out += part.text;
      else if (part.kind === "subst")
        return { unknown: `$(${part.text.trim()}) is known only when the script runs` };
      else {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?+])(.*))?$/s.exec(part.expr);
        const name = m?.[1];
        const operator = m?.[2];
        if (name === undefined || operator?.endsWith("+"))
          return { unknown: `\${${part.expr}} is known only when the script runs` };
        const known = this.variables.get(name);
        if (known === undefined) {
          const reason = `$${name} is not set in the script${operator === undefined ? "" : ` (\${${part.expr}} depends on the environment)`}`;
          // `${X:-default}` is X or the default: no one placeholder stands for it.
          if (operator !== undefined) return { unknown: reason };
          unknown ??= reason;
          out += `<${name}>`;
          why.set(`<${name}>`, reason);
          continue;
        }
        if ("unknown" in known) {
          if (known.placeholder === undefined || operator !== undefined)
            return { unknown: known.unknown };
          unknown ??= known.unknown;
          out += known.placeholder;
          for (const [k, v] of known.why ?? []) why.set(k, v);
          continue;
        }
        // `${X:-default}` of an empty X is the default, which may itself expand: not followed.
        if (known.text === "" && operator?.startsWith(":"))
          return { unknown: `\${${part.expr}} of an empty $${name}` };
        out += known.text;
      }
    }
    return unknown === undefined ? { text: out } : { unknown, placeholder: out, why };
  }

  /** `"${name[@]}"`: the array's name and every value it may hold (the word itself when not assigned). */
  arraySpread(word: Word): { name: string; values: Word[][] } | undefined {
    const only = word.parts.length === 1 ? word.parts[0] : undefined;
    if (only?.kind !== "var") return undefined;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]$/.exec(only.expr);
    if (!m) return undefined;
    const name = m[1] as string;
    return {
      name,
      values: this.arrays.get(name) ?? [
        [{ pos: word.pos, parts: [{ kind: "var", expr: only.expr }] }],
      ],
    };
  }
}

/** The variable a word assigns (`NAME=...` or `NAME+=...`), or undefined. */
function assignmentName(word: Word): string | undefined {
  const first = word.parts[0];
  if (first?.kind !== "text") return undefined;
  return /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(first.text)?.[1];
}
