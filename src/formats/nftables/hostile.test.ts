import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { labMissing, titled } from "../../../test/support/environment.js";
import { HOSTILE_TEXTS, hostileTopology, PLACEHOLDER } from "../../../test/support/hostile.js";
import { unescapedHidden } from "../../../test/support/hostile-round-trip.js";
import { hasErrors } from "../../model/diagnostic.js";
import { LIMITS } from "../../model/limits.js";
import { buildNetwork, type Network } from "../../model/network.js";
import { ServiceTagCatalog } from "../../model/service-tags.js";
import type { Topology } from "../../model/types.js";
import { parsePrefix } from "../../net/prefix.js";
import { exportNftables, nftString, nsgBindings } from "./export.js";

/** nft -c runs in a network namespace of its own, which needs root. */
const lab = labMissing();

function nftCheck(ruleset: string): { ok: boolean; message: string } {
  const run = spawnSync("unshare", ["--net", "nft", "-c", "-f", "-"], {
    input: ruleset,
    encoding: "utf8",
  });
  if (run.error) return { ok: false, message: run.error.message };
  return { ok: run.status === 0, message: run.stderr };
}

/** The network of a topology, with `tag` a service tag; fails the test on any error. */
function network(topology: Topology, tag: string): Network {
  const prefix = parsePrefix("192.0.2.0/24");
  if (!prefix.ok) throw new Error("prefix");
  const built = buildNetwork(topology, ServiceTagCatalog.of([[tag, [prefix.prefix]]]));
  expect(built.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (!built.network || hasErrors(built.diagnostics)) throw new Error("no network");
  return built.network;
}

const ruleset = (n: Network) =>
  exportNftables(n, nsgBindings(n), { placement: "host", interface: "eth0" });

describe("nftables export of hostile text", () => {
  it("writes nft strings only when nft can hold them: no quote, no hidden character", () => {
    expect(nftString("securityRules/allow-web (100)")).toBe('"securityRules/allow-web (100)"');
    for (const text of ['a"b', "a\nb", "a\u202eb", "a\ud800"])
      expect(() => nftString(text)).toThrow();
  });

  const placeholder = ruleset(network(hostileTopology(PLACEHOLDER), PLACEHOLDER));

  it("writes none of the texts the model leaves free", () => {
    expect(placeholder).not.toContain(PLACEHOLDER);
  });

  it.skipIf(lab !== undefined)(titled("nft accepts the placeholder's ruleset", lab), () => {
    const check = nftCheck(placeholder);
    expect(check.message).toBe("");
    expect(check.ok).toBe(true);
  });

  // Descriptions, locations, service tag names and the ids of references never reach nft:
  // every corpus text gives the very ruleset the placeholder gives.
  for (const { name, text } of HOSTILE_TEXTS)
    it(`the model accepts, and nft never sees: ${name}`, () => {
      // A description holds at most 140 characters; the other fields take the whole text.
      const topology = hostileTopology(text);
      const [nsg] = topology.networkSecurityGroups;
      const [rule, ...rules] = nsg?.securityRules ?? [];
      if (!nsg || !rule) throw new Error("no rule");
      const description = rule.description?.slice(0, LIMITS.descriptionLength);
      const accepted = {
        ...topology,
        networkSecurityGroups: [{ ...nsg, securityRules: [{ ...rule, description }, ...rules] }],
      };
      const written = ruleset(network(accepted, text));
      expect(unescapedHidden(written)).toEqual([]);
      expect(written).toBe(placeholder);
    });

  it("shortens comments to the 128 bytes nft takes, for the longest names", () => {
    const long = (c: string) => c.repeat(80);
    const topology: Topology = {
      ...hostileTopology(PLACEHOLDER),
      networkSecurityGroups: hostileTopology(PLACEHOLDER).networkSecurityGroups.map((n) => ({
        ...n,
        name: long("n"),
        securityRules: n.securityRules.map((r) => ({
          ...r,
          name: long(r.name === "r1" ? "a" : "b"),
        })),
      })),
      virtualNetworks: hostileTopology(PLACEHOLDER).virtualNetworks.map((v) => ({
        ...v,
        name: v.name === "v" ? long("v") : v.name,
        subnets: v.subnets.map((s) => ({
          ...s,
          name: long(s.name === "s1" ? "s" : "t"),
          networkSecurityGroup: long("n"),
        })),
        virtualNetworkPeerings: [],
      })),
      networkInterfaces: [],
    };
    const written = ruleset(network(topology, PLACEHOLDER));
    const comments = [...written.matchAll(/comment "([^"]*)"/g)].map((m) => m[1] as string);
    expect(comments.length).toBeGreaterThan(0);
    for (const c of comments) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(128);
    // 4 + 80 + 11 + 30 + 3 bytes: the table's comment, cut in the subnet's id.
    expect(comments).toContain(`NSG ${long("n")} on subnet ${"v".repeat(30)}...`);
    if (lab === undefined) expect(nftCheck(written)).toEqual({ ok: true, message: "" });
  });
});
