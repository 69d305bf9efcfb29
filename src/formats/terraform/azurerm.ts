/**
 * azurerm resources to the model: NSGs (inline rules and rule resources), ASGs,
 * virtual networks and subnets, network interfaces, peerings and the
 * association resources. Whatever is not known is reported for exactly its
 * attribute, and the rule or resource that needs it is left out.
 */

import type { Diagnostic, Severity } from "../../model/diagnostic.js";
import type {
  ApplicationSecurityGroup,
  IpConfiguration,
  NetworkInterface,
  ResourceRef,
  SecurityRule,
  Subnet,
  Topology,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { armId } from "../shared/json.js";
import {
  NotKnown,
  type Place,
  ResourceId,
  type TfBlock,
  type TfResource,
  type TfValue,
} from "./values.js";

export const AZURERM = {
  asg: "azurerm_application_security_group",
  nsg: "azurerm_network_security_group",
  rule: "azurerm_network_security_rule",
  vnet: "azurerm_virtual_network",
  subnet: "azurerm_subnet",
  peering: "azurerm_virtual_network_peering",
  nic: "azurerm_network_interface",
  subnetNsg: "azurerm_subnet_network_security_group_association",
  nicNsg: "azurerm_network_interface_security_group_association",
  nicAsg: "azurerm_network_interface_application_security_group_association",
} as const;
const READ = new Set<string>(Object.values(AZURERM));

/** Terraform's rule attributes and the model's fields, in ARM's order. */
export const RULE_ATTRIBUTES = [
  ["description", "description"],
  ["protocol", "protocol"],
  ["access", "access"],
  ["priority", "priority"],
  ["direction", "direction"],
  ["source_address_prefix", "sourceAddressPrefix"],
  ["source_address_prefixes", "sourceAddressPrefixes"],
  ["source_application_security_group_ids", "sourceApplicationSecurityGroups"],
  ["source_port_range", "sourcePortRange"],
  ["source_port_ranges", "sourcePortRanges"],
  ["destination_address_prefix", "destinationAddressPrefix"],
  ["destination_address_prefixes", "destinationAddressPrefixes"],
  ["destination_application_security_group_ids", "destinationApplicationSecurityGroups"],
  ["destination_port_range", "destinationPortRange"],
  ["destination_port_ranges", "destinationPortRanges"],
] as const satisfies readonly (readonly [string, keyof SecurityRule])[];

const LIST_FIELDS = new Set<keyof SecurityRule>([
  "sourceAddressPrefixes",
  "sourcePortRanges",
  "destinationAddressPrefixes",
  "destinationPortRanges",
]);

const lower = (s: string) => s.toLowerCase();

const ARM_TYPES: Record<string, string> = {
  [AZURERM.nsg]: "networksecuritygroups",
  [AZURERM.asg]: "applicationsecuritygroups",
  [AZURERM.vnet]: "virtualnetworks",
  [AZURERM.subnet]: "virtualnetworks/subnets",
  [AZURERM.nic]: "networkinterfaces",
};

class Skip extends Error {}

/** Reads the resources into a topology, reporting what is not known. */
export function azurermTopology(resources: readonly TfResource[]): {
  topology: Topology;
  diagnostics: Diagnostic[];
} {
  return new Builder(resources).build();
}

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly asgs: ApplicationSecurityGroup[] = [];
  private readonly nsgs = new Map<string, NsgDraft>();
  private readonly vnets = new Map<string, VnetDraft>();
  private readonly nics = new Map<
    string,
    { name: string; nsg?: ResourceRef; configs: (IpConfiguration & { asgs: ResourceRef[] })[] }
  >();

  private readonly leftOutNics = new Set<string>();

  constructor(private readonly resources: readonly TfResource[]) {}

  build(): { topology: Topology; diagnostics: Diagnostic[] } {
    const of = (type: string) =>
      this.resources.filter((r): r is TfResource & { body: TfBlock } => {
        if (r.mode !== "managed" || r.type !== type) return false;
        if (r.body === undefined && r.skipped && READ.has(r.type))
          this.report(
            r.skipped.severity,
            r.skipped.severity === "info" ? "ResourceNotCreated" : "ExpressionNotStaticallyKnown",
            r.skipped.place,
            r.skipped.reason,
          );
        return r.body !== undefined;
      });
    // Declarations first, then what attaches to them.
    for (const r of of(AZURERM.asg)) this.guarded(() => this.asg(r.body));
    for (const r of of(AZURERM.nsg)) this.guarded(() => this.nsg(r.body));
    for (const r of of(AZURERM.vnet)) this.guarded(() => this.vnet(r.body));
    for (const r of of(AZURERM.subnet)) this.guarded(() => this.subnet(r.body));
    for (const r of of(AZURERM.nic)) this.guarded(() => this.nic(r.body));
    for (const r of of(AZURERM.rule)) this.guarded(() => this.ruleResource(r.body));
    for (const r of of(AZURERM.peering)) this.guarded(() => this.peering(r.body));
    for (const r of of(AZURERM.subnetNsg)) this.guarded(() => this.subnetAssociation(r.body));
    for (const r of of(AZURERM.nicNsg)) this.guarded(() => this.nicAssociation(r.body));
    for (const r of of(AZURERM.nicAsg)) this.guarded(() => this.nicAsgAssociation(r.body));
    const topology: Topology = {
      virtualNetworks: [...this.vnets.values()].map(vnetOf),
      networkSecurityGroups: [...this.nsgs.values()].map(nsgOf),
      applicationSecurityGroups: this.asgs,
      networkInterfaces: [...this.nics.values()].map(
        (n): NetworkInterface => ({
          name: n.name,
          ...(n.nsg === undefined ? {} : { networkSecurityGroup: n.nsg }),
          ipConfigurations: n.configs.map(({ asgs, ...c }) =>
            asgs.length === 0 ? c : { ...c, applicationSecurityGroups: asgs },
          ),
        }),
      ),
      environments: [],
    };
    return { topology, diagnostics: this.diagnostics };
  }

  private guarded(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
    }
  }

  private report(severity: Severity, code: string, place: Place, message: string): void {
    this.diagnostics.push({
      severity,
      code,
      message: `${place.text}: ${message}`,
      path: place.path,
      ...(place.location ? { location: place.location } : {}),
    });
  }

  /**
   * The attribute's value; when it is not known, reports it with `consequence`
   * ("the rule x is left out") and throws Skip unless the attribute is optional to the caller.
   */
  private value(
    block: TfBlock,
    attribute: string,
    consequence: string,
    severity: Severity = "warning",
    skip = true,
  ): TfValue | undefined {
    try {
      return block.get(attribute);
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.report(
        severity,
        "ExpressionNotStaticallyKnown",
        block.where(attribute),
        `${e.message}; ${consequence}`,
      );
      if (skip) throw new Skip();
      return undefined;
    }
  }

  private wrongType(block: TfBlock, attribute: string, what: string, consequence: string): never {
    this.report(
      "warning",
      "InvalidPropertyType",
      block.where(attribute),
      `should be ${what}; ${consequence}`,
    );
    throw new Skip();
  }

  private string(block: TfBlock, attribute: string, consequence: string): string | undefined {
    const v = this.value(block, attribute, consequence);
    if (v === undefined || v === "") return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return this.wrongType(block, attribute, "a string", consequence);
  }

  private required(block: TfBlock, attribute: string, consequence: string): string {
    const v = this.string(block, attribute, consequence);
    if (v === undefined) {
      this.report(
        "warning",
        "MissingProperty",
        block.where(),
        `${attribute} is not set; ${consequence}`,
      );
      throw new Skip();
    }
    return v;
  }

  private strings(block: TfBlock, attribute: string, consequence: string): string[] | undefined {
    const v = this.value(block, attribute, consequence);
    if (v === undefined) return undefined;
    if (!Array.isArray(v))
      return this.wrongType(block, attribute, "a list of strings", consequence);
    return v.map((item: TfValue) => {
      if (typeof item === "string" || typeof item === "number") return String(item);
      return this.wrongType(block, attribute, "a list of strings", consequence);
    });
  }

  /** A location is informative only: when not known, the resource stays, without it. */
  private location(block: TfBlock): { location?: string } {
    try {
      const v = block.get("location");
      return typeof v === "string" && v !== "" ? { location: v } : {};
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.report(
        "info",
        "ExpressionNotStaticallyKnown",
        block.where("location"),
        `${e.message}; the location is left to the deployment`,
      );
      return {};
    }
  }

  /** A reference to a resource of `type`: a configuration reference, an ARM id, or (where allowed) a name. */
  private reference(
    block: TfBlock,
    attribute: string,
    value: TfValue,
    type: string,
    consequence: string,
    names = false,
  ): { name: string; parent?: string; id?: string } {
    if (value instanceof ResourceId) {
      if (value.type !== type)
        this.wrongType(block, attribute, `a reference to a ${type}`, consequence);
      return { name: value.name, ...(value.parent === undefined ? {} : { parent: value.parent }) };
    }
    if (typeof value === "string" && value.startsWith("/")) {
      const id = armId(value);
      if (!id || id.type !== ARM_TYPES[type])
        return this.wrongType(block, attribute, `the id of a ${type}`, consequence);
      return { ...id, id: value };
    }
    if (typeof value === "string" && names && value !== "") return { name: value };
    return this.wrongType(
      block,
      attribute,
      names ? `the name of a ${type}` : `the id of a ${type}`,
      consequence,
    );
  }

  /** A model reference to an NSG or ASG: its name when declared here, else its ARM id. */
  private modelRef(target: { name: string; id?: string }, declared: boolean): ResourceRef {
    return declared || target.id === undefined ? target.name : { id: target.id };
  }

  private asg(block: TfBlock): void {
    const name = this.required(block, "name", "the application security group is left out");
    this.asgs.push({ name, ...this.location(block) });
  }

  private nsgDraft(name: string): NsgDraft {
    let nsg = this.nsgs.get(lower(name));
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(lower(name), nsg);
    }
    return nsg;
  }

  private nsg(block: TfBlock): void {
    const name = this.required(block, "name", "the NSG and its rules are left out");
    const nsg = this.nsgDraft(name);
    Object.assign(nsg, this.location(block));
    for (const r of this.knownBlocks(block, "security_rule", "rules"))
      this.guarded(() => nsg.rules.push(this.rule(r)));
  }

  /**
   * The nested blocks (or list attribute) of that name whose contents are
   * known; `dynamic` blocks and lists Terraform computes are reported and left out.
   */
  private knownBlocks(block: TfBlock, name: string, what: string): TfBlock[] {
    for (const place of block.dynamicBlocks(name))
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        place,
        `a dynamic block makes its ${what} only when Terraform runs; they are left out`,
      );
    try {
      return block.blocks(name);
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        block.where(name),
        `${e.message}; the ${what} are left out`,
      );
      return [];
    }
  }

  private rule(block: TfBlock): SecurityRule {
    let consequence = "the rule is left out";
    const name = this.required(block, "name", consequence);
    consequence = `the rule ${JSON.stringify(name)} is left out`;
    const rule: Record<string, unknown> = { name };
    for (const [attribute, field] of RULE_ATTRIBUTES) {
      if (field === "description") {
        const v = this.value(block, attribute, "the description is left out", "warning", false);
        if (typeof v === "string" && v !== "") rule[field] = v;
        continue;
      }
      if (field.endsWith("ApplicationSecurityGroups")) {
        const v = this.value(block, attribute, consequence);
        if (v === undefined) continue;
        if (!Array.isArray(v)) this.wrongType(block, attribute, "a list of ids", consequence);
        const refs = (v as readonly TfValue[]).map((item) => {
          const target = this.reference(block, attribute, item, AZURERM.asg, consequence);
          const declared = this.asgs.some((a) => lower(a.name) === lower(target.name));
          return this.modelRef(target, declared);
        });
        if (refs.length > 0) rule[field] = refs;
      } else if (field === "priority") {
        const v = this.value(block, attribute, consequence);
        const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
        if (typeof n === "number") rule[field] = n;
        else if (v !== undefined) this.wrongType(block, attribute, "a number", consequence);
      } else if (LIST_FIELDS.has(field)) {
        const v = this.strings(block, attribute, consequence);
        if (v !== undefined && v.length > 0) rule[field] = v;
      } else {
        const v = this.string(block, attribute, consequence);
        if (v !== undefined) rule[field] = v;
      }
    }
    return rule as unknown as SecurityRule;
  }

  private ruleResource(block: TfBlock): void {
    const rule = this.rule(block);
    const consequence = `the rule ${JSON.stringify(rule.name)} is left out`;
    const v = this.value(block, "network_security_group_name", consequence);
    if (typeof v !== "string" || v === "")
      this.wrongType(block, "network_security_group_name", "a name", consequence);
    const declared = this.nsgs.has(lower(v as string));
    if (!declared)
      this.report(
        "info",
        "ParentNotDeclared",
        block.where("network_security_group_name"),
        `NSG ${JSON.stringify(v)} is not declared in these files; its rule is imported into an NSG of that name`,
      );
    // A state lists a rule resource's rule in its NSG's security_rule too: the resource's wins.
    const rules = this.nsgDraft(v as string).rules;
    const same = rules.findIndex((r) => lower(r.name) === lower(rule.name));
    if (same < 0) rules.push(rule);
    else rules[same] = rule;
  }

  private vnetDraft(name: string): VnetDraft | undefined {
    return this.vnets.get(lower(name));
  }

  private prefixes(
    block: TfBlock,
    consequence: string,
  ): { addressPrefix?: string; addressPrefixes?: string[] } {
    const list = this.strings(block, "address_prefixes", consequence);
    const one = this.string(block, "address_prefix", consequence);
    const all = [...(list ?? []), ...(one === undefined ? [] : [one])];
    if (all.length === 0) {
      this.report(
        "warning",
        "MissingProperty",
        block.where(),
        `address_prefixes is not set; ${consequence}`,
      );
      throw new Skip();
    }
    return all.length === 1 ? { addressPrefix: all[0] as string } : { addressPrefixes: all };
  }

  private vnet(block: TfBlock): void {
    const name = this.required(block, "name", "the virtual network is left out");
    const prefixes =
      this.strings(
        block,
        "address_space",
        `the virtual network ${JSON.stringify(name)} is left out`,
      ) ?? [];
    const vnet: VnetDraft = {
      name,
      ...this.location(block),
      addressPrefixes: prefixes,
      subnets: [],
      peerings: [],
    };
    this.vnets.set(lower(name), vnet);
    for (const s of this.knownBlocks(block, "subnet", "subnets"))
      this.guarded(() => {
        const subnetName = this.required(s, "name", "the subnet is left out");
        const consequence = `the subnet ${JSON.stringify(subnetName)} is left out`;
        const subnet: Subnet = { name: subnetName, ...this.prefixes(s, consequence) };
        const nsg = this.nsgRef(
          s,
          "security_group",
          `subnet ${JSON.stringify(subnetName)} is imported without its NSG`,
        );
        this.addSubnet(vnet, nsg === undefined ? subnet : { ...subnet, networkSecurityGroup: nsg });
      });
  }

  /** Merges a subnet into its network (state lists a network's subnets inline and as resources). */
  private addSubnet(vnet: VnetDraft, subnet: Subnet): void {
    const i = vnet.subnets.findIndex((s) => lower(s.name) === lower(subnet.name));
    if (i < 0) vnet.subnets.push(subnet);
    else vnet.subnets[i] = { ...vnet.subnets[i], ...subnet };
  }

  /** An NSG id attribute as a model reference; undefined when unset, or not known (reported). */
  private nsgRef(block: TfBlock, attribute: string, consequence: string): ResourceRef | undefined {
    const v = this.value(block, attribute, consequence, "warning", false);
    if (v === undefined || v === "") return undefined;
    try {
      const target = this.reference(block, attribute, v, AZURERM.nsg, consequence);
      return this.modelRef(target, this.nsgs.has(lower(target.name)));
    } catch (e) {
      if (e instanceof Skip) return undefined;
      throw e;
    }
  }

  private subnet(block: TfBlock): void {
    const name = this.required(block, "name", "the subnet is left out");
    const consequence = `the subnet ${JSON.stringify(name)} is left out`;
    const vnetName = this.required(block, "virtual_network_name", consequence);
    const vnet = this.parentVnet(block, vnetName, consequence);
    if (!vnet) return;
    const subnet: Subnet = { name, ...this.prefixes(block, consequence) };
    // azurerm 1.x set the subnet's NSG on the subnet itself.
    const nsg = this.nsgRef(
      block,
      "network_security_group_id",
      `subnet ${JSON.stringify(name)} is imported without its NSG`,
    );
    this.addSubnet(vnet, nsg === undefined ? subnet : { ...subnet, networkSecurityGroup: nsg });
  }

  /** The virtual network a subnet or peering names, or undefined (reported) when these files do not declare it. */
  private parentVnet(block: TfBlock, vnetName: string, consequence: string): VnetDraft | undefined {
    const vnet = this.vnetDraft(vnetName);
    if (!vnet)
      this.report(
        "warning",
        "ParentNotDeclared",
        block.where("virtual_network_name"),
        `virtual network ${JSON.stringify(vnetName)} is not declared in these files; ${consequence}`,
      );
    return vnet;
  }

  private peering(block: TfBlock): void {
    const consequence = "the peering is left out";
    const name = this.string(block, "name", consequence);
    const vnetName = this.required(block, "virtual_network_name", consequence);
    const remoteValue = this.value(block, "remote_virtual_network_id", consequence);
    if (remoteValue === undefined) return;
    const remote = this.reference(
      block,
      "remote_virtual_network_id",
      remoteValue,
      AZURERM.vnet,
      consequence,
    );
    const vnet = this.parentVnet(block, vnetName, consequence);
    if (!vnet) return;
    const remoteRef: ResourceRef =
      this.vnetDraft(remote.name) || remote.id === undefined ? remote.name : { id: remote.id };
    vnet.peerings.push({
      ...(name === undefined ? {} : { name }),
      remoteVirtualNetwork: remoteRef,
    });
  }

  private nic(block: TfBlock): void {
    const name = this.required(block, "name", "the network interface is left out");
    const configs: (IpConfiguration & { asgs: ResourceRef[] })[] = [];
    let blocks: TfBlock[] = [];
    try {
      blocks = block.blocks("ip_configuration");
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        block.where("ip_configuration"),
        `${e.message}; its IP configurations are left out`,
      );
    }
    for (const place of block.dynamicBlocks("ip_configuration"))
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        place,
        "a dynamic block makes its IP configurations only when Terraform runs; they are left out",
      );
    for (const c of blocks)
      this.guarded(() => {
        const configName = this.string(c, "name", "the IP configuration is left out");
        const consequence = `IP configuration ${JSON.stringify(configName ?? "")} is left out`;
        const allocation = this.string(c, "private_ip_address_allocation", consequence);
        if (allocation !== undefined && lower(allocation) === "dynamic") {
          this.report(
            "warning",
            "ExpressionNotStaticallyKnown",
            c.where("private_ip_address_allocation"),
            `a Dynamic private address is assigned by Azure when deploying; ${consequence}`,
          );
          return;
        }
        const address = this.required(c, "private_ip_address", consequence);
        const subnetValue = this.value(c, "subnet_id", consequence);
        if (subnetValue === undefined) {
          this.report(
            "warning",
            "MissingProperty",
            c.where(),
            `subnet_id is not set; ${consequence}`,
          );
          return;
        }
        const subnet = this.reference(c, "subnet_id", subnetValue, AZURERM.subnet, consequence);
        const asgs = (this.value(c, "application_security_group_ids", consequence) ??
          []) as TfValue;
        const asgRefs = Array.isArray(asgs)
          ? asgs.map((a: TfValue) => {
              const t = this.reference(
                c,
                "application_security_group_ids",
                a,
                AZURERM.asg,
                consequence,
              );
              return this.modelRef(
                t,
                this.asgs.some((x) => lower(x.name) === lower(t.name)),
              );
            })
          : [];
        configs.push({
          ...(configName === undefined ? {} : { name: configName }),
          privateIPAddress: address,
          subnet: subnet.parent === undefined ? subnet.name : `${subnet.parent}/${subnet.name}`,
          asgs: asgRefs,
        });
      });
    const nsg = this.nsgRef(
      block,
      "network_security_group_id",
      `network interface ${JSON.stringify(name)} is imported without its NSG`,
    );
    if (
      configs.length === 0 &&
      (blocks.length > 0 || block.dynamicBlocks("ip_configuration").length > 0)
    ) {
      // Azure requires an IP configuration; a NIC without a known one cannot be modelled.
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        block.where(),
        `network interface ${JSON.stringify(name)} has no IP configuration with a known address; it is left out, with its associations`,
      );
      this.leftOutNics.add(lower(name));
      return;
    }
    this.nics.set(lower(name), { name, ...(nsg === undefined ? {} : { nsg }), configs });
  }

  /** The declared subnet an association names, or undefined (reported). */
  private associatedSubnet(
    block: TfBlock,
    consequence: string,
  ): { vnet: VnetDraft; index: number } | undefined {
    const v = this.value(block, "subnet_id", consequence);
    if (v === undefined) return undefined;
    const target = this.reference(block, "subnet_id", v, AZURERM.subnet, consequence);
    const vnet = target.parent === undefined ? undefined : this.vnetDraft(target.parent);
    const index = vnet?.subnets.findIndex((s) => lower(s.name) === lower(target.name)) ?? -1;
    if (!vnet || index < 0) {
      this.report(
        "warning",
        "ParentNotDeclared",
        block.where("subnet_id"),
        `subnet ${target.parent ?? "?"}/${target.name} is not declared in these files; ${consequence}`,
      );
      return undefined;
    }
    return { vnet, index };
  }

  private subnetAssociation(block: TfBlock): void {
    const consequence = "the association is left out";
    const at = this.associatedSubnet(block, consequence);
    if (!at) return;
    const nsg = this.nsgRef(block, "network_security_group_id", consequence);
    if (nsg === undefined) return;
    const subnet = at.vnet.subnets[at.index] as Subnet;
    at.vnet.subnets[at.index] = { ...subnet, networkSecurityGroup: nsg };
  }

  private associatedNic(block: TfBlock, consequence: string) {
    const v = this.value(block, "network_interface_id", consequence);
    if (v === undefined) return undefined;
    const target = this.reference(block, "network_interface_id", v, AZURERM.nic, consequence);
    const nic = this.nics.get(lower(target.name));
    if (!nic && !this.leftOutNics.has(lower(target.name)))
      this.report(
        "warning",
        "ParentNotDeclared",
        block.where("network_interface_id"),
        `network interface ${target.name} is not declared in these files; ${consequence}`,
      );
    return nic;
  }

  private nicAssociation(block: TfBlock): void {
    const consequence = "the association is left out";
    const nic = this.associatedNic(block, consequence);
    if (!nic) return;
    const nsg = this.nsgRef(block, "network_security_group_id", consequence);
    if (nsg !== undefined) nic.nsg = nsg;
  }

  private nicAsgAssociation(block: TfBlock): void {
    const consequence = "the association is left out";
    const nic = this.associatedNic(block, consequence);
    if (!nic) return;
    const v = this.value(block, "application_security_group_id", consequence);
    if (v === undefined) return;
    const target = this.reference(
      block,
      "application_security_group_id",
      v,
      AZURERM.asg,
      consequence,
    );
    const ref = this.modelRef(
      target,
      this.asgs.some((a) => lower(a.name) === lower(target.name)),
    );
    // azurerm 1.x named one IP configuration; later versions join every configuration of the interface.
    const only = this.string(block, "ip_configuration_name", consequence);
    for (const c of nic.configs)
      if (only === undefined || lower(c.name ?? "") === lower(only))
        if (
          !c.asgs.some(
            (a) =>
              lower(typeof a === "string" ? a : a.id) ===
              lower(typeof ref === "string" ? ref : ref.id),
          )
        )
          c.asgs.push(ref);
  }
}
