/**
 * Reproducible synthetic NSGs for benchmarks: rules shaped like real ones
 * (prefixes from /8 to /32, some IPv6, service tags, port lists and ranges,
 * both accesses), from a seed.
 */

import { seededRandom } from "../src/analysis/seeded-random.js";
import type { SecurityRule, Topology } from "../src/model/types.js";

/** The seeded generator the benchmarks share. */
export const random = seededRandom;

const COMMON_PORTS = ["22", "80", "443", "1433", "3389", "5432", "8080", "8443", "53", "123"];

export function ruleSet(
  count: number,
  seed: number,
  direction: "Inbound" | "Outbound" = "Inbound",
): SecurityRule[] {
  const next = random(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)] as T;
  const v4 = (): string => {
    const length = pick([8, 12, 16, 20, 24, 24, 24, 28, 32, 32, 32]);
    const value = (int(2 ** 32) >>> (32 - length)) << (32 - length);
    const octets = [24, 16, 8, 0].map((s) => ((value >>> s) & 255).toString());
    return `${octets.join(".")}/${length}`;
  };
  const v6 = (): string => `2001:db8:${int(65536).toString(16)}::/48`;
  const ports = (): Pick<SecurityRule, "destinationPortRange" | "destinationPortRanges"> => {
    const r = next();
    if (r < 0.15) return { destinationPortRange: "*" };
    if (r < 0.55) return { destinationPortRange: pick(COMMON_PORTS) };
    if (r < 0.8) {
      const first = 1024 + int(60000);
      return { destinationPortRange: `${first}-${first + int(500)}` };
    }
    return {
      destinationPortRanges: [
        ...new Set([pick(COMMON_PORTS), pick(COMMON_PORTS), `${10000 + int(1000)}`]),
      ],
    };
  };
  const rules: SecurityRule[] = [];
  for (let i = 0; i < count; i++) {
    const ipv6 = next() < 0.1;
    const r = next();
    const source: Pick<SecurityRule, "sourceAddressPrefix" | "sourceAddressPrefixes"> =
      r < 0.1
        ? { sourceAddressPrefix: pick(["*", "Internet", "VirtualNetwork", "AzureLoadBalancer"]) }
        : r < 0.3
          ? {
              sourceAddressPrefixes: Array.from({ length: 2 + int(6) }, () => (ipv6 ? v6() : v4())),
            }
          : { sourceAddressPrefix: ipv6 ? v6() : v4() };
    rules.push({
      name: `rule-${i}`,
      protocol: pick(["Tcp", "Tcp", "Tcp", "Udp", "*", "Icmp"]),
      access: next() < 0.7 ? "Allow" : "Deny",
      priority: 100 + i * 3,
      direction,
      ...source,
      sourcePortRange: "*",
      destinationAddressPrefix: next() < 0.6 ? "*" : ipv6 ? "2001:db8:ffff::/48" : "10.0.0.0/16",
      ...ports(),
    });
  }
  return rules;
}

/** One network holding a subnet with the NSG, so that its tags resolve. */
export function topologyWith(rules: SecurityRule[]): Topology {
  return {
    virtualNetworks: [
      {
        name: "vnet",
        addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
        subnets: [{ name: "app", addressPrefix: "10.0.1.0/24", networkSecurityGroup: "nsg" }],
      },
    ],
    networkSecurityGroups: [{ name: "nsg", securityRules: rules }],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [
      {
        name: "app",
        kind: "Workload",
        subnet: "app",
        privateIPAddress: "10.0.1.4",
        publicIPAddress: "198.51.100.4",
      },
    ],
  };
}
