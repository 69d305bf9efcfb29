/**
 * A rule as the portal's table shows it, and as ARM writes it: the flat form
 * (the spec's, the topology's) to and from ARM's `{ name, properties }`.
 */
import type { SecurityRule } from "../../src/model/types.js";

/** One side's addresses as the portal shows them: prefixes, tags or ASGs. */
export function addressesOf(rule: SecurityRule, side: "source" | "destination"): string {
  const prefix = rule[`${side}AddressPrefix`];
  const prefixes = rule[`${side}AddressPrefixes`] ?? [];
  const asgs = (rule[`${side}ApplicationSecurityGroups`] ?? []).map((a) =>
    typeof a === "string" ? a : (a.id.split("/").pop() ?? a.id),
  );
  return [...(prefix !== undefined ? [prefix] : []), ...prefixes, ...asgs].join(", ") || "*";
}

export function portsOf(rule: SecurityRule, side: "source" | "destination"): string {
  const range = rule[`${side}PortRange`];
  const ranges = rule[`${side}PortRanges`] ?? [];
  return [...(range !== undefined ? [range] : []), ...ranges].join(", ") || "*";
}

const READ_ONLY = new Set(["provisioningState", "etag", "id", "type"]);

/** ARM's `{ name, properties }` as the flat rule. */
export function fromArm(rule: {
  name?: string;
  properties?: Record<string, unknown>;
}): SecurityRule {
  const properties = Object.fromEntries(
    Object.entries(rule.properties ?? {}).filter(([k]) => !READ_ONLY.has(k)),
  );
  return { name: rule.name ?? "", ...properties } as unknown as SecurityRule;
}

export function toArm(rule: SecurityRule): { name: string; properties: Record<string, unknown> } {
  const { name, ...properties } = rule;
  return { name, properties };
}

/** The fields the editor changes, as text. */
export interface RuleForm {
  name: string;
  priority: string;
  direction: string;
  access: string;
  protocol: string;
  source: string;
  sourcePorts: string;
  destination: string;
  destinationPorts: string;
  description: string;
}

export function formOf(rule: SecurityRule): RuleForm {
  return {
    name: rule.name,
    priority: String(rule.priority),
    direction: rule.direction,
    access: rule.access,
    protocol: rule.protocol,
    source: addressesOf(rule, "source"),
    sourcePorts: portsOf(rule, "source"),
    destination: addressesOf(rule, "destination"),
    destinationPorts: portsOf(rule, "destination"),
    description: rule.description ?? "",
  };
}

const list = (text: string) =>
  text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");

/**
 * The rule a form makes: one value in the singular field, several in the
 * plural one, as ARM takes them. ASGs named in the rule are kept from the
 * rule it edits (the form does not change them).
 */
export function ruleOf(form: RuleForm, before?: SecurityRule): SecurityRule {
  const side = (kind: "source" | "destination", addresses: string, ports: string) => {
    const asgs = before?.[`${kind}ApplicationSecurityGroups`] ?? [];
    const asgNames = new Set(asgs.map((a) => (typeof a === "string" ? a : a.id.split("/").pop())));
    const prefixes = list(addresses).filter((a) => !asgNames.has(a));
    const portList = list(ports);
    return {
      ...(asgs.length > 0
        ? { [`${kind}ApplicationSecurityGroups`]: asgs }
        : prefixes.length === 1
          ? { [`${kind}AddressPrefix`]: prefixes[0] }
          : { [`${kind}AddressPrefixes`]: prefixes }),
      ...(portList.length === 1
        ? { [`${kind}PortRange`]: portList[0] }
        : { [`${kind}PortRanges`]: portList }),
    };
  };
  const priority = Number(form.priority);
  return {
    name: form.name.trim(),
    ...(form.description.trim() ? { description: form.description.trim() } : {}),
    protocol: form.protocol,
    access: form.access,
    priority:
      Number.isFinite(priority) && form.priority.trim() !== ""
        ? priority
        : (form.priority as unknown as number),
    direction: form.direction,
    ...side("source", form.source, form.sourcePorts),
    ...side("destination", form.destination, form.destinationPorts),
  } as SecurityRule;
}
