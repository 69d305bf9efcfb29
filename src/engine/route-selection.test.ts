/**
 * Azure's route selection against a plain reading of the documentation,
 * written apart from the engine: for random route tables and destinations,
 * the route picked holds the destination, no route holding it is longer, and
 * at equal length a user route beats a system one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { networkOf } from "../../test/support/spec.js";
import { selectRoute } from "./route-selection.js";

const HOPS = ["VirtualAppliance", "None", "Internet", "VnetLocal"] as const;

interface RawRoute {
  readonly a: number;
  readonly length: number;
  readonly hop: (typeof HOPS)[number];
}

/** The block of `length` bits holding the 32-bit number `a`, as text. */
function block(a: number, length: number): { text: string; first: number; last: number } {
  const size = 2 ** (32 - length);
  const first = Math.floor(a / size) * size;
  const text = [24, 16, 8, 0].map((shift) => Math.floor(first / 2 ** shift) % 256).join(".");
  return { text: `${text}/${length}`, first, last: first + size - 1 };
}

const dotted = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

// Destinations and routes cluster around the network's space so that they meet.
const around = fc.oneof(
  fc.integer({ min: 0x0a000000, max: 0x0a00ffff }), // the network, 10.0.0.0/16
  fc.integer({ min: 0x0a010000, max: 0x0a01ffff }), // the peer, 10.1.0.0/16
  fc.integer({ min: 0x0a000000, max: 0x0affffff }), // 10.0.0.0/8
  fc.integer({ min: 0, max: 0xffffffff }),
);
const routeArb = fc.record({
  a: around,
  length: fc.integer({ min: 0, max: 32 }),
  hop: fc.constantFrom(...HOPS),
});

/** Azure's system routes for this network, as its routing overview lists them. */
const SYSTEM = [
  { ...block(0x0a000000, 16), kind: "VnetLocal" },
  { ...block(0x0a010000, 16), kind: "VNetPeering" },
  { ...block(0, 0), kind: "Internet" },
  { ...block(0x0a000000, 8), kind: "None" },
  { ...block(0xac100000, 12), kind: "None" },
  { ...block(0xc0a80000, 16), kind: "None" },
  { ...block(0x64400000, 10), kind: "None" },
];

function spec(routes: readonly RawRoute[]): string {
  // One route per prefix, as Azure keeps them.
  const seen = new Set<string>();
  const items = routes.flatMap((r, i) => {
    const { text } = block(r.a, r.length);
    if (seen.has(text)) return [];
    seen.add(text);
    const hop =
      r.hop === "VirtualAppliance" ? "VirtualAppliance, nextHopIpAddress: 10.1.0.4" : r.hop;
    return [`      - { name: r${i}, addressPrefix: ${text}, nextHopType: ${hop} }`];
  });
  return `
virtualNetworks:
  - name: vnet
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: app, addressPrefix: 10.0.1.0/24, routeTable: rt }]
    virtualNetworkPeerings: [{ remoteVirtualNetwork: peer }]
  - name: peer
    addressSpace: { addressPrefixes: [10.1.0.0/16] }
    subnets: [{ name: nva, addressPrefix: 10.1.0.0/24 }]
    virtualNetworkPeerings: [{ remoteVirtualNetwork: vnet }]
routeTables:
  - name: rt
    routes: ${items.length === 0 ? "[]" : `\n${items.join("\n")}`}
`;
}

describe("route selection", () => {
  it("picks the longest prefix holding the destination; a user route wins a tie", () => {
    fc.assert(
      fc.property(
        fc.array(routeArb, { maxLength: 12 }),
        fc.array(around, { minLength: 1, maxLength: 8 }),
        (raw, destinations) => {
          const network = networkOf(spec(raw));
          const subnet = network.subnets.find((s) => s.id === "vnet/app");
          if (!subnet) throw new Error("no subnet");
          const user = (network.routeTables.get("rt")?.routes ?? []).map((r) => {
            const p = r.prefixes[0];
            return {
              first: Number(p?.first),
              last: Number(p?.last),
              length: p?.length ?? -1,
              name: r.name,
            };
          });
          for (const d of destinations) {
            const picked = selectRoute(network, subnet, { family: 4, value: BigInt(d) });
            const holdingUser = user.filter((r) => r.first <= d && d <= r.last);
            const holdingSystem = SYSTEM.filter((r) => r.first <= d && d <= r.last);
            const longest = Math.max(
              ...holdingUser.map((r) => r.length),
              ...holdingSystem.map((r) => Number(r.text.split("/")[1])),
            );
            expect(picked, dotted(d)).toBeDefined();
            expect(picked?.prefix.length, dotted(d)).toBe(longest);
            const userAtLongest = holdingUser.find((r) => r.length === longest);
            if (userAtLongest) expect(picked?.name, dotted(d)).toBe(userAtLongest.name);
            else {
              // A system route: the network's own space before a peer's, before a reserved range's drop.
              const system = holdingSystem
                .filter((r) => Number(r.text.split("/")[1]) === longest)
                .map((r) => r.kind);
              expect(picked?.source, dotted(d)).toBe("Default");
              expect(picked?.nextHopType, dotted(d)).toBe(system[0]);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
