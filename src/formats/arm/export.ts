/**
 * A topology as an ARM deployment template: the application security groups,
 * NSGs, and (scope `all`) virtual networks, public IPs and network
 * interfaces, or (scope `nsgs`) the subnets and interfaces NSGs are
 * associated with, linked by `resourceId()` expressions with their `dependsOn`.
 */
import type { Topology } from "../../model/types.js";
import type { ExportScope } from "../shared/export-scope.js";
import { escapeHiddenInJson } from "../shared/hidden-characters.js";
import { wellFormed } from "../shared/unwritable.js";
import { API_VERSION, type PlanValue, planDeployment, ResourceReference } from "./deployment.js";

export const ARM_SCHEMA =
  "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
export const ARM_API_VERSION = API_VERSION;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A string inside an expression: in single quotes, each one doubled. */
const quote = (s: string): string => `'${wellFormed(s).replace(/'/g, "''")}'`;
/**
 * A literal string value. ARM reads a string that starts with `[` and ends
 * with `]` as an expression, unless it starts with `[[`, which stands for one
 * `[`; any other string is taken as it is (so `[x` is not escaped).
 */
const literal = (s: string): string =>
  wellFormed(s).startsWith("[") && s.endsWith("]") ? `[${s}` : s;
const resourceIdExpr = (ref: ResourceReference): string =>
  `[resourceId(${[ref.type, ...ref.names].map(quote).join(", ")})]`;

function armValue(value: PlanValue): Json {
  if (value instanceof ResourceReference) return resourceIdExpr(value);
  if (typeof value === "string") return literal(value);
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(armValue);
  return Object.fromEntries(
    Object.entries(value as Record<string, PlanValue>).map(([k, v]) => [k, armValue(v)]),
  );
}

/** Writes the topology as an ARM deployment template (JSON, 2-space indent); the whole deployment by default here. */
export function exportArm(topology: Topology, scope: ExportScope = "all"): string {
  // A resource that exists is referred to by resourceId() only.
  const planned = planDeployment(topology, scope).filter((r) => r.existing !== true);
  const resources = planned.map((r): Json => {
    const resource: Record<string, Json> = {
      type: r.type,
      apiVersion: ARM_API_VERSION,
      name: literal(r.names.join("/")),
    };
    if (r.location !== undefined)
      resource.location =
        r.location === "parameter" ? "[parameters('location')]" : literal(r.location.region);
    if (r.sku !== undefined) resource.sku = { name: r.sku };
    if (r.properties !== undefined) resource.properties = armValue(r.properties);
    if (r.dependsOn.length > 0) resource.dependsOn = r.dependsOn.map(resourceIdExpr);
    return resource;
  });

  const template = {
    $schema: ARM_SCHEMA,
    contentVersion: "1.0.0.0",
    metadata: {
      generator: "tierwall",
      description:
        scope === "all"
          ? "Application security groups, network security groups, virtual networks, public IP addresses and network interfaces. " +
            "Environments, assertions, tiers and connected address prefixes are not exported."
          : "Application security groups, network security groups, and their associations with the subnets and network interfaces that exist. " +
            "Subnets are deployed with their address prefixes, NSG and route table, interfaces with their IP configurations; the networks and public IP addresses are referred to as they exist.",
    },
    parameters: {
      location: {
        type: "string",
        defaultValue: "[resourceGroup().location]",
        metadata: { description: "Location of resources that do not name their own" },
      },
    },
    resources,
  };
  // Hidden characters as \u escapes, so that a reviewer sees them.
  return `${escapeHiddenInJson(JSON.stringify(template, null, 2))}\n`;
}
