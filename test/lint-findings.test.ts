/**
 * lint that finds what matters and says little else: on a hub-and-spoke
 * estate with a public VM in a subnet without an NSG (a Basic public IP: an
 * error naming the missing NSG; a Standard one: nothing, as `exposure` says
 * too); the recommended deny-all pattern with no notes (the three-tier
 * example, Microsoft's SQL Managed Instance NSG); and every finding with an
 * id, a severity, a one-line message and a fix.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lint } from "../src/analysis/lint.js";
import { ReachAnalyzer } from "../src/analysis/reach.js";
import { importSources } from "../src/formats/catalog.js";
import type { Diagnostic } from "../src/model/diagnostic.js";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";
import { sharedFile, titled } from "./support/environment.js";
import { fixtureSources } from "./support/fixtures.js";
import { loadSpecText, networkOf } from "./support/spec.js";

beforeAll(requireBuild);

const dir = mkdtempSync(join(tmpdir(), "tierwall-lint-findings-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (name: string, priority: number, access: string, source: string, port: string) =>
  `{ name: ${name}, priority: ${priority}, direction: Inbound, access: ${access}, protocol: "${port === "*" ? "*" : "Tcp"}", sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "${port}" }`;
const denyAll = rule("deny-all-inbound", 4096, "Deny", "*", "*");

/** A hub with a jump VM on a public IP of the given SKU in a subnet without an NSG, peered with a spoke of three tiers. */
function hubAndSpoke(sku: "Basic" | "Standard"): string {
  return `description: hub and spoke, a public jump VM in a subnet without an NSG
virtualNetworks:
  - name: hub
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: mgmt, addressPrefix: 10.0.1.0/24 }
    virtualNetworkPeerings: [{ remoteVirtualNetwork: spoke }]
  - name: spoke
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.1.1.0/24, networkSecurityGroup: web-nsg }
      - { name: app, addressPrefix: 10.1.2.0/24, networkSecurityGroup: app-nsg }
      - { name: db, addressPrefix: 10.1.3.0/24, networkSecurityGroup: db-nsg }
    virtualNetworkPeerings: [{ remoteVirtualNetwork: hub }]
publicIPAddresses:
  - { name: jump-pip, sku: ${sku}, ipAddress: 203.0.113.50 }
networkInterfaces:
  - name: jump-nic
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.1.4, subnet: mgmt, publicIPAddress: jump-pip }]
  - name: web1-nic
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.1.1.4, subnet: web }]
  - name: app1-nic
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.1.2.4, subnet: app }]
  - name: db1-nic
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.1.3.4, subnet: db }]
networkSecurityGroups:
  - name: web-nsg
    securityRules: [${rule("allow-https-from-hub", 100, "Allow", "10.0.1.0/24", "443")}, ${denyAll}]
  - name: app-nsg
    securityRules: [${rule("allow-web", 100, "Allow", "10.1.1.0/24", "8443")}, ${denyAll}]
  - name: db-nsg
    securityRules: [${rule("allow-app", 100, "Allow", "10.1.2.0/24", "1433")}, ${denyAll}]
`;
}

function write(name: string, text: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("a public VM in a subnet without an NSG, on a hub-and-spoke estate", () => {
  it("with a Basic public IP: one error naming the missing NSG as the cause, and exposure shows it open", () => {
    const file = write("basic", hubAndSpoke("Basic"));
    const r = tierwall(["lint", file, "--json"]);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings as Diagnostic[];
    expect(findings.map((d) => [d.severity, d.code])).toEqual([
      ["error", "InternetExposedAdminPort"],
    ]);
    expect(findings[0]?.message).toContain(
      "network interface jump-nic is reachable from the Internet on SSH (Tcp 22), RDP (Tcp/Udp 3389)",
    );
    expect(findings[0]?.message).toContain(
      "through Basic public IP jump-pip: no NSG on subnet hub/mgmt or network interface jump-nic, and a Basic public IP is open by default",
    );
    const text = tierwall(["lint", file]);
    expect(text.stdout).toContain(`--> ${file}:19:24`);
    const exposure = JSON.parse(tierwall(["exposure", file, "--json"]).stdout).exposure;
    const jump = exposure.find(
      (e: { networkInterface?: string }) => e.networkInterface === "jump-nic",
    );
    expect(jump.publicIPAddress).toBe("jump-pip");
    expect(jump.exposed.length).toBeGreaterThan(0);
    expect(tierwall(["exposure", file]).stdout).toContain(
      "network interface jump-nic (public IP jump-pip)\n  Tcp,Udp 0.0.0.0/0",
    );
  });

  it("with a Standard public IP: no finding, and exposure shows nothing", () => {
    const file = write("standard", hubAndSpoke("Standard"));
    const r = tierwall(["lint", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("has no findings");
    const exposure = JSON.parse(tierwall(["exposure", file, "--json"]).stdout).exposure;
    const jump = exposure.find(
      (e: { networkInterface?: string }) => e.networkInterface === "jump-nic",
    );
    expect(jump.exposed).toEqual([]);
    expect(tierwall(["exposure", file]).stdout).toContain(
      "network interface jump-nic (public IP jump-pip)\n  nothing",
    );
  });

  it("with an NSG on the jump subnet that allows RDP from the Internet: the rule is the cause, whatever the SKU", () => {
    for (const sku of ["Basic", "Standard"] as const) {
      const text = hubAndSpoke(sku)
        .replace(
          "{ name: mgmt, addressPrefix: 10.0.1.0/24 }",
          "{ name: mgmt, addressPrefix: 10.0.1.0/24, networkSecurityGroup: mgmt-nsg }",
        )
        .concat(
          `  - name: mgmt-nsg\n    securityRules: [${rule("allow-rdp", 100, "Allow", "Internet", "3389")}, ${denyAll}]\n`,
        );
      const found = lint(new ReachAnalyzer(networkOf(text)));
      expect(found.map((d) => [d.code, d.path.join(".")])).toEqual([
        ["InternetExposedAdminPort", "networkSecurityGroups.3.securityRules.0"],
      ]);
      expect(found[0]?.message).toContain(
        `on RDP (Tcp 3389) through ${sku} public IP jump-pip: let in by mgmt-nsg's securityRules/allow-rdp (100) on subnet hub/mgmt`,
      );
    }
  });
});

describe("the deny-all pattern", () => {
  it("leaves the three-tier example, which synth wrote, with no findings", () => {
    const r = tierwall(["lint", join(ROOT, "examples", "three-tier"), "--fail-on", "note"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("has no findings");
  });

  const sqlmi = sharedFile(
    "fixtures/real/34-terraform-provider-azurerm--examples--sql-azure--managed_instance_failover_group--modules--sql_managed_instance",
  );
  it.skipIf(sqlmi.missing)(
    titled(
      "leaves Microsoft's SQL Managed Instance NSG (deny-alls at 4096 after its allows) with no notes",
      sqlmi.missing,
    ),
    async () => {
      const real = sharedFile("fixtures/real").path;
      const name = sqlmi.path.slice(real.length + 1);
      const result = await importSources(fixtureSources(real, name));
      expect(result.spec).toBeDefined();
      const loaded = loadSpecText(result.spec ?? "");
      expect(loaded.spec).toBeDefined();
      const network = loaded.spec?.network;
      if (!network) return;
      // Its one NSG, with its two deny-alls, is associated with the instance's subnet.
      const nsg = [...network.nsgs.values()][0];
      expect(
        nsg?.inbound.filter((r) => !r.isDefault).map((r) => [r.name, r.priority]),
      ).toContainEqual(["deny_all_inbound", 4096]);
      expect(network.subnets.filter((s) => s.nsg === nsg?.name)).toHaveLength(1);
      expect(lint(new ReachAnalyzer(network))).toEqual([]);
    },
  );
});

/** How many arguments a call has whose text starts at `start` (just after its parenthesis). */
function topLevelArguments(text: string, start: number): number {
  let depth = 1;
  let commas = 0;
  let last = "";
  const quotes: string[] = [];
  for (let i = start; i < text.length && depth > 0; i++) {
    const c = text[i] as string;
    const quote = quotes.at(-1);
    if (quote !== undefined && quote !== "}") {
      if (c === "\\") i++;
      else if (c === quote) quotes.pop();
      else if (quote === "`" && c === "$" && text[i + 1] === "{") {
        quotes.push("}");
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quotes.push(c);
    else if (c === "}" && quote === "}") quotes.pop();
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1 && quotes.length === 0) commas++;
    if (!/\s/.test(c) && depth > 0) last = c;
  }
  return last === "," ? commas : commas + 1;
}

/** Every spec of the examples folder. */
function exampleSpecs(): string[] {
  const examples = join(ROOT, "examples");
  return readdirSync(examples)
    .filter((n) => statSync(join(examples, n)).isDirectory())
    .map((n) => join(examples, n));
}

describe("every finding", () => {
  const check = (where: string, findings: readonly Diagnostic[]) => {
    for (const d of findings) {
      const label = `${where}: ${d.code}`;
      expect(d.code, label).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(["error", "warning", "info"], label).toContain(d.severity);
      expect(d.message.length, label).toBeGreaterThan(10);
      expect(d.message, label).not.toContain("\n");
      expect(d.hint?.length ?? 0, `${label} has no fix: ${d.message}`).toBeGreaterThan(5);
    }
  };

  it("has an id, a severity, a one-line message and a fix, on the examples and made-up faults", () => {
    let count = 0;
    for (const example of exampleSpecs()) {
      const r = tierwall(["lint", example, "--json"]);
      const findings = JSON.parse(r.stdout).findings as Diagnostic[];
      check(example, findings);
      count += findings.length;
    }
    // Faults of every kind lint knows in rules: shadowed, redundant, empty, correlated,
    // generalizing, crowded, unknown addresses, exposure, an NSG on nothing.
    const faults = hubAndSpoke("Basic")
      .replace(
        "securityRules: [{ name: allow-https-from-hub",
        `securityRules: [${rule("deny-10", 110, "Deny", "10.0.0.0/8", "443")}, ${rule("allow-10-1", 111, "Allow", "10.1.0.0/16", "443")}, ${rule("v6", 112, "Allow", "AzureLoadBalancer", "80").replace('destinationAddressPrefix: "*"', 'destinationAddressPrefix: "2001:db8::/32"')}, ${rule("odd", 113, "Allow", "198.51.100.0/24", "8080-8090")}, ${rule("deny-wide", 114, "Deny", "198.51.100.0/23", "8000-8085")}, ${rule("ssh", 115, "Allow", "*", "22")}, { name: allow-https-from-hub`,
      )
      .concat(
        `  - name: spare-nsg\n    securityRules: [${rule("rdp", 100, "Allow", "*", "3389")}]\n`,
      );
    const found = lint(new ReachAnalyzer(networkOf(faults)));
    const codes = new Set(found.map((d) => d.code));
    for (const code of [
      "ShadowedRule",
      "EmptyRule",
      "CorrelatedRules",
      "PriorityCrowding",
      "AddressOfNoKnownEnvironment",
      "InternetExposedAdminPort",
      "AdminPortAllowedFromInternet",
      "UnassociatedNsg",
    ])
      expect(codes, code).toContain(code);
    check("faults", found);
    expect(count + found.length).toBeGreaterThan(10);
  });

  it("is written with a fix in the analysis code: every error(), warning() and info() call has a hint", () => {
    const folder = join(ROOT, "src", "analysis");
    const missing: string[] = [];
    for (const file of readdirSync(folder)) {
      if (!file.endsWith(".ts") || file.endsWith(".test.ts")) continue;
      const text = readFileSync(join(folder, file), "utf8");
      for (const m of text.matchAll(/\b(?:error|warning|info)\(\s*"([A-Z][A-Za-z]+)"/g))
        if (topLevelArguments(text, (m.index ?? 0) + m[0].indexOf("(") + 1) < 4)
          missing.push(`${file}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  const real = sharedFile("fixtures/real");
  it.skipIf(real.missing)(
    titled(
      "has an id, a severity, a one-line message and a fix, on the real public files",
      real.missing,
    ),
    async () => {
      let linted = 0;
      for (const name of readdirSync(real.path).filter((n) => /^\d\d-/.test(n))) {
        const result = await importSources(fixtureSources(real.path, name));
        const network = result.spec ? loadSpecText(result.spec).spec?.network : undefined;
        if (!network) continue;
        check(name, lint(new ReachAnalyzer(network)));
        linted++;
      }
      expect(linted).toBeGreaterThan(10);
    },
  );
});
