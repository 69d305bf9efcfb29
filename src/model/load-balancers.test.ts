/** Load balancers as the model checks them: what Azure refuses is an error, located at its value. */
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";

const BASE = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24 }, { name: app, addressPrefix: 10.0.2.0/24 }]
publicIPAddresses: [{ name: pip-lb, sku: Standard }, { name: pip-basic, sku: Basic }]
`;

/** The spec with `lb` (YAML under loadBalancers) and `nics` (under networkInterfaces). */
const spec = (lb: string, nics = "[]") =>
  `${BASE}loadBalancers:\n${lb}\nnetworkInterfaces: ${nics}\n`;

/** The errors the spec gives: code, and the path of the value they are at. */
function errors(text: string): string[] {
  return loadSpecText(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.path.join(".")}`);
}

const LB = `  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    backendAddressPools: [{ name: pool }]
    probes: [{ name: p, protocol: Tcp, port: 80 }]`;

describe("load balancers in the model", () => {
  it("resolves frontends, pools joined from interfaces or by the pool, and each rule's forwarding", () => {
    const network = networkOf(
      spec(
        `${LB}
    loadBalancingRules:
      - { name: http, frontendIPConfiguration: fe, backendAddressPool: pool, probe: p, protocol: Tcp, frontendPort: 80 }
    inboundNatRules:
      - { name: ssh, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 2201, backendPort: 22, backendIPConfiguration: vm2/ipconfig1 }`,
        `
  - { name: vm1, ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }
  - { name: vm2, ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.1.5, subnet: web }] }`,
      ),
    );
    const lb = network.loadBalancers.get("lb");
    expect(lb?.frontends.map((f) => [f.name, f.publicIp?.name, f.address.label])).toEqual([
      ["fe", "pip-lb", "<pip-lb>"],
    ]);
    expect(
      lb?.forwardings.map((f) => [
        f.name,
        f.frontendPorts.first,
        f.backendPort,
        f.probe?.name,
        f.backends.map((b) => b.label),
      ]),
    ).toEqual([
      ["http", 80, 80, "p", ["network interface vm1 (ipconfig1)"]],
      ["ssh", 2201, 22, undefined, ["network interface vm2 (ipconfig1)"]],
    ]);
  });

  it("gives an internal frontend a private address of its subnet, Dynamic ones a free host", () => {
    const network = networkOf(
      spec(`  - name: ilb
    sku: Standard
    frontendIPConfigurations:
      - { name: a, subnet: vnet/app, privateIPAddress: 10.0.2.10 }
      - { name: b, subnet: vnet/app, privateIPAllocationMethod: Dynamic }`),
    );
    expect(
      network.loadBalancers.get("ilb")?.frontends.map((f) => f.address.label ?? "10.0.2.10"),
    ).toEqual(["10.0.2.10", "10.0.2.x"]);
  });

  it("refuses what Azure refuses, each at its value", () => {
    expect(
      errors(
        spec(
          `  - name: lb
    sku: Basic
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }, { name: inner, subnet: vnet/app, privateIPAddress: 10.0.2.2 }]
    backendAddressPools: [{ name: pool, loadBalancerBackendAddresses: [{ ipAddress: 10.0.1.9, virtualNetwork: vnet }] }]
    loadBalancingRules:
      - { name: ha, frontendIPConfiguration: fe, backendAddressPool: pool, protocol: All, frontendPort: 0, backendPort: 0 }
      - { name: a, frontendIPConfiguration: fe, backendAddressPool: missing, protocol: Tcp, frontendPort: 80 }
    inboundNatRules:
      - { name: n, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 80, backendPort: 8080 }
      - { name: twice, frontendIPConfiguration: nope, protocol: Tcp, frontendPort: 81, backendPort: 22 }`,
          `
  - { name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: web, loadBalancerInboundNatRules: [lb/twice, lb/none, other/x] }] }
  - { name: vm2, ipConfigurations: [{ privateIPAddress: 10.0.1.5, subnet: web, loadBalancerInboundNatRules: [lb/twice] }] }`,
        ),
      ),
    ).toEqual([
      "LoadBalancerPublicIPSkuMismatch loadBalancers.0.frontendIPConfigurations.0.publicIPAddress",
      "PrivateIPAddressIsReserved loadBalancers.0.frontendIPConfigurations.1.privateIPAddress",
      "LoadBalancerFrontendsMixed loadBalancers.0.frontendIPConfigurations",
      "BackendAddressPoolByAddressNeedsStandard loadBalancers.0.backendAddressPools.0.loadBalancerBackendAddresses",
      "HaPortsNeedInternalStandard loadBalancers.0.loadBalancingRules.0.frontendPort",
      "InvalidResourceReference loadBalancers.0.loadBalancingRules.1.backendAddressPool",
      "InvalidResourceReference loadBalancers.0.inboundNatRules.1.frontendIPConfiguration",
      "InboundNatRuleInUse networkInterfaces.1.ipConfigurations.0.loadBalancerInboundNatRules.0",
      "LoadBalancerFrontendPortConflict loadBalancers.0.inboundNatRules.0.frontendPort",
      "InvalidResourceReference networkInterfaces.0.ipConfigurations.0.loadBalancerInboundNatRules.1",
      "InvalidResourceReference networkInterfaces.0.ipConfigurations.0.loadBalancerInboundNatRules.2",
    ]);
  });

  it("refuses a v2 NAT rule without its range and pool, and one whose range is too small for the pool", () => {
    expect(
      errors(
        spec(
          `${LB}
    inboundNatRules:
      - { name: half, frontendIPConfiguration: fe, protocol: Tcp, frontendPortRangeStart: 500, backendPort: 22 }
      - { name: small, frontendIPConfiguration: fe, protocol: Tcp, frontendPortRangeStart: 600, frontendPortRangeEnd: 600, backendAddressPool: pool, backendPort: 22 }`,
          `
  - { name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }
  - { name: vm2, ipConfigurations: [{ privateIPAddress: 10.0.1.5, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }`,
        ),
      ),
    ).toEqual([
      "InvalidInboundNatRule loadBalancers.0.inboundNatRules.0",
      "InvalidInboundNatRule loadBalancers.0.inboundNatRules.1.frontendPortRangeEnd",
    ]);
  });

  it("locates a wrong value in the file and names the SKU rule", () => {
    const result = loadSpecText(
      spec(`  - name: lb
    sku: Basic
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]`),
    );
    const d = result.diagnostics.find((x) => x.code === "LoadBalancerPublicIPSkuMismatch");
    expect(d?.message).toBe(
      "load balancer lb: frontend fe: public IP address pip-lb is Standard and the load balancer Basic; Azure requires the same SKU",
    );
    expect(d?.location).toMatchObject({ line: 10 });
  });

  it("rejects an unknown property of a rule, so that a typo cannot open a port", () => {
    const result = loadSpecText(
      spec(`${LB}
    loadBalancingRules:
      - { name: http, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 80, backendPrt: 8080 }`),
    );
    expect(result.diagnostics.map((d) => d.code)).toContain("UnknownProperty");
  });
});
