/**
 * Private endpoints and Bastion hosts in azurerm: `azurerm_private_endpoint`
 * (its subnet, `ip_configuration`'s static address or else Dynamic, its
 * `private_service_connection`s), subnets' `private_endpoint_network_policies`
 * (azurerm 4) or `private_endpoint_network_policies_enabled` (azurerm 3), and
 * `azurerm_bastion_host` (SKU, `ip_configuration`'s subnet and public IP).
 */
import type {
  BastionHost,
  BastionSku,
  PrivateEndpoint,
  PrivateEndpointNetworkPolicies,
  PrivateLinkServiceConnection,
} from "../../model/private-endpoint-types.js";
import {
  BASTION_SKUS,
  PRIVATE_ENDPOINT_NETWORK_POLICIES,
} from "../../model/private-endpoint-types.js";
import { type PublicIPAddress, refName } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import { publicIpRef } from "./azurerm-public-ips.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { NotKnown, ResourceId, type TfBlock } from "./values.js";

export const AZURERM_ENDPOINTS = {
  privateEndpoint: "azurerm_private_endpoint",
  bastion: "azurerm_bastion_host",
} as const;

const endpointsOf = new WeakMap<
  AzurermReader,
  { privateEndpoints: PrivateEndpoint[]; bastionHosts: BastionHost[] }
>();

function read(r: AzurermReader) {
  let found = endpointsOf.get(r);
  if (!found) {
    found = { privateEndpoints: [], bastionHosts: [] };
    endpointsOf.set(r, found);
  }
  return found;
}

/** Left out, an endpoint or a Bastion host is not reached in the spec: nothing widens. */
const leftOut = (what: string): LeftOut => ({ kind: "publicIPAddress", what });

/**
 * A subnet's policy: azurerm 4's value, or azurerm 3's boolean (true: Enabled).
 * azurerm 2.x's `enforce_private_link_endpoint_network_policies` says the
 * opposite (false: Enabled). Left unset, it is left out (Disabled, azurerm 4's
 * and Azure's default; azurerm 2 and 3 sent Enabled): the reading under which
 * the subnet's NSG hides no exposure.
 */
export function privateEndpointPoliciesOf(
  r: AzurermReader,
  block: TfBlock,
): { privateEndpointNetworkPolicies?: PrivateEndpointNetworkPolicies } {
  const text = r.value(
    block,
    "private_endpoint_network_policies",
    "it is read as Disabled, Azure's default",
    "warning",
    false,
  );
  const policy = PRIVATE_ENDPOINT_NETWORK_POLICIES.find(
    (p) => typeof text === "string" && lower(p) === lower(text),
  );
  if (policy !== undefined && policy !== "Disabled")
    return { privateEndpointNetworkPolicies: policy };
  const enabled = r.value(
    block,
    "private_endpoint_network_policies_enabled",
    "it is read as Disabled, Azure's default",
    "warning",
    false,
  );
  if (enabled === true) return { privateEndpointNetworkPolicies: "Enabled" };
  // azurerm 2.x: true disables the policies, false enables them.
  const enforced = r.value(
    block,
    "enforce_private_link_endpoint_network_policies",
    "it is read as Disabled, Azure's default",
    "warning",
    false,
  );
  return enforced === false ? { privateEndpointNetworkPolicies: "Enabled" } : {};
}

export function readPrivateEndpoint(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`private endpoint ${address}`), () =>
    r.name(block, "name", "the private endpoint is left out"),
  );
  const consequence = `private endpoint ${JSON.stringify(name)} is left out`;
  r.omitting(leftOut(`private endpoint ${JSON.stringify(name)}`), () => {
    const subnetValue = r.value(block, "subnet_id", consequence);
    if (subnetValue === undefined) r.missing(block, "subnet_id");
    const subnet = r.reference(block, "subnet_id", subnetValue, AZURERM.subnet);
    const configs = r.knownBlocks(block, "ip_configuration", "static addresses");
    const given = configs
      .map((c) => r.peek(c, "private_ip_address"))
      .find((v): v is string => typeof v === "string" && v !== "");
    const connections = r
      .knownBlocks(block, "private_service_connection", "connections")
      .map((c) => connection(r, c));
    const automatic = connections.filter((c) => !c.manual).map((c) => c.connection);
    const manual = connections.filter((c) => c.manual).map((c) => c.connection);
    const pe: PrivateEndpoint = {
      name,
      ...r.location(block),
      subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
      ...(given === undefined ? {} : { privateIPAddress: given }),
      ...(automatic.length > 0 ? { privateLinkServiceConnections: automatic } : {}),
      ...(manual.length > 0 ? { manualPrivateLinkServiceConnections: manual } : {}),
    };
    r.record(pe, block, { name: "name", subnet: "subnet_id" });
    read(r).privateEndpoints.push(pe);
  });
}

function connection(
  r: AzurermReader,
  c: TfBlock,
): { connection: PrivateLinkServiceConnection; manual: boolean } {
  // The target is informational: a reference to a resource tierwall does not read shows as written.
  let target: unknown;
  try {
    target = c.name("private_connection_resource_id");
  } catch (e) {
    if (!(e instanceof NotKnown)) throw e;
  }
  const alias = r.peek(c, "private_connection_resource_alias");
  const id =
    target instanceof ResourceId
      ? `${target.type}.${target.name}`
      : typeof target === "string"
        ? target
        : typeof alias === "string"
          ? alias
          : "<not known>";
  const groups = r.peek(c, "subresource_names");
  const groupIds = Array.isArray(groups)
    ? groups.filter((g): g is string => typeof g === "string")
    : [];
  const name = r.peek(c, "name");
  return {
    connection: {
      ...(typeof name === "string" ? { name } : {}),
      privateLinkServiceId: id,
      ...(groupIds.length > 0 ? { groupIds } : {}),
    },
    manual: r.peek(c, "is_manual_connection") === true,
  };
}

export function readBastionHost(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`Bastion host ${address}`), () =>
    r.name(block, "name", "the Bastion host is left out"),
  );
  const consequence = `Bastion host ${JSON.stringify(name)} is left out`;
  r.omitting(leftOut(`Bastion host ${JSON.stringify(name)}`), () => {
    const skuText = r.peek(block, "sku");
    if (typeof skuText === "string" && lower(skuText) === "developer") {
      r.report(
        "warning",
        "NotModelled",
        block.where("sku"),
        `Bastion host ${JSON.stringify(name)} is of the Developer SKU, a shared service with no subnet or public IP of its own; it is not modelled`,
      );
      return;
    }
    const sku: BastionSku | undefined = BASTION_SKUS.find(
      (s) => typeof skuText === "string" && lower(s) === lower(skuText),
    );
    const configs = r.knownBlocks(block, "ip_configuration", "IP configurations").map((c) => {
      const subnetValue = r.value(c, "subnet_id", consequence);
      if (subnetValue === undefined) r.missing(c, "subnet_id");
      const subnet = r.reference(c, "subnet_id", subnetValue, AZURERM.subnet);
      const configName = r.peek(c, "name");
      const publicIp = publicIpRef(r, c, name, typeof configName === "string" ? configName : "");
      if (publicIp !== undefined) standardPips(r).add(lower(refName(publicIp)));
      return {
        ...(typeof configName === "string" ? { name: configName } : {}),
        subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
        ...(publicIp === undefined ? {} : { publicIPAddress: publicIp }),
      };
    });
    if (configs.length === 0) r.missing(block, "ip_configuration");
    const bastion: BastionHost = {
      name,
      ...r.location(block),
      ...(sku === undefined ? {} : { sku }),
      ipConfigurations: configs,
    };
    r.record(bastion, block, { name: "name", sku: "sku" });
    read(r).bastionHosts.push(bastion);
  });
}

const standardOf = new WeakMap<AzurermReader, Set<string>>();
function standardPips(r: AzurermReader): Set<string> {
  let found = standardOf.get(r);
  if (!found) {
    found = new Set();
    standardOf.set(r, found);
  }
  return found;
}

/**
 * A Bastion host's public IP that these files do not declare is a placeholder
 * of the Standard SKU, as Bastion requires (run before undeclaredPublicIps,
 * which would make it Basic).
 */
export function undeclaredBastionPublicIps(r: AzurermReader): void {
  for (const key of standardPips(r)) {
    const ref = r.pipRefs.get(key);
    if (!ref || r.pips.has(key)) continue;
    const pip: PublicIPAddress = { name: ref.name, sku: "Standard" };
    r.origins.record(pip, r.at(ref.block, "public_ip_address_id"), {
      name: r.at(ref.block, "public_ip_address_id"),
    });
    r.origins.placeholder(pip);
    r.pips.set(key, pip);
  }
}

export function endpointsOfReader(r: AzurermReader): {
  privateEndpoints?: PrivateEndpoint[];
  bastionHosts?: BastionHost[];
} {
  const found = read(r);
  return {
    ...(found.privateEndpoints.length > 0 ? { privateEndpoints: found.privateEndpoints } : {}),
    ...(found.bastionHosts.length > 0 ? { bastionHosts: found.bastionHosts } : {}),
  };
}
