/**
 * The bytes of one flow-log file: read in large chunks, counted as they are
 * read (for progress), and gunzip'ed when the file starts with gzip's magic
 * bytes (1f 8b), whatever its name. Nothing is held beyond the chunk at hand
 * and the one being read ahead.
 */
import { type FileHandle, open } from "node:fs/promises";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

/** Bytes read from a file at a time. */
export const CHUNK = 1 << 20;

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * A file's chunks, read ahead: its first chunk is asked for as soon as the
 * reader is made, and each next one while the one before is scanned, so that
 * scanning never waits for the disk when it is faster (a reading of many
 * small files makes the next file's reader before scanning the current one).
 */
export class FileChunks implements AsyncIterable<Buffer> {
  private readonly handle: Promise<FileHandle>;
  private pending: Promise<Buffer> | undefined;
  private used = false;
  /** Bytes asked for so far. */
  private asked = 0;

  /** `size`, when known, sizes the reads: a small file costs a buffer of its size, not a chunk's. */
  constructor(
    readonly path: string,
    private readonly size?: number,
  ) {
    this.handle = open(path, "r");
    this.pending = this.next();
    // Failures surface when the chunks are taken, not as unhandled rejections meanwhile.
    this.pending.catch(() => {});
  }

  private async next(): Promise<Buffer> {
    // Up to a known size, what is left of it; then a few bytes find that nothing was written
    // since (and, if something was, chunks again).
    const size = this.size;
    const wanted =
      size === undefined || this.asked > size
        ? CHUNK
        : this.asked === size
          ? 64
          : Math.min(CHUNK, size - this.asked);
    this.asked += wanted;
    const handle = await this.handle;
    const buffer = Buffer.allocUnsafe(wanted);
    const { bytesRead } = await handle.read(buffer, 0, wanted, null);
    return buffer.subarray(0, bytesRead);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    if (this.used) throw new Error("a file's chunks are read once");
    this.used = true;
    try {
      for (;;) {
        const chunk = await (this.pending as Promise<Buffer>);
        if (chunk.length === 0) return;
        this.pending = this.next();
        this.pending.catch(() => {});
        yield chunk;
      }
    } finally {
      await this.close();
    }
  }

  /** Closes the file, once any read in flight is done; for a reader never iterated too. */
  async close(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending?.catch(() => {});
    const handle = await this.handle.catch(() => undefined);
    await handle?.close();
  }
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
