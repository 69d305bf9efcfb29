/**
 * Evaluates a PowerShell script statement by statement, without running it:
 * variables hold what values and commands give, pipelines pass it on, and each
 * cmdlet is handed to the handler registered for it. Whatever is not
 * understood is reported where it stands.
 */
import { type Diagnostic, error, warning } from "../../model/diagnostic.js";
import type {
  BackendAddressPool,
  FrontendIPConfiguration,
  InboundNatPool,
  InboundNatRule,
  LoadBalancingRule,
  OutboundRule,
  Probe,
} from "../../model/load-balancer-types.js";
import type { IpConfiguration, SecurityRule, Subnet } from "../../model/types.js";
import { type LeftOut, reporting } from "../shared/left-out.js";
import { Inventory } from "../shared/summary.js";
import { NOT_MODELLED_CODE, standing } from "../shared/unmodelled.js";
import {
  type Arg,
  COMMAND_NAME,
  type Command,
  parseSegment,
  parseValue,
  SyntaxProblem,
  splitPipeline,
  type Value,
} from "./syntax.js";
import { type Pos, splitStatements, type Token, tokenize } from "./tokens.js";

/** What a value or a variable holds, as far as the network is concerned. */
export type Held =
  | { readonly kind: "text"; readonly text: string; readonly pos: Pos }
  | { readonly kind: "rule"; readonly rule: SecurityRule; readonly pos: Pos }
  | { readonly kind: "nsg"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "vnet"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "subnet"; readonly subnet: Subnet; readonly pos: Pos }
  | { readonly kind: "asg"; readonly name: string; readonly pos: Pos }
  /** A subnet of a virtual network (`$vnet.Subnets[0]`, Get-AzVirtualNetworkSubnetConfig). */
  | { readonly kind: "subnetOf"; readonly vnet: string; readonly name: string; readonly pos: Pos }
  | { readonly kind: "pip"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "nic"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "ipConfig"; readonly config: IpConfiguration; readonly pos: Pos }
  /** A frontend, pool, rule, NAT rule or probe built for a load balancer (New-AzLoadBalancer*Config). */
  | { readonly kind: "lbPart"; readonly part: LoadBalancerPart; readonly pos: Pos }
  | { readonly kind: "lb"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "unknownVar"; readonly name: string; readonly pos: Pos }
  | { readonly kind: "expr"; readonly text: string; readonly pos: Pos };

/** A part of a load balancer, as its config cmdlet builds it. */
export type LoadBalancerPart =
  | { readonly type: "frontend"; readonly value: FrontendIPConfiguration }
  | { readonly type: "pool"; readonly value: BackendAddressPool }
  | { readonly type: "rule"; readonly value: LoadBalancingRule }
  | { readonly type: "natRule"; readonly value: InboundNatRule }
  | { readonly type: "probe"; readonly value: Probe }
  | { readonly type: "natPool"; readonly value: InboundNatPool }
  | { readonly type: "outboundRule"; readonly value: OutboundRule };

/** A cmdlet's effect: what it outputs given its pipeline input, or undefined when it failed. */
export type Handler = (command: Command, input: readonly Held[] | undefined) => Held[] | undefined;

/**
 * What a property of a held object gives (`$vnet.Subnets[0]`, `$nic.Id`):
 * `path` is what follows the variable's name (`.Subnets[0]`). Undefined when
 * it is not known; the variable then stands as one the script does not set.
 */
export type Members = (held: Held, path: string) => Held | undefined;

/**
 * Sets a property of a held object (`$nic.NetworkSecurityGroup = $nsg`):
 * whether the handlers know that property. One they do not know is named.
 */
export type MemberAssignment = (held: Held, path: string, value: readonly Held[]) => boolean;

/** Parameters no cmdlet needs a value for. */
const SWITCHES = new Set(
  [
    "Force",
    "AsJob",
    "PassThru",
    "Confirm",
    "WhatIf",
    "Verbose",
    "Debug",
    "Detailed",
    "Primary",
    "EnableIPForwarding",
    "EnableAcceleratedNetworking",
    "EnableFloatingIP",
    "EnableTcpReset",
    "DisableOutboundSNAT",
    "EnableConnectionTracking",
  ].map((s) => s.toLowerCase()),
);

/**
 * Cmdlets the importer does not read that change what the model holds: left
 * out, each costs what its omission says (shared/left-out.ts). Any other
 * cmdlet changes nothing the model holds (a public IP, a load balancer).
 */
const UNSUPPORTED_OMISSIONS: readonly (readonly [RegExp, LeftOut])[] = [
  [/^(Add|Set)-AzNetworkInterfaceIpConfig$/i, { kind: "networkInterface", nsg: true, what: "" }],
  [/^(Add|Set)-AzVirtualNetworkPeering$/i, { kind: "peering", what: "" }],
  [/^Set-AzureNetworkSecurityGroup(Config|Association)$/i, { kind: "association", what: "" }],
  // Changes to a load balancer object: what they add, left out, forwards nothing; a change or removal not applied may.
  [/^(Add-AzLoadBalancer\w*Config|Set-AzLoadBalancer)$/i, { kind: "loadBalancer", what: "" }],
  [
    /^((Set|Remove)-AzLoadBalancer\w*Config|Remove-AzLoadBalancer)$/i,
    { kind: "resources", what: "" },
  ],
];

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

export class Script {
  readonly diagnostics: Diagnostic[] = [];
  /** The cmdlets read, by name (shared/summary.ts). */
  readonly inventory = new Inventory("cmdlets");
  private readonly variables = new Map<string, Held[]>();
  private handlers: ReadonlyMap<string, Handler> = new Map();
  private members: Members = () => undefined;
  private assignMember: MemberAssignment = () => false;

  constructor(private readonly file: string) {}

  /** Evaluates the script's statements in order, with a handler per cmdlet name (any case). */
  run(
    text: string,
    handlers: Readonly<Record<string, Handler>>,
    members?: Members,
    assignMember?: MemberAssignment,
  ): void {
    this.handlers = new Map(Object.entries(handlers).map(([k, v]) => [k.toLowerCase(), v]));
    if (members) this.members = members;
    if (assignMember) this.assignMember = assignMember;
    const tokens = tokenize(text, (d, pos) => this.report(d, pos));
    for (const statement of splitStatements(tokens)) this.statement(statement);
  }

  /** Where a position of the script is. */
  locationOf(pos: Pos): { file: string; line: number; column: number } {
    return { file: this.file, line: pos.line, column: pos.column };
  }

  report(d: Diagnostic, pos: Pos): void {
    this.diagnostics.push({
      ...d,
      location: { file: this.file, line: pos.line, column: pos.column },
    });
  }

  private statement(tokens: readonly Token[]): void {
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
      if (target && result && target.text.includes(".")) this.setMember(target, result);
      else if (target && result) this.variables.set(target.text.toLowerCase(), result);
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
      const found = standing("powershell", command.name);
      if (NO_NETWORK_EFFECT.has(command.name.toLowerCase()) || found.standing === "notRelevant") {
        // New-AzVM's simple parameter set (no -VM) makes the VM's network itself.
        if (/^New-AzVM$/i.test(command.name) && !command.args.some((a) => /^VM$/i.test(a.name))) {
          this.inventory.add(command.name, "notModelled");
          this.report(
            warning(
              NOT_MODELLED_CODE,
              `${command.name} without -VM makes a virtual network, a network interface, a public IP and an NSG with the ports of -OpenPorts, none of which is read`,
              [],
              "build the network with the Az network cmdlets and pass New-AzVM a configuration (-VM)",
            ),
            command.pos,
          );
          return undefined;
        }
        this.inventory.add(command.name, "notRelevant");
        input = [];
        continue;
      }
      if (handler) this.inventory.add(command.name, "modelled");
      const omits = UNSUPPORTED_OMISSIONS.find(([p]) => p.test(command.name))?.[1];
      if (!handler && !omits && found.standing === "notModelled") {
        this.inventory.add(command.name, "notModelled");
        this.report(
          warning(
            NOT_MODELLED_CODE,
            `${command.name}: ${found.kind.what} not modelled; ${found.kind.consequence}`,
            [],
          ),
          command.pos,
        );
        return undefined;
      }
      if (!handler) {
        this.inventory.add(command.name, omits ? "notModelled" : "unknown");
        const d = warning(
          "UnsupportedStatement",
          `${command.name} is not supported; the statement is ignored`,
          [],
          "the importer reads the NSG, rule and subnet cmdlets of the Az module and of classic Service Management",
        );
        this.report(
          omits
            ? reporting(d, {
                ...omits,
                what: `what ${command.name} at line ${command.pos.line} changes`,
              })
            : d,
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
        const member = this.member(item.text);
        if (member) return [{ ...member, pos: item.pos }];
        return [{ kind: "unknownVar", name: item.text, pos: item.pos }];
      }
      const text = item.kind === "string" && item.expand ? this.expand(item.text) : item.text;
      return [{ kind: "text", text, pos: item.pos }];
    });
  }

  /** `$name.Property = value`: handed to the handlers, or named as not read. */
  private setMember(target: Token, value: readonly Held[]): void {
    const dot = target.text.indexOf(".");
    const held = this.variables.get(target.text.slice(0, dot).toLowerCase());
    const object = held?.length === 1 ? held[0] : undefined;
    if (object && this.assignMember(object, target.text.slice(dot), value)) return;
    this.report(
      reporting(
        warning(
          "UnsupportedStatement",
          `$${target.text} = ... sets a property tierwall does not read; the statement is ignored`,
          [],
        ),
        { kind: "resources", what: `what setting $${target.text} changes` },
      ),
      target,
    );
  }

  /** `$name.Property[0]...` of a variable holding one object, when its handlers know it. */
  private member(text: string): Held | undefined {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*(?:\[\d+\])?)+)$/.exec(text);
    if (!m) return undefined;
    const held = this.variables.get((m[1] as string).toLowerCase());
    return held?.length === 1 && held[0] ? this.members(held[0], m[2] as string) : undefined;
  }

  private expand(text: string): string {
    return text.replace(/\$(?:\{([^}]+)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced, plain) => {
      const held = this.variables.get(String(braced ?? plain).toLowerCase());
      return held?.length === 1 && held[0]?.kind === "text" ? held[0].text : whole;
    });
  }

  // --- parameters ----------------------------------------------------------

  /** The command's parameters by name; reports unknown ones and missing values. */
  params(command: Command, known: readonly string[]): Params {
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

  badValue(command: Command, param: string, held: Held, expected: string): void {
    const what =
      held.kind === "text"
        ? JSON.stringify(held.text)
        : held.kind === "unknownVar"
          ? `$${held.name}, which the script does not set,`
          : held.kind === "expr"
            ? `the expression ${held.text}`
            : `a ${HELD_WORDS[held.kind] ?? held.kind}`;
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

/** What a held object is, in messages. */
const HELD_WORDS: Partial<Record<Held["kind"], string>> = {
  nsg: "network security group",
  vnet: "virtual network",
  asg: "application security group",
  subnetOf: "subnet",
  pip: "public IP address",
  nic: "network interface",
  ipConfig: "IP configuration",
  lbPart: "part of a load balancer",
  lb: "load balancer",
};

/** A command's parameters, read as text or as what they hold. */
export class Params {
  constructor(
    private readonly script: Script,
    private readonly command: Command,
    private readonly byName: ReadonlyMap<string, Arg>,
  ) {}

  all(name: string): Held[] {
    const arg = this.byName.get(name.toLowerCase());
    return arg?.value ? this.script.resolve(arg.value) : [];
  }

  /** The texts of a parameter; other values are reported and left out. */
  texts(name: string): string[] {
    return this.all(name).flatMap((held) => {
      if (held.kind === "text") return [held.text];
      this.script.badValue(this.command, name, held, "text");
      return [];
    });
  }

  text(name: string): { text: string; pos: Pos } | undefined {
    const held = this.all(name);
    const first = held[0];
    if (held.length === 1 && first?.kind === "text") return { text: first.text, pos: first.pos };
    if (held.length > 1)
      this.script.badValue(
        this.command,
        name,
        { kind: "expr", text: "a list", pos: first?.pos ?? this.command.pos },
        "one value",
      );
    else if (first) this.script.badValue(this.command, name, first, "one value");
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
        this.script.report(
          error("MissingParameter", `${this.command.name}: -${name} is required`, []),
          this.command.pos,
        );
      return undefined;
    }
    return this.text(name);
  }
}
