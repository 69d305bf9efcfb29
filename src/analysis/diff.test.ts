import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changed, example, randomChange, rebuilt } from "../../test/support/rule-changes.js";
import { networkOf } from "../../test/support/spec.js";
import { buildNetwork } from "../model/network.js";
import type { SecurityRule } from "../model/types.js";
import { rulesChanged, semanticDiff } from "./diff.js";
import type { RuleChange } from "./incremental-nsg.js";
import { formatSummaryLine } from "./summary.js";

const LAYERED = readFileSync(
  join(resolve(import.meta.dirname, "../.."), "examples/layered-ase/tierwall.yaml"),
  "utf8",
);
const before = networkOf(LAYERED);
const lines = (s: { lines: readonly Parameters<typeof formatSummaryLine>[0][] }) =>
  s.lines.map((l) => formatSummaryLine(l));

/** A rule in the example's style, for insertion. */
const rule = (
  name: string,
  priority: number,
  source: string,
  port: string,
) => `      - name: ${name}
        protocol: Tcp
        access: Allow
        priority: ${priority}
        direction: Inbound
        sourceAddressPrefix: ${source}
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "${port}"
`;

const insertBefore = (text: string, ruleName: string, added: string) =>
  text.replace(`      - name: ${ruleName}\n`, `${added}      - name: ${ruleName}\n`);

describe("semantic diff", () => {
  it("sees no difference in renames, reorderings and splits that allow the same packets", () => {
    let text = LAYERED.replace("name: ALLOW-HTTP-fe1ase", "name: fe1-http")
      .replace("priority: 200\n", "priority: 250\n")
      // fe2ase's HTTPS rule split in two that allow the same, and a rule that changes nothing (already covered).
      .replace(/ {6}- name: ALLOW-HTTPS-fe2ase\n(?: {8}.*\n)+/, "");
    text = insertBefore(
      text,
      "ALLOW-HTTP-fe3ase",
      rule("fe2-https-a", 510, "198.51.100.22", "443") +
        rule("fe2-https-b", 520, "198.51.100.22/32", "443-443"),
    );
    expect(text).not.toContain("ALLOW-HTTPS-fe2ase");
    expect(text).toContain("fe2-https-b");
    const diff = semanticDiff(before, networkOf(text));
    expect(diff.nsgs).toEqual([]);
    expect(diff.flows).toEqual([]);
    expect(diff.equivalent).toBe(true);
  });

  it("prints exactly the newly exposed set when an over-broad rule is added", () => {
    const text = insertBefore(
      LAYERED,
      "ALLOW-HTTPS-apiase",
      rule("ALLOW-HTTPS-anyone", 950, '"*"', "443"),
    );
    const diff = semanticDiff(before, networkOf(text));
    expect(diff.equivalent).toBe(false);
    const exposure = diff.flows.find((f) => f.from === "Internet" && f.to === "apiase");
    expect(lines(exposure?.newlyAllowed as never)).toEqual([
      "Tcp 0.0.0.0/0 except 10.0.0.0/16,168.63.129.16/32,198.51.100.11/32,198.51.100.22/32,198.51.100.33/32,203.0.113.40/32 -> 10.0.4.4/32 ports 443",
    ]);
    expect(exposure?.newlyDenied.lines).toEqual([]);
    // The callers already had 443: no pair of environments changes.
    expect(diff.flows.filter((f) => f.from !== "Internet")).toEqual([]);
    const nsg = diff.nsgs.find((c) => c.nsg === "RestrictBackendApi" && c.direction === "Inbound");
    expect(nsg?.newlyDenied.lines).toEqual([]);
    expect(nsg?.allowedExample?.destinationPort).toBe(443);
  });

  it("shows what removing the self-call rules takes away", () => {
    const text = LAYERED.replace(/ {6}- name: ALLOW-HTTPS?-apiase\n(?: {8}.*\n)+/g, "");
    const diff = semanticDiff(before, networkOf(text));
    const self = diff.flows.find((f) => f.from === "apiase" && f.to === "apiase");
    expect(lines(self?.newlyDenied as never)).toEqual([
      "Tcp 203.0.113.40/32 -> 10.0.4.4/32 ports 80,443",
    ]);
    expect(self?.newlyAllowed.lines).toEqual([]);
  });

  it("compares an NSG added or removed with no NSG at all", () => {
    const text = LAYERED.replace("        networkSecurityGroup: RestrictBackendApi\n", "");
    const diff = semanticDiff(before, networkOf(text));
    const exposure = diff.flows.find((f) => f.from === "Internet" && f.to === "apiase");
    expect(exposure?.newlyAllowed.lines.length).toBeGreaterThan(0);
  });
});

describe("semantic diff of machines' interfaces", () => {
  const spec = (associated: boolean) => `
virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets:
      - name: app
        addressPrefix: 10.0.1.0/24
${associated ? "        networkSecurityGroup: locked\n" : ""}networkSecurityGroups:
  - name: locked
    securityRules: []
publicIPAddresses:
  - name: web-pip
    sku: Basic
    ipAddress: 203.0.113.7
networkInterfaces:
  - name: web-nic
    ipConfigurations:
      - name: ip
        subnet: v/app
        privateIPAddress: 10.0.1.4
        publicIPAddress: web-pip
`;

  // A Basic public IP: open unless an NSG closes it (a Standard one is closed without one).
  it("shows what the Internet newly reaches of an interface when its subnet loses its NSG", () => {
    const diff = semanticDiff(networkOf(spec(true)), networkOf(spec(false)));
    expect(diff.equivalent).toBe(false);
    const [flow] = diff.flows;
    expect(flow).toMatchObject({ from: "Internet", to: "web-nic" });
    expect(flow?.newlyAllowed.lines.length).toBeGreaterThan(0);
    expect(flow?.newlyDenied.lines).toEqual([]);
    expect(semanticDiff(networkOf(spec(true)), networkOf(spec(true))).equivalent).toBe(true);
  });
});

/** A deny of HTTP or HTTPS on the way out, at a free priority: what callers send changes. */
function outboundDeny(rules: readonly SecurityRule[], seed: number): RuleChange {
  const taken = new Set(rules.filter((r) => r.direction === "Outbound").map((r) => r.priority));
  let priority = 100 + (seed % 200);
  while (taken.has(priority)) priority++;
  return {
    kind: "add",
    rule: {
      name: `deny-out-${seed}`,
      protocol: "Tcp",
      access: "Deny",
      priority,
      direction: "Outbound",
      sourceAddressPrefix: "*",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: seed % 2 === 0 ? "443" : "80",
    },
  };
}

describe("semanticDiff told which NSGs' rules changed", () => {
  for (const name of ["layered-ase", "three-tier", "asg-tiers", "hub-spoke-tiers", "load-balancer"])
    it(`gives ${name}'s whole diff after random changes to several NSGs`, () => {
      const start = example(name);
      const nsgs = start.topology.networkSecurityGroups.map((n) => n.name);
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 0, maxLength: 4 }),
          (steps) => {
            let topology = start.topology;
            for (const [which, seed, step] of steps) {
              const nsg = nsgs[which % nsgs.length] as string;
              const rules =
                topology.networkSecurityGroups.find((n) => n.name === nsg)?.securityRules ?? [];
              const change =
                step % 7 === 6 ? outboundDeny(rules, seed) : randomChange(rules, seed, step);
              if (!change) continue;
              const next = changed(topology, nsg, change);
              if (buildNetwork(next, start.network.serviceTags).network) topology = next;
            }
            const after = { topology, network: rebuilt(topology, start.network) };
            const told = rulesChanged(start, after);
            expect(told).toBeDefined();
            expect(semanticDiff(start.network, after.network, told)).toEqual(
              semanticDiff(start.network, after.network),
            );
          },
        ),
        { numRuns: 15 },
      );
    });

  it("is told nothing when more than rules changed: tags, networks, or an NSG added", () => {
    const start = example("layered-ase");
    const other = (topology: typeof start.topology) => ({
      topology,
      network: rebuilt(topology, start.network),
    });
    expect(rulesChanged(start, start)?.nsgs.size).toBe(0);
    const renamedVnet = {
      ...start.topology,
      virtualNetworks: start.topology.virtualNetworks.map((v) => ({ ...v, tags: { a: "b" } })),
    };
    expect(rulesChanged(start, other(renamedVnet))).toBeUndefined();
    const extraNsg = {
      ...start.topology,
      networkSecurityGroups: [
        ...start.topology.networkSecurityGroups,
        { name: "spare", securityRules: [] },
      ],
    };
    expect(rulesChanged(start, other(extraNsg))).toBeUndefined();
  });
});
