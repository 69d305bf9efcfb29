import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Topology } from "../model/types.js";
import { writeSpec } from "./write.js";

const HIDDEN_TEXT = [
  "esc \u001b[2J bell \u0007 cr \r nul \u0000",
  "csi \u009b31m nel \u0085",
  "bidi \u202eevil\u202c isolate \u2066x\u2069",
  "zero\u200bwidth\u200djoin \ufeff",
  "line\u2028separator",
  "tab\tand\nnewline",
  "lone \ud800 half",
];

const topology = (texts: readonly string[]): Topology => ({
  virtualNetworks: [],
  networkSecurityGroups: [
    {
      name: "nsg",
      location: texts[0] as string,
      securityRules: texts.map((description, i) => ({
        name: `r${i}`,
        description,
        protocol: "Tcp",
        access: "Allow",
        priority: 100 + i,
        direction: "Inbound",
      })),
    },
  ],
  applicationSecurityGroups: [],
  networkInterfaces: [],
  environments: [],
});

describe("writeSpec", () => {
  it("writes hidden characters as escapes that read back as the same text", () => {
    const text = writeSpec(topology(HIDDEN_TEXT), `Imported from evil\u001b]0;title\u0007.json`);
    const hidden = [...text].filter(
      (c) => c !== "\n" && /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(c),
    );
    expect(hidden).toEqual([]);
    expect(text).toContain("# Imported from evil\\u001b]0;title\\u0007.json");
    const read = parse(text) as {
      networkSecurityGroups: { location: string; securityRules: { description: string }[] }[];
    };
    const nsg = read.networkSecurityGroups[0];
    expect(nsg?.location).toBe(HIDDEN_TEXT[0]);
    expect(nsg?.securityRules.map((r) => r.description)).toEqual(HIDDEN_TEXT);
  });

  it("writes other text as before", () => {
    const text = writeSpec(topology(["plain", "with: colon", "ünïcödé 中文 😀"]));
    expect(text).toContain("description: plain\n");
    expect(text).toContain('description: "with: colon"\n');
    expect(text).toContain("description: ünïcödé 中文 😀\n");
  });
});
