/**
 * Flows to application gateway frontends: the gateway is a proxy, so the
 * client's connection is judged to the gateway's instance address in its
 * subnet (leg 1), and the gateway's own connection from its subnet to each
 * backend on the backend settings' port (leg 2); a port no listener takes,
 * a listener without a rule, a redirection, a v2 public IP with no NSG.
 */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

const rule = (
  name: string,
  priority: number,
  direction: string,
  source: string,
  ports: string,
  access = "Allow",
  destination = "*",
) =>
  `{ name: ${name}, protocol: Tcp, access: ${access}, priority: ${priority}, direction: ${direction}, sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "${destination}", destinationPortRange: "${ports}" }`;

interface Options {
  gatewayRules?: string[];
  webRules?: string[];
  gatewayNsg?: boolean;
  tier?: string;
  pipSku?: string;
  routing?: string;
  internalPort?: string;
}

function spec(o: Options = {}): string {
  const {
    gatewayRules = [
      rule("https", 100, "Inbound", "Internet", "443"),
      rule("gm", 110, "Inbound", "GatewayManager", "65200-65535"),
    ],
    webRules = [rule("from-gateway", 100, "Inbound", "10.0.0.0/24", "8080")],
    gatewayNsg = true,
    internalPort = "p80",
    tier = "Standard_v2",
    pipSku = "Standard",
    routing = `
      - { name: web, httpListener: https, backendAddressPool: web, backendHttpSettings: s8080 }
      - { name: internal, httpListener: internal, backendAddressPool: web, backendHttpSettings: s8080 }`,
  } = o;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: gateway, addressPrefix: 10.0.0.0/24${gatewayNsg ? ", networkSecurityGroup: gateway-nsg" : ""} }
      - { name: web, addressPrefix: 10.0.1.0/24, networkSecurityGroup: web-nsg }
      - { name: other, addressPrefix: 10.0.2.0/24 }
publicIPAddresses: [{ name: pip-gw, sku: ${pipSku}, ipAddress: 20.50.60.70 }]
applicationGateways:
  - name: gw
    sku: { name: ${tier}, tier: ${tier} }
    gatewayIPConfigurations: [{ name: ip, subnet: gateway }]
    frontendIPConfigurations:
      - { name: public, publicIPAddress: pip-gw }
      - { name: private, privateIPAddress: 10.0.0.10, subnet: gateway }
    frontendPorts: [{ name: p443, port: 443 }, { name: p80, port: 80 }, { name: p8443, port: 8443 }]
    httpListeners:
      - { name: https, frontendIPConfiguration: public, frontendPort: p443, protocol: Https }
      - { name: internal, frontendIPConfiguration: private, frontendPort: ${internalPort}, protocol: Https }
      - { name: bare, frontendIPConfiguration: public, frontendPort: p8443, protocol: Https }
    backendAddressPools:
      - { name: web, backendAddresses: [{ ipAddress: 10.0.1.9 }, { fqdn: app.example.com }] }
    backendHttpSettingsCollection: [{ name: s8080, port: 8080, protocol: Http }]
    requestRoutingRules: ${routing}
networkInterfaces:
  - name: web1
    ipConfigurations:
      - { name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: web, applicationGatewayBackendAddressPools: [gw/web] }
  - name: other1
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.2.4, subnet: other }]
networkSecurityGroups:
  - name: gateway-nsg
    securityRules: [${gatewayRules.join(", ")}]
  - name: web-nsg
    securityRules: [${webRules.join(", ")}]
`;
}

function flow(text: string, from: string, to: string, port: number, protocol = "Tcp"): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from,
    to,
    protocol: protocol as "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

describe("a flow to an application gateway's public frontend", () => {
  it("is allowed on both legs: the gateway subnet lets the Internet in, the web NSG lets the gateway's subnet in", () => {
    const r = flow(spec(), "Internet", "agw:gw/public", 443);
    expect(r.access).toBe("Allow");
    const gw = r.applicationGateway;
    expect(gw?.listener).toEqual({ name: "https", protocol: "Https" });
    expect(gw?.rule).toBe("web");
    expect(gw?.settings?.port).toBe(8080);
    expect(gw?.inbound?.access).toBe("Allow");
    expect(gw?.inbound?.rule).toBe("securityRules/https");
    // Leg 1 arrives at the gateway's instance address (some host of its subnet), translated from the public IP.
    expect(gw?.inbound?.trace[0]?.packet).toMatch(/-> 10\.0\.0\.x:443$/);
    const web1 = gw?.backends.find((b) => b.backend.includes("web1"));
    expect(web1?.connectsTo).toBe("10.0.1.4:8080");
    expect(web1?.result.access).toBe("Allow");
    expect(web1?.result.rule).toBe("securityRules/from-gateway");
    // Leg 2: the backend sees the gateway's subnet as the source, not the client.
    const inbound = web1?.result.trace.find((t) => t.direction === "Inbound");
    expect(inbound?.packet).toMatch(/^Tcp 10\.0\.0\.x:\d+ -> 10\.0\.1\.4:8080$/);
    expect(gw?.backends.find((b) => b.backend.includes("app.example.com"))?.unresolved).toBe(true);
    expect(r.reason).toContain("2 of 2 backends of pool web");
    expect(r.reason).toContain("1 given by name, not judged");
  });

  it("reads the same through the public IP by name and by address", () => {
    expect(flow(spec(), "Internet", "pip:pip-gw", 443).applicationGateway?.frontend).toBe("public");
    expect(flow(spec(), "Internet", "20.50.60.70", 443).applicationGateway?.frontend).toBe(
      "public",
    );
  });

  it("is denied on leg 1 when the gateway subnet's NSG does not let the client in", () => {
    const r = flow(
      spec({ gatewayRules: [rule("gm", 110, "Inbound", "GatewayManager", "65200-65535")] }),
      "Internet",
      "agw:gw/public",
      443,
    );
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(r.nsg).toBe("gateway-nsg");
    expect(r.reason).toMatch(/^the gateway does not receive it/);
    expect(r.applicationGateway?.backends).toEqual([]);
  });

  it("is denied on leg 2 when the backend's NSG allows the Internet but not the gateway's subnet", () => {
    const r = flow(
      spec({
        webRules: [
          rule("internet", 100, "Inbound", "Internet", "8080"),
          rule("no-vnet", 200, "Inbound", "VirtualNetwork", "*", "Deny"),
        ],
      }),
      "Internet",
      "agw:gw/public",
      443,
    );
    expect(r.access).toBe("Deny");
    expect(r.applicationGateway?.inbound?.access).toBe("Allow");
    expect(r.rule).toBe("securityRules/no-vnet");
    expect(r.nsg).toBe("web-nsg");
    expect(r.reason).toContain("its own connection to the backends is denied");
  });

  it("is denied on leg 2 by the gateway subnet's outbound NSG", () => {
    const r = flow(
      spec({
        gatewayRules: [
          rule("https", 100, "Inbound", "Internet", "443"),
          rule("no-web", 100, "Outbound", "*", "8080", "Deny", "10.0.1.0/24"),
        ],
      }),
      "Internet",
      "agw:gw/public",
      443,
    );
    expect(r.access).toBe("Deny");
    expect(r.rule).toBe("securityRules/no-web");
    expect(r.nsg).toBe("gateway-nsg");
  });

  it("keeps the Internet out of a v2 gateway's Standard public IP when no NSG applies to its subnet", () => {
    const r = flow(spec({ gatewayNsg: false }), "Internet", "agw:gw/public", 443);
    expect(r.access).toBe("Deny");
    expect(r.reason).toContain("Standard public IP pip-gw is closed to inbound traffic");
  });

  it("lets the Internet into a v1 gateway's Basic public IP when no NSG applies to its subnet", () => {
    const r = flow(
      spec({ gatewayNsg: false, tier: "Standard", pipSku: "Basic" }),
      "Internet",
      "agw:gw/public",
      443,
    );
    expect(r.access).toBe("Allow");
    expect(r.applicationGateway?.version).toBe(1);
  });

  it("has no listener on a port no listener takes, and says which ports it listens on", () => {
    const r = flow(spec(), "Internet", "agw:gw/public", 80);
    expect(r.access).toBe("Deny");
    expect(r.route).toBe("none");
    expect(r.reason).toBe(
      "no listener: application gateway gw: no listener on port 80 of frontend public (its listeners: 443, 8443)",
    );
  });

  it("takes TCP only", () => {
    expect(flow(spec(), "Internet", "agw:gw/public", 443, "Udp").reason).toContain("TCP only");
  });

  it("sends nowhere a listener no routing rule takes", () => {
    const open = { gatewayRules: [rule("https", 100, "Inbound", "Internet", "443-8443")] };
    const r = flow(spec(open), "Internet", "agw:gw/public", 8443);
    expect(r.access).toBe("Deny");
    expect(r.applicationGateway?.inbound?.access).toBe("Allow");
    expect(r.reason).toContain(
      "listener bare of application gateway gw has no request routing rule",
    );
  });

  it("calls no backend for a redirection", () => {
    const r = flow(
      spec({
        routing:
          "[{ name: web, httpListener: https, redirectConfiguration: to-https }, { name: internal, httpListener: internal, backendAddressPool: web, backendHttpSettings: s8080 }]",
      }),
      "Internet",
      "agw:gw/public",
      443,
    );
    expect(r.access).toBe("Allow");
    expect(r.applicationGateway?.redirect).toBe("to-https");
    expect(r.applicationGateway?.backends).toEqual([]);
    expect(r.reason).toContain("no backend is called");
  });
});

describe("a flow to an application gateway's private frontend", () => {
  it("is reached from inside the network on the frontend's own address", () => {
    const r = flow(spec(), "nic:other1", "agw:gw/private", 80);
    expect(r.access).toBe("Allow");
    expect(r.applicationGateway?.inbound?.trace.at(-1)?.packet).toMatch(/-> 10\.0\.0\.10:80$/);
  });

  it("is judged on the frontend's own address when a public and a private listener share the port", () => {
    // Both frontends listen on 443: the NSG sees the public IP as the destination.
    const r = flow(spec({ internalPort: "p443" }), "Internet", "agw:gw/public", 443);
    expect(r.applicationGateway?.inbound?.trace[0]?.packet).toMatch(/-> 20\.50\.60\.70:443$/);
    const alone = flow(spec({ internalPort: "p443" }), "Internet", "agw:gw/public", 8443);
    expect(alone.applicationGateway?.inbound?.trace[0]?.packet).toMatch(/-> 10\.0\.0\.x:8443$/);
  });

  it("is not reached from the Internet", () => {
    const r = flow(spec(), "Internet", "agw:gw/private", 80);
    expect(r.access).toBe("Deny");
    expect(r.applicationGateway?.inbound?.route).toBe("none");
  });

  it("is named by frontend when the gateway has several", () => {
    const evaluated = new FlowEvaluator(networkOf(spec())).evaluate({
      from: "Internet",
      to: "agw:gw",
      protocol: "Tcp",
      destinationPort: 443,
    });
    expect(evaluated.ok).toBe(false);
    if (!evaluated.ok) expect(evaluated.hint).toBe("write agw:gw/FRONTEND");
  });
});
