import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec } from "../specfile/load.js";
import { detectFormat, EXPORT_FORMATS, exportTopology, importSources } from "./catalog.js";
import { tooDeepAt } from "./shared/nesting.js";

const ROOT = resolve(import.meta.dirname, "../..");
const source = (path: string) => ({ file: path, text: readFileSync(join(ROOT, path), "utf8") });

describe("the format catalog", () => {
  it("tells each format from a file's name and content", () => {
    expect(detectFormat('{"$schema": "x", "resources": []}')).toBe("arm");
    expect(detectFormat('[{"type": "Microsoft.Network/networkSecurityGroups"}]')).toBe("arm");
    expect(detectFormat('\uFEFF{"format_version": "1.2", "values": {}}')).toBe("terraform");
    expect(
      detectFormat('{"values": [{"name": "Storage", "properties": {"addressPrefixes": []}}]}'),
    ).toBe("service-tags");
    expect(detectFormat('variable "x" {}', "variables.tf")).toBe("terraform");
    expect(detectFormat("x = 1", "terraform.tfvars")).toBe("terraform");
    expect(detectFormat('resource "azurerm_subnet" "s" {\n}')).toBe("terraform");
    expect(detectFormat("New-AzNetworkSecurityGroup -Name n")).toBe("powershell");
    expect(detectFormat("#!/bin/bash\naz network nsg create -n n -g rg")).toBe("azcli");
    expect(detectFormat("just some text")).toBeUndefined();
    expect(detectFormat("{ not json")).toBe("arm");
  });

  it("imports files of several formats into one topology, with the spec's text", async () => {
    const result = await importSources([
      source("examples/layered-ase/guide.ps1"),
      source("test/fixtures/az/vnet-show-layered.json"),
    ]);
    expect(result.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
    expect(result.topology.networkSecurityGroups.map((n) => n.name)).toEqual([
      "RestrictBackendApi",
    ]);
    // The network the script only names is the one `az network vnet show` prints: one network,
    // its subnets' prefixes from the output, the NSG on the API subnet from the script.
    expect(result.topology.virtualNetworks.map((v) => v.name)).toEqual(["yourvnetnamehere"]);
    expect(
      result.topology.virtualNetworks[0]?.subnets.find((s) => s.name === "API-ASE-Subnet"),
    ).toMatchObject({ addressPrefix: "10.0.4.0/24", networkSecurityGroup: "RestrictBackendApi" });
    expect(result.spec).toMatch(
      /^# Imported by tierwall from examples\/layered-ase\/guide\.ps1, test\/fixtures\/az\/vnet-show-layered\.json\./,
    );
  });

  it("names a file it cannot tell, and gives no spec when anything is an error", async () => {
    const result = await importSources([
      { file: "notes.txt", text: "nothing to see" },
      source("examples/layered-ase/guide.ps1"),
    ]);
    expect(result.spec).toBeUndefined();
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([
      expect.objectContaining({
        code: "UnknownFormat",
        location: { file: "notes.txt", line: 1, column: 1 },
      }),
    ]);
    // A format given is taken for every file, whatever it looks like.
    const forced = await importSources([source("examples/layered-ase/guide.ps1")], {
      format: "arm",
    });
    expect(forced.diagnostics[0]).toMatchObject({ code: "InvalidSyntax", severity: "error" });
  });

  it("asks for a Bicep file to be compiled first, whatever format is named", async () => {
    const bicep = {
      file: "infra/main.bicep",
      text: "param location string = resourceGroup().location\nresource nsg 'Microsoft.Network/networkSecurityGroups@2023-09-01' = {\n  name: 'web'\n}\n",
    };
    for (const options of [{}, { format: "arm" as const }]) {
      const result = await importSources([bicep], options);
      expect(result.diagnostics).toEqual([
        expect.objectContaining({
          severity: "error",
          code: "BicepNotCompiled",
          location: { file: "infra/main.bicep", line: 1, column: 1 },
          hint: "compile it first (az bicep build --file infra/main.bicep, or bicep build infra/main.bicep), then import infra/main.json",
        }),
      ]);
    }
  });

  it("exports every deployment format, naming what the export does not create", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/three-tier"));
    expect(spec).toBeDefined();
    if (!spec) return;
    for (const format of EXPORT_FORMATS) {
      const { text, diagnostics } = await exportTopology(format, spec.topology, "all");
      expect(text, format).toContain("web-nsg");
      expect(
        diagnostics.map((d) => [d.code, d.path.join(".")]),
        format,
      ).toEqual([
        ["NotExported", "environments"],
        ["NotExported", "networkInterfaces.0.ipConfigurations.0.publicIPAddress"],
        ["NotExported", "networkInterfaces.1.ipConfigurations.0.publicIPAddress"],
      ]);
    }
  });

  it("by default refers to what exists, and names it", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/three-tier"));
    if (!spec) throw new Error("examples/three-tier does not load");
    for (const format of EXPORT_FORMATS) {
      const { text, diagnostics } = await exportTopology(format, spec.topology);
      expect(text, format).toContain("web-nsg");
      expect(text, format).not.toMatch(/10\.30\.0\.0\/16/);
      expect(
        diagnostics.map((d) => [d.code, d.path.join(".")]),
        format,
      ).toEqual([
        ["ReferredAsExisting", "virtualNetworks"],
        // A template deploys the whole subnet, and so does Set-AzVirtualNetworkSubnetConfig.
        ...(format === "terraform" || format === "azcli"
          ? []
          : [["SubnetRedeployed", "virtualNetworks"]]),
        ["ReferredAsExisting", "networkInterfaces"],
        ["NotExported", "environments"],
        ["NotExported", "networkInterfaces.0.ipConfigurations.0.publicIPAddress"],
        ["NotExported", "networkInterfaces.1.ipConfigurations.0.publicIPAddress"],
      ]);
    }
  });

  it("refers to a public IP resource as it exists, or declares it with scope all; writes a Dynamic interface as Dynamic", async () => {
    const { spec } = loadSpec(join(ROOT, "examples/three-tier"));
    if (!spec) throw new Error("examples/three-tier does not load");
    const [first, ...rest] = spec.topology.networkInterfaces;
    const config = first?.ipConfigurations[0];
    if (!first || !config) throw new Error("examples/three-tier has no interface");
    const { privateIPAddress: _, ...dynamic } = config;
    const topology = {
      ...spec.topology,
      publicIPAddresses: [{ name: "pip-web", sku: "Standard" as const }],
      networkInterfaces: [
        {
          ...first,
          ipConfigurations: [
            {
              ...dynamic,
              privateIPAllocationMethod: "Dynamic" as const,
              publicIPAddress: "pip-web",
            },
          ],
        },
        ...rest,
      ],
    };
    const withNsg = {
      ...topology,
      networkInterfaces: topology.networkInterfaces.map((n, i) =>
        i === 0 ? { ...n, networkSecurityGroup: "web-nsg" } : n,
      ),
    };
    const existing = await exportTopology("arm", withNsg);
    expect(existing.diagnostics.map((d) => d.message)).toContain(
      "public IP addresses (pip-web) are referred to as they exist",
    );
    expect(existing.text).not.toContain('"type": "Microsoft.Network/publicIPAddresses"');
    expect(existing.text).toContain(
      "\"id\": \"[resourceId('Microsoft.Network/publicIPAddresses', 'pip-web')]\"",
    );
    const arm = await exportTopology("arm", topology, "all");
    expect(arm.text).toContain('"type": "Microsoft.Network/publicIPAddresses"');
    expect(arm.text).toContain('"name": "Standard"');
    expect(arm.text).toContain('"privateIPAllocationMethod": "Dynamic"');
    const terraform = await exportTopology("terraform", topology, "all");
    expect(terraform.text).toContain('private_ip_address_allocation = "Dynamic"');
    expect(terraform.text).toContain('resource "azurerm_public_ip" "pip_web"');
  });

  it("writes a peering's allowVirtualNetworkAccess: false", async () => {
    const vnet = (name: string, prefix: string, remote: string, access?: boolean) => ({
      name,
      addressSpace: { addressPrefixes: [prefix] },
      subnets: [],
      virtualNetworkPeerings: [
        {
          remoteVirtualNetwork: remote,
          ...(access === undefined ? {} : { allowVirtualNetworkAccess: access }),
        },
      ],
    });
    const topology = {
      virtualNetworks: [vnet("a", "10.1.0.0/16", "b", false), vnet("b", "10.2.0.0/16", "a")],
      networkSecurityGroups: [],
      applicationSecurityGroups: [],
      networkInterfaces: [],
      environments: [],
    };
    const arm = (await exportTopology("arm", topology, "all")).text;
    expect(arm.match(/"allowVirtualNetworkAccess": (true|false)/g)).toEqual([
      '"allowVirtualNetworkAccess": false',
      '"allowVirtualNetworkAccess": true',
    ]);
    const terraform = (await exportTopology("terraform", topology, "all")).text;
    expect(terraform.match(/allow_virtual_network_access\s*=\s*false/g)).toHaveLength(1);
  });
});

describe("the format catalog on hostile input", () => {
  it("refuses a file nested deeper than the readers go, at the bracket that passes the limit", async () => {
    const depth = 50_000;
    const deep = `{"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "n", "properties": {"x": ${"[".repeat(depth)}${"]".repeat(depth)}}}]}`;
    const script = `New-AzNetworkSecurityGroup -Name n -Tag ${"@(".repeat(depth)}${")".repeat(depth)}`;
    for (const [file, text] of [
      ["deep.json", deep],
      ["deep.ps1", script],
      ["deep.tf", `locals { x = ${"[".repeat(depth)}${"]".repeat(depth)} }`],
    ] as const) {
      const result = await importSources([{ file, text }]);
      expect(result.diagnostics, file).toEqual([
        expect.objectContaining({
          code: "NestingTooDeep",
          location: expect.objectContaining({ file, line: 1 }),
        }),
      ]);
    }
    const parameters = {
      file: "p.json",
      text: `{"parameters": ${"[".repeat(depth)}${"]".repeat(depth)}}`,
    };
    const refused = await importSources(
      [source("test/fixtures/arm/security-group-create/azuredeploy.json")],
      {
        parameters,
      },
    );
    expect(refused.diagnostics.map((d) => d.code)).toEqual(["NestingTooDeep"]);
  });

  it("counts no bracket inside a string, and takes real files as they are", () => {
    expect(tooDeepAt(`{"a": "${"[".repeat(500)}"}`)).toBe(-1);
    expect(tooDeepAt(`# don't ${"(".repeat(50)}\n${")".repeat(50)}`)).toBe(-1);
    expect(tooDeepAt("[".repeat(101))).toBe(100);
  });
});
