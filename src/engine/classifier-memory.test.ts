import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import type { ParsedRule } from "../model/rule.js";
import { AddressSet } from "../net/address-set.js";
import { ALL_PORTS } from "../net/ports.js";
import { FlowClassifier } from "./classifier.js";
import { CHUNK, ClassifierMemory } from "./classifier-memory.js";
import type { Packet } from "./packet.js";
import type { ResolvedRule } from "./resolve.js";

const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

/** `count` rules, rule i alone matching destination port `first + i`. */
function portRules(count: number, first: number): ResolvedRule[] {
  return Array.from({ length: count }, (_, i) => ({
    rule: { name: `r${i}`, isDefault: false } as ParsedRule,
    access: "Allow",
    priority: 100 + i,
    protocol: "Tcp",
    source: AddressSet.all,
    sourcePorts: [ALL_PORTS],
    destination: AddressSet.all,
    destinationPorts: [{ first: first + i, last: first + i }],
  }));
}

const tcp = (destinationPort: number): Packet => ({
  protocol: "Tcp",
  source: { family: 4, value: 0x01020304n },
  sourcePort: 50000,
  destination: { family: 4, value: 0x0a000001n },
  destinationPort,
});

/** Room for the scratch area and `images` images of `size` bytes, but not one more. */
const roomFor = (images: number, size: number) => 42 * CHUNK + 4096 + images * size + size / 2;

describe("ClassifierMemory", () => {
  const rules = [portRules(1000, 1000), portRules(1000, 3000), portRules(1000, 5000)];
  const size = Math.max(...rules.map((r) => FlowClassifier.compile(r).byteLength));

  it("keeps the images used most recently, and copies an evicted one in again", () => {
    const memory = new ClassifierMemory(roomFor(2, size));
    const [a, b, c] = rules.map((r) => FlowClassifier.compile(r, memory)) as [
      FlowClassifier,
      FlowClassifier,
      FlowClassifier,
    ];
    const ask = (classifier: FlowClassifier, first: number) => {
      expect(classifier.matchIndex(tcp(first + 999))).toBe(999);
      expect(classifier.matchIndex(tcp(first - 1))).toBe(-1);
    };
    ask(a, 1000);
    ask(b, 3000);
    ask(a, 1000);
    expect(memory.loads).toBe(2);
    ask(c, 5000); // evicts b, used longest ago
    expect(memory.loads).toBe(3);
    ask(a, 1000);
    expect(memory.loads).toBe(3);
    ask(b, 3000);
    expect(memory.loads).toBe(4);
    expect(memory.resident).toBeLessThanOrEqual(2 * size);
    expect(memory.reserved).toBeLessThanOrEqual(roomFor(2, size) + 65536);
  });

  it("decides correctly while images take turns in a memory too small for all of them", () => {
    const memory = new ClassifierMemory(roomFor(1, size));
    const classifiers = rules.map((r) => FlowClassifier.compile(r, memory));
    const n = 2000;
    const flows = {
      protocol: new Uint8Array(n),
      source: new Uint32Array(n),
      sourcePort: new Uint16Array(n),
      destination: new Uint32Array(n),
      destinationPort: Uint16Array.from({ length: n }, (_, i) => 1000 + 3 * i),
    };
    for (let round = 0; round < 3; round++)
      classifiers.forEach((c, k) => {
        const out = { rule: new Int32Array(n), access: new Uint8Array(n) };
        c.decide4(flows, out);
        const first = 1000 + 2000 * k;
        out.rule.forEach((rule, i) => {
          const port = 1000 + 3 * i;
          const expected = port >= first && port < first + 1000 ? port - first : -1;
          if (rule !== expected) expect({ i, rule }).toEqual({ i, rule: expected });
        });
      });
    expect(memory.loads).toBe(9);
  });

  it("refuses an image larger than the whole memory, saying so, and keeps the others", () => {
    const memory = new ClassifierMemory(roomFor(0, size));
    const small = FlowClassifier.compile(portRules(10, 1000), memory);
    expect(small.matchIndex(tcp(1009))).toBe(9);
    const c = FlowClassifier.compile(rules[0] as ResolvedRule[], memory);
    expect(() => c.matchIndex(tcp(1000))).toThrow(
      new RegExp(
        `^a compiled classifier of ${c.byteLength} bytes does not fit a classifier memory of \\d+ bytes$`,
      ),
    );
    expect(small.matchIndex(tcp(1009))).toBe(9);
    expect(memory.loads).toBe(1);
  });

  it("refuses a limit that is not a number of bytes", () => {
    expect(() => new ClassifierMemory(Number.NaN)).toThrow(
      new RangeError("a classifier memory's limit is a number of bytes, not NaN"),
    );
    expect(() => new ClassifierMemory("1e6" as unknown as number)).toThrow(/not 1e6$/);
  });

  it("frees a collected classifier's image without waiting for it to be the oldest", async () => {
    const memory = new ClassifierMemory();
    const use = () => {
      const c = FlowClassifier.compile(portRules(100, 1000), memory);
      expect(c.matchIndex(tcp(1050))).toBe(50);
    };
    use();
    use();
    expect(memory.resident).toBeGreaterThan(0);
    // Finalizers run after a collection, on a later turn of the event loop.
    for (let i = 0; i < 50 && memory.resident > 0; i++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(memory.resident).toBe(0);
  });
});
