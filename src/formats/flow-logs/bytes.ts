/**
 * The bytes of one flow-log file: read in large chunks, counted as they are
 * read (for progress), and gunzip'ed when the file starts with gzip's magic
 * bytes (1f 8b), whatever its name. Nothing is held beyond the chunk at hand.
 */
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** Bytes read from a file at a time. */
export const CHUNK = 1 << 20;

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The file's chunks as read. */
export function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: CHUNK });
}

/**
 * The text's bytes: `raw` as it is, or gunzip'ed when it starts as gzip does.
 * `counted` is told the size of every raw chunk as it is read.
 */
export async function* decodedChunks(
  raw: AsyncIterable<Buffer | string>,
  counted: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const input = raw[Symbol.asyncIterator]();
  // The first two bytes decide (standard input may give them one at a time).
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await input.next();
    if (next.done) break;
    const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    counted(chunk.length);
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
  }
  if (!isGzip(head)) {
    try {
      if (head.length > 0) yield head;
      for (;;) {
        const next = await input.next();
        if (next.done) return;
        const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        counted(chunk.length);
        yield chunk;
      }
    } finally {
      // Closes the file when the reading stops early.
      await input.return?.();
    }
  }
  const compressed = Readable.from(
    (async function* () {
      yield head;
      for (;;) {
        const next = await input.next();
        if (next.done) return;
        const chunk = typeof next.value === "string" ? Buffer.from(next.value) : next.value;
        counted(chunk.length);
        yield chunk;
      }
    })(),
  );
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  compressed.on("error", (e) => gunzip.destroy(e));
  compressed.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    compressed.destroy();
    gunzip.destroy();
    await input.return?.();
  }
}
