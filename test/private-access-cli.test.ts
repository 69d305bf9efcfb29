/**
 * Private endpoints and Azure Bastion from the command line: `flow` to a
 * private endpoint says its subnet's NSG does not apply (text and --json),
 * Bastion's sessions come from its subnet, the Internet reaches it on 443,
 * `lint` names the rules Bastion requires (exit 1) and the private endpoint
 * subnet's NSG, and `exposure` lists the Bastion host.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "tierwall-pe-"));
beforeAll(requireBuild);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rule = (name: string, priority: number, source: string, ports: string, access = "Allow") =>
  `{ name: ${name}, protocol: "${ports === "*" ? "*" : "Tcp"}", access: ${access}, priority: ${priority}, direction: Inbound, sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "${ports}" }`;

function spec(policy?: string): string {
  const file = join(work, `${policy ?? "default"}.yaml`);
  writeFileSync(
    file,
    `virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: app, addressPrefix: 10.0.1.0/24, networkSecurityGroup: app-nsg }
      - { name: data, addressPrefix: 10.0.2.0/24, networkSecurityGroup: data-nsg${policy ? `, privateEndpointNetworkPolicies: ${policy}` : ""} }
      - { name: AzureBastionSubnet, addressPrefix: 10.0.255.0/26, networkSecurityGroup: bastion-nsg }
publicIPAddresses: [{ name: bastion-pip, sku: Standard }]
networkInterfaces:
  - { name: vm1, ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: app }] }
privateEndpoints:
  - name: pe-sql
    subnet: data
    privateLinkServiceConnections:
      - { privateLinkServiceId: /subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/sql1, groupIds: [sqlServer] }
bastionHosts:
  - { name: bastion, sku: Standard, ipConfigurations: [{ subnet: AzureBastionSubnet, publicIPAddress: bastion-pip }] }
networkSecurityGroups:
  - name: app-nsg
    securityRules: [${rule("rdp-from-bastion", 100, "10.0.255.0/26", "3389")}]
  - name: data-nsg
    securityRules: [${rule("deny-all-in", 4000, "*", "*", "Deny")}]
  - name: bastion-nsg
    securityRules: [${rule("https-in", 100, "Internet", "443")}, ${rule("deny-all-in", 4000, "*", "*", "Deny")}]
`,
  );
  return file;
}

describe("private endpoints and Bastion from the command line", () => {
  it("flow to a private endpoint: its subnet's NSG does not apply unless the policy enables it", () => {
    const r = tierwall(["flow", spec(), "--from", "vm1", "--to", "pe:pe-sql", "--port", "1433"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "  network interface vm1 -> private endpoint pe-sql (10.0.2.x to Microsoft.Sql/servers sql1 (sqlServer))",
    );
    expect(r.stdout).toContain(
      "NSG data-nsg of subnet vnet/data does not apply to private endpoint traffic (privateEndpointNetworkPolicies Disabled)",
    );
    const json = JSON.parse(
      tierwall([
        "flow",
        spec("NetworkSecurityGroupEnabled"),
        "--from",
        "vm1",
        "--to",
        "pe:pe-sql",
        "--port",
        "1433",
        "--json",
      ]).stdout,
    );
    expect([json.access, json.rule, json.nsg]).toEqual([
      "Deny",
      "securityRules/deny-all-in",
      "data-nsg",
    ]);
  });

  it("flow from a Bastion host and to it from the Internet", () => {
    const file = spec();
    const session = tierwall([
      "flow",
      file,
      "--from",
      "bastion:bastion",
      "--to",
      "vm1",
      "--port",
      "3389",
    ]);
    expect(session.stdout.split("\n")[0]).toBe(
      "Allow by securityRules/rdp-from-bastion of app-nsg (subnet vnet/app)",
    );
    expect(session.stdout).toContain("Tcp 10.0.255.x:49152 -> 10.0.1.x:3389");
    const https = tierwall([
      "flow",
      file,
      "--from",
      "Internet",
      "--to",
      "bastion:bastion",
      "--port",
      "443",
    ]);
    expect(https.stdout.split("\n")[0]).toBe(
      "Allow by securityRules/https-in of bastion-nsg (subnet vnet/AzureBastionSubnet)",
    );
  });

  it("a private endpoint starts no flow: a usage error, not a verdict", () => {
    const r = tierwall(["flow", spec(), "--from", "pe:pe-sql", "--to", "vm1", "--port", "22"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("receives flows");
  });

  it("lint names the rules Bastion requires that the NSG blocks, and the endpoint subnet's NSG", () => {
    const r = tierwall(["lint", spec(), "--json"]);
    const codes = JSON.parse(r.stdout).findings.map((d: { code: string }) => d.code);
    expect(codes.filter((c: string) => c === "BastionNsgRuleMissing")).toHaveLength(2);
    expect(codes).toContain("PrivateEndpointNsgNotApplied");
    expect(r.code).toBe(1);
  });

  it("exposure lists the Bastion host on 443", () => {
    const r = tierwall(["exposure", spec()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Bastion host bastion (public IP bastion-pip, 443)");
  });
});
