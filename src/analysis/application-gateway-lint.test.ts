/**
 * lint on application gateways' subnets: GatewayManager on the generation's
 * infrastructure ports, no manual Deny of AzureLoadBalancer, no Deny of
 * outbound Internet; an error for v2 (Azure refuses the deployment), a
 * warning for v1, placed on the rule that blocks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../test/support/cli.js";
import { networkOf } from "../../test/support/spec.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const rule = (
  name: string,
  priority: number,
  direction: string,
  source: string,
  ports: string,
  access = "Allow",
  destination = "*",
) =>
  `{ name: ${name}, protocol: "*", access: ${access}, priority: ${priority}, direction: ${direction}, sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "${destination}", destinationPortRange: "${ports}" }`;

// A deny-all overrides the default AllowAzureLoadBalancerInBound unless AzureLoadBalancer is allowed above it.
const LB = rule("lb", 3000, "Inbound", "AzureLoadBalancer", "*");
const DENY_ALL = rule("deny-all", 4000, "Inbound", "*", "*", "Deny");

function spec(rules: string[], tier = "Standard_v2"): string {
  const sku = tier.endsWith("_v2") ? "Standard" : "Basic";
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: gateway, addressPrefix: 10.0.0.0/24, networkSecurityGroup: gw-nsg }]
publicIPAddresses: [{ name: pip, sku: ${sku} }]
applicationGateways:
  - name: gw
    sku: ${tier}
    gatewayIPConfigurations: [{ name: ip, subnet: gateway }]
    frontendIPConfigurations: [{ name: public, publicIPAddress: pip }]
    frontendPorts: [{ name: p443, port: 443 }]
networkSecurityGroups:
  - name: gw-nsg
    securityRules: [${rules.join(", ")}]
`;
}

function findings(text: string): string[] {
  return lint(new ReachAnalyzer(networkOf(text)))
    .filter((d) => d.code.startsWith("ApplicationGateway"))
    .map((d) => `${d.severity} ${d.path.join(".")} ${d.message}`);
}

describe("lint on an application gateway's subnet", () => {
  it("finds nothing when GatewayManager's v2 ports are allowed above a deny-all", () => {
    expect(
      findings(spec([rule("gm", 100, "Inbound", "GatewayManager", "65200-65535"), LB, DENY_ALL])),
    ).toEqual([]);
  });

  it("is an error for v2 when a deny-all takes GatewayManager's ports, placed on that rule", () => {
    const found = findings(spec([LB, DENY_ALL]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^error networkSecurityGroups\.0\.securityRules\.1 /);
    expect(found[0]).toContain("Tcp 65200-65535 from GatewayManager");
    expect(found[0]).toContain("securityRules/deny-all denies it");
    expect(found[0]).toContain(
      "ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup",
    );
  });

  it("checks the v1 ports for a v1 gateway, as a warning", () => {
    // 65200-65502 do not matter to v1: allowing only 65503-65534 is enough.
    expect(
      findings(
        spec([rule("gm", 100, "Inbound", "GatewayManager", "65503-65534"), LB, DENY_ALL], "WAF"),
      ),
    ).toEqual([]);
    // The v2 range allowed on a v1 gateway's ports is enough too, but a v2 gateway needs all of it.
    expect(
      findings(spec([rule("gm", 100, "Inbound", "GatewayManager", "65503-65534"), LB, DENY_ALL])),
    ).toHaveLength(1);
    const v1 = findings(spec([LB, DENY_ALL], "Standard"));
    expect(v1).toHaveLength(1);
    expect(v1[0]).toMatch(/^warning /);
    expect(v1[0]).toContain("Tcp 65503-65534 from GatewayManager");
    expect(v1[0]).toContain("Unknown");
  });

  it("names a deny-all that comes before any allow of AzureLoadBalancer", () => {
    const found = findings(
      spec([rule("gm", 100, "Inbound", "GatewayManager", "65200-65535"), DENY_ALL]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("from AzureLoadBalancer");
    expect(found[0]).toContain("securityRules/deny-all denies it");
  });

  it("names a manual Deny of AzureLoadBalancer, but not the default rules", () => {
    const found = findings(
      spec([
        rule("gm", 100, "Inbound", "GatewayManager", "65200-65535"),
        rule("no-lb", 200, "Inbound", "AzureLoadBalancer", "*", "Deny"),
      ]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^error networkSecurityGroups\.0\.securityRules\.1 /);
    expect(found[0]).toContain("from AzureLoadBalancer");
  });

  it("names a Deny of outbound Internet", () => {
    const found = findings(
      spec([
        rule("gm", 100, "Inbound", "GatewayManager", "65200-65535"),
        rule("no-out", 100, "Outbound", "*", "*", "Deny", "Internet"),
      ]),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("outbound traffic to the Internet");
    expect(found[0]).toContain(
      "ApplicationGatewaySubnetOutboundTrafficBlockedByNetworkSecurityGroup",
    );
  });

  it("reads an Internet-wide allow of the ports as allowing GatewayManager", () => {
    expect(
      findings(spec([rule("any", 100, "Inbound", "Internet", "65200-65535"), LB, DENY_ALL])),
    ).toEqual([]);
  });

  it("names a backend whose NSG lets in the Internet but not the gateway's subnet, on the routing rule", () => {
    const example = readFileSync(join(ROOT, "examples/application-gateway/tierwall.yaml"), "utf8");
    expect(findings(example)).toEqual([]);
    const found = findings(
      example.replace("sourceAddressPrefix: 10.50.0.0/24", "sourceAddressPrefix: Internet"),
    );
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^warning applicationGateways\.0\.requestRoutingRules\.0 /);
    expect(found[0]).toContain("network interface web1-nic (ipconfig1) on Tcp 8080");
    expect(found[0]).toContain("NSG web-nsg (subnet app-vnet/web, inbound)");
  });
});
