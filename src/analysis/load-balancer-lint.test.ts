/** lint on load balancers: a backend whose NSG denies the health probe, a Standard rule to a backend with no NSG. */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const SPEC = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses: [{ name: pip-lb, sku: Standard }]
loadBalancers:
  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    backendAddressPools: [{ name: pool }]
    probes: [{ name: p, protocol: Tcp, port: 80 }]
    loadBalancingRules:
      - { name: http, frontendIPConfiguration: fe, backendAddressPool: pool, probe: p, protocol: Tcp, frontendPort: 80 }
networkInterfaces:
  - { name: vm1, networkSecurityGroup: nsg1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }
  - { name: vm2, ipConfigurations: [{ privateIPAddress: 10.0.1.5, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }
networkSecurityGroups:
  - name: nsg1
    securityRules:
      - { name: deny-lb, protocol: "*", access: Deny, priority: 100, direction: Inbound, sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }
      - { name: web, protocol: Tcp, access: Allow, priority: 110, direction: Inbound, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80" }
`;

const findings = (spec: string) =>
  lint(new ReachAnalyzer(networkOf(spec)))
    .filter((d) => d.code.startsWith("LoadBalancer"))
    .map((d) => [d.code, d.path.join("."), d.message]);

describe("lint on load balancers", () => {
  it("names a backend whose NSG denies the probe, and a Standard rule to a backend no NSG applies to", () => {
    expect(findings(SPEC)).toEqual([
      [
        "LoadBalancerProbeDenied",
        "loadBalancers.0.loadBalancingRules.0",
        "load balancer lb: load-balancing rule http: health probe p (Tcp 168.63.129.16 -> 10.0.1.4:80) is denied by NSG nsg1 (networkInterface vm1): the load balancer marks network interface vm1 down and sends it nothing",
      ],
      [
        "LoadBalancerClosedWithoutNsg",
        "loadBalancers.0.loadBalancingRules.0",
        "load balancer lb: load-balancing rule http forwards nothing from the Internet to network interface vm2: a Standard load balancer is closed to inbound flows unless an NSG allows them, and no NSG applies to it",
      ],
    ]);
  });

  it("finds nothing once the probe is allowed and every backend has an NSG", () => {
    const fixed = SPEC.replace(
      "access: Deny, priority: 100",
      "access: Allow, priority: 100",
    ).replace(
      "  - { name: vm2, ipConfigurations",
      "  - { name: vm2, networkSecurityGroup: nsg1, ipConfigurations",
    );
    expect(findings(fixed)).toEqual([]);
  });
});
