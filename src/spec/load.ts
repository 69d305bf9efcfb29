import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { type Document, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import type { FlowAssertion } from "../engine/assertions.js";
import {
  type Diagnostic,
  error,
  hasErrors,
  type SourceLocation,
  type ValuePath,
} from "../model/diagnostic.js";
import { buildNetwork, type Network } from "../model/network.js";
import { parseServiceTagFile, ServiceTagCatalog } from "../model/service-tags.js";
import { locate } from "./locate.js";
import { normalizeSpec } from "./normalize.js";
import { knownPropertyNames, specSchema } from "./schema.js";

export const SPEC_FILE_NAMES = ["tierwall.yaml", "tierwall.yml", "tierwall.json"];

/** A spec read from disk, checked and resolved. */
export interface LoadedSpec {
  readonly file: string;
  readonly network: Network;
  readonly assertions: readonly FlowAssertion[];
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
  const checked = specSchema.safeParse(raw);
  if (!checked.success) {
    const diagnostics = checked.error.issues
      .flatMap((issue) => schemaDiagnostics(issue, raw))
      .map((d) => source.at(d, d.code === "UnknownProperty"));
    return { diagnostics, sources };
  }
  const normalized = normalizeSpec(checked.data);
  const diagnostics: Diagnostic[] = normalized.diagnostics.map((d) => source.at(d));

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
  }
  if (hasErrors(diagnostics)) return { diagnostics, sources };

  const built = buildNetwork(normalized.topology, serviceTags);
  diagnostics.push(...built.diagnostics.map((d) => source.at(d)));
  if (!built.network || hasErrors(diagnostics)) return { diagnostics, sources };
  const assertions = normalized.assertions.map((a) => ({
    ...a,
    location: source.locationOf(a.path),
  }));
  return { spec: { file: display, network: built.network, assertions }, diagnostics, sources };
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
    document = JSON.parse(read.text);
  } catch {
    // Re-read with the YAML parser only on failure: it places the error, but is slow on large files.
    sources.set(display, read.text);
    const source = new SourceFile(display, read.text);
    return {
      catalog: ServiceTagCatalog.empty,
      diagnostics: source.syntaxErrors(),
      relocate: (d) => d,
    };
  }
  const parsed = parseServiceTagFile(document);
  if (parsed.diagnostics.length === 0) return { ...parsed, relocate: (d) => d };
  sources.set(display, read.text);
  const source = new SourceFile(display, read.text);
  return { ...parsed, relocate: (d) => source.at(d) };
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
          guess
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
    case "invalid_union":
      return [
        error("InvalidType", `${where}: ${kindOf(valueAt(raw, path))} has the wrong shape`, path),
      ];
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
