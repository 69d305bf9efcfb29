/**
 * `tierwall import` as a user runs it: an import that could widen the policy
 * fails (exit 2) at its place in the source and writes nothing; with
 * --allow-partial the spec is written with what is missing under partial, and
 * every command on it says so; what it would write is validated at the source's lines.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireBuild, tierwall } from "./support/cli.js";

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), "tierwall-import-safety-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `#!/bin/bash
az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16 --subnet-name web --subnet-prefixes 10.0.1.0/24 --network-security-group web-nsg
az network nsg create -g rg -n web-nsg
az network nsg rule create -g rg --nsg-name web-nsg -n allow-https --priority 100 --destination-port-ranges 443
az network nsg rule create -g rg --nsg-name web-nsg -n deny-admin --priority 200 --access Deny --destination-port-ranges 22 --source-address-prefixes "$(curl -s https://example.com/admin-range)"
`;

/** `file:line:column` of the unknown source of the Deny rule. */
const UNKNOWN = `deploy.sh:5:${(SCRIPT.split("\n")[4] ?? "").indexOf('"$(curl') + 1}`;

describe("tierwall import", () => {
  it("fails on a Deny rule it cannot read, at its line and column, and writes nothing", () => {
    writeFileSync(join(dir, "deploy.sh"), SCRIPT);
    const out = join(dir, "out.yaml");
    const r = tierwall(["import", "deploy.sh", "-o", out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error ValueNotStaticallyKnown: /);
    expect(r.stderr).toContain(`--> ${UNKNOWN}`);
    expect(r.stderr).toContain("--allow-partial");
    expect(existsSync(out)).toBe(false);
  });

  it("with --allow-partial writes the spec listing what is missing, and check says the policy is partial", () => {
    writeFileSync(join(dir, "deploy.sh"), SCRIPT);
    const out = join(dir, "partial.yaml");
    const r = tierwall(["import", "deploy.sh", "--allow-partial", "-o", out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning ValueNotStaticallyKnown: /);
    const spec = readFileSync(out, "utf8");
    expect(spec).toContain(
      'partial:\n  - what: security rule "deny-admin" of network security group "web-nsg"',
    );
    expect(spec).toContain(`source: ${UNKNOWN}`);
    const check = tierwall(["check", out]);
    expect(check.code).toBe(0);
    expect(check.stderr).toContain(
      "warning PartialPolicy: the answers are about a partial policy: 1 item",
    );
    const json = JSON.parse(
      tierwall(["import", "deploy.sh", "--allow-partial", "--json"], { cwd: dir }).stdout,
    );
    expect(json.partial).toEqual([expect.objectContaining({ source: UNKNOWN })]);
  });

  it("validates what it would write, at the source's lines", () => {
    const text = JSON.stringify(
      {
        type: "Microsoft.Network/networkSecurityGroups",
        name: "web-nsg",
        properties: {
          securityRules: [
            {
              name: "r1",
              properties: {
                protocol: "Tcp",
                access: "Allow",
                priority: 4097,
                direction: "Inbound",
                sourceAddressPrefix: "*",
                sourcePortRange: "*",
                destinationAddressPrefix: "*",
                destinationPortRange: "443",
              },
            },
          ],
        },
      },
      null,
      2,
    );
    writeFileSync(join(dir, "bad.json"), text);
    const lines = text.split("\n");
    const line = lines.findIndex((l) => l.includes("4097")) + 1;
    const column = (lines[line - 1] ?? "").indexOf("4097") + 1;
    const r = tierwall(["import", "bad.json", "--json"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: false,
      diagnostics: [{ code: "SecurityRuleInvalidPriority", file: "bad.json", line, column }],
    });
  });

  it("refuses an unterminated here-document where it opens", () => {
    writeFileSync(
      join(dir, "heredoc.sh"),
      `${SCRIPT.split("\n").slice(0, 4).join("\n")}\ncat <<EOF\n`,
    );
    const r = tierwall(["import", "azcli", "heredoc.sh"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error InvalidSyntax: the here-document opened here has no closing EOF line\n\s+--> heredoc\.sh:5:5/,
    );
  });
});
