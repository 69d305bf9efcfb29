/**
 * The program the lab runs inside its namespaces:
 *   agent listen --label L --tcp 80,443 --udp 53 --addresses a,b --ready FILE
 *     answers HTTP on the TCP ports and echoes on the UDP ports until killed;
 *   agent probe < probes.json
 *     makes each connection (bounded by its time-out) and prints the outcomes as JSON.
 * It is started by `tierwall lab` with `ip netns exec`, never by hand.
 */
import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import net from "node:net";

export interface AgentProbe {
  readonly id: number;
  readonly protocol: "Tcp" | "Udp";
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/** answered: the listener replied; refused, unreachable, timeout: the network said no. */
export type ProbeOutcome = "answered" | "refused" | "unreachable" | "timeout" | "error";

export interface AgentResult {
  readonly id: number;
  readonly outcome: ProbeOutcome;
  readonly detail?: string;
}

const REQUEST = "GET / HTTP/1.0\r\n\r\n";

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const portList = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .filter((p) => p !== "")
    .map(Number);

async function listen(args: readonly string[]): Promise<void> {
  const label = option(args, "--label") ?? "lab host";
  const addresses = (option(args, "--addresses") ?? "").split(",").filter((a) => a !== "");
  const ready = option(args, "--ready");
  const waits: Promise<void>[] = [];
  for (const port of portList(option(args, "--tcp"))) {
    const server = net.createServer((socket) => {
      socket.setTimeout(2000, () => socket.destroy());
      socket.once("data", () =>
        socket.end(
          `HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${label} answers on TCP ${port}\n`,
        ),
      );
      socket.on("error", () => socket.destroy());
    });
    waits.push(
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen({ port, host: "::", ipv6Only: false }, () => resolve());
      }),
    );
  }
  // One UDP socket per address, so that a reply leaves from the address the probe was sent to.
  for (const port of portList(option(args, "--udp")))
    for (const address of addresses) {
      const socket = dgram.createSocket(address.includes(":") ? "udp6" : "udp4");
      socket.on("message", (_message, peer) =>
        socket.send(`${label} answers on UDP ${port}\n`, peer.port, peer.address),
      );
      waits.push(
        new Promise((resolve, reject) => {
          socket.once("error", reject);
          socket.bind({ port, address }, () => resolve());
        }),
      );
    }
  await Promise.all(waits);
  if (ready) writeFileSync(ready, `${process.pid}\n`);
}

function tcpProbe(probe: AgentProbe, timeoutMs: number): Promise<AgentResult> {
  return new Promise((resolve) => {
    let data = "";
    let done = false;
    const socket = net.connect({
      host: probe.destination,
      port: probe.destinationPort,
      localAddress: probe.source,
      localPort: probe.sourcePort,
    });
    const finish = (outcome: ProbeOutcome, detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ id: probe.id, outcome, ...(detail ? { detail } : {}) });
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("connect", () => socket.write(REQUEST));
    socket.on("data", (chunk) => {
      data += chunk.toString();
    });
    // The listener closes first, so the prober's side leaves no TIME_WAIT behind to block a rerun.
    socket.on("end", () =>
      finish(data.startsWith("HTTP/1.0 200") ? "answered" : "error", data.split("\r\n")[0]),
    );
    socket.on("error", (e: NodeJS.ErrnoException) => finish(errorOutcome(e), e.code));
  });
}

function udpProbe(probe: AgentProbe, timeoutMs: number): Promise<AgentResult> {
  return new Promise((resolve) => {
    let done = false;
    const socket = dgram.createSocket({
      type: probe.destination.includes(":") ? "udp6" : "udp4",
      reuseAddr: true,
    });
    const finish = (outcome: ProbeOutcome, detail?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve({ id: probe.id, outcome, ...(detail ? { detail } : {}) });
    };
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    socket.on("message", () => finish("answered"));
    socket.on("error", (e: NodeJS.ErrnoException) => finish(errorOutcome(e), e.code));
    socket.bind({ address: probe.source, port: probe.sourcePort }, () =>
      socket.connect(probe.destinationPort, probe.destination, () =>
        socket.send("tierwall lab probe\n"),
      ),
    );
  });
}

function errorOutcome(e: NodeJS.ErrnoException): ProbeOutcome {
  if (e.code === "ECONNREFUSED") return "refused";
  if (e.code === "EHOSTUNREACH" || e.code === "ENETUNREACH") return "unreachable";
  return "error";
}

/** Every distinct connection at once (sockets share source ports); a repeated one is made once. */
async function probeAll(probes: readonly AgentProbe[], timeoutMs: number): Promise<AgentResult[]> {
  const groups = new Map<string, AgentProbe[]>();
  for (const p of probes) {
    const key = `${p.protocol} ${p.source} ${p.sourcePort} ${p.destination} ${p.destinationPort}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const results: AgentResult[] = [];
  await Promise.all(
    [...groups.values()].map(async ([first, ...same]) => {
      const p = first as AgentProbe;
      const result = await (p.protocol === "Tcp" ? tcpProbe : udpProbe)(p, timeoutMs);
      results.push(result, ...same.map((q) => ({ ...result, id: q.id })));
    }),
  );
  return results.sort((a, b) => a.id - b.id);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(argv: readonly string[]): Promise<void> {
  const [mode, ...args] = argv;
  if (mode === "listen") return listen(args);
  if (mode === "probe") {
    const input = JSON.parse(await readStdin()) as { timeoutMs: number; probes: AgentProbe[] };
    process.stdout.write(`${JSON.stringify(await probeAll(input.probes, input.timeoutMs))}\n`);
    return;
  }
  throw new Error("usage: agent listen ... | agent probe < probes.json");
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`tierwall lab agent: ${e.message}\n`);
  process.exit(1);
});
