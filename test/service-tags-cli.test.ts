/**
 * Service tags named by rules, without Azure's service-tags file (symbolic sets
 * of public addresses, shown by name) and with it (exact), as a user runs
 * check, flow, exposure, lint and diff.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "tierwall-tags-"));
beforeAll(requireBuild);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const rule = (
  name: string,
  priority: number,
  direction: string,
  access: string,
  source: string,
  destination: string,
  port: string,
) =>
  `      - { name: ${name}, protocol: Tcp, access: ${access}, priority: ${priority}, direction: ${direction}, sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "${destination}", destinationPortRange: "${port}" }\n`;

/** A VM with a public address behind a subnet NSG of `rules`; `head` goes first (serviceTags). */
function spec(name: string, rules: string[], head = ""): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `${head}virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: app, addressPrefix: 10.0.1.0/24, networkSecurityGroup: app-nsg }]
networkInterfaces:
  - name: vm1
    ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: app, publicIPAddress: 203.0.113.5 }]
networkSecurityGroups:
  - name: app-nsg
    securityRules:
${rules.join("")}`,
  );
  return file;
}

const RULES = [
  rule("sql-in", 100, "Inbound", "Allow", "Sql", "*", "1433"),
  rule("storage-in", 110, "Inbound", "Allow", "Storage.WestEurope", "*", "443"),
  rule("storage-out", 100, "Outbound", "Allow", "*", "Storage.WestEurope", "443"),
  rule("internet-out", 200, "Outbound", "Deny", "*", "Internet", "*"),
];

const TAGS = JSON.stringify({
  values: [
    { name: "Sql", properties: { addressPrefixes: ["198.51.100.0/24"] } },
    { name: "Storage.WestEurope", properties: { addressPrefixes: ["192.0.2.128/25"] } },
  ],
});

const flow = (file: string, from: string, to: string, port: string) =>
  tierwall(["flow", file, "--from", from, "--to", to, "--port", port]).stdout;

describe("service tags without Azure's file", () => {
  it("check accepts them with one note at the first, naming the file it would need", () => {
    const file = spec("symbolic", RULES);
    const r = tierwall(["check", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "note ServiceTagsSymbolic: the rules name service tags without Azure's service-tags file: Sql, Storage.WestEurope;",
    );
    expect(r.stdout).toContain(`--> ${file}:11:`);
    expect(r.stdout).toContain("serviceTags: ServiceTags_Public_YYYYMMDD.json");
    expect(r.stdout).toContain("1 note");
    expect(r.stdout.match(/ServiceTagsSymbolic/g)).toHaveLength(1);
  });

  it("flow takes tag:NAME and shows the tag by name; a regional rule leaves the rest of its tag out", () => {
    const file = spec("symbolic", RULES);
    const sql = flow(file, "tag:Sql", "nic:vm1", "1433");
    expect(sql.split("\n")[0]).toBe("Allow by securityRules/sql-in of app-nsg (subnet vnet/app)");
    expect(sql).toContain("Tcp <Sql>:49152 -> 10.0.1.4:1433");
    expect(flow(file, "tag:Storage.WestEurope", "nic:vm1", "443").split("\n")[0]).toBe(
      "Allow by securityRules/storage-in of app-nsg (subnet vnet/app)",
    );
    const storage = flow(file, "tag:Storage", "nic:vm1", "443");
    expect(storage.split("\n")[0]).toBe(
      "Deny by defaultSecurityRules/DenyAllInBound of app-nsg (subnet vnet/app)",
    );
    expect(storage).toContain("Storage (<Storage>) -> network interface vm1");
    const out = flow(file, "nic:vm1", "tag:Storage.WestEurope", "443");
    expect(out.split("\n")[0]).toBe(
      "Allow by securityRules/storage-out of app-nsg (subnet vnet/app)",
    );
    expect(out).toContain("10.0.1.4:49152 -> <Storage.WestEurope>:443");
    // The tag is inside Internet: the outbound deny of Internet takes the rest of Storage.
    expect(flow(file, "nic:vm1", "tag:Storage", "443").split("\n")[0]).toBe(
      "Deny by securityRules/internet-out of app-nsg (subnet vnet/app)",
    );
  });

  it("exposure and lint show the tags by name, never as addresses", () => {
    const file = spec("symbolic", RULES);
    expect(tierwall(["exposure", file]).stdout).toBe(
      "network interface vm1 (public IP 203.0.113.5)\n" +
        "  Tcp <Sql> -> 10.0.1.4/32 ports 1433\n" +
        "  Tcp <Storage.WestEurope> -> 10.0.1.4/32 ports 443\n",
    );
    const lint = tierwall(["lint", file]).stdout;
    expect(lint).toContain(
      "network interface vm1 is reachable from the Internet on SQL Server (Tcp 1433) through public address 203.0.113.5: let in by app-nsg's securityRules/sql-in (100)",
    );
    expect(lint).toContain("e.g. Tcp <Sql>:49152 ->");
    expect(lint).not.toMatch(/\b2(4[89]|5\d)\.\d+\.\d+\.\d+/);
  });

  it("rules, reach and check's counterexamples show a symbolic tag by name", () => {
    const file = spec("symbolic", RULES);
    const rules = tierwall(["rules", file, "--subnet", "app"]);
    expect(rules.stdout).toMatch(/securityRules\/sql-in +Allow +Tcp +Sql \(symbolic\)/);
    const json = JSON.parse(tierwall(["rules", file, "--subnet", "app", "--json"]).stdout);
    const sqlIn = json.value[0].networkSecurityGroups[0].effectiveSecurityRules[0];
    expect(sqlIn.expandedSourceAddressPrefix).toEqual(["<Sql>"]);
    const withEnv = join(work, "env.yaml");
    writeFileSync(
      withEnv,
      `${readFileSync(file, "utf8").replace("networkInterfaces:", "environments:\n  - { name: vm, kind: VirtualMachine, networkInterface: vm1 }\nnetworkInterfaces:")}assertions:\n  - { name: only https, kind: exposure, to: vm, within: [{ protocol: Tcp, ports: [443] }] }\n`,
    );
    expect(tierwall(["reach", withEnv]).stdout).toContain("Tcp 1433 from <Sql>");
    const check = tierwall(["check", withEnv]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("for example: Tcp <Sql>:49152 -> 10.0.1.4:1433");
    expect(check.stdout).toContain("Tcp <Sql> -> 10.0.1.4/32 ports 1433");
  });

  it("diff shows what changes in a tag by the tags of both versions", () => {
    const before = spec("before", RULES);
    const after = spec("after", [
      rule("sql-in", 100, "Inbound", "Allow", "Sql", "*", "1433"),
      rule("storage-in", 110, "Inbound", "Allow", "Storage", "*", "443"),
      ...RULES.slice(2),
    ]);
    const r = tierwall(["diff", before, after]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Tcp <Storage> except <Storage.WestEurope> -> 0.0.0.0/0 ports 443");
    expect(r.stdout).toContain("for example Tcp <Storage>:49152 ->");
    expect(r.stdout).not.toMatch(/\b2(4[89]|5\d)\.\d+\.\d+\.\d+/);
    expect(tierwall(["diff", before, before]).code).toBe(0);
  });

  it("AzureCloud covers part of each other tag: a Deny of AzureCloud before an Allow of Sql leaves the rest open", () => {
    const file = spec("cloud", [
      rule("deny-cloud", 100, "Inbound", "Deny", "AzureCloud", "*", "*"),
      rule("sql-in", 110, "Inbound", "Allow", "Sql", "*", "1433"),
    ]);
    expect(tierwall(["exposure", file]).stdout).toContain(
      "Tcp <Sql> except <AzureCloud> -> 10.0.1.4/32 ports 1433",
    );
    const sql = flow(file, "tag:Sql", "nic:vm1", "1433");
    expect(sql.split("\n")[0]).toBe("Allow by securityRules/sql-in of app-nsg (subnet vnet/app)");
    expect(sql).toContain("<Sql outside AzureCloud>");
    expect(flow(file, "tag:AzureCloud", "nic:vm1", "1433").split("\n")[0]).toBe(
      "Deny by securityRules/deny-cloud of app-nsg (subnet vnet/app)",
    );
  });

  it("export nftables refuses them, naming the file it needs; other exports keep the names", () => {
    const file = spec("symbolic", RULES);
    const nft = tierwall(["export", "nftables", file]);
    expect(nft.code).toBe(2);
    expect(nft.stderr).toContain("(Sql, Storage.WestEurope)");
    expect(nft.stderr).toContain("serviceTags: ServiceTags_Public_YYYYMMDD.json");
    expect(tierwall(["export", "arm", file]).stdout).toContain('"sourceAddressPrefix": "Sql"');
  });

  it("a word that is no tag Azure publishes is still an error at its place", () => {
    const file = spec("unknown", [rule("x", 100, "Inbound", "Allow", "SqlServers", "*", "1433")]);
    const r = tierwall(["check", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      "error UnknownServiceTag: security rule x: \"SqlServers\" is neither an address, a CIDR block, '*' nor a known service tag",
    );
    expect(r.stdout).toContain(`--> ${file}:11:`);
    expect(r.stdout).toContain("known by name");
  });
});

describe("service tags with Azure's file", () => {
  it("are exact: the file's addresses, no note", () => {
    writeFileSync(join(work, "tags.json"), TAGS);
    const file = spec("exact", RULES, "serviceTags: tags.json\n");
    const check = tierwall(["check", file]);
    expect(check.code).toBe(0);
    expect(check.stdout).not.toContain("ServiceTagsSymbolic");
    expect(flow(file, "tag:Sql", "nic:vm1", "1433")).toContain(
      "Tcp 198.51.100.0:49152 -> 10.0.1.4:1433",
    );
    expect(flow(file, "198.51.100.77", "nic:vm1", "1433").split("\n")[0]).toBe(
      "Allow by securityRules/sql-in of app-nsg (subnet vnet/app)",
    );
    expect(tierwall(["exposure", file]).stdout).toBe(
      "network interface vm1 (public IP 203.0.113.5)\n" +
        "  Tcp 192.0.2.128/25 -> 10.0.1.4/32 ports 443\n" +
        "  Tcp 198.51.100.0/24 -> 10.0.1.4/32 ports 1433\n",
    );
    expect(tierwall(["export", "nftables", file]).stdout).toContain("198.51.100.0/24");
    // A tag the file does not hold stays an error, as before.
    const missing = spec(
      "missing",
      [rule("x", 100, "Inbound", "Allow", "Storage", "*", "443")],
      "serviceTags: tags.json\n",
    );
    expect(tierwall(["check", missing]).stdout).toContain("error UnknownServiceTag");
  });
});
