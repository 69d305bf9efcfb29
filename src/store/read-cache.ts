/**
 * A store that keeps what it has read (resources by id, tokens by hash) until
 * the store's version changes: the server asks for the version at the start of
 * a request (`refresh`), at most once a millisecond, so a request costs at most
 * one cheap question to the store instead of one per resource it reads. Writes
 * through this store are seen at once (they forget what was kept); writes by
 * another process (another server, `serve token revoke`) within a millisecond.
 *
 * What it gives is shared between requests: callers never change it (the
 * types say so).
 */
import type { Revision, Store, StoredResource, TokenRecord, WriteConditions } from "./store.js";

/** Entries kept before all are forgotten: enough for an estate, bounded for a flood of misses. */
const MAX_ENTRIES = 100_000;
/** How long a version is taken as current: how late a write by another process may be seen. */
const REFRESH_MS = 1;

export class ReadCachingStore implements Store {
  private seen: string | undefined;
  /** When the version was last asked (performance.now()), and the answer while it is on its way. */
  private askedAt = Number.NEGATIVE_INFINITY;
  private asking: Promise<void> | undefined;
  private readonly resources = new Map<string, Promise<StoredResource | undefined>>();
  private readonly tokensByHash = new Map<string, Promise<TokenRecord | undefined>>();

  constructor(private readonly inner: Store) {}

  /**
   * Forgets what was read if the store has changed since: called at the start
   * of each request. Under load, requests within a millisecond share one
   * question; undefined when the answer is in hand (nothing to wait for).
   */
  refresh(): Promise<void> | undefined {
    const now = performance.now();
    if (this.seen !== undefined && now - this.askedAt < REFRESH_MS) return this.asking;
    this.askedAt = now;
    const asking: Promise<void> = this.inner.version().then(
      (version) => {
        if (version !== this.seen) {
          this.forget();
          this.seen = version;
        }
        if (this.asking === asking) this.asking = undefined;
      },
      (e: unknown) => {
        // A failed question is asked again by the next request.
        if (this.asking === asking) this.asking = undefined;
        this.askedAt = Number.NEGATIVE_INFINITY;
        throw e;
      },
    );
    this.asking = asking;
    return asking;
  }

  private forget(): void {
    this.resources.clear();
    this.tokensByHash.clear();
  }

  private kept<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
    const found = map.get(key);
    if (found) return found;
    if (map.size >= MAX_ENTRIES) map.clear();
    const reading = read();
    map.set(key, reading);
    // A failed read is not kept.
    reading.catch(() => map.delete(key));
    return reading;
  }

  /** Runs a write and forgets what was read (this process's writes are seen at once). */
  private async writing<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      this.forget();
      this.seen = undefined;
      this.asking = undefined;
    }
  }

  get(id: string): Promise<StoredResource | undefined> {
    return this.kept(this.resources, id.toLowerCase(), () => this.inner.get(id));
  }
  tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    return this.kept(this.tokensByHash, hash, () => this.inner.tokenByHash(hash));
  }

  list(type: string, scope: string): Promise<StoredResource[]> {
    return this.inner.list(type, scope);
  }
  history(id: string): Promise<Revision[]> {
    return this.inner.history(id);
  }
  tokens(): Promise<TokenRecord[]> {
    return this.inner.tokens();
  }
  /** The version as of the last refresh (what the kept reads are of), or the store's now. */
  version(): Promise<string> {
    return this.seen !== undefined ? Promise.resolve(this.seen) : this.inner.version();
  }

  put(id: string, type: string, body: StoredResource["body"], conditions: WriteConditions) {
    return this.writing(this.inner.put(id, type, body, conditions));
  }
  remove(id: string, conditions: WriteConditions) {
    return this.writing(this.inner.remove(id, conditions));
  }
  restore(id: string, revision: number, conditions: WriteConditions) {
    return this.writing(this.inner.restore(id, revision, conditions));
  }
  addToken(token: TokenRecord) {
    return this.writing(this.inner.addToken(token));
  }
  removeToken(name: string) {
    return this.writing(this.inner.removeToken(name));
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
