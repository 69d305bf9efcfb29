/**
 * Revisions, as an extension resource of each top-level resource (ARM's
 * `{scope}/providers/{namespace}/{type}`): what no Azure API gives, each change
 * with who, when, the resource before and after, and for a judged write its
 * semantic diff; restore to any of them (itself a write, judged like any), and
 * the semantic diff between two.
 */
import type { FastifyInstance } from "fastify";
import { type Revision, RevisionNotFound } from "../store/store.js";
import { revisionDiff } from "./analysis-routes.js";
import { ArmError } from "./errors.js";
import { type ResourceParams, type RouteDeps, resourceIdOf } from "./resource-routes.js";
import type { SubscriptionNetworks } from "./subscription-network.js";

/** A revision as the API shows it. */
function revisionJson(resourceId: string, r: Revision) {
  return {
    id: `${resourceId}/providers/Tierwall/revisions/${r.revision}`,
    name: String(r.revision),
    type: "Tierwall/revisions",
    properties: {
      revision: r.revision,
      at: r.at,
      actor: r.actor,
      change:
        r.restoredFrom !== undefined
          ? "restored"
          : r.before === undefined
            ? "created"
            : r.after === undefined
              ? "deleted"
              : "replaced",
      ...(r.restoredFrom !== undefined ? { restoredFrom: r.restoredFrom } : {}),
      ...(r.before !== undefined ? { before: r.before } : {}),
      ...(r.after !== undefined ? { after: r.after } : {}),
      ...(r.note !== undefined ? r.note : {}),
    },
  };
}

/** The revisions routes of the resources of `type` (`Microsoft.Network/networkSecurityGroups`). */
export function registerRevisions(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
  type: string,
): void {
  const { store, authorize, checkApiVersion, conditions } = deps;
  const revisionsPath = `/subscriptions/:subscription/resourceGroups/:group/providers/${type}/:name/providers/Tierwall/revisions`;
  type RevisionParams = ResourceParams & { revision: string };

  app.get<{ Params: ResourceParams }>(revisionsPath, async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const id = resourceIdOf(type, request.params);
    const history = await store.history(id);
    if (history.length === 0)
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource '${type}/${request.params.name}' has no revisions.`,
      );
    const kept = history[0]?.id ?? id;
    return { value: history.map((r) => revisionJson(kept, r)) };
  });

  app.post<{ Params: RevisionParams }>(
    `${revisionsPath}/:revision/restore`,
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      const id = resourceIdOf(type, request.params);
      const revision = Number(request.params.revision);
      if (!Number.isSafeInteger(revision) || revision < 1)
        throw new ArmError(
          400,
          "InvalidRevision",
          `${request.params.revision} is not a revision number.`,
        );
      try {
        const restored = await store.restore(id, revision, conditions(request, token));
        return reply.code(200).send(revisionJson(restored.id, restored));
      } catch (e) {
        if (e instanceof RevisionNotFound)
          throw new ArmError(
            404,
            "RevisionNotFound",
            `Revision ${revision} is not one of ${request.params.name}'s.`,
          );
        throw e;
      }
    },
  );

  app.get<{ Params: RevisionParams; Querystring: { from?: string } }>(
    `${revisionsPath}/:revision/diff`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      return revisionDiff(
        store,
        networks,
        resourceIdOf(type, request.params),
        request.query.from,
        request.params.revision,
      );
    },
  );
}
