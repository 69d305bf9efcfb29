/**
 * The recommended deny-all pattern: an explicit Deny at a low priority
 * (4000-4096) after the allows, from which on nothing gets through. The
 * allows before it are its exceptions by design, so lint reports no
 * GeneralizingRule or CorrelatedRules for the pair, and no RedundantRule note
 * when it only repeats the default deny: the NSG says what it means.
 */
import { AZURE_HOST_ADDRESS } from "../model/network.js";
import { AddressSet } from "../net/address-set.js";
import { PacketSet } from "./packet-set.js";
import type { RuleEffect } from "./policy.js";

/** Lowest and highest priority of a closing deny. */
export const DENY_ALL_PRIORITIES = { first: 4000, last: 4096 } as const;

/**
 * The names of the custom Deny rules of a direction that close it: at a
 * priority in 4000-4096, with nothing allowed by the rules from them on
 * (themselves, those after them, Azure's defaults), save the platform's
 * health probes from 168.63.129.16 that AllowAzureLoadBalancerInBound lets in.
 */
export function closingDenies(effects: readonly RuleEffect[]): ReadonlySet<string> {
  const out = new Set<string>();
  const candidate = (e: RuleEffect) =>
    !e.rule.rule.isDefault &&
    e.rule.access === "Deny" &&
    e.rule.priority >= DENY_ALL_PRIORITIES.first &&
    e.rule.priority <= DENY_ALL_PRIORITIES.last;
  if (!effects.some(candidate)) return out;
  const probes = PacketSet.box({ source: AddressSet.of([AZURE_HOST_ADDRESS]) });
  let after = PacketSet.empty;
  // From the end (Azure's defaults) back to the first custom rule below 4000.
  for (let i = effects.length - 1; i >= 0; i--) {
    const e = effects[i] as RuleEffect;
    if (!e.rule.rule.isDefault && e.rule.priority < DENY_ALL_PRIORITIES.first) break;
    const rest = after.minus(e.matches);
    after = e.rule.access === "Allow" ? rest.union(e.matches) : rest;
    if (candidate(e) && !e.matches.isEmpty() && after.minus(probes).isEmpty())
      out.add(e.rule.rule.name);
  }
  return out;
}
