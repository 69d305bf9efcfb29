import { describe, expect, it } from "vitest";
import { type Io, printJson, printJsonWithList } from "./io.js";
import { Style } from "./render/style.js";

function captured(write: (io: Io) => void): { text: string; pieces: number } {
  let text = "";
  let pieces = 0;
  write({
    out: (t) => {
      text += t;
      pieces++;
    },
    err: () => {},
    style: new Style(false),
  });
  return { text, pieces };
}

describe("printJsonWithList", () => {
  it("prints what printJson prints, whatever the list holds and wherever it sits", () => {
    const lists = [
      [],
      [1],
      [
        { from: "a", to: "b", allowed: [{ source: ["*"], ports: "443" }], omitted: 0 },
        "x\ny",
        null,
      ],
      Array.from({ length: 3 }, (_, i) => ({ nested: { deeper: [i, [i]] }, empty: [], none: {} })),
    ];
    for (const list of lists)
      for (const value of [
        { matrix: list },
        { before: [1, 2], matrix: list, after: { text: "\u0000list\u0000" } },
      ]) {
        const whole = captured((io) => printJson(io, value)).text;
        expect(captured((io) => printJsonWithList(io, value, "matrix", list)).text).toBe(whole);
        expect(JSON.parse(whole)).toEqual(value);
      }
  });

  it("writes a long list in pieces", () => {
    const list = Array.from({ length: 20_000 }, (_, i) => ({ from: `row-${i}`, to: "Internet" }));
    const { text, pieces } = captured((io) =>
      printJsonWithList(io, { matrix: list }, "matrix", list),
    );
    expect(pieces).toBeGreaterThan(1);
    expect(JSON.parse(text)).toEqual({ matrix: list });
  });
});
