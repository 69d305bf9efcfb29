import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dynamicInterfacesSpec, networkOf } from "../../test/support/spec.js";
import type { LoggedFlow } from "../model/logged-flow.js";
import { FlowClassFolder, nsgNameOf } from "./flow-classes.js";
import {
  DENIED_WITHOUT_RULE,
  flowProtocol,
  judgesBySourcePort,
  replay,
  watcherNameOfLogged,
} from "./replay.js";

const LAYERED = readFileSync(
  join(import.meta.dirname, "../../examples/layered-ase/tierwall.yaml"),
  "utf8",
);
/** The example without fe3ase's two rules: the proposed change. */
const WITHOUT_FE3 = LAYERED.replace(
  / {6}- name: ALLOW-HTTP-fe3ase[\s\S]*?(?= {6}- name: ALLOW-HTTP-apiase)/,
  "",
);
const NSG_ID =
  "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/RESTRICTBACKENDAPI";

const tuple = (fields: Partial<LoggedFlow> & Pick<LoggedFlow, "source" | "destinationPort">) =>
  ({
    format: "nsg-v2",
    time: 1_764_000_000_000,
    destination: "10.0.4.4",
    sourcePort: 50_000,
    protocol: 6,
    direction: "Inbound",
    access: "Allow",
    state: "E",
    packetsSent: 3,
    bytesSent: 700,
    packetsReceived: 2,
    bytesReceived: 1500,
    rule: "UserRule_ALLOW-HTTPS-fe1ase",
    nsgId: NSG_ID,
    ...fields,
  }) satisfies LoggedFlow;

function run(tuples: LoggedFlow[], proposed = WITHOUT_FE3) {
  const folder = new FlowClassFolder();
  for (const t of tuples) folder.add(t);
  return replay(folder.classes(), folder.tuples, networkOf(LAYERED), networkOf(proposed));
}

describe("replay", () => {
  const week = [
    tuple({ source: "198.51.100.11", destinationPort: 443 }),
    tuple({ source: "198.51.100.11", destinationPort: 443, time: 1_764_000_060_000 }),
    tuple({ source: "198.51.100.22", destinationPort: 80, rule: "UserRule_ALLOW-HTTP-fe2ase" }),
    tuple({ source: "198.51.100.33", destinationPort: 443, rule: "UserRule_ALLOW-HTTPS-fe3ase" }),
    tuple({
      source: "198.51.100.33",
      sourcePort: 50_001,
      destinationPort: 80,
      rule: "UserRule_ALLOW-HTTP-fe3ase",
      time: 1_764_500_000_000,
    }),
    tuple({
      source: "192.0.2.99",
      destinationPort: 22,
      access: "Deny",
      state: "B",
      rule: "DefaultRule_DenyAllInBound",
    }),
  ];

  it("folds tuples into classes by everything but the source port, counting distinct flows, tuples and times", () => {
    const folder = new FlowClassFolder();
    for (const t of week) folder.add(t);
    folder.add(tuple({ source: "198.51.100.11", destinationPort: 443, sourcePort: 50_999 }));
    const classes = folder.classes();
    expect(folder.tuples).toBe(7);
    expect(classes).toHaveLength(5);
    expect(classes[0]).toMatchObject({
      flows: 2,
      tuples: 3,
      packets: 15,
      bytes: 6600,
      firstSeen: 1_764_000_000_000,
      lastSeen: 1_764_000_060_000,
    });
    expect(classes[0]?.sourcePort).toBeUndefined();
    expect(classes.slice(1).map((c) => c.flows)).toEqual([1, 1, 1, 1]);
  });

  it("keeps classes apart by source port when asked, one flow each", () => {
    const folder = new FlowClassFolder({ bySourcePort: true });
    for (const t of week) folder.add(t);
    folder.add(tuple({ source: "198.51.100.11", destinationPort: 443, sourcePort: 50_999 }));
    const classes = folder.classes();
    expect(classes).toHaveLength(6);
    expect(classes.every((c) => c.flows === 1 && c.sourcePort !== undefined)).toBe(true);
    expect(classes[0]).toMatchObject({
      tuples: 2,
      packets: 10,
      bytes: 4400,
      firstSeen: 1_764_000_000_000,
      lastSeen: 1_764_000_060_000,
    });
  });

  it("lists exactly fe3ase's flows as newly denied when fe3ase's rules are dropped", () => {
    const report = run(week);
    expect(report.disagreements).toEqual([]);
    expect(
      report.newlyDenied.map((r) => `${r.traffic.source}:${r.traffic.destinationPort}`),
    ).toEqual(["198.51.100.33:80", "198.51.100.33:443"]);
    expect(report.newlyDenied[0]?.proposed).toMatchObject({
      access: "Deny",
      rule: "defaultSecurityRules/DenyAllInBound",
      nsg: "RestrictBackendApi",
      at: "environment apiase",
    });
    expect(report.newlyAllowed).toEqual([]);
  });

  it("counts each rule's hits and names the custom rules no flow used", () => {
    const report = run(week);
    const hits = Object.fromEntries(
      report.ruleHits.filter((h) => h.direction === "Inbound").map((h) => [h.rule, h.flows]),
    );
    expect(hits).toMatchObject({
      "ALLOW-HTTPS-fe1ase": 1,
      "ALLOW-HTTP-fe2ase": 1,
      "ALLOW-HTTP-fe3ase": 1,
      "ALLOW-HTTPS-fe3ase": 1,
      DenyAllInBound: 1,
      "ALLOW-AzureMngmt": 0,
    });
    expect(report.unusedRules.map((h) => h.rule)).toEqual([
      "ALLOW-AzureMngmt",
      "ALLOW-HTTP-fe1ase",
      "ALLOW-HTTPS-fe2ase",
      "ALLOW-HTTP-apiase",
      "ALLOW-HTTPS-apiase",
    ]);
    expect(report.ruleHits.find((h) => h.rule === "ALLOW-HTTPS-fe1ase")?.tuples).toBe(2);
  });

  it("names a flow whose logged verdict the spec does not give", () => {
    const report = run([
      tuple({ source: "192.0.2.50", destinationPort: 443, rule: "UserRule_ALLOW-HTTPS-fe1ase" }),
    ]);
    expect(report.disagreements).toHaveLength(1);
    expect(report.disagreements[0]?.disagreements).toEqual([
      "logged Allow, the spec denies it (defaultSecurityRules/DenyAllInBound of RestrictBackendApi)",
      "RestrictBackendApi logged Allow by UserRule_ALLOW-HTTPS-fe1ase; the spec's RestrictBackendApi gives Deny by defaultSecurityRules/DenyAllInBound",
    ]);
  });

  it("reports NSG and rule names that map to nothing, and flows it cannot place", () => {
    const report = run([
      tuple({ source: "198.51.100.11", destinationPort: 443, nsgId: `${NSG_ID}-OLD` }),
      tuple({ source: "198.51.100.22", destinationPort: 443, rule: "AdminRule_block" }),
      tuple({ source: "198.51.100.11", destination: "10.9.0.4", destinationPort: 443 }),
      tuple({ source: "198.51.100.11", destinationPort: 443, protocol: 47 }),
    ]);
    expect(report.unmapped).toEqual([
      { kind: "nsg", name: "RESTRICTBACKENDAPI-OLD", tuples: 1 },
      { kind: "rule", name: "AdminRule_block", tuples: 1 },
    ]);
    expect(report.notJudged.map((n) => n.reason)).toEqual([
      "destination addresses in no subnet of the spec",
      "protocol 47, which NSG rules do not name",
    ]);
  });

  it("judges VNet flow logs' rules against every NSG the flow met", () => {
    const report = run([
      tuple({
        format: "vnet",
        source: "198.51.100.33",
        destinationPort: 443,
        rule: "UserRule_ALLOW-HTTPS-fe3ase",
        nsgId: undefined,
        aclId: "8f5b7c2e-0000-4000-8000-000000000001",
      }),
      tuple({
        format: "vnet",
        source: "198.51.100.22",
        destinationPort: 443,
        rule: "UserRule_ALLOW-HTTPS-fe3ase",
        nsgId: undefined,
        aclId: "8f5b7c2e-0000-4000-8000-000000000001",
      }),
    ]);
    expect(report.disagreements.map((d) => d.disagreements)).toEqual([
      [
        "logged Allow by UserRule_ALLOW-HTTPS-fe3ase, which no NSG the spec applies at environment apiase decided",
      ],
    ]);
    expect(report.newlyDenied).toHaveLength(1);
  });

  it("names denials for encryption, with no rule, apart from disagreements", () => {
    const report = run([
      tuple({
        format: "vnet",
        source: "198.51.100.11",
        destinationPort: 443,
        access: "Deny",
        state: "D",
        encryption: "NX_NOT_ACCEPTED",
        rule: "",
        nsgId: undefined,
      }),
    ]);
    expect(report.disagreements).toEqual([]);
    expect(report.notJudged).toEqual([{ reason: DENIED_WITHOUT_RULE, flows: 1, tuples: 1 }]);
  });

  it("maps logged names and protocol numbers as Azure writes them", () => {
    expect(watcherNameOfLogged("UserRule_web")).toBe("securityRules/web");
    expect(watcherNameOfLogged("DefaultRule_AllowVnetInBound")).toBe(
      "defaultSecurityRules/AllowVnetInBound",
    );
    expect(watcherNameOfLogged("SecurityAdminRule_x")).toBeUndefined();
    expect(nsgNameOf(NSG_ID)).toBe("RESTRICTBACKENDAPI");
    expect(flowProtocol(6, 4)).toBe("Tcp");
    expect(flowProtocol(17, 6)).toBe("Udp");
    expect(flowProtocol(58, 6)).toBe("Icmp");
    expect(flowProtocol(58, 4)).toBeUndefined();
    expect(flowProtocol(1, 6)).toBeUndefined();
  });
});

describe("replay at Dynamic interfaces", () => {
  const ssh = [
    tuple({
      source: "10.1.9.9",
      destination: "10.1.1.57",
      destinationPort: 22,
      access: "Deny",
      rule: "UserRule_no-ssh",
      nsgId: "/x/networkSecurityGroups/strict",
    }),
  ];
  const replayOn = (text: string) => {
    const folder = new FlowClassFolder();
    for (const t of ssh) folder.add(t);
    return replay(folder.classes(), folder.tuples, networkOf(text));
  };

  it("judges an address no interface holds as written with the NSG its Dynamic interfaces share", () => {
    const report = replayOn(dynamicInterfacesSpec("strict"));
    expect(report.disagreements).toEqual([]);
    expect(report.classes[0]?.current).toMatchObject({
      access: "Deny",
      rule: "securityRules/no-ssh",
      nsg: "strict",
      at: "a Dynamic interface of subnet vnet/app (a-nic, b-nic)",
    });
  });

  it("does not judge it when their NSGs differ, and says why", () => {
    const report = replayOn(dynamicInterfacesSpec("open"));
    expect(report.classes[0]?.current).toBeUndefined();
    expect(report.notJudged.map((n) => n.reason)).toEqual([
      "local addresses in subnet vnet/app, whose Dynamic interfaces (a-nic, b-nic) have different NSGs: which one holds an address is not in the spec",
    ]);
  });
});

describe("replay of a spec with a rule on source ports", () => {
  // fe1ase's HTTPS rule narrowed to source ports 50000-50099: flows of one class are judged apart.
  const narrowed = LAYERED.replace(
    /(- name: ALLOW-HTTPS-fe1ase[\s\S]*?sourcePortRange: )"\*"/,
    '$1"50000-50099"',
  );
  const tuples = [
    tuple({ source: "198.51.100.11", destinationPort: 443, sourcePort: 50_001 }),
    tuple({ source: "198.51.100.11", destinationPort: 443, sourcePort: 50_200 }),
  ];

  it("is known, and the layered example is not", () => {
    expect(narrowed).not.toBe(LAYERED);
    expect(judgesBySourcePort(networkOf(narrowed))).toBe(true);
    expect(judgesBySourcePort(networkOf(LAYERED))).toBe(false);
  });

  it("judges each flow by its own source port when folded by source port", () => {
    const folder = new FlowClassFolder({ bySourcePort: true });
    for (const t of tuples) folder.add(t);
    const report = replay(folder.classes(), folder.tuples, networkOf(LAYERED), networkOf(narrowed));
    expect(report.classes).toHaveLength(2);
    expect(report.newlyDenied.map((r) => [r.traffic.sourcePort, r.proposed?.rule])).toEqual([
      [50_200, "defaultSecurityRules/DenyAllInBound"],
    ]);
  });

  it("refuses classes folded without source ports, which it would judge wrongly", () => {
    const folder = new FlowClassFolder();
    for (const t of tuples) folder.add(t);
    expect(() => replay(folder.classes(), folder.tuples, networkOf(narrowed))).toThrow(
      /names source ports/,
    );
  });
});
