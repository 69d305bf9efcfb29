/**
 * A single-rule change to an NSG, checked as Azure checks the NSG it would
 * make: the rule itself (parseSecurityRule), then against the NSG's other
 * custom rules: names unique, one rule per priority and direction, at most
 * LIMITS.rulesPerNsg rules. For those that judge a change without building
 * the whole network again (analysis/incremental-nsg.ts).
 */
import { type Diagnostic, error } from "./diagnostic.js";
import { LIMITS } from "./limits.js";
import { type Direction, type ParsedRule, parseSecurityRule, type RuleContext } from "./rule.js";
import type { SecurityRule } from "./types.js";

/** A custom rule of the NSG as it stands, by lower-case name. */
export interface StandingRule {
  readonly direction: Direction;
  readonly priority: number;
}

/**
 * The rule, parsed, if the NSG may hold it beside `others` (its custom rules
 * but the one it replaces); else every reason it may not.
 */
export function checkRuleChange(
  nsg: string,
  rule: SecurityRule,
  others: ReadonlyMap<string, StandingRule>,
  context: RuleContext,
): { rule: ParsedRule } | { diagnostics: Diagnostic[] } {
  const result = parseSecurityRule(rule, [], context);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.rule || errors.length > 0) return { diagnostics: errors };
  const parsed = result.rule;
  if (others.size + 1 > LIMITS.rulesPerNsg)
    return {
      diagnostics: [
        error(
          "SecurityRuleLimitExceeded",
          `network security group ${nsg} would have ${others.size + 1} security rules; at most ${LIMITS.rulesPerNsg} are allowed`,
          [],
          "remove a rule first, or merge rules that share an access and direction (prefix and port lists)",
        ),
      ],
    };
  if (others.has(parsed.name.toLowerCase()))
    return {
      diagnostics: [
        error(
          "DuplicateResourceName",
          `network security group ${nsg} already has a security rule ${parsed.name}`,
          [],
          "give the rule a name of its own, or replace the rule of that name",
        ),
      ],
    };
  const clash = [...others].find(
    ([, r]) => r.direction === parsed.direction && r.priority === parsed.priority,
  );
  if (clash)
    return {
      diagnostics: [
        error(
          "SecurityRuleConflict",
          `network security group ${nsg}: security rules ${clash[0]} and ${parsed.name} have the same priority (${parsed.priority}) and direction (${parsed.direction})`,
          [],
          "give each rule of a direction a priority of its own (100 to 4096)",
        ),
      ],
    };
  return { rule: parsed };
}

/** A change that names a rule the NSG does not hold. */
export function missingRule(nsg: string, name: string): Diagnostic {
  return error(
    "NotFound",
    `network security group ${nsg} has no security rule ${name}`,
    [],
    "name one of its custom rules (default rules cannot be changed)",
  );
}

/** A change to an NSG the network does not hold. */
export function missingNsg(nsg: string): Diagnostic {
  return error(
    "NotFound",
    `no network security group ${nsg}`,
    [],
    "name one of the network's NSGs",
  );
}
