/** lint on the way out to the Internet: hosts with none, and a NAT gateway beside Basic resources. */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

function spec(subnet: string, nic: string, extra = ""): string {
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24${subnet} }
      - { name: nva, addressPrefix: 10.0.2.0/24 }
publicIPAddresses:
  - { name: nat-ip, sku: Standard, ipAddress: 203.0.113.10 }
  - { name: vm-ip, sku: Standard, ipAddress: 203.0.113.20 }
  - { name: old-ip, sku: Basic, ipAddress: 198.51.100.20 }
natGateways: [{ name: nat1, publicIpAddresses: [nat-ip] }]
routeTables:
  - name: rt
    routes: [{ name: out, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.2.4 }]
networkInterfaces:
  - { name: nva-nic, ipConfigurations: [{ privateIPAddress: 10.0.2.4, subnet: nva }] }
  - { name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: app${nic} }] }
${extra}`;
}

const findings = (text: string) =>
  lint(new ReachAnalyzer(networkOf(text)))
    .filter((d) => d.code === "NoInternetEgress" || d.code === "NatGatewayWithBasicResources")
    .map((d) => [d.code, d.severity, d.path.join(".")]);

describe("lint on outbound access", () => {
  it("notes hosts with no way out when defaultOutboundAccess is false and nothing else gives one", () => {
    expect(findings(spec(", defaultOutboundAccess: false", ""))).toEqual([
      ["NoInternetEgress", "info", "virtualNetworks.0.subnets.0.defaultOutboundAccess"],
    ]);
  });

  it("says nothing when a NAT gateway, a public IP or an appliance route gives a way out, or access is default", () => {
    expect(findings(spec(", defaultOutboundAccess: false, natGateway: nat1", ""))).toEqual([]);
    expect(findings(spec(", defaultOutboundAccess: false", ", publicIPAddress: vm-ip"))).toEqual(
      [],
    );
    expect(findings(spec(", defaultOutboundAccess: false, routeTable: rt", ""))).toEqual([]);
    expect(findings(spec("", ""))).toEqual([]);
  });

  it("notes a Flexible scale set with no way out, whatever the subnet's default", () => {
    const scaleSet = `virtualMachineScaleSets:
  - name: web
    orchestrationMode: Flexible
    sku: { name: Standard_B2s, capacity: 2 }
    networkProfile:
      networkInterfaceConfigurations:
        - { name: nic, primary: true, ipConfigurations: [{ name: ipconfig, subnet: app }] }
`;
    expect(findings(spec("", "", scaleSet))).toEqual([
      ["NoInternetEgress", "info", "virtualNetworks.0.subnets.0"],
    ]);
    expect(findings(spec(", natGateway: nat1", "", scaleSet))).toEqual([]);
  });

  it("refuses a NAT gateway on a subnet with a Basic public IP", () => {
    expect(findings(spec(", natGateway: nat1", ", publicIPAddress: old-ip"))).toEqual([
      ["NatGatewayWithBasicResources", "error", "virtualNetworks.0.subnets.0.natGateway"],
    ]);
    expect(findings(spec(", natGateway: nat1", ", publicIPAddress: vm-ip"))).toEqual([]);
  });
});
