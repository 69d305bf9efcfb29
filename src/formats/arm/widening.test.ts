/**
 * An ARM import never widens the policy: what narrows it (a Deny rule, an NSG
 * association) and cannot be known fails the import at its place in the
 * template, unless allowPartial, which writes the spec with it under partial.
 * A value of the wrong type is an error, never an empty list or a dropped resource.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

/** The line and column where `needle` first occurs in `text` (after `after`, when given). */
function at(text: string, needle: string, after = "") {
  const file = "main.json";
  const offset = text.indexOf(needle, text.indexOf(after));
  if (offset < 0) throw new Error(`${needle} is not in the text`);
  const before = text.slice(0, offset).split("\n");
  return { file, line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");

const rule = (name: string, access: string, fields: Record<string, unknown> = {}) => ({
  name,
  properties: {
    protocol: "Tcp",
    access,
    priority: 200,
    direction: "Inbound",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "22",
    ...fields,
  },
});

/** A template with one NSG holding `rules`, on a subnet; `extra` resources after it. */
function template(
  rules: unknown[],
  extra: unknown[] = [],
  nsgExtra = {},
  addressPrefixes: unknown = ["10.0.0.0/16"],
): string {
  return JSON.stringify(
    {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      parameters: {
        adminSource: { type: "string" },
        deploy: { type: "bool" },
        nsgName: { type: "string" },
      },
      variables: { a: "[variables('b')]", b: "[variables('a')]" },
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          apiVersion: "2024-05-01",
          name: "web-nsg",
          properties: { securityRules: rules, ...nsgExtra },
        },
        {
          type: "Microsoft.Network/virtualNetworks",
          apiVersion: "2024-05-01",
          name: "vnet",
          properties: {
            addressSpace: { addressPrefixes },
            subnets: [
              {
                name: "web",
                properties: {
                  addressPrefix: "10.0.1.0/24",
                  networkSecurityGroup: {
                    id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'web-nsg')]",
                  },
                },
              },
            ],
          },
        },
        ...extra,
      ],
    },
    null,
    2,
  );
}

const importOne = (text: string, allowPartial = false) =>
  importSources([{ file: "main.json", text }], { allowPartial });

describe("ARM import: a Deny rule that cannot be known fails the import, at its place", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "an unknown function",
      { sourceAddressPrefix: "[uniqueString('x')]" },
      "uniqueString() is known only when deploying",
    ],
    [
      "reference() of a resource the template does not declare",
      { sourceAddressPrefix: "[reference('gw-ip').ipAddress]" },
      "reference() of a resource this template does not declare is known only when deploying",
    ],
    [
      "reference() of what Azure sets in a resource the template declares",
      {
        sourceAddressPrefix:
          "[reference('vnet', '2024-05-01', 'full').properties.provisioningState]",
      },
      "provisioningState is set by Azure when deploying, not by the template",
    ],
    [
      "a parameter with no value",
      { sourceAddressPrefix: "[parameters('adminSource')]" },
      "parameter adminSource has no value and no defaultValue",
    ],
    ["a cycle of variables", { sourceAddressPrefix: "[variables('a')]" }, "refers to itself"],
  ];
  for (const [name, fields, why] of cases)
    it(name, async () => {
      const text = template([rule("deny-ssh", "Deny", fields)]);
      const result = await importOne(text);
      expect(result.spec).toBeUndefined();
      const [e] = errors(result.diagnostics);
      expect(e).toMatchObject({
        code: "ExpressionNotStaticallyKnown",
        location: at(text, `"${fields.sourceAddressPrefix}"`, "securityRules"),
      });
      expect(e?.message).toContain(why);
      expect(e?.message).toContain('the rule "deny-ssh" of network security group "web-nsg"');
      expect(e?.hint).toContain("could allow traffic the source denies");
      expect(e).not.toHaveProperty("leftOut");
    });

  it("a rule whose access is not known", async () => {
    const text = template([rule("maybe", "[parameters('adminSource')]")]);
    const result = await importOne(text);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        location: at(text, `"[parameters('adminSource')]"`),
      }),
    ]);
  });

  it("a Deny rule under a condition, and Deny rules made by copy loops", async () => {
    const child = {
      type: "Microsoft.Network/networkSecurityGroups/securityRules",
      apiVersion: "2024-05-01",
      name: "web-nsg/deny-rdp",
      condition: "[parameters('deploy')]",
      properties: rule("deny-rdp", "Deny").properties,
    };
    // Copy loops whose count is known only when deploying.
    const looped = {
      ...child,
      name: "[concat('web-nsg/deny-', copyIndex())]",
      condition: undefined,
      copy: { name: "denies", count: "[length(parameters('adminSource'))]" },
    };
    const propertyCopy = [
      {
        name: "securityRules",
        count: "[length(parameters('adminSource'))]",
        input: rule("[concat('d', copyIndex('securityRules'))]", "Deny"),
      },
    ];
    const text = template([], [child, looped], { copy: propertyCopy });
    const result = await importOne(text);
    expect(result.spec).toBeUndefined();
    expect(errors(result.diagnostics).map((d) => [d.code, d.location])).toEqual([
      ["ExpressionNotStaticallyKnown", at(text, "{", `"copy": [`)],
      ["ExpressionNotStaticallyKnown", at(text, `"[parameters('deploy')]"`)],
      ["ExpressionNotStaticallyKnown", at(text, "{", `"copy": {`)],
    ]);
  });

  it("an Allow rule that cannot be known is left out with a warning: nothing more is allowed", async () => {
    const text = template([
      rule("allow-admin", "Allow", { sourceAddressPrefix: "[parameters('adminSource')]" }),
      rule("deny-rest", "Deny", { priority: 300 }),
    ]);
    const result = await importOne(text);
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ severity: "warning", code: "ExpressionNotStaticallyKnown" }),
    );
    expect(result.topology.networkSecurityGroups[0]?.securityRules.map((r) => r.name)).toEqual([
      "deny-rest",
    ]);
    expect(result.spec).not.toContain("partial");
  });

  it("an NSG association that cannot be known", async () => {
    const text = template([rule("deny-ssh", "Deny")]).replace(
      "'web-nsg')]",
      "parameters('nsgName'))]",
    );
    const result = await importOne(text);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        location: at(text, `"[resourceId('Microsoft.Network/networkSecurityGroups', parameters`),
      }),
    ]);
    expect(errors(result.diagnostics)[0]?.message).toContain(
      'the subnet "web" of virtual network "vnet"',
    );
  });

  it("reference() of what the template sets resolves, without deploying", async () => {
    const text = template([
      rule("deny-web-subnet", "Deny", {
        sourceAddressPrefix: "[reference('vnet').subnets[0].properties.addressPrefix]",
      }),
    ]);
    const result = await importOne(text);
    expect(result.diagnostics).toEqual([]);
    expect(result.topology.networkSecurityGroups[0]?.securityRules[0]?.sourceAddressPrefix).toBe(
      "10.0.1.0/24",
    );
  });

  it("an NSG whose name is a parameter without value is read under a placeholder; the linked template, which may hold anything, fails", async () => {
    const text = template(
      [],
      [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          apiVersion: "2024-05-01",
          name: "[parameters('nsgName')]",
        },
        {
          type: "Microsoft.Resources/deployments",
          apiVersion: "2024-03-01",
          name: "more",
          properties: { mode: "Incremental", templateLink: { uri: "https://example.com/t.json" } },
        },
      ],
    );
    const result = await importOne(text);
    expect(errors(result.diagnostics).map((d) => d.code)).toEqual(["LinkedTemplateNotRead"]);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "NamePlaceholder",
        location: at(text, `"[parameters('nsgName')]"`),
      }),
    );
    expect(result.topology.networkSecurityGroups.map((n) => n.name)).toEqual([
      "web-nsg",
      "<nsgName>",
    ]);
  });
});

describe("ARM import: an address space that cannot be known", () => {
  // Left out, what it holds is Internet rather than VirtualNetwork to every rule.
  const unknownSpace = (rules: unknown[]) => template(rules, [], {}, "[parameters('adminSource')]");

  it("widens when a rule allows Internet: it would allow more", async () => {
    const text = unknownSpace([
      rule("allow-web", "Allow", { sourceAddressPrefix: "Internet", destinationPortRange: "443" }),
    ]);
    const found = errors((await importOne(text)).diagnostics);
    expect(found[0]).toMatchObject({
      code: "ExpressionNotStaticallyKnown",
      location: at(text, `"[parameters('adminSource')]"`),
      hint: expect.stringContaining("a rule denies VirtualNetwork or allows Internet"),
    });
    // And a network with no address space at all is no valid network: validation says so.
    expect(found.slice(1).map((d) => d.code)).toEqual(["InvalidAddressPrefixFormat"]);
  });

  it("does not when no rule names either tag, though the network left without one is invalid", async () => {
    const text = unknownSpace([
      rule("deny-ssh", "Deny", { sourceAddressPrefix: "203.0.113.0/24" }),
    ]);
    const result = await importOne(text);
    expect(result.diagnostics.filter((d) => d.code === "ExpressionNotStaticallyKnown")).toEqual([
      expect.objectContaining({ severity: "warning" }),
    ]);
    expect(errors(result.diagnostics).map((d) => d.code)).toEqual(["InvalidAddressPrefixFormat"]);
  });
});

describe("ARM import with allowPartial", () => {
  it("writes the spec, listing what it could not read under partial, with where it is", async () => {
    const fields = { sourceAddressPrefix: "[parameters('adminSource')]" };
    const text = template([
      rule("deny-ssh", "Deny", fields),
      rule("allow-web", "Allow", { priority: 300 }),
    ]);
    const result = await importOne(text, true);
    expect(errors(result.diagnostics)).toEqual([]);
    const place = at(text, `"[parameters('adminSource')]"`);
    expect(result.partial).toEqual([
      {
        what: 'the rule "deny-ssh" of network security group "web-nsg"',
        why: expect.stringContaining("parameter adminSource has no value"),
        source: `main.json:${place.line}:${place.column}`,
      },
    ]);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "ExpressionNotStaticallyKnown",
        hint: expect.stringContaining("listed under partial"),
      }),
    );
    const loaded = loadSpecText(result.spec ?? "");
    expect(errors(loaded.diagnostics)).toEqual([]);
    expect(loaded.spec?.partial).toEqual(result.partial);
    expect(
      loaded.spec?.topology.networkSecurityGroups[0]?.securityRules.map((r) => r.name),
    ).toEqual(["allow-web"]);
  });
});

describe("ARM import: values of the wrong type are errors", () => {
  for (const value of ['"none"', "7"])
    it(`securityRules: ${value}`, async () => {
      const text = template([]).replace('"securityRules": []', `"securityRules": ${value}`);
      const result = await importOne(text);
      expect(result.spec).toBeUndefined();
      expect(errors(result.diagnostics)).toEqual([
        expect.objectContaining({
          code: "InvalidPropertyType",
          location: at(text, value === "7" ? "7" : '"none"'),
        }),
      ]);
    });

  it("a resource without a type, where a list of numbers is no Azure resource at all", async () => {
    const text = template([], [{ apiVersion: "2024-05-01", name: "lost", properties: {} }]);
    const result = await importOne(text);
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "MissingProperty",
        location: at(text, `{\n      "apiVersion": "2024-05-01",\n      "name": "lost"`),
      }),
    ]);
    const numbers = await importOne("[1, 2, 3]");
    expect(numbers.spec).toBeUndefined();
    expect(errors(numbers.diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnrecognizedDocument",
        location: { file: "main.json", line: 1, column: 1 },
      }),
    ]);
  });
});
