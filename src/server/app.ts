/**
 * The HTTP API: ARM's paths and shapes for network security groups and
 * their rules, over a store. Every request needs an `api-version`; reads
 * need a reader's token (unless anonymous reads are enabled), writes a
 * writer's; every error is ARM's envelope, never a stack or a path of this
 * machine. Bodies are limited in size, and so are headers (Node's limit).
 */

import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { pino } from "pino";
import { isValidResourceName } from "../model/rule.js";
import { ReadCachingStore } from "../store/read-cache.js";
import {
  PreconditionFailed,
  type Revision,
  RevisionNotFound,
  type Role,
  type Store,
  type StoredResource,
  type TokenRecord,
} from "../store/store.js";
import { registerAnalysisRoutes, revisionDiff } from "./analysis-routes.js";
import { registerApplicationSecurityGroups } from "./asg.js";
import { allows, bearer } from "./auth.js";
import { ArmError, armErrorBody } from "./errors.js";
import { type GuardedConditions, GuardedStore } from "./guard.js";
import { registerImport } from "./import-route.js";
import { registerNetworkWatcher } from "./network-watcher.js";
import { interfacesOf, registerNetworkInterfaces } from "./nic.js";
import { nsgJson, nsgToStore, referencedAsgs, ruleJson } from "./nsg.js";
import { registerPublicIpAddresses } from "./public-ip.js";
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import { foundResource } from "./resource-routes.js";
import { NIC_TYPE, NSG_TYPE, VNET_TYPE } from "./resource-types.js";
import { rewriteParent } from "./rewrite.js";
import { networkSecurityGroupBody, securityRuleBody, withDefaults } from "./schemas.js";
import { SubscriptionNetworks } from "./subscription-network.js";
import { registerVirtualMachines } from "./vm.js";
import { subnetsOf } from "./vnet.js";
import { registerVirtualNetworks } from "./vnet-routes.js";
import { registerWorkspace } from "./workspace.js";

export interface AppOptions {
  readonly store: Store;
  /** Reads without a token (writes never). */
  readonly anonymousReads?: boolean;
  /** Largest request body, in bytes (1 MiB unless given). */
  readonly bodyLimit?: number;
  /** Requests per second per caller (DEFAULT_RATE_LIMIT unless given); false: none. */
  readonly rateLimit?: RateLimitOptions | false;
  /** Where a JSON line per request goes (pino): method, path, status, time, the token's name; never the token. */
  readonly logStream?: { write(line: string): unknown };
  /** Serve HTTPS with this certificate and key (PEM); HTTP otherwise. */
  readonly https?: { readonly cert: string; readonly key: string };
}

/** API versions taken: Azure's dated versions (a preview too) from 2017 to the latest known. */
const API_VERSION = /^(\d{4})-(\d{2})-(\d{2})(-preview)?$/;
const LATEST_API_VERSION = "2025-05-01";

export function checkApiVersion(request: FastifyRequest): void {
  const version = (request.query as Record<string, unknown>)["api-version"];
  if (version === undefined || version === "")
    throw new ArmError(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  const match = typeof version === "string" ? API_VERSION.exec(version) : null;
  const date = match ? `${match[1]}-${match[2]}-${match[3]}` : "";
  if (!match || date < "2017-01-01" || date > LATEST_API_VERSION)
    throw new ArmError(
      400,
      "InvalidApiVersionParameter",
      `The api-version '${String(version)}' is invalid. The supported versions are dated from 2017-01-01 to ${LATEST_API_VERSION}.`,
    );
}

const PROVIDER = "providers/Microsoft.Network/networkSecurityGroups";

interface NsgParams {
  subscription: string;
  group: string;
  name: string;
}

const nsgIdOf = (p: NsgParams) =>
  `/subscriptions/${p.subscription}/resourceGroups/${p.group}/${PROVIDER}/${p.name}`;

export function checkName(kind: string, name: string): void {
  if (!isValidResourceName(name))
    throw new ArmError(
      400,
      "InvalidResourceName",
      `Resource name ${name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'. (${kind})`,
    );
}

/** The conditions of a write, from its headers: If-Match, If-None-Match, and the assertions it may break. */
export function conditions(request: FastifyRequest, token: TokenRecord): GuardedConditions {
  const ifMatch = request.headers["if-match"];
  const ifNoneMatch = request.headers["if-none-match"];
  const accept = request.headers["x-tierwall-accept-break"];
  const acceptBreaks = (Array.isArray(accept) ? accept.join(",") : (accept ?? ""))
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  // Writing past the workspace's assertions is an admin's call: a writer cannot wave its own guard.
  if (acceptBreaks.length > 0 && !allows(token.role, "admin"))
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The token '${token.name}' (${token.role}) cannot accept breaking the workspace's assertions (x-tierwall-accept-break); that needs the admin role.`,
    );
  return {
    actor: token.name,
    ...(typeof ifMatch === "string" ? { ifMatch } : {}),
    ...(typeof ifNoneMatch === "string" ? { ifNoneMatch } : {}),
    ...(acceptBreaks.length > 0 ? { acceptBreaks } : {}),
  };
}

/** A request whose shape its route's schema refuses: ARM's 400, each problem pointing where it is. */
function validationError(
  problems: readonly { instancePath: string; message?: string }[],
  context: string | undefined,
): ArmError {
  const details = problems.map((p) => {
    const target = p.instancePath
      .split("/")
      .slice(1)
      .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
      .join("");
    const where = context === "body" ? target || "the body" : `${context ?? "request"} ${target}`;
    return {
      code: "InvalidRequestFormat",
      message: `${where}: ${p.message ?? "is not valid"}`,
      ...(target ? { target } : {}),
    };
  });
  return new ArmError(
    400,
    "InvalidRequestFormat",
    details[0]?.message ?? "invalid request",
    details,
  );
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  // What a request reads is kept until the store changes; the store is asked once per request whether it has.
  const cached = new ReadCachingStore(options.store);
  const networks = new SubscriptionNetworks(cached);
  // Every write that may change what a network allows is judged against the workspace's assertions.
  const store = new GuardedStore(cached, networks);
  // One line per request, ours, with the token's name (Fastify's logger would not know it, and
  // would make a logger per request).
  const log = options.logStream ? pino({ level: "info" }, options.logStream) : undefined;
  const app = Fastify({
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
    bodyLimit: options.bodyLimit ?? 1 << 20,
    // ARM matches paths without regard to case; no name is longer than 200 characters.
    routerOptions: { maxParamLength: 200, caseSensitive: false },
    // A body is checked as written, never changed to fit its schema.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });
  // Every route's schema gets the api-version parameter and ARM's error envelope; the OpenAPI
  // document is generated from the routes' schemas, the same ones requests are checked against.
  app.addHook("onRoute", (route) => {
    const method = Array.isArray(route.method) ? route.method.join(",") : route.method;
    if (method === "HEAD" || route.url === "/openapi.json") return;
    route.schema = withDefaults(method, route.url, route.schema as Record<string, unknown>);
  });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "tierwall serve",
        description:
          "Azure's network security API (ARM paths, shapes and errors) over a durable store, with tierwall's analysis: Network Watcher's questions, guarded writes, revisions, check, lint, reach, export.",
        version: "1",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });

  const limiter =
    options.rateLimit === false
      ? undefined
      : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  /** Who made each request, for its log line. */
  const callers = new WeakMap<FastifyRequest, string>();
  const limit = (request: FastifyRequest, caller: string) => {
    callers.set(request, caller);
    const wait = limiter?.take(caller) ?? 0;
    if (wait > 0)
      throw new ArmError(
        429,
        "TooManyRequests",
        `Too many requests from ${caller}; retry after ${wait} seconds.`,
        [],
        { "retry-after": String(wait) },
      );
  };

  /** The token, if its role allows `needed`; else a 401 or 403 (or 429 past the caller's rate). */
  const authorize = async (request: FastifyRequest, needed: Role): Promise<TokenRecord> => {
    const token = await bearer(store, request.headers.authorization);
    // A caller without a valid token is limited by its address, so that guessing tokens is slow too.
    limit(request, token ? `token ${token.name}` : `address ${request.ip}`);
    if (!token) {
      if (needed === "reader" && options.anonymousReads)
        return { name: "anonymous", role: "reader", hash: "", createdAt: "" };
      throw new ArmError(
        401,
        request.headers.authorization ? "InvalidAuthenticationToken" : "AuthenticationFailed",
        request.headers.authorization
          ? "The access token is invalid."
          : "Authentication failed. The 'Authorization' header is missing.",
      );
    }
    if (!allows(token.role, needed))
      throw new ArmError(
        403,
        "AuthorizationFailed",
        `The token '${token.name}' (${token.role}) does not have authorization to perform this action; it needs the ${needed} role.`,
      );
    return token;
  };

  app.addHook("onRequest", async () => {
    await cached.refresh();
  });

  app.addHook("onResponse", async (request, reply) => {
    log?.info(
      {
        reqId: request.id,
        method: request.method,
        path: request.url.split("?")[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        caller: callers.get(request) ?? null,
      },
      "request",
    );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ArmError)
      return reply.code(error.status).headers(error.headers).send(armErrorBody(error));
    if (error instanceof PreconditionFailed)
      return reply
        .code(412)
        .send(armErrorBody(new ArmError(412, "PreconditionFailed", error.message)));
    const fastifyError = error as {
      statusCode?: number;
      code?: string;
      message?: string;
      validation?: { instancePath: string; message?: string }[];
      validationContext?: string;
    };
    if (fastifyError.validation)
      return reply
        .code(400)
        .send(
          armErrorBody(validationError(fastifyError.validation, fastifyError.validationContext)),
        );
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return reply
        .code(413)
        .send(
          armErrorBody(
            new ArmError(413, "RequestEntityTooLarge", "The request body is too large."),
          ),
        );
    if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
      return reply
        .code(415)
        .send(
          armErrorBody(
            new ArmError(415, "UnsupportedMediaType", "The request body must be application/json."),
          ),
        );
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500)
      return reply
        .code(400)
        .send(
          armErrorBody(
            new ArmError(400, "InvalidRequestFormat", "The request body is not valid JSON."),
          ),
        );
    // Anything else is ours: logged with its stack, answered without it or where it happened.
    log?.error({ reqId: request.id, err: error }, "unexpected error");
    return reply
      .code(500)
      .send(
        armErrorBody(
          new ArmError(500, "InternalServerError", "The server met an error it did not expect."),
        ),
      );
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(
        armErrorBody(
          new ArmError(
            404,
            "InvalidResourceType",
            `The resource type or path '${request.url.split("?")[0]}' is not served here.`,
          ),
        ),
      );
  });

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

  // Revisions, as an extension resource of the NSG (ARM's `{scope}/providers/{namespace}/{type}`):
  // what no Azure API gives, each change with who, when, before and after; and restore.
  const revisionsPath = `${nsgPath}/providers/Tierwall/revisions`;
  const revisionJson = (nsgId: string, r: Revision) => ({
    id: `${nsgId}/providers/Tierwall/revisions/${r.revision}`,
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
  });

  app.get<{ Params: NsgParams }>(revisionsPath, async (request) => {
    checkApiVersion(request);
    await authorize(request, "reader");
    const id = nsgIdOf(request.params);
    const history = await store.history(id);
    if (history.length === 0)
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource '${NSG_TYPE}/${request.params.name}' has no revisions.`,
      );
    const kept = history[0]?.id ?? id;
    return { value: history.map((r) => revisionJson(kept, r)) };
  });

  app.post<{ Params: NsgParams & { revision: string } }>(
    `${revisionsPath}/:revision/restore`,
    async (request, reply) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      const id = nsgIdOf(request.params);
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

  app.get<{ Params: NsgParams & { revision: string }; Querystring: { from?: string } }>(
    `${revisionsPath}/:revision/diff`,
    async (request) => {
      checkApiVersion(request);
      await authorize(request, "reader");
      return revisionDiff(
        store,
        networks,
        nsgIdOf(request.params),
        request.query.from,
        request.params.revision,
      );
    },
  );

  const deps = { store, authorize, checkApiVersion, checkName, conditions };
  registerVirtualNetworks(app, deps);
  registerApplicationSecurityGroups(app, deps);
  registerPublicIpAddresses(app, deps);
  registerNetworkInterfaces(app, deps);
  registerVirtualMachines(app, deps);
  registerNetworkWatcher(app, deps, networks);
  registerWorkspace(app, deps, networks);
  registerAnalysisRoutes(app, deps, networks);
  registerImport(app, deps, networks);

  return app;
}
