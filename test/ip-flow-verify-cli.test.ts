import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, requireBuild, tierwall } from "./support/cli.js";

beforeAll(requireBuild);

const verify = (spec: string, ...args: string[]) => tierwall(["flow", spec, ...args]);

describe("tierwall flow --nic: IP flow verify", () => {
  it("answers with the rule Azure names, in text and in the REST answer's shape", () => {
    const query = [
      "--nic",
      "apiase",
      "--direction",
      "Inbound",
      "--local",
      "10.0.4.4:443",
      "--remote",
      "198.51.100.11:50000",
      "--protocol",
      "TCP",
    ];
    const text = verify("examples/layered-ase", ...query);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "Allow by securityRules/ALLOW-HTTPS-fe1ase of RestrictBackendApi (subnet yourvnetnamehere/API-ASE-Subnet)",
    );
    const json = JSON.parse(verify("examples/layered-ase", ...query, "--json").stdout);
    expect({ access: json.access, ruleName: json.ruleName }).toEqual({
      access: "Allow",
      ruleName: "securityRules/ALLOW-HTTPS-fe1ase",
    });
    expect(json.trace.nsg).toBe("RestrictBackendApi");
    expect(json.trace.packet).toBe("Tcp 198.51.100.11:50000 -> 10.0.4.4:443");
  });

  it("names the subnet's deny before the NIC's NSG is consulted (asg-tiers: both NSGs on db1-nic)", () => {
    const json = JSON.parse(
      verify(
        "examples/asg-tiers",
        "--nic",
        "db1-nic",
        "--direction",
        "Inbound",
        "--local",
        "10.20.1.30:1433",
        "--remote",
        "10.20.1.10:50000",
        "--protocol",
        "tcp",
        "--json",
      ).stdout,
    );
    expect(json.access).toBe("Deny");
    expect(json.ruleName).toBe("securityRules/deny-vnet-inbound");
    expect(json.trace.evaluations).toHaveLength(1);
  });

  it("names the NIC's allowing rule when both NSGs allow inbound", () => {
    const json = JSON.parse(
      verify(
        "examples/asg-tiers",
        "--nic",
        "db1-nic",
        "--direction",
        "Inbound",
        "--local",
        "10.20.1.30:1433",
        "--remote",
        "10.20.1.20:50000",
        "--protocol",
        "TCP",
        "--json",
      ).stdout,
    );
    expect(json.access).toBe("Allow");
    expect(json.ruleName).toBe("securityRules/allow-sql-from-api");
    expect(json.trace.nsg).toBe("db-nic-nsg");
    expect(json.trace.evaluations.map((e: { nsg: string }) => e.nsg)).toEqual([
      "workload-nsg",
      "db-nic-nsg",
    ]);
  });

  it("omits ruleName when no NSG applies, as the REST answer does", () => {
    const json = JSON.parse(
      verify(
        "examples/layered-ase",
        "--nic",
        "fe1ase",
        "--direction",
        "Outbound",
        "--local",
        "10.0.1.4:*",
        "--remote",
        "203.0.113.40:443",
        "--protocol",
        "UDP",
        "--json",
      ).stdout,
    );
    expect(json.access).toBe("Allow");
    expect("ruleName" in json).toBe(false);
  });

  it.each([
    [
      "a public address as --local",
      ["--local", "203.0.113.40:443", "--remote", "198.51.100.11:50000", "--protocol", "TCP"],
      "203.0.113.40 is a public address of environment apiase",
    ],
    [
      "ICMP",
      ["--local", "10.0.4.4:443", "--remote", "198.51.100.11:50000", "--protocol", "Icmp"],
      "IP flow verify tests TCP or UDP only",
    ],
    [
      "an IPv6 address",
      ["--local", "10.0.4.4:443", "--remote", "[2001:db8::1]:50000", "--protocol", "TCP"],
      "IPv4 addresses only",
    ],
    [
      "--port beside --nic",
      [
        "--local",
        "10.0.4.4:443",
        "--remote",
        "198.51.100.11:1",
        "--protocol",
        "TCP",
        "--port",
        "1",
      ],
      "--port do not go with --nic",
    ],
    [
      "a missing --remote",
      ["--local", "10.0.4.4:443", "--protocol", "TCP"],
      "--remote is required with --nic",
    ],
    [
      "a port out of range",
      ["--local", "10.0.4.4:70000", "--remote", "198.51.100.11:1", "--protocol", "TCP"],
      "--local 10.0.4.4:70000: expected IP:PORT",
    ],
  ])("refuses %s with exit 2 and no stack trace", (_, args, message) => {
    const r = verify("examples/layered-ase", "--nic", "apiase", "--direction", "Inbound", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it("refuses --direction without --nic", () => {
    const r = verify(
      "examples/layered-ase",
      "--from",
      "fe1ase",
      "--to",
      "apiase",
      "--port",
      "443",
      "--direction",
      "Inbound",
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--direction go with --nic");
  });
});

describe("tierwall flow: the route and the NSGs apart", () => {
  it("says no route decided, and what the NSGs would do", () => {
    const args = ["examples/asg-tiers", "--from", "Internet", "--to", "api1", "--port", "8443"];
    const text = tierwall(["flow", ...args]);
    expect(text.code).toBe(0);
    const [headline] = text.stdout.split("\n");
    expect(headline).toMatch(/^Deny, no route: environment api1 has no public address/);
    expect(headline).toMatch(
      /; the NSGs would deny it too, by defaultSecurityRules\/DenyAllInBound of workload-nsg$/,
    );
    expect(text.stdout).toContain("  route: none, environment api1 has no public address");
    const json = JSON.parse(tierwall(["flow", ...args, "--json"]).stdout);
    expect(json.decidedBy).toBe("route");
    expect(json.rule).toBeNull();
    expect(json.route.kind).toBe("none");
    expect(json.nsgs.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(json.trace).toEqual([]);
  });

  it("says a rule decided when the packet can travel", () => {
    const json = JSON.parse(
      tierwall([
        "flow",
        "examples/layered-ase",
        "--from",
        "Internet",
        "--to",
        "apiase",
        "--port",
        "443",
        "--json",
      ]).stdout,
    );
    expect(json.decidedBy).toBe("nsgs");
    expect(json.route).toEqual({
      kind: "public",
      reason: "across the Internet, from 192.0.2.1 to 203.0.113.40, translated to 10.0.4.4",
      // From the Internet, no subnet's routes apply.
      nextHop: null,
    });
    expect(json.nsgs.rule).toBe("defaultSecurityRules/DenyAllInBound");
    expect(json.rule).toBe("defaultSecurityRules/DenyAllInBound");
  });

  it("check shows a failed flow's missing route with the NSGs it would have met", () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-route-"));
    try {
      cpSync(join(ROOT, "examples", "asg-tiers"), dir, { recursive: true });
      const file = join(dir, "tierwall.yaml");
      const text = readFileSync(file, "utf8");
      // Expect the Internet to reach api1, which has no public address.
      writeFileSync(
        file,
        text.replace(/(to: api1\n {4}protocol: Tcp\n {4}port: 8443\n {4}expect: )Deny/, "$1Allow"),
      );
      const r = tierwall(["check", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/got Deny: Internet -> api1 Tcp port 8443 is Deny \(no route: /);
      expect(r.stdout).toContain("no route; the NSGs, on the addresses the packet would carry:");
      expect(r.stdout).toMatch(
        /workload-nsg .* Deny +defaultSecurityRules\/DenyAllInBound \(65500\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
