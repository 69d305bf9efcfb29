/**
 * Durability: a process writes to the store and says each write as soon as
 * the store acknowledges it; it is killed with SIGKILL mid-stream; the store
 * opened again holds every acknowledged write, whole, and its revisions agree
 * with the resources (nothing half-written). For both stores.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresStore } from "../src/store/postgres.js";
import { openSqliteStore } from "../src/store/sqlite.js";
import type { Store } from "../src/store/store.js";
import { ROOT, requireBuild } from "./support/cli.js";
import { titled } from "./support/environment.js";
import { postgresMissing, startPostgres, type TestPostgres } from "./support/postgres.js";

beforeAll(requireBuild);

const dir = mkdtempSync(join(tmpdir(), "tierwall-store-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NSG = "Microsoft.Network/networkSecurityGroups";
const idOf = (i: number) =>
  `/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n${i % 25}`;

/** The writer: opens the store from the built code, writes without end, prints each acknowledged write. */
const WRITER = `
const [kind, where] = process.argv.slice(2);
const store = kind === "sqlite"
  ? (await import(${JSON.stringify(join(ROOT, "dist/store/sqlite.js"))})).openSqliteStore(where)
  : await (await import(${JSON.stringify(join(ROOT, "dist/store/postgres.js"))})).openPostgresStore(where);
for (let i = 0; ; i++) {
  const id = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n" + (i % 25);
  const { resource } = await store.put(id, "${NSG}", { write: i, rules: Array.from({ length: 50 }, (_, r) => ({ name: "r" + r, priority: 100 + r })) }, { actor: "writer" });
  process.stdout.write(JSON.stringify({ write: i, etag: resource.etag, revision: resource.revision }) + "\\n");
}
`;

/** Runs the writer until it has acknowledged `count` writes, then kills it; the acknowledged writes. */
async function writeThenKill(
  kind: string,
  where: string,
  count: number,
): Promise<{ write: number; etag: string; revision: number }[]> {
  const script = join(dir, "writer.mjs");
  writeFileSync(script, WRITER);
  const child: ChildProcess = spawn(process.execPath, [script, kind, where], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const acks: { write: number; etag: string; revision: number }[] = [];
  let text = "";
  let errors = "";
  child.stderr?.on("data", (d) => {
    errors += d;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d) => {
      text += d;
      const lines = text.split("\n");
      text = lines.pop() ?? "";
      for (const line of lines) acks.push(JSON.parse(line));
      if (acks.length >= count && !child.killed) {
        child.kill("SIGKILL");
        resolve();
      }
    });
    child.on("exit", (code, signal) => {
      if (signal !== "SIGKILL") reject(new Error(`the writer stopped (${code}): ${errors}`));
    });
  });
  await new Promise((resolve) => child.once("close", resolve));
  return acks;
}

async function checkAfterKill(
  store: Store,
  acks: { write: number; etag: string; revision: number }[],
) {
  // The last acknowledged write of each resource is there (or a later one, written but not yet said).
  const last = new Map<string, { write: number; etag: string }>();
  for (const ack of acks) last.set(idOf(ack.write), ack);
  for (const [id, ack] of last) {
    const stored = await store.get(id);
    expect(stored, id).toBeDefined();
    const write = stored?.body.write as number;
    expect(write).toBeGreaterThanOrEqual(ack.write);
    if (write === ack.write) expect(stored?.etag).toBe(ack.etag);
    expect(stored?.body.rules).toHaveLength(50);
    // Nothing half-written: the resource is what its last revision wrote.
    const history = await store.history(id);
    expect(history.at(-1)?.after).toEqual(stored?.body);
    expect(history.at(-1)?.revision).toBe(stored?.revision);
  }
  // Every acknowledged write is a revision.
  const revisions = new Set<number>();
  for (const id of last.keys()) for (const r of await store.history(id)) revisions.add(r.revision);
  for (const ack of acks) expect(revisions.has(ack.revision), String(ack.write)).toBe(true);
}

describe("a store killed in the middle of acknowledged writes", () => {
  it("(SQLite) holds every acknowledged write, whole, when opened again", async () => {
    const path = join(dir, "sqlite", "tierwall.db");
    const acks = await writeThenKill("sqlite", path, 400);
    expect(acks.length).toBeGreaterThanOrEqual(400);
    const store = openSqliteStore(path);
    try {
      await checkAfterKill(store, acks);
      // The store takes writes again.
      await store.put(idOf(0), NSG, { write: -1 }, { actor: "after" });
    } finally {
      await store.close();
    }
  }, 60_000);

  const missing = postgresMissing();
  describe.skipIf(missing)(titled("(PostgreSQL)", missing), () => {
    let server: TestPostgres;
    beforeAll(() => {
      server = startPostgres();
    }, 60_000);
    afterAll(() => server?.stop());

    it("holds every acknowledged write, whole, when connected again", async () => {
      const acks = await writeThenKill("postgres", server.url, 400);
      const store = await openPostgresStore(server.url);
      try {
        await checkAfterKill(store, acks);
      } finally {
        await store.close();
      }
    }, 60_000);
  });
});
