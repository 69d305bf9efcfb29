/**
 * Route tables and peering flags as azurerm writes them: inline route blocks,
 * route resources, subnet associations, both spellings of gateway route
 * propagation, a state that lists a route twice, and the SQL Managed Instance
 * module (from the shared folder) with its 190 routes.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import { fixtureSources } from "../../../test/support/fixtures.js";
import { networkOf } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { importSources } from "../catalog.js";
import { exportTerraform } from "./export.js";
import { importTerraform } from "./import.js";

const NETWORK = `
resource "azurerm_virtual_network" "hub" {
  name                = "hub"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "nva" {
  name                 = "nva"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/24"]
}
resource "azurerm_virtual_network" "spoke" {
  name                = "spoke"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.1.0.0/16"]
}
resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = ["10.1.1.0/24"]
}
resource "azurerm_virtual_network_peering" "spoke_to_hub" {
  name                      = "spoke-to-hub"
  resource_group_name       = "rg"
  virtual_network_name      = azurerm_virtual_network.spoke.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
  allow_forwarded_traffic   = true
  use_remote_gateways       = false
}
resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  name                         = "hub-to-spoke"
  resource_group_name          = "rg"
  virtual_network_name         = azurerm_virtual_network.hub.name
  remote_virtual_network_id    = azurerm_virtual_network.spoke.id
  allow_virtual_network_access = false
  allow_gateway_transit        = true
}
`;

const ROUTES = `
resource "azurerm_route_table" "rt" {
  name                          = "rt-app"
  location                      = "westeurope"
  resource_group_name           = "rg"
  disable_bgp_route_propagation = true

  route {
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = "10.0.1.4"
  }
}
resource "azurerm_route" "drop" {
  name                = "drop"
  resource_group_name = "rg"
  route_table_name    = azurerm_route_table.rt.name
  address_prefix      = "10.9.0.0/16"
  next_hop_type       = "none"
}
resource "azurerm_subnet_route_table_association" "app" {
  subnet_id      = azurerm_subnet.app.id
  route_table_id = azurerm_route_table.rt.id
}
`;

describe("Terraform route tables", () => {
  it("reads inline routes, route resources, the subnet association and the peering flags", async () => {
    const { topology, diagnostics } = await importTerraform([tf(NETWORK + ROUTES)]);
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(topology.routeTables).toEqual([
      {
        name: "rt-app",
        location: "westeurope",
        disableBgpRoutePropagation: true,
        routes: [
          {
            name: "default",
            addressPrefix: "0.0.0.0/0",
            nextHopType: "VirtualAppliance",
            nextHopIpAddress: "10.0.1.4",
          },
          // Next hop types compare without case; the model writes Azure's spelling.
          { name: "drop", addressPrefix: "10.9.0.0/16", nextHopType: "None" },
        ],
      },
    ]);
    const spoke = topology.virtualNetworks.find((v) => v.name === "spoke");
    expect(spoke?.subnets[0]?.routeTable).toBe("rt-app");
    expect(spoke?.virtualNetworkPeerings).toEqual([
      { name: "spoke-to-hub", remoteVirtualNetwork: "hub", allowForwardedTraffic: true },
    ]);
    expect(topology.virtualNetworks.find((v) => v.name === "hub")?.virtualNetworkPeerings).toEqual([
      {
        name: "hub-to-spoke",
        remoteVirtualNetwork: "spoke",
        allowVirtualNetworkAccess: false,
        allowGatewayTransit: true,
      },
    ]);
    expect(diagnostics.map((d) => d.code)).not.toContain("NotModelled");
  });

  it("the imported spec routes the spoke's traffic through the hub's appliance", async () => {
    const result = await importSources([{ file: "main.tf", text: NETWORK + ROUTES }]);
    const evaluator = new FlowEvaluator(networkOf(result.spec ?? ""));
    const r = evaluator.evaluate({
      from: "subnet:spoke/app",
      to: "203.0.113.5",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.nextHop).toMatchObject({ name: "default", nextHopType: "VirtualAppliance" });
    const dropped = evaluator.evaluate({
      from: "subnet:spoke/app",
      to: "10.9.0.1",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!dropped.ok) throw new Error(dropped.message);
    expect(dropped.result.route).toBe("none");
    expect(dropped.result.nextHop?.name).toBe("drop");
  });

  it("reads azurerm 4's bgp_route_propagation_enabled, and names a route whose table is not declared", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(`
resource "azurerm_route_table" "rt" {
  name                          = "rt"
  location                      = "westeurope"
  resource_group_name           = "rg"
  bgp_route_propagation_enabled = false
}
resource "azurerm_route" "elsewhere" {
  name                = "r"
  resource_group_name = "rg"
  route_table_name    = "other"
  address_prefix      = "10.9.0.0/16"
  next_hop_type       = "None"
}
`),
    ]);
    expect(topology.routeTables).toEqual([
      { name: "rt", location: "westeurope", disableBgpRoutePropagation: true, routes: [] },
    ]);
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.location?.line}`)).toEqual([
      "warning ParentNotDeclared 11",
    ]);
  });

  it("reads a subnet's own route_table_id (azurerm 1.x's subnet, azurerm 4's inline subnet block)", async () => {
    const { topology, diagnostics } = await importTerraform([
      tf(`
resource "azurerm_route_table" "rt" {
  name                = "rt"
  location            = "westeurope"
  resource_group_name = "rg"
}
resource "azurerm_virtual_network" "v" {
  name                = "v"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
  subnet {
    name             = "inline"
    address_prefixes = ["10.0.1.0/24"]
    route_table_id   = azurerm_route_table.rt.id
  }
}
resource "azurerm_subnet" "old" {
  name                 = "old"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefix       = "10.0.2.0/24"
  route_table_id       = azurerm_route_table.rt.id
}
`),
    ]);
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(topology.virtualNetworks[0]?.subnets.map((s) => [s.name, s.routeTable])).toEqual([
      ["inline", "rt"],
      ["old", "rt"],
    ]);
  });

  it("reads a state's route once, though it lists it in its table and as a resource", async () => {
    const route = {
      name: "drop",
      address_prefix: "10.9.0.0/16",
      next_hop_type: "None",
      next_hop_in_ip_address: "",
    };
    const state = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_route_table.rt",
              mode: "managed",
              type: "azurerm_route_table",
              name: "rt",
              values: {
                id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt",
                name: "rt",
                location: "westeurope",
                bgp_route_propagation_enabled: true,
                route: [route],
              },
            },
            {
              address: "azurerm_route.drop",
              mode: "managed",
              type: "azurerm_route",
              name: "drop",
              values: { ...route, route_table_name: "rt", resource_group_name: "rg" },
            },
          ],
        },
      },
    };
    const { topology, diagnostics } = await importTerraform([
      { file: "state.json", text: JSON.stringify(state) },
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.routeTables).toEqual([
      {
        name: "rt",
        location: "westeurope",
        disableBgpRoutePropagation: false,
        routes: [{ name: "drop", addressPrefix: "10.9.0.0/16", nextHopType: "None" }],
      },
    ]);
  });
});

const real = sharedFile("fixtures/real");

describe("the SQL Managed Instance module's route table", () => {
  it.skipIf(real.missing !== undefined)(
    titled("imports its 190 routes on the instance's subnet", real.missing),
    async () => {
      const name = readdirSync(real.path).find((n) => n.startsWith("34-")) as string;
      const result = await importSources(fixtureSources(real.path, name));
      const table = result.topology.routeTables?.[0];
      expect(table?.name).toBe("<var.prefix>-mi-rt");
      expect(table?.routes.length).toBe(190);
      expect(table?.disableBgpRoutePropagation).toBe(false);
      expect(table?.routes[0]).toEqual({
        name: "subnet-to-vnetlocal",
        addressPrefix: "10.0.0.0/24",
        nextHopType: "VnetLocal",
      });
      expect(result.topology.virtualNetworks[0]?.subnets[0]?.routeTable).toBe("<var.prefix>-mi-rt");
      // Its two routes to Microsoft's own tags (CorpNetSaw, CorpNetPublic) are named and left out by check.
      const network = networkOf(result.spec ?? "");
      expect(network.routeTables.get("<var.prefix>-mi-rt")?.routes.length).toBe(188);
    },
  );
});

describe("Terraform export of peering flags", () => {
  it("writes those set away from their defaults, which import reads back", async () => {
    const { topology } = await importTerraform([tf(NETWORK)]);
    const text = exportTerraform(topology);
    expect(text).toMatch(/allow_forwarded_traffic\s+= true/);
    expect(text).toMatch(/allow_gateway_transit\s+= true/);
    expect(text).toMatch(/allow_virtual_network_access\s+= false/);
    const again = await importTerraform([tf(text)]);
    expect(again.topology.virtualNetworks.map((v) => v.virtualNetworkPeerings)).toEqual(
      topology.virtualNetworks.map((v) =>
        v.virtualNetworkPeerings?.map(({ name: _, ...p }) => expect.objectContaining(p)),
      ),
    );
  });
});
