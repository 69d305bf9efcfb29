/**
 * Environments whose addresses the platform assigns when deploying (an App
 * Service Environment's private host and VIPs): Dynamic private addresses are
 * a free host of the subnet, unknown public ones a stand-in shown by name.
 */
import { describe, expect, it } from "vitest";
import { buildNetwork } from "../model/network.js";
import { isStandIn } from "../model/public-ips.js";
import { ServiceTagCatalog } from "../model/service-tags.js";
import type { Environment, SecurityRule, Topology } from "../model/types.js";
import { displayAddress, formatIpAddress } from "../net/address.js";
import { FlowEvaluator } from "./flow.js";

const allow = (name: string, priority: number, source: string): SecurityRule => ({
  name,
  protocol: "Tcp",
  access: "Allow",
  priority,
  direction: "Inbound",
  sourceAddressPrefix: source,
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "443",
});

function topology(environments: Environment[], rules: SecurityRule[] = []): Topology {
  return {
    virtualNetworks: [
      {
        name: "vnet",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [
          { name: "fe", addressPrefix: "10.0.1.0/24" },
          { name: "api", addressPrefix: "10.0.4.0/24", networkSecurityGroup: "api-nsg" },
        ],
      },
    ],
    networkSecurityGroups: [{ name: "api-nsg", securityRules: rules }],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments,
  };
}

const build = (environments: Environment[], rules: SecurityRule[] = []) =>
  buildNetwork(topology(environments, rules), ServiceTagCatalog.empty);

const FE: Environment = {
  name: "fe",
  kind: "AppServiceEnvironmentV2",
  subnet: "fe",
  privateIPAllocationMethod: "Dynamic",
  publicIPAllocationMethod: "Dynamic",
  ingress: "External",
};
const API: Environment = {
  name: "api",
  kind: "AppServiceEnvironmentV2",
  subnet: "api",
  privateIPAllocationMethod: "Dynamic",
  publicIPAddress: "203.0.113.40",
  ingress: "External",
};

describe("environments with addresses assigned when deploying", () => {
  it("place a Dynamic environment on its subnet's first free host, shown by the subnet", () => {
    const { network, diagnostics } = build([FE, API]);
    expect(diagnostics).toEqual([]);
    const fe = network?.environments.get("fe");
    expect(fe && formatIpAddress(fe.privateAddress)).toBe("10.0.1.4");
    expect(fe && displayAddress(fe.privateAddress)).toBe("10.0.1.x");
  });

  it("stand an unknown VIP on a reserved address, shown as <name>, for inbound and outbound", () => {
    const { network } = build([FE, API]);
    const fe = network?.environments.get("fe");
    expect(fe?.ingress).toBe("External");
    expect(fe?.publicAddress && isStandIn(fe.publicAddress)).toBe(true);
    expect(fe?.publicAddress && displayAddress(fe.publicAddress)).toBe("<fe>");
    expect(fe?.outboundAddress).toEqual(fe?.publicAddress);
    expect(fe?.publicAddress && network?.addressNames.text(fe.publicAddress)).toBe("<fe>");
  });

  it("gives an internal environment an unknown outbound address but no public one", () => {
    const { network } = build([{ ...FE, ingress: "Internal" }, API]);
    const fe = network?.environments.get("fe");
    expect(fe?.ingress).toBe("Internal");
    expect(fe?.publicAddress).toBeUndefined();
    expect(fe?.outboundAddress && displayAddress(fe.outboundAddress)).toBe("<fe>");
  });

  it("lets a known outbound address win over the stand-in", () => {
    const { network } = build([{ ...FE, outboundIPAddress: "198.51.100.11" }, API]);
    const fe = network?.environments.get("fe");
    expect(fe?.outboundAddress && formatIpAddress(fe.outboundAddress)).toBe("198.51.100.11");
    expect(fe?.publicAddress && displayAddress(fe.publicAddress)).toBe("<fe>");
  });

  it("matches an unknown caller by Internet, never by an address a rule names", () => {
    const named = build([FE, API], [allow("named", 100, "198.51.100.11")]).network;
    const internet = build([FE, API], [allow("internet", 100, "Internet")]).network;
    const flow = (n: typeof named) =>
      n &&
      new FlowEvaluator(n).evaluate({
        from: "fe",
        to: "api",
        protocol: "Tcp",
        destinationPort: 443,
      });
    expect(flow(named)).toMatchObject({ ok: true, result: { access: "Deny" } });
    expect(flow(internet)).toMatchObject({ ok: true, result: { access: "Allow" } });
  });

  it("still refuses an environment with neither address nor Dynamic", () => {
    const { privateIPAllocationMethod: _, ...unplaced } = FE;
    expect(build([unplaced]).diagnostics.map((d) => d.code)).toEqual([
      "InvalidEnvironmentPlacement",
    ]);
  });

  it("takes a known private address over Dynamic", () => {
    const { network } = build([{ ...FE, privateIPAddress: "10.0.1.9" }]);
    expect(formatIpAddress(network?.environments.get("fe")?.privateAddress ?? FE_NONE)).toBe(
      "10.0.1.9",
    );
  });
});

const FE_NONE = { family: 4 as const, value: 0n };
