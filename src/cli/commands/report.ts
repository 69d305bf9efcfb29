/**
 * `tierwall report SPEC -o report.html`: the web page with the spec's estate
 * written into it, as one self-contained HTML file (its script, styles and
 * data inline; nothing fetched, enforced by the page's own policy) that a CI
 * job can publish as an artifact: the architecture, the rules with their
 * findings, the flow tester and the assertions, computed in the browser by
 * the same engine, with no server.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { webPageFolder } from "../../server/web-page.js";
import { EXIT, type Io, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { emit } from "../output.js";

export interface ReportOptions {
  output?: string;
  title?: string;
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

export function runReport(target: string, options: ReportOptions, io: Io): number {
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
  const data = {
    title: options.title ?? spec.document.description ?? spec.file,
    topology: spec.topology,
    tiers: spec.tiers,
    // As written: the page reads them as a spec's (it normalizes them itself).
    assertions: spec.document.assertions ?? [],
    resources: [],
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
