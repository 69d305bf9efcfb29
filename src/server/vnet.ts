/**
 * Virtual networks and their subnets as the API takes and gives them: a
 * subnet names its NSG (`properties.networkSecurityGroup.id`), which must
 * exist; a write is validated by the model with the NSGs it names, as `check`
 * would (address spaces, subnets inside them and apart, references).
 */
import type { ResourceBody, StoredResource } from "../store/store.js";
import { asResource, bodyTarget, isObject, resourceJson, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import { SUBNET_TYPE, VNET_TYPE } from "./resource-types.js";
import { validateResources } from "./validate.js";

/** A subnet as stored: its name and writable properties. */
export function storedSubnet(
  subnet: unknown,
  at: string,
): { name: string; properties: Record<string, unknown> } {
  if (!isObject(subnet) || typeof subnet.name !== "string")
    throw new ArmError(400, "InvalidRequestFormat", `${at} must be an object with a name`);
  const properties = isObject(subnet.properties) ? { ...subnet.properties } : {};
  for (const key of ["provisioningState", "ipConfigurations", "purpose"]) delete properties[key];
  return { name: subnet.name, properties };
}

/** The ids of the NSGs the body's subnets name. */
export function referencedNsgs(body: unknown): string[] {
  const subnets = isObject(body) && isObject(body.properties) ? body.properties.subnets : undefined;
  if (!Array.isArray(subnets)) return [];
  return subnets.flatMap((s) => {
    const nsg =
      isObject(s) && isObject(s.properties) ? s.properties.networkSecurityGroup : undefined;
    return isObject(nsg) && typeof nsg.id === "string" ? [nsg.id] : [];
  });
}

/**
 * The body to store for a PUT of the virtual network `name`, validated with
 * the NSGs its subnets name (`nsgs`, as stored; a missing one is an error).
 */
export function vnetToStore(
  id: string,
  name: string,
  body: unknown,
  previous: StoredResource | undefined,
  nsgs: readonly StoredResource[],
): ResourceBody {
  const stored = topLevelBody(body, previous, ["virtualNetworkPeerings"]);
  const subnets = stored.properties.subnets ?? [];
  if (!Array.isArray(subnets))
    throw new ArmError(400, "InvalidRequestFormat", "properties.subnets must be an array");
  stored.properties.subnets = subnets.map((s, i) => storedSubnet(s, `properties.subnets[${i}]`));
  validateResources(
    [{ id, name, type: VNET_TYPE, ...stored }, ...nsgs.map(asResource)],
    bodyTarget("virtualNetworks", "subnets"),
  );
  return stored;
}

/** A subnet in ARM's shape. */
export function subnetJson(vnetId: string, etag: string, subnet: unknown) {
  const { name, properties } = storedSubnet(subnet, "subnet");
  return {
    name,
    id: `${vnetId}/subnets/${name}`,
    etag,
    type: SUBNET_TYPE,
    properties: { provisioningState: "Succeeded", ...properties },
  };
}

/** The virtual network as a GET gives it. */
export function vnetJson(stored: StoredResource) {
  const properties = (stored.body.properties ?? {}) as Record<string, unknown>;
  const subnets = (properties.subnets ?? []) as unknown[];
  return resourceJson(stored, VNET_TYPE, {
    ...properties,
    subnets: subnets.map((s) => subnetJson(stored.id, stored.etag, s)),
  });
}

/** The ids of the subnets, among the virtual networks, that name the NSG `nsgId`. */
export function subnetsOf(nsgId: string, vnets: readonly StoredResource[]): string[] {
  const key = nsgId.toLowerCase();
  return vnets.flatMap((v) => {
    const subnets = ((v.body.properties as Record<string, unknown> | undefined)?.subnets ?? []) as {
      name: string;
      properties?: { networkSecurityGroup?: { id?: string } };
    }[];
    return subnets
      .filter((s) => s.properties?.networkSecurityGroup?.id?.toLowerCase() === key)
      .map((s) => `${v.id}/subnets/${s.name}`);
  });
}
