/**
 * Service tags without Azure's file, against the strict reading stated on its
 * own: an address of a tag is described by what it is (its service, its region,
 * whether it is inside AzureCloud), and a rule's tag matches it by the README's
 * relations alone, with no addresses. Random NSGs over a vocabulary of tags,
 * regional tags, AzureCloud, Internet and prefixes are evaluated by the engine on
 * the symbolic addresses and by this reading; they must pick the same rule.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { firstMatch } from "../src/engine/packet.js";
import { NsgResolver } from "../src/engine/resolve.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import { ServiceTagCatalog } from "../src/model/service-tags.js";
import { namedSymbolicTag } from "../src/model/symbolic-tags.js";
import type { SecurityRule, Topology } from "../src/model/types.js";
import type { IpAddress } from "../src/net/address.js";
import { AddressSet } from "../src/net/address-set.js";

const SEED = Number(process.env.ORACLE_SEED ?? 7);

/** What an address of a tag is: `region` undefined is a region no rule names. */
interface Member {
  readonly service: string;
  readonly region?: string;
  readonly insideCloud: boolean;
  readonly family: 4 | 6;
}

const SERVICES = ["AzureCloud", "Sql", "Storage", "GatewayManager", "EventHub"];
const REGIONS = ["WestEurope", "NorthEurope", undefined];
// EventHub and the third region are never named: addresses of a tag no rule names.
const SOURCES = [
  "AzureCloud",
  "AzureCloud.WestEurope",
  "Sql",
  "Sql.WestEurope",
  "Sql.northeurope",
  "Storage",
  "Storage.WestEurope",
  "GatewayManager",
  "*",
  "Internet",
  "VirtualNetwork",
  "AzureLoadBalancer",
  "203.0.113.0/24",
  "0.0.0.0/0",
  "240.0.0.0/4",
];

const sameRegion = (a: string | undefined, b: string) =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The strict reading, by description only. */
function readingMatches(source: string, m: Member): boolean {
  if (source === "*" || source === "Internet") return true;
  if (source === "VirtualNetwork" || source === "AzureLoadBalancer") return false;
  // A block matches a tag's address only when it covers the whole reserved block.
  if (/^[0-9]/.test(source)) return m.family === 4 && /\/[0-4]$/.test(source);
  const [service, region] = source.split(".") as [string, string | undefined];
  const inRegion = region === undefined || sameRegion(m.region, region);
  // AzureCloud: IPv4 only; its own addresses and the inside part of every other tag.
  if (service === "AzureCloud")
    return m.family === 4 && (m.service === "AzureCloud" || m.insideCloud) && inRegion;
  return m.service === service && inRegion;
}

const members: Member[] = SERVICES.flatMap((service) =>
  REGIONS.flatMap((region) =>
    [true, false].flatMap((insideCloud) =>
      ([4, 6] as const).flatMap((family) => {
        if (family === 6 && (insideCloud || service === "AzureCloud")) return [];
        if (service === "AzureCloud" && !insideCloud) return [];
        return [{ service, insideCloud, family, ...(region ? { region } : {}) }];
      }),
    ),
  ),
);

const tagSet = (name: string) => namedSymbolicTag(name)?.addresses ?? AddressSet.empty;
const familySet = (family: 4 | 6) =>
  AddressSet.of([
    family === 4
      ? { family: 4, first: 0n, last: 0xffffffffn }
      : { family: 6, first: 0n, last: (1n << 128n) - 1n },
  ]);

/** One address the engine holds for the description. */
function addressOf(m: Member): IpAddress {
  // A region no rule names: one whose name no rule gives.
  const region = m.region ?? "SouthAfricaNorth";
  let set = tagSet(`${m.service}.${region}`).intersect(familySet(m.family));
  const cloud = tagSet("AzureCloud");
  set = m.insideCloud ? set.intersect(cloud) : set.minus(cloud);
  if (m.service === "AzureCloud")
    for (const other of SERVICES.filter((s) => s !== "AzureCloud")) set = set.minus(tagSet(other));
  const [first] = set.intervals(m.family);
  if (!first) throw new Error(`no address stands for ${JSON.stringify(m)}`);
  return { family: m.family, value: first[0] };
}

function topologyOf(rules: SecurityRule[]): Topology {
  return {
    virtualNetworks: [
      {
        name: "vnet",
        addressSpace: { addressPrefixes: ["10.0.0.0/16", "fd00::/48"] },
        subnets: [
          {
            name: "app",
            addressPrefixes: ["10.0.1.0/24", "fd00:0:0:1::/64"],
            networkSecurityGroup: "nsg",
          },
        ],
      },
    ],
    networkSecurityGroups: [{ name: "nsg", securityRules: rules }],
    applicationSecurityGroups: [],
    networkInterfaces: [],
    environments: [],
  } as unknown as Topology;
}

const rulesArb = fc
  .uniqueArray(
    fc.record({
      priority: fc.integer({ min: 100, max: 4096 }),
      source: fc.constantFrom(...SOURCES),
      access: fc.constantFrom("Allow", "Deny"),
    }),
    { minLength: 1, maxLength: 8, selector: (r) => r.priority },
  )
  .map((list) =>
    list.map(
      (r, i): SecurityRule => ({
        name: `r${i}`,
        priority: r.priority,
        direction: "Inbound",
        access: r.access as "Allow" | "Deny",
        protocol: "*",
        sourceAddressPrefix: r.source,
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
      }),
    ),
  );

/** The reading's first match: custom rules by priority, then the default inbound rules. */
function readingDecision(rules: readonly SecurityRule[], m: Member): string {
  const ordered = [...rules].sort((a, b) => a.priority - b.priority);
  const hit = ordered.find((r) => readingMatches(r.sourceAddressPrefix as string, m));
  return hit ? `securityRules/${hit.name}` : "defaultSecurityRules/DenyAllInBound";
}

describe("symbolic service tags against the strict reading", () => {
  it("every description the reading knows has an address", () => {
    expect(members.length).toBeGreaterThan(30);
    const seen = new Set(members.map((m) => `${m.family}/${addressOf(m).value}`));
    expect(seen.size).toBe(members.length);
  });

  it("each tag holds exactly the addresses the reading says", () => {
    // Tags other than AzureCloud (the built-in ones have no symbolic set).
    for (const source of SOURCES.filter((s) => /^[A-Z]/.test(s) && !s.startsWith("Azure")))
      for (const m of members) {
        const named = namedSymbolicTag(source);
        if (!named) continue;
        expect([source, m, named.addresses.has(addressOf(m))]).toEqual([
          source,
          m,
          readingMatches(source, m),
        ]);
      }
    for (const m of members)
      for (const source of ["AzureCloud", "AzureCloud.WestEurope"])
        expect([source, m, tagSet(source).has(addressOf(m))]).toEqual([
          source,
          m,
          readingMatches(source, m),
        ]);
  });

  it("random NSGs decide every tag's addresses as the reading does", () => {
    let checked = 0;
    fc.assert(
      fc.property(rulesArb, (rules) => {
        const built = buildNetwork(topologyOf(rules), ServiceTagCatalog.symbolic);
        if (hasErrors(built.diagnostics) || !built.network)
          throw new Error(built.diagnostics.map((d) => d.message).join("\n"));
        const nsg = new NsgResolver(built.network).resolve("nsg", "vnet");
        for (const m of members) {
          const destination: IpAddress =
            m.family === 4
              ? { family: 4, value: 0x0a000104n }
              : { family: 6, value: 0xfd00_0000_0000_0001_0000_0000_0000_0004n };
          const engine = firstMatch(nsg, "Inbound", {
            protocol: "Tcp",
            source: addressOf(m),
            sourcePort: 50000,
            destination,
            destinationPort: 1433,
          }).rule;
          const name = engine.isDefault
            ? `defaultSecurityRules/${engine.name}`
            : `securityRules/${engine.name}`;
          expect([m, name]).toEqual([m, readingDecision(rules, m)]);
          checked++;
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(checked).toBe(300 * members.length);
  });
});
