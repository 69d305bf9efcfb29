import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  type Scalar,
} from "yaml";
import { keyName } from "./locate.js";
import { MAX_NESTING, type TextProblem, tooDeep } from "./parse.js";

/**
 * How many values aliases may copy in all, each counted with everything it
 * holds. A spec that names one list of prefixes in every rule copies some
 * thousands; an alias bomb (each anchor a list of aliases to the one before)
 * copies billions.
 */
export const MAX_ALIASED_VALUES = 100_000;

/**
 * A parsed document as plain values, or its problems at their places. It does
 * what the yaml package's toJS does, save what toJS cannot place: toJS
 * throws without a position on an unknown or excessive alias, counts alias uses
 * rather than what they copy (so 101 uses of one short list fail), and warns on
 * stderr about a key that is a list or a mapping. Like toJS, every alias of an
 * anchor shares one value. Duplicate keys are reported here, in one pass, and
 * numbers written other than in decimal digits (`numbers`, with the value).
 */
export function plainValue(doc: Document): {
  value?: unknown;
  problems: TextProblem[];
  numbers: TextProblem[];
} {
  const converter = new Converter();
  const { numbers } = converter;
  try {
    const { value } = converter.convert(doc.contents, 0);
    return converter.problems.length > 0
      ? { problems: converter.problems, numbers }
      : { value, problems: [], numbers };
  } catch (e) {
    if (e instanceof Stop) return { problems: [...converter.problems, e.problem], numbers };
    throw e;
  }
}

class Stop {
  constructor(readonly problem: TextProblem) {}
}

/** A converted node: its value, how many values it holds, and how deep collections nest in it. */
interface Converted {
  readonly value: unknown;
  readonly size: number;
  readonly height: number;
}

const offsetOf = (node: Node | null | undefined) => node?.range?.[0] ?? 0;

/** A whole number in decimal digits, as a spec writes its numbers. */
const DECIMAL = /^-?[0-9]+$/;

class Converter {
  /** Problems that do not stop the conversion: duplicate keys. */
  readonly problems: TextProblem[] = [];
  /** Numbers written other than in decimal digits: errors in the value, which is still given. */
  readonly numbers: TextProblem[] = [];
  /** The latest node of each anchor name so far: an alias names the one before it. */
  private readonly anchors = new Map<string, Node>();
  private readonly converted = new Map<Node, Converted>();
  private readonly inside = new Set<Node>();
  private copied = 0;

  /** `depth` is how many collections hold the node. */
  convert(node: unknown, depth: number): Converted {
    if (isAlias(node)) return this.alias(node, depth);
    if (isMap(node) || isSeq(node) || isScalar(node)) {
      if (node.anchor === undefined) return this.value(node, depth);
      this.anchors.set(node.anchor, node);
      this.inside.add(node);
      const converted = this.value(node, depth);
      this.inside.delete(node);
      this.converted.set(node, converted);
      return converted;
    }
    return { value: null, size: 1, height: 0 };
  }

  private value(node: Node, depth: number): Converted {
    if (isSeq(node)) {
      const items = node.items.map((item) => this.convert(item, depth + 1));
      return collection(
        items.map((c) => c.value),
        items,
      );
    }
    if (isMap(node)) {
      const map: Record<string, unknown> = {};
      const values = node.items.map((pair) => {
        const key = this.key(pair.key as Node | null);
        const converted = this.convert(pair.value, depth + 1);
        if (Object.hasOwn(map, key)) {
          this.problems.push({
            code: "InvalidSyntax",
            message: "Map keys must be unique",
            offset: offsetOf(pair.key as Node | null),
          });
          return converted;
        }
        // Assigning to __proto__ would set the prototype, and the key would vanish.
        if (key === "__proto__")
          Object.defineProperty(map, key, {
            value: converted.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else map[key] = converted.value;
        return converted;
      });
      return collection(map, values);
    }
    const scalar = node as Scalar;
    if (typeof scalar.value === "number") this.checkNumber(scalar);
    return { value: scalar.value, size: 1, height: 0 };
  }

  /**
   * A number must be written as a whole number in decimal digits: YAML also
   * reads 1e3, 0x10, 0o20, +80, 80.0 and .inf as numbers, and JSON 1e3, where
   * Azure takes ports and priorities in digits only.
   */
  private checkNumber(scalar: Scalar): void {
    const written = scalar.source ?? String(scalar.value);
    const value = scalar.value as number;
    const problem = (message: string, hint: string) =>
      this.numbers.push({ code: "InvalidNumber", message, offset: offsetOf(scalar), hint });
    const wanted = "ports and priorities are whole numbers, like 443; quote text";
    if (!DECIMAL.test(written))
      problem(
        `${written}: numbers in a spec are whole numbers written in decimal digits`,
        Number.isSafeInteger(value) ? `write ${value}` : wanted,
      );
    else if (!Number.isSafeInteger(value))
      problem(
        `${written} is larger than any number a spec takes (at most ${Number.MAX_SAFE_INTEGER})`,
        wanted,
      );
  }

  private key(key: Node | null): string {
    const name = keyName(key);
    if (name !== undefined) {
      // An anchor may sit on a key, and an alias name it later.
      if (key) this.convert(key, 0);
      return name;
    }
    const what = isSeq(key) ? "a list" : isMap(key) ? "a mapping" : "an alias";
    throw new Stop({
      code: "InvalidKey",
      message: `a key must be a name, not ${what}`,
      offset: offsetOf(key),
    });
  }

  private alias(alias: Alias, depth: number): Converted {
    const name = alias.source;
    const target = this.anchors.get(name);
    const offset = offsetOf(alias);
    if (!target)
      throw new Stop({
        code: "UndefinedAlias",
        message: `alias *${name}: there is no anchor &${name} before it`,
        offset,
        hint: `write &${name} on the value it stands for, above its first use`,
      });
    const converted = this.converted.get(target);
    if (!converted || this.inside.has(target))
      throw new Stop({
        code: "RecursiveAlias",
        message: `alias *${name} is inside the value &${name} it names`,
        offset,
      });
    this.copied += converted.size;
    if (this.copied > MAX_ALIASED_VALUES)
      throw new Stop({
        code: "AliasLimitExceeded",
        message: `alias *${name}: aliases would copy more than ${MAX_ALIASED_VALUES} values, the limit`,
        offset,
        hint: "anchors that alias each other multiply: write the values out",
      });
    if (depth + converted.height > MAX_NESTING)
      throw new Stop(
        tooDeep(offset, `nesting deeper than ${MAX_NESTING} levels (through alias *${name})`),
      );
    return converted;
  }
}

function collection(value: unknown, items: readonly Converted[]): Converted {
  let size = 1;
  let height = 0;
  for (const item of items) {
    size += item.size;
    height = Math.max(height, item.height);
  }
  return { value, size, height: height + 1 };
}
