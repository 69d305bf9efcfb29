/**
 * The page's analysis, in Node: the edges the architecture draws (exact over
 * every packet within each tier's service), subnets gathered, public entry
 * points, flows; and the rule editor's form, to and from ARM.
 */
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../../src/specfile/load.js";
import { buildEstate, Estate, normalizedAssertions, serviceOf } from "./estate.js";
import { formOf, fromArm, ruleOf, toArm } from "./rule-fields.js";

const EXAMPLES = resolve(import.meta.dirname, "..", "..", "examples");

function estateOf(example: string): Estate {
  const loaded = loadSpec(join(EXAMPLES, example));
  if (!loaded.spec) throw new Error(`${example}: ${loaded.diagnostics[0]?.message}`);
  const built = buildEstate(loaded.spec.topology);
  if (!built.network) throw new Error(`${example} does not build`);
  return new Estate(
    built.network,
    loaded.spec.tiers,
    normalizedAssertions(loaded.spec.document.assertions ?? []),
  );
}

describe("the architecture's edges", () => {
  it("draws the seed as the guide does: the front ends' calls allowed, the Internet's denied", () => {
    const estate = estateOf("layered-ase");
    const edges = new Map(estate.edges().map((e) => [e.id, e]));
    for (const fe of ["fe1ase", "fe2ase", "fe3ase"]) {
      const edge = edges.get(`${fe}->apiase`);
      expect(edge?.state).toBe("allowed");
      expect(edge?.intended).toBe(true);
      expect(edge?.service.label).toBe("TCP 80, 443");
      expect(edge?.allowedWitness?.flow?.access).toBe("Allow");
    }
    const internet = edges.get("Internet->apiase");
    expect(internet?.state).toBe("denied");
    expect(internet?.deniedWitness?.flow?.rule).toBe("defaultSecurityRules/DenyAllInBound");
    // Outside the tier's service the Internet gets the management ports, and the edge says so.
    expect(internet?.beyond.map((l) => l.destinationPorts.join())).toEqual(["454-455"]);
    // Front ends are no tier: the drawing has no edges between them.
    expect(edges.has("fe1ase->fe2ase")).toBe(false);
    expect(edges.get("Internet->fe1ase")?.state).toBe("allowed");
  });

  it("draws every pair that carries something when the estate has no tiers", () => {
    const estate = estateOf("hub-spoke-tiers");
    const edges = estate.edges();
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges)
      if (e.from !== "Internet") expect(e.allowed.length, e.id).toBeGreaterThan(0);
    const everyPair = estate.edges(true);
    expect(everyPair.length).toBeGreaterThan(edges.length);
    expect(everyPair.some((e) => e.state === "denied")).toBe(true);
  });

  it("gathers by subnet, exactly over all their endpoints", () => {
    const estate = estateOf("hub-spoke-tiers");
    const edges = estate.subnetEdges();
    expect(edges.length).toBeGreaterThan(0);
    for (const e of edges) {
      expect(e.from === "Internet" || e.from.includes("/"), e.from).toBe(true);
      expect(e.allowed.length).toBeGreaterThan(0);
    }
  });

  it("draws a load balancer's frontend at the Internet's edge, forwarding to its backends", () => {
    const [entry] = estateOf("load-balancer").entryPoints();
    expect(entry?.label).toBe("load balancer web-lb");
    expect(entry?.detail).toBe("web-fe · 203.0.113.40");
    expect([...(entry?.backends ?? [])].sort()).toEqual(["web1-nic", "web2-nic"]);
  });

  it("tests flows as the CLI does, and says what it cannot ask", () => {
    const estate = estateOf("layered-ase");
    const allowed = estate.flow({ from: "fe1ase", to: "apiase", protocol: "Tcp", port: "443" });
    expect(allowed.ok && allowed.result.rule).toBe("securityRules/ALLOW-HTTPS-fe1ase");
    const bad = estate.flow({ from: "fe1ase", to: "apiase", protocol: "Tcp", port: "70000" });
    expect(bad).toEqual({ ok: false, message: "the port is a number from 0 to 65535" });
    const unknown = estate.flow({ from: "nowhere", to: "apiase", protocol: "Tcp", port: "443" });
    expect(unknown.ok).toBe(false);
  });

  it("reads a tier's service as its protocol and ports", () => {
    expect(serviceOf({ name: "t", environments: [], ports: [80, "8000-8080"] })).toMatchObject({
      protocols: ["Tcp"],
      ports: ["80", "8000-8080"],
      label: "TCP 80, 8000-8080",
    });
    expect(serviceOf({ name: "t", environments: [], protocol: "*" }).label).toBe("any protocol");
  });
});

describe("the findings", () => {
  it("are lint's, weighed against the assertions as the command weighs them", () => {
    const estate = estateOf("asg-tiers");
    const loaded = loadSpec(join(EXAMPLES, "asg-tiers"));
    const findings = estate.findings(loaded.spec?.topology as never);
    expect(findings.active.map((g) => g.finding.code)).toEqual(["BroaderThanNeeded"]);
    expect(findings.where(findings.active[0]?.finding as never)).toMatch(
      /^networkSecurityGroups\//,
    );
    // Accepted on review: listed as such, counted no more.
    const accepted = estate.findings(loaded.spec?.topology as never, [
      { check: "BroaderThanNeeded", reason: "reviewed", expires: "2999-12-31", path: [] },
    ]);
    expect(accepted.active).toHaveLength(0);
    expect(accepted.findings[0]?.suppressedBy?.reason).toBe("reviewed");
  });
});

describe("the rule editor's form", () => {
  it("gives back the rule it was made from, in ARM's shape and out of it", () => {
    const arm = {
      name: "ALLOW-HTTP-fe1ase",
      properties: {
        protocol: "Tcp",
        access: "Allow",
        priority: 200,
        direction: "Inbound",
        sourceAddressPrefix: "198.51.100.11",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRanges: ["80", "8080"],
        provisioningState: "Succeeded",
      },
    };
    const rule = fromArm(arm);
    const { provisioningState: _, ...written } = arm.properties;
    expect(toArm(ruleOf(formOf(rule), rule))).toEqual({ name: arm.name, properties: written });
    const widened = ruleOf({ ...formOf(rule), source: "198.51.100.11, 198.51.100.22" }, rule);
    expect(widened.sourceAddressPrefixes).toEqual(["198.51.100.11", "198.51.100.22"]);
    expect(widened.sourceAddressPrefix).toBeUndefined();
  });
});
