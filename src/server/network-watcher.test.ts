/**
 * Network Watcher in process: IP flow verify and effective security groups on
 * the seed's estate, answered from what is stored now (a change is seen at
 * once), with Azure's shapes and errors; virtual machines and their interfaces.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  GROUP,
  ids,
  LOCATION,
  SUBSCRIPTION,
  seedResources,
} from "../../test/support/seed-estate.js";
import { API_VERSION, openTestServer, type TestServer } from "../../test/support/server-app.js";
import type { Store } from "../store/store.js";
import { createToken } from "./auth.js";

const V = API_VERSION;
const IPFV = `${ids.watcher}/ipFlowVerify${V}`;

let server: TestServer;
let store: Store;
let app: FastifyInstance;
let headers: Record<string, string>;

beforeEach(async () => {
  server = await openTestServer({ seeded: true });
  ({ store, app, headers } = server);
});
afterEach(() => server.close());

const verify = (query: Record<string, unknown>) =>
  app.inject({
    method: "POST",
    url: IPFV,
    headers,
    payload: {
      targetResourceId: ids.vm,
      direction: "Inbound",
      protocol: "TCP",
      localIPAddress: "10.0.4.4",
      localPort: "443",
      remotePort: "50000",
      ...query,
    },
  });

describe("IP flow verify", () => {
  it("answers the seed's questions as Azure does: a front end allowed by its rule, the Internet denied by the default", async () => {
    const fe1 = await verify({ remoteIPAddress: "198.51.100.11" });
    expect(fe1.statusCode).toBe(200);
    expect(fe1.json()).toEqual({ access: "Allow", ruleName: "securityRules/ALLOW-HTTPS-fe1ase" });
    const internet = await verify({ remoteIPAddress: "203.0.113.99" });
    expect(internet.json()).toEqual({
      access: "Deny",
      ruleName: "defaultSecurityRules/DenyAllInBound",
    });
    // A wildcard remote port is answered when every source port gets the same answer.
    expect((await verify({ remoteIPAddress: "198.51.100.22", remotePort: "*" })).json()).toEqual({
      access: "Allow",
      ruleName: "securityRules/ALLOW-HTTPS-fe2ase",
    });
    const outbound = await verify({
      direction: "Outbound",
      localPort: "50000",
      remoteIPAddress: "203.0.113.99",
      remotePort: 443,
    });
    expect(outbound.json()).toEqual({
      access: "Allow",
      ruleName: "defaultSecurityRules/AllowInternetOutBound",
    });
  });

  it("sees each change at once: a front end's rule deleted, its calls are denied", async () => {
    expect((await verify({ remoteIPAddress: "198.51.100.22" })).json().access).toBe("Allow");
    const deleted = await app.inject({
      method: "DELETE",
      url: `${ids.nsg}/securityRules/ALLOW-HTTPS-fe2ase${V}`,
      headers,
    });
    expect(deleted.statusCode).toBe(200);
    expect((await verify({ remoteIPAddress: "198.51.100.22" })).json()).toEqual({
      access: "Deny",
      ruleName: "defaultSecurityRules/DenyAllInBound",
    });
  });

  it("takes a network interface as the target, and the interface named among a machine's", async () => {
    expect(
      (await verify({ targetResourceId: ids.nic, remoteIPAddress: "198.51.100.11" })).json().access,
    ).toBe("Allow");
    expect(
      (await verify({ targetNicResourceId: ids.nic, remoteIPAddress: "198.51.100.11" })).json()
        .access,
    ).toBe("Allow");
    const other = `${ids.nic}-other`;
    const refused = await verify({ targetNicResourceId: other, remoteIPAddress: "198.51.100.11" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: "InvalidParameter",
      target: "targetNicResourceId",
    });
  });

  it("tells resources of one name in two resource groups apart", async () => {
    // The same estate again in another group, whose NSG allows no front end.
    const other = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${GROUP}-copy`;
    const copy = (id: string) => `${other}${id.slice(id.indexOf("/providers/"))}`;
    for (const [id, body] of seedResources()) {
      const text = JSON.stringify(body).replaceAll(
        `/resourceGroups/${GROUP}/`,
        `/resourceGroups/${GROUP}-copy/`,
      );
      const parsed = JSON.parse(text);
      if (id === ids.nsg) parsed.properties.securityRules = [];
      if (id === ids.nic)
        parsed.properties.ipConfigurations[0].properties.privateIPAddress = "10.0.4.5";
      const put = await app.inject({ method: "PUT", url: copy(id) + V, headers, payload: parsed });
      expect(put.statusCode, put.body).toBe(201);
    }
    expect((await verify({ remoteIPAddress: "198.51.100.11" })).json().access).toBe("Allow");
    const inCopy = await verify({
      targetResourceId: copy(ids.vm),
      localIPAddress: "10.0.4.5",
      remoteIPAddress: "198.51.100.11",
    });
    expect(inCopy.json()).toEqual({
      access: "Deny",
      ruleName: "defaultSecurityRules/DenyAllInBound",
    });
  });

  it("refuses what IP flow verify does not take, with Azure's envelope and where in the body", async () => {
    const cases: [Record<string, unknown>, number, string, string?][] = [
      [{ remoteIPAddress: undefined }, 400, "InvalidParameter", "remoteIPAddress"],
      [{ remoteIPAddress: "198.51.100.300" }, 400, "InvalidParameter", "remoteIPAddress"],
      [{ remoteIPAddress: "198.51.100.11", protocol: "ICMP" }, 400, "InvalidParameter", "protocol"],
      [
        { remoteIPAddress: "198.51.100.11", direction: "Sideways" },
        400,
        "InvalidParameter",
        "direction",
      ],
      [
        { remoteIPAddress: "198.51.100.11", localPort: "70000" },
        400,
        "InvalidParameter",
        "localPort",
      ],
      [{ remoteIPAddress: "198.51.100.11", localPort: "*" }, 400, "InvalidParameter"],
      [{ remoteIPAddress: "198.51.100.11", localIPAddress: "10.0.4.9" }, 400, "InvalidParameter"],
      [{ remoteIPAddress: "2001:db8::1" }, 400, "InvalidParameter"],
      [
        { remoteIPAddress: "198.51.100.11", targetResourceId: `${ids.vm}-absent` },
        404,
        "ResourceNotFound",
        "targetResourceId",
      ],
    ];
    for (const [query, status, code, target] of cases) {
      const answer = await verify(query);
      expect(answer.statusCode, JSON.stringify(query)).toBe(status);
      const error = answer.json().error;
      expect(error.code).toBe(code);
      if (target) expect(error.target).toBe(target);
      expect(answer.body).not.toMatch(/node_modules|\/work\/|at .*\.js:\d+/);
    }
    const noWatcher = await app.inject({
      method: "POST",
      url: IPFV.replace("NetworkWatcher_southcentralus", "absent"),
      headers,
      payload: {},
    });
    expect(noWatcher.statusCode).toBe(404);
    const notObject = await app.inject({ method: "POST", url: IPFV, headers, payload: [1] });
    expect(notObject.json().error.code).toBe("InvalidRequestFormat");
  });

  it("needs a reader's token, and nothing more", async () => {
    const reader = await createToken(store, "viewer", "reader");
    const asReader = await app.inject({
      method: "POST",
      url: IPFV,
      headers: { authorization: `Bearer ${reader}` },
      payload: {
        targetResourceId: ids.vm,
        direction: "Inbound",
        protocol: "TCP",
        localIPAddress: "10.0.4.4",
        localPort: "443",
        remoteIPAddress: "198.51.100.11",
        remotePort: "50000",
      },
    });
    expect(asReader.statusCode).toBe(200);
    expect((await app.inject({ method: "POST", url: IPFV, payload: {} })).statusCode).toBe(401);
  });
});

describe("effective security groups", () => {
  it("lists the subnet's NSG with its rules and Azure's defaults, expanded", async () => {
    const answer = await app.inject({
      method: "POST",
      url: `${ids.nic}/effectiveNetworkSecurityGroups${V}`,
      headers,
    });
    expect(answer.statusCode).toBe(200);
    const [group, ...others] = answer.json().value;
    expect(others).toEqual([]);
    expect(group.networkSecurityGroup).toEqual({ id: ids.nsg });
    expect(group.association).toEqual({ subnet: { id: ids.apiSubnet } });
    const names = group.effectiveSecurityRules.map((r: { name: string }) => r.name);
    expect(names).toContain("securityRules/ALLOW-HTTPS-fe1ase");
    expect(names).toContain("defaultSecurityRules/DenyAllInBound");
    expect(group.effectiveSecurityRules).toContainEqual(
      expect.objectContaining({
        name: "securityRules/ALLOW-HTTPS-fe1ase",
        protocol: "Tcp",
        destinationPortRange: "443-443",
        sourceAddressPrefix: "198.51.100.11/32",
        access: "Allow",
        priority: 300,
        direction: "Inbound",
      }),
    );
    expect(JSON.parse(group.tagMap)).toEqual(expect.any(Object));
  });
});

describe("virtual machines", () => {
  it("show their interface on it, which cannot be deleted or given to another machine while in use", async () => {
    const nic = (await app.inject({ url: ids.nic + V, headers })).json();
    expect(nic.properties.virtualMachine).toEqual({ id: ids.vm });
    const deleted = await app.inject({ method: "DELETE", url: ids.nic + V, headers });
    expect(deleted.statusCode).toBe(400);
    expect(deleted.json().error.code).toBe("NicInUse");
    const second = await app.inject({
      method: "PUT",
      url: `${ids.vm}2${V}`,
      headers,
      payload: {
        location: LOCATION,
        properties: { networkProfile: { networkInterfaces: [{ id: ids.nic }] } },
      },
    });
    expect(second.statusCode).toBe(400);
    expect(second.json().error).toMatchObject({
      code: "NicInUse",
      target: "properties.networkProfile.networkInterfaces[0].id",
    });
    const missing = await app.inject({
      method: "PUT",
      url: `${ids.vm}3${V}`,
      headers,
      payload: {
        location: LOCATION,
        properties: { networkProfile: { networkInterfaces: [{ id: `${ids.nic}-absent` }] } },
      },
    });
    expect(missing.json().error.code).toBe("InvalidResourceReference");
    expect((await app.inject({ method: "DELETE", url: ids.vm + V, headers })).statusCode).toBe(200);
    expect((await app.inject({ method: "DELETE", url: ids.nic + V, headers })).statusCode).toBe(
      200,
    );
  });
});
