import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * Puts one benchmark's section into BENCHMARKS.md in place: the section that
 * starts with `heading` is replaced (or added at the end), the others are left
 * as they are, so each benchmark can be run alone.
 */
export function writeSection(file: string, heading: string, section: string): void {
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  const start = text.indexOf(heading);
  const next = start < 0 ? -1 : text.indexOf("\n## ", start + 1);
  const body = section.endsWith("\n") ? section : `${section}\n`;
  const updated =
    start < 0
      ? `${text.trimEnd()}\n\n${body}`
      : `${text.slice(0, start)}${body}${next < 0 ? "" : text.slice(next)}`;
  writeFileSync(file, updated);
}
