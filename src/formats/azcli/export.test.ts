import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exampleTopology } from "../../../test/support/spec.js";
import { exportAzCli, shellQuote } from "./export.js";

/**
 * Runs the script with a stand-in `az` that records its arguments, one
 * command per line and one argument per field, as bash passed them.
 */
function run(script: string): string[][] {
  const dir = mkdtempSync(join(tmpdir(), "tierwall-azcli-"));
  try {
    writeFileSync(
      join(dir, "az"),
      '#!/usr/bin/env bash\nprintf "%s\\x1f" "$@" >> "$AZ_LOG"; printf "\\n" >> "$AZ_LOG"\n',
      { mode: 0o755 },
    );
    writeFileSync(join(dir, "script.sh"), script);
    const log = join(dir, "log");
    execFileSync("bash", [join(dir, "script.sh")], {
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, RG: "rg-test", AZ_LOG: log },
    });
    return readFileSync(log, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\x1f").slice(0, -1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("az CLI export", () => {
  it("quotes anything safely for bash", () => {
    expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
  });

  it("creates the seed's NSG rule by rule, every flag given, then applies it to the subnet", () => {
    const calls = run(exportAzCli(exampleTopology("layered-ase")));
    expect(calls[0]).toEqual([
      "network",
      "nsg",
      "create",
      "--resource-group",
      "rg-test",
      "--name",
      "RestrictBackendApi",
      "--output",
      "none",
    ]);
    const rules = calls.filter((c) => c[2] === "rule");
    expect(rules).toHaveLength(9);
    expect(rules[1]).toEqual([
      "network",
      "nsg",
      "rule",
      "create",
      "--resource-group",
      "rg-test",
      "--nsg-name",
      "RestrictBackendApi",
      "--name",
      "ALLOW-HTTP-fe1ase",
      "--priority",
      "200",
      "--direction",
      "Inbound",
      "--access",
      "Allow",
      "--protocol",
      "Tcp",
      "--source-address-prefixes",
      "198.51.100.11",
      "--source-port-ranges",
      "*",
      "--destination-address-prefixes",
      "*",
      "--destination-port-ranges",
      "80",
      "--output",
      "none",
    ]);
    expect(calls.at(-1)).toEqual([
      "network",
      "vnet",
      "subnet",
      "update",
      "--resource-group",
      "rg-test",
      "--vnet-name",
      "yourvnetnamehere",
      "--name",
      "API-ASE-Subnet",
      "--network-security-group",
      "RestrictBackendApi",
      "--output",
      "none",
    ]);
  });

  it("writes ASGs, plural prefixes and port lists, and NIC associations", () => {
    const calls = run(exportAzCli(exampleTopology("asg-tiers")));
    expect(calls.slice(0, 3).map((c) => c.slice(0, 3).join(" "))).toEqual([
      "network asg create",
      "network asg create",
      "network asg create",
    ]);
    const webToApi = calls.find((c) => c.includes("allow-web-to-api"));
    expect(webToApi).toEqual(
      expect.arrayContaining(["--source-asgs", "web", "--destination-asgs", "api"]),
    );
    const sql = calls.find((c) => c.includes("allow-sql-from-api")) ?? [];
    expect(
      sql.slice(
        sql.indexOf("--source-address-prefixes"),
        sql.indexOf("--source-address-prefixes") + 2,
      ),
    ).toEqual(["--source-address-prefixes", "10.20.1.20/32"]);
    expect(calls.find((c) => c.slice(0, 3).join(" ") === "network nic update")).toEqual([
      "network",
      "nic",
      "update",
      "--resource-group",
      "rg-test",
      "--name",
      "db1-nic",
      "--network-security-group",
      "db-nic-nsg",
      "--output",
      "none",
    ]);
    // Each interface's ASG memberships, set on its IP configuration as it exists.
    expect(calls.at(-1)).toEqual([
      "network",
      "nic",
      "ip-config",
      "update",
      "--resource-group",
      "rg-test",
      "--nic-name",
      "db1-nic",
      "--name",
      "ipconfig1",
      "--asgs",
      "db",
      "--output",
      "none",
    ]);
  });

  it("refuses to run without a resource group", () => {
    expect(() =>
      execFileSync("bash", ["-c", exportAzCli(exampleTopology("layered-ase"))], {
        env: { PATH: process.env.PATH ?? "" },
        stdio: "pipe",
      }),
    ).toThrow();
  });
});
