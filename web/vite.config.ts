/**
 * The web page's build: one script and one stylesheet (no chunks loaded
 * later), so that `tierwall report` can put both inside a single HTML file;
 * relative paths, so that the same build serves from `/` and from a file.
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [react()],
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    assetsInlineLimit: 0,
    modulePreload: false,
  },
});
