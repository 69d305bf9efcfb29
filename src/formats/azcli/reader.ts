/**
 * What reading an az CLI script collects: the diagnostics, each at its line
 * and column, the script's variables, and the resources its commands create,
 * by name as az finds them (case-insensitively).
 */
import { type Diagnostic, error, info, type Severity, warning } from "../../model/diagnostic.js";
import type {
  ApplicationSecurityGroup,
  NetworkInterface,
  PublicIPAddress,
  ResourceRef,
  Topology,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { type LeftOut, reporting } from "../shared/left-out.js";
import { type Origin, Origins } from "../shared/origins.js";
import {
  NAME_PLACEHOLDER_CODE,
  newPlaceholders,
  placeholderMessage,
} from "../shared/placeholders.js";
import { Inventory } from "../shared/summary.js";
import type { Pos } from "./bash.js";
import { Script } from "./script.js";

/** A virtual network the script names: whether it creates it, and where the network is first named. */
export interface VnetState extends VnetDraft {
  created: boolean;
  pos: Pos;
}

export class AzCliReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly script = new Script();
  /** The az commands read, by command (shared/summary.ts). */
  readonly inventory = new Inventory("az commands");
  readonly nsgs = new Map<string, NsgDraft>();
  readonly asgs = new Map<string, ApplicationSecurityGroup>();
  readonly vnets = new Map<string, VnetState>();
  readonly nics = new Map<string, NetworkInterface>();
  /** Interfaces left out, by lower-cased name. */
  readonly leftOutNics = new Set<string>();
  readonly pips = new Map<string, PublicIPAddress>();
  /** The public IPs interfaces name, by lower-cased name, with where each is first named. */
  readonly pipRefs = new Map<string, { name: string; pos: Pos }>();

  /** `origins` records where each value written came from. */
  constructor(
    private readonly file: string,
    readonly origins = new Origins(),
  ) {}

  /** Where a position of the script is. */
  at(pos: Pos | undefined): Origin | undefined {
    return pos && { file: this.file, ...pos };
  }

  /** Reports a problem at its place; `leftOut`, what it leaves out (shared/left-out.ts). */
  report(
    severity: Severity,
    code: string,
    message: string,
    pos: Pos,
    hint?: string,
    leftOut?: LeftOut,
  ): void {
    const d =
      severity === "error"
        ? error(code, message, [], hint)
        : severity === "warning"
          ? warning(code, message, [], hint)
          : info(code, message, [], hint);
    const placed = { ...d, location: { file: this.file, ...pos } };
    this.diagnostics.push(leftOut ? reporting(placed, leftOut) : placed);
  }

  /** The placeholders named so far. */
  private readonly placed = new Set<string>();

  /** Names the placeholders of a name not named before, where the name stands. */
  placeholders(name: string, why: ReadonlyMap<string, string>, pos: Pos): void {
    const found = newPlaceholders(name, why, this.placed);
    if (found.length > 0)
      this.report("warning", NAME_PLACEHOLDER_CODE, placeholderMessage(found), pos);
  }

  /** The NSG of that name; one the script does not create (`create` false) is noted once. */
  nsgNamed(name: string, pos: Pos, create: boolean): NsgDraft {
    const key = name.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(key, nsg);
      this.origins.record(nsg, this.at(pos), { name: this.at(pos) });
      // An NSG the script only adds rules to merges into one another file declares.
      if (!create) this.origins.placeholder(nsg);
      if (!create)
        this.report(
          "info",
          "NetworkSecurityGroupNotCreated",
          `the script does not create network security group ${JSON.stringify(name)}; only the rules it adds are imported`,
          pos,
        );
    }
    return nsg;
  }

  /** The virtual network of that name, a placeholder until the script creates it. */
  vnetNamed(name: string, pos: Pos): VnetState {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], peerings: [], created: false, pos };
      this.vnets.set(key, vnet);
      this.origins.record(vnet, this.at(pos), { name: this.at(pos) });
    }
    return vnet;
  }

  topology(): Topology {
    for (const vnet of this.vnets.values()) {
      if (vnet.created) continue;
      // Its address space is for the user to give, or another file to declare.
      this.origins.placeholder(vnet);
      this.origins.stub(vnet, "addressSpace");
      this.report(
        "info",
        "PlaceholderVirtualNetwork",
        `virtual network ${JSON.stringify(vnet.name)} is not created by the script; it is imported without address space, with only the subnets the script names`,
        vnet.pos,
        "add its address space and subnets' prefixes to the spec",
      );
    }
    const carried = <D extends object, M extends object>(draft: D, model: M): M => {
      this.origins.carry(draft, model);
      return model;
    };
    for (const [key, { name, pos }] of this.pipRefs) {
      if (this.pips.has(key)) continue;
      // Made elsewhere: it merges into another file's declaration, or is named (shared/imported.ts).
      const pip: PublicIPAddress = { name, sku: "Basic" };
      this.origins.record(pip, this.at(pos), { name: this.at(pos) });
      this.origins.placeholder(pip);
      this.pips.set(key, pip);
    }
    const publicIPAddresses = [...this.pips.values()];
    return {
      virtualNetworks: [...this.vnets.values()].map((v) => carried(v, vnetOf(v))),
      networkSecurityGroups: [...this.nsgs.values()].map((n) => carried(n, nsgOf(n))),
      applicationSecurityGroups: [...this.asgs.values()],
      networkInterfaces: [...this.nics.values()],
      environments: [],
      ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
    };
  }
}

/** A resource as a flag names it: an ARM id, or a name in the resource group. */
export const refOf = (text: string): ResourceRef => (text.startsWith("/") ? { id: text } : text);
