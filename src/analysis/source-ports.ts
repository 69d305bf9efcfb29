/**
 * A set of ports (0 to 65535) that costs about what it holds: a few ports in
 * a short list, then an open-addressed table, then, past 1,024 ports, a bit
 * set of 8 KB, the most any set of ports needs. A flow class counts its
 * distinct flows with one, so that a busy class costs at most 8 KB however
 * many connections it saw.
 */

const LIST_MAX = 8;
const TABLE_MAX = 1024;
const EMPTY = -1;

export class SourcePorts {
  size = 0;
  private list: number[] | undefined = [];
  private table: Int32Array | undefined;
  private bits: Uint32Array | undefined;

  add(port: number): void {
    if (this.bits) {
      const word = port >>> 5;
      const bit = 1 << (port & 31);
      const bits = this.bits;
      if (((bits[word] as number) & bit) === 0) {
        bits[word] = (bits[word] as number) | bit;
        this.size++;
      }
      return;
    }
    if (this.list) {
      if (this.list.includes(port)) return;
      if (this.list.length < LIST_MAX) {
        this.list.push(port);
        this.size++;
        return;
      }
      const ports = this.list;
      this.list = undefined;
      this.size = 0;
      this.table = new Int32Array(32).fill(EMPTY);
      for (const p of ports) this.insert(p);
    }
    this.insert(port);
  }

  private insert(port: number): void {
    let table = this.table as Int32Array;
    const mask = table.length - 1;
    let slot = (Math.imul(port, 0x9e3779b1) >>> 20) & mask;
    for (;;) {
      const held = table[slot] as number;
      if (held === port) return;
      if (held === EMPTY) break;
      slot = (slot + 1) & mask;
    }
    table[slot] = port;
    this.size++;
    if (this.size <= table.length >>> 1) return;
    // Half full: grow, or past the table's bound, become a bit set.
    const ports = this.values();
    this.size = 0;
    if (ports.length > TABLE_MAX) {
      this.table = undefined;
      this.bits = new Uint32Array(2048);
      for (const p of ports) this.add(p);
      return;
    }
    table = new Int32Array(table.length * 2).fill(EMPTY);
    this.table = table;
    for (const p of ports) this.insert(p);
  }

  has(port: number): boolean {
    if (this.bits) return ((this.bits[port >>> 5] as number) & (1 << (port & 31))) !== 0;
    if (this.list) return this.list.includes(port);
    const table = this.table as Int32Array;
    const mask = table.length - 1;
    let slot = (Math.imul(port, 0x9e3779b1) >>> 20) & mask;
    for (;;) {
      const held = table[slot] as number;
      if (held === port) return true;
      if (held === EMPTY) return false;
      slot = (slot + 1) & mask;
    }
  }

  /** The ports, in no particular order. */
  values(): Uint16Array {
    const out = new Uint16Array(this.size);
    let n = 0;
    if (this.list) for (const p of this.list) out[n++] = p;
    else if (this.table) {
      for (const p of this.table) if (p !== EMPTY) out[n++] = p;
    } else if (this.bits)
      for (let word = 0; word < 2048; word++) {
        let w = this.bits[word] as number;
        while (w !== 0) {
          const low = w & -w;
          out[n++] = word * 32 + (31 - Math.clz32(low));
          w ^= low;
        }
      }
    return out;
  }
}
