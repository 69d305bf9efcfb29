/**
 * Public IP addresses: what the Internet reaches an interface at. The address
 * is kept as written (`properties.ipAddress`; Azure assigns one where none is
 * given, and the model then stands a placeholder in for it), with its `sku`;
 * the IP configuration that uses one is shown on it, and it cannot be deleted
 * while one does.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceBody, Store, StoredResource } from "../store/store.js";
import { isObject, resourceJson, topLevelBody } from "./body.js";
import { ArmError } from "./errors.js";
import { type RouteDeps, registerResource } from "./resource-routes.js";
import { NIC_TYPE, PUBLIC_IP_TYPE } from "./resource-types.js";
import { publicIpAddressBody } from "./schemas.js";
import { validateResources } from "./validate.js";

const subscriptionOf = (id: string) => id.split("/").slice(0, 3).join("/");

/** The IP configuration (`NIC/ipConfigurations/NAME`) of the subscription that uses the public IP. */
async function configurationUsing(store: Store, ipId: string): Promise<string | undefined> {
  const key = ipId.toLowerCase();
  for (const nic of await store.list(NIC_TYPE, subscriptionOf(ipId))) {
    const configs = (nic.body.properties as Record<string, unknown> | undefined)?.ipConfigurations;
    for (const c of Array.isArray(configs) ? configs : []) {
      const p = isObject(c) && isObject(c.properties) ? c.properties : {};
      const ip = isObject(p.publicIPAddress) ? p.publicIPAddress.id : undefined;
      if (typeof ip === "string" && ip.toLowerCase() === key)
        return `${nic.id}/ipConfigurations/${String((c as { name?: unknown }).name)}`;
    }
  }
  return undefined;
}

function publicIpToStore(
  id: string,
  name: string,
  body: unknown,
  previous: StoredResource | undefined,
): ResourceBody {
  const stored = {
    ...topLevelBody(body, previous, ["ipConfiguration"]),
    ...(isObject(body) && isObject(body.sku) ? { sku: body.sku } : {}),
  };
  validateResources([{ id, name, type: PUBLIC_IP_TYPE, ...stored }], (path) =>
    path[0] === "publicIPAddresses" && path[1] === 0 && path[2] !== undefined
      ? `properties.${path.slice(2).join(".")}`
      : undefined,
  );
  return stored;
}

export function registerPublicIpAddresses(app: FastifyInstance, deps: RouteDeps): void {
  registerResource(app, deps, {
    type: PUBLIC_IP_TYPE,
    bodySchema: publicIpAddressBody,
    toStore: publicIpToStore,
    toJson: async (stored) => {
      const configuration = await configurationUsing(deps.store, stored.id);
      return {
        ...resourceJson(stored, PUBLIC_IP_TYPE, {
          ...(stored.body.properties as object),
          ...(configuration ? { ipConfiguration: { id: configuration } } : {}),
        }),
        ...(stored.body.sku !== undefined ? { sku: stored.body.sku } : {}),
      };
    },
    beforeDelete: async (id) => {
      const configuration = await configurationUsing(deps.store, id);
      if (configuration)
        throw new ArmError(
          400,
          "PublicIPAddressInUse",
          `Public IP address ${id} can not be deleted since it is still allocated to resource ${configuration}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`,
        );
    },
  });
}
