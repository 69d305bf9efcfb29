import { describe, expect, it } from "vitest";
import { parseIpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { parsePrefix } from "../net/prefix.js";
import type { ValuePath } from "./diagnostic.js";
import { AZURE_HOST_ADDRESS, buildNetwork } from "./network.js";
import { ServiceTagCatalog } from "./service-tags.js";
import type {
  Environment,
  NetworkInterface,
  NetworkSecurityGroup,
  SecurityRule,
  Topology,
  VirtualNetwork,
} from "./types.js";

function rule(name: string, priority: number, changes: Partial<SecurityRule> = {}): SecurityRule {
  return {
    name,
    protocol: "Tcp",
    access: "Allow",
    priority,
    direction: "Inbound",
    sourceAddressPrefix: "*",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "443",
    ...changes,
  };
}

const HUB: VirtualNetwork = {
  name: "hub",
  addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
  subnets: [
    { name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "web-nsg" },
    { name: "db", addressPrefix: "10.0.2.0/24" },
  ],
};

const WEB_NSG: NetworkSecurityGroup = {
  name: "web-nsg",
  securityRules: [rule("allow-https", 100)],
};

const WEB1: NetworkInterface = {
  name: "web1-nic",
  networkSecurityGroup: "web-nsg",
  ipConfigurations: [
    { privateIPAddress: "10.0.1.4", subnet: "web", applicationSecurityGroups: ["web-asg"] },
  ],
};

const APP: Environment = {
  name: "app",
  kind: "Workload",
  subnet: "db",
  privateIPAddress: "10.0.2.4",
  publicIPAddress: "198.51.100.4",
};

/** A valid deployment; each test changes the part it is about. */
function topology(changes: Partial<Topology> = {}): Topology {
  return {
    virtualNetworks: [HUB],
    networkSecurityGroups: [WEB_NSG],
    applicationSecurityGroups: [{ name: "web-asg" }],
    networkInterfaces: [WEB1],
    environments: [APP],
    ...changes,
  };
}

function build(changes: Partial<Topology> = {}, tags = ServiceTagCatalog.empty) {
  return buildNetwork(topology(changes), tags);
}

/** The diagnostics as code and path, which must be exact. */
function problems(changes: Partial<Topology>) {
  return build(changes).diagnostics.map((d) => ({ code: d.code, path: d.path }));
}

const p = (code: string, path: ValuePath) => ({ code, path });

function address(text: string) {
  const a = parseIpAddress(text);
  if (!a) throw new Error(`bad test address ${text}`);
  return a;
}

function set(...prefixes: string[]): AddressSet {
  return AddressSet.of(
    prefixes.map((text) => {
      const parsed = parsePrefix(text);
      if (!parsed.ok) throw new Error(`bad test prefix ${text}`);
      return parsed.prefix;
    }),
  );
}

describe("buildNetwork: the base deployment", () => {
  it("is valid and resolved", () => {
    const { network, diagnostics } = build();
    expect(diagnostics).toEqual([]);
    expect(network?.subnets.map((s) => [s.id, s.nsg])).toEqual([
      ["hub/web", "web-nsg"],
      ["hub/db", undefined],
    ]);
    expect(network?.nics.get("web1-nic")?.nsg).toBe("web-nsg");
    expect(network?.asgMembers.get("web-asg")).toEqual([address("10.0.1.4")]);
    expect(network?.environments.get("app")?.subnet.id).toBe("hub/db");
  });

  it("puts the six default rules after the custom ones, by priority per direction", () => {
    const nsg = build().network?.nsgs.get("web-nsg");
    expect(nsg?.inbound.map((r) => [r.name, r.priority])).toEqual([
      ["allow-https", 100],
      ["AllowVnetInBound", 65000],
      ["AllowAzureLoadBalancerInBound", 65001],
      ["DenyAllInBound", 65500],
    ]);
    expect(nsg?.outbound.map((r) => r.name)).toEqual([
      "AllowVnetOutBound",
      "AllowInternetOutBound",
      "DenyAllOutBound",
    ]);
  });
});

describe("buildNetwork: rules within one NSG", () => {
  const nsg = (...securityRules: SecurityRule[]) => ({
    networkSecurityGroups: [{ name: "web-nsg", securityRules }],
  });
  const RULES: ValuePath = ["networkSecurityGroups", 0, "securityRules"];

  it("rejects two rules with the same priority and direction: SecurityRuleConflict on the second", () => {
    const { diagnostics, network } = build(
      nsg(rule("a", 100), rule("b", 200), rule("c", 100, { direction: "inbound" })),
    );
    expect(diagnostics.map((d) => ({ code: d.code, path: d.path }))).toEqual([
      p("SecurityRuleConflict", [...RULES, 2, "priority"]),
    ]);
    expect(diagnostics[0]?.message).toBe(
      "Security rule c conflicts with rule a. Rules cannot have the same Priority and Direction.",
    );
    expect(network).toBeUndefined();
  });

  it("accepts the same priority in opposite directions", () => {
    const { diagnostics, network } = build(
      nsg(rule("in", 100), rule("out", 100, { direction: "Outbound" })),
    );
    expect(diagnostics).toEqual([]);
    expect(network?.nsgs.get("web-nsg")?.outbound[0]?.name).toBe("out");
  });

  it("rejects duplicate rule names, case-insensitively", () => {
    expect(problems(nsg(rule("Allow-HTTPS", 100), rule("allow-https", 200)))).toEqual([
      p("DuplicateResourceName", [...RULES, 1, "name"]),
    ]);
  });

  it("passes every rule's own problems through, at the rule's path", () => {
    expect(problems(nsg(rule("ok", 100), rule("bad", 99)))).toEqual([
      p("SecurityRuleInvalidPriority", [...RULES, 1, "priority"]),
    ]);
  });

  const many = (count: number, changes: (i: number) => Partial<SecurityRule> = () => ({})) =>
    Array.from({ length: count }, (_, i) =>
      rule(`r${i}`, 100 + (i % 3997), {
        direction: i < 3997 ? "Inbound" : "Outbound",
        ...changes(i),
      }),
    );

  it("accepts 1000 rules", () => {
    expect(problems(nsg(...many(1000)))).toEqual([]);
  });

  it("rejects 1001 rules with SecurityRuleLimitExceeded at securityRules", () => {
    expect(problems(nsg(...many(1001)))).toEqual([p("SecurityRuleLimitExceeded", RULES)]);
  });

  // 10.x.y.0/24 blocks, all distinct.
  const blocks = (rule: number, count: number) =>
    Array.from({ length: count }, (_, i) => `10.${rule}.${i}.0/24`);

  it("accepts 4000 source prefixes across an NSG", () => {
    const rules = many(16, (i) => ({
      sourceAddressPrefix: undefined,
      sourceAddressPrefixes: blocks(i, 250),
    }));
    expect(problems(nsg(...rules))).toEqual([]);
  });

  it("rejects 4001 source prefixes across an NSG, but counts each side apart", () => {
    const rules = many(17, (i) =>
      i < 16
        ? { sourceAddressPrefix: undefined, sourceAddressPrefixes: blocks(i, 250) }
        : {
            sourceAddressPrefix: undefined,
            sourceAddressPrefixes: ["192.0.2.1"],
            destinationAddressPrefix: undefined,
            destinationAddressPrefixes: blocks(i, 200),
          },
    );
    const { diagnostics } = build(nsg(...rules));
    expect(diagnostics.map((d) => ({ code: d.code, path: d.path }))).toEqual([
      p("AddressPrefixLimitExceeded", RULES),
    ]);
    expect(diagnostics[0]?.message).toContain("4001 source");
  });

  it("rejects 4001 destination prefixes too", () => {
    const rules = many(17, (i) => ({
      destinationAddressPrefix: undefined,
      destinationAddressPrefixes: i < 16 ? blocks(i, 250) : ["192.0.2.1"],
    }));
    const { diagnostics } = build(nsg(...rules));
    expect(diagnostics.map((d) => d.code)).toEqual(["AddressPrefixLimitExceeded"]);
    expect(diagnostics[0]?.message).toContain("4001 destination");
  });
});

describe("buildNetwork: virtual networks and subnets", () => {
  const vnet = (changes: Partial<VirtualNetwork>): Partial<Topology> => ({
    virtualNetworks: [{ ...HUB, ...changes }],
    networkInterfaces: [],
    environments: [],
  });
  const SUBNETS: ValuePath = ["virtualNetworks", 0, "subnets"];

  it("rejects a subnet outside the address space: NetcfgSubnetRangeOutsideVnet", () => {
    expect(problems(vnet({ subnets: [{ name: "web", addressPrefix: "10.1.0.0/24" }] }))).toEqual([
      p("NetcfgSubnetRangeOutsideVnet", [...SUBNETS, 0, "addressPrefix"]),
    ]);
  });

  it("rejects a subnet that only partly lies inside the address space", () => {
    expect(problems(vnet({ subnets: [{ name: "web", addressPrefix: "10.0.0.0/15" }] }))).toEqual([
      p("NetcfgSubnetRangeOutsideVnet", [...SUBNETS, 0, "addressPrefix"]),
    ]);
  });

  it("accepts a subnet in the second of two address spaces", () => {
    expect(
      problems(
        vnet({
          addressSpace: { addressPrefixes: ["10.0.0.0/16", "172.16.0.0/24"] },
          subnets: [{ name: "web", addressPrefix: "172.16.0.0/26" }],
        }),
      ),
    ).toEqual([]);
  });

  it("rejects overlapping subnets: NetcfgSubnetRangesOverlap at the later one", () => {
    expect(
      problems(
        vnet({
          subnets: [
            { name: "a", addressPrefix: "10.0.0.0/24" },
            { name: "b", addressPrefix: "10.0.1.0/24" },
            { name: "c", addressPrefixes: ["10.0.2.0/24", "10.0.0.128/25"] },
          ],
        }),
      ),
    ).toEqual([p("NetcfgSubnetRangesOverlap", [...SUBNETS, 2, "addressPrefixes", 1])]);
  });

  it("rejects host bits in a subnet prefix", () => {
    expect(problems(vnet({ subnets: [{ name: "a", addressPrefix: "10.0.0.1/24" }] }))).toEqual([
      p("InvalidAddressPrefixFormat", [...SUBNETS, 0, "addressPrefix"]),
    ]);
  });

  it("rejects a subnet with both or neither of addressPrefix and addressPrefixes", () => {
    expect(
      problems(
        vnet({
          subnets: [
            { name: "a", addressPrefix: "10.0.0.0/24", addressPrefixes: ["10.0.1.0/24"] },
            { name: "b" },
          ],
        }),
      ),
    ).toEqual([
      p("InvalidSubnetAddressFields", [...SUBNETS, 0]),
      p("InvalidSubnetAddressFields", [...SUBNETS, 1]),
    ]);
  });

  it("rejects overlapping address spaces within a network", () => {
    expect(
      problems(vnet({ addressSpace: { addressPrefixes: ["10.0.0.0/16", "10.0.128.0/17"] } })),
    ).toEqual([
      p("VnetAddressSpacesOverlap", ["virtualNetworks", 0, "addressSpace", "addressPrefixes", 1]),
    ]);
  });

  it("rejects duplicate subnet names, case-insensitively", () => {
    expect(
      problems(
        vnet({
          subnets: [
            { name: "web", addressPrefix: "10.0.1.0/24" },
            { name: "WEB", addressPrefix: "10.0.2.0/24" },
          ],
        }),
      ),
    ).toEqual([p("DuplicateResourceName", [...SUBNETS, 1, "name"])]);
  });

  it("rejects a reference to an undefined NSG, from a subnet and from a NIC", () => {
    expect(
      problems({
        virtualNetworks: [
          {
            ...HUB,
            subnets: [{ name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nope" }],
          },
        ],
        networkInterfaces: [
          {
            ...WEB1,
            networkSecurityGroup: {
              id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/gone",
            },
          },
        ],
        environments: [],
      }),
    ).toEqual([
      p("InvalidResourceReference", [...SUBNETS, 0, "networkSecurityGroup"]),
      p("InvalidResourceReference", ["networkInterfaces", 0, "networkSecurityGroup"]),
    ]);
  });

  it("resolves NSG references by ARM id and case-insensitively", () => {
    const { network, diagnostics } = build({
      virtualNetworks: [
        {
          ...HUB,
          subnets: [
            {
              name: "web",
              addressPrefix: "10.0.1.0/24",
              networkSecurityGroup: {
                id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/WEB-NSG",
              },
            },
          ],
        },
      ],
      environments: [],
    });
    expect(diagnostics).toEqual([]);
    expect(network?.subnets[0]?.nsg).toBe("web-nsg");
  });

  it("rejects duplicate names of top-level resources", () => {
    expect(
      problems({
        networkSecurityGroups: [WEB_NSG, { name: "Web-NSG", securityRules: [] }],
        applicationSecurityGroups: [{ name: "web-asg" }, { name: "web-asg" }],
      }),
    ).toEqual([
      p("DuplicateResourceName", ["networkSecurityGroups", 1, "name"]),
      p("DuplicateResourceName", ["applicationSecurityGroups", 1, "name"]),
    ]);
  });
});

describe("buildNetwork: network interfaces and addresses", () => {
  const nic = (
    privateIPAddress: string,
    subnet: NetworkInterface["ipConfigurations"][0]["subnet"] = "web",
  ) => ({
    name: "nic",
    ipConfigurations: [{ privateIPAddress, subnet }],
  });
  const ADDRESS: ValuePath = ["networkInterfaces", 0, "ipConfigurations", 0, "privateIPAddress"];

  it("rejects an address outside the NIC's subnet", () => {
    expect(problems({ networkInterfaces: [nic("10.0.2.10")] })).toEqual([
      p("PrivateIPAddressNotInSubnet", ADDRESS),
    ]);
  });

  it.each([["10.0.1.0"], ["10.0.1.1"], ["10.0.1.2"], ["10.0.1.3"], ["10.0.1.255"]])(
    "rejects the reserved address %s",
    (text) => {
      expect(problems({ networkInterfaces: [nic(text)] })).toEqual([
        p("PrivateIPAddressIsReserved", ADDRESS),
      ]);
    },
  );

  it.each([["10.0.1.4"], ["10.0.1.254"]])(
    "accepts the first and last usable address %s",
    (text) => {
      expect(problems({ networkInterfaces: [nic(text)] })).toEqual([]);
    },
  );

  it("rejects a reserved address of an environment too", () => {
    expect(problems({ environments: [{ ...APP, privateIPAddress: "10.0.2.255" }] })).toEqual([
      p("PrivateIPAddressIsReserved", ["environments", 0, "privateIPAddress"]),
    ]);
  });

  it("rejects an address that is not one", () => {
    expect(problems({ networkInterfaces: [nic("10.0.1.256")] })).toEqual([
      p("InvalidIPAddress", ADDRESS),
    ]);
  });

  it("rejects a private address used twice in one network, by NICs or environments", () => {
    expect(
      problems({
        networkInterfaces: [WEB1, { ...nic("10.0.1.4"), name: "web2-nic" }],
        environments: [{ ...APP, subnet: "web", privateIPAddress: "10.0.1.4" }],
      }),
    ).toEqual([
      p("PrivateIPAddressInUse", [
        "networkInterfaces",
        1,
        "ipConfigurations",
        0,
        "privateIPAddress",
      ]),
      p("PrivateIPAddressInUse", ["environments", 0, "privateIPAddress"]),
    ]);
  });

  it("accepts the same private address in two networks", () => {
    const spoke: VirtualNetwork = {
      name: "spoke",
      addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
      subnets: [{ name: "spoke-web", addressPrefix: "10.0.1.0/24" }],
    };
    expect(
      problems({
        virtualNetworks: [HUB, spoke],
        networkInterfaces: [WEB1, { ...nic("10.0.1.4", "spoke-web"), name: "spoke-nic" }],
      }),
    ).toEqual([]);
  });

  it("rejects an undefined subnet", () => {
    expect(problems({ networkInterfaces: [nic("10.0.1.4", "nope")] })).toEqual([
      p("InvalidResourceReference", ["networkInterfaces", 0, "ipConfigurations", 0, "subnet"]),
    ]);
  });

  describe("a subnet name used in two networks", () => {
    const spoke: VirtualNetwork = {
      name: "spoke",
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [{ name: "web", addressPrefix: "10.9.1.0/24" }],
    };

    it("is ambiguous alone: AmbiguousReference", () => {
      const { diagnostics } = build({
        virtualNetworks: [HUB, spoke],
        networkInterfaces: [nic("10.0.1.4", "web")],
      });
      expect(diagnostics.map((d) => ({ code: d.code, path: d.path }))).toEqual([
        p("AmbiguousReference", ["networkInterfaces", 0, "ipConfigurations", 0, "subnet"]),
      ]);
      expect(diagnostics[0]?.hint).toBe("write it as vnet/subnet");
    });

    it("resolves as vnet/subnet or as an ARM id", () => {
      const { network, diagnostics } = build({
        virtualNetworks: [HUB, spoke],
        networkInterfaces: [
          nic("10.9.1.4", "spoke/web"),
          {
            ...nic("10.0.1.4", {
              id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub/subnets/web",
            }),
            name: "hub-nic",
          },
        ],
      });
      expect(diagnostics).toEqual([]);
      expect(network?.nics.get("nic")?.ipConfigurations[0]?.subnet.id).toBe("spoke/web");
      expect(network?.nics.get("hub-nic")?.ipConfigurations[0]?.subnet.id).toBe("hub/web");
    });
  });

  it("rejects an undefined application security group on a NIC", () => {
    expect(
      problems({
        networkInterfaces: [
          {
            name: "nic",
            ipConfigurations: [
              { privateIPAddress: "10.0.1.4", subnet: "web", applicationSecurityGroups: ["nope"] },
            ],
          },
        ],
      }),
    ).toEqual([
      p("InvalidResourceReference", [
        "networkInterfaces",
        0,
        "ipConfigurations",
        0,
        "applicationSecurityGroups",
        0,
      ]),
    ]);
  });

  it("rejects members of one application security group in two networks", () => {
    const spoke: VirtualNetwork = {
      name: "spoke",
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [{ name: "spoke-web", addressPrefix: "10.9.1.0/24" }],
    };
    const member = (name: string, privateIPAddress: string, subnet: string) => ({
      name,
      ipConfigurations: [{ privateIPAddress, subnet, applicationSecurityGroups: ["web-asg"] }],
    });
    expect(
      problems({
        virtualNetworks: [HUB, spoke],
        applicationSecurityGroups: [{ name: "other" }, { name: "web-asg" }],
        networkInterfaces: [
          member("a", "10.0.1.4", "web"),
          member("b", "10.0.1.5", "web"),
          member("c", "10.9.1.4", "spoke-web"),
        ],
      }),
    ).toEqual([
      p("ApplicationSecurityGroupSpansVirtualNetworks", ["applicationSecurityGroups", 1]),
    ]);
  });

  it("rejects IP configurations of one NIC in two networks", () => {
    const spoke: VirtualNetwork = {
      name: "spoke",
      addressSpace: { addressPrefixes: ["10.9.0.0/16"] },
      subnets: [{ name: "spoke-web", addressPrefix: "10.9.1.0/24" }],
    };
    expect(
      problems({
        virtualNetworks: [HUB, spoke],
        networkInterfaces: [
          {
            name: "nic",
            ipConfigurations: [
              { privateIPAddress: "10.0.1.4", subnet: "web" },
              { privateIPAddress: "10.9.1.4", subnet: "spoke-web" },
            ],
          },
        ],
      }),
    ).toEqual([
      p("IpConfigurationsInDifferentVirtualNetworks", [
        "networkInterfaces",
        0,
        "ipConfigurations",
        1,
        "subnet",
      ]),
    ]);
  });
});

describe("buildNetwork: environments", () => {
  const ENV: ValuePath = ["environments", 0];

  it("rejects a public address inside a virtual network", () => {
    expect(problems({ environments: [{ ...APP, publicIPAddress: "10.0.9.9" }] })).toEqual([
      p("PublicAddressInsideVirtualNetwork", [...ENV, "publicIPAddress"]),
    ]);
    expect(problems({ environments: [{ ...APP, outboundIPAddress: "10.0.9.9" }] })).toEqual([
      p("PublicAddressInsideVirtualNetwork", [...ENV, "outboundIPAddress"]),
    ]);
  });

  it("rejects an environment with no placement, at the environment", () => {
    const { subnet: _s, privateIPAddress: _a, ...unplaced } = APP;
    expect(problems({ environments: [unplaced] })).toEqual([p("InvalidEnvironmentPlacement", ENV)]);
    expect(problems({ environments: [{ ...unplaced, subnet: "db" }] })).toEqual([
      p("InvalidEnvironmentPlacement", ENV),
    ]);
  });

  it("rejects both a NIC and a subnet, at networkInterface", () => {
    expect(problems({ environments: [{ ...APP, networkInterface: "web1-nic" }] })).toEqual([
      p("InvalidEnvironmentPlacement", [...ENV, "networkInterface"]),
    ]);
  });

  it("places an environment on a NIC at the NIC's primary address", () => {
    const { network, diagnostics } = build({
      environments: [{ name: "vm", kind: "VirtualMachine", networkInterface: "web1-nic" }],
    });
    expect(diagnostics).toEqual([]);
    const env = network?.environments.get("vm");
    expect(env?.privateAddress).toEqual(address("10.0.1.4"));
    expect(env?.nic?.name).toBe("web1-nic");
  });

  it("rejects an undefined NIC", () => {
    expect(
      problems({
        environments: [{ name: "vm", kind: "VirtualMachine", networkInterface: "nope" }],
      }),
    ).toEqual([p("InvalidResourceReference", [...ENV, "networkInterface"])]);
  });

  it("rejects External ingress without a public address", () => {
    const { publicIPAddress: _p, ...noPublic } = APP;
    expect(problems({ environments: [{ ...noPublic, ingress: "External" }] })).toEqual([
      p("InvalidEnvironmentIngress", [...ENV, "ingress"]),
    ]);
  });

  it("defaults an App Service Environment with a public address to External ingress", () => {
    const { network } = build({ environments: [{ ...APP, kind: "AppServiceEnvironmentV1" }] });
    expect(network?.environments.get("app")?.ingress).toBe("External");
    expect(build().network?.environments.get("app")?.ingress).toBe("Internal");
  });
});

describe("buildNetwork: the VirtualNetwork tag", () => {
  const net = (
    name: string,
    space: string,
    changes: Partial<VirtualNetwork> = {},
  ): VirtualNetwork => ({
    name,
    addressSpace: { addressPrefixes: [space] },
    subnets: [],
    ...changes,
  });

  function tags(virtualNetworks: VirtualNetwork[]) {
    const { network, diagnostics } = build({
      virtualNetworks,
      networkSecurityGroups: [],
      applicationSecurityGroups: [],
      networkInterfaces: [],
      environments: [],
    });
    expect(diagnostics).toEqual([]);
    return network?.vnets as NonNullable<typeof network>["vnets"];
  }

  it("holds the address space, the connected on-premises spaces and 168.63.129.16", () => {
    const vnets = tags([
      net("hub", "10.0.0.0/16", { connectedAddressPrefixes: ["192.168.0.0/16", "172.16.0.0/12"] }),
    ]);
    const tag = vnets.get("hub")?.virtualNetworkTag;
    expect(tag?.toString()).toBe(
      set("10.0.0.0/16", "192.168.0.0/16", "172.16.0.0/12", "168.63.129.16/32").toString(),
    );
    expect(tag?.has(address("168.63.129.16"))).toBe(true);
    expect(tag?.has({ family: 4, value: AZURE_HOST_ADDRESS.first })).toBe(true);
    expect(tag?.has(address("168.63.129.17"))).toBe(false);
  });

  it("holds the spaces of peers declared on both sides, but not of peers' peers", () => {
    const vnets = tags([
      net("hub", "10.0.0.0/16", {
        virtualNetworkPeerings: [
          { remoteVirtualNetwork: "spoke1" },
          { remoteVirtualNetwork: "SPOKE2" },
        ],
      }),
      net("spoke1", "10.1.0.0/16", { virtualNetworkPeerings: [{ remoteVirtualNetwork: "hub" }] }),
      net("spoke2", "10.2.0.0/16", {
        virtualNetworkPeerings: [
          {
            remoteVirtualNetwork: {
              id: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub",
            },
          },
        ],
      }),
      net("lonely", "10.3.0.0/16"),
    ]);
    const tagOf = (name: string) => vnets.get(name)?.virtualNetworkTag.toString();
    expect(vnets.get("hub")?.peers).toEqual(["spoke1", "spoke2"]);
    expect(tagOf("hub")).toBe(
      set("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "168.63.129.16/32").toString(),
    );
    // Peering is not transitive.
    expect(tagOf("spoke1")).toBe(set("10.1.0.0/16", "10.0.0.0/16", "168.63.129.16/32").toString());
    expect(tagOf("spoke2")).toBe(set("10.2.0.0/16", "10.0.0.0/16", "168.63.129.16/32").toString());
    expect(tagOf("lonely")).toBe(set("10.3.0.0/16", "168.63.129.16/32").toString());
  });

  it("does not connect a peering declared on one side only, and warns of it", () => {
    const { network, diagnostics } = build({
      virtualNetworks: [
        net("a", "10.0.0.0/16", { virtualNetworkPeerings: [{ remoteVirtualNetwork: "b" }] }),
        net("b", "10.1.0.0/16"),
      ],
      networkSecurityGroups: [],
      applicationSecurityGroups: [],
      networkInterfaces: [],
      environments: [],
    });
    expect(diagnostics.map((d) => [d.severity, d.code, d.path])).toEqual([
      [
        "warning",
        "VirtualNetworkPeeringNotConnected",
        ["virtualNetworks", 0, "virtualNetworkPeerings", 0, "remoteVirtualNetwork"],
      ],
    ]);
    expect(network?.vnets.get("a")?.peers).toEqual([]);
  });

  it("rejects peering with an undefined network, with itself, or with an overlapping one", () => {
    const PEERING = (i: number, j: number): ValuePath => [
      "virtualNetworks",
      i,
      "virtualNetworkPeerings",
      j,
      "remoteVirtualNetwork",
    ];
    expect(
      problems({
        virtualNetworks: [
          net("a", "10.0.0.0/16", {
            virtualNetworkPeerings: [
              { remoteVirtualNetwork: "nope" },
              { remoteVirtualNetwork: "a" },
              { remoteVirtualNetwork: "b" },
            ],
          }),
          net("b", "10.0.128.0/17"),
        ],
        networkSecurityGroups: [],
        networkInterfaces: [],
        environments: [],
      }),
    ).toEqual([
      p("InvalidResourceReference", PEERING(0, 0)),
      p("InvalidResourceReference", PEERING(0, 1)),
      p("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet", PEERING(0, 2)),
      p("VirtualNetworkPeeringNotConnected", PEERING(0, 2)),
    ]);
  });
});

describe("buildNetwork: several problems", () => {
  it("reports all of them, across resources, and returns no network", () => {
    const { network, diagnostics } = build({
      virtualNetworks: [
        { ...HUB, subnets: [...HUB.subnets, { name: "bad", addressPrefix: "10.1.0.0/24" }] },
      ],
      networkSecurityGroups: [
        { name: "web-nsg", securityRules: [rule("a", 100), rule("b", 100), rule("c", 5000)] },
      ],
      networkInterfaces: [
        { ...WEB1, ipConfigurations: [{ privateIPAddress: "10.0.1.1", subnet: "web" }] },
      ],
      environments: [{ ...APP, publicIPAddress: "10.0.0.10" }],
    });
    expect(network).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual([
      "SecurityRuleConflict",
      "SecurityRuleInvalidPriority",
      "NetcfgSubnetRangeOutsideVnet",
      "PrivateIPAddressIsReserved",
      "PublicAddressInsideVirtualNetwork",
    ]);
  });
});

describe("buildNetwork: Azure's subnet sizes and case-insensitive names", () => {
  it("rejects IPv4 subnets smaller than /29 and IPv6 subnets other than /64", () => {
    const vnet: VirtualNetwork = {
      name: "hub",
      addressSpace: { addressPrefixes: ["10.0.0.0/16", "fd00::/48"] },
      subnets: [
        { name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "web-nsg" },
        { name: "db", addressPrefix: "10.0.2.0/24" },
        { name: "tiny", addressPrefix: "10.0.3.0/30" },
        { name: "ok29", addressPrefix: "10.0.4.0/29" },
        { name: "v6wide", addressPrefixes: ["10.0.5.0/24", "fd00:0:0:4::/63"] },
        { name: "v6ok", addressPrefixes: ["10.0.6.0/24", "fd00:0:0:6::/64"] },
      ],
    };
    expect(problems({ virtualNetworks: [vnet] })).toEqual([
      p("InvalidSubnetPrefixLength", ["virtualNetworks", 0, "subnets", 2, "addressPrefix"]),
      p("InvalidSubnetPrefixLength", ["virtualNetworks", 0, "subnets", 4, "addressPrefixes", 1]),
    ]);
  });

  it("finds ASGs and a NIC whatever the case they are named in, keeping the declared spelling", () => {
    const { network, diagnostics } = build({
      networkSecurityGroups: [
        {
          name: "web-nsg",
          securityRules: [
            rule("from-web", 100, {
              sourceAddressPrefix: undefined,
              sourceApplicationSecurityGroups: ["WEB-ASG"],
            }),
          ],
        },
      ],
      networkInterfaces: [
        {
          ...WEB1,
          ipConfigurations: [
            { privateIPAddress: "10.0.1.4", subnet: "web", applicationSecurityGroups: ["Web-Asg"] },
          ],
        },
      ],
      environments: [{ name: "vm", kind: "VirtualMachine", networkInterface: "WEB1-NIC" }],
    });
    expect(diagnostics).toEqual([]);
    expect(network?.asgMembers.get("web-asg")?.length).toBe(1);
    const source = network?.nsgs.get("web-nsg")?.inbound[0]?.source;
    expect(source).toEqual({ kind: "asgs", names: ["web-asg"] });
    expect(network?.environments.get("vm")?.nic?.name).toBe("web1-nic");
  });
});
