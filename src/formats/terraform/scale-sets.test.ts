/**
 * Scale sets as azurerm writes them: azurerm_linux_virtual_machine_scale_set's
 * network_interface blocks with an NSG, a backend pool and an azurerm_lb_nat_pool,
 * azurerm_orchestrated_virtual_machine_scale_set's per-instance public address,
 * and azurerm 1.x's azurerm_virtual_machine_scale_set network_profile; imported,
 * then asked for flows through the NAT pool.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { hasErrors } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const MAIN =
  'resource "azurerm_resource_group" "rg" {\n  name     = "rg"\n  location = "westeurope"\n}\nresource "azurerm_virtual_network" "vnet" {\n  name                = "vnet"\n  address_space       = ["10.80.0.0/16"]\n  location            = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource "azurerm_subnet" "web" {\n  name                 = "web"\n  resource_group_name  = azurerm_resource_group.rg.name\n  virtual_network_name = azurerm_virtual_network.vnet.name\n  address_prefixes     = ["10.80.1.0/24"]\n}\nresource "azurerm_network_security_group" "web" {\n  name                = "web-nsg"\n  location            = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  security_rule {\n    name                       = "ssh"\n    priority                   = 100\n    direction                  = "Inbound"\n    access                     = "Allow"\n    protocol                   = "Tcp"\n    source_port_range          = "*"\n    destination_port_range     = "22"\n    source_address_prefix      = "198.51.100.0/24"\n    destination_address_prefix = "*"\n  }\n}\nresource "azurerm_public_ip" "lb" {\n  name                = "lb-pip"\n  location            = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  allocation_method   = "Static"\n  sku                 = "Standard"\n}\nresource "azurerm_lb" "lb" {\n  name                = "lb"\n  location            = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  sku                 = "Standard"\n  frontend_ip_configuration {\n    name                 = "fe"\n    public_ip_address_id = azurerm_public_ip.lb.id\n  }\n}\nresource "azurerm_lb_backend_address_pool" "pool" {\n  name            = "pool"\n  loadbalancer_id = azurerm_lb.lb.id\n}\nresource "azurerm_lb_nat_pool" "ssh" {\n  name                           = "ssh"\n  resource_group_name            = azurerm_resource_group.rg.name\n  loadbalancer_id                = azurerm_lb.lb.id\n  protocol                       = "Tcp"\n  frontend_port_start            = 50000\n  frontend_port_end              = 50019\n  backend_port                   = 22\n  frontend_ip_configuration_name = "fe"\n}\nresource "azurerm_linux_virtual_machine_scale_set" "web" {\n  name                = "web"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = azurerm_resource_group.rg.location\n  sku                 = "Standard_F2"\n  instances           = 2\n  admin_username      = "adminuser"\n  network_interface {\n    name                      = "nic"\n    primary                   = true\n    network_security_group_id = azurerm_network_security_group.web.id\n    ip_configuration {\n      name                                   = "internal"\n      primary                                = true\n      subnet_id                              = azurerm_subnet.web.id\n      load_balancer_backend_address_pool_ids = [azurerm_lb_backend_address_pool.pool.id]\n      load_balancer_inbound_nat_rules_ids    = [azurerm_lb_nat_pool.ssh.id]\n    }\n  }\n}\n';

async function network(text: string) {
  const result = await importSources([tf(text)]);
  const loaded = loadSpecText(result.spec ?? "");
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(
      [...result.diagnostics, ...loaded.diagnostics].map((d) => d.message).join("\n"),
    );
  return { result, spec: loaded.spec };
}

const flow = (
  spec: Awaited<ReturnType<typeof network>>["spec"],
  from: string,
  to: string,
  port: number,
) => {
  const r = new FlowEvaluator(spec.network).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return r.result;
};

describe("scale sets in azurerm", () => {
  it("reads a Linux scale set's network interface, its NSG, pool and NAT pool, and its instance count", async () => {
    const { result, spec } = await network(MAIN);
    expect(result.diagnostics.filter((d) => d.code === "NotModelled")).toEqual([]);
    expect(spec.topology.virtualMachineScaleSets).toEqual([
      {
        name: "web",
        location: "westeurope",
        orchestrationMode: "Uniform",
        sku: { capacity: 2 },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: "nic",
              primary: true,
              networkSecurityGroup: "web-nsg",
              ipConfigurations: [
                {
                  name: "internal",
                  primary: true,
                  subnet: "vnet/web",
                  loadBalancerBackendAddressPools: ["lb/pool"],
                  loadBalancerInboundNatPools: ["lb/ssh"],
                },
              ],
            },
          ],
        },
      },
    ]);
    const allowed = flow(spec, "198.51.100.9", "lb:lb", 50011);
    expect([allowed.access, allowed.rule, allowed.loadBalancer?.rule?.name]).toEqual([
      "Allow",
      "securityRules/ssh",
      "ssh",
    ]);
    expect(flow(spec, "Internet", "lb:lb", 50011).access).toBe("Deny");
  });

  it("reads an orchestrated scale set's per-instance public address with its SKU, and names IP forwarding", async () => {
    const text = MAIN.replace(
      'resource "azurerm_linux_virtual_machine_scale_set" "web" {',
      'resource "azurerm_orchestrated_virtual_machine_scale_set" "web" {\n  platform_fault_domain_count = 1',
    )
      .replace(
        "primary                   = true\n",
        "primary                   = true\n    enable_ip_forwarding      = true\n",
      )
      .replace(
        "      load_balancer_inbound_nat_rules_ids    = [azurerm_lb_nat_pool.ssh.id]\n",
        '      public_ip_address {\n        name     = "pub"\n        sku_name = "Standard_Regional"\n      }\n',
      );
    const { result, spec } = await network(text);
    expect(
      result.diagnostics.filter((d) => d.code === "NotModelled").map((d) => d.message),
    ).toEqual([expect.stringContaining("web's instances")]);
    const [vmss] = spec.topology.virtualMachineScaleSets ?? [];
    expect(vmss?.orchestrationMode).toBe("Flexible");
    expect(
      vmss?.networkProfile.networkInterfaceConfigurations[0]?.ipConfigurations[0]
        ?.publicIPAddressConfiguration,
    ).toEqual({
      name: "pub",
      sku: "Standard",
    });
    const ssh = flow(spec, "198.51.100.9", "vmss:web", 22);
    expect([ssh.access, ssh.rule]).toEqual(["Allow", "securityRules/ssh"]);
  });

  it("reads azurerm 1.x's azurerm_virtual_machine_scale_set network_profile and sku capacity", async () => {
    const legacy = MAIN.replace(
      /resource "azurerm_linux_virtual_machine_scale_set"[\s\S]*$/,
      `resource "azurerm_virtual_machine_scale_set" "web" {
  name                = "web"
  location            = "westeurope"
  resource_group_name = "rg"
  upgrade_policy_mode = "Manual"
  sku {
    name     = "Standard_F2"
    tier     = "Standard"
    capacity = 30
  }
  network_profile {
    name                      = "nic"
    primary                   = true
    network_security_group_id = azurerm_network_security_group.web.id
    ip_configuration {
      name                                   = "internal"
      primary                                = true
      subnet_id                              = azurerm_subnet.web.id
      load_balancer_backend_address_pool_ids = [azurerm_lb_backend_address_pool.pool.id]
      load_balancer_inbound_nat_rules_ids    = [azurerm_lb_nat_pool.ssh.id]
    }
  }
}
`,
    );
    const result = await importSources([tf(legacy)]);
    // 30 instances and 20 ports in the NAT pool: Azure refuses it, and the import says where.
    const refused = result.diagnostics.filter((d) => d.severity === "error");
    expect(refused.map((d) => [d.code, d.location?.line])).toEqual([["InvalidInboundNatPool", 60]]);
    expect(result.topology.virtualMachineScaleSets?.[0]?.sku).toEqual({ capacity: 30 });
    const fits = await network(legacy.replace("capacity = 30", "capacity = 20"));
    expect(flow(fits.spec, "198.51.100.9", "lb:lb", 50019).access).toBe("Allow");
  });
});
