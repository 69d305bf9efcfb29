/**
 * The subscriptions the store holds, and what the web page draws from: the subscription's network as the model's
 * topology (the page builds and analyses it in the browser, with the same
 * engine), the workspace's tiers and assertions, and the id, type and model
 * name of every resource it was built from (to write back to).
 */
import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "./resource-routes.js";
import { MODEL_TYPES, type SubscriptionNetworks } from "./subscription-network.js";
import {
  parseAssertions,
  parseTiers,
  WORKSPACE_LISTS,
  WORKSPACE_TYPE,
  workspaceId,
} from "./workspace-body.js";

/**
 * ARM's list of subscriptions (`GET /subscriptions`): here, those the store
 * holds a network resource or a workspace of.
 */
async function storedSubscriptions(store: RouteDeps["store"]): Promise<string[]> {
  const seen = new Map<string, string>();
  for (const type of [...MODEL_TYPES, WORKSPACE_TYPE])
    for (const r of await store.list(type, "/subscriptions")) {
      const id = r.id.split("/")[2] ?? "";
      if (!seen.has(id.toLowerCase())) seen.set(id.toLowerCase(), id);
    }
  return [...seen.values()].sort();
}

export function registerModel(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
): void {
  const { store, authorize, checkApiVersion } = deps;
  app.get("/subscriptions", async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    return {
      value: (await storedSubscriptions(store)).map((subscriptionId) => ({
        id: `/subscriptions/${subscriptionId}`,
        subscriptionId,
        displayName: subscriptionId,
        state: "Enabled",
      })),
    };
  });
  app.get<{ Params: { subscription: string } }>(
    "/subscriptions/:subscription/providers/Tierwall/model",
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const { subscription } = request.params;
      const model = await networks.of(subscription);
      const workspace = await store.get(workspaceId(subscription));
      const properties = (workspace?.body.properties ?? {}) as Record<string, unknown>;
      // Checked as a write checks them: what is stored was.
      parseTiers(workspace?.body);
      parseAssertions(workspace?.body);
      return {
        subscription,
        topology: model.topology,
        workspace: {
          ...(workspace ? { etag: workspace.etag } : {}),
          ...Object.fromEntries(WORKSPACE_LISTS.map((key) => [key, properties[key] ?? []])),
        },
        resources: model.names,
      };
    },
  );
}
