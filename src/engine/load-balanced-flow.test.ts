/**
 * Flows to load balancer frontends: translated by the rule that takes the
 * port to each backend's private address and port, the client's address
 * kept, then judged by the backend's NSGs; the SKU's default, health probes,
 * internal frontends, NAT rules v1 and v2, HA ports and ports no rule takes.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

const RDP_RULE = `{ name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }`;

/** A VM behind a public load balancer: an inbound NAT rule from 50001 to RDP, and an NSG on its subnet. */
function natSpec(
  options: { rdp?: boolean; sku?: "Basic" | "Standard"; nsg?: boolean } = {},
): string {
  const { rdp = true, sku = "Standard", nsg = true } = options;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.0.1.0/24${nsg ? ", networkSecurityGroup: web-nsg" : ""} }
publicIPAddresses: [{ name: pip-lb, sku: ${sku}, ipAddress: 20.50.60.70 }]
loadBalancers:
  - name: lb
    sku: ${sku}
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    inboundNatRules:
      - { name: rdp-vm1, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 50001, backendPort: 3389 }
networkInterfaces:
  - name: vm1
    ipConfigurations:
      - { name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: web, loadBalancerInboundNatRules: [lb/rdp-vm1] }
${
  nsg
    ? `networkSecurityGroups:
  - name: web-nsg
    securityRules: [${rdp ? RDP_RULE : ""}]`
    : ""
}
`;
}

function flow(spec: string, from: string, to: string, port: number, protocol = "Tcp"): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(spec)).evaluate({
    from,
    to,
    protocol: protocol as "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("a VM behind a public load balancer's inbound NAT rule", () => {
  it("is reached from the Internet on the frontend port, translated to RDP, by the NAT rule and the NSG rule", () => {
    const r = flow(natSpec(), "Internet", "lb:lb", 50001);
    expect(r.access).toBe("Allow");
    expect([r.rule, r.nsg]).toEqual(["securityRules/allow-rdp", "web-nsg"]);
    expect(r.loadBalancer?.rule).toMatchObject({
      kind: "inboundNatRule",
      name: "rdp-vm1",
      natVersion: 1,
      backendPort: 3389,
    });
    expect(r.routeReason).toBe(
      "across the Internet, from 192.0.2.1 to 20.50.60.70:50001, translated by inbound NAT rule rdp-vm1 to 10.0.1.4:3389, the client's address kept",
    );
    // The NSG sees the client's address and the backend's private address and port.
    expect(r.trace.map((t) => [t.packet, t.access, t.rule])).toEqual([
      ["Tcp 192.0.2.1:49152 -> 10.0.1.4:3389", "Allow", "securityRules/allow-rdp"],
    ]);
    expect(r.loadBalancer?.backends.map((b) => b.translatedTo)).toEqual(["10.0.1.4:3389"]);
  });

  it("is denied by the default rule once the NSG rule allowing RDP is removed", () => {
    const r = flow(natSpec({ rdp: false }), "Internet", "lb:lb", 50001);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(r.loadBalancer?.rule?.name).toBe("rdp-vm1");
  });

  it("is reached the same on the frontend's public IP, by name or address", () => {
    for (const to of ["pip:pip-lb", "20.50.60.70", "lb:lb/fe"])
      expect(flow(natSpec(), "192.0.2.77", to, 50001).access).toBe("Allow");
  });

  it("has no route on a frontend port no rule takes, nor for ICMP", () => {
    const r = flow(natSpec(), "Internet", "lb:lb", 3389);
    expect([r.access, r.route]).toEqual(["Deny", "none"]);
    expect(r.reason).toBe(
      "no route: load balancer lb: no load-balancing or inbound NAT rule takes Tcp port 3389 of frontend fe",
    );
    expect(r.trace).toEqual([]);
    expect(flow(natSpec(), "Internet", "lb:lb", 0, "Icmp").reason).toBe(
      "no route: load balancer lb: a load balancer forwards TCP and UDP only, not Icmp",
    );
    expect(flow(natSpec(), "Internet", "lb:lb", 50001, "Udp").route).toBe("none");
  });

  it("Standard with no NSG anywhere is closed; Basic with none is open", () => {
    const standard = flow(natSpec({ nsg: false }), "Internet", "lb:lb", 50001);
    expect(standard.access).toBe("Deny");
    expect(standard.reason).toBe(
      "Standard load balancer lb is closed to inbound flows unless an NSG allows them, and no NSG applies to network interface vm1 (ipconfig1) or subnet vnet/web",
    );
    const basic = flow(natSpec({ nsg: false, sku: "Basic" }), "Internet", "lb:lb", 50001);
    expect([basic.access, basic.reason]).toEqual(["Allow", "no NSG on the path"]);
  });
});

/** Two web VMs in a pool behind a load-balancing rule with a probe; only web1 allows HTTP. */
const POOL = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.0.1.0/24 }
      - { name: client, addressPrefix: 10.0.2.0/24 }
publicIPAddresses: [{ name: pip-lb, sku: Standard }]
loadBalancers:
  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    backendAddressPools: [{ name: web-pool }]
    probes: [{ name: http, protocol: Http, port: 8080, requestPath: /health }]
    loadBalancingRules:
      - { name: http, frontendIPConfiguration: fe, backendAddressPool: web-pool, probe: http,
          protocol: Tcp, frontendPort: 80, backendPort: 8080 }
networkInterfaces:
  - name: web1
    networkSecurityGroup: web1-nsg
    ipConfigurations:
      - { name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: web, loadBalancerBackendAddressPools: [lb/web-pool] }
  - name: web2
    networkSecurityGroup: web2-nsg
    ipConfigurations:
      - { name: ipconfig1, privateIPAddress: 10.0.1.5, subnet: web,
          loadBalancerBackendAddressPools: [{ id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/backendAddressPools/web-pool }] }
networkSecurityGroups:
  - name: web1-nsg
    securityRules:
      - { name: allow-web, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "8080" }
  - name: web2-nsg
    securityRules:
      - { name: deny-probe, protocol: "*", access: Deny, priority: 100, direction: Inbound,
          sourceAddressPrefix: AzureLoadBalancer, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }
      - { name: allow-web, protocol: Tcp, access: Allow, priority: 110, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "8080" }
`;

describe("a load-balancing rule over a pool", () => {
  it("gives one verdict per backend, the client's address kept and the port translated", () => {
    const r = flow(POOL, "198.51.100.9", "lb:lb", 80);
    expect(r.access).toBe("Allow");
    const backends = r.loadBalancer?.backends ?? [];
    expect(backends.map((b) => [b.backend, b.translatedTo, b.result.access])).toEqual([
      ["network interface web1 (ipconfig1)", "10.0.1.4:8080", "Allow"],
      ["network interface web2 (ipconfig1)", "10.0.1.5:8080", "Deny"],
    ]);
    expect(backends[0]?.result.trace[0]?.packet).toBe("Tcp 198.51.100.9:49152 -> 10.0.1.4:8080");
    expect(r.reason).toMatch(/^allowed to 1 of 2 backends of load-balancing rule http;/);
  });

  it("marks a backend whose NSG denies the probe from AzureLoadBalancer down", () => {
    const web2 = flow(POOL, "198.51.100.9", "lb:lb", 80).loadBalancer?.backends[1];
    expect(web2?.probe).toEqual({
      access: "Deny",
      rule: "securityRules/deny-probe",
      nsg: "web2-nsg",
      packet: "Http 168.63.129.16 -> 10.0.1.5:8080",
    });
    expect(web2?.result.reason).toBe(
      "health probe http (Http 168.63.129.16 -> 10.0.1.5:8080, from AzureLoadBalancer) is denied by securityRules/deny-probe of web2-nsg: the load balancer marks network interface web2 (ipconfig1) down and sends it no new flows",
    );
    // The client's own packet is allowed by web2's NSG: the probe alone keeps it out.
    expect(web2?.result.nsgs?.access).toBe("Allow");
  });

  it("is denied to every backend when none allows the port", () => {
    const r = flow(
      POOL.replaceAll('destinationPortRange: "8080"', 'destinationPortRange: "443"'),
      "Internet",
      "lb:lb",
      80,
    );
    expect(r.access).toBe("Deny");
    expect(r.reason).toMatch(/^denied to 0 of 2 backends/);
  });

  it("reaches a pool given by address (Standard), as the interface holding it", () => {
    const byAddress = POOL.replace(
      "backendAddressPools: [{ name: web-pool }]",
      "backendAddressPools: [{ name: web-pool }, { name: by-address, loadBalancerBackendAddresses: [{ ipAddress: 10.0.1.4, virtualNetwork: vnet }] }]",
    ).replace(
      "frontendPort: 80, backendPort: 8080 }",
      "frontendPort: 80, backendPort: 8080 }\n      - { name: alt, frontendIPConfiguration: fe, backendAddressPool: by-address, protocol: Tcp, frontendPort: 81, backendPort: 8080 }",
    );
    const r = flow(byAddress, "Internet", "lb:lb", 81);
    expect(r.loadBalancer?.backends.map((b) => [b.backend, b.result.access])).toEqual([
      ["network interface web1 (ipconfig1)", "Allow"],
    ]);
  });
});

const INTERNAL = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24, networkSecurityGroup: app-nsg }
      - { name: web, addressPrefix: 10.0.2.0/24 }
  - name: other
    addressSpace: { addressPrefixes: [10.9.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.9.0.0/24 }]
loadBalancers:
  - name: ilb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, subnet: vnet/app, privateIPAddress: 10.0.1.100 }]
    backendAddressPools: [{ name: app-pool }]
    loadBalancingRules:
      - { name: ha, frontendIPConfiguration: fe, backendAddressPool: app-pool, protocol: All, frontendPort: 0, backendPort: 0 }
networkInterfaces:
  - name: app1
    ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: vnet/app, loadBalancerBackendAddressPools: [ilb/app-pool] }]
  - name: web1
    ipConfigurations: [{ privateIPAddress: 10.0.2.4, subnet: vnet/web }]
  - name: far
    ipConfigurations: [{ privateIPAddress: 10.9.0.4, subnet: other/s }]
networkSecurityGroups:
  - name: app-nsg
    securityRules:
      - { name: allow-web, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: 10.0.2.0/24, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "5432" }
`;

describe("an internal load balancer with HA ports", () => {
  it("forwards any port from its own network, on private addresses, judged at the backend", () => {
    const allowed = flow(INTERNAL, "nic:web1", "10.0.1.100", 5432);
    expect([allowed.access, allowed.route, allowed.rule]).toEqual([
      "Allow",
      "private",
      "securityRules/allow-web",
    ]);
    expect(allowed.loadBalancer?.rule?.frontendPorts).toBe("*");
    expect(allowed.trace.at(-1)?.packet).toBe("Tcp 10.0.2.4:49152 -> 10.0.1.4:5432");
    // Any other port is forwarded too, and the default rule for the network allows it.
    const other = flow(INTERNAL, "nic:web1", "lb:ilb", 22);
    expect([other.access, other.rule]).toEqual(["Allow", "defaultSecurityRules/AllowVnetInBound"]);
    expect(other.loadBalancer?.backends[0]?.translatedTo).toBe("10.0.1.4:22");
  });

  it("with floating IP, asks the backend's NSGs with the frontend's address as destination", () => {
    const floating = INTERNAL.replace(
      "frontendPort: 0, backendPort: 0 }",
      "frontendPort: 0, backendPort: 0, enableFloatingIP: true }",
    );
    const r = flow(floating, "nic:web1", "lb:ilb", 5432);
    expect(r.trace.at(-1)?.packet).toBe("Tcp 10.0.2.4:49152 -> 10.0.1.100:5432");
    expect(r.loadBalancer?.rule?.floatingIp).toBe(true);
    expect(r.routeReason).toContain("to 10.0.1.100:5432 (floating IP) on 10.0.1.4:5432");
  });

  it("has no route from the Internet or from a network not peered with it", () => {
    for (const from of ["Internet", "nic:far"]) {
      const r = flow(INTERNAL, from, "lb:ilb", 5432);
      expect([r.access, r.route]).toEqual(["Deny", "none"]);
      expect(r.reason).toContain(
        "frontend fe of internal load balancer ilb is reached only from virtual network vnet",
      );
    }
  });
});

describe("an inbound NAT rule v2 over a pool", () => {
  it("maps its port range onto the pool's backends, each shown", () => {
    const spec = POOL.replace(
      "    loadBalancingRules:",
      "    inboundNatRules:\n      - { name: ssh, frontendIPConfiguration: fe, protocol: Tcp, frontendPortRangeStart: 50000, frontendPortRangeEnd: 50009, backendAddressPool: web-pool, backendPort: 22 }\n    loadBalancingRules:",
    );
    const r = flow(spec, "Internet", "lb:lb", 50003);
    expect(r.loadBalancer?.rule).toMatchObject({
      name: "ssh",
      natVersion: 2,
      frontendPorts: "50000-50009",
    });
    expect(r.loadBalancer?.backends.map((b) => b.translatedTo)).toEqual([
      "10.0.1.4:22",
      "10.0.1.5:22",
    ]);
    expect(r.access).toBe("Deny");
    expect(flow(spec, "Internet", "lb:lb", 50010).route).toBe("none");
  });
});
