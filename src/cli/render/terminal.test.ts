import { describe, expect, it } from "vitest";
import { Style, unstyled } from "./style.js";
import { renderTable } from "./table.js";
import { forTerminal, shortened } from "./terminal.js";

/** The characters a terminal would act on rather than show. */
const acted = (text: string) =>
  [...text].filter((c) => c !== "\n" && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(c));

describe("text for a terminal", () => {
  it("shows control, bidi and other hidden characters instead of passing them on", () => {
    const hostile = [
      "clear \u001b[2J\u001b[H",
      "title \u001b]0;owned\u0007",
      "link \u001b]8;;https://example.com\u001b\\x\u001b]8;;\u001b\\",
      "c1 csi \u009b31m",
      "cr \roverwrite",
      "nul \u0000 del \u007f backspace \b",
      "bidi \u202eexe.txt\u202c \u2067isolate\u2069 \u200f",
      "zero\u200bwidth",
      "line\u2028separator",
    ].join("\n");
    const shown = forTerminal(hostile);
    expect(acted(shown)).toEqual([]);
    expect(shown).toContain("clear \\u001b[2J\\u001b[H");
    expect(shown).toContain("c1 csi \\u009b31m");
    expect(shown).toContain("bidi \\u202eexe.txt\\u202c \\u2067isolate\\u2069 \\u200f");
    expect(shown.split("\n")).toHaveLength(9);
  });

  it("leaves text, tabs and line ends as they are, and JSON as JSON", () => {
    const text = "tab\there\nünïcödé 中文 😀 \u00a0";
    expect(forTerminal(text)).toBe(text);
    const value = { name: "a\u202eb\u009bc\u001bd" };
    const json = forTerminal(JSON.stringify(value, null, 2));
    expect(acted(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual(value);
  });

  it("writes tierwall's styles as escapes, and no style the user's text holds", () => {
    const style = new Style(true);
    const shown = forTerminal(
      `${style.red(style.bold("error"))}: ${style.cyan("\u001b[32mnot green\u001b[0m")}`,
    );
    expect(shown).toBe(
      "\u001b[31m\u001b[1merror\u001b[22m\u001b[39m: \u001b[36m\\u001b[32mnot green\\u001b[0m\u001b[39m",
    );
    expect(forTerminal(new Style(false).red("plain"))).toBe("plain");
  });

  it("lines up tables of styled cells by what the terminal shows", () => {
    const style = new Style(true);
    const table = renderTable(
      ["a", "b"],
      [
        [style.green("Allow"), "x"],
        ["Deny", "y"],
      ],
    );
    expect(unstyled(table).split("\n")).toEqual(["a      b", "-----  -", "Allow  x", "Deny   y"]);
  });
});

describe("long values in messages", () => {
  it("are cut to their start, with their length", () => {
    const name = "a".repeat(100_000);
    expect(shortened(`network security group name ${JSON.stringify(name)} is invalid`)).toBe(
      `network security group name "${"a".repeat(120)}…" (100000 characters) is invalid`,
    );
    expect(shortened(`${name}: no such file`)).toBe(
      `${"a".repeat(120)}… (100000 characters): no such file`,
    );
    // The length is the value's, not its JSON's.
    expect(shortened(JSON.stringify("\n".repeat(500)))).toContain("(500 characters)");
  });

  it("leave what is not long alone, ARM ids and code frames included", () => {
    const id = `/subscriptions/${"0".repeat(36)}/resourceGroups/${"g".repeat(90)}/providers/Microsoft.Network/virtualNetworks/${"v".repeat(64)}/subnets/${"s".repeat(80)}`;
    const frame = `12  |   name: ${"x".repeat(240)}`;
    for (const text of [`subnet "${id}" is not defined`, frame, "a b  c\n\td"])
      expect(shortened(text)).toBe(text);
    const once = shortened(`"${"b".repeat(1000)}" and ${"c".repeat(1000)}`);
    expect(shortened(once)).toBe(once);
  });
});
