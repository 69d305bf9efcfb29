/** tierwall as a library: the model, the engine and the spec loader. */

export { type AssertionOutcome, checkAssertion, type FlowAssertion } from "./engine/assertions.js";
export { type EffectiveNsg, type EffectiveRule, effectiveRules } from "./engine/effective.js";
export { type Host, hostAt, resolveEndpoint } from "./engine/endpoint.js";
export {
  type AppliedTo,
  DEFAULT_SOURCE_PORT,
  FlowEvaluator,
  type FlowQuery,
  type FlowResult,
  type NsgEvaluation,
} from "./engine/flow.js";
export { firstMatch, formatPacket, type Packet, ruleMatches } from "./engine/packet.js";
export { NsgResolver, type ResolvedNsg, type ResolvedRule, resolveRule } from "./engine/resolve.js";
export { DEFAULT_SECURITY_RULES } from "./model/default-rules.js";
export type { Diagnostic, Severity, SourceLocation } from "./model/diagnostic.js";
export { LIMITS } from "./model/limits.js";
export { buildNetwork, type Network } from "./model/network.js";
export { type ParsedRule, parseSecurityRule, watcherRuleName } from "./model/rule.js";
export { parseServiceTagFile, ServiceTagCatalog } from "./model/service-tags.js";
export type * from "./model/types.js";
export { formatIpAddress, type IpAddress, parseIpAddress } from "./net/address.js";
export { AddressSet } from "./net/address-set.js";
export { formatPrefix, type Prefix, parsePrefix } from "./net/prefix.js";
export { type LoadedSpec, type LoadResult, loadSpec } from "./spec/load.js";
export { specJsonSchema } from "./spec/schema.js";
