/**
 * Application security groups: a name that NSG rules use for a set of
 * network interfaces. Served with ARM's paths; a rule that names one is
 * validated with it, and one that names a missing one is refused.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceBody, StoredResource } from "../store/store.js";
import { topLevelBody } from "./body.js";
import { type RouteDeps, registerResource } from "./resource-routes.js";

export const ASG_TYPE = "Microsoft.Network/applicationSecurityGroups";

function asgToStore(body: unknown, previous: StoredResource | undefined): ResourceBody {
  const { properties, ...rest } = topLevelBody(body, previous, []);
  // Nothing of an ASG's properties is writable but its identity.
  return { ...rest, properties: { resourceGuid: properties.resourceGuid } };
}

function asgJson(stored: StoredResource) {
  return {
    name: stored.id.split("/").pop() as string,
    id: stored.id,
    etag: stored.etag,
    type: ASG_TYPE,
    location: stored.body.location,
    ...(stored.body.tags !== undefined ? { tags: stored.body.tags } : {}),
    properties: { ...(stored.body.properties as object), provisioningState: "Succeeded" },
  };
}

export function registerApplicationSecurityGroups(app: FastifyInstance, deps: RouteDeps): void {
  registerResource(app, deps, {
    type: ASG_TYPE,
    toStore: (_id, _name, body, previous) => asgToStore(body, previous),
    toJson: asgJson,
  });
}
