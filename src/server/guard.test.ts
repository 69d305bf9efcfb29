/**
 * Guarded writes in process: a workspace's assertions judge every write to
 * the seed's estate; a write that breaks one is refused with the assertion, a
 * witness packet and the deciding rule, unless the writer accepts the break;
 * each judged revision keeps its semantic diff.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ids, SUBSCRIPTION } from "../../test/support/seed-estate.js";
import { API_VERSION, openTestServer, type TestServer } from "../../test/support/server-app.js";
import type { Store } from "../store/store.js";
import { createToken } from "./auth.js";

const V = API_VERSION;
const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/providers/Tierwall/workspaces/default${V}`;
const ASSERTIONS = [
  {
    name: "fe1 reaches the API over HTTPS",
    kind: "reach",
    from: "198.51.100.11",
    to: "api-nic",
    protocol: "Tcp",
    ports: [443],
  },
  {
    name: "no stranger gets HTTPS",
    kind: "isolate",
    from: "203.0.113.96/27",
    to: "api-nic",
    protocol: "Tcp",
    ports: [443],
  },
];

let server: TestServer;
let store: Store;
let app: FastifyInstance;
let headers: Record<string, string>;
/** An admin's: only an admin sets the workspace or accepts a break. */
let admin: Record<string, string>;

beforeEach(async () => {
  server = await openTestServer({ seeded: true });
  ({ store, app, headers } = server);
  admin = { authorization: `Bearer ${await createToken(store, "lead", "admin")}` };
});
afterEach(() => server.close());

const putWorkspace = (assertions: object[]) =>
  app.inject({
    method: "PUT",
    url: WORKSPACE,
    headers: admin,
    payload: { properties: { assertions } },
  });

const ruleUrl = (name: string) => `${ids.nsg}/securityRules/${name}${V}`;
const strangerRule = {
  properties: {
    protocol: "Tcp",
    sourceAddressPrefix: "Internet",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: "443",
    access: "Allow",
    priority: 150,
    direction: "Inbound",
  },
};

describe("guarded writes", () => {
  it("keeps a workspace's assertions with their outcomes on the network as stored", async () => {
    const put = await putWorkspace(ASSERTIONS);
    expect(put.statusCode, put.body).toBe(201);
    expect(put.json().properties.outcomes).toEqual([
      expect.objectContaining({ name: "fe1 reaches the API over HTTPS", status: "held" }),
      expect.objectContaining({ name: "no stranger gets HTTPS", status: "held" }),
    ]);
    const got = await app.inject({ url: WORKSPACE, headers });
    expect(got.json().properties.assertions).toEqual(ASSERTIONS);
  });

  it("refuses a write that breaks an assertion, naming it, a witness packet and the rule", async () => {
    await putWorkspace(ASSERTIONS);
    const opened = await app.inject({
      method: "PUT",
      url: ruleUrl("ALLOW-Internet-HTTPS"),
      headers,
      payload: strangerRule,
    });
    expect(opened.statusCode).toBe(409);
    const error = opened.json().error;
    expect(error.code).toBe("AssertionViolated");
    expect(error.message).toContain("no stranger gets HTTPS");
    expect(error.details).toHaveLength(1);
    const [detail] = error.details;
    expect(detail.target).toBe("no stranger gets HTTPS");
    expect(detail.message).toMatch(
      /for example Tcp 203\.0\.113\.\d+:\d+ -> (10\.0\.4\.4|203\.0\.113\.40):443/,
    );
    expect(detail.message).toContain("allowed by securityRules/ALLOW-Internet-HTTPS");
    expect(detail.additionalInfo[0].info).toMatchObject({
      status: "failed",
      rule: "securityRules/ALLOW-Internet-HTTPS",
    });
    // Nothing was written.
    expect((await app.inject({ url: ruleUrl("ALLOW-Internet-HTTPS"), headers })).statusCode).toBe(
      404,
    );
    // Deleting the front end's rule breaks the other one.
    const deleted = await app.inject({
      method: "DELETE",
      url: ruleUrl("ALLOW-HTTPS-fe1ase"),
      headers,
    });
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().error.details[0]).toMatchObject({
      target: "fe1 reaches the API over HTTPS",
    });
    expect(deleted.json().error.details[0].message).toContain(
      "defaultSecurityRules/DenyAllInBound",
    );
  });

  it("writes a break the writer accepts, and keeps it and the semantic diff with the revision", async () => {
    await putWorkspace(ASSERTIONS);
    const deleted = await app.inject({
      method: "DELETE",
      url: ruleUrl("ALLOW-HTTPS-fe1ase"),
      headers: { ...admin, "x-tierwall-accept-break": "fe1 reaches the API over HTTPS" },
    });
    expect(deleted.statusCode).toBe(200);
    const history = (
      await app.inject({ url: `${ids.nsg}/providers/Tierwall/revisions${V}`, headers })
    ).json().value;
    const last = history.at(-1).properties;
    expect(last.acceptedBreaks).toEqual([
      expect.objectContaining({ name: "fe1 reaches the API over HTTPS", status: "failed" }),
    ]);
    expect(last.semanticDiff.equivalent).toBe(false);
    const [change] = last.semanticDiff.nsgs;
    expect(change).toMatchObject({ nsg: "RestrictBackendApi", direction: "Inbound" });
    expect(change.deniedExample).toMatch(/^Tcp 198\.51\.100\.11:\d+ -> .*:443$/);
    expect(change.newlyAllowed.lines).toEqual([]);
    // A write that changes nothing allowed is written, with an equivalent diff.
    const same = await app.inject({
      method: "PUT",
      url: ruleUrl("ALLOW-HTTPS-fe2ase"),
      headers,
      payload: (await app.inject({ url: ruleUrl("ALLOW-HTTPS-fe2ase"), headers })).json(),
    });
    expect(same.statusCode).toBe(200);
    const again = (
      await app.inject({ url: `${ids.nsg}/providers/Tierwall/revisions${V}`, headers })
    ).json().value;
    expect(again.at(-1).properties.semanticDiff.equivalent).toBe(true);
  });

  it("leaves the assertions and their breaks to admins", async () => {
    const byWriter = await app.inject({
      method: "PUT",
      url: WORKSPACE,
      headers,
      payload: { properties: { assertions: [] } },
    });
    expect(byWriter.statusCode).toBe(403);
    await putWorkspace(ASSERTIONS);
    const waved = await app.inject({
      method: "PUT",
      url: ruleUrl("ALLOW-Internet-HTTPS"),
      headers: { ...headers, "x-tierwall-accept-break": "*" },
      payload: strangerRule,
    });
    expect(waved.statusCode).toBe(403);
    expect(waved.json().error.message).toContain("admin");
    expect((await app.inject({ method: "DELETE", url: WORKSPACE, headers })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: "DELETE", url: WORKSPACE, headers: admin })).statusCode,
    ).toBe(200);
  });

  it("accepts every break with *, and judges nothing but network resources", async () => {
    await putWorkspace(ASSERTIONS);
    const opened = await app.inject({
      method: "PUT",
      url: ruleUrl("ALLOW-Internet-HTTPS"),
      headers: { ...admin, "x-tierwall-accept-break": "*" },
      payload: strangerRule,
    });
    expect(opened.statusCode).toBe(201);
    const outcomes = (await app.inject({ url: WORKSPACE, headers })).json().properties.outcomes;
    expect(outcomes[1]).toMatchObject({
      status: "failed",
      rule: "securityRules/ALLOW-Internet-HTTPS",
    });
  });

  it("refuses assertions that are malformed or name what the network does not hold", async () => {
    const malformed = await putWorkspace([{ kind: "reach", to: 7 }]);
    expect(malformed.statusCode).toBe(400);
    // Its shape is checked by the schema the OpenAPI document shows (the spec file's, converted).
    expect(malformed.json().error.code).toBe("InvalidRequestFormat");
    expect(malformed.json().error.details[0].target).toMatch(/^properties\.assertions\[0\]/);
    const unknown = await putWorkspace([
      { name: "ghost", kind: "isolate", from: "Internet", to: "no-such-nic" },
    ]);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.details[0]).toMatchObject({
      code: "InvalidAssertion",
      target: "properties.assertions[0]",
    });
    expect(unknown.json().error.message).toContain("ghost");
    const named = await app.inject({
      method: "PUT",
      url: WORKSPACE.replace("/default", "/other"),
      headers: admin,
      payload: { properties: { assertions: [] } },
    });
    expect(named.json().error.code).toBe("InvalidResourceName");
  });
});
