import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FreeList } from "./free-list.js";

describe("FreeList", () => {
  it("takes first fit and merges freed neighbours", () => {
    const list = new FreeList();
    list.give(0, 100);
    expect(list.take(30)).toBe(0);
    expect(list.take(30)).toBe(30);
    expect(list.take(50)).toBeUndefined();
    expect(list.take(40)).toBe(60);
    expect(list.free).toBe(0);
    list.give(30, 30);
    list.give(0, 30);
    expect(list.take(60)).toBe(0);
    list.give(0, 60);
    list.give(60, 40);
    expect(list.take(100)).toBe(0);
  });

  it("says how much free space ends where a memory would grow", () => {
    const list = new FreeList();
    list.give(0, 64);
    expect(list.endingAt(64)).toBe(64);
    list.take(16);
    expect(list.endingAt(64)).toBe(48);
    list.take(48);
    expect(list.endingAt(64)).toBe(0);
  });

  it("refuses to free a range twice", () => {
    const list = new FreeList();
    list.give(0, 64);
    expect(() => list.give(16, 16)).toThrow("range 16+16 overlaps a free range");
  });

  it("never hands out overlapping ranges, and gets all space back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 64 }), fc.nat()), {
          maxLength: 200,
        }),
        (steps) => {
          const list = new FreeList();
          const size = 1024;
          list.give(0, size);
          const held: [number, number][] = [];
          for (const [take, bytes, pick] of steps) {
            if (take || held.length === 0) {
              const at = list.take(bytes);
              if (at === undefined) continue;
              for (const [a, n] of held) expect(at + bytes <= a || a + n <= at).toBe(true);
              expect(at + bytes).toBeLessThanOrEqual(size);
              held.push([at, bytes]);
            } else {
              const [[a, n]] = held.splice(pick % held.length, 1) as [[number, number]];
              list.give(a, n);
            }
            expect(list.free + held.reduce((t, [, n]) => t + n, 0)).toBe(size);
          }
          for (const [a, n] of held) list.give(a, n);
          expect(list.take(size)).toBe(0);
        },
      ),
      { seed: 7, numRuns: 200 },
    );
  });
});
