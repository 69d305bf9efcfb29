import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowQuery, type FlowResult } from "./flow.js";

// A VNet with an app subnet (NSG app-nsg) holding two VMs, one with its own NSG
// (vm-nsg) and membership in the ASG "web", and a db subnet without an NSG.
const BASE = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.1.0.0/16, "fd00:1::/48"] }
    subnets:
      - { name: app, addressPrefixes: [10.1.1.0/24, "fd00:1:0:1::/64"], networkSecurityGroup: app-nsg }
      - { name: db, addressPrefix: 10.1.2.0/24 }
applicationSecurityGroups: [{ name: web }, { name: api }]
networkInterfaces:
  - name: vm1-nic
    networkSecurityGroup: vm-nsg
    ipConfigurations:
      - { privateIPAddress: 10.1.1.4, publicIPAddress: 198.51.100.4, subnet: app, applicationSecurityGroups: [web] }
  - name: vm2-nic
    ipConfigurations: [{ privateIPAddress: 10.1.1.5, publicIPAddress: 198.51.100.5, subnet: app, applicationSecurityGroups: [api] }]
  - name: vm6-nic
    ipConfigurations: [{ privateIPAddress: "fd00:1:0:1::6", publicIPAddress: "2001:db8:ff::6", subnet: app }]
  - name: db-nic
    ipConfigurations: [{ privateIPAddress: 10.1.2.4, publicIPAddress: 198.51.100.6, subnet: db }]
`;

function rule(
  name: string,
  priority: number,
  direction: string,
  access: string,
  extra: string,
): string {
  return `      - { name: ${name}, priority: ${priority}, direction: ${direction}, access: ${access}, protocol: Tcp, sourcePortRange: "*", ${extra} }`;
}

function spec(appRules: string[], vmRules: string[] = []): string {
  return `${BASE}
networkSecurityGroups:
  - name: app-nsg
    securityRules:
${appRules.join("\n") || "      []"}
  - name: vm-nsg
    securityRules:
${vmRules.join("\n") || "      []"}
`.replace(/securityRules:\n {6}\[\]/g, "securityRules: []");
}

function flow(
  text: string,
  query: Partial<FlowQuery> & Pick<FlowQuery, "from" | "to">,
): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    protocol: "Tcp",
    destinationPort: 443,
    ...query,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

const fromInternet = { from: "203.0.113.7", to: "nic:vm1-nic" };

describe("evaluation order across subnet and NIC NSGs", () => {
  it("a subnet deny beats a NIC allow: inbound meets the subnet NSG first", () => {
    const text = spec(
      [
        rule(
          "deny-https",
          100,
          "Inbound",
          "Deny",
          `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
      ],
      [
        rule(
          "allow-https",
          100,
          "Inbound",
          "Allow",
          `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
      ],
    );
    const r = flow(text, fromInternet);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/deny-https");
    expect(r.nsg).toBe("app-nsg");
    expect(r.appliedTo).toEqual({ type: "subnet", name: "vnet/app" });
    expect(r.trace).toHaveLength(1);
  });

  it("a NIC deny after a subnet allow denies, and the trace shows both", () => {
    const text = spec(
      [
        rule(
          "allow-https",
          100,
          "Inbound",
          "Allow",
          `sourceAddressPrefix: Internet, destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
      ],
      [
        rule(
          "deny-https",
          200,
          "Inbound",
          "Deny",
          `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
      ],
    );
    const r = flow(text, fromInternet);
    expect(r.access).toBe("Deny");
    expect(r.trace.map((t) => [t.nsg, t.access, t.rule])).toEqual([
      ["app-nsg", "Allow", "securityRules/allow-https"],
      ["vm-nsg", "Deny", "securityRules/deny-https"],
    ]);
  });

  it("both NSGs must allow; the NIC's default rules deny what only the subnet allows", () => {
    const text = spec([
      rule(
        "allow-https",
        100,
        "Inbound",
        "Allow",
        `sourceAddressPrefix: Internet, destinationAddressPrefix: "*", destinationPortRange: "443"`,
      ),
    ]);
    const r = flow(text, fromInternet);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(r.nsg).toBe("vm-nsg");
    expect(r.appliedTo).toEqual({ type: "networkInterface", name: "vm1-nic" });
  });

  it("outbound meets the NIC NSG before the subnet NSG", () => {
    const text = spec(
      [
        rule(
          "deny-out",
          100,
          "Outbound",
          "Deny",
          `sourceAddressPrefix: "*", destinationAddressPrefix: Internet, destinationPortRange: "443"`,
        ),
      ],
      [
        rule(
          "deny-out-nic",
          100,
          "Outbound",
          "Deny",
          `sourceAddressPrefix: "*", destinationAddressPrefix: Internet, destinationPortRange: "443"`,
        ),
      ],
    );
    const r = flow(text, { from: "nic:vm1-nic", to: "198.51.100.9" });
    expect(r.access).toBe("Deny");
    expect(r.nsg).toBe("vm-nsg");
    expect(r.trace).toHaveLength(1);
    expect(r.trace[0]?.direction).toBe("Outbound");
  });

  it("no NSG at either level allows everything", () => {
    const r = flow(spec([]), { from: "203.0.113.7", to: "nic:db-nic", destinationPort: 5432 });
    expect(r.access).toBe("Allow");
    expect(r.trace).toEqual([]);
    expect(r.reason).toBe("no NSG on the path");
  });

  it("traffic inside a subnet crosses the subnet NSG in both directions", () => {
    const text = spec([
      rule(
        "deny-vnet-in",
        100,
        "Inbound",
        "Deny",
        `sourceAddressPrefix: VirtualNetwork, destinationAddressPrefix: VirtualNetwork, destinationPortRange: "*"`,
      ),
    ]);
    const r = flow(text, { from: "nic:vm1-nic", to: "nic:vm2-nic" });
    expect(r.trace.map((t) => [t.nsg, t.direction, t.access])).toEqual([
      ["vm-nsg", "Outbound", "Allow"],
      ["app-nsg", "Outbound", "Allow"],
      ["app-nsg", "Inbound", "Deny"],
    ]);
    expect(r.rule).toBe("securityRules/deny-vnet-in");
  });

  it("the default AllowVnetInBound admits traffic between subnets of the VNet", () => {
    const r = flow(spec([]), { from: "nic:db-nic", to: "nic:vm2-nic", destinationPort: 8080 });
    expect(r.access).toBe("Allow");
    expect(r.rule).toBe("defaultSecurityRules/AllowVnetInBound");
  });

  it("a NIC calling its own address crosses no NSG", () => {
    const r = flow(spec([]), { from: "nic:vm2-nic", to: "10.1.1.5" });
    expect(r.route).toBe("local");
    expect(r.access).toBe("Allow");
  });
});

describe("application security groups", () => {
  const asgRule = (access: string) =>
    rule(
      "web-to-api",
      100,
      "Inbound",
      access,
      `sourceApplicationSecurityGroups: [web], destinationApplicationSecurityGroups: [api], destinationPortRange: "443"`,
    );

  it("applies to member NICs only", () => {
    const text = spec([asgRule("Deny")]);
    expect(flow(text, { from: "nic:vm1-nic", to: "nic:vm2-nic" }).rule).toBe(
      "securityRules/web-to-api",
    );
    // db-nic is not in "web": the rule does not match and the default rule decides.
    expect(flow(text, { from: "nic:db-nic", to: "nic:vm2-nic" }).rule).toBe(
      "defaultSecurityRules/AllowVnetInBound",
    );
  });

  it("matches the source and destination groups in their own roles only", () => {
    const text = spec([asgRule("Deny")]);
    // vm2 is in "api" and vm1 in "web": the reverse direction does not match.
    const r = flow(text, { from: "nic:vm2-nic", to: "nic:vm1-nic" });
    const subnetInbound = r.trace.find((t) => t.nsg === "app-nsg" && t.direction === "Inbound");
    expect(subnetInbound?.rule).toBe("defaultSecurityRules/AllowVnetInBound");
    expect(r.access).toBe("Allow");
  });
});

describe("service tags and defaults", () => {
  it("the Internet is denied by DenyAllInBound and allowed out by AllowInternetOutBound", () => {
    const denied = flow(spec([]), { from: "Internet", to: "nic:vm2-nic" });
    expect(denied.access).toBe("Deny");
    expect(denied.rule).toBe("defaultSecurityRules/DenyAllInBound");
    const out = flow(spec([]), { from: "nic:vm2-nic", to: "Internet" });
    expect(out.access).toBe("Allow");
    expect(out.rule).toBe("defaultSecurityRules/AllowInternetOutBound");
  });

  it("the load balancer's probes are admitted, by AllowVnetInBound since 168.63.129.16 is in VirtualNetwork", () => {
    const r = flow(spec([]), { from: "AzureLoadBalancer", to: "nic:vm2-nic" });
    expect(r.access).toBe("Allow");
    expect(r.rule).toBe("defaultSecurityRules/AllowVnetInBound");
  });

  it("a custom deny from VirtualNetwork blocks load balancer probes too", () => {
    const text = spec([
      rule(
        "deny-vnet",
        100,
        "Inbound",
        "Deny",
        `sourceAddressPrefix: VirtualNetwork, destinationAddressPrefix: "*", destinationPortRange: "*"`,
      ),
    ]).replace("protocol: Tcp, sourcePortRange", 'protocol: "*", sourcePortRange');
    expect(flow(text, { from: "AzureLoadBalancer", to: "nic:vm2-nic" }).rule).toBe(
      "securityRules/deny-vnet",
    );
  });
});

describe("IPv6", () => {
  it("evaluates IPv6 flows against IPv6 rules and not IPv4 ones", () => {
    const text = spec([
      rule(
        "allow-v4",
        100,
        "Inbound",
        "Allow",
        `sourceAddressPrefix: 203.0.113.0/24, destinationAddressPrefix: "*", destinationPortRange: "443"`,
      ),
      rule(
        "allow-v6",
        110,
        "Inbound",
        "Allow",
        `sourceAddressPrefix: "2001:db8:5::/48", destinationAddressPrefix: "fd00:1:0:1::/64", destinationPortRange: "443"`,
      ),
    ]);
    const r = flow(text, { from: "2001:db8:5::9", to: "nic:vm6-nic" });
    expect(r.access).toBe("Allow");
    expect(r.rule).toBe("securityRules/allow-v6");
    expect(r.trace[0]?.packet).toBe("Tcp [2001:db8:5::9]:49152 -> [fd00:1:0:1::6]:443");
    expect(flow(text, { from: "2001:db8:6::9", to: "nic:vm6-nic" }).rule).toBe(
      "defaultSecurityRules/DenyAllInBound",
    );
  });

  it("a flow between families has no route", () => {
    const r = flow(spec([]), { from: "nic:vm6-nic", to: "nic:vm2-nic" });
    expect(r.route).toBe("none");
    expect(r.access).toBe("Deny");
  });
});

describe("statefulness and protocols", () => {
  it("return traffic of an allowed flow is allowed even where rules would deny it", () => {
    // vm-nsg denies every outbound flow, yet replies to an admitted call pass.
    const text = spec(
      [
        rule(
          "allow-in",
          100,
          "Inbound",
          "Allow",
          `sourceAddressPrefix: Internet, destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
      ],
      [
        rule(
          "allow-in",
          100,
          "Inbound",
          "Allow",
          `sourceAddressPrefix: Internet, destinationAddressPrefix: "*", destinationPortRange: "443"`,
        ),
        rule(
          "deny-out",
          110,
          "Outbound",
          "Deny",
          `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*"`,
        ),
      ],
    );
    const r = flow(text, fromInternet);
    expect(r.access).toBe("Allow");
    expect(r.returnTraffic).toBe("Allow");
    expect(r.trace.every((t) => t.direction === "Inbound")).toBe(true);
  });

  it("ports do not restrict protocols that have none", () => {
    const text = spec([
      rule(
        "allow-icmp",
        100,
        "Inbound",
        "Allow",
        `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "*"`,
      ).replace("protocol: Tcp", "protocol: Icmp"),
    ]);
    const r = flow(text, { from: "203.0.113.7", to: "nic:vm2-nic", protocol: "Icmp" });
    expect(r.rule).toBe("securityRules/allow-icmp");
    expect(
      flow(text, { from: "203.0.113.7", to: "nic:vm2-nic", protocol: "Udp", destinationPort: 53 })
        .access,
    ).toBe("Deny");
  });

  it("the source port is matched when the rule restricts it", () => {
    const text = spec([
      rule(
        "from-high",
        100,
        "Inbound",
        "Allow",
        `sourceAddressPrefix: "*", destinationAddressPrefix: "*", destinationPortRange: "443"`,
      ).replace('sourcePortRange: "*"', 'sourcePortRange: "1024-65535"'),
    ]);
    expect(flow(text, { from: "203.0.113.7", to: "nic:vm2-nic", sourcePort: 1024 }).access).toBe(
      "Allow",
    );
    expect(flow(text, { from: "203.0.113.7", to: "nic:vm2-nic", sourcePort: 1023 }).access).toBe(
      "Deny",
    );
  });
});

describe("the route and the NSGs' verdict, apart", () => {
  // vm2-nic without its public address: the Internet has no route to it.
  const unreachable = (appRules: string[]) =>
    spec(appRules).replace("publicIPAddress: 198.51.100.5, ", "");
  const httpsFromInternet = rule(
    "allow-https",
    100,
    "Inbound",
    "Allow",
    `sourceAddressPrefix: Internet, destinationAddressPrefix: "*", destinationPortRange: "443"`,
  );

  it("no route is no rule's denial: the NSGs would allow it, and say so", () => {
    const r = flow(unreachable([httpsFromInternet]), { from: "203.0.113.7", to: "nic:vm2-nic" });
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("none");
    expect(r.rule).toBeUndefined();
    expect(r.trace).toEqual([]);
    expect(r.routeReason).toMatch(/has no public address/);
    expect(r.nsgs?.access).toBe("Allow");
    expect(r.nsgs?.rule).toBe("securityRules/allow-https");
    expect(r.nsgs?.evaluations[0]?.packet).toBe("Tcp 203.0.113.7:49152 -> 10.1.1.5:443");
    expect(r.reason).toMatch(/^no route: .*; the NSGs would allow it$/);
  });

  it("with no route, the NSGs' own denial is reported beside it", () => {
    const r = flow(unreachable([]), { from: "203.0.113.7", to: "nic:vm2-nic" });
    expect(r.access).toBe("Deny");
    expect(r.rule).toBeUndefined();
    expect(r.nsgs?.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(r.reason).toMatch(
      /; the NSGs would deny it too, by defaultSecurityRules\/DenyAllInBound of app-nsg$/,
    );
  });

  it("ends of different families form no packet, so no NSG verdict", () => {
    const r = flow(spec([]), { from: "nic:vm6-nic", to: "nic:vm2-nic" });
    expect(r.route).toBe("none");
    expect(r.nsgs).toBeUndefined();
  });

  it("a routed flow's NSG verdict is its trace, and its route says how it travels", () => {
    const r = flow(spec([httpsFromInternet]), { from: "203.0.113.7", to: "nic:vm2-nic" });
    expect(r.access).toBe("Allow");
    expect(r.nsgs?.evaluations).toEqual(r.trace);
    expect(r.nsgs?.rule).toBe(r.rule);
    expect(r.routeReason).toBe(
      "across the Internet, from 203.0.113.7 to 198.51.100.5, translated to 10.1.1.5",
    );
    const inside = flow(spec([]), { from: "nic:db-nic", to: "nic:vm2-nic" });
    expect(inside.routeReason).toBe("on private addresses, inside connected networks");
  });
});
