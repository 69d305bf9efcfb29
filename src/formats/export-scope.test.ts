/**
 * Exports of both scopes, imported back: `nsgs` (the default) writes the
 * NSGs and their associations with what exists, and imports back onto what
 * exists; `all` writes the whole deployment, public IPs included, and imports
 * back whole.
 */
import { describe, expect, it } from "vitest";
import { expectSameAsArm, readBicep } from "../../test/support/bicep.js";
import { normalRule, refKey } from "../../test/support/round-trip.js";
import type { Topology } from "../model/types.js";
import { loadSpec } from "../specfile/load.js";
import { exportArm } from "./arm/export.js";
import { exportBicep } from "./bicep/export.js";
import { type ExportFormat, exportTopology, importSources } from "./catalog.js";

const example = (name: string) =>
  loadSpec(`examples/${name}/tierwall.yaml`).spec?.topology as Topology;

/** asg-tiers with a Standard public IP on web1-nic, a Dynamic address on api1-nic, and an NSG on web2-nic. */
function estateWithPublicIp(): Topology {
  const t = example("asg-tiers");
  return {
    ...t,
    publicIPAddresses: [{ name: "web1-pip", sku: "Standard", publicIPAllocationMethod: "Static" }],
    networkInterfaces: t.networkInterfaces.map((n) => {
      const [c, ...rest] = n.ipConfigurations;
      if (!c) return n;
      if (n.name === "web1-nic")
        return { ...n, ipConfigurations: [{ ...c, publicIPAddress: "web1-pip" }, ...rest] };
      if (n.name === "api1-nic") {
        const { privateIPAddress: _, ...dynamic } = c;
        return {
          ...n,
          ipConfigurations: [
            { ...dynamic, privateIPAllocationMethod: "Dynamic" as const },
            ...rest,
          ],
        };
      }
      if (n.name === "web2-nic") {
        const { publicIPAddress: _, ...plain } = c;
        return { ...n, networkSecurityGroup: "db-nic-nsg", ipConfigurations: [plain, ...rest] };
      }
      return n;
    }),
  };
}

/** One value for a one-element list, as az and Azure hold it. */
function singular(rule: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(rule).map(([k, v]) =>
      Array.isArray(v) && v.length === 1 && /(Prefixes|Ranges)$/.test(k)
        ? [k.replace(/Prefixes$/, "Prefix").replace(/Ranges$/, "Range"), v[0]]
        : [k, v],
    ),
  );
}

/** The policy: NSGs with their rules, and every NSG association, by name. */
function policy(t: Topology) {
  return {
    nsgs: t.networkSecurityGroups
      .map((n) => ({
        name: n.name,
        rules: n.securityRules.map((r) => singular(normalRule(r, true))),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    subnets: t.virtualNetworks.flatMap((v) =>
      v.subnets
        .filter((s) => s.networkSecurityGroup !== undefined)
        .map((s) => `${v.name}/${s.name} -> ${refKey(s.networkSecurityGroup ?? "")}`.toLowerCase()),
    ),
    nics: t.networkInterfaces
      .filter((n) => n.networkSecurityGroup !== undefined)
      .map((n) => `${n.name} -> ${refKey(n.networkSecurityGroup ?? "")}`.toLowerCase())
      .sort(),
  };
}

/** The interfaces as deployed: addresses (or Dynamic), public IPs and ASGs. */
function interfaces(t: Topology) {
  return t.networkInterfaces
    .map((n) => ({
      name: n.name,
      configs: n.ipConfigurations.map((c) => ({
        address: c.privateIPAddress ?? c.privateIPAllocationMethod,
        pip: c.publicIPAddress === undefined ? undefined : refKey(c.publicIPAddress),
        asgs: (c.applicationSecurityGroups ?? []).map(refKey).sort(),
      })),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** What exists before the policy is applied: the networks, interfaces and public IPs, without NSGs or ASGs. */
function existing(t: Topology): Topology {
  return {
    ...t,
    networkSecurityGroups: [],
    applicationSecurityGroups: [],
    virtualNetworks: t.virtualNetworks.map((v) => ({
      ...v,
      subnets: v.subnets.map(({ networkSecurityGroup: _, ...s }) => s),
    })),
    networkInterfaces: t.networkInterfaces.map(({ networkSecurityGroup: _, ...n }) => ({
      ...n,
      ipConfigurations: n.ipConfigurations.map(({ applicationSecurityGroups: _a, ...c }) => c),
    })),
  };
}

const FILES: Record<Exclude<ExportFormat, "bicep">, string> = {
  arm: "policy.json",
  terraform: "main.tf",
  azcli: "policy.sh",
  powershell: "policy.ps1",
};

describe("export scopes, imported back", () => {
  const topology = estateWithPublicIp();

  for (const [format, file] of Object.entries(FILES) as [keyof typeof FILES, string][]) {
    it(`${format}, scope all: the whole deployment, public IPs and Dynamic addresses included`, async () => {
      const { text } = await exportTopology(format, topology, "all");
      const back = await importSources([{ file, text }]);
      expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(policy(back.topology)).toEqual(policy(topology));
      expect(interfaces(back.topology)).toEqual(interfaces(topology));
      expect(back.topology.publicIPAddresses?.map((p) => [p.name, p.sku])).toEqual([
        ["web1-pip", "Standard"],
      ]);
      expect(back.topology.virtualNetworks.map((v) => v.addressSpace.addressPrefixes)).toEqual([
        ["10.20.0.0/16"],
      ]);
    });

    it(`${format}, scope nsgs: the NSGs and associations, merged onto what exists`, async () => {
      const { text, diagnostics } = await exportTopology(format, topology);
      expect(text).not.toContain("10.20.0.0/16");
      const estate = { file: "estate.json", text: exportArm(existing(topology)) };
      // ARM redeploys the interfaces it sets NSGs or ASGs on: the estate then declares the others.
      const redeployed =
        format === "arm"
          ? new Set(["web2-nic", "db1-nic", "web1-nic", "api1-nic"])
          : new Set<string>();
      const others = existing(topology);
      const rest =
        format === "arm"
          ? {
              file: "estate.json",
              text: exportArm({
                ...others,
                networkInterfaces: others.networkInterfaces.filter((n) => !redeployed.has(n.name)),
              }),
            }
          : estate;
      const back = await importSources([{ file, text }, rest]);
      expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      // Only PowerShell leaves something of the interfaces unwritten, and names it.
      expect(
        diagnostics
          .filter((d) => d.code === "NotExported" && d.path[0] === "networkInterfaces")
          .map((d) => d.message),
      ).toEqual(
        format === "powershell"
          ? [
              "the ASG memberships of network interfaces (web1-nic, web2-nic, api1-nic, db1-nic) are not written",
            ]
          : [],
      );
      expect(policy(back.topology)).toEqual(policy(topology));
      // The networks keep the address space of what exists.
      expect(back.topology.virtualNetworks.map((v) => v.addressSpace.addressPrefixes)).toEqual([
        ["10.20.0.0/16"],
      ]);
    });
  }

  it("arm, scope nsgs: a subnet is deployed with its route table, and the export warns of what it resets", async () => {
    const routed: Topology = {
      ...topology,
      virtualNetworks: topology.virtualNetworks.map((v) => ({
        ...v,
        subnets: v.subnets.map((s) => ({ ...s, routeTable: "to-firewall" })),
      })),
    };
    const { text, diagnostics } = await exportTopology("arm", routed);
    expect(text).toMatch(
      /"routeTable": \{\s*"id": "\[resourceId\('Microsoft\.Network\/routeTables', 'to-firewall'\)\]"/,
    );
    expect(diagnostics.find((d) => d.code === "SubnetRedeployed")?.message).toBe(
      "subnets (tiers-vnet/workload) are deployed with their address prefixes, NSG and route table; what the spec does not hold of them (service endpoints, delegations, a NAT gateway, network policies) is reset by that",
    );
    // Terraform's association sets the NSG alone.
    const terraform = await exportTopology("terraform", routed);
    expect(terraform.diagnostics.map((d) => d.code)).not.toContain("SubnetRedeployed");
  });

  it("bicep, both scopes: the same resources as the ARM template; the network as it exists is an existing resource", () => {
    expectSameAsArm(topology, "all");
    expectSameAsArm(topology, "nsgs");
    const text = exportBicep(topology, "nsgs");
    expect(text).toContain(
      "resource vnetTiersVnet 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {",
    );
    expect(text).toContain("  parent: vnetTiersVnet\n  name: 'workload'");
    const kinds = readBicep(text).map(
      (b) => `${b.existing ? "existing " : ""}${(b.resource as { type: string }).type}`,
    );
    expect(kinds).not.toContain("Microsoft.Network/publicIPAddresses");
    expect(kinds).toContain("existing Microsoft.Network/virtualNetworks");
  });
});
