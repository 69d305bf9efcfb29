import { Command, CommanderError, InvalidArgumentError } from "commander";
import type { runFlow } from "./commands/flow.js";
import type { ExportOptions } from "./commands/formats.js";
import type { LabOptions } from "./commands/lab.js";
import type { runLint } from "./commands/lint.js";
import type { runExposure, runReach } from "./commands/reach.js";
import type { ReplayOptions } from "./commands/replay.js";
import type { runReport } from "./commands/report.js";
import type { runRules } from "./commands/rules.js";
import type { SampleLogsOptions } from "./commands/sample-logs.js";
import type { ServeOptions, TokenOptions } from "./commands/serve.js";
import type { runSynth } from "./commands/synth.js";
import { EXIT, type Io } from "./io.js";
import { packageInfo } from "./package-info.js";
import { terminalIo } from "./render/terminal.js";

const SPEC_ARGUMENT = "spec file, or a folder holding tierwall.yaml";

/** -o's value: an empty name is refused, where it would otherwise print to standard output. */
function outputFile(value: string): string {
  if (value === "")
    throw new InvalidArgumentError("the file name is empty (leave out -o to print the output)");
  return value;
}

/** A repeatable option's values, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/**
 * Builds the command line; each action stores its exit code in `result`. A
 * command's module is loaded when the command runs, so that each pays only for
 * what it uses (`--version` and `--help` load none).
 */
export function buildProgram(io: Io, result: { code: number }): Command {
  const program = new Command("tierwall")
    .description(
      "Layered network security for Azure NSGs: model, evaluate, prove and synthesize who may call each tier",
    )
    .version(packageInfo().version)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  program
    .command("check")
    .description(
      "validate a spec and evaluate every assertion (exit 0: all hold, 1: one fails, 2: invalid input)",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      examples("tierwall check examples/layered-ase", "tierwall check tierwall.yaml --json"),
    )
    .action(async (spec: string, options: { json?: boolean }) => {
      const { runCheck } = await import("./commands/check.js");
      result.code = runCheck(spec, options, io);
    });

  program
    .command("verify")
    .description(
      "prove the spec's assertions over every packet (reach, isolate, onlyFrom, exposure), with counterexamples",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      examples(
        "tierwall verify examples/layered-ase",
        "tierwall verify examples/three-tier --json",
      ),
    )
    .action(async (spec: string, options: { json?: boolean }) => {
      const { runCheck } = await import("./commands/check.js");
      result.code = runCheck(spec, { ...options, proofsOnly: true }, io);
    });

  program
    .command("flow")
    .description(
      "evaluate one flow across every NSG on its path, with its route, and show which rule decided; with --nic, answer as Network Watcher's IP flow verify",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--from <endpoint>", "environment, network interface, subnet, service tag or address")
    .option("--to <endpoint>", "environment, network interface, subnet, service tag or address")
    .option(
      "--protocol <protocol>",
      "Tcp (the default), Udp, Icmp, Esp or Ah; with --nic, TCP or UDP (required)",
    )
    .option("--port <port>", "destination port")
    .option("--source-port <port>", "source port (default 49152)")
    .option(
      "--nic <name>",
      "IP flow verify on this network interface (or an environment): NSGs only, no route",
    )
    .option("--direction <direction>", "with --nic: Inbound or Outbound")
    .option("--local <ip:port>", "with --nic: an address the NIC holds, and its port")
    .option("--remote <ip:port>", "with --nic: any address, and its port (* for a source port)")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      examples(
        "tierwall flow examples/layered-ase --from fe1ase --to apiase --port 443",
        "tierwall flow examples/layered-ase --from 203.0.113.99 --to apiase --port 443 --json",
        "tierwall flow examples/layered-ase --nic apiase --direction Inbound --local 10.0.4.4:443 --remote 198.51.100.11:50000 --protocol TCP",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runFlow>[1]) => {
      const { runFlow } = await import("./commands/flow.js");
      result.code = runFlow(spec, options, io);
    });

  program
    .command("rules")
    .description("show effective security rules of a NIC or subnet (all of them by default)")
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--nic <name>", "a network interface")
    .option("--subnet <name>", "a subnet, as NAME or VNET/NAME")
    .option("--json", "print the rules as JSON, shaped like az network nic list-effective-nsg")
    .addHelpText(
      "after",
      examples(
        "tierwall rules examples/layered-ase --subnet API-ASE-Subnet",
        "tierwall rules examples/asg-tiers --nic db1-nic --json",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runRules>[1]) => {
      const { runRules } = await import("./commands/rules.js");
      result.code = runRules(spec, options, io);
    });

  program
    .command("report")
    .description(
      "one self-contained HTML file of the estate (the web page with the spec inside): the architecture drawn with what each call may carry, the rules with their findings, the flow tester, the assertions; no server needed",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("-o, --output <file>", "write the page here (standard output otherwise)")
    .option("--title <text>", "the page's title (the spec's description otherwise)")
    .option(
      "--logs <paths...>",
      "flow logs (files or folders, as replay reads them) to replay: each rule's hits shown beside it",
    )
    .addHelpText(
      "after",
      examples(
        "tierwall report examples/layered-ase -o report.html",
        "tierwall report . -o public/tierwall.html --title 'Production estate'",
        "tierwall report examples/layered-ase --logs logs -o report.html",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runReport>[1]) => {
      const { runReport } = await import("./commands/report.js");
      result.code = await runReport(spec, options, io);
    });

  program
    .command("reach")
    .description(
      "the reachability matrix: what each environment, and the Internet, may send to each other one, over every packet",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print the matrix as JSON")
    .option("--format <format>", "text (default) or markdown")
    .option(
      "--from <endpoints>",
      "rows kept: environments, subnets, virtual networks (vnet:NAME), CIDR blocks, Internet (repeatable, comma-separated)",
      collect,
    )
    .option("--to <endpoints>", "columns kept, as --from", collect)
    .option(
      "--group-by <what>",
      "environment, subnet or vnet: one row per group, what any of it may send (default: environment, or subnet/vnet past 60 environments)",
    )
    .option(
      "--threads <n>",
      "threads to compute the matrix on (default: one per core from 5,000 cells)",
    )
    .addHelpText(
      "after",
      examples(
        "tierwall reach examples/layered-ase",
        "tierwall reach examples/asg-tiers --format markdown",
        "tierwall reach . --from subnet:vnet-0/web --to vnet:vnet-1,Internet",
        "tierwall reach . --group-by vnet",
        "tierwall reach . --group-by subnet --threads 2 --json",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runReach>[1]) => {
      const { runReach } = await import("./commands/reach.js");
      result.code = await runReach(spec, options, io);
    });

  program
    .command("exposure")
    .description("what the Internet can reach of each environment, exactly")
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print it as JSON")
    .option("--format <format>", "text (default) or markdown")
    .option(
      "--from <sources>",
      "only these Internet sources: addresses, CIDR blocks, service tags (repeatable, comma-separated)",
      collect,
    )
    .option(
      "--to <endpoints>",
      "only these rows: environments, network interfaces, subnets, virtual networks (vnet:NAME), CIDR blocks",
      collect,
    )
    .option("--group-by <what>", "environment (default), subnet or vnet: one row per group")
    .addHelpText(
      "after",
      examples(
        "tierwall exposure examples/layered-ase",
        "tierwall exposure examples/asg-tiers --json",
        "tierwall exposure . --to vnet:vnet-0 --from 203.0.113.0/24 --group-by subnet",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runExposure>[1]) => {
      const { runExposure } = await import("./commands/reach.js");
      result.code = runExposure(spec, options, io);
    });

  program
    .command("lint")
    .description(
      "findings about the estate: administrative ports each endpoint exposes to the Internet on its effective path, shadowed, redundant and overlapping rules, NSGs associated with nothing, what App Service Environments, gateways and Bastion need (exit 0: clean, 1: findings at the --fail-on level)",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print the findings as JSON")
    .option("--format <format>", "text (default), json or sarif")
    .option(
      "--fail-on <severity>",
      "exit 1 on a finding at or above: error (default), warning, note or none",
    )
    .option(
      "--min-severity <severity>",
      "show only findings at or above: note (default), warning or error",
    )
    .option("--only <ids>", "only these checks (comma-separated, repeatable)", collect)
    .option("--ignore <ids>", "leave out these checks (comma-separated, repeatable)", collect)
    .option("--baseline <file>", "findings in this baseline are shown as known and never fail")
    .option(
      "--write-baseline <file>",
      "write the findings as a baseline (suppressed ones left out)",
    )
    .option("--quiet", "print only the findings that fail the run")
    .option(
      "--group-by <what>",
      "subnet or vnet: how many findings each has, by severity, instead of the findings",
    )
    .option(
      "--threads <n>",
      "threads to lint the NSGs on (default: one per core from 10,000 rules in all)",
    )
    .addHelpText(
      "after",
      examples(
        "tierwall lint examples/layered-ase",
        "tierwall lint tierwall.yaml --format sarif > tierwall.sarif",
        "tierwall lint . --fail-on warning --ignore PriorityCrowding",
        "tierwall lint . --write-baseline .tierwall-baseline.json",
        "tierwall lint . --baseline .tierwall-baseline.json --quiet",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runLint>[1]) => {
      const { runLint } = await import("./commands/lint.js");
      result.code = await runLint(spec, options, io);
    });

  program
    .command("synth")
    .description(
      "synthesize NSG rules from the spec's tiers (who may call whom), proven over every packet before they are shown (exit 1: the intent cannot be met)",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("-o, --output <file>", "write the spec with the synthesized NSGs in place", outputFile)
    .option(
      "--style <style>",
      "compact (default: fewest rules) or seed (one rule per caller and port, as the guide writes them)",
    )
    .option("--start <priority>", "priority of the first rule (default 100)")
    .option("--step <gap>", "gap between priorities, room for later rules (default 100)")
    .option(
      "--deny-all",
      "close each NSG with an explicit deny-all rule, so that flow logs name it",
    )
    .option("--json", "print the NSGs and the change as JSON")
    .addHelpText(
      "after",
      examples(
        "tierwall synth --style seed examples/layered-ase",
        "tierwall synth examples/three-tier -o tierwall.yaml",
      ),
    )
    .action(async (spec: string, options: Parameters<typeof runSynth>[1]) => {
      const { runSynth } = await import("./commands/synth.js");
      result.code = runSynth(spec, options, io);
    });

  program
    .command("replay")
    .description(
      "replay flow logs (VNet flow logs, NSG flow logs v1 and v2) against the spec, and a proposed version: what disagrees with the logs, what the change would newly deny or allow, each rule's hits and the rules nothing used (exit 1: the proposed version denies logged traffic)",
    )
    .argument("<spec>", SPEC_ARGUMENT)
    .argument(
      "<logs...>",
      "flow-log files (.json or gzip'ed), folders in the blob layout, or - for standard input",
    )
    .option("--proposed <spec>", "judge the logged flows against this version too")
    .option("--json", "print the report, every class of flows included, as JSON")
    .option("--csv", "print one row per class of flows as CSV")
    .option("-o, --output <file>", "write the report to a file", outputFile)
    .option("--limit <n>", "lines shown per list in the text report (default 20)")
    .option(
      "--engine <engine>",
      "js (the default), or duckdb: fold and judge the tuples in an embedded DuckDB, with the SQL of `export sql`",
    )
    .option(
      "--threads <n>",
      "threads to read the files on (js engine; default: one per core for inputs of 32 MB and more)",
    )
    .addHelpText(
      "after",
      examples(
        "tierwall sample-logs examples/layered-ase -o logs",
        "tierwall replay examples/layered-ase logs",
        "tierwall replay examples/layered-ase logs --proposed proposed.yaml --csv -o flows.csv",
      ),
    )
    .action(async (spec: string, logs: string[], options: ReplayOptions) => {
      const { runReplay } = await import("./commands/replay.js");
      result.code = await runReplay(spec, logs, options, io);
    });

  const serve = program
    .command("serve")
    .description(
      "serve the ARM-shaped API for network security groups and their rules over a durable store (SQLite in a data folder, or PostgreSQL), on 127.0.0.1 unless told otherwise, until Ctrl-C",
    )
    .option("--data <folder>", "the SQLite store's folder (default: ~/.local/share/tierwall)")
    .option("--store <url>", "a postgres:// URL: keep the store in PostgreSQL instead")
    .option("--host <address>", "the address to listen on (default 127.0.0.1)")
    .option("--port <n>", "the port (default 7420; 0: any free one)")
    .option("--anonymous-reads", "let requests without a token read (never write)")
    .option(
      "--rate-limit <n>",
      "requests per second per token (or per address without one), bursts of twice that (default 200; 0: no limit)",
    )
    .option(
      "--tls",
      "serve HTTPS with a self-signed certificate made once and kept in the data folder (what Azure's SDKs need to send a token)",
    )
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (with --tls-key)")
    .option("--tls-key <file>", "the PEM private key of --tls-cert")
    .addHelpText(
      "after",
      examples(
        "tierwall serve token create ci --role writer",
        "tierwall serve --port 7420",
        "tierwall serve --tls",
      ),
    )
    .action(async (options: ServeOptions) => {
      const { runServe } = await import("./commands/serve.js");
      result.code = await runServe(options, io);
    });
  const token = serve.command("token").description("make, list and revoke the API's tokens");
  for (const command of [
    token
      .command("create")
      .description("make a token, shown this once, and keep its hash")
      .argument("<name>")
      .option("--role <role>", "reader, writer (the default) or admin"),
    token.command("list").description("name the tokens and their roles (never the tokens)"),
    token.command("revoke").description("remove a token").argument("<name>"),
  ])
    command
      .option("--data <folder>", "the SQLite store's folder (default: ~/.local/share/tierwall)")
      .option("--store <url>", "a postgres:// URL")
      .action(async (...args: unknown[]) => {
        const { runServeToken } = await import("./commands/serve.js");
        const action = command.name() as "create" | "list" | "revoke";
        const name = action === "list" ? undefined : (args[0] as string);
        // --data and --store are also serve's: given after `token create`, commander may give them to serve.
        const options = command.optsWithGlobals<TokenOptions>();
        result.code = await runServeToken(action, name, options, io);
      });

  program
    .command("sample-logs")
    .description(
      "write the flow logs a spec would produce, seeded, in Azure's blob layout: calls between workloads and knocks from the Internet, each logged as its NSGs decide",
    )
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .requiredOption("-o, --output <folder>", "the folder to write (new, or empty)", outputFile)
    .option("--format <format>", "vnet (the default), nsg-v2 or nsg-v1")
    .option("--days <n>", "days of logs (default 7)")
    .option("--per-hour <n>", "connections started per hour (default 20)")
    .option("--seed <n>", "the seed: the same seed writes the same logs (default 1)")
    .addHelpText("after", examples("tierwall sample-logs examples/layered-ase -o logs --days 1"))
    .action(async (spec: string, options: SampleLogsOptions) => {
      const { runSampleLogs } = await import("./commands/sample-logs.js");
      result.code = runSampleLogs(spec, options, io);
    });

  program
    .command("diff")
    .description(
      "the difference in allowed traffic between two versions of a spec, per NSG and per pair of environments (exit 0: equivalent, 1: they differ)",
    )
    .argument("<old>", "the spec before")
    .argument("<new>", "the spec after")
    .option("--json", "print the difference as JSON")
    .option("--strict", "exit 1 also when the versions differ in what the diff does not compare")
    .addHelpText(
      "after",
      examples(
        "tierwall diff before/tierwall.yaml after/tierwall.yaml",
        "tierwall diff main/ branch/ --json",
        "tierwall diff exported.yaml reimported.yaml --strict",
      ),
    )
    .action(
      async (oldSpec: string, newSpec: string, options: { json?: boolean; strict?: boolean }) => {
        const { runDiff } = await import("./commands/diff.js");
        result.code = runDiff(oldSpec, newSpec, options, io);
      },
    );

  program
    .command("import")
    .description(
      "read ARM JSON (templates, az CLI resource output), Terraform (.tf files with .tfvars, or terraform show -json), a PowerShell script (Az or the classic cmdlets) or an az CLI script into a spec",
    )
    .argument(
      "<format-or-file>",
      "arm, terraform, powershell, azcli or service-tags (detected from the content when left out), or the first file",
    )
    .argument("[files...]", "more files")
    .option(
      "-o, --output <file>",
      "write the spec to a file (nothing is written when the import fails)",
      outputFile,
    )
    .option(
      "--parameters <file>",
      "an ARM parameters file for the template's parameters, or a .tfvars file (like -var-file, it wins)",
    )
    .option("--json", "print the diagnostics, and the spec unless -o writes it, as JSON")
    .option(
      "--allow-partial",
      "write the spec even when a Deny rule, an NSG association or anything else that narrows the policy cannot be read; the spec lists it under partial",
    )
    .addHelpText(
      "after",
      examples(
        "tierwall import powershell examples/layered-ase/seed.ps1 -o tierwall.yaml",
        "tierwall import azcli deploy.sh -o tierwall.yaml",
        "tierwall import azuredeploy.json ServiceTags_Public.json -o tierwall.yaml",
        "tierwall import azuredeploy.json --parameters azuredeploy.parameters.json",
        "tierwall import terraform main.tf variables.tf terraform.tfvars -o tierwall.yaml",
      ),
    )
    .action(
      async (
        first: string,
        files: string[],
        options: { output?: string; parameters?: string; json?: boolean; allowPartial?: boolean },
      ) => {
        const { runImport } = await import("./commands/formats.js");
        result.code = await runImport([first, ...files], options, io);
      },
    );

  program
    .command("export")
    .description(
      "write the spec's NSGs and their associations as an ARM template, a Bicep file, Terraform (azurerm), an az CLI script, an Az PowerShell script, an nftables ruleset with Azure's semantics, or SQL that decides each row of a table of flow tuples",
    )
    .argument("<format>", "arm, bicep, terraform, azcli, powershell, nftables or sql")
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("-o, --output <file>", "write to a file", outputFile)
    .option(
      "--scope <scope>",
      "nsgs: the NSGs, their rules and associations, referring to the networks, subnets and interfaces that exist; all: the whole deployment",
      "nsgs",
    )
    .option("--nsg <name>", "nftables: only this NSG's bindings")
    .option("--subnet <name>", "nftables: only the NSG of this subnet (NAME or VNET/NAME)")
    .option("--nic <name>", "nftables: only the NSG of this network interface")
    .option("--interface <name>", "nftables: the interface toward the subnet", "eth0")
    .option(
      "--placement <where>",
      "nftables: host (input/output hooks, on a host in the subnet) or router (forward hook)",
      "host",
    )
    .option(
      "--dialect <dialect>",
      "sql: duckdb (the default), postgres, spark, trino or clickhouse",
    )
    .option("--table <name>", "sql: the table of flow tuples (default flow_tuples)")
    .option("--view <name>", "sql: write CREATE VIEW name AS the query")
    .option("--json", "print the result (the text, or the file written) or the errors as JSON")
    .addHelpText(
      "after",
      examples(
        "tierwall export arm examples/layered-ase -o azuredeploy.json",
        "tierwall export sql examples/layered-ase --dialect trino --view nsg_decisions -o decisions.sql",
        "tierwall export bicep examples/layered-ase -o main.bicep",
        "tierwall export terraform examples/layered-ase -o main.tf",
        "tierwall export terraform examples/layered-ase --scope all -o main.tf",
        "tierwall export nftables examples/layered-ase --subnet API-ASE-Subnet > api.nft",
        "tierwall export azcli examples/layered-ase > deploy.sh",
      ),
    )
    .action(async (format: string, spec: string, options: ExportOptions) => {
      const { runExport } = await import("./commands/formats.js");
      result.code = await runExport(format, spec, options, io);
    });

  program
    .command("lab")
    .description(
      "stand the spec up in Linux network namespaces with its NSGs compiled to nftables, and test every assertion with real connections (root)",
    )
    .argument("<action>", "up, test or down")
    .argument("[spec]", SPEC_ARGUMENT, ".")
    .option("--json", "print JSON")
    .option("--timeout <ms>", "how long a probe waits before it counts as denied", "1000")
    .addHelpText(
      "after",
      examples(
        "tierwall lab up examples/layered-ase",
        "tierwall lab test examples/layered-ase",
        "tierwall lab down examples/layered-ase",
      ),
    )
    .action(async (action: string, spec: string, options: LabOptions) => {
      const { runLab } = await import("./commands/lab.js");
      result.code = await runLab(action, spec, options, io);
    });

  program
    .command("schema")
    .description("print the JSON Schema of the spec file, for editors")
    .option("-o, --output <file>", "write it to a file", outputFile)
    .option("--json", "accepted for uniformity: the schema is JSON")
    .addHelpText("after", examples("tierwall schema -o tierwall.schema.json"))
    .action(async (options: { output?: string }) => {
      const { runSchema } = await import("./commands/schema.js");
      result.code = runSchema(options, io);
    });

  return program;
}

/** Runs the command line and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], given: Io): Promise<number> {
  const io = terminalIo(given);
  const result = { code: EXIT.ok as number };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    io.err(`tierwall: internal error: ${(e as Error).message}\n`);
    return EXIT.internal;
  }
}
