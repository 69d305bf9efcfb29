/**
 * A server in process for one test: a SQLite store in a folder of its own, a
 * writer's token, and, when asked, the seed's estate (seed-estate.ts) written
 * through the API. `close` closes both and removes the folder.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/server/app.js";
import { createToken } from "../../src/server/auth.js";
import { openSqliteStore } from "../../src/store/sqlite.js";
import type { Store } from "../../src/store/store.js";
import { seedResources } from "./seed-estate.js";

export const API_VERSION = "?api-version=2024-05-01";

export interface TestServer {
  readonly store: Store;
  readonly app: FastifyInstance;
  /** A writer's Authorization header. */
  readonly headers: Record<string, string>;
  close(): Promise<void>;
}

export async function openTestServer(
  options: { seeded?: boolean; sessionToken?: string } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "tierwall-server-"));
  const store = openSqliteStore(join(dir, "tierwall.db"));
  const app = await buildApp({
    store,
    rateLimit: false,
    ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
  });
  const headers = { authorization: `Bearer ${await createToken(store, "ci", "writer")}` };
  const close = async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  if (options.seeded)
    for (const [id, body] of seedResources()) {
      const put = await app.inject({
        method: "PUT",
        url: id + API_VERSION,
        headers,
        payload: body,
      });
      if (put.statusCode !== 201) {
        await close();
        throw new Error(`the seed's ${id} was not written: ${put.statusCode} ${put.body}`);
      }
    }
  return { store, app, headers, close };
}
