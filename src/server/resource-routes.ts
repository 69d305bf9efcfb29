/**
 * The routes every top-level resource type has in ARM: GET, PUT (201 when
 * created, 200 when replaced), DELETE (200, or 204 when there was none), and
 * lists per resource group and per subscription. A type says how a body is
 * checked and stored, how a stored one is shown, and what forbids deleting it.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type {
  ResourceBody,
  Role,
  Store,
  StoredResource,
  TokenRecord,
  WriteConditions,
} from "../store/store.js";
import { ArmError } from "./errors.js";

export interface RouteDeps {
  readonly store: Store;
  readonly authorize: (request: FastifyRequest, needed: Role) => Promise<TokenRecord>;
  readonly checkApiVersion: (request: FastifyRequest) => void;
  readonly checkName: (kind: string, name: string) => void;
  readonly conditions: (request: FastifyRequest, token: TokenRecord) => WriteConditions;
  /** Headers that mark a request the server makes of itself (not rate-limited again). */
  readonly internal: Readonly<Record<string, string>>;
}

export interface ResourceKind {
  /** `Microsoft.Network/networkInterfaces` */
  readonly type: string;
  /** The body to store for a PUT, checked (throws ArmError). */
  readonly toStore: (
    id: string,
    name: string,
    body: unknown,
    previous: StoredResource | undefined,
  ) => Promise<ResourceBody> | ResourceBody;
  /** The resource as a GET gives it; `subscription`'s resources at hand for what it refers to. */
  readonly toJson: (stored: StoredResource) => Promise<object> | object;
  /** The JSON schema of a PUT body (schemas.ts): its shape, checked before toStore. */
  readonly bodySchema: object;
  /** Why the resource cannot be deleted now (an ArmError), if it cannot. */
  readonly beforeDelete?: (id: string) => Promise<void>;
}

export interface ResourceParams {
  subscription: string;
  group: string;
  name: string;
}

/** `/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/networkInterfaces/NAME` */
export const resourceIdOf = (type: string, p: ResourceParams): string =>
  `/subscriptions/${p.subscription}/resourceGroups/${p.group}/providers/${type}/${p.name}`;

/** The stored resource, or ARM's 404. */
export async function foundResource(
  store: Store,
  type: string,
  id: string,
): Promise<StoredResource> {
  const stored = await store.get(id);
  if (!stored)
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource '${type}/${id.split("/").pop()}' was not found.`,
    );
  return stored;
}

export function registerResource(app: FastifyInstance, deps: RouteDeps, kind: ResourceKind): void {
  const { store, authorize, checkApiVersion, checkName, conditions } = deps;
  const { type } = kind;
  const path = `/subscriptions/:subscription/resourceGroups/:group/providers/${type}/:name`;
  const plural = type.split("/").pop() as string;

  app.get<{ Params: ResourceParams }>(path, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await foundResource(store, type, resourceIdOf(type, request.params));
    return reply.header("etag", stored.etag).send(await kind.toJson(stored));
  });

  app.put<{ Params: ResourceParams }>(
    path,
    { schema: { body: kind.bodySchema } },
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      checkName(plural, request.params.name);
      const id = resourceIdOf(type, request.params);
      const body = await kind.toStore(id, request.params.name, request.body, await store.get(id));
      const { resource, created } = await store.put(id, type, body, conditions(request, token));
      return reply
        .code(created ? 201 : 200)
        .header("etag", resource.etag)
        .send(await kind.toJson(resource));
    },
  );

  app.delete<{ Params: ResourceParams }>(path, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    const id = resourceIdOf(type, request.params);
    await kind.beforeDelete?.(id);
    const removed = await store.remove(id, conditions(request, token));
    return reply.code(removed ? 200 : 204).send();
  });

  const list = async (scope: string) => {
    const all = await store.list(type, scope);
    return { value: await Promise.all(all.map((r) => kind.toJson(r))) };
  };

  app.get<{ Params: { subscription: string; group: string } }>(
    `/subscriptions/:subscription/resourceGroups/:group/providers/${type}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const { subscription, group } = request.params;
      return list(`/subscriptions/${subscription}/resourceGroups/${group}`);
    },
  );

  app.get<{ Params: { subscription: string } }>(
    `/subscriptions/:subscription/providers/${type}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      return list(`/subscriptions/${request.params.subscription}`);
    },
  );
}
