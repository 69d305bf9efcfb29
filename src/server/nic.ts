/**
 * Network interfaces: IP configurations in subnets (with their application
 * security groups) and the NSG the interface names. A write is validated by
 * the model with the virtual networks, NSGs and ASGs it refers to, as stored.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceBody, Store, StoredResource } from "../store/store.js";
import { bodyTarget, isObject, resourceJson, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import { type RouteDeps, registerResource } from "./resource-routes.js";
import { NIC_TYPE } from "./resource-types.js";
import { networkInterfaceBody } from "./schemas.js";
import { referencedResources, validateResources } from "./validate.js";
import { machineOf } from "./vm.js";

const idIn = (v: unknown): string | undefined =>
  isObject(v) && typeof v.id === "string" ? v.id : undefined;

async function nicToStore(
  store: Store,
  id: string,
  name: string,
  body: unknown,
  previous: StoredResource | undefined,
): Promise<ResourceBody> {
  const stored = topLevelBody(body, previous, ["macAddress", "virtualMachine", "primary"]);
  const configs = stored.properties.ipConfigurations ?? [];
  if (!Array.isArray(configs) || configs.length === 0)
    throw new ArmError(
      400,
      "InvalidRequestFormat",
      "properties.ipConfigurations must list at least one IP configuration",
    );
  const related = await referencedResources(store, id, stored);
  validateResources(
    [{ id, name, type: NIC_TYPE, ...stored }, ...related],
    bodyTarget("networkInterfaces", "ipConfigurations"),
  );
  return stored;
}

function nicJson(stored: StoredResource, machine: string | undefined) {
  const properties = (stored.body.properties ?? {}) as Record<string, unknown>;
  const configs = (properties.ipConfigurations ?? []) as { name: string; properties?: object }[];
  return resourceJson(stored, NIC_TYPE, {
    ...properties,
    ...(machine !== undefined ? { virtualMachine: { id: machine } } : {}),
    ipConfigurations: configs.map((c, i) => ({
      name: c.name,
      id: `${stored.id}/ipConfigurations/${c.name}`,
      etag: stored.etag,
      type: `${NIC_TYPE}/ipConfigurations`,
      properties: { provisioningState: "Succeeded", primary: i === 0, ...c.properties },
    })),
  });
}

/** The ids of the network interfaces that name the NSG `nsgId`. */
export function interfacesOf(nsgId: string, nics: readonly StoredResource[]): string[] {
  const key = nsgId.toLowerCase();
  return nics
    .filter(
      (n) =>
        idIn(
          (n.body.properties as Record<string, unknown> | undefined)?.networkSecurityGroup,
        )?.toLowerCase() === key,
    )
    .map((n) => n.id);
}

export function registerNetworkInterfaces(app: FastifyInstance, deps: RouteDeps): void {
  registerResource(app, deps, {
    type: NIC_TYPE,
    bodySchema: networkInterfaceBody,
    toStore: (id, name, body, previous) => nicToStore(deps.store, id, name, body, previous),
    toJson: async (stored) => {
      const machine = await machineOf(deps.store, stored.id);
      return nicJson(stored, machine?.id);
    },
    beforeDelete: async (id) => {
      const machine = await machineOf(deps.store, id);
      if (machine)
        throw new ArmError(
          400,
          "NicInUse",
          `Network Interface ${id} is used by existing resource ${machine.id}. In order to delete the network interface, it must be dissociated from the resource.`,
        );
    },
  });
}
