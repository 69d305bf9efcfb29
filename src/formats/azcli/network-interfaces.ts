/**
 * `az network nic create|update`: network interfaces, their IP
 * configuration (a static address, or without --private-ip-address a
 * Dynamic one, some free host of the subnet) with its ASGs and public IP,
 * and the NSG on the interface.
 */
import type { IpConfiguration, ResourceRef } from "../../model/types.js";
import { type AzArgs, type AzCommand, type FlagSpec, NAME_FLAG } from "./arguments.js";
import { memberRefOf } from "./load-balancers.js";
import { named } from "./network-security.js";
import { type AzCliReader, refOf } from "./reader.js";

const NSG_FLAG: FlagSpec = { names: ["--network-security-group"], name: "nsg" };

export const NETWORK_INTERFACE_COMMANDS: Record<string, AzCommand> = {
  "network nic create": {
    flags: {
      name: NAME_FLAG,
      vnet: { names: ["--vnet-name"], name: true },
      subnet: { names: ["--subnet"], name: true },
      address: { names: ["--private-ip-address"] },
      version: { names: ["--private-ip-address-version"] },
      publicIp: { names: ["--public-ip-address"], name: true },
      nsg: NSG_FLAG,
      asgs: {
        names: ["--app-security-groups", "--application-security-groups", "--asgs"],
        list: true,
      },
      lb: { names: ["--lb-name"], name: true },
      lbPools: { names: ["--lb-address-pools"], list: true },
      lbNatRules: { names: ["--lb-inbound-nat-rules"], list: true },
    },
    otherOptions: [
      "--accelerated-networking",
      "--auxiliary-mode",
      "--auxiliary-sku",
      "--dns-servers",
      "--edge-zone",
      "--gateway-name",
      "--internal-dns-name",
      "--ip-forwarding",
    ],
    leftOut: "the network interface is left out",
    omits: (f) => {
      const asgs = f.given("asgs") ? undefined : [];
      const name = f.text("name");
      return {
        kind: "networkInterface",
        nsg: f.given("nsg"),
        ...(asgs === undefined ? {} : { asgs }),
        ...(name === undefined ? {} : { nic: name }),
        what: `network interface ${named(name)}`,
      };
    },
    run: nicCreate,
  },
  "network nic ip-config update": {
    flags: {
      nic: { names: ["--nic-name"], name: true },
      name: NAME_FLAG,
      asgs: {
        names: ["--asgs", "--application-security-groups"],
        list: true,
      },
    },
    otherOptions: [
      "--app-gateway-address-pools",
      "--gateway-name",
      "--lb-address-pools",
      "--lb-inbound-nat-rules",
      "--lb-name",
      "--make-primary",
      "--private-ip-address",
      "--private-ip-address-version",
      "--public-ip-address",
      "--subnet",
      "--vnet-name",
      "--add",
      "--set",
      "--remove",
      "--force-string",
    ],
    leftOut: "the command is ignored",
    omits: (f) => ({
      kind: "asgMembership",
      ...(f.given("asgs") ? {} : { asgs: [] }),
      what: `the application security groups of IP configuration ${named(f.text("name"))} of network interface ${named(f.text("nic"))}`,
    }),
    run: ipConfigUpdate,
  },
  "network nic update": {
    flags: { name: NAME_FLAG, nsg: NSG_FLAG },
    otherOptions: [
      "--accelerated-networking",
      "--auxiliary-mode",
      "--auxiliary-sku",
      "--dns-servers",
      "--internal-dns-name",
      "--ip-forwarding",
      "--add",
      "--set",
      "--remove",
      "--force-string",
    ],
    leftOut: "the command is ignored",
    omits: (f) => ({
      kind: "association",
      what: `the NSG of network interface ${named(f.text("name"))}`,
    }),
    run: nicUpdate,
  },
};

function nicCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const vnet = args.optional("vnet");
  const subnet = args.required("subnet");
  const address = args.optional("address");
  const nsg = args.optional("nsg");
  const asgs = args.list("asgs");
  const version = args.optional("version");
  const publicIp = args.optional("publicIp");
  // The load balancer's pools and inbound NAT rules it joins: names with --lb-name, or ids.
  const lbName = args.optional("lb");
  const members = (key: string) => {
    const refs = (args.list(key) ?? [])
      .filter((m) => m !== "")
      .map((m) => memberRefOf(args, lbName, m, key));
    return refs.every((r) => r !== undefined) ? (refs as ResourceRef[]) : undefined;
  };
  const pools = members("lbPools");
  const natRules = members("lbNatRules");
  if (name === undefined || subnet === undefined || args.unknown || !pools || !natRules) {
    if (name !== undefined) reader.leftOutNics.add(name.toLowerCase());
    return;
  }
  if (publicIp !== undefined && publicIp !== "") {
    const pipName = publicIp.split("/").filter(Boolean).pop() ?? publicIp;
    if (!reader.pipRefs.has(pipName.toLowerCase()))
      reader.pipRefs.set(pipName.toLowerCase(), { name: pipName, pos: args.valueAt("publicIp") });
  }
  const configs: IpConfiguration[] = [];
  const config: IpConfiguration = {
    name: "ipconfig1",
    ...(address === undefined
      ? {
          // Without --private-ip-address, Azure gives some free host of the subnet.
          privateIPAllocationMethod: "Dynamic",
          ...(version?.toLowerCase() === "ipv6"
            ? { privateIPAddressVersion: "IPv6" as const }
            : {}),
        }
      : { privateIPAddress: address }),
    ...(publicIp === undefined || publicIp === "" ? {} : { publicIPAddress: refOf(publicIp) }),
    subnet: subnet.startsWith("/") || vnet === undefined ? subnet : `${vnet}/${subnet}`,
    ...(asgs === undefined ? {} : { applicationSecurityGroups: asgs.map(refOf) }),
    ...(pools.length === 0 ? {} : { loadBalancerBackendAddressPools: pools }),
    ...(natRules.length === 0 ? {} : { loadBalancerInboundNatRules: natRules }),
  };
  reader.origins.record(config, reader.at(args.at), {
    privateIPAddress: reader.at(args.givenAt("address")),
    publicIPAddress: reader.at(args.givenAt("publicIp")),
    subnet: reader.at(args.givenAt("subnet")),
    applicationSecurityGroups: reader.at(args.givenAt("asgs")),
    loadBalancerBackendAddressPools: reader.at(args.givenAt("lbPools")),
    loadBalancerInboundNatRules: reader.at(args.givenAt("lbNatRules")),
  });
  configs.push(config);
  const nic = {
    name,
    ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
    ipConfigurations: configs,
  };
  reader.origins.record(nic, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    networkSecurityGroup: reader.at(args.givenAt("nsg")),
  });
  reader.nics.set(name.toLowerCase(), nic);
}

function nicUpdate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const nsg = args.optional("nsg");
  if (name === undefined || nsg === undefined) return;
  const existing = reader.nics.get(name.toLowerCase());
  if (!existing && reader.leftOutNics.has(name.toLowerCase())) {
    if (nsg !== "")
      reader.report(
        "warning",
        "ValueNotStaticallyKnown",
        `az network nic update: network interface ${JSON.stringify(name)} is left out (see where it is created); its NSG ${JSON.stringify(nsg)} is left out with it`,
        args.valueAt("nsg"),
        undefined,
        {
          kind: "association",
          nsg,
          target: { nic: name },
          what: `the NSG of network interface ${JSON.stringify(name)}`,
        },
      );
    return;
  }
  if (!existing)
    reader.report(
      "info",
      "NetworkInterfaceNotCreated",
      `the script does not create network interface ${JSON.stringify(name)}; its NSG is imported onto the interface of that name another imported file declares`,
      args.valueAt("name"),
      "import the interface with the script (az network nic show output, or the template that creates it)",
    );
  const { networkSecurityGroup: _, ...rest } = existing ?? { name, ipConfigurations: [] };
  const nic = nsg === "" ? rest : { ...rest, networkSecurityGroup: nsg };
  if (existing) reader.origins.carry(existing, nic);
  else {
    reader.origins.record(nic, reader.at(args.at), { name: reader.at(args.valueAt("name")) });
    // It merges into the declaration of another file (shared/imported.ts), or is left out.
    reader.origins.placeholder(nic);
  }
  reader.origins.field(nic, "networkSecurityGroup", reader.at(args.valueAt("nsg")));
  reader.nics.set(name.toLowerCase(), nic);
}

/**
 * `az network nic ip-config update --asgs`: the ASGs of one IP configuration
 * (given, they replace its memberships). Of an interface the script does not
 * create, the configuration is not known: the memberships are left out and
 * named, weighed as any left out (a Deny rule naming the groups matches less).
 */
function ipConfigUpdate(reader: AzCliReader, args: AzArgs): void {
  const nicName = args.required("nic");
  const configName = args.required("name");
  const asgs = args.list("asgs");
  if (nicName === undefined || configName === undefined || asgs === undefined || args.unknown)
    return;
  const nic = reader.nics.get(nicName.toLowerCase());
  const index =
    nic?.ipConfigurations.findIndex(
      (c) => (c.name ?? "").toLowerCase() === configName.toLowerCase(),
    ) ?? -1;
  if (!nic || index < 0) {
    reader.report(
      "warning",
      "NetworkInterfaceNotDeclared",
      `az network nic ip-config update: ${nic ? `network interface ${JSON.stringify(nicName)} has no IP configuration ${JSON.stringify(configName)}` : `the script does not create network interface ${JSON.stringify(nicName)}, so its IP configurations are not known`}; its application security groups are left out`,
      args.valueAt("nic"),
      "import the interface too (az network nic show output, or the template that creates it)",
      {
        kind: "asgMembership",
        asgs: asgs.filter((a) => a !== "").map((a) => a.split("/").pop() ?? a),
        what: `the application security groups of IP configuration ${JSON.stringify(configName)} of network interface ${JSON.stringify(nicName)}`,
      },
    );
    return;
  }
  const config = nic.ipConfigurations[index] as IpConfiguration;
  const { applicationSecurityGroups: _, ...rest } = config;
  const updated: IpConfiguration =
    asgs.length === 0 || (asgs.length === 1 && asgs[0] === "")
      ? rest
      : { ...rest, applicationSecurityGroups: asgs.map(refOf) };
  reader.origins.carry(config, updated);
  reader.origins.field(updated, "applicationSecurityGroups", reader.at(args.givenAt("asgs")));
  const ipConfigurations = nic.ipConfigurations.map((c, i) => (i === index ? updated : c));
  const changed = { ...nic, ipConfigurations };
  reader.origins.carry(nic, changed);
  reader.nics.set(nicName.toLowerCase(), changed);
}
