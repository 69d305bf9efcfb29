/**
 * lint on private endpoints: NSG rules whose only effect would be on private
 * endpoints whose subnet does not apply its NSG to them are a note, and
 * nothing else is said.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const RULE = (name: string, destination: string) =>
  `{ name: ${name}, protocol: Tcp, access: Allow, priority: ${name === "to-pe" ? 100 : 110}, direction: Inbound, sourceAddressPrefix: 10.0.1.0/24, sourcePortRange: "*", destinationAddressPrefix: "${destination}", destinationPortRange: "443" }`;

function spec(options: { policy?: string; vm?: boolean; rules?: string[] } = {}): string {
  const { policy, vm = false, rules = [RULE("to-pe", "*")] } = options;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24 }
      - { name: pe, addressPrefix: 10.0.2.0/24, networkSecurityGroup: pe-nsg${policy ? `, privateEndpointNetworkPolicies: ${policy}` : ""} }
privateEndpoints:
  - { name: pe-kv, subnet: pe, privateIPAddress: 10.0.2.5, privateLinkServiceConnections: [{ privateLinkServiceId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv, groupIds: [vault] }] }
${vm ? "networkInterfaces: [{ name: vm, ipConfigurations: [{ privateIPAddress: 10.0.2.4, subnet: pe }] }]" : ""}
networkSecurityGroups:
  - name: pe-nsg
    securityRules: [${rules.join(", ")}]
`;
}

const notes = (text: string) =>
  lint(new ReachAnalyzer(networkOf(text))).filter((d) => d.code === "PrivateEndpointNsgNotApplied");

describe("an NSG on a subnet of private endpoints", () => {
  it("whose policy is left out (Disabled) and that holds only them is one note on the association", () => {
    const found = notes(spec());
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("info");
    expect(found[0]?.path).toEqual(["virtualNetworks", 0, "subnets", 1, "networkSecurityGroup"]);
    expect(found[0]?.message).toContain("holds only private endpoints (pe-kv)");
    expect(found[0]?.message).toContain("securityRules/to-pe");
  });

  it.each(["Enabled", "NetworkSecurityGroupEnabled"])(
    "whose policy is %s raises nothing",
    (policy) => {
      expect(notes(spec({ policy }))).toEqual([]);
    },
  );

  it("with RouteTableEnabled is a note too: the NSG still does not apply", () => {
    expect(notes(spec({ policy: "RouteTableEnabled" }))).toHaveLength(1);
  });

  it("with other hosts notes only a rule that names nothing but an endpoint's address", () => {
    const found = notes(
      spec({ vm: true, rules: [RULE("to-pe", "10.0.2.5/32"), RULE("to-all", "*")] }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain(
      "securityRules/to-pe (100) names only private endpoint addresses (pe-kv 10.0.2.5)",
    );
    expect(found[0]?.path).toEqual(["networkSecurityGroups", 0, "securityRules", 0]);
  });

  it("with no rule of its own raises nothing", () => {
    expect(notes(spec({ rules: [] }))).toEqual([]);
  });
});
