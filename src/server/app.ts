/**
 * The HTTP API, assembled: the store (reads kept per version, writes
 * guarded), tokens and roles, rate limits, one log line per request, ARM's
 * error envelope (never a stack or a path of this machine), the OpenAPI
 * document, and each resource type's routes from its own module. Every
 * request needs an `api-version`; reads need a reader's token (unless
 * anonymous reads are enabled), writes a writer's. Bodies are limited in
 * size, and so are headers (Node's limit).
 */

import { randomBytes } from "node:crypto";
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { pino } from "pino";
import { isValidResourceName } from "../model/rule.js";
import { ReadCachingStore } from "../store/read-cache.js";
import { PreconditionFailed, type Role, type Store, type TokenRecord } from "../store/store.js";
import { registerAnalysisRoutes } from "./analysis-routes.js";
import { registerApplicationSecurityGroups } from "./asg.js";
import { allows, bearer, sessionTokenCheck } from "./auth.js";
import { ArmError, armErrorBody } from "./errors.js";
import { type GuardedConditions, GuardedStore } from "./guard.js";
import { registerImport } from "./import-route.js";
import { registerModel } from "./model-route.js";
import { registerNetworkWatcher } from "./network-watcher.js";
import { registerNetworkInterfaces } from "./nic.js";
import { registerNetworkSecurityGroups } from "./nsg-routes.js";
import { registerPublicIpAddresses } from "./public-ip.js";
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from "./rate-limit.js";
import {
  ASG_TYPE,
  NIC_TYPE,
  NSG_TYPE,
  PUBLIC_IP_TYPE,
  VM_TYPE,
  VNET_TYPE,
  WATCHER_TYPE,
} from "./resource-types.js";
import { registerRevisions } from "./revision-routes.js";
import { withDefaults } from "./schemas.js";
import { SubscriptionNetworks } from "./subscription-network.js";
import { registerVirtualMachines } from "./vm.js";
import { registerVirtualNetworks } from "./vnet-routes.js";
import { registerWebPage, webPageFolder } from "./web-page.js";
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
  /**
   * A token that lives as long as the server (kept nowhere), with the admin
   * role: the one `tierwall serve` prints in the web page's URL for whoever
   * started it.
   */
  readonly sessionToken?: string;
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
  // Requests the server makes of itself (an import's writes) carry a secret made here, and are
  // not counted again: the request that made them was.
  const internal = { "x-tierwall-internal": randomBytes(32).toString("base64url") };
  const limit = (request: FastifyRequest, caller: string) => {
    callers.set(request, caller);
    if (request.headers["x-tierwall-internal"] === internal["x-tierwall-internal"]) return;
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
  const session = options.sessionToken ? sessionTokenCheck(options.sessionToken) : undefined;
  const authorize = async (request: FastifyRequest, needed: Role): Promise<TokenRecord> => {
    const token =
      session?.(request.headers.authorization) ??
      (await bearer(store, request.headers.authorization));
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

  // Hooks with callbacks: most requests have nothing to wait for, and an async hook always would.
  app.addHook("onRequest", (_request, _reply, done) => {
    const asking = cached.refresh();
    if (asking) asking.then(() => done(), done);
    else done();
  });

  app.addHook("onResponse", (request, reply, done) => {
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
    done();
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

  const deps = { store, authorize, checkApiVersion, checkName, conditions, internal };
  registerNetworkSecurityGroups(app, deps);
  registerVirtualNetworks(app, deps);
  registerApplicationSecurityGroups(app, deps);
  registerPublicIpAddresses(app, deps);
  registerNetworkInterfaces(app, deps);
  registerVirtualMachines(app, deps);
  registerNetworkWatcher(app, deps, networks);
  registerWorkspace(app, deps, networks);
  registerAnalysisRoutes(app, deps, networks);
  registerImport(app, deps, networks);
  registerModel(app, deps, networks);
  registerWebPage(app, webPageFolder());
  for (const type of [
    NSG_TYPE,
    VNET_TYPE,
    ASG_TYPE,
    PUBLIC_IP_TYPE,
    NIC_TYPE,
    VM_TYPE,
    WATCHER_TYPE,
  ])
    registerRevisions(app, deps, networks, type);

  return app;
}
