/**
 * Application gateways as azurerm writes them (the provider's own example's
 * shape: children named by locals, linked by name); the imported spec loads
 * and flow follows the gateway to its backends. A path-based rule is named.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { writeSpec } from "../../specfile/write.js";
import { importTerraform } from "./import.js";

const MAIN = `
locals {
  frontend_port_name             = "http-port"
  frontend_ip_configuration_name = "public"
  backend_address_pool_name      = "web"
  http_setting_name              = "web-8080"
  listener_name                  = "http"
}
resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "gateway" {
  name                 = "gateway"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.0.0/24"]
}
resource "azurerm_public_ip" "gw" {
  name                = "gw-pip"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_application_gateway" "network" {
  name                = "web-gw"
  resource_group_name = "rg"
  location            = "westeurope"
  sku {
    name     = "Standard_v2"
    tier     = "Standard_v2"
    capacity = 2
  }
  gateway_ip_configuration {
    name      = "gateway-ip"
    subnet_id = azurerm_subnet.gateway.id
  }
  frontend_port {
    name = local.frontend_port_name
    port = 80
  }
  frontend_ip_configuration {
    name                 = local.frontend_ip_configuration_name
    public_ip_address_id = azurerm_public_ip.gw.id
  }
  backend_address_pool {
    name         = local.backend_address_pool_name
    ip_addresses = ["10.0.1.4"]
    fqdns        = ["app.example.com"]
  }
  backend_http_settings {
    name                  = local.http_setting_name
    cookie_based_affinity = "Disabled"
    port                  = 8080
    protocol              = "Http"
    request_timeout       = 60
  }
  http_listener {
    name                           = local.listener_name
    frontend_ip_configuration_name = local.frontend_ip_configuration_name
    frontend_port_name             = local.frontend_port_name
    protocol                       = "Http"
  }
  request_routing_rule {
    name                       = "web"
    priority                   = 9
    rule_type                  = "Basic"
    http_listener_name         = local.listener_name
    backend_address_pool_name  = local.backend_address_pool_name
    backend_http_settings_name = local.http_setting_name
  }
  request_routing_rule {
    name               = "paths"
    rule_type          = "PathBasedRouting"
    http_listener_name = local.listener_name
    url_path_map_name  = "paths"
  }
}
`;

describe("application gateways from azurerm", () => {
  it("import with their subnet, frontend, listener, pool, settings and rule; a path-based rule is named", async () => {
    const { topology, diagnostics } = await importTerraform([tf(MAIN)]);
    expect(topology.applicationGateways).toEqual([
      {
        name: "web-gw",
        location: "westeurope",
        sku: { name: "Standard_v2", tier: "Standard_v2", capacity: 2 },
        gatewayIPConfigurations: [{ name: "gateway-ip", subnet: "vnet/gateway" }],
        frontendIPConfigurations: [{ name: "public", publicIPAddress: "gw-pip" }],
        frontendPorts: [{ name: "http-port", port: 80 }],
        httpListeners: [
          {
            name: "http",
            frontendIPConfiguration: "public",
            frontendPort: "http-port",
            protocol: "Http",
          },
        ],
        backendAddressPools: [
          {
            name: "web",
            backendAddresses: [{ ipAddress: "10.0.1.4" }, { fqdn: "app.example.com" }],
          },
        ],
        backendHttpSettingsCollection: [{ name: "web-8080", port: 8080, protocol: "Http" }],
        requestRoutingRules: [
          {
            name: "web",
            ruleType: "Basic",
            priority: 9,
            httpListener: "http",
            backendAddressPool: "web",
            backendHttpSettings: "web-8080",
          },
        ],
      },
    ]);
    expect(
      diagnostics.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.location?.line}`),
    ).toEqual(["NotModelled 79"]);
    // The spec written loads, and the gateway takes port 80 to its backend's 8080.
    const network = networkOf(writeSpec(topology));
    const r = new FlowEvaluator(network).evaluate({
      from: "Internet",
      to: "agw:web-gw",
      protocol: "Tcp",
      destinationPort: 80,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.applicationGateway?.settings?.port).toBe(8080);
    // No NSG on a v2 gateway's subnet: its Standard public IP lets nothing in.
    expect(r.result.access).toBe("Deny");
  });

  it("keeps a public IP no file declares, of the gateway's generation's SKU", async () => {
    const text = MAIN.replace(
      "public_ip_address_id = azurerm_public_ip.gw.id",
      'public_ip_address_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/elsewhere"',
    );
    const { topology } = await importTerraform([tf(text)]);
    const pip = topology.publicIPAddresses?.find((p) => p.name === "elsewhere");
    expect(pip?.sku).toBe("Standard");
  });
});
