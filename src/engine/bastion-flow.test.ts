/**
 * Flows through Azure Bastion: its sessions reach VMs from a private address
 * of AzureBastionSubnet (some host of it, shown symbolically), and users reach
 * it from the Internet on its public IP.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

const VM_RULES = `{ name: rdp-from-bastion, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: 10.0.255.0/26, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" },
      { name: deny-vnet, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: VirtualNetwork, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`;

const BASTION_SPEC = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: vms, addressPrefix: 10.0.1.0/24, networkSecurityGroup: vm-nsg }
      - { name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26 }
publicIPAddresses: [{ name: bastion-pip, sku: Standard, ipAddress: 20.1.2.3 }]
bastionHosts:
  - name: bastion
    sku: Standard
    ipConfigurations: [{ name: ipconf, subnet: AzureBastionSubnet, publicIPAddress: bastion-pip }]
networkInterfaces:
  - { name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: vms }] }
networkSecurityGroups:
  - name: vm-nsg
    securityRules: [${VM_RULES}]
`;

function flow(text: string, from: string, to: string, port: number): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("Azure Bastion", () => {
  it("reaches a VM from a private address of AzureBastionSubnet, shown symbolically", () => {
    const r = flow(BASTION_SPEC, "bastion:bastion", "nic:vm1", 3389);
    expect(r.access).toBe("Allow");
    expect(r.route).toBe("private");
    expect(r.rule).toBe("securityRules/rdp-from-bastion");
    expect(r.from).toContain("Bastion host bastion (10.0.255.x in vnet/AzureBastionSubnet");
    expect(r.trace[0]?.packet).toContain("10.0.255.x");
  });

  it("is denied where the VM's NSG does not allow the port from its subnet", () => {
    const r = flow(BASTION_SPEC, "bastion:bastion", "nic:vm1", 22);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/deny-vnet");
  });

  it("is reached from the Internet on 443 through its public IP, with no NSG on its subnet", () => {
    const r = flow(BASTION_SPEC, "Internet", "bastion:bastion", 443);
    expect(r.access).toBe("Allow");
    expect(r.route).toBe("public");
    expect(r.routeReason).toContain("to 20.1.2.3");
  });

  it("is reached on its public IP as the NSG on AzureBastionSubnet says", () => {
    const text = BASTION_SPEC.replace(
      "{ name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26 }",
      "{ name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26, networkSecurityGroup: bastion-nsg }",
    ).concat(`  - name: bastion-nsg
    securityRules:
      - { name: deny-https, protocol: Tcp, access: Deny, priority: 100, direction: Inbound, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" }
`);
    const r = flow(text, "Internet", "bastion:bastion", 443);
    expect(r.access).toBe("Deny");
    expect(r.nsg).toBe("bastion-nsg");
  });

  it("must sit in AzureBastionSubnet, with a Standard public IP", () => {
    expect(() =>
      networkOf(BASTION_SPEC.replace("subnet: AzureBastionSubnet,", "subnet: vms,")),
    ).toThrow(/InvalidBastionSubnet|AzureBastionSubnet/);
    expect(() =>
      networkOf(BASTION_SPEC.replace("sku: Standard, ipAddress", "sku: Basic, ipAddress")),
    ).toThrow(/Standard public IP/);
  });
});
