import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";
import { formatPacket } from "../engine/packet.js";
import { hasErrors } from "../model/diagnostic.js";
import type { SpecAssertion } from "../specfile/assertions.js";
import { checkSpecAssertions } from "../specfile/check.js";
import type { SetOutcome } from "./assertions.js";
import { formatSummaryLine } from "./summary.js";

const LAYERED = readFileSync(
  join(resolve(import.meta.dirname, "../.."), "examples/layered-ase/tierwall.yaml"),
  "utf8",
);

/** The layered example, changed by `edit`, with extra assertions; returns each outcome by name. */
function check(edit: (text: string) => string = (t) => t, extra = "") {
  const loaded = loadSpecText(`${edit(LAYERED)}\n${extra}`);
  if (!loaded.spec || hasErrors(loaded.diagnostics))
    throw new Error(loaded.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  const outcomes = checkSpecAssertions(loaded.spec.network, loaded.spec.assertions);
  return (name: string): SetOutcome => {
    const found = outcomes.find((o) => (o.outcome.assertion as SpecAssertion).name === name);
    if (found?.kind !== "set") throw new Error(`no set assertion ${name}`);
    return found.outcome;
  };
}

const ONLY = "only the three front ends and apiase itself call the API on HTTP and HTTPS";
const EXPOSURE = "the Internet reaches the API only on management ports and from its callers";

/** Removes the rule named `name` from the example's YAML. */
const withoutRule = (name: string) => (text: string) =>
  text.replace(new RegExp(`      - name: ${name}\\n(?: {8}.*\\n)+`), "");

describe("set assertions on the seed's architecture", () => {
  it("proves onlyFrom, reach, isolate and exposure on the example as written", () => {
    const outcome = check();
    for (const name of [
      ONLY,
      EXPOSURE,
      "nothing from the Internet reaches the API outside HTTP, HTTPS and management",
      "every HTTP and HTTPS packet from fe1ase gets through, whatever its source port",
    ])
      expect(outcome(name).status, name).toBe("held");
  });

  it("fails onlyFrom with a concrete intruder and the exact offending set when a rule is widened", () => {
    const widened = (t: string) =>
      t.replace(
        "priority: 300\n        direction: Inbound\n        sourceAddressPrefix: 198.51.100.11",
        "priority: 300\n        direction: Inbound\n        sourceAddressPrefix: 198.51.100.0/24",
      );
    const o = check(widened)(ONLY);
    expect(o.status).toBe("failed");
    if (o.status !== "failed") return;
    expect(formatPacket(o.counterexample?.packet as never)).toBe(
      "Tcp 198.51.100.99:49152 -> 10.0.4.4:443",
    );
    expect(o.counterexample?.trace?.rule).toBe("securityRules/ALLOW-HTTPS-fe1ase");
    expect(o.offending?.lines.map((l) => formatSummaryLine(l))).toEqual([
      "Tcp 198.51.100.0/24 except 198.51.100.11/32,198.51.100.22/32,198.51.100.33/32 -> 10.0.4.4/32 ports 443",
    ]);
    // Written when first read, and then the same; seen by Object.keys and spreads as a plain property.
    expect(o.offending).toBe(o.offending);
    expect(Object.keys(o)).toContain("offending");
    expect({ ...o }.offending).toBe(o.offending);
  });

  it("without the self-call rules, apiase's own calls fail with a packet from its outbound address", () => {
    const edit = (t: string) =>
      withoutRule("ALLOW-HTTPS-apiase")(withoutRule("ALLOW-HTTP-apiase")(t));
    const extra = `  - { name: apiase reaches itself, kind: reach, from: apiase, to: apiase, protocol: Tcp, ports: [80, 443] }`;
    const o = check(edit, extra)("apiase reaches itself");
    expect(o.status).toBe("failed");
    if (o.status !== "failed") return;
    expect(o.counterexample?.packet.source).toEqual({ family: 4, value: 0xcb007128n }); // 203.0.113.40
    expect(o.counterexample?.trace?.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(o.offending?.lines.map((l) => formatSummaryLine(l))).toEqual([
      "Tcp 203.0.113.40/32 -> 10.0.4.4/32 ports 80,443",
    ]);
    // onlyFrom still holds: fewer callers get in, not more.
    expect(check(edit)(ONLY).status).toBe("held");
  });

  it("fails isolate with what gets through", () => {
    const extra = `  - { name: fe1 isolated, kind: isolate, from: fe1ase, to: apiase }`;
    const o = check((t) => t, extra)("fe1 isolated");
    expect(o.status).toBe("failed");
    if (o.status !== "failed") return;
    // fe1ase's calls are Internet calls, so the management rule admits them too.
    expect(o.offending?.lines.map((l) => formatSummaryLine(l))).toEqual([
      "Tcp 198.51.100.11/32 -> 10.0.4.4/32 ports 80,443,454-455",
    ]);
  });

  it("fails reach when there is no route, saying why", () => {
    const extra = `  - { name: to a private host, kind: reach, from: 203.0.113.77, to: 10.0.1.9, protocol: Udp, ports: [53] }
  - { name: out to the Internet, kind: reach, from: 10.0.1.9, to: 192.0.2.5, protocol: Tcp, ports: [443] }`;
    const outcome = check((t) => t, extra);
    const noRoute = outcome("to a private host");
    expect(noRoute.status).toBe("failed");
    if (noRoute.status === "failed") expect(noRoute.why).toContain("no public address");
    expect(outcome("out to the Internet").status).toBe("held");
  });

  it("reports endpoints that do not exist, are no host or are no set of hosts as invalid", () => {
    const extra = `  - { name: unknown, kind: reach, from: fe9ase, to: apiase }
  - { name: the platform, kind: isolate, from: AzureLoadBalancer, to: apiase }
  - { name: a reserved address, kind: isolate, from: 10.0.4.0, to: apiase }
  - { name: the Internet as callee of onlyFrom, kind: onlyFrom, from: [fe1ase], to: Internet }
  - { name: no host in the block, kind: isolate, from: 10.0.200.0/24, to: apiase }
  - { name: both outside, kind: isolate, from: Internet, to: 192.0.2.0/24 }`;
    const outcome = check((t) => t, extra);
    for (const name of [
      "unknown",
      "the platform",
      "a reserved address",
      "the Internet as callee of onlyFrom",
      "no host in the block",
      "both outside",
    ])
      expect(outcome(name).status, name).toBe("invalid");
  });

  it("takes sets on either side: the Internet as callee, a block inside a network as caller", () => {
    const extra = `  - { name: fe1 reaches the Internet, kind: reach, from: fe1ase, to: Internet, protocol: Tcp, ports: [443] }
  - { name: fe1 isolated from the Internet, kind: isolate, from: fe1ase, to: Internet }
  - { name: the network's hosts, kind: isolate, from: 10.0.0.0/8, to: apiase, protocol: Tcp, ports: [80] }`;
    const outcome = check((t) => t, extra);
    expect(outcome("fe1 reaches the Internet").status).toBe("held");
    expect(outcome("fe1 isolated from the Internet").status).toBe("failed");
    // apiase's own subnet calls it on its private address, which no rule allows beyond VirtualNetwork's defaults.
    const o = outcome("the network's hosts");
    expect(o.status).toBe("failed");
    if (o.status !== "failed") return;
    const source = o.counterexample?.packet.source;
    // A real host: never a subnet's network address or another reserved one.
    expect(source && Number(source.value & 0xffn)).toBeGreaterThanOrEqual(4);
    expect(source && Number(source.value & 0xffn)).toBeLessThan(255);
  });
});
