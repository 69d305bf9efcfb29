import { describe, expect, it } from "vitest";
import { seededRandom as random } from "./seeded-random.js";
import { SourcePorts } from "./source-ports.js";

describe("a set of source ports", () => {
  // Sizes across each form: the list (8), the table (to 1,024), the bit set beyond.
  it.each([0, 1, 8, 9, 17, 300, 1024, 1025, 5000, 70_000])(
    "holds what a Set holds after %i random adds, repeats included",
    (adds) => {
      const next = random(adds + 1);
      const ports = new SourcePorts();
      const expected = new Set<number>();
      for (let i = 0; i < adds; i++) {
        // Half the ports from a narrow range, so that repeats happen.
        const port = next() < 0.5 ? 49_152 + Math.floor(next() * 64) : Math.floor(next() * 65_536);
        ports.add(port);
        expected.add(port);
      }
      expect(ports.size).toBe(expected.size);
      expect([...ports.values()].sort((a, b) => a - b)).toEqual(
        [...expected].sort((a, b) => a - b),
      );
      for (const p of [0, 1, 443, 49_152, 49_200, 65_535])
        expect(ports.has(p), String(p)).toBe(expected.has(p));
    },
  );

  it("holds every port, 0 and 65535 included", () => {
    const ports = new SourcePorts();
    for (let p = 65_535; p >= 0; p--) ports.add(p);
    ports.add(0);
    expect(ports.size).toBe(65_536);
    expect(ports.values()[65_535]).toBe(65_535);
  });
});
