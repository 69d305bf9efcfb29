/**
 * Public IP addresses, their SKUs and Dynamic interfaces in flows: a VM
 * reached from the Internet on its public IP, translated to its private
 * address before the NSGs judge the packet.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

/** A VM in a subnet; `nsg` is where an NSG allowing RDP from the Internet sits, if anywhere. */
function vm(
  sku: "Basic" | "Standard",
  nsg: "none" | "nic" | "subnet" = "none",
  ipAddress?: string,
): string {
  const rdp = `
networkSecurityGroups:
  - name: rdp
    securityRules:
      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }`;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.0.1.0/24${nsg === "subnet" ? ", networkSecurityGroup: rdp" : ""} }
publicIPAddresses:
  - { name: pip-web, sku: ${sku}${ipAddress ? `, ipAddress: ${ipAddress}` : ""} }
networkInterfaces:
  - name: vm1
${nsg === "nic" ? "    networkSecurityGroup: rdp\n" : ""}    ipConfigurations:
      - { privateIPAllocationMethod: Dynamic, subnet: web, publicIPAddress: pip-web }
  - name: other
    ipConfigurations:
      - { privateIPAddress: 10.0.1.10, subnet: web }
${nsg === "none" ? "" : rdp}
`;
}

function flow(spec: string, from: string, to: string, port = 3389): FlowResult {
  const r = new FlowEvaluator(networkOf(spec)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!r.ok) throw new Error(r.message);
  return r.result;
}

describe("a VM with a public IP, from the Internet", () => {
  it("Standard, no NSG anywhere: denied, closed by default", () => {
    const r = flow(vm("Standard"), "192.0.2.77", "nic:vm1");
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("public");
    expect(r.rule).toBeUndefined();
    expect(r.reason).toContain("Standard public IP pip-web");
    expect(r.reason).toContain("closed to inbound traffic unless an NSG allows it");
    expect(r.returnTraffic).toBe("Deny");
  });

  it("Basic, no NSG anywhere: allowed, open by default", () => {
    const r = flow(vm("Basic"), "192.0.2.77", "nic:vm1");
    expect(r.access).toBe("Allow");
    expect(r.reason).toBe("no NSG on the path");
  });

  it("Standard, with an NSG allowing RDP from the Internet on the NIC or the subnet: allowed by its rule", () => {
    for (const at of ["nic", "subnet"] as const) {
      const r = flow(vm("Standard", at), "192.0.2.77", "nic:vm1");
      expect(r.access).toBe("Allow");
      expect(r.rule).toBe("securityRules/allow-rdp");
      // Translated to the private address, a Dynamic one, before the NSG judged it.
      expect(r.trace.map((t) => t.packet)).toEqual(["Tcp 192.0.2.77:49152 -> 10.0.1.x:3389"]);
      expect(r.routeReason).toBe(
        "across the Internet, from 192.0.2.77 to <pip-web>, translated to 10.0.1.x",
      );
      // On another port, the NSG's default rule denies it, whatever the SKU.
      expect(flow(vm("Standard", at), "192.0.2.77", "nic:vm1", 22).rule).toBe(
        "defaultSecurityRules/DenyAllInBound",
      );
    }
  });

  it("is the same flow when the public IP is named, by name or by its known address", () => {
    const spec = vm("Standard", "nic", "203.0.113.4");
    for (const to of ["pip:pip-web", "pip-web", "PIP-WEB", "203.0.113.4"]) {
      const r = flow(spec, "192.0.2.77", to);
      expect(r.access).toBe("Allow");
      expect(r.to).toBe("public IP pip-web (network interface vm1)");
      expect(r.routeReason).toBe(
        "across the Internet, from 192.0.2.77 to 203.0.113.4, translated to 10.0.1.x",
      );
    }
  });

  it("a Standard public IP closes only what arrives on it: the network's own traffic and the VM's calls out pass", () => {
    const spec = vm("Standard");
    expect(flow(spec, "nic:other", "nic:vm1").access).toBe("Allow");
    expect(flow(spec, "nic:other", "nic:vm1").route).toBe("private");
    const out = flow(spec, "nic:vm1", "192.0.2.77", 443);
    expect(out.access).toBe("Allow");
    expect(out.trace).toEqual([]);
  });

  it("calling the public IP from inside the network crosses the Internet: no outbound address, no route", () => {
    const r = flow(vm("Basic"), "nic:other", "pip-web");
    expect(r.route).toBe("none");
    expect(r.routeReason).toContain("has no outbound address");
  });

  it("shows the Dynamic address as such in what the flow names", () => {
    const r = flow(vm("Basic"), "192.0.2.77", "10.0.1.4");
    expect(r.to).toBe("10.0.1.x (Dynamic, network interface vm1)");
    expect(r.access).toBe("Allow");
  });

  it("a public IP associated with nothing is no endpoint", () => {
    const spec = vm("Basic").replace(", publicIPAddress: pip-web", "");
    const r = new FlowEvaluator(networkOf(spec)).evaluate({
      from: "192.0.2.77",
      to: "pip:pip-web",
      protocol: "Tcp",
      destinationPort: 80,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain("associated with no network interface");
  });
});
