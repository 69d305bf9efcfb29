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
    { notKnown: string[]; nsgs: string[]; rules: number; nics: number }
  > = {
    // A name built of a variable without value keeps its NSG and rules, under a placeholder.
    "fortigate-active-active": {
      notKnown: ["nsg.tf:9:25 azurerm_network_security_group.fgtnsg.name"],
      nsgs: ["<var.prefix>-fgt-nsg"],
      rules: 2,
      nics: 0,
    },
    "hashicorp-nic-asg": {
      notKnown: [
        "main.tf:13:1 azurerm_public_ip.example",
        "main.tf:21:25 azurerm_application_security_group.example.name",
        "main.tf:34:37 azurerm_network_interface.example.ip_configuration[0].private_ip_address_allocation",
        "main.tf:26:1 azurerm_network_interface.example",
        "main.tf:66:35 azurerm_network_interface_application_security_group_association.example.network_interface_id",
      ],
      nsgs: ["<var.prefix>-nsg"],
      rules: 1,
      nics: 0,
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
      notKnown: [
        // Public IPs are named as not modelled, with what they may change.
        "main.tf:42:1 azurerm_public_ip.apip-01",
        "main.tf:76:37 azurerm_network_interface.ani-01.ip_configuration[0].private_ip_address_allocation",
        "main.tf:69:1 azurerm_network_interface.ani-01",
        "main.tf:89:37 azurerm_network_interface.ani-02.ip_configuration[0].private_ip_address_allocation",
        "main.tf:82:1 azurerm_network_interface.ani-02",
      ],
      nsgs: ["NSG"],
      rules: 1,
      nics: 0,
    },
    "quickstart-linux-vm": {
      notKnown: [
        "main.tf:27:1 azurerm_public_ip.my_terraform_public_ip",
        "main.tf:62:37 azurerm_network_interface.my_terraform_nic.ip_configuration[0].private_ip_address_allocation",
        "main.tf:54:1 azurerm_network_interface.my_terraform_nic",
        // The interface is left out, and with it the NSG its association gives it.
        "main.tf:69:31 azurerm_network_interface_security_group_association.example.network_interface_id",
      ],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 1,
      nics: 0,
    },
    "quickstart-windows-iis": {
      notKnown: [
        "main.tf:27:1 azurerm_public_ip.my_terraform_public_ip",
        "main.tf:73:37 azurerm_network_interface.my_terraform_nic.ip_configuration[0].private_ip_address_allocation",
        "main.tf:65:1 azurerm_network_interface.my_terraform_nic",
        "main.tf:80:31 azurerm_network_interface_security_group_association.example.network_interface_id",
      ],
      nsgs: ["myNetworkSecurityGroup"],
      rules: 2,
      nics: 0,
    },
    "terraformbuch-split": {
      notKnown: [
        "network_interface.tf:9:37 azurerm_network_interface.terraform.ip_configuration[0].private_ip_address_allocation",
        "network_interface.tf:1:1 azurerm_network_interface.terraform",
        "security_group_association.tf:2:31 azurerm_network_interface_security_group_association.terraform.network_interface_id",
      ],
      nsgs: ["terraform-security-group"],
      rules: 1,
      nics: 0,
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
      const loaded = loadSpecText(writeSpec(topology, `Imported from ${dir}`));
      // Service tags beyond the built-in ones need Azure's file, as the import says (ServiceTagsFileNeeded).
      expect(
        loaded.diagnostics.filter((d) => d.severity === "error" && d.code !== "UnknownServiceTag"),
      ).toEqual([]);
      // What was read exports and imports back unchanged.
      const back = await importTerraform([tf(exportTerraform(topology))]);
      expect(back.topology.networkSecurityGroups).toEqual(
        topology.networkSecurityGroups.map(({ location, ...n }) =>
          location === undefined ? n : { ...n, location },
        ),
      );
    });
});
