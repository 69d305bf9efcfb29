import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

// vm1 in subnet app, each precedence step switched on by an option. Every
// NSG rule is the default: outbound to the Internet is allowed.
function spec(o: {
  nat?: boolean;
  natPips?: string;
  pip?: boolean;
  outboundRule?: boolean;
  basicLb?: boolean;
  applianceRoute?: boolean;
  defaultOutboundAccess?: boolean;
  nsgDenyInternet?: boolean;
}): string {
  const subnetProps = [
    "name: app",
    "addressPrefix: 10.0.1.0/24",
    ...(o.nat ? ["natGateway: nat1"] : []),
    ...(o.defaultOutboundAccess === undefined
      ? []
      : [`defaultOutboundAccess: ${o.defaultOutboundAccess}`]),
    ...(o.applianceRoute ? ["routeTable: rt"] : []),
    ...(o.nsgDenyInternet ? ["networkSecurityGroup: no-internet"] : []),
  ];
  const pool = o.outboundRule ? "lb-std/pool" : o.basicLb ? "lb-basic/pool" : undefined;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { ${subnetProps.join(", ")} }
      - { name: nva, addressPrefix: 10.0.2.0/24 }
publicIPAddresses:
  - { name: nat-ip, sku: Standard, ipAddress: 203.0.113.10 }
  - { name: vm-ip, sku: Standard, ipAddress: 203.0.113.20 }
  - { name: lb-ip, sku: Standard, ipAddress: 203.0.113.30 }
  - { name: basic-ip, sku: Basic, ipAddress: 198.51.100.40 }
natGateways:
  - { name: nat1, sku: Standard, publicIpAddresses: ${o.natPips ?? "[nat-ip]"} }
routeTables:
  - name: rt
    routes:
      - { name: all-out, addressPrefix: 0.0.0.0/0, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.2.4 }
loadBalancers:
  - name: lb-std
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: lb-ip }]
    backendAddressPools: [{ name: pool }]
    outboundRules:
      - { name: out, frontendIPConfigurations: [fe], backendAddressPool: pool, protocol: All }
  - name: lb-basic
    sku: Basic
    frontendIPConfigurations: [{ name: fe, publicIPAddress: basic-ip }]
    backendAddressPools: [{ name: pool }]
    loadBalancingRules:
      - { name: web, frontendIPConfiguration: fe, backendAddressPool: pool, protocol: Tcp, frontendPort: 80, backendPort: 80 }
networkSecurityGroups:
  - name: no-internet
    securityRules:
      - { name: deny-internet, priority: 100, direction: Outbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: Internet, destinationPortRange: "*" }
networkInterfaces:
  - name: nva-nic
    ipConfigurations: [{ privateIPAddress: 10.0.2.4, subnet: nva }]
  - name: vm1
    ipConfigurations:
      - privateIPAddress: 10.0.1.4
        subnet: app
${o.pip ? "        publicIPAddress: vm-ip\n" : ""}${pool ? `        loadBalancerBackendAddressPools: [${pool}]\n` : ""}`;
}

function flow(text: string, protocol: "Tcp" | "Icmp" = "Tcp", to = "192.0.2.50"): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from: "nic:vm1",
    to,
    protocol,
    destinationPort: 443,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("outbound precedence: which address the Internet sees", () => {
  it("an appliance route comes first: the packet leaves through it, whatever else there is", () => {
    const r = flow(spec({ applianceRoute: true, nat: true, pip: true, outboundRule: true }));
    expect(r.access).toBe("Allow");
    expect(r.egress).toMatchObject({ via: "VirtualAppliance", name: "10.0.2.4" });
    expect(r.egress?.publicAddresses).toEqual([]);
  });

  it("a NAT gateway comes before the interface's own public IP and a load balancer outbound rule", () => {
    const r = flow(spec({ nat: true, pip: true, outboundRule: true }));
    expect(r.access).toBe("Allow");
    expect(r.egress).toMatchObject({
      via: "NatGateway",
      name: "nat1",
      publicAddresses: ["203.0.113.10"],
    });
    expect(r.egress?.reason).toContain("comes before the interface's own public IP");
  });

  it("the instance public IP comes before a load balancer outbound rule", () => {
    const r = flow(spec({ pip: true, outboundRule: true }));
    expect(r.egress).toMatchObject({
      via: "PublicIp",
      name: "vm-ip",
      publicAddresses: ["203.0.113.20"],
    });
  });

  it("a load balancer outbound rule for a pool the interface is in", () => {
    const r = flow(spec({ outboundRule: true, defaultOutboundAccess: false }));
    expect(r.access).toBe("Allow");
    expect(r.egress).toMatchObject({
      via: "LoadBalancerOutboundRule",
      name: "lb-std/out",
      publicAddresses: ["203.0.113.30"],
    });
  });

  it("a Basic public load balancer's frontend, through its load-balancing rule's pool", () => {
    const r = flow(spec({ basicLb: true }));
    expect(r.egress).toMatchObject({
      via: "BasicLoadBalancer",
      name: "lb-basic/fe",
      publicAddresses: ["198.51.100.40"],
    });
  });

  it("default outbound access when nothing else, absent defaultOutboundAccess read as true", () => {
    const r = flow(spec({}));
    expect(r.access).toBe("Allow");
    expect(r.egress).toMatchObject({
      via: "DefaultOutboundAccess",
      publicAddresses: ["<default outbound access>"],
    });
    expect(r.egress?.reason).toContain("takes it as true");
    const given = flow(spec({ defaultOutboundAccess: true }));
    expect(given.egress?.via).toBe("DefaultOutboundAccess");
    expect(given.egress?.reason).not.toContain("takes it as true");
  });

  it("defaultOutboundAccess false and nothing else: no outbound connectivity, apart from the NSGs' verdict", () => {
    const r = flow(spec({ defaultOutboundAccess: false }));
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("none");
    expect(r.egress?.via).toBe("None");
    expect(r.reason).toMatch(/^no route: no outbound connectivity to the Internet/);
    expect(r.nsgs?.access).toBe("Allow");
    expect(r.reason).toContain("no NSG would filter it");
    // An NSG that denies too is reported as the NSGs' own verdict, not as the reason.
    const both = flow(spec({ defaultOutboundAccess: false, nsgDenyInternet: true }));
    expect(both.route).toBe("none");
    expect(both.nsgs).toMatchObject({ access: "Deny", rule: "securityRules/deny-internet" });
    // And an NSG deny with a way out is a rule's denial, with the egress beside it.
    const denied = flow(spec({ nat: true, nsgDenyInternet: true }));
    expect(denied).toMatchObject({
      access: "Deny",
      route: "public",
      rule: "securityRules/deny-internet",
    });
    expect(denied.egress?.via).toBe("NatGateway");
  });

  it("a NAT gateway carries no ICMP", () => {
    const r = flow(spec({ nat: true }), "Icmp");
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("none");
    expect(r.reason).toContain("carries no ICMP");
    expect(flow(spec({ pip: true }), "Icmp").access).toBe("Allow");
  });

  it("a NAT gateway with no public address lets nothing out", () => {
    const r = flow(spec({ nat: true, natPips: "[]" }));
    expect(r.route).toBe("none");
    expect(r.reason).toContain("no public IP or prefix");
  });

  it("a NAT gateway takes no inbound connection: its public IP is not a way in", () => {
    for (const to of ["pip:nat-ip", "203.0.113.10"]) {
      const evaluated = new FlowEvaluator(networkOf(spec({ nat: true }))).evaluate({
        from: "192.0.2.50",
        to,
        protocol: "Tcp",
        destinationPort: 443,
      });
      if (!evaluated.ok) throw new Error(evaluated.message);
      expect(evaluated.result).toMatchObject({ access: "Deny", route: "none" });
      expect(evaluated.result.reason).toContain("NAT gateway nat1 takes no inbound connection");
    }
  });

  it("a flow between networks on public addresses presents the NAT gateway's address", () => {
    const text = `${spec({ nat: true, pip: true })}
  - name: web
    ipConfigurations: [{ privateIPAddress: 10.9.0.4, subnet: other/web, publicIPAddress: web-ip }]
`
      .replace(
        "publicIPAddresses:\n",
        "publicIPAddresses:\n  - { name: web-ip, sku: Basic, ipAddress: 198.51.100.9 }\n",
      )
      .replace(
        "virtualNetworks:\n",
        "virtualNetworks:\n  - { name: other, addressSpace: { addressPrefixes: [10.9.0.0/16] }, subnets: [{ name: web, addressPrefix: 10.9.0.0/24 }] }\n",
      );
    const r = flow(text, "Tcp", "nic:web");
    expect(r.route).toBe("public");
    expect(r.routeReason).toContain("from 203.0.113.10");
    expect(r.egress?.via).toBe("NatGateway");
  });
});

describe("Flexible scale sets: no default outbound access", () => {
  const vmss = (mode: string, nat = false) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24${nat ? ", natGateway: nat1" : ""} }]
publicIPAddresses: [{ name: nat-ip, sku: Standard, ipAddress: 203.0.113.10 }]
natGateways: [{ name: nat1, publicIpAddresses: [nat-ip] }]
virtualMachineScaleSets:
  - name: web
    orchestrationMode: ${mode}
    sku: { name: Standard_B2s, capacity: 2 }
    networkProfile:
      networkInterfaceConfigurations:
        - name: nic
          primary: true
          ipConfigurations: [{ name: ipconfig, subnet: web }]
`;
  const out = (text: string) => {
    const r = new FlowEvaluator(networkOf(text)).evaluate({
      from: "vmss:web",
      to: "192.0.2.50",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    return r.result;
  };

  it("an instance of a Flexible scale set has no way out without an explicit one; Uniform ones use default outbound", () => {
    const flexible = out(vmss("Flexible"));
    expect(flexible).toMatchObject({ access: "Deny", route: "none" });
    expect(flexible.reason).toContain("Flexible scale set web have no default outbound access");
    expect(out(vmss("Uniform")).egress?.via).toBe("DefaultOutboundAccess");
    expect(out(vmss("Flexible", true)).egress?.via).toBe("NatGateway");
  });
});

describe("NAT gateways and outbound rules as Azure checks them", () => {
  const codes = (text: string) => loadSpecText(text).diagnostics.map((d) => d.code);

  it("refuses a Basic public IP on a NAT gateway, and an unknown NAT gateway on a subnet", () => {
    expect(codes(spec({ nat: true, natPips: "[basic-ip]" }))).toContain(
      "NatGatewayCannotUseBasicPublicIp",
    );
    expect(codes(spec({ nat: true }).replace("natGateway: nat1", "natGateway: nat9"))).toContain(
      "InvalidResourceReference",
    );
  });

  it("refuses a public IP used by a NAT gateway and an interface at once", () => {
    expect(codes(spec({ nat: true, natPips: "[vm-ip]", pip: true }))).toContain(
      "PublicIPAddressInUse",
    );
  });

  it("refuses outbound rules on a Basic load balancer", () => {
    const text = spec({}).replace(
      "    loadBalancingRules:\n      - { name: web,",
      "    outboundRules: [{ name: o, frontendIPConfigurations: [fe], backendAddressPool: pool, protocol: All }]\n    loadBalancingRules:\n      - { name: web,",
    );
    expect(codes(text)).toContain("OutboundRuleOnBasicLoadBalancer");
  });
});
