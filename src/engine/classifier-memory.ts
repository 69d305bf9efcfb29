/**
 * The linear memory the kernel decides in, and the calls into the kernel.
 *
 * A compiled classifier is a position-independent image in an ordinary
 * ArrayBuffer, owned and collected like any object. The kernel can only read
 * its own linear memory, so the images in use are copied into it: the memory
 * is a cache of resident images, bounded in size, that evicts the least
 * recently used image when a new one does not fit. One memory serves every
 * classifier of the process (thousands of separate WebAssembly memories would
 * each reserve gigabytes of address space).
 *
 * Batches are copied in and decisions out through a scratch area, a chunk at
 * a time, so flows may live in any typed arrays.
 */
import type { IpAddress } from "../net/address.js";
import { decideExport, type Family, kernelModule } from "./classifier-kernel.js";
import type { Decisions, FlowBatch4, FlowBatch6 } from "./flow-batch.js";
import { FreeList } from "./wasm/free-list.js";

const PAGE = 65536;
/** Every range handed out starts 16-byte aligned: the kernel's 128-bit loads are faster aligned. */
const ALIGN = 16;
/** Address 0 is never an image's, so that a Residency's address 0 can mean "not resident". */
const RESERVED = 64;
/** Flows per kernel call in a batch: the scratch area holds one chunk (42 bytes a flow at most). */
export const CHUNK = 4096;
const SCRATCH_BYTES = 42 * CHUNK;
/** The default bound on resident images: room for thousands of NSGs of 100 rules. */
export const DEFAULT_LIMIT = 256 * 2 ** 20;

type Decide = (
  header: number,
  protocol: number,
  source: number,
  sourcePort: number,
  destination: number,
  destinationPort: number,
  count: number,
  rule: number,
  access: number,
) => void;

/** Where each array of a chunk sits in the scratch area. */
interface Scratch {
  readonly protocol: number;
  readonly source: number;
  readonly sourcePort: number;
  readonly destination: number;
  readonly destinationPort: number;
  readonly rule: number;
  readonly access: number;
}

/** Where one image is resident, if it is: kept by the image's owner and by the memory. @internal */
export class Residency {
  /** The image's header address while resident; 0 when not. */
  address = 0;
  size = 0;
  lastUse = 0;
}

const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/** The kernel, compiled once per process; each memory gets an instance of it. */
let kernel: WebAssembly.Module | undefined;

interface Views {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly u32: Uint32Array;
}

const viewsOf = (buffer: ArrayBuffer): Views => ({
  u8: new Uint8Array(buffer),
  u16: new Uint16Array(buffer),
  i32: new Int32Array(buffer),
  u32: new Uint32Array(buffer),
});

export class ClassifierMemory {
  private readonly memory: WebAssembly.Memory;
  private readonly maxPages: number;
  /** The kernel's decide functions, by source and destination family. */
  private readonly decide: Readonly<Record<Family, Readonly<Record<Family, Decide>>>>;
  private readonly freeList = new FreeList();
  private readonly residents = new Set<Residency>();
  private readonly scratch: Scratch;
  private clock = 0;
  private views?: Views;
  /** Frees a collected classifier's image at once rather than when it is the oldest. */
  private readonly collected = new FinalizationRegistry<Residency>((r) => this.evict(r));
  /** Images copied in since the memory was made: how often the cache missed. */
  loads = 0;

  /** `limit`: bytes the memory may grow to (rounded to 64 KiB pages, up to 4 GiB). */
  constructor(limit = DEFAULT_LIMIT) {
    if (typeof limit !== "number" || !(limit > 0))
      throw new RangeError(
        `a classifier memory's limit is a number of bytes, not ${String(limit)}`,
      );
    // The kernel reads memory as little-endian, as WebAssembly defines it; the
    // images are written through typed arrays, which use the host's order.
    if (new Uint8Array(Uint32Array.of(1).buffer)[0] !== 1)
      throw new Error("the flow classifier needs a little-endian host");
    const least = Math.ceil((RESERVED + SCRATCH_BYTES) / PAGE);
    this.maxPages = Math.min(65536, Math.max(least, Math.ceil(limit / PAGE)));
    const initial = Math.min(this.maxPages, 16);
    this.memory = new WebAssembly.Memory({ initial, maximum: this.maxPages });
    kernel ??= new WebAssembly.Module(kernelModule() as Uint8Array<ArrayBuffer>);
    const instance = new WebAssembly.Instance(kernel, { env: { memory: this.memory } });
    const exports = instance.exports as unknown as Record<string, Decide>;
    const pick = (source: Family, destination: Family) =>
      exports[decideExport(source, destination)] as Decide;
    this.decide = {
      4: { 4: pick(4, 4), 6: pick(4, 6) },
      6: { 4: pick(6, 4), 6: pick(6, 6) },
    };
    this.freeList.give(RESERVED, this.memory.buffer.byteLength - RESERVED);
    // The memory starts with room for the scratch area (`least` pages).
    const at = this.allocate(SCRATCH_BYTES) as number;
    const after = (address: number, bytesPerFlow: number) => address + bytesPerFlow * CHUNK;
    const protocol = at;
    const source = after(protocol, 1);
    const sourcePort = after(source, 16);
    const destination = after(sourcePort, 2);
    const destinationPort = after(destination, 16);
    const rule = after(destinationPort, 2);
    const access = after(rule, 4);
    this.scratch = { protocol, source, sourcePort, destination, destinationPort, rule, access };
  }

  /** Bytes the memory spans now. */
  get reserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** Bytes of the images resident now. */
  get resident(): number {
    let bytes = 0;
    for (const r of this.residents) bytes += r.size;
    return bytes;
  }

  /**
   * Typed views of the whole memory, remade after it grew: growing detaches
   * the old buffer, which empties its views (cheaper to test than to fetch
   * `memory.buffer` on every call).
   */
  private get view(): Views {
    if (this.views === undefined || this.views.u8.byteLength === 0)
      this.views = viewsOf(this.memory.buffer);
    return this.views;
  }

  /**
   * The address of the image's header in the memory: where it is resident, or
   * where it is copied now, evicting the images used longest ago if need be.
   * @internal
   */
  load(image: Uint8Array, residency: Residency): number {
    residency.lastUse = ++this.clock;
    if (residency.address !== 0) return residency.address;
    const size = roundUp(image.byteLength, ALIGN);
    // With every image evicted, the free space is one range of this size.
    if (size > this.maxPages * PAGE - roundUp(RESERVED + SCRATCH_BYTES, ALIGN))
      throw new RangeError(
        `a compiled classifier of ${image.byteLength} bytes does not fit a classifier memory of ${this.maxPages * PAGE} bytes`,
      );
    let address = this.allocate(size);
    while (address === undefined) {
      this.evict(this.leastRecentlyUsed() as Residency);
      address = this.allocate(size);
    }
    this.view.u8.set(image, address);
    residency.address = address;
    residency.size = size;
    this.residents.add(residency);
    this.loads++;
    return address;
  }

  /**
   * Frees an image's space once `owner` is garbage-collected, rather than
   * when the image is the oldest. @internal
   */
  evictWhenCollected(owner: object, residency: Residency): void {
    this.collected.register(owner, residency);
  }

  /** Drops an image from the memory (it is copied in again when next used). @internal */
  evict(residency: Residency): void {
    if (residency.address === 0) return;
    this.freeList.give(residency.address, residency.size);
    this.residents.delete(residency);
    residency.address = 0;
  }

  /** Decides flows [from, to) of a batch into `out` at the same positions. @internal */
  decideBatch(
    header: number,
    family: Family,
    flows: FlowBatch4 | FlowBatch6,
    out: Decisions,
    from: number,
    to: number,
  ): void {
    checkBatch(family, flows, out, from, to);
    const decide = this.decide[family][family];
    const words = family === 4 ? 1 : 4;
    const s = this.scratch;
    const { u8, u16, i32, u32 } = this.view;
    for (let at = from; at < to; at += CHUNK) {
      const n = Math.min(CHUNK, to - at);
      const end = at + n;
      u8.set(flows.protocol.subarray(at, end), s.protocol);
      u32.set(flows.source.subarray(words * at, words * end), s.source >>> 2);
      u16.set(flows.sourcePort.subarray(at, end), s.sourcePort >>> 1);
      u32.set(flows.destination.subarray(words * at, words * end), s.destination >>> 2);
      u16.set(flows.destinationPort.subarray(at, end), s.destinationPort >>> 1);
      this.run(decide, header, n);
      out.rule.set(i32.subarray(s.rule >>> 2, (s.rule >>> 2) + n), at);
      out.access.set(u8.subarray(s.access, s.access + n), at);
    }
  }

  /** The deciding rule's index for one flow (or -1); addresses of either family. @internal */
  decideOne(
    header: number,
    protocol: number,
    source: IpAddress,
    sourcePort: number,
    destination: IpAddress,
    destinationPort: number,
  ): number {
    const s = this.scratch;
    const { u8, u16, i32, u32 } = this.view;
    u8[s.protocol] = protocol;
    u16[s.sourcePort >>> 1] = sourcePort;
    u16[s.destinationPort >>> 1] = destinationPort;
    writeAddress(u32, s.source >>> 2, source);
    writeAddress(u32, s.destination >>> 2, destination);
    this.run(this.decide[source.family][destination.family], header, 1);
    return i32[s.rule >>> 2] as number;
  }

  /** Runs a decide function over the first `count` flows of the scratch area. */
  private run(decide: Decide, header: number, count: number): void {
    const s = this.scratch;
    decide(
      header,
      s.protocol,
      s.source,
      s.sourcePort,
      s.destination,
      s.destinationPort,
      count,
      s.rule,
      s.access,
    );
  }

  /** A free range of `size` bytes, growing the memory (at least doubling it) up to its limit. */
  private allocate(bytes: number): number | undefined {
    const size = roundUp(bytes, ALIGN);
    const address = this.freeList.take(size);
    if (address !== undefined) return address;
    const end = this.memory.buffer.byteLength;
    const current = end / PAGE;
    const missing = size - this.freeList.endingAt(end);
    const pages = Math.min(this.maxPages - current, Math.max(Math.ceil(missing / PAGE), current));
    if (pages * PAGE < missing) return undefined;
    this.memory.grow(pages);
    this.freeList.give(end, pages * PAGE);
    return this.freeList.take(size);
  }

  private leastRecentlyUsed(): Residency | undefined {
    let oldest: Residency | undefined;
    for (const r of this.residents) if (!oldest || r.lastUse < oldest.lastUse) oldest = r;
    return oldest;
  }
}

const MASK32 = 0xffffffffn;

function writeAddress(u32: Uint32Array, at: number, address: IpAddress): void {
  const v = address.value;
  if (address.family === 4) {
    u32[at] = Number(v);
    return;
  }
  u32[at] = Number(v >> 96n);
  u32[at + 1] = Number((v >> 64n) & MASK32);
  u32[at + 2] = Number((v >> 32n) & MASK32);
  u32[at + 3] = Number(v & MASK32);
}

function checkBatch(
  family: Family,
  flows: FlowBatch4 | FlowBatch6,
  out: Decisions,
  from: number,
  to: number,
): void {
  const declared = flows.family ?? 4;
  if (declared !== family)
    throw new TypeError(
      family === 6
        ? `decide6 takes IPv6 flows, marked family: 6; this batch says ${flows.family === undefined ? "no family (IPv4)" : `family ${String(flows.family)}`}`
        : `decide4 takes IPv4 flows; this batch says family ${String(flows.family)}`,
    );
  const mistyped = (
    [
      ["protocol", flows.protocol, Uint8Array],
      ["source", flows.source, Uint32Array],
      ["sourcePort", flows.sourcePort, Uint16Array],
      ["destination", flows.destination, Uint32Array],
      ["destinationPort", flows.destinationPort, Uint16Array],
      ["rule", out.rule, Int32Array],
      ["access", out.access, Uint8Array],
    ] as const
  ).filter(([, array, type]) => !(array instanceof type));
  if (mistyped.length > 0)
    throw new TypeError(
      `the batch's arrays have the wrong types: ${mistyped.map(([name, , type]) => `${name} must be ${type.name.startsWith("I") ? "an" : "a"} ${type.name}`).join("; ")}`,
    );
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || from > to)
    throw new RangeError(`flows [${from}, ${to}) is not a range of positions`);
  const words = family === 4 ? 1 : 4;
  const short = (
    [
      ["protocol", flows.protocol.length],
      ["source", flows.source.length / words],
      ["sourcePort", flows.sourcePort.length],
      ["destination", flows.destination.length / words],
      ["destinationPort", flows.destinationPort.length],
      ["rule", out.rule.length],
      ["access", out.access.length],
    ] as const
  ).filter(([, length]) => length < to);
  if (short.length > 0)
    throw new RangeError(
      `flows [${from}, ${to}) do not fit: ${short.map(([name, n]) => `${name} holds ${Math.floor(n)}`).join(", ")}`,
    );
}

let shared: ClassifierMemory | undefined;

/** The memory every classifier of this process decides in, made on first use. */
export function classifierMemory(): ClassifierMemory {
  shared ??= new ClassifierMemory();
  return shared;
}
