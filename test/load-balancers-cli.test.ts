/**
 * A VM behind a public load balancer's inbound NAT rule, from the command
 * line: `tierwall flow` to the frontend port names the NAT rule and the NSG
 * rule (text and --json), and is denied once the NSG rule is gone; a quickstart
 * with a load balancer imports and answers the same way, and so do the same VM
 * and load balancer written as Terraform and as an az CLI script.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";
import { sharedFile, titled } from "./support/environment.js";

const work = mkdtempSync(join(tmpdir(), "tierwall-lb-"));
beforeAll(requireBuild);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function spec(name: string, rdp: boolean): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    `virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: web, addressPrefix: 10.0.1.0/24, networkSecurityGroup: web-nsg }]
publicIPAddresses: [{ name: pip-lb, sku: Standard }]
loadBalancers:
  - name: lb
    sku: Standard
    frontendIPConfigurations: [{ name: fe, publicIPAddress: pip-lb }]
    inboundNatRules:
      - { name: rdp-vm1, frontendIPConfiguration: fe, protocol: Tcp, frontendPort: 50001, backendPort: 3389 }
networkInterfaces:
  - name: vm1
    ipConfigurations:
      - { name: ipconfig1, privateIPAllocationMethod: Dynamic, subnet: web, loadBalancerInboundNatRules: [lb/rdp-vm1] }
networkSecurityGroups:
  - name: web-nsg
    securityRules:
${
  rdp
    ? `      - { name: allow-rdp, protocol: Tcp, access: Allow, priority: 100, direction: Inbound,
          sourceAddressPrefix: Internet, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "3389" }`
    : "      []"
}
`,
  );
  return file;
}

const flow = (file: string, ...extra: string[]) =>
  tierwall(["flow", file, "--from", "192.0.2.77", "--to", "lb:lb", "--port", "50001", ...extra]);

describe("a VM behind a public load balancer's inbound NAT rule, from the command line", () => {
  it("is allowed from the Internet on the frontend port, with the NAT rule and the NSG rule in the trace", () => {
    const file = spec("open", true);
    const r = flow(file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n").slice(0, 4)).toEqual([
      "Allow by securityRules/allow-rdp of web-nsg (subnet vnet/web)",
      "  192.0.2.77 (Internet) -> load balancer lb frontend fe (public IP pip-lb)",
      "  load balancer: lb (Standard), frontend fe <pip-lb>:50001, inbound NAT rule rdp-vm1: Tcp port 50001 -> port 3389",
      "  route: public, across the Internet, from 192.0.2.77 to <pip-lb>:50001, translated by inbound NAT rule rdp-vm1 to 10.0.1.x:3389, the client's address kept",
    ]);
    expect(r.stdout).toContain(
      "Tcp 192.0.2.77:49152 -> 10.0.1.x:3389  Allow   securityRules/allow-rdp (100)",
    );
    const json = JSON.parse(flow(file, "--json").stdout);
    expect([json.access, json.rule, json.nsg]).toEqual([
      "Allow",
      "securityRules/allow-rdp",
      "web-nsg",
    ]);
    expect(json.loadBalancer.rule).toMatchObject({
      kind: "inboundNatRule",
      name: "rdp-vm1",
      natVersion: 1,
      backendPort: 3389,
    });
    expect(json.loadBalancer.backends).toEqual([
      expect.objectContaining({
        backend: "network interface vm1 (ipconfig1)",
        translatedTo: "10.0.1.x:3389",
        access: "Allow",
        rule: "securityRules/allow-rdp",
      }),
    ]);
    expect(json.trace[0]).toMatchObject({
      packet: "Tcp 192.0.2.77:49152 -> 10.0.1.x:3389",
      rule: "securityRules/allow-rdp",
    });
  });

  it("is denied once the rule allowing RDP is removed", () => {
    const r = flow(spec("closed", false));
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "Deny by defaultSecurityRules/DenyAllInBound of web-nsg (subnet vnet/web)",
    );
    expect(r.stdout).toContain("inbound NAT rule rdp-vm1: Tcp port 50001 -> port 3389");
  });

  it("has no route on another frontend port, and exposure shows the NAT port", () => {
    const file = spec("open2", true);
    const r = tierwall([
      "flow",
      file,
      "--from",
      "Internet",
      "--to",
      "pip:pip-lb",
      "--port",
      "50002",
    ]);
    expect(r.stdout.split("\n")[0]).toBe(
      "Deny, no route: load balancer lb: no load-balancing or inbound NAT rule takes Tcp port 50002 of frontend fe",
    );
    expect(tierwall(["exposure", file]).stdout).toBe(
      "load balancer lb frontend fe (public IP pip-lb), inbound NAT rule rdp-vm1 to network interface vm1 (ipconfig1) (10.0.1.x:3389)\n  Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32 -> <pip-lb> ports 50001\n",
    );
  });

  it("refuses a frontend as the caller, with the reason", () => {
    const r = tierwall([
      "flow",
      spec("from", true),
      "--from",
      "lb:lb",
      "--to",
      "nic:vm1",
      "--port",
      "3389",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("receives flows and forwards them to its backends; it starts none");
  });
});

const quickstart = sharedFile(
  "fixtures/real/06-azure-quickstart-templates--quickstarts--microsoft.compute--2-vms-loadbalancer-natrules--azuredeploy.json",
);

describe("the 2-vms-loadbalancer-natrules quickstart, imported and asked", () => {
  it.skipIf(quickstart.missing !== undefined)(
    titled("imports, checks, and denies RDP on each NAT port by its empty NSG", quickstart.missing),
    () => {
      const out = join(work, "quickstart.yaml");
      const imported = tierwall(["import", quickstart.path, "-o", out]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain("1 load balancer");
      expect(readFileSync(out, "utf8")).toContain("loadBalancerInboundNatRules:");
      expect(tierwall(["check", out]).code).toBe(0);
      for (const port of ["5000", "5001"]) {
        const r = tierwall(["flow", out, "--from", "Internet", "--to", "lb:myLB", "--port", port]);
        expect(r.stdout.split("\n")[0]).toBe(
          "Deny by defaultSecurityRules/DenyAllInBound of Subnet-1-nsg (subnet myVNET/Subnet-1)",
        );
        expect(r.stdout).toContain(
          `inbound NAT rule RDP-VM${Number(port) - 5000}: Tcp port ${port} -> port 3389`,
        );
      }
    },
  );
});

/** The same VM, load balancer and NSG, as Terraform and as an az CLI script. */
const TERRAFORM = (rdp: boolean) => `
resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.0.0.0/16"]
}
resource "azurerm_subnet" "web" {
  name                 = "web"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.0.1.0/24"]
  network_security_group_id = azurerm_network_security_group.web.id
}
resource "azurerm_network_security_group" "web" {
  name                = "web-nsg"
  location            = "westeurope"
  resource_group_name = "rg"
${
  rdp
    ? `  security_rule {
    name                       = "allow-rdp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "3389"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }`
    : ""
}
}
resource "azurerm_public_ip" "lb" {
  name                = "pip-lb"
  location            = "westeurope"
  resource_group_name = "rg"
  allocation_method   = "Static"
  sku                 = "Standard"
}
resource "azurerm_lb" "lb" {
  name                = "lb"
  location            = "westeurope"
  resource_group_name = "rg"
  sku                 = "Standard"
  frontend_ip_configuration {
    name                 = "fe"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}
resource "azurerm_lb_nat_rule" "rdp" {
  name                           = "rdp-vm1"
  resource_group_name            = "rg"
  loadbalancer_id                = azurerm_lb.lb.id
  protocol                       = "Tcp"
  frontend_port                  = 50001
  backend_port                   = 3389
  frontend_ip_configuration_name = "fe"
}
resource "azurerm_network_interface" "vm1" {
  name                = "vm1"
  location            = "westeurope"
  resource_group_name = "rg"
  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.web.id
    private_ip_address_allocation = "Dynamic"
  }
}
resource "azurerm_network_interface_nat_rule_association" "vm1" {
  network_interface_id  = azurerm_network_interface.vm1.id
  ip_configuration_name = "ipconfig1"
  nat_rule_id           = azurerm_lb_nat_rule.rdp.id
}
`;

const AZ_SCRIPT = (rdp: boolean) => `#!/bin/bash
rg=myResourceGroup
az network vnet create -g $rg -n vnet --address-prefix 10.0.0.0/16 --subnet-name web --subnet-prefix 10.0.1.0/24
az network nsg create -g $rg -n web-nsg
${
  rdp
    ? `az network nsg rule create -g $rg --nsg-name web-nsg -n allow-rdp --priority 100 --direction Inbound \\
  --access Allow --protocol Tcp --source-address-prefixes Internet --destination-port-ranges 3389`
    : ""
}
az network vnet subnet update -g $rg --vnet-name vnet -n web --network-security-group web-nsg
az network public-ip create -g $rg -n pip-lb --sku Standard
az network lb create -g $rg -n lb --sku Standard --public-ip-address pip-lb --frontend-ip-name fe --backend-pool-name pool
az network lb inbound-nat-rule create -g $rg --lb-name lb -n rdp-vm1 --protocol Tcp \\
  --frontend-port 50001 --backend-port 3389 --frontend-ip-name fe
az network nic create -g $rg -n vm1 --vnet-name vnet --subnet web --lb-name lb --lb-inbound-nat-rules rdp-vm1
`;

describe.each([
  ["Terraform", "main.tf", TERRAFORM],
  ["an az CLI script", "deploy.sh", AZ_SCRIPT],
])("the same VM behind the inbound NAT rule, imported from %s", (_, file, source) => {
  const imported = (name: string, rdp: boolean) => {
    const dir = join(work, `${name}-${file}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, file), source(rdp));
    const out = join(dir, "tierwall.yaml");
    const r = tierwall(["import", join(dir, file), "-o", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("1 load balancer");
    return out;
  };

  it("is allowed from the Internet on the frontend port, with the NAT rule and the NSG rule in the trace", () => {
    const r = tierwall([
      "flow",
      imported("open", true),
      "--from",
      "Internet",
      "--to",
      "lb:lb",
      "--port",
      "50001",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect([json.access, json.rule, json.nsg]).toEqual([
      "Allow",
      "securityRules/allow-rdp",
      "web-nsg",
    ]);
    expect(json.loadBalancer.rule).toMatchObject({
      kind: "inboundNatRule",
      name: "rdp-vm1",
      backendPort: 3389,
    });
    expect(json.trace[0]).toMatchObject({ rule: "securityRules/allow-rdp" });
  });

  it("is denied once the NSG rule allowing RDP is removed", () => {
    const r = tierwall([
      "flow",
      imported("closed", false),
      "--from",
      "Internet",
      "--to",
      "lb:lb",
      "--port",
      "50001",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "Deny by defaultSecurityRules/DenyAllInBound of web-nsg (subnet vnet/web)",
    );
    expect(r.stdout).toContain("inbound NAT rule rdp-vm1: Tcp port 50001 -> port 3389");
  });
});
