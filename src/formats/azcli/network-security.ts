/**
 * `az network nsg create`, `nsg rule create|delete` and `asg create`: NSGs,
 * their rules with az's defaults (`--destination-port-ranges` is 80 when left
 * out), and application security groups.
 */
import { SECURITY_RULE_PROPERTIES, type SecurityRule } from "../../model/types.js";
import { PORT_RANGE_TRIMMED, trimmedMessage, trimmedPortRange } from "../shared/port-ranges.js";
import { type AzArgs, type AzCommand, type FlagPeek, type Flags, NAME_FLAG } from "./arguments.js";
import { type AzCliReader, refOf } from "./reader.js";

const RULE_FLAGS: Flags = {
  nsg: { names: ["--nsg-name"], name: true },
  name: NAME_FLAG,
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

/** A name as messages show it: quoted, or "(not known)". */
export const named = (text: string | undefined) =>
  text === undefined ? "(not known)" : JSON.stringify(text);

/** The rule a command names: `security rule "ssh" of network security group "web-nsg"`. */
const ruleNamed = (f: FlagPeek) =>
  `security rule ${named(f.text("name"))} of network security group ${named(f.text("nsg"))}`;

export const NETWORK_SECURITY_COMMANDS: Record<string, AzCommand> = {
  "network nsg create": {
    flags: { name: NAME_FLAG },
    leftOut: "the NSG is left out",
    omits: (f) => ({
      kind: "networkSecurityGroup",
      what: `network security group ${named(f.text("name"))}`,
    }),
    run: nsgCreate,
  },
  "network nsg rule create": {
    flags: RULE_FLAGS,
    leftOut: "the rule is left out",
    // az's default access is Allow.
    omits: (f) => {
      const access = f.given("access") ? f.text("access") : "Allow";
      return { kind: "rule", ...(access === undefined ? {} : { access }), what: ruleNamed(f) };
    },
    run: ruleCreate,
  },
  "network nsg rule delete": {
    flags: { nsg: { names: ["--nsg-name"], name: true }, name: NAME_FLAG },
    leftOut: "the command is ignored",
    omits: (f) => ({ kind: "ruleChange", what: `the removal of ${ruleNamed(f)}` }),
    run: ruleDelete,
  },
  "network asg create": {
    flags: { name: NAME_FLAG },
    leftOut: "the ASG is left out",
    omits: (f) => ({
      kind: "applicationSecurityGroup",
      what: `application security group ${named(f.text("name"))}`,
    }),
    run: asgCreate,
  },
};

function nsgCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  if (name === undefined) return;
  const nsg = reader.nsgNamed(name, args.at, true);
  if (args.location !== undefined) nsg.location = args.location;
  // Created here, after rules were added to it: a declaration from now on.
  reader.origins.placeholder(nsg, false);
  reader.origins.record(nsg, reader.at(args.at), { name: reader.at(args.valueAt("name")) });
}

function asgCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  if (name === undefined) return;
  const asg = { name, ...(args.location === undefined ? {} : { location: args.location }) };
  reader.origins.record(asg, reader.at(args.at), { name: reader.at(args.valueAt("name")) });
  reader.asgs.set(name.toLowerCase(), asg);
}

function ruleCreate(reader: AzCliReader, args: AzArgs): void {
  const nsgName = args.required("nsg");
  const name = args.required("name");
  const priority = args.required("priority");
  const fields = {
    direction: args.optional("direction"),
    access: args.optional("access"),
    protocol: args.optional("protocol"),
    description: args.optional("description"),
    sourcePrefixes: args.list("sourcePrefixes"),
    sourcePorts: args.list("sourcePorts"),
    sourceAsgs: args.list("sourceAsgs"),
    destinationPrefixes: args.list("destinationPrefixes"),
    destinationPorts: args.list("destinationPorts"),
    destinationAsgs: args.list("destinationAsgs"),
  };
  if (nsgName === undefined || name === undefined || priority === undefined) return;
  if (args.unknown) return;
  if (!/^\d+$/.test(priority)) {
    args.report(
      "error",
      "InvalidParameterValue",
      `--priority ${JSON.stringify(priority)} is not a whole number`,
      args.valueAt("priority"),
    );
    return;
  }
  const choice = (key: keyof typeof ENUMS, given: string | undefined, fallback: string) => {
    if (given === undefined) return fallback;
    const found = ENUMS[key].find((o) => o.toLowerCase() === given.toLowerCase());
    if (found === undefined)
      args.report(
        "error",
        "InvalidParameterValue",
        `--${key} ${JSON.stringify(given)} is not one of ${ENUMS[key].join(", ")}`,
        args.valueAt(key),
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
        args.report(
          "error",
          "InvalidParameterValue",
          `--${side}-asgs and several --${side}-address-prefixes together are rejected by Azure`,
          args.flagAt(`${side}Asgs`),
        );
        return;
      }
      rule[`${side}ApplicationSecurityGroups`] = asgs.map(refOf);
    } else {
      const values = prefixes ?? ["*"];
      rule[values.length === 1 ? `${side}AddressPrefix` : `${side}AddressPrefixes`] =
        values.length === 1 ? values[0] : values;
    }
    const ports = (fields[`${side}Ports`] ?? [side === "source" ? "*" : "80"]).map((p, k) => {
      const trimmed = trimmedPortRange(p);
      if (trimmed === undefined) return p;
      args.report(
        "info",
        PORT_RANGE_TRIMMED,
        trimmedMessage(p),
        args.valuesAt(`${side}Ports`)[k] ?? args.at,
      );
      return trimmed;
    });
    rule[ports.length === 1 ? `${side}PortRange` : `${side}PortRanges`] =
      ports.length === 1 ? ports[0] : ports;
  }
  const nsg = reader.nsgNamed(nsgName, args.valueAt("nsg"), false);
  const existing = nsg.rules.findIndex((r) => r.name.toLowerCase() === name.toLowerCase());
  const ordered = orderRule(rule);
  recordRule(reader, args, ordered);
  if (existing < 0) nsg.rules.push(ordered);
  else nsg.rules[existing] = ordered;
}

function ruleDelete(reader: AzCliReader, args: AzArgs): void {
  const nsgName = args.required("nsg");
  const name = args.required("name");
  if (nsgName === undefined || name === undefined) return;
  const nsg = reader.nsgNamed(nsgName, args.at, false);
  nsg.rules = nsg.rules.filter((r) => r.name.toLowerCase() !== name.toLowerCase());
}

/** Where each value of the rule is written: at its flag's value, or at the command for a default. */
function recordRule(reader: AzCliReader, args: AzArgs, rule: SecurityRule): void {
  const flags: Record<string, string> = {
    name: "name",
    description: "description",
    protocol: "protocol",
    access: "access",
    priority: "priority",
    direction: "direction",
  };
  for (const side of ["source", "destination"] as const) {
    for (const field of ["AddressPrefix", "AddressPrefixes"])
      flags[`${side}${field}`] = `${side}Prefixes`;
    for (const field of ["PortRange", "PortRanges"]) flags[`${side}${field}`] = `${side}Ports`;
    flags[`${side}ApplicationSecurityGroups`] = `${side}Asgs`;
  }
  reader.origins.record(rule, reader.at(args.at));
  for (const [field, flag] of Object.entries(flags)) {
    const value = (rule as unknown as Record<string, unknown>)[field];
    if (value === undefined) continue;
    reader.origins.field(rule, field, reader.at(args.givenAt(flag) ?? args.at));
    if (Array.isArray(value))
      args.valuesAt(flag).forEach((pos, k) => {
        reader.origins.field(value, k, reader.at(pos));
      });
  }
}

/** A rule with its properties in ARM's documented order. */
function orderRule(rule: Record<string, unknown>): SecurityRule {
  const order = ["name", ...SECURITY_RULE_PROPERTIES].filter((k) => k in rule);
  return Object.fromEntries(order.map((k) => [k, rule[k]])) as unknown as SecurityRule;
}
