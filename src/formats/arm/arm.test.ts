import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { normalNics, normalRule, refKey } from "../../../test/support/round-trip.js";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { NetworkSecurityGroup, Topology } from "../../model/types.js";
import { loadSpec } from "../../specfile/load.js";
import { writeSpec } from "../../specfile/write.js";
import { exportArm } from "./export.js";
import { importArm } from "./import.js";

type Json = Record<string, unknown>;

const problems = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity !== "info");

/** NSGs with their locations and normalized rules. */
const normalNsgs = (nsgs: readonly NetworkSecurityGroup[]) =>
  nsgs.map((nsg) => ({
    name: nsg.name,
    location: nsg.location,
    rules: nsg.securityRules.map((r) => normalRule(r)),
  }));

function normalTopology(t: Topology) {
  return {
    nsgs: normalNsgs(t.networkSecurityGroups),
    vnets: t.virtualNetworks.map((v) => ({
      name: v.name,
      space: v.addressSpace.addressPrefixes,
      subnets: v.subnets.map((s) => ({
        name: s.name,
        prefix: s.addressPrefix,
        prefixes: s.addressPrefixes,
        nsg: s.networkSecurityGroup === undefined ? undefined : refKey(s.networkSecurityGroup),
      })),
    })),
    asgs: t.applicationSecurityGroups.map((a) => a.name),
    nics: normalNics(t),
  };
}

const resourcesOf = (text: string) => (JSON.parse(text) as { resources: Json[] }).resources;

describe("exportArm", () => {
  for (const example of ["layered-ase", "asg-tiers"]) {
    it(`writes ${example} as a template that imports back`, () => {
      const loaded = loadSpec(`examples/${example}/tierwall.yaml`);
      expect(loaded.spec).toBeDefined();
      const topology = loaded.spec?.topology as Topology;
      const text = exportArm(topology);
      const template = JSON.parse(text) as Json;
      expect(template.$schema).toBe(
        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      );
      expect(template.parameters).toMatchObject({
        location: { type: "string", defaultValue: "[resourceGroup().location]" },
      });
      expect(text).toBe(`${JSON.stringify(template, null, 2)}\n`);

      const back = importArm(text, "template.json");
      expect(problems(back.diagnostics)).toEqual([]);
      expect(back.topology.environments).toEqual([]);
      expect(normalTopology(back.topology)).toEqual(normalTopology(topology));
    });
  }

  it("orders resources with dependsOn", () => {
    const topology = loadSpec("examples/asg-tiers/tierwall.yaml").spec?.topology as Topology;
    const resources = resourcesOf(exportArm(topology));
    const find = (type: string, name: string) =>
      resources.find((r) => r.type === type && r.name === name) as Json;
    const nsg = find("Microsoft.Network/networkSecurityGroups", "workload-nsg");
    expect(nsg.apiVersion).toBe("2024-05-01");
    expect(nsg.location).toBe("[parameters('location')]");
    expect(nsg.dependsOn).toEqual([
      "[resourceId('Microsoft.Network/applicationSecurityGroups', 'web')]",
      "[resourceId('Microsoft.Network/applicationSecurityGroups', 'api')]",
      "[resourceId('Microsoft.Network/applicationSecurityGroups', 'db')]",
    ]);
    const rules = (nsg.properties as { securityRules: Json[] }).securityRules;
    expect(rules[1]).toEqual({
      name: "allow-web-to-api",
      properties: {
        protocol: "Tcp",
        access: "Allow",
        priority: 200,
        direction: "Inbound",
        sourceApplicationSecurityGroups: [
          { id: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'web')]" },
        ],
        sourcePortRange: "*",
        destinationApplicationSecurityGroups: [
          { id: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'api')]" },
        ],
        destinationPortRange: "8443",
      },
    });
    const vnet = find("Microsoft.Network/virtualNetworks", "tiers-vnet");
    expect(vnet.dependsOn).toEqual([
      "[resourceId('Microsoft.Network/networkSecurityGroups', 'workload-nsg')]",
    ]);
    expect((vnet.properties as { subnets: Json[] }).subnets[0]).toEqual({
      name: "workload",
      properties: {
        addressPrefix: "10.20.1.0/24",
        networkSecurityGroup: {
          id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'workload-nsg')]",
        },
      },
    });
    const nic = find("Microsoft.Network/networkInterfaces", "db1-nic");
    expect(new Set(nic.dependsOn as string[])).toEqual(
      new Set([
        "[resourceId('Microsoft.Network/virtualNetworks', 'tiers-vnet')]",
        "[resourceId('Microsoft.Network/applicationSecurityGroups', 'db')]",
        "[resourceId('Microsoft.Network/networkSecurityGroups', 'db-nic-nsg')]",
      ]),
    );
    expect(nic.properties).toEqual({
      ipConfigurations: [
        {
          name: "ipconfig1",
          properties: {
            privateIPAllocationMethod: "Static",
            privateIPAddress: "10.20.1.30",
            subnet: {
              id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'tiers-vnet', 'workload')]",
            },
            applicationSecurityGroups: [
              { id: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'db')]" },
            ],
          },
        },
      ],
      networkSecurityGroup: {
        id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'db-nic-nsg')]",
      },
    });
    // Public addresses are not exported.
    expect(JSON.stringify(resources)).not.toContain("publicIPAddress");
    // Every dependency is declared earlier in the template.
    const seen = new Set<string>();
    for (const r of resources) {
      for (const d of (r.dependsOn as string[] | undefined) ?? []) expect(seen).toContain(d);
      const type = r.type as string;
      seen.add(`[resourceId('${type}', '${r.name as string}')]`);
    }
  });

  it("round-trips random NSGs and rules", () => {
    fc.assert(
      fc.property(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), (rules) => {
        const topology = nsgLevelTopology(rules);
        const back = importArm(exportArm(topology), "t.json");
        expect(problems(back.diagnostics)).toEqual([]);
        expect(normalNsgs(back.topology.networkSecurityGroups)).toEqual(
          normalNsgs(topology.networkSecurityGroups),
        );
        expect(normalTopology(back.topology).nics).toEqual(normalTopology(topology).nics);
      }),
      { seed: 20240501, numRuns: 100 },
    );
  });
});

describe("importArm: templates", () => {
  const template = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "prefix": { "type": "string", "defaultValue": "dev" },
    "adminSource": { "type": "string" },
    "location": { "type": "string", "defaultValue": "[resourceGroup().location]" }
  },
  "variables": {
    "nsgName": "[concat(parameters('prefix'), '-nsg')]",
    "webAsg": "[format('{0}-web', parameters('prefix'))]"
  },
  "resources": [
    {
      "type": "Microsoft.Network/applicationSecurityGroups",
      "apiVersion": "2024-05-01",
      "name": "[variables('webAsg')]",
      "location": "westeurope"
    },
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "apiVersion": "2024-05-01",
      "name": "[variables('nsgName')]",
      "location": "[parameters('location')]",
      "properties": {
        "securityRules": [
          {
            "name": "allow-admin",
            "properties": {
              "protocol": "Tcp",
              "access": "Allow",
              "priority": 100,
              "direction": "Inbound",
              "sourceAddressPrefix": "[parameters('adminSource')]",
              "sourcePortRange": "*",
              "destinationApplicationSecurityGroups": [
                { "id": "[resourceId('Microsoft.Network/applicationSecurityGroups', variables('webAsg'))]" }
              ],
              "destinationPortRange": "22"
            }
          },
          {
            "name": "allow-gateway",
            "properties": {
              "protocol": "*",
              "access": "Allow",
              "priority": 200,
              "direction": "Inbound",
              "sourceAddressPrefix": "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'gw-ip')).ipAddress]",
              "sourcePortRange": "*",
              "destinationAddressPrefix": "*",
              "destinationPortRange": "443"
            }
          }
        ]
      },
      "resources": [
        {
          "type": "securityRules",
          "apiVersion": "2024-05-01",
          "name": "deny-rest",
          "properties": {
            "protocol": "*", "access": "Deny", "priority": 4000, "direction": "Inbound",
            "sourceAddressPrefix": "*", "sourcePortRange": "*",
            "destinationAddressPrefix": "*", "destinationPortRange": "*"
          }
        }
      ]
    },
    {
      "type": "Microsoft.Network/networkSecurityGroups/securityRules",
      "apiVersion": "2024-05-01",
      "name": "[concat(variables('nsgName'), '/allow-out')]",
      "properties": {
        "protocol": "Udp", "access": "Allow", "priority": 100, "direction": "Outbound",
        "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
        "destinationAddressPrefixes": ["10.9.0.0/16", "[concat('10.8.', '0.0/16')]"],
        "destinationPortRanges": ["53", "123"]
      }
    },
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2024-05-01",
      "name": "vnet",
      "properties": {
        "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
        "subnets": [
          {
            "name": "app",
            "properties": {
              "addressPrefix": "10.0.1.0/24",
              "networkSecurityGroup": { "id": "[resourceId('Microsoft.Network/networkSecurityGroups', variables('nsgName'))]" }
            }
          }
        ]
      }
    }
  ]
}`;
  const parameters = JSON.stringify({
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
    contentVersion: "1.0.0.0",
    parameters: { prefix: { value: "prod" }, adminSource: { value: "203.0.113.7" } },
  });

  it("resolves parameters, variables, concat, format and resourceId", () => {
    const { topology, diagnostics } = importArm(template, "main.json", parameters);
    expect(topology.applicationSecurityGroups).toEqual([
      { name: "prod-web", location: "westeurope" },
    ]);
    const [nsg] = topology.networkSecurityGroups;
    expect(nsg?.name).toBe("prod-nsg");
    expect(nsg?.location).toBeUndefined();
    // The gateway's address is known only when deploying: the rule is reported and left
    // out whole, since a rule without its source would match other packets.
    expect(nsg?.securityRules.map((r) => r.name)).toEqual([
      "allow-admin",
      "deny-rest",
      "allow-out",
    ]);
    expect(nsg?.securityRules[0]).toMatchObject({
      sourceAddressPrefix: "203.0.113.7",
      destinationApplicationSecurityGroups: ["prod-web"],
    });
    expect(nsg?.securityRules[2]).toMatchObject({
      destinationAddressPrefixes: ["10.9.0.0/16", "10.8.0.0/16"],
      destinationPortRanges: ["53", "123"],
    });
    expect(topology.virtualNetworks[0]?.subnets[0]?.networkSecurityGroup).toBe("prod-nsg");

    const warnings = problems(diagnostics);
    expect(warnings).toHaveLength(1);
    const path = [
      "resources",
      1,
      "properties",
      "securityRules",
      1,
      "properties",
      "sourceAddressPrefix",
    ];
    expect(warnings[0]).toMatchObject({
      severity: "warning",
      code: "ExpressionNotStaticallyKnown",
      path,
    });
    expect(warnings[0]?.message).toContain("resources[1].properties.securityRules[1]");
    expect(warnings[0]?.message).toContain("reference(");
    expect(warnings[0]?.message).toContain(
      'the rule "allow-gateway" of network security group "prod-nsg" is left out',
    );
    const line = template.split("\n").findIndex((l) => l.includes("[reference(")) + 1;
    expect(warnings[0]?.location).toMatchObject({ file: "main.json", line });
    // The location parameter defaults to the resource group's: known only when deploying.
    expect(diagnostics.some((d) => d.severity === "info" && d.path.at(-1) === "location")).toBe(
      true,
    );
  });

  it("uses defaultValue without a parameters file, and reports a parameter with neither", () => {
    const { topology, diagnostics } = importArm(template, "main.json");
    expect(topology.networkSecurityGroups[0]?.name).toBe("dev-nsg");
    const missing = problems(diagnostics).find((d) => d.message.includes("adminSource"));
    expect(missing?.path.at(-1)).toBe("sourceAddressPrefix");
  });

  it("evaluates plain logical and text functions, and only the branch if() takes", () => {
    const text = JSON.stringify({
      parameters: { env: { type: "string", defaultValue: "Prod" } },
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "[if(equals(toLower(parameters('env')), 'prod'), 'prod-nsg', uniqueString('x'))]",
          condition: "[and(not(equals(parameters('env'), 'dev')), or(false(), true()))]",
          properties: { securityRules: [] },
        },
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "skipped",
          condition: "[equals(toUpper(parameters('env')), 'Prod')]",
        },
      ],
    });
    const { topology, diagnostics } = importArm(text, "logic.json");
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["prod-nsg"]);
    expect(problems(diagnostics)).toEqual([]);
  });

  it("reads copy loops of known count, resource and property loops, with copyIndex()", () => {
    const text = JSON.stringify({
      parameters: { ports: { type: "array", defaultValue: ["22", "3389"] }, more: { type: "int" } },
      variables: { count: 2 },
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "[concat('nsg-', copyIndex(1))]",
          copy: { name: "loop", count: "[variables('count')]" },
          properties: {
            copy: [
              {
                name: "securityRules",
                count: "[length(parameters('ports'))]",
                input: {
                  name: "[format('deny-{0}', parameters('ports')[copyIndex('securityRules')])]",
                  properties: {
                    protocol: "Tcp",
                    access: "Deny",
                    priority: "[add(100, mul(10, copyIndex('securityRules')))]",
                    direction: "Inbound",
                    sourceAddressPrefix: "[concat('10.', copyIndex(), '.0.0/16')]",
                    sourcePortRange: "*",
                    destinationAddressPrefix: "*",
                    destinationPortRange: "[parameters('ports')[copyIndex('securityRules')]]",
                  },
                },
              },
            ],
          },
        },
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "[concat('other-', copyIndex())]",
          copy: { name: "other", count: "[parameters('more')]" },
          properties: {},
        },
      ],
    });
    const { topology, diagnostics } = importArm(text, "loop.json");
    expect(
      topology.networkSecurityGroups.map((n) => [
        n.name,
        n.securityRules.map((r) => [
          r.name,
          r.priority,
          r.sourceAddressPrefix,
          r.destinationPortRange,
        ]),
      ]),
    ).toEqual([
      [
        "nsg-1",
        [
          ["deny-22", 100, "10.0.0.0/16", "22"],
          ["deny-3389", 110, "10.0.0.0/16", "3389"],
        ],
      ],
      [
        "nsg-2",
        [
          ["deny-22", 100, "10.1.0.0/16", "22"],
          ["deny-3389", 110, "10.1.0.0/16", "3389"],
        ],
      ],
    ]);
    // A count known only when deploying leaves the copies out, named where the loop is.
    expect(problems(diagnostics)).toEqual([
      expect.objectContaining({
        code: "ExpressionNotStaticallyKnown",
        path: ["resources", 1, "copy"],
        message:
          "resources[1].copy: a copy loop whose count (\"[parameters('more')]\") is known only when deploying; the copies of the network security group at resources[1] are left out",
      }),
    ]);
  });
});

describe("importArm: az CLI output", () => {
  const id = (type: string, name: string) =>
    `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app/providers/Microsoft.Network/${type}/${name}`;
  const defaultRule = (name: string, priority: number, direction: string) => ({
    access: name.startsWith("Deny") ? "Deny" : "Allow",
    description: "Default rule",
    destinationAddressPrefix: "*",
    destinationAddressPrefixes: [],
    destinationPortRange: "*",
    destinationPortRanges: [],
    direction,
    etag: 'W/"7a0d3c1e-0000-0000-0000-000000000000"',
    id: `${id("networkSecurityGroups", "app-nsg")}/defaultSecurityRules/${name}`,
    name,
    priority,
    protocol: "*",
    provisioningState: "Succeeded",
    resourceGroup: "rg-app",
    sourceAddressPrefix: "*",
    sourceAddressPrefixes: [],
    sourcePortRange: "*",
    sourcePortRanges: [],
    type: "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
  });
  const show = {
    defaultSecurityRules: [
      defaultRule("AllowVnetInBound", 65000, "Inbound"),
      defaultRule("DenyAllInBound", 65500, "Inbound"),
    ],
    etag: 'W/"7a0d3c1e-0000-0000-0000-000000000000"',
    id: id("networkSecurityGroups", "app-nsg"),
    location: "westeurope",
    name: "app-nsg",
    provisioningState: "Succeeded",
    resourceGroup: "rg-app",
    resourceGuid: "1c0b5e7e-0000-0000-0000-000000000000",
    securityRules: [
      {
        access: "Allow",
        destinationAddressPrefixes: [],
        destinationApplicationSecurityGroups: [
          { id: id("applicationSecurityGroups", "web"), resourceGroup: "rg-app" },
        ],
        destinationPortRange: "443",
        destinationPortRanges: [],
        direction: "Inbound",
        etag: 'W/"7a0d3c1e-0000-0000-0000-000000000000"',
        id: `${id("networkSecurityGroups", "app-nsg")}/securityRules/allow-https`,
        name: "allow-https",
        priority: 100,
        protocol: "Tcp",
        provisioningState: "Succeeded",
        resourceGroup: "rg-app",
        sourceAddressPrefix: "Internet",
        sourceAddressPrefixes: [],
        sourcePortRange: "*",
        sourcePortRanges: [],
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
      },
      {
        access: "Deny",
        description: "no management from outside",
        destinationAddressPrefix: "*",
        destinationAddressPrefixes: [],
        destinationPortRanges: ["22", "3389"],
        direction: "Inbound",
        etag: 'W/"7a0d3c1e-0000-0000-0000-000000000000"',
        id: `${id("networkSecurityGroups", "app-nsg")}/securityRules/deny-mgmt`,
        name: "deny-mgmt",
        priority: 200,
        protocol: "*",
        provisioningState: "Succeeded",
        resourceGroup: "rg-app",
        sourceAddressPrefixes: ["198.51.100.0/24", "2001:db8::/32"],
        sourcePortRange: "*",
        sourcePortRanges: [],
        type: "Microsoft.Network/networkSecurityGroups/securityRules",
      },
    ],
    subnets: [{ id: `${id("virtualNetworks", "vnet")}/subnets/app`, resourceGroup: "rg-app" }],
    type: "Microsoft.Network/networkSecurityGroups",
  };
  const expected: NetworkSecurityGroup = {
    name: "app-nsg",
    location: "westeurope",
    securityRules: [
      {
        name: "allow-https",
        protocol: "Tcp",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
        sourceAddressPrefix: "Internet",
        destinationApplicationSecurityGroups: [{ id: id("applicationSecurityGroups", "web") }],
        sourcePortRange: "*",
        destinationPortRange: "443",
      },
      {
        name: "deny-mgmt",
        description: "no management from outside",
        protocol: "*",
        access: "Deny",
        priority: 200,
        direction: "Inbound",
        sourceAddressPrefixes: ["198.51.100.0/24", "2001:db8::/32"],
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ["22", "3389"],
      },
    ],
  };

  it("imports `az network nsg show`, ignoring read-only fields and empty lists", () => {
    const { topology, diagnostics } = importArm(JSON.stringify(show, null, 2), "nsg.json");
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups).toEqual([expected]);
    expect(topology.environments).toEqual([]);
  });

  it("imports `az network nsg list`", () => {
    const other = { ...show, name: "other-nsg", id: id("networkSecurityGroups", "other-nsg") };
    const { topology, diagnostics } = importArm(JSON.stringify([show, other]), "nsgs.json");
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["app-nsg", "other-nsg"]);
  });
});

describe("importArm: syntax", () => {
  it("places a JSON syntax error at its line and column", () => {
    const text = '{\n  "resources": [\n    { "name": "a" }\n    { "name": "b" }\n  ]\n}\n';
    const { diagnostics } = importArm(text, "bad.json");
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: "error",
      code: "InvalidSyntax",
      location: { file: "bad.json", line: 4, column: 5 },
    });
  });

  it("places an unexpected token, which V8 may name without a position", () => {
    const text = '{\n  "a": 1,\n  "b": }\n';
    const { diagnostics } = importArm(text, "bad.json");
    expect(diagnostics[0]).toMatchObject({
      code: "InvalidSyntax",
      location: { file: "bad.json", line: 3, column: 8 },
    });
  });

  it("places a syntax error in the parameters file", () => {
    const { diagnostics } = importArm(
      '{"resources": []}',
      "main.json",
      '{\n  "parameters": {,}\n}',
    );
    expect(diagnostics[0]).toMatchObject({
      code: "InvalidSyntax",
      location: { file: "main.json (parameters)", line: 2, column: 18 },
    });
  });
});

describe("importArm: languageVersion 2.0 (what Bicep writes)", () => {
  const template = {
    languageVersion: "2.0",
    parameters: {
      prefix: { type: "string" },
      rules: { type: "array", nullable: true },
      ports: { type: "array", defaultValue: ["443", "8443"] },
    },
    resources: {
      existingVnet: {
        existing: true,
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2024-05-01",
        name: "hub",
      },
      nsg: {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: "2024-05-01",
        name: "[format('{0}-nsg', parameters('prefix'))]",
        properties: {
          copy: [
            {
              name: "securityRules",
              count: "[length(coalesce(parameters('rules'), parameters('ports')))]",
              input: {
                name: "[format('allow-{0}', parameters('ports')[copyIndex('securityRules')])]",
                properties: {
                  protocol: "Tcp",
                  access: "Allow",
                  priority: "[add(100, copyIndex('securityRules'))]",
                  direction: "Inbound",
                  sourceAddressPrefix: "[reference('vnet').subnets[1].properties.addressPrefix]",
                  sourcePortRange: "*",
                  destinationAddressPrefix: "*",
                  destinationPortRange: "[parameters('ports')[copyIndex('securityRules')]]",
                },
              },
            },
          ],
        },
      },
      vnet: {
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2024-05-01",
        name: "[format('{0}-vnet', parameters('prefix'))]",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            {
              name: "web",
              properties: {
                addressPrefix: "10.0.1.0/24",
                networkSecurityGroup: {
                  id: "[resourceId('Microsoft.Network/networkSecurityGroups', format('{0}-nsg', parameters('prefix')))]",
                },
              },
            },
            { name: "gateway", properties: { addressPrefix: "10.0.2.0/24" } },
          ],
        },
        dependsOn: ["nsg"],
      },
    },
  };

  it("reads resources by symbolic name, copy loops, reference() by symbol and names under placeholders", () => {
    const text = JSON.stringify(template, null, 2);
    const { topology, diagnostics } = importArm(text, "main.json");
    expect(problems(diagnostics).map((d) => [d.code, d.path.join(".")])).toEqual([
      ["NamePlaceholder", "resources.nsg.name"],
    ]);
    expect(diagnostics[0]?.message).toBe(
      "resources.nsg.name: parameter prefix has no value and no defaultValue; it stands as <prefix> in the names it is part of, here and wherever the same value is used",
    );
    expect(diagnostics[0]?.location).toMatchObject({
      file: "main.json",
      line: text.split("\n").findIndex((l) => l.includes(`"name": "[format('{0}-nsg'`)) + 1,
    });
    expect(
      topology.networkSecurityGroups.map((n) => [
        n.name,
        n.securityRules.map((r) => [r.name, r.priority, r.sourceAddressPrefix]),
      ]),
    ).toEqual([
      [
        "<prefix>-nsg",
        [
          ["allow-443", 100, "10.0.2.0/24"],
          ["allow-8443", 101, "10.0.2.0/24"],
        ],
      ],
    ]);
    // The same unknown value gives the same placeholder: the subnet's NSG is the one declared.
    expect(topology.virtualNetworks.map((v) => [v.name, v.subnets])).toEqual([
      [
        "<prefix>-vnet",
        [
          { name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "<prefix>-nsg" },
          { name: "gateway", addressPrefix: "10.0.2.0/24" },
        ],
      ],
    ]);
    // An existing resource is another deployment's: nothing of it is imported.
    expect(topology.virtualNetworks.some((v) => v.name === "hub")).toBe(false);
  });

  it("writes a spec the loader accepts, placeholders and all", () => {
    const { topology } = importArm(JSON.stringify(template), "main.json");
    const loaded = loadSpecText(writeSpec(topology));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
