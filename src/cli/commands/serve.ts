/**
 * `tierwall serve`: the ARM-shaped API over a store (SQLite in a data folder
 * unless `--store postgres://...`), on 127.0.0.1 unless told otherwise, until
 * SIGINT or SIGTERM; and `tierwall serve token create|list|revoke`, which
 * manage the API's tokens in the same store (a token is shown once, when made).
 */
import { homedir } from "node:os";
import { join } from "node:path";
import type { ServerCertificate } from "../../server/tls.js";
import { ROLES, type Role, type Store, TokenExists } from "../../store/store.js";
import { EXIT, type Io, usageError } from "../io.js";

export interface StoreOptions {
  data?: string;
  store?: string;
}

export interface ServeOptions extends StoreOptions {
  host?: string;
  port?: string;
  anonymousReads?: boolean;
  rateLimit?: string;
  tls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
}

export interface TokenOptions extends StoreOptions {
  role?: string;
}

const DEFAULT_PORT = 7420;

/** Where the embedded store lives unless --data says: the user's data folder. */
function defaultData(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(base, "tierwall");
}

/** The store the options name, and how to say which it is. */
async function openStore(options: StoreOptions): Promise<{ store: Store; where: string }> {
  if (options.store !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(options.store))
      throw new Error(`--store ${options.store}: expected a postgres:// URL`);
    const { openPostgresStore } = await import("../../store/postgres.js");
    // The URL may hold a password: said without it.
    const where = options.store.replace(/\/\/[^@/]*@/, "//");
    return { store: await openPostgresStore(options.store), where };
  }
  const { openSqliteStore } = await import("../../store/sqlite.js");
  const path = join(options.data ?? defaultData(), "tierwall.db");
  return { store: openSqliteStore(path), where: path };
}

/** The certificate to serve HTTPS with, if the options ask for HTTPS. */
async function serverCertificate(
  options: ServeOptions,
  host: string,
): Promise<ServerCertificate | undefined> {
  if (options.tlsCert !== undefined && options.tlsKey !== undefined) {
    const { givenCertificate } = await import("../../server/tls.js");
    return givenCertificate(options.tlsCert, options.tlsKey);
  }
  if (!options.tls) return undefined;
  const { keptCertificate } = await import("../../server/tls.js");
  return keptCertificate(options.data ?? defaultData(), host);
}

/** The store the options name, or (said on stderr) the exit code when it cannot be opened. */
async function openStoreOrSay(
  options: StoreOptions,
  io: Io,
): Promise<{ store: Store; where: string } | number> {
  try {
    return await openStore(options);
  } catch (e) {
    return usageError(io, false, "StoreUnavailable", `the store cannot be opened: ${reason(e)}`);
  }
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function runServe(options: ServeOptions, io: Io): Promise<number> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port === undefined ? DEFAULT_PORT : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return usageError(io, false, "InvalidArgument", `--port ${options.port}: expected 0 to 65535`);
  const rate = options.rateLimit === undefined ? undefined : Number(options.rateLimit);
  if (rate !== undefined && !(Number.isInteger(rate) && rate >= 0))
    return usageError(
      io,
      false,
      "InvalidArgument",
      `--rate-limit ${options.rateLimit}: expected a whole number of requests per second (0: no limit)`,
    );
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined))
    return usageError(io, false, "InvalidArgument", "--tls-cert and --tls-key go together");
  let certificate: ServerCertificate | undefined;
  try {
    certificate = await serverCertificate(options, host);
  } catch (e) {
    return usageError(io, false, "CertificateUnavailable", `HTTPS cannot be set up: ${reason(e)}`);
  }
  const opened = await openStoreOrSay(options, io);
  if (typeof opened === "number") return opened;
  const { store, where } = opened;
  const { buildApp } = await import("../../server/app.js");
  const { makeSessionToken } = await import("../../server/auth.js");
  // The web page's token for this run: printed in its URL's fragment (never sent over the wire
  // by a browser), kept nowhere, gone when the server stops.
  const sessionToken = makeSessionToken();
  const { pino } = await import("pino");
  // Written in blocks of 8 KB, and at least every quarter of a second: a write per line would
  // cost more than answering the request. (A SIGKILL loses at most that quarter's lines.)
  const log = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  const flushing = setInterval(() => log.flush(), 250);
  flushing.unref();
  // One JSON line per request on standard output, for a log collector; what is said to people goes to stderr.
  const app = await buildApp({
    store,
    anonymousReads: options.anonymousReads === true,
    logStream: log,
    sessionToken,
    ...(rate === undefined
      ? {}
      : { rateLimit: rate === 0 ? false : { perSecond: rate, burst: 2 * rate } }),
    ...(certificate ? { https: certificate } : {}),
  });
  let address: string;
  try {
    address = await app.listen({ host, port });
  } catch (e) {
    await store.close();
    return usageError(io, false, "ListenFailed", `cannot listen on ${host}:${port}: ${reason(e)}`);
  }
  const tokens = await store.tokens();
  const storeFlag =
    options.store !== undefined
      ? " --store URL"
      : options.data !== undefined
        ? ` --data ${options.data}`
        : "";
  const lines = [
    `tierwall serve: listening on ${address} (store: ${where})`,
    `the web page: ${address}/#token=${sessionToken} (this token, an admin's, lasts until the server stops)`,
    tokens.length === 0
      ? `no token yet: make one with \`tierwall serve token create NAME --role writer${storeFlag}\`, then send it as \`Authorization: Bearer TOKEN\``
      : `${tokens.length} token${tokens.length === 1 ? "" : "s"}; \`tierwall serve token list${storeFlag}\` names them`,
    options.anonymousReads ? "anonymous reads are enabled; writes need a writer's token" : "",
    certificate
      ? `HTTPS with ${certificate.made ? "a certificate made now" : "the certificate"} in ${certificate.certPath} (SHA-256 ${certificate.fingerprint}); clients trust it with NODE_EXTRA_CA_CERTS=${certificate.certPath} or curl --cacert ${certificate.certPath}`
      : "",
    "stop with Ctrl-C (SIGINT) or SIGTERM",
  ].filter((l) => l !== "");
  io.err(`${lines.join("\n")}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await app.close();
  await store.close();
  clearInterval(flushing);
  log.flushSync();
  io.err("tierwall serve: stopped\n");
  return EXIT.ok;
}

export async function runServeToken(
  action: "create" | "list" | "revoke",
  name: string | undefined,
  options: TokenOptions,
  io: Io,
): Promise<number> {
  const role = (options.role ?? "writer") as Role;
  if (action === "create" && !ROLES.includes(role))
    return usageError(
      io,
      false,
      "InvalidArgument",
      `--role ${options.role}: expected reader, writer or admin`,
    );
  if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    return usageError(
      io,
      false,
      "InvalidArgument",
      `token name ${JSON.stringify(name)}: expected up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  const opened = await openStoreOrSay(options, io);
  if (typeof opened === "number") return opened;
  const { store, where } = opened;
  try {
    if (action === "create") {
      const { createToken } = await import("../../server/auth.js");
      try {
        const token = await createToken(store, name as string, role);
        io.out(`${token}\n`);
        io.err(
          `token ${name} (${role}) made in ${where}: it is shown this once and kept only hashed\n`,
        );
      } catch (e) {
        if (e instanceof TokenExists)
          return usageError(
            io,
            false,
            "TokenExists",
            `${e.message}; revoke it first, or choose another name`,
          );
        throw e;
      }
    } else if (action === "list") {
      const tokens = await store.tokens();
      if (tokens.length === 0) io.err(`no tokens in ${where}\n`);
      for (const t of tokens) io.out(`${t.name}\t${t.role}\tmade ${t.createdAt}\n`);
    } else {
      if (!(await store.removeToken(name as string)))
        return usageError(io, false, "TokenNotFound", `no token named ${name} in ${where}`);
      io.err(`token ${name} revoked\n`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
