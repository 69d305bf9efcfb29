/**
 * The NSGs in what `az network nic list-effective-nsg` prints (the REST API's
 * `EffectiveNetworkSecurityGroupListResult`): `{ "value": [ { networkSecurityGroup,
 * association, effectiveSecurityRules, tagMap } ] }`, one item per association.
 *
 * The effective view renders rules in its own forms, read back as follows:
 * - `securityRules/NAME` is the NSG's rule NAME; `defaultSecurityRules/NAME` is
 *   one of Azure's defaults, which every NSG has: not imported, only checked
 *   against the defaults tierwall evaluates.
 * - Protocol `All` is `*`. Port range `0-65535` is `*`, and `N-N` is port N.
 * - Addresses come from `sourceAddressPrefix(es)` / `destinationAddressPrefix(es)`;
 *   tags stay tags. The view renders `*` as `0.0.0.0/0`, or as `0.0.0.0/0` and
 *   `::/0`; both together are every address: `*`. When the output's `DenyAll`
 *   default rule (whose addresses are `*`) carries `::/0`, this output renders
 *   `*` as the pair, so a lone `0.0.0.0/0` was written so and is kept. Otherwise
 *   a lone `0.0.0.0/0` is read as `*`, with a note: the output cannot tell the
 *   two apart, and they differ only for IPv6 traffic.
 * - `expanded*AddressPrefix` and `tagMap` are the tags' addresses today, not the
 *   rule: they are not read.
 * An association cannot be recorded: the model places an NSG on a subnet with
 * its address prefix, or on a NIC with its IP configurations, and this output
 * gives neither; each is reported naming what to import with it. Left out, it
 * would take the NSG off its path (shared/left-out.ts): the import fails unless
 * another file imported with it holds the association.
 */

import { DEFAULT_SECURITY_RULES } from "../../model/default-rules.js";
import type { Diagnostic, Severity, ValuePath } from "../../model/diagnostic.js";
import type { NetworkSecurityGroup, SecurityRule } from "../../model/types.js";
import { formatPortRange, parsePortRange } from "../../net/ports.js";
import { parseRuleProtocol, type RuleProtocol } from "../../net/protocol.js";
import { armId, isObject, type JsonObject, pathText } from "../shared/json.js";
import { type LeftOut, reporting } from "../shared/left-out.js";
import { type Origin, Origins } from "../shared/origins.js";

/** The items of an effective-NSG list, with the path of the array, or undefined for other documents. */
function effectiveItems(doc: unknown): { items: unknown[]; at: ValuePath } | undefined {
  const [items, at]: [unknown, ValuePath] = isObject(doc) ? [doc.value, ["value"]] : [doc, []];
  if (!Array.isArray(items)) return undefined;
  const effective = items.some((item) => isObject(item) && "effectiveSecurityRules" in item);
  return effective ? { items, at } : undefined;
}

/** The view spells any protocol `All`; the rest as rules do. */
const protocolOf = (text: string): RuleProtocol | undefined =>
  text.toLowerCase() === "all" ? "*" : parseRuleProtocol(text);
const ANY_V4 = "0.0.0.0/0";
const ANY_V6 = "::/0";

/** Thrown to abandon one rule or item after its error is reported. */
class Abandon extends Error {}

interface Draft {
  readonly id: string;
  readonly name: string;
  readonly rules: SecurityRule[];
  /** Where each rule was first read, by lower-cased name. */
  readonly seen: Map<string, { rule: SecurityRule; at: ValuePath }>;
}

/**
 * Reads the NSGs of `az network nic list-effective-nsg` output (or its `value`
 * array); undefined for any other document. Diagnostics carry JSON paths only.
 */
export function readEffectiveNsgs(
  doc: unknown,
  origins = new Origins(),
  at: (path: ValuePath) => Origin | undefined = () => undefined,
): { networkSecurityGroups: NetworkSecurityGroup[]; diagnostics: Diagnostic[] } | undefined {
  const found = effectiveItems(doc);
  if (!found) return undefined;
  const reader = new EffectiveReader(origins, at);
  for (const [i, item] of found.items.entries()) reader.item(item, [...found.at, i]);
  return {
    networkSecurityGroups: reader.nsgs.map((d) => {
      const nsg = { name: d.name, securityRules: d.rules };
      origins.carry(d, nsg);
      return nsg;
    }),
    diagnostics: reader.diagnostics,
  };
}

class EffectiveReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly nsgs: Draft[] = [];
  private readonly notedAssociations = new Set<string>();

  constructor(
    private readonly origins: Origins,
    private readonly at: (path: ValuePath) => Origin | undefined,
  ) {}

  private report(
    severity: Severity,
    code: string,
    message: string,
    path: ValuePath,
    leftOut?: LeftOut,
  ): void {
    const d: Diagnostic = { severity, code, message, path };
    this.diagnostics.push(leftOut ? reporting(d, leftOut) : d);
  }

  private fail(code: string, message: string, path: ValuePath): never {
    this.report("error", code, `${pathText(path)}: ${message}`, path);
    throw new Abandon();
  }

  item(item: unknown, path: ValuePath): void {
    try {
      this.readItem(item, path);
    } catch (e) {
      if (!(e instanceof Abandon)) throw e;
    }
  }

  private readItem(item: unknown, path: ValuePath): void {
    if (!isObject(item))
      this.fail(
        "InvalidEffectiveNsg",
        "expected an object with networkSecurityGroup, association and effectiveSecurityRules",
        path,
      );
    const association = isObject(item.association) ? item.association : undefined;
    if (association?.networkManager !== undefined && association.networkManager !== null) {
      this.report(
        "warning",
        "NetworkManagerRulesNotImported",
        `${pathText([...path, "association", "networkManager"])}: security admin rules of an Azure Virtual Network Manager are not part of tierwall's model; this item's rules are left out`,
        [...path, "association", "networkManager"],
      );
      return;
    }
    const nsg = this.nsgOf(item, path);
    if (association) this.noteAssociation(association, nsg, [...path, "association"]);
    else if (item.association !== undefined && item.association !== null)
      this.fail("InvalidEffectiveNsg", "association should be an object", [...path, "association"]);
    const rules = item.effectiveSecurityRules;
    if (!Array.isArray(rules))
      this.fail("InvalidEffectiveNsg", "effectiveSecurityRules should be an array of rules", [
        ...path,
        "effectiveSecurityRules",
      ]);
    const pairRendering = rendersAnyAsPair(rules);
    const lone: { name: string; at: ValuePath }[] = [];
    rules.forEach((r, j) => {
      const at = [...path, "effectiveSecurityRules", j];
      try {
        this.rule(r, at, nsg, pairRendering, lone);
      } catch (e) {
        if (!(e instanceof Abandon)) throw e;
      }
    });
    const first = lone[0];
    if (first)
      this.report(
        "info",
        "AnyAddressRead",
        `${pathText(first.at)}: ${ANY_V4} alone is read as "*", ${pairRendering === false ? "as this output's DenyAll rule shows" : "as the effective view shows"} "*", in ${lone.map((l) => JSON.stringify(l.name)).join(", ")} of ${nsg.name}; a rule written with ${ANY_V4} would differ for IPv6 traffic only (\`az network nsg show\` tells them apart)`,
        first.at,
      );
  }

  private nsgOf(item: JsonObject, path: ValuePath): Draft {
    const at = [...path, "networkSecurityGroup"];
    const ref = item.networkSecurityGroup;
    if (!isObject(ref) || typeof ref.id !== "string")
      this.fail("InvalidEffectiveNsg", "networkSecurityGroup should be an object with an id", at);
    const parsed = armId(ref.id);
    const name = parsed?.type === "networksecuritygroups" ? parsed.name : undefined;
    if (name === undefined)
      this.fail(
        "InvalidResourceId",
        `${JSON.stringify(ref.id)} is not the id of a network security group (…/providers/Microsoft.Network/networkSecurityGroups/NAME)`,
        [...at, "id"],
      );
    const id = ref.id.toLowerCase().replace(/\/$/, "");
    const existing = this.nsgs.find((d) => d.name.toLowerCase() === name.toLowerCase());
    if (existing && existing.id !== id)
      this.fail(
        "DuplicateNsgName",
        `network security groups ${JSON.stringify(existing.id)} and ${JSON.stringify(ref.id)} have the same name, which the model cannot tell apart; import them separately`,
        [...at, "id"],
      );
    if (existing) return existing;
    const draft: Draft = { id, name, rules: [], seen: new Map() };
    this.origins.record(draft, this.at([...at, "id"]), { name: this.at([...at, "id"]) });
    this.nsgs.push(draft);
    return draft;
  }

  private noteAssociation(association: JsonObject, nsg: Draft, path: ValuePath): void {
    for (const kind of ["subnet", "networkInterface"] as const) {
      const ref = association[kind];
      if (ref === undefined || ref === null) continue;
      const at = [...path, kind];
      if (!isObject(ref) || typeof ref.id !== "string")
        this.fail("InvalidEffectiveNsg", `${kind} should be an object with an id`, at);
      const key = `${nsg.id}|${ref.id.toLowerCase()}`;
      if (this.notedAssociations.has(key)) continue;
      this.notedAssociations.add(key);
      const target = armId(ref.id);
      const subnet = target?.type === "virtualnetworks/subnets" ? target : undefined;
      const nic = target?.type === "networkinterfaces" ? target : undefined;
      const message =
        kind === "subnet"
          ? subnet
            ? `${nsg.name} is associated with subnet ${subnet.name} of virtual network ${subnet.parent}; this output does not give the subnet's address prefix, so the association is not recorded: import \`az network vnet show --name ${subnet.parent}\` output with it`
            : `${nsg.name} is associated with subnet ${JSON.stringify(ref.id)}, which is not a subnet id; the association is not recorded`
          : nic
            ? `${nsg.name} is associated with network interface ${nic.name}; this output does not give its IP configurations, so the association is not recorded: import \`az network nic show --name ${nic.name}\` output with it`
            : `${nsg.name} is associated with network interface ${JSON.stringify(ref.id)}, which is not a network interface id; the association is not recorded`;
      const leftOut: LeftOut = {
        kind: "association",
        nsg: nsg.name,
        ...(subnet
          ? { target: { subnet: `${subnet.parent}/${subnet.name}` } }
          : nic
            ? { target: { nic: nic.name } }
            : {}),
        what: `the association of network security group ${JSON.stringify(nsg.name)} with ${kind === "subnet" ? "subnet" : "network interface"} ${JSON.stringify(subnet ? `${subnet.parent}/${subnet.name}` : (nic?.name ?? ref.id))}`,
      };
      this.report(
        "info",
        "AssociationNotImported",
        `${pathText([...at, "id"])}: ${message}`,
        [...at, "id"],
        leftOut,
      );
    }
  }

  private rule(
    r: unknown,
    path: ValuePath,
    nsg: Draft,
    pairRendering: boolean | undefined,
    lone: { name: string; at: ValuePath }[],
  ): void {
    if (!isObject(r)) this.fail("InvalidEffectiveSecurityRule", "expected a rule object", path);
    const fullName = r.name;
    if (typeof fullName !== "string")
      this.fail("InvalidEffectiveSecurityRule", "name should be a string", [...path, "name"]);
    const named = /^(securityRules|defaultSecurityRules)\/(.+)$/.exec(fullName);
    if (!named)
      this.fail(
        "UnrecognizedEffectiveRule",
        `rule name ${JSON.stringify(fullName)} is neither securityRules/NAME nor defaultSecurityRules/NAME`,
        [...path, "name"],
      );
    const [, kind, name] = named as unknown as [string, string, string];
    let loneAny = false;
    const address = (side: "source" | "destination") => {
      const read = this.addresses(r, path, side, pairRendering);
      loneAny ||= read.loneAny;
      return read.values;
    };
    const protocol = this.protocol(r, path);
    const access = this.choice(r, path, "access", ["Allow", "Deny"]);
    const priority = this.priority(r, path);
    const direction = this.choice(r, path, "direction", ["Inbound", "Outbound"]);
    const source = address("source");
    const sourcePorts = this.ports(r, path, "source");
    const destination = address("destination");
    const destinationPorts = this.ports(r, path, "destination");
    const rule: Record<string, unknown> = { name, protocol, access, priority, direction };
    // One value in the singular property, as ARM writes it; more in the plural one.
    const put = (single: string, plural: string, values: string[]) => {
      if (values.length === 1) rule[single] = values[0];
      else rule[plural] = values;
    };
    put("sourceAddressPrefix", "sourceAddressPrefixes", source);
    put("sourcePortRange", "sourcePortRanges", sourcePorts);
    put("destinationAddressPrefix", "destinationAddressPrefixes", destination);
    put("destinationPortRange", "destinationPortRanges", destinationPorts);
    const parsed = rule as unknown as SecurityRule;

    if (kind === "defaultSecurityRules") {
      this.checkDefault(parsed, [...path, "name"]);
      return;
    }
    const key = name.toLowerCase();
    const before = nsg.seen.get(key);
    if (before) {
      if (JSON.stringify(before.rule) !== JSON.stringify(parsed))
        this.fail(
          "ConflictingEffectiveRule",
          `rule ${JSON.stringify(name)} of ${nsg.name} differs from the one at ${pathText(before.at)}`,
          path,
        );
      return;
    }
    nsg.seen.set(key, { rule: parsed, at: path });
    this.origins.record(parsed, this.at(path), { name: this.at([...path, "name"]) });
    for (const field of Object.keys(parsed))
      if (field !== "name") this.origins.field(parsed, field, this.at([...path, field]));
    nsg.rules.push(parsed);
    if (loneAny) lone.push({ name, at: path });
  }

  private checkDefault(rule: SecurityRule, path: ValuePath): void {
    const known = DEFAULT_SECURITY_RULES.find(
      (d) =>
        d.name.toLowerCase() === rule.name.toLowerCase() &&
        d.direction.toLowerCase() === rule.direction.toLowerCase(),
    );
    if (!known) {
      this.report(
        "warning",
        "UnknownDefaultRule",
        `${pathText(path)}: Azure reports a default rule ${JSON.stringify(rule.name)} (${rule.direction}) that tierwall does not know; tierwall evaluates its own six defaults`,
        path,
      );
      return;
    }
    const fields = [
      "protocol",
      "access",
      "priority",
      "sourceAddressPrefix",
      "sourcePortRange",
      "destinationAddressPrefix",
      "destinationPortRange",
    ] as const;
    const differ = fields.filter(
      (f) => String(rule[f] ?? "").toLowerCase() !== String(known[f] ?? "").toLowerCase(),
    );
    if (differ.length > 0)
      this.report(
        "warning",
        "DefaultRuleDiffers",
        `${pathText(path)}: Azure reports default rule ${known.name} with ${differ.map((f) => `${f} ${JSON.stringify(rule[f] ?? null)}`).join(", ")}, where tierwall evaluates ${differ.map((f) => JSON.stringify(known[f])).join(", ")}`,
        path,
      );
  }

  private protocol(r: JsonObject, path: ValuePath): string {
    const v = r.protocol;
    const protocol = typeof v === "string" ? protocolOf(v) : undefined;
    if (protocol === undefined)
      this.fail(
        "InvalidEffectiveSecurityRule",
        `protocol should be All, Tcp, Udp, Icmp, Esp or Ah; it is ${JSON.stringify(v ?? null)}`,
        [...path, "protocol"],
      );
    return protocol;
  }

  private choice(r: JsonObject, path: ValuePath, key: string, allowed: string[]): string {
    const v = r[key];
    const found =
      typeof v === "string" ? allowed.find((a) => a.toLowerCase() === v.toLowerCase()) : undefined;
    if (found === undefined)
      this.fail(
        "InvalidEffectiveSecurityRule",
        `${key} should be ${allowed.join(" or ")}; it is ${JSON.stringify(v ?? null)}`,
        [...path, key],
      );
    return found;
  }

  private priority(r: JsonObject, path: ValuePath): number {
    const v = r.priority;
    if (typeof v !== "number" || !Number.isInteger(v))
      this.fail(
        "InvalidEffectiveSecurityRule",
        `priority should be an integer; it is ${JSON.stringify(v ?? null)}`,
        [...path, "priority"],
      );
    return v;
  }

  /** The list form when it has items, else the single form: the view repeats one in the other. */
  private values(r: JsonObject, path: ValuePath, single: string, list: string): string[] {
    const many = r[list];
    if (many !== undefined && many !== null) {
      if (!Array.isArray(many) || !many.every((x) => typeof x === "string"))
        this.fail("InvalidEffectiveSecurityRule", `${list} should be an array of strings`, [
          ...path,
          list,
        ]);
      if (many.length > 0) return many as string[];
    }
    const one = r[single];
    if (one !== undefined && one !== null && typeof one !== "string")
      this.fail("InvalidEffectiveSecurityRule", `${single} should be a string`, [...path, single]);
    if (typeof one === "string" && one !== "") return [one];
    return [];
  }

  private ports(r: JsonObject, path: ValuePath, side: "source" | "destination"): string[] {
    const single = `${side}PortRange`;
    const list = `${side}PortRanges`;
    const values = this.values(r, path, single, list);
    // An error points at the field the values came from: the list when it has any.
    const from = Array.isArray(r[list]) && r[list].length > 0 ? list : single;
    if (values.length === 0)
      this.fail("InvalidEffectiveSecurityRule", `${single} is missing`, [...path, single]);
    const out: string[] = [];
    for (const value of values) {
      const parsed = parsePortRange(value.trim());
      if (!parsed.ok)
        this.fail(
          "InvalidEffectiveSecurityRule",
          `port range ${JSON.stringify(value)} should be N, N-M or * (0-65535, first <= last)`,
          [...path, from],
        );
      // The view shows any port as 0-65535 and a single port N as N-N.
      const port = formatPortRange(parsed.range);
      if (port === "*") return ["*"];
      if (!out.includes(port)) out.push(port);
    }
    return out;
  }

  private addresses(
    r: JsonObject,
    path: ValuePath,
    side: "source" | "destination",
    pairRendering: boolean | undefined,
  ): { values: string[]; loneAny: boolean } {
    const single = `${side}AddressPrefix`;
    const values = this.values(r, path, single, `${side}AddressPrefixes`).map((v) => v.trim());
    if (values.length === 0)
      this.fail(
        "EffectiveRuleAddressUnknown",
        `the rule names no ${side} address (an application security group?); the effective view gives only today's addresses of it, not the rule: import \`az network nsg show\` output instead`,
        [...path, single],
      );
    if (values.includes("*") || (values.includes(ANY_V4) && values.includes(ANY_V6)))
      return { values: ["*"], loneAny: false };
    if (values.includes(ANY_V4) && pairRendering !== true) return { values: ["*"], loneAny: true };
    return { values: [...new Set(values)], loneAny: false };
  }
}

/**
 * How this output renders `*`, told by a `DenyAll` default rule (its addresses
 * are `*`): as both address families (true), as `0.0.0.0/0` alone (false), or
 * unknown when no such rule is listed.
 */
function rendersAnyAsPair(rules: readonly unknown[]): boolean | undefined {
  for (const r of rules) {
    if (!isObject(r) || typeof r.name !== "string") continue;
    if (!/^defaultSecurityRules\/DenyAll(In|Out)Bound$/i.test(r.name)) continue;
    const prefixes = [
      ...(Array.isArray(r.sourceAddressPrefixes) ? r.sourceAddressPrefixes : []),
      r.sourceAddressPrefix,
    ];
    if (prefixes.includes(ANY_V6)) return true;
    if (prefixes.includes(ANY_V4)) return false;
  }
  return undefined;
}
