/**
 * An az CLI import never widens the policy: a Deny rule, an NSG association or
 * an interface's NSG that depends on what only the running script knows fails
 * the import at its line and column, unless allowPartial. A here-document's
 * body is no command, and one left open is an error where it opens.
 */
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../model/diagnostic.js";
import { importSources } from "../catalog.js";

const errors = (ds: readonly Diagnostic[]) => ds.filter((d) => d.severity === "error");
const script = (text: string) => [{ file: "deploy.sh", text }];

/** Where `needle` is in `text`. */
function at(text: string, needle: string) {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return { file: "deploy.sh", line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

const HEAD = `#!/bin/bash
az network nsg create -g rg -n web-nsg
`;
const rule = (access: string, extra: string) =>
  `az network nsg rule create -g rg --nsg-name web-nsg -n r1 --priority 100 --access ${access} --destination-port-ranges 22 ${extra}\n`;

describe("az CLI import: what narrows the policy and is not known fails the import", () => {
  it("a Deny rule whose source is a command's output; an Allow rule is left out with a warning", async () => {
    const text = HEAD + rule("Deny", '--source-address-prefixes "$(curl -s ifconfig.me)"');
    const denied = await importSources(script(text));
    expect(denied.spec).toBeUndefined();
    expect(errors(denied.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ValueNotStaticallyKnown",
        message: expect.stringContaining(
          "$(curl -s ifconfig.me) is known only when the script runs",
        ),
        location: at(text, '"$(curl'),
      }),
    ]);
    const allowed = await importSources(
      script(HEAD + rule("Allow", '--source-address-prefixes "$(curl -s ifconfig.me)"')),
    );
    expect(errors(allowed.diagnostics)).toEqual([]);
    expect(allowed.spec).toContain("name: web-nsg");
  });

  it("az's default access is Allow; an access not known may be Deny", async () => {
    const unknownSource = '--source-address-prefixes "$ADMIN"';
    const byDefault = `${HEAD}az network nsg rule create -g rg --nsg-name web-nsg -n r1 --priority 100 ${unknownSource}\n`;
    expect(errors((await importSources(script(byDefault))).diagnostics)).toEqual([]);
    const text = HEAD + rule('"$ACCESS"', "");
    expect(errors((await importSources(script(text))).diagnostics)).toEqual([
      expect.objectContaining({ code: "ValueNotStaticallyKnown", location: at(text, '"$ACCESS"') }),
    ]);
  });

  it("a Deny rule made in a loop, and a rule change the importer does not read", async () => {
    const loop = `${HEAD}for p in 22 3389; do\n  ${rule("Deny", "")}done\n`;
    expect(errors((await importSources(script(loop))).diagnostics)).toEqual([
      expect.objectContaining({
        code: "ValueNotStaticallyKnown",
        location: at(loop, "az network nsg rule"),
      }),
    ]);
    const update = `${HEAD}az network nsg rule update -g rg --nsg-name web-nsg -n r1 --access Deny\n`;
    expect(errors((await importSources(script(update))).diagnostics)).toEqual([
      expect.objectContaining({
        code: "UnsupportedStatement",
        location: at(update, "az network nsg rule update"),
      }),
    ]);
  });

  it("a removal under a condition: applied, it could remove a Deny rule the deployment keeps", async () => {
    const text = `${HEAD + rule("Deny", "")}if [ "$OPEN" = yes ]; then\n  az network nsg rule delete -g rg --nsg-name web-nsg -n r1\nfi\n`;
    const result = await importSources(script(text));
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ConditionalCommand",
        location: at(text, "az network nsg rule delete"),
      }),
    ]);
    const partial = await importSources(script(text), { allowPartial: true });
    expect(partial.topology.networkSecurityGroups[0]?.securityRules.map((r) => r.name)).toEqual([
      "r1",
    ]);
  });

  it("a subnet's NSG that is a command's output, and an interface whose subnet is one", async () => {
    const subnet = `${HEAD}az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16
az network vnet subnet update -g rg --vnet-name vnet -n web --network-security-group "$(az network nsg show -g rg -n web-nsg --query id -o tsv)"
`;
    expect(errors((await importSources(script(subnet))).diagnostics)).toEqual([
      expect.objectContaining({
        code: "ValueNotStaticallyKnown",
        location: at(subnet, '"$(az network nsg show'),
      }),
    ]);
    // An interface whose address Azure assigns (no --private-ip-address) keeps its NSG.
    const dynamic = `${HEAD}az network vnet create -g rg -n vnet --address-prefixes 10.0.0.0/16 --subnet-name web --subnet-prefixes 10.0.1.0/24
az network nic create -g rg -n vm-nic --vnet-name vnet --subnet web --network-security-group web-nsg
`;
    const kept = await importSources(script(dynamic));
    expect(errors(kept.diagnostics)).toEqual([]);
    expect(kept.topology.networkInterfaces).toEqual([
      {
        name: "vm-nic",
        networkSecurityGroup: "web-nsg",
        ipConfigurations: [
          { name: "ipconfig1", privateIPAllocationMethod: "Dynamic", subnet: "vnet/web" },
        ],
      },
    ]);
    // One whose subnet is a command's output is left out, and its NSG with it.
    const nic = dynamic.replace(
      "--subnet web",
      '--subnet "$(az network vnet subnet show --query id)"',
    );
    const result = await importSources(script(nic));
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "ValueNotStaticallyKnown",
        location: at(nic, '"$(az network vnet subnet show'),
      }),
    ]);
    const partial = await importSources(script(nic), { allowPartial: true });
    expect(partial.partial).toEqual([
      {
        what: 'network interface "vm-nic"',
        why: expect.stringContaining("--subnet is not statically known"),
        source: `deploy.sh:${at(nic, '"$(az network vnet subnet show').line}:${at(nic, '"$(az network vnet subnet show').column}`,
      },
    ]);
    expect(partial.spec).toContain("partial:");
  });
});

describe("az CLI import: here-documents", () => {
  it("reads no command in a here-document's body", async () => {
    const text = `${HEAD}cat <<EOF > later.sh\naz network nsg create -g rg -n not-now\nEOF\n`;
    const result = await importSources(script(text));
    expect(errors(result.diagnostics)).toEqual([]);
    expect(result.topology.networkSecurityGroups.map((n) => n.name)).toEqual(["web-nsg"]);
  });

  it("an unterminated here-document is an error where it opens", async () => {
    const text = `${HEAD}cat <<-'END' > later.sh\n\taz network nsg create -g rg -n not-now\n`;
    const result = await importSources(script(text));
    expect(result.spec).toBeUndefined();
    expect(errors(result.diagnostics)).toEqual([
      expect.objectContaining({
        code: "InvalidSyntax",
        message: "the here-document opened here has no closing END line",
        location: at(text, "<<-"),
      }),
    ]);
  });
});
