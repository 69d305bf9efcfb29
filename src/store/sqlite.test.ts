import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { storeContract } from "../../test/support/store-contract.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

const dir = mkdtempSync(join(tmpdir(), "tierwall-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describe("the SQLite store", () => {
  const paths = new WeakMap<Store, string>();
  storeContract(
    async () => {
      const path = join(dir, `${n++}`, "tierwall.db");
      const store = openSqliteStore(path);
      paths.set(store, path);
      return store;
    },
    async (store) => openSqliteStore(paths.get(store) as string),
  );

  it("keeps what was written when opened again, and refuses a newer schema", async () => {
    const path = join(dir, "again", "tierwall.db");
    const store = openSqliteStore(path);
    const id =
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n";
    await store.put(id, "Microsoft.Network/networkSecurityGroups", { a: 1 }, { actor: "a" });
    await store.close();
    const again = openSqliteStore(path);
    expect((await again.get(id))?.body).toEqual({ a: 1 });
    expect(await again.history(id)).toHaveLength(1);
    await again.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path);
    db.prepare("UPDATE meta SET value = '99' WHERE name = 'schema'").run();
    db.close();
    expect(() => openSqliteStore(path)).toThrow(/newer tierwall \(store schema 99/);
  });

  it("brings a store of schema 1 (no notes) up to date, keeping its revisions", async () => {
    const path = join(dir, "schema1", "tierwall.db");
    const id =
      "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/networkSecurityGroups/n";
    const store = openSqliteStore(path);
    await store.put(id, "Microsoft.Network/networkSecurityGroups", { a: 1 }, { actor: "a" });
    await store.close();
    const Database = (await import("better-sqlite3")).default;
    const db = new Database(path);
    db.exec("ALTER TABLE revisions DROP COLUMN note");
    db.prepare("UPDATE meta SET value = '1' WHERE name = 'schema'").run();
    db.close();
    const again = openSqliteStore(path);
    await again.put(
      id,
      "Microsoft.Network/networkSecurityGroups",
      { a: 2 },
      { actor: "a", note: { n: 1 } },
    );
    expect((await again.history(id)).map((r) => r.note)).toEqual([undefined, { n: 1 }]);
    await again.close();
  });
});
