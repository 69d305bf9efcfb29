import { type Diagnostic, error, info, warning } from "../../model/diagnostic.js";
import { isValidResourceName } from "../../model/rule.js";
import { classicTagReplacement } from "../../model/service-tags.js";
import type {
  ApplicationSecurityGroup,
  ResourceRef,
  SecurityRule,
  Subnet,
  Topology,
} from "../../model/types.js";

/**
 * Imports the NSGs, rules and subnet associations a PowerShell script creates,
 * with the classic Service Management cmdlets (`New-AzureNetworkSecurityGroup`,
 * `Set-AzureNetworkSecurityRule`, `Set-AzureNetworkSecurityGroupToSubnet`) or
 * the Az module (`New-AzNetworkSecurityRuleConfig`, `New-AzNetworkSecurityGroup`,
 * `Add-AzNetworkSecurityRuleConfig`, `Set-AzVirtualNetworkSubnetConfig`, ...).
 * The script is read, never run: every statement not understood is reported.
 */
export function importPowerShell(
  text: string,
  file: string,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const importer = new Importer(file);
  const tokens = tokenize(text, importer);
  for (const statement of splitStatements(tokens)) importer.statement(statement);
  return { topology: importer.topology(), diagnostics: importer.diagnostics };
}

// ---------------------------------------------------------------------------
// Tokens

interface Pos {
  readonly line: number;
  readonly column: number;
}

type TokenKind =
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

interface Token extends Pos {
  readonly kind: TokenKind;
  readonly text: string;
  /** A double-quoted string, whose `$variables` expand. */
  readonly expand?: boolean;
}

const SINGLE_QUOTES = new Set(["'", "\u2018", "\u2019", "\u201a", "\u201b"]);
const DOUBLE_QUOTES = new Set(['"', "\u201c", "\u201d", "\u201e"]);
const WORD_END = /[\s|;,(){}'"\u2018\u2019\u201a\u201b\u201c\u201d\u201e]/;
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0" };

function tokenize(text: string, importer: Importer): Token[] {
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
      if (end < 0)
        importer.report(error("UnterminatedComment", "the block comment <# has no #>", []), at);
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
        value += d;
        advance(1);
      }
      if (!closed)
        importer.report(
          error("UnterminatedString", `the string opened here has no closing quote`, []),
          at,
        );
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
function splitStatements(tokens: readonly Token[]): Token[][] {
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

// ---------------------------------------------------------------------------
// Statements

type Item =
  | { readonly kind: "string" | "word"; readonly text: string; readonly pos: Pos; expand?: boolean }
  | { readonly kind: "var"; readonly text: string; readonly pos: Pos }
  | { readonly kind: "expr"; readonly text: string; readonly pos: Pos };

interface Value {
  readonly items: readonly Item[];
  readonly pos: Pos;
}

interface Arg {
  readonly name: string;
  readonly pos: Pos;
  readonly value?: Value;
}

interface Command {
  readonly name: string;
  readonly pos: Pos;
  readonly args: readonly Arg[];
  readonly positional: readonly Value[];
}

type Segment = { readonly command: Command } | { readonly value: Value };

class SyntaxProblem extends Error {
  constructor(
    readonly diagnostic: Diagnostic,
    readonly pos: Pos,
  ) {
    super(diagnostic.message);
  }
}

const VALUE_START: ReadonlySet<TokenKind> = new Set(["string", "word", "var", "open"]);
const COMMAND_NAME = /^[A-Za-z]+-[A-Za-z0-9]+$/;

function describe(token: Token): string {
  return token.kind === "eol" ? "the end of the line" : JSON.stringify(token.text);
}

/** Reads one value: an element, or a comma-separated list of them. */
function parseValue(tokens: readonly Token[], start: number): { value: Value; next: number } {
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

function parseSegment(tokens: readonly Token[]): Segment {
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
  if (token.kind === "lbrace")
    return new SyntaxProblem(
      warning(
        "UnsupportedStatement",
        `${head ? `${head.text} with a script block` : "a script block"} is not supported; the statement is ignored`,
        [],
      ),
      head ?? token,
    );
  return new SyntaxProblem(error("UnexpectedToken", `unexpected ${describe(token)}`, []), token);
}

/** Splits at '|' outside brackets. */
function splitPipeline(tokens: readonly Token[]): Token[][] {
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

// ---------------------------------------------------------------------------
// Evaluation

/** What a value or a variable holds, as far as the network is concerned. */
type Held =
  | { readonly kind: "text"; readonly text: string; readonly pos: Pos }
  | { readonly kind: "rule"; readonly rule: SecurityRule; readonly pos: Pos }
  | { readonly kind: "nsg"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "vnet"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "subnet"; readonly subnet: Subnet; readonly pos: Pos }
  | { readonly kind: "asg"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "unknownVar"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "expr"; readonly text: string; readonly pos: Pos };

interface NsgState {
  name: string;
  location?: string;
  rules: SecurityRule[];
}

interface VnetState {
  name: string;
  location?: string;
  addressPrefixes: string[];
  subnets: Subnet[];
  placeholder: boolean;
  pos: Pos;
}

/** Parameters no cmdlet needs a value for. */
const SWITCHES = new Set(
  ["Force", "AsJob", "PassThru", "Confirm", "WhatIf", "Verbose", "Debug", "Detailed"].map((s) =>
    s.toLowerCase(),
  ),
);

/** Cmdlets that change nothing the model holds: signing in, resource groups, saving changes. */
const NO_NETWORK_EFFECT = new Set(
  [
    "Connect-AzAccount",
    "Login-AzAccount",
    "Set-AzContext",
    "Select-AzSubscription",
    "New-AzResourceGroup",
    "Add-AzureAccount",
    "Select-AzureSubscription",
    "Write-Host",
    "Write-Output",
  ].map((s) => s.toLowerCase()),
);

type Handler = (command: Command, input: readonly Held[] | undefined) => Held[] | undefined;

class Importer {
  readonly diagnostics: Diagnostic[] = [];
  private readonly variables = new Map<string, Held[]>();
  private readonly nsgs = new Map<string, NsgState>();
  private readonly vnets = new Map<string, VnetState>();
  private readonly asgs = new Map<string, ApplicationSecurityGroup>();
  private readonly handlers: ReadonlyMap<string, Handler>;

  constructor(private readonly file: string) {
    const handlers: Record<string, Handler> = {
      "New-AzureNetworkSecurityGroup": (c) => this.newNsg(c, true),
      "Get-AzureNetworkSecurityGroup": (c) => this.getNsg(c, true),
      "Set-AzureNetworkSecurityRule": (c, input) => this.setRule(c, input, true),
      "Remove-AzureNetworkSecurityRule": (c, input) => this.removeRule(c, input, true),
      "Set-AzureNetworkSecurityGroupToSubnet": (c, input) => this.classicToSubnet(c, input),
      "New-AzNetworkSecurityRuleConfig": (c) => this.newRuleConfig(c),
      "New-AzNetworkSecurityGroup": (c) => this.newNsg(c, false),
      "Get-AzNetworkSecurityGroup": (c) => this.getNsg(c, false),
      "Add-AzNetworkSecurityRuleConfig": (c, input) => this.setRule(c, input, false),
      "Set-AzNetworkSecurityRuleConfig": (c, input) => this.setRule(c, input, false),
      "Remove-AzNetworkSecurityRuleConfig": (c, input) => this.removeRule(c, input, false),
      "Set-AzNetworkSecurityGroup": (c, input) => this.saveNsg(c, input),
      "Get-AzVirtualNetwork": (c) => this.getVnet(c),
      "New-AzVirtualNetwork": (c) => this.newVnet(c),
      "Set-AzVirtualNetwork": (c, input) => this.saveVnet(c, input),
      "New-AzVirtualNetworkSubnetConfig": (c) => this.newSubnetConfig(c),
      "Set-AzVirtualNetworkSubnetConfig": (c, input) => this.subnetConfig(c, input),
      "Add-AzVirtualNetworkSubnetConfig": (c, input) => this.subnetConfig(c, input),
      "New-AzApplicationSecurityGroup": (c) => this.asg(c, true),
      "Get-AzApplicationSecurityGroup": (c) => this.asg(c, false),
    };
    this.handlers = new Map(Object.entries(handlers).map(([k, v]) => [k.toLowerCase(), v]));
  }

  report(d: Diagnostic, pos: Pos): void {
    this.diagnostics.push({
      ...d,
      location: { file: this.file, line: pos.line, column: pos.column },
    });
  }

  topology(): Topology {
    const virtualNetworks = [...this.vnets.values()].map((v) => {
      if (v.placeholder)
        this.report(
          info(
            "PlaceholderVirtualNetwork",
            `virtual network ${JSON.stringify(v.name)} appears only by name; it is imported without address space, with only the subnets the script names`,
            [],
            "add its address space and subnets' prefixes to the spec",
          ),
          v.pos,
        );
      return {
        name: v.name,
        ...(v.location === undefined ? {} : { location: v.location }),
        addressSpace: { addressPrefixes: v.addressPrefixes },
        subnets: v.subnets,
      };
    });
    return {
      virtualNetworks,
      networkSecurityGroups: [...this.nsgs.values()].map((n) => ({
        name: n.name,
        ...(n.location === undefined ? {} : { location: n.location }),
        securityRules: n.rules,
      })),
      applicationSecurityGroups: [...this.asgs.values()],
      networkInterfaces: [],
      environments: [],
    };
  }

  statement(tokens: readonly Token[]): void {
    try {
      const first = tokens[0] as Token;
      let target: Token | undefined;
      let rest = tokens;
      if (first.kind === "var" && tokens[1]?.kind === "assign") {
        target = first;
        rest = tokens.slice(2);
        if (rest.length === 0)
          throw new SyntaxProblem(
            error("MissingValue", `$${first.text} = has no value`, []),
            tokens[1],
          );
      }
      const head = rest[0] as Token;
      // `$x = word` assigns the word; elsewhere a bare word is a command.
      const isPipeline =
        head.kind === "word" && (!target || COMMAND_NAME.test(head.text) || rest.length > 1);
      let result: Held[] | undefined;
      if (isPipeline || head.kind !== "word") result = this.pipeline(rest);
      else result = this.resolve(parseValue(rest, 0).value);
      if (target && result) this.variables.set(target.text.toLowerCase(), result);
    } catch (problem) {
      if (!(problem instanceof SyntaxProblem)) throw problem;
      this.report(problem.diagnostic, problem.pos);
    }
  }

  private pipeline(tokens: readonly Token[]): Held[] | undefined {
    let input: Held[] | undefined;
    for (const segmentTokens of splitPipeline(tokens)) {
      const segment = parseSegment(segmentTokens);
      if ("value" in segment) {
        input = this.resolve(segment.value);
        continue;
      }
      const { command } = segment;
      const handler = this.handlers.get(command.name.toLowerCase());
      if (NO_NETWORK_EFFECT.has(command.name.toLowerCase())) {
        input = [];
        continue;
      }
      if (!handler) {
        this.report(
          warning(
            "UnsupportedStatement",
            `${command.name} is not supported; the statement is ignored`,
            [],
            "the importer reads the NSG, rule and subnet cmdlets of the Az module and of classic Service Management",
          ),
          command.pos,
        );
        return undefined;
      }
      for (const value of command.positional)
        this.report(
          warning(
            "UnsupportedArgument",
            `${command.name}: positional arguments are not supported; name the parameter`,
            [],
          ),
          value.pos,
        );
      const output = handler(command, input);
      if (output === undefined) return undefined;
      input = output;
    }
    return input;
  }

  /** Every element of a value, with variables replaced by what they hold. */
  resolve(value: Value): Held[] {
    return value.items.flatMap((item): Held[] => {
      if (item.kind === "expr") return [{ kind: "expr", text: item.text, pos: item.pos }];
      if (item.kind === "var") {
        const held = this.variables.get(item.text.toLowerCase());
        if (held) return held.map((h) => ({ ...h, pos: item.pos }));
        return [{ kind: "unknownVar", name: item.text, pos: item.pos }];
      }
      const text = item.kind === "string" && item.expand ? this.expand(item.text) : item.text;
      return [{ kind: "text", text, pos: item.pos }];
    });
  }

  private expand(text: string): string {
    return text.replace(/\$(?:\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced, plain) => {
      const held = this.variables.get(String(braced ?? plain).toLowerCase());
      return held?.length === 1 && held[0]?.kind === "text" ? held[0].text : whole;
    });
  }

  // --- parameters ----------------------------------------------------------

  /** The command's parameters by name; reports unknown ones and missing values. */
  private params(command: Command, known: readonly string[]): Params {
    const byName = new Map<string, Arg>();
    const knownLower = new Set(known.map((k) => k.toLowerCase()));
    for (const arg of command.args) {
      const lower = arg.name.toLowerCase();
      if (!knownLower.has(lower) && !SWITCHES.has(lower)) {
        this.report(
          warning(
            "UnsupportedParameter",
            `${command.name}: -${arg.name} is not supported; it is ignored`,
            [],
          ),
          arg.pos,
        );
        continue;
      }
      if (arg.value === undefined && !SWITCHES.has(lower)) {
        this.report(
          error("MissingParameterValue", `${command.name}: -${arg.name} has no value`, []),
          arg.pos,
        );
        continue;
      }
      byName.set(lower, arg);
    }
    return new Params(this, command, byName);
  }

  // --- network security groups ---------------------------------------------

  private nsgNamed(name: string, pos: Pos, classic: boolean, create = false): NsgState {
    const armName = classic ? this.armName("network security group", name, pos) : name;
    const key = armName.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name: armName, rules: [] };
      this.nsgs.set(key, nsg);
      if (!create)
        this.report(
          info(
            "NetworkSecurityGroupNotCreated",
            `the script does not create network security group ${JSON.stringify(armName)}; only the rules it adds are imported`,
            [],
          ),
          pos,
        );
    }
    return nsg;
  }

  private renamed = new Set<string>();

  /** A classic name made valid for Resource Manager: runs of other characters become '-'. */
  private armName(kind: string, name: string, pos: Pos): string {
    if (isValidResourceName(name)) return name;
    const replaced = name
      .replace(/[^A-Za-z0-9_.-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .replace(/[.-]+$/, "");
    if (replaced === "" || replaced === name) return name;
    const key = `${kind}\0${name}\0${pos.line}:${pos.column}`;
    if (!this.renamed.has(key)) {
      this.renamed.add(key);
      this.report(
        info(
          "RenamedForResourceManager",
          `${kind} ${JSON.stringify(name)} is imported as ${JSON.stringify(replaced)}: Resource Manager names allow only letters, digits, '.', '-' and '_'`,
          [],
        ),
        pos,
      );
    }
    return replaced;
  }

  private newNsg(command: Command, classic: boolean): Held[] | undefined {
    const p = this.params(
      command,
      classic
        ? ["Name", "Location", "Label"]
        : ["Name", "ResourceGroupName", "Location", "SecurityRules", "Tag", "FlushConnection"],
    );
    const name = p.required("Name");
    if (!name) return undefined;
    const nsg = this.nsgNamed(name.text, name.pos, classic, true);
    const location = p.optionalText("Location");
    if (location) nsg.location = location.text;
    for (const held of p.all("SecurityRules")) {
      if (held.kind === "rule") this.putRule(nsg, held.rule);
      else
        this.badValue(
          command,
          "SecurityRules",
          held,
          "a rule from New-AzNetworkSecurityRuleConfig",
        );
    }
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private getNsg(command: Command, classic: boolean): Held[] | undefined {
    const p = this.params(command, classic ? ["Name"] : ["Name", "ResourceGroupName"]);
    const name = p.required("Name");
    if (!name) return undefined;
    const nsg = this.nsgNamed(name.text, name.pos, classic);
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  /** The NSG a command works on: from `-NetworkSecurityGroup`, else from the pipeline. */
  private targetNsg(
    command: Command,
    p: Params,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): NsgState | undefined {
    const given = p.all("NetworkSecurityGroup");
    const held = given.length > 0 ? given : (input ?? []);
    const first = held[0];
    if (held.length === 1 && first) {
      if (first.kind === "nsg") return this.nsgs.get(first.name.toLowerCase());
      if (first.kind === "text") return this.nsgNamed(first.text, first.pos, classic);
      if (first.kind === "unknownVar") return this.nsgFromVariable(first.name, first.pos);
    }
    if (first) this.badValue(command, "NetworkSecurityGroup", first, "one network security group");
    else
      this.report(
        error(
          "MissingNetworkSecurityGroup",
          `${command.name}: no network security group given; pass -NetworkSecurityGroup or pipe one in`,
          [],
        ),
        command.pos,
      );
    return undefined;
  }

  private nsgFromVariable(variable: string, pos: Pos): NsgState {
    const existing = this.nsgs.get(variable.toLowerCase());
    if (existing) return existing;
    this.report(
      info(
        "NetworkSecurityGroupNamedAfterVariable",
        `$${variable} is not set in the script; the network security group is named ${JSON.stringify(variable)}`,
        [],
      ),
      pos,
    );
    const nsg: NsgState = { name: variable, rules: [] };
    this.nsgs.set(variable.toLowerCase(), nsg);
    return nsg;
  }

  private putRule(nsg: NsgState, rule: SecurityRule): void {
    const at = nsg.rules.findIndex((r) => r.name.toLowerCase() === rule.name.toLowerCase());
    if (at < 0) nsg.rules.push(rule);
    else nsg.rules[at] = rule;
  }

  private setRule(
    command: Command,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): Held[] | undefined {
    const p = this.params(command, [
      ...RULE_PARAMS,
      ...(classic ? ["Type", "Action"] : ["Access", "Direction", "Description", ...ASG_PARAMS]),
      "NetworkSecurityGroup",
    ]);
    const nsg = this.targetNsg(command, p, input, classic);
    const rule = this.buildRule(command, p, classic);
    if (!nsg) return undefined;
    if (rule) this.putRule(nsg, rule);
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private removeRule(
    command: Command,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): Held[] | undefined {
    const p = this.params(command, ["Name", "NetworkSecurityGroup"]);
    const nsg = this.targetNsg(command, p, input, classic);
    const name = p.required("Name");
    if (!nsg || !name) return undefined;
    const ruleName = classic ? this.armName("security rule", name.text, name.pos) : name.text;
    nsg.rules = nsg.rules.filter((r) => r.name.toLowerCase() !== ruleName.toLowerCase());
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private saveNsg(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.params(command, ["NetworkSecurityGroup"]);
    const nsg = this.targetNsg(command, p, input, false);
    return nsg ? [{ kind: "nsg", name: nsg.name, pos: command.pos }] : undefined;
  }

  private newRuleConfig(command: Command): Held[] | undefined {
    const p = this.params(command, [
      ...RULE_PARAMS,
      "Access",
      "Direction",
      "Description",
      ...ASG_PARAMS,
    ]);
    const rule = this.buildRule(command, p, false);
    return rule ? [{ kind: "rule", rule, pos: command.pos }] : undefined;
  }

  private buildRule(command: Command, p: Params, classic: boolean): SecurityRule | undefined {
    const name = p.required("Name");
    const priority = p.required("Priority");
    const access = p.required(classic ? "Action" : "Access");
    const direction = p.required(classic ? "Type" : "Direction");
    const protocol = p.required("Protocol");
    if (!name || !priority || !access || !direction || !protocol) return undefined;
    if (!/^\d+$/.test(priority.text)) {
      this.report(
        error(
          "InvalidParameterValue",
          `${command.name}: -Priority ${JSON.stringify(priority.text)} is not a whole number`,
          [],
        ),
        priority.pos,
      );
      return undefined;
    }
    const description = p.text("Description");
    const rule: Record<string, unknown> = {
      name: classic ? this.armName("security rule", name.text, name.pos) : name.text,
      ...(description ? { description: description.text } : {}),
      protocol: PROTOCOLS[protocol.text.toLowerCase()] ?? protocol.text,
      access: caseOf(["Allow", "Deny"], access.text),
      priority: Number(priority.text),
      direction: caseOf(["Inbound", "Outbound"], direction.text),
    };
    for (const side of ["Source", "Destination"] as const) {
      const asgs = this.asgRefs(command, p, side);
      if (asgs.length > 0) rule[`${side.toLowerCase()}ApplicationSecurityGroups`] = asgs;
    }
    for (const [param, field, tags] of [
      ["SourceAddressPrefix", "sourceAddressPrefix", true],
      ["SourcePortRange", "sourcePortRange", false],
      ["DestinationAddressPrefix", "destinationAddressPrefix", true],
      ["DestinationPortRange", "destinationPortRange", false],
    ] as const) {
      const values = p.texts(param).map((t) => (classic && tags ? classicTag(t) : t));
      if (values.length === 1) rule[field] = values[0];
      else if (values.length > 1) rule[`${field}${field.endsWith("x") ? "es" : "s"}`] = values;
    }
    return rule as unknown as SecurityRule;
  }

  // --- application security groups ---------------------------------------

  private asg(command: Command, create: boolean): Held[] | undefined {
    const p = this.params(
      command,
      create ? ["Name", "ResourceGroupName", "Location", "Tag"] : ["Name", "ResourceGroupName"],
    );
    const name = p.required("Name");
    if (!name) return undefined;
    const key = name.text.toLowerCase();
    const location = create ? p.optionalText("Location") : undefined;
    const known = this.asgs.get(key);
    if (!known && !create)
      this.report(
        info(
          "ApplicationSecurityGroupNotCreated",
          `the script does not create application security group ${JSON.stringify(name.text)}; it is imported by name`,
          [],
        ),
        name.pos,
      );
    this.asgs.set(key, {
      name: known?.name ?? name.text,
      ...(location
        ? { location: location.text }
        : known?.location
          ? { location: known.location }
          : {}),
    });
    return [{ kind: "asg", name: known?.name ?? name.text, pos: command.pos }];
  }

  /** `-SourceApplicationSecurityGroup` (objects) or `-SourceApplicationSecurityGroupId` (ids), and the same for destination. */
  private asgRefs(command: Command, p: Params, side: "Source" | "Destination"): ResourceRef[] {
    const objects = p.all(`${side}ApplicationSecurityGroup`).flatMap((held): ResourceRef[] => {
      if (held.kind === "asg") return [held.name];
      this.badValue(
        command,
        `${side}ApplicationSecurityGroup`,
        held,
        "an application security group from New- or Get-AzApplicationSecurityGroup",
      );
      return [];
    });
    const ids = p
      .texts(`${side}ApplicationSecurityGroupId`)
      .map((id): ResourceRef => (id.startsWith("/") ? { id } : id));
    return [...objects, ...ids];
  }

  // --- virtual networks and subnets -------------------------------------

  private vnetNamed(name: string, pos: Pos): VnetState {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], placeholder: true, pos };
      this.vnets.set(key, vnet);
    }
    return vnet;
  }

  private putSubnet(vnet: VnetState, subnet: Subnet): void {
    const at = vnet.subnets.findIndex((s) => s.name.toLowerCase() === subnet.name.toLowerCase());
    if (at < 0) vnet.subnets.push(subnet);
    else vnet.subnets[at] = { ...vnet.subnets[at], ...subnet };
  }

  private classicToSubnet(
    command: Command,
    input: readonly Held[] | undefined,
  ): Held[] | undefined {
    const p = this.params(command, ["Name", "VirtualNetworkName", "SubnetName"]);
    const name = p.text("Name");
    const nsg = name
      ? this.nsgNamed(name.text, name.pos, true)
      : this.targetNsg(command, p, input, true);
    const vnetName = p.required("VirtualNetworkName");
    const subnetName = p.required("SubnetName");
    if (!nsg || !vnetName || !subnetName) return undefined;
    this.putSubnet(this.vnetNamed(vnetName.text, vnetName.pos), {
      name: subnetName.text,
      networkSecurityGroup: nsg.name,
    });
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private getVnet(command: Command): Held[] | undefined {
    const p = this.params(command, ["Name", "ResourceGroupName"]);
    const name = p.required("Name");
    return name ? [{ kind: "vnet", name: name.text, pos: name.pos }] : undefined;
  }

  private newVnet(command: Command): Held[] | undefined {
    const p = this.params(command, [
      "Name",
      "ResourceGroupName",
      "Location",
      "AddressPrefix",
      "Subnet",
      "Tag",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const vnet = this.vnetNamed(name.text, name.pos);
    vnet.placeholder = false;
    vnet.addressPrefixes = p.texts("AddressPrefix");
    const location = p.optionalText("Location");
    if (location) vnet.location = location.text;
    for (const held of p.all("Subnet")) {
      if (held.kind === "subnet") this.putSubnet(vnet, held.subnet);
      else this.badValue(command, "Subnet", held, "a subnet from New-AzVirtualNetworkSubnetConfig");
    }
    return [{ kind: "vnet", name: vnet.name, pos: command.pos }];
  }

  private saveVnet(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.params(command, ["VirtualNetwork"]);
    const given = p.all("VirtualNetwork");
    return given.length > 0 ? given : [...(input ?? [])];
  }

  /** The subnet fields `-AddressPrefix` and `-NetworkSecurityGroup` give. */
  private subnetFields(command: Command, p: Params, name: string): Subnet {
    const prefixes = p.texts("AddressPrefix");
    let networkSecurityGroup: string | undefined;
    const given = p.all("NetworkSecurityGroup");
    const first = given[0];
    if (given.length === 1 && first?.kind === "nsg") networkSecurityGroup = first.name;
    else if (given.length === 1 && first?.kind === "unknownVar")
      networkSecurityGroup = this.nsgFromVariable(first.name, first.pos).name;
    else if (given.length === 1 && first?.kind === "text") networkSecurityGroup = first.text;
    else if (first)
      this.badValue(command, "NetworkSecurityGroup", first, "one network security group");
    return {
      name,
      ...(prefixes.length === 1 ? { addressPrefix: prefixes[0] } : {}),
      ...(prefixes.length > 1 ? { addressPrefixes: prefixes } : {}),
      ...(networkSecurityGroup === undefined ? {} : { networkSecurityGroup }),
    };
  }

  private newSubnetConfig(command: Command): Held[] | undefined {
    const p = this.params(command, ["Name", "AddressPrefix", "NetworkSecurityGroup"]);
    const name = p.required("Name");
    if (!name) return undefined;
    return [{ kind: "subnet", subnet: this.subnetFields(command, p, name.text), pos: command.pos }];
  }

  private subnetConfig(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.params(command, [
      "Name",
      "VirtualNetwork",
      "AddressPrefix",
      "NetworkSecurityGroup",
    ]);
    const name = p.required("Name");
    const given = p.all("VirtualNetwork");
    const held = given.length > 0 ? given : (input ?? []);
    const first = held[0];
    let vnet: VnetState | undefined;
    if (held.length === 1 && first?.kind === "vnet") vnet = this.vnetNamed(first.name, first.pos);
    else if (held.length === 1 && first?.kind === "unknownVar") {
      this.report(
        info(
          "VirtualNetworkNamedAfterVariable",
          `$${first.name} is not set in the script; the virtual network is named ${JSON.stringify(first.name)}`,
          [],
          `set it with $${first.name} = Get-AzVirtualNetwork -Name <name> -ResourceGroupName <group>`,
        ),
        first.pos,
      );
      vnet = this.vnetNamed(first.name, first.pos);
    } else if (first) this.badValue(command, "VirtualNetwork", first, "one virtual network");
    else
      this.report(
        error(
          "MissingVirtualNetwork",
          `${command.name}: no virtual network given; pass -VirtualNetwork or pipe one in`,
          [],
        ),
        command.pos,
      );
    if (!vnet || !name) return undefined;
    this.putSubnet(vnet, this.subnetFields(command, p, name.text));
    return [{ kind: "vnet", name: vnet.name, pos: command.pos }];
  }

  badValue(command: Command, param: string, held: Held, expected: string): void {
    const what =
      held.kind === "text"
        ? JSON.stringify(held.text)
        : held.kind === "unknownVar"
          ? `$${held.name}, which the script does not set,`
          : held.kind === "expr"
            ? `the expression ${held.text}`
            : `a ${held.kind === "nsg" ? "network security group" : held.kind === "vnet" ? "virtual network" : held.kind === "asg" ? "application security group" : held.kind}`;
    this.report(
      error(
        "InvalidParameterValue",
        `${command.name}: -${param} is ${what}; expected ${expected}`,
        [],
      ),
      held.pos,
    );
  }
}

const RULE_PARAMS = [
  "Name",
  "Priority",
  "Protocol",
  "SourceAddressPrefix",
  "SourcePortRange",
  "DestinationAddressPrefix",
  "DestinationPortRange",
];
/** Application security groups exist only in Resource Manager: the Az cmdlets take them. */
const ASG_PARAMS = [
  "SourceApplicationSecurityGroup",
  "SourceApplicationSecurityGroupId",
  "DestinationApplicationSecurityGroup",
  "DestinationApplicationSecurityGroupId",
];

const PROTOCOLS: Record<string, string> = {
  tcp: "Tcp",
  udp: "Udp",
  icmp: "Icmp",
  esp: "Esp",
  ah: "Ah",
  "*": "*",
};

function caseOf(options: readonly string[], text: string): string {
  return options.find((o) => o.toLowerCase() === text.toLowerCase()) ?? text;
}

function classicTag(text: string): string {
  return classicTagReplacement(text.toUpperCase()) ?? text;
}

/** A command's parameters, read as text or as what they hold. */
class Params {
  constructor(
    private readonly importer: Importer,
    private readonly command: Command,
    private readonly byName: ReadonlyMap<string, Arg>,
  ) {}

  all(name: string): Held[] {
    const arg = this.byName.get(name.toLowerCase());
    return arg?.value ? this.importer.resolve(arg.value) : [];
  }

  /** The texts of a parameter; other values are reported and left out. */
  texts(name: string): string[] {
    return this.all(name).flatMap((held) => {
      if (held.kind === "text") return [held.text];
      this.importer.badValue(this.command, name, held, "text");
      return [];
    });
  }

  text(name: string): { text: string; pos: Pos } | undefined {
    const held = this.all(name);
    const first = held[0];
    if (held.length === 1 && first?.kind === "text") return { text: first.text, pos: first.pos };
    if (held.length > 1)
      this.importer.badValue(
        this.command,
        name,
        { kind: "expr", text: "a list", pos: first?.pos ?? this.command.pos },
        "one value",
      );
    else if (first) this.importer.badValue(this.command, name, first, "one value");
    return undefined;
  }

  /**
   * A value tierwall can do without (a location): a variable the script leaves
   * to whoever runs it is no error, just not known here.
   */
  optionalText(name: string): { text: string; pos: Pos } | undefined {
    const held = this.all(name);
    if (held.length === 1 && held[0]?.kind === "unknownVar") return undefined;
    return this.text(name);
  }

  required(name: string): { text: string; pos: Pos } | undefined {
    const arg = this.byName.get(name.toLowerCase());
    if (arg === undefined) {
      // A parameter given without its value has been reported already.
      if (!this.command.args.some((a) => a.name.toLowerCase() === name.toLowerCase()))
        this.importer.report(
          error("MissingParameter", `${this.command.name}: -${name} is required`, []),
          this.command.pos,
        );
      return undefined;
    }
    return this.text(name);
  }
}
