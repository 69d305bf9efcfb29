/** Debian's chromium, launched headless by playwright-core for the web page's tests (never a downloaded browser). */
import { type Browser, chromium } from "playwright-core";
import { CHROMIUM } from "./environment.js";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
