/**
 * Application security groups: a name that NSG rules use for a set of
 * network interfaces. Served with ARM's paths; a rule that names one is
 * validated with it, and one that names a missing one is refused.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceBody, StoredResource } from "../store/store.js";
import { resourceJson, topLevelBody } from "./body.js";
import { type RouteDeps, registerResource } from "./resource-routes.js";
import { ASG_TYPE } from "./resource-types.js";
import { plainResourceBody } from "./schemas.js";

function asgToStore(body: unknown, previous: StoredResource | undefined): ResourceBody {
  const { properties, ...rest } = topLevelBody(body, previous, []);
  // Nothing of an ASG's properties is writable but its identity.
  return { ...rest, properties: { resourceGuid: properties.resourceGuid } };
}

export function registerApplicationSecurityGroups(app: FastifyInstance, deps: RouteDeps): void {
  registerResource(app, deps, {
    type: ASG_TYPE,
    bodySchema: plainResourceBody("An application security group"),
    toStore: (_id, _name, body, previous) => asgToStore(body, previous),
    toJson: (stored) => resourceJson(stored, ASG_TYPE, stored.body.properties as object),
  });
}
