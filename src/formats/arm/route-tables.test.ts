/**
 * Route tables and peering flags as ARM templates and az output write them,
 * and the userdefined-routes-appliance quickstart (from the shared folder)
 * routed through its appliance.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { exportTopology, importSources } from "../catalog.js";
import { planDeployment } from "./deployment.js";
import { importArm } from "./import.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.code} ${d.path.join(".")}`);

const rt = (name: string, resource: string) =>
  `[resourceId('Microsoft.Network/${resource}', '${name}')]`;

const TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: { hop: { type: "string" } },
  resources: [
    {
      type: "Microsoft.Network/routeTables",
      apiVersion: "2024-05-01",
      name: "rt-web",
      location: "westeurope",
      properties: {
        disableBgpRoutePropagation: true,
        routes: [
          {
            name: "to-db",
            properties: {
              addressPrefix: "10.0.2.0/24",
              nextHopType: "VirtualAppliance",
              nextHopIpAddress: "10.0.3.4",
            },
          },
          {
            name: "later",
            properties: { addressPrefix: "10.9.0.0/16", nextHopType: "[parameters('hop')]" },
          },
        ],
      },
    },
    {
      type: "Microsoft.Network/routeTables/routes",
      apiVersion: "2024-05-01",
      name: "rt-web/blackhole",
      properties: { addressPrefix: "10.0.4.0/24", nextHopType: "none" },
    },
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2024-05-01",
      name: "vnet",
      location: "westeurope",
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          {
            name: "web",
            properties: {
              addressPrefix: "10.0.1.0/24",
              routeTable: { id: rt("rt-web", "routeTables") },
            },
          },
          { name: "db", properties: { addressPrefix: "10.0.2.0/24" } },
          { name: "nva", properties: { addressPrefix: "10.0.3.0/24" } },
        ],
        virtualNetworkPeerings: [
          {
            name: "to-hub",
            properties: {
              remoteVirtualNetwork: { id: rt("hub", "virtualNetworks") },
              allowForwardedTraffic: true,
              useRemoteGateways: false,
              allowGatewayTransit: "[equals(parameters('hop'), 'x')]",
            },
          },
        ],
      },
    },
  ],
};

describe("ARM route tables", () => {
  it("reads routes inline and as child resources, the subnet's table and the peering's flags", () => {
    const { topology, diagnostics } = importArm(JSON.stringify(TEMPLATE), "azuredeploy.json");
    expect(topology.routeTables).toEqual([
      {
        name: "rt-web",
        location: "westeurope",
        disableBgpRoutePropagation: true,
        routes: [
          {
            name: "to-db",
            addressPrefix: "10.0.2.0/24",
            nextHopType: "VirtualAppliance",
            nextHopIpAddress: "10.0.3.4",
          },
          // Next hop types compare without case; the model writes Azure's spelling.
          { name: "blackhole", addressPrefix: "10.0.4.0/24", nextHopType: "None" },
        ],
      },
    ]);
    expect(topology.virtualNetworks[0]?.subnets[0]?.routeTable).toBe("rt-web");
    expect(topology.virtualNetworks[0]?.virtualNetworkPeerings).toEqual([
      { name: "to-hub", remoteVirtualNetwork: "hub", allowForwardedTraffic: true },
    ]);
    // A route whose next hop is known only when deploying is left out and named;
    // a gateway flag not known is read as false, and named.
    expect(named(diagnostics)).toEqual([
      "warning ExpressionNotStaticallyKnown resources.0.properties.routes.1.properties.nextHopType",
      "warning ExpressionNotStaticallyKnown resources.2.properties.virtualNetworkPeerings.0.properties.allowGatewayTransit",
    ]);
    expect(diagnostics.map((d) => d.code)).not.toContain("NotModelled");
  });

  it("a route left out widens: the import fails without --allow-partial", async () => {
    const [table, child, vnet] = TEMPLATE.resources;
    const unpeered = { ...vnet, properties: { ...vnet?.properties, virtualNetworkPeerings: [] } };
    const text = JSON.stringify({ ...TEMPLATE, resources: [table, child, unpeered] });
    const result = await importSources([{ file: "azuredeploy.json", text }]);
    expect(result.spec).toBeUndefined();
    const partial = await importSources([{ file: "azuredeploy.json", text }], {
      allowPartial: true,
    });
    expect(partial.partial?.map((p) => p.what)).toEqual(['a route of route table "rt-web"']);
  });

  it("reads az network route-table and vnet output, where properties are lifted", () => {
    const show = {
      disableBgpRoutePropagation: false,
      id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt-web",
      location: "westeurope",
      name: "rt-web",
      provisioningState: "Succeeded",
      resourceGroup: "g",
      routes: [
        {
          addressPrefix: "0.0.0.0/0",
          id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/routeTables/rt-web/routes/default",
          name: "default",
          nextHopIpAddress: "10.0.3.4",
          nextHopType: "VirtualAppliance",
          provisioningState: "Succeeded",
          type: "Microsoft.Network/routeTables/routes",
        },
        {
          addressPrefix: "Storage",
          hasBgpOverride: false,
          name: "storage",
          nextHopIpAddress: null,
          nextHopType: "Internet",
          type: "Microsoft.Network/routeTables/routes",
        },
      ],
      subnets: [
        {
          id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/vnet/subnets/web",
          resourceGroup: "g",
        },
      ],
      type: "Microsoft.Network/routeTables",
    };
    const vnet = {
      name: "vnet",
      type: "Microsoft.Network/virtualNetworks",
      location: "westeurope",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "web",
          addressPrefix: "10.0.1.0/24",
          routeTable: { id: show.id, resourceGroup: "g" },
          type: "Microsoft.Network/virtualNetworks/subnets",
        },
        { name: "nva", addressPrefix: "10.0.3.0/24" },
      ],
    };
    const { topology, diagnostics } = importArm(JSON.stringify([show, vnet]), "az.json");
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(topology.routeTables?.[0]?.routes).toEqual([
      {
        name: "default",
        addressPrefix: "0.0.0.0/0",
        nextHopType: "VirtualAppliance",
        nextHopIpAddress: "10.0.3.4",
      },
      { name: "storage", addressPrefix: "Storage", nextHopType: "Internet" },
    ]);
    expect(topology.virtualNetworks[0]?.subnets[0]?.routeTable).toEqual({ id: show.id });
  });
});

const APPLIANCE = sharedFile(
  "fixtures/real/08-azure-quickstart-templates--quickstarts--microsoft.network--userdefined-routes-appliance--azuredeploy.json",
);

describe("the userdefined-routes-appliance quickstart, routed", () => {
  it.skipIf(APPLIANCE.missing !== undefined)(
    titled(
      "sends the front end's traffic to the back end through its appliance, and says so",
      APPLIANCE.missing,
    ),
    async () => {
      const text = readFileSync(APPLIANCE.path, "utf8");
      const result = await importSources([{ file: "azuredeploy.json", text }]);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.topology.routeTables?.map((t) => t.name)).toEqual(["BasicNVA"]);
      const evaluator = new FlowEvaluator(networkOf(result.spec ?? ""));
      const flow = (from: string, to: string) => {
        const r = evaluator.evaluate({ from, to, protocol: "Tcp", destinationPort: 3389 });
        if (!r.ok) throw new Error(r.message);
        return r.result;
      };
      const through = flow("nic:Nic0", "nic:Nic2");
      expect(through.access).toBe("Allow");
      expect(through.nextHop).toMatchObject({
        name: "VirtualApplianceRouteToSubnet3",
        routeTable: "BasicNVA",
        nextHopType: "VirtualAppliance",
      });
      expect(through.routeReason).toMatch(
        /^leaves through the appliance at 10\.1\.1\.4 \(network interface Nic1\), by route VirtualApplianceRouteToSubnet3 of route table BasicNVA/,
      );
      // The route table is on the front end's subnet only: the way back is direct.
      const back = flow("nic:Nic2", "nic:Nic0");
      expect(back.nextHop).toMatchObject({ source: "Default", nextHopType: "VnetLocal" });
      expect(back.routeReason).toBe("on private addresses, inside connected networks");
      // The front end reaches the appliance's own subnet directly.
      expect(flow("nic:Nic0", "nic:Nic1").nextHop?.nextHopType).toBe("VnetLocal");
    },
  );
});

describe("ARM export of routing", () => {
  const topology = {
    virtualNetworks: [
      {
        name: "hub",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "nva", addressPrefix: "10.0.1.0/24", routeTable: "rt" }],
        virtualNetworkPeerings: [
          { remoteVirtualNetwork: "spoke", allowGatewayTransit: true, allowForwardedTraffic: true },
        ],
      },
      {
        name: "spoke",
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [],
        virtualNetworkPeerings: [{ remoteVirtualNetwork: "hub", useRemoteGateways: true }],
      },
    ],
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [],
    routeTables: [{ name: "rt", routes: [] }],
  };

  it("writes a peering's flags, and names the route tables it does not write", async () => {
    const peerings = planDeployment(topology)
      .filter((r) => r.type.endsWith("virtualNetworkPeerings"))
      .map((r) => r.properties);
    expect(peerings).toEqual([
      expect.objectContaining({ allowForwardedTraffic: true, allowGatewayTransit: true }),
      expect.objectContaining({ useRemoteGateways: true }),
    ]);
    expect(peerings[1]).not.toHaveProperty("allowForwardedTraffic");
    const exported = await exportTopology("arm", topology);
    expect(exported.diagnostics.map((d) => [d.code, d.path.join(".")])).toContainEqual([
      "NotExported",
      "routeTables",
    ]);
  });
});

describe("a route table no imported file declares", () => {
  it("is dropped from its subnet and named at the reference; the import fails without --allow-partial", async () => {
    const vnet = TEMPLATE.resources[2] as { properties: { subnets: unknown[] } };
    const text = JSON.stringify({
      resources: [
        {
          ...vnet,
          properties: {
            ...vnet.properties,
            subnets: vnet.properties.subnets.slice(0, 1),
            virtualNetworkPeerings: [],
          },
        },
      ],
    });
    const result = await importSources([{ file: "azuredeploy.json", text }]);
    expect(result.spec).toBeUndefined();
    const warned = result.diagnostics.find((d) => d.code === "RouteTableNotDeclared");
    expect(warned?.message).toBe(
      "subnet vnet/web: route table rt-web is declared by no imported file, so its routes are not known; the subnet is imported with Azure's system routes only",
    );
    expect(warned?.location?.line).toBe(1);
    const partial = await importSources([{ file: "azuredeploy.json", text }], {
      allowPartial: true,
    });
    expect(partial.partial?.map((p) => p.what)).toEqual([
      "the routes of route table rt-web on subnet vnet/web",
    ]);
    expect(partial.topology.virtualNetworks[0]?.subnets[0]?.routeTable).toBeUndefined();
    expect(partial.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
