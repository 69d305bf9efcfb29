import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Document, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import {
  type Diagnostic,
  error,
  hasErrors,
  type SourceLocation,
  type ValuePath,
} from "../model/diagnostic.js";
import { buildNetwork, type Network } from "../model/network.js";
import { parseServiceTagFile, ServiceTagCatalog } from "../model/service-tags.js";
import type { Topology } from "../model/types.js";
import type { SpecAssertion } from "./assertions.js";
import { locate } from "./locate.js";
import { normalizeSpec } from "./normalize.js";
import { knownPropertyNames, type SpecDocument, specSchema } from "./schema.js";

export const SPEC_FILE_NAMES = ["tierwall.yaml", "tierwall.yml", "tierwall.json"];

/** A spec read from disk, checked and resolved. */
export interface LoadedSpec {
  readonly file: string;
  readonly network: Network;
  readonly assertions: readonly SpecAssertion[];
  /** The deployment as written, for tools that change it. */
  readonly topology: Topology;
  /** The tiers section as written: who may call whom. */
  readonly tiers: NonNullable<SpecDocument["tiers"]>;
  /** The line and column of a value in the spec, to place findings about it. */
  readonly locate: (path: ValuePath) => SourceLocation;
}

export interface LoadResult {
  readonly spec?: LoadedSpec;
  /** Every problem found, with its file, line and column. */
  readonly diagnostics: readonly Diagnostic[];
  /** The text of each file read, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
}

/** A parsed YAML or JSON file that can place a value path at a line and column. */
class SourceFile {
  readonly doc: Document;
  private readonly lineCounter = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      uniqueKeys: true,
      prettyErrors: false,
    });
  }

  locationOf(path: ValuePath, atKey = false): SourceLocation {
    return { file: this.file, ...locate(this.doc, this.lineCounter, path, atKey) };
  }

  at(d: Diagnostic, atKey = false): Diagnostic {
    return { ...d, location: this.locationOf(d.path, atKey) };
  }

  syntaxErrors(): Diagnostic[] {
    return [...this.doc.errors, ...this.doc.warnings].map((e) => {
      const { line, col } = this.lineCounter.linePos(e.pos[0]);
      const message = e.message.split("\n")[0] ?? e.message;
      return {
        severity: "error" as const,
        code: "InvalidSyntax",
        message,
        path: [],
        location: { file: this.file, line, column: col },
      };
    });
  }
}

/** Finds the spec: a file, or a folder holding tierwall.yaml (or .yml, .json). */
export function findSpecFile(target: string): { file?: string; diagnostic?: Diagnostic } {
  const path = resolve(target);
  if (!existsSync(path))
    return { diagnostic: error("SpecNotFound", `${target}: no such file or folder`, []) };
  if (!statSync(path).isDirectory()) return { file: path };
  for (const name of SPEC_FILE_NAMES)
    if (existsSync(join(path, name))) return { file: join(path, name) };
  return {
    diagnostic: error(
      "SpecNotFound",
      `${target} holds no ${SPEC_FILE_NAMES.join(", ")}`,
      [],
      "pass the spec file itself",
    ),
  };
}

/** Reads, checks and resolves a spec, collecting every problem rather than stopping at the first. */
export function loadSpec(target: string): LoadResult {
  const sources = new Map<string, string>();
  const found = findSpecFile(target);
  if (!found.file) return { diagnostics: [found.diagnostic as Diagnostic], sources };
  const display = displayName(found.file);
  const read = readText(found.file, display);
  if (read.diagnostic) return { diagnostics: [read.diagnostic], sources };
  sources.set(display, read.text);
  const source = new SourceFile(display, read.text);
  const syntax = source.syntaxErrors();
  if (syntax.length > 0) return { diagnostics: syntax, sources };

  const raw = source.doc.toJS() ?? {};
  const checked = checkShape(raw);
  const diagnostics: Diagnostic[] = checked.diagnostics.map((d) =>
    source.at(d, d.code === "UnknownProperty"),
  );
  if (!checked.data) return { diagnostics, sources };
  const misspelt = checked.diagnostics.filter((d) => d.code === "UnknownProperty");
  const report = (found: readonly Diagnostic[]) =>
    found.filter((d) => !explainedByTypo(d, misspelt)).map((d) => source.at(d));
  const normalized = normalizeSpec(checked.data);
  diagnostics.push(...report(normalized.diagnostics));

  let serviceTags = ServiceTagCatalog.empty;
  const tagsRef = checked.data.serviceTags;
  if (tagsRef !== undefined) {
    const loaded =
      typeof tagsRef === "string"
        ? loadServiceTags(resolve(dirname(found.file), tagsRef), sources, source)
        : {
            ...parseServiceTagFile(tagsRef),
            relocate: (d: Diagnostic) => source.at({ ...d, path: ["serviceTags", ...d.path] }),
          };
    serviceTags = loaded.catalog;
    diagnostics.push(...loaded.diagnostics.map(loaded.relocate));
    // Without its tags, every rule naming one would be reported as well.
    if (hasErrors(loaded.diagnostics)) return { diagnostics, sources };
  }

  // Rules that could not be normalized are left out of the topology, so the rest
  // is still worth checking: the user sees every problem in one run.
  const built = buildNetwork(normalized.topology, serviceTags);
  diagnostics.push(...report(built.diagnostics.map((d) => inDocument(d, normalized.ruleIndexes))));
  if (!built.network || hasErrors(diagnostics)) return { diagnostics, sources };
  const assertions = normalized.assertions.map((a) => ({
    ...a,
    location: source.locationOf(a.path),
  }));
  return {
    spec: {
      file: display,
      network: built.network,
      assertions,
      topology: normalized.topology,
      tiers: checked.data.tiers ?? [],
      locate: (path: ValuePath) => source.locationOf(path),
    },
    diagnostics,
    sources,
  };
}

/** Reads the service-tags file a spec names; an unreadable file is reported where the spec names it. */
function loadServiceTags(
  file: string,
  sources: Map<string, string>,
  spec: SourceFile,
): {
  catalog: ServiceTagCatalog;
  diagnostics: Diagnostic[];
  relocate: (d: Diagnostic) => Diagnostic;
} {
  const display = displayName(file);
  const read = readText(file, display);
  if (read.diagnostic)
    return {
      catalog: ServiceTagCatalog.empty,
      diagnostics: [read.diagnostic],
      relocate: (d) => spec.at({ ...d, path: ["serviceTags"] }),
    };
  let document: unknown;
  try {
    // Files saved by Windows tools may start with a byte order mark, which JSON.parse rejects.
    document = JSON.parse(read.text.replace(/^\uFEFF/, ""));
  } catch (e) {
    // Re-read with the YAML parser only on failure: it places the error, but is slow on large files.
    sources.set(display, read.text);
    const source = new SourceFile(display, read.text);
    const syntax = source.syntaxErrors();
    return {
      catalog: ServiceTagCatalog.empty,
      // YAML accepts some text that JSON does not (trailing commas, single quotes):
      // then JSON's own complaint is the report, or the file would pass as empty.
      diagnostics: syntax.length > 0 ? syntax : [jsonSyntaxError(e as Error, display, read.text)],
      relocate: (d) => d,
    };
  }
  const parsed = parseServiceTagFile(document);
  if (parsed.diagnostics.length === 0) return { ...parsed, relocate: (d) => d };
  sources.set(display, read.text);
  const source = new SourceFile(display, read.text);
  return { ...parsed, relocate: (d) => source.at(d) };
}

/** JSON.parse's error, placed at the position it names (V8 names one for most errors). */
function jsonSyntaxError(e: Error, file: string, text: string): Diagnostic {
  const position = /at position (\d+)/.exec(e.message)?.[1];
  const before = text.slice(0, position === undefined ? 0 : Number(position)).split("\n");
  return {
    severity: "error",
    code: "InvalidSyntax",
    message: `not valid JSON: ${e.message.replace(/\s+/g, " ")}`,
    path: [],
    location: { file, line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 },
  };
}

function readText(
  file: string,
  display: string,
): { text: string; diagnostic?: undefined } | { text?: undefined; diagnostic: Diagnostic } {
  try {
    return { text: readFileSync(file, "utf8") };
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    return { diagnostic: error("FileUnreadable", `${display}: ${reason}`, []) };
  }
}

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") || rel === "" ? file : rel;
}

type Issue = z.core.$ZodIssue;

function describePath(path: ValuePath): string {
  return (
    path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("") ||
    "the document"
  );
}

function valueAt(root: unknown, path: ValuePath): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Checks the document's shape. An unknown key (most often a typo) is reported,
 * then left out so that the rest of the document is still checked: one typo
 * must not hide every other problem. Any other shape error stops here, since
 * the model cannot be built from values of the wrong type.
 */
function checkShape(raw: unknown): { data?: SpecDocument; diagnostics: Diagnostic[] } {
  const first = specSchema.safeParse(raw);
  if (first.success) return { data: first.data, diagnostics: [] };
  const issues = first.error.issues;
  const diagnostics = issues.flatMap((issue) => schemaDiagnostics(issue, raw));
  if (issues.some((issue) => issue.code !== "unrecognized_keys")) return { diagnostics };
  const stripped = structuredClone(raw);
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const owner = valueAt(stripped, issue.path as ValuePath) as Record<string, unknown>;
    for (const key of issue.keys) delete owner[key];
  }
  const second = specSchema.safeParse(stripped);
  return second.success ? { data: second.data, diagnostics } : { diagnostics };
}

/** A diagnostic on the model, with the rule index of its path made the document's. */
function inDocument(d: Diagnostic, ruleIndexes: readonly (readonly number[])[]): Diagnostic {
  const [nsgs, i, rules, j, ...rest] = d.path;
  if (nsgs !== "networkSecurityGroups" || rules !== "securityRules") return d;
  if (typeof i !== "number" || typeof j !== "number") return d;
  const index = ruleIndexes[i]?.[j];
  return index === undefined ? d : { ...d, path: [nsgs, i, rules, index, ...rest] };
}

/**
 * Whether a problem reported at an object (a field it lacks) is explained by a
 * misspelt key in that object, directly or under its ARM `properties`.
 */
function explainedByTypo(d: Diagnostic, misspelt: readonly Diagnostic[]): boolean {
  return misspelt.some((u) => {
    const owner = u.path.slice(0, -1);
    const outer = owner[owner.length - 1] === "properties" ? owner.slice(0, -1) : owner;
    return samePath(d.path, owner) || samePath(d.path, outer);
  });
}

function samePath(a: ValuePath, b: ValuePath): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

let propertyNames: string[] | undefined;

/** A zod issue as diagnostics, in words a network engineer reads without knowing zod. */
function schemaDiagnostics(issue: Issue, raw: unknown): Diagnostic[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
  const where = describePath(path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        propertyNames ??= knownPropertyNames();
        const guess = closest(key, propertyNames);
        return error(
          "UnknownProperty",
          `${where}: unknown property ${JSON.stringify(key)}`,
          [...path, key],
          guess === key
            ? `${key} belongs elsewhere in the spec, not here`
            : guess
              ? `did you mean ${guess}?`
              : "unknown properties are errors, so that a typo cannot weaken a policy",
        );
      });
    case "invalid_type": {
      const actual = valueAt(raw, path);
      if (actual === undefined)
        return [error("MissingProperty", `${where} is required (${issue.expected})`, path)];
      return [
        error("InvalidType", `${where}: expected ${issue.expected}, got ${kindOf(actual)}`, path),
      ];
    }
    case "invalid_value":
      return [
        error(
          "InvalidValue",
          `${where}: ${kindOf(valueAt(raw, path))} is not one of ${issue.values.map(String).join(", ")}`,
          path,
        ),
      ];
    case "invalid_union": {
      // Each alternative failed; where they failed on the type itself, name the types they expect.
      const expected = [
        ...new Set(
          issue.errors.flatMap((branch) =>
            branch.flatMap((i) =>
              i.code === "invalid_type" && i.path.length === 0 ? [i.expected] : [],
            ),
          ),
        ),
      ];
      const wanted =
        expected.length > 0 ? `expected ${expected.join(" or ")}` : "it has the wrong shape";
      return [error("InvalidType", `${where}: ${wanted}, got ${kindOf(valueAt(raw, path))}`, path)];
    }
    default:
      return [error("InvalidValue", `${where}: ${issue.message}`, path)];
  }
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 4)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}
