/**
 * Reporting problems costs time in proportion to the input: a spec with
 * thousands of unknown keys or invalid rules, or an import with thousands of
 * unsupported lines, in text and JSON. Each case runs at two sizes, eight times
 * apart; linear work takes about eight times as long, quadratic work 64 times.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli/program.js";
import { Style } from "../src/cli/render/style.js";

/** Small sizes, large enough that the work measured outweighs what every run costs. */
const SIZES = { keys: 2000, rules: 500, lines: 2500 } as const;
/** How much larger the larger size is. */
const FACTOR = 8;
/** Far above the 8 of linear work, far below the 64 of quadratic work, on a machine busy with other work. */
const MOST = 24;

const quiet = { out: () => {}, err: () => {}, style: new Style(false) };

/** The fastest of three runs, in milliseconds: the others are slowed by whatever else runs. */
async function fastest(args: readonly string[]): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const code = await runCli(args, quiet);
    best = Math.min(best, performance.now() - start);
    expect(code).toBeLessThan(3);
  }
  return best;
}

const rule = (i: number, extra: object) => ({
  name: `r${i}`,
  protocol: "Tcp",
  access: "Allow",
  priority: 100 + i,
  direction: "Inbound",
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: "*",
  destinationPortRange: "80",
  ...extra,
});

/** A key that is no property, in one mapping. */
function unknownKeys(n: number): object {
  const nsg: Record<string, unknown> = { name: "nsg", securityRules: [] };
  for (let i = 0; i < n; i++) nsg[`unknownKey${i}`] = i;
  return { networkSecurityGroups: [nsg] };
}

/** Rules in NSGs of up to 1,000, each with one error of one of several kinds. */
function invalidRules(n: number): object {
  const kinds = [
    { destinationPortRange: "99999" },
    { protocol: "Tcpp" },
    { access: "Allw" },
    { sourceAddressPrefix: "10.0.0.1/33" },
    { prioritty: 100 },
  ];
  return {
    networkSecurityGroups: Array.from({ length: Math.ceil(n / 1000) }, (_, g) => ({
      name: `nsg${g}`,
      securityRules: Array.from({ length: Math.min(1000, n - 1000 * g) }, (_, i) =>
        rule(i, kinds[i % kinds.length] ?? {}),
      ),
    })),
  };
}

/** YAML, one key or item a line, as people write it. */
function yaml(value: unknown, indent = ""): string {
  if (Array.isArray(value))
    return value.map((item) => `${indent}- ${yaml(item, `${indent}  `).trimStart()}`).join("");
  if (typeof value === "object" && value !== null)
    return Object.entries(value)
      .map(([k, v]) =>
        typeof v === "object" && v !== null && (!Array.isArray(v) || v.length > 0)
          ? `${indent}${k}:\n${yaml(v, `${indent}  `)}`
          : `${indent}${k}: ${JSON.stringify(v)}\n`,
      )
      .join("");
  return `${JSON.stringify(value)}\n`;
}

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tierwall-scale-"));
  // Loads the commands' modules, so that no measured run pays for it.
  await runCli(["check", file("warm.yaml", yaml(unknownKeys(10)))], quiet);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each([
  ["unknown keys", unknownKeys, SIZES.keys],
  ["invalid rules", invalidRules, SIZES.rules],
] as const)("check with thousands of %s", (_, spec, size) => {
  it.each([
    ["yaml", ""],
    ["json", "--json"],
  ])("in %s costs time linear in their number %s", async (format, flag) => {
    const write = (n: number) => {
      const value = spec(n);
      return file(
        `${n}.${format}`,
        format === "json" ? JSON.stringify(value, null, 2) : yaml(value),
      );
    };
    const [small, larger] = [write(size), write(FACTOR * size)];
    const flags = flag ? [flag] : [];
    const ratio =
      (await fastest(["check", larger, ...flags])) / (await fastest(["check", small, ...flags]));
    expect(ratio).toBeLessThan(MOST);
  });
});

it("an import with thousands of problems costs time linear in their number", async () => {
  const script = (n: number) =>
    file(
      `${n}.sh`,
      Array.from({ length: n }, (_, i) => `az network frob${i} --name x${i}\n`).join(""),
    );
  const [small, larger] = [script(SIZES.lines), script(FACTOR * SIZES.lines)];
  // Unsupported commands are warnings; the failure is the empty import's.
  const run = async (path: string) => fastest(["import", "azcli", path]);
  const ratio = (await run(larger)) / (await run(small));
  expect(ratio).toBeLessThan(MOST);
});
