/** An inclusive range of ports, 0–65535. */
export interface PortRange {
  readonly first: number;
  readonly last: number;
}

export const ALL_PORTS: PortRange = { first: 0, last: 65535 };

export type PortRangeProblem = "syntax" | "outOfRange" | "reversed";
export type PortRangeParse =
  | { ok: true; range: PortRange }
  | { ok: false; problem: PortRangeProblem };

const PORT = /^[0-9]{1,5}$/;

/** Parses `*`, `443` or `1000-2000` as Azure accepts them in a port range field. */
export function parsePortRange(text: string): PortRangeParse {
  if (text === "*") return { ok: true, range: ALL_PORTS };
  const dash = text.indexOf("-");
  const firstText = dash < 0 ? text : text.slice(0, dash);
  const lastText = dash < 0 ? text : text.slice(dash + 1);
  if (!PORT.test(firstText) || !PORT.test(lastText)) return { ok: false, problem: "syntax" };
  const first = Number(firstText);
  const last = Number(lastText);
  if (first > 65535 || last > 65535) return { ok: false, problem: "outOfRange" };
  if (first > last) return { ok: false, problem: "reversed" };
  return { ok: true, range: { first, last } };
}

/** Azure's expanded form, as effective rules show it: `80-80`, `0-65535`. */
export function formatPortRangeExpanded(range: PortRange): string {
  return `${range.first}-${range.last}`;
}

export function formatPortRange(range: PortRange): string {
  if (range.first === 0 && range.last === 65535) return "*";
  return range.first === range.last ? String(range.first) : `${range.first}-${range.last}`;
}

export function portInRanges(port: number, ranges: readonly PortRange[]): boolean {
  for (const r of ranges) if (port >= r.first && port <= r.last) return true;
  return false;
}
