import { describe, expect, it } from "vitest";
import type { SecurityRule, Topology } from "../../model/types.js";
import { exportTerraform } from "./export.js";
import { hclString, identifier, Labels } from "./hcl-write.js";
import { importTerraform } from "./import.js";

const rule = (name: string, extra: Partial<SecurityRule> = {}): SecurityRule => ({
  name,
  protocol: "tcp",
  access: "allow",
  priority: 100,
  direction: "inbound",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "443",
  ...extra,
});

const topology = (over: Partial<Topology>): Topology => ({
  virtualNetworks: [],
  networkSecurityGroups: [],
  applicationSecurityGroups: [],
  networkInterfaces: [],
  environments: [],
  ...over,
});

describe("exportTerraform", () => {
  it("escapes strings for HCL", () => {
    // "$" + "{" is written apart so that the source holds no template placeholder.
    const interpolation = ["$", "{c}"].join("");
    expect(hclString(`a "b" \\ ${interpolation} %{d} $e\n`)).toBe(
      `"a \\"b\\" \\\\ $${interpolation} %%{d} $e\\n"`,
    );
  });

  it("derives unique identifiers from names", () => {
    expect(identifier("API-ASE-Subnet")).toBe("api_ase_subnet");
    expect(identifier("1st.nsg")).toBe("_1st_nsg");
    const labels = new Labels();
    expect([labels.take("web-nsg"), labels.take("Web_NSG"), labels.take("web.nsg")]).toEqual([
      "web_nsg",
      "web_nsg_2",
      "web_nsg_3",
    ]);
  });

  it("aligns the = of each run of attributes as terraform fmt does, and writes Azure's spellings", () => {
    const text = exportTerraform(
      topology({ networkSecurityGroups: [{ name: "web", securityRules: [rule("https")] }] }),
    );
    expect(text).toContain(`resource "azurerm_network_security_group" "web" {
  name                = "web"
  location            = var.location
  resource_group_name = var.resource_group_name

  security_rule {
    name                       = "https"
    protocol                   = "Tcp"
    access                     = "Allow"
    priority                   = 100
    direction                  = "Inbound"
    source_address_prefix      = "*"
    source_port_range          = "*"
    destination_address_prefix = "*"
    destination_port_range     = "443"
  }
}
`);
  });

  it("looks up ASGs and NSGs declared elsewhere with data sources, and imports them back by name", async () => {
    const t = topology({
      networkSecurityGroups: [
        {
          name: "web",
          securityRules: [
            rule("from-admins", {
              sourceAddressPrefix: undefined,
              sourceApplicationSecurityGroups: ["admins"],
            }),
          ],
        },
      ],
      virtualNetworks: [
        {
          name: "v",
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "s", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "shared" }],
        },
      ],
    });
    const text = exportTerraform(t);
    expect(text).toContain(`data "azurerm_application_security_group" "admins" {
  name                = "admins"
  resource_group_name = var.resource_group_name
}`);
    expect(text).toContain(
      "network_security_group_id = data.azurerm_network_security_group.shared.id",
    );
    const back = await importTerraform([{ file: "main.tf", text }]);
    expect(
      back.topology.networkSecurityGroups[0]?.securityRules[0]?.sourceApplicationSecurityGroups,
    ).toEqual(["admins"]);
    expect(back.topology.virtualNetworks[0]?.subnets[0]?.networkSecurityGroup).toBe("shared");
  });

  it("says so when a NIC's IP configurations belong to different ASGs, which azurerm cannot express", () => {
    const text = exportTerraform(
      topology({
        applicationSecurityGroups: [{ name: "a" }],
        virtualNetworks: [
          {
            name: "v",
            addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
            subnets: [{ name: "s", addressPrefix: "10.0.1.0/24" }],
          },
        ],
        networkInterfaces: [
          {
            name: "nic",
            ipConfigurations: [
              { privateIPAddress: "10.0.1.4", subnet: "s", applicationSecurityGroups: ["a"] },
              { privateIPAddress: "10.0.1.5", subnet: "s" },
            ],
          },
        ],
      }),
    );
    expect(text).toContain(
      "# nic: its IP configurations belong to different application security groups",
    );
    expect(text).not.toContain("azurerm_network_interface_application_security_group_association");
    expect(text).toContain("primary                       = true");
  });
});
