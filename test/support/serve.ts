/** `tierwall serve` as a child process on a free port of 127.0.0.1, for tests end to end. */
import { type ChildProcess, spawn } from "node:child_process";
import { CLI } from "./cli.js";

/** Starts `serve` with `args`; its URL once it listens. */
export async function serve(
  args: string[],
): Promise<{ url: string; child: ChildProcess; said: () => string; logged: () => string }> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  let out = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  child.stdout?.on("data", (d) => {
    out += d;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 20_000);
    child.stderr?.on("data", () => {
      const match = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on("exit", (code) => reject(new Error(`serve ended (${code}): ${err}`)));
  });
  return { url, child, said: () => err, logged: () => out };
}

export async function stop(child: ChildProcess): Promise<number | null> {
  const ended = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  return ended;
}
