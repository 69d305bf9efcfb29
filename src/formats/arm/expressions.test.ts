import { describe, expect, it } from "vitest";
import { MAX_NESTING } from "../../specfile/parse.js";
import { ExpressionTooDeep, TemplateContext } from "./expressions.js";
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
