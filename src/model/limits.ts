/** Azure's limits on NSGs and their rules (per region and subscription). */
export const LIMITS = {
  rulesPerNsg: 1000,
  /** IP addresses and ranges per side (source, destination), counted over the whole NSG. */
  prefixesPerNsgSide: 4000,
  asgsPerRuleSide: 10,
  asgsPerNsg: 100,
  asgsPerIpConfiguration: 20,
  nameLength: 80,
  descriptionLength: 140,
  minPriority: 100,
  maxPriority: 4096,
} as const;
