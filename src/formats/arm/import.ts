/**
 * ARM JSON into the model: a deployment template (with an optional parameters
 * file), the resource JSON of `az network nsg show` / `list` and `az network
 * vnet show`, or the output of `az network nic list-effective-nsg`.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import { jsonSyntaxError } from "../../specfile/json-syntax.js";
import { isObject } from "../shared/json.js";
import { repeatedKeyErrors } from "../shared/json-keys.js";
import { jsonLocator, placed } from "../shared/json-positions.js";
import { Origins } from "../shared/origins.js";
import type { Inventory } from "../shared/summary.js";
import { readEffectiveNsgs } from "./effective-nsg.js";
import { ResourceReader } from "./resources.js";

export interface ArmImport {
  readonly topology: Topology;
  readonly diagnostics: Diagnostic[];
  /** The resources read, by type (shared/summary.ts); none for effective-NSG output. */
  readonly inventory?: Inventory;
}

/**
 * Reads an ARM deployment template (with an optional parameters file), the
 * resource JSON of `az network nsg show` / `list` and `az network vnet show`, or
 * `az network nic list-effective-nsg` output. Values that depend on the
 * deployment are reported and left out; `origins` records where each value
 * written came from. A key given twice in one object is an error.
 */
export function importArm(
  text: string,
  file: string,
  parametersText?: string,
  origins = new Origins(),
): ArmImport {
  const empty: Topology = {
    virtualNetworks: [],
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [],
  };
  const clean = text.replace(/^\uFEFF/, "");
  let document: unknown;
  try {
    document = JSON.parse(clean);
  } catch (e) {
    return { topology: empty, diagnostics: [jsonSyntaxError(e as Error, file, clean)] };
  }
  const repeated = repeatedKeyErrors(clean, file);
  if (repeated.length > 0) return { topology: empty, diagnostics: repeated };
  const locator = jsonLocator(clean, file);
  const effective = readEffectiveNsgs(document, origins, (path) => () => locator(path));
  if (effective) {
    const { networkSecurityGroups, diagnostics } = effective;
    const unused: Diagnostic[] =
      parametersText === undefined
        ? []
        : [
            {
              severity: "warning",
              code: "ParametersNotUsed",
              message:
                "the parameters file is for templates; effective NSG output has no parameters",
              path: [],
              location: { file: `${file} (parameters)`, line: 1, column: 1 },
            },
          ];
    return {
      topology: { ...empty, networkSecurityGroups },
      diagnostics: [...unused, ...placed(diagnostics, clean, file, locator)],
    };
  }
  let parameterValues: Record<string, unknown> = {};
  const preliminary: Diagnostic[] = [];
  if (parametersText !== undefined) {
    const parametersFile = `${file} (parameters)`;
    const cleanParameters = parametersText.replace(/^\uFEFF/, "");
    try {
      const parsed: unknown = JSON.parse(cleanParameters);
      const twice = repeatedKeyErrors(cleanParameters, parametersFile);
      if (twice.length > 0) return { topology: empty, diagnostics: twice };
      if (isObject(parsed) && isObject(parsed.parameters)) parameterValues = parsed.parameters;
      else
        preliminary.push({
          severity: "error",
          code: "InvalidParametersFile",
          message: "the parameters file has no parameters object",
          path: [],
          location: { file: parametersFile, line: 1, column: 1 },
        });
    } catch (e) {
      return {
        topology: empty,
        diagnostics: [jsonSyntaxError(e as Error, parametersFile, cleanParameters)],
      };
    }
  }
  const reader = new ResourceReader(document, parameterValues, origins, locator);
  const topology = reader.read();
  const diagnostics = [...preliminary, ...placed(reader.diagnostics, clean, file, locator)];
  return { topology, diagnostics, inventory: reader.inventory };
}
