import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  HOSTILE_TEXTS,
  hostileTopology,
  LONE_SURROGATE,
  PLACEHOLDER,
} from "../../../test/support/hostile.js";
import {
  expectedReading,
  placeholderPaths,
  readExport,
} from "../../../test/support/hostile-round-trip.js";
import { runCli } from "../../cli/program.js";
import { Style } from "../../cli/render/style.js";
import { exportTopology } from "../catalog.js";
import { readAnsiC } from "./ansi-c.js";
import { exportAzCli, shellQuote } from "./export.js";
import { importAzCli } from "./import.js";

/**
 * What az would read as something else than the text (the rules the export
 * refuses by): NUL, which bash cannot pass; a file to read (`@`); an option
 * (`-`); az's shorthand (`'`, `null`, `None`, `??`); and in a list, shorthand
 * lists and objects, and assignments (`=`). The hostile topology puts each
 * text in a description and in the address prefix lists.
 */
const refusedByAz = (text: string): boolean =>
  text.includes("\0") ||
  /^[-'@[{]/.test(text) ||
  ["null", "None", "??"].includes(text) ||
  text.includes("=");

const RULE = "networkSecurityGroups.0.securityRules.0";

describe("az CLI export of hostile text", () => {
  it("quotes for bash: single quotes, or ANSI-C quotes with \\x escapes for hidden characters", () => {
    expect(shellQuote("it's $(x) `y`")).toBe("'it'\\''s $(x) `y`'");
    expect(shellQuote("a\u202e'b\\\n")).toBe("$'a\\xe2\\x80\\xae\\'b\\\\\\x0a'");
    expect(() => shellQuote("a\0b")).toThrow("NUL");
  });

  it("reads ANSI-C quotes as bash does", () => {
    const read = (quoted: string) => readAnsiC(quoted, 2)?.value;
    expect(read("$'a\\xe2\\x80\\xae\\'b\\\\\\x0a'")).toBe("a\u202e'b\\\n");
    expect(read("$'\\n\\t\\e\\101\\u00e9\\U0001F600\\cA\\q'")).toBe("\n\t\u001bAé😀\u0001\\q");
    expect(read("$'ab\\x00cd'")).toBe("ab");
    expect(read("$'\\x4'")).toBe("\u0004");
    expect(read("$'open")).toBeUndefined();
    const back = importAzCli(
      `az network nsg rule create -g rg --nsg-name n -n r --priority 100 --description $'x\\ny' --output none`,
      "x.sh",
    );
    expect(back.topology.networkSecurityGroups[0]?.securityRules[0]?.description).toBe("x\ny");
  });

  for (const [text, why] of [
    ["??", "a request for help"],
    ["null", "no value"],
    ["@~/.ssh/id_rsa", "the content of the file"],
    ["note=@~/.ssh/id_rsa", "the content of the file"],
    ["--output json", "an option"],
    ["'quoted'", "its own quoting"],
    ["a\0b", "NUL"],
  ])
    it(`refuses the description ${JSON.stringify(text)}, which az reads as ${why}`, async () => {
      const topology = hostileTopology(PLACEHOLDER);
      const nsg = topology.networkSecurityGroups[0];
      const rule = nsg?.securityRules[0];
      if (!nsg || !rule) throw new Error("no rule");
      const edited = {
        ...topology,
        networkSecurityGroups: [{ ...nsg, securityRules: [{ ...rule, description: text }] }],
      };
      const result = await exportTopology("azcli", edited);
      expect(result.text).toBe("");
      expect(result.diagnostics.map((d) => [d.code, d.path.join(".")])).toEqual([
        ["UnwritableText", `${RULE}.description`],
      ]);
      expect(result.diagnostics[0]?.message).toContain(why);
    });

  it("passes a shorthand list as a description, where az reads it as text", async () => {
    const topology = hostileTopology(PLACEHOLDER);
    const rule = topology.networkSecurityGroups[0]?.securityRules[0];
    const script = exportAzCli({
      ...topology,
      networkSecurityGroups: [
        { name: "n", securityRules: [{ ...(rule as object), description: "[0]=x" } as never] },
      ],
    });
    expect(script).toContain("--description '[0]=x'");
  });

  it("refuses half a surrogate pair", async () => {
    const result = await exportTopology("azcli", hostileTopology(LONE_SURROGATE));
    expect(result.diagnostics.map((d) => d.path.join("."))).toEqual([
      `${RULE}.description`,
      `${RULE}.sourceAddressPrefix`,
      `${RULE}.destinationAddressPrefix`,
    ]);
  });

  it("tierwall export azcli refuses, at the value in the spec, and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tierwall-azcli-"));
    try {
      const spec = join(dir, "tierwall.yaml");
      writeFileSync(
        spec,
        [
          "networkSecurityGroups:",
          "  - name: n",
          "    securityRules:",
          "      - name: r",
          '        description: "??"',
          "        protocol: Tcp",
          "        access: Deny",
          "        priority: 100",
          "        direction: Inbound",
          '        sourceAddressPrefix: "*"',
          '        sourcePortRange: "*"',
          '        destinationAddressPrefix: "*"',
          '        destinationPortRange: "22"',
          "",
        ].join("\n"),
      );
      const output = join(dir, "deploy.sh");
      let out = "";
      let err = "";
      const code = await runCli(["export", "azcli", spec, "--output", output], {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          err += t;
        },
        style: new Style(false),
      });
      expect(code).toBe(2);
      expect(out).toBe("");
      expect(err).toContain(`${spec}:5:22`);
      expect(err).toContain("UnwritableText");
      expect(spawnSync("test", ["-e", output]).status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("every text of the hostile corpus comes back unchanged, with nothing else", async () => {
    const placeholder = await readExport("azcli", PLACEHOLDER);
    if (!("read" in placeholder)) throw new Error("the placeholder is refused");
    const baseline = placeholder.read;

    it("the reader reads the description, the service tags and the NSG and subnet references back", () => {
      expect(placeholderPaths(baseline.topology)).toEqual([
        ".virtualNetworks[0].subnets[1].networkSecurityGroup.id",
        ".networkSecurityGroups[0].securityRules[0].description",
        ".networkSecurityGroups[0].securityRules[0].sourceAddressPrefix",
        ".networkSecurityGroups[0].securityRules[0].destinationAddressPrefix",
        ".networkInterfaces[0].networkSecurityGroup",
        ".networkInterfaces[0].ipConfigurations[0].subnet",
      ]);
    });

    for (const { name, text } of HOSTILE_TEXTS)
      it(name, async () => {
        const outcome = await readExport("azcli", text);
        if (refusedByAz(text)) {
          expect("refused" in outcome).toBe(true);
          if ("refused" in outcome)
            for (const d of outcome.refused) expect(d.path.slice(0, 4).join(".")).toBe(RULE);
        } else expect(outcome).toEqual({ read: expectedReading(baseline, text), unescaped: [] });
      });
  });

  /** The arguments bash passes to az, for each az command of the script. */
  function argumentsBashPasses(script: string): string[][] | undefined {
    const stub = `az() { printf '%s\\0' "$@" '<end>'; }; RG=rg; eval "$(cat)"`;
    const run = spawnSync("bash", ["-c", stub], { input: script });
    if (run.error || run.status !== 0) return undefined;
    const words = run.stdout.toString("utf8").split("\0").slice(0, -1);
    const commands: string[][] = [[]];
    for (const w of words)
      if (w === "<end>") commands.push([]);
      else commands[commands.length - 1]?.push(w);
    return commands.slice(0, -1);
  }
  const bash = spawnSync("bash", ["--version"]).status === 0;

  it.skipIf(!bash)("bash itself passes every text of the corpus to az unchanged", () => {
    for (const { name, text } of HOSTILE_TEXTS) {
      if (refusedByAz(text)) continue;
      const commands = argumentsBashPasses(exportAzCli(hostileTopology(text)));
      const rule = commands?.find((c) => c.includes("rule") && c.includes("r1"));
      const argument = (flag: string) => rule?.[rule.indexOf(flag) + 1];
      expect(argument("--description"), name).toBe(text);
      expect(argument("--source-address-prefixes"), name).toBe(text);
      expect(argument("--destination-address-prefixes"), name).toBe(text);
      // With the interface's ASG memberships (az network nic ip-config update).
      expect(commands?.length, name).toBe(8);
    }
  });
});
