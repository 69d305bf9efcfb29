/**
 * Load balancers as ARM templates and `az network lb show` write them
 * (children inline and as resources of their own, in any order and in any
 * property case), the interfaces that join their pools and NAT rules, and the
 * 2-vms-loadbalancer-natrules quickstart from the shared folder, imported and
 * then asked for flows to its NAT frontend ports.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sharedFile, titled } from "../../../test/support/environment.js";
import { loadSpecText } from "../../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.severity} ${d.code}`);

const template = (resources: unknown[]) =>
  JSON.stringify({
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { lbName: { type: "string", defaultValue: "web-lb" } },
    resources,
  });

const id = (type: string, ...names: string[]) =>
  `[resourceId('Microsoft.Network/${type}', ${names.map((n) => (n.startsWith("parameters(") ? n : `'${n}'`)).join(", ")})]`;
const LB = "parameters('lbName')";

const network = [
  {
    type: "Microsoft.Network/virtualNetworks",
    apiVersion: "2024-05-01",
    name: "vnet",
    properties: {
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [
        {
          name: "web",
          properties: {
            addressPrefix: "10.0.1.0/24",
            networkSecurityGroup: { id: id("networkSecurityGroups", "web-nsg") },
          },
        },
      ],
    },
  },
  {
    type: "Microsoft.Network/networkSecurityGroups",
    apiVersion: "2024-05-01",
    name: "web-nsg",
    properties: {
      securityRules: [
        {
          name: "allow-rdp",
          properties: {
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "Internet",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "3389",
          },
        },
      ],
    },
  },
  {
    type: "Microsoft.Network/publicIPAddresses",
    apiVersion: "2024-05-01",
    name: "lb-pip",
    sku: { name: "Standard" },
    properties: { publicIPAllocationMethod: "Static" },
  },
];

const nic = (name: string, nat: string) => ({
  type: "Microsoft.Network/networkInterfaces",
  apiVersion: "2024-05-01",
  name,
  properties: {
    ipConfigurations: [
      {
        name: "ipconfig1",
        properties: {
          privateIPAllocationMethod: "Dynamic",
          subnet: { id: id("virtualNetworks/subnets", "vnet", "web") },
          loadBalancerBackendAddressPools: [
            { id: id("loadBalancers/backendAddressPools", LB, "web-pool") },
          ],
          loadBalancerInboundNatRules: [{ id: id("loadBalancers/inboundNatRules", LB, nat) }],
        },
      },
    ],
  },
});

/** The load balancer, written as templates write it: properties nested, property names in any case. */
const loadBalancer = {
  type: "Microsoft.Network/loadBalancers",
  apiVersion: "2024-05-01",
  name: `[${LB}]`,
  sku: { name: "Standard", tier: "Regional" },
  properties: {
    frontendIpConfigurations: [
      { name: "fe", properties: { publicIPAddress: { id: id("publicIPAddresses", "lb-pip") } } },
    ],
    backendAddressPools: [{ name: "web-pool" }],
    probes: [{ name: "rdp-probe", properties: { protocol: "Tcp", port: 3389 } }],
    loadBalancingRules: [
      {
        name: "rdp-all",
        properties: {
          frontendIPConfiguration: { id: id("loadBalancers/frontendIPConfigurations", LB, "fe") },
          backendAddressPool: { id: id("loadBalancers/backendAddressPools", LB, "web-pool") },
          probe: { id: id("loadBalancers/probes", LB, "rdp-probe") },
          protocol: "Tcp",
          frontendPort: 3389,
          backendPort: 3389,
        },
      },
    ],
    inboundNatRules: [
      {
        name: "rdp-vm1",
        properties: {
          frontendIPConfiguration: { id: id("loadBalancers/frontendIPConfigurations", LB, "fe") },
          protocol: "Tcp",
          frontendPort: 50001,
          backendPort: 3389,
        },
      },
    ],
  },
};

/** A NAT rule as a resource of its own, written before its load balancer. */
const natRuleResource = {
  type: "Microsoft.Network/loadBalancers/inboundNatRules",
  apiVersion: "2024-05-01",
  name: "[concat(parameters('lbName'), '/rdp-vm2')]",
  properties: {
    frontendIPConfiguration: { id: id("loadBalancers/frontendIPConfigurations", LB, "fe") },
    protocol: "Tcp",
    frontendPort: 50002,
    backendPort: 3389,
  },
};

async function imported(files: { file: string; text: string }[]) {
  const result = await importSources(files);
  const loaded = result.spec === undefined ? undefined : loadSpecText(result.spec);
  return { result, loaded };
}

function flow(spec: ReturnType<typeof loadSpecText>, to: string, port: number): FlowResult {
  if (!spec.spec) throw new Error(spec.diagnostics.map((d) => d.message).join("\n"));
  const evaluated = new FlowEvaluator(spec.spec.network).evaluate({
    from: "Internet",
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("load balancers in ARM templates", () => {
  it("imports frontends, pools, probes, rules and NAT rules, inline and as child resources, with the interfaces that join them", async () => {
    const text = template([
      natRuleResource,
      ...network,
      loadBalancer,
      nic("vm1", "rdp-vm1"),
      nic("vm2", "rdp-vm2"),
    ]);
    const { result, loaded } = await imported([{ file: "azuredeploy.json", text }]);
    expect(named(result.diagnostics)).toEqual([]);
    const lb = result.topology.loadBalancers?.[0];
    expect(lb).toMatchObject({
      name: "web-lb",
      sku: "Standard",
      frontendIPConfigurations: [{ name: "fe", publicIPAddress: "lb-pip" }],
      backendAddressPools: [{ name: "web-pool" }],
      probes: [{ name: "rdp-probe", protocol: "Tcp", port: 3389 }],
      loadBalancingRules: [
        {
          name: "rdp-all",
          frontendIPConfiguration: "fe",
          backendAddressPool: "web-pool",
          probe: "rdp-probe",
        },
      ],
    });
    expect(lb?.inboundNatRules?.map((r) => [r.name, r.frontendPort])).toEqual([
      ["rdp-vm2", 50002],
      ["rdp-vm1", 50001],
    ]);
    expect(result.topology.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      loadBalancerBackendAddressPools: ["web-lb/web-pool"],
      loadBalancerInboundNatRules: ["web-lb/rdp-vm1"],
    });
    expect(loaded?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    if (!loaded) return;
    const natFlow = flow(loaded, "lb:web-lb", 50002);
    expect([natFlow.access, natFlow.rule, natFlow.loadBalancer?.rule?.name]).toEqual([
      "Allow",
      "securityRules/allow-rdp",
      "rdp-vm2",
    ]);
    expect(natFlow.loadBalancer?.backends.map((b) => b.backend)).toEqual([
      "network interface vm2 (ipconfig1)",
    ]);
    const pooled = flow(loaded, "pip:lb-pip", 3389);
    expect(pooled.loadBalancer?.backends.map((b) => [b.backend, b.result.access])).toEqual([
      ["network interface vm1 (ipconfig1)", "Allow"],
      ["network interface vm2 (ipconfig1)", "Allow"],
    ]);
  });

  it("names a Gateway load balancer as not modelled, and leaves out, named, a NAT pool without its ports", async () => {
    const gateway = { ...loadBalancer, name: "gw", sku: { name: "Gateway" } };
    const pools = {
      ...loadBalancer,
      properties: {
        ...loadBalancer.properties,
        inboundNatPools: [{ name: "ssh-pool", properties: {} }],
        outboundRules: [{ name: "out", properties: {} }],
      },
    };
    const { result } = await imported([
      { file: "azuredeploy.json", text: template([...network, gateway, pools]) },
    ]);
    const notModelled = result.diagnostics
      .filter((d) => d.code === "NotModelled")
      .map((d) => d.message);
    expect(notModelled).toEqual([
      expect.stringContaining('load balancer "gw" is a Gateway load balancer'),
    ]);
    expect(
      result.diagnostics.find((d) => d.message.includes('inbound NAT pool "ssh-pool"'))?.message,
    ).toContain("is left out: its frontend, protocol and ports are not all known");
    expect(result.topology.loadBalancers?.map((l) => l.name)).toEqual(["web-lb"]);
  });

  it("drops, named, an interface's membership of a load balancer no imported file declares", async () => {
    const { result, loaded } = await imported([
      { file: "azuredeploy.json", text: template([...network, nic("vm1", "rdp-vm1")]) },
    ]);
    expect(named(result.diagnostics)).toEqual([
      "warning LoadBalancerNotDeclared",
      "warning LoadBalancerNotDeclared",
    ]);
    expect(result.diagnostics[0]?.location).toMatchObject({ file: "azuredeploy.json" });
    expect(
      result.topology.networkInterfaces[0]?.ipConfigurations[0]?.loadBalancerInboundNatRules,
    ).toBeUndefined();
    expect(loaded?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

const SUB =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network";
const ref = (path: string) => ({ id: `${SUB}/${path}`, resourceGroup: "rg" });

/** `az network lb show -o json`: properties lifted, read-only lists on each child. */
const AZ_LB = {
  name: "web-lb",
  id: `${SUB}/loadBalancers/web-lb`,
  type: "Microsoft.Network/loadBalancers",
  location: "westeurope",
  sku: { name: "Standard", tier: "Regional" },
  frontendIPConfigurations: [
    {
      name: "web-fe",
      id: `${SUB}/loadBalancers/web-lb/frontendIPConfigurations/web-fe`,
      inboundNatRules: [ref("loadBalancers/web-lb/inboundNatRules/rdp")],
      privateIPAllocationMethod: "Dynamic",
      publicIPAddress: ref("publicIPAddresses/web-lb-pip"),
      provisioningState: "Succeeded",
    },
  ],
  backendAddressPools: [
    {
      name: "web-pool",
      backendIPConfigurations: [ref("networkInterfaces/vm1-nic/ipConfigurations/ipconfig1")],
      loadBalancingRules: [ref("loadBalancers/web-lb/loadBalancingRules/http")],
    },
  ],
  inboundNatRules: [
    {
      name: "rdp",
      backendIPConfiguration: ref("networkInterfaces/vm1-nic/ipConfigurations/ipconfig1"),
      backendPort: 3389,
      enableFloatingIP: false,
      frontendIPConfiguration: ref("loadBalancers/web-lb/frontendIPConfigurations/web-fe"),
      frontendPort: 50001,
      idleTimeoutInMinutes: 4,
      protocol: "Tcp",
    },
  ],
  loadBalancingRules: [
    {
      name: "http",
      backendAddressPool: ref("loadBalancers/web-lb/backendAddressPools/web-pool"),
      backendAddressPools: [ref("loadBalancers/web-lb/backendAddressPools/web-pool")],
      backendPort: 80,
      frontendIPConfiguration: ref("loadBalancers/web-lb/frontendIPConfigurations/web-fe"),
      frontendPort: 80,
      probe: ref("loadBalancers/web-lb/probes/http-probe"),
      protocol: "Tcp",
    },
  ],
  probes: [
    { name: "http-probe", port: 80, protocol: "Tcp", intervalInSeconds: 5, numberOfProbes: 2 },
  ],
  inboundNatPools: [],
  outboundRules: [],
};

const AZ_REST = [
  {
    name: "web-lb-pip",
    type: "Microsoft.Network/publicIPAddresses",
    ipAddress: "20.31.40.50",
    publicIPAllocationMethod: "Static",
    sku: { name: "Standard", tier: "Regional" },
  },
  {
    name: "vm1-nic",
    type: "Microsoft.Network/networkInterfaces",
    networkSecurityGroup: ref("networkSecurityGroups/vm1-nsg"),
    ipConfigurations: [
      {
        name: "ipconfig1",
        privateIPAddress: "10.1.0.4",
        privateIPAllocationMethod: "Dynamic",
        subnet: ref("virtualNetworks/vnet/subnets/default"),
        loadBalancerBackendAddressPools: [ref("loadBalancers/web-lb/backendAddressPools/web-pool")],
        loadBalancerInboundNatRules: [ref("loadBalancers/web-lb/inboundNatRules/rdp")],
      },
    ],
  },
  {
    name: "vnet",
    type: "Microsoft.Network/virtualNetworks",
    addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
    subnets: [{ name: "default", addressPrefix: "10.1.0.0/24" }],
  },
  {
    name: "vm1-nsg",
    type: "Microsoft.Network/networkSecurityGroups",
    securityRules: [
      {
        name: "rdp",
        protocol: "Tcp",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "3389",
      },
    ],
  },
];

describe("load balancers as az network lb show prints them", () => {
  it("imports with the interface's output, and a flow to the NAT port reaches RDP", async () => {
    const { result, loaded } = await imported([
      { file: "lb.json", text: JSON.stringify(AZ_LB) },
      { file: "rest.json", text: JSON.stringify(AZ_REST) },
    ]);
    expect(named(result.diagnostics)).toEqual([]);
    if (!loaded) throw new Error("no spec written");
    const r = flow(loaded, "20.31.40.50", 50001);
    expect([r.access, r.rule, r.loadBalancer?.rule?.name]).toEqual([
      "Allow",
      "securityRules/rdp",
      "rdp",
    ]);
    expect(r.routeReason).toContain(
      "to 20.31.40.50:50001, translated by inbound NAT rule rdp to 10.1.0.4:3389",
    );
    // The interface is named from both sides; it is one backend.
    expect(flow(loaded, "lb:web-lb", 80).loadBalancer?.backends.length).toBe(1);
  });

  it("without its public IP's output, keeps the public IP with the load balancer's SKU", async () => {
    const { result, loaded } = await imported([
      { file: "lb.json", text: JSON.stringify(AZ_LB) },
      { file: "rest.json", text: JSON.stringify(AZ_REST.slice(1)) },
    ]);
    expect(result.diagnostics.filter((d) => d.severity !== "info").map((d) => d.message)).toEqual([
      'public IP address "web-lb-pip" is declared by no imported file; it is imported with its address not known and read as Standard, the SKU of the load balancer it is the frontend of (Azure requires the same)',
    ]);
    expect(result.topology.publicIPAddresses).toEqual([{ name: "web-lb-pip", sku: "Standard" }]);
    if (!loaded) throw new Error("no spec written");
    expect(flow(loaded, "lb:web-lb", 50001).access).toBe("Allow");
  });

  it("alone, names the interfaces it forwards to that no file holds, and writes what check accepts", async () => {
    const { result, loaded } = await imported([
      { file: "lb.json", text: JSON.stringify(AZ_LB) },
      { file: "pip.json", text: JSON.stringify(AZ_REST[0]) },
    ]);
    expect(
      result.diagnostics
        .filter((d) => d.code === "NetworkInterfaceNotDeclared")
        .map((d) => d.message),
    ).toEqual([
      "load balancer web-lb: network interface vm1-nic, a backend of its pool web-pool, is created by no imported file; what the load balancer forwards to it is left out",
      "load balancer web-lb: network interface vm1-nic, a backend of its inbound NAT rule rdp, is created by no imported file; what the load balancer forwards to it is left out",
    ]);
    expect(loaded?.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    if (!loaded) return;
    expect(flow(loaded, "lb:web-lb", 50001).reason).toBe(
      "no route: inbound NAT rule rdp of load balancer web-lb has no backend (no IP configuration names it)",
    );
  });
});

const quickstart = sharedFile(
  "fixtures/real/06-azure-quickstart-templates--quickstarts--microsoft.compute--2-vms-loadbalancer-natrules--azuredeploy.json",
);

describe("the 2-vms-loadbalancer-natrules quickstart", () => {
  it.skipIf(quickstart.missing !== undefined)(
    titled(
      "imports its load balancer, and the NAT ports reach RDP on each VM, which its NSG denies until a rule allows it",
      quickstart.missing,
    ),
    async () => {
      const text = readFileSync(quickstart.path, "utf8");
      const { result, loaded } = await imported([{ file: "azuredeploy.json", text }]);
      expect(named(result.diagnostics)).toEqual([]);
      if (!loaded?.spec) throw new Error("no spec written");
      for (const [port, vm, rule] of [
        [5000, "nic0", "RDP-VM0"],
        [5001, "nic1", "RDP-VM1"],
      ] as const) {
        const r = flow(loaded, "lb:myLB", port);
        expect(r.access).toBe("Deny");
        expect(r.rule).toBe("defaultSecurityRules/DenyAllInBound");
        expect(r.loadBalancer?.rule?.name).toBe(rule);
        expect(r.loadBalancer?.backends.map((b) => b.backend)).toEqual([
          `network interface ${vm} (ipconfig1)`,
        ]);
        expect(r.trace[0]?.packet).toBe("Tcp 192.0.2.1:49152 -> 10.0.0.x:3389");
      }
      expect(flow(loaded, "pip:myPublicIP", 5002).route).toBe("none");
      // The NSG the quickstart leaves empty, given a rule allowing RDP from the Internet.
      const opened = result.spec?.replace(
        "    securityRules: []",
        `    securityRules:
      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }`,
      );
      const allowed = flow(loadSpecText(opened ?? ""), "lb:myLB", 5001);
      expect([allowed.access, allowed.rule, allowed.loadBalancer?.rule?.name]).toEqual([
        "Allow",
        "securityRules/allow-rdp",
        "RDP-VM1",
      ]);
    },
  );
});
