/**
 * Azure's own SDK for JavaScript (@azure/arm-network) against `tierwall serve
 * --tls` on loopback, with the certificate the server made trusted and a
 * tierwall token as the credential: the seed's NSG and its nine rules
 * created, associated with the API subnet, listed and read back; a priority
 * conflict refused with Azure's error; IP flow verify answering the seed's
 * questions; every long-running operation finished by the SDK's own pollers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/core-auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";
import { GROUP, ids, LOCATION, SUBSCRIPTION, seedRules } from "./support/seed-estate.js";
import { serve, stop } from "./support/serve.js";

beforeAll(requireBuild);

const dir = mkdtempSync(join(tmpdir(), "tierwall-sdk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PUT the network SDK has no client for (a virtual machine), over the same HTTPS. */
function put(url: string, ca: string, token: string, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request(
      url,
      {
        method: "PUT",
        ca,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    sent.on("error", reject);
    sent.end(JSON.stringify(body));
  });
}

describe("Azure's SDK for JavaScript against tierwall serve", () => {
  it("creates the seed's NSG, associates it, reads it back, meets Azure's errors and asks IP flow verify", async () => {
    const data = join(dir, "data");
    const made = tierwall(["serve", "token", "create", "sdk", "--role", "writer", "--data", data]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    const { url, child, said } = await serve(["--tls", "--data", data]);
    try {
      expect(url).toMatch(/^https:/);
      expect(said()).toMatch(
        /HTTPS with a certificate made now in .*tierwall-cert\.pem \(SHA-256 /,
      );
      const ca = readFileSync(join(data, "tierwall-cert.pem"), "utf8");
      const { NetworkManagementClient } = await import("@azure/arm-network");
      const credential: TokenCredential = {
        getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
      };
      const client = new NetworkManagementClient(credential, SUBSCRIPTION, {
        endpoint: url,
        $host: url,
        tlsOptions: { ca },
        // Azure's SDKs retry throttled and failed requests; here the first answer is the one to check.
        retryOptions: { maxRetries: 0 },
      });
      const nsgName = "RestrictBackendApi";

      // The seed's NSG with its nine rules, as the SDK's flattened models.
      const rules = seedRules().map(({ name, properties }) => ({ name, ...properties }));
      expect(rules).toHaveLength(9);
      const nsg = await client.networkSecurityGroups.beginCreateOrUpdateAndWait(GROUP, nsgName, {
        location: LOCATION,
        securityRules: rules,
      });
      expect(nsg.id).toBe(ids.nsg);
      expect(nsg.provisioningState).toBe("Succeeded");
      expect(nsg.securityRules?.map((r) => r.name)).toEqual(rules.map((r) => r.name));
      expect(nsg.defaultSecurityRules?.map((r) => r.name)).toContain("DenyAllInBound");

      // Associated with the API subnet.
      const vnet = await client.virtualNetworks.beginCreateOrUpdateAndWait(
        GROUP,
        "yourvnetnamehere",
        {
          location: LOCATION,
          addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
          subnets: [
            { name: "FE1-ASE-Subnet", addressPrefix: "10.0.1.0/24" },
            {
              name: "API-ASE-Subnet",
              addressPrefix: "10.0.4.0/24",
              networkSecurityGroup: { id: nsg.id },
            },
          ],
        },
      );
      expect(vnet.subnets?.find((s) => s.name === "API-ASE-Subnet")?.networkSecurityGroup?.id).toBe(
        ids.nsg,
      );

      // Listed and read back.
      const listed = [];
      for await (const n of client.networkSecurityGroups.list(GROUP)) listed.push(n);
      expect(listed.map((n) => n.name)).toEqual([nsgName]);
      expect(listed[0]?.subnets?.map((s) => s.id)).toEqual([ids.apiSubnet]);
      const ruleNames = [];
      for await (const r of client.securityRules.list(GROUP, nsgName)) ruleNames.push(r.name);
      expect(ruleNames).toEqual(rules.map((r) => r.name));
      const https = await client.securityRules.get(GROUP, nsgName, "ALLOW-HTTPS-fe1ase");
      expect(https).toMatchObject({
        priority: 300,
        direction: "Inbound",
        sourceAddressPrefix: "198.51.100.11",
        destinationPortRange: "443",
      });

      // A rule at a priority another rule of its direction has: Azure's SecurityRuleConflict.
      const conflict = await client.securityRules
        .beginCreateOrUpdateAndWait(GROUP, nsgName, "ALLOW-HTTPS-other", {
          ...https,
          name: "ALLOW-HTTPS-other",
          sourceAddressPrefix: "198.51.100.44",
        })
        .then(
          () => undefined,
          (e: { statusCode?: number; code?: string }) => e,
        );
      expect(conflict).toMatchObject({ statusCode: 400, code: "SecurityRuleConflict" });
      const after = [];
      for await (const r of client.securityRules.list(GROUP, nsgName)) after.push(r.name);
      expect(after).toHaveLength(9);

      // A machine in the API subnet at apiase's address, and a watcher.
      const nic = await client.networkInterfaces.beginCreateOrUpdateAndWait(GROUP, "api-nic", {
        location: LOCATION,
        ipConfigurations: [
          {
            name: "ipconfig1",
            privateIPAllocationMethod: "Static",
            privateIPAddress: "10.0.4.4",
            subnet: { id: ids.apiSubnet },
          },
        ],
      });
      expect(nic.id).toBe(ids.nic);
      expect(
        await put(`${url}${ids.vm}?api-version=2024-07-01`, ca, token, {
          location: LOCATION,
          properties: { networkProfile: { networkInterfaces: [{ id: ids.nic }] } },
        }),
      ).toBe(201);
      const watcher = await client.networkWatchers.createOrUpdate(
        GROUP,
        "NetworkWatcher_southcentralus",
        { location: LOCATION },
      );
      expect(watcher.id).toBe(ids.watcher);

      // IP flow verify: a front end's HTTPS call allowed by its rule, the Internet's denied.
      const ask = (remoteIPAddress: string) =>
        client.networkWatchers.beginVerifyIPFlowAndWait(GROUP, "NetworkWatcher_southcentralus", {
          targetResourceId: ids.vm,
          direction: "Inbound",
          protocol: "TCP",
          localIPAddress: "10.0.4.4",
          localPort: "443",
          remoteIPAddress,
          remotePort: "50000",
        });
      expect(await ask("198.51.100.11")).toEqual({
        access: "Allow",
        ruleName: "securityRules/ALLOW-HTTPS-fe1ase",
      });
      expect(await ask("203.0.113.99")).toEqual({
        access: "Deny",
        ruleName: "defaultSecurityRules/DenyAllInBound",
      });

      // The interface's effective rules, and a rule deleted through the SDK seen at once.
      const effective =
        await client.networkInterfaces.beginListEffectiveNetworkSecurityGroupsAndWait(
          GROUP,
          "api-nic",
        );
      expect(effective.value?.[0]?.networkSecurityGroup?.id).toBe(ids.nsg);
      expect(effective.value?.[0]?.effectiveSecurityRules?.map((r) => r.name)).toContain(
        "securityRules/ALLOW-HTTPS-fe1ase",
      );
      await client.securityRules.beginDeleteAndWait(GROUP, nsgName, "ALLOW-HTTPS-fe1ase");
      expect((await ask("198.51.100.11")).access).toBe("Deny");

      // A missing NSG: Azure's 404.
      const missing = await client.networkSecurityGroups.get(GROUP, "absent").then(
        () => undefined,
        (e: { statusCode?: number; code?: string }) => e,
      );
      expect(missing).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    } finally {
      expect(await stop(child)).toBe(0);
    }
  }, 120_000);

  it("refuses an HTTPS client that does not trust its certificate, and keeps the certificate it made", async () => {
    const data = join(dir, "kept");
    const first = await serve(["--tls", "--data", data]);
    await stop(first.child);
    const second = await serve(["--tls", "--data", data]);
    try {
      expect(second.said()).toContain("HTTPS with the certificate in");
      await expect(fetch(`${second.url}/subscriptions`)).rejects.toThrow();
    } finally {
      await stop(second.child);
    }
    expect(tierwall(["serve", "--tls-cert", join(data, "absent.pem")]).stderr).toContain(
      "--tls-cert and --tls-key go together",
    );
    const wrong = tierwall([
      "serve",
      "--tls-cert",
      join(data, "tierwall-cert.pem"),
      "--tls-key",
      join(data, "absent.pem"),
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/HTTPS cannot be set up: .*absent\.pem cannot be read \(ENOENT\)/);
  }, 60_000);
});
