import type { Direction } from "../model/rule.js";
import { displayAddress, type IpAddress } from "../net/address.js";
import { portInRanges } from "../net/ports.js";
import { type FlowProtocol, hasPorts } from "../net/protocol.js";
import { type ResolvedNsg, type ResolvedRule, rulesFor } from "./resolve.js";

/** One packet's 5-tuple as an NSG sees it. Ports are ignored for protocols without them. */
export interface Packet {
  readonly protocol: FlowProtocol;
  readonly source: IpAddress;
  readonly sourcePort: number;
  readonly destination: IpAddress;
  readonly destinationPort: number;
}

export function ruleMatches(rule: ResolvedRule, packet: Packet): boolean {
  if (rule.protocol !== "*" && rule.protocol !== packet.protocol) return false;
  if (!rule.source.has(packet.source) || !rule.destination.has(packet.destination)) return false;
  if (!hasPorts(packet.protocol)) return true;
  return (
    portInRanges(packet.sourcePort, rule.sourcePorts) &&
    portInRanges(packet.destinationPort, rule.destinationPorts)
  );
}

/**
 * Azure's evaluation inside one NSG: rules by ascending priority, the first
 * match decides. The default deny rules match everything, so a rule is always found.
 * This walks the rule list; flow evaluation uses the compiled classifier
 * (classifier.ts), and this stays as the plain statement it must agree with.
 */
export function firstMatch(nsg: ResolvedNsg, direction: Direction, packet: Packet): ResolvedRule {
  for (const rule of rulesFor(nsg, direction)) if (ruleMatches(rule, packet)) return rule;
  throw noMatchingRule(nsg, direction);
}

/** What both evaluators throw when not even a default rule matches. */
export function noMatchingRule(nsg: ResolvedNsg, direction: Direction): Error {
  return new Error(
    `NSG ${nsg.name} has no ${direction} rule for the packet; the default rules are missing`,
  );
}

/** `sourcePort` shows another source port, such as `*` for a packet that stands for any. */
export function formatPacket(packet: Packet, sourcePort = String(packet.sourcePort)): string {
  const ports = hasPorts(packet.protocol);
  const src = displayAddress(packet.source);
  const dst = displayAddress(packet.destination);
  const wrap = (a: string) => (a.includes(":") ? `[${a}]` : a);
  return ports
    ? `${packet.protocol} ${wrap(src)}:${sourcePort} -> ${wrap(dst)}:${packet.destinationPort}`
    : `${packet.protocol} ${src} -> ${dst}`;
}
