import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { titled } from "../../test/support/environment.js";
import { postgresMissing, startPostgres, type TestPostgres } from "../../test/support/postgres.js";
import { storeContract } from "../../test/support/store-contract.js";
import { openPostgresStore } from "./postgres.js";
import type { Store } from "./store.js";

const missing = postgresMissing();

describe.skipIf(missing)(titled("the PostgreSQL store", missing), () => {
  let server: TestPostgres;
  let n = 0;
  beforeAll(() => {
    server = startPostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  /** A database of its own for each test, so that tests do not see each other's resources. */
  async function freshDatabase(): Promise<string> {
    const name = `t${n++}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace("/postgres?", `/${name}?`);
  }

  const urls = new WeakMap<Store, string>();
  storeContract(
    async () => {
      const url = await freshDatabase();
      const store = await openPostgresStore(url);
      urls.set(store, url);
      return store;
    },
    async (store) => openPostgresStore(urls.get(store) as string),
  );

  it("keeps what was written when connected again, and refuses a newer schema", async () => {
    const url = await freshDatabase();
    const store = await openPostgresStore(url);
    const id =
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n";
    await store.put(id, "Microsoft.Network/networkSecurityGroups", { b: 1, a: 2 }, { actor: "a" });
    await store.close();
    const again = await openPostgresStore(url);
    // The body comes back as written, keys in their order.
    expect(JSON.stringify((await again.get(id))?.body)).toBe('{"b":1,"a":2}');
    await again.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("UPDATE tierwall_meta SET value = '99' WHERE name = 'schema'");
    await client.end();
    await expect(openPostgresStore(url)).rejects.toThrow(/newer tierwall \(store schema 99/);
  });
});
