/**
 * lint on Azure Bastion: each rule its documentation requires of an NSG on
 * AzureBastionSubnet that the NSG does not allow is an error naming the rule
 * that blocks it; a VM Bastion should reach whose NSGs allow neither 22 nor
 * 3389 from the Bastion subnet is a note.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const rule = (
  name: string,
  priority: number,
  direction: string,
  source: string,
  destination: string,
  ports: string,
  protocol = "Tcp",
) =>
  `{ name: ${name}, protocol: "${protocol}", access: Allow, priority: ${priority}, direction: ${direction}, sourceAddressPrefix: ${source}, sourcePortRange: "*", destinationAddressPrefix: "${destination}", destinationPortRanges: [${ports}] }`;

/** The rules of Azure Bastion's NSG documentation, then deny-alls both ways. */
const DOCUMENTED = [
  rule("AllowHttpsInbound", 120, "Inbound", "Internet", "*", "443"),
  rule("AllowGatewayManagerInbound", 130, "Inbound", "GatewayManager", "*", "443"),
  rule("AllowAzureLoadBalancerInbound", 140, "Inbound", "AzureLoadBalancer", "*", "443"),
  rule(
    "AllowBastionHostCommunication",
    150,
    "Inbound",
    "VirtualNetwork",
    "VirtualNetwork",
    "8080, 5701",
    "*",
  ),
  rule("AllowSshRdpOutbound", 100, "Outbound", '"*"', "VirtualNetwork", "22, 3389", "*"),
  rule("AllowAzureCloudOutbound", 110, "Outbound", '"*"', "AzureCloud", "443"),
  rule(
    "AllowBastionCommunication",
    120,
    "Outbound",
    "VirtualNetwork",
    "VirtualNetwork",
    "8080, 5701",
    "*",
  ),
  rule("AllowHttpOutbound", 130, "Outbound", '"*"', "Internet", "80", "*"),
  `{ name: DenyAll, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`,
  `{ name: DenyAllOut, protocol: "*", access: Deny, priority: 4000, direction: Outbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`,
];

function spec(bastionRules: readonly string[], vmRules = ""): string {
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: vms, addressPrefix: 10.0.1.0/24, networkSecurityGroup: vm-nsg }
      - { name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26, networkSecurityGroup: bastion-nsg }
publicIPAddresses: [{ name: bastion-pip, sku: Standard }]
bastionHosts:
  - { name: bastion, ipConfigurations: [{ subnet: AzureBastionSubnet, publicIPAddress: bastion-pip }] }
networkInterfaces:
  - { name: vm1, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: vms }] }
  - { name: vm2, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: vms }] }
networkSecurityGroups:
  - name: bastion-nsg
    securityRules: [${bastionRules.join(",\n      ")}]
  - name: vm-nsg
    securityRules: [${vmRules}]
`;
}

const findings = (text: string, code: string) =>
  lint(new ReachAnalyzer(networkOf(text))).filter((d) => d.code === code);

describe("an NSG on AzureBastionSubnet", () => {
  it("with every documented rule raises nothing", () => {
    expect(findings(spec(DOCUMENTED), "BastionNsgRuleMissing")).toEqual([]);
  });

  it.each(
    DOCUMENTED.slice(0, 8)
      .map((r, i) => [/name: (\w+)/.exec(r)?.[1], i] as const)
      .filter(([name]) => name !== "AllowGatewayManagerInbound"),
  )("without %s is one error, naming the deny-all that blocks it", (_, i) => {
    const found = findings(spec(DOCUMENTED.filter((_, k) => k !== i)), "BastionNsgRuleMissing");
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("error");
    expect(found[0]?.message).toMatch(/securityRules\/DenyAll(Out)? denies it/);
    expect(found[0]?.message).toContain(
      "If you apply an NSG to AzureBastionSubnet, you must create all of the following rules",
    );
    expect(found[0]?.path.slice(0, 3)).toEqual(["networkSecurityGroups", 0, "securityRules"]);
  });

  it("meets 443 from GatewayManager with the rule from the Internet, which holds its public addresses", () => {
    const without = DOCUMENTED.filter((r) => !r.includes("AllowGatewayManagerInbound"));
    expect(findings(spec(without), "BastionNsgRuleMissing")).toEqual([]);
    const narrowed = without.map((r) =>
      r.includes("AllowHttpsInbound")
        ? r.replace("sourceAddressPrefix: Internet", "sourceAddressPrefix: 203.0.113.0/24")
        : r,
    );
    const found = findings(spec(narrowed), "BastionNsgRuleMissing");
    expect(found.map((d) => /inbound 443 from (\w+)/.exec(d.message)?.[1])).toEqual([
      "Internet",
      "GatewayManager",
    ]);
  });

  it("with no rule of its own misses only what the default rules deny: 443 from the Internet and GatewayManager", () => {
    const found = findings(spec([]), "BastionNsgRuleMissing");
    expect(found.map((d) => d.message.match(/allow inbound 443 from (\w+)/)?.[1])).toEqual([
      "Internet",
      "GatewayManager",
    ]);
    expect(found.every((d) => d.message.includes("defaultSecurityRules/DenyAllInBound"))).toBe(
      true,
    );
  });

  it("allowing 443 from part of the Internet only does not meet the rule", () => {
    const partial = DOCUMENTED.map((r) =>
      r.includes("AllowHttpsInbound")
        ? r.replace("sourceAddressPrefix: Internet", "sourceAddressPrefix: 203.0.113.0/24")
        : r,
    );
    const found = findings(spec(partial), "BastionNsgRuleMissing");
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain("443 from Internet");
  });
});

describe("a VM that Bastion should reach", () => {
  it("whose NSG allows neither 22 nor 3389 from the Bastion subnet is one note for its NSG, naming the VMs", () => {
    const vmRules = `{ name: deny-vnet, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`;
    const found = findings(spec(DOCUMENTED, vmRules), "BastionTargetNotAllowed");
    expect(found).toHaveLength(1);
    expect(found[0]?.severity).toBe("info");
    expect(found[0]?.message).toContain("network interfaces vm1, vm2");
    expect(found[0]?.message).toContain("10.0.255.0/26");
  });

  it("whose NSG allows RDP from the Bastion subnet raises nothing", () => {
    const vmRules = `${rule("rdp", 100, "Inbound", "10.0.255.0/26", "*", "3389")},
      { name: deny-vnet, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`;
    expect(findings(spec(DOCUMENTED, vmRules), "BastionTargetNotAllowed")).toEqual([]);
  });

  it("under the default rules (VirtualNetwork allowed) raises nothing", () => {
    expect(findings(spec(DOCUMENTED), "BastionTargetNotAllowed")).toEqual([]);
  });

  it("in a peered network is checked too, whatever the Bastion's SKU", () => {
    const text = `${spec(DOCUMENTED)}`
      .replace(
        "virtualNetworks:\n",
        `virtualNetworks:
  - name: spoke
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets: [{ name: spoke-vms, addressPrefix: 10.1.1.0/24, networkSecurityGroup: spoke-nsg }]
    virtualNetworkPeerings: [{ remoteVirtualNetwork: vnet }]
`,
      )
      .replace(
        "    addressSpace: { addressPrefixes: [10.0.0.0/16] }\n",
        "    addressSpace: { addressPrefixes: [10.0.0.0/16] }\n    virtualNetworkPeerings: [{ remoteVirtualNetwork: spoke }]\n",
      )
      .replace(
        "networkInterfaces:\n",
        "networkInterfaces:\n  - { name: spoke-vm, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: spoke-vms }] }\n",
      )
      .concat(`  - name: spoke-nsg
    securityRules:
      - { name: deny-vnet, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }
`);
    const found = findings(text, "BastionTargetNotAllowed");
    expect(found.map((d) => d.message)).toEqual([
      expect.stringContaining("network interface spoke-vm"),
    ]);
  });
});
