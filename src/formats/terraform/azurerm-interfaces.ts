/**
 * Network interfaces in azurerm: their IP configurations (a static address,
 * or a Dynamic one: some free host of the subnet, Azure's to assign), the
 * ASGs those join, their public IPs, and the NSG on the interface. An
 * interface without a known configuration is left out; what that costs is
 * named with the omission (an NSG or ASGs the interface has, from the
 * interface itself or from association resources).
 */
import type { LeftOut } from "../shared/left-out.js";
import { publicIpRef } from "./azurerm-public-ips.js";
import { type AzurermReader, type IpConfigurationDraft, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { NotKnown, ResourceId, type TfBlock, type TfValue } from "./values.js";

export function readNic(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  // azurerm 1.x set the interface's NSG on the interface; later versions, an association does.
  const hasNsg = r.isSet(block, "network_security_group_id");
  const omission = (what: string, nic?: string, asgs?: readonly string[]): LeftOut => ({
    kind: "networkInterface",
    nsg: hasNsg,
    ...(nic === undefined ? {} : { nic }),
    ...(asgs === undefined ? {} : { asgs }),
    what,
  });
  const name = r.omitting(omission(`network interface ${address}`), () =>
    r.name(block, "name", "the network interface is left out"),
  );
  const label = `network interface ${JSON.stringify(name)}`;
  const configs: IpConfigurationDraft[] = [];
  let blocks: TfBlock[] = [];
  try {
    blocks = block.blocks("ip_configuration");
  } catch (e) {
    if (!(e instanceof NotKnown)) throw e;
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      block.where("ip_configuration"),
      `${e.message}; its IP configurations are left out`,
      omission(`the IP configurations of ${label}`, name),
    );
  }
  const dynamic = block.dynamicBlocks("ip_configuration");
  for (const place of dynamic)
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      place,
      "a dynamic block makes its IP configurations only when Terraform runs; they are left out",
      omission(`the IP configurations of ${label}`, name),
    );
  const peeked: (string[] | undefined)[] = [];
  for (const c of blocks)
    r.guarded(() => {
      const asgs = peekAsgs(r, c);
      peeked.push(asgs);
      const configName = r.peek(c, "name");
      const what = `IP configuration ${JSON.stringify(typeof configName === "string" ? configName : "")} of ${label}`;
      const config = r.omitting(omission(what, name, asgs), () => readIpConfiguration(r, c, name));
      if (config) configs.push(config);
    });
  const nsg = r.omitting({ kind: "association", what: `the NSG of ${label}` }, () =>
    r.nsgRef(block, "network_security_group_id", `${label} is imported without its NSG`),
  );
  if (configs.length === 0 && (blocks.length > 0 || dynamic.length > 0)) {
    // Azure requires an IP configuration; a NIC without a known one cannot be modelled.
    const asgs = peeked.every((a) => a !== undefined) ? peeked.flat() : undefined;
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      block.where(),
      `${label} has no IP configuration with a known address; it is left out, with its associations`,
      omission(label, name, asgs),
    );
    r.leftOutNics.add(lower(name));
    return;
  }
  const nic = { name, ...(nsg === undefined ? {} : { nsg }), configs };
  r.record(nic, block, { name: "name", networkSecurityGroup: "network_security_group_id" });
  r.nics.set(lower(name), nic);
}

/** The names of the ASGs an `ip_configuration` block names, when they are known. */
export function peekAsgs(r: AzurermReader, c: TfBlock): string[] | undefined {
  const v = r.peek(c, "application_security_group_ids");
  if (v === undefined || v === null)
    return r.isSet(c, "application_security_group_ids") ? undefined : [];
  if (!Array.isArray(v)) return undefined;
  const names: string[] = [];
  for (const item of v as readonly TfValue[]) {
    if (item instanceof ResourceId) names.push(item.name);
    else if (typeof item === "string" && item.startsWith("/"))
      names.push(item.split("/").pop() ?? item);
    else return undefined;
  }
  return names;
}

/**
 * An `ip_configuration` block: a static address, or a Dynamic one (azurerm's
 * `private_ip_address_allocation = "Dynamic"`, the usual case), which is
 * some free host of the subnet; `terraform show` output gives the address
 * Azure assigned, and that is kept.
 */
function readIpConfiguration(r: AzurermReader, c: TfBlock, nic: string): IpConfigurationDraft {
  const configName = r.string(c, "name", "the IP configuration is left out");
  const consequence = `IP configuration ${JSON.stringify(configName ?? "")} is left out`;
  const allocation = r.string(c, "private_ip_address_allocation", consequence);
  const dynamic = allocation !== undefined && lower(allocation) === "dynamic";
  const assigned = dynamic && r.shown ? r.peek(c, "private_ip_address") : undefined;
  const address =
    typeof assigned === "string" && assigned !== ""
      ? assigned
      : dynamic
        ? undefined
        : r.required(c, "private_ip_address", consequence);
  const version = r.peek(c, "private_ip_address_version");
  const subnetValue = r.value(c, "subnet_id", consequence);
  if (subnetValue === undefined) r.missing(c, "subnet_id");
  const subnet = r.reference(c, "subnet_id", subnetValue, AZURERM.subnet);
  const asgs = (r.value(c, "application_security_group_ids", consequence) ?? []) as TfValue;
  const asgRefs = Array.isArray(asgs)
    ? asgs.map((a: TfValue) => r.asgRef(c, "application_security_group_ids", a))
    : [];
  const publicIp = publicIpRef(r, c, nic, configName ?? "");
  const config = {
    ...(configName === undefined ? {} : { name: configName }),
    ...(address === undefined
      ? {
          privateIPAllocationMethod: "Dynamic" as const,
          ...(typeof version === "string" && lower(version) === "ipv6"
            ? { privateIPAddressVersion: "IPv6" as const }
            : {}),
        }
      : { privateIPAddress: address }),
    ...(publicIp === undefined ? {} : { publicIPAddress: publicIp }),
    subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
    asgs: asgRefs,
  };
  r.record(config, c, {
    privateIPAddress: "private_ip_address",
    privateIPAllocationMethod: "private_ip_address_allocation",
    publicIPAddress: "public_ip_address_id",
    subnet: "subnet_id",
    applicationSecurityGroups: "application_security_group_ids",
  });
  return config;
}
