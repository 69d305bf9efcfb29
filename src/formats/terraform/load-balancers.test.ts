/**
 * Load balancers as azurerm writes them: azurerm_lb with its frontends, and
 * the pools, pool addresses, rules, NAT rules (v1 and v2), probes and
 * interface associations that add to it, from HCL and from `terraform show
 * -json`. A VM behind a public load balancer's inbound NAT rule is reached
 * from the Internet on the frontend port when its NSG allows RDP, and denied
 * once the rule is gone; what cannot be read is named where it is written.
 */
import { describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import { fixtureSources } from "../../../test/support/fixtures.js";
import { networkOf } from "../../../test/support/spec.js";
import { notKnown, tf } from "../../../test/support/terraform.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { importSources } from "../catalog.js";
import { importTerraform } from "./import.js";

const NETWORK = `resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.1.0/24"]
}
`;
const NSG_RDP = `resource "azurerm_network_security_group" "web" {
  name                = "web-nsg"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "allow-rdp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
`;
const NSG_CLOSED = `resource "azurerm_network_security_group" "web" {
  name                = "web-nsg"
  location            = "westeurope"
  resource_group_name = "rg"
}
`;
const ASSOCIATION = `resource "azurerm_subnet_network_security_group_association" "web" {
  subnet_id                 = azurerm_subnet.web.id
  network_security_group_id = azurerm_network_security_group.web.id
}
`;
const NAT = `resource "azurerm_public_ip" "lb" {
  name                = "pip-lb"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  frontend_ip_configuration {
    name                 = "fe"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}
resource "azurerm_lb_nat_rule" "rdp" {
  name                           = "rdp-vm1"
  resource_group_name            = "rg"
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port                  = 50001
  backend_port                   = 3389
  frontend_ip_configuration_name = azurerm_lb.lb.frontend_ip_configuration[0].name
}
resource "azurerm_network_interface" "vm1" {
  name                = "vm1"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Dynamic"
  }
}
resource "azurerm_network_interface_nat_rule_association" "vm1" {
  network_interface_id  = azurerm_network_interface.vm1.id
  ip_configuration_name = "ipconfig1"
  nat_rule_id           = azurerm_lb_nat_rule.rdp.id
}
`;

async function flowTo(text: string, port: number) {
  const result = await importSources([tf(text)]);
  const r = new FlowEvaluator(networkOf(result.spec ?? "")).evaluate({
    from: "Internet",
    to: "lb:lb",
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return { result, flow: r.result };
}

describe("a VM behind a public load balancer's inbound NAT rule, from Terraform", () => {
  it("is allowed from the Internet on the frontend port, with the NAT rule and the NSG rule in the trace", async () => {
    const { result, flow } = await flowTo(NETWORK + NSG_RDP + ASSOCIATION + NAT, 50001);
    expect(result.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(flow.access).toBe("Allow");
    expect([flow.rule, flow.nsg]).toEqual(["securityRules/allow-rdp", "web-nsg"]);
    expect(flow.loadBalancer?.rule).toMatchObject({
      kind: "inboundNatRule",
      name: "rdp-vm1",
      natVersion: 1,
      backendPort: 3389,
    });
    expect(flow.trace.map((t) => [t.packet, t.access, t.rule])).toEqual([
      ["Tcp 192.0.2.1:49152 -> 10.0.1.x:3389", "Allow", "securityRules/allow-rdp"],
    ]);
  });

  it("is denied once the NSG rule allowing RDP is removed", async () => {
    const { flow } = await flowTo(NETWORK + NSG_CLOSED + ASSOCIATION + NAT, 50001);
    expect(flow.access).toBe("Deny");
    expect(flow.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(flow.loadBalancer?.rule).toMatchObject({ kind: "inboundNatRule", name: "rdp-vm1" });
  });

  it("has no route on a port no rule takes", async () => {
    const { flow } = await flowTo(NETWORK + NSG_RDP + ASSOCIATION + NAT, 50002);
    expect(flow.access).toBe("Deny");
    expect(flow.route).toBe("none");
  });
});

const POOL_RULES = `
resource "azurerm_lb" "web" {
  name                = "web-lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  frontend_ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.1.10"
  }
}
resource "azurerm_lb_backend_address_pool" "web" {
  name            = "web-pool"
  loadbalancer_id = azurerm_lb.web.id
}
resource "azurerm_lb_backend_address_pool_address" "extra" {
  name                    = "extra"
  backend_address_pool_id = azurerm_lb_backend_address_pool.web.id
  virtual_network_id      = azurerm_virtual_network.vnet.id
  ip_address              = "10.0.1.50"
}
resource "azurerm_lb_probe" "http" {
  name            = "http"
  loadbalancer_id = azurerm_lb.web.id
  port            = 80
  request_path    = "/health"
}
resource "azurerm_lb_rule" "http" {
  name                           = "http"
  loadbalancer_id                = azurerm_lb.web.id
  protocol                       = "Tcp"
  frontend_port                  = 80
  backend_port                   = 8080
  frontend_ip_configuration_name = "internal"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.web.id]
  probe_id                       = azurerm_lb_probe.http.id
  floating_ip_enabled            = false
  disable_outbound_snat          = true
}
resource "azurerm_lb_nat_rule" "ssh" {
  name                           = "ssh"
  resource_group_name            = "rg"
  loadbalancer_id                = azurerm_lb.web.id
  protocol                       = "Tcp"
  frontend_port_start            = 2200
  frontend_port_end              = 2209
  backend_port                   = 22
  backend_address_pool_id        = azurerm_lb_backend_address_pool.web.id
  frontend_ip_configuration_name = "internal"
}
resource "azurerm_network_interface" "vm1" {
  name                = "vm1"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "primary"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Static"
    private_ip_address            = "10.0.1.4"
  }
}
resource "azurerm_network_interface_backend_address_pool_association" "vm1" {
  network_interface_id    = azurerm_network_interface.vm1.id
  ip_configuration_name   = "primary"
  backend_address_pool_id = azurerm_lb_backend_address_pool.web.id
}
resource "azurerm_lb_nat_pool" "vmss" {
  name                           = "vmss"
  resource_group_name            = "rg"
  loadbalancer_id                = azurerm_lb.web.id
  protocol                       = "Tcp"
  frontend_port_start            = 50000
  frontend_port_end              = 50119
  backend_port                   = 22
  frontend_ip_configuration_name = "internal"
}
`;

describe("importTerraform: load balancers", () => {
  it("reads an internal load balancer's frontend, pool and its address, probe, rule, NAT rule v2 and an interface's pool association", async () => {
    const { topology, diagnostics, inventory } = await importTerraform([tf(NETWORK + POOL_RULES)]);
    expect(topology.loadBalancers).toEqual([
      {
        name: "web-lb",
        location: "westeurope",
        sku: "Standard",
        frontendIPConfigurations: [
          { name: "internal", subnet: "vnet/web", privateIPAddress: "10.0.1.10" },
        ],
        backendAddressPools: [
          {
            name: "web-pool",
            loadBalancerBackendAddresses: [
              { name: "extra", ipAddress: "10.0.1.50", virtualNetwork: "vnet" },
            ],
          },
        ],
        loadBalancingRules: [
          {
            name: "http",
            frontendIPConfiguration: "internal",
            backendAddressPool: "web-pool",
            probe: "http",
            protocol: "Tcp",
            frontendPort: 80,
            backendPort: 8080,
            enableFloatingIP: false,
            disableOutboundSnat: true,
          },
        ],
        inboundNatRules: [
          {
            name: "ssh",
            frontendIPConfiguration: "internal",
            protocol: "Tcp",
            frontendPortRangeStart: 2200,
            frontendPortRangeEnd: 2209,
            backendAddressPool: "web-pool",
            backendPort: 22,
          },
        ],
        probes: [{ name: "http", protocol: "Http", port: 80, requestPath: "/health" }],
        inboundNatPools: [
          {
            name: "vmss",
            frontendIPConfiguration: "internal",
            protocol: "Tcp",
            frontendPortRangeStart: 50000,
            frontendPortRangeEnd: 50119,
            backendPort: 22,
          },
        ],
      },
    ]);
    expect(
      topology.networkInterfaces[0]?.ipConfigurations[0]?.loadBalancerBackendAddressPools,
    ).toEqual(["web-lb/web-pool"]);
    // The NAT pool (for scale sets) is read too.
    expect(diagnostics.filter((d) => d.code === "NotModelled")).toEqual([]);
    expect(
      inventory
        .types()
        .filter((t) => t.type.startsWith("azurerm_lb") || t.type.includes("address_pool_assoc"))
        .map((t) => `${t.type} ${t.standing}`)
        .sort(),
    ).toEqual([
      "azurerm_lb modelled",
      "azurerm_lb_backend_address_pool modelled",
      "azurerm_lb_backend_address_pool_address modelled",
      "azurerm_lb_nat_pool modelled",
      "azurerm_lb_nat_rule modelled",
      "azurerm_lb_probe modelled",
      "azurerm_lb_rule modelled",
      "azurerm_network_interface_backend_address_pool_association modelled",
    ]);
  });

  it("forwards to the pool's interface and address through the rule, translated to the backend port", async () => {
    const result = await importSources([tf(NETWORK + NSG_RDP + ASSOCIATION + POOL_RULES)]);
    const r = new FlowEvaluator(networkOf(result.spec ?? "")).evaluate({
      from: "10.0.1.99",
      to: "lb:web-lb",
      protocol: "Tcp",
      destinationPort: 80,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.loadBalancer?.rule).toMatchObject({ kind: "loadBalancingRule", name: "http" });
    expect(r.result.loadBalancer?.backends.map((b) => b.translatedTo).sort()).toEqual([
      "10.0.1.4:8080",
      "10.0.1.50:8080",
    ]);
  });

  it("names a child of a load balancer these files do not declare, and a frontend port not known, where they are written", async () => {
    const text = `
variable "port" {}
resource "azurerm_lb_probe" "orphan" {
  name            = "orphan"
  loadbalancer_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/elsewhere"
  port            = 80
}
resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  frontend_ip_configuration {
    name                 = "fe"
    public_ip_address_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip"
  }
}
resource "azurerm_lb_rule" "r" {
  name                           = "r"
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port                  = var.port
  backend_port                   = 80
  frontend_ip_configuration_name = "fe"
}
`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    const orphan = diagnostics.find((d) => d.code === "ParentNotDeclared");
    expect(orphan?.message).toContain('load balancer "elsewhere" is not declared in these files');
    expect([orphan?.location?.line, orphan?.location?.column]).toEqual([5, 21]);
    expect(notKnown(diagnostics)).toEqual([
      "21:36 azurerm_lb_rule.r.frontend_port: var.port has no default and no value in a .tfvars file; the load-balancing rule is left out",
    ]);
    // No SKU: azurerm's default, Basic; the public IP named by id stays a public endpoint.
    expect(topology.loadBalancers?.[0]).toMatchObject({
      sku: "Basic",
      frontendIPConfigurations: [
        {
          name: "fe",
          publicIPAddress: {
            id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip",
          },
        },
      ],
    });
    expect(topology.loadBalancers?.[0]?.loadBalancingRules).toBeUndefined();
  });

  it("refuses values of the wrong kind with a located error, and leaves out what they are in", async () => {
    const text = `resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  frontend_ip_configuration {
    name = "nowhere"
  }
}
resource "azurerm_lb_rule" "r" {
  name                           = "r"
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Icmp"
  frontend_port                  = 80
  backend_port                   = 80
  frontend_ip_configuration_name = "nowhere"
}
resource "azurerm_lb_probe" "p" {
  name            = "p"
  loadbalancer_id = azurerm_lb.lb.id
  port            = "eighty"
}
`;
    const { topology, diagnostics } = await importTerraform([tf(text)]);
    expect(
      diagnostics.map(
        (d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column} ${d.message}`,
      ),
    ).toEqual([
      "error MissingProperty 6:3 azurerm_lb.lb.frontend_ip_configuration[0]: a frontend needs public_ip_address_id, or subnet_id for a private address",
      // Probes are read before the rules that name them.
      "error InvalidPropertyType 21:21 azurerm_lb_probe.p.port: should be a whole number",
      "error InvalidPropertyType 13:36 azurerm_lb_rule.r.protocol: should be one of Tcp, Udp, All",
    ]);
    expect(topology.loadBalancers?.[0]).toMatchObject({ frontendIPConfigurations: [] });
    expect(topology.loadBalancers?.[0]?.loadBalancingRules).toBeUndefined();
    expect(topology.loadBalancers?.[0]?.probes).toBeUndefined();
  });

  it("reads azurerm 1.x's pool and NAT rule ids of an interface's ip_configuration, its name with a placeholder", async () => {
    const text = `variable "prefix" {}
${NETWORK}${NAT}
resource "azurerm_lb_backend_address_pool" "pool" {
  name            = "pool"
  loadbalancer_id = azurerm_lb.lb.id
}
resource "azurerm_network_interface" "legacy" {
  name                = "\${var.prefix}-nic"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                                    = "primary"
    subnet_id                               = azurerm_subnet.web.id
    private_ip_address_allocation           = "Dynamic"
    load_balancer_backend_address_pools_ids = [azurerm_lb_backend_address_pool.pool.id]
    load_balancer_inbound_nat_rules_ids     = ["\${azurerm_lb_nat_rule.rdp.id}"]
  }
}
`;
    const { topology } = await importTerraform([tf(text)]);
    const legacy = topology.networkInterfaces.find((n) => n.name === "<var.prefix>-nic");
    expect(legacy?.ipConfigurations[0]).toMatchObject({
      loadBalancerBackendAddressPools: ["lb/pool"],
      loadBalancerInboundNatRules: ["lb/rdp-vm1"],
    });
  });

  it("reads an outbound rule, with its frontends and pool", async () => {
    const outbound = `
resource "azurerm_lb_backend_address_pool" "out" {
  name            = "out-pool"
  loadbalancer_id = azurerm_lb.lb.id
}
resource "azurerm_lb_outbound_rule" "out" {
  name                     = "out"
  loadbalancer_id          = azurerm_lb.lb.id
  protocol                 = "All"
  backend_address_pool_id  = azurerm_lb_backend_address_pool.out.id
  allocated_outbound_ports = 1024
  frontend_ip_configuration {
    name = "fe"
  }
}
`;
    const { topology, diagnostics } = await importTerraform([
      tf(NETWORK + NSG_RDP + ASSOCIATION + NAT + outbound),
    ]);
    expect(diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(topology.loadBalancers?.[0]?.outboundRules).toEqual([
      {
        name: "out",
        frontendIPConfigurations: ["fe"],
        backendAddressPool: "out-pool",
        protocol: "All",
        allocatedOutboundPorts: 1024,
      },
    ]);
  });

  it("reads a plan, following ids known only after apply through the configuration's references", async () => {
    const resource = (address: string, values: Record<string, unknown>) => {
      const [type, name] = address.split(".");
      return { address, mode: "managed", type, name, values };
    };
    const refs = (address: string) => ({ references: [`${address}.id`, address] });
    const plan = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          resources: [
            resource("azurerm_virtual_network.v", { name: "vnet", address_space: ["10.0.0.0/16"] }),
            resource("azurerm_subnet.s", {
              name: "web",
              virtual_network_name: "vnet",
              address_prefixes: ["10.0.1.0/24"],
            }),
            resource("azurerm_lb.lb", {
              name: "lb",
              sku: "Standard",
              frontend_ip_configuration: [{ name: "fe", private_ip_address_allocation: "Dynamic" }],
            }),
            resource("azurerm_lb_nat_rule.rdp", {
              name: "rdp-vm1",
              protocol: "Tcp",
              frontend_port: 50001,
              backend_port: 3389,
              frontend_ip_configuration_name: "fe",
            }),
            resource("azurerm_network_interface.vm1", {
              name: "vm1",
              ip_configuration: [
                {
                  name: "ipconfig1",
                  private_ip_address_allocation: "Dynamic",
                  subnet_id:
                    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/web",
                },
              ],
            }),
            resource("azurerm_network_interface_nat_rule_association.vm1", {
              ip_configuration_name: "ipconfig1",
            }),
          ],
        },
      },
      resource_changes: [
        {
          address: "azurerm_lb.lb",
          change: { after_unknown: { frontend_ip_configuration: [{ subnet_id: true }] } },
        },
        {
          address: "azurerm_lb_nat_rule.rdp",
          change: { after_unknown: { loadbalancer_id: true } },
        },
        {
          address: "azurerm_network_interface_nat_rule_association.vm1",
          change: { after_unknown: { network_interface_id: true, nat_rule_id: true } },
        },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: "azurerm_lb_nat_rule.rdp",
              expressions: { loadbalancer_id: refs("azurerm_lb.lb") },
            },
            {
              address: "azurerm_network_interface_nat_rule_association.vm1",
              expressions: {
                network_interface_id: refs("azurerm_network_interface.vm1"),
                nat_rule_id: refs("azurerm_lb_nat_rule.rdp"),
              },
            },
          ],
        },
      },
    };
    const { topology } = await importTerraform([tf(JSON.stringify(plan, null, 2), "plan.json")]);
    expect(topology.loadBalancers?.[0]?.inboundNatRules?.map((r) => r.name)).toEqual(["rdp-vm1"]);
    // The NAT rule's load balancer, known only after apply too, is followed through its reference.
    expect(topology.networkInterfaces[0]?.ipConfigurations[0]?.loadBalancerInboundNatRules).toEqual(
      ["lb/rdp-vm1"],
    );
  });

  it("reads a state, where every reference is an ARM id", async () => {
    const lbId = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb";
    const state = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_lb.lb",
              mode: "managed",
              type: "azurerm_lb",
              name: "lb",
              values: {
                id: lbId,
                name: "lb",
                sku: "Standard",
                frontend_ip_configuration: [
                  {
                    name: "fe",
                    public_ip_address_id:
                      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-lb",
                    subnet_id: "",
                    private_ip_address: "",
                    private_ip_address_allocation: "Dynamic",
                  },
                ],
              },
            },
            {
              address: "azurerm_lb_nat_rule.rdp",
              mode: "managed",
              type: "azurerm_lb_nat_rule",
              name: "rdp",
              values: {
                id: `${lbId}/inboundNatRules/rdp-vm1`,
                name: "rdp-vm1",
                loadbalancer_id: lbId,
                protocol: "Tcp",
                frontend_port: 50001,
                backend_port: 3389,
                frontend_port_start: null,
                frontend_port_end: null,
                backend_address_pool_id: null,
                frontend_ip_configuration_name: "fe",
                enable_floating_ip: false,
                idle_timeout_in_minutes: 4,
              },
            },
            {
              address: "azurerm_network_interface_nat_rule_association.vm1",
              mode: "managed",
              type: "azurerm_network_interface_nat_rule_association",
              name: "vm1",
              values: {
                network_interface_id:
                  "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/vm1",
                ip_configuration_name: "ipconfig1",
                nat_rule_id: `${lbId}/inboundNatRules/rdp-vm1`,
              },
            },
          ],
        },
      },
    };
    const { topology, diagnostics } = await importTerraform([
      { file: "state.json", text: JSON.stringify(state, null, 2) },
    ]);
    expect(topology.loadBalancers?.[0]?.inboundNatRules).toEqual([
      {
        name: "rdp-vm1",
        frontendIPConfiguration: "fe",
        protocol: "Tcp",
        frontendPort: 50001,
        backendPort: 3389,
        enableFloatingIP: false,
        idleTimeoutInMinutes: 4,
      },
    ]);
    const missing = diagnostics.find((d) => d.code === "NetworkInterfaceNotDeclared");
    expect(missing?.message).toContain('network interface "vm1" is not declared in these files');
    expect(missing?.location?.file).toBe("state.json");
  });
});

const loadBalanced = sharedFile(
  "fixtures/real/28-terraform-provider-azurerm--examples--virtual-machines--linux--load-balanced",
);

describe("the azurerm load-balanced example", () => {
  it.skipIf(loadBalanced.missing !== undefined)(
    titled("imports its load balancer, pool and NAT rule", loadBalanced.missing),
    async () => {
      const result = await importSources(fixtureSources(loadBalanced.path, "main.tf"));
      expect(result.topology.loadBalancers).toEqual([
        {
          name: "<var.prefix>-lb",
          sku: "Basic",
          frontendIPConfigurations: [
            { name: "PublicIPAddress", publicIPAddress: "<var.prefix>-pip" },
          ],
          backendAddressPools: [{ name: "BackEndAddressPool" }],
          inboundNatRules: [
            {
              name: "HTTPSAccess",
              frontendIPConfiguration: "PublicIPAddress",
              protocol: "Tcp",
              frontendPort: 443,
              backendPort: 443,
            },
          ],
        },
      ]);
      expect(result.diagnostics.filter((d) => d.code === "NotModelled")).toEqual([]);
    },
  );
});
