/**
 * What a subscription's workspace holds, read from its stored body: the
 * spec's `environments` (workloads placed in the subscription's subnets, with
 * the addresses Azure gave them: an App Service Environment's VIPs are no ARM
 * network resource), its `tiers` (who may call whom, on which ports: what the
 * web page draws), and its `assertions` (what every write is judged against).
 * Each list is checked with the spec's own schema; a 400 names what is wrong.
 */
import * as v from "valibot";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Environment } from "../model/types.js";
import { normalizeAssertion, type SpecAssertion } from "../specfile/assertions.js";
import { assertionSchema, environmentSchema, tierSchema } from "../specfile/schema.js";
import type { Store } from "../store/store.js";
import type { TierSpec } from "../synth/intent.js";
import { isObject, pathText } from "./body.js";
import { ArmError } from "./errors.js";

export const WORKSPACE_TYPE = "Tierwall/workspaces";
export const WORKSPACE_NAME = "default";

export const workspaceId = (subscription: string): string =>
  `/subscriptions/${subscription}/providers/${WORKSPACE_TYPE}/${WORKSPACE_NAME}`;

/** The lists a workspace's `properties` may hold. */
export const WORKSPACE_LISTS = ["environments", "tiers", "assertions"] as const;

const listOf = (body: unknown, key: (typeof WORKSPACE_LISTS)[number]): unknown =>
  isObject(body) && isObject(body.properties) ? body.properties[key] : undefined;

/** A list checked against its schema, or a 400 pointing at each problem. */
function parsed<T>(
  body: unknown,
  key: (typeof WORKSPACE_LISTS)[number],
  schema: v.GenericSchema<unknown, T>,
  code: string,
): T[] {
  const raw = listOf(body, key);
  if (raw === undefined) return [];
  const result = v.safeParse(v.array(schema), raw);
  if (result.success) return result.output;
  const details = result.issues.map((issue) => ({
    code,
    message: issue.message,
    target: `properties.${key}${pathText((issue.path ?? []).map((p) => p.key as string | number))}`,
  }));
  throw new ArmError(400, code, `${details[0]?.target}: ${details[0]?.message}`, details);
}

/** The assertions of a workspace body (`properties.assertions`), checked as a spec's are; a 400 otherwise. */
export function parseAssertions(body: unknown): SpecAssertion[] {
  const checked = parsed(body, "assertions", assertionSchema, "InvalidAssertion");
  const diagnostics: Diagnostic[] = [];
  const assertions = checked.flatMap((a, i) =>
    normalizeAssertion(a, ["assertions", i], diagnostics),
  );
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw new ArmError(
      400,
      errors[0]?.code ?? "InvalidAssertion",
      errors[0]?.message ?? "invalid assertion",
      errors.map((d) => ({
        code: d.code,
        message: d.message,
        target: `properties${pathText(d.path)}`,
      })),
    );
  return assertions;
}

/** The environments of a workspace body (`properties.environments`), as a spec writes them. */
export function parseEnvironments(body: unknown): Environment[] {
  return parsed(body, "environments", environmentSchema, "InvalidEnvironment") as Environment[];
}

/** The tiers of a workspace body (`properties.tiers`), as a spec writes them. */
export function parseTiers(body: unknown): TierSpec[] {
  return parsed(body, "tiers", tierSchema, "InvalidTier") as TierSpec[];
}

/** The assertions the subscription's workspace holds (none without one). */
export async function workspaceAssertions(
  store: Store,
  subscription: string,
): Promise<SpecAssertion[]> {
  const stored = await store.get(workspaceId(subscription));
  return stored ? parseAssertions(stored.body) : [];
}
