/**
 * The web page in a real browser (Debian's chromium driven by
 * playwright-core) against `tierwall serve` on loopback, as a new user meets
 * it: an empty server, the seed's spec imported from the page, then the
 * diagram, the rules, the flow tester, and an edit from the preview of its
 * semantic diff to the diagram after saving. Screenshots of
 * each view are written to test-results/web/.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { browserMissing, titled } from "./support/environment.js";
import { GROUP, ids, SUBSCRIPTION } from "./support/seed-estate.js";
import { serve, stop } from "./support/serve.js";

const missing = browserMissing();
const SHOTS = resolve(import.meta.dirname, "..", "test-results", "web");
const API = "?api-version=2024-05-01";
const EXAMPLE_SPEC = resolve(import.meta.dirname, "..", "examples", "layered-ase", "tierwall.yaml");

describe.skipIf(missing)(titled("the web page, in chromium", missing), () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let page: Page;
  let pageUrl: string;
  let token: string;

  const call = async (method: string, path: string, body?: unknown, headers = {}) => {
    const response = await fetch(`${server.url}${path}${API}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return {
      status: response.status,
      etag: response.headers.get("etag"),
      json: await response.json().catch(() => undefined),
    };
  };
  const shot = (name: string) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const tab = (name: string) => page.getByRole("tab", { name, exact: true }).click();

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "tierwall-web-"));
    server = await serve(["--data", dir, "--rate-limit", "0"]);
    const printed = /the web page: (\S+)/.exec(server.said());
    pageUrl = printed?.[1] ?? "";
    token = /#token=(\S+)/.exec(pageUrl)?.[1] ?? "";
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(pageUrl);
  }, 60_000);

  it("greets a new user with an empty server, who imports the seed's spec from the page", async () => {
    const form = page.getByRole("form", { name: "Import a file" });
    await form.waitFor();
    await shot("empty");
    await form.getByLabel("Subscription").fill(SUBSCRIPTION);
    await form.getByLabel("Resource group").fill(GROUP);
    await form.getByLabel("File", { exact: true }).setInputFiles(EXAMPLE_SPEC);
    await form.getByRole("button", { name: "Import" }).click();
    await page.locator('.environment[data-environment="apiase"]').waitFor();
    await expect(page.title()).resolves.toBe(`tierwall · Subscription ${SUBSCRIPTION}`);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  });

  it("draws the seed's architecture: the front ends' calls to apiase green, the Internet's red", async () => {
    for (const env of ["fe1ase", "fe2ase", "fe3ase", "apiase"])
      await page.locator(`.environment[data-environment="${env}"]`).waitFor();
    await expect(page.locator(".environment.internet").count()).resolves.toBe(1);
    // The token left the address bar once read.
    expect(page.url()).not.toContain("token=");
    for (const fe of ["fe1ase", "fe2ase", "fe3ase"]) {
      const edge = page.getByTestId(`rf__edge-${fe}->apiase`);
      await expect(edge.getAttribute("class")).resolves.toContain("allowed");
      await expect(edge.textContent()).resolves.toContain("✓ TCP 80, 443");
    }
    const internet = page.getByTestId("rf__edge-Internet->apiase");
    await expect(internet.getAttribute("class")).resolves.toContain("denied");
    await expect(internet.textContent()).resolves.toContain("✗ denied TCP 80, 443");
    // The subnets' NSGs are drawn on them.
    await expect(
      page.locator(".nsg-badge", { hasText: "RestrictBackendApi" }).count(),
    ).resolves.toBe(1);
    await shot("architecture");

    // An edge's detail: the allowed set, a witness and the rule that decides it.
    await page.locator('[data-edge="Internet->apiase"]').click();
    const detail = page.locator(".edge-detail");
    await expect(detail.textContent()).resolves.toMatch(
      /Tcp 0\.0\.0\.0\/0 except .* -> 10\.0\.4\.4\/32 ports 454-455/,
    );
    await expect(detail.textContent()).resolves.toContain("defaultSecurityRules/DenyAllInBound");
    await shot("architecture-edge");
  });

  it("lists RestrictBackendApi's rules as the portal does, the default rules apart", async () => {
    await tab("Rules");
    const inbound = page.getByRole("table", { name: "RestrictBackendApi inbound rules" });
    const names = await inbound
      .locator("tbody tr")
      .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-rule")));
    expect(names).toEqual([
      "ALLOW-AzureMngmt",
      "ALLOW-HTTP-fe1ase",
      "ALLOW-HTTPS-fe1ase",
      "ALLOW-HTTP-fe2ase",
      "ALLOW-HTTPS-fe2ase",
      "ALLOW-HTTP-fe3ase",
      "ALLOW-HTTPS-fe3ase",
      "ALLOW-HTTP-apiase",
      "ALLOW-HTTPS-apiase",
      "AllowVnetInBound",
      "AllowAzureLoadBalancerInBound",
      "DenyAllInBound",
    ]);
    await expect(
      inbound.locator('tr[data-rule="DenyAllInBound"]').getAttribute("class"),
    ).resolves.toContain("default-rule");
    await expect(
      inbound.locator('tr[data-rule="ALLOW-HTTPS-fe1ase"]').textContent(),
    ).resolves.toMatch(/300.*443.*Tcp.*198\.51\.100\.11.*Allow/);
    await shot("rules");
  });

  it("tests flows as they are typed: fe1ase is let in on 443, the Internet is stopped by DenyAllInBound", async () => {
    await tab("Flow tester");
    const form = page.getByRole("form", { name: "Flow to test" });
    await form.getByLabel("Source").fill("fe1ase");
    await form.getByLabel("Destination").fill("apiase");
    await form.getByLabel("Protocol").selectOption("Tcp");
    await form.getByLabel("Port").fill("443");
    const verdict = page.locator(".big-verdict");
    await expect(verdict.textContent()).resolves.toContain("Allow");
    await expect(page.getByTestId("deciding-rule").textContent()).resolves.toBe(
      "securityRules/ALLOW-HTTPS-fe1ase",
    );
    await shot("flow-allow");
    await form.getByLabel("Source").fill("Internet");
    await expect(verdict.textContent()).resolves.toContain("Deny");
    await expect(page.getByTestId("deciding-rule").textContent()).resolves.toBe(
      "defaultSecurityRules/DenyAllInBound",
    );
    await shot("flow-deny");
    // The flow shown in the rules: the deciding rule is highlighted.
    await page.getByRole("button", { name: "Show it in the rules" }).click();
    await expect(
      page.locator('tr.decides[data-rule="DenyAllInBound"]').count(),
    ).resolves.toBeGreaterThan(0);
  });

  it("shows a field the server refuses on the field, and an etag conflict as such", async () => {
    await tab("Rules");
    await page.getByRole("button", { name: "Edit rules" }).click();
    const priority = page.getByLabel("Priority of ALLOW-AzureMngmt");
    await priority.fill("5");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page
      .locator('[data-rule="ALLOW-AzureMngmt"] .field-error', { hasText: "100-4096" })
      .waitFor();
    await expect(priority.getAttribute("aria-invalid")).resolves.toBe("true");
    await shot("edit-field-error");
    await priority.fill("100");
    // Someone else writes the NSG meanwhile: saving now is refused, and said to be a conflict.
    const current = await call("GET", ids.nsg);
    const other = await call("PUT", ids.nsg, {
      location: current.json.location,
      properties: current.json.properties,
    });
    expect(other.status).toBe(200);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.locator(".message.error", { hasText: "etag conflict" }).waitFor();
    await shot("edit-conflict");
    await page.getByRole("button", { name: "Discard the edit" }).click();
  });

  it("deletes the fe2ase rules: the preview shows fe2ase newly denied, and after saving its edge is red", async () => {
    await page.reload();
    await tab("Rules");
    await page.getByRole("button", { name: "Edit rules" }).click();
    await page.getByRole("button", { name: "Delete ALLOW-HTTP-fe2ase" }).click();
    await page.getByRole("button", { name: "Delete ALLOW-HTTPS-fe2ase" }).click();
    await page.getByRole("button", { name: "Preview the difference" }).click();
    const change = page.locator('.diff li[data-from="fe2ase"][data-to="apiase"]');
    await expect(change.locator(".newly-denied").textContent()).resolves.toContain("ports 80,443");
    await expect(page.locator(".diff .newly-allowed").count()).resolves.toBe(0);
    // The workspace's assertions that fe2ase calls the API would break: said in the preview, and by
    // the server, which writes it only when an admin accepts the break.
    await expect(page.locator(".diff .message.error").textContent()).resolves.toContain(
      "fe2ase calls the API over HTTP and HTTPS",
    );
    await shot("edit-preview");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page
      .locator(".message.error", { hasText: "breaks assertions of the workspace" })
      .waitFor();
    await shot("edit-refused");
    await page.getByRole("button", { name: /Save anyway, accepting/ }).click();
    await page.locator(".message.info").waitFor();
    await tab("Architecture");
    const edge = page.getByTestId("rf__edge-fe2ase->apiase");
    await edge.waitFor();
    await expect(edge.getAttribute("class")).resolves.toContain("denied");
    await expect(
      page.getByTestId("rf__edge-fe1ase->apiase").getAttribute("class"),
    ).resolves.toContain("allowed");
    await shot("architecture-after-edit");
    // The edit is a revision, and the history restores the one before it.
    await tab("History");
    await page.getByRole("button", { name: "Restore" }).first().waitFor();
    await shot("history");
    await page.getByRole("button", { name: "Restore" }).first().click();
    await page.getByRole("status").filter({ hasText: "Restored revision" }).waitFor();
    await tab("Architecture");
    await page.locator('[data-edge="fe2ase->apiase"][data-state="allowed"]').waitFor();
  });

  it("is used with the keyboard, and fits a narrow window", async () => {
    await tab("Architecture");
    await page.getByRole("tab", { name: "Architecture" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect(
      page.getByRole("tab", { name: "Rules" }).getAttribute("aria-selected"),
    ).resolves.toBe("true");
    await page.keyboard.press("ArrowLeft");
    await page.setViewportSize({ width: 600, height: 900 });
    await page.locator('[data-edge="fe1ase->apiase"]').focus();
    await page.keyboard.press("Enter");
    await expect(page.locator(".edge-detail h3").textContent()).resolves.toContain(
      "fe1ase → apiase",
    );
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot("narrow");
  });
});
