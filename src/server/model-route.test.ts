/**
 * What the web page reads: the subscriptions the store holds, and a
 * subscription's network as the model's topology with the workspace's
 * environments, tiers and assertions; the workspace checks environments and
 * tiers as a spec's; the session token `serve` prints is an admin's.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ids, SUBSCRIPTION, seedResources, seedWorkspace } from "../../test/support/seed-estate.js";
import { API_VERSION, openTestServer, type TestServer } from "../../test/support/server-app.js";
import { makeSessionToken } from "./auth.js";

const V = API_VERSION;
const SUB = `/subscriptions/${SUBSCRIPTION}`;
const WORKSPACE = `${SUB}/providers/Tierwall/workspaces/default${V}`;

let server: TestServer;
let session: string;
let admin: Record<string, string>;

beforeEach(async () => {
  session = makeSessionToken();
  server = await openTestServer({ sessionToken: session });
  admin = { authorization: `Bearer ${session}` };
  for (const [id, body] of seedResources().slice(0, 2)) {
    const put = await server.app.inject({
      method: "PUT",
      url: id + V,
      headers: admin,
      payload: body,
    });
    expect(put.statusCode).toBe(201);
  }
});
afterEach(() => server.close());

describe("the model the web page draws", () => {
  it("lists the subscriptions the store holds, as ARM lists subscriptions", async () => {
    const answer = await server.app.inject({ url: `/subscriptions${V}`, headers: server.headers });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().value).toEqual([
      {
        id: SUB,
        subscriptionId: SUBSCRIPTION,
        displayName: SUBSCRIPTION,
        state: "Enabled",
      },
    ]);
  });

  it("gives the topology with the workspace's environments, and its tiers and assertions", async () => {
    const put = await server.app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers: admin,
      payload: seedWorkspace(),
    });
    expect(put.statusCode, put.body).toBe(201);
    const answer = await server.app.inject({
      url: `${SUB}/providers/Tierwall/model${V}`,
      headers: server.headers,
    });
    expect(answer.statusCode).toBe(200);
    const model = answer.json();
    expect(model.topology.environments.map((e: { name: string }) => e.name)).toEqual([
      "fe1ase",
      "fe2ase",
      "fe3ase",
      "apiase",
    ]);
    expect(model.topology.networkSecurityGroups[0].securityRules).toHaveLength(9);
    expect(model.workspace.tiers[0]).toMatchObject({
      name: "api",
      callers: ["fe1ase", "fe2ase", "fe3ase"],
    });
    expect(model.workspace.assertions).toHaveLength(
      seedWorkspace().properties.assertions?.length ?? -1,
    );
    expect(model.resources).toContainEqual({
      id: ids.nsg,
      type: "Microsoft.Network/networkSecurityGroups",
      name: "RestrictBackendApi",
    });
    // The environments are in the network the server answers from: every assertion of the seed holds.
    const check = await server.app.inject({
      method: "POST",
      url: `${SUB}/providers/Tierwall/check${V}`,
      headers: server.headers,
    });
    expect(check.json().held, check.body).toBe(true);
  });

  it("refuses environments and tiers a spec would refuse, saying where", async () => {
    const workspace = seedWorkspace();
    const badKind = await server.app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers: admin,
      payload: {
        properties: {
          environments: [
            { ...(workspace.properties.environments?.[0] as object), kind: "Mainframe" },
          ],
        },
      },
    });
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().error.code).toBe("InvalidRequestFormat");
    expect(badKind.json().error.details[0].target).toBe("properties.environments[0].kind");
    const unknownCaller = await server.app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers: admin,
      payload: {
        properties: {
          environments: workspace.properties.environments,
          tiers: [{ name: "api", environments: ["apiase"], callers: ["fe9ase"] }],
        },
      },
    });
    expect(unknownCaller.statusCode).toBe(400);
    expect(unknownCaller.json().error.message).toContain("fe9ase");
    const outside = await server.app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers: admin,
      payload: {
        properties: {
          environments: [
            {
              name: "stray",
              kind: "Workload",
              subnet: "API-ASE-Subnet",
              privateIPAddress: "10.9.9.9",
            },
          ],
        },
      },
    });
    expect(outside.statusCode).toBe(400);
  });

  it("takes the session token as an admin's, and no other made-up token", async () => {
    const put = await server.app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers: admin,
      payload: { properties: { assertions: [] } },
    });
    expect(put.statusCode).toBe(201);
    const stranger = await server.app.inject({
      url: `/subscriptions${V}`,
      headers: { authorization: `Bearer ${makeSessionToken()}` },
    });
    expect(stranger.statusCode).toBe(401);
  });
});
