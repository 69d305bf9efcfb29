/**
 * tierwall's own actions on a subscription, in process, on the seed's estate:
 * check, lint, reach, export, and the semantic diff between two revisions.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ids, SUBSCRIPTION } from "../../test/support/seed-estate.js";
import { API_VERSION, openTestServer, type TestServer } from "../../test/support/server-app.js";

const V = API_VERSION;
const ACTIONS = `/subscriptions/${SUBSCRIPTION}/providers/Tierwall`;

let server: TestServer;
let app: FastifyInstance;
let headers: Record<string, string>;

beforeEach(async () => {
  server = await openTestServer({ seeded: true });
  ({ app, headers } = server);
});
afterEach(() => server.close());

describe("tierwall's actions", () => {
  it("checks the assertions given, over every packet", async () => {
    const checked = await app.inject({
      method: "POST",
      url: `${ACTIONS}/check${V}`,
      headers,
      payload: {
        properties: {
          assertions: [
            {
              name: "fe2",
              kind: "reach",
              from: "198.51.100.22",
              to: "api-nic",
              protocol: "Tcp",
              ports: [80, 443],
            },
            {
              name: "ssh",
              kind: "isolate",
              from: "Internet",
              to: "api-nic",
              protocol: "Tcp",
              ports: [22],
            },
            {
              name: "all of 443",
              kind: "reach",
              from: "Internet",
              to: "api-nic",
              protocol: "Tcp",
              ports: [443],
            },
          ],
        },
      },
    });
    expect(checked.statusCode, checked.body).toBe(200);
    const body = checked.json();
    expect(body.held).toBe(false);
    expect(body.value.map((o: { name: string; status: string }) => [o.name, o.status])).toEqual([
      ["fe2", "held"],
      ["ssh", "held"],
      ["all of 443", "failed"],
    ]);
    expect(body.value[2]).toMatchObject({
      rule: "defaultSecurityRules/DenyAllInBound",
      access: "Deny",
    });
    // With no assertions given, the workspace's: none yet.
    const none = await app.inject({ method: "POST", url: `${ACTIONS}/check${V}`, headers });
    expect(none.json()).toEqual({ held: true, value: [] });
  });

  it("lints the estate, and finds a rule that can never decide", async () => {
    const shadowed = {
      properties: {
        protocol: "Tcp",
        sourceAddressPrefix: "198.51.100.11",
        sourcePortRange: "*",
        destinationAddressPrefix: "*",
        destinationPortRange: "443",
        access: "Deny",
        priority: 4000,
        direction: "Inbound",
      },
    };
    expect(
      (
        await app.inject({
          method: "PUT",
          url: `${ids.nsg}/securityRules/late-deny${V}`,
          headers,
          payload: shadowed,
        })
      ).statusCode,
    ).toBe(201);
    const linted = await app.inject({ method: "POST", url: `${ACTIONS}/lint${V}`, headers });
    expect(linted.statusCode).toBe(200);
    const finding = linted
      .json()
      .value.find((d: { code: string; message: string }) => d.code === "ShadowedRule");
    expect(finding?.message).toContain("late-deny");
    expect(finding.severity).toMatch(/warning|error|info/);
  });

  it("draws the reachability matrix between the estate's hosts and the Internet", async () => {
    const reach = await app.inject({ method: "POST", url: `${ACTIONS}/reach${V}`, headers });
    expect(reach.statusCode).toBe(200);
    const { endpoints, matrix } = reach.json();
    expect(endpoints).toContain("api-nic");
    const fromInternet = matrix.find(
      (c: { from: string; to: string }) => c.from === "Internet" && c.to === "api-nic",
    );
    // The front ends' addresses get HTTP and HTTPS; the rest of the Internet only management.
    expect(fromInternet.all).toBe(false);
    expect(fromInternet.allowed).toContainEqual(
      expect.objectContaining({
        source: ["198.51.100.11/32", "198.51.100.22/32", "198.51.100.33/32"],
        destinationPorts: ["80", "443", "454-455"],
      }),
    );
  });

  it("exports the estate in each deployment format, and refuses one it does not know", async () => {
    const terraform = await app.inject({
      url: `${ACTIONS}/export${V}&format=terraform`,
      headers,
    });
    expect(terraform.statusCode).toBe(200);
    expect(terraform.headers["content-type"]).toMatch(/^text\/plain/);
    expect(terraform.body).toContain("azurerm_network_security_group");
    expect(terraform.body).toContain("ALLOW-HTTPS-fe1ase");
    const arm = await app.inject({ url: `${ACTIONS}/export${V}`, headers });
    expect(JSON.parse(arm.body).resources.length).toBeGreaterThan(0);
    const unknown = await app.inject({ url: `${ACTIONS}/export${V}&format=cfn`, headers });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe("InvalidRequestFormat");
    expect(unknown.json().error.message).toContain("format");
  });

  it("keeps the revisions of every resource: a subnet's NSG taken off and put back, and the diff between", async () => {
    const vnet = (await app.inject({ url: ids.vnet + V, headers })).json();
    const bare = {
      location: vnet.location,
      properties: {
        addressSpace: vnet.properties.addressSpace,
        subnets: vnet.properties.subnets.map(
          (s: { name: string; properties: { addressPrefix: string } }) => ({
            name: s.name,
            properties: { addressPrefix: s.properties.addressPrefix },
          }),
        ),
      },
    };
    expect(
      (await app.inject({ method: "PUT", url: ids.vnet + V, headers, payload: bare })).statusCode,
    ).toBe(200);
    const revisions = `${ids.vnet}/providers/Tierwall/revisions`;
    const history = (await app.inject({ url: revisions + V, headers })).json().value;
    expect(history.map((r: { properties: { change: string } }) => r.properties.change)).toEqual([
      "created",
      "replaced",
    ]);
    // Without an NSG, a Standard public IP lets nothing in: the front ends' calls are newly denied.
    const [flow] = history[1].properties.semanticDiff.flows;
    expect(flow).toMatchObject({ from: "Internet", to: "api-nic" });
    expect(flow.deniedExample).toMatch(/^Tcp [\d.]+:\d+ -> 10\.0\.4\.4:(80|443|454|455)$/);
    expect(flow.newlyAllowed.lines).toEqual([]);
    const [first, second] = history.map((r: { name: string }) => r.name);
    const diff = (
      await app.inject({ url: `${revisions}/${second}/diff${V}&from=${first}`, headers })
    ).json();
    expect(diff.flows.length + diff.nsgs.length).toBeGreaterThan(0);
    const restored = await app.inject({
      method: "POST",
      url: `${revisions}/${first}/restore${V}`,
      headers,
    });
    expect(restored.statusCode, restored.body).toBe(200);
    const again = (await app.inject({ url: ids.vnet + V, headers })).json();
    expect(
      again.properties.subnets.find((s: { name: string }) => s.name === "API-ASE-Subnet").properties
        .networkSecurityGroup.id,
    ).toBe(ids.nsg);
    expect(
      (await app.inject({ url: `${ids.nic}/providers/Tierwall/revisions${V}`, headers })).json()
        .value,
    ).toHaveLength(1);
  });

  it("gives the semantic diff between two revisions of an NSG", async () => {
    await app.inject({
      method: "DELETE",
      url: `${ids.nsg}/securityRules/ALLOW-HTTPS-fe3ase${V}`,
      headers,
    });
    const history = (
      await app.inject({ url: `${ids.nsg}/providers/Tierwall/revisions${V}`, headers })
    ).json().value;
    const [first, last] = [history[0].name, history.at(-1).name];
    const diff = await app.inject({
      url: `${ids.nsg}/providers/Tierwall/revisions/${last}/diff${V}&from=${first}`,
      headers,
    });
    expect(diff.statusCode, diff.body).toBe(200);
    const body = diff.json();
    expect(body).toMatchObject({ from: Number(first), to: Number(last), equivalent: false });
    expect(body.nsgs[0].deniedExample).toMatch(/^Tcp 198\.51\.100\.33:/);
    const missing = await app.inject({
      url: `${ids.nsg}/providers/Tierwall/revisions/${last}/diff${V}&from=999999`,
      headers,
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe("RevisionNotFound");
  });
});
