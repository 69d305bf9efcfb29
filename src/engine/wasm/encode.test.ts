import { describe, expect, it } from "vitest";
import {
  block,
  br,
  brIf,
  encodeModule,
  FunctionBuilder,
  get,
  i32,
  label,
  loop,
  set,
  sleb,
  uleb,
  when,
} from "./encode.js";

describe("LEB128", () => {
  it("encodes unsigned and signed integers as the binary format does", () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb(0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(sleb(0)).toEqual([0]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(-64)).toEqual([0x40]);
    expect(sleb(-65)).toEqual([0xbf, 0x7f]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(-0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
  });

  it("refuses what does not fit 32 bits", () => {
    expect(() => uleb(-1)).toThrow(RangeError);
    expect(() => uleb(2 ** 32)).toThrow(RangeError);
    expect(() => sleb(2 ** 31)).toThrow(RangeError);
    expect(() => sleb(1.5)).toThrow(RangeError);
  });
});

/** sum(n): 0 + 1 + ... + (n - 1), with a block, a loop, if/else and both branches. */
function sumModule(): Uint8Array {
  const f = new FunctionBuilder("sum", ["i32"], ["i32"]);
  const [n] = f.params as [(typeof f.params)[0]];
  const i = f.local("i32");
  const total = f.local("i32");
  const done = label("done");
  const again = label("again");
  f.body([
    block(done, [
      loop(again, [
        brIf(done, i32.geU(get(i), get(n))),
        when(
          i32.ltU(get(i), i32.const(1_000_000)),
          [set(total, i32.add(get(total), get(i)))],
          [set(total, i32.const(-1))],
        ),
        set(i, i32.add(get(i), i32.const(1))),
        br(again),
      ]),
    ]),
    get(total),
  ]);
  return encodeModule({ memoryPages: 1, functions: [f] });
}

describe("encodeModule", () => {
  it("writes a module that validates and runs, with branch depths counted through nesting", () => {
    const bytes = sumModule() as Uint8Array<ArrayBuffer>;
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      env: { memory },
    });
    const sum = exports.sum as (n: number) => number;
    expect(sum(0)).toBe(0);
    expect(sum(10)).toBe(45);
    expect(sum(1000)).toBe(499500);
  });

  it("refuses a branch to a label outside its scope", () => {
    const f = new FunctionBuilder("bad", []);
    f.body([block(label("a"), []), br(label("elsewhere"))]);
    expect(() => encodeModule({ memoryPages: 1, functions: [f] })).toThrow(
      "branch to elsewhere outside its scope",
    );
  });
});
