/**
 * The cmdlets that create and change network resources, classic Service
 * Management (`New-AzureNetworkSecurityGroup`, `Set-AzureNetworkSecurityRule`,
 * `Set-AzureNetworkSecurityGroupToSubnet`) and Az (`New-AzNetworkSecurityRuleConfig`,
 * `New-AzNetworkSecurityGroup`, `Set-AzVirtualNetworkSubnetConfig`, ...), and
 * the NSGs, virtual networks and ASGs they build up.
 */
import { error, info, warning } from "../../model/diagnostic.js";
import { isValidResourceName } from "../../model/rule.js";
import { classicTagReplacement } from "../../model/service-tags.js";
import {
  type ApplicationSecurityGroup,
  type ResourceRef,
  refName,
  type SecurityRule,
  type Subnet,
  type Topology,
} from "../../model/types.js";
import { parseRuleProtocol } from "../../net/protocol.js";
import { Origins } from "../shared/origins.js";
import { PORT_RANGE_TRIMMED, trimmedMessage, trimmedPortRange } from "../shared/port-ranges.js";
import type { NetworkLookups } from "./interfaces.js";
import type { Handler, Held, Params, Script } from "./script.js";
import type { Command } from "./syntax.js";
import type { Pos } from "./tokens.js";

interface NsgState {
  name: string;
  location?: string;
  rules: SecurityRule[];
}

interface VnetState {
  name: string;
  location?: string;
  addressPrefixes: string[];
  subnets: Subnet[];
  placeholder: boolean;
  pos: Pos;
}

/**
 * A change `Set-` or `Add-AzVirtualNetworkSubnetConfig` makes to a virtual
 * network object: Azure gets it only when `Set-AzVirtualNetwork` saves the object.
 */
interface SubnetChange {
  readonly vnet: string;
  readonly vnetPos: Pos;
  readonly subnet: Subnet;
  readonly command: Command;
}

export class NetworkCmdlets implements NetworkLookups {
  private readonly nsgs = new Map<string, NsgState>();
  private readonly vnets = new Map<string, VnetState>();
  /** Subnet changes to virtual network objects not saved yet, in the script's order. */
  private unsaved: SubnetChange[] = [];
  private readonly asgs = new Map<string, ApplicationSecurityGroup>();

  /** `origins` records where each value written came from. */
  constructor(
    private readonly script: Script,
    private readonly origins = new Origins(),
  ) {}

  /** Where a position of the script is. */
  private at(pos: Pos | undefined) {
    return pos && this.script.locationOf(pos);
  }

  /** The handler of each cmdlet this class reads. */
  handlers(): Record<string, Handler> {
    return {
      "New-AzureNetworkSecurityGroup": (c) => this.newNsg(c, true),
      "Get-AzureNetworkSecurityGroup": (c) => this.getNsg(c, true),
      "Set-AzureNetworkSecurityRule": (c, input) => this.setRule(c, input, true),
      "Remove-AzureNetworkSecurityRule": (c, input) => this.removeRule(c, input, true),
      "Set-AzureNetworkSecurityGroupToSubnet": (c, input) => this.classicToSubnet(c, input),
      "New-AzNetworkSecurityRuleConfig": (c) => this.newRuleConfig(c),
      "New-AzNetworkSecurityGroup": (c) => this.newNsg(c, false),
      "Get-AzNetworkSecurityGroup": (c) => this.getNsg(c, false),
      "Add-AzNetworkSecurityRuleConfig": (c, input) => this.setRule(c, input, false),
      "Set-AzNetworkSecurityRuleConfig": (c, input) => this.setRule(c, input, false),
      "Remove-AzNetworkSecurityRuleConfig": (c, input) => this.removeRule(c, input, false),
      "Set-AzNetworkSecurityGroup": (c, input) => this.saveNsg(c, input),
      "Get-AzVirtualNetwork": (c) => this.getVnet(c),
      "New-AzVirtualNetwork": (c) => this.newVnet(c),
      "Set-AzVirtualNetwork": (c, input) => this.saveVnet(c, input),
      "New-AzVirtualNetworkSubnetConfig": (c) => this.newSubnetConfig(c),
      "Set-AzVirtualNetworkSubnetConfig": (c, input) => this.subnetConfig(c, input),
      "Add-AzVirtualNetworkSubnetConfig": (c, input) => this.subnetConfig(c, input),
      "Get-AzVirtualNetworkSubnetConfig": (c, input) => this.getSubnetConfig(c, input),
      "New-AzApplicationSecurityGroup": (c) => this.asg(c, true),
      "Get-AzApplicationSecurityGroup": (c) => this.asg(c, false),
    };
  }

  topology(): Topology {
    for (const change of this.unsaved) {
      const nsg = change.subnet.networkSecurityGroup;
      this.script.report(
        info(
          "SubnetChangeNotSaved",
          `${change.command.name} changes the virtual network object only, and no later Set-AzVirtualNetwork saves ${JSON.stringify(change.vnet)}: Azure never gets subnet ${JSON.stringify(change.subnet.name)}${nsg === undefined ? "" : ` with NSG ${JSON.stringify(refName(nsg))}`}, so it is not imported`,
          [],
          `save the change: $vnet | Set-AzVirtualNetwork`,
        ),
        change.command.pos,
      );
    }
    const virtualNetworks = [...this.vnets.values()].map((v) => {
      if (v.placeholder) {
        // Its address space is for the user to give, or another file to declare.
        this.origins.placeholder(v);
        this.origins.stub(v, "addressSpace");
        this.script.report(
          info(
            "PlaceholderVirtualNetwork",
            `virtual network ${JSON.stringify(v.name)} appears only by name; it is imported without address space, with only the subnets the script names`,
            [],
            "add its address space and subnets' prefixes to the spec",
          ),
          v.pos,
        );
      }
      const vnet = {
        name: v.name,
        ...(v.location === undefined ? {} : { location: v.location }),
        addressSpace: { addressPrefixes: v.addressPrefixes },
        subnets: v.subnets,
      };
      this.origins.carry(v, vnet);
      return vnet;
    });
    return {
      virtualNetworks,
      networkSecurityGroups: [...this.nsgs.values()].map((n) => {
        const nsg = {
          name: n.name,
          ...(n.location === undefined ? {} : { location: n.location }),
          securityRules: n.rules,
        };
        this.origins.carry(n, nsg);
        return nsg;
      }),
      applicationSecurityGroups: [...this.asgs.values()],
      networkInterfaces: [],
      environments: [],
    };
  }

  /** `.Id` stands for the object, `.Name` for its name, `.Subnets[N]` for a network's subnet. */
  members(held: Held, path: string): Held | undefined {
    const named = "name" in held ? held.name : undefined;
    if (/^\.Id$/i.test(path) && named !== undefined) return held;
    if (/^\.Name$/i.test(path) && named !== undefined)
      return { kind: "text", text: named, pos: held.pos };
    const m = /^\.Subnets\[(\d+)\](\.Id)?$/i.exec(path);
    if (m && held.kind === "vnet") {
      const subnet = this.vnets.get(lower(held.name))?.subnets[Number(m[1])];
      if (subnet) return { kind: "subnetOf", vnet: held.name, name: subnet.name, pos: held.pos };
    }
    return undefined;
  }

  /** The subnet a held value stands for, as the model refers to it. */
  subnetRef(command: Command, param: string, held: Held): ResourceRef | undefined {
    if (held.kind === "subnetOf") return `${held.vnet}/${held.name}`;
    if (held.kind === "text" && held.text.startsWith("/")) return { id: held.text };
    if (held.kind === "subnet") {
      // A subnet config object: the network it was given to.
      const within = [...this.vnets.values()].filter((v) =>
        v.subnets.some((s) => lower(s.name) === lower(held.subnet.name)),
      );
      if (within.length === 1) return `${within[0]?.name}/${held.subnet.name}`;
    }
    if (held.kind === "unknownVar") {
      this.script.report(
        warning(
          "ValueNotStaticallyKnown",
          `${command.name}: -${param} is $${held.name}, which the script does not set; the subnet is not known`,
          [],
          `set it with $${held.name} = Get-AzVirtualNetworkSubnetConfig -Name <subnet> -VirtualNetwork $vnet`,
        ),
        held.pos,
      );
      return undefined;
    }
    this.script.badValue(
      command,
      param,
      held,
      "a subnet of a virtual network ($vnet.Subnets[0], Get-AzVirtualNetworkSubnetConfig) or a subnet id",
    );
    return undefined;
  }

  /** The NSG a held value stands for: an NSG object, a variable the script does not set, an id. */
  nsgRef(command: Command, param: string, held: Held): ResourceRef | undefined {
    if (held.kind === "nsg") return held.name;
    if (held.kind === "unknownVar") return this.nsgFromVariable(held.name, held.pos).name;
    if (held.kind === "text" && held.text !== "")
      return held.text.startsWith("/") ? { id: held.text } : held.text;
    this.script.badValue(command, param, held, "one network security group");
    return undefined;
  }

  /** Get-AzVirtualNetworkSubnetConfig -Name: that subnet of the network given or piped in. */
  private getSubnetConfig(
    command: Command,
    input: readonly Held[] | undefined,
  ): Held[] | undefined {
    const p = this.script.params(command, ["Name", "VirtualNetwork", "ResourceId"]);
    const name = p.required("Name");
    const given = p.all("VirtualNetwork");
    const vnet = (given.length > 0 ? given : (input ?? []))[0];
    if (!name) return undefined;
    if (vnet?.kind !== "vnet" && vnet?.kind !== "unknownVar") {
      if (vnet) this.script.badValue(command, "VirtualNetwork", vnet, "one virtual network");
      return undefined;
    }
    const state = this.vnetNamed(vnet.name, vnet.pos);
    if (!state.subnets.some((s) => lower(s.name) === lower(name.text))) {
      // A subnet of a network the script only names: its range is for the user to give.
      const subnet = { name: name.text };
      this.origins.record(subnet, this.at(name.pos), { name: this.at(name.pos) });
      this.origins.stub(subnet);
      this.putSubnet(state, subnet);
    }
    return [{ kind: "subnetOf", vnet: state.name, name: name.text, pos: command.pos }];
  }

  // --- network security groups ---------------------------------------------

  private nsgNamed(name: string, pos: Pos, classic: boolean, create = false): NsgState {
    const armName = classic ? this.armName("network security group", name, pos) : name;
    const key = armName.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name: armName, rules: [] };
      this.nsgs.set(key, nsg);
      this.origins.record(nsg, this.at(pos), { name: this.at(pos) });
      // An NSG the script only adds rules to merges into one another file declares.
      if (!create) this.origins.placeholder(nsg);
      if (!create)
        this.script.report(
          info(
            "NetworkSecurityGroupNotCreated",
            `the script does not create network security group ${JSON.stringify(armName)}; only the rules it adds are imported`,
            [],
          ),
          pos,
        );
    }
    return nsg;
  }

  private renamed = new Set<string>();

  /** A classic name made valid for Resource Manager: runs of other characters become '-'. */
  private armName(kind: string, name: string, pos: Pos): string {
    if (isValidResourceName(name)) return name;
    const replaced = name
      .replace(/[^A-Za-z0-9_.-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .replace(/[.-]+$/, "");
    if (replaced === "" || replaced === name) return name;
    const key = `${kind}\0${name}\0${pos.line}:${pos.column}`;
    if (!this.renamed.has(key)) {
      this.renamed.add(key);
      this.script.report(
        info(
          "RenamedForResourceManager",
          `${kind} ${JSON.stringify(name)} is imported as ${JSON.stringify(replaced)}: Resource Manager names allow only letters, digits, '.', '-' and '_'`,
          [],
        ),
        pos,
      );
    }
    return replaced;
  }

  private newNsg(command: Command, classic: boolean): Held[] | undefined {
    const p = this.script.params(
      command,
      classic
        ? ["Name", "Location", "Label"]
        : ["Name", "ResourceGroupName", "Location", "SecurityRules", "Tag", "FlushConnection"],
    );
    const name = p.required("Name");
    if (!name) return undefined;
    const nsg = this.nsgNamed(name.text, name.pos, classic, true);
    this.origins.placeholder(nsg, false);
    const location = p.optionalText("Location");
    if (location) nsg.location = location.text;
    for (const held of p.all("SecurityRules")) {
      if (held.kind === "rule") this.putRule(nsg, held.rule);
      else
        this.script.badValue(
          command,
          "SecurityRules",
          held,
          "a rule from New-AzNetworkSecurityRuleConfig",
        );
    }
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private getNsg(command: Command, classic: boolean): Held[] | undefined {
    const p = this.script.params(command, classic ? ["Name"] : ["Name", "ResourceGroupName"]);
    const name = p.required("Name");
    if (!name) return undefined;
    const nsg = this.nsgNamed(name.text, name.pos, classic);
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  /** The NSG a command works on: from `-NetworkSecurityGroup`, else from the pipeline. */
  private targetNsg(
    command: Command,
    p: Params,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): NsgState | undefined {
    const given = p.all("NetworkSecurityGroup");
    const held = given.length > 0 ? given : (input ?? []);
    const first = held[0];
    if (held.length === 1 && first) {
      if (first.kind === "nsg") return this.nsgs.get(first.name.toLowerCase());
      if (first.kind === "text") return this.nsgNamed(first.text, first.pos, classic);
      if (first.kind === "unknownVar") return this.nsgFromVariable(first.name, first.pos);
    }
    if (first)
      this.script.badValue(command, "NetworkSecurityGroup", first, "one network security group");
    else
      this.script.report(
        error(
          "MissingNetworkSecurityGroup",
          `${command.name}: no network security group given; pass -NetworkSecurityGroup or pipe one in`,
          [],
        ),
        command.pos,
      );
    return undefined;
  }

  private nsgFromVariable(variable: string, pos: Pos): NsgState {
    const existing = this.nsgs.get(variable.toLowerCase());
    if (existing) return existing;
    this.script.report(
      info(
        "NetworkSecurityGroupNamedAfterVariable",
        `$${variable} is not set in the script; the network security group is named ${JSON.stringify(variable)}`,
        [],
      ),
      pos,
    );
    const nsg: NsgState = { name: variable, rules: [] };
    this.nsgs.set(variable.toLowerCase(), nsg);
    this.origins.record(nsg, this.at(pos), { name: this.at(pos) });
    this.origins.placeholder(nsg);
    return nsg;
  }

  private putRule(nsg: NsgState, rule: SecurityRule): void {
    const at = nsg.rules.findIndex((r) => r.name.toLowerCase() === rule.name.toLowerCase());
    if (at < 0) nsg.rules.push(rule);
    else nsg.rules[at] = rule;
  }

  private setRule(
    command: Command,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): Held[] | undefined {
    const p = this.script.params(command, [
      ...RULE_PARAMS,
      ...(classic ? ["Type", "Action"] : ["Access", "Direction", "Description", ...ASG_PARAMS]),
      "NetworkSecurityGroup",
    ]);
    const nsg = this.targetNsg(command, p, input, classic);
    const rule = this.buildRule(command, p, classic);
    if (!nsg) return undefined;
    if (rule) this.putRule(nsg, rule);
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private removeRule(
    command: Command,
    input: readonly Held[] | undefined,
    classic: boolean,
  ): Held[] | undefined {
    const p = this.script.params(command, ["Name", "NetworkSecurityGroup"]);
    const nsg = this.targetNsg(command, p, input, classic);
    const name = p.required("Name");
    if (!nsg || !name) return undefined;
    const ruleName = classic ? this.armName("security rule", name.text, name.pos) : name.text;
    nsg.rules = nsg.rules.filter((r) => r.name.toLowerCase() !== ruleName.toLowerCase());
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private saveNsg(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.script.params(command, ["NetworkSecurityGroup"]);
    const nsg = this.targetNsg(command, p, input, false);
    return nsg ? [{ kind: "nsg", name: nsg.name, pos: command.pos }] : undefined;
  }

  private newRuleConfig(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      ...RULE_PARAMS,
      "Access",
      "Direction",
      "Description",
      ...ASG_PARAMS,
    ]);
    const rule = this.buildRule(command, p, false);
    return rule ? [{ kind: "rule", rule, pos: command.pos }] : undefined;
  }

  private buildRule(command: Command, p: Params, classic: boolean): SecurityRule | undefined {
    const name = p.required("Name");
    const priority = p.required("Priority");
    const access = p.required(classic ? "Action" : "Access");
    const direction = p.required(classic ? "Type" : "Direction");
    const protocol = p.required("Protocol");
    if (!name || !priority || !access || !direction || !protocol) return undefined;
    if (!/^\d+$/.test(priority.text)) {
      this.script.report(
        error(
          "InvalidParameterValue",
          `${command.name}: -Priority ${JSON.stringify(priority.text)} is not a whole number`,
          [],
        ),
        priority.pos,
      );
      return undefined;
    }
    const description = p.text("Description");
    const rule: Record<string, unknown> = {
      name: classic ? this.armName("security rule", name.text, name.pos) : name.text,
      ...(description ? { description: description.text } : {}),
      protocol: parseRuleProtocol(protocol.text) ?? protocol.text,
      access: caseOf(["Allow", "Deny"], access.text),
      priority: Number(priority.text),
      direction: caseOf(["Inbound", "Outbound"], direction.text),
    };
    for (const side of ["Source", "Destination"] as const) {
      const asgs = this.asgRefs(command, p, side);
      if (asgs.length > 0) rule[`${side.toLowerCase()}ApplicationSecurityGroups`] = asgs;
    }
    this.origins.record(rule, this.at(command.pos), {
      name: this.at(name.pos),
      priority: this.at(priority.pos),
      access: this.at(access.pos),
      direction: this.at(direction.pos),
      protocol: this.at(protocol.pos),
      description: this.at(description?.pos),
    });
    for (const [param, field, tags] of [
      ["SourceAddressPrefix", "sourceAddressPrefix", true],
      ["SourcePortRange", "sourcePortRange", false],
      ["DestinationAddressPrefix", "destinationAddressPrefix", true],
      ["DestinationPortRange", "destinationPortRange", false],
    ] as const) {
      const positions = p.all(param).map((held) => held.pos);
      const values = p.texts(param).map((t, k) => {
        if (tags) return classic ? classicTag(t) : t;
        const trimmed = trimmedPortRange(t);
        if (trimmed === undefined) return t;
        this.script.report(
          info(PORT_RANGE_TRIMMED, `${command.name}: ${trimmedMessage(t)}`, []),
          positions[k] ?? command.pos,
        );
        return trimmed;
      });
      const plural = `${field}${field.endsWith("x") ? "es" : "s"}`;
      if (values.length === 1) rule[field] = values[0];
      else if (values.length > 1) rule[plural] = values;
      this.origins.field(rule, values.length > 1 ? plural : field, this.at(positions[0]));
      if (values.length > 1)
        positions.forEach((pos, k) => {
          this.origins.field(values, k, this.at(pos));
        });
    }
    return rule as unknown as SecurityRule;
  }

  // --- application security groups ---------------------------------------

  private asg(command: Command, create: boolean): Held[] | undefined {
    const p = this.script.params(
      command,
      create ? ["Name", "ResourceGroupName", "Location", "Tag"] : ["Name", "ResourceGroupName"],
    );
    const name = p.required("Name");
    if (!name) return undefined;
    const key = name.text.toLowerCase();
    const location = create ? p.optionalText("Location") : undefined;
    const known = this.asgs.get(key);
    if (!known && !create)
      this.script.report(
        info(
          "ApplicationSecurityGroupNotCreated",
          `the script does not create application security group ${JSON.stringify(name.text)}; it is imported by name`,
          [],
        ),
        name.pos,
      );
    const asg = {
      name: known?.name ?? name.text,
      ...(location
        ? { location: location.text }
        : known?.location
          ? { location: known.location }
          : {}),
    };
    this.origins.record(asg, this.at(name.pos), { name: this.at(name.pos) });
    this.asgs.set(key, asg);
    return [{ kind: "asg", name: known?.name ?? name.text, pos: command.pos }];
  }

  /** `-SourceApplicationSecurityGroup` (objects) or `-SourceApplicationSecurityGroupId` (ids), and the same for destination. */
  private asgRefs(command: Command, p: Params, side: "Source" | "Destination"): ResourceRef[] {
    const objects = p.all(`${side}ApplicationSecurityGroup`).flatMap((held): ResourceRef[] => {
      if (held.kind === "asg") return [held.name];
      this.script.badValue(
        command,
        `${side}ApplicationSecurityGroup`,
        held,
        "an application security group from New- or Get-AzApplicationSecurityGroup",
      );
      return [];
    });
    const ids = p
      .texts(`${side}ApplicationSecurityGroupId`)
      .map((id): ResourceRef => (id.startsWith("/") ? { id } : id));
    return [...objects, ...ids];
  }

  // --- virtual networks and subnets -------------------------------------

  private vnetNamed(name: string, pos: Pos): VnetState {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], placeholder: true, pos };
      this.vnets.set(key, vnet);
      this.origins.record(vnet, this.at(pos), { name: this.at(pos) });
    }
    return vnet;
  }

  private putSubnet(vnet: VnetState, subnet: Subnet): void {
    const at = vnet.subnets.findIndex((s) => s.name.toLowerCase() === subnet.name.toLowerCase());
    if (at < 0) {
      vnet.subnets.push(subnet);
      return;
    }
    const before = vnet.subnets[at] as Subnet;
    const updated = { ...before, ...subnet };
    this.origins.carry(before, updated);
    for (const key of Object.keys(subnet)) this.origins.copyField(subnet, key, updated);
    if (updated.addressPrefix !== undefined || updated.addressPrefixes !== undefined)
      this.origins.unstub(updated);
    vnet.subnets[at] = updated;
  }

  private classicToSubnet(
    command: Command,
    input: readonly Held[] | undefined,
  ): Held[] | undefined {
    const p = this.script.params(command, ["Name", "VirtualNetworkName", "SubnetName"]);
    const name = p.text("Name");
    const nsg = name
      ? this.nsgNamed(name.text, name.pos, true)
      : this.targetNsg(command, p, input, true);
    const vnetName = p.required("VirtualNetworkName");
    const subnetName = p.required("SubnetName");
    if (!nsg || !vnetName || !subnetName) return undefined;
    const subnet = { name: subnetName.text, networkSecurityGroup: nsg.name };
    this.origins.record(subnet, this.at(command.pos), {
      name: this.at(subnetName.pos),
      networkSecurityGroup: this.at(name?.pos ?? command.pos),
    });
    // The classic cmdlet names the subnet only: its range is for the user to give.
    this.origins.stub(subnet);
    this.putSubnet(this.vnetNamed(vnetName.text, vnetName.pos), subnet);
    return [{ kind: "nsg", name: nsg.name, pos: command.pos }];
  }

  private getVnet(command: Command): Held[] | undefined {
    const p = this.script.params(command, ["Name", "ResourceGroupName"]);
    const name = p.required("Name");
    return name ? [{ kind: "vnet", name: name.text, pos: name.pos }] : undefined;
  }

  private newVnet(command: Command): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "ResourceGroupName",
      "Location",
      "AddressPrefix",
      "Subnet",
      "Tag",
    ]);
    const name = p.required("Name");
    if (!name) return undefined;
    const vnet = this.vnetNamed(name.text, name.pos);
    vnet.placeholder = false;
    vnet.addressPrefixes = p.texts("AddressPrefix");
    this.origins.record(vnet, this.at(command.pos), {
      name: this.at(name.pos),
      addressSpace: this.at(p.all("AddressPrefix")[0]?.pos),
    });
    p.all("AddressPrefix").forEach((held, k) => {
      this.origins.field(vnet.addressPrefixes, k, this.at(held.pos));
    });
    const location = p.optionalText("Location");
    if (location) vnet.location = location.text;
    for (const held of p.all("Subnet")) {
      if (held.kind === "subnet") this.putSubnet(vnet, held.subnet);
      else
        this.script.badValue(
          command,
          "Subnet",
          held,
          "a subnet from New-AzVirtualNetworkSubnetConfig",
        );
    }
    return [{ kind: "vnet", name: vnet.name, pos: command.pos }];
  }

  /** `Set-AzVirtualNetwork`: the subnet changes made to the network object reach Azure. */
  private saveVnet(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.script.params(command, ["VirtualNetwork"]);
    const given = p.all("VirtualNetwork");
    const held = given.length > 0 ? given : [...(input ?? [])];
    const saved = new Set(
      held.flatMap((h) => (h.kind === "vnet" || h.kind === "unknownVar" ? [lower(h.name)] : [])),
    );
    for (const change of this.unsaved.filter((c) => saved.has(lower(c.vnet))))
      this.putSubnet(this.vnetNamed(change.vnet, change.vnetPos), change.subnet);
    this.unsaved = this.unsaved.filter((c) => !saved.has(lower(c.vnet)));
    return held;
  }

  /** The subnet fields `-AddressPrefix` and `-NetworkSecurityGroup` give. */
  private subnetFields(command: Command, p: Params, name: string): Subnet {
    const prefixes = p.texts("AddressPrefix");
    let networkSecurityGroup: string | undefined;
    const given = p.all("NetworkSecurityGroup");
    const first = given[0];
    if (given.length === 1 && first?.kind === "nsg") networkSecurityGroup = first.name;
    else if (given.length === 1 && first?.kind === "unknownVar")
      networkSecurityGroup = this.nsgFromVariable(first.name, first.pos).name;
    else if (given.length === 1 && first?.kind === "text") networkSecurityGroup = first.text;
    else if (first)
      this.script.badValue(command, "NetworkSecurityGroup", first, "one network security group");
    const subnet = {
      name,
      ...(prefixes.length === 1 ? { addressPrefix: prefixes[0] } : {}),
      ...(prefixes.length > 1 ? { addressPrefixes: prefixes } : {}),
      ...(networkSecurityGroup === undefined ? {} : { networkSecurityGroup }),
    };
    const prefixAt = this.at(p.all("AddressPrefix")[0]?.pos);
    this.origins.record(subnet, this.at(command.pos), {
      addressPrefix: prefixAt,
      addressPrefixes: prefixAt,
      networkSecurityGroup: this.at(first?.pos),
    });
    if (prefixes.length === 0) this.origins.stub(subnet);
    return subnet;
  }

  private newSubnetConfig(command: Command): Held[] | undefined {
    const p = this.script.params(command, ["Name", "AddressPrefix", "NetworkSecurityGroup"]);
    const name = p.required("Name");
    if (!name) return undefined;
    return [{ kind: "subnet", subnet: this.subnetFields(command, p, name.text), pos: command.pos }];
  }

  private subnetConfig(command: Command, input: readonly Held[] | undefined): Held[] | undefined {
    const p = this.script.params(command, [
      "Name",
      "VirtualNetwork",
      "AddressPrefix",
      "NetworkSecurityGroup",
    ]);
    const name = p.required("Name");
    const given = p.all("VirtualNetwork");
    const held = given.length > 0 ? given : (input ?? []);
    const first = held[0];
    let vnet: { name: string; pos: Pos } | undefined;
    if (held.length === 1 && first?.kind === "vnet") vnet = first;
    else if (held.length === 1 && first?.kind === "unknownVar") {
      this.script.report(
        info(
          "VirtualNetworkNamedAfterVariable",
          `$${first.name} is not set in the script; the virtual network is named ${JSON.stringify(first.name)}`,
          [],
          `set it with $${first.name} = Get-AzVirtualNetwork -Name <name> -ResourceGroupName <group>`,
        ),
        first.pos,
      );
      vnet = first;
    } else if (first) this.script.badValue(command, "VirtualNetwork", first, "one virtual network");
    else
      this.script.report(
        error(
          "MissingVirtualNetwork",
          `${command.name}: no virtual network given; pass -VirtualNetwork or pipe one in`,
          [],
        ),
        command.pos,
      );
    if (!vnet || !name) return undefined;
    this.unsaved.push({
      vnet: vnet.name,
      vnetPos: vnet.pos,
      subnet: this.subnetFields(command, p, name.text),
      command,
    });
    return [{ kind: "vnet", name: vnet.name, pos: command.pos }];
  }
}

const RULE_PARAMS = [
  "Name",
  "Priority",
  "Protocol",
  "SourceAddressPrefix",
  "SourcePortRange",
  "DestinationAddressPrefix",
  "DestinationPortRange",
];
/** Application security groups exist only in Resource Manager: the Az cmdlets take them. */
const ASG_PARAMS = [
  "SourceApplicationSecurityGroup",
  "SourceApplicationSecurityGroupId",
  "DestinationApplicationSecurityGroup",
  "DestinationApplicationSecurityGroupId",
];

const lower = (s: string) => s.toLowerCase();

function caseOf(options: readonly string[], text: string): string {
  return options.find((o) => o.toLowerCase() === text.toLowerCase()) ?? text;
}

function classicTag(text: string): string {
  return classicTagReplacement(text.toUpperCase()) ?? text;
}
