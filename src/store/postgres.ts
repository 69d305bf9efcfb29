/**
 * The store in PostgreSQL (`tierwall serve --store postgres://...`), for a
 * team that runs the service on a database it already keeps. Each write is
 * one transaction that first takes a lock on the resource's key (an advisory
 * lock, so that a resource being created is locked too), then checks the
 * etag and writes the resource and its revision together.
 */
import pg from "pg";
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
CREATE TABLE IF NOT EXISTS tierwall_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tierwall_resources (
  key TEXT PRIMARY KEY, id TEXT NOT NULL, type_key TEXT NOT NULL, type TEXT NOT NULL,
  body JSON NOT NULL, etag TEXT NOT NULL, revision BIGINT NOT NULL, changed_at TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS tierwall_resources_by_type ON tierwall_resources (type_key, key);
CREATE TABLE IF NOT EXISTS tierwall_revisions (
  revision BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL,
  type TEXT NOT NULL, at TIMESTAMPTZ NOT NULL, actor TEXT NOT NULL, before JSON, after JSON,
  restored_from BIGINT);
ALTER TABLE tierwall_revisions ADD COLUMN IF NOT EXISTS note JSON;
CREATE INDEX IF NOT EXISTS tierwall_revisions_by_key ON tierwall_revisions (key, revision);
CREATE SEQUENCE IF NOT EXISTS tierwall_token_changes;
CREATE TABLE IF NOT EXISTS tierwall_tokens (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TIMESTAMPTZ NOT NULL);
`;

interface ResourceRow {
  id: string;
  type: string;
  body: ResourceBody;
  etag: string;
  revision: string;
  changed_at: Date;
}

interface RevisionRow {
  revision: string;
  id: string;
  type: string;
  at: Date;
  actor: string;
  before: ResourceBody | null;
  after: ResourceBody | null;
  restored_from: string | null;
  note: ResourceBody | null;
}

interface TokenRow {
  name: string;
  role: Role;
  hash: string;
  created_at: Date;
}

const RESOURCE_COLUMNS = "id, type, body, etag, revision, changed_at";
const REVISION_COLUMNS = "revision, id, type, at, actor, before, after, restored_from, note";

const resourceOf = (row: ResourceRow): StoredResource => ({
  id: row.id,
  type: row.type,
  body: row.body,
  etag: row.etag,
  revision: Number(row.revision),
  changedAt: row.changed_at.toISOString(),
});

const revisionOf = (row: RevisionRow): Revision => ({
  revision: Number(row.revision),
  id: row.id,
  type: row.type,
  at: row.at.toISOString(),
  actor: row.actor,
  before: row.before ?? undefined,
  after: row.after ?? undefined,
  ...(row.restored_from !== null ? { restoredFrom: Number(row.restored_from) } : {}),
  ...(row.note !== null ? { note: row.note } : {}),
});

const tokenOf = (row: TokenRow): TokenRecord => ({
  name: row.name,
  role: row.role,
  hash: row.hash,
  createdAt: row.created_at.toISOString(),
});

/** Connects to the database at `url` (a postgres:// URL), creating tierwall's tables when missing. */
export async function openPostgresStore(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // An idle connection the server drops is replaced; the error must not end the process.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    try {
      // One process creates the schema at a time.
      await client.query("SELECT pg_advisory_lock(hashtext('tierwall schema'))");
      await client.query(SCHEMA);
      const found = await client.query<{ value: string }>(
        "SELECT value FROM tierwall_meta WHERE name = 'schema'",
      );
      const version = found.rows[0]?.value;
      if (version === undefined)
        await client.query("INSERT INTO tierwall_meta (name, value) VALUES ('schema', $1)", [
          String(SCHEMA_VERSION),
        ]);
      else if (version === "1")
        // Schema 2 keeps a note with each revision (the ALTER in SCHEMA added its column).
        await client.query("UPDATE tierwall_meta SET value = $1 WHERE name = 'schema'", [
          String(SCHEMA_VERSION),
        ]);
      else if (Number(version) > SCHEMA_VERSION)
        throw new Error(
          `the database was written by a newer tierwall (store schema ${version}; this one reads ${SCHEMA_VERSION})`,
        );
      await client.query("SELECT pg_advisory_unlock(hashtext('tierwall schema'))");
    } finally {
      client.release();
    }
  } catch (e) {
    await pool.end();
    throw e;
  }

  /** Runs `work` in one transaction holding the lock of the resource's key. */
  const locked = async <T>(id: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [resourceKey(id)]);
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  };

  const current = async (client: pg.PoolClient, id: string) =>
    (
      await client.query<ResourceRow>(
        `SELECT ${RESOURCE_COLUMNS} FROM tierwall_resources WHERE key = $1`,
        [resourceKey(id)],
      )
    ).rows[0];

  const check = (id: string, row: ResourceRow | undefined, conditions: WriteConditions) => {
    const problem = conditionProblem(id, row, conditions);
    if (problem !== undefined) throw new PreconditionFailed(id, problem);
  };

  /** Writes `after` (or deletes, when undefined) as one revision, inside the caller's transaction. */
  const write = async (
    client: pg.PoolClient,
    id: string,
    type: string,
    row: ResourceRow | undefined,
    after: ResourceBody | undefined,
    conditions: WriteConditions,
    restoredFrom: number | undefined,
  ) => {
    const key = resourceKey(id);
    const keptId = row?.id ?? id;
    const inserted = await client.query<RevisionRow>(
      `INSERT INTO tierwall_revisions (key, id, type, at, actor, before, after, restored_from, note)
       VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8) RETURNING ${REVISION_COLUMNS}`,
      [
        key,
        keptId,
        type,
        conditions.actor,
        row ? JSON.stringify(row.body) : null,
        after === undefined ? null : JSON.stringify(after),
        restoredFrom ?? null,
        conditions.note === undefined ? null : JSON.stringify(conditions.note),
      ],
    );
    const revision = inserted.rows[0] as RevisionRow;
    const etag = newEtag();
    if (after === undefined)
      await client.query("DELETE FROM tierwall_resources WHERE key = $1", [key]);
    else
      await client.query(
        `INSERT INTO tierwall_resources (key, id, type_key, type, body, etag, revision, changed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (key) DO UPDATE SET type_key = excluded.type_key, type = excluded.type,
           body = excluded.body, etag = excluded.etag, revision = excluded.revision,
           changed_at = excluded.changed_at`,
        [
          key,
          keptId,
          type.toLowerCase(),
          type,
          JSON.stringify(after),
          etag,
          revision.revision,
          revision.at,
        ],
      );
    return { revision, etag, keptId };
  };

  return {
    async get(id) {
      const row = (
        await pool.query<ResourceRow>(
          `SELECT ${RESOURCE_COLUMNS} FROM tierwall_resources WHERE key = $1`,
          [resourceKey(id)],
        )
      ).rows[0];
      return row ? resourceOf(row) : undefined;
    },
    async list(type, scope) {
      const prefix = scopeKey(scope);
      const rows = await pool.query<ResourceRow>(
        `SELECT ${RESOURCE_COLUMNS} FROM tierwall_resources
         WHERE type_key = $1 AND left(key, $2) = $3 ORDER BY key COLLATE "C"`,
        [type.toLowerCase(), prefix.length, prefix],
      );
      return rows.rows.map(resourceOf);
    },
    async put(id, type, body, conditions) {
      return locked(id, async (client) => {
        const row = await current(client, id);
        check(id, row, conditions);
        const { revision, etag, keptId } = await write(
          client,
          id,
          type,
          row,
          body,
          conditions,
          undefined,
        );
        return {
          resource: {
            id: keptId,
            type,
            body,
            etag,
            revision: Number(revision.revision),
            changedAt: revision.at.toISOString(),
          },
          created: row === undefined,
        };
      });
    },
    async remove(id, conditions) {
      return locked(id, async (client) => {
        const row = await current(client, id);
        check(id, row, conditions);
        if (!row) return undefined;
        await write(client, id, row.type, row, undefined, conditions, undefined);
        return resourceOf(row);
      });
    },
    async history(id) {
      const rows = await pool.query<RevisionRow>(
        `SELECT ${REVISION_COLUMNS} FROM tierwall_revisions WHERE key = $1 ORDER BY revision`,
        [resourceKey(id)],
      );
      return rows.rows.map(revisionOf);
    },
    async version() {
      // Resources change with a revision; tokens advance a sequence (read by any session).
      const rows = await pool.query<{ version: string }>(
        `SELECT (SELECT coalesce(max(revision), 0) FROM tierwall_revisions) || '.' ||
                (SELECT last_value || '.' || is_called FROM tierwall_token_changes) AS version`,
      );
      return rows.rows[0]?.version ?? "";
    },
    async restore(id, revision, conditions) {
      return locked(id, async (client) => {
        const target = (
          await client.query<RevisionRow>(
            `SELECT ${REVISION_COLUMNS} FROM tierwall_revisions WHERE key = $1 AND revision = $2`,
            [resourceKey(id), revision],
          )
        ).rows[0];
        if (!target) throw new RevisionNotFound(id, revision);
        const row = await current(client, id);
        check(id, row, conditions);
        const written = await write(
          client,
          id,
          target.type,
          row,
          target.after ?? undefined,
          conditions,
          revision,
        );
        return revisionOf(written.revision);
      });
    },
    async addToken(token) {
      const added = await pool.query(
        `INSERT INTO tierwall_tokens (name, role, hash, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO NOTHING`,
        [token.name, token.role, token.hash, token.createdAt],
      );
      if (added.rowCount === 0) throw new TokenExists(token.name);
      await pool.query("SELECT nextval('tierwall_token_changes')");
    },
    async tokenByHash(hash) {
      const row = (
        await pool.query<TokenRow>(
          "SELECT name, role, hash, created_at FROM tierwall_tokens WHERE hash = $1",
          [hash],
        )
      ).rows[0];
      return row ? tokenOf(row) : undefined;
    },
    async tokens() {
      const rows = await pool.query<TokenRow>(
        `SELECT name, role, hash, created_at FROM tierwall_tokens ORDER BY name COLLATE "C"`,
      );
      return rows.rows.map(tokenOf);
    },
    async removeToken(name) {
      const removed = await pool.query("DELETE FROM tierwall_tokens WHERE name = $1", [name]);
      await pool.query("SELECT nextval('tierwall_token_changes')");
      return (removed.rowCount ?? 0) > 0;
    },
    async close() {
      await pool.end();
    },
  };
}
