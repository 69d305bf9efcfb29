import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

interface Block {
  readonly language: string;
  readonly line: number;
  readonly lines: readonly string[];
  /** The README shows this output after an edit it describes, so it is not run as it stands. */
  readonly afterEdit: boolean;
}

const AFTER_EDIT = "<!-- output after the edit above -->";

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== "```") end++;
    out.push({
      language: open[1] as string,
      line: start,
      lines: lines.slice(start, end),
      afterEdit: lines[i - 1] === AFTER_EDIT,
    });
    i = end;
  }
  return out;
}

/** A command of the tour: `tierwall ...` on an example, printing to the terminal and changing nothing. */
function tourCommand(block: Block): string[] | undefined {
  if (block.afterEdit) return undefined;
  const first = block.lines[0] ?? "";
  const command = /^\$ (?:npx )?tierwall (.+)$/.exec(first)?.[1];
  if (!command || !/\bexamples\//.test(command)) return undefined;
  if (/[<>|#]| -o | lab /.test(` ${command} `)) return undefined;
  return command.split(/\s+/);
}

beforeAll(requireBuild);

describe("the README's tour", () => {
  const tour = blocks(README).filter((b) => b.language === "console" && tourCommand(b));

  it("shows commands to check", () => {
    expect(tour.length).toBeGreaterThanOrEqual(5);
  });

  it.each(tour.map((b) => [`README.md:${b.line} ${b.lines[0]}`, b] as const))(
    "%s prints what the README shows, in order",
    (_, block) => {
      const args = tourCommand(block) as string[];
      const printed = tierwall(args)
        .all.split("\n")
        .map((l) => l.trimEnd());
      let at = 0;
      for (const shown of block.lines.slice(1).map((l) => l.trimEnd())) {
        if (shown === "" || /^\s*\.\.\.$/.test(shown)) continue;
        const found = printed.indexOf(shown, at);
        expect(
          found,
          `"${shown}" not printed (after line ${at + 1} of the output)`,
        ).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    },
  );
});

/** The examples of the command table that read an example (no lab, no shell redirection). */
function tableExamples(text: string): string[][] {
  const table = text.slice(text.indexOf("## Commands"));
  const rows = table.split("\n").filter((l) => l.startsWith("| `"));
  return rows
    .map((row) => /\| `npx tierwall ([^`]+)` \|$/.exec(row)?.[1] ?? "")
    .filter((command) => /\bexamples\//.test(command) && !/[<>|]| lab /.test(` ${command} `))
    .map((command) => command.split(/\s+/));
}

describe("the README's command table", () => {
  const examples = tableExamples(README);

  it("has examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each(examples.map((args) => [args.join(" "), args] as const))(
    "tierwall %s runs as the table says",
    (_, args) => {
      // In a folder of its own, where `examples` leads to the repository's, so that -o writes there.
      const cwd = mkdtempSync(join(tmpdir(), "tierwall-readme-"));
      symlinkSync(join(ROOT, "examples"), join(cwd, "examples"));
      try {
        // replay reads the logs the table's sample-logs example writes.
        if (args[0] === "replay")
          expect(
            tierwall(["sample-logs", args[1] as string, "-o", args[2] as string, "--days", "1"], {
              cwd,
            }).code,
          ).toBe(0);
        const run = tierwall(args, { cwd });
        expect(run.code, run.stderr).toBe(0);
        const output = args.indexOf("-o");
        const written = output < 0 ? undefined : join(cwd, args[output + 1] as string);
        const printed =
          written === undefined
            ? run.stdout
            : statSync(written).isDirectory()
              ? readdirSync(written).join("\n")
              : readFileSync(written, "utf8");
        if (args.includes("--json") || /sarif|\.json$/.test(args.join(" ")))
          expect(() => JSON.parse(printed)).not.toThrow();
        else expect(printed.length).toBeGreaterThan(0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
  );
});
