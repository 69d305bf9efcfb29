/**
 * Flows to private endpoints: the subnet's NSG judges them only when the
 * subnet's privateEndpointNetworkPolicies enables it (Disabled by default),
 * with source ports read as *; the caller's outbound NSGs always apply; the
 * endpoint's /32 route outranks user routes unless route tables are enabled.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

function spec(
  options: {
    policy?: string;
    peRules?: string;
    appRules?: string;
    routes?: boolean;
    address?: string;
  } = {},
): string {
  const {
    policy,
    peRules = `{ name: deny-all, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`,
    appRules = "",
    routes = false,
    address,
  } = options;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24, networkSecurityGroup: app-nsg${routes ? ", routeTable: rt" : ""} }
      - { name: pe, addressPrefix: 10.0.2.0/24, networkSecurityGroup: pe-nsg${policy ? `, privateEndpointNetworkPolicies: ${policy}` : ""} }
      - { name: hub, addressPrefix: 10.0.3.0/24 }
${routes ? "routeTables: [{ name: rt, routes: [{ name: to-fw, addressPrefix: 10.0.0.0/16, nextHopType: VirtualAppliance, nextHopIpAddress: 10.0.3.4 }] }]" : ""}
networkInterfaces:
  - { name: vm, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: app }] }
  - { name: fw, ipConfigurations: [{ privateIPAddress: 10.0.3.4, subnet: hub }] }
privateEndpoints:
  - name: pe-sql
    subnet: pe
${address ? `    privateIPAddress: ${address}` : ""}
    privateLinkServiceConnections:
      - { name: sql, privateLinkServiceId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1, groupIds: [sqlServer] }
networkSecurityGroups:
  - name: app-nsg
    securityRules: [${appRules}]
  - name: pe-nsg
    securityRules: [${peRules}]
`;
}

function flow(text: string, to = "pe:pe-sql", port = 1433, sourcePort?: number): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from: "nic:vm",
    to,
    protocol: "Tcp",
    destinationPort: port,
    ...(sourcePort === undefined ? {} : { sourcePort }),
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("a flow to a private endpoint", () => {
  it("is not judged by its subnet's NSG when the policy is left out (Disabled), and the trace says so", () => {
    const r = flow(spec());
    expect(r.access).toBe("Allow");
    expect(r.trace.map((t) => t.nsg)).toEqual(["app-nsg"]);
    expect(r.reason).toContain(
      "NSG pe-nsg of subnet vnet/pe does not apply to private endpoint traffic (privateEndpointNetworkPolicies Disabled)",
    );
    expect(r.to).toContain("private endpoint pe-sql");
    expect(r.to).toContain("Microsoft.Sql/servers sql1 (sqlServer)");
    // Dynamic: some host of the subnet, shown symbolically.
    expect(r.to).toContain("10.0.2.x");
  });

  it.each(["Disabled", "RouteTableEnabled"])(
    "is not judged by its subnet's NSG with %s",
    (policy) => {
      expect(flow(spec({ policy })).access).toBe("Allow");
    },
  );

  it.each(["Enabled", "NetworkSecurityGroupEnabled"])(
    "is judged by its subnet's NSG with %s",
    (policy) => {
      const r = flow(spec({ policy }));
      expect(r.access).toBe("Deny");
      expect(r.nsg).toBe("pe-nsg");
      expect(r.rule).toBe("securityRules/deny-all");
      expect(r.appliedTo).toEqual({ type: "subnet", name: "vnet/pe" });
    },
  );

  it("is still judged by the caller's outbound NSG", () => {
    const r = flow(
      spec({
        appRules: `{ name: no-sql, protocol: Tcp, access: Deny, priority: 100, direction: Outbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: 10.0.2.0/24, destinationPortRange: "1433" }`,
      }),
    );
    expect(r.access).toBe("Deny");
    expect(r.nsg).toBe("app-nsg");
    expect(r.rule).toBe("securityRules/no-sql");
  });

  it("reads a rule's source ports as * where the subnet's NSG applies: a deny for other source ports denies every one", () => {
    const peRules = `{ name: deny-low, protocol: Tcp, access: Deny, priority: 100, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "1-1023", destinationAddressPrefix: "*", destinationPortRange: "1433" }`;
    const r = flow(spec({ policy: "Enabled", peRules }), "pe:pe-sql", 1433, 50000);
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/deny-low");
    // The same rule before a NIC of the subnet takes only its own source ports.
    const nic = flow(
      `${spec({ policy: "Enabled", peRules })}`.replace(
        "  - { name: fw,",
        "  - { name: db, ipConfigurations: [{ privateIPAddress: 10.0.2.10, subnet: pe }] }\n  - { name: fw,",
      ),
      "nic:db",
      1433,
      50000,
    );
    expect(nic.access).toBe("Allow");
  });

  it("reads an allow's source ports as * too", () => {
    const peRules = `{ name: allow-high, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "60000-60010", destinationAddressPrefix: "*", destinationPortRange: "1433" },
      { name: deny-all, protocol: "*", access: Deny, priority: 4000, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`;
    const r = flow(
      spec({ policy: "NetworkSecurityGroupEnabled", peRules }),
      "pe:pe-sql",
      1433,
      49152,
    );
    expect(r.access).toBe("Allow");
    expect(r.rule).toBe("securityRules/allow-high");
  });

  it("is found by its address too", () => {
    const r = flow(spec({ address: "10.0.2.20" }), "10.0.2.20");
    expect(r.to).toContain("private endpoint pe-sql (10.0.2.20");
    expect(r.access).toBe("Allow");
  });

  it("follows its /32 route over the caller's user route unless the policy enables route tables", () => {
    const strict = flow(spec({ routes: true }));
    expect(strict.nextHop).toBeUndefined();
    expect(strict.routeReason).toContain(
      "private endpoint pe-sql's /32 route wins over route to-fw",
    );
    const enabled = flow(spec({ routes: true, policy: "RouteTableEnabled" }));
    expect(enabled.nextHop?.nextHopType).toBe("VirtualAppliance");
    expect(enabled.routeReason).toContain("leaves through the appliance at 10.0.3.4");
  });

  it("starts no flow", () => {
    const evaluated = new FlowEvaluator(networkOf(spec())).evaluate({
      from: "pe:pe-sql",
      to: "nic:vm",
      protocol: "Tcp",
      destinationPort: 22,
    });
    expect(evaluated.ok).toBe(false);
  });
});

describe("a private endpoint checked as Azure checks it", () => {
  const errors = (text: string) =>
    loadSpecText(text)
      .diagnostics.filter((d) => d.severity === "error")
      .map((d) => `${d.code} ${d.path.join(".")} ${d.location?.line ?? "?"}`);

  it("names an unknown subnet, an address in use and a second endpoint of one name, each where it is", () => {
    const text = spec({ address: "10.0.2.20" }).replace(
      "privateEndpoints:\n",
      "privateEndpoints:\n  - { name: pe-sql, subnet: nowhere }\n  - { name: pe-2, subnet: pe, privateIPAddress: 10.0.2.20 }\n",
    );
    expect(errors(text)).toEqual([
      expect.stringMatching(/^DuplicateResourceName privateEndpoints\.\d\.name \d+$/),
      "InvalidResourceReference privateEndpoints.0.subnet 14",
      expect.stringMatching(/^PrivateIPAddressInUse privateEndpoints\.\d\.privateIPAddress \d+$/),
    ]);
  });
});
