/**
 * `tierwall report`: one HTML file that holds everything it shows (no asset
 * beside it, nothing fetched), opened from disk in chromium: the seed's
 * architecture, its rules and assertions, computed in the page.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { tierwall } from "./support/cli.js";
import { browserMissing, titled } from "./support/environment.js";

const SHOTS = resolve(import.meta.dirname, "..", "test-results", "web");
const EXAMPLE = resolve(import.meta.dirname, "..", "examples", "layered-ase");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tierwall-report-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tierwall report", () => {
  it("writes one self-contained page: script, styles and the spec inline, nothing to fetch", async () => {
    const file = join(dir, "report.html");
    const run = tierwall(["report", EXAMPLE, "-o", file]);
    expect(run.code, run.stderr).toBe(0);
    const html = readFileSync(file, "utf8");
    expect(html).not.toMatch(/\s(src|href)="/);
    expect(html).toContain("default-src 'none'");
    const data = JSON.parse(
      /<script type="application\/json" id="tierwall-data">(.*?)<\/script>/s.exec(html)?.[1] ??
        "{}",
    );
    expect(data.title).toBe("Layered security with App Service Environments (the seed's example)");
    expect(data.topology.environments).toHaveLength(4);
    expect(data.assertions.length).toBeGreaterThan(10);
  });

  it("carries the addresses of the service tags the rules name, when the spec gives them", () => {
    const file = join(dir, "three-tier.html");
    const run = tierwall(["report", join(EXAMPLE, "..", "three-tier"), "-o", file]);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(
      /<script type="application\/json" id="tierwall-data">(.*?)<\/script>/s.exec(
        readFileSync(file, "utf8"),
      )?.[1] ?? "{}",
    );
    expect(data.serviceTags.values.map((v: { name: string }) => v.name)).toEqual([
      "Storage.WestUS",
    ]);
    expect(data.serviceTags.values[0].properties.addressPrefixes.length).toBeGreaterThan(0);
  });

  it("replays flow logs into each rule's hits", async () => {
    const logs = join(dir, "logs");
    expect(
      tierwall(["sample-logs", EXAMPLE, "-o", logs, "--days", "1", "--per-hour", "20"]).code,
    ).toBe(0);
    const file = join(dir, "hits.html");
    const run = tierwall(["report", EXAMPLE, "--logs", logs, "-o", file]);
    expect(run.code, run.stderr).toBe(0);
    const data = JSON.parse(
      /<script type="application\/json" id="tierwall-data">(.*?)<\/script>/s.exec(
        readFileSync(file, "utf8"),
      )?.[1] ?? "{}",
    );
    const hit = (rule: string) =>
      data.ruleHits.find(
        (h: { rule: string; nsg: string }) => h.rule === rule && h.nsg === "RestrictBackendApi",
      );
    expect(hit("ALLOW-HTTPS-fe1ase").flows).toBeGreaterThan(0);
    expect(hit("DenyAllInBound").isDefault).toBe(true);
    const none = tierwall([
      "report",
      EXAMPLE,
      "--logs",
      join(dir, "no-logs"),
      "-o",
      join(dir, "x.html"),
    ]);
    expect(none.code).toBe(2);
    expect(existsSync(join(dir, "x.html"))).toBe(false);
  });

  it("names a spec it cannot read, and writes nothing", async () => {
    const file = join(dir, "nothing.html");
    const run = tierwall(["report", join(dir, "missing"), "-o", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("SpecNotFound");
    expect(existsSync(file)).toBe(false);
  });
});

/**
 * An estate past what is drawn endpoint by endpoint: eight subnets of five
 * machines each, every subnet reachable from every other (Azure's default
 * AllowVnetInBound), and one machine of s0 on a public IP the Internet may
 * call on 443.
 */
function crowdedSpec(): string {
  const subnets = Array.from({ length: 8 }, (_, k) => `s${k}`);
  const nic = (k: number, i: number) =>
    `  - name: vm${k}-${i}\n    ipConfigurations:\n      - { privateIPAddress: 10.1.${k}.${i + 4}, subnet: spoke/s${k}${k === 0 && i === 0 ? ", publicIPAddress: web-pip" : ""} }`;
  return [
    "description: Eight subnets of five machines",
    "virtualNetworks:",
    "  - name: spoke",
    "    addressSpace: { addressPrefixes: [10.1.0.0/16] }",
    "    subnets:",
    ...subnets.map(
      (name, k) =>
        `      - { name: ${name}, addressPrefix: 10.1.${k}.0/24, networkSecurityGroup: nsg-${name} }`,
    ),
    "publicIPAddresses:",
    "  - { name: web-pip, sku: Standard, ipAddress: 203.0.113.50 }",
    "networkSecurityGroups:",
    ...subnets.flatMap((name) => [
      `  - name: nsg-${name}`,
      "    securityRules:",
      "      - { name: allow-https, priority: 100, direction: Inbound, access: Allow, protocol: Tcp, sourceAddressPrefix: Internet, sourcePortRange: '*', destinationAddressPrefix: '*', destinationPortRange: '443' }",
    ]),
    "networkInterfaces:",
    ...subnets.flatMap((_, k) => Array.from({ length: 5 }, (_, i) => nic(k, i))),
    "",
  ].join("\n");
}

const missing = browserMissing();
describe.skipIf(missing)(titled("tierwall report, opened from disk in chromium", missing), () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser?.close());

  it("draws the architecture, the rules and the assertions with no server", async () => {
    mkdirSync(SHOTS, { recursive: true });
    const file = join(dir, "seed.html");
    expect(tierwall(["report", EXAMPLE, "-o", file]).code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    const edge = page.getByTestId("rf__edge-fe1ase->apiase");
    await edge.waitFor();
    await expect(edge.getAttribute("class")).resolves.toContain("allowed");
    await expect(
      page.getByTestId("rf__edge-Internet->apiase").getAttribute("class"),
    ).resolves.toContain("denied");
    await page.screenshot({ path: join(SHOTS, "report.png") });
    // A report is read, not edited: no history, no editor.
    await expect(page.getByRole("tab", { name: "History" }).count()).resolves.toBe(0);
    await page.getByRole("tab", { name: "Rules" }).click();
    await expect(page.getByRole("button", { name: "Edit rules" }).count()).resolves.toBe(0);
    // Without logs, no hit counts.
    await expect(page.getByRole("columnheader", { name: "Hits" }).count()).resolves.toBe(0);
    await page.getByRole("tab", { name: "Assertions" }).click();
    await expect(page.locator(".assertions > p").textContent()).resolves.toMatch(
      /All \d+ assertions hold/,
    );
    expect(requests.filter((u) => !u.startsWith("file:") && !u.startsWith("data:"))).toEqual([]);
  });

  it("gathers a crowded estate by subnet, drawing the calls of the subnet picked, and opens a subnet", async () => {
    const folder = join(dir, "crowded");
    mkdirSync(folder);
    writeFileSync(join(folder, "tierwall.yaml"), crowdedSpec());
    const file = join(dir, "crowded.html");
    const run = tierwall(["report", folder, "-o", file]);
    expect(run.code, run.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(file).href);
    await expect(page.getByLabel(/gathered by subnet/).isChecked()).resolves.toBe(true);
    await page.locator(".environment.collapsed").first().waitFor();
    await expect(page.locator(".environment.collapsed").count()).resolves.toBe(8);
    // 56 calls between subnets, 8 out to the Internet and one in: at first only the Internet's are drawn.
    await expect(page.locator(".crowded").textContent()).resolves.toContain("65 calls");
    await page.getByTestId("rf__edge-Internet->spoke/s0").waitFor();
    await expect(page.getByTestId("rf__edge-spoke/s1->spoke/s2").count()).resolves.toBe(0);
    await page
      .locator('.environment.collapsed[data-subnet="spoke/s1"]')
      .click({ position: { x: 8, y: 8 } });
    await page.getByTestId("rf__edge-spoke/s1->spoke/s2").waitFor();
    await expect(page.getByTestId("rf__edge-spoke/s3->spoke/s4").count()).resolves.toBe(0);
    await page.screenshot({ path: join(SHOTS, "report-gathered.png") });
    await page.getByRole("button", { name: "Open subnet s2" }).click();
    await page.locator('.environment[data-environment="vm2-3"]').waitFor();
    await page.screenshot({ path: join(SHOTS, "report-subnet-opened.png") });
  });

  it("lists lint's findings, and marks the rule each is about", async () => {
    const file = join(dir, "asg-tiers.html");
    expect(tierwall(["report", join(EXAMPLE, "..", "asg-tiers"), "-o", file]).code).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(file).href);
    await page.getByRole("tab", { name: "Findings" }).click();
    const row = page.locator(".finding-row");
    await expect(row.count()).resolves.toBe(1);
    await expect(row.textContent()).resolves.toContain("BroaderThanNeeded");
    await page.screenshot({ path: join(SHOTS, "report-findings.png"), fullPage: true });
    await page.getByRole("tab", { name: "Rules" }).click();
    const nsg = page.getByLabel("Network security group");
    for (const option of await nsg.locator("option").allTextContents()) {
      await nsg.selectOption(option);
      if ((await page.locator("details.finding").count()) > 0) break;
    }
    await expect(page.locator("details.finding summary").first().textContent()).resolves.toContain(
      "BroaderThanNeeded",
    );
  });

  it("shows each rule's hits in the replayed logs", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(pathToFileURL(join(dir, "hits.html")).href);
    await page.getByRole("tab", { name: "Rules" }).click();
    const row = page.locator(
      'table[aria-label="RestrictBackendApi inbound rules"] tr[data-rule="ALLOW-HTTPS-fe1ase"] td.hits',
    );
    await expect(row.getAttribute("data-hits").then(Number)).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, "report-hits.png"), fullPage: true });
  });
});
