/** Application gateways as the model checks them: what Azure refuses is an error, located at its value. */
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";

const BASE = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: gateway, addressPrefix: 10.0.0.0/24 }
      - { name: web, addressPrefix: 10.0.1.0/24 }
publicIPAddresses: [{ name: pip-std, sku: Standard }, { name: pip-basic, sku: Basic }]
`;

const GW = (o: { tier?: string; frontends?: string; extra?: string } = {}) => `  - name: gw
    sku: ${o.tier ?? "Standard_v2"}
    gatewayIPConfigurations: [{ name: ip, subnet: gateway }]
    frontendIPConfigurations: ${o.frontends ?? "[{ name: public, publicIPAddress: pip-std }]"}
    frontendPorts: [{ name: p443, port: 443 }]
    httpListeners: [{ name: https, frontendIPConfiguration: public, frontendPort: p443, protocol: Https }]
    backendAddressPools:
      - { name: web, backendAddresses: [{ ipAddress: 10.0.1.9 }, { ipAddress: 203.0.113.9 }, { fqdn: app.example.com }] }
    backendHttpSettingsCollection: [{ name: s80, port: 80, protocol: Http }]
${o.extra ?? "    requestRoutingRules: [{ name: web, httpListener: https, backendAddressPool: web, backendHttpSettings: s80 }]"}`;

const spec = (gw: string, nics = "[]") =>
  `${BASE}applicationGateways:\n${gw}\nnetworkInterfaces: ${nics}\n`;

function errors(text: string): string[] {
  return loadSpecText(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.code} ${d.path.join(".")}`);
}

describe("application gateways in the model", () => {
  it("resolves the subnet, a stand-in instance address, frontends, listeners, pools and routes", () => {
    const network = networkOf(
      spec(
        GW(),
        "[{ name: vm1, ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: web, applicationGatewayBackendAddressPools: [gw/web] }] }]",
      ),
    );
    const gw = network.applicationGateways?.get("gw");
    expect(gw?.version).toBe(2);
    expect(gw?.subnet.id).toBe("vnet/gateway");
    expect(network.addressNames.label(gw?.instanceAddress as never)).toBe("10.0.0.x");
    expect(gw?.frontends.map((f) => f.name)).toEqual(["public"]);
    const listener = gw?.listeners[0];
    expect(listener?.port).toBe(443);
    expect(listener?.routes[0]?.settings).toEqual({ name: "s80", port: 80, protocol: "Http" });
    expect(listener?.routes[0]?.backends.map((b) => b.label)).toEqual([
      "network interface vm1 (ipconfig1)",
      "10.0.1.9 (backend address in subnet vnet/web)",
      "203.0.113.9 (outside every virtual network)",
      "app.example.com (a name, resolved when running)",
    ]);
  });

  it("reads ARM's sku object and takes Standard and WAF as v1", () => {
    const network = networkOf(
      spec(
        GW({
          tier: "{ name: WAF_Medium, tier: WAF, capacity: 2 }",
          frontends: "[{ name: public, publicIPAddress: pip-basic }]",
        }),
      ),
    );
    expect(network.applicationGateways?.get("gw")?.version).toBe(1);
  });

  it("refuses a public IP of the other generation's SKU", () => {
    expect(errors(spec(GW({ tier: "Standard" })))).toContain(
      "ApplicationGatewayPublicIPSkuMismatch applicationGateways.0.frontendIPConfigurations.0.publicIPAddress",
    );
    expect(
      errors(spec(GW({ frontends: "[{ name: public, publicIPAddress: pip-basic }]" }))),
    ).toContain(
      "ApplicationGatewayPublicIPSkuMismatch applicationGateways.0.frontendIPConfigurations.0.publicIPAddress",
    );
  });

  it("refuses a subnet shared with network interfaces", () => {
    expect(
      errors(
        spec(
          GW(),
          "[{ name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.0.20, subnet: gateway }] }]",
        ),
      ),
    ).toContain(
      "ApplicationGatewaySubnetCannotBeUsedByOtherResources applicationGateways.0.gatewayIPConfigurations.0.subnet",
    );
  });

  it("refuses a private frontend outside the gateway's subnet, and two public frontends", () => {
    expect(
      errors(
        spec(
          GW({
            frontends:
              "[{ name: public, publicIPAddress: pip-std }, { name: private, privateIPAddress: 10.0.1.10, subnet: web }]",
          }),
        ),
      ),
    ).toContain(
      "InvalidFrontendIPConfiguration applicationGateways.0.frontendIPConfigurations.1.subnet",
    );
    expect(
      errors(
        `${BASE.replace("{ name: pip-basic, sku: Basic }", "{ name: pip-2, sku: Standard }")}applicationGateways:\n${GW({ frontends: "[{ name: public, publicIPAddress: pip-std }, { name: public2, publicIPAddress: pip-2 }]" })}\n`,
      ),
    ).toContain("ApplicationGatewayFrontendsCount applicationGateways.0.frontendIPConfigurations");
  });

  it("names a rule's listener, pool or settings that the gateway does not have, and a rule that sends nowhere", () => {
    expect(
      errors(
        spec(
          GW({
            extra:
              "    requestRoutingRules:\n      - { name: a, httpListener: nope, backendAddressPool: web, backendHttpSettings: s80 }\n      - { name: b, httpListener: https, backendAddressPool: nope, backendHttpSettings: s80 }\n      - { name: c, httpListener: https }",
          }),
        ),
      ),
    ).toEqual([
      "InvalidResourceReference applicationGateways.0.requestRoutingRules.0.httpListener",
      "InvalidResourceReference applicationGateways.0.requestRoutingRules.1.backendAddressPool",
      "ApplicationGatewayListenerInUse applicationGateways.0.requestRoutingRules.2.httpListener",
      "InvalidRequestRoutingRule applicationGateways.0.requestRoutingRules.2",
    ]);
  });

  it("names an interface's pool of a gateway that does not exist or has no such pool", () => {
    expect(
      errors(
        spec(
          GW(),
          "[{ name: vm1, ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: web, applicationGatewayBackendAddressPools: [other/web, gw/nope, bad] }] }]",
        ),
      ),
    ).toEqual([
      "InvalidResourceReference networkInterfaces.0.ipConfigurations.0.applicationGatewayBackendAddressPools.0",
      "InvalidResourceReference networkInterfaces.0.ipConfigurations.0.applicationGatewayBackendAddressPools.1",
      "InvalidResourceReference networkInterfaces.0.ipConfigurations.0.applicationGatewayBackendAddressPools.2",
    ]);
  });

  it("reports every problem of a gateway whose subnet is not known, each at its value", () => {
    const text = `${BASE}applicationGateways:
  - name: gw
    sku: Standard_v2
    gatewayIPConfigurations: []
    frontendIPConfigurations: [{ name: fe, publicIPAddress: nope }]
    frontendPorts: [{ name: p, port: 0 }]
    httpListeners: [{ name: l, frontendIPConfiguration: fe, frontendPort: zz, protocol: Http }]
`;
    expect(errors(text)).toEqual([
      "InvalidGatewayIPConfiguration applicationGateways.0.gatewayIPConfigurations",
      "InvalidResourceReference applicationGateways.0.frontendIPConfigurations.0.publicIPAddress",
      "InvalidApplicationGatewayPort applicationGateways.0.frontendPorts.0.port",
      "InvalidResourceReference applicationGateways.0.httpListeners.0.frontendPort",
    ]);
    const located = loadSpecText(text).diagnostics.filter((d) => d.severity === "error");
    expect(located.every((d) => (d.location?.line ?? 0) > 0)).toBe(true);
  });

  it("places a schema error (an unknown tier, a port out of range) on its value", () => {
    const loaded = loadSpecText(spec(GW({ tier: "Premium" })));
    const d = loaded.diagnostics.find((x) => x.severity === "error");
    expect(d?.path.join(".")).toBe("applicationGateways.0.sku");
    expect(d?.location?.line).toBeGreaterThan(0);
    expect(
      errors(spec(GW().replace("{ name: s80, port: 80,", "{ name: s80, port: 70000,"))),
    ).toEqual(["InvalidValue applicationGateways.0.backendHttpSettingsCollection.0.port"]);
  });
});
