import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";
import { importAzCli } from "./import.js";

const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`);

const NETWORK = `az network vnet create -g rg -n net --address-prefixes 10.0.0.0/16 --subnet-name web --subnet-prefixes 10.0.1.0/24
az network nsg create -g rg -n web-nsg
az network nsg rule create -g rg --nsg-name web-nsg -n ssh --priority 100 --source-address-prefixes Internet --destination-port-ranges 22 --protocol Tcp
az network asg create -g rg -n web-asg
`;

describe("az CLI import: network interfaces with Dynamic addresses, and public IP addresses", () => {
  it("reads az network nic create without --private-ip-address as Dynamic, with its NSG, ASGs and public IP", () => {
    const script = `${NETWORK}az network public-ip create -g rg -n web-pip --sku Standard --allocation-method Static
az network nic create -g rg -n web-nic --vnet-name net --subnet web --network-security-group web-nsg --asgs web-asg --public-ip-address web-pip
az network nic create -g rg -n v6-nic --vnet-name net --subnet web --private-ip-address-version IPv6
`;
    const { topology, diagnostics } = importAzCli(script, "nic.sh");
    expect(brief(diagnostics.filter((d) => d.severity !== "info"))).toEqual([]);
    expect(topology.networkInterfaces).toEqual([
      {
        name: "web-nic",
        networkSecurityGroup: "web-nsg",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: "web-pip",
            subnet: "net/web",
            applicationSecurityGroups: ["web-asg"],
          },
        ],
      },
      {
        name: "v6-nic",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            privateIPAddressVersion: "IPv6",
            subnet: "net/web",
          },
        ],
      },
    ]);
    expect(topology.publicIPAddresses).toEqual([
      { name: "web-pip", sku: "Standard", publicIPAllocationMethod: "Static" },
    ]);
  });

  it("reads az network public-ip create: --sku in any case, --allocation-method, --version; no --sku is Basic, named", () => {
    const script = `az network public-ip create -g rg -n a --sku BASIC --allocation-method dynamic
az network public-ip create -g rg -n b --sku standard --version IPv6 -l westeurope
az network public-ip create -g rg -n c
az network public-ip create -g rg -n d --sku Premium
`;
    const { topology, diagnostics } = importAzCli(script, "pips.sh");
    expect(topology.publicIPAddresses).toEqual([
      { name: "a", sku: "Basic", publicIPAllocationMethod: "Dynamic" },
      { name: "b", location: "westeurope", sku: "Standard", publicIPAddressVersion: "IPv6" },
      { name: "c", sku: "Basic" },
    ]);
    expect(brief(diagnostics)).toEqual([
      "info PublicIPSkuNotKnown 3:1",
      "error InvalidParameterValue 4:46",
    ]);
    expect(diagnostics[0]?.message).toContain(
      "gives no --sku (Basic up to az 2.54, Standard since 2.55); it is read as Basic",
    );
  });

  it("keeps a public IP the script only names, read as Basic until a file declares it", async () => {
    const script = `${NETWORK}az network nic create -g rg -n web-nic --vnet-name net --subnet web --public-ip-address /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/made-elsewhere
`;
    const { topology } = importAzCli(script, "elsewhere.sh");
    expect(topology.publicIPAddresses).toEqual([{ name: "made-elsewhere", sku: "Basic" }]);
    const result = await importSources([{ file: "elsewhere.sh", text: script }]);
    expect(result.diagnostics.map((d) => d.code)).toContain("PublicIPAddressNotDeclared");
    // az network public-ip show output declares it: its SKU is then known.
    const shown = {
      file: "pip.json",
      text: JSON.stringify({
        id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/made-elsewhere",
        name: "made-elsewhere",
        type: "Microsoft.Network/publicIPAddresses",
        sku: { name: "Standard" },
        properties: { ipAddress: "203.0.113.9", publicIPAllocationMethod: "Static" },
      }),
    };
    const both = await importSources([{ file: "elsewhere.sh", text: script }, shown]);
    expect(both.diagnostics.map((d) => d.code)).not.toContain("PublicIPAddressNotDeclared");
    expect(both.topology.publicIPAddresses).toEqual([
      expect.objectContaining({
        name: "made-elsewhere",
        sku: "Standard",
        ipAddress: "203.0.113.9",
      }),
    ]);
  });

  it("reads az network nic ip-config update --asgs on an interface the script creates, and names it on one it does not", () => {
    const script = `${NETWORK}az network nic create -g rg -n web-nic --vnet-name net --subnet web
az network nic ip-config update -g rg --nic-name web-nic -n ipconfig1 --asgs web-asg
az network nic ip-config update -g rg --nic-name elsewhere-nic -n ipconfig1 --asgs web-asg
`;
    const { topology, diagnostics } = importAzCli(script, "asgs.sh");
    expect(topology.networkInterfaces[0]?.ipConfigurations[0]?.applicationSecurityGroups).toEqual([
      "web-asg",
    ]);
    expect(brief(diagnostics.filter((d) => d.severity !== "info"))).toEqual([
      "warning NetworkInterfaceNotDeclared 7:50",
    ]);
    expect(diagnostics.find((d) => d.code === "NetworkInterfaceNotDeclared")?.message).toBe(
      'az network nic ip-config update: the script does not create network interface "elsewhere-nic", so its IP configurations are not known; its application security groups are left out',
    );
  });

  it("writes a spec check accepts, and still names public IP prefixes as not modelled", async () => {
    const script = `${NETWORK}az network public-ip create -g rg -n web-pip --sku Standard
az network nic create -g rg -n web-nic --vnet-name net --subnet web --asgs web-asg --public-ip-address web-pip
az network public-ip prefix create -g rg -n block --length 28
`;
    const result = await importSources([{ file: "web.sh", text: script }]);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(brief(result.diagnostics.filter((d) => d.code === "NotModelled"))).toEqual([
      "warning NotModelled 7:1",
    ]);
    const loaded = loadSpecText(result.spec as string);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.spec).toContain("privateIPAllocationMethod: Dynamic");
  });
});
