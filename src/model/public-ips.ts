/**
 * Public addresses not known before deploying, and how addresses are printed.
 *
 * A public IP resource whose address Azure assigns when deploying is still a
 * public endpoint: one address outside every network and distinct from every
 * other address. The engine and the analysis work on concrete addresses and
 * exact packet sets, so each such resource stands on an address of a reserved
 * block that no deployment and no Internet host can hold: 240.0.0.0/4
 * ("reserved for future use", RFC 1112, never routed on the Internet) and
 * 100::/64 (discard-only, RFC 6666). Being outside every virtual network, it
 * is matched by `*` and `Internet` as the real address would be, and by no
 * address a rule or service tag names (unless a block covers these too, such
 * as 0.0.0.0/0). The stand-in is a digest of the resource's name, so that two
 * versions of a spec give the same resource the same one (`diff`). It is
 * never printed as such: `AddressNames` prints it as `<name>`.
 *
 * A Dynamic private address is likewise one host of its subnet that no other
 * configuration holds; the engine stands it on the subnet's first free host
 * (subnet-hosts.ts) and prints it as the subnet's fixed part with `x`
 * (`10.0.1.x`).
 */
import { formatIpAddress, type IpAddress, type IpFamily } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { formatPrefix, type Prefix } from "../net/prefix.js";
import {
  isSymbolicTagAddress,
  type NamedSymbolicTag,
  SYMBOLIC_TAG_AREAS,
  symbolicTagLabel,
} from "./symbolic-tags.js";

/** Where stand-ins for unknown public addresses are taken from, per family. */
export const UNKNOWN_PUBLIC_BLOCKS: Readonly<Record<IpFamily, Prefix>> = {
  4: { family: 4, first: 0xf0000000n, last: 0xffffffffn, length: 4 },
  6: {
    family: 6,
    first: 0x0100_0000_0000_0000_0000_0000_0000_0000n,
    last: 0x0100_0000_0000_0000_ffff_ffff_ffff_ffffn,
    length: 64,
  },
};

/** FNV-1a over the name's code units: a stable spread of names over a block. */
function digest(name: string): bigint {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return BigInt(h);
}

/**
 * The address standing for the unknown address of the public IP `name`
 * (compared case-insensitively, as Azure names are): the address of the
 * block, outside `excluded`, that the name's digest picks.
 */
export function standInAddress(
  name: string,
  family: IpFamily,
  excluded: AddressSet,
): IpAddress | undefined {
  // The upper half of the block is the symbolic service tags' (symbolic-tags.ts).
  const free = AddressSet.of([UNKNOWN_PUBLIC_BLOCKS[family]])
    .minus(AddressSet.of([SYMBOLIC_TAG_AREAS[family]]))
    .minus(excluded)
    .intervals(family);
  const size = free.reduce((n, [first, last]) => n + (last - first + 1n), 0n);
  if (size === 0n) return undefined;
  let index = digest(name.toLowerCase()) % size;
  for (const [first, last] of free) {
    if (index <= last - first) return { family, value: first + index };
    index -= last - first + 1n;
  }
  return undefined;
}

/** The text of an address of a Dynamic configuration: its subnet's fixed part, then `x`. */
export function dynamicLabel(prefix: Prefix): string {
  if (prefix.family === 6) return `${formatIpAddress({ family: 6, value: prefix.first })}x`;
  const octets = formatPrefix(prefix).split("/")[0]?.split(".") ?? [];
  const fixed = Math.min(3, Math.floor(prefix.length / 8));
  return [...octets.slice(0, fixed), ...Array(4 - fixed).fill("x")].join(".");
}

const key = (a: IpAddress) => `${a.family}/${a.value}`;

/**
 * The addresses of a deployment that stand for ones not known (each with its
 * label): stand-ins for unknown public addresses, shown by their resource's
 * name (`<pip-web>`), and Dynamic addresses, shown by their subnet
 * (`10.0.1.x`). Addresses the analysis computes (a witness packet, a set) are
 * given their labels back here.
 */
export class AddressNames {
  static readonly none = new AddressNames([]);
  private readonly byKey: ReadonlyMap<string, IpAddress>;
  /** Every stand-in for an unknown public address. */
  readonly unknownPublic: AddressSet;

  /**
   * `tags`: the symbolic service tags the spec names (symbolic-tags.ts), whose
   * addresses are shown by the tags' names.
   */
  constructor(
    private readonly labelledAddresses: readonly IpAddress[],
    readonly tags: readonly NamedSymbolicTag[] = [],
  ) {
    const labelled = labelledAddresses;
    this.byKey = new Map(labelled.filter((a) => a.label).map((a) => [key(a), a]));
    this.unknownPublic = AddressSet.ofAddresses(
      labelled.filter((a) => isStandIn(a) && a.label !== undefined),
    );
  }

  /** These names and the symbolic tags `other` names too (two versions of a spec, `diff`). */
  withTagsOf(other: AddressNames): AddressNames {
    const mine = new Set(this.tags.map((t) => t.name));
    const more = other.tags.filter((t) => !mine.has(t.name));
    if (more.length === 0) return this;
    const tags = [...this.tags, ...more].sort((a, b) => (a.name < b.name ? -1 : 1));
    return new AddressNames(this.labelledAddresses, tags);
  }

  /** The label an address is shown by, when it stands for one not known. */
  label(address: IpAddress): string | undefined {
    return this.byKey.get(key(address))?.label ?? symbolicTagLabel(address, this.tags);
  }

  /** The address with its label, when it has one. */
  labelled(address: IpAddress): IpAddress {
    const known = this.byKey.get(key(address));
    if (known) return known;
    if (address.label !== undefined || !isSymbolicTagAddress(address)) return address;
    const label = symbolicTagLabel(address, this.tags);
    return label === undefined ? address : { ...address, label };
  }

  /** A packet with its addresses labelled, as the deployment shows them. */
  labelledPacket<P extends { readonly source: IpAddress; readonly destination: IpAddress }>(
    packet: P,
  ): P {
    return {
      ...packet,
      source: this.labelled(packet.source),
      destination: this.labelled(packet.destination),
    };
  }

  /** The address as shown. */
  text(address: IpAddress): string {
    return this.label(address) ?? formatIpAddress(address);
  }
}

/** Whether an address lies in a block of stand-ins for unknown public addresses. */
export function isStandIn(address: IpAddress): boolean {
  const block = UNKNOWN_PUBLIC_BLOCKS[address.family];
  return block.first <= address.value && address.value <= block.last;
}
