import type { NicInfo, SubnetInfo } from "../model/network.js";
import { type Access, type Direction, watcherRuleName } from "../model/rule.js";
import type { CompiledNsgs } from "./classifier.js";
import { formatPacket, type Packet } from "./packet.js";
import type { NsgResolver } from "./resolve.js";

/** What an NSG is bound to, as Network Watcher names it. */
export interface AppliedTo {
  readonly type: "subnet" | "networkInterface";
  readonly name: string;
}

/** One NSG a packet met, and its verdict. */
export interface NsgEvaluation {
  readonly nsg: string;
  readonly appliedTo: AppliedTo;
  readonly direction: Direction;
  readonly packet: string;
  readonly access: Access;
  /** Network Watcher form: `securityRules/NAME` or `defaultSecurityRules/NAME`. */
  readonly rule: string;
  readonly priority: number;
}

/** One NSG a packet meets, with the virtual network that gives its tags their meaning. */
export interface NsgStage {
  readonly nsg: string;
  readonly appliedTo: AppliedTo;
  readonly direction: Direction;
  readonly vnet: string;
  readonly packet: Packet;
  /** Rules match whatever the source port: Azure reads source port filters as * for private endpoint traffic. */
  readonly anySourcePort?: boolean;
}

/** What the NSGs make of a packet, apart from whether it can travel at all. */
export interface NsgVerdict {
  readonly access: Access;
  /**
   * The deciding rule: the one that denied, or, when every NSG allows, the
   * allowing rule of the NSG evaluated last. Absent when no NSG applies.
   */
  readonly rule?: string;
  readonly nsg?: string;
  readonly appliedTo?: AppliedTo;
  /** The NSGs evaluated, in Azure's order, up to the first that denies. */
  readonly evaluations: readonly NsgEvaluation[];
}

/**
 * The NSGs a packet meets at one end, in Azure's order: inbound, the subnet's
 * and then the NIC's; outbound, the NIC's and then the subnet's.
 */
export function nsgStages(
  direction: Direction,
  at: { readonly subnet?: SubnetInfo | undefined; readonly nic?: NicInfo | undefined },
  vnet: string,
  packet: Packet,
): NsgStage[] {
  const stages: NsgStage[] = [];
  const nic = at.nic?.nsg
    ? { nsg: at.nic.nsg, appliedTo: { type: "networkInterface" as const, name: at.nic.name } }
    : undefined;
  const subnet = at.subnet?.nsg
    ? { nsg: at.subnet.nsg, appliedTo: { type: "subnet" as const, name: at.subnet.id } }
    : undefined;
  const order = direction === "Inbound" ? [subnet, nic] : [nic, subnet];
  for (const s of order) if (s) stages.push({ ...s, direction, vnet, packet });
  return stages;
}

/**
 * Evaluates the stages in order: each NSG by first match, and every NSG present
 * must allow, so the first Deny ends the evaluation (Azure does not consult the
 * NSGs after it). With no stage, nothing filters the packet and it is allowed.
 */
export function evaluateStages(
  stages: readonly NsgStage[],
  resolver: NsgResolver,
  compiled: CompiledNsgs,
): NsgVerdict {
  const evaluations: NsgEvaluation[] = [];
  for (const s of stages) {
    const nsg = s.anySourcePort
      ? resolver.resolveAnySourcePort(s.nsg, s.vnet)
      : resolver.resolve(s.nsg, s.vnet);
    const rule = compiled.firstMatch(nsg, s.direction, s.packet);
    const packet = s.packet;
    evaluations.push({
      nsg: s.nsg,
      appliedTo: s.appliedTo,
      direction: s.direction,
      // Written out when read: a verdict asked for its access alone (IP flow verify over HTTP) never is.
      get packet() {
        return formatPacket(packet);
      },
      access: rule.access,
      rule: watcherRuleName(rule.rule),
      priority: rule.priority,
    });
    if (rule.access === "Deny") break;
  }
  const decider = evaluations[evaluations.length - 1];
  if (!decider) return { access: "Allow", evaluations };
  return {
    access: decider.access,
    rule: decider.rule,
    nsg: decider.nsg,
    appliedTo: decider.appliedTo,
    evaluations,
  };
}
