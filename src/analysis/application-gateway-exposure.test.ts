/** exposure through application gateways' public frontends: the listeners' ports the gateway subnet's NSG admits. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../test/support/cli.js";
import { networkOf } from "../../test/support/spec.js";
import { loadSpec } from "../specfile/load.js";
import { semanticDiff } from "./diff.js";
import { exposureOf } from "./matrix.js";
import { ReachAnalyzer } from "./reach.js";
import { formatSummaryLine } from "./summary.js";

const gatewayExposure = (network: Parameters<typeof exposureOf>[0]["network"]) =>
  exposureOf(new ReachAnalyzer(network))
    .filter((e) => e.applicationGateway !== undefined)
    .map((e) => ({
      gateway: e.applicationGateway,
      listeners: e.listeners,
      exposed: e.exposed.map((l) => formatSummaryLine(l)),
    }));

function spec(nsg: boolean, tier: string): string {
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: gateway, addressPrefix: 10.0.0.0/24${nsg ? ", networkSecurityGroup: gw-nsg" : ""} }]
publicIPAddresses: [{ name: pip, sku: ${tier.endsWith("_v2") ? "Standard" : "Basic"}, ipAddress: 20.1.2.3 }]
applicationGateways:
  - name: gw
    sku: ${tier}
    gatewayIPConfigurations: [{ name: ip, subnet: gateway }]
    frontendIPConfigurations: [{ name: public, publicIPAddress: pip }]
    frontendPorts: [{ name: p80, port: 80 }, { name: p443, port: 443 }]
    httpListeners:
      - { name: http, frontendIPConfiguration: public, frontendPort: p80, protocol: Http }
      - { name: https, frontendIPConfiguration: public, frontendPort: p443, protocol: Https }
networkSecurityGroups:
  - name: gw-nsg
    securityRules:
      - { name: https, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" }
`;
}

describe("exposure through an application gateway", () => {
  it("shows the listeners' ports the gateway subnet's NSG lets in, at the frontend's address", () => {
    const { spec: loaded } = loadSpec(join(ROOT, "examples/application-gateway"));
    if (!loaded) throw new Error("examples/application-gateway does not load");
    const [e] = gatewayExposure(loaded.network);
    expect(e?.listeners).toEqual(["https (Https 443) -> pool web"]);
    expect(e?.exposed).toHaveLength(1);
    expect(e?.exposed[0]).toMatch(/^Tcp .* -> 203\.0\.113\.50\/32 ports 443$/);
  });

  it("leaves out a listener's port the NSG does not allow", () => {
    const [e] = gatewayExposure(networkOf(spec(true, "Standard_v2")));
    expect(e?.listeners).toEqual([
      "http (Http 80) -> no routing rule",
      "https (Https 443) -> no routing rule",
    ]);
    expect(e?.exposed.join("\n")).toMatch(/ports 443$/);
  });

  it("shows nothing for a v2 gateway's Standard public IP with no NSG, and every listener for a v1 Basic one", () => {
    expect(gatewayExposure(networkOf(spec(false, "Standard_v2")))[0]?.exposed).toEqual([]);
    expect(gatewayExposure(networkOf(spec(false, "Standard")))[0]?.exposed.join("\n")).toMatch(
      /ports 80,443$/,
    );
  });

  it("is compared by diff: a listener's port newly allowed shows at the frontend", () => {
    const before = networkOf(spec(true, "Standard_v2"));
    const after = networkOf(
      spec(true, "Standard_v2").replace(
        'destinationPortRange: "443"',
        'destinationPortRange: "80-443"',
      ),
    );
    const diff = semanticDiff(before, after);
    expect(
      diff.flows.map((f) => [f.from, f.to, f.newlyAllowed.lines.map((l) => formatSummaryLine(l))]),
    ).toEqual([
      [
        "Internet",
        "application gateway gw frontend public",
        ["Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 20.1.2.3/32 ports 80"],
      ],
    ]);
  });
});
