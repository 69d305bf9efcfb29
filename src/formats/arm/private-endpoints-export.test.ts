/**
 * Exports with private endpoints and Bastion hosts: `--scope all` writes them
 * (and the ARM import reads back what it wrote); every scope keeps a subnet's
 * privateEndpointNetworkPolicies, which a redeployed subnet would otherwise lose.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Topology } from "../../model/types.js";
import { exportBicep } from "../bicep/export.js";
import { exportArm } from "./export.js";
import { importArm } from "./import.js";

const SPEC = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: pe, addressPrefix: 10.0.2.0/24, networkSecurityGroup: pe-nsg, privateEndpointNetworkPolicies: NetworkSecurityGroupEnabled }
      - { name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26 }
publicIPAddresses: [{ name: bastion-pip, sku: Standard }]
bastionHosts:
  - { name: bastion, sku: Standard, ipConfigurations: [{ name: IpConf, subnet: vnet/AzureBastionSubnet, publicIPAddress: bastion-pip }] }
privateEndpoints:
  - name: pe-sql
    subnet: vnet/pe
    privateIPAddress: 10.0.2.10
    privateLinkServiceConnections:
      - { name: sql, privateLinkServiceId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1, groupIds: [sqlServer] }
networkSecurityGroups:
  - name: pe-nsg
    securityRules: []
`;

function topology(): Topology {
  const loaded = loadSpecText(SPEC);
  if (!loaded.spec) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.spec.topology;
}

describe("exporting private endpoints and Bastion hosts", () => {
  it("writes them with --scope all, and the import reads back what was written", () => {
    const template = JSON.parse(exportArm(topology(), "all"));
    const types = template.resources.map((r: { type: string }) => r.type);
    expect(types).toContain("Microsoft.Network/privateEndpoints");
    expect(types).toContain("Microsoft.Network/bastionHosts");
    const back = importArm(JSON.stringify(template), "out.json");
    expect(back.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(back.topology.privateEndpoints).toEqual([
      {
        name: "pe-sql",
        subnet: "vnet/pe",
        privateIPAddress: "10.0.2.10",
        privateLinkServiceConnections: [
          {
            name: "sql",
            privateLinkServiceId:
              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1",
            groupIds: ["sqlServer"],
          },
        ],
      },
    ]);
    expect(back.topology.bastionHosts).toEqual([
      {
        name: "bastion",
        sku: "Standard",
        ipConfigurations: [
          { name: "IpConf", subnet: "vnet/AzureBastionSubnet", publicIPAddress: "bastion-pip" },
        ],
      },
    ]);
    expect(back.topology.virtualNetworks[0]?.subnets[0]?.privateEndpointNetworkPolicies).toBe(
      "NetworkSecurityGroupEnabled",
    );
  });

  it("keeps a subnet's policy in the NSG scope, where the subnet is redeployed, and writes no endpoint there", () => {
    const template = JSON.parse(exportArm(topology(), "nsgs"));
    const subnet = template.resources.find(
      (r: { type: string }) => r.type === "Microsoft.Network/virtualNetworks/subnets",
    );
    expect(subnet.properties.privateEndpointNetworkPolicies).toBe("NetworkSecurityGroupEnabled");
    const types = template.resources.map((r: { type: string }) => r.type);
    expect(types).not.toContain("Microsoft.Network/privateEndpoints");
    expect(types).not.toContain("Microsoft.Network/bastionHosts");
  });

  it("writes them to Bicep too", () => {
    const bicep = exportBicep(topology(), "all");
    expect(bicep).toContain("'Microsoft.Network/privateEndpoints@");
    expect(bicep).toContain("'Microsoft.Network/bastionHosts@");
  });
});
