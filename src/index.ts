/**
 * tierwall as a library: the model, the engine, the analysis, synthesis, the
 * spec loader and writer, and import and export of every format. An ES module
 * (Node.js 20.12 or later): from CommonJS, load it with `await import("tierwall")`.
 */

export { type SetAssertion, SetAssertionChecker, type SetOutcome } from "./analysis/assertions.js";
export { type SemanticDiff, semanticDiff } from "./analysis/diff.js";
export { type FlowClass, FlowClassFolder } from "./analysis/flow-classes.js";
export { sampleFlowLogs } from "./analysis/flow-log-sample.js";
export { type Delta, IncrementalDecisions } from "./analysis/incremental.js";
export { IncrementalNsg, type RuleChange } from "./analysis/incremental-nsg.js";
export { lint } from "./analysis/lint.js";
export { exposureOf, reachMatrix } from "./analysis/matrix.js";
export { PacketSet } from "./analysis/packet-set.js";
export { decide, ruleMatchSet } from "./analysis/policy.js";
export { ReachAnalyzer } from "./analysis/reach.js";
export {
  type JudgedClass,
  judgeClasses,
  judgesBySourcePort,
  type ReplayReport,
  replay,
  replayReport,
} from "./analysis/replay.js";
export { formatSummaryLine, summarize } from "./analysis/summary.js";
export { type AssertionOutcome, checkAssertion, type FlowAssertion } from "./engine/assertions.js";
export {
  ALLOW,
  CompiledNsgs,
  DENY,
  type Decisions,
  type FlowBatch4,
  type FlowBatch6,
  FlowClassifier,
  NO_DECISION,
  NO_RULE,
  PROTOCOL_CODE,
} from "./engine/classifier.js";
export { ClassifierMemory } from "./engine/classifier-memory.js";
export { type EffectiveNsg, type EffectiveRule, effectiveRules } from "./engine/effective.js";
export { type Host, hostAt, resolveEndpoint } from "./engine/endpoint.js";
export {
  type AppliedTo,
  DEFAULT_SOURCE_PORT,
  FlowEvaluator,
  type FlowQuery,
  type FlowResult,
  type NsgEvaluation,
  type NsgVerdict,
} from "./engine/flow.js";
export {
  type IpFlowEnd,
  type IpFlowVerification,
  IpFlowVerifier,
  type IpFlowVerifyQuery,
  type IpFlowVerifyResult,
  parseIpFlowEnd,
} from "./engine/ip-flow-verify.js";
export { firstMatch, formatPacket, type Packet, ruleMatches } from "./engine/packet.js";
export { NsgResolver, type ResolvedNsg, type ResolvedRule, resolveRule } from "./engine/resolve.js";
export {
  detectFormat,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportResult,
  exportTopology,
  IMPORT_FORMATS,
  type ImportFormat,
  type ImportOptions,
  type ImportResult,
  importSources,
  type SourceFile,
} from "./formats/catalog.js";
export {
  type FlowLogReading,
  type FlowLogReadOptions,
  type FlowLogTotals,
  readFlowLogs,
} from "./formats/flow-logs/read.js";
export {
  exportNftables,
  type NftablesOptions,
  type NsgBinding,
  nsgBindings,
  type Placement,
} from "./formats/nftables/export.js";
export type { ServiceTag, ServiceTagDocument } from "./formats/service-tags/import.js";
export { compileSql, type SqlDialect } from "./formats/sql/compile.js";
export { DEFAULT_SECURITY_RULES } from "./model/default-rules.js";
export type { Diagnostic, Severity, SourceLocation } from "./model/diagnostic.js";
export { LIMITS } from "./model/limits.js";
export type { FlowLogFormat, LoggedFlow, LoggedFlowState } from "./model/logged-flow.js";
export { buildNetwork, type Network } from "./model/network.js";
export { type ParsedRule, parseSecurityRule, watcherRuleName } from "./model/rule.js";
export { parseServiceTagFile, ServiceTagCatalog } from "./model/service-tags.js";
export type * from "./model/types.js";
export { formatIpAddress, type IpAddress, parseIpAddress } from "./net/address.js";
export { AddressSet } from "./net/address-set.js";
export { formatPrefix, type Prefix, parsePrefix } from "./net/prefix.js";
export { checkSpecAssertions, type SpecOutcome } from "./specfile/check.js";
export { specJsonSchema } from "./specfile/json-schema.js";
export { type LoadedSpec, type LoadResult, loadSpec } from "./specfile/load.js";
export { type JudgedChange, SpecUnderChange } from "./specfile/spec-under-change.js";
export { writeSpec } from "./specfile/write.js";
export { resolveTiers, type Tier, type TierSpec } from "./synth/intent.js";
export { proveSynthesis } from "./synth/prove.js";
export { applySynthesis, type SynthOptions, synthesize } from "./synth/synthesize.js";
