/**
 * Exposure through public load balancers, over every packet: what each rule
 * lets in at each backend, shown as the frontend receives it (its address
 * and port), and the exposure assertion on a backend counting it.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { hasErrors } from "../model/diagnostic.js";
import { checkSpecAssertions } from "../specfile/check.js";
import { exposureOf } from "./matrix.js";
import { ReachAnalyzer } from "./reach.js";
import { formatSummaryLine } from "./summary.js";

/** Two VMs behind a public load balancer: HTTP on 80 to 8080 over the pool, RDP to vm1 on 50001. */
const spec = (sku: "Basic" | "Standard", nsg: boolean, probePort = 8080) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24${nsg ? ", networkSecurityGroup: web-nsg" : ""} }]
publicIPAddresses: [{ name: pip-lb, sku: ${sku}, ipAddress: 20.50.60.70 }]
loadBalancers:
  - name: lb
    sku: ${sku}
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    backendAddressPools: [{ name: pool }]
    probes: [{ name: p, protocol: Tcp, port: ${probePort} }]
    loadBalancingRules:
      - { name: http, frontendIPConfiguration: fe, backendAddressPool: pool, probe: p, protocol: Tcp, frontendPort: 80, backendPort: 8080 }
    inboundNatRules:
      - { name: rdp, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 50001, backendPort: 3389 }
networkInterfaces:
  - { name: vm1, ipConfigurations: [{ name: c, privateIPAddress: 10.0.1.4, subnet: web, loadBalancerBackendAddressPools: [lb/pool], loadBalancerInboundNatRules: [lb/rdp] }] }
  - { name: vm2, ipConfigurations: [{ name: c, privateIPAddress: 10.0.1.5, subnet: web, loadBalancerBackendAddressPools: [lb/pool] }] }
${
  nsg
    ? `networkSecurityGroups:
  - name: web-nsg
    securityRules:
      - { name: web-from-partner, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: 198.51.100.0/24, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "8080" }
      - { name: probe-off, protocol: Tcp, access: Deny, priority: 110, direction: Inbound,
          sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "9000" }`
    : ""
}`;

const exposure = (text: string) =>
  exposureOf(new ReachAnalyzer(networkOf(text)))
    .filter((e) => e.loadBalancer !== undefined)
    .map((e) => [e.rule, e.backend, e.translatedTo, e.exposed.map((l) => formatSummaryLine(l))]);

describe("exposure through a public load balancer", () => {
  it("shows what each rule lets in at each backend, on the frontend's address and port", () => {
    expect(exposure(spec("Standard", true))).toEqual([
      [
        "load-balancing rule http",
        "network interface vm1 (c)",
        "10.0.1.4:8080",
        ["Tcp 198.51.100.0/24 -> 20.50.60.70/32 ports 80"],
      ],
      [
        "load-balancing rule http",
        "network interface vm2 (c)",
        "10.0.1.5:8080",
        ["Tcp 198.51.100.0/24 -> 20.50.60.70/32 ports 80"],
      ],
      ["inbound NAT rule rdp", "network interface vm1 (c)", "10.0.1.4:3389", []],
    ]);
  });

  it("Standard with no NSG: nothing; Basic with none: every port its rules forward", () => {
    expect(exposure(spec("Standard", false)).map((e) => e[3])).toEqual([[], [], []]);
    expect(exposure(spec("Basic", false)).map((e) => e[3])).toEqual([
      ["Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 20.50.60.70/32 ports 80"],
      ["Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 20.50.60.70/32 ports 80"],
      ["Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 20.50.60.70/32 ports 50001"],
    ]);
  });

  it("counts nothing for a backend whose NSG denies the health probe", () => {
    expect(exposure(spec("Standard", true, 9000)).map((e) => e[3])).toEqual([[], [], []]);
  });

  it("is part of a backend's exposure assertion, as the backend receives it", () => {
    const outcomes = (within: string) => {
      const loaded = loadSpecText(
        `${spec("Basic", false)}\nassertions:\n  - { name: e, kind: exposure, to: nic:vm1, within: [${within}] }\n`,
      );
      if (!loaded.spec || hasErrors(loaded.diagnostics))
        throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
      return checkSpecAssertions(loaded.spec.network, loaded.spec.assertions).map(
        (o) => o.outcome.status,
      );
    };
    expect(outcomes("{ protocol: Tcp, ports: [8080] }")).toEqual(["failed"]);
    expect(outcomes("{ protocol: Tcp, ports: [8080, 3389] }")).toEqual(["held"]);
  });
});
