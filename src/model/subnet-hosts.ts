import { familyBits, formatIpAddress, type IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import type { Prefix } from "../net/prefix.js";

/**
 * The first host of the prefixes, in their order, that Azure does not reserve
 * (the first four of a block, and its last) and that `taken` (addresses as
 * text) does not hold: where Azure puts the next Dynamic address, and the host
 * that stands for a subnet. Only the first 4096 hosts of each block are tried.
 * With `from`, each block's search starts where the last one found its host
 * (and is moved on): for callers whose `taken` only grows, such as the many
 * Dynamic interfaces of one subnet.
 */
export function firstFreeHost(
  prefixes: readonly Prefix[],
  taken: ReadonlySet<string>,
  from?: Map<Prefix, bigint>,
): IpAddress | undefined {
  for (const prefix of prefixes) {
    const reserved = familyBits(prefix.family) - prefix.length >= 3 ? 4n : 0n;
    for (
      let v = from?.get(prefix) ?? prefix.first + reserved;
      v < prefix.last && v < prefix.first + reserved + 4096n;
      v++
    ) {
      const address = { family: prefix.family, value: v };
      if (taken.has(formatIpAddress(address))) continue;
      from?.set(prefix, v);
      return address;
    }
    from?.set(prefix, prefix.last);
  }
  return undefined;
}

/**
 * The addresses of a subnet's prefixes that Azure reserves: the first four
 * and the last of each block with three host bits or more. No host has one.
 */
export function reservedAddresses(prefixes: readonly Prefix[]): AddressSet {
  const ranges = prefixes.flatMap((prefix) =>
    familyBits(prefix.family) - prefix.length >= 3
      ? [
          { family: prefix.family, first: prefix.first, last: prefix.first + 3n },
          { family: prefix.family, first: prefix.last, last: prefix.last },
        ]
      : [],
  );
  return AddressSet.of(ranges);
}

/** The addresses of a subnet a host can have: all but Azure's reserved ones. */
export function hostAddresses(subnet: {
  readonly prefixes: readonly Prefix[];
  readonly addresses: AddressSet;
}): AddressSet {
  return subnet.addresses.minus(reservedAddresses(subnet.prefixes));
}
