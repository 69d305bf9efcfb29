/**
 * tierwall's own questions about a subscription's network, as actions beside
 * ARM's (under `providers/Tierwall`): check assertions, lint, the reachability
 * matrix, export in a deployment format, and (revisionDiff) the semantic diff
 * between two revisions of a resource. Each is answered from the network the stored
 * resources make, by the same analysis as the CLI's command of that name.
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import { rulesChanged, semanticDiff, semanticDiffJson } from "../analysis/diff.js";
import { lintSteps } from "../analysis/lint.js";
import { hostRows, INTERNET, reachMatrix } from "../analysis/matrix.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import { EXPORT_FORMATS, type ExportFormat, exportTopology } from "../formats/catalog.js";
import type { ResourceBody, Store } from "../store/store.js";
import { inTasks } from "../threads/tasks.js";
import { isObject } from "./body.js";
import { ArmError } from "./errors.js";
import type { RouteDeps } from "./resource-routes.js";
import type { SubscriptionNetworks } from "./subscription-network.js";
import { outcomeJson, outcomesOn } from "./workspace.js";
import { parseAssertions, workspaceAssertions } from "./workspace-body.js";

type SubscriptionParams = { subscription: string };

/** Content types of what export writes. */
const EXPORT_TYPES: Readonly<Record<ExportFormat, string>> = {
  arm: "application/json",
  bicep: "text/plain",
  terraform: "text/plain",
  azcli: "text/x-shellscript",
  powershell: "text/plain",
};

export function registerAnalysisRoutes(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
): void {
  const { store, authorize, checkApiVersion } = deps;
  const action = (name: string) => `/subscriptions/:subscription/providers/Tierwall/${name}`;

  // The assertions given (a spec's `assertions:` list), or the workspace's, each with its outcome.
  app.post<{ Params: SubscriptionParams }>(action("check"), async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const { subscription } = request.params;
    const given = isObject(request.body) && isObject(request.body.properties);
    const assertions = given
      ? parseAssertions(request.body)
      : await workspaceAssertions(store, subscription);
    const model = await networks.of(subscription);
    const outcomes = outcomesOn(model.network, assertions).map(outcomeJson);
    return {
      held: outcomes.every((o) => o.status === "held"),
      value: outcomes,
    };
  });

  // Findings about the NSGs: shadowed and redundant rules, exposure, what ASEs need...
  app.post<{ Params: SubscriptionParams }>(action("lint"), async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const model = await networks.of(request.params.subscription);
    const findings = await inTasks(lintSteps(new ReachAnalyzer(model.network)));
    return {
      value: findings.map((d) => ({
        severity: d.severity,
        code: d.code,
        message: d.message,
        ...(d.hint ? { hint: d.hint } : {}),
      })),
    };
  });

  // What each host (and the Internet) may send to each other one, proven over every packet.
  app.post<{ Params: SubscriptionParams }>(action("reach"), async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const model = await networks.of(request.params.subscription);
    const { names, cells } = reachMatrix(new ReachAnalyzer(model.network), {
      hosts: hostRows(model.network),
    });
    return { endpoints: names.filter((n) => n !== INTERNET), matrix: cells };
  });

  // The subscription's network as a deployment format would write it.
  app.get<{ Params: SubscriptionParams; Querystring: { format?: string } }>(
    action("export"),
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            "api-version": { type: "string" },
            format: { type: "string", enum: [...EXPORT_FORMATS], description: "arm unless given" },
          },
        },
      },
    },
    async (request, reply: FastifyReply) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const format = (request.query.format ?? "arm") as ExportFormat;
      if (!EXPORT_FORMATS.includes(format))
        throw new ArmError(
          400,
          "InvalidParameter",
          `format ${request.query.format}: expected one of ${EXPORT_FORMATS.join(", ")}`,
          [],
          {},
          "format",
        );
      const model = await networks.of(request.params.subscription);
      const written = await exportTopology(format, model.topology, "all");
      // What the format cannot carry is said, never dropped in silence: one header line each.
      const notes = written.diagnostics.map((d) => `${d.code}: ${d.message}`);
      return reply
        .type(EXPORT_TYPES[format])
        .header("x-tierwall-notes", encodeURIComponent(notes.join("\n")))
        .send(written.text);
    },
  );
}

/**
 * The semantic diff between two revisions of a resource: the subscription as
 * stored now, with the resource as revision `from` left it and as `to` did.
 */
export async function revisionDiff(
  store: Store,
  networks: SubscriptionNetworks,
  id: string,
  fromText: string | undefined,
  toText: string,
) {
  const history = await store.history(id);
  const numbered = (text: string | undefined, what: string) => {
    const found = history.find((r) => r.revision === Number(text));
    if (!found)
      throw new ArmError(
        404,
        "RevisionNotFound",
        `${what} ${text ?? "(missing)"} is not a revision of ${id}: it has ${history.map((r) => r.revision).join(", ") || "none"}.`,
      );
    return found;
  };
  const to = numbered(toText, "revision");
  const from = numbered(fromText, "from");
  const subscription = id.split("/")[2] ?? "";
  const at = (body: ResourceBody | undefined) =>
    networks.buildWith(subscription, { id, type: to.type, body });
  const [was, now] = [await at(from.after), await at(to.after)];
  const diff = semanticDiff(was.network, now.network, rulesChanged(was, now));
  return { from: from.revision, to: to.revision, ...semanticDiffJson(diff) };
}
