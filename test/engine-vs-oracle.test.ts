/**
 * The engine against an independent, naive reference evaluator
 * (test/oracle/reference-evaluator.ts), on random valid NSGs and packets and on
 * random small topologies and flows. Any disagreement fails the test and is
 * printed with its whole input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlowEvaluator, type FlowResult } from "../src/engine/flow.js";
import { firstMatch, type Packet } from "../src/engine/packet.js";
import { NsgResolver } from "../src/engine/resolve.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { buildNetwork } from "../src/model/network.js";
import { parseServiceTagFile } from "../src/model/service-tags.js";
import type { NetworkSecurityGroup, SecurityRule, Topology } from "../src/model/types.js";
import {
  addressValue,
  type ConcretePacket,
  candidatesFor,
  concretePacket,
  type FlowChoice,
  NSG_LEVEL_ASGS,
  NSG_LEVEL_VNETS,
  nsgLevelTopology,
  type PacketChoice,
  packetChoiceArb,
  SERVICE_TAG_FILE,
  SERVICE_TAGS,
  securityRulesArb,
  type TopologyCase,
  topologyCaseArb,
} from "./oracle/arbitraries.js";
import {
  type ReferenceDecision,
  type ReferenceDirection,
  type ReferenceFlow,
  type ReferencePacket,
  referenceFlow,
  referenceInternetFlow,
  referenceNsgDecision,
} from "./oracle/reference-evaluator.js";

// Fixed, so that every run compares the same cases; ORACLE_SEED explores others.
const SEED = Number(process.env.ORACLE_SEED ?? 42);
const NSG_RUNS = 1000;
const TOPOLOGY_RUNS = 1000;
const DIRECTIONS: readonly ReferenceDirection[] = ["Inbound", "Outbound"];

const catalog = (() => {
  const parsed = parseServiceTagFile(SERVICE_TAG_FILE);
  if (hasErrors(parsed.diagnostics)) throw new Error("the test's service-tags file is invalid");
  return parsed.catalog;
})();

// ---------------------------------------------------------------- shared helpers

function build(topology: Topology) {
  const built = buildNetwork(topology, catalog);
  if (hasErrors(built.diagnostics) || !built.network) {
    const errors = built.diagnostics
      .filter((d) => d.severity === "error")
      .map((d) => `  ${d.code} at ${d.path.join(".")}: ${d.message}`);
    throw new Error(
      `generator bug: buildNetwork rejects the generated topology\n${errors.join("\n")}\n${JSON.stringify(topology)}`,
    );
  }
  return built.network;
}

function enginePacket(p: ConcretePacket): Packet {
  return {
    protocol: p.protocol,
    source: addressValue(p.source),
    sourcePort: p.sourcePort,
    destination: addressValue(p.destination),
    destinationPort: p.destinationPort,
  };
}

function showPacket(p: ReferencePacket): string {
  const wrap = (a: string) => (a.includes(":") ? `[${a}]` : a);
  return `${p.protocol} ${wrap(p.source)}:${p.sourcePort} -> ${wrap(p.destination)}:${p.destinationPort}`;
}

function showSide(rule: SecurityRule, side: "source" | "destination"): string {
  const single = rule[`${side}AddressPrefix`];
  const many = rule[`${side}AddressPrefixes`];
  const asgs = rule[`${side}ApplicationSecurityGroups`];
  const address =
    single !== undefined && single !== ""
      ? single
      : many !== undefined && many.length > 0
        ? `[${many.join(",")}]`
        : `asg[${(asgs ?? []).map((a) => (typeof a === "string" ? a : a.id.split("/").pop())).join(",")}]`;
  const range = rule[`${side}PortRange`];
  const ranges = rule[`${side}PortRanges`];
  const ports = range !== undefined && range !== "" ? range : `[${(ranges ?? []).join(",")}]`;
  return `${address} port ${ports}`;
}

/** One rule per line, in a form that reads like the portal's table. */
function showRules(rules: readonly SecurityRule[]): string {
  return rules
    .map(
      (r) =>
        `    ${r.name}: ${r.direction} ${r.priority} ${r.access} ${r.protocol} from ${showSide(r, "source")} to ${showSide(r, "destination")}`,
    )
    .join("\n");
}

// ---------------------------------------------------------------- NSG level

type NsgReference = (
  topology: Topology,
  nsg: NetworkSecurityGroup,
  vnet: string,
  direction: ReferenceDirection,
  packet: ReferencePacket,
) => ReferenceDecision;

const reference: NsgReference = (topology, nsg, vnet, direction, packet) =>
  referenceNsgDecision(topology, SERVICE_TAGS, nsg, vnet, direction, packet);

const nsgStats = {
  decisions: 0,
  allow: 0,
  deny: 0,
  custom: 0,
  ipv6: 0,
  byRule: new Map<string, number>(),
  customKinds: new Map<string, number>(),
};

function sideKind(rule: SecurityRule, side: "source" | "destination"): string {
  const single = rule[`${side}AddressPrefix`];
  if (single === "*") return "any";
  if (single !== undefined && single !== "")
    return /^[A-Z][A-Za-z.]+$/.test(single) ? `tag:${single}` : "prefix";
  if ((rule[`${side}AddressPrefixes`] ?? []).length > 0) return "prefixes";
  return "asgs";
}

/** Compares the engine and the reference on every packet, in every network and direction; returns the disagreements. */
function compareNsgCase(
  rules: readonly SecurityRule[],
  choices: readonly PacketChoice[],
  ref: NsgReference,
  record: boolean,
): string[] {
  const topology = nsgLevelTopology(rules);
  const resolver = new NsgResolver(build(topology));
  const nsg = topology.networkSecurityGroups[0] as NetworkSecurityGroup;
  const candidates = candidatesFor(rules, topology);
  const problems: string[] = [];
  for (const choice of choices) {
    const packet = concretePacket(choice, candidates);
    for (const vnet of NSG_LEVEL_VNETS) {
      const resolved = resolver.resolve(nsg.name, vnet);
      for (const direction of DIRECTIONS) {
        const matched = firstMatch(resolved, direction, enginePacket(packet));
        const engine = {
          access: matched.access,
          rule: `${matched.rule.isDefault ? "defaultSecurityRules" : "securityRules"}/${matched.rule.name}`,
        };
        const expected = ref(topology, nsg, vnet, direction, packet);
        if (record) {
          nsgStats.decisions++;
          nsgStats[expected.access === "Allow" ? "allow" : "deny"]++;
          if (choice.family === 6) nsgStats.ipv6++;
          nsgStats.byRule.set(
            expected.rule.startsWith("default") ? expected.rule : "custom",
            (nsgStats.byRule.get(expected.rule.startsWith("default") ? expected.rule : "custom") ??
              0) + 1,
          );
          if (expected.rule.startsWith("securityRules/")) {
            nsgStats.custom++;
            const rule = rules.find((r) => `securityRules/${r.name}` === expected.rule);
            if (rule)
              for (const side of ["source", "destination"] as const) {
                const kind = `${side}:${sideKind(rule, side)}`;
                nsgStats.customKinds.set(kind, (nsgStats.customKinds.get(kind) ?? 0) + 1);
              }
          }
        }
        if (engine.access !== expected.access || engine.rule !== expected.rule)
          problems.push(
            [
              `NSG-level disagreement: ${direction} ${showPacket(packet)}, NSG bound in virtual network ${vnet}`,
              `  engine:    ${engine.access} by ${engine.rule}`,
              `  reference: ${expected.access} by ${expected.rule}`,
              "  rules:",
              showRules(rules),
              `  rules as JSON: ${JSON.stringify(rules)}`,
            ].join("\n"),
          );
      }
    }
  }
  return problems;
}

const nsgCaseArb = fc.tuple(
  securityRulesArb(NSG_LEVEL_ASGS, 1, 30),
  fc.array(packetChoiceArb, { minLength: 1, maxLength: 24, size: "max" }),
);

// ---------------------------------------------------------------- topology level

type FlowReference = (topology: Topology, flow: FlowChoice) => ReferenceFlow;

const flowReference: FlowReference = (topology, flow) =>
  flow.source === undefined
    ? referenceFlow(
        topology,
        SERVICE_TAGS,
        flow.from,
        flow.to,
        flow.protocol,
        flow.sourcePort,
        flow.destinationPort,
      )
    : referenceInternetFlow(
        topology,
        SERVICE_TAGS,
        flow.source,
        flow.to,
        flow.protocol,
        flow.sourcePort,
        flow.destinationPort,
      );

const flowStats = {
  flows: 0,
  nsgDecisions: 0,
  allow: 0,
  deny: 0,
  routes: new Map<string, number>(),
  deciders: new Map<string, number>(),
  ipv6: 0,
  /** From an Internet address; kept out by a Standard public IP with no NSG; to a Dynamic address. */
  internet: 0,
  closed: 0,
  dynamic: 0,
};

function engineView(result: FlowResult) {
  return {
    access: result.access,
    rule: result.rule,
    route: result.route,
    trace: result.trace.map((t) => `${t.nsg} ${t.direction} ${t.access} ${t.rule}`),
  };
}

function referenceView(result: ReferenceFlow) {
  return {
    access: result.access,
    rule: result.rule,
    route: result.route,
    trace: result.trace.map((t) => `${t.nsg} ${t.direction} ${t.access} ${t.rule}`),
  };
}

function describeTopology(topology: Topology): string {
  const lines: string[] = [];
  for (const v of topology.virtualNetworks) {
    const peers = (v.virtualNetworkPeerings ?? [])
      .map((p) =>
        typeof p.remoteVirtualNetwork === "string"
          ? p.remoteVirtualNetwork
          : p.remoteVirtualNetwork.id,
      )
      .join(", ");
    lines.push(
      `  vnet ${v.name} ${v.addressSpace.addressPrefixes.join(",")}${v.connectedAddressPrefixes ? ` connected ${v.connectedAddressPrefixes.join(",")}` : ""}${peers ? ` peers ${peers}` : ""}`,
    );
    for (const s of v.subnets)
      lines.push(
        `    subnet ${s.name} ${s.addressPrefix ?? (s.addressPrefixes ?? []).join(",")}${s.networkSecurityGroup ? ` nsg ${JSON.stringify(s.networkSecurityGroup)}` : ""}`,
      );
  }
  for (const n of topology.networkInterfaces)
    lines.push(
      `  nic ${n.name}${n.networkSecurityGroup ? ` nsg ${JSON.stringify(n.networkSecurityGroup)}` : ""}: ${n.ipConfigurations
        .map(
          (c) =>
            `${c.privateIPAddress} in ${typeof c.subnet === "string" ? c.subnet : c.subnet.id} asgs [${(c.applicationSecurityGroups ?? []).join(",")}]`,
        )
        .join("; ")}`,
    );
  for (const g of topology.networkSecurityGroups)
    lines.push(`  nsg ${g.name}:\n${showRules(g.securityRules)}`);
  return lines.join("\n");
}

function compareTopologyCase(c: TopologyCase, ref: FlowReference, record: boolean): string[] {
  // Every NSG compiled from its first flow: the compiled classifier against the reference.
  const evaluator = new FlowEvaluator(build(c.topology), { compileAfter: 0 });
  const problems: string[] = [];
  for (const flow of c.flows) {
    const evaluated = evaluator.evaluate({
      from: flow.source === undefined ? `nic:${flow.from}` : `ip:${flow.source}`,
      to: `nic:${flow.to}`,
      protocol: flow.protocol,
      sourcePort: flow.sourcePort,
      destinationPort: flow.destinationPort,
    });
    if (!evaluated.ok) {
      problems.push(
        `the engine cannot evaluate ${flow.source ?? flow.from} -> ${flow.to}: ${evaluated.message}`,
      );
      continue;
    }
    const engine = engineView(evaluated.result);
    const expected = referenceView(ref(c.topology, flow));
    if (record) {
      flowStats.flows++;
      flowStats.nsgDecisions += expected.trace.length;
      flowStats[expected.access === "Allow" ? "allow" : "deny"]++;
      flowStats.routes.set(expected.route, (flowStats.routes.get(expected.route) ?? 0) + 1);
      const decider = expected.rule?.replace(/\/.*$/, "") ?? "(none)";
      flowStats.deciders.set(decider, (flowStats.deciders.get(decider) ?? 0) + 1);
      const nic = c.topology.networkInterfaces.find((n) => n.name === flow.from);
      if (nic?.ipConfigurations[0]?.privateIPAddress?.includes(":")) flowStats.ipv6++;
      if (flow.source !== undefined) flowStats.internet++;
      if (expected.route === "public" && expected.access === "Deny" && !expected.rule)
        flowStats.closed++;
      const callee = c.topology.networkInterfaces.find((n) => n.name === flow.to);
      if (callee?.ipConfigurations[0]?.privateIPAllocationMethod === "Dynamic") flowStats.dynamic++;
    }
    if (JSON.stringify(engine) !== JSON.stringify(expected))
      problems.push(
        [
          `Topology-level disagreement: ${flow.protocol} ${flow.source ?? flow.from}:${flow.sourcePort} -> ${flow.to}:${flow.destinationPort}`,
          `  engine:    ${JSON.stringify(engine)}`,
          `  reference: ${JSON.stringify(expected)}`,
          "  topology:",
          describeTopology(c.topology),
          `  topology as JSON: ${JSON.stringify(c.topology)}`,
        ].join("\n"),
      );
  }
  return problems;
}

function failWith(problems: readonly string[]): void {
  if (problems.length > 0)
    throw new Error(`${problems.length} disagreement(s); the first:\n${problems[0]}`);
}

// ---------------------------------------------------------------- the properties

describe("engine against the reference evaluator", () => {
  it("decides every packet in a single NSG as the reference does", () => {
    fc.assert(
      fc.property(nsgCaseArb, ([rules, choices]) => {
        failWith(compareNsgCase(rules, choices, reference, true));
      }),
      { seed: SEED, numRuns: NSG_RUNS },
    );
    console.log(
      `NSG level: ${NSG_RUNS} NSGs, ${nsgStats.decisions} decisions compared (${nsgStats.allow} Allow, ${nsgStats.deny} Deny, ${nsgStats.custom} by custom rules, ${nsgStats.ipv6} IPv6); deciders ${JSON.stringify(Object.fromEntries(nsgStats.byRule))}; custom deciders by side ${JSON.stringify(Object.fromEntries(nsgStats.customKinds))}`,
    );
    // The comparison is only worth something if the cases reach every kind of decision.
    expect(nsgStats.decisions).toBeGreaterThan(10_000);
    expect(nsgStats.allow).toBeGreaterThan(nsgStats.decisions / 10);
    expect(nsgStats.deny).toBeGreaterThan(nsgStats.decisions / 10);
    expect(nsgStats.custom).toBeGreaterThan(nsgStats.decisions / 10);
    expect(nsgStats.ipv6).toBeGreaterThan(nsgStats.decisions / 10);
    for (const name of [
      "AllowVnetInBound",
      "AllowAzureLoadBalancerInBound",
      "DenyAllInBound",
      "AllowVnetOutBound",
      "AllowInternetOutBound",
      "DenyAllOutBound",
    ])
      expect(nsgStats.byRule.get(`defaultSecurityRules/${name}`) ?? 0).toBeGreaterThan(50);
    for (const side of ["source", "destination"])
      for (const kind of [
        "any",
        "prefix",
        "prefixes",
        "asgs",
        "tag:VirtualNetwork",
        "tag:Internet",
        "tag:AzureLoadBalancer",
      ])
        expect(nsgStats.customKinds.get(`${side}:${kind}`) ?? 0).toBeGreaterThan(10);
  });

  it("decides every flow between NICs as the reference does", () => {
    fc.assert(
      fc.property(topologyCaseArb, (c) => {
        failWith(compareTopologyCase(c, flowReference, true));
      }),
      { seed: SEED, numRuns: TOPOLOGY_RUNS },
    );
    console.log(
      `Topology level: ${TOPOLOGY_RUNS} topologies, ${flowStats.flows} flows compared (${flowStats.allow} Allow, ${flowStats.deny} Deny, ${flowStats.ipv6} from an IPv6 primary, ${flowStats.internet} from the Internet, ${flowStats.dynamic} to a Dynamic address, ${flowStats.closed} kept out by a Standard public IP with no NSG), ${flowStats.nsgDecisions} NSG decisions on their paths; routes ${JSON.stringify(Object.fromEntries(flowStats.routes))}; deciders ${JSON.stringify(Object.fromEntries(flowStats.deciders))}`,
    );
    expect(flowStats.flows).toBeGreaterThan(3_000);
    expect(flowStats.allow).toBeGreaterThan(flowStats.flows / 10);
    expect(flowStats.deny).toBeGreaterThan(flowStats.flows / 10);
    expect(flowStats.routes.get("private") ?? 0).toBeGreaterThan(flowStats.flows / 3);
    expect(flowStats.routes.get("public") ?? 0).toBeGreaterThan(flowStats.flows / 20);
    expect(flowStats.routes.get("local") ?? 0).toBeGreaterThan(0);
    expect(flowStats.routes.get("none") ?? 0).toBeGreaterThan(0);
    expect(flowStats.deciders.get("securityRules") ?? 0).toBeGreaterThan(flowStats.flows / 20);
    expect(flowStats.deciders.get("defaultSecurityRules") ?? 0).toBeGreaterThan(
      flowStats.flows / 10,
    );
    expect(flowStats.ipv6).toBeGreaterThan(0);
    expect(flowStats.internet).toBeGreaterThan(flowStats.flows / 20);
    expect(flowStats.dynamic).toBeGreaterThan(flowStats.flows / 20);
    expect(flowStats.closed).toBeGreaterThan(50);
  });
});

describe("the reference evaluator on cases worked out by hand from the reference tables", () => {
  const none: SecurityRule[] = [];
  const decide = (
    rules: readonly SecurityRule[],
    vnet: string,
    direction: ReferenceDirection,
    packet: ReferencePacket,
  ) => {
    const topology = nsgLevelTopology(rules);
    const nsg = topology.networkSecurityGroups[0] as NetworkSecurityGroup;
    const d = referenceNsgDecision(topology, SERVICE_TAGS, nsg, vnet, direction, packet);
    return `${d.access} ${d.rule}`;
  };
  const tcp = (source: string, destination: string, destinationPort = 80): ReferencePacket => ({
    protocol: "Tcp",
    source,
    sourcePort: 50000,
    destination,
    destinationPort,
  });

  it("applies the default rules", () => {
    // 168.63.129.16 is part of VirtualNetwork, so AllowVnetInBound (65000) decides before 65001.
    expect(decide(none, "hub", "Inbound", tcp("168.63.129.16", "10.0.1.4"))).toBe(
      "Allow defaultSecurityRules/AllowVnetInBound",
    );
    expect(decide(none, "hub", "Inbound", tcp("8.8.8.8", "10.0.1.4", 22))).toBe(
      "Deny defaultSecurityRules/DenyAllInBound",
    );
    expect(decide(none, "hub", "Outbound", tcp("10.0.1.4", "8.8.8.8", 443))).toBe(
      "Allow defaultSecurityRules/AllowInternetOutBound",
    );
    expect(decide(none, "hub", "Outbound", tcp("10.0.1.4", "10.1.1.4"))).toBe(
      "Allow defaultSecurityRules/AllowVnetOutBound",
    );
    // Not peered with lone: spoke's addresses are Internet there.
    expect(decide(none, "lone", "Outbound", tcp("10.2.1.4", "10.1.1.4"))).toBe(
      "Allow defaultSecurityRules/AllowInternetOutBound",
    );
    expect(decide(none, "hub", "Inbound", tcp("192.168.3.7", "10.0.1.4"))).toBe(
      "Allow defaultSecurityRules/AllowVnetInBound",
    );
    // hub's connected space is not part of spoke's VirtualNetwork.
    expect(decide(none, "spoke", "Inbound", tcp("192.168.3.7", "10.1.1.4"))).toBe(
      "Deny defaultSecurityRules/DenyAllInBound",
    );
    expect(decide(none, "hub", "Outbound", tcp("fd00:0:0:1::4", "2001:db8::1", 443))).toBe(
      "Allow defaultSecurityRules/AllowInternetOutBound",
    );
  });

  it("ignores ports for protocols without them, and takes the lowest priority number", () => {
    const rules: SecurityRule[] = [
      {
        name: "deny-web",
        priority: 300,
        direction: "Inbound",
        access: "Deny",
        protocol: "*",
        sourceAddressPrefix: "*",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ["80-81"],
      },
      {
        name: "allow-db",
        priority: 200,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceApplicationSecurityGroups: ["db"],
        sourcePortRange: "*",
        destinationAddressPrefix: "10.0.1.0/24",
        destinationPortRange: "80",
      },
    ];
    const icmp = { ...tcp("8.8.8.8", "10.0.1.4", 0), protocol: "Icmp" };
    expect(decide(rules, "hub", "Inbound", icmp)).toBe("Deny securityRules/deny-web");
    expect(decide(rules, "hub", "Inbound", tcp("10.0.1.5", "10.0.1.4", 82))).toBe(
      "Allow defaultSecurityRules/AllowVnetInBound",
    );
    expect(decide(rules, "hub", "Inbound", tcp("10.0.1.5", "10.0.1.4", 81))).toBe(
      "Deny securityRules/deny-web",
    );
    expect(decide(rules, "hub", "Inbound", tcp("10.0.2.10", "10.0.1.4", 80))).toBe(
      "Allow securityRules/allow-db",
    );
    // nic-a is in web, not in db.
    expect(decide(rules, "hub", "Inbound", tcp("10.0.1.4", "10.0.1.5", 80))).toBe(
      "Deny securityRules/deny-web",
    );
  });

  it("crosses NIC and subnet NSGs in Azure's order", () => {
    const base = nsgLevelTopology([
      {
        name: "deny-from-app",
        priority: 100,
        direction: "Inbound",
        access: "Deny",
        protocol: "*",
        sourceAddressPrefix: "10.0.1.0/24",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "*",
      },
    ]);
    const topology: Topology = {
      ...base,
      virtualNetworks: base.virtualNetworks.map((v) =>
        v.name !== "hub"
          ? v
          : {
              ...v,
              subnets: v.subnets.map((s) =>
                s.name === "app" ? { ...s, networkSecurityGroup: "nsg-under-test" } : s,
              ),
            },
      ),
    };
    const flow = (from: string, to: string) => {
      const f = referenceFlow(topology, SERVICE_TAGS, from, to, "Tcp", 50000, 80);
      return `${f.route} ${f.access} ${f.rule ?? "-"} [${f.trace.map((t) => `${t.direction} ${t.rule}`).join(", ")}]`;
    };
    // The same subnet crosses its NSG on the way out and on the way in.
    expect(flow("nic-a", "nic-b")).toBe(
      "private Deny securityRules/deny-from-app [Outbound defaultSecurityRules/AllowVnetOutBound, Inbound securityRules/deny-from-app]",
    );
    expect(flow("nic-a", "nic-a")).toBe("local Allow - []");
    expect(flow("nic-b", "nic-c")).toBe(
      "private Allow defaultSecurityRules/AllowVnetOutBound [Outbound defaultSecurityRules/AllowVnetOutBound]",
    );
    expect(flow("nic-c", "nic-d")).toBe("private Allow - []");
    expect(flow("nic-a", "nic-e")).toBe("none Deny - []");
  });
});

describe("the comparison can fail", () => {
  it("catches an evaluator that takes the highest priority number first", () => {
    const reversed: NsgReference = (topology, nsg, vnet, direction, packet) =>
      reference(
        topology,
        {
          ...nsg,
          securityRules: nsg.securityRules.map((r) => ({ ...r, priority: 4196 - r.priority })),
        },
        vnet,
        direction,
        packet,
      );
    const outcome = fc.check(
      fc.property(nsgCaseArb, ([rules, choices]) => {
        failWith(compareNsgCase(rules, choices, reversed, false));
      }),
      { seed: SEED, numRuns: NSG_RUNS, endOnFailure: true },
    );
    expect(outcome.failed).toBe(true);
  });

  it("catches an evaluator that ignores NIC NSGs", () => {
    const noNicNsgs: FlowReference = (topology, flow) =>
      flowReference(
        {
          ...topology,
          networkInterfaces: topology.networkInterfaces.map(
            ({ networkSecurityGroup: _, ...n }) => n,
          ),
        },
        flow,
      );
    const outcome = fc.check(
      fc.property(topologyCaseArb, (c) => {
        failWith(compareTopologyCase(c, noNicNsgs, false));
      }),
      { seed: SEED, numRuns: TOPOLOGY_RUNS, endOnFailure: true },
    );
    expect(outcome.failed).toBe(true);
  });
});
