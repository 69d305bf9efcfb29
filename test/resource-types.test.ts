/**
 * Every resource type in the import fixtures is accounted for: modelled, or
 * named as not modelled with what it may change, or counted as deciding no
 * packet (formats/shared/unmodelled.ts); none is read in silence or unknown.
 * The types are found by walking each file apart from the importers, and each
 * must stand in the import's summary.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importSources, type SourceFile } from "../src/formats/catalog.js";
import type { SourceSummary } from "../src/formats/shared/summary.js";
import { sharedFile, titled } from "./support/environment.js";
import { armFixtures, fixtureSources, terraformFixtures } from "./support/fixtures.js";

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The literal resource types of an ARM document: resources (a list, or by
 * symbolic name), their child resources, and inline templates read in the
 * template's scope; not a resource another deployment made (`existing`), nor
 * what a linked or inner-scope template holds, which the import names whole.
 */
function armTypes(document: unknown): string[] {
  const types: string[] = [];
  const walk = (resources: unknown, parent?: string) => {
    const list = Array.isArray(resources)
      ? resources
      : isJson(resources)
        ? Object.values(resources)
        : [];
    for (const r of list) {
      if (!isJson(r) || typeof r.type !== "string" || r.existing === true) continue;
      if (r.type.startsWith("[")) continue;
      const type = parent && !r.type.includes("/") ? `${parent}/${r.type}` : r.type;
      if (/^Microsoft\.Resources\/deployments$/i.test(type)) {
        const properties = isJson(r.properties) ? r.properties : {};
        const options = properties.expressionEvaluationOptions;
        const inner = isJson(options) && String(options.scope).toLowerCase() === "inner";
        if (isJson(properties.template) && !inner) walk(properties.template.resources);
        continue;
      }
      types.push(type);
      walk(r.resources, type);
    }
  };
  if (Array.isArray(document)) walk(document);
  else if (isJson(document)) walk(document.resources);
  return types;
}

/** The managed resource types of Terraform files (data sources are read, not deployed). */
const terraformTypes = (sources: readonly SourceFile[]): string[] =>
  sources.flatMap((s) =>
    [...s.text.matchAll(/^\s*resource\s+"([A-Za-z0-9_]+)"/gm)].map((m) => m[1] as string),
  );

/** Every type the summaries account for, in lower case. */
const accounted = (summary: readonly SourceSummary[]) =>
  new Set(
    summary.flatMap((s) =>
      [...s.modelled, ...s.notModelled, ...s.notRelevant].map((t) => t.type.toLowerCase()),
    ),
  );

async function expectAccounted(
  sources: SourceFile[],
  types: readonly string[],
  parameters?: SourceFile,
): Promise<void> {
  const { summary } = await importSources(sources, parameters ? { parameters } : {});
  expect(summary.flatMap((s) => s.unknown)).toEqual([]);
  const known = accounted(summary);
  expect(types.filter((t) => !known.has(t.toLowerCase()))).toEqual([]);
}

describe("every resource type in the fixtures is modelled, named or counted", () => {
  for (const { name, sources, parameters } of armFixtures())
    it(`test/fixtures/arm/${name}`, async () => {
      const types = armTypes(JSON.parse(sources[0]?.text ?? "null"));
      expect(types.length).toBeGreaterThan(0);
      await expectAccounted(sources, types, parameters);
    });

  for (const { name, sources } of terraformFixtures())
    it(`test/fixtures/terraform/${name}`, async () => {
      const types = terraformTypes(sources);
      expect(types.length).toBeGreaterThan(0);
      await expectAccounted(sources, types);
    });

  const real = sharedFile("fixtures/real");
  const names = real.missing
    ? ["(the shared folder)"]
    : readdirSync(real.path).filter((n) => /^\d\d-/.test(n) && !n.endsWith(".bicep"));
  for (const name of names)
    it.skipIf(real.missing !== undefined)(
      titled(`fixtures/real/${name}`, real.missing),
      async () => {
        const sources = fixtureSources(real.path, name);
        const folder = statSync(join(real.path, name)).isDirectory();
        const types = name.endsWith(".json")
          ? armTypes(JSON.parse(readFileSync(join(real.path, name), "utf8")))
          : folder
            ? terraformTypes(sources)
            : [];
        await expectAccounted(sources, types);
      },
    );
});
