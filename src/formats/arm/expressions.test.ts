import { describe, expect, it } from "vitest";
import { MAX_NESTING } from "../../specfile/parse.js";
import { ExpressionTooDeep, NotStatic, TemplateContext } from "./expressions.js";
import { importArm } from "./import.js";

/** `concat(concat(...'a'...))`, `levels` calls deep. */
const nested = (levels: number) => `[${"concat(".repeat(levels)}'a'${")".repeat(levels)}]`;

/** Variables v0 ... v(n-1), each naming the next, and v(n) = "end". */
const chain = (n: number, kind: "variables" | "parameters") =>
  Object.fromEntries(
    Array.from({ length: n + 1 }, (_, i) => {
      const value = i === n ? "end" : `[${kind}('${kind[0]}${i + 1}')]`;
      return [`${kind[0]}${i}`, kind === "variables" ? value : { defaultValue: value }];
    }),
  );

describe("ARM template expressions nested deeply", () => {
  it(`evaluate up to ${MAX_NESTING} levels`, () => {
    const context = new TemplateContext({}, chain(MAX_NESTING - 1, "variables"), {});
    expect(context.value(nested(MAX_NESTING))).toBe("a");
    expect(context.value("[variables('v0')]")).toBe("end");
  });

  it("are refused past the limit, inside one string or through variables and parameters", () => {
    const context = new TemplateContext(chain(5000, "parameters"), chain(5000, "variables"), {});
    for (const text of [
      nested(MAX_NESTING + 1),
      nested(2000),
      "[variables('v0')]",
      "[parameters('p0')]",
    ])
      expect(() => context.value(text), text.slice(0, 40)).toThrow(ExpressionTooDeep);
  });

  it("are reported at their place in the template, naming the limit", () => {
    const template = {
      resources: [
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: nested(2000),
          properties: { securityRules: [] },
        },
        {
          type: "Microsoft.Network/networkSecurityGroups",
          name: "[variables('v0')]",
          properties: { securityRules: [] },
        },
      ],
      variables: chain(5000, "variables"),
    };
    const text = JSON.stringify(template, null, 1);
    const { diagnostics } = importArm(text, "deep.json");
    const deep = diagnostics.filter((d) => d.code === "ExpressionTooDeep");
    expect(deep.every((d) => d.severity === "error")).toBe(true);
    expect(deep.every((d) => d.message.includes(`${MAX_NESTING} is the limit`))).toBe(true);
    expect(deep.map((d) => d.path)).toEqual([
      ["resources", 0, "name"],
      ["resources", 1, "name"],
    ]);
    for (const d of deep) expect(d.location?.line).toBeGreaterThan(1);
  });
});

describe("ARM template functions whose arguments decide their value", () => {
  const context = new TemplateContext(
    {
      rules: { type: "array", nullable: true },
      obj: { type: "object", defaultValue: { Name: "web", list: [1, 2, 3] } },
      vm: { type: "string", defaultValue: "vm1" },
      secret: { type: "string" },
    },
    {
      copy: [{ name: "ports", count: 2, input: "[add(8000, copyIndex('ports'))]" }],
      same: "[parameters('obj')]",
    },
    {},
  );
  it.each([
    ["[coalesce(parameters('rules'), createArray('a'))]", ["a"]],
    ["[parameters('obj').name]", "web"],
    ["[parameters('obj')['list'][2]]", 3],
    ["[tryGet(parameters('obj'), 'missing')]", null],
    ["[length(union(parameters('obj').list, createArray(3, 4)))]", 4],
    ["[contains(createObject('Key', 1), 'key')]", true],
    ["[map(range(1, 3), lambda('i', mul(lambdaVariables('i'), 10)))]", [10, 20, 30]],
    ["[filter(parameters('obj').list, lambda('x', greater(lambdaVariables('x'), 1)))]", [2, 3]],
    ["[variables('ports')]", [8000, 8001]],
    ["[empty(parameters('rules'))]", true],
    ["[if(equals(parameters('vm'), 'vm1'), 'one', uniqueString('x'))]", "one"],
    ["[[literal]", "[literal]"],
  ])("%s is %j", (text, value) => {
    expect(context.value(text)).toEqual(value);
  });

  it.each([
    ["[uniqueString(parameters('vm'))]", "uniqueString() is known only when deploying"],
    ["[parameters('obj').nothing]", 'the object has no property "nothing"'],
    ["[format('{0:D2}', 1)]", "format() with the specifier {0:D2}"],
    ["[copyIndex()]", "copyIndex() outside a copy loop"],
    ["[parameters('secret')]", "parameter secret has no value and no defaultValue"],
  ])("%s is not known: %s", (text, why) => {
    expect(() => context.value(text)).toThrow(why);
  });

  it("gives a name a placeholder for what is not known, the same for the same value", () => {
    expect(context.name("[concat(parameters('secret'), '-nsg')]")).toBe("<secret>-nsg");
    expect(context.name("[concat(uniqueString(parameters('vm')), 'vnet')]")).toBe(
      "<uniqueString('vm1')>vnet",
    );
    expect(context.name("[format('{0}vnet', uniqueString( 'vm1' ))]")).toBe(
      "<uniqueString('vm1')>vnet",
    );
    expect([...context.placeholders.keys()]).toEqual(["<secret>", "<uniqueString('vm1')>"]);
    // Outside names, nothing is guessed.
    expect(() => context.value("[concat(parameters('secret'), '-nsg')]")).toThrow(NotStatic);
  });
});
