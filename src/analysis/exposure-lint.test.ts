import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { closingDenies } from "./deny-all.js";
import { ADMIN_PORTS, adminPackets } from "./exposure-lint.js";
import { lint } from "./lint.js";
import { exposureOf } from "./matrix.js";
import { ReachAnalyzer } from "./reach.js";

const findings = (text: string) => lint(new ReachAnalyzer(networkOf(text)));
const of = (found: Diagnostic[], code: string) => found.filter((d) => d.code === code);

const rule = (
  name: string,
  priority: number,
  access: string,
  source: string,
  port: string,
  protocol = "Tcp",
) =>
  `{ name: ${name}, priority: ${priority}, direction: Inbound, access: ${access}, protocol: "${protocol}", sourceAddressPrefix: "${source}", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "${port}" }`;

/**
 * One subnet, VMs with the given public IPs (SKU or none), and an NSG on the
 * subnet when rules are given (`nsg: false`: no NSG at all).
 */
function spec(options: {
  rules?: string[];
  nsg?: boolean;
  vms?: { name: string; sku?: "Basic" | "Standard"; address?: string }[];
  extra?: string;
}): string {
  const vms = options.vms ?? [{ name: "vm1", sku: "Basic" }];
  const nsg = options.nsg ?? true;
  const pips = vms.filter((v) => v.sku);
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: app, addressPrefix: 10.0.1.0/24${nsg ? ", networkSecurityGroup: nsg" : ""} }]
${pips.length > 0 ? `publicIPAddresses:\n${pips.map((v, i) => `  - { name: ${v.name}-pip, sku: ${v.sku}, ipAddress: 198.51.100.${i + 10} }`).join("\n")}` : ""}
networkInterfaces:
${vms
  .map(
    (v, i) =>
      `  - name: ${v.name}-nic\n    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.1.${i + 4}, subnet: app${v.sku ? `, publicIPAddress: ${v.name}-pip` : v.address ? `, publicIPAddress: ${v.address}` : ""} }]`,
  )
  .join("\n")}
networkSecurityGroups:
  - name: nsg
    securityRules: [${(options.rules ?? []).join(", ")}]
${options.extra ?? ""}`;
}

describe("administrative ports", () => {
  it("know their protocols: SSH is TCP, RDP is TCP and UDP", () => {
    const ssh = ADMIN_PORTS.find((a) => a.port === 22);
    const rdp = ADMIN_PORTS.find((a) => a.port === 3389);
    expect(ssh?.protocols).toEqual(["Tcp"]);
    expect(rdp?.protocols).toEqual(["Tcp", "Udp"]);
    const all = adminPackets(new ReachAnalyzer(networkOf(spec({}))).outside);
    const packet = (protocol: "Tcp" | "Udp", port: number) => ({
      protocol,
      source: { family: 4 as const, value: 0xc0000201n },
      sourcePort: 40000,
      destination: { family: 4 as const, value: 0x0a000104n },
      destinationPort: port,
    });
    expect(all.has(packet("Tcp", 22))).toBe(true);
    expect(all.has(packet("Udp", 22))).toBe(false);
    expect(all.has(packet("Udp", 3389))).toBe(true);
  });

  it("Allow Udp 22 from * is no SSH exposure; Allow Udp 3389 is RDP's", () => {
    const udp22 = findings(spec({ rules: [rule("udp-22", 100, "Allow", "*", "22", "Udp")] }));
    expect(of(udp22, "InternetExposedAdminPort")).toEqual([]);
    expect(of(udp22, "AdminPortAllowedFromInternet")).toEqual([]);
    const udp3389 = findings(spec({ rules: [rule("udp-rdp", 100, "Allow", "*", "3389", "Udp")] }));
    expect(of(udp3389, "InternetExposedAdminPort").map((d) => d.message)).toEqual([
      expect.stringContaining("on RDP (Udp 3389)"),
    ]);
  });
});

describe("Internet exposure per endpoint", () => {
  it("names the missing NSG behind a Basic public IP, once, at the configuration's public IP", () => {
    const text = spec({ nsg: false, vms: [{ name: "vm1", sku: "Basic" }] });
    const found = of(findings(text), "InternetExposedAdminPort");
    expect(found).toHaveLength(1);
    const d = found[0] as Diagnostic;
    expect(d.severity).toBe("error");
    expect(d.path).toEqual(["networkInterfaces", 0, "ipConfigurations", 0]);
    expect(d.message).toContain(
      "network interface vm1-nic is reachable from the Internet on SSH (Tcp 22)",
    );
    expect(d.message).toContain("RDP (Tcp/Udp 3389)");
    expect(d.message).toContain("through Basic public IP vm1-pip");
    expect(d.message).toContain(
      "no NSG on subnet vnet/app or network interface vm1-nic, and a Basic public IP is open by default",
    );
    expect(d.hint).toContain("put an NSG on its subnet or network interface");
    // exposure agrees: everything is open.
    const exposure = exposureOf(new ReachAnalyzer(networkOf(text)));
    expect(exposure.find((e) => e.networkInterface === "vm1-nic")?.exposed.length).toBeGreaterThan(
      0,
    );
  });

  it("finds nothing behind a Standard public IP with no NSG, and exposure shows nothing either", () => {
    const text = spec({ nsg: false, vms: [{ name: "vm1", sku: "Standard" }] });
    const found = findings(text);
    expect(of(found, "InternetExposedAdminPort")).toEqual([]);
    const exposure = exposureOf(new ReachAnalyzer(networkOf(text)));
    expect(exposure.find((e) => e.networkInterface === "vm1-nic")?.exposed).toEqual([]);
  });

  it("reads a public address given without its resource as open, as a Basic public IP", () => {
    const found = findings(spec({ nsg: false, vms: [{ name: "vm1", address: "198.51.100.9" }] }));
    expect(of(found, "InternetExposedAdminPort")[0]?.message).toContain(
      "a public address given without its public IP resource is read as open by default",
    );
  });

  it("names the rule that lets it in, whatever the SKU, and reports each endpoint once", () => {
    const text = spec({
      rules: [rule("ssh", 100, "Allow", "*", "22"), rule("rdp", 200, "Allow", "Internet", "3389")],
      vms: [{ name: "vm1", sku: "Standard" }, { name: "vm2", sku: "Basic" }, { name: "vm3" }],
    });
    const found = of(findings(text), "InternetExposedAdminPort");
    expect(found.map((d) => d.message.split(" is ")[0])).toEqual([
      "network interface vm1-nic",
      "network interface vm2-nic",
    ]);
    for (const d of found) {
      expect(d.path).toEqual(["networkSecurityGroups", 0, "securityRules", 0]);
      expect(d.message).toContain("SSH (Tcp 22), RDP (Tcp 3389)");
      expect(d.message).toContain(
        "let in by nsg's securityRules/ssh (100) on subnet vnet/app and nsg's securityRules/rdp (200) on subnet vnet/app",
      );
    }
    // The rules expose endpoints: no latent finding for them besides.
    expect(of(findings(text), "AdminPortAllowedFromInternet")).toEqual([]);
  });

  it("says a rule no exposed endpoint uses is not an exposure, as a warning", () => {
    const found = findings(
      spec({ rules: [rule("ssh", 100, "Allow", "*", "22")], vms: [{ name: "vm1" }] }),
    );
    expect(of(found, "InternetExposedAdminPort")).toEqual([]);
    const latent = of(found, "AdminPortAllowedFromInternet");
    expect(latent.map((d) => [d.severity, d.path.join(".")])).toEqual([
      ["warning", "networkSecurityGroups.0.securityRules.0"],
    ]);
    expect(latent[0]?.message).toContain("not an exposure today");
    // A deny before it, or a narrow source, leaves nothing to say.
    const denied = findings(
      spec({
        rules: [rule("no-ssh", 100, "Deny", "*", "22"), rule("ssh", 200, "Allow", "*", "22")],
        vms: [{ name: "vm1" }],
      }),
    );
    expect(of(denied, "AdminPortAllowedFromInternet")).toEqual([]);
    const narrow = findings(
      spec({
        rules: [rule("ssh", 100, "Allow", "198.51.100.0/24", "22")],
        vms: [{ name: "vm1", sku: "Basic" }],
      }),
    );
    expect(of(narrow, "InternetExposedAdminPort")).toEqual([]);
    expect(of(narrow, "AdminPortAllowedFromInternet")).toEqual([]);
    // A private range is a corporate network's, not the Internet's, however wide.
    const corporate = findings(
      spec({
        rules: [
          rule("ssh", 100, "Allow", "10.0.0.0/8", "22"),
          rule("rdp", 110, "Allow", "172.16.0.0/12", "3389"),
        ],
        vms: [{ name: "vm1", sku: "Basic" }],
      }),
    );
    expect(of(corporate, "InternetExposedAdminPort")).toEqual([]);
    expect(of(corporate, "AdminPortAllowedFromInternet")).toEqual([]);
  });

  it("judges a load balancer's rule by its SKU: a Basic one with no NSG exposes RDP through its NAT rule", () => {
    const lb = (sku: string) => `
publicIPAddresses:
  - { name: lb-pip, sku: ${sku}, ipAddress: 203.0.113.40 }
loadBalancers:
  - name: lb
    sku: ${sku}
    frontendIPConfigurations: [{ name: fe, publicIPAddress: lb-pip }]
    inboundNatRules:
      - { name: rdp-vm1, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 50001, backendPort: 3389 }
`;
    const text = (sku: string) =>
      spec({ nsg: false, vms: [{ name: "vm1" }], extra: lb(sku) }).replace(
        "subnet: app }",
        "subnet: app, loadBalancerInboundNatRules: [lb/rdp-vm1] }",
      );
    const basic = of(findings(text("Basic")), "InternetExposedAdminPort");
    expect(basic).toHaveLength(1);
    expect(basic[0]?.message).toContain(
      "RDP (Tcp 3389) through Basic load balancer lb's inbound NAT rule rdp-vm1",
    );
    expect(basic[0]?.message).toContain("(frontend port 50001)");
    expect(basic[0]?.message).toContain("a Basic load balancer is open by default");
    expect(basic[0]?.path).toEqual(["loadBalancers", 0, "inboundNatRules", 0]);
    expect(basic[0]?.hint).toContain("or use a Standard load balancer");
    expect(of(findings(text("Standard")), "InternetExposedAdminPort")).toEqual([]);
    // Reached through its own public IP too: still one finding, naming both ways in.
    const both = of(
      findings(
        text("Basic").replace(
          "subnet: app, loadBalancerInboundNatRules",
          "subnet: app, publicIPAddress: 198.51.100.9, loadBalancerInboundNatRules",
        ),
      ),
      "InternetExposedAdminPort",
    );
    expect(both).toHaveLength(1);
    expect(both[0]?.message).toContain(
      "through public address 198.51.100.9 and Basic load balancer lb's inbound NAT rule rdp-vm1",
    );
  });
});

describe("scale sets", () => {
  it("are endpoints too: instances' public IPs (Basic when no SKU is given) with no NSG expose them", () => {
    const text = (sku: string) => `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: app, addressPrefix: 10.0.1.0/24 }]
networkInterfaces: []
networkSecurityGroups: []
virtualMachineScaleSets:
  - name: web
    orchestrationMode: Uniform
    sku: { name: Standard_B2s, capacity: 2 }
    networkProfile:
      networkInterfaceConfigurations:
        - name: web-nic
          primary: true
          ipConfigurations:
            - name: ipconfig1
              subnet: app
              publicIPAddressConfiguration: { name: pub${sku} }
`;
    const basic = of(findings(text("")), "InternetExposedAdminPort");
    expect(basic.map((d) => d.message.split(" is ")[0])).toEqual(["scale set web"]);
    expect(basic[0]?.message).toContain(
      "through Basic public IP vmss:web/pub: no NSG on subnet vnet/app or scale set web's network interfaces",
    );
    expect(basic[0]?.path).toEqual([
      "virtualMachineScaleSets",
      0,
      "networkProfile",
      "networkInterfaceConfigurations",
      0,
      "ipConfigurations",
      0,
    ]);
    expect(of(findings(text(", sku: Standard")), "InternetExposedAdminPort")).toEqual([]);
  });
});

describe("NSGs associated with nothing", () => {
  it("are named once, and their rules are not linted", () => {
    const text = spec({
      rules: [rule("ssh", 100, "Allow", "*", "22")],
      vms: [{ name: "vm1", sku: "Basic" }],
    }).replace(", networkSecurityGroup: nsg", "");
    const found = findings(text).filter((d) => d.path[0] === "networkSecurityGroups");
    expect(found.map((d) => [d.severity, d.code, d.path.join(".")])).toEqual([
      ["info", "UnassociatedNsg", "networkSecurityGroups.0"],
    ]);
    expect(found[0]?.message).toBe(
      "nsg is associated with no subnet and no network interface: it filters nothing, and its 1 rule is not linted",
    );
  });

  it("are linted rule by rule in a spec of NSGs alone, where VirtualNetwork is unknown, not empty", () => {
    const text = `
networkSecurityGroups:
  - name: alone
    securityRules:
      - ${rule("deny-vnet", 100, "Deny", "VirtualNetwork", "*", "*")}
      - ${rule("allow-ssh", 200, "Allow", "10.0.0.0/8", "22")}
      - ${rule("also-ssh", 300, "Allow", "10.1.0.0/16", "22")}
`;
    const found = findings(text);
    expect(found.map((d) => d.code)).not.toContain("EmptyRule");
    expect(found.map((d) => d.code)).not.toContain("UnassociatedNsg");
    expect(found.map((d) => [d.code, d.path.join(".")])).toContainEqual([
      "RedundantRule",
      "networkSecurityGroups.0.securityRules.2",
    ]);
  });
});

describe("the deny-all pattern", () => {
  const denyAll = (priority: number) =>
    `{ name: deny-all, priority: ${priority}, direction: Inbound, access: Deny, protocol: "*", sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }`;

  it("gives no note for a deny of everything at 4000-4096 after the allows", () => {
    for (const priority of [4000, 4096]) {
      const found = findings(
        spec({
          rules: [rule("https", 100, "Allow", "10.0.0.0/16", "443"), denyAll(priority)],
          vms: [{ name: "vm1" }],
        }),
      );
      expect(found.filter((d) => d.path[0] === "networkSecurityGroups")).toEqual([]);
    }
  });

  it("is only the pattern at a low priority, and only when nothing gets through after it", () => {
    const early = findings(
      spec({
        rules: [rule("https", 100, "Allow", "10.0.0.0/16", "443"), denyAll(3000)],
        vms: [{ name: "vm1" }],
      }),
    );
    expect(early.map((d) => d.code)).toContain("GeneralizingRule");
    const partial = findings(
      spec({
        rules: [
          rule("https", 100, "Allow", "10.0.0.0/16", "443"),
          rule("deny-tcp", 4000, "Deny", "10.0.0.0/16", "*"),
        ],
        vms: [{ name: "vm1" }],
      }),
    );
    expect(partial.map((d) => d.code)).toContain("GeneralizingRule");
  });

  it("counts a deny of VirtualNetwork as the deny-all when the defaults let nothing else in", () => {
    const network = networkOf(
      spec({
        rules: [
          rule("https", 100, "Allow", "Internet", "443"),
          rule("deny-vnet", 4000, "Deny", "VirtualNetwork", "*", "*"),
        ],
        vms: [{ name: "vm1" }],
      }).replace(
        'destinationAddressPrefix: "*", destinationPortRange: "*" }]',
        'destinationAddressPrefix: "VirtualNetwork", destinationPortRange: "*" }]',
      ),
    );
    const analyzer = new ReachAnalyzer(network);
    expect([...closingDenies(analyzer.nsgDecisions("nsg", "vnet", "Inbound").effects)]).toEqual([
      "deny-vnet",
    ]);
  });
});
