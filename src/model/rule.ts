import type { IpFamily } from "../net/address.js";
import { type PortRange, parsePortRange } from "../net/ports.js";
import { type Prefix, parsePrefix } from "../net/prefix.js";
import { parseRuleProtocol, type RuleProtocol } from "../net/protocol.js";
import { type Diagnostic, error, type ValuePath, warning } from "./diagnostic.js";
import { LIMITS } from "./limits.js";
import type { NameIndex } from "./names.js";
import { referenced } from "./resource-id.js";
import {
  classicTagReplacement,
  isBuiltInTag,
  type ServiceTagCatalog,
  unknownTagHint,
} from "./service-tags.js";
import type { SecurityRule } from "./types.js";

export type Access = "Allow" | "Deny";
export type Direction = "Inbound" | "Outbound";

/** What one side (source or destination) of a rule matches, before tags and ASGs are expanded. */
export type AddressMatch =
  | { readonly kind: "any" }
  | { readonly kind: "tag"; readonly tag: string }
  | { readonly kind: "prefixes"; readonly prefixes: readonly Prefix[] }
  | { readonly kind: "asgs"; readonly names: readonly string[] };

/** A valid security rule in typed form. */
export interface ParsedRule {
  readonly name: string;
  readonly description?: string;
  readonly isDefault: boolean;
  readonly protocol: RuleProtocol;
  readonly access: Access;
  readonly priority: number;
  readonly direction: Direction;
  readonly source: AddressMatch;
  readonly sourcePorts: readonly PortRange[];
  readonly destination: AddressMatch;
  readonly destinationPorts: readonly PortRange[];
}

/** What rule parsing needs to know about the rest of the deployment. */
export interface RuleContext {
  readonly serviceTags: ServiceTagCatalog;
  readonly applicationSecurityGroups: NameIndex;
}

// ARM's rule for resource names: 1–80 word characters, '.', '-', '_', starting
// with a letter or digit and ending with a letter, digit or '_'.
const NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

/**
 * A placeholder in a name, `<projectName>`: what an import writes for a part
 * of a name known only when deploying (a parameter without a value). ARM
 * names never hold '<' or '>', so it cannot be mistaken for a real name.
 */
export const NAME_PLACEHOLDER = /<[^<>\s]+>/g;

/** Whether the name is valid in ARM, each placeholder standing for one character. */
export function isValidResourceName(name: string): boolean {
  return NAME.test(name.replace(NAME_PLACEHOLDER, "x"));
}

/** Whether the name holds a placeholder. */
export const hasPlaceholder = (name: string): boolean => /<[^<>\s]+>/.test(name);

export function nameProblem(kind: string, name: string, path: ValuePath): Diagnostic | undefined {
  if (isValidResourceName(name)) return undefined;
  return error(
    "InvalidResourceName",
    `${kind} name ${JSON.stringify(name)} is invalid`,
    path,
    "names are 1-80 characters of letters, digits, '.', '-' and '_', starting with a letter or digit and ending with a letter, digit or '_'; an import writes <placeholder> for a part known only when deploying",
  );
}

/** What every rule states. */
const REQUIRED = ["name", "protocol", "access", "priority", "direction"] as const;

const ACCESS: readonly Access[] = ["Allow", "Deny"];
const DIRECTIONS: readonly Direction[] = ["Inbound", "Outbound"];

function pickCaseInsensitive<T extends string>(options: readonly T[], text: string): T | undefined {
  const lower = text.toLowerCase();
  return options.find((o) => o.toLowerCase() === lower);
}

/**
 * Parses and validates one rule, reporting every problem it has. Returns the
 * typed rule only when it has no errors.
 */
export function parseSecurityRule(
  rule: SecurityRule,
  path: ValuePath,
  context: RuleContext,
  isDefault = false,
): { rule?: ParsedRule; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const label = `security rule ${rule.name}`;
  // A spec's loader reports these first; an importer, or a caller of the library, may not have.
  const missing = REQUIRED.filter((field) => rule[field] === undefined);
  if (missing.length > 0)
    return {
      diagnostics: missing.map((field) =>
        error("MissingProperty", `${label} has no ${field}`, path),
      ),
    };

  const badName = nameProblem("security rule", rule.name, [...path, "name"]);
  if (badName) diagnostics.push(badName);
  if (rule.description !== undefined && rule.description.length > LIMITS.descriptionLength) {
    diagnostics.push(
      error(
        "SecurityRuleInvalidDescription",
        `${label}: the description has ${rule.description.length} characters; at most ${LIMITS.descriptionLength} are allowed`,
        [...path, "description"],
      ),
    );
  }

  const protocol = parseRuleProtocol(rule.protocol);
  if (!protocol)
    diagnostics.push(
      error(
        "SecurityRuleInvalidProtocol",
        `${label}: protocol ${JSON.stringify(rule.protocol)} is not one of Tcp, Udp, Icmp, Esp, Ah, *`,
        [...path, "protocol"],
      ),
    );
  const access = pickCaseInsensitive(ACCESS, rule.access);
  if (!access)
    diagnostics.push(
      error(
        "SecurityRuleInvalidAccess",
        `${label}: access ${JSON.stringify(rule.access)} is not Allow or Deny`,
        [...path, "access"],
      ),
    );
  const direction = pickCaseInsensitive(DIRECTIONS, rule.direction);
  if (!direction)
    diagnostics.push(
      error(
        "SecurityRuleInvalidDirection",
        `${label}: direction ${JSON.stringify(rule.direction)} is not Inbound or Outbound`,
        [...path, "direction"],
      ),
    );
  const priorityOk =
    isDefault ||
    (Number.isInteger(rule.priority) &&
      rule.priority >= LIMITS.minPriority &&
      rule.priority <= LIMITS.maxPriority);
  if (!priorityOk)
    diagnostics.push(
      error(
        "SecurityRuleInvalidPriority",
        `${label}: priority ${rule.priority} is outside ${LIMITS.minPriority}-${LIMITS.maxPriority}`,
        [...path, "priority"],
        "lower numbers are evaluated first; leave gaps so that rules can be added in between",
      ),
    );

  const source = parseAddressSide(rule, "source", path, context, label, diagnostics);
  const destination = parseAddressSide(rule, "destination", path, context, label, diagnostics);
  checkOneFamily(rule, source, destination, path, label, diagnostics);
  const sourcePorts = parsePortSide(rule, "source", path, label, diagnostics);
  const destinationPorts = parsePortSide(rule, "destination", path, label, diagnostics);

  if (protocol && protocol !== "*" && protocol !== "Tcp" && protocol !== "Udp") {
    for (const [side, ports] of [
      ["source", sourcePorts],
      ["destination", destinationPorts],
    ] as const) {
      if (ports && !(ports.length === 1 && ports[0]?.first === 0 && ports[0]?.last === 65535)) {
        // Point at the field the rule actually uses, singular or plural.
        const field = nonEmpty(rule[`${side}PortRanges`])
          ? `${side}PortRanges`
          : `${side}PortRange`;
        diagnostics.push(
          warning(
            "PortsIgnoredForProtocol",
            `${label}: ${protocol} has no ports, so its ${side} port range is ignored`,
            [...path, field],
            "use '*'",
          ),
        );
      }
    }
  }

  if (diagnostics.some((d) => d.severity === "error")) return { diagnostics };
  return {
    diagnostics,
    rule: {
      name: rule.name,
      ...(rule.description === undefined ? {} : { description: rule.description }),
      isDefault,
      protocol: protocol as RuleProtocol,
      access: access as Access,
      priority: rule.priority,
      direction: direction as Direction,
      source: source as AddressMatch,
      sourcePorts: sourcePorts as PortRange[],
      destination: destination as AddressMatch,
      destinationPorts: destinationPorts as PortRange[],
    },
  };
}

type Side = "source" | "destination";

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

/**
 * Where a side without a value is reported: at the first of `fields` given
 * empty ("" or []), which is what the user wrote, else at the rule.
 */
function emptyField(
  rule: SecurityRule,
  path: ValuePath,
  fields: (keyof SecurityRule)[],
): ValuePath {
  const field = fields.find((f) => {
    const value = rule[f];
    return value === "" || (Array.isArray(value) && value.length === 0);
  });
  return field === undefined ? path : [...path, field];
}

function parseAddressSide(
  rule: SecurityRule,
  side: Side,
  path: ValuePath,
  context: RuleContext,
  label: string,
  diagnostics: Diagnostic[],
): AddressMatch | undefined {
  const single = rule[`${side}AddressPrefix`];
  const plural = rule[`${side}AddressPrefixes`];
  const asgs = rule[`${side}ApplicationSecurityGroups`];
  const given = [single !== undefined && single !== "", nonEmpty(plural), nonEmpty(asgs)].filter(
    Boolean,
  ).length;
  const Side = side === "source" ? "Source" : "Destination";
  if (given !== 1) {
    diagnostics.push(
      error(
        "SecurityRuleInvalidAddressFields",
        `${label}: must specify a non empty value for exactly one of ${Side}AddressPrefix, ${Side}AddressPrefixes, ${Side}ApplicationSecurityGroups (${given === 0 ? "none is" : `${given} are`} given)`,
        given === 0
          ? emptyField(rule, path, [
              `${side}AddressPrefix`,
              `${side}AddressPrefixes`,
              `${side}ApplicationSecurityGroups`,
            ])
          : [...path, `${side}AddressPrefix`],
        given === 0 ? `use ${side}AddressPrefix: '*' to match any address` : undefined,
      ),
    );
    return undefined;
  }
  if (single !== undefined && single !== "") {
    const fieldPath = [...path, `${side}AddressPrefix`];
    if (single === "*") return { kind: "any" };
    const parsed = parsePrefix(single);
    if (parsed.ok) return { kind: "prefixes", prefixes: [parsed.prefix] };
    if (isBuiltInTag(single) || context.serviceTags.has(single))
      return { kind: "tag", tag: single };
    const classic = classicTagReplacement(single);
    if (classic) {
      diagnostics.push(
        error(
          "SecurityRuleInvalidAddressPrefix",
          `${label}: ${JSON.stringify(single)} is the classic spelling of a service tag, which Resource Manager rejects`,
          fieldPath,
          `write ${classic}`,
        ),
      );
      return undefined;
    }
    if (parsed.problem === "hostBits") {
      diagnostics.push(hostBitsError(single, label, fieldPath));
      return undefined;
    }
    // Azure rejects "any" as an invalid prefix, not as an unknown tag: it means '*'.
    if (single.toLowerCase() === "any") {
      diagnostics.push(
        error(
          "SecurityRuleInvalidAddressPrefix",
          `${label}: Security rule has invalid Address prefix. Value provided: ${single}`,
          fieldPath,
          "write '*' to match any address",
        ),
      );
      return undefined;
    }
    const looksLikeAddress = /^[0-9a-fA-F:.\-/]+$/.test(single) && /[.:]/.test(single);
    diagnostics.push(
      looksLikeAddress
        ? error(
            "SecurityRuleInvalidAddressPrefix",
            `${label}: Security rule has invalid Address prefix. Value provided: ${single}`,
            fieldPath,
            single.includes("-")
              ? "address ranges with '-' are not accepted; use CIDR blocks"
              : undefined,
          )
        : error(
            "UnknownServiceTag",
            `${label}: ${JSON.stringify(single)} is neither an address, a CIDR block, '*' nor a known service tag`,
            fieldPath,
            unknownTagHint(single, context.serviceTags),
          ),
    );
    return undefined;
  }
  if (nonEmpty(plural)) {
    const prefixes: Prefix[] = [];
    plural.forEach((text, i) => {
      const fieldPath = [...path, `${side}AddressPrefixes`, i];
      const parsed = parsePrefix(text);
      if (parsed.ok) prefixes.push(parsed.prefix);
      else if (
        text === "*" ||
        isBuiltInTag(text) ||
        context.serviceTags.has(text) ||
        classicTagReplacement(text)
      )
        diagnostics.push(
          error(
            "SecurityRuleParameterContainsUnsupportedValue",
            `${label}: ${Side}AddressPrefixes cannot specify existing VIRTUALNETWORK, INTERNET, AZURELOADBALANCER, '*' or system tags. Unsupported value used: ${text}`,
            fieldPath,
            `put a single tag or '*' in ${side}AddressPrefix instead`,
          ),
        );
      else if (parsed.problem === "hostBits")
        diagnostics.push(hostBitsError(text, label, fieldPath));
      else
        diagnostics.push(
          error(
            "SecurityRuleInvalidAddressPrefix",
            `${label}: Security rule has invalid Address prefix. Value provided: ${text}`,
            fieldPath,
          ),
        );
    });
    return prefixes.length === plural.length ? { kind: "prefixes", prefixes } : undefined;
  }
  const refs = asgs as readonly NonNullable<
    SecurityRule["sourceApplicationSecurityGroups"]
  >[number][];
  const fieldPath = [...path, `${side}ApplicationSecurityGroups`];
  if (refs.length > LIMITS.asgsPerRuleSide) {
    diagnostics.push(
      error(
        "NumberOfApplicationSecurityGroupsReferencedInSecurityRuleLimitReached",
        `${label}: ${refs.length} application security groups in ${side}; at most ${LIMITS.asgsPerRuleSide} are allowed`,
        fieldPath,
      ),
    );
  }
  let known = true;
  const names = refs.map((ref, i) => {
    const found = referenced(ref, "applicationSecurityGroups");
    if (found.problem === undefined)
      return context.applicationSecurityGroups.resolve(found.name) ?? found.name;
    known = false;
    const at = typeof ref === "string" ? [...fieldPath, i] : [...fieldPath, i, "id"];
    diagnostics.push(error("InvalidResourceReference", `${label}: ${found.problem}`, at));
    return undefined;
  });
  names.forEach((name, i) => {
    if (name !== undefined && !context.applicationSecurityGroups.has(name)) {
      known = false;
      diagnostics.push(
        error(
          "UnknownApplicationSecurityGroup",
          `${label}: application security group ${JSON.stringify(name)} is not defined`,
          [...fieldPath, i],
          "declare it under applicationSecurityGroups",
        ),
      );
    }
  });
  return known ? { kind: "asgs", names: names as string[] } : undefined;
}

function hostBitsError(text: string, label: string, path: ValuePath): Diagnostic {
  const [address, length] = text.split("/");
  return error(
    "SecurityRuleInvalidAddressPrefix",
    `${label}: Security rule has invalid Address prefix. Value provided: ${text}`,
    path,
    `${address} has bits set beyond the /${length} prefix length; write the network address of the block`,
  );
}

function familiesOf(match: AddressMatch | undefined): Set<IpFamily> {
  return new Set(match?.kind === "prefixes" ? match.prefixes.map((p) => p.family) : []);
}

/** IPv4 and IPv6 cannot meet in one rule; the error points at the side that brings in the second family. */
function checkOneFamily(
  rule: SecurityRule,
  source: AddressMatch | undefined,
  destination: AddressMatch | undefined,
  path: ValuePath,
  label: string,
  diagnostics: Diagnostic[],
): void {
  const sourceFamilies = familiesOf(source);
  const families = new Set([...sourceFamilies, ...familiesOf(destination)]);
  if (families.size < 2) return;
  const side: Side = sourceFamilies.size > 1 ? "source" : "destination";
  const field = nonEmpty(rule[`${side}AddressPrefixes`])
    ? `${side}AddressPrefixes`
    : `${side}AddressPrefix`;
  diagnostics.push(
    error(
      "ResourceCannotContainAddressPrefixesFromDifferentAddressFamilies",
      `${label}: mixes IPv4 and IPv6 address prefixes`,
      [...path, field],
      "write one rule per address family",
    ),
  );
}

function parsePortSide(
  rule: SecurityRule,
  side: Side,
  path: ValuePath,
  label: string,
  diagnostics: Diagnostic[],
): PortRange[] | undefined {
  const single = rule[`${side}PortRange`];
  const plural = rule[`${side}PortRanges`];
  const hasSingle = single !== undefined && single !== "";
  const Side = side === "source" ? "Source" : "Destination";
  if (hasSingle && nonEmpty(plural)) {
    diagnostics.push(
      error(
        "SecurityRuleInvalidPortFields",
        `${label}: gives both ${side}PortRange and ${side}PortRanges; use one`,
        [...path, `${side}PortRanges`],
      ),
    );
    return undefined;
  }
  if (!hasSingle && !nonEmpty(plural)) {
    diagnostics.push(
      error(
        "SecurityRuleInvalidPortFields",
        `${label}: must specify ${Side}PortRange or ${Side}PortRanges`,
        emptyField(rule, path, [`${side}PortRange`, `${side}PortRanges`]),
        `use ${side}PortRange: '*' to match any port`,
      ),
    );
    return undefined;
  }
  const texts = hasSingle ? [single] : (plural as readonly string[]);
  const ranges: PortRange[] = [];
  texts.forEach((text, i) => {
    const fieldPath = hasSingle ? [...path, `${side}PortRange`] : [...path, `${side}PortRanges`, i];
    const parsed = !hasSingle && text === "*" ? undefined : parsePortRange(text);
    if (parsed?.ok) {
      ranges.push(parsed.range);
      return;
    }
    const why =
      parsed === undefined
        ? "'*' is not accepted in a list; use 0-65535"
        : parsed.problem === "reversed"
          ? "the first port of a range must not exceed the last"
          : text.includes(",")
            ? "put each port or range in its own list element"
            : undefined;
    diagnostics.push(
      error(
        "SecurityRuleInvalidPortRange",
        `${label}: Security rule has invalid Port range. Value provided: ${text}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.`,
        fieldPath,
        why,
      ),
    );
  });
  return ranges.length === texts.length ? ranges : undefined;
}

/** The name of a rule as Network Watcher and effective rules show it. */
export function watcherRuleName(rule: Pick<ParsedRule, "name" | "isDefault">): string {
  return `${rule.isDefault ? "defaultSecurityRules" : "securityRules"}/${rule.name}`;
}
