/**
 * What an importer leaves out, and whether leaving it out widens the policy:
 * whether the spec written without it could allow a packet that a deployment
 * of the source denies. Importers describe each omission on the diagnostic
 * that reports it (`leftOut`); `importSources` decides here, over everything
 * imported, which omissions widen. Those fail the import, or, with
 * `allowPartial`, are written into the spec's `partial` section.
 *
 * The reasoning, from Azure's semantics (first match within an NSG; every NSG
 * on a path must allow; tags resolved against the topology):
 * - A rule left out lets the packets it matched fall to the rules after it.
 *   For an Allow rule those can only be allowed by a later rule or denied: the
 *   spec allows no more. For a Deny rule, or one whose access is not known, a
 *   later rule may allow them: it widens. A change or removal of a rule left
 *   out keeps the rule as it was, which may allow what the changed one denies:
 *   it widens.
 * - An NSG's association with a subnet or NIC, or an NSG as a whole, left out
 *   takes the NSG off the paths it guards: it widens. (A left-out NSG may be
 *   associated under a name that is itself not known, so every one counts.)
 * - A subnet or NIC left out takes its NSG off the path to its addresses, which
 *   are then reached as addresses of the network: it widens when it has (or
 *   may have) an NSG. A NIC's memberships of ASGs decide which rules match it:
 *   lost memberships make Allow rules naming them match less (narrower) and
 *   Deny rules match less (wider).
 * - An address space or peering left out shrinks VirtualNetwork and grows
 *   Internet. Azure's default rules then allow no more (AllowVnet* matches
 *   less, and what now counts as Internet was allowed out before as part of
 *   the network), but a rule that denies VirtualNetwork denies less and one
 *   that allows Internet allows more: it widens when some rule does either.
 * - A virtual network left out whole takes its subnets' NSGs and its address
 *   space with it: counted as widening. Resources of unknown number or type (a
 *   linked template, a module call) may hold any of the above: widening.
 * - An ASG left out changes nothing silently: a rule or NIC naming it fails
 *   validation. A value that decides no packet (a location) is not described.
 * - A public IP address left out takes a public endpoint away: the Internet
 *   reaches less, so the spec allows no more. (An interface that names it
 *   keeps a public IP of that name whose address and SKU are not known, read
 *   as Basic: what Azure may leave open is shown, never hidden.) A Dynamic
 *   private address is not left out: it is some free host of its subnet.
 * - A load balancer, or a frontend or rule of one, left out forwards nothing
 *   in the spec: the Internet reaches less, so the spec allows no more.
 */
import { stringify } from "yaml";
import type { Diagnostic } from "../../model/diagnostic.js";
import { refName, type SecurityRule, type Topology } from "../../model/types.js";
import type { PartialItem } from "../../specfile/schema.js";

/** One thing an importer leaves out, by what deciding packets needs of it. */
export type Omission =
  /** A security rule; `access` as written when it is known. */
  | { readonly kind: "rule"; readonly access?: string }
  /** A change to a rule, or its removal, not applied: the rule is kept as it was. */
  | { readonly kind: "ruleChange" }
  /**
   * An NSG's association with a subnet or NIC. With `nsg` and `target`, the
   * association is satisfied (nothing widens) when the whole import holds it.
   */
  | {
      readonly kind: "association";
      readonly nsg?: string;
      readonly target?: { readonly subnet: string } | { readonly nic: string };
    }
  | { readonly kind: "networkSecurityGroup" }
  /** A subnet; `nsg` when it has, or may have, an NSG. */
  | { readonly kind: "subnet"; readonly nsg: boolean }
  /**
   * A network interface or one of its IP configurations: `nsg` when the
   * interface has, or may have, an NSG; `asgs`, the ASGs it joins (undefined
   * when they are not known). With `nic`, the interface's name: an NSG or
   * ASGs that other resources give it (association resources) count too.
   */
  | {
      readonly kind: "networkInterface";
      readonly nsg: boolean;
      readonly asgs?: readonly string[];
      readonly nic?: string;
    }
  /** Memberships of ASGs; `asgs` undefined when the groups are not known. */
  | { readonly kind: "asgMembership"; readonly asgs?: readonly string[] }
  | { readonly kind: "addressSpace" }
  | { readonly kind: "peering" }
  | { readonly kind: "virtualNetwork" }
  | { readonly kind: "publicIPAddress" }
  /** A load balancer, or one of its frontends or rules. */
  | { readonly kind: "loadBalancer" }
  /** Resources of unknown number or type: a linked template, a module call. */
  | { readonly kind: "resources" }
  | { readonly kind: "applicationSecurityGroup" };

/** An omission with what it is, in words: `security rule "deny-ssh" of network security group "web"`. */
export type LeftOut = Omission & { readonly what: string };

/** A diagnostic that reports an omission. */
export interface OmissionDiagnostic extends Diagnostic {
  readonly leftOut?: LeftOut;
}

/** The diagnostic with the omission it reports attached. */
export const reporting = (d: Diagnostic, leftOut: LeftOut): OmissionDiagnostic => ({
  ...d,
  leftOut,
});

/** The omission a diagnostic reports, if any. */
export const leftOutOf = (d: Diagnostic): LeftOut | undefined => (d as OmissionDiagnostic).leftOut;

/** The diagnostic without the omission attached (the public Diagnostic shape). */
export function plainDiagnostic(d: Diagnostic): Diagnostic {
  if (!("leftOut" in d)) return d;
  const { leftOut: _, ...rest } = d as OmissionDiagnostic;
  return rest;
}

const lower = (s: string) => s.toLowerCase();
const isAllow = (access: string | undefined) => access !== undefined && lower(access) === "allow";
const isDeny = (access: string | undefined) => access === undefined || lower(access) === "deny";

function rules(topology: Topology): SecurityRule[] {
  return topology.networkSecurityGroups.flatMap((n) => [...n.securityRules]);
}

/** Whether a rule names the tag on either side (the tag's case as Azure compares it, loosely). */
function names(rule: SecurityRule, tag: string): boolean {
  return [rule.sourceAddressPrefix, rule.destinationAddressPrefix].some(
    (p) => p !== undefined && lower(p) === lower(tag),
  );
}

/** Whether a Deny rule of the topology names one of the ASGs. */
function denyNames(topology: Topology, asgs: readonly string[]): boolean {
  const wanted = new Set(asgs.map(lower));
  return rules(topology).some(
    (r) =>
      isDeny(r.access) &&
      [
        ...(r.sourceApplicationSecurityGroups ?? []),
        ...(r.destinationApplicationSecurityGroups ?? []),
      ]
        .map((ref) => lower(refName(ref)))
        .some((a) => wanted.has(a)),
  );
}

/** Whether the topology associates the NSG with the subnet (`vnet/name` or a name) or NIC. */
function associated(
  topology: Topology,
  nsg: string,
  target: { readonly subnet: string } | { readonly nic: string },
): boolean {
  const same = (ref: Parameters<typeof refName>[0] | undefined) =>
    ref !== undefined && lower(refName(ref)) === lower(nsg);
  if ("nic" in target)
    return topology.networkInterfaces.some(
      (n) => lower(n.name) === lower(target.nic) && same(n.networkSecurityGroup),
    );
  const [vnet, subnet] = target.subnet.includes("/")
    ? target.subnet.split("/", 2)
    : [undefined, target.subnet];
  return topology.virtualNetworks.some(
    (v) =>
      (vnet === undefined || lower(v.name) === lower(vnet)) &&
      v.subnets.some((s) => lower(s.name) === lower(subnet ?? "") && same(s.networkSecurityGroup)),
  );
}

/**
 * Why leaving it out could allow what the source denies, given everything
 * imported; undefined when it cannot.
 */
export function widening(o: Omission, topology: Topology): string | undefined {
  switch (o.kind) {
    case "rule":
      if (isAllow(o.access)) return undefined;
      return o.access === undefined
        ? "it may be a Deny rule, and the packets it denies would fall to later rules, which may allow them"
        : "the packets it denies would fall to later rules, which may allow them";
    case "ruleChange":
      return "the rule would be kept as it was, and may allow what the source's denies";
    case "association":
      if (o.nsg !== undefined && o.target !== undefined && associated(topology, o.nsg, o.target))
        return undefined;
      return "the NSG's rules would be off the path they guard";
    case "networkSecurityGroup":
      return "a subnet or network interface may use it, and its rules would be off their path";
    case "subnet":
      return o.nsg ? "its NSG would be off the path to its addresses" : undefined;
    case "networkInterface": {
      const nic =
        o.nic === undefined
          ? undefined
          : topology.networkInterfaces.find((n) => lower(n.name) === lower(o.nic ?? ""));
      if (o.nsg || nic?.networkSecurityGroup !== undefined)
        return "the interface's NSG would be off the path to its addresses";
      const joined = (nic?.ipConfigurations ?? []).flatMap((c) =>
        (c.applicationSecurityGroups ?? []).map(refName),
      );
      if (o.asgs === undefined || denyNames(topology, [...o.asgs, ...joined]))
        return "Deny rules naming its application security groups would no longer match it";
      return undefined;
    }
    case "asgMembership":
      return o.asgs === undefined || denyNames(topology, o.asgs)
        ? "Deny rules naming the groups would no longer match it"
        : undefined;
    case "addressSpace":
    case "peering":
      return rules(topology).some(
        (r) =>
          (isDeny(r.access) && names(r, "VirtualNetwork")) ||
          (isAllow(r.access) && names(r, "Internet")),
      )
        ? "it changes what VirtualNetwork and Internet mean, and a rule denies VirtualNetwork or allows Internet"
        : undefined;
    case "virtualNetwork":
      return "its subnets' NSGs and its address space would be missing";
    case "resources":
      return "they may hold Deny rules, NSGs or their associations";
    case "loadBalancer":
      return undefined;
    case "applicationSecurityGroup":
    case "publicIPAddress":
      return undefined;
  }
}

const ALLOW_PARTIAL_HINT =
  "make it known to the import (a parameters or .tfvars file, a value the script sets), or import with --allow-partial to write the spec with it listed under partial";

/**
 * Decides every omission the diagnostics report, over the whole import: one
 * that widens becomes an error at its place, or with `allowPartial` a warning
 * and an item of the spec's `partial` section (one per thing left out).
 */
export function settleOmissions(
  diagnostics: readonly Diagnostic[],
  topology: Topology,
  allowPartial: boolean,
): { diagnostics: Diagnostic[]; partial: PartialItem[] } {
  const partial = new Map<string, PartialItem>();
  const settled = diagnostics.map((d) => {
    const leftOut = leftOutOf(d);
    const plain = plainDiagnostic(d);
    const why = leftOut && widening(leftOut, topology);
    if (!leftOut || why === undefined) return plain;
    if (allowPartial && !partial.has(leftOut.what)) {
      const at = d.location;
      partial.set(leftOut.what, {
        what: leftOut.what,
        why: d.message,
        ...(at ? { source: `${at.file}:${at.line}:${at.column}` } : {}),
      });
    }
    return {
      ...plain,
      severity: allowPartial ? ("warning" as const) : ("error" as const),
      hint: `leaving it out could allow traffic the source denies: ${why}; ${allowPartial ? "it is listed under partial in the spec" : ALLOW_PARTIAL_HINT}`,
    };
  });
  return { diagnostics: settled, partial: [...partial.values()] };
}

/** Spec text with the `partial` section last. */
export function withPartial(specText: string, items: readonly PartialItem[]): string {
  if (items.length === 0) return specText;
  const section = stringify({ partial: items }, { lineWidth: 0 });
  // An empty topology is written as `{}`, which cannot precede another section.
  const body = specText.replace(/^\{\}\n?$/m, "");
  return `${body}${body === "" || body.endsWith("\n") ? "" : "\n"}${section}`;
}
