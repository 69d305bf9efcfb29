/**
 * Import into a resource group: a file in any format `tierwall import` reads
 * (an ARM template or az output, Terraform, PowerShell, an az CLI script) is
 * read as the CLI reads it, planned as the ARM export plans a deployment, and
 * each planned resource written by an ordinary PUT of this API, in the order
 * a deployment would create them: so each is validated, judged against the
 * workspace's assertions and recorded as a revision like any write. Before
 * the first write, the network all of them make with what is stored is built:
 * a file that cannot make a whole network writes nothing. A write refused
 * after that (an assertion it would break) stops the import; what was written
 * before it stays, as in a deployment, and the answer says which.
 *
 * A tierwall spec (`format=tierwall`, or a YAML or JSON document with the
 * spec's sections and none of ARM's) is read as `tierwall check` reads it:
 * its resources are written so, and its environments, tiers and assertions
 * become the subscription's workspace (an admin's write), last.
 */
import type { FastifyInstance } from "fastify";
import { parse as parseYaml } from "yaml";
import { type PlanValue, planDeployment, ResourceReference } from "../formats/arm/deployment.js";
import { IMPORT_FORMATS, type ImportFormat, importSources } from "../formats/catalog.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Topology } from "../model/types.js";
import { loadSpecText } from "../specfile/load.js";
import type { ResourceBody } from "../store/store.js";
import { allows } from "./auth.js";
import { ArmError } from "./errors.js";
import type { RouteDeps } from "./resource-routes.js";
import type { SubscriptionNetworks } from "./subscription-network.js";
import { WORKSPACE_TYPE, workspaceId } from "./workspace-body.js";

type Params = { subscription: string; group: string };
type Query = { "api-version"?: string; format?: string; location?: string };

/** The format of tierwall's own spec, beside those of `tierwall import`. */
const SPEC_FORMAT = "tierwall";

/** Whether a text is a tierwall spec: YAML or JSON with a section only a spec has, and no ARM template's. */
function looksLikeSpec(text: string): boolean {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return false;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return false;
  const keys = Object.keys(doc);
  if (keys.includes("resources") || keys.includes("$schema")) return false;
  return ["environments", "tiers", "assertions", "virtualNetworks", "networkSecurityGroups"].some(
    (k) => keys.includes(k),
  );
}

/** The spec, read whole, or a 400 naming each problem at its line and column. */
function readSpec(text: string): { topology: Topology; workspace?: ResourceBody } {
  const loaded = loadSpecText("request body", text);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  if (!loaded.spec || errors.length > 0) throw fileProblems(errors);
  const { document } = loaded.spec;
  const lists = {
    ...(document.environments?.length ? { environments: document.environments } : {}),
    ...(document.tiers?.length ? { tiers: document.tiers } : {}),
    ...(document.assertions?.length ? { assertions: document.assertions } : {}),
  };
  return {
    topology: loaded.spec.topology,
    ...(Object.keys(lists).length > 0 ? { workspace: { properties: lists } } : {}),
  };
}

/** A file that cannot be imported: its first problem, and each with where it is. */
function fileProblems(errors: readonly Diagnostic[]): ArmError {
  return new ArmError(
    400,
    errors[0]?.code ?? "InvalidTemplate",
    `The file cannot be imported: ${errors[0]?.message}`,
    errors.map((d) => ({
      code: d.code,
      message: d.message,
      ...(d.location ? { target: `line ${d.location.line}, column ${d.location.column}` } : {}),
    })),
  );
}

/** `providers/A/B/n1/C/n2`: a resource's path from its type's segments and its names. */
function resourcePath(type: string, names: readonly string[]): string {
  const [namespace, ...types] = type.split("/");
  return [namespace, ...types.flatMap((t, i) => [t, names[i] ?? ""])].join("/");
}

export function registerImport(
  app: FastifyInstance,
  deps: RouteDeps,
  networks: SubscriptionNetworks,
): void {
  const { authorize, checkApiVersion } = deps;
  app.post<{ Params: Params; Querystring: Query; Body: unknown }>(
    "/subscriptions/:subscription/resourceGroups/:group/providers/Tierwall/import",
    {
      schema: {
        querystring: {
          type: "object",
          properties: {
            "api-version": { type: "string" },
            format: {
              type: "string",
              enum: [...IMPORT_FORMATS, SPEC_FORMAT],
              description: "detected unless given",
            },
            location: { type: "string", description: "for resources the file places nowhere" },
          },
        },
      },
    },
    async (request) => {
      checkApiVersion(request);
      const token = await authorize(request, "writer");
      const { subscription, group } = request.params;
      const scope = `/subscriptions/${subscription}/resourceGroups/${group}`;
      // Sent as text/plain, the file is read as written (lines and columns are the file's).
      const text =
        typeof request.body === "string" ? request.body : JSON.stringify(request.body, null, 2);
      const asSpec =
        request.query.format === SPEC_FORMAT ||
        (request.query.format === undefined && looksLikeSpec(text));
      let topology: Topology;
      let workspace: ResourceBody | undefined;
      if (asSpec) {
        ({ topology, workspace } = readSpec(text));
        // The workspace guards everyone's writes: only an admin sets it, so only an admin imports one.
        if (workspace && !allows(token.role, "admin"))
          throw new ArmError(
            403,
            "AuthorizationFailed",
            `The spec holds environments, tiers or assertions, which become the subscription's workspace: importing it needs the admin role (the token '${token.name}' is a ${token.role}'s).`,
          );
      } else {
        const imported = await importSources([{ file: "request body", text }], {
          ...(request.query.format ? { format: request.query.format as ImportFormat } : {}),
        });
        const errors = imported.diagnostics.filter((d) => d.severity === "error");
        if (errors.length > 0) throw fileProblems(errors);
        topology = imported.topology;
      }
      const idOf = (type: string, names: readonly string[]) =>
        `${scope}/providers/${resourcePath(type, names)}`;
      const value = (v: PlanValue): unknown => {
        if (v instanceof ResourceReference) return idOf(v.type, v.names);
        if (typeof v !== "object") return v;
        if (Array.isArray(v)) return v.map(value);
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x as PlanValue)]));
      };
      // Every resource's body first, and the network they make with what is stored checked as a
      // whole, so that a file that cannot make a whole network writes nothing.
      const planned = [];
      for (const p of planDeployment(topology, "all")) {
        if (p.existing) continue;
        const location =
          p.location === undefined
            ? undefined
            : p.location === "parameter"
              ? request.query.location
              : p.location.region;
        if (p.location !== undefined && location === undefined)
          throw new ArmError(
            400,
            "LocationRequired",
            `${p.names.join("/")} (${p.type}) has no location in the file: give one as ?location=REGION`,
          );
        planned.push({
          id: idOf(p.type, p.names),
          type: p.type,
          body: {
            ...(location !== undefined
              ? { location: location.replace(/\s+/g, "").toLowerCase() }
              : {}),
            ...(p.sku !== undefined ? { sku: { name: p.sku } } : {}),
            properties: value(p.properties ?? {}),
          },
        });
      }
      const workspaceChange = workspace && {
        id: workspaceId(subscription),
        type: WORKSPACE_TYPE,
        body: workspace,
      };
      try {
        await networks.buildWith(
          subscription,
          ...planned,
          ...(workspaceChange ? [workspaceChange] : []),
        );
      } catch (e) {
        if (e instanceof ArmError)
          throw new ArmError(e.status, e.code, `Nothing was imported: ${e.message}`, e.details);
        throw e;
      }
      const written: { id: string; status: number }[] = [];
      for (const { id, body } of [...planned, ...(workspaceChange ? [workspaceChange] : [])]) {
        const answer = await app.inject({
          method: "PUT",
          url: `${id}?api-version=${encodeURIComponent(request.query["api-version"] ?? "")}`,
          headers: {
            ...deps.internal,
            ...(request.headers.authorization
              ? { authorization: request.headers.authorization }
              : {}),
            ...(request.headers["x-tierwall-accept-break"]
              ? { "x-tierwall-accept-break": request.headers["x-tierwall-accept-break"] }
              : {}),
          },
          payload: body,
        });
        if (answer.statusCode >= 300) {
          const refused = answer.json() as {
            error: { code: string; message: string; details?: [] };
          };
          throw new ArmError(
            answer.statusCode,
            refused.error.code,
            `The import stopped at ${id}: ${refused.error.message}${written.length > 0 ? ` (written before it: ${written.map((w) => w.id).join(", ")})` : " (nothing was written)"}`,
            refused.error.details ?? [],
          );
        }
        written.push({ id, status: answer.statusCode });
      }
      return { value: written };
    },
  );
}
