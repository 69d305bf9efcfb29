import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../test/support/spec.js";

const NETWORK = `virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24 }]
environments:
  - { name: e, kind: Workload, subnet: s, privateIPAddress: 10.0.1.4 }
`;

/** A spec with `n` as a rule's priority and port, an assertion's port and ports, and a tier's ports. */
const everywhere = (n: string) => `${NETWORK}networkSecurityGroups:
  - name: g
    securityRules:
      - { name: r, protocol: Tcp, access: Allow, priority: ${n}, direction: Inbound, sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: ${n} }
assertions:
  - { from: Internet, to: e, protocol: Tcp, port: ${n}, expect: Deny }
  - { kind: reach, from: Internet, to: e, ports: [${n}] }
tiers:
  - { name: t, environments: [e], ports: [${n}] }
`;

/** The same as JSON, where only the numbers are written as given. */
const asJson = (n: string) =>
  `{"networkSecurityGroups": [{"name": "g", "securityRules": [{"name": "r", "protocol": "Tcp", "access": "Allow", "priority": ${n}, "direction": "Inbound", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": ${n}}]}]}`;

/** Where `n` is written in `text`, as line:column. */
const places = (text: string, n: string) =>
  [...text.matchAll(new RegExp(n.replace(/[.+]/g, "\\$&"), "g"))].map((m) => {
    const before = text.slice(0, m.index).split("\n");
    return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  });

const problems = (text: string) =>
  loadSpecText(text).diagnostics.map(
    (d) => `${d.code} ${d.location?.line}:${d.location?.column} ${d.message} (${d.hint})`,
  );

describe("numbers in a spec", () => {
  it.each([
    ["1e3", "write 1000"],
    ["8.0e1", "write 80"],
    ["0x10", "write 16"],
    ["0o20", "write 16"],
    ["+80", "write 80"],
    ["443.0", "write 443"],
    [".inf", "ports and priorities are whole numbers, like 443; quote text"],
    ["-.inf", "ports and priorities are whole numbers, like 443; quote text"],
    [".nan", "ports and priorities are whole numbers, like 443; quote text"],
    ["1e400", "ports and priorities are whole numbers, like 443; quote text"],
    ["1.5", "ports and priorities are whole numbers, like 443; quote text"],
  ])("are refused when written %s, as written, where written", (n, hint) => {
    const message = `${n}: numbers in a spec are whole numbers written in decimal digits (${hint})`;
    const expected = (text: string) =>
      places(text, n).map((at) => `InvalidNumber ${at} ${message}`);
    expect(problems(everywhere(n))).toHaveLength(5);
    expect(problems(everywhere(n))).toEqual(expected(everywhere(n)));
    // JSON writes 1e3 and 1.5 too.
    if (/^[0-9]/.test(n)) {
      expect(problems(asJson(n))).toHaveLength(2);
      expect(problems(asJson(n))).toEqual(expected(asJson(n)));
    }
  });

  it("beyond the largest whole number are refused as written", () => {
    expect(problems(everywhere("99999999999999999999"))[0]).toBe(
      "InvalidNumber 10:60 99999999999999999999 is larger than any number a spec takes (at most 9007199254740991) (ports and priorities are whole numbers, like 443; quote text)",
    );
  });

  it("leave the rest of the spec checked, and are reported once", () => {
    const text = `virtualNetworks:\n  - name: v\n    addressSpace: [10.0.0.0/16]\n${everywhere(".inf").slice(NETWORK.length)}`;
    const found = problems(text).map((p) => p.split(" ").slice(0, 2).join(" "));
    expect(found).toEqual([
      ...places(text, ".inf").map((at) => `InvalidNumber ${at}`),
      "InvalidType 3:19",
    ]);
  });

  it("are taken in decimal digits", () => {
    expect(problems(everywhere("443"))).toEqual([]);
    expect(problems(everywhere("0443"))).toEqual([]);
  });
});
