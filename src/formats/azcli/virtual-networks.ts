/**
 * `az network vnet create` and `vnet subnet create|update`: virtual networks
 * (az's default address space when none is given), their subnets, and the
 * NSGs on those subnets.
 */
import {
  PRIVATE_ENDPOINT_NETWORK_POLICIES,
  type PrivateEndpointNetworkPolicies,
  type Subnet,
} from "../../model/types.js";
import {
  type AzArgs,
  type AzCommand,
  type FlagPeek,
  type FlagSpec,
  type Flags,
  NAME_FLAG,
} from "./arguments.js";
import type { Pos } from "./bash.js";
import { recordSubnetOutbound, subnetOutbound } from "./nat-gateways.js";
import { named } from "./network-security.js";
import { type AzCliReader, refOf, type VnetState } from "./reader.js";

const NSG_FLAG: FlagSpec = { names: ["--network-security-group", "--nsg"], name: "nsg" };
const PREFIXES_FLAG: FlagSpec = { names: ["--address-prefixes", "--address-prefix"], list: true };

/** The subnet a command names: `subnet "web" of virtual network "vnet"`. */
const subnetNamed = (f: FlagPeek) =>
  `subnet ${named(f.text("name"))} of virtual network ${named(f.text("vnet"))}`;

const SUBNET_FLAGS: Flags = {
  vnet: { names: ["--vnet-name"], name: true },
  name: NAME_FLAG,
  prefixes: PREFIXES_FLAG,
  nsg: NSG_FLAG,
  routeTable: { names: ["--route-table"], name: true },
  natGateway: { names: ["--nat-gateway"], name: true },
  defaultOutbound: { names: ["--default-outbound-access", "--default-outbound"] },
  peNetworkPolicies: { names: ["--private-endpoint-network-policies"] },
  peDisable: { names: ["--disable-private-endpoint-network-policies"], list: true },
};

/** The options of `vnet subnet create` the importer does not read. */
const SUBNET_OPTIONS = [
  "--delegations",
  "--disable-private-link-service-network-policies",
  "--ipam-pool-prefix-allocations",
  "--private-link-service-network-policies",
  "--service-endpoint-policy",
  "--service-endpoints",
  "--sharing-scope",
];

export const VIRTUAL_NETWORK_COMMANDS: Record<string, AzCommand> = {
  "network vnet create": {
    flags: {
      name: NAME_FLAG,
      prefixes: PREFIXES_FLAG,
      subnet: { names: ["--subnet-name"], name: true },
      subnetPrefixes: { names: ["--subnet-prefixes", "--subnet-prefix"], list: true },
      nsg: NSG_FLAG,
    },
    otherOptions: [
      "--bgp-community",
      "--ddos-protection",
      "--ddos-protection-plan",
      "--dns-servers",
      "--edge-zone",
      "--enable-encryption",
      "--encryption-enforcement-policy",
      "--flowtimeout",
      "--ipam-pool-prefix-allocations",
      "--private-endpoint-network-policies",
      "--private-link-service-network-policies",
      "--subnets",
      "--vm-protection",
    ],
    leftOut: "the virtual network is left out",
    omits: (f) => ({ kind: "virtualNetwork", what: `virtual network ${named(f.text("name"))}` }),
    run: vnetCreate,
  },
  "network vnet subnet create": {
    flags: SUBNET_FLAGS,
    otherOptions: SUBNET_OPTIONS,
    leftOut: "the command is ignored",
    omits: (f) => ({ kind: "subnet", nsg: f.given("nsg"), what: subnetNamed(f) }),
    run: (reader, args) => subnetPut(reader, args, true),
  },
  "network vnet subnet update": {
    flags: SUBNET_FLAGS,
    otherOptions: [...SUBNET_OPTIONS, "--add", "--set", "--remove", "--force-string"],
    leftOut: "the command is ignored",
    // An update that sets the NSG, left out, leaves the subnet without it.
    omits: (f) =>
      f.given("nsg")
        ? { kind: "association", what: `the NSG of ${subnetNamed(f)}` }
        : { kind: "subnet", nsg: false, what: `the update of ${subnetNamed(f)}` },
    run: (reader, args) => subnetPut(reader, args, false),
  },
};

function vnetCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const prefixes = args.list("prefixes");
  const subnetName = args.optional("subnet");
  const subnetPrefixes = args.list("subnetPrefixes");
  const nsg = args.optional("nsg");
  if (name === undefined || args.unknown) return;
  const vnet = reader.vnetNamed(name, args.at);
  vnet.created = true;
  // az's documented default address space.
  vnet.addressPrefixes = prefixes ?? ["10.0.0.0/16"];
  reader.origins.record(vnet, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    addressSpace: reader.at(args.givenAt("prefixes") ?? args.at),
  });
  args.valuesAt("prefixes").forEach((pos, k) => {
    reader.origins.field(vnet.addressPrefixes, k, reader.at(pos));
  });
  if (args.location !== undefined) vnet.location = args.location;
  if (subnetName !== undefined) {
    if (subnetPrefixes === undefined)
      args.report(
        "warning",
        "ValueNotStaticallyKnown",
        `subnet ${JSON.stringify(subnetName)} has no --subnet-prefixes; az chooses its range when the script runs`,
        args.at,
        "give --subnet-prefixes, or add the subnet's addressPrefix to the spec",
      );
    putSubnet(
      reader,
      vnet,
      placed(reader, args, subnetOf(subnetName, subnetPrefixes, nsg), {
        name: "subnet",
        prefixes: "subnetPrefixes",
        nsg: "nsg",
      }),
      true,
    );
  } else if (nsg !== undefined || subnetPrefixes !== undefined)
    args.report(
      "warning",
      "UnsupportedParameter",
      "subnet settings without --subnet-name are ignored",
      args.at,
    );
}

/** `subnet create` (`create`) puts the subnet as given; `subnet update` changes what it gives. */
function subnetPut(reader: AzCliReader, args: AzArgs, create: boolean): void {
  const vnetName = args.required("vnet");
  const name = args.required("name");
  const prefixes = args.list("prefixes");
  const nsg = args.optional("nsg");
  const routeTable = args.optional("routeTable");
  const outbound = subnetOutbound(args);
  const policies = subnetPrivateEndpointPolicies(args);
  if (vnetName === undefined || name === undefined || args.unknown || !outbound || !policies)
    return;
  const vnet = reader.vnetNamed(vnetName, args.at);
  const subnet = placed(reader, args, subnetOf(name, prefixes, nsg === "" ? undefined : nsg), {
    name: "name",
    prefixes: "prefixes",
    nsg: "nsg",
  });
  if (routeTable !== undefined && routeTable !== "") {
    Object.assign(subnet, { routeTable: refOf(routeTable) });
    reader.origins.field(subnet, "routeTable", reader.at(args.valueAt("routeTable")));
  }
  Object.assign(subnet, outbound.set);
  recordSubnetOutbound(reader, args, subnet);
  if (policies.value !== undefined) {
    Object.assign(subnet, { privateEndpointNetworkPolicies: policies.value });
    reader.origins.field(subnet, "privateEndpointNetworkPolicies", reader.at(policies.at));
  }
  const existing = vnet.subnets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!create && existing && outbound.detachNat && existing.natGateway !== undefined) {
    // `--nat-gateway ""` detaches the NAT gateway.
    const { natGateway: _, ...rest } = existing;
    reader.origins.carry(existing, rest);
    putSubnet(reader, vnet, rest, true);
  }
  if (!create && existing && routeTable === "" && existing.routeTable !== undefined) {
    // `--route-table ""` detaches the route table.
    const { routeTable: _, ...rest } = existing;
    reader.origins.carry(existing, rest);
    putSubnet(reader, vnet, rest, true);
  }
  if (!create && existing && nsg === "") {
    // `--network-security-group ""` detaches the NSG.
    const { networkSecurityGroup: _, ...rest } = existing;
    const detached = { ...rest, ...subnet };
    reader.origins.carry(existing, detached);
    reader.origins.carry(subnet, detached);
    putSubnet(reader, vnet, detached, true);
  } else putSubnet(reader, vnet, subnet, create);
}

/**
 * The subnet with where its values are written (`flags` names the command's
 * flags for its name, prefixes and NSG); one without a range is a stub: az
 * chooses it, or the subnet was created elsewhere.
 */
function placed(
  reader: AzCliReader,
  args: AzArgs,
  subnet: Subnet,
  flags: { name: string; prefixes: string; nsg: string },
): Subnet {
  const prefixes = reader.at(args.givenAt(flags.prefixes));
  reader.origins.record(subnet, reader.at(args.at), {
    name: reader.at(args.valueAt(flags.name)),
    addressPrefix: prefixes,
    addressPrefixes: prefixes,
    networkSecurityGroup: reader.at(args.givenAt(flags.nsg)),
  });
  if (subnet.addressPrefix === undefined && subnet.addressPrefixes === undefined)
    reader.origins.stub(subnet);
  return subnet;
}

/** Adds the subnet to its network, or replaces (`replace`) or updates the one of that name. */
function putSubnet(reader: AzCliReader, vnet: VnetState, subnet: Subnet, replace: boolean): void {
  const at = vnet.subnets.findIndex((s) => s.name.toLowerCase() === subnet.name.toLowerCase());
  if (at < 0) {
    vnet.subnets.push(subnet);
    return;
  }
  const before = vnet.subnets[at] as Subnet;
  if (replace) {
    vnet.subnets[at] = subnet;
    return;
  }
  const updated = { ...before, ...subnet };
  reader.origins.carry(before, updated);
  // The update's own values are placed at the update.
  for (const key of Object.keys(subnet)) reader.origins.copyField(subnet, key, updated);
  if (updated.addressPrefix !== undefined || updated.addressPrefixes !== undefined)
    reader.origins.unstub(updated);
  vnet.subnets[at] = updated;
}

function subnetOf(
  name: string,
  prefixes: readonly string[] | undefined,
  nsg: string | undefined,
): Subnet {
  return {
    name,
    ...(prefixes?.length === 1 ? { addressPrefix: prefixes[0] } : {}),
    ...(prefixes !== undefined && prefixes.length > 1 ? { addressPrefixes: prefixes } : {}),
    ...(nsg === undefined ? {} : { networkSecurityGroup: refOf(nsg) }),
  };
}

/**
 * A subnet's private endpoint policies: `--private-endpoint-network-policies`
 * (Azure's four values), or the older `--disable-private-endpoint-network-policies`
 * (true, or given alone: Disabled; false: Enabled). `{}` when neither is given;
 * undefined when the value is refused (reported).
 */
function subnetPrivateEndpointPolicies(
  args: AzArgs,
): { value?: PrivateEndpointNetworkPolicies; at?: Pos | undefined } | undefined {
  const text = args.optional("peNetworkPolicies");
  if (text !== undefined) {
    const value = PRIVATE_ENDPOINT_NETWORK_POLICIES.find(
      (p) => p.toLowerCase() === text.toLowerCase(),
    );
    if (value === undefined) {
      args.report(
        "error",
        "InvalidValue",
        `--private-endpoint-network-policies is Enabled, Disabled, NetworkSecurityGroupEnabled or RouteTableEnabled, not ${JSON.stringify(text)}`,
        args.valueAt("peNetworkPolicies"),
      );
      return undefined;
    }
    return { value, at: args.valueAt("peNetworkPolicies") };
  }
  const disable = args.list("peDisable");
  if (disable === undefined) return {};
  const flag = disable[0]?.toLowerCase() ?? "true";
  if (flag !== "true" && flag !== "false") {
    args.report(
      "error",
      "InvalidValue",
      `--disable-private-endpoint-network-policies is true or false, not ${JSON.stringify(disable[0])}`,
      args.valueAt("peDisable"),
    );
    return undefined;
  }
  return { value: flag === "true" ? "Disabled" : "Enabled", at: args.givenAt("peDisable") };
}
