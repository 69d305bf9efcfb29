/**
 * Virtual machine scale sets: each network interface configuration stands
 * for every instance as `vmss:NAME`, a Dynamic host of its subnet with the
 * configuration's NSG, ASGs, load balancer pools and inbound NAT pools, and a
 * per-instance public address; validated with located errors.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText, networkOf } from "../../test/support/spec.js";
import { lint } from "../analysis/lint.js";
import { exposureOf } from "../analysis/matrix.js";
import { ReachAnalyzer } from "../analysis/reach.js";
import { formatIpAddress } from "../net/address.js";
import { FlowEvaluator, type FlowResult } from "./flow.js";

interface Options {
  readonly capacity?: number;
  readonly natEnd?: number;
  readonly sshRule?: boolean;
  readonly publicIp?: string;
  readonly nicNsg?: boolean;
  readonly extraConfig?: string;
}

/** A scale set behind a public Standard load balancer: HTTPS by a rule, SSH by a NAT pool. */
function spec(o: Options = {}): string {
  const { capacity = 3, natEnd = 50099, sshRule = true, publicIp, nicNsg = false } = o;
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - { name: web, addressPrefix: 10.0.1.0/24${nicNsg ? "" : ", networkSecurityGroup: web-nsg"} }
      - { name: admin, addressPrefix: 10.0.9.0/24 }
applicationSecurityGroups:
  - name: web-asg
publicIPAddresses: [{ name: pip-lb, sku: Standard, ipAddress: 20.50.60.70 }]
loadBalancers:
  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    backendAddressPools: [{ name: pool }]
    loadBalancingRules:
      - { name: https, frontendIPConfiguration: fe, backendAddressPool: pool, protocol: Tcp, frontendPort: 443, backendPort: 443 }
    inboundNatPools:
      - { name: ssh, frontendIPConfiguration: fe, protocol: Tcp, frontendPortRangeStart: 50000, frontendPortRangeEnd: ${natEnd}, backendPort: 22 }
networkInterfaces:
  - name: jump
    ipConfigurations: [{ name: ipconfig1, privateIPAddress: 10.0.9.4, subnet: admin }]
virtualMachineScaleSets:
  - name: web
    sku: { name: Standard_B2s, capacity: ${capacity} }
    networkProfile:
      networkInterfaceConfigurations:
        - name: nic
          primary: true${nicNsg ? "\n          networkSecurityGroup: web-nsg" : ""}
          ipConfigurations:
            - name: ipconfig
              subnet: web
              applicationSecurityGroups: [web-asg]
              loadBalancerBackendAddressPools: [lb/pool]
              loadBalancerInboundNatPools: [lb/ssh]${publicIp ? `\n              publicIPAddressConfiguration: ${publicIp}` : ""}${o.extraConfig ?? ""}
networkSecurityGroups:
  - name: web-nsg
    securityRules:
      - { name: https-to-web, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: Internet, sourcePortRange: "*", destinationApplicationSecurityGroups: [web-asg], destinationPortRange: "443" }
${sshRule ? `      - { name: ssh-admins, protocol: Tcp, access: Allow, priority: 110, direction: Inbound, sourceAddressPrefix: 198.51.100.0/24, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "22" }` : ""}
`;
}

function flow(text: string, from: string, to: string, port: number): FlowResult {
  const evaluated = new FlowEvaluator(networkOf(text)).evaluate({
    from,
    to,
    protocol: "Tcp",
    destinationPort: port,
  });
  if (!evaluated.ok) throw new Error(evaluated.message);
  return evaluated.result;
}

function errors(text: string) {
  return loadSpecText(text)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => ({
      code: d.code,
      message: d.message,
      line: d.location?.line,
      path: d.path.join("."),
    }));
}

describe("a scale set in the model", () => {
  it("stands as one interface vmss:NAME, a Dynamic host of its subnet outside Azure's reserved addresses", () => {
    const network = networkOf(spec());
    const nic = network.nics.get("vmss:web");
    expect(nic?.scaleSet).toBe("web");
    const config = nic?.ipConfigurations[0];
    expect(config?.dynamic).toBe(true);
    // 10.0.1.0-3 are Azure's: the first free host is .4.
    expect(config && formatIpAddress(config.address)).toBe("10.0.1.4");
    expect(config?.address.label).toBe("10.0.1.x");
  });

  it("is a member of the ASGs its IP configuration names, so a rule naming only it is not empty", () => {
    const text = spec();
    const network = networkOf(text);
    expect(network.asgMembers.get("web-asg")?.map((a) => formatIpAddress(a))).toEqual(["10.0.1.4"]);
    const codes = lint(new ReachAnalyzer(network)).map((d) => d.code);
    expect(codes).not.toContain("EmptyRule");
    expect(codes).not.toContain("AsgWithoutMembers");
  });

  it("is reached directly by what its subnet's NSG allows, by ASG", () => {
    const text = spec({ publicIp: "{ name: pub, sku: Standard }" });
    const allowed = flow(text, "Internet", "vmss:web", 443);
    expect([allowed.access, allowed.rule]).toEqual(["Allow", "securityRules/https-to-web"]);
    const denied = flow(text, "Internet", "vmss:web", 8080);
    expect([denied.access, denied.rule]).toEqual(["Deny", "defaultSecurityRules/DenyAllInBound"]);
    const inside = flow(text, "jump", "vmss:web", 8080);
    expect([inside.access, inside.rule]).toEqual([
      "Allow",
      "defaultSecurityRules/AllowVnetInBound",
    ]);
  });

  it("is judged by the NSG of its network interface configuration", () => {
    const r = flow(spec({ nicNsg: true }), "jump", "vmss:web", 3389);
    expect([r.access, r.nsg]).toEqual(["Allow", "web-nsg"]);
    const out = flow(spec({ nicNsg: true, sshRule: false }), "Internet", "lb:lb", 50010);
    expect([out.access, out.rule]).toEqual(["Deny", "defaultSecurityRules/DenyAllInBound"]);
  });

  it("is reached through the load-balancing rule, translated to its address and port", () => {
    const r = flow(spec(), "Internet", "lb:lb", 443);
    expect(r.access).toBe("Allow");
    expect(r.loadBalancer?.rule).toMatchObject({ kind: "loadBalancingRule", name: "https" });
    expect(r.loadBalancer?.backends.map((b) => [b.backend, b.translatedTo])).toEqual([
      ["scale set web (vmss:web, ipconfig)", "10.0.1.x:443"],
    ]);
  });

  it("is reached through its inbound NAT pool on any port of the range, translated to the backend port", () => {
    for (const port of [50000, 50042, 50099]) {
      const r = flow(spec(), "198.51.100.7", "lb:lb", port);
      expect(r.access).toBe("Allow");
      expect(r.rule).toBe("securityRules/ssh-admins");
      expect(r.loadBalancer?.rule).toMatchObject({
        kind: "inboundNatPool",
        name: "ssh",
        frontendPorts: "50000-50099",
        backendPort: 22,
      });
      expect(r.trace.map((t) => t.packet)).toEqual(["Tcp 198.51.100.7:49152 -> 10.0.1.x:22"]);
    }
    // Past the range no rule takes the port; without the NSG rule the default denies.
    expect(flow(spec(), "198.51.100.7", "lb:lb", 50100).access).toBe("Deny");
    const denied = flow(spec({ sshRule: false }), "198.51.100.7", "lb:lb", 50001);
    expect([denied.access, denied.rule]).toEqual(["Deny", "defaultSecurityRules/DenyAllInBound"]);
  });

  it("shows in exposure through the NAT pool and the rule, as load balancer NAT rules do", () => {
    const exposure = exposureOf(new ReachAnalyzer(networkOf(spec())));
    const pool = exposure.find((e) => e.rule === "inbound NAT pool ssh");
    expect(pool).toMatchObject({
      loadBalancer: "lb",
      backend: "scale set web (vmss:web, ipconfig)",
      translatedTo: "10.0.1.x:22",
    });
    expect(pool?.exposed).toEqual([
      expect.objectContaining({
        source: ["198.51.100.0/24"],
        destination: ["20.50.60.70/32"],
        destinationPorts: ["50000-50099"],
      }),
    ]);
    expect(exposure.some((e) => e.rule === "load-balancing rule https")).toBe(true);
  });

  it("gives each instance a public address of its own: Basic (open) when no SKU is given, Standard closed", () => {
    const open = flow(
      spec({ publicIp: "{ name: pub }", nicNsg: false }),
      "Internet",
      "vmss:web",
      443,
    );
    expect(open.access).toBe("Allow");
    expect(open.routeReason).toContain("<vmss:web/pub>");
    const network = networkOf(spec({ publicIp: "{ name: pub }" }));
    expect(network.publicIps.get("vmss:web/pub")).toMatchObject({ sku: "Basic", known: false });
    const standard = networkOf(spec({ publicIp: "{ name: pub, sku: Standard }" }));
    expect(standard.publicIps.get("vmss:web/pub")?.sku).toBe("Standard");
    const exposure = exposureOf(new ReachAnalyzer(network));
    expect(exposure.find((e) => e.networkInterface === "vmss:web")?.publicIPAddress).toBe(
      "vmss:web/pub",
    );
  });

  it("names a second network interface configuration vmss:NAME/CONFIG", () => {
    const text = spec().replace(
      "        - name: nic\n          primary: true",
      "        - name: second\n          ipConfigurations: [{ name: ip2, subnet: admin }]\n        - name: nic\n          primary: true",
    );
    const network = networkOf(text);
    expect([...network.nics.keys()].filter((n) => n.startsWith("vmss:"))).toEqual([
      "vmss:web/second",
      "vmss:web",
    ]);
    expect(flow(text, "Internet", "lb:lb", 443).access).toBe("Allow");
  });
});

describe("a scale set behind an application gateway", () => {
  it("joins the gateway's backend pool and is reached from the gateway's subnet", () => {
    const example = readFileSync(
      join(import.meta.dirname, "../../examples/application-gateway/tierwall.yaml"),
      "utf8",
    );
    const text = example.replace(
      /networkInterfaces:[\s\S]*?(?=networkSecurityGroups:)/,
      `virtualMachineScaleSets:
  - name: web
    networkProfile:
      networkInterfaceConfigurations:
        - name: nic
          ipConfigurations:
            - { name: ipconfig, subnet: web, applicationGatewayBackendAddressPools: [web-gateway/web] }

`,
    );
    expect(text).toContain("virtualMachineScaleSets");
    const r = flow(text, "Internet", "agw:web-gateway", 443);
    expect(r.access).toBe("Allow");
    expect(r.applicationGateway?.backends.map((b) => b.backend)).toEqual([
      "scale set web (vmss:web, ipconfig)",
    ]);
  });
});

describe("a scale set Azure would refuse", () => {
  it("has more instances than its NAT pool has ports", () => {
    expect(errors(spec({ capacity: 5, natEnd: 50003 }))).toEqual([
      expect.objectContaining({
        code: "InvalidInboundNatPool",
        message:
          "load balancer lb: inbound NAT pool ssh: 5 instances take a port of it and its range has 4; each instance needs one",
        path: "loadBalancers.0.inboundNatPools.0.frontendPortRangeEnd",
        line: 19,
      }),
    ]);
  });

  it("names a NAT pool, pool or subnet that does not exist, at the reference", () => {
    const text = spec()
      .replace("[lb/ssh]", "[lb/rdp]")
      .replace("subnet: web\n", "subnet: nowhere\n");
    expect(errors(text).map((e) => [e.code, e.message, e.path])).toEqual([
      [
        "InvalidResourceReference",
        'subnet "nowhere" is not defined',
        "virtualMachineScaleSets.0.networkProfile.networkInterfaceConfigurations.0.ipConfigurations.0.subnet",
      ],
      [
        "InvalidResourceReference",
        'load balancer lb has no inbound NAT pool "rdp"',
        "virtualMachineScaleSets.0.networkProfile.networkInterfaceConfigurations.0.ipConfigurations.0.loadBalancerInboundNatPools.0",
      ],
    ]);
  });

  it("has two network interface configurations and none primary, or none at all", () => {
    const two = spec().replace(
      "        - name: nic\n          primary: true",
      "        - name: second\n          ipConfigurations: [{ name: ip2, subnet: admin }]\n        - name: nic",
    );
    expect(errors(two).map((e) => [e.code, e.path])).toEqual([
      [
        "InvalidScaleSetNetworkProfile",
        "virtualMachineScaleSets.0.networkProfile.networkInterfaceConfigurations",
      ],
    ]);
    const none = spec().replace(
      /networkInterfaceConfigurations:\n[\s\S]*?networkSecurityGroups:/,
      "networkInterfaceConfigurations: []\nnetworkSecurityGroups:",
    );
    expect(errors(none).map((e) => e.code)).toContain("InvalidScaleSetNetworkProfile");
  });

  it("forwards IP (enableIPForwarding), which is named as not modelled, at the field", () => {
    const text = spec().replace(
      "        - name: nic\n          primary: true",
      "        - name: nic\n          primary: true\n          enableIPForwarding: true",
    );
    const warned = loadSpecText(text).diagnostics.filter(
      (d) => d.code === "IpForwardingNotModelled",
    );
    expect(warned.map((d) => [d.path.join("."), d.location?.line])).toEqual([
      [
        "virtualMachineScaleSets.0.networkProfile.networkInterfaceConfigurations.0.enableIPForwarding",
        30,
      ],
    ]);
  });

  it("has a NAT pool whose ports a load-balancing rule of the frontend takes too", () => {
    const text = spec().replace(
      "frontendPort: 443, backendPort: 443",
      "frontendPort: 50010, backendPort: 443",
    );
    expect(errors(text).map((e) => [e.code, e.path])).toEqual([
      [
        "LoadBalancerFrontendPortConflict",
        "loadBalancers.0.inboundNatPools.0.frontendPortRangeStart",
      ],
    ]);
  });

  it("has an inbound NAT pool whose range ends before it starts, or a key the spec does not know", () => {
    expect(errors(spec({ natEnd: 49000 })).map((e) => e.code)).toEqual(["InvalidInboundNatPool"]);
    const typo = errors(spec({ extraConfig: "\n              loadBalancerInboundNatRules: []" }));
    expect(typo[0]?.path).toContain("virtualMachineScaleSets.0.networkProfile");
    expect(typo[0]?.line).toBeGreaterThan(0);
  });
});
