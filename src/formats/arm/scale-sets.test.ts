/**
 * Virtual machine scale sets from ARM: a template's network profile (its
 * inbound NAT pool and backend pool on a load balancer of the same template)
 * and `az vmss list -o json` output (properties lifted, az's spellings), each
 * imported into a spec that `check` accepts and asked for flows; and the
 * per-instance NAT rules az prints for a NAT pool, read through the pool.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "../../engine/flow.js";
import { hasErrors } from "../../model/diagnostic.js";
import { exportTopology, importSources } from "../catalog.js";

const TEMPLATE = {
  $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  contentVersion: "1.0.0.0",
  parameters: {
    instanceCount: {
      type: "int",
      defaultValue: 2,
    },
  },
  variables: {
    lbName: "web-lb",
    natPoolName: "ssh-pool",
    bePoolName: "web-pool",
  },
  resources: [
    {
      type: "Microsoft.Network/virtualNetworks",
      apiVersion: "2023-04-01",
      name: "vnet",
      location: "westeurope",
      properties: {
        addressSpace: {
          addressPrefixes: ["10.60.0.0/16"],
        },
        subnets: [
          {
            name: "web",
            properties: {
              addressPrefix: "10.60.1.0/24",
              networkSecurityGroup: {
                id: "[resourceId('Microsoft.Network/networkSecurityGroups', 'web-nsg')]",
              },
            },
          },
        ],
      },
    },
    {
      type: "Microsoft.Network/networkSecurityGroups",
      apiVersion: "2023-04-01",
      name: "web-nsg",
      location: "westeurope",
      properties: {
        securityRules: [
          {
            name: "ssh",
            properties: {
              protocol: "Tcp",
              access: "Allow",
              priority: 100,
              direction: "Inbound",
              sourceAddressPrefix: "Internet",
              sourcePortRange: "*",
              destinationAddressPrefix: "*",
              destinationPortRange: "22",
            },
          },
        ],
      },
    },
    {
      type: "Microsoft.Network/publicIPAddresses",
      apiVersion: "2023-04-01",
      name: "lb-pip",
      location: "westeurope",
      sku: {
        name: "Standard",
      },
      properties: {
        publicIPAllocationMethod: "Static",
      },
    },
    {
      type: "Microsoft.Network/loadBalancers",
      apiVersion: "2023-04-01",
      name: "[variables('lbName')]",
      location: "westeurope",
      sku: {
        name: "Standard",
      },
      properties: {
        frontendIPConfigurations: [
          {
            name: "fe",
            properties: {
              publicIPAddress: {
                id: "[resourceId('Microsoft.Network/publicIPAddresses', 'lb-pip')]",
              },
            },
          },
        ],
        backendAddressPools: [
          {
            name: "[variables('bePoolName')]",
          },
        ],
        inboundNatPools: [
          {
            name: "[variables('natPoolName')]",
            properties: {
              frontendIPConfiguration: {
                id: "[resourceId('Microsoft.Network/loadBalancers/frontendIPConfigurations', variables('lbName'), 'fe')]",
              },
              protocol: "Tcp",
              frontendPortRangeStart: 50000,
              frontendPortRangeEnd: 50119,
              backendPort: 22,
            },
          },
        ],
      },
    },
    {
      type: "Microsoft.Compute/virtualMachineScaleSets",
      apiVersion: "2023-03-01",
      name: "web",
      location: "westeurope",
      sku: {
        name: "Standard_B2s",
        tier: "Standard",
        capacity: "[parameters('instanceCount')]",
      },
      properties: {
        orchestrationMode: "Uniform",
        upgradePolicy: {
          mode: "Manual",
        },
        virtualMachineProfile: {
          osProfile: {
            computerNamePrefix: "web",
            adminUsername: "azureuser",
          },
          networkProfile: {
            networkInterfaceConfigurations: [
              {
                name: "nic",
                properties: {
                  primary: true,
                  ipConfigurations: [
                    {
                      name: "ipconfig",
                      properties: {
                        subnet: {
                          id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'web')]",
                        },
                        loadBalancerBackendAddressPools: [
                          {
                            id: "[resourceId('Microsoft.Network/loadBalancers/backendAddressPools', variables('lbName'), variables('bePoolName'))]",
                          },
                        ],
                        loadBalancerInboundNatPools: [
                          {
                            id: "[resourceId('Microsoft.Network/loadBalancers/inboundNatPools', variables('lbName'), variables('natPoolName'))]",
                          },
                        ],
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      },
    },
  ],
};

const AZ_NETWORK = [
  {
    id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
    name: "vnet",
    type: "Microsoft.Network/virtualNetworks",
    location: "westeurope",
    addressSpace: {
      addressPrefixes: ["10.70.0.0/16"],
    },
    subnets: [
      {
        name: "app",
        addressPrefix: "10.70.2.0/24",
        id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app",
      },
    ],
  },
  {
    id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/app-asg",
    name: "app-asg",
    type: "Microsoft.Network/applicationSecurityGroups",
    location: "westeurope",
  },
  {
    id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/app-nsg",
    name: "app-nsg",
    type: "Microsoft.Network/networkSecurityGroups",
    location: "westeurope",
    securityRules: [
      {
        name: "https-to-app",
        protocol: "Tcp",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationApplicationSecurityGroups: [
          {
            id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/app-asg",
          },
        ],
        destinationPortRange: "443",
      },
    ],
  },
];

const AZ_VMSS = [
  {
    id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/app",
    location: "westeurope",
    name: "app",
    orchestrationMode: "Uniform",
    provisioningState: "Succeeded",
    resourceGroup: "rg",
    sku: {
      capacity: 3,
      name: "Standard_B2s",
      tier: "Standard",
    },
    type: "Microsoft.Compute/virtualMachineScaleSets",
    virtualMachineProfile: {
      networkProfile: {
        networkInterfaceConfigurations: [
          {
            name: "app-nic",
            primary: true,
            enableAcceleratedNetworking: false,
            enableIpForwarding: false,
            networkSecurityGroup: {
              id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/app-nsg",
            },
            ipConfigurations: [
              {
                name: "app-ipc",
                primary: true,
                privateIpAddressVersion: "IPv4",
                publicIpAddressConfiguration: {
                  name: "inst-pip",
                  idleTimeoutInMinutes: 4,
                  sku: {
                    name: "Standard",
                    tier: "Regional",
                  },
                },
                subnet: {
                  id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/app",
                },
                applicationSecurityGroups: [
                  {
                    id: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/app-asg",
                  },
                ],
                loadBalancerBackendAddressPools: [],
                loadBalancerInboundNatPools: [],
              },
            ],
          },
        ],
      },
    },
  },
];

async function imported(files: { file: string; text: string }[]) {
  const result = await importSources(files);
  const loaded = result.spec === undefined ? undefined : loadSpecText(result.spec);
  if (!loaded?.spec || hasErrors(loaded.diagnostics))
    throw new Error(
      [...result.diagnostics, ...(loaded?.diagnostics ?? [])].map((d) => d.message).join("\n"),
    );
  return { result, spec: loaded.spec };
}

function flow(
  spec: { network: FlowEvaluator["network"] },
  from: string,
  to: string,
  port: number,
): FlowResult {
  const evaluated = new FlowEvaluator(spec.network).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("scale sets in ARM templates", () => {
  it("imports the network profile, the capacity from a parameter, and the load balancer's inbound NAT pool", async () => {
    const { result, spec } = await imported([
      { file: "azuredeploy.json", text: JSON.stringify(TEMPLATE) },
    ]);
    expect(result.diagnostics.filter((d) => d.code === "NotModelled")).toEqual([]);
    expect(spec.topology.virtualMachineScaleSets).toEqual([
      {
        name: "web",
        location: "westeurope",
        orchestrationMode: "Uniform",
        sku: { name: "Standard_B2s", capacity: 2 },
        networkProfile: {
          networkInterfaceConfigurations: [
            {
              name: "nic",
              primary: true,
              ipConfigurations: [
                {
                  name: "ipconfig",
                  subnet: "vnet/web",
                  loadBalancerBackendAddressPools: ["web-lb/web-pool"],
                  loadBalancerInboundNatPools: ["web-lb/ssh-pool"],
                },
              ],
            },
          ],
        },
      },
    ]);
    expect(spec.topology.loadBalancers?.[0]?.inboundNatPools).toEqual([
      {
        name: "ssh-pool",
        frontendIPConfiguration: "fe",
        protocol: "Tcp",
        frontendPortRangeStart: 50000,
        frontendPortRangeEnd: 50119,
        backendPort: 22,
      },
    ]);
    const r = flow(spec, "Internet", "lb:web-lb", 50007);
    expect(r.access).toBe("Allow");
    expect(r.loadBalancer?.rule).toMatchObject({ kind: "inboundNatPool", name: "ssh-pool" });
    expect(r.trace.map((t) => [t.packet, t.rule])).toEqual([
      ["Tcp 192.0.2.1:49152 -> 10.60.1.x:22", "securityRules/ssh"],
    ]);
  });

  it("names what a scale set's interfaces forward as not modelled (IP forwarding)", async () => {
    const forwarding = JSON.stringify(TEMPLATE).replace(
      '"properties":{"primary":true,',
      '"properties":{"primary":true,"enableIPForwarding":true,',
    );
    const { result } = await imported([{ file: "azuredeploy.json", text: forwarding }]);
    const named = result.diagnostics.filter((d) => d.code === "NotModelled");
    expect(named.map((d) => d.path.join("."))).toEqual([
      "resources.4.properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations.0.properties.enableIPForwarding",
    ]);
  });
});

describe("scale sets whose network profile is an expression", () => {
  const withList = (
    list: string,
    declare: (t: typeof TEMPLATE & Record<string, unknown>) => void,
  ) => {
    const t = structuredClone(TEMPLATE) as typeof TEMPLATE & Record<string, unknown>;
    declare(t);
    return JSON.stringify(t).replace(
      /"networkInterfaceConfigurations":\[[\s\S]*?\]\}\}\]\}\}\]/,
      `"networkInterfaceConfigurations":"${list}"`,
    );
  };
  const nics =
    TEMPLATE.resources[4]?.properties.virtualMachineProfile?.networkProfile
      .networkInterfaceConfigurations;

  it("reads a variable's list", async () => {
    const text = withList("[variables('nics')]", (t) => {
      (t.variables as Record<string, unknown>).nics = nics;
    });
    expect(text).toContain(`"networkInterfaceConfigurations":"[variables('nics')]"`);
    const { spec } = await imported([{ file: "azuredeploy.json", text }]);
    expect(
      spec.topology.virtualMachineScaleSets?.[0]?.networkProfile.networkInterfaceConfigurations[0]
        ?.ipConfigurations[0]?.loadBalancerInboundNatPools,
    ).toEqual(["web-lb/ssh-pool"]);
  });

  it("leaves the scale set out, named as widening, when the list is known only when deploying", async () => {
    const text = withList("[parameters('nics')]", (t) => {
      (t.parameters as Record<string, unknown>).nics = { type: "array" };
    });
    const result = await importSources([{ file: "azuredeploy.json", text }]);
    expect(result.spec).toBeUndefined();
    expect(
      result.diagnostics.find((d) => d.code === "ExpressionNotStaticallyKnown")?.message,
    ).toContain('scale set "web" is left out');
  });
});

describe("scale sets in az vmss list output", () => {
  it("imports with az's spellings, the NSG and ASG by id and a Standard public address per instance", async () => {
    const { result, spec } = await imported([
      { file: "network.json", text: JSON.stringify(AZ_NETWORK) },
      { file: "vmss.json", text: JSON.stringify(AZ_VMSS) },
    ]);
    expect(result.summary.map((s) => s.imported.virtualMachineScaleSets)).toEqual([undefined, 1]);
    const nic = spec.network.nics.get("vmss:app");
    expect(nic?.nsg).toBe("app-nsg");
    expect(nic?.ipConfigurations[0]?.publicIp).toMatchObject({
      name: "vmss:app/inst-pip",
      sku: "Standard",
    });
    const allowed = flow(spec, "Internet", "vmss:app", 443);
    expect([allowed.access, allowed.rule, allowed.nsg]).toEqual([
      "Allow",
      "securityRules/https-to-app",
      "app-nsg",
    ]);
    expect(flow(spec, "Internet", "vmss:app", 22).access).toBe("Deny");
  });

  it("reads a load balancer's NAT pool, and leaves the per-instance NAT rules az prints to the pool", async () => {
    const base = "/subscriptions/0000/resourceGroups/rg/providers";
    const lb = {
      id: `${base}/Microsoft.Network/loadBalancers/app-lb`,
      name: "app-lb",
      type: "Microsoft.Network/loadBalancers",
      sku: { name: "Standard" },
      frontendIPConfigurations: [
        {
          name: "fe",
          publicIPAddress: { id: `${base}/Microsoft.Network/publicIPAddresses/app-lb-pip` },
        },
      ],
      inboundNatPools: [
        {
          name: "rdp",
          frontendIPConfiguration: {
            id: `${base}/Microsoft.Network/loadBalancers/app-lb/frontendIPConfigurations/fe`,
          },
          protocol: "Tcp",
          frontendPortRangeStart: 50000,
          frontendPortRangeEnd: 50009,
          backendPort: 3389,
        },
      ],
      backendAddressPools: [
        {
          name: "app-pool",
          // az lists the instances' configurations on the pool; the scale set names the pool itself.
          backendIPConfigurations: [
            {
              id: `${base}/Microsoft.Compute/virtualMachineScaleSets/app/virtualMachines/0/networkInterfaces/app-nic/ipConfigurations/app-ipc`,
            },
          ],
        },
      ],
      inboundNatRules: [
        {
          name: "rdp.0",
          frontendIPConfiguration: {
            id: `${base}/Microsoft.Network/loadBalancers/app-lb/frontendIPConfigurations/fe`,
          },
          protocol: "Tcp",
          frontendPort: 50000,
          backendPort: 3389,
          backendIPConfiguration: {
            id: `${base}/Microsoft.Compute/virtualMachineScaleSets/app/virtualMachines/0/networkInterfaces/app-nic/ipConfigurations/app-ipc`,
          },
        },
      ],
    };
    const pip = {
      id: `${base}/Microsoft.Network/publicIPAddresses/app-lb-pip`,
      name: "app-lb-pip",
      type: "Microsoft.Network/publicIPAddresses",
      sku: { name: "Standard" },
      ipAddress: "20.1.2.3",
    };
    const vmss = JSON.stringify(AZ_VMSS).replace(
      '"loadBalancerInboundNatPools":[]',
      `"loadBalancerInboundNatPools":[{"id":"${base}/Microsoft.Network/loadBalancers/app-lb/inboundNatPools/rdp"}]`,
    );
    const { result, spec } = await imported([
      { file: "network.json", text: JSON.stringify([...AZ_NETWORK, pip, lb]) },
      { file: "vmss.json", text: vmss },
    ]);
    expect(result.diagnostics.map((d) => d.code)).toContain("ScaleSetInstanceNatRule");
    expect(spec.topology.loadBalancers?.[0]?.inboundNatRules).toBeUndefined();
    expect(spec.topology.loadBalancers?.[0]?.backendAddressPools).toEqual([{ name: "app-pool" }]);
    const r = flow(spec, "Internet", "20.1.2.3", 50004);
    expect(r.loadBalancer?.rule).toMatchObject({
      kind: "inboundNatPool",
      name: "rdp",
      backendPort: 3389,
    });
    expect([r.access, r.rule]).toEqual(["Deny", "defaultSecurityRules/DenyAllInBound"]);
  });

  it("reads a Flexible scale set without a network profile as nothing, and says so", async () => {
    const flexible = [
      {
        name: "flex",
        type: "Microsoft.Compute/virtualMachineScaleSets",
        orchestrationMode: "Flexible",
      },
    ];
    const result = await importSources([
      { file: "network.json", text: JSON.stringify(AZ_NETWORK) },
      { file: "vmss.json", text: JSON.stringify(flexible) },
    ]);
    expect(
      result.diagnostics.find((d) => d.code === "ScaleSetWithoutNetworkProfile")?.message,
    ).toContain('scale set "flex" gives no network interface configuration');
  });
});

describe("scale sets in exports", () => {
  it("write the load balancer's NAT pool back (--scope all) and name the scale set as not exported", async () => {
    const { spec } = await imported([{ file: "azuredeploy.json", text: JSON.stringify(TEMPLATE) }]);
    const exported = await exportTopology("arm", spec.topology, "all");
    expect(
      exported.diagnostics
        .filter((d) => d.path[0] === "virtualMachineScaleSets")
        .map((d) => d.message),
    ).toEqual([expect.stringContaining("scale sets (web) are not exported")]);
    const back = await importSources([{ file: "azuredeploy.json", text: exported.text }]);
    expect(back.topology.loadBalancers?.[0]?.inboundNatPools).toEqual(
      spec.topology.loadBalancers?.[0]?.inboundNatPools,
    );
    expect(back.topology.virtualMachineScaleSets).toBeUndefined();
    const terraform = await exportTopology("terraform", spec.topology, "all");
    expect(terraform.diagnostics.map((d) => d.message)).toContainEqual(
      expect.stringContaining("1 inbound NAT pool) is not exported"),
    );
    const nsgs = await exportTopology("arm", spec.topology, "nsgs");
    expect(nsgs.diagnostics.map((d) => d.message)).toContainEqual(
      expect.stringContaining("scale sets (web) are not exported"),
    );
  });
});
