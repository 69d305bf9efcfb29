/**
 * Network security in azurerm: application security groups, NSGs with their
 * inline `security_rule` blocks, and rule resources
 * (`azurerm_network_security_rule`).
 */
import type { SecurityRule } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import {
  isPortField,
  PORT_RANGE_TRIMMED,
  trimmedMessage,
  trimmedPortRange,
} from "../shared/port-ranges.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { RULE_ATTRIBUTES } from "./azurerm-schema.js";
import type { TfBlock, TfValue } from "./values.js";

const LIST_FIELDS = new Set<keyof SecurityRule>([
  "sourceAddressPrefixes",
  "sourcePortRanges",
  "destinationAddressPrefixes",
  "destinationPortRanges",
]);

export function readAsg(r: AzurermReader, block: TfBlock): void {
  const what = `application security group ${block.where().text}`;
  r.omitting({ kind: "applicationSecurityGroup", what }, () => {
    const name = r.name(block, "name", "the application security group is left out");
    const asg = { name, ...r.location(block) };
    r.record(asg, block, { name: "name" });
    r.asgs.push(asg);
  });
}

export function readNsg(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(
    { kind: "networkSecurityGroup", what: `network security group ${address}` },
    () => r.name(block, "name", "the NSG and its rules are left out"),
  );
  const nsg = r.nsgDraft(name);
  Object.assign(nsg, r.location(block));
  r.record(nsg, block, { name: "name", securityRules: "security_rule" });
  r.origins.placeholder(nsg, false);
  const blocks = r.omitting(
    { kind: "rule", what: `the security rules ${address} makes when Terraform runs` },
    () => r.knownBlocks(block, "security_rule", "rules"),
  );
  for (const rule of blocks) r.guarded(() => nsg.rules.push(readRule(r, rule)));
  // In terraform show output, inline rules also list the rule resources' rules.
  const first = blocks[0];
  if (first !== undefined && !r.shown) declarations(r, name).inline = first.where();
}

function declarations(r: AzurermReader, nsg: string) {
  let found = r.ruleDeclarations.get(lower(nsg));
  if (!found) {
    found = { resources: new Map() };
    r.ruleDeclarations.set(lower(nsg), found);
  }
  return found;
}

/**
 * Whether the rule resource is the first of its name on its NSG: two are one
 * Azure rule that each apply rewrites (an error at the second). Inline rules
 * beside rule resources are the conflict the azurerm provider documents: each
 * apply of the NSG removes the resources' rules, and the next apply adds them
 * back (a warning). Both kinds are imported, as a first apply leaves them.
 */
function declaredOnce(r: AzurermReader, block: TfBlock, nsg: string, rule: string): boolean {
  const seen = declarations(r, nsg);
  const place = block.where("name");
  const before = seen.resources.get(lower(rule));
  if (before !== undefined) {
    r.report(
      "error",
      "DuplicateResourceName",
      place,
      `security rule ${JSON.stringify(rule)} of NSG ${JSON.stringify(nsg)} is also declared by ${before.text}${lineOf(before)}; the two resources would rewrite one rule on every apply`,
    );
    return false;
  }
  if (seen.inline !== undefined && seen.resources.size === 0)
    r.report(
      "warning",
      "InlineAndSeparateRules",
      block.where(),
      `NSG ${JSON.stringify(nsg)} has inline security_rule blocks (${seen.inline.text}${lineOf(seen.inline)}) and rule resources: each apply of the NSG removes the resources' rules and the next adds them back; both are imported, as a first apply leaves them`,
    );
  seen.resources.set(lower(rule), block.where());
  return true;
}

const lineOf = (place: { readonly location?: { readonly line: number } }) =>
  place.location ? ` at line ${place.location.line}` : "";

export function readRuleResource(r: AzurermReader, block: TfBlock): void {
  const rule = readRule(r, block);
  const consequence = `the rule ${JSON.stringify(rule.name)} is left out`;
  const v = r.omitting(ruleOmission(r, block, rule.name), () =>
    r.name(block, "network_security_group_name", consequence),
  );
  if (!declaredOnce(r, block, v as string, rule.name)) return;
  const declared = r.nsgs.has(lower(v as string));
  if (!declared) {
    // Rules for an NSG declared elsewhere: it merges into that declaration.
    const nsg = r.nsgDraft(v as string);
    r.record(nsg, block, { name: "network_security_group_name" });
    r.origins.placeholder(nsg);
    r.report(
      "info",
      "ParentNotDeclared",
      block.where("network_security_group_name"),
      `NSG ${JSON.stringify(v)} is not declared in these files; its rule is imported into an NSG of that name`,
    );
  }
  // A state lists a rule resource's rule in its NSG's security_rule too: the resource's wins.
  const rules = r.nsgDraft(v as string).rules;
  const same = rules.findIndex((x) => lower(x.name) === lower(rule.name));
  if (same < 0) rules.push(rule);
  else rules[same] = rule;
}

/** What leaving out the rule of `block` leaves out: a rule, with its access when that is known. */
function ruleOmission(r: AzurermReader, block: TfBlock, name?: string): LeftOut {
  const access = r.peek(block, "access");
  return {
    kind: "rule",
    ...(typeof access === "string" ? { access } : {}),
    what: `security rule ${name === undefined ? "" : `${JSON.stringify(name)} `}(${block.where().text})`,
  };
}

/** A rule, from a `security_rule` block or a rule resource. */
function readRule(r: AzurermReader, block: TfBlock): SecurityRule {
  // The description decides no packet: when it is not known, the rule stays without it.
  const description = r.value(
    block,
    "description",
    "the description is left out",
    "warning",
    false,
  );
  let consequence = "the rule is left out";
  const name = r.omitting(ruleOmission(r, block), () => r.name(block, "name", consequence));
  consequence = `the rule ${JSON.stringify(name)} is left out`;
  const rule: Record<string, unknown> = { name };
  r.omitting(ruleOmission(r, block, name), () => {
    for (const [attribute, field] of RULE_ATTRIBUTES) {
      if (field === "description") {
        if (typeof description === "string" && description !== "") rule[field] = description;
        continue;
      }
      if (field.endsWith("ApplicationSecurityGroups")) {
        const v = r.value(block, attribute, consequence);
        if (v === undefined) continue;
        if (!Array.isArray(v)) r.wrongType(block, attribute, "a list of ids");
        const refs = (v as readonly TfValue[]).map((item) => r.asgRef(block, attribute, item));
        if (refs.length > 0) rule[field] = refs;
      } else if (field === "priority") {
        const v = r.value(block, attribute, consequence);
        const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
        if (typeof n === "number") rule[field] = n;
        else if (v !== undefined) r.wrongType(block, attribute, "a number");
      } else if (LIST_FIELDS.has(field)) {
        const v = r.strings(block, attribute, consequence);
        if (v !== undefined && v.length > 0)
          rule[field] = v.map((item) => portRange(r, block, attribute, field, item));
      } else {
        const v = r.string(block, attribute, consequence);
        if (v !== undefined) rule[field] = portRange(r, block, attribute, field, v);
      }
    }
  });
  r.record(
    rule,
    block,
    Object.fromEntries([
      ["name", "name"],
      ...RULE_ATTRIBUTES.map(([attribute, field]) => [field, attribute]),
    ]),
  );
  return rule as unknown as SecurityRule;
}

/** A port range as Azure deploys it (trimmed, with a note); any other value as written. */
function portRange(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  field: string,
  value: string,
): string {
  const trimmed = isPortField(field) ? trimmedPortRange(value) : undefined;
  if (trimmed === undefined) return value;
  r.report("info", PORT_RANGE_TRIMMED, block.where(attribute), trimmedMessage(value));
  return trimmed;
}
