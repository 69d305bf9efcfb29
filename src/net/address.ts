import ipaddr from "ipaddr.js";

/** IPv4 or IPv6. */
export type IpFamily = 4 | 6;

/** An IP address as a number, so that comparisons and ranges are exact and cheap. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  /**
   * How it is shown when it stands for an address not known before deploying
   * (`<pip-web>`, `10.0.1.x`): see model/public-ips.ts. Never part of its value.
   */
  readonly label?: string;
}

export const familyBits = (family: IpFamily): number => (family === 4 ? 32 : 128);
export const familyMax = (family: IpFamily): bigint => (1n << BigInt(familyBits(family))) - 1n;

// Strict dotted quad: four decimal octets, no leading zeros (Azure rejects the
// octal and shortened forms that generic parsers accept).
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/** Parses a literal IPv4 or IPv6 address, strictly; undefined when it is not one. */
export function parseIpAddress(text: string): IpAddress | undefined {
  if (IPV4.test(text)) {
    const value = text.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(octet), 0n);
    return { family: 4, value };
  }
  if (text.includes(":") && !text.includes("%") && ipaddr.IPv6.isValid(text)) {
    const parts = ipaddr.IPv6.parse(text).parts;
    const value = parts.reduce((acc, part) => (acc << 16n) | BigInt(part), 0n);
    return { family: 6, value };
  }
  return undefined;
}

/** Formats an address in its conventional text form (RFC 5952 for IPv6). */
export function formatIpAddress(address: IpAddress): string {
  if (address.family === 4) {
    const v = address.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join(".");
  }
  const parts: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    parts.push(Number((address.value >> shift) & 0xffffn));
  return ipaddr.fromByteArray(parts.flatMap((p) => [p >> 8, p & 0xff])).toString();
}

/** The address as shown to people: its label when it stands for one not known, else its text. */
export function displayAddress(address: IpAddress): string {
  return address.label ?? formatIpAddress(address);
}

export function sameAddress(a: IpAddress, b: IpAddress): boolean {
  return a.family === b.family && a.value === b.value;
}
