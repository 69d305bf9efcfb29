/** `tierwall lab` and `tierwall export nftables` as a user runs them (root, iproute2 and nftables). */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, tierwall } from "./support/cli.js";
import { labMissing, titled } from "./support/environment.js";

const lab = labMissing();

const work = mkdtempSync(join(tmpdir(), "tierwall-lab-"));
// A copy of its own, so that its lab is not the one another test stands up.
const SPEC = join(work, "layered-ase");
cpSync(join(ROOT, "examples", "layered-ase"), SPEC, { recursive: true });

afterAll(() => {
  tierwall(["lab", "down", SPEC]);
  rmSync(work, { recursive: true, force: true });
});

describe("tierwall lab", () => {
  it.skipIf(lab !== undefined)(
    titled("goes up, reports a second up, tests every assertion, and comes down", lab),
    () => {
      const up = tierwall(["lab", "up", SPEC]);
      expect(up.stderr).toBe("");
      expect(up.code).toBe(0);
      expect(up.stdout).toMatch(
        /environment apiase: 10\.0\.4\.4, public 203\.0\.113\.40; listening on TCP .*\b80\b/,
      );

      const again = tierwall(["lab", "up", SPEC]);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is already up \(tw-[0-9a-f]{6}-/);

      const test = tierwall(["lab", "test", SPEC]);
      expect(test.stderr).toBe("");
      expect(test.code).toBe(0);
      expect(test.stdout).toContain("✓ apiase calls itself over HTTPS, through its public address");
      expect(test.stdout).toMatch(
        /agree {2}Tcp fe2ase -> apiase:443 +engine Allow by securityRules\/ALLOW-HTTPS-fe2ase; network answered/,
      );
      expect(test.stdout).toMatch(
        /agree {2}Tcp 203\.0\.113\.99 -> apiase:80 +engine Deny by defaultSecurityRules\/DenyAllInBound; network timeout/,
      );
      expect(test.stdout).toMatch(/(\d+) probes: \1 agree, 0 differ/);

      const json = tierwall(["lab", "test", SPEC, "--json"]);
      const report = JSON.parse(json.stdout) as { ok: boolean; probes: number; disagreed: number };
      expect(report.ok).toBe(true);
      expect(report.disagreed).toBe(0);

      const down = tierwall(["lab", "down", SPEC]);
      expect(down.code).toBe(0);
      expect(down.stdout).toMatch(/^down: removed tw-/);
      expect(tierwall(["lab", "down", SPEC]).stdout).toContain("no lab is up for");
      const notUp = tierwall(["lab", "test", SPEC]);
      expect(notUp.code).toBe(1);
      expect(notUp.stderr).toContain("no lab is up for");
    },
    60_000,
  );

  it.skipIf(lab !== undefined)(
    titled("shows the kernel's side where the network does not do what the engine says", lab),
    () => {
      const tampered = join(work, "tampered");
      cpSync(SPEC, tampered, { recursive: true });
      const up = tierwall(["lab", "up", tampered, "--json"]);
      expect(up.code).toBe(0);
      try {
        const hosts = (JSON.parse(up.stdout) as { hosts: { host: string; namespace: string }[] })
          .hosts;
        const api = hosts.find((h) => h.host === "environment apiase")?.namespace as string;
        // Someone drops HTTP on the API's host behind the lab's back.
        const nft = spawnSync("ip", [
          "netns",
          "exec",
          api,
          "nft",
          "insert rule inet nsg_RestrictBackendApi_API_ASE_Subnet inbound tcp dport 80 counter drop",
        ]);
        expect(nft.status).toBe(0);
        const test = tierwall(["lab", "test", tampered]);
        expect(test.code).toBe(1);
        expect(test.stdout).toMatch(
          /DIFFER {2}Tcp fe1ase -> apiase:80 +engine Allow by securityRules\/ALLOW-HTTP-fe1ase; network timeout/,
        );
        expect(test.stdout).toMatch(
          /RestrictBackendApi \(Inbound, subnet yourvnetnamehere\/API-ASE-Subnet\)/,
        );
        expect(test.stdout).toContain(`# nft list ruleset in ${api}, with counters`);
        expect(test.stdout).toMatch(/tcp dport 80 counter packets [1-9]\d* bytes \d+ drop/);
      } finally {
        expect(tierwall(["lab", "down", tampered]).code).toBe(0);
      }
    },
    60_000,
  );

  it.skipIf(lab !== undefined)(
    titled(
      "notices a spec changed since the lab went up, and takes the lab down even once the spec no longer loads",
      lab,
    ),
    () => {
      const changed = join(work, "changed");
      cpSync(SPEC, changed, { recursive: true });
      expect(tierwall(["lab", "up", changed]).code).toBe(0);
      try {
        const file = join(changed, "tierwall.yaml");
        writeFileSync(file, readFileSync(file, "utf8").replace("10.0.4.4", "10.0.4.5"));
        const test = tierwall(["lab", "test", changed]);
        expect(test.code).toBe(1);
        expect(test.stderr).toContain(
          "changed since the lab went up; run tierwall lab down, then up again",
        );
        writeFileSync(file, "virtualNetworks: [\n");
        const down = tierwall(["lab", "down", changed]);
        expect(down.stderr).toBe("");
        expect(down.stdout).toMatch(/^down: removed tw-/);
      } finally {
        tierwall(["lab", "down", changed]);
      }
    },
    60_000,
  );

  it.skipIf(lab !== undefined)(
    titled(
      "keeps the Internet out of a VM on a Standard public IP with no NSG, and lets it into one on a Basic public IP",
      lab,
    ),
    () => {
      const spec = join(work, "public-ips");
      cpSync(SPEC, spec, { recursive: true });
      writeFileSync(
        join(spec, "tierwall.yaml"),
        `virtualNetworks:
  - name: v
    addressSpace: { addressPrefixes: [10.0.0.0/16] }
    subnets: [{ name: s, addressPrefix: 10.0.1.0/24 }]
publicIPAddresses:
  - { name: pip-std, sku: Standard, ipAddress: 203.0.113.9 }
  - { name: pip-basic, sku: Basic, ipAddress: 203.0.113.10 }
networkInterfaces:
  - name: vm-std
    ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: s, publicIPAddress: pip-std }]
  - name: vm-basic
    ipConfigurations: [{ privateIPAllocationMethod: Dynamic, subnet: s, publicIPAddress: pip-basic }]
assertions:
  - { from: 192.0.2.77, to: nic:vm-std, protocol: Tcp, port: 3389, expect: Deny }
  - { from: 192.0.2.77, to: nic:vm-basic, protocol: Tcp, port: 3389, expect: Allow }
  - { from: nic:vm-basic, to: nic:vm-std, protocol: Tcp, port: 3389, expect: Allow }
`,
      );
      try {
        expect(tierwall(["lab", "up", spec]).code).toBe(0);
        const test = tierwall(["lab", "test", spec]);
        expect(test.stdout).toMatch(
          /agree {2}Tcp 192\.0\.2\.77 -> nic:vm-std:3389 +engine Deny; network timeout/,
        );
        expect(test.stdout).toMatch(
          /agree {2}Tcp 192\.0\.2\.77 -> nic:vm-basic:3389 +engine Allow; network answered/,
        );
        expect(test.stdout).toContain("3 probes: 3 agree, 0 differ");
        expect(test.code).toBe(0);
      } finally {
        tierwall(["lab", "down", spec]);
      }
    },
    60_000,
  );

  it("names a bad action, and refuses addresses outside the safe ranges", () => {
    const bad = tierwall(["lab", "sideways", SPEC]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("error: lab sideways: expected up, test or down\n");
    const unsafe = join(work, "unsafe");
    cpSync(SPEC, unsafe, { recursive: true });
    const file = join(unsafe, "tierwall.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("203.0.113.40", "8.8.4.4"));
    const refused = tierwall(["lab", "up", unsafe]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "8.8.4.4 (public address of environment apiase) is outside the documentation and private ranges",
    );
  });
});

describe("tierwall export nftables", () => {
  it.skipIf(lab !== undefined)(
    titled("writes one NSG binding's tables for a chosen interface and placement", lab),
    () => {
      const r = tierwall([
        "export",
        "nftables",
        "examples/layered-ase",
        "--subnet",
        "API-ASE-Subnet",
        "--interface",
        "veth-api",
        "--placement",
        "router",
      ]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("table inet nsg_RestrictBackendApi_API_ASE_Subnet {");
      expect(r.stdout).toContain('oifname "veth-api" jump inbound');
      expect(r.stdout).toContain("type filter hook forward");
      const check = spawnSync("unshare", ["--net", "nft", "-c", "-f", "-"], {
        input: r.stdout,
        encoding: "utf8",
      });
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
    },
  );

  it("names what is wrong with its options", () => {
    const none = tierwall([
      "export",
      "nftables",
      "examples/layered-ase",
      "--subnet",
      "FE1-ASE-Subnet",
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      "nothing matches; the bindings are: RestrictBackendApi on yourvnetnamehere/API-ASE-Subnet",
    );
    const iface = tierwall([
      "export",
      "nftables",
      "examples/layered-ase",
      "--interface",
      "a very long name",
    ]);
    expect(iface.code).toBe(2);
    expect(iface.stderr).toContain("is not an interface name");
    const placement = tierwall([
      "export",
      "nftables",
      "examples/layered-ase",
      "--placement",
      "edge",
    ]);
    expect(placement.stderr).toBe("error: --placement: expected host or router\n");
  });
});
