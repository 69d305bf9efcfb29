/**
 * Imports the NSGs, rules, application security groups, virtual networks and
 * associations an az CLI script (bash) creates, with az's defaults
 * (`--destination-port-ranges` is 80 when left out). Variables set in the
 * script are followed; a value that depends on the environment or on a
 * command's output is named, never guessed. Every `az` command that is not
 * understood is reported.
 */
import { type Diagnostic, error, info, type Severity, warning } from "../../model/diagnostic.js";
import {
  type ApplicationSecurityGroup,
  type IpConfiguration,
  type NetworkInterface,
  type ResourceRef,
  SECURITY_RULE_PROPERTIES,
  type SecurityRule,
  type Subnet,
  type Topology,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { lexBash, type Pos, plainText, type SimpleCommand, type Word } from "./bash.js";

export function importAzCli(
  text: string,
  file: string,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const importer = new AzCliImporter(file);
  const { commands, problem } = lexBash(text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n"));
  for (const command of commands) importer.command(command);
  if (problem) importer.report("error", "InvalidSyntax", problem.message, problem.pos);
  return { topology: importer.topology(), diagnostics: importer.diagnostics };
}

/** A value the script gives, or why it is not known before it runs. */
type Known = { readonly text: string } | { readonly unknown: string };

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

/** az commands that read, sign in or manage groups: nothing the model holds changes. */
const NO_NETWORK_EFFECT = [
  /^login$/,
  /^logout$/,
  /^account( .*)?$/,
  /^group (create|show|list|exists|wait)$/,
  /^configure$/,
  /^version$/,
  /^extension( .*)?$/,
  /^network .* (show|list|wait|list-effective-nsg)$/,
  /^network (nsg|vnet|nic|asg) (show|list|wait)$/,
];

/** The flags of a command: canonical name, aliases, and whether it takes several values. */
interface FlagSpec {
  readonly names: readonly string[];
  readonly list?: boolean;
}
type Flags = Record<string, FlagSpec>;

const RULE_FLAGS: Flags = {
  nsg: { names: ["--nsg-name"] },
  name: { names: ["--name", "-n"] },
  priority: { names: ["--priority"] },
  direction: { names: ["--direction"] },
  access: { names: ["--access"] },
  protocol: { names: ["--protocol"] },
  description: { names: ["--description"] },
  sourcePrefixes: { names: ["--source-address-prefixes"], list: true },
  sourcePorts: { names: ["--source-port-ranges"], list: true },
  sourceAsgs: { names: ["--source-asgs"], list: true },
  destinationPrefixes: { names: ["--destination-address-prefixes"], list: true },
  destinationPorts: { names: ["--destination-port-ranges"], list: true },
  destinationAsgs: { names: ["--destination-asgs"], list: true },
};

const ENUMS = {
  direction: ["Inbound", "Outbound"],
  access: ["Allow", "Deny"],
  protocol: ["*", "Ah", "Esp", "Icmp", "Tcp", "Udp"],
} as const;

/** A flag's values, each with where it is written; `pos` is the flag's own position. */
interface FlagValues {
  readonly known: readonly { readonly value: Known; readonly pos: Pos }[];
  readonly pos: Pos;
}

interface Parsed {
  readonly values: Map<string, FlagValues>;
  readonly location?: string;
}

interface VnetState extends VnetDraft {
  created: boolean;
  pos: Pos;
}

class AzCliImporter {
  readonly diagnostics: Diagnostic[] = [];
  private readonly variables = new Map<string, Known>();
  /** Every value an array variable may hold, one per assignment. */
  private readonly arrays = new Map<string, Word[][]>();
  private readonly nsgs = new Map<string, NsgDraft>();
  private readonly asgs = new Map<string, ApplicationSecurityGroup>();
  private readonly vnets = new Map<string, VnetState>();
  private readonly nics = new Map<string, NetworkInterface>();
  /** Open `if`, `for`, `while`, `case` and `{` blocks, with where each began. */
  private readonly blocks: { keyword: string; pos: Pos }[] = [];
  /** How many values were reported as not statically known: a handler compares before and after. */
  private unknowns = 0;

  constructor(private readonly file: string) {}

  report(severity: Severity, code: string, message: string, pos: Pos, hint?: string): void {
    const d =
      severity === "error"
        ? error(code, message, [], hint)
        : severity === "warning"
          ? warning(code, message, [], hint)
          : info(code, message, [], hint);
    this.diagnostics.push({ ...d, location: { file: this.file, ...pos } });
  }

  topology(): Topology {
    for (const vnet of this.vnets.values())
      if (!vnet.created)
        this.report(
          "info",
          "PlaceholderVirtualNetwork",
          `virtual network ${JSON.stringify(vnet.name)} is not created by the script; it is imported without address space, with only the subnets the script names`,
          vnet.pos,
          "add its address space and subnets' prefixes to the spec",
        );
    return {
      virtualNetworks: [...this.vnets.values()].map(vnetOf),
      networkSecurityGroups: [...this.nsgs.values()].map(nsgOf),
      applicationSecurityGroups: [...this.asgs.values()],
      networkInterfaces: [...this.nics.values()],
      environments: [],
    };
  }

  // --- statements ------------------------------------------------------------

  command(command: SimpleCommand): void {
    let words = [...command.words];
    // Keywords that open or close blocks; what follows `then`, `do` or `else` is a command.
    for (;;) {
      const head = words[0] && plainText(words[0]);
      if (head === undefined) break;
      if (["if", "while", "until", "for", "case", "select", "{"].includes(head)) {
        this.blocks.push({ keyword: head, pos: (words[0] as Word).pos });
        if (head === "for" || head === "case" || head === "select") return;
        words = words.slice(1);
      } else if (["fi", "done", "esac", "}"].includes(head)) {
        this.blocks.pop();
        words = words.slice(1);
      } else if (["then", "do", "else", "elif", "!"].includes(head)) words = words.slice(1);
      else break;
      if (words.length === 0) return;
    }
    const first = words[0];
    if (first === undefined) return;
    const head = plainText(first);
    if (head === "az") {
      this.az(words);
      return;
    }
    const assignments = ["export", "readonly", "declare", "local", "typeset"].includes(head ?? "")
      ? words.slice(1).filter((w) => !(plainText(w) ?? "").startsWith("-"))
      : words;
    if (assignments.length > 0 && assignments.every((w) => this.assignmentName(w) !== undefined))
      for (const w of assignments) this.assign(w);
    else if (head === "read" || head === "mapfile" || head === "readarray")
      for (const w of words.slice(1)) {
        const name = plainText(w);
        if (name !== undefined && !name.startsWith("-"))
          this.variables.set(name, { unknown: `$${name} is read at run time` });
      }
  }

  private assignmentName(word: Word): string | undefined {
    const first = word.parts[0];
    if (first?.kind !== "text") return undefined;
    return /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(first.text)?.[1];
  }

  private assign(word: Word): void {
    const name = this.assignmentName(word) as string;
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
    if (this.blocks.length > 0) {
      const block = this.blocks[this.blocks.length - 1] as { keyword: string; pos: Pos };
      this.variables.set(name, {
        unknown: `$${name} is set inside the ${block.keyword} block at line ${block.pos.line}`,
      });
      return;
    }
    this.variables.set(
      name,
      first.text.includes("+=") ? { unknown: `$${name} is appended to` } : this.value(rest),
    );
  }

  /** The value of a word, following the script's variables. */
  private value(word: Word): Known {
    if (word.array !== undefined) return { unknown: "an array" };
    let out = "";
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
        if (known === undefined)
          return {
            unknown: `$${name} is not set in the script${operator === undefined ? "" : ` (\${${part.expr}} depends on the environment)`}`,
          };
        if ("unknown" in known) return known;
        // `${X:-default}` of an empty X is the default, which may itself expand: not followed.
        if (known.text === "" && operator?.startsWith(":"))
          return { unknown: `\${${part.expr}} of an empty $${name}` };
        out += known.text;
      }
    }
    return { text: out };
  }

  // --- az commands ---------------------------------------------------------------

  private az(words: Word[]): void {
    const at = (words[0] as Word).pos;
    const path: string[] = [];
    let k = 1;
    for (; k < words.length; k++) {
      const text = plainText(words[k] as Word);
      if (text === undefined || text.startsWith("-")) break;
      path.push(text);
    }
    const name = path.join(" ");
    const args = words.slice(k);
    if (this.blocks.length > 0 && /^network /.test(name)) {
      const block = this.blocks[this.blocks.length - 1] as { keyword: string; pos: Pos };
      if (block.keyword === "for" || block.keyword === "while" || block.keyword === "until") {
        this.report(
          "warning",
          "ValueNotStaticallyKnown",
          `az ${name} runs in the loop at line ${block.pos.line}: how often, and with which values, is known only when the script runs; it is left out`,
          at,
        );
        return;
      }
      this.report(
        "warning",
        "ConditionalCommand",
        `az ${name} runs only under the ${block.keyword} at line ${block.pos.line}; it is imported as if it runs`,
        at,
      );
    }
    const handlers: Record<string, () => void> = {
      "network nsg create": () => this.nsgCreate(name, args, at),
      "network nsg rule create": () => this.ruleCreate(name, args, at),
      "network nsg rule delete": () => this.ruleDelete(name, args, at),
      "network asg create": () => this.asgCreate(name, args, at),
      "network vnet create": () => this.vnetCreate(name, args, at),
      "network vnet subnet create": () => this.subnetPut(name, args, at, true),
      "network vnet subnet update": () => this.subnetPut(name, args, at, false),
      "network nic create": () => this.nicCreate(name, args, at),
      "network nic update": () => this.nicUpdate(name, args, at),
    };
    const handler = handlers[name];
    if (handler) handler();
    else if (!NO_NETWORK_EFFECT.some((p) => p.test(name)))
      this.report(
        "warning",
        "UnsupportedStatement",
        `az ${name} is not supported; the command is ignored`,
        at,
        "the importer reads az network nsg create, nsg rule create|delete, asg create, vnet create, vnet subnet create|update, nic create|update",
      );
  }

  /** The flags of a command; unknown ones and values that are not known are reported. */
  private parse(command: string, args: readonly Word[], flags: Flags): Parsed | undefined {
    const byName = new Map<string, string>();
    for (const [key, spec] of Object.entries(flags)) for (const n of spec.names) byName.set(n, key);
    const values = new Map<string, FlagValues>();
    let location: string | undefined;
    let ok = true;
    const take = (flag: string, flagPos: Pos, items: Word[]): void => {
      const key = byName.get(flag);
      if (LOCATION_FLAGS.includes(flag)) {
        const v = items[0] ? this.value(items[0]) : undefined;
        if (v && "text" in v) location = v.text;
        return;
      }
      if (key === undefined) {
        if (!IGNORED_FLAGS.has(flag))
          this.report(
            "warning",
            "UnsupportedParameter",
            `az ${command}: ${flag} is not supported; it is ignored`,
            flagPos,
          );
        else if (!SWITCHES.has(flag) && items.length === 0) {
          this.report(
            "error",
            "MissingParameterValue",
            `az ${command}: ${flag} has no value`,
            flagPos,
          );
          ok = false;
        }
        return;
      }
      const spec = flags[key] as FlagSpec;
      if (items.length === 0 || (!spec.list && items.length > 1)) {
        this.report(
          "error",
          "InvalidParameterValue",
          `az ${command}: ${flag} takes ${spec.list ? "one or more values" : "one value"}, not ${items.length}`,
          flagPos,
        );
        ok = false;
        return;
      }
      values.set(key, {
        known: items.map((w) => ({ value: this.value(w), pos: w.pos })),
        pos: flagPos,
      });
    };
    let k = 0;
    while (k < args.length) {
      const word = args[k] as Word;
      const spread = this.arraySpread(word);
      if (spread !== undefined) {
        // "${name[@]}": each value the array may hold must add only flags that change nothing here.
        for (const possible of spread.values) {
          const flagsIn = possible.map(plainText).filter((t) => t?.startsWith("-"));
          if (
            flagsIn.some(
              (f) => f === undefined || !(LOCATION_FLAGS.includes(f) || IGNORED_FLAGS.has(f)),
            )
          ) {
            this.report(
              "warning",
              "ValueNotStaticallyKnown",
              `az ${command}: the arguments in \${${spread.name}[@]} are not statically known; they are ignored`,
              word.pos,
            );
            break;
          }
        }
        k++;
        continue;
      }
      const text = plainText(word);
      if (text === undefined || !/^--?[A-Za-z]/.test(text)) {
        this.report(
          "warning",
          "UnsupportedArgument",
          `az ${command}: ${text === undefined ? "an argument that is not statically known" : JSON.stringify(text)} is not a flag; it is ignored`,
          word.pos,
        );
        k++;
        continue;
      }
      const eq = text.indexOf("=");
      const flag = eq > 0 ? text.slice(0, eq) : text;
      const items: Word[] = [];
      if (eq > 0)
        items.push({ pos: word.pos, parts: [{ kind: "text", text: text.slice(eq + 1) }] });
      k++;
      while (eq < 0 && k < args.length) {
        const next = args[k] as Word;
        const nextText = plainText(next);
        if (this.arraySpread(next) !== undefined) break;
        if (nextText !== undefined && /^--?[A-Za-z]/.test(nextText)) break;
        items.push(next);
        k++;
      }
      take(flag, word.pos, items);
    }
    return ok ? { values, ...(location === undefined ? {} : { location }) } : undefined;
  }

  private arraySpread(word: Word): { name: string; values: Word[][] } | undefined {
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

  /** The known values of a flag; reports the first unknown one, naming the flag. */
  private known(
    command: string,
    parsed: Parsed,
    key: string,
    flags: Flags,
    leftOut: string,
  ): string[] | undefined {
    const entry = parsed.values.get(key);
    if (!entry) return undefined;
    const texts: string[] = [];
    for (const { value, pos } of entry.known) {
      if ("unknown" in value) {
        this.unknowns++;
        this.report(
          "warning",
          "ValueNotStaticallyKnown",
          `az ${command}: ${(flags[key] as FlagSpec).names[0]} is not statically known (${value.unknown}); ${leftOut}`,
          pos,
        );
        return [];
      }
      texts.push(value.text);
    }
    return texts;
  }

  private one(
    command: string,
    parsed: Parsed,
    key: string,
    flags: Flags,
    at: Pos,
    leftOut: string,
    required = true,
  ): string | undefined {
    const texts = this.known(command, parsed, key, flags, leftOut);
    if (texts === undefined) {
      if (required)
        this.report(
          "error",
          "MissingParameter",
          `az ${command}: ${(flags[key] as FlagSpec).names[0]} is required`,
          at,
        );
      return undefined;
    }
    return texts[0];
  }

  private nsgNamed(name: string, pos: Pos, create: boolean): NsgDraft {
    const key = name.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(key, nsg);
      if (!create)
        this.report(
          "info",
          "NetworkSecurityGroupNotCreated",
          `the script does not create network security group ${JSON.stringify(name)}; only the rules it adds are imported`,
          pos,
        );
    }
    return nsg;
  }

  private nsgCreate(command: string, args: Word[], at: Pos): void {
    const flags: Flags = { name: { names: ["--name", "-n"] } };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const name = this.one(command, parsed, "name", flags, at, "the NSG is left out");
    if (name === undefined) return;
    const nsg = this.nsgNamed(name, at, true);
    if (parsed.location !== undefined) nsg.location = parsed.location;
  }

  private asgCreate(command: string, args: Word[], at: Pos): void {
    const flags: Flags = { name: { names: ["--name", "-n"] } };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const name = this.one(command, parsed, "name", flags, at, "the ASG is left out");
    if (name === undefined) return;
    this.asgs.set(name.toLowerCase(), {
      name,
      ...(parsed.location === undefined ? {} : { location: parsed.location }),
    });
  }

  private ruleCreate(command: string, args: Word[], at: Pos): void {
    const parsed = this.parse(command, args, RULE_FLAGS);
    if (!parsed) return;
    const before = this.unknowns;
    const leftOut = "the rule is left out";
    const get = (key: string, required = false) =>
      this.one(command, parsed, key, RULE_FLAGS, at, leftOut, required);
    const list = (key: string) => this.known(command, parsed, key, RULE_FLAGS, leftOut);
    const nsgName = get("nsg", true);
    const name = get("name", true);
    const priority = get("priority", true);
    const fields = {
      direction: get("direction"),
      access: get("access"),
      protocol: get("protocol"),
      description: get("description"),
      sourcePrefixes: list("sourcePrefixes"),
      sourcePorts: list("sourcePorts"),
      sourceAsgs: list("sourceAsgs"),
      destinationPrefixes: list("destinationPrefixes"),
      destinationPorts: list("destinationPorts"),
      destinationAsgs: list("destinationAsgs"),
    };
    if (nsgName === undefined || name === undefined || priority === undefined) return;
    if (this.unknowns > before) return;
    if (!/^\d+$/.test(priority)) {
      this.report(
        "error",
        "InvalidParameterValue",
        `az ${command}: --priority ${JSON.stringify(priority)} is not a whole number`,
        valueAt(parsed, "priority", at),
      );
      return;
    }
    const choice = (key: keyof typeof ENUMS, given: string | undefined, fallback: string) => {
      if (given === undefined) return fallback;
      const found = ENUMS[key].find((o) => o.toLowerCase() === given.toLowerCase());
      if (found === undefined)
        this.report(
          "error",
          "InvalidParameterValue",
          `az ${command}: --${key} ${JSON.stringify(given)} is not one of ${ENUMS[key].join(", ")}`,
          valueAt(parsed, key, at),
        );
      return found;
    };
    const direction = choice("direction", fields.direction, "Inbound");
    const access = choice("access", fields.access, "Allow");
    const protocol = choice("protocol", fields.protocol, "*");
    if (direction === undefined || access === undefined || protocol === undefined) return;
    const rule: Record<string, unknown> = {
      name,
      ...(fields.description === undefined ? {} : { description: fields.description }),
      protocol,
      access,
      priority: Number(priority),
      direction,
    };
    // As az does: one value sets the singular property, several the plural one; ASGs replace the prefix.
    for (const side of ["source", "destination"] as const) {
      const asgs = fields[`${side}Asgs`];
      const prefixes = fields[`${side}Prefixes`];
      if (asgs !== undefined) {
        if (prefixes !== undefined && prefixes.length > 1) {
          this.report(
            "error",
            "InvalidParameterValue",
            `az ${command}: --${side}-asgs and several --${side}-address-prefixes together are rejected by Azure`,
            parsed.values.get(`${side}Asgs`)?.pos ?? at,
          );
          return;
        }
        rule[`${side}ApplicationSecurityGroups`] = asgs.map(
          (a): ResourceRef => (a.startsWith("/") ? { id: a } : a),
        );
      } else {
        const values = prefixes ?? ["*"];
        rule[values.length === 1 ? `${side}AddressPrefix` : `${side}AddressPrefixes`] =
          values.length === 1 ? values[0] : values;
      }
      const ports = fields[`${side}Ports`] ?? [side === "source" ? "*" : "80"];
      rule[ports.length === 1 ? `${side}PortRange` : `${side}PortRanges`] =
        ports.length === 1 ? ports[0] : ports;
    }
    const nsg = this.nsgNamed(nsgName, valueAt(parsed, "nsg", at), false);
    const existing = nsg.rules.findIndex((r) => r.name.toLowerCase() === name.toLowerCase());
    const ordered = orderRule(rule);
    if (existing < 0) nsg.rules.push(ordered);
    else nsg.rules[existing] = ordered;
  }

  private ruleDelete(command: string, args: Word[], at: Pos): void {
    const flags: Flags = { nsg: { names: ["--nsg-name"] }, name: { names: ["--name", "-n"] } };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const nsgName = this.one(command, parsed, "nsg", flags, at, "the command is ignored");
    const name = this.one(command, parsed, "name", flags, at, "the command is ignored");
    if (nsgName === undefined || name === undefined) return;
    const nsg = this.nsgNamed(nsgName, at, false);
    nsg.rules = nsg.rules.filter((r) => r.name.toLowerCase() !== name.toLowerCase());
  }

  private vnetNamed(name: string, pos: Pos): VnetState {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], peerings: [], created: false, pos };
      this.vnets.set(key, vnet);
    }
    return vnet;
  }

  private putSubnet(vnet: VnetState, subnet: Subnet, replace: boolean): void {
    const at = vnet.subnets.findIndex((s) => s.name.toLowerCase() === subnet.name.toLowerCase());
    if (at < 0) vnet.subnets.push(subnet);
    else vnet.subnets[at] = replace ? subnet : { ...vnet.subnets[at], ...subnet };
  }

  private vnetCreate(command: string, args: Word[], at: Pos): void {
    const flags: Flags = {
      name: { names: ["--name", "-n"] },
      prefixes: { names: ["--address-prefixes", "--address-prefix"], list: true },
      subnet: { names: ["--subnet-name"] },
      subnetPrefixes: { names: ["--subnet-prefixes", "--subnet-prefix"], list: true },
      nsg: { names: ["--network-security-group", "--nsg"] },
    };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const before = this.unknowns;
    const leftOut = "the virtual network is left out";
    const name = this.one(command, parsed, "name", flags, at, leftOut);
    const prefixes = this.known(command, parsed, "prefixes", flags, leftOut);
    const subnetName = this.one(command, parsed, "subnet", flags, at, leftOut, false);
    const subnetPrefixes = this.known(command, parsed, "subnetPrefixes", flags, leftOut);
    const nsg = this.one(command, parsed, "nsg", flags, at, leftOut, false);
    if (name === undefined || this.unknowns > before) return;
    const vnet = this.vnetNamed(name, at);
    vnet.created = true;
    // az's documented default address space.
    vnet.addressPrefixes = prefixes ?? ["10.0.0.0/16"];
    if (parsed.location !== undefined) vnet.location = parsed.location;
    if (subnetName !== undefined) {
      if (subnetPrefixes === undefined)
        this.report(
          "warning",
          "ValueNotStaticallyKnown",
          `az ${command}: subnet ${JSON.stringify(subnetName)} has no --subnet-prefixes; az chooses its range when the script runs`,
          at,
          "give --subnet-prefixes, or add the subnet's addressPrefix to the spec",
        );
      this.putSubnet(vnet, subnetOf(subnetName, subnetPrefixes, nsg), true);
    } else if (nsg !== undefined || subnetPrefixes !== undefined)
      this.report(
        "warning",
        "UnsupportedParameter",
        `az ${command}: subnet settings without --subnet-name are ignored`,
        at,
      );
  }

  private subnetPut(command: string, args: Word[], at: Pos, create: boolean): void {
    const flags: Flags = {
      vnet: { names: ["--vnet-name"] },
      name: { names: ["--name", "-n"] },
      prefixes: { names: ["--address-prefixes", "--address-prefix"], list: true },
      nsg: { names: ["--network-security-group", "--nsg"] },
    };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const before = this.unknowns;
    const leftOut = "the command is ignored";
    const vnetName = this.one(command, parsed, "vnet", flags, at, leftOut);
    const name = this.one(command, parsed, "name", flags, at, leftOut);
    const prefixes = this.known(command, parsed, "prefixes", flags, leftOut);
    const nsg = this.one(command, parsed, "nsg", flags, at, leftOut, false);
    if (vnetName === undefined || name === undefined || this.unknowns > before) return;
    const vnet = this.vnetNamed(vnetName, at);
    const subnet = subnetOf(name, prefixes, nsg === "" ? undefined : nsg);
    const existing = vnet.subnets.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!create && existing && nsg === "") {
      // `--network-security-group ""` detaches the NSG.
      const { networkSecurityGroup: _, ...rest } = existing;
      this.putSubnet(vnet, { ...rest, ...subnet }, true);
    } else this.putSubnet(vnet, subnet, create);
  }

  private nicCreate(command: string, args: Word[], at: Pos): void {
    const flags: Flags = {
      name: { names: ["--name", "-n"] },
      vnet: { names: ["--vnet-name"] },
      subnet: { names: ["--subnet"] },
      address: { names: ["--private-ip-address"] },
      nsg: { names: ["--network-security-group"] },
      asgs: { names: ["--application-security-groups", "--asgs"], list: true },
    };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const before = this.unknowns;
    const leftOut = "the network interface is left out";
    const name = this.one(command, parsed, "name", flags, at, leftOut);
    const vnet = this.one(command, parsed, "vnet", flags, at, leftOut, false);
    const subnet = this.one(command, parsed, "subnet", flags, at, leftOut);
    const address = this.one(command, parsed, "address", flags, at, leftOut, false);
    const nsg = this.one(command, parsed, "nsg", flags, at, leftOut, false);
    const asgs = this.known(command, parsed, "asgs", flags, leftOut);
    if (name === undefined || subnet === undefined || this.unknowns > before) return;
    const configs: IpConfiguration[] = [];
    if (address === undefined)
      this.report(
        "warning",
        "ValueNotStaticallyKnown",
        `az ${command}: without --private-ip-address, Azure assigns the address when the script runs; the IP configuration is left out`,
        at,
      );
    else
      configs.push({
        name: "ipconfig1",
        privateIPAddress: address,
        subnet: subnet.startsWith("/") || vnet === undefined ? subnet : `${vnet}/${subnet}`,
        ...(asgs === undefined ? {} : { applicationSecurityGroups: asgs.map(refOf) }),
      });
    this.nics.set(name.toLowerCase(), {
      name,
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations: configs,
    });
  }

  private nicUpdate(command: string, args: Word[], at: Pos): void {
    const flags: Flags = {
      name: { names: ["--name", "-n"] },
      nsg: { names: ["--network-security-group"] },
    };
    const parsed = this.parse(command, args, flags);
    if (!parsed) return;
    const name = this.one(command, parsed, "name", flags, at, "the command is ignored");
    const nsg = this.one(command, parsed, "nsg", flags, at, "the command is ignored", false);
    if (name === undefined || nsg === undefined) return;
    const existing = this.nics.get(name.toLowerCase());
    if (!existing)
      this.report(
        "info",
        "NetworkInterfaceNotCreated",
        `the script does not create network interface ${JSON.stringify(name)}; it is imported without IP configurations`,
        valueAt(parsed, "name", at),
        "add its ipConfigurations to the spec",
      );
    const { networkSecurityGroup: _, ...rest } = existing ?? { name, ipConfigurations: [] };
    this.nics.set(name.toLowerCase(), nsg === "" ? rest : { ...rest, networkSecurityGroup: nsg });
  }
}

/** Where a flag's first value is written. */
const valueAt = (parsed: Parsed, key: string, otherwise: Pos): Pos =>
  parsed.values.get(key)?.known[0]?.pos ?? otherwise;

const refOf = (text: string): ResourceRef => (text.startsWith("/") ? { id: text } : text);

function subnetOf(
  name: string,
  prefixes: readonly string[] | undefined,
  nsg: string | undefined,
): Subnet {
  return {
    name,
    ...(prefixes?.length === 1 ? { addressPrefix: prefixes[0] } : {}),
    ...(prefixes !== undefined && prefixes.length > 1 ? { addressPrefixes: prefixes } : {}),
    ...(nsg === undefined ? {} : { networkSecurityGroup: refOf(nsg) }),
  };
}

/** A rule with its properties in ARM's documented order. */
function orderRule(rule: Record<string, unknown>): SecurityRule {
  const order = ["name", ...SECURITY_RULE_PROPERTIES].filter((k) => k in rule);
  return Object.fromEntries(order.map((k) => [k, rule[k]])) as unknown as SecurityRule;
}
