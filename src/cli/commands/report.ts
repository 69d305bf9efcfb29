/**
 * `tierwall report SPEC -o report.html`: the web page with the spec's estate
 * written into it, as one self-contained HTML file (its script, styles and
 * data inline; nothing fetched, enforced by the page's own policy) that a CI
 * job can publish as an artifact: the architecture, the rules with their
 * findings, the flow tester and the assertions, computed in the browser by
 * the same engine, with no server. With `--logs`, the flow logs are replayed
 * and each rule's hits shown beside it.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { formatPrefix } from "../../net/prefix.js";
import { webPageFolder } from "../../server/web-page.js";
import type { LoadedSpec } from "../../specfile/load.js";
import { EXIT, type Io, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { emit } from "../output.js";
import { renderDiagnostics } from "../render/diagnostics.js";

export interface ReportOptions {
  output?: string;
  title?: string;
  /** Flow logs to replay: each rule's hits are shown beside it. */
  logs?: string[];
}

/** Each rule's hits in the logs, as the page shows them beside the rule. */
interface RuleHitsJson {
  readonly nsg: string;
  readonly direction: string;
  readonly rule: string;
  readonly isDefault: boolean;
  readonly flows: number;
  readonly tuples: number;
}

/** Nothing but what the file holds: no request leaves the page. */
const REPORT_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Text safe inside a <script> element: no `</script` or `<!--` can end or bend it. */
const scriptSafe = (text: string) => text.replace(/<(?=\/script|!--)/gi, "\\x3C");

/** The built page with its script and stylesheet inline, and the data the page reads. */
export function selfContainedPage(folder: string, data: unknown): string {
  const index = readFileSync(join(folder, "index.html"), "utf8");
  const asset = (name: string) => readFileSync(join(folder, name), "utf8");
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  let inlined = false;
  const page = index
    .replace(/<script type="module"[^>]*\ssrc="\.\/([^"]+)"[^>]*><\/script>/, (_m, src: string) => {
      inlined = true;
      return `<script type="application/json" id="tierwall-data">${json}</script>\n    <script type="module">${scriptSafe(asset(src))}</script>`;
    })
    .replace(
      /<link rel="stylesheet"[^>]*\shref="\.\/([^"]+)"[^>]*>/g,
      (_m, href: string) => `<style>${asset(href).replace(/<\/style/gi, "<\\/style")}</style>`,
    )
    .replace(
      /<meta charset="utf-8" \/>/,
      `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${REPORT_POLICY}" />`,
    );
  if (!inlined) throw new Error(`${join(folder, "index.html")} names no script to inline`);
  return page;
}

/** The rules' hits in the logs (as `replay` counts them), or the exit code when none could be read. */
async function ruleHits(
  logs: readonly string[],
  network: LoadedSpec["network"],
  io: Io,
): Promise<RuleHitsJson[] | number> {
  const [{ foldFlowLogs }, { judgeClasses, judgesBySourcePort, replayReport }] = await Promise.all([
    import("../../formats/flow-logs/fold.js"),
    import("../../analysis/replay.js"),
  ]);
  const folded = await foldFlowLogs(logs, {
    bySourcePort: judgesBySourcePort(network),
    threads: availableParallelism(),
  });
  if (folded.diagnostics.length > 0)
    io.err(`${renderDiagnostics(folded.diagnostics, new Map(), io.style)}\n`);
  if (folded.totals.tuples === 0) {
    io.err(`${io.style.red("error")}: no flow tuple could be read from ${logs.join(", ")}\n`);
    return EXIT.invalid;
  }
  const report = replayReport(
    judgeClasses(folded.classes, network, undefined),
    folded.totals.tuples,
    network,
    false,
  );
  return report.ruleHits.map(({ nsg, direction, rule, isDefault, flows, tuples }) => ({
    nsg,
    direction,
    rule,
    isDefault,
    flows,
    tuples,
  }));
}

/**
 * The service tags the spec's rules name, as a service-tags file writes them,
 * when the spec gives their addresses (the page would otherwise read them as
 * symbolic, as a spec without the file is read): only those named, so that
 * the page stays small.
 */
function namedServiceTags(spec: LoadedSpec): object | undefined {
  const catalog = spec.network.serviceTags;
  if (catalog.symbolic) return undefined;
  const named = new Set<string>();
  for (const nsg of spec.topology.networkSecurityGroups)
    for (const rule of nsg.securityRules)
      for (const text of [
        rule.sourceAddressPrefix,
        ...(rule.sourceAddressPrefixes ?? []),
        rule.destinationAddressPrefix,
        ...(rule.destinationAddressPrefixes ?? []),
      ])
        if (text !== undefined && catalog.has(text)) named.add(text);
  return {
    values: [...named].sort().map((name) => ({
      name,
      properties: { addressPrefixes: (catalog.prefixes(name) ?? []).map(formatPrefix) },
    })),
  };
}

export async function runReport(target: string, options: ReportOptions, io: Io): Promise<number> {
  const folder = webPageFolder();
  if (!folder)
    return usageError(
      io,
      false,
      "WebPageNotBuilt",
      "the web page is not built here: run `npm run build` in tierwall's folder",
    );
  const loaded = loadForCommand(target, io, false);
  if (!loaded) return EXIT.invalid;
  const { spec } = loaded;
  const hits = options.logs?.length ? await ruleHits(options.logs, spec.network, io) : undefined;
  if (typeof hits === "number") return hits;
  const serviceTags = namedServiceTags(spec);
  const data = {
    title: options.title ?? spec.document.description ?? spec.file,
    topology: spec.topology,
    tiers: spec.tiers,
    // As written: the page reads them as a spec's (it normalizes them itself).
    assertions: spec.document.assertions ?? [],
    resources: [],
    ...(serviceTags ? { serviceTags } : {}),
    ...(spec.suppressions.length > 0 ? { suppressions: spec.suppressions } : {}),
    ...(hits ? { ruleHits: hits, logs: options.logs } : {}),
    generatedAt: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    source: spec.file,
  };
  let html: string;
  try {
    html = selfContainedPage(folder, data);
  } catch (e) {
    return usageError(
      io,
      false,
      "WebPageNotBuilt",
      `the web page cannot be read: ${(e as Error).message}`,
    );
  }
  return emit(html, options.output, io);
}
