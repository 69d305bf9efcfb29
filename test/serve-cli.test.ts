/**
 * `tierwall serve` end to end on loopback: a token made with `serve token
 * create`, the server started on a free port of 127.0.0.1, the seed's NSG
 * written and read back over HTTP, requests without a token refused, and the
 * server stopped by SIGTERM; on SQLite, and on PostgreSQL where it can run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";
import { titled } from "./support/environment.js";
import { postgresMissing, startPostgres, type TestPostgres } from "./support/postgres.js";
import { serve, stop } from "./support/serve.js";

beforeAll(requireBuild);

const dir = mkdtempSync(join(tmpdir(), "tierwall-serve-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NSG =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ase/providers/Microsoft.Network/networkSecurityGroups/RestrictBackendApi";
const V = "?api-version=2024-05-01";
const SEED_NSG = {
  location: "southcentralus",
  properties: {
    securityRules: [
      {
        name: "ALLOW-HTTPS-fe1ase",
        properties: {
          protocol: "Tcp",
          sourceAddressPrefix: "198.51.100.11",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRange: "443",
          access: "Allow",
          priority: 300,
          direction: "Inbound",
        },
      },
    ],
  },
};

async function roundTrip(url: string, token: string) {
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const put = await fetch(url + NSG + V, {
    method: "PUT",
    headers: auth,
    body: JSON.stringify(SEED_NSG),
  });
  expect(put.status).toBe(201);
  const got = await fetch(url + NSG + V, { headers: auth });
  expect(got.status).toBe(200);
  const body = (await got.json()) as { properties: { securityRules: { name: string }[] } };
  expect(body.properties.securityRules.map((r) => r.name)).toEqual(["ALLOW-HTTPS-fe1ase"]);
  const anonymous = await fetch(url + NSG + V);
  expect(anonymous.status).toBe(401);
  expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
    "AuthenticationFailed",
  );
}

describe("tierwall serve", () => {
  it("serves NSGs over HTTP on 127.0.0.1 to a token made by serve token create, until SIGTERM", async () => {
    const data = join(dir, "data");
    const made = tierwall(["serve", "token", "create", "ci", "--role", "writer", "--data", data]);
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^tw_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain("shown this once");
    const { url, child, said, logged } = await serve(["--data", data]);
    try {
      expect(said()).toContain("1 token;");
      await roundTrip(url, token);
    } finally {
      expect(await stop(child)).toBe(0);
    }
    // A JSON line per request on standard output, naming the token, never showing it.
    const lines = logged()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; method: string; status: number; caller: string })
      .filter((l) => l.msg === "request");
    expect(lines.map((l) => [l.method, l.status, l.caller])).toEqual([
      ["PUT", 201, "token ci"],
      ["GET", 200, "token ci"],
      ["GET", 401, "address 127.0.0.1"],
    ]);
    expect(logged()).not.toContain(token);
    expect(said()).toContain("tierwall serve: stopped");
    // What was written is there when it starts again.
    const again = await serve(["--data", data]);
    try {
      const got = await fetch(again.url + NSG + V, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(got.status).toBe(200);
    } finally {
      await stop(again.child);
    }
  }, 60_000);

  it("loses no update when 50 clients edit one NSG at once over HTTP, each reading, then writing with If-Match", async () => {
    const data = join(dir, "editors");
    const token = tierwall(["serve", "token", "create", "ci", "--data", data]).stdout.trim();
    const { url, child } = await serve(["--data", data]);
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    try {
      expect(
        (await fetch(url + NSG + V, { method: "PUT", headers, body: JSON.stringify(SEED_NSG) }))
          .status,
      ).toBe(201);
      let refused = 0;
      // Each editor adds its own rule to the whole NSG it read, as a full PUT under the etag it read.
      const editor = async (i: number) => {
        for (;;) {
          const read = await fetch(url + NSG + V, { headers });
          if (read.status === 429) {
            await new Promise((r) => setTimeout(r, Number(read.headers.get("retry-after")) * 1000));
            continue;
          }
          const etag = read.headers.get("etag") as string;
          const nsg = (await read.json()) as {
            location: string;
            properties: { securityRules: object[] };
          };
          const rule = {
            name: `editor-${i}`,
            properties: { ...SEED_NSG.properties.securityRules[0]?.properties, priority: 1000 + i },
          };
          const write = await fetch(url + NSG + V, {
            method: "PUT",
            headers: { ...headers, "if-match": etag },
            body: JSON.stringify({
              location: nsg.location,
              properties: { securityRules: [...nsg.properties.securityRules, rule] },
            }),
          });
          if (write.status === 200) return;
          // Past the token's rate, a client waits as told (as Azure's SDKs do).
          if (write.status === 429) {
            await new Promise((r) =>
              setTimeout(r, Number(write.headers.get("retry-after")) * 1000),
            );
            continue;
          }
          expect(write.status).toBe(412);
          refused++;
        }
      };
      await Promise.all(Array.from({ length: 50 }, (_, i) => editor(i)));
      const final = (await (await fetch(url + NSG + V, { headers })).json()) as {
        properties: { securityRules: { name: string }[] };
      };
      expect(final.properties.securityRules).toHaveLength(51);
      expect(new Set(final.properties.securityRules.map((r) => r.name)).size).toBe(51);
      // Some writes met a newer etag and were refused, and written again on what was there.
      expect(refused).toBeGreaterThan(0);
    } finally {
      await stop(child);
    }
  }, 120_000);

  it("says how to get a token when there is none, and refuses bad options", async () => {
    const empty = await serve(["--data", join(dir, "empty")]);
    try {
      expect(empty.said()).toContain(
        "no token yet: make one with `tierwall serve token create NAME --role writer --data",
      );
    } finally {
      await stop(empty.child);
    }
    expect(tierwall(["serve", "--port", "70000"]).code).toBe(2);
    expect(tierwall(["serve", "--store", "mysql://x"]).stderr).toContain(
      "expected a postgres:// URL",
    );
  }, 30_000);

  it("makes, lists and revokes tokens, never showing one twice", () => {
    const data = join(dir, "tokens");
    expect(tierwall(["serve", "token", "create", "a", "--data", data]).code).toBe(0);
    expect(
      tierwall(["serve", "token", "create", "b", "--role", "admin", "--data", data]).code,
    ).toBe(0);
    const twice = tierwall(["serve", "token", "create", "a", "--data", data]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("a token named a exists");
    expect(tierwall(["serve", "token", "create", "c", "--role", "root", "--data", data]).code).toBe(
      2,
    );
    expect(tierwall(["serve", "token", "create", "../x", "--data", data]).code).toBe(2);
    const listed = tierwall(["serve", "token", "list", "--data", data]);
    expect(
      listed.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t").slice(0, 2)),
    ).toEqual([
      ["a", "writer"],
      ["b", "admin"],
    ]);
    expect(listed.stdout).not.toMatch(/tw_/);
    expect(tierwall(["serve", "token", "revoke", "a", "--data", data]).code).toBe(0);
    expect(tierwall(["serve", "token", "revoke", "a", "--data", data]).code).toBe(2);
  });

  const missing = postgresMissing();
  describe.skipIf(missing)(titled("on PostgreSQL", missing), () => {
    let server: TestPostgres;
    beforeAll(() => {
      server = startPostgres();
    }, 60_000);
    afterAll(() => server?.stop());

    it("serves from a PostgreSQL store given by --store", async () => {
      const made = tierwall(["serve", "token", "create", "ci", "--store", server.url]);
      expect(made.code, made.stderr).toBe(0);
      const { url, child, said } = await serve(["--store", server.url]);
      try {
        expect(said()).toContain("(store: postgres://");
        await roundTrip(url, made.stdout.trim());
      } finally {
        await stop(child);
      }
    }, 60_000);
  });
});
