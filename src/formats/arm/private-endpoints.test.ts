/**
 * Private endpoints, subnets' privateEndpointNetworkPolicies and Bastion hosts
 * as ARM templates write them and `az network private-endpoint list` /
 * `az network bastion list` print them: read into the spec, never named as not
 * modelled, and what is written passes check and answers flows.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { writeSpec } from "../../specfile/write.js";
import { importArm } from "./import.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.code} ${d.path.join(".")}`);

const template = (resources: unknown[], parameters: Record<string, unknown> = {}) =>
  JSON.stringify({
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters,
    resources,
  });

const VNET = {
  type: "Microsoft.Network/virtualNetworks",
  apiVersion: "2024-05-01",
  name: "vnet",
  location: "westeurope",
  properties: {
    addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
    subnets: [
      { name: "app", properties: { addressPrefix: "10.0.1.0/24" } },
      {
        name: "endpoints",
        properties: {
          addressPrefix: "10.0.2.0/24",
          networkSecurityGroup: {
            id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'pe-nsg')]",
          },
          privateEndpointNetworkPolicies: "[parameters('policies')]",
        },
      },
      { name: "AzureBastionSubnet", properties: { addressPrefix: "10.0.255.0/26" } },
    ],
  },
};

const NSG = {
  type: "Microsoft.Network/networkSecurityGroups",
  apiVersion: "2024-05-01",
  name: "pe-nsg",
  location: "westeurope",
  properties: {
    securityRules: [
      {
        name: "deny-all",
        properties: {
          protocol: "*",
          access: "Deny",
          priority: 4000,
          direction: "Inbound",
          sourceAddressPrefix: "*",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "*",
        },
      },
    ],
  },
};

const PE = {
  type: "Microsoft.Network/privateEndpoints",
  apiVersion: "2024-05-01",
  name: "pe-blob",
  location: "westeurope",
  properties: {
    subnet: {
      id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'endpoints')]",
    },
    privateLinkServiceConnections: [
      {
        name: "blob",
        properties: {
          privateLinkServiceId: "[resourceId('Microsoft.Storage/storageAccounts', 'store1')]",
          groupIds: ["blob"],
        },
      },
    ],
  },
};

const BASTION = [
  {
    type: "Microsoft.Network/publicIPAddresses",
    apiVersion: "2024-05-01",
    name: "bastion-pip",
    location: "westeurope",
    sku: { name: "Standard" },
    properties: { publicIPAllocationMethod: "Static" },
  },
  {
    type: "Microsoft.Network/bastionHosts",
    apiVersion: "2024-05-01",
    name: "bastion",
    location: "westeurope",
    sku: { name: "Standard" },
    properties: {
      ipConfigurations: [
        {
          name: "IpConf",
          properties: {
            subnet: {
              id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'AzureBastionSubnet')]",
            },
            publicIPAddress: {
              id: "[resourceId('Microsoft.Network/publicIPAddresses', 'bastion-pip')]",
            },
          },
        },
      ],
    },
  },
];

const VM_NIC = {
  type: "Microsoft.Network/networkInterfaces",
  apiVersion: "2024-05-01",
  name: "vm-nic",
  location: "westeurope",
  properties: {
    ipConfigurations: [
      {
        name: "ipconfig1",
        properties: {
          privateIPAllocationMethod: "Dynamic",
          subnet: {
            id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'app')]",
          },
        },
      },
    ],
  },
};

const POLICIES = { policies: { type: "string", defaultValue: "Disabled" } };

const flow = (spec: string, from: string, to: string, port: number) => {
  const evaluated = new FlowEvaluator(networkOf(spec)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
};

describe("a template's private endpoints and Bastion hosts", () => {
  const read = (policies: string) =>
    importArm(
      template([VNET, NSG, PE, ...BASTION, VM_NIC], {
        policies: { type: "string", defaultValue: policies },
      }),
      "main.json",
    );

  it("are read, with nothing named as not modelled", () => {
    const { topology, diagnostics } = read("Disabled");
    expect(named(diagnostics)).toEqual([]);
    expect(topology.privateEndpoints).toEqual([
      {
        name: "pe-blob",
        location: "westeurope",
        subnet: "vnet/endpoints",
        privateLinkServiceConnections: [
          {
            name: "blob",
            privateLinkServiceId: "/providers/Microsoft.Storage/storageAccounts/store1",
            groupIds: ["blob"],
          },
        ],
      },
    ]);
    expect(topology.bastionHosts).toEqual([
      {
        name: "bastion",
        location: "westeurope",
        sku: "Standard",
        ipConfigurations: [
          { name: "IpConf", subnet: "vnet/AzureBastionSubnet", publicIPAddress: "bastion-pip" },
        ],
      },
    ]);
    // Disabled is Azure's default, and is left out.
    expect(topology.virtualNetworks[0]?.subnets[1]?.privateEndpointNetworkPolicies).toBeUndefined();
    expect(
      read("RouteTableEnabled").topology.virtualNetworks[0]?.subnets[1]
        ?.privateEndpointNetworkPolicies,
    ).toBe("RouteTableEnabled");
  });

  it("answer flows as Azure does: the endpoint's subnet NSG only when the policy enables it", () => {
    const disabled = writeSpec(read("Disabled").topology);
    expect(flow(disabled, "nic:vm-nic", "pe:pe-blob", 443).access).toBe("Allow");
    const enabled = writeSpec(read("NetworkSecurityGroupEnabled").topology);
    const r = flow(enabled, "nic:vm-nic", "pe:pe-blob", 443);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/deny-all");
    expect(r.to).toContain("Microsoft.Storage/storageAccounts store1 (blob)");
    expect(flow(disabled, "bastion:bastion", "nic:vm-nic", 3389).access).toBe("Allow");
    expect(flow(disabled, "Internet", "bastion:bastion", 443).route).toBe("public");
  });

  it("name a policy that is not one of Azure's values, read as Disabled", () => {
    const { topology, diagnostics } = read("Sometimes");
    expect(named(diagnostics)).toEqual([
      "warning PrivateEndpointNetworkPoliciesNotKnown resources.0.properties.subnets.1.properties.privateEndpointNetworkPolicies",
    ]);
    expect(topology.virtualNetworks[0]?.subnets[1]?.privateEndpointNetworkPolicies).toBeUndefined();
  });

  it("take a Bastion host's public IP no file declares as Standard, as Bastion requires", () => {
    const { topology } = importArm(template([VNET, NSG, BASTION[1]], POLICIES), "main.json");
    expect(topology.publicIPAddresses).toEqual([{ name: "bastion-pip", sku: "Standard" }]);
    networkOf(writeSpec(topology));
  });

  it("name a Developer Bastion host as not modelled", () => {
    const developer = { ...BASTION[1], sku: { name: "Developer" }, properties: {} };
    const { topology, diagnostics } = importArm(
      template([VNET, NSG, developer], POLICIES),
      "main.json",
    );
    expect(named(diagnostics)).toEqual(["warning NotModelled resources.2"]);
    expect(topology.bastionHosts).toBeUndefined();
  });
});

describe("az output", () => {
  it("`az network private-endpoint list` gives the address Azure assigned, from customDnsConfigs", () => {
    const list = [
      {
        id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe-kv",
        name: "pe-kv",
        type: "Microsoft.Network/privateEndpoints",
        location: "westeurope",
        subnet: {
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/endpoints",
        },
        privateLinkServiceConnections: [
          {
            name: "kv",
            privateLinkServiceId:
              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
            groupIds: ["vault"],
          },
        ],
        customDnsConfigs: [{ fqdn: "kv1.vault.azure.net", ipAddresses: ["10.0.2.7"] }],
        networkInterfaces: [
          {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/pe-kv.nic.1",
          },
        ],
      },
    ];
    const { topology, diagnostics } = importArm(JSON.stringify(list), "pe.json");
    expect(named(diagnostics)).toEqual([]);
    expect(topology.privateEndpoints?.[0]).toMatchObject({
      name: "pe-kv",
      privateIPAddress: "10.0.2.7",
      privateLinkServiceConnections: [{ groupIds: ["vault"] }],
    });
    expect(refOf(topology.privateEndpoints?.[0]?.subnet)).toContain("endpoints");
  });
});

describe("a private endpoint's application security groups", () => {
  it("are named as not modelled, where they are", () => {
    const pe = {
      ...PE,
      properties: {
        ...PE.properties,
        applicationSecurityGroups: [
          { id: "[resourceId('Microsoft.Network/applicationSecurityGroups', 'kv-asg')]" },
        ],
      },
    };
    const { diagnostics } = importArm(template([VNET, NSG, pe], POLICIES), "main.json");
    expect(named(diagnostics)).toEqual([
      "warning NotModelled resources.2.properties.applicationSecurityGroups",
    ]);
  });
});

describe("`az network bastion list`", () => {
  it("reads the host with its lifted ip configurations and SKU", () => {
    const list = [
      {
        id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/bastionHosts/bastion",
        name: "bastion",
        type: "Microsoft.Network/bastionHosts",
        location: "westeurope",
        sku: { name: "Basic" },
        scaleUnits: 2,
        dnsName: "bst-0000.bastion.azure.com",
        ipConfigurations: [
          {
            name: "IpConf",
            privateIPAllocationMethod: "Dynamic",
            subnet: {
              id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/AzureBastionSubnet",
            },
            publicIPAddress: {
              id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/bastion-pip",
            },
          },
        ],
      },
    ];
    const { topology, diagnostics } = importArm(JSON.stringify(list), "bastion.json");
    expect(named(diagnostics)).toEqual([]);
    expect(topology.bastionHosts?.[0]).toMatchObject({ name: "bastion", sku: "Basic" });
    expect(refOf(topology.bastionHosts?.[0]?.ipConfigurations[0]?.subnet)).toContain(
      "AzureBastionSubnet",
    );
    expect(topology.publicIPAddresses).toEqual([
      expect.objectContaining({ name: "bastion-pip", sku: "Standard" }),
    ]);
  });
});

const refOf = (ref: unknown) => (typeof ref === "string" ? ref : JSON.stringify(ref));
