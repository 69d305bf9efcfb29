import { type Diagnostic, error, type ValuePath } from "../model/diagnostic.js";
import { duplicateNames } from "../model/names.js";
import type { NetworkSecurityGroup, SecurityRule, Topology } from "../model/types.js";
import { normalizeAssertion, type SpecAssertion } from "./assertions.js";
import { RULE_FIELDS, type SecurityRuleDocument, type SpecDocument } from "./schema.js";

/**
 * Turns a schema-checked document into the model: rule fields lifted out of
 * `properties`, required fields checked, assertions expanded one per port,
 * tier names checked for duplicates.
 * A rule that cannot be lifted is left out, so `ruleIndexes[i][k]` gives the
 * index in the document of rule k of NSG i, to place diagnostics on the model.
 */
export function normalizeSpec(doc: SpecDocument): {
  topology: Topology;
  assertions: SpecAssertion[];
  diagnostics: Diagnostic[];
  ruleIndexes: number[][];
} {
  const diagnostics: Diagnostic[] = [];
  const ruleIndexes: number[][] = [];
  const networkSecurityGroups: NetworkSecurityGroup[] = (doc.networkSecurityGroups ?? []).map(
    (nsg, i) => {
      const kept: number[] = [];
      ruleIndexes.push(kept);
      return {
        name: nsg.name,
        ...(nsg.location === undefined ? {} : { location: nsg.location }),
        securityRules: (nsg.securityRules ?? []).flatMap((rule, j) => {
          const lifted = liftRule(
            rule,
            ["networkSecurityGroups", i, "securityRules", j],
            diagnostics,
          );
          if (!lifted) return [];
          kept.push(j);
          return [lifted];
        }),
      };
    },
  );
  const topology: Topology = {
    virtualNetworks: (doc.virtualNetworks ?? []).map((v) => ({ ...v, subnets: v.subnets ?? [] })),
    networkSecurityGroups,
    applicationSecurityGroups: doc.applicationSecurityGroups ?? [],
    networkInterfaces: doc.networkInterfaces ?? [],
    environments: doc.environments ?? [],
    ...(doc.publicIPAddresses ? { publicIPAddresses: doc.publicIPAddresses } : {}),
    ...(doc.loadBalancers ? { loadBalancers: doc.loadBalancers } : {}),
    ...(doc.applicationGateways ? { applicationGateways: doc.applicationGateways } : {}),
    ...(doc.natGateways ? { natGateways: doc.natGateways } : {}),
    ...(doc.privateEndpoints ? { privateEndpoints: doc.privateEndpoints } : {}),
    ...(doc.bastionHosts ? { bastionHosts: doc.bastionHosts } : {}),
    ...(doc.virtualMachineScaleSets
      ? { virtualMachineScaleSets: doc.virtualMachineScaleSets }
      : {}),
    ...(doc.routeTables
      ? { routeTables: doc.routeTables.map((t) => ({ ...t, routes: t.routes ?? [] })) }
      : {}),
  };
  const assertions = (doc.assertions ?? []).flatMap((a, i) =>
    normalizeAssertion(a, ["assertions", i], diagnostics),
  );
  // Tiers are named like the resources they stand for, so alike: one of each name.
  diagnostics.push(...duplicateNames("tiers", "tier", doc.tiers ?? []).values());
  return { topology, assertions, diagnostics, ruleIndexes };
}

const REQUIRED = ["protocol", "access", "priority", "direction"] as const;

function liftRule(
  rule: SecurityRuleDocument,
  path: ValuePath,
  diagnostics: Diagnostic[],
): SecurityRule | undefined {
  const merged: Record<string, unknown> = { name: rule.name };
  let ok = true;
  for (const field of RULE_FIELDS) {
    const top = rule[field];
    const nested = rule.properties?.[field];
    if (top !== undefined && nested !== undefined) {
      diagnostics.push(
        error(
          "DuplicateProperty",
          `security rule ${rule.name}: ${field} is given both here and under properties`,
          [...path, field],
        ),
      );
      ok = false;
    }
    const value = top ?? nested;
    if (value !== undefined) merged[field] = value;
  }
  for (const field of REQUIRED) {
    if (merged[field] === undefined) {
      diagnostics.push(
        error(
          "MissingProperty",
          `security rule ${rule.name} has no ${field}`,
          path,
          requiredHint(field),
        ),
      );
      ok = false;
    }
  }
  return ok ? (merged as unknown as SecurityRule) : undefined;
}

function requiredHint(field: (typeof REQUIRED)[number]): string {
  switch (field) {
    case "protocol":
      return "Tcp, Udp, Icmp, Esp, Ah or *";
    case "access":
      return "Allow or Deny";
    case "priority":
      return "a number from 100 to 4096, unique per direction";
    case "direction":
      return "Inbound or Outbound";
  }
}
