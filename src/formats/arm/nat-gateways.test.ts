/**
 * NAT gateways, subnets' natGateway and defaultOutboundAccess, and load
 * balancer outbound rules as ARM templates and az output write them; the
 * imported spec loads and flow names the way out.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { writeSpec } from "../../specfile/write.js";
import { exportTopology, importSources } from "../catalog.js";
import { importArm } from "./import.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.code} ${d.path.join(".")}`);

const id = (type: string, name: string) => `[resourceId('Microsoft.Network/${type}', '${name}')]`;

const TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  resources: [
    {
      type: "Microsoft.Network/publicIPAddresses",
      apiVersion: "2024-05-01",
      name: "nat-ip",
      location: "westeurope",
      sku: { name: "Standard" },
      properties: { publicIPAllocationMethod: "Static" },
    },
    {
      type: "Microsoft.Network/natGateways",
      apiVersion: "2024-05-01",
      name: "nat1",
      location: "westeurope",
      sku: { name: "Standard" },
      properties: {
        idleTimeoutInMinutes: 10,
        publicIpAddresses: [{ id: id("publicIPAddresses", "nat-ip") }],
        publicIpPrefixes: [{ id: id("publicIPPrefixes", "nat-prefix") }],
      },
    },
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2024-05-01",
      name: "vnet",
      location: "westeurope",
      properties: {
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          {
            name: "app",
            properties: {
              addressPrefix: "10.0.1.0/24",
              natGateway: { id: id("natGateways", "nat1") },
              defaultOutboundAccess: false,
            },
          },
          {
            name: "batch",
            properties: { addressPrefix: "10.0.2.0/24", defaultOutboundAccess: false },
          },
        ],
      },
    },
    {
      type: "Microsoft.Network/networkInterfaces",
      apiVersion: "2024-05-01",
      name: "vm1-nic",
      location: "westeurope",
      properties: {
        ipConfigurations: [
          {
            name: "ipconfig1",
            properties: {
              privateIPAllocationMethod: "Static",
              privateIPAddress: "10.0.1.4",
              subnet: {
                id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'app')]",
              },
            },
          },
        ],
      },
    },
  ],
};

describe("ARM NAT gateways", () => {
  it("reads the gateway, the subnet's natGateway and defaultOutboundAccess, and names no NAT gateway as not modelled", () => {
    const { topology, diagnostics } = importArm(JSON.stringify(TEMPLATE), "azuredeploy.json");
    expect(topology.natGateways).toEqual([
      {
        name: "nat1",
        location: "westeurope",
        sku: "Standard",
        publicIpAddresses: ["nat-ip"],
        publicIpPrefixes: ["nat-prefix"],
        idleTimeoutInMinutes: 10,
      },
    ]);
    const [app, batch] = topology.virtualNetworks[0]?.subnets ?? [];
    expect(app).toMatchObject({ natGateway: "nat1", defaultOutboundAccess: false });
    expect(batch).toMatchObject({ defaultOutboundAccess: false });
    expect(named(diagnostics)).toEqual([]);
    expect(diagnostics.map((d) => d.code)).not.toContain("NotModelled");
  });

  it("the imported spec loads, and flow leaves through the NAT gateway", () => {
    const { topology } = importArm(JSON.stringify(TEMPLATE), "azuredeploy.json");
    const network = networkOf(writeSpec(topology));
    const r = new FlowEvaluator(network).evaluate({
      from: "nic:vm1-nic",
      to: "192.0.2.80",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.access).toBe("Allow");
    expect(r.result.egress).toMatchObject({
      via: "NatGateway",
      name: "nat1",
      publicAddresses: ["<nat-ip>"],
      publicIpPrefixes: ["nat-prefix"],
    });
  });

  it("reads az output: a NAT gateway as az network nat gateway list prints it, and a subnet naming it by id", () => {
    const sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network";
    const nat = {
      id: `${sub}/natGateways/nat1`,
      name: "nat1",
      type: "Microsoft.Network/natGateways",
      location: "westeurope",
      sku: { name: "Standard", tier: "Regional" },
      idleTimeoutInMinutes: 4,
      provisioningState: "Succeeded",
      publicIpAddresses: [{ id: `${sub}/publicIPAddresses/nat-ip`, resourceGroup: "rg" }],
      subnets: [{ id: `${sub}/virtualNetworks/vnet/subnets/app`, resourceGroup: "rg" }],
    };
    const pip = {
      id: `${sub}/publicIPAddresses/nat-ip`,
      name: "nat-ip",
      type: "Microsoft.Network/publicIPAddresses",
      sku: { name: "Standard" },
      ipAddress: "203.0.113.10",
      publicIPAllocationMethod: "Static",
    };
    const vnet = {
      id: `${sub}/virtualNetworks/vnet`,
      name: "vnet",
      type: "Microsoft.Network/virtualNetworks",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          id: `${sub}/virtualNetworks/vnet/subnets/app`,
          name: "app",
          addressPrefix: "10.0.1.0/24",
          natGateway: { id: `${sub}/natGateways/nat1`, resourceGroup: "rg" },
          defaultOutboundAccess: true,
        },
      ],
    };
    const { topology, diagnostics } = importArm(JSON.stringify([nat, pip, vnet]), "az.json");
    expect(named(diagnostics)).toEqual([]);
    expect(topology.natGateways?.[0]).toMatchObject({ name: "nat1", idleTimeoutInMinutes: 4 });
    const network = networkOf(writeSpec(topology));
    expect(network.natGateways?.get("nat1")?.publicIps.map((p) => p.name)).toEqual(["nat-ip"]);
    expect(network.subnets[0]).toMatchObject({ natGateway: "nat1", defaultOutboundAccess: true });
  });
});

describe("ARM load balancer outbound rules", () => {
  it("reads them into the load balancer, and flow leaves by them", () => {
    const lb = {
      type: "Microsoft.Network/loadBalancers",
      apiVersion: "2024-05-01",
      name: "lb",
      location: "westeurope",
      sku: { name: "Standard" },
      properties: {
        frontendIPConfigurations: [
          { name: "fe", properties: { publicIPAddress: { id: id("publicIPAddresses", "lb-ip") } } },
        ],
        backendAddressPools: [{ name: "pool" }],
        outboundRules: [
          {
            name: "out",
            properties: {
              frontendIPConfigurations: [
                {
                  id: "[resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', 'lb', 'fe')]",
                },
              ],
              backendAddressPool: {
                id: "[resourceId('Microsoft.Network/loadBalancers/backendAddressPools', 'lb', 'pool')]",
              },
              protocol: "All",
              allocatedOutboundPorts: 1024,
              idleTimeoutInMinutes: 4,
              enableTcpReset: true,
            },
          },
        ],
      },
    };
    const lbIp = {
      type: "Microsoft.Network/publicIPAddresses",
      apiVersion: "2024-05-01",
      name: "lb-ip",
      sku: { name: "Standard" },
      properties: { publicIPAllocationMethod: "Static" },
    };
    const [, , vnet, nic] = TEMPLATE.resources;
    const plainVnet = JSON.parse(JSON.stringify(vnet).replace(/"natGateway":\{[^}]*\},/, ""));
    const inPool = JSON.parse(JSON.stringify(nic));
    inPool.properties.ipConfigurations[0].properties.loadBalancerBackendAddressPools = [
      { id: "[resourceId('Microsoft.Network/loadBalancers/backendAddressPools', 'lb', 'pool')]" },
    ];
    const text = JSON.stringify({ ...TEMPLATE, resources: [lbIp, lb, plainVnet, inPool] });
    const { topology, diagnostics } = importArm(text, "azuredeploy.json");
    expect(named(diagnostics)).toEqual([]);
    expect(diagnostics.map((d) => d.code)).not.toContain("NotModelled");
    expect(topology.loadBalancers?.[0]?.outboundRules).toEqual([
      {
        name: "out",
        frontendIPConfigurations: [expect.anything()],
        backendAddressPool: expect.anything(),
        protocol: "All",
        allocatedOutboundPorts: 1024,
        idleTimeoutInMinutes: 4,
        enableTcpReset: true,
      },
    ]);
    const r = new FlowEvaluator(networkOf(writeSpec(topology))).evaluate({
      from: "nic:vm1-nic",
      to: "192.0.2.80",
      protocol: "Udp",
      destinationPort: 53,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.egress).toMatchObject({ via: "LoadBalancerOutboundRule", name: "lb/out" });
  });
});

describe("ARM export of the way out", () => {
  const topology = () => {
    const lb = {
      name: "lb",
      sku: "Standard" as const,
      frontendIPConfigurations: [{ name: "fe", publicIPAddress: "lb-ip" }],
      backendAddressPools: [{ name: "pool" }],
      outboundRules: [
        {
          name: "out",
          frontendIPConfigurations: ["fe"],
          backendAddressPool: "pool",
          protocol: "Tcp" as const,
        },
      ],
    };
    const base = importArm(JSON.stringify(TEMPLATE), "azuredeploy.json").topology;
    return {
      ...base,
      publicIPAddresses: [
        ...(base.publicIPAddresses ?? []),
        { name: "lb-ip", sku: "Standard" as const },
      ],
      loadBalancers: [lb],
    };
  };

  it("with --scope all writes NAT gateways, subnets' natGateway and defaultOutboundAccess, and outbound rules; imported back they are the same", async () => {
    const { text, diagnostics } = await exportTopology("arm", topology(), "all");
    expect(diagnostics.filter((d) => /NAT gateway|defaultOutboundAccess/.test(d.message))).toEqual(
      [],
    );
    const template = JSON.parse(text);
    const nat = template.resources.find(
      (r: { type: string }) => r.type === "Microsoft.Network/natGateways",
    );
    expect(nat).toMatchObject({
      name: "nat1",
      sku: { name: "Standard" },
      properties: {
        publicIpAddresses: [
          { id: "[resourceId('Microsoft.Network/publicIPAddresses', 'nat-ip')]" },
        ],
        idleTimeoutInMinutes: 10,
      },
    });
    const back = importArm(text, "exported.json").topology;
    expect(back.natGateways).toEqual([
      {
        name: "nat1",
        location: "westeurope",
        sku: "Standard",
        publicIpAddresses: ["nat-ip"],
        publicIpPrefixes: ["nat-prefix"],
        idleTimeoutInMinutes: 10,
      },
    ]);
    expect(
      back.virtualNetworks[0]?.subnets.map((s) => [s.natGateway, s.defaultOutboundAccess]),
    ).toEqual([
      ["nat1", false],
      [undefined, false],
    ]);
    expect(back.loadBalancers?.[0]?.outboundRules?.[0]).toMatchObject({
      name: "out",
      protocol: "Tcp",
    });
  });

  it("other formats name NAT gateways and subnets' outbound settings as not exported", async () => {
    const { diagnostics } = await exportTopology("terraform", topology(), "all");
    const notes = diagnostics.filter((d) => d.code === "NotExported").map((d) => d.message);
    expect(notes).toContainEqual(expect.stringContaining("NAT gateways (nat1) are not exported"));
    expect(notes).toContainEqual(
      expect.stringContaining("subnet vnet/app: its NAT gateway nat1 is not written"),
    );
    expect(notes).toContainEqual(
      expect.stringContaining("subnet vnet/batch: defaultOutboundAccess false is not written"),
    );
  });
});

describe("a NAT gateway no imported file declares", () => {
  it("stands as a placeholder gateway with a public address not known, named; the spec loads and flow leaves through it", async () => {
    const sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network";
    const vnet = {
      id: `${sub}/virtualNetworks/vnet`,
      name: "vnet",
      type: "Microsoft.Network/virtualNetworks",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "app",
          addressPrefix: "10.0.1.0/24",
          natGateway: { id: `${sub}/natGateways/nat-elsewhere` },
          defaultOutboundAccess: false,
        },
      ],
    };
    const result = await importSources([{ file: "vnets.json", text: JSON.stringify([vnet]) }]);
    const named = result.diagnostics.filter((d) => d.code === "NatGatewayNotDeclared");
    expect(named.map((d) => d.message)).toEqual([
      "subnet vnet/app: NAT gateway nat-elsewhere is declared by no imported file; it stands as a NAT gateway whose public address is not known (public IP nat-elsewhere.publicIp, shown as <nat-elsewhere.publicIp>)",
    ]);
    expect(named[0]?.location).toMatchObject({ file: "vnets.json" });
    expect(result.spec).toBeDefined();
    const network = networkOf(result.spec as string);
    const subnet = network.subnets[0];
    expect(subnet?.natGateway).toBe("nat-elsewhere");
    const r = new FlowEvaluator(network).evaluate({
      from: "subnet:app",
      to: "192.0.2.80",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.access).toBe("Allow");
    expect(r.result.egress).toMatchObject({
      via: "NatGateway",
      publicAddresses: ["<nat-elsewhere.publicIp>"],
    });
  });
});
