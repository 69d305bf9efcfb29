/**
 * Imports the NSGs, rules, application security groups, virtual networks and
 * associations an az CLI script (bash) creates, with az's defaults
 * (`--destination-port-ranges` is 80 when left out). Variables set in the
 * script are followed; a value that depends on the environment or on a
 * command's output is named, never guessed. Every `az` command that is not
 * understood is reported.
 */
import type { Diagnostic } from "../../model/diagnostic.js";
import type { Topology } from "../../model/types.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origins } from "../shared/origins.js";
import type { Inventory } from "../shared/summary.js";
import { NOT_MODELLED_CODE, standing } from "../shared/unmodelled.js";
import { type AzCommand, type FlagPeek, peekFlags, readArgs } from "./arguments.js";
import { lexBash, type Pos, plainText, type Word } from "./bash.js";
import { LOAD_BALANCER_COMMANDS, loadBalancersOf } from "./load-balancers.js";
import { NAT_GATEWAY_COMMANDS, natGatewaysOf } from "./nat-gateways.js";
import { NETWORK_INTERFACE_COMMANDS } from "./network-interfaces.js";
import { NETWORK_SECURITY_COMMANDS } from "./network-security.js";
import { PRIVATE_ENDPOINT_COMMANDS, privateAccessOf } from "./private-endpoints.js";
import { PUBLIC_IP_COMMANDS } from "./public-ips.js";
import { AzCliReader } from "./reader.js";
import { ROUTE_TABLE_COMMANDS, routeTablesOf } from "./route-tables.js";
import { VIRTUAL_NETWORK_COMMANDS } from "./virtual-networks.js";

/** The az commands read, by name (`network nsg rule create`). */
const COMMANDS = new Map<string, AzCommand>(
  Object.entries({
    ...NETWORK_SECURITY_COMMANDS,
    ...VIRTUAL_NETWORK_COMMANDS,
    ...ROUTE_TABLE_COMMANDS,
    ...NETWORK_INTERFACE_COMMANDS,
    ...PUBLIC_IP_COMMANDS,
    ...LOAD_BALANCER_COMMANDS,
    ...NAT_GATEWAY_COMMANDS,
    ...PRIVATE_ENDPOINT_COMMANDS,
  }),
);

/**
 * Commands the importer does not read that change what the model holds: left
 * out, each costs what its omission says (shared/left-out.ts). Any other
 * command changes nothing the model holds (a public IP, a load balancer).
 */
const UNSUPPORTED_OMISSIONS: readonly (readonly [RegExp, LeftOut])[] = [
  [/^network nsg rule update$/, { kind: "ruleChange", what: "the change of the rule" }],
  [/^network vnet peering (create|update|sync)$/, { kind: "peering", what: "the peering" }],
  [/^network vnet update$/, { kind: "addressSpace", what: "the change of the virtual network" }],
  [
    /^network nat gateway (update|delete)$/,
    { kind: "resources", what: "the change of the NAT gateway" },
  ],
  [
    /^network route-table (update|delete|route update|route delete)$/,
    { kind: "resources", what: "the change of the route table" },
  ],
  [
    /^network nic ip-config (create|add)$/,
    { kind: "networkInterface", nsg: true, what: "the IP configuration" },
  ],
  [/^network nic ip-config asg (add|remove)$/, { kind: "asgMembership", what: "the memberships" }],
  [
    /^network (bastion|private-endpoint) (update|delete)$/,
    { kind: "resources", what: "the change of the Bastion host or private endpoint" },
  ],
  [
    /^network private-endpoint asg (add|remove)$/,
    { kind: "asgMembership", what: "the private endpoint's memberships" },
  ],
  // A load balancer's change or removal not applied keeps what it forwarded; what else adds to one, left out, forwards nothing.
  [
    /^network (lb( .*)?|nic ip-config (address-pool|inbound-nat-rule)) (update|delete|remove|set)$/,
    { kind: "resources", what: "the change of the load balancer" },
  ],
  [
    /^network lb (.* )?(create|add)$/,
    { kind: "loadBalancer", what: "what it adds to the load balancer" },
  ],
];

/** az commands that read, sign in or manage groups: nothing the model holds changes. */
const NO_NETWORK_EFFECT = [
  /^login$/,
  /^logout$/,
  /^account( .*)?$/,
  /^group (create|show|list|exists|wait)$/,
  /^configure$/,
  /^version$/,
  /^extension( .*)?$/,
  /^network .* (show|list|wait|list-effective-nsg)$/,
  /^network (nsg|vnet|nic|asg) (show|list|wait)$/,
];

export function importAzCli(
  text: string,
  file: string,
  origins?: Origins,
): { topology: Topology; diagnostics: Diagnostic[]; inventory: Inventory } {
  const reader = new AzCliReader(file, origins);
  const { commands, problem } = lexBash(text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n"));
  for (const command of commands) {
    const az = reader.script.statement(command);
    if (az !== undefined) azCommand(reader, az);
  }
  if (problem) reader.report("error", "InvalidSyntax", problem.message, problem.pos);
  return {
    topology: {
      ...reader.topology(),
      ...routeTablesOf(reader),
      ...loadBalancersOf(reader),
      ...natGatewaysOf(reader),
      ...privateAccessOf(reader),
    },
    diagnostics: reader.diagnostics,
    inventory: reader.inventory,
  };
}

/** One `az` command: its name is the words before the first flag. */
function azCommand(reader: AzCliReader, words: readonly Word[]): void {
  const at = (words[0] as Word).pos;
  const path: string[] = [];
  let k = 1;
  for (; k < words.length; k++) {
    const text = plainText(words[k] as Word);
    if (text === undefined || text.startsWith("-")) break;
    path.push(text);
  }
  const name = path.join(" ");
  const block = reader.script.block;
  const command = COMMANDS.get(name);
  const unmodelled = notModelled(reader, name, words.slice(k), at);
  if (block !== undefined && /^network /.test(name) && !unmodelled) {
    if (block.keyword === "for" || block.keyword === "while" || block.keyword === "until") {
      reader.report(
        "warning",
        "ValueNotStaticallyKnown",
        `az ${name} runs in the loop at line ${block.pos.line}: how often, and with which values, is known only when the script runs; it is left out`,
        at,
        undefined,
        command
          ? loopOmission(command.omits(peekFlags(reader, words.slice(k), command)))
          : unsupportedOmission(name),
      );
      return;
    }
    const flags = command && peekFlags(reader, words.slice(k), command);
    if (command && flags && widensIfApplied(name, flags)) {
      // Were it not to run, the spec would allow more than the deployment: left out instead.
      const detach = flags.text("nsg") === "";
      reader.report(
        "warning",
        "ConditionalCommand",
        `az ${name} runs only under the ${block.keyword} at line ${block.pos.line}; applied, it could allow what the deployment denies when it does not run, so it is left out`,
        at,
        undefined,
        detach ? undefined : command.omits(flags),
      );
      return;
    }
    reader.report(
      "warning",
      "ConditionalCommand",
      `az ${name} runs only under the ${block.keyword} at line ${block.pos.line}; it is imported as if it runs`,
      at,
    );
  }
  if (command) {
    const args = readArgs(reader, name, words.slice(k), at, command);
    if (args) command.run(reader, args);
  } else if (!unmodelled && !NO_NETWORK_EFFECT.some((p) => p.test(name)))
    reader.report(
      "warning",
      "UnsupportedStatement",
      `az ${name} is not supported; the command is ignored`,
      at,
      `the importer reads az network ${commandList([...COMMANDS.keys()])}`,
      unsupportedOmission(name),
    );
}

/**
 * Counts the command (AzCliReader.inventory) and, for one that makes or
 * changes what tierwall does not model, names it with what it may change:
 * whether it was named so. `az vm create` without `--nics` makes a network
 * interface, and by default a public IP and an NSG open to SSH or RDP.
 */
function notModelled(reader: AzCliReader, name: string, args: readonly Word[], at: Pos): boolean {
  const type = `az ${name}`;
  if (COMMANDS.has(name)) {
    reader.inventory.add(type, "modelled");
    return false;
  }
  const omission = UNSUPPORTED_OMISSIONS.some(([pattern]) => pattern.test(name));
  const found = standing("azcli", name);
  if (name === "vm create" && !args.some((w) => plainText(w)?.startsWith("--nics"))) {
    reader.inventory.add(type, "notModelled");
    reader.report(
      "warning",
      NOT_MODELLED_CODE,
      `${type} without --nics makes a network interface, and unless told otherwise a public IP and an NSG open to SSH or RDP, none of which is read`,
      at,
      "create the interface with az network nic create and pass it with --nics",
    );
    return true;
  }
  if (found.standing === "notModelled" && !omission) {
    reader.inventory.add(type, "notModelled");
    reader.report(
      "warning",
      NOT_MODELLED_CODE,
      `${type}: ${found.kind.what} not modelled; ${found.kind.consequence}`,
      at,
    );
    return true;
  }
  if (found.standing === "notRelevant" || NO_NETWORK_EFFECT.some((p) => p.test(name))) {
    reader.inventory.add(type, "notRelevant");
    return true;
  }
  reader.inventory.add(type, "unknown");
  return false;
}

/**
 * Whether applying a command that may not run could allow more than a
 * deployment where it does not: an Allow rule (az's default access), a rule's
 * removal, an NSG detached. Anything else applied can only narrow.
 */
function widensIfApplied(name: string, flags: FlagPeek): boolean {
  if (name === "network nsg rule create") {
    const access = flags.given("access") ? flags.text("access") : "Allow";
    return access === undefined || access.toLowerCase() !== "deny";
  }
  if (name === "network nsg rule delete") return true;
  return flags.given("nsg") && flags.text("nsg") === "";
}

/** What a command run in a loop leaves out: whatever each run makes. */
const loopOmission = (o: LeftOut): LeftOut => ({ ...o, what: `${o.what}, run in a loop` });

/** What leaving out a command the importer does not read costs, if anything the model holds. */
function unsupportedOmission(name: string): LeftOut | undefined {
  const found = UNSUPPORTED_OMISSIONS.find(([pattern]) => pattern.test(name));
  return found && { ...found[1], what: `${found[1].what} az ${name} makes` };
}

/** The commands' names without `network`, verbs of one group together: `nsg rule create|delete`. */
function commandList(names: readonly string[]): string {
  const groups: { group: string; verbs: string[] }[] = [];
  for (const name of names) {
    const words = name.replace(/^network /, "").split(" ");
    const verb = words.pop() as string;
    const group = words.join(" ");
    const last = groups[groups.length - 1];
    if (last?.group === group) last.verbs.push(verb);
    else groups.push({ group, verbs: [verb] });
  }
  return groups.map(({ group, verbs }) => `${group} ${verbs.join("|")}`).join(", ");
}
