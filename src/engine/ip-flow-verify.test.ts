import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { hasErrors } from "../model/diagnostic.js";
import type { Network } from "../model/network.js";
import {
  type IpFlowVerification,
  IpFlowVerifier,
  parseDirection,
  parseIpFlowEnd,
  parseIpFlowProtocol,
} from "./ip-flow-verify.js";

// One virtual network. Subnet app (10.1.1.0/24 and an IPv6 /64) holds:
// - vm1-nic: 10.1.1.4 (ASG web, public 198.51.100.4), 10.1.1.5 (ASG db) and
//   fd00:1:0:1::4; it carries nic-nsg when a case gives NIC rules;
// - vm2-nic: 10.1.1.6, no ASG, no NSG of its own;
// - apiase: an App Service Environment without a NIC, 10.1.1.10, public 203.0.113.40.
// The subnet carries subnet-nsg when a case gives subnet rules. A second network
// (10.9.0.0/16) is not peered. Storage.WestUS comes from the tags file.
const TAGS = JSON.stringify({
  changeNumber: 1,
  cloud: "Public",
  values: [
    {
      name: "Storage.WestUS",
      id: "Storage.WestUS",
      properties: { changeNumber: 1, region: "westus", addressPrefixes: ["192.0.2.0/25"] },
    },
  ],
});

interface Rules {
  /** subnet-nsg's rules; no NSG on the subnet when absent. */
  readonly subnet?: readonly string[];
  /** nic-nsg's rules (on vm1-nic); no NSG on the NIC when absent. */
  readonly nic?: readonly string[];
}

function specText({ subnet, nic }: Rules): string {
  const nsg = (name: string, rules: readonly string[]) =>
    `  - name: ${name}\n    securityRules:${rules.length === 0 ? " []" : `\n${rules.map((r) => `      - ${r}`).join("\n")}`}`;
  return `serviceTags: tags.json
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.1.0.0/16, "fd00:1::/48"] }
    subnets:
      - name: app
        addressPrefixes: [10.1.1.0/24, "fd00:1:0:1::/64"]${subnet ? "\n        networkSecurityGroup: subnet-nsg" : ""}
  - name: far
    addressSpace: { addressPrefixes: [10.9.0.0/16] }
    subnets: [{ name: far, addressPrefix: 10.9.0.0/24 }]
applicationSecurityGroups: [{ name: web }, { name: db }]
networkInterfaces:
  - name: vm1-nic${nic ? "\n    networkSecurityGroup: nic-nsg" : ""}
    ipConfigurations:
      - { privateIPAddress: 10.1.1.4, publicIPAddress: 198.51.100.4, subnet: app, applicationSecurityGroups: [web] }
      - { privateIPAddress: 10.1.1.5, subnet: app, applicationSecurityGroups: [db] }
      - { privateIPAddress: "fd00:1:0:1::4", subnet: app }
  - name: vm2-nic
    ipConfigurations: [{ privateIPAddress: 10.1.1.6, subnet: app }]
environments:
  - { name: apiase, kind: AppServiceEnvironmentV1, subnet: app, privateIPAddress: 10.1.1.10, publicIPAddress: 203.0.113.40 }
networkSecurityGroups:
${[nsg("subnet-nsg", subnet ?? []), nsg("nic-nsg", nic ?? [])].join("\n")}
`;
}

const networks = new Map<string, Network>();
function networkFor(rules: Rules): Network {
  const text = specText(rules);
  let network = networks.get(text);
  if (!network) {
    const loaded = loadSpecText(text, { "tags.json": TAGS });
    if (!loaded.spec || hasErrors(loaded.diagnostics))
      throw new Error(loaded.diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    network = loaded.spec.network;
    networks.set(text, network);
  }
  return network;
}

/** A rule in a line: `NAME PRIORITY DIRECTION ACCESS PROTOCOL SOURCE SOURCE-PORTS DESTINATION DESTINATION-PORTS`. */
function r(line: string): string {
  const [name, priority, direction, access, protocol, source, sourcePorts, destination, ports] =
    line.split(/\s+/) as [string, string, string, string, string, string, string, string, string];
  return `{ name: ${name}, priority: ${priority}, direction: ${direction}, access: ${access}, protocol: "${protocol}", ${side("source", source)}, ${portSide("source", sourcePorts)}, ${side("destination", destination)}, ${portSide("destination", ports)} }`;
}

function side(field: string, text: string): string {
  if (text.startsWith("asg:")) return `${field}ApplicationSecurityGroups: [${text.slice(4)}]`;
  if (text.includes(",")) return `${field}AddressPrefixes: [${text}]`;
  return `${field}AddressPrefix: "${text}"`;
}

function portSide(field: string, text: string): string {
  if (text.includes(","))
    return `${field}PortRanges: [${text
      .split(",")
      .map((p) => `"${p}"`)
      .join(", ")}]`;
  return `${field}PortRange: "${text}"`;
}

/** A query in a line: `TARGET DIRECTION PROTOCOL LOCAL REMOTE`, as the command takes it. */
function verify(rules: Rules, query: string): IpFlowVerification {
  const [target, direction, protocol, local, remote] = query.split(" ") as [
    string,
    string,
    string,
    string,
    string,
  ];
  const parsed = {
    direction: parseDirection(direction),
    protocol: parseIpFlowProtocol(protocol),
    local: parseIpFlowEnd(local),
    remote: parseIpFlowEnd(remote),
  };
  if (!parsed.direction || !parsed.protocol || !parsed.local || !parsed.remote)
    throw new Error(`bad query in the test: ${query}`);
  return new IpFlowVerifier(networkFor(rules)).verify({
    target,
    direction: parsed.direction,
    protocol: parsed.protocol,
    local: parsed.local,
    remote: parsed.remote,
  });
}

type Expected =
  | { readonly access: "Allow" | "Deny"; readonly ruleName?: string; readonly nsg?: string }
  | { readonly error: RegExp };

interface Case {
  readonly name: string;
  readonly rules: Rules;
  readonly query: string;
  readonly expect: Expected;
}

const HTTPS_FROM_INTERNET = r("allow-https 100 Inbound Allow Tcp Internet * * 443");

// Azure's answer for each case, from its documented semantics (the reason is the case's name).
const CASES: Case[] = [
  // One NSG, on the subnet.
  {
    name: "subnet NSG alone: its custom rule admits HTTPS from the Internet",
    rules: { subnet: [HTTPS_FROM_INTERNET] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-https", nsg: "subnet-nsg" },
  },
  {
    name: "subnet NSG alone: a port no custom rule admits falls to DenyAllInBound",
    rules: { subnet: [HTTPS_FROM_INTERNET] },
    query: "vm1-nic Inbound TCP 10.1.1.4:80 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound", nsg: "subnet-nsg" },
  },
  {
    name: "a caller in the same virtual network is VirtualNetwork: AllowVnetInBound",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:22 10.1.1.6:50000",
    expect: { access: "Allow", ruleName: "defaultSecurityRules/AllowVnetInBound" },
  },
  {
    name: "a caller in a network that is not peered is not VirtualNetwork: DenyAllInBound",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:22 10.9.0.4:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  {
    name: "168.63.129.16 is in VirtualNetwork, so AllowVnetInBound (65000) answers before AllowAzureLoadBalancerInBound (65001)",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:80 168.63.129.16:50000",
    expect: { access: "Allow", ruleName: "defaultSecurityRules/AllowVnetInBound" },
  },
  {
    name: "AzureLoadBalancer admitted by a custom rule ahead of a custom VirtualNetwork deny",
    rules: {
      subnet: [
        r("allow-probes 3900 Inbound Allow * AzureLoadBalancer * * *"),
        r("deny-vnet 4000 Inbound Deny * VirtualNetwork * VirtualNetwork *"),
      ],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:80 168.63.129.16:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-probes" },
  },
  {
    name: "a custom VirtualNetwork deny also stops the platform's probes (168.63.129.16 is in VirtualNetwork)",
    rules: { subnet: [r("deny-vnet 4000 Inbound Deny * VirtualNetwork * VirtualNetwork *")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:80 168.63.129.16:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-vnet" },
  },
  {
    name: "within one NSG the lower priority number decides: the deny at 100 before the allow at 200",
    rules: {
      subnet: [
        r("deny-first 100 Inbound Deny Tcp * * * 443"),
        r("allow-later 200 Inbound Allow Tcp * * * 443"),
      ],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-first" },
  },
  // One NSG, on the NIC.
  {
    name: "NIC NSG alone: its rule admits SSH from an admin range",
    rules: { nic: [r("allow-ssh 100 Inbound Allow Tcp 192.0.2.0/24 * * 22")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:22 192.0.2.10:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-ssh", nsg: "nic-nsg" },
  },
  {
    name: "NIC NSG alone, outbound to the Internet: AllowInternetOutBound",
    rules: { nic: [] },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443",
    expect: { access: "Allow", ruleName: "defaultSecurityRules/AllowInternetOutBound" },
  },
  {
    name: "no NSG on the subnet or the NIC: allowed, and no rule is named (the API omits ruleName)",
    rules: {},
    query: "vm1-nic Inbound TCP 10.1.1.4:3389 203.0.113.7:50000",
    expect: { access: "Allow" },
  },
  // Both NSGs.
  {
    name: "both allow inbound: the NIC's rule is named, the NSG evaluated last",
    rules: {
      subnet: [HTTPS_FROM_INTERNET],
      nic: [r("allow-https-nic 200 Inbound Allow Tcp * * * 443")],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-https-nic", nsg: "nic-nsg" },
  },
  {
    name: "both allow outbound: the subnet's rule is named, the NSG evaluated last outbound",
    rules: {
      subnet: [r("allow-out-subnet 100 Outbound Allow Tcp * * Internet 443")],
      nic: [r("allow-out-nic 100 Outbound Allow Tcp * * Internet 443")],
    },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443",
    expect: { access: "Allow", ruleName: "securityRules/allow-out-subnet", nsg: "subnet-nsg" },
  },
  {
    name: "inbound meets the subnet first: its deny decides, whatever the NIC allows",
    rules: {
      subnet: [r("deny-https 100 Inbound Deny Tcp * * * 443")],
      nic: [r("allow-https-nic 100 Inbound Allow Tcp * * * 443")],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-https", nsg: "subnet-nsg" },
  },
  {
    name: "the subnet allows inbound and the NIC denies: the NIC's deny",
    rules: {
      subnet: [HTTPS_FROM_INTERNET],
      nic: [r("deny-https-nic 100 Inbound Deny Tcp * * * 443")],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-https-nic", nsg: "nic-nsg" },
  },
  {
    name: "outbound meets the NIC first: its deny decides",
    rules: { subnet: [], nic: [r("deny-out 100 Outbound Deny * * * Internet *")] },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443",
    expect: { access: "Deny", ruleName: "securityRules/deny-out", nsg: "nic-nsg" },
  },
  {
    name: "the NIC allows outbound and the subnet denies: the subnet's deny",
    rules: {
      subnet: [r("deny-all-out 4096 Outbound Deny * * * * *")],
      nic: [r("allow-out 100 Outbound Allow Tcp * * Internet 443")],
    },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443",
    expect: { access: "Deny", ruleName: "securityRules/deny-all-out", nsg: "subnet-nsg" },
  },
  {
    name: "priorities do not compare across NSGs: the NIC's allow at 100 does not beat the subnet's deny at 4000",
    rules: {
      subnet: [r("deny-https 4000 Inbound Deny Tcp * * * 443")],
      nic: [r("allow-https-nic 100 Inbound Allow Tcp * * * 443")],
    },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-https", nsg: "subnet-nsg" },
  },
  {
    name: "both with default rules only, from the Internet: the subnet's DenyAllInBound",
    rules: { subnet: [], nic: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound", nsg: "subnet-nsg" },
  },
  {
    name: "both with default rules only, from the virtual network: the NIC's AllowVnetInBound",
    rules: { subnet: [], nic: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 10.1.1.6:50000",
    expect: { access: "Allow", ruleName: "defaultSecurityRules/AllowVnetInBound", nsg: "nic-nsg" },
  },
  // Application security groups.
  {
    name: "a destination ASG matches its member: vm1-nic's first address is in web",
    rules: { subnet: [r("allow-web 100 Inbound Allow Tcp Internet * asg:web 443")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-web" },
  },
  {
    name: "ASGs hold IP configurations: vm1-nic's second address is in db, not web, so DenyAllInBound",
    rules: { subnet: [r("allow-web 100 Inbound Allow Tcp Internet * asg:web 443")] },
    query: "vm1-nic Inbound TCP 10.1.1.5:443 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  {
    name: "a source ASG matches a member's private address: from 10.1.1.4 (web)",
    rules: {
      subnet: [
        r("allow-from-web 100 Inbound Allow Tcp asg:web * * 8443"),
        r("deny-vnet 200 Inbound Deny * VirtualNetwork * * *"),
      ],
    },
    query: "vm2-nic Inbound TCP 10.1.1.6:8443 10.1.1.4:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-from-web" },
  },
  {
    name: "a source ASG does not match a non-member: from 10.1.1.5 (db) the VirtualNetwork deny",
    rules: {
      subnet: [
        r("allow-from-web 100 Inbound Allow Tcp asg:web * * 8443"),
        r("deny-vnet 200 Inbound Deny * VirtualNetwork * * *"),
      ],
    },
    query: "vm2-nic Inbound TCP 10.1.1.6:8443 10.1.1.5:50000",
    expect: { access: "Deny", ruleName: "securityRules/deny-vnet" },
  },
  {
    name: "a source ASG matches private addresses only: web's public address 198.51.100.4 is not in web",
    rules: {
      subnet: [r("allow-from-web 100 Inbound Allow Tcp asg:web * * 8443")],
    },
    query: "vm2-nic Inbound TCP 10.1.1.6:8443 198.51.100.4:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  // Service tags.
  {
    name: "the Internet tag as destination: an outbound deny to the Internet matches a public address",
    rules: { nic: [r("deny-internet 100 Outbound Deny * * * Internet *")] },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443",
    expect: { access: "Deny", ruleName: "securityRules/deny-internet" },
  },
  {
    name: "the Internet tag leaves VirtualNetwork out: to a neighbour, AllowVnetOutBound",
    rules: { nic: [r("deny-internet 100 Outbound Deny * * * Internet *")] },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 10.1.1.6:443",
    expect: { access: "Allow", ruleName: "defaultSecurityRules/AllowVnetOutBound" },
  },
  {
    name: "a tag from the tags file: Storage.WestUS covers 192.0.2.10",
    rules: {
      subnet: [
        r("allow-storage 100 Outbound Allow Tcp * * Storage.WestUS 443"),
        r("deny-internet 200 Outbound Deny * * * Internet *"),
      ],
    },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 192.0.2.10:443",
    expect: { access: "Allow", ruleName: "securityRules/allow-storage" },
  },
  {
    name: "a tag from the tags file: 192.0.2.200 lies outside Storage.WestUS's 192.0.2.0/25",
    rules: {
      subnet: [
        r("allow-storage 100 Outbound Allow Tcp * * Storage.WestUS 443"),
        r("deny-internet 200 Outbound Deny * * * Internet *"),
      ],
    },
    query: "vm1-nic Outbound TCP 10.1.1.4:50000 192.0.2.200:443",
    expect: { access: "Deny", ruleName: "securityRules/deny-internet" },
  },
  // Ports and port ranges.
  {
    name: "a port range includes its last port: 8080-8090 admits 8090",
    rules: { subnet: [r("allow-range 100 Inbound Allow Tcp * * * 8080-8090")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:8090 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-range" },
  },
  {
    name: "one past a range's last port does not match: 8091 falls to DenyAllInBound",
    rules: { subnet: [r("allow-range 100 Inbound Allow Tcp * * * 8080-8090")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:8091 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  {
    name: "destinationPortRanges: each listed port matches, 80 as well as 443",
    rules: { subnet: [r("allow-web-ports 100 Inbound Allow Tcp * * * 80,443")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:80 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-web-ports" },
  },
  {
    name: "a source port range is matched too: remote port 1023 is outside 1024-65535",
    rules: { subnet: [r("allow-high 100 Inbound Allow Tcp * 1024-65535 * 443")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:1023",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  {
    name: "source port * is answered when every source port gets the same answer",
    rules: { subnet: [HTTPS_FROM_INTERNET] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:*",
    expect: { access: "Allow", ruleName: "securityRules/allow-https" },
  },
  {
    name: "source port * is refused when the answer depends on the source port",
    rules: { subnet: [r("allow-high 100 Inbound Allow Tcp * 1024-65535 * 443")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:*",
    expect: { error: /depends on the source port: from port 0 it is Deny .* from port 1024 Allow/ },
  },
  {
    name: "outbound, the source port is the local one and may be *",
    rules: { nic: [r("deny-internet 100 Outbound Deny * * * Internet *")] },
    query: "vm1-nic Outbound TCP 10.1.1.4:* 203.0.113.7:443",
    expect: { access: "Deny", ruleName: "securityRules/deny-internet" },
  },
  {
    name: "the destination port cannot be *: inbound, the local port is the destination",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP 10.1.1.4:* 203.0.113.7:50000",
    expect: { error: /local port is the destination port of Inbound traffic/ },
  },
  // Protocols.
  {
    name: "a Udp rule does not match TCP: DenyAllInBound",
    rules: { subnet: [r("allow-dns 100 Inbound Allow Udp * * * 53")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:53 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  {
    name: "a Udp rule matches UDP",
    rules: { subnet: [r("allow-dns 100 Inbound Allow Udp * * * 53")] },
    query: "vm1-nic Inbound UDP 10.1.1.4:53 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-dns" },
  },
  {
    name: "a rule for protocol * matches UDP",
    rules: { subnet: [r("allow-any 100 Inbound Allow * * * * 53")] },
    query: "vm1-nic Inbound udp 10.1.1.4:53 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-any" },
  },
  {
    name: "an Icmp rule matches neither TCP nor UDP: DenyAllInBound",
    rules: { subnet: [r("allow-icmp 100 Inbound Allow Icmp * * * *")] },
    query: "vm1-nic Inbound UDP 10.1.1.4:53 203.0.113.7:50000",
    expect: { access: "Deny", ruleName: "defaultSecurityRules/DenyAllInBound" },
  },
  // What the query may name.
  {
    name: "an environment without a NIC: only its subnet's NSG applies",
    rules: { subnet: [HTTPS_FROM_INTERNET], nic: [r("deny-all 100 Inbound Deny * * * * *")] },
    query: "apiase Inbound TCP 10.1.1.10:443 203.0.113.7:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-https", nsg: "subnet-nsg" },
  },
  {
    name: "no routing: the remote address is taken as it is, even apiase's public address",
    rules: { subnet: [r("allow-apiase 100 Inbound Allow Tcp 203.0.113.40 * * 443")] },
    query: "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.40:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-apiase" },
  },
  {
    name: "a secondary IP configuration's address is a local address too",
    rules: { subnet: [r("allow-db 100 Inbound Allow Tcp * * asg:db 1433")] },
    query: "VM1-NIC Inbound TCP 10.1.1.5:1433 10.9.0.4:50000",
    expect: { access: "Allow", ruleName: "securityRules/allow-db" },
  },
  {
    name: "no public-IP translation: a public address is not a local address",
    rules: { subnet: [HTTPS_FROM_INTERNET] },
    query: "apiase Inbound TCP 203.0.113.40:443 203.0.113.7:50000",
    expect: {
      error: /203\.0\.113\.40 is a public address of environment apiase.*\(10\.1\.1\.10\)/,
    },
  },
  {
    name: "an address the NIC does not hold is refused, as Azure's API refuses it",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP 10.1.1.6:443 203.0.113.7:50000",
    expect: { error: /10\.1\.1\.6 is not an address of network interface vm1-nic/ },
  },
  {
    name: "IPv6: the API takes IPv4 addresses only, so a dual-stack NIC's IPv6 address is refused",
    rules: { subnet: [] },
    query: "vm1-nic Inbound TCP [fd00:1:0:1::4]:443 [2001:db8::7]:50000",
    expect: { error: /IPv4 addresses only/ },
  },
  {
    name: "a name that is neither a NIC nor an environment is refused",
    rules: { subnet: [] },
    query: "nobody Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    expect: { error: /"nobody" is not a network interface or environment/ },
  },
];

describe("IP flow verify, as Network Watcher answers it", () => {
  it("pins at least 30 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const answer = verify(c.rules, c.query);
    if ("error" in c.expect) {
      expect(answer.ok).toBe(false);
      if (!answer.ok) expect(answer.message).toMatch(c.expect.error);
      return;
    }
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.result.access).toBe(c.expect.access);
    expect(answer.result.ruleName).toBe(c.expect.ruleName);
    if (c.expect.nsg) expect(answer.result.nsg).toBe(c.expect.nsg);
  });
});

describe("IP flow verify's trace", () => {
  it("stops at the first NSG that denies, in Azure's order", () => {
    const answer = verify(
      {
        subnet: [r("deny-https 100 Inbound Deny Tcp * * * 443")],
        nic: [r("allow-https-nic 100 Inbound Allow Tcp * * * 443")],
      },
      "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000",
    );
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.result.evaluations.map((e) => e.nsg)).toEqual(["subnet-nsg"]);
  });

  it("shows both NSGs when both allow, subnet first inbound and NIC first outbound", () => {
    const rules = {
      subnet: [r("allow-subnet 100 Outbound Allow Tcp * * Internet 443"), HTTPS_FROM_INTERNET],
      nic: [
        r("allow-nic-out 100 Outbound Allow Tcp * * Internet 443"),
        r("allow-nic-in 100 Inbound Allow Tcp * * * 443"),
      ],
    };
    const inbound = verify(rules, "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:50000");
    const outbound = verify(rules, "vm1-nic Outbound TCP 10.1.1.4:50000 203.0.113.7:443");
    if (!inbound.ok || !outbound.ok) throw new Error("not answered");
    expect(inbound.result.evaluations.map((e) => e.appliedTo.type)).toEqual([
      "subnet",
      "networkInterface",
    ]);
    expect(outbound.result.evaluations.map((e) => e.appliedTo.type)).toEqual([
      "networkInterface",
      "subnet",
    ]);
    expect(inbound.result.packet).toBe("Tcp 203.0.113.7:50000 -> 10.1.1.4:443");
    expect(outbound.result.packet).toBe("Tcp 10.1.1.4:50000 -> 203.0.113.7:443");
  });

  it("shows a * source port as *", () => {
    const answer = verify(
      { subnet: [HTTPS_FROM_INTERNET] },
      "vm1-nic Inbound TCP 10.1.1.4:443 203.0.113.7:*",
    );
    if (!answer.ok) throw new Error(answer.message);
    expect(answer.result.packet).toBe("Tcp 203.0.113.7:* -> 10.1.1.4:443");
    expect(answer.result.evaluations[0]?.packet).toBe("Tcp 203.0.113.7:* -> 10.1.1.4:443");
  });
});

describe("reading a query", () => {
  it("takes TCP and UDP in any case, and nothing else", () => {
    expect(["TCP", "tcp", "Tcp", "UDP", "udp"].map(parseIpFlowProtocol)).toEqual([
      "Tcp",
      "Tcp",
      "Tcp",
      "Udp",
      "Udp",
    ]);
    expect(["Icmp", "*", "Any", ""].map(parseIpFlowProtocol)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it("takes Inbound and Outbound in any case", () => {
    expect(["Inbound", "outbound", "In", ""].map(parseDirection)).toEqual([
      "Inbound",
      "Outbound",
      undefined,
      undefined,
    ]);
  });

  it("reads IP:PORT and [IPv6]:PORT, with * for any port", () => {
    expect(parseIpFlowEnd("10.0.0.4:443")).toEqual({
      address: { family: 4, value: 0x0a000004n },
      port: 443,
    });
    expect(parseIpFlowEnd("10.0.0.4:*")?.port).toBe("*");
    expect(parseIpFlowEnd("[fd00::1]:80")?.address.family).toBe(6);
    for (const bad of ["10.0.0.4", "10.0.0.4:", "10.0.0.4:65536", "10.0.0.4:1e3", "fd00::1:80"])
      expect(parseIpFlowEnd(bad), bad).toBeUndefined();
  });
});
