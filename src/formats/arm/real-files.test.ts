/**
 * Real public ARM templates with NSGs (test/fixtures/arm, each with its
 * SOURCE.md): each imports, naming exactly the values that are known only
 * when deploying, and what it imports passes tierwall's validation.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../../test/support/spec.js";
import { lint } from "../../analysis/lint.js";
import { ReachAnalyzer } from "../../analysis/reach.js";
import { FlowEvaluator } from "../../engine/flow.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { refName, type Topology } from "../../model/types.js";
import { writeSpec } from "../../specfile/write.js";
import { withServiceTags } from "../service-tags/spec.js";
import { importArm } from "./import.js";

const DIR = resolve(import.meta.dirname, "../../../test/fixtures/arm");

function importFixture(name: string) {
  const parameters = join(DIR, name, "azuredeploy.parameters.json");
  const file = `${name}/azuredeploy.json`;
  const text = readFileSync(join(DIR, file), "utf8");
  return importArm(
    text,
    file,
    existsSync(parameters) ? readFileSync(parameters, "utf8") : undefined,
  );
}

/** Warnings and errors as "code path", and where they point. */
const named = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => `${d.code} ${d.path.join(".")}`);

const shape = (t: Topology) => ({
  nsgs: Object.fromEntries(
    t.networkSecurityGroups.map((n) => [n.name, n.securityRules.map((r) => r.name)]),
  ),
  subnets: t.virtualNetworks.flatMap((v) =>
    v.subnets.map((s) => `${v.name}/${s.name} ${s.addressPrefix} ${s.networkSecurityGroup ?? "-"}`),
  ),
  // Each interface's configurations: its address (or Dynamic), public IP and subnet.
  nics: t.networkInterfaces.map(
    (n) =>
      `${n.name}: ${n.ipConfigurations
        .map(
          (c) =>
            `${c.privateIPAddress ?? c.privateIPAllocationMethod} ${c.publicIPAddress === undefined ? "-" : refName(c.publicIPAddress)} ${refName(c.subnet)}`,
        )
        .join(", ")}${n.networkSecurityGroup ? ` nsg ${refName(n.networkSecurityGroup)}` : ""}`,
  ),
  publicIPs: (t.publicIPAddresses ?? []).map((p) => `${p.name} ${p.sku}`),
});

const specErrors = (text: string) =>
  loadSpecText(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => d.code);

/** Expected import of each template: its NSGs and subnets, and exactly what is not known. */
const EXPECTED: Record<
  string,
  {
    notKnown: string[];
    nsgs: Record<string, string[]>;
    subnets: string[];
    messages?: string[];
    nics?: string[];
    publicIPs?: string[];
  }
> = {
  "security-group-create": {
    notKnown: [],
    nsgs: { networkSecurityGroup1: ["first_rule"] },
    subnets: ["virtualNetwork1/subnet 10.0.0.0/24 networkSecurityGroup1"],
  },
  "flowlogs-prereq": {
    notKnown: [],
    nsgs: { networkSecurityGroup1: ["first_rule"] },
    subnets: ["virtualNetwork1/subnet 10.0.0.0/24 networkSecurityGroup1"],
  },
  "traffic-analytics-prereq": {
    notKnown: [],
    nsgs: { networkSecurityGroup01: ["first_rule"] },
    subnets: ["virtualNetwork01/subnet1 10.0.0.0/24 networkSecurityGroup01"],
  },
  "nsg-add-to-existing-subnet": {
    notKnown: ["LinkedTemplateNotRead resources.1.properties.templateLink"],
    nsgs: { "new-nsg": ["SSH"] },
    subnets: [],
    messages: ["the linked template is not read"],
  },
  // The VMs' interfaces have Dynamic addresses: each is some free host of its subnet,
  // with its public IP (Dynamic, so Basic) and its NSG.
  "vm-simple-linux": {
    notKnown: [],
    nsgs: { SecGroupNet: ["SSH"] },
    // The subnet is a child resource named with format().
    subnets: ["vNet/Subnet 10.1.0.0/24 -"],
    nics: ["simpleLinuxVMNetInt: Dynamic simpleLinuxVMPublicIP vNet/Subnet nsg SecGroupNet"],
    publicIPs: ["simpleLinuxVMPublicIP Basic"],
  },
  "vm-simple-windows": {
    notKnown: [],
    nsgs: { "default-NSG": ["default-allow-3389"] },
    subnets: ["MyVNET/Subnet 10.0.0.0/24 default-NSG"],
    nics: ["myVMNic: Dynamic myPublicIP MyVNET/Subnet"],
    publicIPs: ["myPublicIP Basic"],
  },
  "vm-simple-sles": {
    notKnown: [],
    nsgs: { "Subnet-nsg": ["default-allow-22"] },
    subnets: ["MyVNET/Subnet 10.0.0.0/24 Subnet-nsg"],
    nics: ["myVMNic: Dynamic myPublicIP MyVNET/Subnet"],
    publicIPs: ["myPublicIP Basic"],
  },
  "vm-simple-rhel": {
    // The network's and the NIC's names come from uniqueString(), known only when deploying:
    // a placeholder stands for it, and the network and its subnet's NSG are read.
    // The public IP, declared first, holds the placeholder first.
    notKnown: ["NamePlaceholder resources.0.name"],
    nsgs: { "default-NSG": ["default-allow-22"] },
    subnets: ["<uniquestring('GEN-UNIQUE-10')>vnet/Subnet 10.0.0.0/24 default-NSG"],
    nics: [
      "<uniquestring('GEN-UNIQUE-10')>nic: Dynamic <uniquestring('GEN-UNIQUE-10')>publicip <uniquestring('GEN-UNIQUE-10')>vnet/Subnet",
    ],
    publicIPs: ["<uniquestring('GEN-UNIQUE-10')>publicip Basic"],
    messages: [
      "uniquestring() is known only when deploying; it stands as <uniquestring('GEN-UNIQUE-10')> in the names it is part of",
    ],
  },
  "azure-bastion-nsg": {
    // The conditions (new or existing network) are plain equals() of parameters;
    // the Bastion host is read into bastionHosts.
    notKnown: [],
    nsgs: {
      "GEN-UNIQUE-8-nsg": [
        "AllowHttpsInBound",
        "AllowGatewayManagerInBound",
        "AllowLoadBalancerInBound",
        "AllowBastionHostCommunicationInBound",
        "DenyAllInBound",
        "AllowSshRdpOutBound",
        "AllowAzureCloudCommunicationOutBound",
        "AllowBastionHostCommunicationOutBound",
        "AllowGetSessionInformationOutBound",
        "DenyAllOutBound",
      ],
    },
    subnets: ["vnet01/AzureBastionSubnet 10.1.1.0/27 GEN-UNIQUE-8-nsg"],
    // The Bastion host's public IP.
    publicIPs: ["GEN-UNIQUE-8-pip Standard"],
  },
  "vnet-nsg-for-redis": {
    // Every rule names the subnet's range through reference(): each is left out whole,
    // and so is the subnet the nested template updates.
    notKnown: [
      ...[
        [0, "destination"],
        [1, "source"],
        [2, "source"],
        [2, "destination"],
        [3, "source"],
        [3, "destination"],
        [4, "destination"],
        [5, "destination"],
        [6, "source"],
        [6, "destination"],
        [7, "destination"],
        [8, "destination"],
      ].map(
        ([i, side]) =>
          `ExpressionNotStaticallyKnown resources.0.properties.securityRules.${i}.properties.${side}AddressPrefix`,
      ),
      "ExpressionNotStaticallyKnown resources.1.properties.template.resources.0.properties.addressPrefix",
    ],
    nsgs: { "GEN-UNIQUE": [] },
    subnets: [],
    messages: [
      'the rule "Allow_Outbound_Storage_PKI" of network security group "GEN-UNIQUE" is left out',
      'the subnet "GET-PREREQ-existingSubnetName" of virtual network',
    ],
  },
};

describe("real public ARM templates", () => {
  const fixtures = readdirSync(DIR).filter((n) => existsSync(join(DIR, n, "azuredeploy.json")));

  it("are ten, each with its source noted", () => {
    expect(fixtures.sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const name of fixtures) {
      const source = readFileSync(join(DIR, name, "SOURCE.md"), "utf8");
      expect(source).toMatch(/Azure\/azure-quickstart-templates/);
      expect(source).toMatch(/commit `[0-9a-f]{40}`/);
      expect(source).toContain("MIT");
    }
  });

  for (const [name, expected] of Object.entries(EXPECTED))
    it(`${name}: imports, naming what is known only when deploying, and validates`, () => {
      const { topology, diagnostics } = importFixture(name);
      expect(named(diagnostics)).toEqual(expected.notKnown);
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      for (const d of diagnostics) expect(d.location?.file).toBe(`${name}/azuredeploy.json`);
      for (const m of expected.messages ?? [])
        expect(diagnostics.map((d) => d.message).join("\n")).toContain(m);
      const got = shape(topology);
      expect(got.nsgs).toEqual(expected.nsgs);
      expect(got.subnets).toEqual(expected.subnets);
      expect(got.nics).toEqual(expected.nics ?? []);
      expect(got.publicIPs).toEqual(expected.publicIPs ?? []);
      expect(specErrors(writeSpec(topology))).toEqual([]);
    });

  it("azure-bastion-nsg: its service tags are symbolic when checking, and exact with the file", () => {
    const { topology } = importFixture("azure-bastion-nsg");
    const symbolic = loadSpecText(writeSpec(topology)).diagnostics;
    // Its AzureBastionSubnet is a /27, which Azure no longer takes for a new Bastion host.
    expect(symbolic.map((d) => [d.severity, d.code])).toEqual([
      ["info", "AzureBastionSubnetTooSmall"],
      ["info", "ServiceTagsSymbolic"],
    ]);
    expect(symbolic[1]?.message).toContain("AzureCloud, GatewayManager");
    // Stand-in prefixes (documentation ranges): Azure publishes the real ones weekly.
    const tags = {
      values: [
        { name: "GatewayManager", properties: { addressPrefixes: ["192.0.2.0/24"] } },
        { name: "AzureCloud", properties: { addressPrefixes: ["198.51.100.0/24"] } },
      ],
    };
    expect(specErrors(withServiceTags(writeSpec(topology), tags))).toEqual([]);
  });

  it("azure-bastion-nsg: the Bastion host is read, its NSG has every rule Bastion requires, and the Internet reaches it on 443", () => {
    const { topology } = importFixture("azure-bastion-nsg");
    expect(
      topology.bastionHosts?.map((b) => [b.name, refName(b.ipConfigurations[0]?.subnet ?? "")]),
    ).toEqual([["GEN-UNIQUE-8", "vnet01/AzureBastionSubnet"]]);
    const network = networkOf(writeSpec(topology));
    const findings = lint(new ReachAnalyzer(network)).filter((d) => d.code.startsWith("Bastion"));
    expect(findings).toEqual([]);
    const evaluated = new FlowEvaluator(network).evaluate({
      from: "Internet",
      to: "bastion:GEN-UNIQUE-8",
      protocol: "Tcp",
      destinationPort: 443,
    });
    expect(evaluated.ok && evaluated.result.access).toBe("Allow");
    expect(evaluated.ok && evaluated.result.rule).toBe("securityRules/AllowHttpsInBound");
  });
});
