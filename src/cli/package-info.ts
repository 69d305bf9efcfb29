import { readFileSync } from "node:fs";

/** The package's own package.json (two folders up from the build's cli/): its version, and its homepage if it names one. */
export function packageInfo(): { version: string; homepage?: string } {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const json = JSON.parse(text) as { version: string; homepage?: unknown };
  return typeof json.homepage === "string"
    ? { version: json.version, homepage: json.homepage }
    : { version: json.version };
}
