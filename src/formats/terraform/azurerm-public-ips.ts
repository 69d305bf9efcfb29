/**
 * Public IP addresses in azurerm (`azurerm_public_ip`), and the
 * `public_ip_address_id` of an interface's IP configuration.
 *
 * `sku` left out is Basic up to azurerm 3.x and Standard from 4.0 (the
 * provider's documentation); a configuration need not say which provider
 * version runs it, so a public IP without a SKU is read as Basic, open to
 * inbound traffic where no NSG applies, the reading that hides no exposure,
 * and named (PublicIPSkuNotKnown). Dynamic allocation exists only with Basic,
 * so a Dynamic one is Basic without a word. A SKU tierwall does not know
 * (StandardV2) is read as Basic too, and named.
 */
import {
  ALLOCATION_METHODS,
  IP_VERSIONS,
  PUBLIC_IP_SKUS,
  type PublicIPAddress,
  type ResourceRef,
} from "../../model/types.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import { NotKnown, ResourceId, type TfBlock } from "./values.js";

/** One of the options, compared without case; undefined when not one of them or not known. */
function pick<T extends string>(
  r: AzurermReader,
  block: TfBlock,
  attribute: string,
  options: readonly T[],
): T | undefined {
  const v = r.peek(block, attribute);
  return typeof v === "string" ? options.find((o) => lower(o) === lower(v)) : undefined;
}

export function readPublicIp(r: AzurermReader, block: TfBlock): void {
  const what = `public IP address ${block.where().text}`;
  r.omitting({ kind: "publicIPAddress", what }, () => {
    const name = r.name(block, "name", "the public IP address is left out");
    if (r.pips.has(lower(name))) {
      r.report(
        "error",
        "DuplicateResourceName",
        block.where("name"),
        `public IP address ${JSON.stringify(name)} is declared a second time; this one is left out`,
      );
      return;
    }
    const sku = pick(r, block, "sku", PUBLIC_IP_SKUS);
    const allocation = pick(r, block, "allocation_method", ALLOCATION_METHODS);
    const version = pick(r, block, "ip_version", IP_VERSIONS);
    // terraform show output gives the address Azure assigned.
    const address = r.shown ? r.peek(block, "ip_address") : undefined;
    if (sku === undefined && allocation !== "Dynamic") skuNotKnown(r, block, name);
    const pip: PublicIPAddress = {
      name,
      ...r.location(block),
      sku: sku ?? "Basic",
      ...(typeof address === "string" && address !== "" ? { ipAddress: address } : {}),
      ...(allocation === undefined ? {} : { publicIPAllocationMethod: allocation }),
      ...(version === undefined ? {} : { publicIPAddressVersion: version }),
    };
    r.record(pip, block, {
      name: "name",
      sku: "sku",
      ipAddress: "ip_address",
      publicIPAllocationMethod: "allocation_method",
      publicIPAddressVersion: "ip_version",
    });
    r.pips.set(lower(name), pip);
  });
}

function skuNotKnown(r: AzurermReader, block: TfBlock, name: string): void {
  const given = r.isSet(block, "sku");
  const raw = r.peek(block, "sku");
  const said = !given
    ? "gives no SKU (Basic up to azurerm 3.x, Standard from azurerm 4.0)"
    : typeof raw === "string"
      ? `has a SKU (${JSON.stringify(raw)}) that is not known to be Basic or Standard`
      : "has a SKU that is not known before Terraform runs";
  r.report(
    "info",
    "PublicIPSkuNotKnown",
    given ? block.where("sku") : block.where(),
    `public IP address ${JSON.stringify(name)} ${said}; it is read as Basic, open to inbound traffic where no NSG applies`,
  );
}

/**
 * The public IP an IP configuration names, if any: a reference to one the
 * configuration declares (by name), or an ARM id. One whose name cannot be
 * known stands as `<NIC.CONFIG.public_ip_address_id>`, a public address not
 * known: the interface keeps its public endpoint either way. Every one is
 * noted for `undeclaredPublicIps`.
 */
export function publicIpRef(
  r: AzurermReader,
  c: TfBlock,
  nic: string,
  config: string,
): ResourceRef | undefined {
  let value: unknown;
  let problem: string | undefined;
  try {
    value = c.get("public_ip_address_id");
  } catch (e) {
    if (!(e instanceof NotKnown)) throw e;
    problem = e.message;
  }
  if (problem === undefined && (value === undefined || value === null || value === "")) return;
  let ref: ResourceRef | undefined;
  if (value instanceof ResourceId) {
    if (value.type !== AZURERM.pip)
      r.wrongType(c, "public_ip_address_id", `a reference to a ${AZURERM.pip}`);
    ref = value.name;
  } else if (typeof value === "string" && value.startsWith("/")) {
    const target = r.reference(c, "public_ip_address_id", value, AZURERM.pip);
    ref = r.pips.has(lower(target.name)) ? target.name : { id: value };
  } else if (problem === undefined)
    r.wrongType(c, "public_ip_address_id", `the id of a ${AZURERM.pip}`);
  if (ref === undefined) {
    ref = `<${nic}.${config}.public_ip_address_id>`;
    r.report(
      "warning",
      "PublicIPAddressNameNotKnown",
      c.where("public_ip_address_id"),
      `${problem ?? "the public IP address is not known"}; it stands as ${ref}, a public address not known`,
    );
  }
  const key = lower(typeof ref === "string" ? ref : (ref.id.split("/").pop() ?? ref.id));
  if (!r.pipRefs.has(key))
    r.pipRefs.set(key, {
      name: typeof ref === "string" ? ref : (ref.id.split("/").pop() ?? ref.id),
      block: c,
    });
  return ref;
}

/**
 * A public IP an interface names that these files do not declare (made
 * elsewhere, or by a copy not read) is still a public endpoint: a
 * placeholder with its address not known and its SKU read as Basic, open
 * where no NSG applies. A file imported with it that declares it replaces it;
 * if none does, the import names it (shared/imported.ts).
 */
export function undeclaredPublicIps(r: AzurermReader): void {
  for (const [key, { name, block }] of r.pipRefs) {
    if (r.pips.has(key)) continue;
    const pip: PublicIPAddress = { name, sku: "Basic" };
    r.origins.record(pip, r.at(block, "public_ip_address_id"), {
      name: r.at(block, "public_ip_address_id"),
    });
    r.origins.placeholder(pip);
    r.pips.set(key, pip);
  }
}
