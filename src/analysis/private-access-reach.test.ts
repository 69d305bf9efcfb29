/**
 * Exact reachability with private endpoints and Bastion: a private endpoint's
 * arrivals follow its subnet's policy (and read source ports as *), and
 * exposure lists a Bastion host's public IP on 443, the port it answers on.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { resolveEndpoint } from "../engine/endpoint.js";
import { exposureOf } from "./matrix.js";
import { ReachAnalyzer } from "./reach.js";
import { formatSummaryLine } from "./summary.js";

const spec = (policy?: string) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24 }
      - { name: pe, addressPrefix: 10.0.2.0/24, networkSecurityGroup: pe-nsg${policy ? `, privateEndpointNetworkPolicies: ${policy}` : ""} }
      - { name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26 }
publicIPAddresses: [{ name: bastion-pip, sku: Standard, ipAddress: 20.1.2.3 }]
bastionHosts:
  - { name: bastion, ipConfigurations: [{ subnet: AzureBastionSubnet, publicIPAddress: bastion-pip }] }
networkInterfaces:
  - { name: vm, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: app }] }
privateEndpoints:
  - { name: pe-sql, subnet: pe, privateIPAddress: 10.0.2.4 }
networkSecurityGroups:
  - name: pe-nsg
    securityRules:
      - { name: sql-low-ports, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: 10.0.1.0/24, sourcePortRange: "1-1023", destinationAddressPrefix: "*", destinationPortRange: "1433" }
      - { name: deny-all, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }
`;

function flowFromVm(policy?: string) {
  const network = networkOf(spec(policy));
  const host = (text: string) => {
    const r = resolveEndpoint(network, text);
    if (!r.ok) throw new Error(r.message);
    return r.host;
  };
  return new ReachAnalyzer(network).flow(host("nic:vm"), host("pe:pe-sql")).allowed;
}

describe("reachability of a private endpoint", () => {
  it("with the policy left out is everything its caller sends: the subnet's NSG does not apply", () => {
    const allowed = flowFromVm();
    expect(
      allowed.has({
        protocol: "Udp",
        source: ip("10.0.1.4"),
        sourcePort: 5,
        destination: ip("10.0.2.4"),
        destinationPort: 53,
      }),
    ).toBe(true);
  });

  it("with NetworkSecurityGroupEnabled is what the NSG allows, whatever the source port", () => {
    const allowed = flowFromVm("NetworkSecurityGroupEnabled");
    const sql = (sourcePort: number) => ({
      protocol: "Tcp" as const,
      source: ip("10.0.1.4"),
      sourcePort,
      destination: ip("10.0.2.4"),
      destinationPort: 1433,
    });
    expect(allowed.has(sql(50000))).toBe(true);
    expect(allowed.has(sql(80))).toBe(true);
    expect(allowed.has({ ...sql(50000), destinationPort: 1434 })).toBe(false);
  });
});

describe("exposure of a Bastion host", () => {
  it("is its public IP on TCP 443", () => {
    const found = exposureOf(new ReachAnalyzer(networkOf(spec()))).filter(
      (e) => e.bastionHost !== undefined,
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.publicIPAddress).toBe("bastion-pip");
    expect(found[0]?.exposed.map(formatSummaryLine)).toEqual([
      expect.stringMatching(/^Tcp .*443$/),
    ]);
  });
});

function ip(text: string) {
  const [a, b, c, d] = text.split(".").map(Number) as [number, number, number, number];
  return { family: 4 as const, value: BigInt(((a * 256 + b) * 256 + c) * 256 + d) };
}
