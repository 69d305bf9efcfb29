/**
 * The store in one SQLite file: the embedded default. Write-ahead logging
 * with full synchronous commits, so that a write acknowledged is on disk
 * (a crash loses none), and each write one transaction that takes the
 * database's write lock first (BEGIN IMMEDIATE), so that checking an etag and
 * writing are one step however many processes share the file.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import {
  conditionProblem,
  newEtag,
  PreconditionFailed,
  type ResourceBody,
  type Revision,
  RevisionNotFound,
  type Role,
  resourceKey,
  type Store,
  type StoredResource,
  scopeKey,
  TokenExists,
  type TokenRecord,
  type WriteConditions,
} from "./store.js";

const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
  key TEXT PRIMARY KEY, id TEXT NOT NULL, type_key TEXT NOT NULL, type TEXT NOT NULL,
  body TEXT NOT NULL, etag TEXT NOT NULL, revision INTEGER NOT NULL, changed_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS resources_by_type ON resources (type_key, key);
CREATE TABLE IF NOT EXISTS revisions (
  revision INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
  at TEXT NOT NULL, actor TEXT NOT NULL, before TEXT, after TEXT, restored_from INTEGER, note TEXT);
CREATE INDEX IF NOT EXISTS revisions_by_key ON revisions (key, revision);
CREATE TABLE IF NOT EXISTS tokens (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
`;

interface ResourceRow {
  id: string;
  type: string;
  body: string;
  etag: string;
  revision: number;
  changed_at: string;
}

interface RevisionRow {
  revision: number;
  id: string;
  type: string;
  at: string;
  actor: string;
  before: string | null;
  after: string | null;
  restored_from: number | null;
  note: string | null;
}

interface TokenRow {
  name: string;
  role: Role;
  hash: string;
  created_at: string;
}

const resourceOf = (row: ResourceRow): StoredResource => ({
  id: row.id,
  type: row.type,
  body: JSON.parse(row.body) as ResourceBody,
  etag: row.etag,
  revision: row.revision,
  changedAt: row.changed_at,
});

const revisionOf = (row: RevisionRow): Revision => ({
  revision: row.revision,
  id: row.id,
  type: row.type,
  at: row.at,
  actor: row.actor,
  before: row.before === null ? undefined : (JSON.parse(row.before) as ResourceBody),
  after: row.after === null ? undefined : (JSON.parse(row.after) as ResourceBody),
  ...(row.restored_from !== null ? { restoredFrom: row.restored_from } : {}),
  ...(row.note !== null ? { note: JSON.parse(row.note) as ResourceBody } : {}),
});

const tokenOf = (row: TokenRow): TokenRecord => ({
  name: row.name,
  role: row.role,
  hash: row.hash,
  createdAt: row.created_at,
});

/** Opens (creating it and its folder when needed) the store in the SQLite file at `path`. */
export function openSqliteStore(path: string): Store {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 10000");
  db.exec(SCHEMA);
  const version = (
    db.prepare("SELECT value FROM meta WHERE name = 'schema'").get() as
      | { value: string }
      | undefined
  )?.value;
  if (version === undefined)
    db.prepare("INSERT INTO meta (name, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
  else if (version === "1") {
    // Schema 2 keeps a note with each revision.
    db.exec("ALTER TABLE revisions ADD COLUMN note TEXT");
    db.prepare("UPDATE meta SET value = ? WHERE name = 'schema'").run(String(SCHEMA_VERSION));
  } else if (Number(version) > SCHEMA_VERSION) {
    db.close();
    throw new Error(
      `${path} was written by a newer tierwall (store schema ${version}; this one reads ${SCHEMA_VERSION})`,
    );
  }

  const getRow = db.prepare<[string], ResourceRow>(
    "SELECT id, type, body, etag, revision, changed_at FROM resources WHERE key = ?",
  );
  const listRows = db.prepare<[string, number, string], ResourceRow>(
    "SELECT id, type, body, etag, revision, changed_at FROM resources WHERE type_key = ? AND substr(key, 1, ?) = ? ORDER BY key",
  );
  const upsert = db.prepare(
    `INSERT INTO resources (key, id, type_key, type, body, etag, revision, changed_at)
     VALUES (@key, @id, @typeKey, @type, @body, @etag, @revision, @at)
     ON CONFLICT (key) DO UPDATE SET type_key = excluded.type_key, type = excluded.type,
       body = excluded.body, etag = excluded.etag, revision = excluded.revision, changed_at = excluded.changed_at`,
  );
  const deleteRow = db.prepare("DELETE FROM resources WHERE key = ?");
  const addRevision = db.prepare(
    `INSERT INTO revisions (key, id, type, at, actor, before, after, restored_from, note)
     VALUES (@key, @id, @type, @at, @actor, @before, @after, @restoredFrom, @note)`,
  );
  const historyRows = db.prepare<[string], RevisionRow>(
    "SELECT revision, id, type, at, actor, before, after, restored_from, note FROM revisions WHERE key = ? ORDER BY revision",
  );
  // Asked on every request: prepared once.
  const tokenRow = db.prepare<[string], TokenRow>(
    "SELECT name, role, hash, created_at FROM tokens WHERE hash = ?",
  );
  // SQLite's data_version changes when another connection commits; this one's commits are counted here.
  const dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
  let commits = 0;
  const revisionRow = db.prepare<[string, number], RevisionRow>(
    "SELECT revision, id, type, at, actor, before, after, restored_from, note FROM revisions WHERE key = ? AND revision = ?",
  );

  /** Writes `after` (or deletes, when undefined) as one revision; inside a transaction. */
  const write = (
    id: string,
    type: string,
    current: ResourceRow | undefined,
    after: ResourceBody | undefined,
    conditions: WriteConditions,
    restoredFrom: number | undefined,
  ): { revision: number; at: string; etag: string } => {
    const key = resourceKey(id);
    const at = new Date().toISOString();
    const { lastInsertRowid } = addRevision.run({
      key,
      id: current?.id ?? id,
      type,
      at,
      actor: conditions.actor,
      before: current?.body ?? null,
      after: after === undefined ? null : JSON.stringify(after),
      restoredFrom: restoredFrom ?? null,
      note: conditions.note === undefined ? null : JSON.stringify(conditions.note),
    });
    const revision = Number(lastInsertRowid);
    const etag = newEtag();
    if (after === undefined) deleteRow.run(key);
    else
      upsert.run({
        key,
        id: current?.id ?? id,
        typeKey: type.toLowerCase(),
        type,
        body: JSON.stringify(after),
        etag,
        revision,
        at,
      });
    return { revision, at, etag };
  };

  const check = (id: string, current: ResourceRow | undefined, conditions: WriteConditions) => {
    const problem = conditionProblem(id, current, conditions);
    if (problem !== undefined) throw new PreconditionFailed(id, problem);
  };

  const put = db.transaction(
    (id: string, type: string, body: ResourceBody, conditions: WriteConditions) => {
      const current = getRow.get(resourceKey(id));
      check(id, current, conditions);
      const { revision, at, etag } = write(id, type, current, body, conditions, undefined);
      return {
        resource: {
          id: current?.id ?? id,
          type,
          body,
          etag,
          revision,
          changedAt: at,
        } satisfies StoredResource,
        created: current === undefined,
      };
    },
  );

  const remove = db.transaction((id: string, conditions: WriteConditions) => {
    const current = getRow.get(resourceKey(id));
    check(id, current, conditions);
    if (!current) return undefined;
    write(id, current.type, current, undefined, conditions, undefined);
    return resourceOf(current);
  });

  const restore = db.transaction((id: string, revision: number, conditions: WriteConditions) => {
    const key = resourceKey(id);
    const target = revisionRow.get(key, revision);
    if (!target) throw new RevisionNotFound(id, revision);
    const current = getRow.get(key);
    check(id, current, conditions);
    const after = target.after === null ? undefined : (JSON.parse(target.after) as ResourceBody);
    const written = write(id, target.type, current, after, conditions, revision);
    return revisionOf({
      revision: written.revision,
      id: current?.id ?? target.id,
      type: target.type,
      at: written.at,
      actor: conditions.actor,
      before: current?.body ?? null,
      after: target.after,
      restored_from: revision,
      note: conditions.note === undefined ? null : JSON.stringify(conditions.note),
    });
  });

  return {
    async get(id) {
      const row = getRow.get(resourceKey(id));
      return row ? resourceOf(row) : undefined;
    },
    async list(type, scope) {
      const prefix = scopeKey(scope);
      return listRows.all(type.toLowerCase(), prefix.length, prefix).map(resourceOf);
    },
    async put(id, type, body, conditions) {
      const written = put.immediate(id, type, body, conditions);
      commits++;
      return written;
    },
    async remove(id, conditions) {
      const removed = remove.immediate(id, conditions);
      commits++;
      return removed;
    },
    async history(id) {
      return historyRows.all(resourceKey(id)).map(revisionOf);
    },
    async restore(id, revision, conditions) {
      const restored = restore.immediate(id, revision, conditions);
      commits++;
      return restored;
    },
    async version() {
      return `${dataVersion.get()}.${commits}`;
    },
    async addToken(token) {
      const added = db
        .prepare(
          "INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .run(token.name, token.role, token.hash, token.createdAt);
      if (added.changes === 0) throw new TokenExists(token.name);
      commits++;
    },
    async tokenByHash(hash) {
      const row = tokenRow.get(hash);
      return row ? tokenOf(row) : undefined;
    },
    async tokens() {
      return db
        .prepare<[], TokenRow>("SELECT name, role, hash, created_at FROM tokens ORDER BY name")
        .all()
        .map(tokenOf);
    },
    async removeToken(name) {
      const removed = db.prepare("DELETE FROM tokens WHERE name = ?").run(name).changes > 0;
      commits++;
      return removed;
    },
    async close() {
      db.close();
    },
  };
}
