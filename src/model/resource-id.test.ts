import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { armId, referenced } from "./resource-id.js";

const id = (type: string, name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/${type}/${name}`;

describe("ARM ids in references", () => {
  it("name the resource of their type, in any case", () => {
    expect(referenced({ id: id("networkSecurityGroups", "web") }, "networkSecurityGroups")).toEqual(
      {
        name: "web",
      },
    );
    expect(referenced(id("NETWORKSECURITYGROUPS", "web"), "networkSecurityGroups")).toEqual({
      name: "web",
    });
    expect(
      referenced({ id: id("virtualNetworks", "hub/subnets/web") }, "virtualNetworks/subnets"),
    ).toEqual({ name: "web", parent: "hub" });
    expect(referenced("web", "networkSecurityGroups")).toEqual({ name: "web" });
    expect(armId(id("networkInterfaces", "nic1"))).toEqual({
      type: "networkinterfaces",
      name: "nic1",
    });
  });

  it("are refused when they name another type, or no Microsoft.Network resource", () => {
    for (const [ref, type] of [
      [id("virtualNetworks", "hub"), "networkSecurityGroups"],
      [id("virtualNetworks", "hub/subnets/web"), "networkSecurityGroups"],
      [id("networkSecurityGroups", "web"), "virtualNetworks/subnets"],
      [id("networkSecurityGroups", "web"), "applicationSecurityGroups"],
      [
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web",
        "networkInterfaces",
      ],
      ["/web", "networkSecurityGroups"],
    ] as const)
      expect(referenced({ id: ref }, type).problem, `${ref} as ${type}`).toMatch(
        /is not the id of a .* \(…\/providers\/Microsoft\.Network\//,
      );
  });
});

describe("a spec's references by id", () => {
  const spec = (ids: Record<string, string>) => `virtualNetworks:
  - name: hub
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.0.1.0/24, networkSecurityGroup: { id: "${ids.subnetNsg}" } }
    virtualNetworkPeerings:
      - { remoteVirtualNetwork: { id: "${ids.peer}" } }
  - name: spoke
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    virtualNetworkPeerings:
      - { remoteVirtualNetwork: { id: "${id("virtualNetworks", "hub")}" } }
networkSecurityGroups:
  - name: web-nsg
    securityRules:
      - { name: r, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceApplicationSecurityGroups: [{ id: "${ids.ruleAsg}" }], sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "443" }
applicationSecurityGroups:
  - name: app
networkInterfaces:
  - name: nic1
    networkSecurityGroup: { id: "${ids.nicNsg}" }
    ipConfigurations:
      - { privateIPAddress: 10.0.1.4, subnet: { id: "${ids.subnet}" }, applicationSecurityGroups: [{ id: "${ids.nicAsg}" }] }
environments:
  - { name: app1, kind: Workload, networkInterface: { id: "${ids.nic}" } }
`;
  const right = {
    subnetNsg: id("networkSecurityGroups", "web-nsg"),
    peer: id("virtualNetworks", "spoke"),
    ruleAsg: id("applicationSecurityGroups", "app"),
    nicNsg: id("networkSecurityGroups", "WEB-NSG"),
    subnet: id("virtualNetworks", "hub/subnets/web"),
    nicAsg: id("applicationSecurityGroups", "app"),
    nic: id("networkInterfaces", "nic1"),
  };
  const problems = (text: string) =>
    loadSpecText(text).diagnostics.map(
      (d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.path.join(".")}`,
    );

  it("are taken when each names a resource of the type expected there", () => {
    expect(problems(spec(right))).toEqual([]);
  });

  it("are refused, each at its id, when it names a resource of another type", () => {
    // Every id names the resource of the same name that the right one names, of another type.
    const wrong = {
      subnetNsg: id("virtualNetworks", "web-nsg"),
      peer: id("networkSecurityGroups", "spoke"),
      ruleAsg: id("networkSecurityGroups", "app"),
      nicNsg: id("virtualNetworks", "hub/subnets/web-nsg"),
      subnet: id("networkSecurityGroups", "web"),
      nicAsg: id("networkInterfaces", "app"),
      nic: id("virtualNetworks", "nic1"),
    };
    const text = spec(wrong);
    const at = (value: string) => {
      const before = text.slice(0, text.indexOf(`"${value}"`)).split("\n");
      return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
    };
    // (The spoke's peering back then has no partner: a warning of its own.)
    expect(problems(text).filter((p) => p.startsWith("InvalidResourceReference"))).toEqual([
      `InvalidResourceReference ${at(wrong.ruleAsg)} networkSecurityGroups.0.securityRules.0.sourceApplicationSecurityGroups.0.id`,
      `InvalidResourceReference ${at(wrong.subnetNsg)} virtualNetworks.0.subnets.0.networkSecurityGroup.id`,
      `InvalidResourceReference ${at(wrong.peer)} virtualNetworks.0.virtualNetworkPeerings.0.remoteVirtualNetwork.id`,
      `InvalidResourceReference ${at(wrong.nicNsg)} networkInterfaces.0.networkSecurityGroup.id`,
      `InvalidResourceReference ${at(wrong.subnet)} networkInterfaces.0.ipConfigurations.0.subnet.id`,
      `InvalidResourceReference ${at(wrong.nicAsg)} networkInterfaces.0.ipConfigurations.0.applicationSecurityGroups.0.id`,
      `InvalidResourceReference ${at(wrong.nic)} environments.0.networkInterface.id`,
    ]);
    const messages = loadSpecText(text).diagnostics.map((d) => d.message);
    expect(messages[1]).toBe(
      `"${wrong.subnetNsg}" is not the id of a network security group (…/providers/Microsoft.Network/networkSecurityGroups/NAME)`,
    );
  });
});
