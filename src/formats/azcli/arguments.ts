/**
 * The flags of an az command, as az reads them: `--flag value`, `--flag=value`,
 * several values after a list flag, aliases, any unambiguous prefix of an
 * option (`--source-address-prefix`), and `"${array[@]}"` spreads.
 * Values follow the script's variables; one that is not statically known is
 * reported, naming its flag, and the command says what it leaves out.
 */
import type { Severity } from "../../model/diagnostic.js";
import type { LeftOut } from "../shared/left-out.js";
import { ipForwardingMessage, NOT_MODELLED_CODE } from "../shared/unmodelled.js";
import { type Pos, plainText, type Word } from "./bash.js";
import type { AzCliReader } from "./reader.js";
import type { Known } from "./script.js";

/** Flags every command takes that change nothing in the model. */
const IGNORED_FLAGS = new Set([
  "--resource-group",
  "-g",
  "--subscription",
  "--output",
  "-o",
  "--query",
  "--only-show-errors",
  "--no-wait",
  "--verbose",
  "--debug",
  "--tags",
  "--yes",
  "-y",
  "--help",
  "--ids",
]);
const LOCATION_FLAGS = ["--location", "-l"];
const SWITCHES = new Set([
  "--only-show-errors",
  "--no-wait",
  "--verbose",
  "--debug",
  "--yes",
  "-y",
]);

/** A flag a command reads: its canonical name and aliases, and whether it takes several values. */
export interface FlagSpec {
  readonly names: readonly string[];
  readonly list?: boolean;
  /**
   * A resource's name: a part not known stands as a placeholder
   * (`nsg-<randomIdentifier>`). With "nsg", a reference to an NSG: only to
   * one the script names (a placeholder could stand for any other).
   */
  readonly name?: true | "nsg";
}
export type Flags = Record<string, FlagSpec>;

export const NAME_FLAG: FlagSpec = { names: ["--name", "-n"], name: true };

/** What a command's flags give, read without reporting: a value's text when it is statically known. */
export interface FlagPeek {
  text(key: string): string | undefined;
  given(key: string): boolean;
}

/** An az command the importer reads: the flags it takes, and what it does with their values. */
export interface AzCommand {
  readonly flags: Flags;
  /**
   * The command's other long options, which the importer does not read: az
   * takes any unambiguous prefix of an option, and these make some prefixes
   * ambiguous (`--subnet` of `vnet create` could be `--subnets`).
   */
  readonly otherOptions?: readonly string[];
  /** What becomes of the command when a value it needs is not known: "the rule is left out". */
  readonly leftOut: string;
  /** What the command makes or changes, for when it is left out (shared/left-out.ts). */
  omits(flags: FlagPeek): LeftOut;
  run(reader: AzCliReader, args: AzArgs): void;
}

/** A flag's values, each with where it is written; `pos` is the flag's own position. */
interface FlagValues {
  readonly known: readonly { readonly value: Known; readonly pos: Pos }[];
  readonly pos: Pos;
}

/** The flags one command was given, read by the names its `AzCommand` gives them. */
export class AzArgs implements FlagPeek {
  private sawUnknown = false;

  constructor(
    private readonly reader: AzCliReader,
    /** The command's name: `network nsg rule create`. */
    readonly command: string,
    /** Where the command is written. */
    readonly at: Pos,
    private readonly spec: AzCommand,
    private readonly values: ReadonlyMap<string, FlagValues>,
    readonly location: string | undefined,
  ) {}

  /** Whether a value was reported as not statically known (handlers then leave their resource out). */
  get unknown(): boolean {
    return this.sawUnknown;
  }

  text(key: string): string | undefined {
    return nameOrText(this.spec, key, this.values.get(key)?.known[0]?.value);
  }

  given(key: string): boolean {
    return this.values.has(key);
  }

  /** Reports a problem of this command: the message is prefixed with `az <command>: `. */
  report(severity: Severity, code: string, message: string, pos: Pos, hint?: string): void {
    this.reader.report(severity, code, `az ${this.command}: ${message}`, pos, hint);
  }

  /** The flag's values, undefined when it is not given; [] when one is not known (reported). */
  list(key: string): string[] | undefined {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    const texts: string[] = [];
    const spec = this.spec.flags[key] as FlagSpec;
    for (const { value, pos } of entry.known) {
      if (
        "unknown" in value &&
        value.placeholder !== undefined &&
        (spec.name === true ||
          (spec.name === "nsg" && this.reader.nsgs.has(value.placeholder.toLowerCase())))
      ) {
        this.reader.placeholders(value.placeholder, value.why ?? new Map(), pos);
        texts.push(value.placeholder);
        continue;
      }
      if ("unknown" in value) {
        this.sawUnknown = true;
        this.reader.report(
          "warning",
          "ValueNotStaticallyKnown",
          `az ${this.command}: ${this.flagName(key)} is not statically known (${value.unknown}); ${this.spec.leftOut}`,
          pos,
          undefined,
          this.spec.omits(this),
        );
        return [];
      }
      texts.push(value.text);
    }
    return texts;
  }

  /** The flag's value, undefined when it is not given or not known. */
  optional(key: string): string | undefined {
    return this.list(key)?.[0];
  }

  /** The flag's value; when the flag is not given, that is reported and the value is undefined. */
  required(key: string): string | undefined {
    const texts = this.list(key);
    if (texts === undefined)
      this.report("error", "MissingParameter", `${this.flagName(key)} is required`, this.at);
    return texts?.[0];
  }

  /** Where the flag is written, else the command. */
  flagAt(key: string): Pos {
    return this.values.get(key)?.pos ?? this.at;
  }

  /** Where the flag's first value is written, else the command. */
  valueAt(key: string): Pos {
    return this.values.get(key)?.known[0]?.pos ?? this.at;
  }

  /** Where each of the flag's values is written; [] when the flag is not given. */
  valuesAt(key: string): Pos[] {
    return (this.values.get(key)?.known ?? []).map((k) => k.pos);
  }

  /** Where the flag's value is written, or undefined when the flag is not given (for origins). */
  givenAt(key: string): Pos | undefined {
    return this.values.get(key)?.known[0]?.pos;
  }

  private flagName(key: string): string {
    return (this.spec.flags[key] as FlagSpec).names[0] as string;
  }
}

/** A value's text when known; for a name, its placeholder when not (what leaving it out names). */
function nameOrText(spec: AzCommand, key: string, value: Known | undefined): string | undefined {
  if (value === undefined) return undefined;
  if ("text" in value) return value.text;
  return spec.flags[key]?.name === true ? value.placeholder : undefined;
}

const isFlag = (text: string | undefined): text is string =>
  text !== undefined && /^--?[A-Za-z]/.test(text);

/** Every option the command takes, by what it stands for: one of its flags' keys, or itself. */
function optionsOf(spec: AzCommand): Map<string, string> {
  const options = new Map<string, string>();
  for (const o of [...IGNORED_FLAGS, ...LOCATION_FLAGS, ...(spec.otherOptions ?? [])])
    options.set(o, LOCATION_FLAGS.includes(o) ? "location" : o);
  for (const [key, flag] of Object.entries(spec.flags))
    for (const n of flag.names) options.set(n, key);
  return options;
}

/**
 * The option a flag names, as az's argument parser (Python's argparse) finds
 * it: the option written in full, else the one option it is a prefix of
 * (`--destination-port-range` is `--destination-port-ranges`). A prefix of
 * several options is ambiguous, and az refuses the command; a flag that is
 * no option's prefix is given back as written.
 */
export function resolveOption(
  flag: string,
  options: ReadonlyMap<string, string>,
): { readonly option: string } | { readonly ambiguous: readonly string[] } {
  if (options.has(flag) || !flag.startsWith("--")) return { option: flag };
  // One option per meaning: the first of its names (aliases of one option are no ambiguity).
  const byMeaning = new Map<string, string>();
  for (const [o, meaning] of options)
    if (o.startsWith(flag) && !byMeaning.has(meaning)) byMeaning.set(meaning, o);
  const matches = [...byMeaning.values()];
  if (matches.length > 1) return { ambiguous: matches.sort() };
  return { option: matches[0] ?? flag };
}

/**
 * Reads a command's arguments against the flags it takes. Flags it does not
 * take are reported and ignored; undefined (reported) when a flag lacks its value.
 */
export function readArgs(
  reader: AzCliReader,
  command: string,
  args: readonly Word[],
  at: Pos,
  spec: AzCommand,
): AzArgs | undefined {
  const report = (severity: Severity, code: string, message: string, pos: Pos) =>
    reader.report(severity, code, `az ${command}: ${message}`, pos);
  const byName = new Map<string, string>();
  for (const [key, flag] of Object.entries(spec.flags))
    for (const n of flag.names) byName.set(n, key);
  const options = optionsOf(spec);
  const values = new Map<string, FlagValues>();
  let location: string | undefined;
  let ok = true;
  const take = (flag: string, flagPos: Pos, items: Word[]): void => {
    const key = byName.get(flag);
    if (LOCATION_FLAGS.includes(flag)) {
      const v = items[0] ? reader.script.value(items[0]) : undefined;
      if (v && "text" in v) location = v.text;
      return;
    }
    if (key === undefined) {
      const value = items[0] ? reader.script.value(items[0]) : undefined;
      const off = value !== undefined && "text" in value && value.text.toLowerCase() === "false";
      // IP forwarding off is what the model assumes; on, it is named.
      if (flag === "--ip-forwarding") {
        if (!off) report("warning", NOT_MODELLED_CODE, ipForwardingMessage(undefined), flagPos);
      } else if (!IGNORED_FLAGS.has(flag))
        report(
          "warning",
          "UnsupportedParameter",
          `${flag} is not supported; it is ignored`,
          flagPos,
        );
      else if (!SWITCHES.has(flag) && items.length === 0) {
        report("error", "MissingParameterValue", `${flag} has no value`, flagPos);
        ok = false;
      }
      return;
    }
    const list = (spec.flags[key] as FlagSpec).list;
    if (items.length === 0 || (!list && items.length > 1)) {
      report(
        "error",
        "InvalidParameterValue",
        `${flag} takes ${list ? "one or more values" : "one value"}, not ${items.length}`,
        flagPos,
      );
      ok = false;
      return;
    }
    values.set(key, {
      known: items.map((w) => ({ value: reader.script.value(w), pos: w.pos })),
      pos: flagPos,
    });
  };
  let k = 0;
  while (k < args.length) {
    const word = args[k] as Word;
    const spread = reader.script.arraySpread(word);
    if (spread !== undefined) {
      // "${name[@]}": each value the array may hold must add only flags that change nothing here.
      for (const possible of spread.values) {
        const flagsIn = possible.map(plainText).filter((t) => t?.startsWith("-"));
        if (
          flagsIn.some(
            (f) => f === undefined || !(LOCATION_FLAGS.includes(f) || IGNORED_FLAGS.has(f)),
          )
        ) {
          report(
            "warning",
            "ValueNotStaticallyKnown",
            `the arguments in \${${spread.name}[@]} are not statically known; they are ignored`,
            word.pos,
          );
          break;
        }
      }
      k++;
      continue;
    }
    const text = plainText(word);
    if (!isFlag(text)) {
      report(
        "warning",
        "UnsupportedArgument",
        `${text === undefined ? "an argument that is not statically known" : JSON.stringify(text)} is not a flag; it is ignored`,
        word.pos,
      );
      k++;
      continue;
    }
    const eq = text.indexOf("=");
    const written = eq > 0 ? text.slice(0, eq) : text;
    const items: Word[] = [];
    if (eq > 0) items.push({ pos: word.pos, parts: [{ kind: "text", text: text.slice(eq + 1) }] });
    k++;
    while (eq < 0 && k < args.length) {
      const next = args[k] as Word;
      if (reader.script.arraySpread(next) !== undefined) break;
      if (isFlag(plainText(next))) break;
      items.push(next);
      k++;
    }
    const resolved = resolveOption(written, options);
    if ("ambiguous" in resolved) {
      report(
        "error",
        "AmbiguousParameter",
        `${written} could be ${resolved.ambiguous.join(", ")}; az refuses an ambiguous option, so the command fails`,
        word.pos,
      );
      ok = false;
      continue;
    }
    take(resolved.option, word.pos, items);
  }
  return ok ? new AzArgs(reader, command, at, spec, values, location) : undefined;
}

/**
 * The flags of a command that is not run (one in a loop), read without
 * reporting: for what leaving it out costs.
 */
export function peekFlags(reader: AzCliReader, args: readonly Word[], spec: AzCommand): FlagPeek {
  const keys = new Map<string, string>();
  for (const [key, flag] of Object.entries(spec.flags))
    for (const n of flag.names) keys.set(n, key);
  const options = optionsOf(spec);
  const found = new Map<string, Word | undefined>();
  args.forEach((word, k) => {
    const text = plainText(word);
    if (!isFlag(text)) return;
    const eq = text.indexOf("=");
    const resolved = resolveOption(eq > 0 ? text.slice(0, eq) : text, options);
    const key = "option" in resolved ? keys.get(resolved.option) : undefined;
    if (key === undefined || found.has(key)) return;
    const next = args[k + 1];
    found.set(
      key,
      eq > 0
        ? { pos: word.pos, parts: [{ kind: "text", text: text.slice(eq + 1) }] }
        : next !== undefined && !isFlag(plainText(next))
          ? next
          : undefined,
    );
  });
  return {
    given: (key) => found.has(key),
    text: (key) => {
      const word = found.get(key);
      return nameOrText(spec, key, word && reader.script.value(word));
    },
  };
}
