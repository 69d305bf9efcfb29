/** The web page's files: served from the build's folder with their types and a strict policy, or said to be missing. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { registerWebPage } from "./web-page.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("the web page's files", () => {
  it("serves index.html at / and the assets with their types, cached by name", async () => {
    dir = mkdtempSync(join(tmpdir(), "tierwall-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>t</title>");
    writeFileSync(join(dir, "assets", "index-abc.js"), "console.log(1)");
    const app = Fastify();
    registerWebPage(app, dir);
    const page = await app.inject({ url: "/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const script = await app.inject({ url: "/assets/index-abc.js" });
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.headers["cache-control"]).toContain("immutable");
    expect((await app.inject({ url: "/assets/../index.html" })).statusCode).toBe(404);
    expect((await app.inject({ url: "/assets/nothing.js" })).statusCode).toBe(404);
  });

  it("says how to build the page when it is not built", async () => {
    const app = Fastify();
    registerWebPage(app, undefined);
    const page = await app.inject({ url: "/" });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain("npm run build");
  });
});
