/**
 * Every command of the CLI, run in-process, with user text that names what
 * every object inherits (toString, constructor, __proto__...) in every place
 * the user names something: arguments and options, and the names, tags,
 * protocols, keys and values of specs and imported files. Each run must end
 * with a located diagnostic or a normal answer: never an internal error.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/program.js";
import { Style } from "../src/cli/render/style.js";

const NAMES = [
  "toString",
  "constructor",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
  "isPrototypeOf",
  "propertyIsEnumerable",
  "toLocaleString",
  "__defineGetter__",
  "__lookupGetter__",
];

interface Run {
  readonly args: readonly string[];
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function cli(args: readonly string[]): Promise<Run> {
  let out = "";
  let err = "";
  const code = await runCli(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    style: new Style(false),
  });
  return { args, code, out, err };
}

/** A run that ended as the CLI means to: an answer, or what was wrong, never a crash. */
function sane(r: Run): string | undefined {
  const all = r.out + r.err;
  const what = `tierwall ${r.args.join(" ")} (exit ${r.code}):\n${all.slice(0, 2000)}`;
  if (![0, 1, 2].includes(r.code)) return what;
  if (
    /internal error|^\s+at .+\(.+:\d+:\d+\)$|\b(TypeError|RangeError|ReferenceError)\b/m.test(all)
  )
    return what;
  // A refusal says what is wrong: a diagnostic (placed when it is about a file) or a usage error.
  if (r.code === 2 && !/error|invalid/i.test(all)) return what;
  if (/\[object Object\]|function \w*\(\) \{ \[native code\] \}/.test(all)) return what;
  return undefined;
}

const json = (value: unknown) => JSON.stringify(value, null, 1);

/** A spec whose every name is `n`, referring to each other by that name. */
function namedSpec(n: string): object {
  return {
    description: n,
    virtualNetworks: [
      {
        name: n,
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: n, addressPrefix: "10.0.1.0/24", networkSecurityGroup: n }],
        virtualNetworkPeerings: [{ name: n, remoteVirtualNetwork: `${n}2` }],
      },
      {
        name: `${n}2`,
        addressSpace: { addressPrefixes: ["10.1.0.0/16"] },
        subnets: [{ name: `${n}3`, addressPrefix: "10.1.1.0/24" }],
        virtualNetworkPeerings: [{ name: n, remoteVirtualNetwork: { id: n } }],
      },
    ],
    networkSecurityGroups: [
      {
        name: n,
        tags: { [n]: n },
        securityRules: [
          {
            name: n,
            description: n,
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceApplicationSecurityGroups: [n],
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "443",
          },
        ],
      },
    ],
    applicationSecurityGroups: [{ name: n }],
    networkInterfaces: [
      {
        name: n,
        networkSecurityGroup: n,
        ipConfigurations: [
          { name: n, privateIPAddress: "10.0.1.5", subnet: n, applicationSecurityGroups: [n] },
        ],
      },
    ],
    environments: [
      { name: n, kind: "VirtualMachine", description: n, networkInterface: n },
      { name: `${n}2`, kind: "Workload", subnet: `${n}/${n}`, privateIPAddress: "10.0.1.6" },
    ],
    tiers: [
      {
        name: n,
        description: n,
        environments: [n],
        callers: [n, `${n}2`],
        ports: [443],
        allow: [{ source: "Internet", ports: [443] }],
        egress: [{ to: n }, { to: `${n}2` }],
      },
    ],
    assertions: [
      { name: n, from: `${n}2`, to: n, protocol: "Tcp", port: 443, expect: "Allow", rule: n },
      { name: n, kind: "onlyFrom", from: [`${n}2`, n], to: n },
      { kind: "reach", from: `env:${n}2`, to: `nic:${n}`, ports: [443] },
      { kind: "isolate", from: `subnet:${n}/${n}`, to: `env:${n}`, ports: [22] },
      { kind: "exposure", to: n, within: [{ source: n, protocol: "Tcp", ports: [443] }] },
    ],
  };
}

/** A spec whose values (enums, tags, ports, references) are `n`. */
function valuedSpec(n: string): object {
  return {
    virtualNetworks: [
      {
        name: "vnet",
        addressSpace: { addressPrefixes: [n] },
        connectedAddressPrefixes: [n],
        subnets: [{ name: "a", addressPrefix: n, networkSecurityGroup: { id: n } }],
        virtualNetworkPeerings: [{ remoteVirtualNetwork: { id: `/${n}` } }],
      },
    ],
    networkSecurityGroups: [
      {
        name: "nsg",
        location: n,
        securityRules: [
          {
            name: "r1",
            protocol: n,
            access: n,
            priority: 100,
            direction: n,
            sourceAddressPrefix: n,
            sourcePortRange: n,
            destinationAddressPrefixes: [n],
            destinationPortRanges: [n],
            destinationApplicationSecurityGroups: [{ id: n }],
          },
          {
            name: "r2",
            protocol: "*",
            access: "Deny",
            priority: 200,
            direction: "Outbound",
            sourceAddressPrefix: n,
            sourcePortRange: "*",
            destinationAddressPrefix: n.toUpperCase(),
            destinationPortRange: "*",
          },
        ],
      },
    ],
    networkInterfaces: [
      {
        name: "nic",
        networkSecurityGroup: n,
        ipConfigurations: [{ privateIPAddress: n, publicIPAddress: n, subnet: { id: n } }],
      },
    ],
    environments: [
      { name: "e", kind: "Workload", subnet: n, privateIPAddress: n },
      { name: "f", kind: "Workload", networkInterface: { id: n }, outboundIPAddress: n },
    ],
    assertions: [{ from: n, to: n, protocol: n, port: 80, expect: "Allow", rule: n }],
  };
}

/** Values the schema itself checks (its lists of kinds and outcomes) as `n`. */
function enumSpec(n: string): object {
  return {
    environments: [{ name: "e", kind: n, subnet: "a", privateIPAddress: "10.0.1.4", ingress: n }],
    assertions: [
      { from: "e", to: "e", port: 80, expect: n },
      { kind: n, from: "e", to: "e" },
    ],
  };
}

/** A valid network whose assertions name `n` where they name endpoints, rules and sources. */
function assertedSpec(n: string): object {
  return {
    ...plainNetwork(),
    assertions: [
      { from: n, to: "e", protocol: "Tcp", port: 80, expect: "Allow", rule: n },
      { from: "Internet", to: "e", protocol: "Tcp", port: 80, expect: "Deny", rule: n },
      { from: "e", to: n, protocol: "Udp", port: 53, expect: "Deny" },
      { kind: "onlyFrom", from: [n], to: "e", ports: [80] },
      { kind: "onlyFrom", from: ["e"], to: n },
      { kind: "reach", from: n, to: "e" },
      { kind: "isolate", from: "e", to: `tag:${n}` },
      { kind: "exposure", to: n, within: [{ source: n, protocol: "Tcp", ports: [443] }] },
      { kind: "exposure", to: "e", within: [{ source: n }] },
    ],
  };
}

/** A valid network whose tiers name `n` where they name environments, tags, protocols and ports. */
function tieredSpec(n: string): object {
  return {
    ...plainNetwork(),
    tiers: [
      {
        name: "t",
        environments: ["e", n],
        callers: [n],
        protocol: n,
        ports: [n, 99999],
        allow: [{ source: n, protocol: n, ports: [n] }],
        egress: [{ to: n, protocol: n, ports: [n] }],
      },
      { name: n, environments: ["e"], callers: ["t"], egress: [{ to: n }] },
    ],
  };
}

function plainNetwork(): object {
  return {
    virtualNetworks: [
      {
        name: "vnet",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "a", addressPrefix: "10.0.1.0/24" }],
      },
    ],
    environments: [{ name: "e", kind: "Workload", subnet: "a", privateIPAddress: "10.0.1.4" }],
  };
}

/** A valid spec with a key `n` in every mapping. */
function keyedSpec(n: string): object {
  return {
    [n]: n,
    virtualNetworks: [
      {
        [n]: n,
        name: "vnet",
        addressSpace: { [n]: [n], addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ [n]: n, name: "a", addressPrefix: "10.0.1.0/24" }],
      },
    ],
    networkSecurityGroups: [
      {
        [n]: n,
        name: "nsg",
        securityRules: [
          {
            [n]: n,
            name: "r",
            properties: {
              [n]: n,
              protocol: "Tcp",
              access: "Allow",
              priority: 100,
              direction: "Inbound",
            },
          },
        ],
      },
    ],
    environments: [
      { [n]: n, name: "e", kind: "Workload", subnet: "a", privateIPAddress: "10.0.1.4" },
    ],
    tiers: [{ [n]: n, name: "t", environments: ["e"], allow: [{ [n]: n, source: "Internet" }] }],
    assertions: [{ [n]: n, from: "Internet", to: "e", port: 80, expect: "Deny" }],
  };
}

function armTemplate(n: string): object {
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: { [n]: { type: "string", defaultValue: n } },
    variables: { [n]: `[parameters('${n}')]`, other: `[variables('${n}')]` },
    resources: [
      {
        type: "Microsoft.Network/networkSecurityGroups",
        apiVersion: "2023-04-01",
        name: `[variables('${n}')]`,
        location: `[${n}('a')]`,
        [n]: n,
        properties: {
          [n]: n,
          securityRules: [
            {
              name: n,
              properties: {
                [n]: n,
                protocol: n,
                access: n,
                priority: `[parameters('${n}')]`,
                direction: n,
                sourceAddressPrefix: `[variables('${n}.x')]`,
                sourcePortRange: "*",
                destinationAddressPrefix: `[concat(parameters('${n}'), '/32')]`,
                destinationPortRange: `[${n}()]`,
                sourceApplicationSecurityGroups: [{ id: `[resourceId('${n}', '${n}')]` }],
              },
            },
          ],
        },
      },
      { type: n, name: n, apiVersion: n },
      {
        type: "Microsoft.Network/virtualNetworks",
        apiVersion: "2023-04-01",
        name: n,
        properties: {
          addressSpace: { addressPrefixes: [n] },
          subnets: [{ name: n, properties: { addressPrefix: n, networkSecurityGroup: { id: n } } }],
        },
      },
    ],
  };
}

function effectiveNsgs(n: string): object {
  return {
    value: [
      {
        [n]: n,
        association: { [n]: n, subnet: { id: n } },
        networkSecurityGroup: {
          id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/${n}`,
        },
        effectiveSecurityRules: [
          {
            [n]: n,
            name: n,
            protocol: n,
            access: n,
            priority: 100,
            direction: n,
            sourceAddressPrefix: n,
            sourcePortRange: n,
            destinationAddressPrefix: n,
            destinationPortRange: n,
          },
        ],
      },
    ],
  };
}

function terraform(n: string): string {
  return `
variable "${n}" {
  default = "${n}"
}
locals {
  ${n} = { ${n} = "x" }
}
resource "azurerm_network_security_group" "${n}" {
  name                = var.${n}
  location            = local.${n}.${n}
  resource_group_name = ${n}(1)
  ${n} = "${n}"
  security_rule {
    name                       = "${n}"
    priority                   = 100
    direction                  = "${n}"
    access                     = "${n}"
    protocol                   = "${n}"
    source_port_range          = "${n}"
    destination_port_range     = local.${n}.toString
    source_address_prefix      = var.${n}
    destination_address_prefix = azurerm_network_security_group.${n}.${n}
  }
}
resource "azurerm_subnet_network_security_group_association" "${n}" {
  subnet_id                 = azurerm_subnet.${n}.id
  network_security_group_id = azurerm_network_security_group.${n}.id
}
resource "azurerm_subnet" "${n}" {
  name                 = "${n}"
  virtual_network_name = data.${n}.${n}.name
  address_prefixes     = [local.${n}["${n}"]]
}
resource "${n}" "${n}" {
  ${n} = local.constructor
}
`;
}

function terraformShow(n: string): object {
  const values = { [n]: n, name: n, location: n, security_rule: [{ [n]: n, name: n }] };
  return {
    format_version: "1.0",
    planned_values: {
      root_module: {
        resources: [
          {
            address: `azurerm_network_security_group.${n}`,
            mode: "managed",
            type: "azurerm_network_security_group",
            name: n,
            values,
          },
          { address: `${n}.${n}`, mode: "managed", type: n, name: n, values: { [n]: n } },
        ],
      },
    },
    resource_changes: [
      {
        address: `azurerm_network_security_group.${n}`,
        change: { after_unknown: { [n]: true, id: true } },
      },
    ],
    configuration: {
      root_module: {
        resources: [
          {
            address: `azurerm_network_security_group.${n}`,
            expressions: { [n]: { references: [`azurerm_subnet.${n}.id`] } },
          },
        ],
      },
    },
  };
}

function powershell(n: string): string {
  return `$${n} = New-AzNetworkSecurityRuleConfig -Name ${n} -Protocol ${n} -Access ${n} -Direction ${n} -Priority 100 -SourceAddressPrefix ${n} -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80 -${n} ${n}
$rule = New-AzNetworkSecurityRuleConfig -Name r -Protocol ${n.toLowerCase()} -Access Allow -Direction Inbound -Priority 200 -SourceAddressPrefix ${n.toUpperCase()} -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80
$nsg = New-AzNetworkSecurityGroup -Name ${n} -ResourceGroupName g -Location ${n} -SecurityRules $${n}, $rule
${n}-AzThing -Name ${n}
New-Az${n} -${n}
$nsg | Set-AzNetworkSecurityGroup
New-AzureNetworkSecurityGroup -Name ${n} -Location ${n}
Get-AzureNetworkSecurityGroup -Name ${n} | Set-AzureNetworkSecurityRule -Name ${n} -Type ${n} -Priority 100 -Action ${n} -SourceAddressPrefix ${n.toUpperCase()} -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80 -Protocol ${n}
$vnet = Get-AzVirtualNetwork -Name ${n} -ResourceGroupName g
Set-AzVirtualNetworkSubnetConfig -VirtualNetwork $vnet -Name ${n} -AddressPrefix ${n} -NetworkSecurityGroup $${n}.${n}
`;
}

function azcli(n: string): string {
  return `${n}=${n}
az network ${n}
az network nsg ${n} --name ${n}
az network nsg create --name $${n} --resource-group g --${n} ${n}
az network nsg rule create --nsg-name ${n} --name ${n} --priority 100 --protocol ${n} --access ${n} --direction ${n} --source-address-prefixes ${n} --destination-port-ranges ${n} --${n}=${n}
az network vnet create --name ${n} --address-prefixes ${n} --subnet-name ${n} --subnet-prefixes ${n}
az network vnet subnet update --vnet-name ${n} --name ${n} --network-security-group ${n}
az network nic create --name ${n} --vnet-name ${n} --subnet ${n} --network-security-group ${n}
${n} --${n}
`;
}

function serviceTags(n: string): object {
  return {
    changeNumber: 1,
    cloud: "Public",
    values: [{ name: n, id: n, properties: { [n]: n, addressPrefixes: ["192.0.2.0/24", n] } }],
  };
}

const SPECS = ["named", "valued", "keyed", "enums", "asserted", "tiered"];

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "tierwall-hostile-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each(NAMES)("user text %s", (n) => {
  let dir: string;
  const at = (file: string) => join(dir, file);
  beforeAll(() => {
    dir = join(root, n);
    mkdirSync(dir);
    const files: Record<string, string> = {
      "named.json": json(namedSpec(n)),
      "valued.json": json(valuedSpec(n)),
      "keyed.json": json(keyedSpec(n)),
      "enums.json": json(enumSpec(n)),
      "asserted.json": json(assertedSpec(n)),
      "tiered.json": json(tieredSpec(n)),
      "template.json": json(armTemplate(n)),
      "template.parameters.json": json({ parameters: { [n]: { value: n } } }),
      "effective.json": json(effectiveNsgs(n)),
      "main.tf": terraform(n),
      "terraform.tfvars": `${n} = "${n}"\n`,
      "show.json": json(terraformShow(n)),
      "script.ps1": powershell(n),
      "script.sh": azcli(n),
      "tags.json": json(serviceTags(n)),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(at(name), text);
    // The same specs in YAML, where keys and values are written bare.
    for (const spec of SPECS)
      writeFileSync(at(`${spec}.yaml`), yamlOf(JSON.parse(files[`${spec}.json`] as string)));
    writeFileSync(
      at("tags-file.yaml"),
      `serviceTags: tags.json\nnetworkSecurityGroups:\n  - name: x\n    securityRules:\n      - { name: r, protocol: Tcp, access: Allow, priority: 100, direction: Inbound, sourceAddressPrefix: ${n}, sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "80" }\n`,
    );
    writeFileSync(at("missing-tags.yaml"), `serviceTags: ${n}\n`);
  });

  const specs = () => SPECS.flatMap((s) => [`${s}.json`, `${s}.yaml`]);

  it("is taken for what it says, not for what every object inherits", async () => {
    const other = n === "constructor" ? "toString" : "constructor";
    const rule = (name: string, port: string) =>
      `  security_rule {\n    name = "${name}"\n    priority = ${name === "a" ? 100 : 200}\n    direction = "Inbound"\n    access = "Allow"\n    protocol = "Tcp"\n    source_port_range = "*"\n    destination_port_range = ${port}\n    source_address_prefix = "*"\n    destination_address_prefix = "*"\n  }\n`;
    writeFileSync(
      at("inherited.tf"),
      `locals {\n  x = { "${n}" = "8080" }\n}\nresource "azurerm_network_security_group" "g" {\n  name = "g"\n  location = "x"\n  resource_group_name = "rg"\n${rule("a", `local.x.${n}`)}${rule("b", `local.x.${other}`)}}\n`,
    );
    const tf = await cli(["import", "terraform", at("inherited.tf")]);
    expect(tf.out).toContain('destinationPortRange: "8080"');
    expect(tf.err).toContain(`local.x.${other} does not exist`);

    writeFileSync(
      at("protocol.ps1"),
      `$r = New-AzNetworkSecurityRuleConfig -Name r -Protocol ${n} -Access Allow -Direction Inbound -Priority 100 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80\nNew-AzNetworkSecurityGroup -Name g -ResourceGroupName rg -Location x -SecurityRules $r\n`,
    );
    const ps = await cli(["import", "powershell", at("protocol.ps1")]);
    expect(ps.err).toContain(
      `protocol ${JSON.stringify(n)} is not one of Tcp, Udp, Icmp, Esp, Ah, *`,
    );

    // Not a classic spelling of a service tag (VIRTUAL_NETWORK...), just no address.
    const check = await cli(["check", at("valued.yaml")]);
    expect(check.out).toContain(`"${n}"`);
    expect(check.out).not.toContain("classic spelling");
  });

  it("names in arguments and options", async () => {
    const spec = at("named.yaml");
    const runs: (readonly string[])[] = [
      [n],
      ["check", n],
      ["verify", n],
      ["check", `--${n}`, spec],
      ["flow", spec, "--from", n, "--to", n, "--port", "443"],
      ["flow", spec, "--from", `env:${n}`, "--to", `tag:${n}`, "--port", "443"],
      ["flow", spec, "--from", `subnet:${n}/${n}`, "--to", `nic:${n}`, "--protocol", n],
      ["flow", spec, "--from", "Internet", "--to", n, "--port", n, "--source-port", n],
      ["rules", spec, "--nic", n],
      ["rules", spec, "--subnet", n],
      ["rules", spec, "--subnet", `${n}/${n}`],
      ["rules", spec, "--subnet", `x/${n}`],
      ["reach", spec, "--format", n],
      ["exposure", spec, "--format", n],
      ["lint", spec, "--format", n],
      ["synth", spec, "--style", n],
      ["synth", spec, "--start", n, "--step", n],
      ["diff", n, spec],
      ["diff", spec, n],
      ["import", n, at("template.json")],
      ["import", n],
      ["import", at("template.json"), "--parameters", n],
      ["export", n, spec],
      ["export", "nftables", spec, "--nsg", n],
      ["export", "nftables", spec, "--subnet", n],
      ["export", "nftables", spec, "--subnet", `${n}/${n}`],
      ["export", "nftables", spec, "--nic", n],
      ["export", "nftables", spec, "--interface", n, "--placement", n],
      ["lab", n, spec],
      ["lab", "down", n],
      ["lab", "test", spec, "--timeout", n],
      ["schema", n],
    ];
    const failed: string[] = [];
    for (const args of runs) {
      const problem = sane(await cli(args));
      if (problem) failed.push(problem);
    }
    expect(failed).toEqual([]);
  });

  it("names, values and keys in specs, for every command that reads one", async () => {
    const failed: string[] = [];
    for (const file of [...specs(), "tags-file.yaml", "missing-tags.yaml"]) {
      const spec = at(file);
      const runs: (readonly string[])[] = [
        ["check", spec],
        ["check", spec, "--json"],
        ["verify", spec],
        ["flow", spec, "--from", n, "--to", `${n}2`, "--port", "443"],
        ["flow", spec, "--from", "Internet", "--to", n, "--port", "443", "--json"],
        ["rules", spec],
        ["rules", spec, "--json"],
        ["rules", spec, "--nic", n],
        ["rules", spec, "--subnet", n],
        ["reach", spec],
        ["exposure", spec, "--format", "markdown"],
        ["lint", spec],
        ["lint", spec, "--format", "sarif"],
        ["synth", spec],
        ["synth", spec, "--style", "seed", "--json"],
        ["diff", spec, spec],
        ["diff", spec, at("named.json"), "--json"],
        ...["arm", "bicep", "terraform", "azcli", "powershell"].map((f) => ["export", f, spec]),
        ...["arm", "bicep", "terraform", "azcli", "powershell"].map((f) => [
          "export",
          f,
          spec,
          "--scope",
          "all",
        ]),
        ["export", "nftables", spec],
        ["export", "nftables", spec, "--nsg", n, "--json"],
        ["lab", "down", at(`${n}-missing`)],
      ];
      for (const args of runs) {
        const problem = sane(await cli(args));
        if (problem) failed.push(problem);
      }
    }
    expect(failed).toEqual([]);
  });

  it("names, values and keys in imported files, in every format", async () => {
    const failed: string[] = [];
    const runs: (readonly string[])[] = [
      ["import", at("template.json")],
      ["import", "arm", at("template.json"), "--parameters", at("template.parameters.json")],
      ["import", "arm", at("effective.json")],
      ["import", at("effective.json"), "--json"],
      ["import", "terraform", at("main.tf"), at("terraform.tfvars")],
      ["import", at("main.tf"), "--parameters", at("terraform.tfvars")],
      ["import", "terraform", at("show.json")],
      ["import", at("show.json")],
      ["import", "powershell", at("script.ps1")],
      ["import", at("script.ps1"), "--json"],
      ["import", "azcli", at("script.sh")],
      ["import", at("script.sh")],
      ["import", "service-tags", at("tags.json")],
      ["import", at("template.json"), at("tags.json")],
      ...["arm", "terraform", "powershell", "azcli", "service-tags"].flatMap((f) =>
        ["named.json", "valued.yaml", "script.ps1"].map((file) => ["import", f, at(file)]),
      ),
    ];
    for (const args of runs) {
      const problem = sane(await cli(args));
      if (problem) failed.push(problem);
    }
    expect(failed).toEqual([]);
  });
});

it("every command that reads a spec refuses one whose tiers name what is not there", async () => {
  const layered = join(import.meta.dirname, "..", "examples", "layered-ase", "tierwall.yaml");
  const file = join(root, "bad-tiers.yaml");
  writeFileSync(
    file,
    readFileSync(layered, "utf8")
      .replace("callers: [fe1ase, fe2ase, fe3ase]", "callers: [fe1ase, fe9ase]")
      .replace("ports: [80, 443]\n", "ports: [80, 99999]\n"),
  );
  for (const args of [
    ["check", file],
    ["verify", file],
    ["lint", file],
    ["reach", file],
    ["rules", file],
    ["export", "arm", file],
    ["flow", file, "--from", "fe1ase", "--to", "apiase", "--port", "443"],
  ]) {
    const r = await cli(args);
    const name = args[0];
    expect(r.code, name).toBe(2);
    expect(r.out + r.err, name).toContain('caller "fe9ase" is neither a tier nor an environment');
    expect(r.out + r.err, name).toContain("port 99999 is not a port");
    expect(r.out + r.err, name).toMatch(/bad-tiers\.yaml:5\d:\d+/);
  }
});

const ESC = "\u001b";
const ROOT_DIR = join(import.meta.dirname, "..");

describe("what reaches the terminal", () => {
  const EVIL = "x\u001b[2J\u001b]0;title\u0007\u009b31m\u202eevil\u202c\u200b\r";
  /** Characters a terminal acts on rather than shows; with colour, only tierwall's own styles. */
  const STYLE = new RegExp(`${ESC}\\[\\d+m`, "g");
  const acted = (text: string) =>
    text
      .replace(STYLE, "")
      .split("")
      .filter((c) => c !== "\n" && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(c));
  const quoted = JSON.stringify(EVIL);
  let dir: string;
  /** A file named with escapes, whose unknown key holds them too. */
  let file: string;
  /** A file whose names and values hold escapes, and a line raw C1 and bidi controls. */
  let named: string;
  beforeAll(() => {
    dir = join(root, "terminal");
    mkdirSync(dir);
    file = join(dir, `${EVIL}.yaml`);
    writeFileSync(file, `networkSecurityGroups:\n  - name: nsg\n    ${quoted}: 1\n`);
    named = join(dir, "named.yaml");
    writeFileSync(
      named,
      `networkSecurityGroups:\n  - name: ${quoted}\n    securityRules:\n      - { name: r, protocol: "Tcp\u009b2J\u202e", access: ${quoted}, priority: 100, direction: Inbound }\n`,
    );
  });
  // As the text shows it, up to the carriage return, which JSON in a message writes as \r.
  const written = "x\\u001b[2J\\u001b]0;title\\u0007\\u009b31m\\u202eevil\\u202c\\u200b";

  it.each([
    ["check", false],
    ["check", true],
    ["lint", false],
    ["verify", true],
  ])(
    "%s shows escapes in file names, names, values and code frames (colour: %s)",
    async (command, colour) => {
      for (const spec of [file, named]) {
        let out = "";
        const code = await runCli([command, spec], {
          out: (t) => {
            out += t;
          },
          err: (t) => {
            out += t;
          },
          style: new Style(colour),
        });
        expect(code).toBe(2);
        expect(acted(out)).toEqual([]);
        expect(out).toContain(written);
        if (spec === named) expect(out).toContain('protocol: "Tcp\\u009b2J\\u202e"');
        if (colour) expect(out).toContain(`${ESC}[31m`);
      }
    },
  );

  it("keeps JSON parseable, with the text exact", async () => {
    for (const spec of [file, named]) {
      const r = await cli(["check", spec, "--json"]);
      expect(acted(r.out)).toEqual([]);
      const report = JSON.parse(r.out) as { diagnostics: { file: string; message: string }[] };
      if (spec === file) expect(report.diagnostics[0]?.file.endsWith(`${EVIL}.yaml`)).toBe(true);
      expect(report.diagnostics.some((d) => d.message.includes(quoted))).toBe(true);
    }
  });

  it("escapes what the command line echoes, and what import and export print", async () => {
    for (const args of [
      [
        "flow",
        join(ROOT_DIR, "examples", "layered-ase"),
        "--from",
        EVIL,
        "--to",
        "apiase",
        "--port",
        "1",
      ],
      [`--${EVIL}`],
      ["export", EVIL, file],
      ["import", "powershell", join(dir, "missing", EVIL)],
    ]) {
      const r = await cli(args);
      expect(acted(r.out + r.err), args.join(" ")).toEqual([]);
      expect(r.out + r.err, args.join(" ")).toContain("\\u001b[2J");
    }
    writeFileSync(
      join(dir, "described.ps1"),
      `$r = New-AzNetworkSecurityRuleConfig -Name r -Description "${EVIL}" -Protocol Tcp -Access Allow -Direction Inbound -Priority 100 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80\nNew-AzNetworkSecurityGroup -Name g -ResourceGroupName rg -Location x -SecurityRules $r\n`,
    );
    const imported = await cli(["import", join(dir, "described.ps1")]);
    expect(imported.code).toBe(0);
    expect(acted(imported.out)).toEqual([]);
    // What is printed is the spec itself, which reads back as the description.
    writeFileSync(join(dir, "imported.yaml"), imported.out);
    const exported = await cli(["export", "arm", join(dir, "imported.yaml"), "--json"]);
    expect(exported.code).toBe(0);
    expect(acted(exported.out)).toEqual([]);
    const template = JSON.parse(JSON.parse(exported.out).text);
    expect(JSON.stringify(template)).toContain(JSON.stringify(EVIL).slice(1, -1));
  });

  it("shows a huge value by its start and length", async () => {
    const huge = "a".repeat(100_000);
    writeFileSync(join(dir, "huge.yaml"), `networkSecurityGroups:\n  - name: ${huge}\n`);
    for (const args of [
      ["check", join(dir, "huge.yaml")],
      ["check", join(dir, "huge.yaml"), "--json"],
      ["flow", join(dir, "huge.yaml"), "--from", huge, "--to", huge, "--port", "1"],
      ["rules", join(ROOT_DIR, "examples", "asg-tiers"), "--nic", huge],
      ["check", huge],
      [
        "flow",
        join(ROOT_DIR, "examples", "layered-ase"),
        "--from",
        huge,
        "--to",
        "apiase",
        "--port",
        "1",
        "--json",
      ],
      ["rules", join(ROOT_DIR, "examples", "asg-tiers"), "--subnet", huge, "--json"],
      ["export", huge, file, "--json"],
      ["lab", huge, "--json"],
    ]) {
      const r = await cli(args);
      expect(r.code, args[0]).toBe(2);
      expect((r.out + r.err).length, args[0]).toBeLessThan(5000);
      expect(r.out + r.err, args[0]).toContain("(100000 characters)");
    }
  });
});

describe("numbers in options", () => {
  const spec = join(import.meta.dirname, "..", "examples", "three-tier");
  it.each(["1e3", "0x100", " 200", "200 ", "+200", "200.0", "٢٠٠", ""])(
    "are decimal digits only: %j is refused",
    async (n) => {
      const runs = [
        ["synth", spec, "--start", n],
        ["synth", spec, "--step", n],
        ["flow", spec, "--from", "Internet", "--to", "web1", "--port", n],
        ["flow", spec, "--from", "Internet", "--to", "web1", "--port", "443", "--source-port", n],
        ["lab", "test", spec, "--timeout", n],
      ];
      for (const args of runs) {
        const r = await cli(args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.err, args.join(" ")).toMatch(
          /--(start|step|port|source-port|timeout)\b.*expected/,
        );
      }
    },
  );

  it("take the digits", async () => {
    expect((await cli(["synth", spec, "--start", "200", "--step", "10"])).code).toBe(0);
    expect(
      (await cli(["flow", spec, "--from", "Internet", "--to", "web1", "--port", "0443"])).code,
    ).toBe(0);
  });
});

describe("values nested thousands deep inside strings, and chains of references", () => {
  const deep = 3000;
  const wrap = (open: string, close: string, inner = "x") =>
    `${open.repeat(deep)}${inner}${close.repeat(deep)}`;
  const nsg = (name: string) => ({
    type: "Microsoft.Network/networkSecurityGroups",
    name,
    properties: { securityRules: [] },
  });
  const variables = Object.fromEntries(
    Array.from({ length: deep }, (_, i) => [`v${i}`, `[variables('v${i + 1}')]`]),
  );
  const files: Record<string, string> = {
    "concat.json": json({ resources: [nsg(`[${wrap("concat(", ")", "'a'")}]`)] }),
    "chain.json": json({ variables, resources: [nsg("[variables('v0')]")] }),
    "locals.tf": `locals {\n${Array.from({ length: deep }, (_, i) => `  l${i} = local.l${i + 1}\n`).join("")}}\nresource "azurerm_network_security_group" "g" {\n  name = local.l0\n  location = "x"\n}\n`,
    "template.tf": `resource "azurerm_network_security_group" "g" {\n  name = "${wrap('${"', '"}')}"\n  location = "x"\n}\n`,
    // A backslash does not escape in PowerShell: the brackets after it are code.
    "escape.ps1": `$x = "\\"\n$y = ${wrap("@(", ")")}\nNew-AzNetworkSecurityGroup -Name n -ResourceGroupName g -Location x\n`,
    "subexpression.ps1": `New-AzNetworkSecurityGroup -Name "${wrap('$("', '")')}" -ResourceGroupName g -Location x\n`,
    "substitution.sh": `az network nsg create --name "${wrap('$(echo "', '")')}" -g g\n`,
    "backticks.sh": `az network nsg create --name "${wrap("`echo ", "`")}" -g g\n`,
  };
  let dir: string;
  beforeAll(() => {
    dir = join(root, "deep");
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  });

  it.each(Object.keys(files))("%s is read or refused, at a place", async (file) => {
    const r = await cli(["import", join(dir, file)]);
    expect(sane(r)).toBeUndefined();
    if (r.code === 2) expect(r.err).toMatch(new RegExp(`${file}:\\d+:\\d+`));
  });
});

/** YAML with every key and value bare where YAML allows it, quoted otherwise. */
function yamlOf(value: unknown, indent = ""): string {
  const scalar = (v: unknown) =>
    typeof v === "string" && /^[A-Za-z_][\w./-]*$/.test(v) && !/^(true|false|null|y|n)$/i.test(v)
      ? v
      : JSON.stringify(v);
  if (Array.isArray(value))
    return value
      .map((item) => {
        const inner = yamlOf(item, `${indent}  `);
        return typeof item === "object" && item !== null
          ? `${indent}- ${inner.trimStart()}`
          : `${indent}- ${scalar(item)}\n`;
      })
      .join("");
  if (typeof value === "object" && value !== null)
    return Object.entries(value)
      .map(([k, v]) =>
        typeof v === "object" && v !== null
          ? `${indent}${scalar(k)}:\n${yamlOf(v, `${indent}  `)}`
          : `${indent}${scalar(k)}: ${scalar(v)}\n`,
      )
      .join("");
  return `${indent}${scalar(value)}\n`;
}
