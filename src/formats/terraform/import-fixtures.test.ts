import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { tf } from "../../../test/support/terraform.js";
import { writeSpec } from "../../specfile/write.js";
import { exportTerraform } from "./export.js";
import { importTerraform } from "./import.js";

describe("real public Terraform configurations", () => {
  const root = join(import.meta.dirname, "../../../test/fixtures/terraform");
  const filesOf = (dir: string) =>
    readdirSync(join(root, dir))
      .filter((f) => f.endsWith(".tf"))
      .sort()
      .map((f) => tf(readFileSync(join(root, dir, f), "utf8"), `${dir}/${f}`));

  /** Per fixture: the attributes reported as not statically known (file:line:column attribute), and what is read. */
  const expected: Record<
    string,
    {
      notKnown: string[];
      nsgs: string[];
      rules: number;
      nics: number;
      /** Each public IP: `name SKU`, and `-> NIC` for each interface that has it. */
      pips?: string[];
    }
  > = {
    // A name built of a variable without value keeps its NSG and rules, under a placeholder.
    "fortigate-active-active": {
      notKnown: ["nsg.tf:9:25 azurerm_network_security_group.fgtnsg.name"],
      nsgs: ["<var.prefix>-fgt-nsg"],
      rules: 2,
      nics: 0,
    },
    "hashicorp-nic-asg": {
      notKnown: ["main.tf:21:25 azurerm_application_security_group.example.name"],
      nsgs: ["<var.prefix>-nsg"],
      rules: 1,
      // The Dynamic interface keeps its public IP, and joins the ASG its association names.
      nics: 1,
      pips: ["<var.prefix>-pip Basic -> <var.prefix>-nic"],
    },
    "hashicorp-nsg": {
      notKnown: ["main.tf:21:25 azurerm_network_security_group.example.name"],
      nsgs: ["<var.prefix>-nsg"],
      rules: 1,
      nics: 0,
    },
    "hashicorp-nsg-rule": {
      notKnown: ["main.tf:14:25 azurerm_network_security_group.example.name"],
      nsgs: ["<var.prefix>-nsg"],
      rules: 1,
      nics: 0,
    },
    "nsg-module": {
      notKnown: [
        "main.tf:6:25 azurerm_network_security_group.nsg.name",
        "main.tf:17:48 azurerm_network_security_rule.predefined_rules.count",
        "main.tf:41:48 azurerm_network_security_rule.custom_rules.count",
      ],
      nsgs: ["<var.security_group_name>"],
      rules: 0,
      nics: 0,
    },
    "pacman-nsg": {
      notKnown: [
        "main.tf:2:25 azurerm_network_security_group.nsg.name",
        "main.tf:30:33 azurerm_subnet_network_security_group_association.azsub_nsga.subnet_id",
      ],
      nsgs: ["<var.application_type>-<var.resource_type>-nsg"],
      rules: 2,
      nics: 0,
    },
    "quickstart-2nics": {
      notKnown: [],
      nsgs: ["NSG"],
      rules: 1,
      nics: 2,
      pips: ["publicIp Basic -> nic-1"],
    },
    "quickstart-linux-vm": {
      notKnown: [],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 1,
      nics: 1,
      pips: ["myPublicIP Basic -> myNIC"],
    },
    "quickstart-windows-iis": {
      notKnown: [],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 2,
      nics: 1,
      pips: ["myPublicIP Basic -> myNIC"],
    },
    "terraformbuch-split": {
      // The public IP the interface names is declared in no file read: it stands by a placeholder.
      notKnown: [
        "network_interface.tf:10:37 azurerm_network_interface.terraform.ip_configuration[0].public_ip_address_id",
      ],
      nsgs: ["terraform-security-group"],
      rules: 1,
      nics: 1,
      pips: ["<terraform-nic.internal.public_ip_address_id> Basic -> terraform-nic"],
    },
  };

  it("holds at least ten configurations, each with its source noted", () => {
    const dirs = readdirSync(root).sort();
    expect(dirs.length).toBeGreaterThanOrEqual(10);
    expect(dirs).toEqual(Object.keys(expected).sort());
    for (const dir of dirs)
      expect(readFileSync(join(root, dir, "SOURCE.md"), "utf8")).toMatch(
        /Repository: https:\/\/github\.com\//,
      );
  });

  for (const [dir, want] of Object.entries(expected))
    it(`imports ${dir}, naming exactly what is not statically known, to a spec that loads`, async () => {
      const { topology, diagnostics } = await importTerraform(filesOf(dir));
      expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const reported = diagnostics
        .filter((d) => d.severity === "warning")
        .map(
          (d) =>
            `${d.location?.file.replace(`${dir}/`, "")}:${d.location?.line}:${d.location?.column} ${d.message.split(": ")[0]}`,
        );
      expect(reported).toEqual(want.notKnown);
      expect(topology.networkSecurityGroups.map((n) => n.name)).toEqual(want.nsgs);
      expect(topology.networkSecurityGroups.flatMap((n) => n.securityRules)).toHaveLength(
        want.rules,
      );
      expect(topology.networkInterfaces).toHaveLength(want.nics);
      expect(
        (topology.publicIPAddresses ?? []).map((p) =>
          [
            `${p.name} ${p.sku}`,
            ...topology.networkInterfaces
              .filter((n) => n.ipConfigurations.some((c) => c.publicIPAddress === p.name))
              .map((n) => `-> ${n.name}`),
          ].join(" "),
        ),
      ).toEqual(want.pips ?? []);
      const loaded = loadSpecText(writeSpec(topology, `Imported from ${dir}`));
      // Service tags Azure publishes are known by name without its file (symbolic, a note).
      expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      // What was read exports and imports back unchanged.
      const back = await importTerraform([tf(exportTerraform(topology))]);
      expect(back.topology.networkSecurityGroups).toEqual(
        topology.networkSecurityGroups.map(({ location, ...n }) =>
          location === undefined ? n : { ...n, location },
        ),
      );
    });
});
