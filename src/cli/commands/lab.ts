import { type LabPlan, labPrefix, planLab } from "../../lab/plan.js";
import { type LabReport, labReport, type ProbeVerdict } from "../../lab/report.js";
import {
  LabError,
  labDown,
  labNamespaces,
  labUp,
  listRuleset,
  planDigest,
  runningDigest,
  runProbes,
} from "../../lab/system.js";
import type { Diagnostic } from "../../model/diagnostic.js";
import { formatIpAddress } from "../../net/address.js";
import { findSpecFile, type LoadedSpec } from "../../specfile/load.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { wholeNumber } from "../numbers.js";
import type { Style } from "../render/style.js";
import { shortened } from "../render/terminal.js";

export interface LabOptions {
  json?: boolean;
  timeout?: string;
}

/** `tierwall lab up|test|down [SPEC]`: the spec stood up in network namespaces, with nftables enforcing its NSGs. */
export async function runLab(
  action: string,
  target: string,
  options: LabOptions,
  io: Io,
): Promise<number> {
  const fail = (message: string, code: number = EXIT.invalid) => {
    if (options.json) printJson(io, { ok: false, error: shortened(message) });
    else io.err(`${io.style.red("error")}: ${message}\n`);
    return code;
  };
  if (!["up", "test", "down"].includes(action))
    return fail(`lab ${action}: expected up, test or down`);
  if (process.platform !== "linux") return fail("the lab needs Linux network namespaces");
  // The spec and the plan are checked first: what is wrong with them is worth knowing without root.
  const notRoot = () =>
    process.getuid?.() !== 0
      ? fail("the lab needs root, to create network namespaces and load nftables rulesets")
      : undefined;
  const timeout = wholeNumber(options.timeout ?? "1000");
  if (timeout === undefined || timeout < 50 || timeout > 30_000)
    return fail("--timeout: expected milliseconds between 50 and 30000");
  try {
    // Taking a lab down needs only its name: the spec may have changed, or stopped loading.
    if (action === "down") {
      const found = findSpecFile(target);
      if (!found.file) return fail((found.diagnostic as Diagnostic).message);
      return notRoot() ?? down(found.file, options, io);
    }
    const loaded = loadForCommand(target, io, options.json === true);
    if (!loaded) return EXIT.invalid;
    const planned = planLab(loaded.spec);
    if (!planned.ok)
      return fail(
        `the lab refuses this spec:\n${planned.problems.map((p) => `  ${p}`).join("\n")}\nThe lab assigns only documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and private (10/8, 172.16/12, 192.168/16, fc00::/7) addresses.`,
      );
    const refused = notRoot();
    if (refused !== undefined) return refused;
    if (action === "up") return await up(planned.plan, options, io);
    return await test(planned.plan, loaded.spec, timeout, options, io);
  } catch (e) {
    if (e instanceof LabError) return fail(e.message, EXIT.failed);
    throw e;
  }
}

async function up(plan: LabPlan, options: LabOptions, io: Io): Promise<number> {
  await labUp(plan);
  if (options.json) {
    printJson(io, {
      ok: true,
      namespaces: labNamespaces(plan.prefix),
      hosts: plan.hosts.map((h) => ({
        host: h.label,
        namespace: h.namespace,
        addresses: h.addresses.map(formatIpAddress),
        tcp: h.tcpPorts,
        udp: h.udpPorts,
      })),
    });
    return EXIT.ok;
  }
  const s = io.style;
  const lines = [`${s.green("up")}: the lab of ${plan.spec}`];
  for (const h of plan.hosts) {
    const pub = h.publicAddress ? `, public ${formatIpAddress(h.publicAddress)}` : "";
    const listening = [
      h.tcpPorts.length > 0 ? `TCP ${h.tcpPorts.join(",")}` : "",
      h.udpPorts.length > 0 ? `UDP ${h.udpPorts.join(",")}` : "",
    ].filter((t) => t !== "");
    lines.push(
      `  ${h.namespace.padEnd(14)} ${h.label}: ${h.addresses.map(formatIpAddress).join(", ")}${pub}${listening.length > 0 ? `; listening on ${listening.join(" and ")}` : ""}`,
    );
  }
  lines.push(
    `  ${plan.internet.namespace.padEnd(14)} the Internet: ${plan.internet.addresses.map(formatIpAddress).join(", ") || "no addresses"}`,
    `  ${plan.router.namespace.padEnd(14)} the router: public addresses, outbound addresses and routes between networks`,
    s.dim(`Next: tierwall lab test ${plan.spec}`),
  );
  io.out(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

function down(specFile: string, options: LabOptions, io: Io): number {
  const removed = labDown(labPrefix(specFile));
  if (options.json) printJson(io, { ok: true, removed });
  else
    io.out(
      removed.length > 0
        ? `${io.style.green("down")}: removed ${removed.join(", ")}\n`
        : `no lab is up for ${specFile}\n`,
    );
  return EXIT.ok;
}

async function test(
  plan: LabPlan,
  spec: LoadedSpec,
  timeout: number,
  options: LabOptions,
  io: Io,
): Promise<number> {
  const running = runningDigest(plan);
  if (running === undefined)
    throw new LabError(`no lab is up for ${plan.spec}; run tierwall lab up first`);
  if (running !== planDigest(plan))
    throw new LabError(
      `${plan.spec} changed since the lab went up; run tierwall lab down, then up again`,
    );
  const results = await runProbes(plan, timeout);
  const report = labReport(plan, spec.assertions, results);
  if (options.json) printJson(io, reportJson(report));
  else {
    io.out(renderReport(report, io.style));
    if (report.disagreed > 0) io.out(kernelSide(plan, report));
  }
  return report.disagreed === 0 ? EXIT.ok : EXIT.failed;
}

/** Where the two differ, the kernel's side: the rulesets on the path, with their counters. */
function kernelSide(plan: LabPlan, report: LabReport): string {
  const namespaces = new Set<string>();
  for (const a of report.assertions)
    for (const v of a.probes)
      if (!v.agrees) {
        namespaces.add(v.probe.namespace);
        namespaces.add(v.probe.destinationNamespace);
      }
  namespaces.add(plan.router.namespace);
  return [...namespaces]
    .map((ns) => `\n# nft list ruleset in ${ns}, with counters\n${listRuleset(ns)}`)
    .join("");
}

const outcomeText = (v: ProbeVerdict) =>
  v.network === "answered" ? "answered" : `${v.network}${v.detail ? ` (${v.detail})` : ""}`;

export function renderReport(report: LabReport, s: Style): string {
  const lines: string[] = [];
  for (const a of report.assertions) {
    if (a.probes.length === 0 && a.skipped.length === 0) continue;
    const ok = a.probes.every((p) => p.agrees);
    lines.push(`${ok ? s.green("✓") : s.red("✗")} ${s.bold(a.name)}`);
    for (const v of a.probes) {
      const rule = v.probe.engine.rule ? ` by ${v.probe.engine.rule}` : "";
      lines.push(
        `    ${v.agrees ? s.green("agree") : s.red("DIFFER")}  ${v.probe.description.padEnd(36)} engine ${s.access(v.engine)}${rule}; network ${outcomeText(v)}`,
      );
      if (!v.agrees)
        for (const t of v.probe.engine.trace)
          lines.push(
            s.dim(
              `        ${t.nsg} (${t.direction}, ${t.appliedTo.type} ${t.appliedTo.name}): ${t.packet} -> ${t.access} by ${t.rule}`,
            ),
          );
    }
    for (const k of a.skipped) lines.push(s.dim(`    not probed  ${k.description}: ${k.reason}`));
  }
  const summary = `${report.probes} probes: ${report.agreed} agree, ${report.disagreed} differ${report.skipped > 0 ? `; ${report.skipped} not probed` : ""}`;
  lines.push(report.disagreed === 0 ? s.green(summary) : s.red(summary));
  return `${lines.join("\n")}\n`;
}

function reportJson(report: LabReport) {
  return {
    ok: report.disagreed === 0,
    probes: report.probes,
    agreed: report.agreed,
    disagreed: report.disagreed,
    skipped: report.skipped,
    assertions: report.assertions.map((a) => ({
      ...(a.index === undefined ? {} : { index: a.index }),
      name: a.name,
      probes: a.probes.map((v) => ({
        flow: v.probe.description,
        source: `${formatIpAddress(v.probe.source)}:${v.probe.sourcePort}`,
        destination: `${formatIpAddress(v.probe.destination)}:${v.probe.destinationPort}`,
        engine: v.engine,
        rule: v.probe.engine.rule,
        network: v.network,
        agrees: v.agrees,
      })),
      notProbed: a.skipped.map((k) => ({ flow: k.description, reason: k.reason })),
    })),
  };
}
