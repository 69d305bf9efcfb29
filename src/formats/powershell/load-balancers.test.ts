/**
 * Load balancers an Az PowerShell script makes: the parts built with the
 * New-AzLoadBalancer*Config cmdlets, New-AzLoadBalancer, and interfaces
 * joining its pools and NAT rules. A VM behind a public load balancer's
 * inbound NAT rule is reached from the Internet on the frontend port when
 * its NSG allows RDP, and denied once the rule is gone; what is not read is
 * named where it is written.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { importSources } from "../catalog.js";
import { importPowerShell } from "./import.js";

const script = (rdp: boolean) => `$rg = "myResourceGroup"
$location = "westeurope"
$rdp = New-AzNetworkSecurityRuleConfig -Name allow-rdp -Protocol Tcp -Direction Inbound -Priority 100 -SourceAddressPrefix Internet -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389 -Access Allow
$nsg = New-AzNetworkSecurityGroup -ResourceGroupName $rg -Location $location -Name web-nsg${rdp ? " -SecurityRules $rdp" : ""}
$subnet = New-AzVirtualNetworkSubnetConfig -Name web -AddressPrefix 10.0.1.0/24 -NetworkSecurityGroup $nsg
$vnet = New-AzVirtualNetwork -ResourceGroupName $rg -Location $location -Name vnet -AddressPrefix 10.0.0.0/16 -Subnet $subnet
$pip = New-AzPublicIpAddress -ResourceGroupName $rg -Location $location -Name pip-lb -Sku Standard -AllocationMethod Static
$fe = New-AzLoadBalancerFrontendIpConfig -Name fe -PublicIpAddress $pip
$pool = New-AzLoadBalancerBackendAddressPoolConfig -Name pool
$nat = New-AzLoadBalancerInboundNatRuleConfig -Name rdp-vm1 -FrontendIpConfiguration $fe -Protocol Tcp -FrontendPort 50001 -BackendPort 3389
$lb = New-AzLoadBalancer -ResourceGroupName $rg -Name lb -Location $location -Sku Standard -FrontendIpConfiguration $fe -BackendAddressPool $pool -InboundNatRule $nat
$nic = New-AzNetworkInterface -ResourceGroupName $rg -Location $location -Name vm1 -Subnet $vnet.Subnets[0] -LoadBalancerBackendAddressPool $pool -LoadBalancerInboundNatRule $nat
`;

async function flowTo(text: string, port: number) {
  const result = await importSources([{ file: "lb.ps1", text }]);
  const r = new FlowEvaluator(networkOf(result.spec ?? "")).evaluate({
    from: "Internet",
    to: "lb:lb",
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return { result, flow: r.result };
}

describe("a VM behind a public load balancer's inbound NAT rule, from Az PowerShell", () => {
  it("is allowed from the Internet on the frontend port, with the NAT rule and the NSG rule in the trace", async () => {
    const { result, flow } = await flowTo(script(true), 50001);
    expect(result.diagnostics).toEqual([]);
    expect(result.topology.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      loadBalancerBackendAddressPools: ["lb/pool"],
      loadBalancerInboundNatRules: ["lb/rdp-vm1"],
    });
    expect(flow.access).toBe("Allow");
    expect([flow.rule, flow.nsg]).toEqual(["securityRules/allow-rdp", "web-nsg"]);
    expect(flow.loadBalancer?.rule).toMatchObject({
      kind: "inboundNatRule",
      name: "rdp-vm1",
      backendPort: 3389,
    });
  });

  it("is denied once the NSG rule allowing RDP is removed", async () => {
    const { flow } = await flowTo(script(false), 50001);
    expect(flow.access).toBe("Deny");
    expect(flow.rule).toBe("defaultSecurityRules/DenyAllInBound");
  });
});

describe("importPowerShell: load balancers", () => {
  it("reads an internal load balancer's rule with its pool and probe, and switches", () => {
    const { topology, diagnostics } = importPowerShell(
      `$subnet = New-AzVirtualNetworkSubnetConfig -Name web -AddressPrefix 10.0.1.0/24
$vnet = New-AzVirtualNetwork -ResourceGroupName rg -Location westeurope -Name vnet -AddressPrefix 10.0.0.0/16 -Subnet $subnet
$fe = New-AzLoadBalancerFrontendIpConfig -Name internal -Subnet $vnet.Subnets[0] -PrivateIpAddress 10.0.1.10
$pool = New-AzLoadBalancerBackendAddressPoolConfig -Name web-pool
$probe = New-AzLoadBalancerProbeConfig -Name http -Protocol Http -Port 80 -RequestPath /health -IntervalInSeconds 15 -ProbeCount 2
$rule = New-AzLoadBalancerRuleConfig -Name http -FrontendIpConfiguration $fe -BackendAddressPool $pool -Probe $probe -Protocol Tcp -FrontendPort 80 -BackendPort 8080 -EnableFloatingIP -DisableOutboundSNAT
$lb = New-AzLoadBalancer -ResourceGroupName rg -Name ilb -Location westeurope -FrontendIpConfiguration $fe -BackendAddressPool $pool -Probe $probe -LoadBalancingRule $rule
`,
      "lb.ps1",
    );
    expect(
      diagnostics.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`),
    ).toEqual(["info LoadBalancerSkuNotKnown 7:7"]);
    expect(topology.loadBalancers).toEqual([
      {
        name: "ilb",
        location: "westeurope",
        sku: "Basic",
        frontendIPConfigurations: [
          { name: "internal", subnet: "vnet/web", privateIPAddress: "10.0.1.10" },
        ],
        backendAddressPools: [{ name: "web-pool" }],
        loadBalancingRules: [
          {
            name: "http",
            frontendIPConfiguration: "internal",
            backendAddressPool: "web-pool",
            probe: "http",
            protocol: "Tcp",
            frontendPort: 80,
            backendPort: 8080,
            enableFloatingIP: true,
            disableOutboundSnat: true,
          },
        ],
        probes: [
          {
            name: "http",
            protocol: "Http",
            port: 80,
            requestPath: "/health",
            intervalInSeconds: 15,
            numberOfProbes: 2,
          },
        ],
      },
    ]);
  });

  it("reads an inbound NAT pool and an outbound rule given to New-AzLoadBalancer", () => {
    const { topology, diagnostics } = importPowerShell(
      `$pip = New-AzPublicIpAddress -ResourceGroupName rg -Location westeurope -Name pip -Sku Standard -AllocationMethod Static
$fe = New-AzLoadBalancerFrontendIpConfig -Name fe -PublicIpAddress $pip
$pool = New-AzLoadBalancerBackendAddressPoolConfig -Name pool
$natpool = New-AzLoadBalancerInboundNatPoolConfig -Name vmss -FrontendIpConfiguration $fe -Protocol Tcp -FrontendPortRangeStart 50000 -FrontendPortRangeEnd 50119 -BackendPort 22
$out = New-AzLoadBalancerOutboundRuleConfig -Name out -FrontendIpConfiguration $fe -BackendAddressPool $pool -Protocol All -AllocatedOutboundPort 1024
$lb = New-AzLoadBalancer -ResourceGroupName rg -Name lb -Location westeurope -Sku Standard -FrontendIpConfiguration $fe -BackendAddressPool $pool -InboundNatPool $natpool -OutboundRule $out
`,
      "lb.ps1",
    );
    expect(diagnostics).toEqual([]);
    expect(topology.loadBalancers?.[0]).toMatchObject({
      inboundNatPools: [
        {
          name: "vmss",
          frontendIPConfiguration: "fe",
          protocol: "Tcp",
          frontendPortRangeStart: 50000,
          frontendPortRangeEnd: 50119,
          backendPort: 22,
        },
      ],
      outboundRules: [
        {
          name: "out",
          frontendIPConfigurations: ["fe"],
          backendAddressPool: "pool",
          protocol: "All",
          allocatedOutboundPorts: 1024,
        },
      ],
    });
  });

  it("follows a load balancer's parts by property: $lb.BackendAddressPools[0], $lb.InboundNatRules[0].Id", () => {
    const { topology, diagnostics } = importPowerShell(
      `$subnet = New-AzVirtualNetworkSubnetConfig -Name web -AddressPrefix 10.0.1.0/24
$vnet = New-AzVirtualNetwork -ResourceGroupName rg -Location westeurope -Name vnet -AddressPrefix 10.0.0.0/16 -Subnet $subnet
$pip = New-AzPublicIpAddress -ResourceGroupName rg -Location westeurope -Name pip -Sku Standard -AllocationMethod Static
$fe = New-AzLoadBalancerFrontendIpConfig -Name fe -PublicIpAddress $pip
$nat = New-AzLoadBalancerInboundNatRuleConfig -Name ssh -FrontendIpConfigurationId $fe.Id -Protocol Tcp -FrontendPort 2200 -BackendPort 22
$pool = New-AzLoadBalancerBackendAddressPoolConfig -Name pool
$lb = New-AzLoadBalancer -ResourceGroupName rg -Name lb -Location westeurope -Sku Standard -FrontendIpConfiguration $fe -BackendAddressPool $pool -InboundNatRule $nat
$nic = New-AzNetworkInterface -ResourceGroupName rg -Location westeurope -Name vm1 -Subnet $vnet.Subnets[0] -LoadBalancerBackendAddressPool $lb.BackendAddressPools[0] -LoadBalancerInboundNatRuleId $lb.InboundNatRules[0].Id
`,
      "lb.ps1",
    );
    expect(diagnostics).toEqual([]);
    expect(topology.loadBalancers?.[0]?.inboundNatRules?.[0]?.frontendIPConfiguration).toBe("fe");
    expect(topology.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      loadBalancerBackendAddressPools: ["lb/pool"],
      loadBalancerInboundNatRules: ["lb/ssh"],
    });
  });

  it("names what it does not read where it is written", () => {
    const { topology, diagnostics } = importPowerShell(
      `$pip = New-AzPublicIpAddress -ResourceGroupName rg -Location westeurope -Name pip -Sku Standard -AllocationMethod Static
$fe = New-AzLoadBalancerFrontendIpConfig -Name fe -PublicIpAddress $pip
$pool = New-AzLoadBalancerBackendAddressPoolConfig -Name pool
$rule = New-AzLoadBalancerRuleConfig -Name r -FrontendIpConfiguration $fe -BackendAddressPool $elsewhere -Protocol Tcp -FrontendPort 80 -BackendPort 80
$natpool = New-AzLoadBalancerInboundNatPoolConfig -Name vmss -FrontendIpConfigurationId $fe.Id -Protocol Tcp -FrontendPortRangeStart 50000 -FrontendPortRangeEnd 50119 -BackendPort 22
$subnet = New-AzVirtualNetworkSubnetConfig -Name web -AddressPrefix 10.0.1.0/24
$vnet = New-AzVirtualNetwork -ResourceGroupName rg -Location westeurope -Name vnet -AddressPrefix 10.0.0.0/16 -Subnet $subnet
$nic = New-AzNetworkInterface -ResourceGroupName rg -Location westeurope -Name early -Subnet $vnet.Subnets[0] -LoadBalancerBackendAddressPool $pool
$lb = New-AzLoadBalancer -ResourceGroupName rg -Name lb -Location westeurope -FrontendIpConfiguration $fe -BackendAddressPool $pool
$lb | Add-AzLoadBalancerRuleConfig -Name later -FrontendIpConfiguration $fe -Protocol Tcp -FrontendPort 443 -BackendPort 443 | Set-AzLoadBalancer
`,
      "lb.ps1",
    );
    expect(
      diagnostics.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`),
    ).toEqual([
      "warning ValueNotStaticallyKnown 4:95",
      "warning ValueNotStaticallyKnown 8:143",
      "info LoadBalancerSkuNotKnown 9:7",
      "warning UnsupportedStatement 10:7",
    ]);
    expect(diagnostics[1]?.message).toContain(
      'backend pool "pool" is given to no load balancer before this',
    );
    // Without -Sku, the SKU of its frontend's public IP, which Azure requires to be the same.
    expect(topology.loadBalancers?.[0]?.sku).toBe("Standard");
    expect(topology.loadBalancers?.[0]?.loadBalancingRules).toBeUndefined();
  });
});
