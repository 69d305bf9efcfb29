import { describe, expect, it } from "vitest";
import { notKnown, tf } from "../../../test/support/terraform.js";
import { detectFormat } from "../catalog.js";
import { importTerraform } from "./import.js";

describe("importTerraform: terraform show -json", () => {
  const rule = {
    name: "ssh",
    description: "",
    protocol: "Tcp",
    access: "Allow",
    priority: 100,
    direction: "Inbound",
    source_address_prefix: "203.0.113.0/24",
    source_address_prefixes: [],
    source_application_security_group_ids: [],
    source_port_range: "*",
    source_port_ranges: [],
    destination_address_prefix: "*",
    destination_address_prefixes: [],
    destination_application_security_group_ids: [],
    destination_port_range: "22",
    destination_port_ranges: [],
  };
  const nsgId =
    "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1";

  it("reads a rule resource's rule, which a state also lists in its NSG, once and without a conflict", async () => {
    const state = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_network_security_group.nsg",
              mode: "managed",
              type: "azurerm_network_security_group",
              name: "nsg",
              values: { id: nsgId, name: "nsg1", security_rule: [rule] },
            },
            {
              address: "azurerm_network_security_rule.ssh",
              mode: "managed",
              type: "azurerm_network_security_rule",
              name: "ssh",
              values: { ...rule, network_security_group_name: "nsg1" },
            },
          ],
        },
      },
    };
    const { topology, diagnostics } = await importTerraform([
      { file: "state.json", text: JSON.stringify(state) },
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups[0]?.securityRules.map((r) => r.name)).toEqual(["ssh"]);
  });

  it("reads a state, with its child modules, ids and empty defaults", async () => {
    const state = {
      format_version: "1.0",
      terraform_version: "1.9.0",
      values: {
        root_module: {
          resources: [
            {
              address: "azurerm_network_security_group.nsg",
              mode: "managed",
              type: "azurerm_network_security_group",
              name: "nsg",
              values: { id: nsgId, name: "nsg1", location: "westeurope", security_rule: [rule] },
            },
          ],
          child_modules: [
            {
              address: "module.net",
              resources: [
                {
                  address: "module.net.azurerm_virtual_network.v",
                  mode: "managed",
                  type: "azurerm_virtual_network",
                  name: "v",
                  values: { name: "vnet1", address_space: ["10.0.0.0/16"], subnet: [] },
                },
                {
                  address: "module.net.azurerm_subnet.s",
                  mode: "managed",
                  type: "azurerm_subnet",
                  name: "s",
                  values: {
                    name: "app",
                    virtual_network_name: "vnet1",
                    address_prefixes: ["10.0.1.0/24"],
                  },
                },
                {
                  address: "module.net.azurerm_subnet_network_security_group_association.a",
                  mode: "managed",
                  type: "azurerm_subnet_network_security_group_association",
                  name: "a",
                  values: {
                    subnet_id:
                      "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/app",
                    network_security_group_id: nsgId,
                  },
                },
              ],
            },
          ],
        },
      },
    };
    const { topology, diagnostics } = await importTerraform([
      tf(JSON.stringify(state, null, 2), "state.json"),
    ]);
    expect(diagnostics).toEqual([]);
    expect(topology.networkSecurityGroups).toEqual([
      {
        name: "nsg1",
        location: "westeurope",
        securityRules: [
          {
            name: "ssh",
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "203.0.113.0/24",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
          },
        ],
      },
    ]);
    expect(topology.virtualNetworks[0]?.subnets).toEqual([
      { name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg1" },
    ]);
  });

  it("reads a plan, following ids known only after apply through the configuration's references", async () => {
    const plan = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          resources: [
            {
              address: "azurerm_network_security_group.nsg",
              mode: "managed",
              type: "azurerm_network_security_group",
              name: "nsg",
              values: { name: "nsg1", security_rule: [rule] },
            },
            {
              address: "azurerm_virtual_network.v",
              mode: "managed",
              type: "azurerm_virtual_network",
              name: "v",
              values: { name: "vnet1", address_space: ["10.0.0.0/16"] },
            },
            {
              address: "azurerm_subnet.s",
              mode: "managed",
              type: "azurerm_subnet",
              name: "s",
              values: {
                name: "app",
                virtual_network_name: "vnet1",
                address_prefixes: ["10.0.1.0/24"],
              },
            },
            {
              address: "azurerm_subnet_network_security_group_association.a",
              mode: "managed",
              type: "azurerm_subnet_network_security_group_association",
              name: "a",
              values: {},
            },
            {
              address: "azurerm_network_interface_security_group_association.n",
              mode: "managed",
              type: "azurerm_network_interface_security_group_association",
              name: "n",
              values: {},
            },
          ],
        },
      },
      resource_changes: [
        {
          address: "azurerm_subnet_network_security_group_association.a",
          change: { after_unknown: { id: true, subnet_id: true, network_security_group_id: true } },
        },
        {
          address: "azurerm_network_interface_security_group_association.n",
          change: { after_unknown: { network_interface_id: true } },
        },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: "azurerm_subnet_network_security_group_association.a",
              expressions: {
                subnet_id: { references: ["azurerm_subnet.s.id", "azurerm_subnet.s"] },
                network_security_group_id: {
                  references: [
                    "azurerm_network_security_group.nsg.id",
                    "azurerm_network_security_group.nsg",
                  ],
                },
              },
            },
          ],
        },
      },
    };
    const text = JSON.stringify(plan, null, 2);
    const { topology, diagnostics } = await importTerraform([tf(text, "plan.json")]);
    expect(topology.virtualNetworks[0]?.subnets).toEqual([
      { name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg1" },
    ]);
    expect(notKnown(diagnostics)).toEqual([
      expect.stringContaining(
        "azurerm_network_interface_security_group_association.n.network_interface_id: network_interface_id is known only after apply; the association is left out",
      ),
    ]);
  });

  it("is recognised by its keys", () => {
    expect(detectFormat(`{"format_version":"1.0","values":{}}`)).toBe("terraform");
    expect(detectFormat(`{"$schema":"x","resources":[]}`)).toBe("arm");
    expect(detectFormat(`resource "azurerm_subnet" "s" {\n}`)).toBe("terraform");
  });
});
