/**
 * The web page (web/, built into dist/web): `index.html` at `/` and its
 * assets under `/assets/`, read once and kept in memory. They need no token:
 * the page asks for one (or takes the one `tierwall serve` prints in its
 * URL's fragment, which browsers never send) before it reads anything.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

/** Where the built page is: dist/web beside dist/server, or (running from the sources) the build's. */
export function webPageFolder(): string | undefined {
  for (const relative of ["../web/", "../../dist/web/"]) {
    const folder = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(folder, "index.html"))) return folder;
  }
  return undefined;
}

/** A strict policy: the page loads only its own scripts and styles and talks only to this server. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function registerWebPage(app: FastifyInstance, folder: string | undefined): void {
  const files = new Map<string, { body: Buffer; type: string }>();
  if (folder) {
    const read = (name: string) => ({
      body: readFileSync(join(folder, name)),
      type: TYPES[extname(name)] ?? "application/octet-stream",
    });
    files.set("index.html", read("index.html"));
    const assets = join(folder, "assets");
    if (existsSync(assets))
      for (const name of readdirSync(assets)) files.set(`assets/${name}`, read(`assets/${name}`));
  }
  const page = files.get("index.html");
  app.get("/", { schema: { hide: true } }, async (_request, reply) => {
    if (!page)
      return reply
        .code(404)
        .type("text/plain; charset=utf-8")
        .send("The web page is not built here: run `npm run build` in tierwall's folder.\n");
    return reply
      .headers(SECURITY_HEADERS)
      .type(page.type)
      .header("cache-control", "no-cache")
      .send(page.body);
  });
  app.get<{ Params: { file: string } }>(
    "/assets/:file",
    { schema: { hide: true } },
    async (request, reply) => {
      const file = files.get(`assets/${request.params.file}`);
      if (!file) return reply.code(404).type("text/plain; charset=utf-8").send("No such asset.\n");
      // Asset names carry a hash of their content: they never change under a name.
      return reply
        .headers(SECURITY_HEADERS)
        .type(file.type)
        .header("cache-control", "public, max-age=31536000, immutable")
        .send(file.body);
    },
  );
}
