import { afterEach, describe, expect, it, vi } from "vitest";
import type { Io } from "./io.js";
import { progressLine } from "./progress.js";
import { Style } from "./render/style.js";

function io(interactive: boolean): Io & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    out: () => {},
    err: (t) => written.push(t),
    style: new Style(false),
    interactive,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("progress line", () => {
  it("shows nothing in the first second, then the phase and counts, and wipes itself", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const t = io(true);
    const p = progressLine(t, false);
    p.phase("lint: NSGs");
    p.step(1, 201);
    expect(t.written).toEqual([]);
    vi.setSystemTime(1500);
    p.step(100, 201);
    expect(t.written.join("")).toContain("lint: NSGs 100/201 1.5 s");
    // Redrawn at most every 80 ms.
    const drawn = t.written.length;
    p.step(101, 201);
    expect(t.written).toHaveLength(drawn);
    p.end();
    expect(t.written[t.written.length - 1]).toBe("\r\x1b[2K");
  });

  it("writes nothing where stderr is no terminal, or the output is for machines", () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    for (const [interactive, machine] of [
      [false, false],
      [true, true],
    ] as const) {
      const t = io(interactive);
      const p = progressLine(t, machine);
      vi.setSystemTime(5000);
      p.phase("reach");
      p.step(1, 2);
      p.end();
      expect(t.written).toEqual([]);
      vi.setSystemTime(0);
    }
  });
});
