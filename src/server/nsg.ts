/**
 * Network security groups as the API takes and gives them: a write is read
 * by the ARM importer and validated by the model, exactly as `tierwall
 * import` and `check` would, and refused with the model's diagnostics (whose
 * codes are Azure's) as ARM error details pointing into the request body; a
 * read gives back what was written with ARM's read-only properties added
 * (ids, etags, provisioningState, resourceGuid, defaultSecurityRules).
 */
import { DEFAULT_SECURITY_RULES } from "../model/default-rules.js";
import type { SecurityRule } from "../model/types.js";
import type { ResourceBody, StoredResource } from "../store/store.js";
import { asResource, bodyTarget, isObject, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import { NSG_TYPE, RULE_TYPE } from "./resource-types.js";
import { validateResources } from "./validate.js";

/** Properties a client may send back from a read, that a write does not set. */
const READ_ONLY = ["defaultSecurityRules", "subnets", "networkInterfaces", "flowLogs"];

/** A rule as stored: its name and writable properties. */
function storedRule(
  rule: unknown,
  at: string,
): { name: string; properties: Record<string, unknown> } {
  if (!isObject(rule) || typeof rule.name !== "string")
    throw new ArmError(400, "InvalidRequestFormat", `${at} must be an object with a name`);
  const properties = isObject(rule.properties) ? { ...rule.properties } : {};
  delete properties.provisioningState;
  return { name: rule.name, properties };
}

/**
 * The body to store for a PUT of the NSG `name`: what the client wrote,
 * without read-only properties, and the resourceGuid kept across replaces.
 * Throws ArmError (400) when it is not a valid NSG.
 */
export function nsgToStore(
  id: string,
  name: string,
  body: unknown,
  previous: StoredResource | undefined,
  asgs: readonly StoredResource[] = [],
): ResourceBody {
  const stored = topLevelBody(body, previous, READ_ONLY);
  const rules = stored.properties.securityRules ?? [];
  if (!Array.isArray(rules))
    throw new ArmError(400, "InvalidRequestFormat", "properties.securityRules must be an array");
  stored.properties.securityRules = rules.map((r, i) =>
    storedRule(r, `properties.securityRules[${i}]`),
  );
  validateResources(
    [{ id, name, type: NSG_TYPE, ...stored }, ...asgs.map(asResource)],
    bodyTarget("networkSecurityGroups", "securityRules"),
  );
  return stored;
}

/** The ids of the application security groups the body's rules name. */
export function referencedAsgs(body: unknown): string[] {
  const rules =
    isObject(body) && isObject(body.properties) ? body.properties.securityRules : undefined;
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule) => {
    const p = isObject(rule) && isObject(rule.properties) ? rule.properties : {};
    return [p.sourceApplicationSecurityGroups, p.destinationApplicationSecurityGroups].flatMap(
      (list) =>
        Array.isArray(list)
          ? list.flatMap((a) => (isObject(a) && typeof a.id === "string" ? [a.id] : []))
          : [],
    );
  });
}

const ruleId = (nsgId: string, kind: "securityRules" | "defaultSecurityRules", name: string) =>
  `${nsgId}/${kind}/${name}`;

/** A default rule in ARM's shape. */
function defaultRuleJson(nsgId: string, etag: string, rule: SecurityRule) {
  const { name, ...fields } = rule;
  return {
    name,
    id: ruleId(nsgId, "defaultSecurityRules", name),
    etag,
    type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
    properties: { provisioningState: "Succeeded", ...fields },
  };
}

/** A custom rule in ARM's shape, from the stored one. */
export function ruleJson(nsgId: string, etag: string, rule: unknown) {
  const { name, properties } = storedRule(rule, "rule");
  return {
    name,
    id: ruleId(nsgId, "securityRules", name),
    etag,
    type: RULE_TYPE,
    properties: { provisioningState: "Succeeded", ...properties },
  };
}

/** The NSG as a GET gives it, with the ids of the subnets and network interfaces that name it. */
export function nsgJson(
  stored: StoredResource,
  users: { readonly subnets: readonly string[]; readonly networkInterfaces: readonly string[] } = {
    subnets: [],
    networkInterfaces: [],
  },
) {
  const { subnets, networkInterfaces } = users;
  const name = stored.id.split("/").pop() as string;
  const properties = (stored.body.properties ?? {}) as Record<string, unknown>;
  const rules = (properties.securityRules ?? []) as unknown[];
  return {
    name,
    id: stored.id,
    etag: stored.etag,
    type: NSG_TYPE,
    location: stored.body.location,
    ...(stored.body.tags !== undefined ? { tags: stored.body.tags } : {}),
    properties: {
      provisioningState: "Succeeded",
      resourceGuid: properties.resourceGuid,
      securityRules: rules.map((r) => ruleJson(stored.id, stored.etag, r)),
      defaultSecurityRules: DEFAULT_SECURITY_RULES.map((r) =>
        defaultRuleJson(stored.id, stored.etag, r),
      ),
      ...(subnets.length > 0 ? { subnets: subnets.map((id) => ({ id })) } : {}),
      ...(networkInterfaces.length > 0
        ? { networkInterfaces: networkInterfaces.map((id) => ({ id })) }
        : {}),
    },
  };
}
