/**
 * Virtual machines, as far as the network sees them: the network interfaces
 * of `networkProfile`, which must exist and belong to no other machine. They
 * are what Network Watcher's IP flow verify is asked about.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceBody, Store, StoredResource } from "../store/store.js";
import { isObject, resourceJson, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import { type RouteDeps, registerResource } from "./resource-routes.js";
import { NIC_TYPE, VM_TYPE } from "./resource-types.js";
import { virtualMachineBody } from "./schemas.js";

const subscriptionOf = (id: string) => id.split("/").slice(0, 3).join("/");

/** The ids of the network interfaces a machine's body lists, in its order. */
export function machineInterfaces(body: unknown): string[] {
  const properties = isObject(body) && isObject(body.properties) ? body.properties : {};
  const profile = isObject(properties.networkProfile) ? properties.networkProfile : {};
  const nics = Array.isArray(profile.networkInterfaces) ? profile.networkInterfaces : [];
  return nics.flatMap((n) => (isObject(n) && typeof n.id === "string" ? [n.id] : []));
}

/** The machine of the subscription that lists the network interface `nicId`, if one does. */
export async function machineOf(store: Store, nicId: string): Promise<StoredResource | undefined> {
  const key = nicId.toLowerCase();
  const machines = await store.list(VM_TYPE, subscriptionOf(nicId));
  return machines.find((m) => machineInterfaces(m.body).some((n) => n.toLowerCase() === key));
}

async function vmToStore(
  store: Store,
  id: string,
  body: unknown,
  previous: StoredResource | undefined,
): Promise<ResourceBody> {
  const stored = topLevelBody(body, previous, ["vmId", "instanceView"]);
  const nics = machineInterfaces(stored);
  if (nics.length === 0)
    throw new ArmError(
      400,
      "InvalidParameter",
      "properties.networkProfile.networkInterfaces must list at least one network interface by id",
      [],
      {},
      "properties.networkProfile.networkInterfaces",
    );
  for (const [i, nicId] of nics.entries()) {
    const target = `properties.networkProfile.networkInterfaces[${i}].id`;
    const nic = await store.get(nicId);
    if (!nic || nic.type.toLowerCase() !== NIC_TYPE.toLowerCase())
      throw new ArmError(
        400,
        "InvalidResourceReference",
        `Resource ${nicId} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
        [],
        {},
        target,
      );
    const owner = await machineOf(store, nicId);
    if (owner && owner.id.toLowerCase() !== id.toLowerCase())
      throw new ArmError(
        400,
        "NicInUse",
        `Network interface ${nic.id} is used by existing resource ${owner.id}. In order to use it with virtual machine ${id}, remove it from the existing resource first.`,
        [],
        {},
        target,
      );
  }
  return stored;
}

export function registerVirtualMachines(app: FastifyInstance, deps: RouteDeps): void {
  registerResource(app, deps, {
    type: VM_TYPE,
    bodySchema: virtualMachineBody,
    toStore: (id, _name, body, previous) => vmToStore(deps.store, id, body, previous),
    toJson: (stored) => resourceJson(stored, VM_TYPE, stored.body.properties as object),
  });
}
