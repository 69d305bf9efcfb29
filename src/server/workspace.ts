/**
 * A subscription's workspace: what a spec holds beside the ARM resources
 * (workspace-body.ts): the environments placed in its subnets, the tiers,
 * and the assertions (flow, reach, isolate, onlyFrom, exposure) that every
 * write to its network is judged against (guard.ts). Served as an extension
 * resource of the subscription,
 * `/subscriptions/S/providers/Tierwall/workspaces/default`, with each
 * assertion's outcome on the network as stored now.
 */
import type { FastifyInstance } from "fastify";
import type { Counterexample, SetOutcome } from "../analysis/assertions.js";
import type { AssertionOutcome } from "../engine/assertions.js";
import type { FlowResult } from "../engine/flow.js";
import { formatPacket } from "../engine/packet.js";
import type { Network } from "../model/network.js";
import type { SpecAssertion } from "../specfile/assertions.js";
import { checkSpecAssertions, describeSpecAssertion, type SpecOutcome } from "../specfile/check.js";
import type { StoredResource } from "../store/store.js";
import { tierProblems } from "../synth/intent.js";
import { isObject, pathText } from "./body.js";
import { ArmError } from "./errors.js";
import type { RouteDeps } from "./resource-routes.js";
import { workspaceBody } from "./schemas.js";
import type { SubscriptionNetworks } from "./subscription-network.js";
import {
  parseAssertions,
  parseEnvironments,
  parseTiers,
  WORKSPACE_LISTS,
  WORKSPACE_NAME,
  WORKSPACE_TYPE,
  workspaceId,
} from "./workspace-body.js";

export {
  parseAssertions,
  WORKSPACE_TYPE,
  workspaceAssertions,
  workspaceId,
} from "./workspace-body.js";

/** An outcome's status: held, failed or invalid. */
export const statusOf = (o: SpecOutcome): "held" | "failed" | "invalid" => o.outcome.status;

/** The packet that shows an assertion failing, and the rule that decided it. */
function witness(o: SpecOutcome): { packet?: string; trace?: FlowResult } {
  if (o.kind === "flow") {
    const f = o.outcome as AssertionOutcome;
    return f.status === "invalid" ? {} : { trace: f.result };
  }
  const s = o.outcome as SetOutcome;
  const example: Counterexample | undefined = s.status === "failed" ? s.counterexample : undefined;
  return example
    ? { packet: formatPacket(example.packet), ...(example.trace ? { trace: example.trace } : {}) }
    : {};
}

/** One assertion's outcome as JSON: name, kind, status, why, and a witness packet with its deciding rule. */
export function outcomeJson(o: SpecOutcome) {
  const assertion: SpecAssertion =
    o.kind === "flow" ? { kind: "flow", ...o.outcome.assertion } : o.outcome.assertion;
  const status = statusOf(o);
  const seen = status === "held" ? {} : witness(o);
  return {
    name: describeSpecAssertion(assertion),
    kind: assertion.kind,
    status,
    ...(o.outcome.status === "held" ? {} : { why: o.outcome.why }),
    ...(seen.packet !== undefined ? { witness: seen.packet } : {}),
    ...(seen.trace?.rule !== undefined
      ? { rule: seen.trace.rule, nsg: seen.trace.nsg, access: seen.trace.access }
      : {}),
  };
}

/** The lists a workspace body holds, as given (those it leaves out, empty). */
function lists(body: unknown): Record<string, unknown> {
  const properties = isObject(body) && isObject(body.properties) ? body.properties : {};
  return Object.fromEntries(WORKSPACE_LISTS.map((key) => [key, properties[key] ?? []]));
}

export function outcomesOn(network: Network, assertions: readonly SpecAssertion[]): SpecOutcome[] {
  return checkSpecAssertions(network, assertions);
}

export function registerWorkspace(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
): void {
  const { store, authorize, checkApiVersion, conditions } = deps;
  const path = `/subscriptions/:subscription/providers/${WORKSPACE_TYPE}/:name`;
  type Params = { subscription: string; name: string };

  const check = (name: string) => {
    if (name.toLowerCase() !== WORKSPACE_NAME)
      throw new ArmError(
        400,
        "InvalidResourceName",
        `A subscription has one workspace, named '${WORKSPACE_NAME}', not '${name}'.`,
      );
  };
  const json = async (subscription: string, stored: StoredResource) => {
    const assertions = parseAssertions(stored.body);
    const network = await networks.of(subscription);
    return {
      id: stored.id,
      name: WORKSPACE_NAME,
      type: WORKSPACE_TYPE,
      etag: stored.etag,
      properties: {
        ...lists(stored.body),
        outcomes: outcomesOn(network.network, assertions).map(outcomeJson),
      },
    };
  };

  app.get<{ Params: Params }>(path, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    check(request.params.name);
    const stored = await store.get(workspaceId(request.params.subscription));
    if (!stored)
      throw new ArmError(
        404,
        "ResourceNotFound",
        `Subscription ${request.params.subscription} has no workspace: PUT one with properties.environments, tiers or assertions.`,
      );
    return reply.header("etag", stored.etag).send(await json(request.params.subscription, stored));
  });

  // The assertions guard the writers' writes: only an admin sets or removes them.
  app.put<{ Params: Params }>(
    path,
    { schema: { body: workspaceBody() } },
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "admin");
      check(request.params.name);
      const { subscription } = request.params;
      const assertions = parseAssertions(request.body);
      const tiers = parseTiers(request.body);
      parseEnvironments(request.body);
      const body = { properties: lists(request.body) };
      // The network with the environments given; every tier and assertion must name what it holds:
      // one that cannot be evaluated guards nothing.
      const network = await networks.buildWith(subscription, {
        id: workspaceId(subscription),
        type: WORKSPACE_TYPE,
        body,
      });
      const tierErrors = tierProblems(network.network, tiers).filter((d) => d.severity === "error");
      if (tierErrors.length > 0)
        throw new ArmError(
          400,
          tierErrors[0]?.code ?? "InvalidTier",
          tierErrors[0]?.message ?? "",
          tierErrors.map((d) => ({
            code: d.code,
            message: d.message,
            target: `properties${pathText(d.path)}`,
          })),
        );
      const outcomes = outcomesOn(network.network, assertions);
      const invalid = outcomes.flatMap((o, i) =>
        statusOf(o) === "invalid"
          ? [
              {
                code: "InvalidAssertion",
                message: `${outcomeJson(o).name}: ${o.outcome.status === "invalid" ? o.outcome.why : ""}`,
                target: `properties.assertions[${i}]`,
              },
            ]
          : [],
      );
      if (invalid.length > 0)
        throw new ArmError(400, "InvalidAssertion", invalid[0]?.message ?? "", invalid);
      const { resource, created } = await store.put(
        workspaceId(subscription),
        WORKSPACE_TYPE,
        body,
        conditions(request, token),
      );
      return reply
        .code(created ? 201 : 200)
        .header("etag", resource.etag)
        .send(await json(subscription, resource));
    },
  );

  app.delete<{ Params: Params }>(path, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "admin");
    check(request.params.name);
    const removed = await store.remove(
      workspaceId(request.params.subscription),
      conditions(request, token),
    );
    return reply.code(removed ? 200 : 204).send();
  });
}
