import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { formatIpAddress } from "../net/address.js";
import type { LoadedSpec } from "../specfile/load.js";
import { loadSpec } from "../specfile/load.js";
import { isLabSafe, type LabPlan, MAX_PROBES, planLab } from "./plan.js";
import { samplePorts } from "./probes.js";

function planOf(spec: LoadedSpec): LabPlan {
  const planned = planLab(spec);
  if (!planned.ok) throw new Error(planned.problems.join("\n"));
  return planned.plan;
}

/** A spec of one VM, `a`, in subnet `s`, with these assertions (YAML list items). */
const oneHost = (assertions: string) =>
  loadSpecText(`
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24 }]
environments:
  - { name: a, kind: VirtualMachine, subnet: s, privateIPAddress: 10.0.1.4 }
assertions:
${assertions}
`);

const seed = () => planOf(loadSpec("examples/layered-ase").spec as LoadedSpec);

describe("the lab's plan", () => {
  it("gives each environment a namespace, its address, the subnet's gateway and its NSG", () => {
    const plan = seed();
    const api = plan.hosts.find((h) => h.label === "environment apiase");
    expect(api?.addresses.map(formatIpAddress)).toEqual(["10.0.4.4"]);
    expect(api?.gateways.map(formatIpAddress)).toEqual(["10.0.4.1"]);
    expect(api?.nftables).toContain("table inet nsg_RestrictBackendApi_API_ASE_Subnet {");
    expect(api?.nftables).toContain('iifname "eth0" jump inbound');
    // The front ends' subnets have no NSG: nothing is loaded there.
    expect(plan.hosts.find((h) => h.label === "environment fe1ase")?.nftables).not.toContain(
      "table",
    );
    expect(plan.hosts.map((h) => h.namespace)).toEqual(
      [0, 1, 2, 3].map((i) => `${plan.prefix}h${i}`),
    );
  });

  it("makes the router translate public addresses, mark public routes and keep private ones in connected networks", () => {
    const rules = seed().router.nftables;
    expect(rules).toContain("ip daddr 203.0.113.40 ct mark set 0x1 dnat ip to 10.0.4.4");
    expect(rules).toContain("ip saddr 10.0.1.4 ct mark 0x1 snat ip to 198.51.100.11");
    expect(rules).toContain('ip saddr 10.0.4.4 oifname "inet" snat ip to 203.0.113.40');
    expect(rules).toContain('iifname "inet" ct mark 0x1 accept');
    expect(rules).toContain("type filter hook forward priority filter; policy drop;");
    // App Service Environments with a public address are external: no private route reaches them.
    expect(rules).toContain('oifname "h3" drop');
    expect(rules).toContain(
      'iifname "h0" oifname { "h0", "h1", "h2", "h3" } ct mark != 0x1 accept',
    );
  });

  it("drops what arrives on a Standard public IP that no NSG opens, and lets it through a Basic one", () => {
    const spec = (sku: string) =>
      loadSpecText(`
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses: [{ name: pip, sku: ${sku}, ipAddress: 203.0.113.9 }]
networkInterfaces:
  - name: vm
    ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: s, publicIPAddress: pip }]
`).spec as LoadedSpec;
    const standard = planOf(spec("Standard"));
    expect(standard.hosts[0]?.closedPublic).toBe(true);
    const rules = standard.router.nftables;
    expect(rules).toContain("ip daddr 203.0.113.9 ct mark set 0x1 dnat ip to 10.0.1.4");
    // Before any rule that accepts a public route.
    expect(rules.indexOf('oifname "h0" ct mark 0x1 drop')).toBeGreaterThan(0);
    expect(rules.indexOf('oifname "h0" ct mark 0x1 drop')).toBeLessThan(
      rules.indexOf('iifname "inet" ct mark 0x1 accept'),
    );
    expect(planOf(spec("Basic")).router.nftables).not.toContain('oifname "h0" ct mark 0x1 drop');
    expect(planOf(spec("Basic")).hosts[0]?.closedPublic).toBe(false);
  });

  it("refuses a public IP whose address is not known, by name", () => {
    const planned = planLab(
      loadSpecText(`
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses: [{ name: pip-web, sku: Basic }]
networkInterfaces:
  - name: vm
    ipConfigurations: [{ privateIPAddress: 10.0.1.4, subnet: s, publicIPAddress: pip-web }]
`).spec as LoadedSpec,
    );
    expect(planned.ok).toBe(false);
    if (!planned.ok)
      expect(planned.problems[0]).toBe(
        "<pip-web> (public address of network interface vm) is a public IP whose address is not known; give its ipAddress from the documentation ranges to stand it up",
      );
  });

  it("refuses a service tag without Azure's file, by name", () => {
    const planned = planLab(
      oneHost("  - { from: tag:Sql, to: a, protocol: Tcp, port: 1433, expect: Deny }")
        .spec as LoadedSpec,
    );
    expect(planned.ok).toBe(false);
    if (!planned.ok)
      expect(planned.problems).toContain(
        "<Sql> (an address on the Internet side) stands for a service tag without Azure's service-tags file; name the file in serviceTags to stand it up",
      );
  });

  it("refuses a subnet that follows a route table with routes", () => {
    const planned = planLab(
      loadSpecText(`
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24, routeTable: rt }]
routeTables:
  - name: rt
    routes: [{ name: drop, addressPrefix: 10.0.9.0/24, nextHopType: None }]
environments:
  - { name: a, kind: VirtualMachine, subnet: s, privateIPAddress: 10.0.1.4 }
`).spec as LoadedSpec,
    );
    expect(planned.ok).toBe(false);
    if (!planned.ok)
      expect(planned.problems).toContain(
        "subnet v/s follows route table rt, whose routes the lab does not stand up; remove its routeTable to test the NSGs alone",
      );
  });

  it("samples claims over every packet at the edges of their port ranges", () => {
    expect(samplePorts([{ first: 0, last: 79 }])).toEqual([1, 40, 79]);
    expect(samplePorts([{ first: 443, last: 443 }])).toEqual([443]);
    expect(samplePorts(undefined)).toEqual([1, 32768, 65535]);
    const plan = seed();
    const spec = loadSpec("examples/layered-ase").spec as LoadedSpec;
    const isolateIndex = spec.assertions.findIndex((a) => a.kind === "isolate");
    const isolate = plan.probes.filter((p) => p.assertion === isolateIndex);
    expect(isolate.length).toBeGreaterThan(0);
    expect(isolate.map((p) => `${p.protocol} ${p.destinationPort}`)).toContain("Udp 453");
    expect(isolate.every((p) => p.engine.access === "Deny")).toBe(true);
  });

  it("dials public addresses on public routes, and probes an outbound address from its owner", () => {
    const plan = seed();
    const self = plan.probes.find((p) => p.description === "Tcp apiase -> apiase:443");
    expect(self && formatIpAddress(self.destination)).toBe("203.0.113.40");
    expect(self?.engine.rule).toBe("securityRules/ALLOW-HTTPS-apiase");
    // The exposure claim names 198.51.100.11 as a source: that is fe1ase calling out.
    const fromOutbound = plan.probes.find(
      (p) => p.description === "Tcp ip:198.51.100.11 -> apiase:80",
    );
    expect(fromOutbound?.namespace).toBe(`${plan.prefix}h0`);
    expect(plan.internet.addresses.map(formatIpAddress)).not.toContain("198.51.100.11");
  });

  it("names what it cannot probe", () => {
    const loaded = oneHost(`
  - { from: a, to: subnet:s, protocol: Tcp, port: 80, expect: Allow }
  - { from: Internet, to: a, protocol: Icmp, expect: Deny }`);
    const plan = planOf(loaded.spec as LoadedSpec);
    expect(plan.probes).toEqual([]);
    expect(plan.skipped.map((s) => s.reason)).toEqual([
      "Icmp carries no ports to connect to; the lab probes TCP and UDP",
      "subnet v/s is not a host of the lab (environments and network interfaces are)",
    ]);
  });

  it("keeps to documentation and private addresses, and to a bounded number of connections", () => {
    expect(isLabSafe({ family: 4, value: 0xc0000201n })).toBe(true); // 192.0.2.1
    expect(isLabSafe({ family: 4, value: 0x08080808n })).toBe(false); // 8.8.8.8
    const ports = Array.from({ length: 600 }, (_, i) => 1000 + i).join(", ");
    const loaded = oneHost(
      Array.from(
        { length: 10 },
        (_, i) =>
          `  - { name: n${i}, from: Internet, to: a, protocol: Tcp, ports: [${ports}], expect: Deny }`,
      ).join("\n"),
    );
    const planned = planLab(loaded.spec as LoadedSpec);
    expect(planned.ok).toBe(false);
    if (!planned.ok)
      expect(planned.problems).toEqual([
        `the assertions ask for 6000 connections; the lab makes at most ${MAX_PROBES}`,
      ]);
  });
});
