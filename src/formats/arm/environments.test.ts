/**
 * App Service Environments read from ARM: the guide's own architecture as a
 * template (examples/layered-ase/azuredeploy.json) gives the verdicts of the
 * example's spec; kinds, internal load balancing modes and subnet forms of
 * templates and of `az appservice ase list` / `show` / `list-addresses` output.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Environment } from "../../model/types.js";
import { checkSpecAssertions, type SpecOutcome } from "../../specfile/check.js";
import { importSources, type SourceFile } from "../catalog.js";
import { standing } from "../shared/unmodelled.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const example = (name: string): SourceFile => ({
  file: `examples/layered-ase/${name}`,
  text: readFileSync(resolve(ROOT, "examples/layered-ase", name), "utf8"),
});
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers";
const VNET_ID = `${SUB}/Microsoft.Network/virtualNetworks/vnet`;

/** The example's assertions, as a user appends them to an imported spec. */
const assertionsText = (() => {
  const text = example("tierwall.yaml").text;
  return text.slice(text.indexOf("\nassertions:") + 1);
})();

/** Each assertion's verdict: held or not, with the access and rule a flow got. */
function verdicts(outcomes: readonly SpecOutcome[]): string[] {
  return outcomes.map((o) => {
    if (o.kind === "set") return `${o.outcome.status}`;
    const r = o.outcome.status === "invalid" ? undefined : o.outcome.result;
    return `${o.outcome.status} ${r?.access} ${r?.rule ?? ""}`;
  });
}

function checked(specText: string): string[] {
  const loaded = loadSpecText(specText);
  if (!loaded.spec) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return verdicts(checkSpecAssertions(loaded.spec.network, loaded.spec.assertions));
}

const codes = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.severity} ${d.code}`);

describe("the guide's architecture as an ARM template", () => {
  it("imports with the environments' addresses and gives the example's 19 verdicts", async () => {
    const result = await importSources([
      example("azuredeploy.json"),
      example("ase-addresses.json"),
    ]);
    expect(codes(result.diagnostics).filter((c) => !c.startsWith("info"))).toEqual([]);
    expect(result.topology.environments).toEqual([
      ...[
        ["fe1ase", "FE1", "198.51.100.11"],
        ["fe2ase", "FE2", "198.51.100.22"],
        ["fe3ase", "FE3", "198.51.100.33"],
        ["apiase", "API", "203.0.113.40"],
      ].map(
        ([name, subnet, vip]): Environment => ({
          name: name as string,
          kind: "AppServiceEnvironmentV1",
          subnet: `yourvnetnamehere/${subnet}-ASE-Subnet`,
          privateIPAllocationMethod: "Dynamic",
          publicIPAddress: vip as string,
          ingress: "External",
        }),
      ),
    ]);
    const expected = checked(example("tierwall.yaml").text);
    expect(expected).toHaveLength(19);
    expect(expected.every((v) => v.startsWith("held"))).toBe(true);
    expect(checked(`${result.spec}${assertionsText}`)).toEqual(expected);
  });

  it("without the addresses, names each unknown VIP, and no rule naming an address admits it", async () => {
    const result = await importSources([example("azuredeploy.json")]);
    const unknown = result.diagnostics.filter((d) => d.code === "EnvironmentAddressNotKnown");
    expect(unknown.map((d) => [d.severity, d.location?.line])).toEqual([
      ["warning", 196],
      ["warning", 232],
      ["warning", 268],
      ["warning", 304],
    ]);
    expect(unknown[0]?.message).toContain("they stand as <fe1ase>");
    const outcome = checked(`${result.spec}${assertionsText}`);
    // The front ends' calls are denied: their outbound addresses are not the ones the rules name.
    expect(outcome[0]).toBe("failed Deny defaultSecurityRules/DenyAllInBound");
    expect(outcome.filter((v) => v.startsWith("held"))).toHaveLength(9);
  });
});

/** Imports JSON documents (files a.json, b.json...) together. */
async function imported(...documents: unknown[]) {
  return importSources(
    documents.map((d, i) => ({ file: `${"abcdef"[i]}.json`, text: JSON.stringify(d, null, 2) })),
  );
}

const network = {
  type: "Microsoft.Network/virtualNetworks",
  name: "vnet",
  id: VNET_ID,
  addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
  subnets: [
    { name: "ase", addressPrefix: "10.0.1.0/24", id: `${VNET_ID}/subnets/ase` },
    { name: "other", addressPrefix: "10.0.2.0/24", id: `${VNET_ID}/subnets/other` },
  ],
};

const ase = (changes: Record<string, unknown>, properties: Record<string, unknown> = {}) => ({
  type: "Microsoft.Web/hostingEnvironments",
  name: "ase1",
  ...changes,
  properties: { virtualNetwork: { id: VNET_ID, subnet: "ase" }, ...properties },
});

const environmentOf = async (...documents: unknown[]) => {
  const result = await imported(network, ...documents);
  return { env: result.topology.environments[0], result };
};

describe("importArm: Microsoft.Web/hostingEnvironments", () => {
  it.each([
    [undefined, "AppServiceEnvironmentV1"],
    ["", "AppServiceEnvironmentV1"],
    ["ASEV1", "AppServiceEnvironmentV1"],
    ["ASEV2", "AppServiceEnvironmentV2"],
    ["asev3", "AppServiceEnvironmentV3"],
  ])("reads kind %s as %s", async (kind, expected) => {
    const { env } = await environmentOf(ase(kind === undefined ? {} : { kind }));
    expect(env?.kind).toBe(expected);
  });

  it("refuses a kind that is no version, at the kind", async () => {
    const { result } = await environmentOf(ase({ kind: "ASEV9" }));
    const d = result.diagnostics.find((x) => x.code === "InvalidPropertyValue");
    expect(d?.severity).toBe("error");
    expect(d?.message).toContain('"ASEV9" is not a version');
    expect(d?.location).toMatchObject({ file: "b.json", line: 4 });
    expect(result.spec).toBeUndefined();
  });

  it.each([
    ["None", "External"],
    [0, "External"],
    ["Web", "Internal"],
    [1, "Internal"],
    ["Web, Publishing", "Internal"],
    ["Web,Publishing", "Internal"],
    [3, "Internal"],
    ["Publishing", "External"],
    [2, "External"],
  ])("reads internalLoadBalancingMode %s as %s ingress", async (mode, ingress) => {
    const { env, result } = await environmentOf(
      ase({ kind: "ASEV2" }, { internalLoadBalancingMode: mode }),
    );
    expect(env?.ingress).toBe(ingress);
    // Publishing alone moves only FTP to the internal address: said so.
    expect(result.diagnostics.some((d) => d.code === "PublishingOnlyInternal")).toBe(
      mode === "Publishing" || mode === 2,
    );
  });

  it("refuses an unknown internal load balancing mode, at its place", async () => {
    const { result } = await environmentOf(ase({}, { internalLoadBalancingMode: "Sideways" }));
    expect(codes(result.diagnostics)).toContain("error InvalidPropertyValue");
  });

  it("places an environment whose virtualNetwork.id is its subnet (v3)", async () => {
    const { env } = await environmentOf(
      ase({ kind: "ASEV3" }, { virtualNetwork: { id: `${VNET_ID}/subnets/other` } }),
    );
    expect(env?.subnet).toBe("vnet/other");
  });

  it("reads virtualNetwork's Id and Subnet written with capitals, as the v1 quickstarts do", async () => {
    const { env } = await environmentOf(
      ase({}, { virtualNetwork: { Id: VNET_ID, Subnet: "other" } }),
    );
    expect(env?.subnet).toBe("vnet/other");
  });

  it("reads resourceId() in a template", async () => {
    const template = {
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      resources: [
        network,
        ase(
          { kind: "ASEV3" },
          {
            virtualNetwork: {
              id: "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'ase')]",
            },
          },
        ),
      ],
    };
    const result = await imported(template);
    expect(result.topology.environments[0]?.subnet).toBe("vnet/ase");
  });

  it("refuses an environment without its network, or a network without its subnet", async () => {
    const none = await environmentOf({ type: "Microsoft.Web/hostingEnvironments", name: "x" });
    expect(none.result.diagnostics.find((d) => d.code === "MissingProperty")?.message).toContain(
      "has no virtualNetwork",
    );
    const noSubnet = await environmentOf(ase({}, { virtualNetwork: { id: VNET_ID } }));
    expect(
      noSubnet.result.diagnostics.find((d) => d.code === "MissingProperty")?.message,
    ).toContain('names virtual network "vnet" but no subnet');
    const wrong = await environmentOf(
      ase({}, { virtualNetwork: { id: `${SUB}/Microsoft.Network/networkSecurityGroups/n` } }),
    );
    expect(codes(wrong.result.diagnostics)).toContain("error InvalidResourceReference");
  });

  it("refuses values of the wrong type at their place, never as not known", async () => {
    for (const bad of [
      ase({ kind: ["ASEV3"] }),
      ase({}, { virtualNetwork: { id: 42 } }),
      ase({}, { internalLoadBalancingMode: {} }),
    ]) {
      const { result } = await environmentOf(bad);
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]?.location?.file).toBe("b.json");
      expect(result.diagnostics.some((d) => d.code === "ExpressionNotStaticallyKnown")).toBe(false);
      expect(result.diagnostics.some((d) => d.code === "EnvironmentNotPlaced")).toBe(false);
    }
  });

  it("is modelled in ARM, and its worker pools decide no packet", () => {
    expect(standing("arm", "Microsoft.Web/hostingEnvironments").standing).toBe("unknown");
    expect(standing("arm", "Microsoft.Web/hostingEnvironments/workerPools").standing).toBe(
      "notRelevant",
    );
    expect(standing("terraform", "azurerm_app_service_environment_v3").standing).toBe(
      "notModelled",
    );
  });
});

describe("importArm: App Service Environment addresses from az output", () => {
  /** `az appservice ase list` output of a v3 environment, flattened, with its networking configuration. */
  const v3 = (networking: Record<string, unknown>, mode = "None") => ({
    id: `${SUB}/Microsoft.Web/hostingEnvironments/ase1`,
    internalLoadBalancingMode: mode,
    kind: "ASEV3",
    name: "ase1",
    networkingConfiguration: {
      id: `${SUB}/Microsoft.Web/hostingEnvironments/ase1/configurations/networking`,
      name: "networking",
      type: "Microsoft.Web/hostingEnvironments/configurations/networking",
      ...networking,
    },
    type: "Microsoft.Web/hostingEnvironments",
    virtualNetwork: { id: `${VNET_ID}/subnets/ase`, subnet: "" },
  });

  it("reads v3's inbound and outbound addresses from its networking configuration", async () => {
    const { env, result } = await environmentOf([
      v3({
        externalInboundIpAddresses: ["203.0.113.7"],
        internalInboundIpAddresses: ["10.0.1.10"],
        windowsOutboundIpAddresses: ["198.51.100.70"],
        linuxOutboundIpAddresses: ["198.51.100.71"],
      }),
    ]);
    expect(env).toEqual({
      name: "ase1",
      kind: "AppServiceEnvironmentV3",
      subnet: "vnet/ase",
      privateIPAddress: "10.0.1.10",
      publicIPAddress: "203.0.113.7",
      outboundIPAddress: "198.51.100.70",
      ingress: "External",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("reads an internal v3 environment's address in its subnet, and names extra outbound ones", async () => {
    const { env, result } = await environmentOf([
      v3(
        {
          internalInboundIpAddresses: ["10.0.1.10"],
          windowsOutboundIpAddresses: ["198.51.100.70", "198.51.100.72"],
        },
        "Web, Publishing",
      ),
    ]);
    expect(env).toMatchObject({
      privateIPAddress: "10.0.1.10",
      outboundIPAddress: "198.51.100.70",
      ingress: "Internal",
    });
    expect(env?.publicIPAddress).toBeUndefined();
    const several = result.diagnostics.find((d) => d.code === "SeveralEnvironmentAddresses");
    expect(several?.message).toContain("has 2 addresses here (198.51.100.70, 198.51.100.72)");
    expect(several?.location?.file).toBe("b.json");
  });

  it("reads the networking configuration as a resource of its own", async () => {
    const { env } = await environmentOf(
      ase({ kind: "ASEV3" }, { virtualNetwork: { id: `${VNET_ID}/subnets/ase` } }),
      {
        type: "Microsoft.Web/hostingEnvironments/configurations",
        name: "ase1/networking",
        properties: { externalInboundIpAddresses: ["203.0.113.8"] },
      },
    );
    expect(env).toMatchObject({ publicIPAddress: "203.0.113.8", ingress: "External" });
    expect(env?.publicIPAllocationMethod).toBeUndefined();
  });

  it("joins `az appservice ase list-addresses` output (v1, v2) to the environment `list` gives", async () => {
    const list = [
      {
        id: `${SUB}/Microsoft.Web/hostingEnvironments/ase1`,
        internalLoadBalancingMode: "Web",
        kind: "ASEV2",
        name: "ase1",
        type: "Microsoft.Web/hostingEnvironments",
        virtualNetwork: { id: VNET_ID, subnet: "ase" },
      },
    ];
    const addresses = {
      id: `${SUB}/Microsoft.Web/hostingEnvironments/ase1/capacities/virtualip`,
      internalIpAddress: "10.0.1.11",
      outboundIpAddresses: ["198.51.100.9"],
      serviceIpAddress: "198.51.100.9",
      vipMappings: [],
    };
    const { env, result } = await environmentOf(list, addresses);
    expect(env).toEqual({
      name: "ase1",
      kind: "AppServiceEnvironmentV2",
      subnet: "vnet/ase",
      privateIPAddress: "10.0.1.11",
      outboundIPAddress: "198.51.100.9",
      ingress: "Internal",
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.summary.map((s) => s.imported.environments)).toEqual([undefined, 1, 1]);
  });

  it("names addresses of an environment no file declares, and leaves them out", async () => {
    const result = await imported(network, {
      id: `${SUB}/Microsoft.Web/hostingEnvironments/ghost/capacities/virtualip`,
      serviceIpAddress: "198.51.100.9",
    });
    expect(result.topology.environments).toEqual([]);
    const d = result.diagnostics.find((x) => x.code === "AppServiceEnvironmentNotDeclared");
    expect(d?.severity).toBe("warning");
    expect(d?.location?.file).toBe("b.json");
  });

  it("reads a template's networking configuration without addresses as saying nothing of them", async () => {
    const result = await imported(network, {
      type: "Microsoft.Web/hostingEnvironments/configurations",
      name: "elsewhere/networking",
      properties: { ftpEnabled: false },
    });
    expect(result.topology.environments).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });

  it("refuses addresses that do not say whose they are", async () => {
    const result = await imported(network, { serviceIpAddress: "198.51.100.9" });
    expect(codes(result.diagnostics)).toContain("error EnvironmentNotNamed");
  });

  it("writes a spec check accepts, with stand-ins for what is not known", async () => {
    const { result } = await environmentOf(
      ase({ kind: "ASEV2" }, { internalLoadBalancingMode: 3 }),
    );
    expect(result.topology.environments[0]).toEqual({
      name: "ase1",
      kind: "AppServiceEnvironmentV2",
      subnet: "vnet/ase",
      privateIPAllocationMethod: "Dynamic",
      publicIPAllocationMethod: "Dynamic",
      ingress: "Internal",
    });
    const note = result.diagnostics.find((d) => d.code === "EnvironmentAddressNotKnown");
    expect(note?.message).toContain("its outbound address is assigned when deploying");
    const loaded = loadSpecText(result.spec ?? "");
    expect(codes(loaded.diagnostics)).toEqual([]);
    const env = loaded.spec?.network.environments.get("ase1");
    expect(env && loaded.spec?.network.addressNames.text(env.privateAddress)).toBe("10.0.1.x");
    expect(
      env?.outboundAddress && loaded.spec?.network.addressNames.text(env.outboundAddress),
    ).toBe("<ase1>");
  });
});
