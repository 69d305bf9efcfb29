/**
 * A small WebAssembly binary encoder: the value types, instructions and
 * sections the classifier's kernel uses, and nothing else.
 *
 * Code is written folded, operands before the operator as in the text format:
 * `i32.add(get(a), i32.const(1))`. Branches name their target with a Label
 * object rather than a depth; the encoder counts the depth when it lays the
 * body out, so a kernel can be assembled from helper functions without
 * tracking how deeply each piece ends up nested.
 */

export type ValueType = "i32" | "i64" | "v128";

const VALUE_TYPE: Readonly<Record<ValueType, number>> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };

/** A parameter or local of one function. */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

/** A branch target: the block, loop or if that entered it. */
export interface Label {
  readonly name: string;
}

type Marker =
  | { readonly enter: Label }
  | { readonly leave: true }
  | { readonly branch: number; readonly label: Label };

/** Instructions: bytes, label markers and nested lists of either. */
export type Code = number | Marker | readonly Code[];

// ---------------------------------------------------------------- numbers

/** Unsigned LEB128. */
export function uleb(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`not an unsigned 32-bit integer: ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw new RangeError(`not a signed 32-bit integer: ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)];
const name = (text: string): number[] => [...uleb(utf8(text).length), ...utf8(text)];
const vector = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];

// ---------------------------------------------------------------- instructions

const op =
  (opcode: number) =>
  (...operands: Code[]): Code => [operands, opcode];

/** Loads and stores take the address first; `offset` is added to it, `align` is log2 of the natural width. */
const memory =
  (opcode: number | readonly number[], align: number) =>
  (address: Code, offset = 0): Code => [address, opcode, align, ...uleb(offset)];

const store =
  (opcode: number, align: number) =>
  (address: Code, value: Code, offset = 0): Code => [
    address,
    value,
    opcode,
    align,
    ...uleb(offset),
  ];

export const get = (local: Local): Code => [0x20, ...uleb(local.index)];
export const set = (local: Local, value: Code): Code => [value, 0x21, ...uleb(local.index)];
/** `select(a, b, condition)`: a when the condition is non-zero, else b; both are evaluated. */
export const select = (a: Code, b: Code, condition: Code): Code => [a, b, condition, 0x1b];

export const i32 = {
  const: (value: number): Code => [0x41, ...sleb(value | 0)],
  load: memory(0x28, 2),
  load8u: memory(0x2d, 0),
  load16u: memory(0x2f, 1),
  store: store(0x36, 2),
  store8: store(0x3a, 0),
  eqz: op(0x45),
  ltS: op(0x48),
  ltU: op(0x49),
  leU: op(0x4d),
  geU: op(0x4f),
  add: op(0x6a),
  sub: op(0x6b),
  mul: op(0x6c),
  and: op(0x71),
  or: op(0x72),
  shl: op(0x74),
  shrU: op(0x76),
  wrapI64: op(0xa7),
};

export const i64 = {
  const: (value: number): Code => [0x42, ...sleb(value)],
  load: memory(0x29, 3),
  eqz: op(0x50),
  eq: op(0x51),
  gtU: op(0x56),
  geU: op(0x5a),
  ctz: op(0x7a),
  shrU: op(0x88),
  rotl: op(0x89),
  extendI32U: op(0xad),
};

const SIMD = 0xfd;

export const v128 = {
  load: memory([SIMD, ...uleb(0x00)], 4),
  and: (a: Code, b: Code): Code => [a, b, SIMD, ...uleb(0x4e)],
  anyTrue: (a: Code): Code => [a, SIMD, ...uleb(0x53)],
};

export const i64x2 = {
  extractLane: (a: Code, lane: 0 | 1): Code => [a, SIMD, ...uleb(0x1d), lane],
};

// ---------------------------------------------------------------- control

const EMPTY_BLOCK = 0x40;
const END = 0x0b;

export const label = (name: string): Label => ({ name });

/** A block: a branch to its label leaves it. */
export const block = (target: Label, body: readonly Code[]): Code => [
  0x02,
  EMPTY_BLOCK,
  { enter: target },
  body,
  { leave: true },
  END,
];

/** A loop: a branch to its label starts it again. */
export const loop = (target: Label, body: readonly Code[]): Code => [
  0x03,
  EMPTY_BLOCK,
  { enter: target },
  body,
  { leave: true },
  END,
];

/** `if` without a result: `otherwise` runs when the condition is zero. */
export function when(condition: Code, then: readonly Code[], otherwise?: readonly Code[]): Code {
  const scope = label("if");
  return [
    condition,
    0x04,
    EMPTY_BLOCK,
    { enter: scope },
    then,
    otherwise ? [0x05, otherwise] : [],
    { leave: true },
    END,
  ];
}

export const br = (target: Label): Code => ({ branch: 0x0c, label: target });
export const brIf = (target: Label, condition: Code): Code => [
  condition,
  { branch: 0x0d, label: target },
];

// ---------------------------------------------------------------- functions and modules

/** One function: its parameters (in order), the locals it declares, and its body. */
export class FunctionBuilder {
  readonly params: readonly Local[];
  private readonly locals: ValueType[] = [];
  private code: readonly Code[] = [];

  constructor(
    readonly exportName: string,
    params: readonly ValueType[],
    readonly results: readonly ValueType[] = [],
  ) {
    this.params = params.map((type, index) => ({ index, type }));
  }

  local(type: ValueType): Local {
    this.locals.push(type);
    return { index: this.params.length + this.locals.length - 1, type };
  }

  body(code: readonly Code[]): this {
    this.code = code;
    return this;
  }

  /** The function's type, as the type section writes it. */
  signature(): number[] {
    return [
      0x60,
      ...vector(this.params.map((p) => [VALUE_TYPE[p.type]])),
      ...vector(this.results.map((t) => [VALUE_TYPE[t]])),
    ];
  }

  /** The code section's entry: locals, then the instructions with branch depths resolved. */
  encode(): number[] {
    const locals = vector(this.locals.map((t) => [...uleb(1), VALUE_TYPE[t]]));
    const body = [...locals, ...layOut(this.code), END];
    return [...uleb(body.length), ...body];
  }
}

const isList = (c: Code): c is readonly Code[] => Array.isArray(c);

function layOut(code: Code): number[] {
  const out: number[] = [];
  const labels: Label[] = [];
  const walk = (c: Code): void => {
    if (typeof c === "number") out.push(c);
    else if (isList(c)) for (const item of c) walk(item);
    else if ("enter" in c) labels.push(c.enter);
    else if ("leave" in c) labels.pop();
    else {
      const at = labels.lastIndexOf(c.label);
      if (at < 0) throw new Error(`branch to ${c.label.name} outside its scope`);
      out.push(c.branch, ...uleb(labels.length - 1 - at));
    }
  };
  walk(code);
  return out;
}

export interface ModuleSpec {
  /** The memory the module imports as `env.memory`, with its minimum size in 64 KiB pages. */
  readonly memoryPages: number;
  /** Every function is exported under its name. */
  readonly functions: readonly FunctionBuilder[];
}

const section = (id: number, content: number[]): number[] => [
  id,
  ...uleb(content.length),
  ...content,
];

export function encodeModule(spec: ModuleSpec): Uint8Array {
  const { functions } = spec;
  const memoryImport = [...name("env"), ...name("memory"), 0x02, 0x00, ...uleb(spec.memoryPages)];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(functions.map((f) => f.signature()))),
    ...section(2, vector([memoryImport])),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.exportName), 0x00, ...uleb(i)]))),
    ...section(10, vector(functions.map((f) => f.encode()))),
  ]);
}
