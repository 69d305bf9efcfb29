/** az CLI scripts: private-endpoint create and bastion create, read into the spec and answering flows. */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { writeSpec } from "../../specfile/write.js";
import { importAzCli } from "./import.js";

const SCRIPT = `
az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16
az network vnet subnet create -g rg --vnet-name vnet -n app --address-prefixes 10.0.1.0/24
az network vnet subnet create -g rg --vnet-name vnet -n endpoints --address-prefixes 10.0.2.0/24
az network vnet subnet create -g rg --vnet-name vnet -n AzureBastionSubnet --address-prefixes 10.0.255.0/26
az network private-endpoint create -g rg -n pe-kv --vnet-name vnet --subnet endpoints \\
  --private-connection-resource-id /subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1 \\
  --group-id vault --connection-name kv
az network bastion create -g rg -n bastion --vnet-name vnet --public-ip-address bastion-pip -l westeurope
az network nic create -g rg -n vm-nic --vnet-name vnet --subnet app
`;

describe("az CLI private endpoints and Bastion hosts", () => {
  it("reads them, with nothing named as not modelled; the Bastion's public IP no command creates is Standard", () => {
    const { topology, diagnostics } = importAzCli(SCRIPT, "deploy.sh");
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([]);
    expect(topology.privateEndpoints).toEqual([
      {
        name: "pe-kv",
        subnet: "vnet/endpoints",
        privateLinkServiceConnections: [
          {
            name: "kv",
            privateLinkServiceId:
              "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1",
            groupIds: ["vault"],
          },
        ],
      },
    ]);
    expect(topology.bastionHosts).toEqual([
      {
        name: "bastion",
        location: "westeurope",
        sku: "Standard",
        ipConfigurations: [{ subnet: "vnet/AzureBastionSubnet", publicIPAddress: "bastion-pip" }],
      },
    ]);
    expect(topology.publicIPAddresses?.find((p) => p.name === "bastion-pip")?.sku).toBe("Standard");
    const evaluator = new FlowEvaluator(networkOf(writeSpec(topology)));
    const toPe = evaluator.evaluate({
      from: "nic:vm-nic",
      to: "pe:pe-kv",
      protocol: "Tcp",
      destinationPort: 443,
    });
    expect(toPe.ok && toPe.result.to).toContain("Microsoft.KeyVault/vaults kv1 (vault)");
    const session = evaluator.evaluate({
      from: "bastion:bastion",
      to: "nic:vm-nic",
      protocol: "Tcp",
      destinationPort: 22,
    });
    expect(session.ok && session.result.access).toBe("Allow");
  });

  it("names a change it does not apply, and a Developer Bastion host", () => {
    const { topology, diagnostics } = importAzCli(
      `${SCRIPT}az network bastion create -g rg -n dev --vnet-name vnet --sku Developer
az network private-endpoint asg add -g rg --endpoint-name pe-kv --asg-id /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/kv-asg
`,
      "deploy.sh",
    );
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([
      "NotModelled",
      expect.any(String),
    ]);
    expect(topology.bastionHosts?.map((b) => b.name)).toEqual(["bastion"]);
  });

  it.each([
    [
      "--private-endpoint-network-policies NetworkSecurityGroupEnabled",
      "NetworkSecurityGroupEnabled",
    ],
    ["--disable-private-endpoint-network-policies false", "Enabled"],
    ["--disable-private-endpoint-network-policies true", "Disabled"],
  ])("reads a subnet's `%s` as %s, on update too", (flags, expected) => {
    const { topology, diagnostics } = importAzCli(
      `${SCRIPT}az network vnet subnet update -g rg --vnet-name vnet -n endpoints ${flags}\n`,
      "deploy.sh",
    );
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([]);
    const subnet = topology.virtualNetworks[0]?.subnets.find((s) => s.name === "endpoints");
    expect(subnet?.privateEndpointNetworkPolicies).toBe(expected);
    expect(subnet?.addressPrefix ?? subnet?.addressPrefixes?.[0]).toBe("10.0.2.0/24");
  });

  it("refuses a policy Azure does not have, where it is written", () => {
    const { diagnostics } = importAzCli(
      `${SCRIPT}az network vnet subnet update -g rg --vnet-name vnet -n endpoints --private-endpoint-network-policies Sometimes\n`,
      "deploy.sh",
    );
    expect(diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual([
      "InvalidValue",
    ]);
  });
});
