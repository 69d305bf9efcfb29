/** The protocols an NSG rule can name; `*` is any protocol. */
export const RULE_PROTOCOLS = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"] as const;
export type RuleProtocol = (typeof RULE_PROTOCOLS)[number];

/** The protocol of a concrete flow. */
export type FlowProtocol = Exclude<RuleProtocol, "*">;
export const FLOW_PROTOCOLS: readonly FlowProtocol[] = ["Tcp", "Udp", "Icmp", "Esp", "Ah"];

/** Azure treats protocol names case-insensitively; this returns the canonical spelling. */
export function parseRuleProtocol(text: string): RuleProtocol | undefined {
  const lower = text.toLowerCase();
  return RULE_PROTOCOLS.find((p) => p.toLowerCase() === lower);
}

export function parseFlowProtocol(text: string): FlowProtocol | undefined {
  const p = parseRuleProtocol(text);
  return p === "*" ? undefined : p;
}

/** Only TCP and UDP carry ports; for the others a rule's port fields do not apply. */
export function hasPorts(protocol: FlowProtocol): boolean {
  return protocol === "Tcp" || protocol === "Udp";
}
