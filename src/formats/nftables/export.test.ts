import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NSG_LEVEL_ASGS,
  nsgLevelTopology,
  SERVICE_TAG_FILE,
  securityRulesArb,
} from "../../../test/oracle/arbitraries.js";
import { labMissing, titled } from "../../../test/support/environment.js";
import { loadSpecText } from "../../../test/support/spec.js";
import { hasErrors } from "../../model/diagnostic.js";
import { buildNetwork, type Network } from "../../model/network.js";
import { parseServiceTagFile } from "../../model/service-tags.js";
import { loadSpec } from "../../specfile/load.js";
import { exportNftables, nsgBindings } from "./export.js";

/** nft -c runs in a network namespace of its own, which needs root. */
const lab = labMissing();

/** nft's own parser and the kernel's checks, in a throwaway network namespace. */
function nftCheck(ruleset: string): { ok: boolean; message: string } {
  const run = spawnSync("unshare", ["--net", "nft", "-c", "-f", "-"], {
    input: ruleset,
    encoding: "utf8",
  });
  if (run.error) return { ok: false, message: run.error.message };
  return { ok: run.status === 0, message: run.stderr };
}

const host = { placement: "host", interface: "eth0" } as const;

function exportAll(network: Network, placement: "host" | "router" = "host"): string {
  return exportNftables(network, nsgBindings(network), { placement, interface: "eth0" });
}

function specNetwork(rules: string, extra = ""): Network {
  const loaded = loadSpecText(`
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16, "fd00::/48"] }
    subnets:
      - { name: s, addressPrefixes: [10.0.1.0/24, "fd00:0:0:1::/64"], networkSecurityGroup: n }
${extra}
networkSecurityGroups:
  - name: n
    securityRules:
${rules}
`);
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.spec.network;
}

/** One inbound Allow rule in YAML flow style: `*` wherever the fields given do not say otherwise. */
function rule(fields: Record<string, string>): string {
  const all: Record<string, string> = {
    access: "Allow",
    direction: "Inbound",
    sourcePortRange: '"*"',
    destinationPortRange: '"*"',
    sourceAddressPrefix: '"*"',
    destinationAddressPrefix: '"*"',
  };
  for (const key of Object.keys(fields)) {
    const singular = key.replace(/Ranges$/, "Range").replace(/Prefixes$/, "Prefix");
    if (singular !== key) delete all[singular];
  }
  const entries = Object.entries({ ...all, ...fields }).map(([k, v]) => `${k}: ${v}`);
  return `      - { ${entries.join(", ")} }`;
}

describe("nftables export", () => {
  it.skipIf(lab !== undefined)(
    titled("compiles every example, and nft accepts the result", lab),
    () => {
      for (const example of ["layered-ase", "asg-tiers", "three-tier"]) {
        const loaded = loadSpec(`examples/${example}`);
        expect(loaded.spec, example).toBeDefined();
        const network = loaded.spec?.network as Network;
        for (const placement of ["host", "router"] as const) {
          const ruleset = exportAll(network, placement);
          const check = nftCheck(ruleset);
          expect(check.message, `${example} (${placement})\n${ruleset}`).toBe("");
          expect(check.ok).toBe(true);
        }
      }
    },
  );

  it("writes the seed's rules in priority order, each with a counter and its NSG rule's name", () => {
    const loaded = loadSpec("examples/layered-ase");
    const text = exportAll(loaded.spec?.network as Network);
    const inbound = text.slice(text.indexOf("chain inbound"), text.indexOf("chain outbound"));
    const names = [...inbound.matchAll(/comment "([^"]+) \((\d+)\)"/g)].map((m) => m[1]);
    expect([...new Set(names)]).toEqual([
      "securityRules/ALLOW-AzureMngmt",
      "securityRules/ALLOW-HTTP-fe1ase",
      "securityRules/ALLOW-HTTPS-fe1ase",
      "securityRules/ALLOW-HTTP-fe2ase",
      "securityRules/ALLOW-HTTPS-fe2ase",
      "securityRules/ALLOW-HTTP-fe3ase",
      "securityRules/ALLOW-HTTPS-fe3ase",
      "securityRules/ALLOW-HTTP-apiase",
      "securityRules/ALLOW-HTTPS-apiase",
      "defaultSecurityRules/AllowVnetInBound",
      "defaultSecurityRules/AllowAzureLoadBalancerInBound",
      "defaultSecurityRules/DenyAllInBound",
    ]);
    expect(inbound).toContain(
      'ip saddr 198.51.100.11 tcp dport 80 counter accept comment "securityRules/ALLOW-HTTP-fe1ase (200)"',
    );
    // Internet is everything outside VirtualNetwork: written as the shorter complement.
    expect(inbound).toContain("ip saddr != { 10.0.0.0/16, 168.63.129.16 } tcp dport 454-455");
    expect(
      inbound
        .split("\n")
        .filter((l) => l.includes("comment"))
        .at(-1),
    ).toContain('counter drop comment "defaultSecurityRules/DenyAllInBound (65500)"');
    for (const line of inbound.split("\n").filter((l) => l.includes("comment")))
      expect(line).toMatch(/ counter (accept|drop) comment /);
    expect(text).toContain('iifname "eth0" ct state established,related accept');
    expect(text).toContain("type filter hook input priority 0; policy accept;");
    expect(text).toContain("type filter hook output priority 1; policy accept;");
  });

  it.skipIf(lab !== undefined)(
    titled("applies ports only to TCP and UDP, as Azure does", lab),
    () => {
      const text = exportAll(
        specNetwork(
          [
            rule({ name: "any", priority: "100", protocol: '"*"', destinationPortRange: '"80"' }),
            rule({ name: "ping", priority: "110", protocol: "Icmp", destinationPortRange: '"80"' }),
            rule({ name: "esp", priority: "120", protocol: "Esp", sourcePortRange: '"1000"' }),
            rule({
              name: "udp",
              priority: "130",
              protocol: "Udp",
              sourcePortRanges: '["53", "1000-2000"]',
            }),
          ].join("\n"),
        ),
      );
      expect(text).toContain(
        'meta l4proto { tcp, udp } th dport 80 counter accept comment "securityRules/any (100)"',
      );
      expect(text).toContain(
        'meta l4proto { icmp, ipv6-icmp, esp, ah } counter accept comment "securityRules/any (100)"',
      );
      expect(text).toContain(
        'meta l4proto { icmp, ipv6-icmp } counter accept comment "securityRules/ping (110)"',
      );
      expect(text).toContain('meta l4proto esp counter accept comment "securityRules/esp (120)"');
      expect(text).toContain(
        'udp sport { 53, 1000-2000 } counter accept comment "securityRules/udp (130)"',
      );
      expect(nftCheck(text).message).toBe("");
    },
  );

  it.skipIf(lab !== undefined)(
    titled("splits a rule by address family, and leaves out a family one side cannot match", lab),
    () => {
      const text = exportAll(
        specNetwork(
          [
            rule({
              name: "v6only",
              priority: "100",
              protocol: "Tcp",
              sourceAddressPrefix: '"fd00::/48"',
            }),
            rule({
              name: "both",
              priority: "110",
              protocol: "Tcp",
              sourceAddressPrefix: "VirtualNetwork",
            }),
            rule({
              name: "mixed",
              priority: "120",
              protocol: "Tcp",
              sourceAddressPrefix: '"fd00::/48"',
              destinationAddressPrefix: "AzureLoadBalancer",
            }),
          ].join("\n"),
        ),
      );
      const lines = (name: string) => text.split("\n").filter((l) => l.includes(`/${name} (`));
      expect(lines("v6only")).toEqual([
        '    ip6 saddr fd00::/48 meta l4proto tcp counter accept comment "securityRules/v6only (100)"',
      ]);
      expect(lines("both")).toHaveLength(2);
      expect(lines("both")[0]).toContain("ip saddr { 10.0.0.0/16, 168.63.129.16 }");
      expect(lines("both")[1]).toContain("ip6 saddr fd00::/48");
      expect(lines("mixed")).toEqual(["    # securityRules/mixed (120) matches no address"]);
      expect(nftCheck(text).message).toBe("");
    },
  );

  it.skipIf(lab !== undefined)(
    titled("puts long address lists in named interval sets, with ranges where no prefix fits", lab),
    () => {
      const prefixes = Array.from({ length: 40 }, (_, i) => `"192.0.2.${i * 4}/31"`).join(", ");
      const text = exportAll(
        specNetwork(
          rule({
            name: "many",
            priority: "100",
            protocol: "Tcp",
            sourceAddressPrefixes: `[${prefixes}, "198.51.100.3", "198.51.100.4/30", "198.51.100.8/31"]`,
          }),
        ),
      );
      expect(text).toMatch(/set a0_in0s4 \{\n {4}type ipv4_addr\n {4}flags interval\n/);
      expect(text).toContain("ip saddr @a0_in0s4 meta l4proto tcp counter accept");
      expect(text).toContain("192.0.2.4/31");
      expect(text).toContain("198.51.100.3-198.51.100.9");
      expect(nftCheck(text).message).toBe("");
    },
  );

  it.skipIf(lab !== undefined)(
    titled(
      "binds NIC NSGs after subnet NSGs inbound and before them outbound; the router form uses the forward hook",
      lab,
    ),
    () => {
      const network = specNetwork(
        rule({ name: "a", priority: "100", protocol: "Tcp" }),
        `networkInterfaces:
  - name: vm1
    networkSecurityGroup: n
    ipConfigurations:
      - { name: c, subnet: v/s, privateIPAddress: 10.0.1.4 }`,
      );
      const bindings = nsgBindings(network);
      expect(bindings.map((b) => `${b.appliedTo.type}:${b.appliedTo.name}`)).toEqual([
        "subnet:v/s",
        "networkInterface:vm1",
      ]);
      const text = exportNftables(network, bindings, host);
      expect(text).toContain("table inet nsg_n_s {");
      expect(text).toContain("table inet nsg_n_vm1 {");
      const nic = text.slice(text.indexOf("nsg_n_vm1"));
      expect(nic).toContain("hook input priority 1;");
      expect(nic).toContain("hook output priority 0;");
      const router = exportNftables(network, bindings.slice(0, 1), {
        placement: "router",
        interface: "sub0",
      });
      expect(router).toContain(
        'type filter hook forward priority 0; policy accept;\n    oifname "sub0"',
      );
      expect(router).toContain('iifname "sub0" jump outbound');
      expect(nftCheck(router).message).toBe("");
    },
  );

  it.skipIf(lab !== undefined)(
    titled(
      "compiles random NSGs, IPv4 and IPv6, with ASGs and service tags, to rulesets nft accepts",
      lab,
    ),
    () => {
      const parsed = parseServiceTagFile(SERVICE_TAG_FILE);
      if (hasErrors(parsed.diagnostics)) throw new Error("the test's service-tags file is invalid");
      // nft is a process per check: a few dozen NSGs in one ruleset per run.
      const samples = fc.sample(securityRulesArb(NSG_LEVEL_ASGS, 1, 40), { numRuns: 30, seed: 11 });
      const tables: string[] = [];
      for (const rules of samples) {
        const built = buildNetwork(nsgLevelTopology(rules), parsed.catalog);
        if (!built.network) throw new Error("generator bug: the generated topology is invalid");
        tables.push(exportAll(built.network));
      }
      const ruleset = tables
        .map((t, i) => t.replaceAll("table inet nsg_", `table inet t${i}_nsg_`))
        .join("\n");
      const check = nftCheck(ruleset);
      expect(check.message).toBe("");
      expect(check.ok).toBe(true);
    },
  );
});
