import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { exampleTopology, loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { refName, type SecurityRule, type Topology } from "../../model/types.js";
import { writeSpec } from "../../specfile/write.js";
import { exportAzCli } from "./export.js";
import { importAzCli } from "./import.js";

const problems = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity !== "info");
/**
 * The export sets ASG memberships on interfaces as they exist; read back alone,
 * without the interfaces' declarations, those are named as left out.
 */
const membershipsOfExisting = (d: Diagnostic) =>
  d.code === "NetworkInterfaceNotDeclared" &&
  d.message.startsWith("az network nic ip-config update");
const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${d.severity} ${d.code} ${d.location?.line}:${d.location?.column}`);

const CANONICAL: Record<string, string> = Object.fromEntries(
  ["Tcp", "Udp", "Icmp", "Esp", "Ah", "Allow", "Deny", "Inbound", "Outbound"].map((v) => [
    v.toLowerCase(),
    v,
  ]),
);

/**
 * A rule as Azure holds it: az sends one value as the singular property and
 * several as the plural one, enum values in their canonical case, ASGs by name
 * in the resource group; empty values are absent.
 */
function asDeployed(rule: SecurityRule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) {
    if (v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (k.endsWith("ApplicationSecurityGroups")) out[k] = (v as []).map(refName);
    else if (Array.isArray(v) && v.length === 1)
      out[k.endsWith("Prefixes") ? k.slice(0, -2) : k.slice(0, -1)] = v[0];
    else if (typeof v === "string" && CANONICAL[v.toLowerCase()])
      out[k] = CANONICAL[v.toLowerCase()];
    else out[k] = v;
  }
  return out;
}

/** What the az CLI export carries: NSGs and rules, ASG names, and the associations. */
function exported(t: Topology) {
  return {
    nsgs: t.networkSecurityGroups.map((n) => ({
      name: n.name,
      rules: n.securityRules.map(asDeployed),
    })),
    asgs: t.applicationSecurityGroups.map((a) => a.name),
    subnets: t.virtualNetworks.flatMap((v) =>
      v.subnets
        .filter((s) => s.networkSecurityGroup !== undefined)
        .map((s) => [v.name, s.name, refName(s.networkSecurityGroup ?? "")]),
    ),
    nics: t.networkInterfaces
      .filter((n) => n.networkSecurityGroup !== undefined)
      .map((n) => [n.name, refName(n.networkSecurityGroup ?? "")]),
  };
}

/** The NSG-level topology with its NSG on a subnet and on a NIC. */
function associated(rules: SecurityRule[]): Topology {
  const t = nsgLevelTopology(rules);
  return {
    ...t,
    virtualNetworks: t.virtualNetworks.map((v) =>
      v.name === "hub"
        ? {
            ...v,
            subnets: v.subnets.map((s) =>
              s.name === "app" ? { ...s, networkSecurityGroup: "nsg-under-test" } : s,
            ),
          }
        : v,
    ),
    networkInterfaces: t.networkInterfaces.map((n) =>
      n.name === "nic-c" ? { ...n, networkSecurityGroup: "nsg-under-test" } : n,
    ),
  };
}

const rule = (line: string) => {
  const r = importAzCli(line, "deploy.sh");
  return {
    rule: r.topology.networkSecurityGroups[0]?.securityRules[0],
    diagnostics: r.diagnostics,
  };
};

describe("az CLI import", () => {
  for (const example of ["layered-ase", "asg-tiers"])
    it(`reads back the az CLI export of ${example}`, () => {
      const topology = exampleTopology(example);
      const back = importAzCli(exportAzCli(topology), "deploy.sh");
      expect(problems(back.diagnostics).filter((d) => !membershipsOfExisting(d))).toEqual([]);
      expect(exported(back.topology)).toEqual(exported(topology));
    });

  it("round-trips random NSGs (IPv4 and IPv6, ASGs, plural prefixes and ports) and their associations", () => {
    fc.assert(
      fc.property(securityRulesArb(NSG_LEVEL_ASGS, 1, 8), (rules) => {
        const topology = associated(rules);
        const back = importAzCli(exportAzCli(topology), "deploy.sh");
        expect(problems(back.diagnostics).filter((d) => !membershipsOfExisting(d))).toEqual([]);
        expect(exported(back.topology)).toEqual(exported(topology));
      }),
      { seed: 20240503, numRuns: 100 },
    );
  });

  it("applies az's defaults, the destination port 80 among them", () => {
    const r = rule("az network nsg rule create -g rg --nsg-name web -n r1 --priority 100");
    expect(r.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(r.rule).toEqual({
      name: "r1",
      protocol: "*",
      access: "Allow",
      priority: 100,
      direction: "Inbound",
      sourceAddressPrefix: "*",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "80",
    });
  });

  it("reads quoting, continuations, comments and the script's own variables", () => {
    const script = [
      "#!/bin/bash",
      "set -euo pipefail",
      'NSG="api-nsg"   # the NSG',
      "PORTS='8080-8090'",
      "export SOURCE=10.1.0.0/16",
      'echo "creating $NSG"',
      'az network nsg create -g "$RG" -n "$NSG" -l westeurope',
      'az network nsg rule create -g "$RG" --nsg-name "$NSG" --name allow-it \\',
      "  --priority 200 --direction outbound --access deny --protocol tcp \\",
      '  --source-address-prefixes $SOURCE 10.2.0.0/16 --destination-port-ranges 443 "$PORTS" \\',
      "  --description 'it'\\''s \"quoted\" $NOT_EXPANDED' --output none",
      "az network nsg rule create -g rg --nsg-name=api-nsg -n asg-rule --priority=300 --source-asgs web --destination-asgs /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/db",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(r.diagnostics).toEqual([]);
    const nsg = r.topology.networkSecurityGroups[0];
    expect(nsg?.name).toBe("api-nsg");
    expect(nsg?.location).toBe("westeurope");
    expect(nsg?.securityRules).toEqual([
      {
        name: "allow-it",
        description: 'it\'s "quoted" $NOT_EXPANDED',
        protocol: "Tcp",
        access: "Deny",
        priority: 200,
        direction: "Outbound",
        sourceAddressPrefixes: ["10.1.0.0/16", "10.2.0.0/16"],
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ["443", "8080-8090"],
      },
      {
        name: "asg-rule",
        protocol: "*",
        access: "Allow",
        priority: 300,
        direction: "Inbound",
        sourceApplicationSecurityGroups: ["web"],
        sourcePortRange: "*",
        destinationApplicationSecurityGroups: [
          {
            id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/db",
          },
        ],
        destinationPortRange: "80",
      },
    ]);
  });

  it("names a value the script does not know, and leaves that rule out", () => {
    const script = [
      "az network nsg create -g $RG -n web",
      'az network nsg rule create -g $RG --nsg-name web -n from-admin --priority 100 --source-address-prefixes "$ADMIN_CIDR"',
      "ID=$(az network nsg show -g $RG -n web --query id -o tsv)",
      "az network vnet subnet update -g $RG --vnet-name v --name s --network-security-group $ID",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
      'az network nsg rule create -g $RG --nsg-name web -n r2 --priority "${PRIO:-120}"',
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(r.topology.networkSecurityGroups[0]?.securityRules).toEqual([]);
    expect(r.topology.virtualNetworks).toEqual([]);
    expect(brief(r.diagnostics)).toEqual([
      "warning ValueNotStaticallyKnown 2:105",
      "warning ValueNotStaticallyKnown 4:86",
      "warning ValueNotStaticallyKnown 5:67",
    ]);
    expect(r.diagnostics[0]?.message).toContain("$ADMIN_CIDR is not set in the script");
    expect(r.diagnostics[1]?.message).toContain("$(az network nsg show");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    expect(r.diagnostics[2]?.message).toContain("${PRIO:-120} depends on the environment");
  });

  it("names az commands it does not understand, and ignores the rest of the script", () => {
    const script = [
      "az login --identity",
      "az account set --subscription x",
      "az group create -n rg -l westus",
      'if [ -n "$X" ]; then echo yes; fi',
      "az network nsg rule update -g rg --nsg-name web -n r1 --priority 300",
      "az vm create -g rg -n vm1 --image Ubuntu2204",
      "az network nsg list -g rg",
      "  az network nsg rule create -g rg --nsg-name web -n r1 --priority 100 --frobnicate yes",
      "az network firewall create -g rg -n fw1",
      "az vm create -g rg -n vm2 --nics vm2-nic --image Ubuntu2204",
      "az network frobnicator create -n x",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(brief(r.diagnostics)).toEqual([
      "warning UnsupportedStatement 5:1",
      "warning NotModelled 6:1",
      "warning UnsupportedParameter 8:72",
      "info NetworkSecurityGroupNotCreated 8:47",
      "warning NotModelled 9:1",
      "warning UnsupportedStatement 11:1",
    ]);
    expect(r.diagnostics[1]?.message).toBe(
      "az vm create without --nics makes a network interface, and unless told otherwise a public IP and an NSG open to SSH or RDP, none of which is read",
    );
    expect(r.diagnostics[4]?.message).toBe(
      "az network firewall create: Azure Firewall not modelled; its rules filter, and its DNAT rules expose, the traffic routed through it",
    );
    // Every command is counted: modelled, not modelled, deciding no packet, or not known.
    expect(r.inventory.types()).toEqual([
      { type: "az login", standing: "notRelevant", count: 1 },
      { type: "az account set", standing: "notRelevant", count: 1 },
      { type: "az group create", standing: "notRelevant", count: 1 },
      { type: "az network nsg rule update", standing: "unknown", count: 1 },
      { type: "az vm create", standing: "notModelled", count: 1 },
      { type: "az network nsg list", standing: "notRelevant", count: 1 },
      { type: "az network nsg rule create", standing: "modelled", count: 1 },
      { type: "az network firewall create", standing: "notModelled", count: 1 },
      { type: "az vm create", standing: "notRelevant", count: 1 },
      { type: "az network frobnicator create", standing: "unknown", count: 1 },
    ]);
    expect(r.diagnostics[0]?.message).toBe(
      "az network nsg rule update is not supported; the command is ignored",
    );
  });

  it("warns of commands under a condition, and leaves out commands in a loop", () => {
    const script = [
      "az network nsg create -g rg -n web",
      'if [ "$ENV" = prod ]; then',
      "  az network nsg rule create -g rg --nsg-name web -n prod-only --priority 100 --access Deny",
      "  az network nsg rule create -g rg --nsg-name web -n prod-open --priority 110",
      "fi",
      "for p in 100 200; do",
      '  az network nsg rule create -g rg --nsg-name web -n "r$p" --priority "$p"',
      "done",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(brief(r.diagnostics)).toEqual([
      "warning ConditionalCommand 3:3",
      "warning ConditionalCommand 4:3",
      "warning ValueNotStaticallyKnown 7:3",
    ]);
    // A Deny rule that may not exist only narrows the spec; an Allow rule (az's default) would widen it.
    expect(r.topology.networkSecurityGroups[0]?.securityRules.map((x) => x.name)).toEqual([
      "prod-only",
    ]);
    expect(r.diagnostics[1]?.message).toContain("so it is left out");
  });

  it("rejects what az rejects, with the flag's position", () => {
    const r = importAzCli(
      [
        "az network nsg rule create -g rg --nsg-name web -n a --priority high",
        "az network nsg rule create -g rg --nsg-name web -n b --priority 100 --protocol gre",
        "az network nsg rule create -g rg --nsg-name web -n c",
        "az network nsg rule create -g rg --nsg-name web -n d --priority 101 --source-asgs a --source-address-prefixes 10.0.0.0/8 10.1.0.0/16",
      ].join("\n"),
      "deploy.sh",
    );
    expect(brief(problems(r.diagnostics))).toEqual([
      "error InvalidParameterValue 1:65",
      "error InvalidParameterValue 2:80",
      "error MissingParameter 3:1",
      "error InvalidParameterValue 4:69",
    ]);
  });

  it("reports an unterminated quote where it opens", () => {
    const r = importAzCli("az network nsg create -g rg \\\n  -n 'web\n", "deploy.sh");
    expect(brief(r.diagnostics)).toEqual(["error InvalidSyntax 2:6"]);
  });

  it("builds networks, subnets, NICs and ASGs that pass tierwall's validation", () => {
    const script = [
      "az network asg create -g rg -n web-asg",
      "az network nsg create -g rg -n web-nsg",
      "az network nsg rule create -g rg --nsg-name web-nsg -n https --priority 100 --protocol Tcp --source-address-prefixes Internet --destination-asgs web-asg --destination-port-ranges 443",
      "az network vnet create -g rg -n app-vnet --address-prefixes 10.10.0.0/16 --subnet-name web --subnet-prefixes 10.10.1.0/24 --network-security-group web-nsg",
      "az network vnet subnet create -g rg --vnet-name app-vnet -n data --address-prefixes 10.10.2.0/24",
      "az network vnet subnet update -g rg --vnet-name app-vnet -n data --nsg web-nsg",
      "az network nic create -g rg -n web1-nic --vnet-name app-vnet --subnet web --private-ip-address 10.10.1.4 --asgs web-asg",
      "az network nic update -g rg -n web1-nic --network-security-group web-nsg",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(r.diagnostics).toEqual([]);
    expect(r.topology.virtualNetworks).toEqual([
      {
        name: "app-vnet",
        addressSpace: { addressPrefixes: ["10.10.0.0/16"] },
        subnets: [
          { name: "web", addressPrefix: "10.10.1.0/24", networkSecurityGroup: "web-nsg" },
          { name: "data", addressPrefix: "10.10.2.0/24", networkSecurityGroup: "web-nsg" },
        ],
      },
    ]);
    expect(r.topology.networkInterfaces).toEqual([
      {
        name: "web1-nic",
        networkSecurityGroup: "web-nsg",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAddress: "10.10.1.4",
            subnet: "app-vnet/web",
            applicationSecurityGroups: ["web-asg"],
          },
        ],
      },
    ]);
    const loaded = loadSpecText(writeSpec(r.topology));
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.spec).toBeDefined();
  });

  it("reads an option by any unambiguous prefix, as az does, and refuses an ambiguous one", () => {
    const script = [
      "az network nsg create -g rg -n web",
      // As Microsoft's samples write it: each singular flag is a prefix of the plural option.
      'az network nsg rule create -g rg --nsg-name web -n ssh --access Allow --protocol Tcp --direction Inbound --priority 300 --source-address-prefix Internet --source-port-range "*" --destination-address-prefix "*" --destination-port-range 22',
      "az network nsg rule create -g rg --nsg-name web -n https --prio 310 --destination-port=443 --acc Deny",
      "az network nsg rule create -g rg --nsg-name web -n both --priority 320 --dest 22",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(brief(r.diagnostics)).toEqual(["error AmbiguousParameter 4:72"]);
    expect(r.diagnostics[0]?.message).toBe(
      "az network nsg rule create: --dest could be --destination-address-prefixes, --destination-asgs, --destination-port-ranges; az refuses an ambiguous option, so the command fails",
    );
    expect(r.topology.networkSecurityGroups[0]?.securityRules).toEqual([
      {
        name: "ssh",
        protocol: "Tcp",
        access: "Allow",
        priority: 300,
        direction: "Inbound",
        sourceAddressPrefix: "Internet",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "22",
      },
      {
        name: "https",
        protocol: "*",
        access: "Deny",
        priority: 310,
        direction: "Inbound",
        sourceAddressPrefix: "*",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "443",
      },
    ]);
  });

  it("counts the options az has but the importer does not read when a prefix is ambiguous", () => {
    // vnet create also takes --subnets: --subnet could be three options.
    const r = importAzCli("az network vnet create -g rg -n v --subnet web", "deploy.sh");
    expect(brief(r.diagnostics)).toEqual(["error AmbiguousParameter 1:35"]);
    expect(r.diagnostics[0]?.message).toContain("--subnet-name, --subnet-prefixes, --subnets");
  });

  it("gives a name built of a variable not known a placeholder, the same wherever it is used", () => {
    const script = [
      'let "suffix=$RANDOM*$RANDOM"',
      'vnet="vnet-$suffix"',
      'nsg="nsg-$suffix"',
      "az network vnet create -g rg --name $vnet --address-prefix 10.0.0.0/16 --subnet-name web --subnet-prefix 10.0.1.0/24",
      "az network nsg create -g rg --name $nsg",
      "az network nsg rule create -g rg --nsg-name $nsg -n ssh --priority 100 --source-address-prefix Internet --destination-port-range 22",
      "az network vnet subnet update -g rg --vnet-name $vnet -n web --network-security-group $nsg",
      // A placeholder that names no NSG of the script could stand for any NSG: not known.
      "az network vnet subnet update -g rg --vnet-name $vnet -n web --network-security-group $OTHER",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(brief(r.diagnostics)).toEqual([
      "warning NamePlaceholder 4:37",
      "warning ValueNotStaticallyKnown 8:87",
    ]);
    expect(r.diagnostics[0]?.message).toBe(
      "$suffix is computed by let when the script runs; it stands as <suffix> in the names it is part of, here and wherever the same value is used",
    );
    expect(r.topology.networkSecurityGroups.map((n) => [n.name, n.securityRules.length])).toEqual([
      ["nsg-<suffix>", 1],
    ]);
    expect(r.topology.virtualNetworks.map((v) => [v.name, v.subnets])).toEqual([
      [
        "vnet-<suffix>",
        [{ name: "web", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg-<suffix>" }],
      ],
    ]);
  });

  it("names IP forwarding on an interface, which the model does not hold", () => {
    const script = [
      "az network nic create -g rg -n fw-nic --vnet-name v --subnet s --private-ip-address 10.0.0.4 --ip-forwarding true",
      "az network nic update -g rg -n fw-nic --ip-forwarding false",
    ].join("\n");
    const r = importAzCli(script, "deploy.sh");
    expect(brief(problems(r.diagnostics))).toEqual(["warning NotModelled 1:94"]);
    expect(r.diagnostics[0]?.message).toBe(
      "az network nic create: IP forwarding on the network interface is not modelled; it lets the interface forward packets for other addresses, as an appliance does, on paths the spec does not show",
    );
  });
});
