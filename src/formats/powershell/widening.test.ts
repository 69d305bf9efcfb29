/**
 * A PowerShell import never widens the policy: a script block it does not
 * read (a loop, a branch) or a cmdlet that changes an interface's NSG fails the
 * import at its line, unless allowPartial.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");
const script = (text: string) => [{ file: "deploy.ps1", text }];

const HEAD = `$nsg = New-AzNetworkSecurityGroup -Name web-nsg -ResourceGroupName rg -Location westeurope
`;

describe("PowerShell import: what it does not read and may narrow the policy fails the import", () => {
  it("a loop whose body may add Deny rules", async () => {
    const text = `${HEAD}foreach ($port in 22, 3389) {
  $nsg | Add-AzNetworkSecurityRuleConfig -Name "deny-$port" -Access Deny -Protocol Tcp -Direction Inbound -Priority 100 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange $port
}
`;
    const result = await importSources(script(text));
    expect(result.spec).toBeUndefined();
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnsupportedStatement",
        location: { file: "deploy.ps1", line: 2, column: 1 },
        hint: expect.stringContaining("could allow traffic the source denies"),
      }),
    ]);
    const partial = await importSources(script(text), { allowPartial: true });
    expect(partial.partial).toEqual([expect.objectContaining({ source: "deploy.ps1:2:1" })]);
  });

  it("a cmdlet that sets an interface's NSG; one that changes nothing modelled is only named", async () => {
    const nic = `${HEAD}Set-AzNetworkInterface -NetworkInterface $nic\n`;
    expect(errors((await importSources(script(nic))).diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnsupportedStatement",
        location: { file: "deploy.ps1", line: 2, column: 1 },
      }),
    ]);
    const ip = `${HEAD}New-AzPublicIpPrefix -Name ip -ResourceGroupName rg -Location westeurope -PrefixLength 28\n`;
    const result = await importSources(script(ip));
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "NotModelled",
        message: expect.stringContaining("New-AzPublicIpPrefix: public IP prefix not modelled"),
      }),
    );
  });
});
