import { availableParallelism } from "node:os";
import { type Exposure, environmentRows, exposureOf, INTERNET } from "../../analysis/matrix.js";
import {
  GROUP_BYS,
  type GroupBy,
  groupOf,
  type Row,
  type RowFilter,
  rowFilter,
} from "../../analysis/matrix-rows.js";
import { ReachAnalyzer } from "../../analysis/reach.js";
import { formatSummaryLine, formatTraffic } from "../../analysis/summary.js";
import type { Network } from "../../model/network.js";
import { reachMatrixOnThreads } from "../../threads/reach-matrix.js";
import { EXIT, type Io, printJson, printJsonWithList, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { threadsOption } from "../numbers.js";
import { partialJson } from "../partial.js";
import { progressLine } from "../progress.js";
import { renderTable } from "../render/table.js";

export interface MatrixOptions {
  json?: boolean;
  format?: string;
  /** Rows kept (reach: callers; exposure: Internet sources), repeatable, comma-separated. */
  from?: string[];
  /** Columns kept (reach: callees; exposure: the rows). */
  to?: string[];
  groupBy?: string;
  /** reach: threads to compute the matrix on. */
  threads?: string;
}

/** Fewer cells than this and no --threads: one thread (a worker costs its start and a network of its own). */
export const CELLS_PER_THREAD = 5000;

/** More rows than this and no --group-by: the rows are gathered by subnet, or by virtual network. */
export const AUTO_GROUP_ROWS = 60;

/** `--from A,B --from C` as [A, B, C]. */
function listOf(values: readonly string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** The --from and --to filters and the --group-by, or an error already reported. */
function rowOptions(
  io: Io,
  options: MatrixOptions,
  network: Network,
  json: boolean,
): { from?: RowFilter; to?: RowFilter; groupBy?: GroupBy } | undefined {
  const out: { from?: RowFilter; to?: RowFilter; groupBy?: GroupBy } = {};
  if (options.groupBy !== undefined) {
    if (!(GROUP_BYS as readonly string[]).includes(options.groupBy)) {
      usageError(
        io,
        json,
        "InvalidOption",
        `--group-by ${options.groupBy}: expected ${GROUP_BYS.join(", ")}`,
      );
      return undefined;
    }
    out.groupBy = options.groupBy as GroupBy;
  }
  for (const side of ["from", "to"] as const) {
    const texts = listOf(options[side]);
    if (!texts) continue;
    if (texts.length === 0) {
      usageError(io, json, "InvalidOption", `--${side} names nothing`);
      return undefined;
    }
    const r = rowFilter(network, texts);
    if (!r.ok) {
      usageError(
        io,
        json,
        "InvalidEndpoint",
        `--${side}: ${r.message}${r.hint ? ` (${r.hint})` : ""}`,
      );
      return undefined;
    }
    out[side] = r.filter;
  }
  return out;
}

/**
 * The grouping: the one asked for, else one row per environment unless more
 * than AUTO_GROUP_ROWS are kept, then the finest of subnet and virtual network
 * that has no more rows.
 */
function chooseGroup(
  asked: GroupBy | undefined,
  rows: readonly Row[],
): { by: GroupBy; automatic: boolean } {
  if (asked) return { by: asked, automatic: false };
  if (rows.length <= AUTO_GROUP_ROWS) return { by: "environment", automatic: false };
  const count = (by: GroupBy) => new Set(rows.map((r) => groupOf(r, by))).size;
  return { by: count("subnet") <= AUTO_GROUP_ROWS ? "subnet" : "vnet", automatic: true };
}

function checkFormat(io: Io, format: string | undefined): boolean {
  if (format === undefined || format === "text" || format === "markdown") return true;
  io.err(`${io.style.red("error")}: --format ${format}: expected text or markdown\n`);
  return false;
}

/** The reachability matrix: what each environment, and the Internet, may send to each other one. */
export async function runReach(target: string, options: MatrixOptions, io: Io): Promise<number> {
  if (!checkFormat(io, options.format)) return EXIT.invalid;
  const json = options.json === true;
  const { threads: asked, error: threadsError } = threadsOption(options.threads);
  if (threadsError) return usageError(io, json, "InvalidOption", threadsError);
  const loaded = loadForCommand(target, io, json);
  if (!loaded) return EXIT.invalid;
  const network = loaded.spec.network;
  const chosen = rowOptions(io, options, network, json);
  if (!chosen) return EXIT.invalid;
  // Gathered when the rows or the columns kept are too many.
  const envs = environmentRows(network);
  const rowsKept = envs.filter((r) => !chosen.from || chosen.from.keeps(r));
  const columnsKept = envs.filter((r) => !chosen.to || chosen.to.keeps(r));
  const group = chooseGroup(
    chosen.groupBy,
    rowsKept.length >= columnsKept.length ? rowsKept : columnsKept,
  );
  const groups = (kept: readonly Row[]) => new Set(kept.map((r) => groupOf(r, group.by))).size;
  const cellCount = (groups(rowsKept) + 1) * (groups(columnsKept) + 1);
  const threads =
    asked ?? (cellCount >= CELLS_PER_THREAD ? Math.min(availableParallelism(), 64) : 1);
  const progress = progressLine(io, json);
  progress.phase("reach: cells");
  // In blocks even on one thread: between blocks the collector may take what each block made.
  const { names, rows, columns, cells } = await reachMatrixOnThreads(
    network,
    loaded.spec.topology,
    {
      groupBy: group.by,
      ...(options.from ? { from: listOf(options.from) } : {}),
      ...(options.to ? { to: listOf(options.to) } : {}),
    },
    { threads, progress: (done, total) => progress.step(done, total) },
  );
  progress.end();
  const shaped = chosen.from !== undefined || chosen.to !== undefined || group.by !== "environment";
  if (json) {
    printJsonWithList(
      io,
      {
        environments: group.by === "environment" ? names.filter((n) => n !== INTERNET) : [],
        ...(shaped ? { groupBy: group.by, rows, columns } : {}),
        ...(group.automatic ? { groupedAutomatically: true } : {}),
        matrix: cells,
        ...partialJson(loaded.spec),
      },
      "matrix",
      cells,
    );
    return EXIT.ok;
  }
  if (group.automatic)
    io.err(
      `${io.style.dim(`${envs.length} environments: rows gathered by ${group.by === "vnet" ? "virtual network" : "subnet"}; --group-by environment for one row each, --from/--to to narrow`)}\n`,
    );
  const byCell = new Map(cells.map((c) => [`${c.from}\u0000${c.to}`, c]));
  const text = (from: string, to: string) => {
    const cell = byCell.get(`${from}\u0000${to}`);
    if (!cell || cell.allowed.length === 0) return "-";
    if (cell.all) return "all";
    const parts = cell.allowed.map((l) =>
      formatTraffic(l, { source: from === INTERNET, destination: to === INTERNET }),
    );
    return parts.join("; ") + (cell.omitted > 0 ? `; … ${cell.omitted} more` : "");
  };
  const header = ["from \\ to", ...columns];
  const tableRows = rows.map((from) => [
    from,
    ...columns.map((to) => (from === INTERNET && to === INTERNET ? "" : text(from, to))),
  ]);
  if (options.format === "markdown") io.out(`${markdownTable(header, tableRows)}\n`);
  else if (columns.length > WIDE_COLUMNS) {
    // Too many columns for a table: one line per cell that lets something through.
    const lines: string[] = [];
    let nothing = 0;
    for (const c of cells) {
      const shown = text(c.from, c.to);
      if (shown === "-") nothing++;
      else lines.push(`${io.style.bold(c.from)} -> ${io.style.bold(c.to)}: ${shown}`);
    }
    io.out(
      `${lines.join("\n")}${lines.length > 0 ? "\n\n" : ""}${io.style.dim(`${lines.length} of ${cells.length} pairs let something through, over every packet; ${nothing} nothing`)}\n`,
    );
  } else
    io.out(
      `${renderTable(header, tableRows)}\n\n${io.style.dim("each cell: what the row may send to the column, over every packet; - for nothing")}\n`,
    );
  return EXIT.ok;
}

/** More columns than this: reach prints one line per cell instead of a table. */
const WIDE_COLUMNS = 16;

/** What an exposure is of: an environment, or a network interface on its public address. */
function titleOf(e: Exposure): string {
  if (e.subnet !== undefined) return `subnet ${e.subnet}`;
  if (e.virtualNetwork !== undefined) return `virtual network ${e.virtualNetwork}`;
  if (e.environment !== undefined) return e.environment;
  if (e.bastionHost !== undefined)
    return `Bastion host ${e.bastionHost} (public IP ${e.publicIPAddress ?? e.publicAddress}, 443)`;
  if (e.applicationGateway !== undefined)
    return `application gateway ${e.applicationGateway} frontend ${e.frontend} (public IP ${e.publicIPAddress ?? e.publicAddress}), listeners ${(e.listeners ?? []).join(", ")}`;
  if (e.loadBalancer !== undefined)
    return `load balancer ${e.loadBalancer} frontend ${e.frontend} (public IP ${e.publicIPAddress ?? e.publicAddress}), ${e.rule} to ${e.backend} (${e.translatedTo})`;
  const on = e.publicIPAddress ?? e.publicAddress;
  return `network interface ${e.networkInterface}${on === undefined ? "" : ` (public IP ${on})`}`;
}

/** What the Internet can reach of each environment and public network interface, exactly. */
export function runExposure(target: string, options: MatrixOptions, io: Io): number {
  if (!checkFormat(io, options.format)) return EXIT.invalid;
  const json = options.json === true;
  const loaded = loadForCommand(target, io, json);
  if (!loaded) return EXIT.invalid;
  const chosen = rowOptions(io, options, loaded.spec.network, json);
  if (!chosen) return EXIT.invalid;
  const progress = progressLine(io, json);
  progress.phase("exposure");
  const exposure = exposureOf(new ReachAnalyzer(loaded.spec.network), {
    ...chosen,
    progress: (done, total) => progress.step(done, total),
  });
  progress.end();
  if (options.json) {
    printJson(io, { exposure, ...partialJson(loaded.spec) });
    return EXIT.ok;
  }
  if (options.format === "markdown") {
    const rows = exposure.map((e) => [
      titleOf(e),
      e.exposed.map((l) => `\`${formatSummaryLine(l)}\``).join("<br>") || "nothing",
    ]);
    io.out(`${markdownTable(["environment", "reachable from the Internet"], rows)}\n`);
    return EXIT.ok;
  }
  const blocks = exposure.map((e) => {
    const lines = e.exposed.map((l) => `  ${formatSummaryLine(l)}`);
    if (e.omitted > 0) lines.push(io.style.dim(`  … and ${e.omitted} more lines`));
    return [
      io.style.bold(titleOf(e)),
      ...(lines.length > 0 ? lines : [io.style.green("  nothing")]),
    ].join("\n");
  });
  io.out(`${blocks.join("\n\n")}\n`);
  return EXIT.ok;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
