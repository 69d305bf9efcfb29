import { isUtf8 } from "node:buffer";

const REPLACEMENT = Buffer.from("\uFFFD");

/**
 * Where the first byte that is not UTF-8 is, with its line and column (UTF-16
 * units, as the YAML parser counts), or undefined for UTF-8 text. Decoding
 * would silently turn such bytes into U+FFFD.
 */
export function invalidUtf8(
  bytes: Buffer,
): { byte: number; line: number; column: number } | undefined {
  if (isUtf8(bytes)) return undefined;
  // A line feed is never part of a longer character, so lines can be checked alone.
  let start = 0;
  for (let line = 1; ; line++) {
    const end = bytes.indexOf(0x0a, start);
    const row = bytes.subarray(start, end === -1 ? bytes.length : end);
    if (!isUtf8(row)) return { ...firstInvalid(row), line };
    if (end === -1) return undefined;
    start = end + 1;
  }
}

/** The first invalid byte of a line: the first U+FFFD that decoding made rather than read. */
function firstInvalid(row: Buffer): { byte: number; column: number } {
  let offset = 0;
  let column = 1;
  for (const char of row.toString("utf8")) {
    const size = Buffer.byteLength(char);
    if (char === "\uFFFD" && !row.subarray(offset, offset + size).equals(REPLACEMENT))
      return { byte: row[offset] ?? 0, column };
    offset += size;
    column += char.length;
  }
  return { byte: row[offset] ?? 0, column };
}
