import { describe, expect, it } from "vitest";
import { displayAddress, formatIpAddress, parseIpAddress } from "../net/address.js";
import type { ValuePath } from "./diagnostic.js";
import { buildNetwork } from "./network.js";
import { isStandIn, UNKNOWN_PUBLIC_BLOCKS } from "./public-ips.js";
import { ServiceTagCatalog } from "./service-tags.js";
import type { IpConfiguration, PublicIPAddress, Topology, VirtualNetwork } from "./types.js";

const VNET: VirtualNetwork = {
  name: "vnet",
  addressSpace: { addressPrefixes: ["10.0.0.0/16", "fd00:0:0::/48"] },
  subnets: [
    { name: "web", addressPrefixes: ["10.0.1.0/24", "fd00:0:0:1::/64"] },
    { name: "tiny", addressPrefix: "10.0.9.0/29" },
  ],
};

const PIP_WEB: PublicIPAddress = { name: "pip-web", sku: "Standard" };

function topology(configs: readonly IpConfiguration[], changes: Partial<Topology> = {}): Topology {
  return {
    virtualNetworks: [VNET],
    networkSecurityGroups: [],
    applicationSecurityGroups: [{ name: "web-asg" }],
    networkInterfaces: configs.map((c, i) => ({ name: `nic${i}`, ipConfigurations: [c] })),
    environments: [],
    publicIPAddresses: [PIP_WEB],
    ...changes,
  };
}

const build = (configs: readonly IpConfiguration[], changes: Partial<Topology> = {}) =>
  buildNetwork(topology(configs, changes), ServiceTagCatalog.empty);

const problems = (configs: readonly IpConfiguration[], changes: Partial<Topology> = {}) =>
  build(configs, changes).diagnostics.map((d) => ({ code: d.code, path: d.path }));

const p = (code: string, path: ValuePath) => ({ code, path });

const config0 = (network: ReturnType<typeof build>["network"]) =>
  network?.nics.get("nic0")?.ipConfigurations[0];

describe("public IP addresses", () => {
  it("give a configuration their known address and SKU", () => {
    const { network, diagnostics } = build(
      [{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "PIP-WEB" }],
      { publicIPAddresses: [{ ...PIP_WEB, ipAddress: "203.0.113.4" }] },
    );
    expect(diagnostics).toEqual([]);
    const c = config0(network);
    expect(c?.publicIp).toMatchObject({ name: "pip-web", sku: "Standard", known: true });
    expect(c?.publicAddress && formatIpAddress(c.publicAddress)).toBe("203.0.113.4");
    expect(c?.publicAddress?.label).toBeUndefined();
  });

  it("stand an unknown address on a reserved address shown by the resource's name", () => {
    const { network, diagnostics } = build([
      { privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" },
    ]);
    expect(diagnostics).toEqual([]);
    const address = config0(network)?.publicAddress;
    expect(address && isStandIn(address)).toBe(true);
    expect(address && displayAddress(address)).toBe("<pip-web>");
    expect(network?.publicIps.get("pip-web")?.known).toBe(false);
    // Outside every network, and the same in every build (diff compares two).
    expect(address && network?.vnets.get("vnet")?.virtualNetworkTag.has(address)).toBe(false);
    const again = config0(
      build([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" }]).network,
    )?.publicAddress;
    expect(again?.value).toBe(address?.value);
    expect(address && network?.addressNames.text({ family: 4, value: address.value })).toBe(
      "<pip-web>",
    );
  });

  it("stand two unknown addresses on two addresses, of the family the resource says", () => {
    const { network } = build(
      [
        { privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "a" },
        { privateIPAddress: "fd00:0:0:1::5", subnet: "web", publicIPAddress: "b" },
      ],
      {
        publicIPAddresses: [
          { name: "a", sku: "Basic" },
          { name: "b", sku: "Basic", publicIPAddressVersion: "IPv6" },
        ],
      },
    );
    const a = network?.publicIps.get("a")?.address;
    const b = network?.publicIps.get("b")?.address;
    expect(a?.family).toBe(4);
    expect(b?.family).toBe(6);
    expect(b && b.value >= UNKNOWN_PUBLIC_BLOCKS[6].first).toBe(true);
    expect(network?.addressNames.unknownPublic.has(a ?? { family: 4, value: 0n })).toBe(true);
  });

  it("stand an unknown address where no prefix a rule names falls, unless it covers the whole block", () => {
    const nsg = (...prefixes: string[]) => ({
      name: "nsg",
      securityRules: [
        {
          name: "r",
          protocol: "*",
          access: "Deny",
          priority: 100,
          direction: "Inbound",
          sourceAddressPrefixes: prefixes,
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "*",
        },
      ],
    });
    const configs = [{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" }];
    // 248.0.0.0/5 is the symbolic service tags' (symbolic-tags.ts): 244.0.0.0/7 is left.
    const named = ["240.0.0.0/6", "246.0.0.0/7", "128.0.0.0/1"];
    const { network } = build(configs, { networkSecurityGroups: [nsg(...named)] });
    const address = network?.publicIps.get("pip-web")?.address;
    expect(address && formatIpAddress(address)).toMatch(/^24[45]\./);
    expect(problems(configs, { networkSecurityGroups: [nsg("240.0.0.0/5")] })).toEqual([
      p("PublicIPAddressNotKnown", ["publicIPAddresses", 0]),
    ]);
  });

  it("are referred to by name, by id, or given as an address", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip-web";
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: { id } }]),
    ).toEqual([]);
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "198.51.100.9" }]),
    ).toEqual([]);
  });

  it("must be defined, and an id must be a public IP's", () => {
    const at = ["networkInterfaces", 0, "ipConfigurations", 0, "publicIPAddress"];
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-nope" }]),
    ).toEqual([p("InvalidResourceReference", at)]);
    const nsgId =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/pip-web";
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: { id: nsgId } }]),
    ).toEqual([p("InvalidResourceReference", [...at, "id"])]);
  });

  it("are associated with one resource at a time", () => {
    expect(
      problems([
        { privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" },
        { privateIPAddress: "10.0.1.5", subnet: "web", publicIPAddress: "pip-web" },
      ]),
    ).toEqual([
      p("PublicIPAddressInUse", ["networkInterfaces", 1, "ipConfigurations", 0, "publicIPAddress"]),
    ]);
    // A workload on the interface that names the interface's own public IP uses it once.
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" }], {
        environments: [
          {
            name: "vm",
            kind: "VirtualMachine",
            networkInterface: "nic0",
            publicIPAddress: "pip-web",
          },
        ],
      }),
    ).toEqual([]);
  });

  it("are validated: names, a Standard one is Static, an address outside every network", () => {
    expect(
      problems([], {
        publicIPAddresses: [
          { name: "a", sku: "Standard", publicIPAllocationMethod: "Dynamic" },
          { name: "A", sku: "Basic" },
          { name: "b", sku: "Basic", ipAddress: "10.0.1.9" },
          { name: "c", sku: "Basic", ipAddress: "not-an-address" },
        ],
      }),
    ).toEqual([
      p("DuplicateResourceName", ["publicIPAddresses", 1, "name"]),
      p("InvalidPublicIPAllocationMethod", ["publicIPAddresses", 0, "publicIPAllocationMethod"]),
      p("PublicAddressInsideVirtualNetwork", ["publicIPAddresses", 2, "ipAddress"]),
      p("InvalidIPAddress", ["publicIPAddresses", 3, "ipAddress"]),
    ]);
  });

  it("are of their configuration's family", () => {
    const at = ["networkInterfaces", 0, "ipConfigurations", 0, "publicIPAddress"];
    expect(
      problems([{ privateIPAddress: "fd00:0:0:1::4", subnet: "web", publicIPAddress: "pip-web" }]),
    ).toEqual([p("PublicIPAddressFamilyMismatch", at)]);
    expect(
      problems([{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "2001:db8::4" }]),
    ).toEqual([p("PublicIPAddressFamilyMismatch", at)]);
  });

  it("give an environment its public IP, its own or its interface's", () => {
    const { network } = build(
      [{ privateIPAddress: "10.0.1.4", subnet: "web", publicIPAddress: "pip-web" }],
      {
        environments: [
          { name: "vm", kind: "VirtualMachine", networkInterface: "nic0" },
          {
            name: "app",
            kind: "Workload",
            subnet: "web",
            privateIPAddress: "10.0.1.10",
            publicIPAddress: "pip-app",
          },
        ],
        publicIPAddresses: [PIP_WEB, { name: "pip-app", sku: "Basic", ipAddress: "192.0.2.10" }],
      },
    );
    expect(network?.environments.get("vm")?.publicIp?.name).toBe("pip-web");
    const app = network?.environments.get("app");
    expect(app?.publicIp?.sku).toBe("Basic");
    expect(app?.outboundAddress && formatIpAddress(app.outboundAddress)).toBe("192.0.2.10");
  });
});

describe("Dynamic private addresses", () => {
  it("take the subnet's first free host, after Azure's reserved ones and every address written", () => {
    const { network, diagnostics } = build(
      [
        {
          privateIPAllocationMethod: "Dynamic",
          subnet: "web",
          applicationSecurityGroups: ["web-asg"],
        },
        { privateIPAddress: "10.0.1.4", subnet: "web" },
        { privateIPAllocationMethod: "Dynamic", subnet: "web" },
      ],
      {
        environments: [
          { name: "app", kind: "Workload", subnet: "web", privateIPAddress: "10.0.1.5" },
        ],
      },
    );
    expect(diagnostics).toEqual([]);
    const first = config0(network);
    expect(first?.dynamic).toBe(true);
    expect(first && formatIpAddress(first.address)).toBe("10.0.1.6");
    expect(first && displayAddress(first.address)).toBe("10.0.1.x");
    const third = network?.nics.get("nic2")?.ipConfigurations[0];
    expect(third && formatIpAddress(third.address)).toBe("10.0.1.7");
    // Its ASG memberships count.
    expect(network?.asgMembers.get("web-asg")?.map(formatIpAddress)).toEqual(["10.0.1.6"]);
  });

  it("keep an address Azure has assigned (as its output shows it)", () => {
    const { network } = build([
      { privateIPAllocationMethod: "Dynamic", privateIPAddress: "10.0.1.20", subnet: "web" },
    ]);
    const c = config0(network);
    expect(c?.dynamic).toBeUndefined();
    expect(c && displayAddress(c.address)).toBe("10.0.1.20");
  });

  it("are IPv6 when the configuration says so", () => {
    const { network } = build([
      { privateIPAllocationMethod: "Dynamic", privateIPAddressVersion: "IPv6", subnet: "web" },
    ]);
    const c = config0(network);
    expect(c && formatIpAddress(c.address)).toBe("fd00:0:0:1::4");
    expect(c && displayAddress(c.address)).toBe("fd00:0:0:1::x");
  });

  it("need a range of their family and a free host; a Static address needs its address", () => {
    const at = (i: number): ValuePath => ["networkInterfaces", i, "ipConfigurations", 0];
    expect(
      problems([
        { privateIPAllocationMethod: "Dynamic", privateIPAddressVersion: "IPv6", subnet: "tiny" },
        { privateIPAllocationMethod: "Static", subnet: "web" },
        { subnet: "web" },
        { privateIPAllocationMethod: "Dynamic", subnet: "tiny" },
        { privateIPAllocationMethod: "Dynamic", subnet: "tiny" },
        { privateIPAllocationMethod: "Dynamic", subnet: "tiny" },
        { privateIPAllocationMethod: "Dynamic", subnet: "tiny" },
      ]),
    ).toEqual([
      p("InvalidIpConfiguration", [...at(0), "subnet"]),
      p("InvalidIpConfiguration", at(1)),
      p("InvalidIpConfiguration", at(2)),
      // A /29 has three hosts Azure does not reserve.
      p("SubnetIsFull", [...at(6), "subnet"]),
    ]);
  });
});

describe("peering flags", () => {
  const peered = (hubAccess?: boolean): Topology => ({
    virtualNetworks: [
      {
        name: "hub",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [],
        virtualNetworkPeerings: [
          {
            remoteVirtualNetwork: "spoke",
            ...(hubAccess === undefined ? {} : { allowVirtualNetworkAccess: hubAccess }),
          },
        ],
      },
      {
        name: "spoke",
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [],
        virtualNetworkPeerings: [{ remoteVirtualNetwork: "hub" }],
      },
    ],
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [],
  });
  const spokeHost = parseIpAddress("10.1.0.4") ?? { family: 4 as const, value: 0n };
  const hubHost = parseIpAddress("10.0.0.4") ?? { family: 4 as const, value: 0n };

  it("allowVirtualNetworkAccess: true, or left out, puts the peer in the VirtualNetwork tag", () => {
    for (const flag of [undefined, true]) {
      const network = buildNetwork(peered(flag), ServiceTagCatalog.empty).network;
      expect(network?.vnets.get("hub")?.virtualNetworkTag.has(spokeHost)).toBe(true);
    }
  });

  it("false takes the peer out of the declaring network's tag only, and keeps the route", () => {
    const network = buildNetwork(peered(false), ServiceTagCatalog.empty).network;
    expect(network?.vnets.get("hub")?.virtualNetworkTag.has(spokeHost)).toBe(false);
    expect(network?.vnets.get("spoke")?.virtualNetworkTag.has(hubHost)).toBe(true);
    expect(network?.vnets.get("hub")?.peers).toEqual(["spoke"]);
  });
});
