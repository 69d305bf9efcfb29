import { describe, expect, it } from "vitest";
import { normalRule, refKey } from "../../../test/support/round-trip.js";
import type { Topology } from "../../model/types.js";
import { loadSpec } from "../../specfile/load.js";
import { exportArm } from "../arm/export.js";
import { importSources } from "../catalog.js";
import { exportTerraform } from "./export.js";
import { importTerraform } from "./import.js";

const example = (name: string) =>
  loadSpec(`examples/${name}/tierwall.yaml`).spec?.topology as Topology;

/** NSGs with their rules, and every NSG association, by name. */
function policy(t: Topology) {
  return {
    nsgs: t.networkSecurityGroups.map((n) => ({
      name: n.name,
      rules: n.securityRules.map((r) => normalRule(r, true)),
    })),
    subnets: t.virtualNetworks.flatMap((v) =>
      v.subnets
        .filter((s) => s.networkSecurityGroup !== undefined)
        .map((s) => `${v.name}/${s.name} -> ${refKey(s.networkSecurityGroup ?? "")}`.toLowerCase()),
    ),
    nics: t.networkInterfaces
      .filter((n) => n.networkSecurityGroup !== undefined)
      .map((n) => `${n.name} -> ${refKey(n.networkSecurityGroup ?? "")}`.toLowerCase()),
  };
}

/** What exists before the policy: the networks, interfaces and public IPs, without NSGs. */
function estate(t: Topology): Topology {
  return {
    ...t,
    networkSecurityGroups: [],
    virtualNetworks: t.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map(({ networkSecurityGroup: _, ...s }) => s),
    })),
    networkInterfaces: t.networkInterfaces.map(({ networkSecurityGroup: _, ...n }) => n),
  };
}

describe("Terraform export, scope nsgs: the NSGs and their associations with what exists", () => {
  it("writes subnets and interfaces as data sources, and no network, subnet or interface resource", () => {
    const text = exportTerraform(example("asg-tiers"), "nsgs");
    expect(text).not.toMatch(/resource "azurerm_(virtual_network|subnet|network_interface)" /);
    expect(text).toContain(`data "azurerm_subnet" "tiers_vnet_workload" {
  name                 = "workload"
  virtual_network_name = "tiers-vnet"
  resource_group_name  = var.resource_group_name
}`);
    expect(
      text,
    ).toContain(`resource "azurerm_subnet_network_security_group_association" "tiers_vnet_workload" {
  subnet_id                 = data.azurerm_subnet.tiers_vnet_workload.id`);
    expect(text).toContain(`data "azurerm_network_interface" "db1_nic" {`);
    expect(text).toContain("network_interface_id      = data.azurerm_network_interface.db1_nic.id");
    // The interfaces' ASG memberships are associations too.
    expect(text).toContain(
      `resource "azurerm_network_interface_application_security_group_association" "web1_nic_web"`,
    );
  });

  it("imports back: the NSGs and subnet associations onto placeholder networks", async () => {
    const topology = example("layered-ase");
    const back = await importTerraform([
      { file: "main.tf", text: exportTerraform(topology, "nsgs") },
    ]);
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(policy(back.topology)).toEqual(policy(topology));
    expect(back.topology.virtualNetworks.map((v) => v.addressSpace.addressPrefixes)).toEqual(
      topology.virtualNetworks.map(() => []),
    );
  });

  it("imports back with what exists: the associations merge into the declared networks and interfaces", async () => {
    const topology = example("asg-tiers");
    const result = await importSources([
      { file: "main.tf", text: exportTerraform(topology, "nsgs") },
      { file: "existing.json", text: exportArm(estate(topology)) },
    ]);
    expect(policy(result.topology)).toEqual(policy(topology));
    expect(result.topology.virtualNetworks.map((v) => v.addressSpace.addressPrefixes)).toEqual([
      ["10.20.0.0/16"],
    ]);
    // ASG memberships need the interfaces' IP configurations, which the data source does not give: named.
    const named = result.diagnostics.filter((d) => d.code === "NetworkInterfaceNotDeclared");
    expect(named.length).toBe(4);
  });

  it("writes the whole deployment with scope all, public IPs included, and imports it back", async () => {
    const topology: Topology = {
      ...example("three-tier"),
      publicIPAddresses: [{ name: "web-pip", sku: "Standard" }],
    };
    const first = topology.networkInterfaces[0];
    const withPip: Topology = {
      ...topology,
      networkInterfaces: topology.networkInterfaces.map((n) =>
        n === first
          ? {
              ...n,
              ipConfigurations: n.ipConfigurations.map((c, i) =>
                i === 0 ? { ...c, publicIPAddress: "web-pip" } : c,
              ),
            }
          : n,
      ),
    };
    const text = exportTerraform(withPip, "all");
    expect(text).toContain(`resource "azurerm_public_ip" "web_pip" {`);
    expect(text).toContain(`sku                 = "Standard"`);
    expect(text).toContain("public_ip_address_id          = azurerm_public_ip.web_pip.id");
    const back = await importTerraform([{ file: "main.tf", text }]);
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(back.topology.publicIPAddresses).toEqual(
      [
        {
          name: "web-pip",
          location: undefined,
          sku: "Standard",
          publicIPAllocationMethod: "Static",
        },
      ].map(({ location: _, ...p }) => p),
    );
    expect(policy(back.topology)).toEqual(policy(withPip));
    expect(back.topology.networkInterfaces[0]?.ipConfigurations[0]?.publicIPAddress).toBe(
      "web-pip",
    );
  });
});
