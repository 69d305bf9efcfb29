/**
 * Public IP addresses, Dynamic interfaces and peering flags as ARM templates
 * and the az CLI write them, and the userdefined-routes-appliance quickstart
 * (from the shared folder) with its public IPs kept.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";
import { importArm } from "./import.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.severity} ${d.code} ${d.path.join(".")}`);

const template = (resources: unknown[]) =>
  JSON.stringify({
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    resources,
  });

const VNET = {
  type: "Microsoft.Network/virtualNetworks",
  apiVersion: "2024-05-01",
  name: "vnet",
  location: "westeurope",
  properties: {
    addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
    subnets: [{ name: "web", properties: { addressPrefix: "10.0.1.0/24" } }],
  },
};

const nic = (name: string, ipConfiguration: Record<string, unknown>) => ({
  type: "Microsoft.Network/networkInterfaces",
  apiVersion: "2024-05-01",
  name,
  location: "westeurope",
  properties: {
    ipConfigurations: [
      {
        name: "ipconfig1",
        properties: {
          subnet: {
            id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'web')]",
          },
          ...ipConfiguration,
        },
      },
    ],
  },
});

const pip = (name: string, sku: unknown, properties: Record<string, unknown> = {}) => ({
  type: "Microsoft.Network/publicIPAddresses",
  apiVersion: "2024-05-01",
  name,
  location: "westeurope",
  ...(sku === undefined ? {} : { sku }),
  properties,
});

describe("importArm: public IP addresses and Dynamic interfaces", () => {
  it("reads a Dynamic interface with its public IP, and the public IP's SKU", () => {
    const text = template([
      VNET,
      pip(
        "pip-web",
        { name: "Standard", tier: "Regional" },
        { publicIPAllocationMethod: "Static" },
      ),
      nic("web-nic", {
        privateIPAllocationMethod: "Dynamic",
        publicIPAddress: { id: "[resourceId('Microsoft.Network/publicIPAddresses', 'pip-web')]" },
      }),
    ]);
    const { topology, diagnostics } = importArm(text, "azuredeploy.json");
    expect(named(diagnostics.filter((d) => d.severity !== "info"))).toEqual([]);
    expect(topology.publicIPAddresses).toEqual([
      {
        name: "pip-web",
        location: "westeurope",
        sku: "Standard",
        publicIPAllocationMethod: "Static",
      },
    ]);
    expect(topology.networkInterfaces[0]?.ipConfigurations).toEqual([
      {
        name: "ipconfig1",
        privateIPAllocationMethod: "Dynamic",
        publicIPAddress: "pip-web",
        subnet: "vnet/web",
      },
    ]);
  });

  it("reads a public IP without a SKU as Basic, naming it unless it is Dynamic (which only Basic can be)", () => {
    const text = template([
      pip("static-no-sku", undefined, { publicIPAllocationMethod: "Static" }),
      pip("dynamic-no-sku", undefined, { publicIPAllocationMethod: "Dynamic" }),
    ]);
    const { topology, diagnostics } = importArm(text, "azuredeploy.json");
    expect(topology.publicIPAddresses?.map((p) => `${p.name} ${p.sku}`)).toEqual([
      "static-no-sku Basic",
      "dynamic-no-sku Basic",
    ]);
    expect(named(diagnostics.filter((d) => d.code === "PublicIPSkuNotKnown"))).toEqual([
      "info PublicIPSkuNotKnown resources.0",
    ]);
  });

  it("keeps a public IP an interface names but no file declares, as Basic with its address not known, and names it", async () => {
    const text = JSON.stringify({
      parameters: { prefix: { type: "string" } },
      resources: [
        VNET,
        nic("web-nic", {
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: {
            id: "[resourceId('other-rg', 'Microsoft.Network/publicIPAddresses', 'shared-pip')]",
          },
        }),
        nic("app-nic", {
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: {
            id: "[resourceId('Microsoft.Network/publicIPAddresses', concat(parameters('prefix'), '-pip'))]",
          },
        }),
      ],
    });
    const result = await importSources([{ file: "azuredeploy.json", text }]);
    expect(result.topology.publicIPAddresses).toEqual([
      { name: "shared-pip", sku: "Basic" },
      { name: "<prefix>-pip", sku: "Basic" },
    ]);
    const notDeclared = result.diagnostics.filter((d) => d.code === "PublicIPAddressNotDeclared");
    expect(notDeclared.map((d) => `${d.severity} ${d.location?.line}`)).toEqual([
      "warning 1",
      "warning 1",
    ]);
    expect(notDeclared[0]?.message).toContain('"shared-pip" is declared by no imported file');
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("imports a Dynamic interface without --allow-partial, its NSG and public IP kept, and validates", async () => {
    const text = template([
      VNET,
      {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: "2024-05-01",
        name: "web-nsg",
        location: "westeurope",
        properties: { securityRules: [] },
      },
      pip("pip-web", { name: "Standard" }, { publicIPAllocationMethod: "Static" }),
      {
        ...nic("web-nic", {
          publicIPAddress: { id: "[resourceId('Microsoft.Network/publicIPAddresses', 'pip-web')]" },
        }),
        properties: {
          ...nic("web-nic", {}).properties,
          networkSecurityGroup: {
            id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'web-nsg')]",
          },
        },
      },
    ]);
    const result = await importSources([{ file: "azuredeploy.json", text }]);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.spec).toContain("privateIPAllocationMethod: Dynamic");
    expect(result.spec).toContain("publicIPAddresses:");
    expect(result.partial).toBeUndefined();
  });

  it("reads a peering's allowVirtualNetworkAccess: false", () => {
    const peered = (name: string, prefix: string, remote: string, access?: boolean) => ({
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2024-05-01",
      name,
      location: "westeurope",
      properties: {
        addressSpace: { addressPrefixes: [prefix] },
        virtualNetworkPeerings: [
          {
            name: `${name}-to-${remote}`,
            properties: {
              remoteVirtualNetwork: {
                id: `[resourceId('Microsoft.Network/virtualNetworks', '${remote}')]`,
              },
              ...(access === undefined ? {} : { allowVirtualNetworkAccess: access }),
            },
          },
        ],
      },
    });
    const { topology } = importArm(
      template([peered("a", "10.1.0.0/16", "b", false), peered("b", "10.2.0.0/16", "a", true)]),
      "azuredeploy.json",
    );
    expect(topology.virtualNetworks.map((v) => v.virtualNetworkPeerings)).toEqual([
      [{ name: "a-to-b", remoteVirtualNetwork: "b", allowVirtualNetworkAccess: false }],
      [{ name: "b-to-a", remoteVirtualNetwork: "a" }],
    ]);
  });
});

describe("importArm: az network nic show and az network public-ip show", () => {
  const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg";
  const NET = `${SUB}/providers/Microsoft.Network`;
  // The flattened shapes the az CLI prints: properties at the top level.
  const nicShow = {
    name: "web-nic",
    type: "Microsoft.Network/networkInterfaces",
    id: `${NET}/networkInterfaces/web-nic`,
    location: "westeurope",
    provisioningState: "Succeeded",
    ipConfigurations: [
      {
        name: "ipconfig1",
        id: `${NET}/networkInterfaces/web-nic/ipConfigurations/ipconfig1`,
        privateIPAddress: "10.0.1.4",
        privateIPAllocationMethod: "Dynamic",
        privateIPAddressVersion: "IPv4",
        publicIPAddress: { id: `${NET}/publicIPAddresses/pip-web`, resourceGroup: "rg" },
        subnet: { id: `${NET}/virtualNetworks/vnet/subnets/web`, resourceGroup: "rg" },
      },
    ],
  };
  const pipShow = {
    name: "pip-web",
    type: "Microsoft.Network/publicIPAddresses",
    id: `${NET}/publicIPAddresses/pip-web`,
    location: "westeurope",
    ipAddress: "203.0.113.4",
    publicIPAllocationMethod: "Static",
    publicIPAddressVersion: "IPv4",
    sku: { name: "Standard", tier: "Regional" },
    idleTimeoutInMinutes: 4,
  };

  it("reads the address Azure assigned to a Dynamic interface, and the public IP with its address", () => {
    const nics = importArm(JSON.stringify(nicShow), "nic.json");
    expect(nics.topology.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      privateIPAddress: "10.0.1.4",
      publicIPAddress: { id: `${NET}/publicIPAddresses/pip-web` },
    });
    const pips = importArm(JSON.stringify([pipShow]), "pips.json");
    expect(pips.topology.publicIPAddresses).toEqual([
      {
        name: "pip-web",
        location: "westeurope",
        sku: "Standard",
        ipAddress: "203.0.113.4",
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv4",
      },
    ]);
  });

  it("joins the two outputs, and the interface is reached on the public IP's address", async () => {
    const vnetShow = {
      name: "vnet",
      type: "Microsoft.Network/virtualNetworks",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "web", addressPrefix: "10.0.1.0/24" }],
    };
    const result = await importSources([
      { file: "nic.json", text: JSON.stringify(nicShow) },
      { file: "pip.json", text: JSON.stringify(pipShow) },
      { file: "vnet.json", text: JSON.stringify(vnetShow) },
    ]);
    expect(result.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    const flow = new FlowEvaluator(networkOf(result.spec ?? "")).evaluate({
      from: "192.0.2.77",
      to: "203.0.113.4",
      protocol: "Tcp",
      destinationPort: 22,
    });
    if (!flow.ok) throw new Error(flow.message);
    // Standard, and no NSG anywhere: closed.
    expect(flow.result.access).toBe("Deny");
    expect(flow.result.to).toBe("public IP pip-web (network interface web-nic)");
  });

  it("a public IP another file declares replaces the one an interface only names", async () => {
    const template = {
      resources: [
        VNET,
        nic("web-nic", {
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: { id: "[resourceId('Microsoft.Network/publicIPAddresses', 'pip-web')]" },
        }),
      ],
    };
    const result = await importSources([
      { file: "azuredeploy.json", text: JSON.stringify(template) },
      { file: "pip.json", text: JSON.stringify(pipShow) },
    ]);
    expect(result.topology.publicIPAddresses?.map((p) => `${p.name} ${p.sku}`)).toEqual([
      "pip-web Standard",
    ]);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

const APPLIANCE = sharedFile(
  "fixtures/real/08-azure-quickstart-templates--quickstarts--microsoft.network--userdefined-routes-appliance--azuredeploy.json",
);

describe("the userdefined-routes-appliance quickstart", () => {
  it.skipIf(APPLIANCE.missing !== undefined)(
    titled(
      "imports its three Dynamic or static interfaces with their public IPs, and the Internet reaches the NSG's RDP port",
      APPLIANCE.missing,
    ),
    async () => {
      const text = readFileSync(APPLIANCE.path, "utf8");
      const result = await importSources([{ file: "azuredeploy.json", text }]);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(result.partial).toBeUndefined();
      const topology = result.topology;
      expect(
        topology.networkInterfaces.map(
          (n) =>
            `${n.name} ${n.ipConfigurations[0]?.privateIPAddress ?? n.ipConfigurations[0]?.privateIPAllocationMethod} ${n.ipConfigurations[0]?.publicIPAddress}`,
        ),
      ).toEqual([
        "Nic0 Dynamic <uniqueDnsPrefixForVM>0",
        "Nic1 10.1.1.4 <uniqueDnsPrefixForVM>1",
        "Nic2 Dynamic <uniqueDnsPrefixForVM>2",
      ]);
      // The copy loop's public IPs are Dynamic (the parameter's default): Basic.
      expect(topology.publicIPAddresses?.map((p) => `${p.name} ${p.sku}`)).toEqual([
        "<uniqueDnsPrefixForVM>0 Basic",
        "<uniqueDnsPrefixForVM>1 Basic",
        "<uniqueDnsPrefixForVM>2 Basic",
      ]);
      const evaluator = new FlowEvaluator(networkOf(result.spec ?? ""));
      const flow = (to: string, port: number) => {
        const r = evaluator.evaluate({
          from: "192.0.2.77",
          to,
          protocol: "Tcp",
          destinationPort: port,
        });
        if (!r.ok) throw new Error(r.message);
        return r.result;
      };
      for (const to of ["nic:Nic0", "nic:Nic1", "nic:Nic2"]) {
        expect(flow(to, 3389).access, to).toBe("Allow");
        expect(flow(to, 3389).rule, to).toBe("securityRules/rdp_rule");
        expect(flow(to, 22).rule, to).toBe("defaultSecurityRules/DenyAllInBound");
      }
      expect(flow("nic:Nic0", 3389).trace.map((t) => t.packet)).toEqual([
        "Tcp 192.0.2.77:49152 -> 10.1.0.x:3389",
      ]);
    },
  );
});
