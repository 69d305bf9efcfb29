/**
 * Service tags without Azure's service-tags file: each published tag is a
 * symbolic set of public addresses, standing on addresses of a reserved area no
 * deployment or Internet host holds (248.0.0.0/5 and 100::8000:0:0:0/65, the
 * upper halves of the blocks public-ips.ts takes unknown public addresses from,
 * which it leaves to the tags). The place of a tag depends on its name only, so
 * two versions of a spec give it the same addresses (`diff`).
 *
 * How the tags relate (the strict reading, which never hides exposure):
 * - every tag is outside every virtual network, so inside `Internet`;
 * - a regional tag is inside its tag (`Sql.WestEurope` ⊂ `Sql`), and two
 *   regions of one tag do not meet;
 * - AzureCloud is "all datacenter public IP addresses", IPv4 only. Whether every
 *   other tag lies wholly inside it Azure does not say (Front Door, Microsoft 365
 *   and Power Platform addresses, for instance), so each other tag lies partly
 *   inside AzureCloud and partly outside: a rule on AzureCloud covers part of Sql,
 *   and a rule on Sql covers part that no AzureCloud rule reaches.
 *   `AzureCloud.Region` holds the inside part of each tag's same region;
 * - two other tags do not meet, and no address or CIDR block a rule names is in
 *   a tag (unless the block covers the whole reserved block 240.0.0.0/4).
 *
 * IPv4 layout (27 bits under 248.0.0.0/5): [inside AzureCloud:1][service:7]
 * [region:16][host:3]. IPv6 layout (63 bits): [service:7][region:16][host:40].
 * A region is placed by a 16-bit digest of its name (case ignored).
 */
import type { IpAddress, IpFamily } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import type { Prefix } from "../net/prefix.js";
import {
  AZURE_CLOUD,
  AZURE_SERVICE_TAGS,
  type PublishedTag,
  publishedTag,
} from "./azure-service-tags.js";

/** Where symbolic service tags stand, per family. */
export const SYMBOLIC_TAG_AREAS: Readonly<Record<IpFamily, Prefix>> = {
  4: { family: 4, first: 0xf8000000n, last: 0xffffffffn, length: 5 },
  6: {
    family: 6,
    first: 0x0100_0000_0000_0000_8000_0000_0000_0000n,
    last: 0x0100_0000_0000_0000_ffff_ffff_ffff_ffffn,
    length: 65,
  },
};

const SERVICE_BITS = 7n;
const REGION_BITS = 16n;
const HOST_BITS: Record<IpFamily, bigint> = { 4: 3n, 6: 40n };
const AZURE_CLOUD_INDEX = AZURE_SERVICE_TAGS.indexOf(AZURE_CLOUD);
const SERVICES = 1 << Number(SERVICE_BITS);

/** The 16-bit place of a region: FNV-1a over its lower-case name, folded. */
export function regionSlot(region: string): number {
  const name = region.toLowerCase();
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h ^ (h >>> 16)) & 0xffff;
}

/** The block of the fields given; those left out span their whole width. */
function block(
  family: IpFamily,
  fields: { inside?: boolean; service: number; region?: number },
): Prefix {
  const area = SYMBOLIC_TAG_AREAS[family];
  const host = HOST_BITS[family];
  let value = BigInt(fields.service);
  let free = REGION_BITS + host;
  if (fields.region !== undefined) {
    value = (value << REGION_BITS) | BigInt(fields.region);
    free = host;
  }
  value <<= free;
  let fixed = SERVICE_BITS + (fields.region !== undefined ? REGION_BITS : 0n);
  if (family === 4) {
    value |= BigInt(fields.inside ? 1 : 0) << (SERVICE_BITS + REGION_BITS + host);
    fixed += 1n;
  }
  const first = area.first + value;
  return { family, first, last: first + (1n << free) - 1n, length: area.length + Number(fixed) };
}

/** The addresses standing for a published tag. */
export function symbolicTagPrefixes(tag: PublishedTag): Prefix[] {
  const region = tag.region === undefined ? undefined : regionSlot(tag.region);
  if (tag.index === AZURE_CLOUD_INDEX) {
    const inside = 1n << (SERVICE_BITS + REGION_BITS + HOST_BITS[4]);
    const area = SYMBOLIC_TAG_AREAS[4];
    if (region === undefined)
      return [{ family: 4, first: area.first + inside, last: area.last, length: area.length + 1 }];
    return Array.from({ length: SERVICES }, (_, service) =>
      block(4, { inside: true, service, region }),
    );
  }
  const fields = { service: tag.index, ...(region === undefined ? {} : { region }) };
  return [
    block(4, { ...fields, inside: false }),
    block(4, { ...fields, inside: true }),
    block(6, fields),
  ];
}

/** Whether an address stands for part of a symbolic service tag. */
export function isSymbolicTagAddress(address: IpAddress): boolean {
  const area = SYMBOLIC_TAG_AREAS[address.family];
  return area.first <= address.value && address.value <= area.last;
}

/** A tag a spec names, with the addresses that stand for it. */
export interface NamedSymbolicTag {
  readonly name: string;
  readonly tag: PublishedTag;
  readonly addresses: AddressSet;
}

export function namedSymbolicTag(name: string): NamedSymbolicTag | undefined {
  const tag = publishedTag(name);
  return tag && { name, tag, addresses: AddressSet.of(symbolicTagPrefixes(tag)) };
}

/**
 * How an address of the area is shown, given the tags the spec names: by the
 * most specific of them it is in (`<Sql.WestEurope>`), else by its service
 * (`<Sql>`); where the spec names AzureCloud, whether the address is in it
 * (`<Sql in AzureCloud>`, `<Sql outside AzureCloud>`).
 */
export function symbolicTagLabel(
  address: IpAddress,
  named: readonly NamedSymbolicTag[],
): string | undefined {
  if (!isSymbolicTagAddress(address)) return undefined;
  const containing = named.filter((t) => t.addresses.has(address));
  const cloud = containing.filter((t) => t.tag.index === AZURE_CLOUD_INDEX);
  const own = containing.filter((t) => t.tag.index !== AZURE_CLOUD_INDEX);
  const specific = (list: NamedSymbolicTag[]) =>
    list.find((t) => t.tag.region !== undefined) ?? list[0];
  const service = specific(own)?.name ?? serviceOf(address);
  if (service === undefined || service === AZURE_CLOUD)
    return `<${specific(cloud)?.name ?? AZURE_CLOUD}>`;
  const namesCloud = named.some((t) => t.tag.index === AZURE_CLOUD_INDEX);
  if (!namesCloud || address.family === 6) return `<${service}>`;
  const inCloud = specific(cloud);
  return inCloud ? `<${service} in ${inCloud.name}>` : `<${service} outside ${AZURE_CLOUD}>`;
}

/** The service whose block holds the address. */
function serviceOf(address: IpAddress): string | undefined {
  const area = SYMBOLIC_TAG_AREAS[address.family];
  const shift = REGION_BITS + HOST_BITS[address.family];
  const index = Number(((address.value - area.first) >> shift) & ((1n << SERVICE_BITS) - 1n));
  return AZURE_SERVICE_TAGS[index];
}

/** Two regions a spec names that share a place, which would make their tags meet. */
export function collidingRegions(names: readonly string[]): [string, string] | undefined {
  const seen = new Map<number, string>();
  for (const name of names) {
    const region = publishedTag(name)?.region;
    if (region === undefined) continue;
    const slot = regionSlot(region);
    const other = seen.get(slot);
    if (other !== undefined && other.toLowerCase() !== region.toLowerCase()) return [other, region];
    seen.set(slot, region);
  }
  return undefined;
}
