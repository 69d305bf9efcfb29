import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import * as v from "valibot";
import { type Document, isMap, isScalar, LineCounter } from "yaml";
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
import { tierProblems } from "../synth/intent.js";
import type { SpecAssertion } from "./assertions.js";
import { invalidUtf8 } from "./encoding.js";
import { JsonLocator } from "./json-locate.js";
import { jsonSyntaxError } from "./json-syntax.js";
import { plainJson } from "./json-text.js";
import { locate } from "./locate.js";
import { normalizeSpec } from "./normalize.js";
import { parseYaml, type TextProblem } from "./parse.js";
import { plainValue } from "./plain.js";
import { type ReadArea, readArea, readInputFile } from "./read-file.js";
import { knownPropertyNames, type PartialItem, type SpecDocument, specSchema } from "./schema.js";

export const SPEC_FILE_NAMES = ["tierwall.yaml", "tierwall.yml", "tierwall.json"];

/** A spec read from disk, checked and resolved. */
export interface LoadedSpec {
  readonly file: string;
  readonly network: Network;
  readonly assertions: readonly SpecAssertion[];
  /** The document as written (checked against the schema), for tools that keep parts of it as they are. */
  readonly document: SpecDocument;
  /** The deployment as written, for tools that change it. */
  readonly topology: Topology;
  /** The tiers section as written: who may call whom. */
  readonly tiers: NonNullable<SpecDocument["tiers"]>;
  /** What the import that wrote the spec could not read (its `partial` section): answers hold for the rest. */
  readonly partial: readonly PartialItem[];
  /** Lint findings accepted on review (its `suppressions` section), each with its path. */
  readonly suppressions: readonly SpecSuppression[];
  /** The line and column of a value in the spec, to place findings about it. */
  readonly locate: (path: ValuePath) => SourceLocation;
}

/** A lint finding accepted on review, as the spec writes it. */
export interface SpecSuppression {
  readonly check: string;
  readonly at?: string;
  readonly reason: string;
  readonly expires: string;
  readonly path: ValuePath;
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
  /** Undefined when the text could not be parsed at all (nesting too deep). */
  readonly doc: Document | undefined;
  /** JSON that needs none of the YAML path's checks, read as such (json-text.ts); `doc` is then undefined. */
  readonly json: { readonly value: unknown; readonly locator: JsonLocator } | undefined;
  private readonly problems: readonly TextProblem[];
  private readonly lineCounter = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const value = plainJson(text);
    this.json = value ? { value, locator: new JsonLocator(text) } : undefined;
    if (this.json) {
      this.doc = undefined;
      this.problems = [];
      return;
    }
    const parsed = parseYaml(text, this.lineCounter);
    this.doc = parsed.doc;
    this.problems = parsed.problems;
  }

  locationOf(path: ValuePath, atKey = false): SourceLocation {
    if (this.json) return { file: this.file, ...this.json.locator.locate(path, atKey) };
    if (!this.doc) return this.locationAt(0);
    return { file: this.file, ...locate(this.doc, this.lineCounter, path, atKey) };
  }

  at(d: Diagnostic, atKey = false): Diagnostic {
    return { ...d, location: this.locationOf(d.path, atKey) };
  }

  /** What makes the text unreadable: YAML syntax, nesting, characters. */
  syntaxErrors(): Diagnostic[] {
    return this.problems.map((p) => this.placed(p));
  }

  /**
   * The document as plain values, or why it cannot be read as such; and the
   * numbers not written in decimal digits, errors that leave the value readable.
   */
  content(): { value?: unknown; diagnostics: Diagnostic[]; numbers: Diagnostic[] } {
    if (this.json) return { value: this.json.value, diagnostics: [], numbers: [] };
    const syntax = this.syntaxErrors();
    if (syntax.length > 0 || !this.doc) return { diagnostics: syntax, numbers: [] };
    const plain = plainValue(this.doc);
    return {
      value: plain.value,
      diagnostics: plain.problems.map((p) => this.placed(p)),
      numbers: plain.numbers.map((p) => this.placed(p)),
    };
  }

  private placed(p: TextProblem): Diagnostic {
    return { ...error(p.code, p.message, [], p.hint), location: this.locationAt(p.offset) };
  }

  private locationAt(offset: number): SourceLocation {
    if (this.json) return { file: this.file, ...this.json.locator.position(offset) };
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
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
  const found = findSpecFile(target);
  if (!found.file) return { diagnostics: [found.diagnostic as Diagnostic], sources: new Map() };
  const display = displayName(found.file);
  // The spec and the files it names are read inside its repository (read-file.ts).
  const area = readArea(dirname(found.file));
  const read = readText(found.file, display, area);
  if (read.diagnostic) return { diagnostics: [read.diagnostic], sources: new Map() };
  const folder = dirname(found.file);
  return loadSpecText(display, read.text, (ref, source) =>
    loadServiceTags(ref, folder, area, source),
  );
}

/** What reads a spec's `serviceTags: FILE`; absent where no file may be read (a server's request). */
type TagFileReader = (ref: string, source: SourceFile) => ReturnType<typeof loadServiceTags>;

/**
 * A spec given as text (`file` names it in diagnostics), checked and
 * resolved as `loadSpec` does; `serviceTags` naming a file is an error
 * unless `readTags` reads it.
 */
export function loadSpecText(file: string, text: string, readTags?: TagFileReader): LoadResult {
  const sources = new Map<string, string>([[file, text]]);
  const display = file;
  const source = new SourceFile(display, text);
  const content = source.content();
  const done = (diagnostics: readonly Diagnostic[], spec?: LoadedSpec): LoadResult => ({
    ...(spec && content.numbers.length === 0 ? { spec } : {}),
    diagnostics: capPerCode(oncePerNumber(content.numbers, diagnostics), withSuggestion),
    sources,
  });
  if (content.diagnostics.length > 0) return done(content.diagnostics);
  const top = topLevelProblem(source, content.value);
  if (top) return done([top]);

  const checked = checkShape(content.value);
  const diagnostics: Diagnostic[] = checked.diagnostics.map((d) =>
    source.at(d, d.code === "UnknownProperty"),
  );
  if (!checked.data) return done(diagnostics);
  const explained = typoExplains(checked.diagnostics);
  const report = (found: readonly Diagnostic[]) =>
    found.filter((d) => !explained(d)).map((d) => source.at(d));
  const normalized = normalizeSpec(checked.data);
  diagnostics.push(...report(normalized.diagnostics));

  // Without a file, the tags Azure publishes are known by name, their addresses symbolic.
  let serviceTags = ServiceTagCatalog.symbolic;
  const tagsRef = checked.data.serviceTags;
  if (tagsRef !== undefined) {
    const loaded =
      typeof tagsRef === "string"
        ? readTags
          ? readTags(tagsRef, source)
          : {
              catalog: ServiceTagCatalog.empty,
              diagnostics: [
                error(
                  "FileNotReadable",
                  `serviceTags: ${tagsRef} is a file, and no file is read here`,
                  [],
                  "write the service tags into the spec (serviceTags: { values: [...] }), or leave serviceTags out",
                ),
              ],
              relocate: (d: Diagnostic) => source.at({ ...d, path: ["serviceTags"] }),
            }
        : {
            ...parseServiceTagFile(tagsRef),
            relocate: (d: Diagnostic) => source.at({ ...d, path: ["serviceTags", ...d.path] }),
          };
    serviceTags = loaded.catalog;
    diagnostics.push(...loaded.diagnostics.map(loaded.relocate));
    // Without its tags, every rule naming one would be reported as well.
    if (hasErrors(loaded.diagnostics)) return done(diagnostics);
  }

  // Rules that could not be normalized are left out of the topology, so the rest
  // is still worth checking: the user sees every problem in one run.
  const built = buildNetwork(normalized.topology, serviceTags);
  diagnostics.push(...report(built.diagnostics.map((d) => inDocument(d, normalized.ruleIndexes))));
  // Tiers name the network's environments and tags: they are checked once it is built.
  if (built.network)
    diagnostics.push(...report(tierProblems(built.network, checked.data.tiers ?? [])));
  if (!built.network || hasErrors(diagnostics)) return done(diagnostics);
  const assertions = normalized.assertions.map((a) => ({
    ...a,
    location: source.locationOf(a.path),
  }));
  return done(diagnostics, {
    file: display,
    network: built.network,
    assertions,
    document: checked.data,
    topology: normalized.topology,
    tiers: checked.data.tiers ?? [],
    partial: checked.data.partial ?? [],
    suppressions: (checked.data.suppressions ?? []).map((item, i) => ({
      check: item.check,
      ...(item.at !== undefined ? { at: item.at } : {}),
      reason: item.reason,
      expires: item.expires,
      path: ["suppressions", i],
    })),
    locate: (path: ValuePath) => source.locationOf(path),
  });
}

/**
 * The numbers not written in decimal digits, and the other diagnostics but
 * those at the same place: a type or range error there is the same mistake.
 */
function oncePerNumber(
  numbers: readonly Diagnostic[],
  diagnostics: readonly Diagnostic[],
): Diagnostic[] {
  if (numbers.length === 0) return [...diagnostics];
  const place = (d: Diagnostic) => `${d.location?.line}:${d.location?.column}`;
  const taken = new Set(numbers.map(place));
  return [...numbers, ...diagnostics.filter((d) => !taken.has(place(d)))];
}

/**
 * At most this many diagnostics of one code are listed (in text and JSON
 * alike), then one that counts the rest and points at the next. The first few
 * show the pattern; thousands more of the same (a file of unknown keys is no
 * spec) bury every other problem. `detail` completes the listed ones only: it
 * may be costly.
 */
const LISTED_PER_CODE = 20;

function capPerCode(
  diagnostics: readonly Diagnostic[],
  detail: (d: Diagnostic) => Diagnostic,
): Diagnostic[] {
  const counts = new Map<string, number>();
  const listed: Diagnostic[] = [];
  const summaries = new Map<string, number>();
  for (const d of diagnostics) {
    const count = (counts.get(d.code) ?? 0) + 1;
    counts.set(d.code, count);
    if (count <= LISTED_PER_CODE) listed.push(detail(d));
    else if (count === LISTED_PER_CODE + 1) summaries.set(d.code, listed.push(d) - 1);
  }
  for (const [code, index] of summaries) {
    const next = listed[index] as Diagnostic;
    listed[index] = {
      ...next,
      message: `${(counts.get(code) ?? 0) - LISTED_PER_CODE} more ${code} problems not listed; the next is here`,
      hint: `only the first ${LISTED_PER_CODE} of each kind are listed`,
    };
  }
  return listed;
}

/**
 * An empty file, or a top level that is not a mapping of sections: either would
 * pass a check that checks nothing.
 */
function topLevelProblem(source: SourceFile, value: unknown): Diagnostic | undefined {
  // JSON is read as such only when its top is an object.
  if (source.json) return undefined;
  const top = source.doc?.contents;
  if (isMap(top)) return undefined;
  // A document of only comments or `---` holds an empty scalar.
  if (!top || (isScalar(top) && top.range?.[0] === top.range?.[1]))
    return {
      ...error(
        "EmptySpec",
        "the spec is empty",
        [],
        "a spec describes at least the network security groups to check",
      ),
      location: { file: source.file, line: 1, column: 1 },
    };
  return source.at(
    error(
      "InvalidType",
      `the spec must be a mapping of sections such as networkSecurityGroups:, not ${kindOf(value)}`,
      [],
    ),
  );
}

/**
 * Reads the service-tags file a spec names, relative to the spec's folder and
 * inside its repository; a path that cannot be read is reported where the spec
 * names it. Problems inside the file are placed at its lines, but its text is
 * never shown (no code frame, no quote in a message): the spec may come from
 * someone else, and the file is not the one the user asked to check.
 */
function loadServiceTags(
  ref: string,
  folder: string,
  area: ReadArea,
  spec: SourceFile,
): {
  catalog: ServiceTagCatalog;
  diagnostics: Diagnostic[];
  relocate: (d: Diagnostic) => Diagnostic;
} {
  const atValue = (d: Diagnostic) => spec.at({ ...d, path: ["serviceTags"] });
  if (ref.trim() === "")
    return {
      catalog: ServiceTagCatalog.empty,
      diagnostics: [
        error(
          "InvalidValue",
          "serviceTags: the path is empty",
          [],
          "name Azure's service-tags file, relative to the spec's folder, or leave serviceTags out",
        ),
      ],
      relocate: atValue,
    };
  const file = resolve(folder, ref);
  const display = displayName(file);
  const read = readText(file, display, area);
  if (read.diagnostic)
    return { catalog: ServiceTagCatalog.empty, diagnostics: [read.diagnostic], relocate: atValue };
  let document: unknown;
  try {
    // Files saved by Windows tools may start with a byte order mark, which JSON.parse rejects.
    document = JSON.parse(read.text.replace(/^\uFEFF/, ""));
  } catch (e) {
    const placed = jsonSyntaxError(e as Error, display, read.text);
    // V8 quotes the text around some errors ("Unexpected token 'r', "root:x:0:0"...").
    const message = placed.message.replace(/Unexpected token .*$/, "unexpected character");
    return {
      catalog: ServiceTagCatalog.empty,
      diagnostics: [{ ...placed, message }],
      relocate: (d) => d,
    };
  }
  const parsed = parseServiceTagFile(document);
  if (parsed.diagnostics.length === 0) return { ...parsed, relocate: (d) => d };
  const source = new SourceFile(display, read.text);
  return { ...parsed, relocate: (d) => source.at(d) };
}

function readText(
  file: string,
  display: string,
  area: ReadArea,
): { text: string; diagnostic?: undefined } | { text?: undefined; diagnostic: Diagnostic } {
  const { bytes, diagnostic } = readInputFile(file, { display, area });
  if (!bytes) return { diagnostic };
  const bad = invalidUtf8(bytes);
  if (!bad) return { text: bytes.toString("utf8") };
  return {
    diagnostic: {
      ...error(
        "InvalidEncoding",
        `the file is not UTF-8 text: byte 0x${bad.byte.toString(16).padStart(2, "0")}`,
        [],
        "save it as UTF-8",
      ),
      location: { file: display, line: bad.line, column: bad.column },
    },
  };
}

function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith("..") || rel === "" ? file : rel;
}

type Issue = v.BaseIssue<unknown>;

/** Where an issue is, as keys and indexes. */
const issuePath = (issue: Issue): ValuePath =>
  (issue.path ?? []).map((item) => item.key as string | number);

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
  const first = v.safeParse(specSchema, raw);
  if (first.success) return { data: first.output, diagnostics: [] };
  const diagnostics = first.issues.map(schemaDiagnostic);
  if (first.issues.some((issue) => !isUnknownKey(issue))) return { diagnostics };
  const stripped = structuredClone(raw);
  for (const issue of first.issues) {
    const path = issuePath(issue);
    const owner = valueAt(stripped, path.slice(0, -1)) as Record<string | number, unknown>;
    delete owner[path.at(-1) as string | number];
  }
  const second = v.safeParse(specSchema, stripped);
  return second.success ? { data: second.output, diagnostics } : { diagnostics };
}

/** The schema reports a key it does not know as a value that must not be there. */
const isUnknownKey = (issue: Issue) => issue.type === "never";

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
function typoExplains(shape: readonly Diagnostic[]): (d: Diagnostic) => boolean {
  const owners = new Set<string>();
  for (const u of shape) {
    if (u.code !== "UnknownProperty") continue;
    const owner = u.path.slice(0, -1);
    owners.add(JSON.stringify(owner));
    if (owner[owner.length - 1] === "properties") owners.add(JSON.stringify(owner.slice(0, -1)));
  }
  return (d) => owners.has(JSON.stringify(d.path));
}

let propertyNames: string[] | undefined;

/** A schema issue as a diagnostic, in words a network engineer reads without knowing the schema. */
function schemaDiagnostic(issue: Issue): Diagnostic {
  const path = issuePath(issue);
  const where = describePath(path);
  if (isUnknownKey(issue)) {
    // The hint comes later, from withSuggestion, for the listed ones only.
    const owner = describePath(path.slice(0, -1));
    return error(
      "UnknownProperty",
      `${owner}: unknown property ${JSON.stringify(path.at(-1))}`,
      path,
    );
  }
  switch (issue.type) {
    case "union": {
      // Each alternative failed; where they failed on the type itself, name the types they expect.
      const expected = [
        ...new Set(
          (issue.issues ?? []).flatMap((i) =>
            i.kind === "schema" && !i.path ? [typeName(i)] : [],
          ),
        ),
      ];
      const wanted =
        expected.length > 0 ? `expected ${expected.join(" or ")}` : "it has the wrong shape";
      return error("InvalidType", `${where}: ${wanted}, got ${kindOf(issue.input)}`, path);
    }
    case "picklist":
      return error(
        "InvalidValue",
        `${where}: ${kindOf(issue.input)} is not one of ${picklistOptions(issue).join(", ")}`,
        path,
      );
    case "min_length":
      return error(
        "InvalidValue",
        `${where}: Too small: expected string to have >=${issue.requirement} characters`,
        path,
      );
    case "safe_integer": {
      const big = (issue.input as number) > 0;
      const limit = big ? `<=${Number.MAX_SAFE_INTEGER}` : `>=${Number.MIN_SAFE_INTEGER}`;
      return error(
        "InvalidValue",
        `${where}: Too ${big ? "big" : "small"}: expected int to be ${limit}`,
        path,
      );
    }
  }
  if (issue.kind !== "schema") return error("InvalidValue", `${where}: ${issue.message}`, path);
  // The schema checks an absent property as undefined.
  if (issue.input === undefined)
    return error("MissingProperty", `${where} is required (${typeName(issue)})`, path);
  return error(
    "InvalidType",
    `${where}: expected ${typeName(issue)}, got ${kindOf(issue.input)}`,
    path,
  );
}

/**
 * The type an issue expects, in lower case (valibot names objects and lists
 * Object and Array); a picklist's values as they must be written.
 */
const typeName = (issue: Issue) => {
  const expected = String(issue.expected);
  return expected.startsWith("(") || expected.startsWith('"') ? expected : expected.toLowerCase();
};

/** A picklist's options, from what its issue expects: ("Allow" | "Deny"). */
const picklistOptions = (issue: Issue) =>
  String(issue.expected)
    .replace(/^\(|\)$/g, "")
    .split(" | ")
    .map((option) => option.slice(1, -1));

/** An unknown property with a hint: the property the key may have meant to be. */
function withSuggestion(d: Diagnostic): Diagnostic {
  if (d.code !== "UnknownProperty" || d.hint !== undefined) return d;
  const key = String(d.path[d.path.length - 1]);
  propertyNames ??= knownPropertyNames();
  const exact = closest(key, propertyNames);
  // A name known elsewhere may still be a near miss of one that belongs here (virtualNetwork, virtualNetworks).
  const guess =
    exact === key
      ? (closest(
          key,
          propertyNames.filter((n) => n !== key),
        ) ?? key)
      : exact;
  const hint =
    guess === key
      ? `${key} belongs elsewhere in the spec, not here`
      : guess
        ? `did you mean ${guess}?`
        : "unknown properties are errors, so that a typo cannot weaken a policy";
  return { ...d, hint };
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
