/**
 * The ARM export checked against Azure's published REST API definitions
 * (test/fixtures/arm-rest-spec, see SOURCE.md there), with a JSON Schema
 * validator. The Swagger 2.0 definitions are adapted here, and only here:
 * - `allOf` parents are merged into one object, and every object then rejects
 *   properties it does not declare (Swagger allows them; a misspelt property
 *   would otherwise pass);
 * - a read-only property may be missing, and must not be written;
 * - an enum that Azure models as a string (`x-ms-enum.modelAsString`) is
 *   matched case-insensitively, as the service reads it;
 * - a `$ref` to a definition not kept (route tables, public IPs...: nothing
 *   tierwall writes) admits nothing;
 * - `x-ms-*` keys, formats, defaults and descriptions are ignored.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import type { SecurityRule, Topology } from "../../model/types.js";
import { loadSpec } from "../../specfile/load.js";
import type { ExportScope } from "../shared/export-scope.js";
import { ARM_API_VERSION, exportArm } from "./export.js";

const SPEC_DIR = resolve(import.meta.dirname, "../../../test/fixtures/arm-rest-spec");
const FILES = [
  "network",
  "networkSecurityGroup",
  "applicationSecurityGroup",
  "virtualNetwork",
  "networkInterface",
];
/** The API version the kept definitions are from. */
const SPEC_VERSION = "2024-05-01";

type Swagger = Record<string, unknown>;
type Schema = Record<string, unknown> | boolean;

const definitions = new Map<string, Record<string, Swagger>>(
  FILES.map((f) => [
    f,
    (
      JSON.parse(readFileSync(join(SPEC_DIR, `${f}.json`), "utf8")) as {
        definitions: Record<string, Swagger>;
      }
    ).definitions,
  ]),
);

/** The file and name a `$ref` points to, from within `file`. */
function target(ref: string, file: string): [string, string] {
  const m = /^(?:\.\/([A-Za-z]+)\.json)?#\/definitions\/([A-Za-z0-9]+)$/.exec(ref);
  if (!m) throw new Error(`unexpected $ref ${ref}`);
  return [m[1] ?? file, m[2] as string];
}

const caseInsensitive = (values: readonly string[]): string =>
  `^(?:${values
    .map((v) =>
      [...v]
        .map((c) =>
          /[A-Za-z]/.test(c)
            ? `[${c.toUpperCase()}${c.toLowerCase()}]`
            : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join(""),
    )
    .join("|")})$`;

/** Converts Swagger definitions to JSON Schema `$defs`, on demand. */
class Converter {
  readonly defs: Record<string, Schema> = {};

  ref(ref: string, file: string): Schema {
    const [f, name] = target(ref, file);
    const definition = definitions.get(f)?.[name];
    if (definition === undefined) return false;
    const key = `${f}.${name}`;
    if (!(key in this.defs)) {
      this.defs[key] = true;
      this.defs[key] = this.node(definition, f);
    }
    return { $ref: `#/$defs/${key}` };
  }

  /** Properties and required names of a definition and its `allOf` parents. */
  private members(node: Swagger, file: string): [Record<string, Swagger>, string[], string][] {
    const own: [Record<string, Swagger>, string[], string] = [
      (node.properties ?? {}) as Record<string, Swagger>,
      (node.required ?? []) as string[],
      file,
    ];
    const parents = ((node.allOf ?? []) as Swagger[]).flatMap((p) => {
      const [f, name] = target(p.$ref as string, file);
      const parent = definitions.get(f)?.[name];
      if (parent === undefined) throw new Error(`allOf parent ${p.$ref} is not kept`);
      return this.members(parent, f);
    });
    return [...parents, own];
  }

  node(node: Swagger, file: string): Schema {
    if (typeof node.$ref === "string") return this.ref(node.$ref, file);
    if (node.properties !== undefined || node.allOf !== undefined) {
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      for (const [props, req, f] of this.members(node, file)) {
        for (const [name, prop] of Object.entries(props))
          properties[name] = prop.readOnly === true ? false : this.node(prop, f);
        required.push(...req);
      }
      return { type: "object", properties, required, additionalProperties: false };
    }
    const type = node.type as string | undefined;
    if (type === "array") return { type: "array", items: this.node(node.items as Swagger, file) };
    if (type === "object")
      return {
        type: "object",
        additionalProperties:
          node.additionalProperties === undefined
            ? true
            : this.node(node.additionalProperties as Swagger, file),
      };
    if (Array.isArray(node.enum)) {
      const extensible = (node["x-ms-enum"] as { modelAsString?: boolean } | undefined)
        ?.modelAsString;
      return extensible
        ? { type: "string", pattern: caseInsensitive(node.enum as string[]) }
        : { enum: node.enum };
    }
    const out: Record<string, unknown> = {};
    if (type !== undefined) out.type = type;
    for (const k of ["minimum", "maximum"]) if (node[k] !== undefined) out[k] = node[k];
    return out;
  }
}

const ENVELOPE = new Set(["type", "apiVersion", "name", "dependsOn", "condition", "comments"]);
const DEFINITION_OF: Record<string, [string, string]> = {
  "Microsoft.Network/applicationSecurityGroups": [
    "applicationSecurityGroup",
    "ApplicationSecurityGroup",
  ],
  "Microsoft.Network/networkSecurityGroups": ["networkSecurityGroup", "NetworkSecurityGroup"],
  "Microsoft.Network/virtualNetworks": ["virtualNetwork", "VirtualNetwork"],
  "Microsoft.Network/virtualNetworks/subnets": ["virtualNetwork", "Subnet"],
  "Microsoft.Network/virtualNetworks/virtualNetworkPeerings": [
    "virtualNetwork",
    "VirtualNetworkPeering",
  ],
  "Microsoft.Network/networkInterfaces": ["networkInterface", "NetworkInterface"],
};

// ajv is CommonJS: under Node's ESM interop its class is the default export's `default`.
const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: true });
const validators = new Map<string, ValidateFunction>();
function validatorFor(type: string): ValidateFunction {
  const known = validators.get(type);
  if (known) return known;
  const definition = DEFINITION_OF[type];
  if (!definition) throw new Error(`no REST definition kept for ${type}`);
  const converter = new Converter();
  const root = converter.ref(`./${definition[0]}.json#/definitions/${definition[1]}`, "network");
  const validate = ajv.compile({ ...(root as object), $defs: converter.defs });
  validators.set(type, validate);
  return validate;
}

const describeErrors = (errors: readonly ErrorObject[] | null | undefined) =>
  (errors ?? []).map(
    (e) =>
      `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`,
  );

/** The problems of each resource of a template, as Azure's definitions see them. */
function problems(template: { resources: Record<string, unknown>[] }): string[] {
  return template.resources.flatMap((resource, i) => {
    const type = resource.type as string;
    const out: string[] = [];
    if (resource.apiVersion !== SPEC_VERSION)
      out.push(`resources[${i}] apiVersion ${String(resource.apiVersion)}`);
    const body = Object.fromEntries(Object.entries(resource).filter(([k]) => !ENVELOPE.has(k)));
    const validate = validatorFor(type);
    if (!validate(body))
      out.push(...describeErrors(validate.errors).map((e) => `resources[${i}] ${type}: ${e}`));
    return out;
  });
}

const exported = (t: Topology, scope: ExportScope = "all") =>
  JSON.parse(exportArm(t, scope)) as { resources: Record<string, unknown>[] };

const example = (name: string): Topology => {
  const loaded = loadSpec(`examples/${name}/tierwall.yaml`);
  if (!loaded.spec) throw new Error(`${name} does not load`);
  return loaded.spec.topology;
};

/** The NSG-level topology with its NSG also on a subnet and a NIC. */
function associated(rules: SecurityRule[]): Topology {
  const t = nsgLevelTopology(rules);
  return {
    ...t,
    networkSecurityGroups: t.networkSecurityGroups.map((n) => ({ ...n, flushConnection: true })),
    virtualNetworks: t.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map((s) => ({ ...s, networkSecurityGroup: "nsg-under-test" })),
    })),
    networkInterfaces: t.networkInterfaces.map((n) => ({
      ...n,
      networkSecurityGroup: "nsg-under-test",
    })),
  };
}

describe("ARM export against Azure's REST API definitions", () => {
  it("exports with the API version the definitions are from", () => {
    expect(ARM_API_VERSION).toBe(SPEC_VERSION);
  });

  for (const name of ["layered-ase", "asg-tiers", "three-tier"])
    it(`validates every resource of ${name}`, () => {
      const template = exported(example(name));
      expect(template.resources.length).toBeGreaterThan(0);
      expect(problems(template)).toEqual([]);
    });

  for (const name of ["layered-ase", "asg-tiers"])
    it(`validates every resource of ${name} exported to fit what exists (subnets as resources of their own)`, () => {
      const template = exported(example(name), "nsgs");
      expect(template.resources.map((r) => r.type)).toContain(
        "Microsoft.Network/virtualNetworks/subnets",
      );
      expect(problems(template)).toEqual([]);
    });

  it("validates random topologies: IPv4 and IPv6, ASGs, plural prefixes and ports, peerings, NICs", () => {
    fc.assert(
      fc.property(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), (rules) => {
        const template = exported(associated(rules));
        expect(new Set(template.resources.map((r) => r.type)).size).toBe(5);
        expect(problems(template)).toEqual([]);
      }),
      { seed: 20240505, numRuns: 100 },
    );
  });

  describe("catches what Azure would reject", () => {
    const base = () => exported(example("asg-tiers"));
    const nsgOf = (t: { resources: Record<string, unknown>[] }) =>
      t.resources.find((r) => r.type === "Microsoft.Network/networkSecurityGroups") as {
        properties: { securityRules: { properties: Record<string, unknown> }[] };
      };
    const firstRule = (t: { resources: Record<string, unknown>[] }) =>
      nsgOf(t).properties.securityRules[0]?.properties as Record<string, unknown>;

    it("a misspelt property", () => {
      const t = base();
      const rule = firstRule(t);
      rule.destinationPortRang = rule.destinationPortRange;
      delete rule.destinationPortRange;
      expect(problems(t).join("\n")).toContain(
        "must NOT have additional properties (destinationPortRang)",
      );
    });

    it("a wrong type", () => {
      const t = base();
      firstRule(t).priority = "100";
      expect(problems(t).join("\n")).toContain(
        "/properties/securityRules/0/properties/priority must be integer",
      );
    });

    it("an unknown protocol, but not a protocol in another case", () => {
      const t = base();
      firstRule(t).protocol = "tcp";
      expect(problems(t)).toEqual([]);
      firstRule(t).protocol = "Gre";
      expect(problems(t).join("\n")).toContain(
        "/properties/securityRules/0/properties/protocol must match pattern",
      );
    });

    it("a missing required property", () => {
      const t = base();
      delete firstRule(t).direction;
      expect(problems(t).join("\n")).toContain("must have required property 'direction'");
    });

    it("a read-only property written, or a reference not written as an object", () => {
      const t = base();
      firstRule(t).provisioningState = "Succeeded";
      const vnet = t.resources.find((r) => r.type === "Microsoft.Network/virtualNetworks") as {
        properties: { subnets: { properties: Record<string, unknown> }[] };
      };
      const subnet = vnet.properties.subnets[0]?.properties as Record<string, unknown>;
      subnet.networkSecurityGroup = (subnet.networkSecurityGroup as { id: string }).id;
      const found = problems(t).join("\n");
      expect(found).toContain(
        "/properties/securityRules/0/properties/provisioningState boolean schema is false",
      );
      expect(found).toContain(
        "/properties/subnets/0/properties/networkSecurityGroup must be object",
      );
    });

    it("a property tierwall has no definition kept for", () => {
      const t = base();
      const vnet = t.resources.find((r) => r.type === "Microsoft.Network/virtualNetworks") as {
        properties: { subnets: { properties: Record<string, unknown> }[] };
      };
      (vnet.properties.subnets[0]?.properties as Record<string, unknown>).routeTable = { id: "x" };
      expect(problems(t).join("\n")).toContain("routeTable boolean schema is false");
    });
  });
});
