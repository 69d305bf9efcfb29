/**
 * Import into a resource group over the API: the guide's PowerShell and a
 * Terraform module written as the CLI would read them, each resource by an
 * ordinary PUT (validated, judged, recorded); a bad file refused at its line.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { API_VERSION, openTestServer, type TestServer } from "../../test/support/server-app.js";
import type { Store } from "../store/store.js";
import { buildApp } from "./app.js";
import { createToken } from "./auth.js";

const V = API_VERSION;
const RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ase";
const IMPORT = `${RG}/providers/Tierwall/import${V}`;
const GUIDE = readFileSync(
  new URL("../../examples/layered-ase/guide.ps1", import.meta.url),
  "utf8",
);

let server: TestServer;
let store: Store;
let app: FastifyInstance;
let headers: Record<string, string>;

beforeEach(async () => {
  server = await openTestServer({ seeded: false });
  ({ store, app, headers } = server);
});
afterEach(() => server.close());

const importText = (text: string, query = "") =>
  app.inject({
    method: "POST",
    url: IMPORT + query,
    headers: { ...headers, "content-type": "text/plain" },
    payload: text,
  });

describe("import over the API", () => {
  it("writes the guide's NSG and its nine rules from its PowerShell, each as a revision", async () => {
    // The guide associates the NSG with a subnet of a network it does not define: nothing
    // whole can be written, so nothing is.
    const whole = await importText(GUIDE, "&format=powershell&location=southcentralus");
    expect(whole.statusCode).toBe(400);
    expect(whole.json().error.message).toMatch(
      /^Nothing was imported: .*yourvnetnamehere has no address space/,
    );
    const nsgId = `${RG}/providers/Microsoft.Network/networkSecurityGroups/RestrictBackendApi`;
    expect((await app.inject({ url: nsgId + V, headers })).statusCode).toBe(404);
    // Its NSG alone (the association left out) is written.
    const nsgOnly = GUIDE.replace(/^Get-AzureNetworkSecurityGroup[^\n]*ToSubnet[\s\S]*$/m, "");
    const imported = await importText(nsgOnly, "&format=powershell");
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().value).toEqual([{ id: nsgId, status: 201 }]);
    const nsg = (await app.inject({ url: nsgId + V, headers })).json();
    expect(nsg.properties.securityRules).toHaveLength(9);
    expect(nsg.location).toBe("southcentralus");
    const history = (
      await app.inject({ url: `${nsgId}/providers/Tierwall/revisions${V}`, headers })
    ).json().value;
    expect(history).toHaveLength(1);
    expect(history[0].properties.actor).toBe("ci");
  });

  it("writes a Terraform module's network, interfaces and NSG in the order a deployment would", async () => {
    const module = `
resource "azurerm_virtual_network" "v" {
  name                = "spoke"
  location            = "westeurope"
  resource_group_name = "rg"
  address_space       = ["10.1.0.0/16"]
}
resource "azurerm_subnet" "app" {
  name                 = "app"
  resource_group_name  = "rg"
  virtual_network_name = azurerm_virtual_network.v.name
  address_prefixes     = ["10.1.1.0/24"]
}
resource "azurerm_network_security_group" "app" {
  name                = "app-nsg"
  location            = "westeurope"
  resource_group_name = "rg"
  security_rule {
    name                       = "https"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_range     = "443"
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
resource "azurerm_subnet_network_security_group_association" "app" {
  subnet_id                 = azurerm_subnet.app.id
  network_security_group_id = azurerm_network_security_group.app.id
}
`;
    const imported = await importText(module, "&format=terraform");
    expect(imported.statusCode, imported.body).toBe(200);
    const ids = imported.json().value.map((w: { id: string }) => w.id.split("/providers/")[1]);
    expect(ids.indexOf("Microsoft.Network/networkSecurityGroups/app-nsg")).toBeLessThan(
      ids.indexOf("Microsoft.Network/virtualNetworks/spoke"),
    );
    const vnet = (
      await app.inject({
        url: `${RG}/providers/Microsoft.Network/virtualNetworks/spoke${V}`,
        headers,
      })
    ).json();
    expect(vnet.properties.subnets[0].properties.networkSecurityGroup.id).toBe(
      `${RG}/providers/Microsoft.Network/networkSecurityGroups/app-nsg`,
    );
  });

  it("counts as one request against the caller's rate, whatever it writes", async () => {
    const limited = await buildApp({ store, rateLimit: { perSecond: 1, burst: 1 } });
    try {
      const module = ["a", "b", "c", "d"]
        .map(
          (name) =>
            `resource "azurerm_network_security_group" "${name}" {\n  name = "${name}"\n  location = "westeurope"\n  resource_group_name = "rg"\n}`,
        )
        .join("\n");
      const imported = await limited.inject({
        method: "POST",
        url: `${IMPORT}&format=terraform`,
        headers: { ...headers, "content-type": "text/plain" },
        payload: module,
      });
      expect(imported.statusCode, imported.body).toBe(200);
      expect(imported.json().value).toHaveLength(4);
      // The caller's one request a second is spent.
      const next = await limited.inject({
        url: `${RG}/providers/Microsoft.Network/networkSecurityGroups/a${V}`,
        headers,
      });
      expect(next.statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });

  it("refuses a file it cannot read at its line, and writes nothing", async () => {
    const bad = await importText(
      'New-AzNetworkSecurityRuleConfig -Name "x" -Priority 99999 -Access Allow',
      "&format=powershell",
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].target).toMatch(/^line 1, column \d+$/);
    const unknown = await importText("just words", "");
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe("UnknownFormat");
    const listed = (
      await app.inject({
        url: `${RG}/providers/Microsoft.Network/networkSecurityGroups${V}`,
        headers,
      })
    ).json().value;
    expect(listed).toEqual([]);
  });
});

describe("importing a tierwall spec over the API", () => {
  const SPEC = readFileSync(
    new URL("../../examples/layered-ase/tierwall.yaml", import.meta.url),
    "utf8",
  );
  const SUB = "/subscriptions/00000000-0000-0000-0000-000000000001";

  it("writes the seed's resources and makes its environments, tiers and assertions the workspace", async () => {
    const admin = {
      authorization: `Bearer ${await createToken(store, "admin", "admin")}`,
      "content-type": "text/plain",
    };
    const answer = await app.inject({ method: "POST", url: IMPORT, headers: admin, payload: SPEC });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().value.map((w: { id: string }) => w.id.split("/").pop())).toEqual([
      "RestrictBackendApi",
      "yourvnetnamehere",
      "default",
    ]);
    const model = (
      await app.inject({ url: `${SUB}/providers/Tierwall/model${V}`, headers })
    ).json();
    expect(model.topology.environments).toHaveLength(4);
    expect(model.workspace.tiers[0].name).toBe("api");
    const check = await app.inject({
      method: "POST",
      url: `${SUB}/providers/Tierwall/check${V}`,
      headers,
    });
    expect(check.json().held, check.body).toBe(true);
    // An assertion of several ports is one per port.
    expect(check.json().value.length).toBeGreaterThan(model.workspace.assertions.length);
  });

  it("leaves a spec's workspace to admins, writing nothing for a writer", async () => {
    const answer = await importText(SPEC);
    expect(answer.statusCode).toBe(403);
    expect(answer.json().error.message).toContain("admin");
    expect((await store.list("Microsoft.Network/networkSecurityGroups", SUB)).length).toBe(0);
  });

  it("refuses a spec with an error at its line and column, writing nothing", async () => {
    const broken = SPEC.replace("priority: 300", "priority: 30");
    const answer = await importText(broken, "&format=tierwall");
    expect(answer.statusCode).toBe(400);
    const error = answer.json().error;
    expect(error.message).toContain("The file cannot be imported");
    expect(error.details[0].target).toMatch(/^line \d+, column \d+$/);
    expect((await store.list("Microsoft.Network/networkSecurityGroups", SUB)).length).toBe(0);
  });
});
