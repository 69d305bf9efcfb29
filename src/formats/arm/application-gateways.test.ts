/**
 * Application gateways as ARM templates and `az network application-gateway
 * show` write them (children's properties nested or lifted, property names in
 * any case), interfaces that join their pools, and what is not modelled
 * (path-based rules) or not declared (a pool of a gateway no file holds).
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.code}`);

const template = (resources: unknown[]) =>
  JSON.stringify({
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { gwName: { type: "string", defaultValue: "web-gw" } },
    resources,
  });

const child = (type: string, name: string) =>
  `[resourceId('Microsoft.Network/applicationGateways/${type}', parameters('gwName'), '${name}')]`;

const NETWORK = [
  {
    type: "Microsoft.Network/virtualNetworks",
    apiVersion: "2024-05-01",
    name: "vnet",
    properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "gateway",
          properties: {
            addressPrefix: "10.0.0.0/24",
            networkSecurityGroup: {
              id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'gw-nsg')]",
            },
          },
        },
        { name: "web", properties: { addressPrefix: "10.0.1.0/24" } },
      ],
    },
  },
  {
    type: "Microsoft.Network/networkSecurityGroups",
    apiVersion: "2024-05-01",
    name: "gw-nsg",
    properties: {
      securityRules: [
        {
          name: "https",
          properties: {
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "Internet",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "443",
          },
        },
      ],
    },
  },
  {
    type: "Microsoft.Network/publicIPAddresses",
    apiVersion: "2024-05-01",
    name: "gw-pip",
    sku: { name: "Standard" },
    properties: { publicIPAllocationMethod: "Static" },
  },
  {
    type: "Microsoft.Network/networkInterfaces",
    apiVersion: "2024-05-01",
    name: "web1",
    properties: {
      ipConfigurations: [
        {
          name: "ipconfig1",
          properties: {
            privateIPAllocationMethod: "Static",
            privateIPAddress: "10.0.1.4",
            subnet: {
              id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'web')]",
            },
            applicationGatewayBackendAddressPools: [{ id: child("backendAddressPools", "web") }],
          },
        },
      ],
    },
  },
];

const GATEWAY = {
  type: "Microsoft.Network/applicationGateways",
  apiVersion: "2024-05-01",
  name: "[parameters('gwName')]",
  location: "westeurope",
  properties: {
    sku: { name: "WAF_v2", tier: "WAF_v2", capacity: 2 },
    gatewayIPConfigurations: [
      {
        name: "ip",
        properties: {
          subnet: {
            id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'gateway')]",
          },
        },
      },
    ],
    frontendIPConfigurations: [
      {
        name: "public",
        properties: {
          publicIPAddress: { id: "[resourceId('Microsoft.Network/publicIPAddresses', 'gw-pip')]" },
        },
      },
    ],
    // A quickstart's spelling: capitalised property names and `Id`.
    frontendPorts: [{ name: "p443", properties: { Port: 443 } }],
    backendAddressPools: [
      {
        name: "web",
        properties: { BackendAddresses: [{ IpAddress: "10.0.1.9" }, { fqdn: "app.example.com" }] },
      },
    ],
    backendHttpSettingsCollection: [
      { name: "s8080", properties: { Port: 8080, Protocol: "Http" } },
    ],
    httpListeners: [
      {
        name: "https",
        properties: {
          FrontendIPConfiguration: { Id: child("frontendIPConfigurations", "public") },
          FrontendPort: { Id: child("frontendPorts", "p443") },
          Protocol: "Https",
        },
      },
    ],
    requestRoutingRules: [
      {
        Name: "web",
        properties: {
          RuleType: "Basic",
          priority: 100,
          httpListener: { id: child("httpListeners", "https") },
          backendAddressPool: { id: child("backendAddressPools", "web") },
          backendHttpSettings: { id: child("backendHttpSettingsCollection", "s8080") },
        },
      },
    ],
  },
};

async function imported(text: string) {
  const result = await importSources([{ file: "azuredeploy.json", text }]);
  const loaded = result.spec === undefined ? undefined : loadSpecText(result.spec);
  return { result, loaded };
}

describe("application gateways in an ARM template", () => {
  it("import with their subnet, frontends, listeners, pools, settings and rules, and the interfaces that join a pool", async () => {
    const { result, loaded } = await imported(template([...NETWORK, GATEWAY]));
    expect(named(result.diagnostics)).toEqual([]);
    const gw = result.topology.applicationGateways?.[0];
    expect(gw).toEqual({
      name: "web-gw",
      location: "westeurope",
      sku: { name: "WAF_v2", tier: "WAF_v2", capacity: 2 },
      gatewayIPConfigurations: [{ name: "ip", subnet: "vnet/gateway" }],
      frontendIPConfigurations: [{ name: "public", publicIPAddress: "gw-pip" }],
      frontendPorts: [{ name: "p443", port: 443 }],
      httpListeners: [
        {
          name: "https",
          frontendIPConfiguration: "public",
          frontendPort: "p443",
          protocol: "Https",
        },
      ],
      backendAddressPools: [
        { name: "web", backendAddresses: [{ ipAddress: "10.0.1.9" }, { fqdn: "app.example.com" }] },
      ],
      backendHttpSettingsCollection: [{ name: "s8080", port: 8080, protocol: "Http" }],
      requestRoutingRules: [
        {
          name: "web",
          ruleType: "Basic",
          priority: 100,
          httpListener: "https",
          backendAddressPool: "web",
          backendHttpSettings: "s8080",
        },
      ],
    });
    expect(
      result.topology.networkInterfaces[0]?.ipConfigurations[0]
        ?.applicationGatewayBackendAddressPools,
    ).toEqual(["web-gw/web"]);
    // What is written, check accepts, and flow follows the gateway to the interface.
    expect(loaded?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const network = loaded?.spec?.network;
    if (!network) throw new Error("no network");
    const r = new FlowEvaluator(network).evaluate({
      from: "Internet",
      to: "agw:web-gw",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.access).toBe("Allow");
    expect(r.result.applicationGateway?.backends.map((b) => b.connectsTo)).toEqual([
      "10.0.1.4:8080",
      "10.0.1.9:8080",
      "app.example.com:8080",
    ]);
  });

  it("import as az network application-gateway show prints them: properties lifted, ids in full", async () => {
    const sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network";
    const gwId = `${sub}/applicationGateways/out-gw`;
    const output = [
      {
        type: "Microsoft.Network/applicationGateways",
        name: "out-gw",
        id: gwId,
        sku: { name: "Standard_v2", tier: "Standard_v2", capacity: 1 },
        gatewayIPConfigurations: [
          { name: "ip", subnet: { id: `${sub}/virtualNetworks/vnet/subnets/gateway` } },
        ],
        frontendIPConfigurations: [
          {
            name: "private",
            privateIPAddress: "10.0.0.10",
            privateIPAllocationMethod: "Static",
            subnet: { id: `${sub}/virtualNetworks/vnet/subnets/gateway` },
          },
        ],
        frontendPorts: [{ name: "p80", port: 80 }],
        httpListeners: [
          {
            name: "http",
            frontendIPConfiguration: { id: `${gwId}/frontendIPConfigurations/private` },
            frontendPort: { id: `${gwId}/frontendPorts/p80` },
            protocol: "Http",
          },
        ],
        backendAddressPools: [{ name: "pool", backendAddresses: [{ ipAddress: "10.0.1.9" }] }],
        backendHttpSettingsCollection: [{ name: "s80", port: 80, protocol: "Http" }],
        requestRoutingRules: [
          {
            name: "r",
            ruleType: "PathBasedRouting",
            httpListener: { id: `${gwId}/httpListeners/http` },
            urlPathMap: { id: `${gwId}/urlPathMaps/paths` },
          },
        ],
      },
    ];
    const { result } = await imported(JSON.stringify(output));
    const gw = result.topology.applicationGateways?.[0];
    expect(gw?.sku.tier).toBe("Standard_v2");
    expect(gw?.frontendIPConfigurations).toEqual([
      {
        name: "private",
        subnet: { id: `${sub}/virtualNetworks/vnet/subnets/gateway` },
        privateIPAddress: "10.0.0.10",
      },
    ]);
    expect(gw?.httpListeners?.[0]?.frontendPort).toEqual({ id: `${gwId}/frontendPorts/p80` });
    // A path-based rule is named and left out.
    expect(gw?.requestRoutingRules).toBeUndefined();
    expect(result.diagnostics.find((d) => d.code === "NotModelled")?.message).toContain(
      "routes by URL path",
    );
  });

  it("name a tier that is not known, and read it as v2", async () => {
    const unknown = {
      ...GATEWAY,
      properties: {
        ...GATEWAY.properties,
        sku: { name: "[parameters('gwName')]", tier: "[parameters('gwName')]" },
      },
    };
    const { result } = await imported(template([...NETWORK, unknown]));
    expect(named(result.diagnostics)).toContain("warning ApplicationGatewaySkuNotKnown");
    expect(result.topology.applicationGateways?.[0]?.sku.tier).toBe("Standard_v2");
  });

  it("drop, named, an interface's pool of a gateway no file declares", async () => {
    const { result, loaded } = await imported(template(NETWORK));
    expect(named(result.diagnostics)).toEqual(["warning ApplicationGatewayNotDeclared"]);
    expect(
      result.topology.networkInterfaces[0]?.ipConfigurations[0]
        ?.applicationGatewayBackendAddressPools,
    ).toBeUndefined();
    expect(loaded?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
