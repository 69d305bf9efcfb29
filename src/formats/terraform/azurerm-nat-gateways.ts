/**
 * NAT gateways in azurerm: `azurerm_nat_gateway`, its public IPs and prefixes
 * (`azurerm_nat_gateway_public_ip_association`,
 * `azurerm_nat_gateway_public_ip_prefix_association`, or azurerm 2.x's
 * `public_ip_address_ids`), and `azurerm_subnet_nat_gateway_association`. An
 * association that cannot be read is left out and named: without it, the
 * subnet leaves for the Internet another way.
 */
import type { NatGateway, PublicIPAddress, ResourceRef } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

export const AZURERM_NAT = {
  gateway: "azurerm_nat_gateway",
  publicIp: "azurerm_nat_gateway_public_ip_association",
  prefix: "azurerm_nat_gateway_public_ip_prefix_association",
  subnet: "azurerm_subnet_nat_gateway_association",
  prefixResource: "azurerm_public_ip_prefix",
} as const;

interface Draft {
  name: string;
  location?: string;
  idleTimeoutInMinutes?: number;
  publicIpAddresses: ResourceRef[];
  publicIpPrefixes: string[];
}

const draftsOf = new WeakMap<AzurermReader, Map<string, Draft>>();
/** The public IPs NAT gateways name that these files may not declare: Standard, as Azure requires. */
const pipsOf = new WeakMap<AzurermReader, Map<string, { name: string; block: TfBlock }>>();

function drafts(r: AzurermReader): Map<string, Draft> {
  let found = draftsOf.get(r);
  if (!found) {
    found = new Map();
    draftsOf.set(r, found);
  }
  return found;
}

const leftOut = (what: string): LeftOut => ({ kind: "resources", what });

export function readNatGateway(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`NAT gateway ${address}`), () =>
    r.name(block, "name", "the NAT gateway is left out"),
  );
  const existing = drafts(r).get(lower(name));
  const draft: Draft = existing ?? { name, publicIpAddresses: [], publicIpPrefixes: [] };
  draft.name = name;
  Object.assign(draft, r.location(block));
  const idle = r.value(
    block,
    "idle_timeout_in_minutes",
    "Azure's 4 minutes are taken",
    "info",
    false,
  );
  if (typeof idle === "number") draft.idleTimeoutInMinutes = idle;
  // azurerm 2.x listed the public IPs on the gateway itself.
  const ids = r.omitting(leftOut(`the public IPs of NAT gateway ${JSON.stringify(name)}`), () =>
    r.value(block, "public_ip_address_ids", "they are left out", "warning", false),
  );
  if (Array.isArray(ids))
    for (const id of ids) addPublicIp(r, block, "public_ip_address_ids", draft, id);
  r.record(draft, block, { name: "name", idleTimeoutInMinutes: "idle_timeout_in_minutes" });
  drafts(r).set(lower(name), draft);
}

export function readNatGatewayPublicIp(r: AzurermReader, block: TfBlock): void {
  const consequence = "the association is left out";
  r.omitting(leftOut(`the NAT gateway public IP association ${block.where().text}`), () => {
    const draft = gatewayOf(r, block, consequence);
    if (!draft) return;
    const v = r.value(block, "public_ip_address_id", consequence);
    if (v === undefined) r.missing(block, "public_ip_address_id");
    addPublicIp(r, block, "public_ip_address_id", draft, v);
  });
}

export function readNatGatewayPrefix(r: AzurermReader, block: TfBlock): void {
  const consequence = "the association is left out";
  r.omitting(leftOut(`the NAT gateway public IP prefix association ${block.where().text}`), () => {
    const draft = gatewayOf(r, block, consequence);
    if (!draft) return;
    const v = r.value(block, "public_ip_prefix_id", consequence);
    if (v === undefined) r.missing(block, "public_ip_prefix_id");
    const target = r.reference(block, "public_ip_prefix_id", v, AZURERM_NAT.prefixResource);
    if (!draft.publicIpPrefixes.some((p) => lower(p) === lower(target.name)))
      draft.publicIpPrefixes.push(target.name);
  });
}

export function readSubnetNatGatewayAssociation(r: AzurermReader, block: TfBlock): void {
  const consequence = "the association is left out";
  r.omitting(leftOut(`the NAT gateway association ${block.where().text}`), () => {
    const subnetValue = r.value(block, "subnet_id", consequence);
    if (subnetValue === undefined) r.missing(block, "subnet_id");
    const subnet = r.reference(block, "subnet_id", subnetValue, AZURERM.subnet);
    const natValue = r.value(block, "nat_gateway_id", consequence);
    if (natValue === undefined) r.missing(block, "nat_gateway_id");
    const nat = r.reference(block, "nat_gateway_id", natValue, AZURERM_NAT.gateway);
    const vnet = subnet.parent === undefined ? undefined : r.vnetDraft(subnet.parent);
    const index = vnet?.subnets.findIndex((s) => lower(s.name) === lower(subnet.name)) ?? -1;
    const found = vnet?.subnets[index];
    if (!vnet || !found) {
      r.report(
        "warning",
        "ParentNotDeclared",
        block.where("subnet_id"),
        `subnet ${subnet.parent ?? "?"}/${subnet.name} is not declared in these files; ${consequence}`,
        leftOut(`the NAT gateway of subnet ${subnet.parent ?? "?"}/${subnet.name}`),
      );
      return;
    }
    const associated = {
      ...found,
      natGateway: r.modelRef(nat, drafts(r).has(lower(nat.name))),
    };
    r.origins.carry(found, associated);
    r.origins.field(associated, "natGateway", r.at(block, "nat_gateway_id"));
    vnet.subnets[index] = associated;
  });
}

/** The NAT gateway an association names, which these files must declare. */
function gatewayOf(r: AzurermReader, block: TfBlock, consequence: string): Draft | undefined {
  const v = r.value(block, "nat_gateway_id", consequence);
  if (v === undefined) r.missing(block, "nat_gateway_id");
  const target = r.reference(block, "nat_gateway_id", v, AZURERM_NAT.gateway);
  const draft = drafts(r).get(lower(target.name));
  if (!draft)
    r.report(
      "warning",
      "ParentNotDeclared",
      block.where("nat_gateway_id"),
      `NAT gateway ${JSON.stringify(target.name)} is not declared in these files; ${consequence}`,
      leftOut(`an address of NAT gateway ${JSON.stringify(target.name)}`),
    );
  return draft;
}

function addPublicIp(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  draft: Draft,
  value: unknown,
): void {
  const target = r.reference(block, attribute, value as never, AZURERM.pip);
  const declared = r.pips.has(lower(target.name));
  const ref = r.modelRef(target, declared || target.id === undefined);
  const key = lower(target.name);
  if (
    draft.publicIpAddresses.some(
      (p) =>
        lower(typeof p === "string" ? p : p.id) === lower(typeof ref === "string" ? ref : ref.id),
    )
  )
    return;
  draft.publicIpAddresses.push(ref);
  let refs = pipsOf.get(r);
  if (!refs) {
    refs = new Map();
    pipsOf.set(r, refs);
  }
  if (!refs.has(key)) refs.set(key, { name: target.name, block });
}

/**
 * A public IP a NAT gateway names that these files do not declare is a
 * placeholder, its address not known, Standard (the only SKU a NAT gateway
 * takes); run before the interfaces' placeholders, which are Basic.
 */
export function undeclaredNatPublicIps(r: AzurermReader): void {
  for (const [key, { name, block }] of pipsOf.get(r) ?? []) {
    if (r.pips.has(key)) continue;
    const pip: PublicIPAddress = { name, sku: "Standard" };
    r.origins.record(pip, r.at(block), { name: r.at(block) });
    r.origins.placeholder(pip);
    r.pips.set(key, pip);
  }
}

/** What the topology holds of the NAT gateways read: left out when there are none. */
export function natGatewaysOf(r: AzurermReader): { natGateways?: NatGateway[] } {
  const all = [...drafts(r).values()].map((d): NatGateway => {
    const nat: NatGateway = {
      name: d.name,
      ...(d.location === undefined ? {} : { location: d.location }),
      sku: "Standard",
      ...(d.publicIpAddresses.length > 0 ? { publicIpAddresses: d.publicIpAddresses } : {}),
      ...(d.publicIpPrefixes.length > 0 ? { publicIpPrefixes: d.publicIpPrefixes } : {}),
      ...(d.idleTimeoutInMinutes === undefined
        ? {}
        : { idleTimeoutInMinutes: d.idleTimeoutInMinutes }),
    };
    r.origins.carry(d, nat);
    return nat;
  });
  return all.length > 0 ? { natGateways: all } : {};
}
