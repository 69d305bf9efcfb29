/**
 * The files of the import fixtures as importSources takes them: a template
 * with its parameters file, a Terraform folder's files (as `tierwall import
 * FOLDER` reads them), or a script.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SourceFile } from "../../src/formats/catalog.js";
import { moduleFiles } from "../../src/formats/terraform/import.js";

export const ROOT = resolve(import.meta.dirname, "../..");

/** The sources of a fixture (a file or a Terraform folder), named relative to `base`. */
export function fixtureSources(base: string, path: string): SourceFile[] {
  const full = join(base, path);
  if (!statSync(full).isDirectory()) return [{ file: path, text: readFileSync(full, "utf8") }];
  const { files } = moduleFiles(readdirSync(full));
  return files.map((f) => ({ file: `${path}/${f}`, text: readFileSync(join(full, f), "utf8") }));
}

/** The repository's ARM fixtures: each folder's template, with its parameters file when there is one. */
export function armFixtures(): { name: string; sources: SourceFile[]; parameters?: SourceFile }[] {
  const dir = join(ROOT, "test/fixtures/arm");
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, "azuredeploy.json")))
    .map((name) => {
      const parameters = join(dir, name, "azuredeploy.parameters.json");
      return {
        name,
        sources: fixtureSources(dir, `${name}/azuredeploy.json`),
        ...(existsSync(parameters)
          ? { parameters: { file: `${name} (parameters)`, text: readFileSync(parameters, "utf8") } }
          : {}),
      };
    });
}

/** The repository's Terraform fixtures, each folder a module. */
export function terraformFixtures(): { name: string; sources: SourceFile[] }[] {
  const dir = join(ROOT, "test/fixtures/terraform");
  return readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isDirectory())
    .map((name) => ({ name, sources: fixtureSources(dir, name) }));
}
