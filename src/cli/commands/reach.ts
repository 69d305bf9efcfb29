import { type Exposure, exposureOf, INTERNET, reachMatrix } from "../../analysis/matrix.js";
import { ReachAnalyzer } from "../../analysis/reach.js";
import { formatSummaryLine, formatTraffic } from "../../analysis/summary.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { partialJson } from "../partial.js";
import { renderTable } from "../render/table.js";

export interface MatrixOptions {
  json?: boolean;
  format?: string;
}

function checkFormat(io: Io, format: string | undefined): boolean {
  if (format === undefined || format === "text" || format === "markdown") return true;
  io.err(`${io.style.red("error")}: --format ${format}: expected text or markdown\n`);
  return false;
}

/** The reachability matrix: what each environment, and the Internet, may send to each other one. */
export function runReach(target: string, options: MatrixOptions, io: Io): number {
  if (!checkFormat(io, options.format)) return EXIT.invalid;
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const { names, cells } = reachMatrix(new ReachAnalyzer(loaded.spec.network));
  if (options.json) {
    printJson(io, {
      environments: names.filter((n) => n !== INTERNET),
      matrix: cells,
      ...partialJson(loaded.spec),
    });
    return EXIT.ok;
  }
  const text = (from: string, to: string) => {
    const cell = cells.find((c) => c.from === from && c.to === to);
    if (!cell || cell.allowed.length === 0) return "-";
    if (cell.all) return "all";
    const parts = cell.allowed.map((l) =>
      formatTraffic(l, { source: from === INTERNET, destination: to === INTERNET }),
    );
    return parts.join("; ") + (cell.omitted > 0 ? `; … ${cell.omitted} more` : "");
  };
  const header = ["from \\ to", ...names];
  const rows = names.map((from) => [
    from,
    ...names.map((to) => (from === INTERNET && to === INTERNET ? "" : text(from, to))),
  ]);
  if (options.format === "markdown") io.out(`${markdownTable(header, rows)}\n`);
  else
    io.out(
      `${renderTable(header, rows)}\n\n${io.style.dim("each cell: what the row may send to the column, over every packet; - for nothing")}\n`,
    );
  return EXIT.ok;
}

/** What an exposure is of: an environment, or a network interface on its public address. */
function titleOf(e: Exposure): string {
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
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const exposure = exposureOf(new ReachAnalyzer(loaded.spec.network));
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
