/**
 * Findings about Azure Bastion. Its documentation: "If you apply an NSG to
 * AzureBastionSubnet, you must create all of the following rules" — each one
 * the subnet's NSG does not allow in full is an error, placed on the rule that
 * blocks it. And a virtual machine Bastion should reach whose NSGs allow
 * neither SSH nor RDP from the Bastion subnet is noted.
 *
 * The documentation's rules are checked for TCP (what Bastion speaks; some of
 * its examples write "*"), over the whole of each tag: an NSG that allows 443
 * from part of the Internet only does not meet "443 from Internet".
 */
import { formatPacket } from "../engine/packet.js";
import { resolveAddressMatch, type TagContext } from "../engine/resolve.js";
import { type Diagnostic, error, info, type ValuePath } from "../model/diagnostic.js";
import type { SubnetInfo } from "../model/network.js";
import { BASTION_SUBNET } from "../model/private-endpoint-types.js";
import type { BastionInfo } from "../model/private-endpoints.js";
import { type Direction, watcherRuleName } from "../model/rule.js";
import { AddressSet } from "../net/address-set.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

interface RequiredRule {
  readonly direction: Direction;
  readonly what: string;
  /** The tag on the far side: the source inbound, the destination outbound. */
  readonly tag: string;
  readonly ports: readonly number[];
}

/** Azure Bastion's required NSG rules on AzureBastionSubnet (learn.microsoft.com, bastion-nsg). */
export const BASTION_REQUIRED_RULES: readonly RequiredRule[] = [
  { direction: "Inbound", what: "443 from Internet", tag: "Internet", ports: [443] },
  { direction: "Inbound", what: "443 from GatewayManager", tag: "GatewayManager", ports: [443] },
  {
    direction: "Inbound",
    what: "8080, 5701 from VirtualNetwork (data plane)",
    tag: "VirtualNetwork",
    ports: [8080, 5701],
  },
  {
    direction: "Inbound",
    what: "443 from AzureLoadBalancer",
    tag: "AzureLoadBalancer",
    ports: [443],
  },
  {
    direction: "Outbound",
    what: "22, 3389 to VirtualNetwork (sessions to VMs)",
    tag: "VirtualNetwork",
    ports: [22, 3389],
  },
  { direction: "Outbound", what: "443 to AzureCloud", tag: "AzureCloud", ports: [443] },
  {
    direction: "Outbound",
    what: "8080, 5701 to VirtualNetwork (data plane)",
    tag: "VirtualNetwork",
    ports: [8080, 5701],
  },
  {
    direction: "Outbound",
    what: "80 to Internet (session information)",
    tag: "Internet",
    ports: [80],
  },
];

const REQUIREMENT =
  "If you apply an NSG to AzureBastionSubnet, you must create all of the following rules (Azure Bastion's NSG documentation)";

export function bastionFindings(analyzer: ReachAnalyzer): Diagnostic[] {
  const network = analyzer.network;
  const out: Diagnostic[] = [];
  for (const subnet of network.subnets)
    if (subnet.name === BASTION_SUBNET && subnet.nsg !== undefined)
      out.push(...requiredRuleFindings(analyzer, subnet, subnet.nsg));
  for (const bastion of network.bastionHosts.values())
    out.push(...targetFindings(analyzer, bastion));
  return out;
}

function requiredRuleFindings(
  analyzer: ReachAnalyzer,
  subnet: SubnetInfo,
  nsgName: string,
): Diagnostic[] {
  const network = analyzer.network;
  const nsg = network.nsgs.get(nsgName);
  const vnet = network.vnets.get(subnet.vnet);
  if (!nsg || !vnet) return [];
  const context: TagContext = { network, virtualNetworkTag: vnet.virtualNetworkTag };
  const out: Diagnostic[] = [];
  for (const required of BASTION_REQUIRED_RULES) {
    const far = resolveAddressMatch({ kind: "tag", tag: required.tag }, context);
    const [source, destination] =
      required.direction === "Inbound" ? [far, subnet.addresses] : [subnet.addresses, far];
    const needed = PacketSet.box({
      protocols: ["Tcp"],
      source,
      destination,
      destinationPorts: required.ports.map((p) => ({ first: p, last: p })),
    });
    const decisions = analyzer.nsgDecisions(nsgName, subnet.vnet, required.direction);
    const missing = needed.minus(decisions.allowed);
    if (missing.isEmpty()) continue;
    const blocker = decisions.effects.find(
      (e) => e.rule.access === "Deny" && !e.decides.intersect(missing).isEmpty(),
    );
    const witness = missing.witness();
    const rule = blocker ? watcherRuleName(blocker.rule.rule) : "its rules";
    const path: ValuePath = (blocker && nsg.rulePaths.get(blocker.rule.rule.name)) ?? nsg.path;
    out.push(
      error(
        "BastionNsgRuleMissing",
        `NSG ${nsgName} on ${subnet.id} does not allow ${required.direction.toLowerCase()} ${required.what}: ${rule} denies it${witness ? ` (${formatPacket(witness)})` : ""}. ${REQUIREMENT}`,
        path,
        `allow Tcp ${required.what} above ${rule}`,
      ),
    );
  }
  return out;
}

/**
 * The network interfaces a Bastion host reaches (its own network and peered
 * ones) whose NSGs allow neither 22 nor 3389 from the whole
 * Bastion subnet: one note per NSG that blocks them, naming them.
 */
function targetFindings(analyzer: ReachAnalyzer, bastion: BastionInfo): Diagnostic[] {
  const network = analyzer.network;
  const from = bastion.subnet;
  // Bastion reaches VMs in its own network and in peered ones, whatever its SKU.
  const reached = (vnet: string) =>
    vnet === from.vnet || (network.vnets.get(from.vnet)?.peers.includes(vnet) ?? false);
  const blocked = new Map<string, { names: string[]; path: ValuePath }>();
  for (const nic of network.nics.values()) {
    if (!reached(nic.vnet)) continue;
    const config = nic.ipConfigurations[0];
    if (!config || config.subnet.id === from.id) continue;
    const stages = [
      ...(config.subnet.nsg ? [config.subnet.nsg] : []),
      ...(nic.nsg ? [nic.nsg] : []),
    ];
    if (stages.length === 0) continue;
    const session = (port: number) =>
      PacketSet.box({
        protocols: ["Tcp"],
        source: from.addresses,
        destination: AddressSet.ofAddresses([config.address]),
        destinationPorts: [{ first: port, last: port }],
      });
    const denier = (port: number): string | undefined => {
      const needed = session(port);
      for (const nsg of stages)
        if (!needed.minus(analyzer.nsgDecisions(nsg, nic.vnet, "Inbound").allowed).isEmpty())
          return nsg;
      return undefined;
    };
    const ssh = denier(22);
    const rdp = denier(3389);
    if (ssh === undefined || rdp === undefined) continue;
    const nsg = rdp;
    const entry = blocked.get(nsg) ?? {
      names: [],
      path: network.nsgs.get(nsg)?.path ?? ["networkSecurityGroups"],
    };
    entry.names.push(nic.name);
    blocked.set(nsg, entry);
  }
  return [...blocked].map(([nsg, { names, path }]) => {
    const shown =
      names.slice(0, 3).join(", ") + (names.length > 3 ? ` and ${names.length - 3} more` : "");
    return info(
      "BastionTargetNotAllowed",
      `Bastion host ${bastion.name} cannot open a session to ${names.length === 1 ? "network interface" : "network interfaces"} ${shown}: NSG ${nsg} allows neither 22 nor 3389 from all of ${from.id} (${from.addresses}), where Bastion's sessions come from`,
      path,
      `allow Tcp 22 or 3389 from ${from.addresses} (the Bastion subnet) in ${nsg}, if these VMs are to be reached through Bastion`,
    );
  });
}
