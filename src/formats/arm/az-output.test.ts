/**
 * What `az network nic list-effective-nsg` and `az network vnet show` print, read
 * by importArm. The samples in test/fixtures/az were written from the documented
 * shapes (see its README).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleTopology, loadSpecText, networkOf } from "../../../test/support/spec.js";
import { semanticDiff } from "../../analysis/diff.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { mergeTopologies, type SecurityRule } from "../../model/types.js";
import { writeSpec } from "../../specfile/write.js";
import { importArm } from "./import.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const fixture = (name: string) => readFileSync(resolve(ROOT, "test/fixtures/az", name), "utf8");
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000";
const id = (rg: string, path: string) =>
  `${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/${path}`;

const codes = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.severity} ${d.code}`);

/** The line and column of the first occurrence of `needle` (after `after`, if given). */
function at(text: string, needle: string, after = ""): { line: number; column: number } {
  const offset = text.indexOf(needle, after === "" ? 0 : text.indexOf(after));
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

describe("importArm: az network nic list-effective-nsg", () => {
  const example = exampleTopology("layered-ase").networkSecurityGroups.find(
    (n) => n.name === "RestrictBackendApi",
  );

  it("imports the seed's RestrictBackendApi rule by rule, defaults checked, not imported", () => {
    const file = "effective-nsg-restrict-backend-api.json";
    const text = fixture(file);
    const { topology, diagnostics } = importArm(text, file);
    // Defaults agree with tierwall's: no warning; the subnet association and the
    // reading of 0.0.0.0/0 are notes.
    expect(codes(diagnostics)).toEqual(
      ["info", "info"].map((s, i) => `${s} ${["AssociationNotImported", "AnyAddressRead"][i]}`),
    );
    const [association, anyAddress] = diagnostics as [Diagnostic, Diagnostic];
    expect(association.message).toContain(
      "RestrictBackendApi is associated with subnet API-ASE-Subnet of virtual network yourvnetnamehere",
    );
    expect(association.message).toContain("az network vnet show --name yourvnetnamehere");
    expect(association.location).toEqual({ file, ...at(text, `"${SUB}`) });
    expect(anyAddress.path).toEqual(["value", 0, "effectiveSecurityRules", 0]);
    expect(anyAddress.message).toContain("as this output's DenyAll rule shows");

    expect(topology.virtualNetworks).toEqual([]);
    expect(topology.networkInterfaces).toEqual([]);
    expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(["RestrictBackendApi"]);
    const rules = topology.networkSecurityGroups[0]?.securityRules ?? [];
    // The view names single addresses as /32 and drops descriptions; otherwise the example's rules.
    const expected = (example?.securityRules ?? []).map((r): SecurityRule => {
      const { description: _, ...rest } = r;
      const source = rest.sourceAddressPrefix as string;
      return { ...rest, sourceAddressPrefix: source.includes(".") ? `${source}/32` : source };
    });
    expect(expected).toHaveLength(9);
    expect(rules).toEqual(expected);
    expect(rules[0]).toEqual({
      name: "ALLOW-AzureMngmt",
      protocol: "Tcp",
      access: "Allow",
      priority: 100,
      direction: "Inbound",
      sourceAddressPrefix: "Internet",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "454-455",
    });
    expect(rules[1]).toMatchObject({
      name: "ALLOW-HTTP-fe1ase",
      sourceAddressPrefix: "198.51.100.11/32",
      destinationPortRange: "80",
    });
  });

  it("with `az network vnet show`, gives the same policy as examples/layered-ase (semantic diff)", () => {
    const effective = importArm(fixture("effective-nsg-restrict-backend-api.json"), "e.json");
    const vnet = importArm(fixture("vnet-show-layered.json"), "v.json");
    expect(vnet.diagnostics).toEqual([]);
    const imported = writeSpec(mergeTopologies([effective.topology, vnet.topology]));
    const before = networkOf(
      readFileSync(resolve(ROOT, "examples/layered-ase/tierwall.yaml"), "utf8"),
    );
    const diff = semanticDiff(before, networkOf(imported));
    expect(diff.nsgs).toEqual([]);
    expect(diff.equivalent).toBe(true);

    // And a change in the output is seen: fe3ase's HTTPS rule opened to its /24.
    const widened = fixture("effective-nsg-restrict-backend-api.json").replaceAll(
      '"198.51.100.33/32"',
      '"198.51.100.0/24"',
    );
    const changed = importArm(widened, "e.json");
    const other = semanticDiff(
      before,
      networkOf(writeSpec(mergeTopologies([changed.topology, vnet.topology]))),
    );
    expect(other.equivalent).toBe(false);
    expect(other.nsgs.map((c) => [c.nsg, c.direction])).toEqual([
      ["RestrictBackendApi", "Inbound"],
    ]);
  });

  it("imports an NSG on both a NIC and its subnet once, in both address families", () => {
    const file = "effective-nsg-dual-stack.json";
    const text = fixture(file);
    const { topology, diagnostics } = importArm(text, file);
    expect(codes(diagnostics)).toEqual([
      "info AssociationNotImported",
      "info AssociationNotImported",
    ]);
    expect(diagnostics[0]?.message).toContain(
      "web-nsg is associated with network interface web1-nic; this output does not give its IP configurations",
    );
    expect(diagnostics[0]?.message).toContain("az network nic show --name web1-nic");
    expect(diagnostics[1]?.message).toContain("subnet web of virtual network web-vnet");
    expect(diagnostics[1]?.path).toEqual(["value", 1, "association", "subnet", "id"]);
    expect(diagnostics[1]?.location).toEqual({
      file,
      ...at(text, `"${id("web-rg", "virtualNetworks/web-vnet/subnets/web")}"`),
    });

    expect(topology.networkSecurityGroups).toEqual([
      {
        name: "web-nsg",
        securityRules: [
          {
            name: "allow-https",
            protocol: "Tcp",
            access: "Allow",
            priority: 100,
            direction: "Inbound",
            sourceAddressPrefix: "Internet",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "443",
          },
          {
            name: "allow-dns",
            protocol: "Udp",
            access: "Allow",
            priority: 200,
            direction: "Inbound",
            sourceAddressPrefixes: ["10.1.0.0/16", "10.2.0.0/16"],
            sourcePortRange: "*",
            destinationAddressPrefix: "10.1.2.0/24",
            destinationPortRanges: ["53", "5353"],
          },
          {
            name: "allow-monitoring",
            protocol: "*",
            access: "Allow",
            priority: 300,
            direction: "Inbound",
            sourceAddressPrefix: "AzureMonitor",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "8000-8100",
          },
          {
            // Written as 0.0.0.0/0: this output shows "*" as 0.0.0.0/0 and ::/0.
            name: "deny-ipv4-ssh",
            protocol: "Tcp",
            access: "Deny",
            priority: 4000,
            direction: "Inbound",
            sourceAddressPrefix: "0.0.0.0/0",
            sourcePortRange: "*",
            destinationAddressPrefix: "*",
            destinationPortRange: "22",
          },
          {
            name: "deny-storage-out",
            protocol: "*",
            access: "Deny",
            priority: 4000,
            direction: "Outbound",
            sourceAddressPrefix: "*",
            sourcePortRange: "*",
            destinationAddressPrefix: "Storage.WestEurope",
            destinationPortRange: "*",
          },
        ],
      },
    ]);
  });

  it("reads a lone 0.0.0.0/0 as * with a note when no default rule tells how * is shown", () => {
    const doc = JSON.parse(fixture("effective-nsg-restrict-backend-api.json"));
    doc.value[0].effectiveSecurityRules = doc.value[0].effectiveSecurityRules.filter(
      (r: { name: string }) => r.name.startsWith("securityRules/"),
    );
    const { topology, diagnostics } = importArm(JSON.stringify(doc, null, 2), "q.json");
    const note = diagnostics.find((d) => d.code === "AnyAddressRead");
    expect(note?.message).toContain("as the effective view shows");
    expect(note?.message).toContain('"ALLOW-AzureMngmt", "ALLOW-HTTP-fe1ase"');
    expect(note?.message).toContain("would differ for IPv6 traffic only");
    expect(topology.networkSecurityGroups[0]?.securityRules).toHaveLength(9);
    expect(
      topology.networkSecurityGroups[0]?.securityRules.every(
        (r) => r.destinationAddressPrefix === "*",
      ),
    ).toBe(true);
  });

  it("also reads the bare `value` array (`--query value`)", () => {
    const doc = JSON.parse(fixture("effective-nsg-dual-stack.json"));
    const { topology, diagnostics } = importArm(JSON.stringify(doc.value), "v.json");
    expect(diagnostics.every((d) => d.severity === "info")).toBe(true);
    expect(topology.networkSecurityGroups[0]?.securityRules).toHaveLength(5);
  });

  it("names a parameters file given with it as unused", () => {
    const text = fixture("effective-nsg-dual-stack.json");
    const { diagnostics } = importArm(text, "e.json", '{"parameters": {}}');
    expect(diagnostics[0]).toMatchObject({
      severity: "warning",
      code: "ParametersNotUsed",
      location: { file: "e.json (parameters)", line: 1, column: 1 },
    });
  });

  it("warns where Azure's defaults are not what tierwall evaluates", () => {
    const doc = JSON.parse(fixture("effective-nsg-dual-stack.json"));
    const rules = doc.value[0].effectiveSecurityRules as Record<string, unknown>[];
    const lb = rules.find((r) => r.name === "defaultSecurityRules/AllowAzureLoadBalancerInBound");
    if (lb) lb.priority = 65002;
    rules.push({ ...rules[rules.length - 1], name: "defaultSecurityRules/AllowSomethingNew" });
    const text = JSON.stringify(doc, null, 2);
    const { diagnostics } = importArm(text, "d.json");
    const warnings = diagnostics.filter((d) => d.severity === "warning");
    expect(codes(warnings)).toEqual(["warning DefaultRuleDiffers", "warning UnknownDefaultRule"]);
    expect(warnings[0]?.message).toContain(
      "Azure reports default rule AllowAzureLoadBalancerInBound with priority 65002, where tierwall evaluates 65001",
    );
    expect(warnings[0]?.location).toEqual({
      file: "d.json",
      ...at(text, '"defaultSecurityRules/AllowAzureLoadBalancerInBound"'),
    });
    expect(warnings[1]?.path).toEqual([
      "value",
      0,
      "effectiveSecurityRules",
      rules.length - 1,
      "name",
    ]);
  });

  describe("malformed output is placed, never a stack trace", () => {
    const base = () => JSON.parse(fixture("effective-nsg-dual-stack.json"));
    const errorsOf = (doc: unknown) => {
      const text = JSON.stringify(doc, null, 2);
      const { diagnostics, topology } = importArm(text, "bad.json");
      return {
        text,
        topology,
        errors: diagnostics.filter((d) => d.severity === "error"),
      };
    };
    /**
     * The line of the value at `path` in the document as errorsOf writes it, or
     * of the nearest value above it that exists: found by putting a marker there.
     */
    const lineOfPath = (doc: unknown, path: readonly (string | number)[]): number => {
      const copy = structuredClone(doc) as Record<string | number, unknown>;
      const holderOf = (p: readonly (string | number)[]) =>
        p
          .slice(0, -1)
          .reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], copy);
      let at = [...path];
      while (
        at.length > 1 &&
        (holderOf(at) as Record<string | number, unknown>)?.[at.at(-1) as string] === undefined
      )
        at = at.slice(0, -1);
      (holderOf(at) as Record<string | number, unknown>)[at.at(-1) as string] = "\u2063marker";
      const text = JSON.stringify(copy, null, 2);
      return text.slice(0, text.indexOf("\u2063marker")).split("\n").length;
    };
    // biome-ignore lint/suspicious/noExplicitAny: each case breaks the document's shape on purpose
    const cases: [string, (doc: any) => void, string, (string | number)[], string][] = [
      [
        "a rule without a priority",
        (d) => {
          delete d.value[0].effectiveSecurityRules[1].priority;
        },
        "InvalidEffectiveSecurityRule",
        ["value", 0, "effectiveSecurityRules", 1, "priority"],
        "priority should be an integer; it is null",
      ],
      [
        "an unknown protocol",
        (d) => {
          d.value[0].effectiveSecurityRules[0].protocol = "Gre";
        },
        "InvalidEffectiveSecurityRule",
        ["value", 0, "effectiveSecurityRules", 0, "protocol"],
        'protocol should be All, Tcp, Udp, Icmp, Esp or Ah; it is "Gre"',
      ],
      [
        "a bad port range",
        (d) => {
          d.value[0].effectiveSecurityRules[0].destinationPortRanges = ["https"];
        },
        "InvalidEffectiveSecurityRule",
        ["value", 0, "effectiveSecurityRules", 0, "destinationPortRanges"],
        'port range "https" should be N, N-M or *',
      ],
      [
        "a reversed port range",
        (d) => {
          d.value[0].effectiveSecurityRules[0].destinationPortRanges = ["443-80"];
        },
        "InvalidEffectiveSecurityRule",
        ["value", 0, "effectiveSecurityRules", 0, "destinationPortRanges"],
        'port range "443-80" should be N, N-M or * (0-65535, first <= last)',
      ],
      [
        "a rule with no source address (an ASG's)",
        (d) => {
          const r = d.value[0].effectiveSecurityRules[0];
          r.sourceAddressPrefix = "";
          r.sourceAddressPrefixes = [];
          r.expandedSourceAddressPrefix = ["10.1.2.4/32"];
        },
        "EffectiveRuleAddressUnknown",
        ["value", 0, "effectiveSecurityRules", 0, "sourceAddressPrefix"],
        "import `az network nsg show` output instead",
      ],
      [
        "a rule name of neither kind",
        (d) => {
          d.value[0].effectiveSecurityRules[2].name = "AdminRule_1";
        },
        "UnrecognizedEffectiveRule",
        ["value", 0, "effectiveSecurityRules", 2, "name"],
        'rule name "AdminRule_1" is neither securityRules/NAME nor defaultSecurityRules/NAME',
      ],
      [
        "an NSG id that is not one",
        (d) => {
          d.value[1].networkSecurityGroup.id = "web-nsg";
        },
        "InvalidResourceId",
        ["value", 1, "networkSecurityGroup", "id"],
        '"web-nsg" is not the id of a network security group',
      ],
      [
        "no networkSecurityGroup",
        (d) => {
          delete d.value[1].networkSecurityGroup;
        },
        "InvalidEffectiveNsg",
        ["value", 1, "networkSecurityGroup"],
        "networkSecurityGroup should be an object with an id",
      ],
      [
        "effectiveSecurityRules not an array",
        (d) => {
          d.value[1].effectiveSecurityRules = { rules: [] };
        },
        "InvalidEffectiveNsg",
        ["value", 1, "effectiveSecurityRules"],
        "effectiveSecurityRules should be an array of rules",
      ],
      [
        "an item that is not an object",
        (d) => {
          d.value.push("web-nsg");
        },
        "InvalidEffectiveNsg",
        ["value", 2],
        "expected an object with networkSecurityGroup, association and effectiveSecurityRules",
      ],
      [
        "a rule that differs between two associations of its NSG",
        (d) => {
          d.value[1].effectiveSecurityRules[0].access = "Deny";
        },
        "ConflictingEffectiveRule",
        ["value", 1, "effectiveSecurityRules", 0],
        'rule "allow-https" of web-nsg differs from the one at value[0].effectiveSecurityRules[0]',
      ],
      [
        "two NSGs of one name in different resource groups",
        (d) => {
          d.value[1].networkSecurityGroup.id = id("other-rg", "networkSecurityGroups/web-nsg");
        },
        "DuplicateNsgName",
        ["value", 1, "networkSecurityGroup", "id"],
        "have the same name",
      ],
    ];
    for (const [what, change, code, path, message] of cases)
      it(`${what}: ${code}`, () => {
        const doc = base();
        change(doc);
        const { errors } = errorsOf(doc);
        expect(errors).toHaveLength(1);
        const [e] = errors as [Diagnostic];
        expect(e.code).toBe(code);
        expect(e.path).toEqual(path);
        expect(e.message).toContain(message);
        expect(e.location?.file).toBe("bad.json");
        // Placed at the value the path names, or at the object missing it.
        expect(e.location?.line).toBe(lineOfPath(doc, path));
      });

    it("leaves out what Azure Virtual Network Manager adds, with a warning", () => {
      const doc = base();
      doc.value.push({
        association: { networkManager: { id: id("web-rg", "networkManagers/avnm") } },
        effectiveSecurityRules: [],
      });
      const { diagnostics, topology } = importArm(JSON.stringify(doc, null, 2), "m.json");
      expect(codes(diagnostics.filter((d) => d.severity === "warning"))).toEqual([
        "warning NetworkManagerRulesNotImported",
      ]);
      expect(topology.networkSecurityGroups).toHaveLength(1);
    });
  });
});

describe("importArm: az network vnet show", () => {
  it("imports the example's network, ignoring read-only fields", () => {
    const { topology, diagnostics } = importArm(fixture("vnet-show-layered.json"), "v.json");
    expect(diagnostics).toEqual([]);
    const example = exampleTopology("layered-ase");
    const [vnet] = topology.virtualNetworks;
    expect(vnet?.name).toBe("yourvnetnamehere");
    expect(vnet?.location).toBe("southcentralus");
    expect(vnet?.addressSpace).toEqual(example?.virtualNetworks[0]?.addressSpace);
    expect(vnet?.virtualNetworkPeerings).toBeUndefined();
    expect(vnet?.subnets).toEqual([
      { name: "FE1-ASE-Subnet", addressPrefix: "10.0.1.0/24" },
      { name: "FE2-ASE-Subnet", addressPrefix: "10.0.2.0/24" },
      { name: "FE3-ASE-Subnet", addressPrefix: "10.0.3.0/24" },
      {
        name: "API-ASE-Subnet",
        addressPrefix: "10.0.4.0/24",
        networkSecurityGroup: { id: id("ase-rg", "networkSecurityGroups/RestrictBackendApi") },
      },
    ]);
    expect(topology.networkSecurityGroups).toEqual([]);
  });

  it("imports a dual-stack subnet with NICs in it, and a peering", () => {
    const { topology, diagnostics } = importArm(fixture("vnet-show-dual-stack.json"), "v.json");
    expect(diagnostics).toEqual([]);
    expect(topology.virtualNetworks).toEqual([
      {
        name: "web-vnet",
        location: "westeurope",
        addressSpace: { addressPrefixes: ["10.1.0.0/16", "2001:db8:1::/48"] },
        subnets: [
          {
            name: "web",
            addressPrefixes: ["10.1.2.0/24", "2001:db8:1:2::/64"],
            networkSecurityGroup: { id: id("web-rg", "networkSecurityGroups/web-nsg") },
          },
          { name: "AzureBastionSubnet", addressPrefix: "10.1.255.0/26" },
        ],
        virtualNetworkPeerings: [
          {
            name: "web-to-hub",
            remoteVirtualNetwork: { id: id("hub-rg", "virtualNetworks/hub-vnet") },
          },
        ],
      },
    ]);
    // The NICs a subnet lists are references only: nothing to import from them.
    expect(topology.networkInterfaces).toEqual([]);
  });

  it("with the effective NSGs of one of its NICs, gives a spec that validates", () => {
    const parts = ["effective-nsg-dual-stack.json", "vnet-show-dual-stack.json"].map(
      (f) => importArm(fixture(f), f).topology,
    );
    // The peering names a network outside the import: dropped to check the rest.
    const spec = writeSpec(mergeTopologies(parts)).replace(
      / {4}virtualNetworkPeerings:\n(?: {6}.*\n)+/,
      "",
    );
    const loaded = loadSpecText(spec);
    // Its service tags, without Azure's published file, are symbolic: one note, no error.
    expect(loaded.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ["info", "ServiceTagsSymbolic"],
    ]);
    const network = networkOf(
      spec.replace("AzureMonitor", "192.0.2.0/24").replace("Storage.WestEurope", "198.51.100.0/24"),
    );
    expect([...network.nsgs.keys()]).toEqual(["web-nsg"]);
    expect(network.subnets.find((s) => s.name === "web")?.nsg).toBe("web-nsg");
  });
});
