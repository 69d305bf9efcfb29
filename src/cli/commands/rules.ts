import { type EffectiveNsg, type EffectiveTarget, effectiveRules } from "../../engine/effective.js";
import type { Network } from "../../model/network.js";
import { EXIT, type Io, printJson } from "../io.js";
import { loadForCommand } from "../load.js";
import { partialJson } from "../partial.js";
import { renderTable } from "../render/table.js";
import { shortened } from "../render/terminal.js";

export interface RulesOptions {
  nic?: string;
  subnet?: string;
  json?: boolean;
}

/** Effective rules like `az network nic list-effective-nsg`: for one NIC or subnet, or for every one. */
export function runRules(target: string, options: RulesOptions, io: Io): number {
  if (options.nic && options.subnet) {
    io.err(`${io.style.red("error")}: give --nic or --subnet, not both\n`);
    return EXIT.invalid;
  }
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const network = loaded.spec.network;
  const targets = selectTargets(network, options);
  if (!Array.isArray(targets)) {
    if (options.json) printJson(io, { error: [shortened(targets.error)] });
    else io.err(`${io.style.red("error")}: ${targets.error}\n`);
    return EXIT.invalid;
  }
  const results = targets.map(({ label, target }) => ({
    target: label,
    networkSecurityGroups: effectiveRules(network, target),
  }));
  if (options.json) {
    printJson(io, { value: results, ...partialJson(loaded.spec) });
    return EXIT.ok;
  }
  const blocks = results.map(({ target, networkSecurityGroups }) =>
    [
      io.style.bold(target),
      ...(networkSecurityGroups.length === 0
        ? ["  no NSG applies: all traffic is allowed"]
        : networkSecurityGroups.map((g) => renderGroup(g, io))),
    ].join("\n"),
  );
  io.out(`${blocks.join("\n\n")}\n`);
  return EXIT.ok;
}

function selectTargets(
  network: Network,
  options: RulesOptions,
): { label: string; target: EffectiveTarget }[] | { error: string } {
  if (options.nic !== undefined) {
    const nic = network.nics.get(options.nic);
    return nic
      ? [{ label: `network interface ${nic.name}`, target: { nic } }]
      : { error: `network interface ${options.nic} is not defined` };
  }
  if (options.subnet !== undefined) {
    const wanted = options.subnet;
    const matches = network.subnets.filter((s) => s.id === wanted || s.name === wanted);
    if (matches.length > 1)
      return { error: `subnet ${wanted} exists in several virtual networks; write VNET/SUBNET` };
    const subnet = matches[0];
    return subnet
      ? [{ label: `subnet ${subnet.id}`, target: { subnet } }]
      : { error: `subnet ${wanted} is not defined` };
  }
  return [
    ...network.subnets.map((subnet) => ({ label: `subnet ${subnet.id}`, target: { subnet } })),
    ...[...network.nics.values()].map((nic) => ({
      label: `network interface ${nic.name}`,
      target: { nic },
    })),
  ];
}

function renderGroup(group: EffectiveNsg, io: Io): string {
  const { style } = io;
  const summarize = (given: string, expanded: string[]) =>
    given === "0.0.0.0/0" || !/[A-Za-z]/.test(given)
      ? given
      : expanded.length === 1 && expanded[0] === `<${given}>`
        ? `${given} (symbolic)`
        : `${given} (${expanded.length} prefix${expanded.length === 1 ? "" : "es"})`;
  const rows = group.effectiveSecurityRules.map((r) => [
    r.direction,
    String(r.priority),
    r.name,
    style.access(r.access),
    r.protocol,
    summarize(r.sourceAddressPrefix, r.expandedSourceAddressPrefix),
    r.sourcePortRange.join(","),
    summarize(r.destinationAddressPrefix, r.expandedDestinationAddressPrefix),
    r.destinationPortRange.join(","),
  ]);
  return [
    `  ${group.networkSecurityGroup} ${style.dim(`(on ${group.association.type} ${group.association.name})`)}`,
    renderTable(
      [
        "direction",
        "priority",
        "name",
        "access",
        "protocol",
        "source",
        "source ports",
        "destination",
        "destination ports",
      ],
      rows,
      "    ",
    ),
  ].join("\n");
}
