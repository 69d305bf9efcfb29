/**
 * First-fit allocation of address ranges, with freed neighbours merged: the
 * bookkeeping of a linear memory that can grow but never shrink.
 */
export class FreeList {
  /** Free ranges as [address, size], sorted by address, never adjacent. */
  private readonly ranges: [number, number][] = [];

  /** Bytes in free ranges. */
  get free(): number {
    return this.ranges.reduce((n, [, size]) => n + size, 0);
  }

  /** The address of `size` bytes taken from the first range that holds them, or undefined. */
  take(size: number): number | undefined {
    const at = this.ranges.findIndex(([, free]) => free >= size);
    if (at < 0) return undefined;
    const range = this.ranges[at] as [number, number];
    const address = range[0];
    if (range[1] === size) this.ranges.splice(at, 1);
    else {
      range[0] += size;
      range[1] -= size;
    }
    return address;
  }

  /** Returns a range (freed, or new at the end of a grown memory); it must not overlap a free one. */
  give(address: number, size: number): void {
    if (size <= 0) return;
    let at = 0;
    while (at < this.ranges.length && (this.ranges[at] as [number, number])[0] < address) at++;
    const before = this.ranges[at - 1];
    const after = this.ranges[at];
    if ((before && before[0] + before[1] > address) || (after && address + size > after[0]))
      throw new Error(`range ${address}+${size} overlaps a free range`);
    if (before && before[0] + before[1] === address) {
      before[1] += size;
      if (after && before[0] + before[1] === after[0]) {
        before[1] += after[1];
        this.ranges.splice(at, 1);
      }
    } else if (after && address + size === after[0]) {
      after[0] = address;
      after[1] += size;
    } else this.ranges.splice(at, 0, [address, size]);
  }

  /** The free range that ends at `end`, if any: what a grown memory can extend. */
  endingAt(end: number): number {
    const last = this.ranges[this.ranges.length - 1];
    return last && last[0] + last[1] === end ? last[1] : 0;
  }
}
