/**
 * The API in process (fastify's inject, no socket): ARM's paths, shapes,
 * status codes and error envelope for NSGs and their rules, tokens and roles,
 * etags, and bad requests, over the SQLite store.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance, InjectOptions } from "fastify";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/store.js";
import { buildApp } from "./app.js";
import { createToken } from "./auth.js";

const dir = mkdtempSync(join(tmpdir(), "tierwall-app-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RG = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ase";
const NSG = `${RG}/providers/Microsoft.Network/networkSecurityGroups/RestrictBackendApi`;
const V = "?api-version=2024-05-01";

/** The seed's rules (a few of them): front ends' HTTPS, Azure's management ports. */
const rule = (name: string, priority: number, source: string, port: string) => ({
  name,
  properties: {
    protocol: "Tcp",
    sourceAddressPrefix: source,
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: port,
    access: "Allow",
    priority,
    direction: "Inbound",
  },
});
const SEED = {
  location: "southcentralus",
  properties: {
    securityRules: [
      rule("ALLOW-AzureMngmt", 100, "Internet", "454-455"),
      rule("ALLOW-HTTPS-fe1ase", 300, "198.51.100.11", "443"),
    ],
  },
};

let n = 0;
let store: Store;
let app: FastifyInstance;
let writer: string;
let reader: string;

/** Each test's store file, the last one the current test's. */
const paths: string[] = [];

beforeEach(async () => {
  paths.push(join(dir, `${n++}`, "tierwall.db"));
  store = openSqliteStore(paths[paths.length - 1] as string);
  app = await buildApp({ store });
  writer = await createToken(store, "ci", "writer");
  reader = await createToken(store, "viewer", "reader");
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe("network security groups", () => {
  it("creates (201), reads back with ARM's read-only properties, replaces (200), lists and deletes", async () => {
    const put = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: SEED,
    });
    expect(put.statusCode).toBe(201);
    const created = put.json();
    expect(created).toMatchObject({
      name: "RestrictBackendApi",
      id: NSG,
      type: "Microsoft.Network/networkSecurityGroups",
      location: "southcentralus",
      properties: { provisioningState: "Succeeded" },
    });
    expect(put.headers.etag).toBe(created.etag);
    expect(created.properties.resourceGuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.properties.securityRules.map((r: { id: string }) => r.id)).toEqual([
      `${NSG}/securityRules/ALLOW-AzureMngmt`,
      `${NSG}/securityRules/ALLOW-HTTPS-fe1ase`,
    ]);
    expect(created.properties.defaultSecurityRules.map((r: { name: string }) => r.name)).toEqual([
      "AllowVnetInBound",
      "AllowAzureLoadBalancerInBound",
      "DenyAllInBound",
      "AllowVnetOutBound",
      "AllowInternetOutBound",
      "DenyAllOutBound",
    ]);

    const got = await app.inject({ url: NSG.toLowerCase() + V, headers: as(reader) });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(created);

    const again = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: { ...SEED, properties: { securityRules: [SEED.properties.securityRules[0]] } },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().properties.resourceGuid).toBe(created.properties.resourceGuid);
    expect(again.json().etag).not.toBe(created.etag);

    const listed = await app.inject({
      url: `${RG}/providers/Microsoft.Network/networkSecurityGroups${V}`,
      headers: as(reader),
    });
    expect(listed.json().value.map((v: { id: string }) => v.id)).toEqual([NSG]);
    const bySubscription = await app.inject({
      url: `/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Network/networkSecurityGroups${V}`,
      headers: as(reader),
    });
    expect(bySubscription.json().value).toHaveLength(1);

    expect(
      (await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) })).statusCode,
    ).toBe(204);
    const gone = await app.inject({ url: NSG + V, headers: as(reader) });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe("ResourceNotFound");
  });

  it("refuses what the model refuses, with Azure's codes pointing into the body", async () => {
    const conflict = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: {
        location: "southcentralus",
        properties: {
          securityRules: [
            rule("a", 100, "*", "80"),
            rule("b", 100, "*", "443"),
            { ...rule("c", 5000, "10.0.0.300", "22") },
          ],
        },
      },
    });
    expect(conflict.statusCode).toBe(400);
    const error = conflict.json().error;
    expect(error.code).toBe("SecurityRuleConflict");
    expect(error.details.map((d: { code: string; target: string }) => [d.code, d.target])).toEqual([
      ["SecurityRuleConflict", "properties.securityRules[1].properties.priority"],
      ["SecurityRuleInvalidPriority", "properties.securityRules[2].properties.priority"],
      [
        "SecurityRuleInvalidAddressPrefix",
        "properties.securityRules[2].properties.sourceAddressPrefix",
      ],
    ]);
    expect(await store.get(NSG)).toBeUndefined();
    const noLocation = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: { properties: {} },
    });
    expect(noLocation.json().error.code).toBe("LocationRequired");
    const badName = await app.inject({
      method: "PUT",
      url: `${RG}/providers/Microsoft.Network/networkSecurityGroups/-bad${V}`,
      headers: as(writer),
      payload: SEED,
    });
    expect(badName.json().error.code).toBe("InvalidResourceName");
  });

  it("writes under If-Match only with the current etag, else 412", async () => {
    const first = (
      await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED })
    ).json();
    const second = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: { ...as(writer), "if-match": first.etag },
      payload: SEED,
    });
    expect(second.statusCode).toBe(200);
    const stale = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: { ...as(writer), "if-match": first.etag },
      payload: SEED,
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().error.code).toBe("PreconditionFailed");
    const staleDelete = await app.inject({
      method: "DELETE",
      url: NSG + V,
      headers: { ...as(writer), "if-match": first.etag },
    });
    expect(staleDelete.statusCode).toBe(412);
    expect(await store.get(NSG)).toBeDefined();
  });
});

describe("security rules", () => {
  it("adds (201), replaces (200), reads, lists and deletes a rule, each a new revision of its NSG", async () => {
    await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED });
    const url = `${NSG}/securityRules/ALLOW-HTTPS-fe2ase${V}`;
    const added = await app.inject({
      method: "PUT",
      url,
      headers: as(writer),
      payload: rule("x", 500, "198.51.100.22", "443"),
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      name: "ALLOW-HTTPS-fe2ase",
      id: `${NSG}/securityRules/ALLOW-HTTPS-fe2ase`,
      type: "Microsoft.Network/networkSecurityGroups/securityRules",
      properties: {
        priority: 500,
        sourceAddressPrefix: "198.51.100.22",
        provisioningState: "Succeeded",
      },
    });
    const replaced = await app.inject({
      method: "PUT",
      url,
      headers: as(writer),
      payload: rule("x", 510, "198.51.100.22", "443"),
    });
    expect(replaced.statusCode).toBe(200);
    expect((await app.inject({ url, headers: as(reader) })).json().properties.priority).toBe(510);
    const listed = await app.inject({ url: `${NSG}/securityRules${V}`, headers: as(reader) });
    expect(listed.json().value.map((r: { name: string }) => r.name)).toEqual([
      "ALLOW-AzureMngmt",
      "ALLOW-HTTPS-fe1ase",
      "ALLOW-HTTPS-fe2ase",
    ]);
    const conflicting = await app.inject({
      method: "PUT",
      url: `${NSG}/securityRules/dup${V}`,
      headers: as(writer),
      payload: rule("dup", 300, "*", "22"),
    });
    expect(conflicting.statusCode).toBe(400);
    expect(conflicting.json().error.code).toBe("SecurityRuleConflict");
    expect((await app.inject({ method: "DELETE", url, headers: as(writer) })).statusCode).toBe(200);
    expect((await app.inject({ method: "DELETE", url, headers: as(writer) })).statusCode).toBe(204);
    expect((await app.inject({ url, headers: as(reader) })).statusCode).toBe(404);
    expect((await store.history(NSG)).map((r) => r.actor)).toEqual(["ci", "ci", "ci", "ci"]);
  });

  it("loses no rule when many clients add rules to one NSG at once", async () => {
    await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        app.inject({
          method: "PUT",
          url: `${NSG}/securityRules/r${i}${V}`,
          headers: as(writer),
          payload: rule(`r${i}`, 1000 + i, "10.0.0.0/8", "443"),
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(30).fill(201));
    const stored = (await app.inject({ url: NSG + V, headers: as(reader) })).json();
    expect(stored.properties.securityRules).toHaveLength(32);
  });
});

describe("virtual networks and subnets", () => {
  const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/yourvnetnamehere`;
  const subnet = (name: string, prefix: string, nsg?: string) => ({
    name,
    properties: { addressPrefix: prefix, ...(nsg ? { networkSecurityGroup: { id: nsg } } : {}) },
  });
  const vnet = (...subnets: object[]) => ({
    location: "southcentralus",
    properties: { addressSpace: { addressPrefixes: ["10.0.0.0/16"] }, subnets },
  });

  it("associates an NSG with a subnet, shows it on the NSG, and refuses to delete an NSG in use", async () => {
    await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED });
    const put = await app.inject({
      method: "PUT",
      url: VNET + V,
      headers: as(writer),
      payload: vnet(
        subnet("FE1-ASE-Subnet", "10.0.1.0/24"),
        subnet("API-ASE-Subnet", "10.0.4.0/24", NSG),
      ),
    });
    expect(put.statusCode).toBe(201);
    expect(put.json().properties.subnets.map((s: { id: string }) => s.id)).toEqual([
      `${VNET}/subnets/FE1-ASE-Subnet`,
      `${VNET}/subnets/API-ASE-Subnet`,
    ]);
    const nsg = (await app.inject({ url: NSG + V, headers: as(reader) })).json();
    expect(nsg.properties.subnets).toEqual([{ id: `${VNET}/subnets/API-ASE-Subnet` }]);
    const inUse = await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) });
    expect(inUse.statusCode).toBe(400);
    expect(inUse.json().error.code).toBe("InUseNetworkSecurityGroupCannotBeDeleted");

    // A subnet written alone, as SDKs do to associate or dissociate an NSG.
    const dissociated = await app.inject({
      method: "PUT",
      url: `${VNET}/subnets/API-ASE-Subnet${V}`,
      headers: as(writer),
      payload: { properties: { addressPrefix: "10.0.4.0/24" } },
    });
    expect(dissociated.statusCode).toBe(200);
    expect(
      (await app.inject({ url: NSG + V, headers: as(reader) })).json().properties.subnets,
    ).toBeUndefined();
    const associated = await app.inject({
      method: "PUT",
      url: `${VNET}/subnets/FE2-ASE-Subnet${V}`,
      headers: as(writer),
      payload: { properties: { addressPrefix: "10.0.2.0/24", networkSecurityGroup: { id: NSG } } },
    });
    expect(associated.statusCode).toBe(201);
    expect(associated.json()).toMatchObject({
      id: `${VNET}/subnets/FE2-ASE-Subnet`,
      type: "Microsoft.Network/virtualNetworks/subnets",
      properties: { networkSecurityGroup: { id: NSG }, provisioningState: "Succeeded" },
    });
    const listed = await app.inject({ url: `${VNET}/subnets${V}`, headers: as(reader) });
    expect(listed.json().value.map((s: { name: string }) => s.name)).toEqual([
      "FE1-ASE-Subnet",
      "API-ASE-Subnet",
      "FE2-ASE-Subnet",
    ]);
    expect(
      (
        await app.inject({
          method: "DELETE",
          url: `${VNET}/subnets/FE2-ASE-Subnet${V}`,
          headers: as(writer),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) })).statusCode,
    ).toBe(200);
  });

  it("refuses subnets outside the address space and NSGs that do not exist, pointing into the body", async () => {
    const bad = await app.inject({
      method: "PUT",
      url: VNET + V,
      headers: as(writer),
      payload: vnet(subnet("a", "10.1.0.0/24"), subnet("b", "10.0.4.0/24", `${NSG}-missing`)),
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad.json().error.details.map((d: { code: string; target: string }) => [d.code, d.target]),
    ).toEqual([
      ["NetcfgSubnetRangeOutsideVnet", "properties.subnets[0].properties.addressPrefix"],
      ["InvalidResourceReference", "properties.subnets[1].properties.networkSecurityGroup"],
    ]);
    expect(await store.get(VNET)).toBeUndefined();
  });
});

describe("network interfaces", () => {
  const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/v`;
  const NIC = `${RG}/providers/Microsoft.Network/networkInterfaces/api-nic`;
  const nic = (address: string, nsg?: string) => ({
    location: "southcentralus",
    properties: {
      ipConfigurations: [
        {
          name: "ipconfig1",
          properties: {
            privateIPAllocationMethod: "Static",
            privateIPAddress: address,
            subnet: { id: `${VNET}/subnets/api` },
          },
        },
      ],
      ...(nsg ? { networkSecurityGroup: { id: nsg } } : {}),
    },
  });

  it("places an interface in a subnet with its NSG, shows it on the NSG, and refuses an address outside its subnet", async () => {
    await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED });
    await app.inject({
      method: "PUT",
      url: VNET + V,
      headers: as(writer),
      payload: {
        location: "southcentralus",
        properties: {
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [{ name: "api", properties: { addressPrefix: "10.0.4.0/24" } }],
        },
      },
    });
    const put = await app.inject({
      method: "PUT",
      url: NIC + V,
      headers: as(writer),
      payload: nic("10.0.4.4", NSG),
    });
    expect(put.statusCode).toBe(201);
    expect(put.json().properties.ipConfigurations[0]).toMatchObject({
      id: `${NIC}/ipConfigurations/ipconfig1`,
      properties: { privateIPAddress: "10.0.4.4", primary: true, provisioningState: "Succeeded" },
    });
    const nsg = (await app.inject({ url: NSG + V, headers: as(reader) })).json();
    expect(nsg.properties.networkInterfaces).toEqual([{ id: NIC }]);
    expect(
      (await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) })).json().error.code,
    ).toBe("InUseNetworkSecurityGroupCannotBeDeleted");
    const outside = await app.inject({
      method: "PUT",
      url: NIC + V,
      headers: as(writer),
      payload: nic("10.0.5.4"),
    });
    expect(outside.statusCode).toBe(400);
    expect(outside.json().error.details).toEqual([
      expect.objectContaining({
        code: "PrivateIPAddressNotInSubnet",
        target: "properties.ipConfigurations[0].properties.privateIPAddress",
      }),
    ]);
    expect(
      (
        await app.inject({
          method: "PUT",
          url: NIC + V,
          headers: as(writer),
          payload: nic("10.0.4.4"),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ url: NSG + V, headers: as(reader) })).json().properties.networkInterfaces,
    ).toBeUndefined();
    expect(
      (
        await app.inject({
          url: `/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Network/networkInterfaces${V}`,
          headers: as(reader),
        })
      ).json().value,
    ).toHaveLength(1);
  });
});

describe("application security groups", () => {
  const ASG = `${RG}/providers/Microsoft.Network/applicationSecurityGroups/web-servers`;
  const fromAsg = (id: string) => ({
    name: "from-web",
    properties: {
      protocol: "Tcp",
      sourceApplicationSecurityGroups: [{ id }],
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "443",
      access: "Allow",
      priority: 200,
      direction: "Inbound",
    },
  });

  it("serves them, and validates rules that name one with it; a missing one is refused where it is named", async () => {
    const put = await app.inject({
      method: "PUT",
      url: ASG + V,
      headers: as(writer),
      payload: { location: "southcentralus" },
    });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toMatchObject({
      id: ASG,
      type: "Microsoft.Network/applicationSecurityGroups",
      properties: { provisioningState: "Succeeded" },
    });
    expect(
      (
        await app.inject({
          url: `${RG}/providers/Microsoft.Network/applicationSecurityGroups${V}`,
          headers: as(reader),
        })
      ).json().value,
    ).toHaveLength(1);
    const withAsg = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: { location: "southcentralus", properties: { securityRules: [fromAsg(ASG)] } },
    });
    expect(withAsg.statusCode).toBe(201);
    const rule = await app.inject({
      method: "PUT",
      url: `${NSG}/securityRules/from-web${V}`,
      headers: as(writer),
      payload: fromAsg(ASG),
    });
    expect(rule.statusCode).toBe(200);
    const missing = await app.inject({
      method: "PUT",
      url: `${NSG}/securityRules/from-other${V}`,
      headers: as(writer),
      payload: {
        ...fromAsg(`${ASG}-gone`),
        properties: { ...fromAsg(`${ASG}-gone`).properties, priority: 210 },
      },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([
      expect.objectContaining({
        code: "UnknownApplicationSecurityGroup",
        target: "properties.securityRules[1].properties.sourceApplicationSecurityGroups[0]",
      }),
    ]);
    // An ASG a rule names cannot be deleted: the network would not be whole without it.
    const inUse = await app.inject({ method: "DELETE", url: ASG + V, headers: as(writer) });
    expect(inUse.statusCode).toBe(400);
    expect(inUse.json().error.code).toBe("UnknownApplicationSecurityGroup");
    expect(
      (await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: "DELETE", url: ASG + V, headers: as(writer) })).statusCode,
    ).toBe(200);
    expect((await app.inject({ url: ASG + V, headers: as(reader) })).statusCode).toBe(404);
  });
});

describe("revisions", () => {
  it("lists each change of an NSG with who, when, before and after, also once deleted, and restores one", async () => {
    const url = `${NSG}/providers/Tierwall/revisions`;
    const first = (
      await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED })
    ).json();
    await app.inject({
      method: "PUT",
      url: `${NSG}/securityRules/extra${V}`,
      headers: as(writer),
      payload: rule("extra", 900, "*", "22"),
    });
    await app.inject({ method: "DELETE", url: NSG + V, headers: as(writer) });
    const listed = await app.inject({ url: url + V, headers: as(reader) });
    expect(listed.statusCode).toBe(200);
    const revisions = listed.json().value;
    expect(
      revisions.map((r: { properties: { change: string; actor: string } }) => [
        r.properties.change,
        r.properties.actor,
      ]),
    ).toEqual([
      ["created", "ci"],
      ["replaced", "ci"],
      ["deleted", "ci"],
    ]);
    expect(revisions[1].properties.after.properties.securityRules).toHaveLength(3);
    expect(revisions[0].id).toBe(`${NSG}/providers/Tierwall/revisions/${revisions[0].name}`);
    // Restoring needs a writer; the first revision brings the NSG back as it was created.
    const denied = await app.inject({
      method: "POST",
      url: `${url}/${revisions[0].name}/restore${V}`,
      headers: as(reader),
    });
    expect(denied.statusCode).toBe(403);
    const restored = await app.inject({
      method: "POST",
      url: `${url}/${revisions[0].name}/restore${V}`,
      headers: as(writer),
    });
    expect(restored.statusCode).toBe(200);
    expect(restored.json().properties).toMatchObject({
      change: "restored",
      restoredFrom: Number(revisions[0].name),
    });
    const back = (await app.inject({ url: NSG + V, headers: as(reader) })).json();
    expect(back.properties.securityRules).toEqual(
      first.properties.securityRules.map((r: object) => ({ ...r, etag: back.etag })),
    );
    expect(
      (
        await app.inject({ method: "POST", url: `${url}/999999/restore${V}`, headers: as(writer) })
      ).json().error.code,
    ).toBe("RevisionNotFound");
    expect(
      (
        await app.inject({ method: "POST", url: `${url}/x/restore${V}`, headers: as(writer) })
      ).json().error.code,
    ).toBe("InvalidRevision");
    expect(
      (
        await app.inject({
          url: `${RG}/providers/Microsoft.Network/networkSecurityGroups/none/providers/Tierwall/revisions${V}`,
          headers: as(reader),
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe("the OpenAPI document", () => {
  it("is served, generated from the schemas requests are checked against", async () => {
    const answer = await app.inject({ url: "/openapi.json" });
    expect(answer.statusCode).toBe(200);
    const doc = answer.json();
    expect(doc.openapi).toBe("3.0.3");
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    const nsg =
      doc.paths[
        "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/networkSecurityGroups/{name}"
      ];
    expect(Object.keys(nsg).sort()).toEqual(["delete", "get", "put"]);
    const body = nsg.put.requestBody.content["application/json"].schema;
    expect(body.properties.properties.properties.securityRules.type).toBe("array");
    expect(nsg.put.parameters).toContainEqual(
      expect.objectContaining({ in: "query", name: "api-version" }),
    );
    expect(nsg.get.responses["4XX"] ?? nsg.get.responses["4xx"]).toBeDefined();
    const ipfv = Object.entries(doc.paths).find(([path]) =>
      path.endsWith("/ipFlowVerify"),
    )?.[1] as {
      post: { responses: Record<string, { content: Record<string, { schema: object }> }> };
    };
    expect(ipfv.post.responses["200"]?.content["application/json"]?.schema).toMatchObject({
      properties: { access: { type: "string" } },
    });
    const workspace = Object.entries(doc.paths).find(([path]) =>
      path.endsWith("/providers/Tierwall/workspaces/{name}"),
    )?.[1] as {
      put: { requestBody: { content: Record<string, { schema: { properties: object } }> } };
    };
    expect(JSON.stringify(workspace.put.requestBody.content["application/json"]?.schema)).toContain(
      "onlyFrom",
    );
    // The schema is the one requests meet: a body of the wrong shape is refused by it.
    const refused = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(writer),
      payload: { location: "x", properties: { securityRules: [{ name: 7 }] } },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.details[0]).toMatchObject({
      code: "InvalidRequestFormat",
      target: "properties.securityRules[0].name",
    });
  });
});

describe("access and bad requests", () => {
  it("needs a token to read and a writer's to write; anonymous reads only when enabled", async () => {
    expect((await app.inject({ url: NSG + V })).json().error.code).toBe("AuthenticationFailed");
    expect((await app.inject({ url: NSG + V })).statusCode).toBe(401);
    expect((await app.inject({ url: NSG + V, headers: as("tw_nope") })).json().error.code).toBe(
      "InvalidAuthenticationToken",
    );
    const denied = await app.inject({
      method: "PUT",
      url: NSG + V,
      headers: as(reader),
      payload: SEED,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe("AuthorizationFailed");
    const open = await buildApp({ store, anonymousReads: true });
    expect((await open.inject({ url: NSG + V })).statusCode).toBe(404);
    expect((await open.inject({ method: "PUT", url: NSG + V, payload: SEED })).statusCode).toBe(
      401,
    );
    await open.close();
  });

  it("sees at once what another server writes to its store, and a token revoked there", async () => {
    expect(
      (await app.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED }))
        .statusCode,
    ).toBe(201);
    expect((await app.inject({ url: NSG + V, headers: as(reader) })).statusCode).toBe(200);
    // Another connection to the same file, as another server (or `serve token revoke`) has.
    const other = openSqliteStore(paths[paths.length - 1] as string);
    try {
      await other.remove(NSG, { actor: "elsewhere" });
      // Another process's writes are seen within a millisecond (read-cache.ts).
      await new Promise((r) => setTimeout(r, 3));
      expect((await app.inject({ url: NSG + V, headers: as(reader) })).statusCode).toBe(404);
      await other.removeToken("viewer");
      await new Promise((r) => setTimeout(r, 3));
      expect((await app.inject({ url: NSG + V, headers: as(reader) })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("logs a JSON line per request with the token's name, never the token", async () => {
    let logged = "";
    const logStream = new Writable({
      write(chunk, _encoding, done) {
        logged += chunk;
        done();
      },
    });
    const logging = await buildApp({ store, logStream });
    await logging.inject({ method: "PUT", url: NSG + V, headers: as(writer), payload: SEED });
    await logging.inject({ url: NSG + V });
    await logging.close();
    const lines = logged
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.method, l.path, l.status, l.caller])).toEqual([
      ["PUT", NSG, 201, "token ci"],
      ["GET", NSG, 401, "address 127.0.0.1"],
    ]);
    expect(logged).not.toContain(writer);
    expect(logged).not.toContain(writer.slice(3, 20));
  });

  it("limits each caller's requests per second, with Retry-After", async () => {
    const limited = await buildApp({ store, rateLimit: { perSecond: 1, burst: 3 } });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await limited.inject({ url: NSG + V, headers: as(reader) })).statusCode);
    expect(codes).toEqual([404, 404, 404, 429]);
    const refused = await limited.inject({ url: NSG + V, headers: as(reader) });
    expect(refused.json().error.code).toBe("TooManyRequests");
    expect(refused.headers["retry-after"]).toBe("1");
    // Another token has its own allowance.
    expect((await limited.inject({ url: NSG + V, headers: as(writer) })).statusCode).toBe(404);
    await limited.close();
  });

  it("answers bad requests with the right 4xx and ARM's envelope, never a stack", async () => {
    const cases: [InjectOptions, number, string][] = [
      [{ url: NSG, headers: as(reader) }, 400, "MissingApiVersionParameter"],
      [
        { url: `${NSG}?api-version=1999-01-01`, headers: as(reader) },
        400,
        "InvalidApiVersionParameter",
      ],
      [
        { url: `${NSG}?api-version=latest`, headers: as(reader) },
        400,
        "InvalidApiVersionParameter",
      ],
      [
        {
          method: "PUT",
          url: NSG + V,
          headers: { ...as(writer), "content-type": "application/json" },
          payload: "{not json",
        },
        400,
        "InvalidRequestFormat",
      ],
      [
        { method: "PUT", url: NSG + V, headers: as(writer), payload: [1, 2] },
        400,
        "InvalidRequestFormat",
      ],
      [
        {
          method: "PUT",
          url: NSG + V,
          headers: as(writer),
          payload: { location: "x", properties: { securityRules: "all" } },
        },
        400,
        "InvalidRequestFormat",
      ],
      [
        {
          method: "PUT",
          url: NSG + V,
          headers: as(writer),
          payload: {
            location: "x",
            properties: { securityRules: [{ name: "a", properties: { priority: "high" } }] },
          },
        },
        400,
        "InvalidPropertyType",
      ],
      [
        {
          method: "PUT",
          url: NSG + V,
          headers: as(writer),
          payload: { location: "x".repeat(2 << 20) },
        },
        413,
        "RequestEntityTooLarge",
      ],
      [
        {
          url: `${RG}/providers/Microsoft.Network/networkSecurityGroups/..%2F..%2Fetc${V}`,
          headers: as(reader),
        },
        404,
        "",
      ],
      [
        {
          url: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/sa${V}`,
          headers: as(reader),
        },
        404,
        "InvalidResourceType",
      ],
    ];
    for (const [request, status, code] of cases) {
      const r = await app.inject(request);
      expect(r.statusCode, JSON.stringify(request).slice(0, 120)).toBe(status);
      const text = r.body;
      expect(text).not.toMatch(/\bat \S+:\d+:\d+|node_modules|\/work\/|src\//);
      const error = r.json().error;
      expect(typeof error.message).toBe("string");
      if (code) expect(error.code).toBe(code);
    }
  });
});
