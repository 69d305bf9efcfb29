/**
 * Public IP addresses over every packet: what the Internet reaches of a VM
 * through its public IP, by SKU, and how addresses not known before
 * deploying are shown.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { formatPacket } from "../engine/packet.js";
import { hasErrors } from "../model/diagnostic.js";
import type { SpecAssertion } from "../specfile/assertions.js";
import { checkSpecAssertions } from "../specfile/check.js";
import { exposureOf, reachMatrix } from "./matrix.js";
import { ReachAnalyzer } from "./reach.js";
import { formatSummaryLine } from "./summary.js";

const NSG = `
networkSecurityGroups:
  - name: rdp
    securityRules:
      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }`;

/** A VM on a Dynamic address with a public IP, and an NSG allowing RDP from the Internet on its NIC when `nsg`. */
const vm = (sku: "Basic" | "Standard", nsg: boolean) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses: [{ name: pip-web, sku: ${sku} }]
networkInterfaces:
  - name: vm1
${nsg ? "    networkSecurityGroup: rdp\n" : ""}    ipConfigurations:
      - { privateIPAllocationMethod: Dynamic, subnet: web, publicIPAddress: pip-web }
${nsg ? NSG : ""}
`;

const exposed = (spec: string) =>
  exposureOf(new ReachAnalyzer(networkOf(spec))).map((e) => ({
    ...e,
    exposed: e.exposed.map((l) => formatSummaryLine(l)),
  }));

describe("exposure of a VM through its public IP", () => {
  it("Standard, no NSG anywhere: nothing", () => {
    expect(exposed(vm("Standard", false))).toEqual([
      {
        networkInterface: "vm1",
        publicAddress: "<pip-web>",
        publicIPAddress: "pip-web",
        exposed: [],
        omitted: 0,
      },
    ]);
  });

  it("Basic, no NSG anywhere: everything, from every Internet address", () => {
    expect(exposed(vm("Basic", false))[0]?.exposed).toEqual([
      "Tcp,Udp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 10.0.1.x ports *",
      "Icmp,Esp,Ah 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 10.0.1.x",
    ]);
  });

  it("Standard with an NSG allowing RDP from the Internet: RDP only, from every Internet address", () => {
    expect(exposed(vm("Standard", true))[0]?.exposed).toEqual([
      "Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 10.0.1.x ports 3389",
    ]);
  });
});

describe("set assertions about a public IP", () => {
  const outcomes = (spec: string, assertions: string) => {
    const loaded = loadSpecText(`${spec}\nassertions:\n${assertions}`);
    if (!loaded.spec || hasErrors(loaded.diagnostics))
      throw new Error(loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
    return checkSpecAssertions(loaded.spec.network, loaded.spec.assertions).map((o) => ({
      name: (o.outcome.assertion as SpecAssertion).name,
      status: o.outcome.status,
      outcome: o.outcome,
    }));
  };
  const claims = `
  - { name: isolated, kind: isolate, from: Internet, to: pip-web }
  - { name: exposure, kind: exposure, to: pip-web, within: [{ protocol: Tcp, ports: [3389] }] }
  - { name: rdp, kind: reach, from: Internet, to: nic:vm1, protocol: Tcp, ports: [3389] }
`;

  it("name it as the endpoint, and follow its SKU", () => {
    expect(outcomes(vm("Standard", false), claims).map((o) => [o.name, o.status])).toEqual([
      ["isolated", "held"],
      ["exposure", "held"],
      ["rdp", "failed"],
    ]);
    expect(outcomes(vm("Standard", true), claims).map((o) => [o.name, o.status])).toEqual([
      ["isolated", "failed"],
      ["exposure", "held"],
      ["rdp", "held"],
    ]);
    const basic = outcomes(vm("Basic", false), claims);
    expect(basic.map((o) => [o.name, o.status])).toEqual([
      ["isolated", "failed"],
      ["exposure", "failed"],
      ["rdp", "held"],
    ]);
    const failed = basic[1]?.outcome;
    if (failed?.status !== "failed" || !("counterexample" in failed))
      throw new Error("expected a failed set assertion");
    expect(failed.counterexample?.packet && formatPacket(failed.counterexample.packet)).toMatch(
      / -> 10\.0\.1\.x:/,
    );
  });
});

describe("addresses not known before deploying, in summaries", () => {
  // Two VMs that call each other across the Internet (two unpeered networks), on public IPs of unknown address.
  const apart = `
virtualNetworks:
  - name: a
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.1.0.0/24, networkSecurityGroup: only-b }]
  - name: b
    addressSpace: { addressPrefixes: [10.2.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.2.0.0/24 }]
publicIPAddresses: [{ name: pip-a, sku: Basic }, { name: pip-b, sku: Basic }]
networkInterfaces:
  - name: nic-a
    ipConfigurations: [{ privateIPAddress: 10.1.0.4, subnet: a/s, publicIPAddress: pip-a }]
  - name: nic-b
    ipConfigurations: [{ privateIPAddress: 10.2.0.4, subnet: b/s, publicIPAddress: pip-b }]
environments:
  - { name: vm-a, kind: VirtualMachine, networkInterface: nic-a }
  - { name: vm-b, kind: VirtualMachine, networkInterface: nic-b }
networkSecurityGroups:
  - name: only-b
    securityRules:
      - { name: deny-http, protocol: Tcp, access: Deny, priority: 100, direction: Inbound,
          sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80" }
      - { name: allow-internet, protocol: Tcp, access: Allow, priority: 200, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }
`;

  it("show a public IP by name, never its stand-in, as a source and as a hole in the Internet", () => {
    const { cells } = reachMatrix(new ReachAnalyzer(networkOf(apart)));
    const cell = (from: string, to: string) =>
      cells.find((c) => c.from === from && c.to === to)?.allowed.map((l) => formatSummaryLine(l));
    // vm-b calls vm-a from its public IP, whose address is not known.
    expect(cell("vm-b", "vm-a")).toEqual(["Tcp <pip-b> -> 10.1.0.4/32 ports 0-79,81-65535"]);
    // The Internet row: every Internet address, shown as *, public IPs included in it.
    expect(cell("Internet", "vm-a")).toEqual(["Tcp * -> 10.1.0.4/32 ports 0-79,81-65535"]);
    const text = JSON.stringify(cells);
    expect(text).not.toMatch(/\b2[45]\d\.\d+\.\d+\.\d+/);
  });

  it("take a public IP out of every Internet address by name", () => {
    const loaded = loadSpecText(
      `${apart}\nassertions:\n  - { kind: onlyFrom, from: [vm-b], to: vm-a, protocol: Tcp, ports: [443] }\n`,
    );
    if (!loaded.spec) throw new Error("the spec does not load");
    const [only] = checkSpecAssertions(loaded.spec.network, loaded.spec.assertions);
    const outcome = only?.outcome;
    if (outcome?.status !== "failed" || !("offending" in outcome))
      throw new Error("expected a failed set assertion");
    const lines = outcome.offending?.lines.map((l) => formatSummaryLine(l, 20));
    expect(lines).toHaveLength(1);
    // Azure's reserved addresses of vm-a's subnet are no caller, and so no intruder either.
    expect(lines?.[0]).toMatch(
      /^Tcp 0\.0\.0\.0\/0 except 10\.1\.0\.0\/30,10\.1\.0\.4\/32,10\.1\.0\.255\/32,.*,10\.2\.0\.0\/16,/,
    );
    expect(lines?.[0]).toContain(",168.63.129.16/32,<pip-a>,<pip-b> -> 10.1.0.4/32 ports 443");
  });
});
