import { type AddressNames, UNKNOWN_PUBLIC_BLOCKS } from "../model/public-ips.js";
import type { IpAddress } from "../net/address.js";
import { AddressSet } from "../net/address-set.js";
import { mergeIntervals } from "../net/intervals.js";
import { formatPrefix, parsePrefix, universe } from "../net/prefix.js";
import { FLOW_PROTOCOLS, type FlowProtocol, hasPorts } from "../net/protocol.js";
import { edges, FALSE, type Node, TRUE } from "./diagram.js";
import {
  FIELD_COUNT,
  FIELD_MAX,
  Field,
  protocolOf,
  type Span,
  spansToAddressSet,
} from "./fields.js";
import type { PacketSet } from "./packet-set.js";
import { tagTexts } from "./tag-names.js";

/** One rule-like line of a summary: the product of its fields. */
export interface SummaryLine {
  readonly protocols: readonly FlowProtocol[];
  /**
   * CIDR blocks; `*` alone for every address of both families. An address
   * that stands for one not known shows as its label (`<pip-web>`,
   * `10.0.1.x`), and `except <pip-web>` takes an unknown public address out
   * of the blocks before it.
   */
  readonly source: readonly string[];
  readonly destination: readonly string[];
  /** Port ranges (`80`, `1000-2000`); `*` for all. Empty for protocols without ports. */
  readonly destinationPorts: readonly string[];
  readonly sourcePorts: readonly string[];
}

export interface Summary {
  readonly lines: readonly SummaryLine[];
  /** Lines left out to keep the summary short. */
  readonly omitted: number;
}

type Cube = Span[][];

const FULL = (level: number): Span[] => [[0n, FIELD_MAX[level] as bigint]];

/**
 * The set as few rule-like lines as its diagram allows: one line per path to
 * TRUE, then lines that differ in one field only merged, until none do.
 * `names` labels the deployment's addresses that stand for ones not known.
 */
export function summarize(set: PacketSet, maxLines = 50, names?: AddressNames): Summary {
  const cubes: Cube[] = [];
  const limit = Math.max(maxLines * 20, 1000);
  collect(set.root, 0, [], cubes, limit);
  const lines = joinFamilies(mergeCubes(cubes).flatMap((cube) => toLines(cube, names)));
  return { lines: lines.slice(0, maxLines), omitted: Math.max(0, lines.length - maxLines) };
}

function collect(node: Node, level: number, path: Span[][], out: Cube[], limit: number): void {
  if (out.length >= limit || node === FALSE) return;
  if (node === TRUE || node.level > level) {
    if (level === FIELD_COUNT) {
      out.push(path);
      return;
    }
    collect(node, level + 1, [...path, FULL(level)], out, limit);
    return;
  }
  for (const { spans, kid } of edges(node)) {
    if (kid !== FALSE) collect(kid, level + 1, [...path, spans], out, limit);
  }
}

const key = (spans: readonly Span[]) => spans.map(([a, b]) => `${a}-${b}`).join(",");

const unionSpans = (a: readonly Span[], b: readonly Span[]): Span[] => mergeIntervals([...a, ...b]);

function mergeCubes(cubes: Cube[]): Cube[] {
  let current = cubes;
  let changed = true;
  while (changed) {
    changed = false;
    for (let field = 0; field < FIELD_COUNT; field++) {
      const groups = new Map<string, Cube>();
      for (const cube of current) {
        const k = cube.map((spans, i) => (i === field ? "" : key(spans))).join("|");
        const found = groups.get(k);
        if (found) {
          found[field] = unionSpans(found[field] as Span[], cube[field] as Span[]);
          changed = true;
        } else groups.set(k, [...cube]);
      }
      current = [...groups.values()];
    }
  }
  return current;
}

/** A cube as lines; one that mixes protocols with and without ports becomes two. */
function toLines(cube: Cube, names: AddressNames | undefined): SummaryLine[] {
  const protocols: FlowProtocol[] = [];
  for (const [first, last] of cube[Field.Protocol] as Span[])
    for (let v = first; v <= last; v++) protocols.push(protocolOf(v));
  const ported = protocols.filter(hasPorts);
  const portless = protocols.filter((p) => !hasPorts(p));
  const line = (ps: FlowProtocol[], withPorts: boolean): SummaryLine => ({
    protocols: ps.length === FLOW_PROTOCOLS.length ? ["*" as FlowProtocol] : ps,
    source: formatAddresses(cube[Field.Source] as Span[], names),
    destination: formatAddresses(cube[Field.Destination] as Span[], names),
    destinationPorts: withPorts ? formatPorts(cube[Field.DestinationPort] as Span[]) : [],
    sourcePorts: withPorts ? formatPorts(cube[Field.SourcePort] as Span[]) : [],
  });
  // The universe fixes the ports of portless protocols at 0: such a cube is any port-less packet.
  const zeroPorts =
    key(cube[Field.DestinationPort] as Span[]) === "0-0" &&
    key(cube[Field.SourcePort] as Span[]) === "0-0";
  if (ported.length === 0 || portless.length === 0 || !zeroPorts)
    return [line(protocols, ported.length > 0)];
  return [line(ported, true), line(portless, false)];
}

/**
 * A packet's two addresses share a family, so "any to any" is two lines in the
 * diagram, IPv4 and IPv6; shown as one.
 */
function joinFamilies(lines: SummaryLine[]): SummaryLine[] {
  const anyV4 = (l: SummaryLine) =>
    l.source.join() === "0.0.0.0/0" && l.destination.join() === "0.0.0.0/0";
  const anyV6 = (l: SummaryLine) => l.source.join() === "::/0" && l.destination.join() === "::/0";
  const rest = (l: SummaryLine) => JSON.stringify([l.protocols, l.destinationPorts, l.sourcePorts]);
  const out: SummaryLine[] = [];
  const used = new Set<SummaryLine>();
  for (const line of lines) {
    if (used.has(line)) continue;
    const twin = anyV4(line)
      ? lines.find((o) => !used.has(o) && anyV6(o) && rest(o) === rest(line))
      : undefined;
    if (twin) {
      used.add(twin);
      out.push({ ...line, source: ["*"], destination: ["*"] });
    } else out.push(line);
  }
  return out;
}

function formatAddresses(spans: readonly Span[], names: AddressNames | undefined): string[] {
  if (key(spans) === key(FULL(Field.Source))) return ["*"];
  return formatAddressSet(spansToAddressSet(spans), names);
}

/**
 * A set of addresses as CIDR blocks, the deployment's labelled addresses by
 * their labels. Stand-ins for unknown public addresses are never shown as
 * addresses: where the set holds the rest of their reserved block (as
 * "every Internet address" does), the block is shown whole and the stand-ins
 * the set lacks follow `except`; otherwise the stand-ins it holds are listed by name.
 */
export function formatAddressSet(set: AddressSet, names?: AddressNames): string[] {
  if (!names) return set.toPrefixes().map(formatPrefix);
  // Symbolic service tags first: by their names, or their area kept among the blocks.
  const tagged = tagTexts(set, names);
  let shown = tagged.shown;
  const listed: string[] = [...tagged.listed];
  const excepted: string[] = [...tagged.excepted];
  for (const family of [4, 6] as const) {
    const block = AddressSet.of([UNKNOWN_PUBLIC_BLOCKS[family]]);
    const standIns = names.unknownPublic.intersect(block);
    if (standIns.isEmpty()) continue;
    const labels = (of: AddressSet) => addressesOf(of, family).map((a) => names.text(a));
    if (block.minus(standIns).isSubsetOf(shown)) {
      shown = shown.union(standIns);
      excepted.push(...labels(standIns.minus(set)));
    } else {
      shown = shown.minus(standIns);
      listed.push(...labels(standIns.intersect(set)));
    }
  }
  const texts = shown
    .toPrefixes()
    .map(
      (p) =>
        (p.first === p.last ? names.label({ family: p.family, value: p.first }) : undefined) ??
        formatPrefix(p),
    );
  return [...texts, ...listed.sort(), ...excepted.sort().map((e) => `except ${e}`)];
}

/** The addresses of a small set (a deployment's stand-ins), one by one. */
function addressesOf(set: AddressSet, family: 4 | 6): IpAddress[] {
  const out: IpAddress[] = [];
  for (const [first, last] of set.intervals(family))
    for (let value = first; value <= last; value++) out.push({ family, value });
  return out;
}

function formatPorts(spans: readonly Span[]): string[] {
  if (key(spans) === "0-65535") return ["*"];
  return spans.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
}

/** A line as text: `Tcp 198.51.100.0/24 -> 10.0.3.0/24 ports 80,443`. */
export function formatSummaryLine(line: SummaryLine, maxPrefixes = 6): string {
  const addresses = (list: readonly string[]) => {
    const text = shortestForm(list);
    return text.length <= maxPrefixes
      ? text.join(",")
      : `${text.slice(0, maxPrefixes).join(",")},… (${text.length} prefixes)`;
  };
  const protocol = line.protocols.join(",");
  let text = `${protocol} ${addresses(line.source)} -> ${addresses(line.destination)}`;
  if (line.destinationPorts.length > 0) text += ` ports ${line.destinationPorts.join(",")}`;
  if (line.sourcePorts.length > 0 && line.sourcePorts[0] !== "*")
    text += ` from ports ${line.sourcePorts.join(",")}`;
  return text;
}

/**
 * A line that fits `width` columns: as `formatSummaryLine` writes it, else
 * with each `except` list counted ("10.1.2.0/23 except 5 blocks") and fewer
 * prefixes, else cut with an ellipsis. The whole line is in the JSON.
 */
export function formatSummaryLineWithin(line: SummaryLine, width: number): string {
  const full = formatSummaryLine(line);
  if (full.length <= width) return full;
  const counted = (list: readonly string[]) =>
    shortestForm(list).map((t) => {
      const at = t.indexOf(" except ");
      if (at < 0) return t;
      const holes = t.slice(at + 8).split(",").length;
      return `${t.slice(0, at)} except ${holes} block${holes === 1 ? "" : "s"}`;
    });
  for (const max of [6, 3, 1]) {
    const text = formatSummaryLine(
      { ...line, source: counted(line.source), destination: counted(line.destination) },
      max,
    );
    if (text.length <= width) return text;
  }
  return `${full.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * A list of prefixes, or the one block that covers them followed by
 * `except` and its holes, whichever is shorter: "198.51.100.0/24 except
 * 198.51.100.11/32" rather than eight prefixes.
 */
export function shortestForm(list: readonly string[]): string[] {
  // Labels and `except` items (formatAddressSet) follow the blocks' own form.
  const labelled = list.filter((t) => !parsePrefix(t).ok && t !== "*");
  if (labelled.length === 0) return blocksForm(list);
  const excepted = labelled.filter((t) => t.startsWith("except ")).map((t) => t.slice(7));
  const form = [
    ...blocksForm(list.filter((t) => !labelled.includes(t))),
    ...labelled.filter((t) => !t.startsWith("except ")),
  ];
  if (excepted.length === 0) return form;
  const only = form.length === 1 ? form[0] : undefined;
  if (only === undefined) return [...form, `except ${excepted.join(",")}`];
  return [`${only}${only.includes(" except ") ? "," : " except "}${excepted.join(",")}`];
}

function blocksForm(list: readonly string[]): string[] {
  if (list.length < 3 || list.includes("*")) return [...list];
  const prefixes = list.map((t) => parsePrefix(t)).flatMap((p) => (p.ok ? [p.prefix] : []));
  const family = prefixes[0]?.family;
  if (
    prefixes.length !== list.length ||
    prefixes.some((p) => p.family !== family) ||
    family === undefined
  )
    return [...list];
  const first = prefixes.reduce((m, p) => (p.first < m ? p.first : m), prefixes[0]?.first ?? 0n);
  const last = prefixes.reduce((m, p) => (p.last > m ? p.last : m), 0n);
  let cover = universe(family);
  for (let length = cover.length; length <= (family === 4 ? 32 : 128); length++) {
    const size = 1n << BigInt((family === 4 ? 32 : 128) - length);
    const start = (first / size) * size;
    if (start + size - 1n < last) break;
    cover = { family, first: start, last: start + size - 1n, length };
  }
  const holes = AddressSet.of([cover]).minus(AddressSet.of(prefixes)).toPrefixes();
  if (holes.length + 1 >= list.length) return [...list];
  return [`${formatPrefix(cover)} except ${holes.map(formatPrefix).join(",")}`];
}

/**
 * A line as its traffic only (`Tcp 80,443`), for a cell whose two ends are
 * known; the addresses are kept where they narrow it to a few blocks.
 */
export function formatTraffic(
  line: SummaryLine,
  ends: { source?: boolean; destination?: boolean } = {},
): string {
  let text = line.protocols.join(",");
  if (line.destinationPorts.length > 0) text += ` ${line.destinationPorts.join(",")}`;
  if (line.sourcePorts.length > 0 && line.sourcePorts[0] !== "*")
    text += ` from ports ${line.sourcePorts.join(",")}`;
  const narrow = (list: readonly string[]) => {
    const form = shortestForm(list);
    return form.length <= 3 && !form.includes("*") ? form.join(",") : undefined;
  };
  const source = ends.source ? narrow(line.source) : undefined;
  const destination = ends.destination ? narrow(line.destination) : undefined;
  if (source) text += ` from ${source}`;
  if (destination) text += ` to ${destination}`;
  return text;
}
