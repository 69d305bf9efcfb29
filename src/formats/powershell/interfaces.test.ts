import { describe, expect, it } from "vitest";
import { loadSpecText } from "../../../test/support/spec.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";
import { importPowerShell } from "./import.js";

const network = `$web = New-AzVirtualNetworkSubnetConfig -Name web -AddressPrefix 10.0.1.0/24
$app = New-AzVirtualNetworkSubnetConfig -Name app -AddressPrefix 10.0.2.0/24
$vnet = New-AzVirtualNetwork -ResourceGroupName rg -Name net -Location eastus -AddressPrefix 10.0.0.0/16 -Subnet $web, $app
$rule = New-AzNetworkSecurityRuleConfig -Name rdp -Access Allow -Protocol Tcp -Direction Inbound -Priority 100 -SourceAddressPrefix Internet -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389
$nsg = New-AzNetworkSecurityGroup -ResourceGroupName rg -Location eastus -Name web-nsg -SecurityRules $rule
$asg = New-AzApplicationSecurityGroup -ResourceGroupName rg -Name web-asg -Location eastus
`;

const notInfo = (ds: readonly Diagnostic[]) =>
  ds.filter((d) => d.severity !== "info").map((d) => [d.code, d.location?.line, d.message]);

describe("PowerShell import: network interfaces and public IP addresses", () => {
  it("reads New-AzNetworkInterface with a Dynamic address, its NSG, public IP and ASG, on $vnet.Subnets[N]", () => {
    const script = `${network}$pip = New-AzPublicIpAddress -ResourceGroupName rg -Name web-pip -Location eastus -Sku Standard -AllocationMethod Static
$nic = New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name web-nic -Subnet $vnet.Subnets[0] -PublicIpAddress $pip -NetworkSecurityGroup $nsg -ApplicationSecurityGroup $asg
$nic2 = New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name app-nic -SubnetId $vnet.Subnets[1].Id -PrivateIpAddress 10.0.2.4
`;
    const { topology, diagnostics } = importPowerShell(script, "nic.ps1");
    expect(notInfo(diagnostics)).toEqual([]);
    expect(topology.networkInterfaces).toEqual([
      {
        name: "web-nic",
        networkSecurityGroup: "web-nsg",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: "web-pip",
            subnet: "net/web",
            applicationSecurityGroups: ["web-asg"],
          },
        ],
      },
      {
        name: "app-nic",
        ipConfigurations: [{ name: "ipconfig1", privateIPAddress: "10.0.2.4", subnet: "net/app" }],
      },
    ]);
    expect(topology.publicIPAddresses).toEqual([
      { name: "web-pip", location: "eastus", sku: "Standard", publicIPAllocationMethod: "Static" },
    ]);
  });

  it("reads IP configurations from New-AzNetworkInterfaceIpConfig and a subnet from Get-AzVirtualNetworkSubnetConfig", () => {
    const script = `$vnet = Get-AzVirtualNetwork -Name hub -ResourceGroupName rg
$subnet = Get-AzVirtualNetworkSubnetConfig -Name workloads -VirtualNetwork $vnet
$one = New-AzNetworkInterfaceIpConfig -Name first -Subnet $subnet -PrivateIpAddress 10.1.0.5 -Primary
$two = New-AzNetworkInterfaceIpConfig -Name second -Subnet $subnet -PublicIpAddressId /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/shared-pip
New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name multi -IpConfiguration $one, $two -NetworkSecurityGroupId /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/hub-nsg
`;
    const { topology, diagnostics } = importPowerShell(script, "configs.ps1");
    expect(notInfo(diagnostics)).toEqual([]);
    expect(topology.networkInterfaces).toEqual([
      {
        name: "multi",
        networkSecurityGroup: {
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/hub-nsg",
        },
        ipConfigurations: [
          { name: "first", privateIPAddress: "10.1.0.5", subnet: "hub/workloads" },
          {
            name: "second",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: {
              id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/shared-pip",
            },
            subnet: "hub/workloads",
          },
        ],
      },
    ]);
    // The public IP the script only names is a placeholder, read as Basic.
    expect(topology.publicIPAddresses).toEqual([{ name: "shared-pip", sku: "Basic" }]);
    // The subnet of a network the script only fetches is named, without its range.
    expect(topology.virtualNetworks[0]?.subnets).toEqual([{ name: "workloads" }]);
  });

  it("reads New-AzPublicIpAddress: its SKU, allocation and version; without -Sku it is Basic, and named", () => {
    const script = `New-AzPublicIpAddress -ResourceGroupName rg -Name v6 -Location eastus -Sku standard -AllocationMethod Static -IpAddressVersion IPv6
New-AzPublicIpAddress -ResourceGroupName rg -Name old -Location eastus -AllocationMethod Dynamic
New-AzPublicIpAddress -ResourceGroupName rg -Name unsaid -Location eastus -AllocationMethod Static
`;
    const { topology, diagnostics } = importPowerShell(script, "pips.ps1");
    expect(topology.publicIPAddresses).toEqual([
      {
        name: "v6",
        location: "eastus",
        sku: "Standard",
        publicIPAllocationMethod: "Static",
        publicIPAddressVersion: "IPv6",
      },
      { name: "old", location: "eastus", sku: "Basic", publicIPAllocationMethod: "Dynamic" },
      { name: "unsaid", location: "eastus", sku: "Basic", publicIPAllocationMethod: "Static" },
    ]);
    // A Dynamic one can only be Basic; one without -Sku is read as Basic, and named.
    expect(
      diagnostics.map((d) => [d.severity, d.code, d.location?.line, d.location?.column]),
    ).toEqual([["info", "PublicIPSkuNotKnown", 3, 1]]);
    expect(diagnostics[0]?.message).toContain("read as Basic, open to inbound traffic");
  });

  it("leaves out an interface whose subnet is not known, with its NSG: the import fails unless partial", async () => {
    const script = `${network}New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name lost -Subnet $somewhere -NetworkSecurityGroup $nsg
`;
    const { diagnostics } = importPowerShell(script, "lost.ps1");
    expect(notInfo(diagnostics)).toEqual([
      [
        "ValueNotStaticallyKnown",
        7,
        "New-AzNetworkInterface: -Subnet is $somewhere, which the script does not set; the subnet is not known",
      ],
      [
        "IncompleteNetworkInterface",
        7,
        'New-AzNetworkInterface: network interface "lost" has no IP configuration whose subnet is known; it is left out, with its network security group',
      ],
    ]);
    const result = await importSources([{ file: "lost.ps1", text: script }]);
    expect(result.spec).toBeUndefined();
    const partial = await importSources([{ file: "lost.ps1", text: script }], {
      allowPartial: true,
    });
    expect(partial.partial?.map((p) => p.what)).toEqual(['network interface "lost"']);
  });

  it("takes ids as $object.Id, and keeps a public IP a variable not set holds as a placeholder", () => {
    const script = `${network}$pip = New-AzPublicIpAddress -ResourceGroupName rg -Name web-pip -Location eastus -Sku Standard -AllocationMethod Static
New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name by-id -SubnetId $vnet.Subnets[0].Id -PublicIpAddressId $pip.Id -NetworkSecurityGroupId $nsg.Id -ApplicationSecurityGroupId $asg.Id
New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name unset -Subnet $vnet.Subnets[1] -PublicIpAddressId $elsewhere
`;
    const { topology, diagnostics } = importPowerShell(script, "ids.ps1");
    expect(topology.networkInterfaces).toEqual([
      {
        name: "by-id",
        networkSecurityGroup: "web-nsg",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: "web-pip",
            subnet: "net/web",
            applicationSecurityGroups: ["web-asg"],
          },
        ],
      },
      {
        name: "unset",
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Dynamic",
            publicIPAddress: "<elsewhere>",
            subnet: "net/app",
          },
        ],
      },
    ]);
    expect(topology.publicIPAddresses?.map((p) => [p.name, p.sku])).toEqual([
      ["web-pip", "Standard"],
      ["<elsewhere>", "Basic"],
    ]);
    expect(notInfo(diagnostics)).toEqual([
      [
        "PublicIPAddressNameNotKnown",
        9,
        "New-AzNetworkInterface: -PublicIpAddressId is $elsewhere, which the script does not set; the public IP address stands as <elsewhere>, a public address not known",
      ],
    ]);
  });

  it("sets an interface's NSG on its object, saved by Set-AzNetworkInterface, as Azure does", async () => {
    const script = `${network}$nic = New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name web-nic -Subnet $vnet.Subnets[0]
$nic.NetworkSecurityGroup = $nsg
$nic | Set-AzNetworkInterface
$other = Get-AzNetworkInterface -Name app-nic -ResourceGroupName rg
$other.NetworkSecurityGroup = $nsg
$vnet.Subnets[0].RouteTable = $null
`;
    const { topology, diagnostics } = importPowerShell(script, "save.ps1");
    expect(topology.networkInterfaces.map((n) => [n.name, n.networkSecurityGroup])).toEqual([
      ["web-nic", "web-nsg"],
    ]);
    expect(
      diagnostics
        .filter((d) => d.code !== "PublicIPSkuNotKnown")
        .map((d) => [d.severity, d.code, d.location?.line]),
    ).toEqual([
      // A property tierwall does not read is named; a change never saved is noted.
      ["warning", "UnsupportedStatement", 12],
      ["info", "InterfaceChangeNotSaved", 11],
    ]);
    // Saved on an interface another file declares, the NSG merges into it.
    const saved = `${script.replace("$vnet.Subnets[0].RouteTable = $null\n", "")}Set-AzNetworkInterface -NetworkInterface $other\n`;
    const alone = await importSources([{ file: "save.ps1", text: saved }]);
    expect(alone.diagnostics.filter((d) => d.severity === "error").map((d) => d.code)).toEqual([
      "NetworkInterfaceNotDeclared",
    ]);
  });

  it("names IP forwarding as not modelled", () => {
    const script = `${network}New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name nva -Subnet $vnet.Subnets[1] -EnableIPForwarding
`;
    const { topology, diagnostics } = importPowerShell(script, "nva.ps1");
    expect(topology.networkInterfaces.map((n) => n.name)).toEqual(["nva"]);
    expect(notInfo(diagnostics)).toEqual([
      [
        "NotModelled",
        7,
        'IP forwarding on network interface "nva" is not modelled; it lets the interface forward packets for other addresses, as an appliance does, on paths the spec does not show',
      ],
    ]);
  });

  it("writes a spec check accepts", async () => {
    const script = `${network}$pip = New-AzPublicIpAddress -ResourceGroupName rg -Name web-pip -Location eastus -AllocationMethod Dynamic
New-AzNetworkInterface -ResourceGroupName rg -Location eastus -Name web-nic -Subnet $vnet.Subnets[0] -PublicIpAddress $pip -NetworkSecurityGroup $nsg -ApplicationSecurityGroup $asg
`;
    const result = await importSources([{ file: "web.ps1", text: script }]);
    expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.spec).toBeDefined();
    const loaded = loadSpecText(result.spec as string);
    expect(loaded.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(result.spec).toContain("publicIPAddress: web-pip");
  });
});
