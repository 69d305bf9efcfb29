/** az CLI scripts: nat gateway create, and a subnet's --nat-gateway and --default-outbound-access. */
import { describe, expect, it } from "vitest";
import { networkOf } from "../../../test/support/spec.js";
import { FlowEvaluator } from "../../engine/flow.js";
import { writeSpec } from "../../specfile/write.js";
import { importAzCli } from "./import.js";

const SCRIPT = `
az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16
az network public-ip create -g rg -n nat-ip --sku Standard
az network nat gateway create -g rg -n nat1 --public-ip-addresses nat-ip elsewhere-ip --idle-timeout 10
az network vnet subnet create -g rg --vnet-name vnet -n app --address-prefixes 10.0.1.0/24 --nat-gateway nat1 --default-outbound-access false
az network vnet subnet create -g rg --vnet-name vnet -n batch --address-prefixes 10.0.2.0/24 --default-outbound false
az network nic create -g rg -n vm-nic --vnet-name vnet --subnet app --private-ip-address 10.0.1.4
`;

describe("az CLI NAT gateways", () => {
  it("reads the gateway, the subnets' NAT gateway and default outbound access", () => {
    const { topology, diagnostics } = importAzCli(SCRIPT, "deploy.sh");
    expect(diagnostics.filter((d) => d.severity !== "info").map((d) => d.code)).toEqual([]);
    expect(topology.natGateways).toEqual([
      {
        name: "nat1",
        sku: "Standard",
        publicIpAddresses: ["nat-ip", "elsewhere-ip"],
        idleTimeoutInMinutes: 10,
      },
    ]);
    // A public IP the script does not create is a Standard placeholder.
    expect(topology.publicIPAddresses?.find((p) => p.name === "elsewhere-ip")?.sku).toBe(
      "Standard",
    );
    const [app, batch] = topology.virtualNetworks[0]?.subnets ?? [];
    expect(app).toMatchObject({ natGateway: "nat1", defaultOutboundAccess: false });
    expect(batch).toMatchObject({ defaultOutboundAccess: false });
    const r = new FlowEvaluator(networkOf(writeSpec(topology))).evaluate({
      from: "nic:vm-nic",
      to: "192.0.2.80",
      protocol: "Tcp",
      destinationPort: 443,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.result.egress).toMatchObject({ via: "NatGateway", name: "nat1" });
  });

  it("subnet update --nat-gateway with an empty value detaches it; a value that is not true or false is refused", () => {
    const { topology } = importAzCli(
      `${SCRIPT}az network vnet subnet update -g rg --vnet-name vnet -n app --nat-gateway ""\n`,
      "deploy.sh",
    );
    expect(topology.virtualNetworks[0]?.subnets[0]?.natGateway).toBeUndefined();
    const bad = importAzCli(
      `${SCRIPT}az network vnet subnet update -g rg --vnet-name vnet -n app --default-outbound-access maybe\n`,
      "deploy.sh",
    );
    expect(bad.diagnostics.map((d) => d.code)).toContain("InvalidValue");
  });
});
