/**
 * A port range with spaces around it, as a published template writes it
 * (`"65503-65534 "`): Azure deploys it trimmed, so every importer reads it
 * trimmed, with a note at its place; the spec loader stays strict.
 */
import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import { importSources, type SourceFile } from "../catalog.js";

const arm: SourceFile = {
  file: "main.json",
  text: `{
  "resources": [
    {
      "type": "Microsoft.Network/networkSecurityGroups",
      "name": "gw",
      "properties": {
        "securityRules": [
          {
            "name": "AllowAppGwProbes",
            "properties": {
              "protocol": "*", "access": "Allow", "priority": 100, "direction": "Inbound",
              "sourceAddressPrefix": "GatewayManager", "sourcePortRange": "*",
              "destinationAddressPrefix": "*",
              "destinationPortRange": "65503-65534 "
            }
          }
        ]
      }
    }
  ]
}`,
};
const terraform: SourceFile = {
  file: "main.tf",
  text: `resource "azurerm_network_security_group" "gw" {
  name = "gw"
  security_rule {
    name                       = "AllowAppGwProbes"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "*"
    source_port_range          = "*"
    destination_port_range     = "65503-65534 "
    source_address_prefix      = "GatewayManager"
    destination_address_prefix = "*"
  }
}
`,
};
const azcli: SourceFile = {
  file: "deploy.sh",
  text: `az network nsg create -g rg -n gw
az network nsg rule create -g rg --nsg-name gw -n AllowAppGwProbes --priority 100 --source-address-prefixes GatewayManager --destination-port-ranges "65503-65534 "
`,
};
const powershell: SourceFile = {
  file: "deploy.ps1",
  text: `$r = New-AzNetworkSecurityRuleConfig -Name AllowAppGwProbes -Access Allow -Protocol * -Direction Inbound -Priority 100 -SourceAddressPrefix GatewayManager -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange "65503-65534 "
New-AzNetworkSecurityGroup -Name gw -ResourceGroupName rg -Location westus -SecurityRules $r
`,
};

describe("a port range with spaces around it", () => {
  for (const source of [arm, terraform, azcli, powershell])
    it(`${source.file}: is read trimmed, with a note at the value`, async () => {
      const result = await importSources([source]);
      const note = result.diagnostics.find((d) => d.code === "PortRangeTrimmed");
      expect(note).toMatchObject({
        severity: "info",
        location: {
          file: source.file,
          line: source.text.split("\n").findIndex((l) => l.includes('65503-65534 "')) + 1,
        },
      });
      expect(note?.message).toContain('port range "65503-65534 " is read as "65503-65534"');
      const rule = result.topology.networkSecurityGroups[0]?.securityRules[0];
      expect(rule?.destinationPortRange ?? rule?.destinationPortRanges?.[0]).toBe("65503-65534");
    });

  it("is still refused by the spec loader", () => {
    const spec = `networkSecurityGroups:
  - name: gw
    securityRules:
      - name: r
        protocol: "*"
        access: Allow
        priority: 100
        direction: Inbound
        sourceAddressPrefix: "*"
        sourcePortRange: "*"
        destinationAddressPrefix: "*"
        destinationPortRange: "65503-65534 "
`;
    expect(loadSpecText(spec).diagnostics.map((d) => d.code)).toContain(
      "SecurityRuleInvalidPortRange",
    );
  });
});
