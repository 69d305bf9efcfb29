/**
 * Builds, probes and removes a lab plan with iproute2 and nft. Every command
 * that touches the host's namespace only creates or deletes the lab's own
 * namespaces and the links between them; everything else runs inside them.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatIpAddress, type IpAddress } from "../net/address.js";
import type { AgentProbe, AgentResult } from "./agent.js";
import type { LabPlan } from "./plan.js";

export class LabError extends Error {}

/** Where each lab keeps its state, logs and listeners' readiness files. */
export function stateRoot(): string {
  return process.env.TIERWALL_LAB_STATE ?? "/run/tierwall-lab";
}

/** Runs a command to its end; its output, or a LabError. `tolerate`: failures that are fine, as "". */
function run(
  command: string,
  args: readonly string[],
  options: { input?: string; tolerate?: RegExp } = {},
): string {
  const result = spawnSync(command, args, { input: options.input, encoding: "utf8" });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new LabError(
      missing
        ? `${command} is not installed (the lab needs iproute2 and nftables)`
        : `${command} ${args.join(" ")}: ${result.error.message}`,
    );
  }
  if (result.status !== 0 && options.tolerate?.test(result.stderr)) return "";
  if (result.status !== 0)
    throw new LabError(`${command} ${args.join(" ")} failed: ${result.stderr.trim()}`);
  return result.stdout;
}

const ipCommand = (args: readonly string[]) => run("ip", args);
const inNamespace = (namespace: string, command: string, args: readonly string[], input?: string) =>
  run("ip", ["netns", "exec", namespace, command, ...args], { input });

/** The lab's namespaces that exist now. */
export function labNamespaces(prefix: string): string[] {
  const listing = ipCommand(["netns", "list"]);
  return listing
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(prefix));
}

/** Which spec a plan was made from, to tell whether a running lab still matches its file. */
export function planDigest(plan: LabPlan): string {
  const shape = {
    hosts: plan.hosts,
    router: plan.router,
    internet: plan.internet,
  };
  return createHash("sha256")
    .update(JSON.stringify(shape, (_, v) => (typeof v === "bigint" ? v.toString() : v)))
    .digest("hex")
    .slice(0, 16);
}

/** The compiled agent beside this module (the tests run from sources, so fall back to the build). */
function agentPath(): string {
  const here = fileURLToPath(new URL("./agent.js", import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(/([\\/])src([\\/]lab[\\/]agent\.js)$/, "$1dist$2");
  if (existsSync(built)) return built;
  throw new LabError(`the lab agent is not built (${built}); run npm run build`);
}

const text = formatIpAddress;
const hostLength = (a: IpAddress) => (a.family === 4 ? 32 : 128);
const family = (a: IpAddress) => (a.family === 4 ? "-4" : "-6");

/** Stands the plan up. A failure removes whatever was made; a running lab is reported, not touched. */
export async function labUp(plan: LabPlan): Promise<void> {
  const running = labNamespaces(plan.prefix);
  if (running.length > 0)
    throw new LabError(
      `the lab of ${plan.spec} is already up (${running.join(", ")}); run tierwall lab down first`,
    );
  const state = join(stateRoot(), plan.prefix.replace(/-$/, ""));
  try {
    mkdirSync(state, { recursive: true });
    build(plan);
    await startListeners(plan, state);
    writeFileSync(
      join(state, "state.json"),
      `${JSON.stringify({ spec: plan.spec, digest: planDigest(plan), namespaces: labNamespaces(plan.prefix) }, null, 2)}\n`,
    );
  } catch (e) {
    labDown(plan.prefix);
    throw e;
  }
}

function build(plan: LabPlan): void {
  const router = plan.router.namespace;
  const namespaces = [router, plan.internet.namespace, ...plan.hosts.map((h) => h.namespace)];
  for (const ns of namespaces) {
    ipCommand(["netns", "add", ns]);
    ipCommand(["-n", ns, "link", "set", "lo", "up"]);
    // Per-namespace settings: the router forwards; nobody drops asymmetric or NAT-looped packets.
    inNamespace(ns, "sysctl", [
      "-qw",
      "net.ipv4.conf.all.rp_filter=0",
      "net.ipv4.conf.default.rp_filter=0",
      "net.ipv6.conf.all.accept_dad=0",
      "net.ipv6.conf.default.accept_dad=0",
      "net.ipv4.conf.all.send_redirects=0",
      "net.ipv4.conf.default.send_redirects=0",
      `net.ipv4.ip_forward=${ns === router ? 1 : 0}`,
      `net.ipv6.conf.all.forwarding=${ns === router ? 1 : 0}`,
    ]);
  }
  for (const host of plan.hosts)
    link(router, host.routerInterface, host.namespace, host.addresses, host.gateways);
  link(
    router,
    plan.router.internetInterface,
    plan.internet.namespace,
    plan.internet.addresses,
    plan.router.internetGateways,
  );
  inNamespace(router, "nft", ["-f", "-"], plan.router.nftables);
  for (const host of plan.hosts)
    if (host.nftables.includes("table "))
      inNamespace(host.namespace, "nft", ["-f", "-"], host.nftables);
}

/**
 * A veth pair made inside the router's namespace, its other end (`eth0`) moved
 * straight into the other namespace: the namespace's addresses on its end, the
 * router's gateways on the router's, a route each way, and the namespace's
 * default route through the first gateway of each family.
 */
function link(
  router: string,
  routerSide: string,
  namespace: string,
  addresses: readonly IpAddress[],
  gateways: readonly IpAddress[],
): void {
  const peer = ["peer", "name", "eth0", "netns", namespace];
  ipCommand(["-n", router, "link", "add", routerSide, "type", "veth", ...peer]);
  for (const address of addresses) addAddress(namespace, "eth0", address);
  const distinct = [...new Map(gateways.map((g) => [text(g), g])).values()];
  for (const gateway of distinct) addAddress(router, routerSide, gateway);
  ipCommand(["-n", namespace, "link", "set", "eth0", "up"]);
  ipCommand(["-n", router, "link", "set", routerSide, "up"]);
  for (const address of addresses)
    ipCommand(["-n", router, family(address), "route", "add", text(address), "dev", routerSide]);
  const defaults = new Set<number>();
  for (const gateway of distinct) {
    ipCommand(["-n", namespace, family(gateway), "route", "add", text(gateway), "dev", "eth0"]);
    if (defaults.has(gateway.family)) continue;
    defaults.add(gateway.family);
    const via = ["via", text(gateway), "dev", "eth0"];
    ipCommand(["-n", namespace, family(gateway), "route", "add", "default", ...via]);
  }
}

/** One host address on an interface; IPv6 without duplicate detection, which would delay it. */
function addAddress(namespace: string, device: string, address: IpAddress): void {
  const nodad = address.family === 6 ? ["nodad"] : [];
  const prefix = `${text(address)}/${hostLength(address)}`;
  ipCommand(["-n", namespace, "addr", "add", prefix, "dev", device, ...nodad]);
}

async function startListeners(plan: LabPlan, state: string): Promise<void> {
  const agent = agentPath();
  const all = [
    ...plan.hosts.map((h) => ({
      ns: h.namespace,
      label: h.label,
      tcp: h.tcpPorts,
      udp: h.udpPorts,
      addresses: h.addresses,
    })),
    {
      ns: plan.internet.namespace,
      label: "Internet host",
      tcp: plan.internet.tcpPorts,
      udp: plan.internet.udpPorts,
      addresses: plan.internet.addresses,
    },
  ].filter((l) => l.tcp.length + l.udp.length > 0);
  for (const l of all) {
    const ready = join(state, `${l.ns}.ready`);
    rmSync(ready, { force: true });
    const log = openSync(join(state, `${l.ns}.log`), "w");
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        l.ns,
        process.execPath,
        agent,
        "listen",
        "--label",
        l.label,
        "--tcp",
        l.tcp.join(","),
        "--udp",
        l.udp.join(","),
        "--addresses",
        l.addresses.map(text).join(","),
        "--ready",
        ready,
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    child.unref();
  }
  const deadline = Date.now() + 10_000;
  for (const l of all) {
    const ready = join(state, `${l.ns}.ready`);
    while (!existsSync(ready)) {
      if (Date.now() > deadline) {
        const log = readFileSync(join(state, `${l.ns}.log`), "utf8").trim();
        throw new LabError(`the listener in ${l.ns} did not start${log ? `: ${log}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Removes every namespace of the lab and what runs in it; returns the namespaces removed. */
export function labDown(prefix: string): string[] {
  const namespaces = labNamespaces(prefix);
  for (const ns of namespaces) {
    const pids = run("ip", ["netns", "pids", ns])
      .split("\n")
      .filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    // Gone already (a concurrent down, or a half-made namespace): nothing left to remove.
    run("ip", ["netns", "del", ns], { tolerate: /No such file/ });
  }
  rmSync(join(stateRoot(), prefix.replace(/-$/, "")), { recursive: true, force: true });
  return namespaces;
}

/** A namespace's ruleset with its counters: what the kernel matched, rule by rule. */
export function listRuleset(namespace: string): string {
  return inNamespace(namespace, "nft", ["list", "ruleset"]);
}

/** The digest the running lab was built from, if it is up. */
export function runningDigest(plan: LabPlan): string | undefined {
  const file = join(stateRoot(), plan.prefix.replace(/-$/, ""), "state.json");
  if (!existsSync(file) || labNamespaces(plan.prefix).length === 0) return undefined;
  return (JSON.parse(readFileSync(file, "utf8")) as { digest: string }).digest;
}

/** Makes every probe of the plan, each namespace's at once, and returns outcomes by probe id. */
export async function runProbes(
  plan: LabPlan,
  timeoutMs = 1000,
): Promise<Map<number, AgentResult>> {
  const results = await probeOnce(plan.probes, timeoutMs);
  // A connection the engine allows that timed out may only have met a busy machine:
  // it is tried once more with a longer wait before it counts as denied.
  const slow = plan.probes.filter(
    (p) => p.engine.access === "Allow" && results.get(p.id)?.outcome === "timeout",
  );
  if (slow.length > 0)
    for (const [id, r] of await probeOnce(slow, 3 * timeoutMs)) results.set(id, r);
  return results;
}

async function probeOnce(
  probes: readonly LabPlan["probes"][number][],
  timeoutMs: number,
): Promise<Map<number, AgentResult>> {
  const agent = agentPath();
  const byNamespace = new Map<string, AgentProbe[]>();
  for (const p of probes) {
    const probe: AgentProbe = {
      id: p.id,
      protocol: p.protocol,
      source: text(p.source),
      sourcePort: p.sourcePort,
      destination: text(p.destination),
      destinationPort: p.destinationPort,
    };
    byNamespace.set(p.namespace, [...(byNamespace.get(p.namespace) ?? []), probe]);
  }
  const results = new Map<number, AgentResult>();
  await Promise.all(
    [...byNamespace.entries()].map(
      ([ns, probes]) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn("ip", ["netns", "exec", ns, process.execPath, agent, "probe"], {
            stdio: ["pipe", "pipe", "pipe"],
          });
          let out = "";
          let err = "";
          child.stdout.on("data", (d) => {
            out += d;
          });
          child.stderr.on("data", (d) => {
            err += d;
          });
          child.on("error", reject);
          child.on("close", (code) => {
            if (code !== 0) return reject(new LabError(`probes from ${ns} failed: ${err.trim()}`));
            for (const r of JSON.parse(out) as AgentResult[]) results.set(r.id, r);
            resolve();
          });
          child.stdin.end(JSON.stringify({ timeoutMs, probes }));
        }),
    ),
  );
  return results;
}
