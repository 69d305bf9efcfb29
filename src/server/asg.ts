/**
 * Application security groups: a name that NSG rules use for a set of
 * network interfaces. Served with ARM's paths; a rule that names one is
 * validated with it, and one that names a missing one is refused.
 */
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ResourceBody, StoredResource } from "../store/store.js";
import { ArmError } from "./errors.js";
import type { RouteDeps } from "./vnet-routes.js";

export const ASG_TYPE = "Microsoft.Network/applicationSecurityGroups";

const PROVIDER = "providers/Microsoft.Network/applicationSecurityGroups";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function asgToStore(body: unknown, previous: StoredResource | undefined): ResourceBody {
  if (!isObject(body))
    throw new ArmError(400, "InvalidRequestFormat", "the request body must be a JSON object");
  if (typeof body.location !== "string" || body.location === "")
    throw new ArmError(
      400,
      "LocationRequired",
      "The location property is required for this definition.",
    );
  const previousGuid = (previous?.body.properties as Record<string, unknown> | undefined)
    ?.resourceGuid;
  return {
    location: body.location,
    ...(isObject(body.tags) ? { tags: body.tags } : {}),
    properties: { resourceGuid: typeof previousGuid === "string" ? previousGuid : randomUUID() },
  };
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

interface AsgParams {
  subscription: string;
  group: string;
  name: string;
}

export function registerApplicationSecurityGroups(app: FastifyInstance, deps: RouteDeps): void {
  const { store, authorize, checkApiVersion, checkName, conditions } = deps;
  const path = `/subscriptions/:subscription/resourceGroups/:group/${PROVIDER}/:name`;
  const idOf = (p: AsgParams) =>
    `/subscriptions/${p.subscription}/resourceGroups/${p.group}/${PROVIDER}/${p.name}`;

  app.get<{ Params: AsgParams }>(path, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await store.get(idOf(request.params));
    if (!stored)
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource '${ASG_TYPE}/${request.params.name}' was not found.`,
      );
    return reply.header("etag", stored.etag).send(asgJson(stored));
  });

  app.put<{ Params: AsgParams }>(path, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    checkName("applicationSecurityGroups", request.params.name);
    const id = idOf(request.params);
    const body = asgToStore(request.body, await store.get(id));
    const { resource, created } = await store.put(id, ASG_TYPE, body, conditions(request, token));
    return reply
      .code(created ? 201 : 200)
      .header("etag", resource.etag)
      .send(asgJson(resource));
  });

  app.delete<{ Params: AsgParams }>(path, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    const removed = await store.remove(idOf(request.params), conditions(request, token));
    return reply.code(removed ? 200 : 204).send();
  });

  app.get<{ Params: { subscription: string; group: string } }>(
    `/subscriptions/:subscription/resourceGroups/:group/${PROVIDER}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const { subscription, group } = request.params;
      return {
        value: (
          await store.list(ASG_TYPE, `/subscriptions/${subscription}/resourceGroups/${group}`)
        ).map(asgJson),
      };
    },
  );

  app.get<{ Params: { subscription: string } }>(
    `/subscriptions/:subscription/${PROVIDER}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      return {
        value: (await store.list(ASG_TYPE, `/subscriptions/${request.params.subscription}`)).map(
          asgJson,
        ),
      };
    },
  );
}
