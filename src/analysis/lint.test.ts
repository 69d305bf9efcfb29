import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { neededTraffic } from "../specfile/check.js";
import { lint } from "./lint.js";
import { ReachAnalyzer } from "./reach.js";

const LAYERED = readFileSync(
  join(resolve(import.meta.dirname, "../.."), "examples/layered-ase/tierwall.yaml"),
  "utf8",
);

const findings = (text: string) => lint(new ReachAnalyzer(networkOf(text)));
const codes = (text: string) => findings(text).map((d) => [d.severity, d.code, d.path.join(".")]);

/** One subnet with an NSG whose rules are given in flow style; one VM. */
function spec(rules: string[], extra = ""): string {
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: app, addressPrefix: 10.0.1.0/24, networkSecurityGroup: nsg }]
networkSecurityGroups:
  - name: nsg
    securityRules:
${rules.map((r) => `      - ${r}`).join("\n")}
environments:
  - { name: vm, kind: VirtualMachine, subnet: app, privateIPAddress: 10.0.1.4, publicIPAddress: 198.51.100.4 }
${extra}`;
}

const rule = (
  name: string,
  priority: number,
  access: string,
  source: string,
  port: string,
  protocol = "Tcp",
) =>
  `{ name: ${name}, priority: ${priority}, direction: Inbound, access: ${access}, protocol: "${protocol}", sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "${port}" }`;
const at = (i: number) => `networkSecurityGroups.0.securityRules.${i}`;

describe("lint", () => {
  it("finds nothing in the seed's architecture", () => {
    expect(findings(LAYERED)).toEqual([]);
  });

  it("names the missing self-call of an App Service Environment", () => {
    const text = LAYERED.replace(/ {6}- name: ALLOW-HTTPS?-apiase\n(?: {8}.*\n)+/g, "");
    const found = findings(text);
    expect(found.map((d) => [d.code, d.path.join(".")])).toEqual([
      ["AseSelfCallNotAllowed", "environments.3"],
    ]);
    expect(found[0]?.message).toContain(
      "apiase calls itself through its outbound address 203.0.113.40",
    );
    expect(found[0]?.message).toContain("on 80,443");
  });

  it("names blocked management traffic of an ASE v1", () => {
    const text = LAYERED.replace("destinationPortRange: 454-455", "destinationPortRange: 454");
    expect(findings(text).map((d) => d.code)).toContain("AseManagementTrafficBlocked");
  });

  it("finds a rule shadowed by an earlier rule of opposite access", () => {
    const found = findings(
      spec([
        rule("deny-all-10", 100, "Deny", "10.0.0.0/8", "443"),
        rule("allow-10-1", 200, "Allow", "10.1.0.0/16", "443"),
      ]),
    );
    const shadowed = found.find((d) => d.code === "ShadowedRule");
    expect(shadowed?.path.join(".")).toBe(at(1));
    expect(shadowed?.message).toContain("securityRules/deny-all-10");
  });

  it("finds a rule covered only by several earlier rules together, and names them all", () => {
    const found = findings(
      spec([
        rule("deny-low", 100, "Deny", "10.0.0.0/9", "443"),
        rule("deny-high", 110, "Deny", "10.128.0.0/9", "443"),
        rule("allow-10", 200, "Allow", "10.0.0.0/8", "443"),
      ]),
    );
    const shadowed = found.find((d) => d.code === "ShadowedRule");
    expect(shadowed?.path.join(".")).toBe(at(2));
    expect(shadowed?.message).toContain(
      "securityRules/deny-low, securityRules/deny-high decide everything it matches first",
    );
  });

  it("finds redundant rules: covered by earlier ones, or decided the same by later ones", () => {
    expect(
      codes(
        spec([
          rule("wide", 100, "Allow", "10.0.0.0/8", "443"),
          rule("narrow", 200, "Allow", "10.1.0.0/16", "443"),
        ]),
      ),
    ).toContainEqual(["warning", "RedundantRule", at(1)]);
    expect(
      codes(
        spec([
          rule("narrow", 100, "Allow", "10.1.0.0/16", "443"),
          rule("wide", 200, "Allow", "10.0.0.0/8", "443"),
        ]),
      ),
    ).toContainEqual(["warning", "RedundantRule", at(0)]);
    // An explicit deny that only repeats the default deny is a note, not a warning.
    expect(codes(spec([rule("deny-doc", 100, "Deny", "192.0.2.0/24", "*")]))).toContainEqual([
      "info",
      "RedundantRule",
      at(0),
    ]);
  });

  it("relates overlapping rules of opposite access as Al-Shaer does", () => {
    const generalizing = codes(
      spec([
        rule("allow-one", 100, "Allow", "10.1.0.0/16", "443"),
        rule("deny-wide", 200, "Deny", "10.0.0.0/8", "*"),
      ]),
    );
    expect(generalizing).toContainEqual(["info", "GeneralizingRule", at(1)]);
    const correlated = codes(
      spec([
        rule("allow-443", 100, "Allow", "10.0.0.0/8", "443"),
        rule("deny-net", 200, "Deny", "10.1.0.0/16", "*"),
      ]),
    );
    expect(correlated).toContainEqual(["warning", "CorrelatedRules", at(1)]);
  });

  it("flags administrative ports open to the Internet, unless a deny before takes them", () => {
    const open = findings(spec([rule("ssh", 100, "Allow", "*", "22")]));
    expect(open.map((d) => [d.severity, d.code, d.path.join(".")])).toContainEqual([
      "error",
      "InternetExposedAdminPort",
      at(0),
    ]);
    expect(open.find((d) => d.code === "InternetExposedAdminPort")?.message).toContain(
      "SSH (Tcp 22)",
    );
    const covered = codes(
      spec([rule("no-ssh", 100, "Deny", "*", "22"), rule("all", 200, "Allow", "*", "*")]),
    );
    expect(covered.filter((c) => c[1] === "InternetExposedAdminPort")).toEqual([
      ["error", "InternetExposedAdminPort", at(1)],
    ]);
    const fromKnown = codes(spec([rule("ssh-office", 100, "Allow", "198.51.100.0/24", "22")]));
    expect(fromKnown.filter((c) => c[1] === "InternetExposedAdminPort")).toEqual([]);
  });

  it("notes crowded priorities and addresses of nothing known", () => {
    const found = codes(
      spec([
        rule("a", 100, "Allow", "198.51.100.4", "443"),
        rule("b", 101, "Allow", "203.0.113.200", "443"),
      ]),
    );
    expect(found).toContainEqual(["info", "PriorityCrowding", at(1)]);
    expect(found).toContainEqual(["info", "AddressOfNoKnownEnvironment", at(1)]);
    expect(found.filter((c) => c[1] === "AddressOfNoKnownEnvironment")).toHaveLength(1);
  });

  it("notes allow rules broader than the spec's claims need, on the hosts they are about", () => {
    const text = spec([rule("web", 100, "Allow", "198.51.100.0/24", "443")]);
    const network = networkOf(text);
    const claimed = (from: string) =>
      neededTraffic(new ReachAnalyzer(network), [
        {
          kind: "reach",
          from,
          to: "vm",
          protocols: ["Tcp"],
          ports: [{ first: 443, last: 443 }],
          path: [],
        },
      ]);
    const broader = lint(new ReachAnalyzer(network), claimed("198.51.100.7"));
    expect(
      broader.filter((d) => d.code === "BroaderThanNeeded").map((d) => d.path.join(".")),
    ).toEqual([at(0)]);
    expect(broader.find((d) => d.code === "BroaderThanNeeded")?.message).toContain(
      "Tcp 198.51.100.0/24 except 198.51.100.7/32 -> 10.0.1.4/32 ports 443",
    );
    // Claimed in full, or not claimed at all: nothing to say.
    expect(
      lint(new ReachAnalyzer(network), claimed("198.51.100.0/24")).map((d) => d.code),
    ).not.toContain("BroaderThanNeeded");
    expect(lint(new ReachAnalyzer(network)).map((d) => d.code)).not.toContain("BroaderThanNeeded");
  });

  it("checks what ASE v2 and v3 need from the load balancer", () => {
    const v3 = spec(
      [rule("deny-lb", 100, "Deny", "AzureLoadBalancer", "*", "*")],
      "  - { name: ase3, kind: AppServiceEnvironmentV3, subnet: app, privateIPAddress: 10.0.1.5 }",
    );
    expect(codes(v3)).toContainEqual(["error", "AseManagementTrafficBlocked", "environments.1"]);
    const v2 = spec(
      [],
      "  - { name: ase2, kind: AppServiceEnvironmentV2, subnet: app, privateIPAddress: 10.0.1.5, publicIPAddress: 198.51.100.5 }",
    ).replace("    securityRules:\n\n", "    securityRules: []\n");
    // Without a service-tags file, AppServiceManagement is known by name (symbolic addresses).
    const blocked = findings(v2).find((d) => d.code === "AseManagementTrafficBlocked");
    expect(blocked?.path.join(".")).toBe("environments.1");
    expect(blocked?.message).toContain("AppServiceManagement");
    // A file that lacks the tag leaves the requirement unchecked.
    const lacking = `serviceTags:\n  values:\n    - name: Storage\n      properties: { addressPrefixes: [20.38.0.0/16] }\n${v2}`;
    const v2codes = codes(lacking);
    expect(v2codes).toContainEqual(["info", "AseManagementNotChecked", "environments.1"]);
    expect(v2codes).not.toContainEqual(["error", "AseManagementTrafficBlocked", "environments.1"]);
  });

  it("lets go of the decisions it made for its checks, keeps those held before, and steps NSG by NSG", () => {
    const network = networkOf(LAYERED);
    const held = new ReachAnalyzer(network);
    held.nsgDecisions("RestrictBackendApi", "yourvnetnamehere", "Inbound");
    const fresh = new ReachAnalyzer(network);
    const steps: number[] = [];
    const fromFresh = lint(fresh, undefined, (done, total) => steps.push(done, total));
    expect(lint(held)).toEqual(fromFresh);
    expect(steps).toEqual([1, 1]);
    expect(fresh.holdsDecisions("RestrictBackendApi", "yourvnetnamehere", "Inbound")).toBe(false);
    expect(fresh.holdsDecisions("RestrictBackendApi", "yourvnetnamehere", "Outbound")).toBe(false);
    expect(held.holdsDecisions("RestrictBackendApi", "yourvnetnamehere", "Inbound")).toBe(true);
    // What the NSG allows is kept, and is what its decisions said.
    const again = new ReachAnalyzer(network);
    expect(
      fresh
        .nsgAllowed("RestrictBackendApi", "yourvnetnamehere", "Inbound")
        .equals(again.nsgDecisions("RestrictBackendApi", "yourvnetnamehere", "Inbound").allowed),
    ).toBe(true);
  });
});
