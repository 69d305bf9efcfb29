/**
 * Load balancers an az CLI script makes: `lb create` with az's defaults (its
 * frontend, pool and public IP), frontends, pools, probes, rules and inbound
 * NAT rules added to it, and interfaces joining pools and NAT rules. A VM
 * behind a public load balancer's inbound NAT rule is reached from the
 * Internet on the frontend port when its NSG allows RDP, and denied once
 * the rule is gone; what is not read is named where it is written.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { importSources } from "../catalog.js";
import { importAzCli } from "./import.js";

const RDP_RULE = `az network nsg rule create --resource-group $rg --nsg-name web-nsg --name allow-rdp \\
  --priority 100 --direction Inbound --access Allow --protocol Tcp \\
  --source-address-prefixes Internet --destination-port-ranges 3389
`;

const script = (rdp: boolean) => `#!/bin/bash
rg=myResourceGroup
az network vnet create --resource-group $rg --name vnet --address-prefix 10.0.0.0/16 \\
  --subnet-name web --subnet-prefix 10.0.1.0/24
az network nsg create --resource-group $rg --name web-nsg
${rdp ? RDP_RULE : ""}az network vnet subnet update --resource-group $rg --vnet-name vnet --name web --network-security-group web-nsg
az network public-ip create --resource-group $rg --name pip-lb --sku Standard
az network lb create --resource-group $rg --name lb --sku Standard \\
  --public-ip-address pip-lb --frontend-ip-name fe --backend-pool-name pool
az network lb inbound-nat-rule create --resource-group $rg --lb-name lb --name rdp-vm1 \\
  --protocol Tcp --frontend-port 50001 --backend-port 3389 --frontend-ip-name fe
az network nic create --resource-group $rg --name vm1 --vnet-name vnet --subnet web \\
  --lb-name lb --lb-inbound-nat-rules rdp-vm1
`;

async function flowTo(text: string, port: number) {
  const result = await importSources([{ file: "lb.sh", text }]);
  const r = new FlowEvaluator(networkOf(result.spec ?? "")).evaluate({
    from: "Internet",
    to: "lb:lb",
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return { result, flow: r.result };
}

describe("a VM behind a public load balancer's inbound NAT rule, from an az CLI script", () => {
  it("is allowed from the Internet on the frontend port, with the NAT rule and the NSG rule in the trace", async () => {
    const { result, flow } = await flowTo(script(true), 50001);
    expect(result.diagnostics).toEqual([]);
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
    const { flow } = await flowTo(script(false), 50001);
    expect(flow.access).toBe("Deny");
    expect(flow.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(flow.loadBalancer?.rule).toMatchObject({ kind: "inboundNatRule", name: "rdp-vm1" });
  });
});

describe("importAzCli: load balancers", () => {
  it("makes what az makes with lb create's defaults, and takes the only frontend and pool for a rule", () => {
    const { topology, diagnostics } = importAzCli(
      `az network lb create -g rg -n web-lb --sku Standard
az network lb probe create -g rg --lb-name web-lb -n http --protocol Http --port 80 --path /health
az network lb rule create -g rg --lb-name web-lb -n http --protocol Tcp --frontend-port 80 --backend-port 8080 --probe-name http --floating-ip false --disable-outbound-snat true
az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16 --subnet-name web --subnet-prefixes 10.0.1.0/24
az network nic create -g rg -n vm1 --vnet-name vnet --subnet web --private-ip-address 10.0.1.4
az network nic ip-config address-pool add -g rg --nic-name vm1 --ip-config-name ipconfig1 --lb-name web-lb --address-pool web-lbbepool
`,
      "lb.sh",
    );
    expect(diagnostics).toEqual([]);
    expect(topology.publicIPAddresses).toEqual([
      { name: "PublicIPweb-lb", sku: "Standard", publicIPAllocationMethod: "Static" },
    ]);
    expect(topology.loadBalancers).toEqual([
      {
        name: "web-lb",
        sku: "Standard",
        frontendIPConfigurations: [
          { name: "LoadBalancerFrontEnd", publicIPAddress: "PublicIPweb-lb" },
        ],
        backendAddressPools: [{ name: "web-lbbepool" }],
        loadBalancingRules: [
          {
            name: "http",
            frontendIPConfiguration: "LoadBalancerFrontEnd",
            backendAddressPool: "web-lbbepool",
            probe: "http",
            protocol: "Tcp",
            frontendPort: 80,
            backendPort: 8080,
            enableFloatingIP: false,
            disableOutboundSnat: true,
          },
        ],
        probes: [{ name: "http", protocol: "Http", port: 80, requestPath: "/health" }],
      },
    ]);
    expect(
      topology.networkInterfaces[0]?.ipConfigurations[0]?.loadBalancerBackendAddressPools,
    ).toEqual(["web-lb/web-lbbepool"]);
  });

  it("reads an internal load balancer, a second frontend and pool, and a NAT rule v2", () => {
    const { topology, diagnostics } = importAzCli(
      `az network lb create -g rg -n ilb --sku Standard --vnet-name vnet --subnet web --private-ip-address 10.0.1.10
az network lb frontend-ip create -g rg --lb-name ilb -n fe2 --vnet-name vnet --subnet web
az network lb address-pool create -g rg --lb-name ilb -n pool2
az network lb inbound-nat-rule create -g rg --lb-name ilb -n ssh --protocol Tcp --frontend-ip fe2 --frontend-port-range-start 2200 --frontend-port-range-end 2209 --backend-port 22 --backend-address-pool pool2 --enable-floating-ip true
`,
      "lb.sh",
    );
    expect(diagnostics).toEqual([]);
    expect(topology.publicIPAddresses).toBeUndefined();
    expect(topology.loadBalancers?.[0]).toMatchObject({
      frontendIPConfigurations: [
        { name: "LoadBalancerFrontEnd", subnet: "vnet/web", privateIPAddress: "10.0.1.10" },
        { name: "fe2", subnet: "vnet/web", privateIPAllocationMethod: "Dynamic" },
      ],
      backendAddressPools: [{ name: "ilbbepool" }, { name: "pool2" }],
      inboundNatRules: [
        {
          name: "ssh",
          frontendIPConfiguration: "fe2",
          protocol: "Tcp",
          frontendPortRangeStart: 2200,
          frontendPortRangeEnd: 2209,
          backendAddressPool: "pool2",
          backendPort: 22,
          enableFloatingIP: true,
        },
      ],
    });
  });

  it("names what it does not read where it is written: a SKU left out, an unread option, a load balancer the script does not create, an unknown port", () => {
    const { topology, diagnostics } = importAzCli(
      `az network lb create -g rg -n lb
az network lb address-pool create -g rg --lb-name lb -n pool --backend-address name=a ip-address=10.0.1.9
az network lb inbound-nat-pool create -g rg --lb-name lb -n vmss --protocol Tcp --frontend-port-range-start 50000 --frontend-port-range-end 50119 --backend-port 22
az network lb rule create -g rg --lb-name other -n r --protocol Tcp --frontend-port 80 --backend-port 80
az network lb rule create -g rg --lb-name lb -n r2 --protocol Tcp --frontend-port "$PORT" --backend-port 80
az network lb rule create -g rg --lb-name lb -n r3 --protocol Icmp --frontend-port 80 --backend-port 80
`,
      "lb.sh",
    );
    expect(
      diagnostics.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`),
    ).toEqual([
      "info LoadBalancerSkuNotKnown 1:1",
      "warning UnsupportedParameter 2:62",
      "warning ParentNotDeclared 4:43",
      "warning ValueNotStaticallyKnown 5:83",
      "error InvalidParameterValue 6:63",
    ]);
    expect(diagnostics[0]?.message).toContain("it is read as Basic, open to inbound traffic");
    // The NAT pool (for scale sets) is read, on the only frontend.
    expect(topology.loadBalancers?.[0]?.inboundNatPools).toEqual([
      {
        name: "vmss",
        frontendIPConfiguration: "LoadBalancerFrontEnd",
        protocol: "Tcp",
        frontendPortRangeStart: 50000,
        frontendPortRangeEnd: 50119,
        backendPort: 22,
      },
    ]);
    expect(topology.loadBalancers?.[0]?.sku).toBe("Basic");
    expect(topology.loadBalancers?.[0]?.loadBalancingRules).toBeUndefined();
  });

  it("reads an outbound rule with its frontends and pool", () => {
    const { topology, diagnostics } = importAzCli(
      `az network public-ip create -g rg -n pip-out --sku Standard
az network lb create -g rg -n lb --sku Standard --public-ip-address pip-out --frontend-ip-name fe-out --backend-pool-name pool
az network lb outbound-rule create -g rg --lb-name lb -n out --protocol All --frontend-ip-configs fe-out --address-pool pool --outbound-ports 1024
`,
      "lb.sh",
    );
    expect(diagnostics).toEqual([]);
    expect(topology.loadBalancers?.[0]?.outboundRules).toEqual([
      {
        name: "out",
        frontendIPConfigurations: ["fe-out"],
        backendAddressPool: "pool",
        protocol: "All",
        allocatedOutboundPorts: 1024,
      },
    ]);
  });

  it("names an interface's membership when the script does not create the interface", () => {
    const { diagnostics } = importAzCli(
      `az network lb create -g rg -n lb --sku Standard --public-ip-address pip
az network nic ip-config inbound-nat-rule add -g rg --nic-name vm9 --ip-config-name ipconfig1 --lb-name lb --inbound-nat-rule rdp
`,
      "lb.sh",
    );
    expect(
      diagnostics.map((d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.message}`),
    ).toEqual([
      'NetworkInterfaceNotDeclared 2:64 az network nic ip-config inbound-nat-rule add: the script does not create network interface "vm9"; the membership of network interface "vm9" in inbound NAT rule "rdp" is left out',
    ]);
  });
});
