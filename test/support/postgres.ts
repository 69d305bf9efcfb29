/**
 * A PostgreSQL server of the test's own, from Debian's packages: a cluster
 * made in a temporary folder, listening on a Unix socket there only (no TCP
 * port), removed when the tests end. As root, the cluster runs as the
 * `postgres` user, since PostgreSQL refuses to run as root.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const EVERYTHING = process.env.TIERWALL_TEST_EVERYTHING === "1";

/** The folder of PostgreSQL's server programs (initdb, pg_ctl), when installed. */
function serverPrograms(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], "bin");
}

/** Why PostgreSQL's tests cannot run here, or undefined. */
export function postgresMissing(): string | undefined {
  if (EVERYTHING) return undefined;
  if (!serverPrograms()) return "needs PostgreSQL's server programs (Debian's postgresql package)";
  if (process.getuid?.() === 0 && spawnSync("id", ["postgres"]).status !== 0)
    return "needs the postgres user to run the server as, under root";
  return undefined;
}

export interface TestPostgres {
  /** A postgres:// URL to the server's database `postgres`, through the socket. */
  readonly url: string;
  stop(): void;
}

/** Starts a server; throws with PostgreSQL's words when it cannot. */
export function startPostgres(): TestPostgres {
  const bin = serverPrograms();
  if (!bin) throw new Error("PostgreSQL's server programs are not installed");
  const dir = mkdtempSync(join(tmpdir(), "tierwall-postgres-"));
  const root = process.getuid?.() === 0;
  let uid: number | undefined;
  let gid: number | undefined;
  if (root) {
    const id = (flag: string) =>
      Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
    uid = id("-u");
    gid = id("-g");
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, "data");
  const run = (program: string, args: string[]) => {
    const r = spawnSync(join(bin, program), args, {
      encoding: "utf8",
      ...(root ? { uid, gid } : {}),
      env: { ...process.env, LC_ALL: "C.UTF-8" },
      cwd: dir,
    });
    if (r.status !== 0)
      throw new Error(`${program} failed: ${r.stderr || r.stdout || r.error?.message}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    join(dir, "log"),
    "-w",
    "-o",
    `-c listen_addresses='' -k ${dir} -c fsync=off -c max_connections=100`,
    "start",
  ]);
  return {
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}`,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
