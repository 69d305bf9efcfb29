/**
 * The package as a user gets it: packed as it would be published, installed in
 * an empty project of its own, where the README's library examples are
 * type-checked against the shipped declarations and run, and print what their
 * comments say.
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild } from "./support/cli.js";

interface Example {
  readonly language: string;
  readonly line: number;
  readonly source: string;
  /** What the example prints: the comments after its console.log calls, in order. */
  readonly expected: string;
}

/** The README's ```ts (an ES module in TypeScript) and ```js (CommonJS) blocks. */
function examples(): Example[] {
  const lines = readFileSync(join(ROOT, "README.md"), "utf8").split("\n");
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const language = /^```(ts|js)$/.exec(lines[i] as string)?.[1];
    if (!language) continue;
    let end = i + 1;
    while (lines[end] !== "```") end++;
    const body = lines.slice(i + 1, end);
    out.push({
      language,
      line: i + 2,
      source: body.join("\n"),
      expected: body
        .filter((l) => l.includes("console.log("))
        .map((l) => /\/\/ (.+)$/.exec(l)?.[1] ?? "")
        .join(", "),
    });
    i = end;
  }
  return out;
}

const project = mkdtempSync(join(tmpdir(), "tierwall-package-"));
const EXAMPLES = examples();
const fileOf = (e: Example) => `example-${e.line}.${e.language === "ts" ? "ts" : "cjs"}`;

function run(command: string, args: readonly string[]) {
  return spawnSync(command, args, { cwd: project, encoding: "utf8" });
}

beforeAll(() => {
  requireBuild();
  // The tarball npm would publish (the build is already there: npm test made it).
  const pack = spawnSync(
    "npm",
    ["pack", "--ignore-scripts", "--json", "--pack-destination", project],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = join(
    project,
    (JSON.parse(pack.stdout) as { filename: string }[])[0]?.filename ?? "",
  );
  const installed = join(project, "node_modules", "tierwall");
  mkdirSync(installed, { recursive: true });
  expect(run("tar", ["-xzf", tarball, "-C", installed, "--strip-components=1"]).status).toBe(0);
  // Its dependencies (and the compiler's) as the repository has them: no registry is needed.
  for (const name of readdirSync(join(ROOT, "node_modules")))
    if (name !== ".bin" && name !== "tierwall")
      symlinkSync(join(ROOT, "node_modules", name), join(project, "node_modules", name));
  writeFileSync(join(project, "package.json"), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2023",
        module: "nodenext",
        moduleResolution: "nodenext",
        strict: true,
        types: ["node"],
        outDir: "out",
      },
      include: ["*.ts"],
    }),
  );
  for (const e of EXAMPLES) writeFileSync(join(project, fileOf(e)), `${e.source}\n`);
}, 60_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("the packed package", () => {
  it("holds the build, its declarations, the examples, the schema and the licence, and no source maps", () => {
    const listed = run("tar", ["-tzf", readdirSync(project).find((f) => f.endsWith(".tgz")) ?? ""]);
    const files = listed.stdout.split("\n").filter(Boolean);
    for (const file of [
      "package/LICENSE",
      "package/README.md",
      "package/dist/index.js",
      "package/dist/index.d.ts",
      "package/dist/cli/main.js",
      "package/examples/layered-ase/tierwall.yaml",
      "package/examples/layered-ase/guide.ps1",
      "package/schema/tierwall.schema.json",
    ])
      expect(files).toContain(file);
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".test.js"))).toEqual([]);
  });

  it("runs its command from the project", () => {
    const check = run(process.execPath, [
      "node_modules/tierwall/dist/cli/main.js",
      "check",
      "node_modules/tierwall/examples/layered-ase",
    ]);
    expect(check.stderr).toBe("");
    expect(check.stdout).toContain("19 assertions: 19 held, 0 failed");
  });

  it("type-checks the README's TypeScript examples against its declarations", () => {
    expect(EXAMPLES.filter((e) => e.language === "ts").length).toBeGreaterThanOrEqual(3);
    const tsc = run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc")]);
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, 60_000);

  it.each(EXAMPLES.map((e) => [`README.md:${e.line} (${e.language})`, e] as const))(
    "%s prints what its comments say",
    (_, e) => {
      const file = e.language === "ts" ? join("out", fileOf(e).replace(/\.ts$/, ".js")) : fileOf(e);
      expect(existsSync(join(project, file)), `${file} was not compiled`).toBe(true);
      const ran = run(process.execPath, [file]);
      expect(ran.stderr).toBe("");
      expect(ran.stdout.trimEnd().split("\n").join(", ")).toBe(e.expected);
    },
  );
});
