/**
 * Findings about application gateways' subnets. Azure's infrastructure page
 * (reachability.md §4, AGINFRA) says the gateway subnet's NSG must allow
 * inbound GatewayManager on 65200-65535 (v2) or 65503-65534 (v1), must not
 * override AzureLoadBalancer with a manual Deny, and must not deny outbound
 * Internet connectivity ("Outbound NSG rules that deny any outbound
 * connectivity must not be created"). A v2 gateway's deployment fails
 * (ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup,
 * ...OutboundTrafficBlockedByNetworkSecurityGroup): an error; a v1 gateway
 * shows its backends' health as Unknown: a warning. Each finding is placed on
 * the rule that blocks, or on the NSG when a default rule does.
 *
 * Strict readings (the sources give no finer line): GatewayManager is needed
 * over the whole tag to the whole subnet, on TCP; AzureLoadBalancer on every
 * protocol and port; a Deny of any part of the outbound Internet (any
 * protocol, port or address) counts as denying outbound connectivity.
 */
import { formatPacket } from "../engine/packet.js";
import { resolveAddressMatch, type TagContext } from "../engine/resolve.js";
import type { ApplicationGatewayInfo } from "../model/application-gateways.js";
import { type Diagnostic, error, info, type ValuePath, warning } from "../model/diagnostic.js";
import { type Direction, watcherRuleName } from "../model/rule.js";
import { isBuiltInTag } from "../model/service-tags.js";
import { AddressSet } from "../net/address-set.js";
import { FLOW_PROTOCOLS, type FlowProtocol } from "../net/protocol.js";
import { PacketSet } from "./packet-set.js";
import type { ReachAnalyzer } from "./reach.js";

/** The ports GatewayManager reaches a gateway's instances on, by generation (AGINFRA). */
export const GATEWAY_MANAGER_PORTS: Record<1 | 2, { first: number; last: number }> = {
  1: { first: 65503, last: 65534 },
  2: { first: 65200, last: 65535 },
};

interface Requirement {
  readonly direction: Direction;
  readonly what: string;
  readonly tag: string;
  readonly protocols: readonly FlowProtocol[];
  readonly ports?: { first: number; last: number };
  /** Only a custom Deny counts (the default rules allow it before DenyAll*). */
  readonly customDenyOnly: boolean;
  /** Azure's error code when a v2 deployment fails on it. */
  readonly azureCode: string;
}

function requirements(gw: ApplicationGatewayInfo): Requirement[] {
  const ports = GATEWAY_MANAGER_PORTS[gw.version];
  return [
    {
      direction: "Inbound",
      what: `Tcp ${ports.first}-${ports.last} from GatewayManager (the v${gw.version} infrastructure ports)`,
      tag: "GatewayManager",
      protocols: ["Tcp"],
      ports,
      customDenyOnly: false,
      azureCode: "ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup",
    },
    {
      direction: "Inbound",
      what: "traffic from AzureLoadBalancer (it must not be overridden by a manual Deny)",
      tag: "AzureLoadBalancer",
      protocols: FLOW_PROTOCOLS,
      customDenyOnly: true,
      azureCode: "ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup",
    },
    {
      direction: "Outbound",
      what: "outbound traffic to the Internet (no rule may deny outbound connectivity)",
      tag: "Internet",
      protocols: FLOW_PROTOCOLS,
      customDenyOnly: true,
      azureCode: "ApplicationGatewaySubnetOutboundTrafficBlockedByNetworkSecurityGroup",
    },
  ];
}

export function applicationGatewayFindings(analyzer: ReachAnalyzer): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const gw of analyzer.network.applicationGateways?.values() ?? []) {
    out.push(...subnetFindings(analyzer, gw));
    out.push(...backendFindings(analyzer, gw));
  }
  return out;
}

/**
 * A backend in a network that the gateway's own connection does not reach:
 * the gateway subnet's outbound NSG or the backend's inbound NSGs deny some
 * of its subnet (any host of it may be an instance) on the settings' port.
 * One warning per rule and backend, on the rule, naming the NSG.
 */
function backendFindings(analyzer: ReachAnalyzer, gw: ApplicationGatewayInfo): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const listener of gw.listeners)
    for (const route of listener.routes) {
      const settings = route.settings;
      if (!settings) continue;
      for (const backend of route.backends) {
        const inNetwork = backend.inNetwork;
        if (!inNetwork) continue;
        const needed = PacketSet.box({
          protocols: ["Tcp"],
          source: gw.subnet.addresses,
          destination: AddressSet.ofAddresses([inNetwork.address]),
          destinationPorts: [{ first: settings.port, last: settings.port }],
        });
        const stages: { nsg: string; vnet: string; direction: Direction; where: string }[] = [
          ...(gw.subnet.nsg
            ? [
                {
                  nsg: gw.subnet.nsg,
                  vnet: gw.subnet.vnet,
                  direction: "Outbound" as const,
                  where: `subnet ${gw.subnet.id}`,
                },
              ]
            : []),
          ...(inNetwork.subnet?.nsg
            ? [
                {
                  nsg: inNetwork.subnet.nsg,
                  vnet: inNetwork.vnet,
                  direction: "Inbound" as const,
                  where: `subnet ${inNetwork.subnet.id}`,
                },
              ]
            : []),
          ...(inNetwork.nic?.nsg
            ? [
                {
                  nsg: inNetwork.nic.nsg,
                  vnet: inNetwork.vnet,
                  direction: "Inbound" as const,
                  where: `network interface ${inNetwork.nic.name}`,
                },
              ]
            : []),
        ];
        for (const stage of stages) {
          const blocked = needed.minus(
            analyzer.nsgDecisions(stage.nsg, stage.vnet, stage.direction).allowed,
          );
          if (blocked.isEmpty()) continue;
          const witness = blocked.witness();
          out.push(
            warning(
              "ApplicationGatewayBackendDenied",
              `application gateway ${gw.name}: rule ${route.rule} sends listener ${listener.name}'s requests to ${backend.label} on Tcp ${settings.port}, but NSG ${stage.nsg} (${stage.where}, ${stage.direction.toLowerCase()}) denies some of the gateway's subnet ${gw.subnet.id}${witness ? ` (${formatPacket(witness)})` : ""}: the gateway's own connection comes from its instances' addresses there, not from the client`,
              route.path,
              `allow Tcp ${settings.port} from ${gw.subnet.id}'s prefix to the backend in ${stage.nsg}`,
            ),
          );
          break;
        }
      }
    }
  return out;
}

function subnetFindings(analyzer: ReachAnalyzer, gw: ApplicationGatewayInfo): Diagnostic[] {
  const network = analyzer.network;
  const subnet = gw.subnet;
  const nsgName = subnet.nsg;
  const nsg = nsgName === undefined ? undefined : network.nsgs.get(nsgName);
  const vnet = network.vnets.get(subnet.vnet);
  if (!nsgName || !nsg || !vnet) return [];
  const context: TagContext = { network, virtualNetworkTag: vnet.virtualNetworkTag };
  const out: Diagnostic[] = [];
  const label = `application gateway ${gw.name} (${gw.tier}, v${gw.version})`;
  for (const required of requirements(gw)) {
    if (!isBuiltInTag(required.tag) && network.serviceTags.prefixes(required.tag) === undefined) {
      out.push(
        info(
          "ApplicationGatewaySubnetNotChecked",
          `${label}: whether NSG ${nsgName} lets in ${required.what} cannot be checked: the service-tags file given has no ${required.tag}`,
          gw.path,
          "name a complete service-tags file as Azure publishes it, or leave serviceTags out for symbolic tags",
        ),
      );
      continue;
    }
    const far = resolveAddressMatch({ kind: "tag", tag: required.tag }, context);
    const [source, destination] =
      required.direction === "Inbound" ? [far, subnet.addresses] : [subnet.addresses, far];
    const needed = PacketSet.box({
      protocols: required.protocols,
      source,
      destination,
      ...(required.ports ? { destinationPorts: [required.ports] } : {}),
    });
    const decisions = analyzer.nsgDecisions(nsgName, subnet.vnet, required.direction);
    const blocker = decisions.effects.find(
      (e) =>
        e.rule.access === "Deny" &&
        !(required.customDenyOnly && e.rule.rule.isDefault) &&
        !e.decides.intersect(needed).isEmpty(),
    );
    if (!blocker) continue;
    const blocked = blocker.decides.intersect(needed);
    const witness = blocked.witness();
    const rule = watcherRuleName(blocker.rule.rule);
    const path: ValuePath = nsg.rulePaths.get(blocker.rule.rule.name) ?? nsg.path;
    const consequence =
      gw.version === 2
        ? `Azure refuses to deploy a v2 gateway so (${required.azureCode})`
        : "the gateway cannot be managed and shows its backends' health as Unknown";
    const message = `${label}: NSG ${nsgName} on its subnet ${subnet.id} does not allow ${required.direction.toLowerCase()} ${required.what}: ${rule} denies it${witness ? ` (${formatPacket(witness)})` : ""}; ${consequence}`;
    const hint =
      required.tag === "GatewayManager"
        ? `allow Tcp from GatewayManager to * on ${required.ports?.first}-${required.ports?.last} above ${rule}`
        : required.tag === "AzureLoadBalancer"
          ? `remove ${rule}, or let AzureLoadBalancer through above it`
          : `remove ${rule}: an application gateway's subnet must not deny outbound connectivity`;
    out.push(
      gw.version === 2
        ? error("ApplicationGatewaySubnetBlocked", message, path, hint)
        : warning("ApplicationGatewaySubnetBlocked", message, path, hint),
    );
  }
  return out;
}
