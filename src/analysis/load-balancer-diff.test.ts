/** tierwall diff sees what a load balancer change exposes: a NAT rule added forwards RDP from the Internet. */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { semanticDiff } from "./diff.js";
import { formatSummaryLine } from "./summary.js";

const spec = (natRules: string) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24, networkSecurityGroup: web-nsg }]
publicIPAddresses: [{ name: pip-lb, sku: Standard, ipAddress: 20.50.60.70 }]
loadBalancers:
  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    inboundNatRules: [${natRules}]
networkInterfaces:
  - name: vm1
    ipConfigurations:
      - { privateIPAddress: 10.0.1.4, subnet: web${natRules === "" ? "" : ", loadBalancerInboundNatRules: [lb/rdp]"} }
networkSecurityGroups:
  - name: web-nsg
    securityRules:
      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }
`;

describe("the semantic diff of load balancers", () => {
  it("shows what an inbound NAT rule added lets in from the Internet, on the frontend", () => {
    const before = networkOf(spec(""));
    const after = networkOf(
      spec(
        "{ name: rdp, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 50001, backendPort: 3389 }",
      ),
    );
    const diff = semanticDiff(before, after);
    expect(diff.equivalent).toBe(false);
    expect(diff.nsgs).toEqual([]);
    expect(
      diff.flows.map((f) => [f.from, f.to, f.newlyAllowed.lines.map((l) => formatSummaryLine(l))]),
    ).toEqual([
      [
        "Internet",
        "load balancer lb frontend fe",
        ["Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 20.50.60.70/32 ports 50001"],
      ],
    ]);
    expect(semanticDiff(after, after).equivalent).toBe(true);
  });
});
