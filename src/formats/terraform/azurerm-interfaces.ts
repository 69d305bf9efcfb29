/**
 * Network interfaces in azurerm: their IP configurations with static
 * addresses, the ASGs those join, and the NSG on the interface. A Dynamic
 * address is Azure's to assign, so its configuration is left out, and an
 * interface without a known configuration is left out with its associations.
 */
import { type AzurermReader, type IpConfigurationDraft, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { NotKnown, type TfBlock, type TfValue } from "./values.js";

export function readNic(r: AzurermReader, block: TfBlock): void {
  const name = r.required(block, "name", "the network interface is left out");
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
    );
  }
  const dynamic = block.dynamicBlocks("ip_configuration");
  for (const place of dynamic)
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      place,
      "a dynamic block makes its IP configurations only when Terraform runs; they are left out",
    );
  for (const c of blocks)
    r.guarded(() => {
      const config = readIpConfiguration(r, c);
      if (config) configs.push(config);
    });
  const nsg = r.nsgRef(
    block,
    "network_security_group_id",
    `network interface ${JSON.stringify(name)} is imported without its NSG`,
  );
  if (configs.length === 0 && (blocks.length > 0 || dynamic.length > 0)) {
    // Azure requires an IP configuration; a NIC without a known one cannot be modelled.
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      block.where(),
      `network interface ${JSON.stringify(name)} has no IP configuration with a known address; it is left out, with its associations`,
    );
    r.leftOutNics.add(lower(name));
    return;
  }
  r.nics.set(lower(name), { name, ...(nsg === undefined ? {} : { nsg }), configs });
}

/** An `ip_configuration` block with a static address; undefined (reported) for a Dynamic one. */
function readIpConfiguration(r: AzurermReader, c: TfBlock): IpConfigurationDraft | undefined {
  const configName = r.string(c, "name", "the IP configuration is left out");
  const consequence = `IP configuration ${JSON.stringify(configName ?? "")} is left out`;
  const allocation = r.string(c, "private_ip_address_allocation", consequence);
  if (allocation !== undefined && lower(allocation) === "dynamic") {
    r.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      c.where("private_ip_address_allocation"),
      `a Dynamic private address is assigned by Azure when deploying; ${consequence}`,
    );
    return undefined;
  }
  const address = r.required(c, "private_ip_address", consequence);
  const subnetValue = r.value(c, "subnet_id", consequence);
  if (subnetValue === undefined) r.missing(c, "subnet_id", consequence);
  const subnet = r.reference(c, "subnet_id", subnetValue, AZURERM.subnet, consequence);
  const asgs = (r.value(c, "application_security_group_ids", consequence) ?? []) as TfValue;
  const asgRefs = Array.isArray(asgs)
    ? asgs.map((a: TfValue) => r.asgRef(c, "application_security_group_ids", a, consequence))
    : [];
  return {
    ...(configName === undefined ? {} : { name: configName }),
    privateIPAddress: address,
    subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
    asgs: asgRefs,
  };
}
