import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { displayAddress } from "../net/address.js";

const SPEC = `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24 }]
    virtualNetworkPeerings: [{ remoteVirtualNetwork: other, allowVirtualNetworkAccess: false }]
  - name: other
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets: []
    virtualNetworkPeerings: [{ remoteVirtualNetwork: vnet }]
publicIPAddresses:
  - { name: pip-web, sku: Standard }
  - name: pip-az
    sku: { name: Basic, tier: Regional }
    ipAddress: 203.0.113.7
    publicIPAllocationMethod: Static
    idleTimeoutInMinutes: 4
networkInterfaces:
  - name: web1
    ipConfigurations:
      - { privateIPAllocationMethod: Dynamic, subnet: web, publicIPAddress: pip-web }
  - name: web2
    ipConfigurations:
      - { privateIPAddress: 10.0.1.10, subnet: web, publicIPAddress: { id: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-az } }
`;

describe("the spec's public IP addresses, Dynamic interfaces and peering flags", () => {
  it("load with ARM's property names, the SKU as a name or as ARM's { name, tier }", () => {
    const { spec, diagnostics } = loadSpecText(SPEC);
    expect(diagnostics).toEqual([]);
    expect(spec?.topology.publicIPAddresses?.map((p) => [p.name, p.sku])).toEqual([
      ["pip-web", "Standard"],
      ["pip-az", "Basic"],
    ]);
    const web1 = spec?.network.nics.get("web1")?.ipConfigurations[0];
    expect(web1 && displayAddress(web1.address)).toBe("10.0.1.x");
    expect(web1?.publicAddress && displayAddress(web1.publicAddress)).toBe("<pip-web>");
    expect(spec?.network.vnets.get("vnet")?.peers).toEqual(["other"]);
  });

  it("reject an unknown SKU, allocation method or flag at its line", () => {
    const bad = SPEC.replace("sku: Standard", "sku: Premium")
      .replace("Static", "Fixed")
      .replace("allowVirtualNetworkAccess: false", "allowVirtualNetworkAccess: no");
    const { spec, diagnostics } = loadSpecText(bad);
    expect(spec).toBeUndefined();
    expect(diagnostics.map((d) => `${d.code} ${d.location?.line}`)).toEqual([
      "InvalidType 6",
      "InvalidType 12",
      "InvalidValue 16",
    ]);
    expect(diagnostics.map((d) => d.message).join("\n")).toContain('"Premium"');
  });
});
