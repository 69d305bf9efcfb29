/**
 * The API's network security groups and their rules: ARM's paths and
 * shapes, an NSG's read-only `subnets` and `networkInterfaces` from what uses
 * it, and rules written by rewriting their NSG under its etag.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StoredResource, TokenRecord } from "../store/store.js";
import { ArmError } from "./errors.js";
import { interfacesOf } from "./nic.js";
import { nsgJson, nsgToStore, referencedAsgs, ruleJson } from "./nsg.js";
import { foundResource, type RouteDeps } from "./resource-routes.js";
import { NIC_TYPE, NSG_TYPE, VNET_TYPE } from "./resource-types.js";
import { rewriteParent } from "./rewrite.js";
import { networkSecurityGroupBody, securityRuleBody } from "./schemas.js";
import { subnetsOf } from "./vnet.js";

const PROVIDER = "providers/Microsoft.Network/networkSecurityGroups";

interface NsgParams {
  subscription: string;
  group: string;
  name: string;
}

const nsgIdOf = (p: NsgParams) =>
  `/subscriptions/${p.subscription}/resourceGroups/${p.group}/${PROVIDER}/${p.name}`;

export function registerNetworkSecurityGroups(app: FastifyInstance, deps: RouteDeps): void {
  const { store, authorize, checkApiVersion, checkName, conditions } = deps;
  const nsgPath = `/subscriptions/:subscription/resourceGroups/:group/${PROVIDER}/:name`;

  const found = (id: string) => foundResource(store, NSG_TYPE, id);

  /** The application security groups the body's rules name, as stored (a missing one is the model's error). */
  const asgsOf = async (body: unknown) => {
    const found: StoredResource[] = [];
    for (const id of new Set(referencedAsgs(body).map((a) => a.toLowerCase()))) {
      const asg = await store.get(id);
      if (asg) found.push(asg);
    }
    return found;
  };
  const subscriptionOf = (id: string) => id.split("/").slice(0, 3).join("/");
  /** The virtual networks of the resource's subscription: where its subnets are found. */
  const vnetsBeside = (id: string) => store.list(VNET_TYPE, subscriptionOf(id));
  /** What uses the NSG: the subnets and network interfaces of its subscription that name it. */
  const usersOf = async (nsgId: string) => ({
    subnets: subnetsOf(nsgId, await vnetsBeside(nsgId)),
    networkInterfaces: interfacesOf(nsgId, await store.list(NIC_TYPE, subscriptionOf(nsgId))),
  });
  const sendNsg = async (reply: FastifyReply, code: number, stored: StoredResource) =>
    reply
      .code(code)
      .header("etag", stored.etag)
      .send(nsgJson(stored, await usersOf(stored.id)));

  app.get<{ Params: NsgParams }>(nsgPath, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    return sendNsg(reply, 200, await found(nsgIdOf(request.params)));
  });

  app.put<{ Params: NsgParams }>(
    nsgPath,
    { schema: { body: networkSecurityGroupBody } },
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      checkName("networkSecurityGroups", request.params.name);
      const id = nsgIdOf(request.params);
      const previous = await store.get(id);
      const body = nsgToStore(
        id,
        request.params.name,
        request.body,
        previous,
        await asgsOf(request.body),
      );
      const { resource, created } = await store.put(id, NSG_TYPE, body, conditions(request, token));
      return sendNsg(reply, created ? 201 : 200, resource);
    },
  );

  app.delete<{ Params: NsgParams }>(nsgPath, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    const id = nsgIdOf(request.params);
    const users = await usersOf(id);
    const inUse = [...users.subnets, ...users.networkInterfaces];
    if (inUse.length > 0)
      throw new ArmError(
        400,
        "InUseNetworkSecurityGroupCannotBeDeleted",
        `Network security group ${id} cannot be deleted because it is in use by ${inUse.join(", ")}.`,
      );
    const removed = await store.remove(id, conditions(request, token));
    return reply.code(removed ? 200 : 204).send();
  });

  app.get<{ Params: { subscription: string; group: string } }>(
    `/subscriptions/:subscription/resourceGroups/:group/${PROVIDER}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const { subscription, group } = request.params;
      const all = await store.list(
        NSG_TYPE,
        `/subscriptions/${subscription}/resourceGroups/${group}`,
      );
      return { value: await Promise.all(all.map(async (n) => nsgJson(n, await usersOf(n.id)))) };
    },
  );

  app.get<{ Params: { subscription: string } }>(
    `/subscriptions/:subscription/${PROVIDER}`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      const all = await store.list(NSG_TYPE, `/subscriptions/${request.params.subscription}`);
      return { value: await Promise.all(all.map(async (n) => nsgJson(n, await usersOf(n.id)))) };
    },
  );

  // Rules: each is part of its NSG's body, written by rewriting the NSG under its etag.
  type RuleParams = NsgParams & { rule: string };
  const rulePath = `${nsgPath}/securityRules/:rule`;
  const rulesOf = (body: Record<string, unknown>) =>
    ((body.properties as Record<string, unknown> | undefined)?.securityRules ?? []) as {
      name: string;
    }[];
  const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

  app.get<{ Params: NsgParams }>(`${nsgPath}/securityRules`, async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await found(nsgIdOf(request.params));
    return { value: rulesOf(stored.body).map((r) => ruleJson(stored.id, stored.etag, r)) };
  });

  app.get<{ Params: RuleParams }>(rulePath, async (request, reply) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const stored = await found(nsgIdOf(request.params));
    const rule = rulesOf(stored.body).find((r) => sameName(r.name, request.params.rule));
    if (!rule)
      throw new ArmError(
        404,
        "NotFound",
        `Resource ${stored.id}/securityRules/${request.params.rule} not found.`,
      );
    return reply.header("etag", stored.etag).send(ruleJson(stored.id, stored.etag, rule));
  });

  /** Rewrites the NSG's rules by `change` (rewrite.ts: no concurrent write is lost). */
  const rewriteRules = (
    request: FastifyRequest<{ Params: RuleParams }>,
    token: TokenRecord,
    change: (rules: { name: string }[]) => { name: string }[] | undefined,
  ) => {
    const id = nsgIdOf(request.params);
    return rewriteParent(
      store,
      id,
      NSG_TYPE,
      conditions(request, token),
      () => found(id),
      async (stored) => {
        const rules = change(rulesOf(stored.body));
        if (rules === undefined) return undefined;
        const properties = {
          ...(stored.body.properties as Record<string, unknown>),
          securityRules: rules,
        };
        const next = { ...stored.body, properties };
        return nsgToStore(id, request.params.name, next, stored, await asgsOf(next));
      },
    );
  };

  app.put<{ Params: RuleParams }>(
    rulePath,
    { schema: { body: securityRuleBody } },
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      checkName("securityRules", request.params.rule);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const rule = { name: request.params.rule, properties: body.properties ?? {} };
      let created = false;
      const resource = await rewriteRules(request, token, (rules) => {
        const at = rules.findIndex((r) => sameName(r.name, request.params.rule));
        created = at < 0;
        return at < 0 ? [...rules, rule] : rules.map((r, i) => (i === at ? rule : r));
      });
      const saved = rulesOf(resource?.body ?? {}).find((r) =>
        sameName(r.name, request.params.rule),
      );
      return reply
        .code(created ? 201 : 200)
        .header("etag", resource?.etag)
        .send(ruleJson(resource?.id ?? "", resource?.etag ?? "", saved));
    },
  );

  app.delete<{ Params: RuleParams }>(rulePath, async (request, reply) => {
    checkApiVersion(request);
    const token = await authorize(request, "writer");
    const resource = await rewriteRules(request, token, (rules) =>
      rules.some((r) => sameName(r.name, request.params.rule))
        ? rules.filter((r) => !sameName(r.name, request.params.rule))
        : undefined,
    );
    return reply.code(resource ? 200 : 204).send();
  });
}
