/** `tierwall flow` and `tierwall exposure` on a VM with a public IP, as a user runs them. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "tierwall-pip-"));
beforeAll(requireBuild);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A VM on a Dynamic address with a public IP of `sku`; an NSG allowing RDP from the Internet on its NIC when `nsg`. */
function spec(name: string, sku: "Basic" | "Standard", nsg: boolean): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses: [{ name: pip-web, sku: ${sku} }]
networkInterfaces:
  - name: vm1
${nsg ? "    networkSecurityGroup: rdp\n" : ""}    ipConfigurations:
      - { privateIPAllocationMethod: Dynamic, subnet: web, publicIPAddress: pip-web }
${
  nsg
    ? `networkSecurityGroups:
  - name: rdp
    securityRules:
      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }
`
    : ""
}`,
  );
  return file;
}

const flow = (file: string, ...extra: string[]) =>
  tierwall(["flow", file, "--from", "192.0.2.77", "--to", "nic:vm1", "--port", "3389", ...extra]);

describe("a VM with a public IP, from the command line", () => {
  it("Standard with no NSG: flow denies it, closed by default, and exposure shows nothing", () => {
    const file = spec("standard", "Standard", false);
    const r = flow(file);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "Deny: Standard public IP pip-web is closed to inbound traffic unless an NSG allows it, and no NSG applies to network interface vm1 or subnet vnet/web",
    );
    expect(r.stdout).toContain(
      "route: public, across the Internet, from 192.0.2.77 to <pip-web>, translated to 10.0.1.x",
    );
    const json = JSON.parse(flow(file, "--json").stdout);
    expect([json.access, json.rule]).toEqual(["Deny", null]);
    const exposure = tierwall(["exposure", file]);
    expect(exposure.stdout).toBe("network interface vm1 (public IP pip-web)\n  nothing\n");
  });

  it("Basic with no NSG: allowed, and exposed to everything", () => {
    const file = spec("basic", "Basic", false);
    expect(flow(file).stdout.split("\n")[0]).toBe("Allow: no NSG on the path");
    expect(tierwall(["exposure", file]).stdout).toContain(
      "Tcp,Udp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> 10.0.1.x ports *",
    );
  });

  it("Standard with an NSG allowing RDP from the Internet: allowed by its rule, and exposed on RDP only", () => {
    const file = spec("allowed", "Standard", true);
    const r = flow(file);
    expect(r.stdout.split("\n")[0]).toBe(
      "Allow by securityRules/allow-rdp of rdp (networkInterface vm1)",
    );
    expect(r.stdout).toContain("Tcp 192.0.2.77:49152 -> 10.0.1.x:3389");
    const exposure = tierwall(["exposure", file, "--json"]);
    const [entry] = JSON.parse(exposure.stdout).exposure;
    expect(entry).toMatchObject({
      networkInterface: "vm1",
      publicAddress: "<pip-web>",
      publicIPAddress: "pip-web",
      omitted: 0,
    });
    expect(
      entry.exposed.map(
        (l: { protocols: string[]; destination: string[]; destinationPorts: string[] }) => [
          l.protocols,
          l.destination,
          l.destinationPorts,
        ],
      ),
    ).toEqual([[["Tcp"], ["10.0.1.x"], ["3389"]]]);
  });
});
