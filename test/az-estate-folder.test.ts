/**
 * A live estate from az output: a folder of `az ... list -o json` files
 * (bench/az-estate.ts, ids cross-referencing across the files) imports as one
 * estate, in process and through `tierwall import FOLDER`; what tierwall does
 * not model is named at its file and position.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { azEstate } from "../bench/az-estate.js";
import { importSources, type SourceFile } from "../src/formats/catalog.js";
import { folderReading } from "../src/formats/folders.js";
import { hasErrors } from "../src/model/diagnostic.js";
import { requireBuild, tierwall } from "./support/cli.js";
import { loadSpecText } from "./support/spec.js";

const NICS = 600;

describe("folderReading", () => {
  it("reads .tf files as a Terraform module, .json files as az output", () => {
    expect(folderReading(["main.tf", "vars.tf", "nsg.json"])).toMatchObject({
      kind: "terraform",
      files: ["main.tf", "vars.tf"],
    });
    expect(folderReading(["nsg-list.json", "README.md", "vnet-list.json", ".hidden"])).toEqual({
      kind: "azOutput",
      files: ["nsg-list.json", "vnet-list.json"],
      skipped: ["README.md"],
    });
  });

  it("says what a folder lacks, and a format that does not fit it", () => {
    expect(folderReading([])).toMatchObject({ kind: "nothing", code: "NoImportableFiles" });
    expect(folderReading(["main.tf"], "arm")).toMatchObject({
      kind: "nothing",
      code: "FolderNotImported",
    });
    expect(folderReading(["a.json"], "terraform")).toMatchObject({ code: "NoTerraformFiles" });
    expect(folderReading(["a.json"], "powershell")).toMatchObject({ code: "FolderNotImported" });
    expect(folderReading(["a.json"], "arm")).toMatchObject({ kind: "azOutput" });
  });
});

describe(`an estate of ${NICS} NICs as az list output`, () => {
  const files = azEstate(NICS);
  const sources: SourceFile[] = Object.entries(files).map(([name, items]) => ({
    file: `az/${name}`,
    text: `${JSON.stringify(items, null, 2)}\n`,
  }));

  it("is what az prints: lists of resources whose ids meet across the files", () => {
    expect(Object.keys(files).sort()).toEqual([
      "application-gateway-list.json",
      "ase-list.json",
      "asg-list.json",
      "lb-list.json",
      "nic-list.json",
      "nsg-list.json",
      "public-ip-list.json",
      "route-table-list.json",
      "vnet-list.json",
    ]);
    const ids = new Set(
      Object.values(files)
        .flat()
        .map((r) => ((r as { id: string }).id ?? "").toLowerCase()),
    );
    const nic = (files["nic-list.json"] as { ipConfigurations: { subnet: { id: string } }[] }[])[0];
    const subnetId = nic?.ipConfigurations[0]?.subnet.id ?? "";
    expect(ids.has(subnetId.slice(0, subnetId.indexOf("/subnets/")).toLowerCase())).toBe(true);
    expect(files["nic-list.json"]).toHaveLength(NICS);
    expect(files["vnet-list.json"]).toHaveLength(2);
  });

  it("imports as one estate: every interface with its subnet, NSG, ASG and public IP", async () => {
    const result = await importSources(sources);
    expect(hasErrors(result.diagnostics)).toBe(false);
    const t = result.topology;
    expect(t.networkInterfaces).toHaveLength(NICS);
    expect(t.virtualNetworks.map((v) => v.subnets.length)).toEqual([8, 8]);
    expect(t.networkSecurityGroups).toHaveLength(11);
    expect(t.applicationSecurityGroups).toHaveLength(10);
    expect(t.publicIPAddresses?.filter((p) => p.ipAddress !== undefined)).toHaveLength(62);
    // References by id from another file are kept, and validate against what that file declares.
    expect(t.networkInterfaces[0]?.ipConfigurations[0]).toMatchObject({
      privateIPAddress: "10.0.0.4",
      publicIPAddress: {
        id: expect.stringMatching(/publicIPAddresses\/pip-nic-0000$/),
      },
    });
    expect(t.networkInterfaces[3]?.networkSecurityGroup).toEqual({
      id: expect.stringMatching(/networkSecurityGroups\/nsg-jump$/),
    });
    expect(t.environments.map((e) => [e.name, e.kind, e.subnet, e.ingress])).toEqual([
      ["ase-ext", "AppServiceEnvironmentV2", "vnet-0/snet-ase-a", "External"],
      ["ase-int", "AppServiceEnvironmentV3", "vnet-1/snet-ase-b", "Internal"],
    ]);
    expect(t.environments[1]).toMatchObject({
      privateIPAddress: "10.1.33.11",
      outboundIPAddress: "20.60.0.10",
    });
    // The written spec is one check accepts, with the same interfaces.
    const loaded = loadSpecText(result.spec ?? "");
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(loaded.spec?.network.nics.size).toBe(NICS);
  });

  it("names what it does not model, at its file and position", async () => {
    const result = await importSources(sources);
    const notModelled = result.diagnostics.filter((d) => d.code === "NotModelled");
    for (const d of notModelled) {
      expect(d.location?.file).toMatch(/^az\/.*\.json$/);
      expect(d.location?.line).toBeGreaterThan(0);
    }
    const summary = new Map(result.summary.map((s) => [s.source, s]));
    // Every resource of every file is counted: modelled, named, or deciding no packet.
    for (const [name, items] of Object.entries(files)) {
      const s = summary.get(`az/${name}`);
      expect(s?.read, name).toBe(items.length);
      expect(s?.unknown, name).toEqual([]);
      for (const t of s?.notModelled ?? [])
        expect(
          notModelled.some((d) => d.location?.file === `az/${name}` && d.message.includes(t.type)),
        ).toBe(true);
    }
    // The v2 environment's VIP is not in `az appservice ase list`: named, with how to give it.
    const vip = result.diagnostics.find((d) => d.code === "EnvironmentAddressNotKnown");
    expect(vip?.location).toMatchObject({ file: "az/ase-list.json" });
    expect(vip?.hint).toContain("az appservice ase list-addresses --name ase-ext");
  });

  it("takes the VIP from az appservice ase list-addresses output beside it", async () => {
    const addresses = {
      file: "az/ase-ext-addresses.json",
      text: JSON.stringify({
        id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/estate-rg/providers/Microsoft.Web/hostingEnvironments/ase-ext/capacities/virtualip",
        internalIpAddress: null,
        outboundIpAddresses: ["198.51.100.200"],
        serviceIpAddress: "198.51.100.201",
        vipMappings: [],
      }),
    };
    const result = await importSources([...sources, addresses]);
    expect(result.topology.environments[0]).toMatchObject({
      name: "ase-ext",
      publicIPAddress: "198.51.100.201",
      outboundIPAddress: "198.51.100.200",
    });
    expect(result.diagnostics.filter((d) => d.code === "EnvironmentAddressNotKnown")).toEqual([
      expect.objectContaining({ severity: "info" }),
    ]);
  });
});

describe("tierwall import FOLDER of az output", () => {
  let dir = "";
  beforeAll(() => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), "tierwall-az-folder-"));
    mkdirSync(join(dir, "estate"));
    for (const [name, items] of Object.entries(azEstate(120)))
      writeFileSync(join(dir, "estate", name), `${JSON.stringify(items, null, 2)}\n`);
    writeFileSync(join(dir, "estate", "commands.txt"), "az network nic list -o json\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes one spec of the whole estate, with a summary per file", () => {
    const out = join(dir, "estate.yaml");
    const r = tierwall(["import", join(dir, "estate"), "-o", out]);
    expect(r.code).toBe(0);
    const spec = parse(readFileSync(out, "utf8"));
    expect(spec.networkInterfaces).toHaveLength(120);
    expect(spec.environments).toHaveLength(2);
    expect(r.stderr).toContain(
      "nic-list.json: 120 resources read; imported 120 network interfaces",
    );
    expect(r.stderr).toMatch(/commands\.txt: not a \.json file/);
    expect(tierwall(["check", out]).code).toBe(0);
  });

  it("is read as az output when named arm, and refused as another format", () => {
    expect(tierwall(["import", "arm", join(dir, "estate"), "-o", join(dir, "a.yaml")]).code).toBe(
      0,
    );
    const ps = tierwall(["import", "powershell", join(dir, "estate")]);
    expect(ps.code).toBe(2);
    expect(ps.stderr).toContain("FolderNotImported");
  });
});
