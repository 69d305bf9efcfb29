/**
 * What every store must do, as one suite run against each implementation
 * (SQLite, PostgreSQL): resources by id without regard to case, listing by
 * scope, etag conditions, revisions with their before and after, restore,
 * tokens, and concurrent writers that lose no update.
 */
import { describe, expect, it } from "vitest";
import {
  PreconditionFailed,
  RevisionNotFound,
  type Store,
  TokenExists,
} from "../../src/store/store.js";

const NSG = "Microsoft.Network/networkSecurityGroups";
const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";
const RG = `${SUB}/resourceGroups/rg-app`;
const nsgId = (name: string, group = RG) =>
  `${group}/providers/Microsoft.Network/networkSecurityGroups/${name}`;
const body = (rules: number) => ({
  location: "southcentralus",
  properties: {
    securityRules: Array.from({ length: rules }, (_, i) => ({
      name: `r${i}`,
      properties: { priority: 100 + i, access: "Allow", direction: "Inbound", protocol: "Tcp" },
    })),
  },
});

/**
 * Runs the suite on a store made fresh for each test by `open`; `beside`
 * opens a second connection to the store it is given, as another server would.
 */
export function storeContract(
  open: () => Promise<Store>,
  beside: (store: Store) => Promise<Store>,
): void {
  const withStore = (test: (store: Store) => Promise<void>) => async () => {
    const store = await open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  };

  describe("resources", () => {
    it(
      "creates, reads back, replaces and deletes, each write with a new etag and revision",
      withStore(async (store) => {
        const id = nsgId("RestrictBackendApi");
        const first = await store.put(id, NSG, body(1), { actor: "alice" });
        expect(first.created).toBe(true);
        expect(first.resource.etag).toMatch(/^W\/"[0-9a-f-]{36}"$/);
        expect(await store.get(id)).toEqual(first.resource);
        const second = await store.put(id, NSG, body(2), { actor: "bob" });
        expect(second.created).toBe(false);
        expect(second.resource.etag).not.toBe(first.resource.etag);
        expect(second.resource.revision).toBeGreaterThan(first.resource.revision);
        expect((await store.get(id))?.body).toEqual(body(2));
        const removed = await store.remove(id, { actor: "carol" });
        expect(removed?.body).toEqual(body(2));
        expect(await store.get(id)).toBeUndefined();
        expect(await store.remove(id, { actor: "carol" })).toBeUndefined();
      }),
    );

    it(
      "finds an id in any case, keeping the case it was first written in",
      withStore(async (store) => {
        await store.put(nsgId("Web-NSG"), NSG, body(1), { actor: "a" });
        const upper = nsgId("Web-NSG").toUpperCase();
        expect((await store.get(upper))?.id).toBe(nsgId("Web-NSG"));
        await store.put(upper, NSG, body(3), { actor: "a" });
        expect((await store.get(nsgId("web-nsg")))?.id).toBe(nsgId("Web-NSG"));
        expect(await store.list(NSG, RG)).toHaveLength(1);
      }),
    );

    it(
      "lists a type under a scope, by id, and nothing of a scope that only starts alike",
      withStore(async (store) => {
        const other = `${SUB}/resourceGroups/rg-app2`;
        for (const id of [nsgId("b"), nsgId("a"), nsgId("c", other)])
          await store.put(id, NSG, body(1), { actor: "a" });
        await store.put(
          `${RG}/providers/Microsoft.Network/virtualNetworks/v`,
          "Microsoft.Network/virtualNetworks",
          {},
          { actor: "a" },
        );
        expect((await store.list(NSG, RG)).map((r) => r.id)).toEqual([nsgId("a"), nsgId("b")]);
        expect((await store.list(NSG, SUB)).map((r) => r.id)).toHaveLength(3);
        expect(await store.list(NSG.toLowerCase(), `${RG.toUpperCase()}/`)).toHaveLength(2);
        expect(await store.list(NSG, `${SUB}/resourceGroups/rg`)).toEqual([]);
      }),
    );

    it(
      "keeps names with the characters LIKE patterns give meaning to apart",
      withStore(async (store) => {
        await store.put(nsgId("a_b"), NSG, body(1), { actor: "a" });
        await store.put(nsgId("a%b"), NSG, body(1), { actor: "a" });
        expect(
          await store.list(NSG, `${RG}/providers/Microsoft.Network/networkSecurityGroups/a_`),
        ).toEqual([]);
        expect((await store.get(nsgId("a_b")))?.id).toBe(nsgId("a_b"));
        expect(await store.get(nsgId("axb"))).toBeUndefined();
      }),
    );
  });

  describe("conditions", () => {
    it(
      "writes when If-Match holds the current etag (or *), and refuses a stale one",
      withStore(async (store) => {
        const id = nsgId("n");
        const { resource } = await store.put(id, NSG, body(1), { actor: "a" });
        const next = await store.put(id, NSG, body(2), { actor: "a", ifMatch: resource.etag });
        await expect(
          store.put(id, NSG, body(3), { actor: "b", ifMatch: resource.etag }),
        ).rejects.toBeInstanceOf(PreconditionFailed);
        await expect(store.remove(id, { actor: "b", ifMatch: resource.etag })).rejects.toThrow(
          /has changed since it was read/,
        );
        expect((await store.get(id))?.etag).toBe(next.resource.etag);
        await store.put(id, NSG, body(4), { actor: "a", ifMatch: "*" });
        await expect(
          store.put(nsgId("absent"), NSG, body(1), { actor: "a", ifMatch: "*" }),
        ).rejects.toThrow(/does not exist/);
        expect(await store.history(nsgId("absent"))).toEqual([]);
      }),
    );

    it(
      "creates only what does not exist with If-None-Match: *",
      withStore(async (store) => {
        const id = nsgId("n");
        await store.put(id, NSG, body(1), { actor: "a", ifNoneMatch: "*" });
        await expect(
          store.put(id, NSG, body(2), { actor: "a", ifNoneMatch: "*" }),
        ).rejects.toBeInstanceOf(PreconditionFailed);
        expect((await store.get(id))?.body).toEqual(body(1));
      }),
    );

    it(
      "loses no update when many writers edit one resource, each reading then writing with its etag",
      withStore(async (store) => {
        const id = nsgId("shared");
        await store.put(id, NSG, { count: 0 }, { actor: "setup" });
        const writer = async (name: string) => {
          for (;;) {
            const current = await store.get(id);
            const count = (current?.body.count as number) + 1;
            try {
              await store.put(id, NSG, { count }, { actor: name, ifMatch: current?.etag });
              return;
            } catch (e) {
              if (!(e instanceof PreconditionFailed)) throw e;
            }
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, i) => writer(`w${i}`)));
        expect((await store.get(id))?.body.count).toBe(20);
        expect(await store.history(id)).toHaveLength(21);
      }),
    );
  });

  describe("revisions", () => {
    it(
      "records who, when, and the resource before and after each change, also after it is deleted",
      withStore(async (store) => {
        const id = nsgId("n");
        await store.put(id, NSG, body(1), { actor: "alice" });
        await store.put(id, NSG, body(2), { actor: "bob" });
        await store.remove(id, { actor: "carol" });
        const history = await store.history(id.toUpperCase());
        expect(history.map((r) => [r.actor, r.before, r.after])).toEqual([
          ["alice", undefined, body(1)],
          ["bob", body(1), body(2)],
          ["carol", body(2), undefined],
        ]);
        expect(history.every((r) => r.id === id && r.type === NSG)).toBe(true);
        expect(Date.parse(history[0]?.at ?? "")).not.toBeNaN();
      }),
    );

    it(
      "keeps the note a writer gives with the revision its write makes",
      withStore(async (store) => {
        const id = nsgId("n");
        await store.put(id, NSG, body(1), { actor: "a", note: { newlyAllowed: ["x"] } });
        await store.put(id, NSG, body(2), { actor: "a" });
        await store.remove(id, { actor: "a", note: { removed: true } });
        const notes = (await store.history(id)).map((r) => r.note);
        expect(notes).toEqual([{ newlyAllowed: ["x"] }, undefined, { removed: true }]);
        const first = (await store.history(id))[0]?.revision as number;
        const restored = await store.restore(id, first, { actor: "b", note: { back: 1 } });
        expect(restored.note).toEqual({ back: 1 });
        expect((await store.history(id)).at(-1)?.note).toEqual({ back: 1 });
      }),
    );

    it(
      "restores a resource as a revision left it, as a new revision, and a deleted one too",
      withStore(async (store) => {
        const id = nsgId("n");
        const first = await store.put(id, NSG, body(1), { actor: "alice" });
        await store.put(id, NSG, body(5), { actor: "bob" });
        const restored = await store.restore(id, first.resource.revision, { actor: "carol" });
        expect(restored).toMatchObject({ actor: "carol", before: body(5), after: body(1) });
        expect(restored.restoredFrom).toBe(first.resource.revision);
        expect((await store.get(id))?.body).toEqual(body(1));
        await store.remove(id, { actor: "dave" });
        await store.restore(id, first.resource.revision, { actor: "erin" });
        expect((await store.get(id))?.id).toBe(id);
        await expect(store.restore(id, 999_999, { actor: "x" })).rejects.toBeInstanceOf(
          RevisionNotFound,
        );
        const other = await store.put(nsgId("other"), NSG, body(1), { actor: "x" });
        await expect(
          store.restore(id, other.resource.revision, { actor: "x" }),
        ).rejects.toBeInstanceOf(RevisionNotFound);
        const current = await store.get(id);
        await expect(
          store.restore(id, first.resource.revision, { actor: "x", ifMatch: 'W/"stale"' }),
        ).rejects.toBeInstanceOf(PreconditionFailed);
        expect((await store.get(id))?.etag).toBe(current?.etag);
      }),
    );

    it(
      "changes its version with every write of a resource or a token, and not with a refused one",
      withStore(async (store) => {
        const seen = new Set<string>([await store.version()]);
        const changed = async () => {
          const v = await store.version();
          const fresh = !seen.has(v);
          seen.add(v);
          return fresh;
        };
        await store.put(nsgId("a"), NSG, body(1), { actor: "x" });
        expect(await changed()).toBe(true);
        expect(await changed()).toBe(false);
        await expect(
          store.put(nsgId("a"), NSG, body(2), { actor: "x", ifMatch: 'W/"stale"' }),
        ).rejects.toBeInstanceOf(PreconditionFailed);
        expect(await changed()).toBe(false);
        await store.remove(nsgId("a"), { actor: "x" });
        expect(await changed()).toBe(true);
        await store.addToken({
          name: "t",
          role: "reader",
          hash: "h",
          createdAt: new Date().toISOString(),
        });
        expect(await changed()).toBe(true);
        await store.removeToken("t");
        expect(await changed()).toBe(true);
        // Written through another connection (another server, `serve token revoke`): seen too.
        const other = await beside(store);
        try {
          await other.put(nsgId("b"), NSG, body(1), { actor: "y" });
          expect(await changed()).toBe(true);
          await other.addToken({ name: "u", role: "reader", hash: "u", createdAt: "2026-01-01" });
          expect(await changed()).toBe(true);
          await other.removeToken("u");
          expect(await changed()).toBe(true);
        } finally {
          await other.close();
        }
      }),
    );
  });

  describe("tokens", () => {
    it(
      "keeps tokens by name with their role and hash, refuses a name twice, and removes them",
      withStore(async (store) => {
        const token = {
          name: "ci",
          role: "writer" as const,
          hash: "ab".repeat(32),
          createdAt: new Date().toISOString(),
        };
        await store.addToken(token);
        await expect(store.addToken({ ...token, hash: "cd".repeat(32) })).rejects.toBeInstanceOf(
          TokenExists,
        );
        expect(await store.tokenByHash(token.hash)).toEqual(token);
        expect(await store.tokenByHash("ef".repeat(32))).toBeUndefined();
        await store.addToken({ ...token, name: "admin", role: "admin", hash: "01".repeat(32) });
        expect((await store.tokens()).map((t) => t.name)).toEqual(["admin", "ci"]);
        expect(await store.removeToken("ci")).toBe(true);
        expect(await store.removeToken("ci")).toBe(false);
        expect(await store.tokenByHash(token.hash)).toBeUndefined();
      }),
    );
  });
}
