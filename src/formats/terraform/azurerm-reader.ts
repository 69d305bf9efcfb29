/**
 * What the azurerm resource readers share: diagnostics at the place of the
 * attribute they are about, attribute values of the expected type, references
 * between resources, and the drafts of the topology they fill. A value that is
 * not known is reported for exactly its attribute, with what leaving it out
 * leaves out (the omission being read, `omitting`; importSources classifies
 * it), and the rule or resource that needs it is left out (Skip, which
 * `guarded` catches). A value of the wrong type, or a required one missing, is
 * an error.
 */
import type { Diagnostic, Severity } from "../../model/diagnostic.js";
import type {
  ApplicationSecurityGroup,
  IpConfiguration,
  NetworkInterface,
  PublicIPAddress,
  ResourceRef,
  Topology,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { armId } from "../shared/json.js";
import { type LeftOut, reporting } from "../shared/left-out.js";
import { type Origin, Origins } from "../shared/origins.js";
import {
  NAME_PLACEHOLDER_CODE,
  newPlaceholders,
  placeholderMessage,
} from "../shared/placeholders.js";
import { ARM_TYPES, AZURERM } from "./azurerm-schema.js";
import { NotKnown, type Place, ResourceId, type TfBlock, type TfValue } from "./values.js";

/** Thrown when what is being read is left out; the reason is already reported. */
class Skip extends Error {}

/** An IP configuration with the ASGs it joins, which association resources may add to. */
export type IpConfigurationDraft = IpConfiguration & { asgs: ResourceRef[] };

export interface NicDraft {
  name: string;
  nsg?: ResourceRef;
  configs: IpConfigurationDraft[];
}

/** A reference read from an attribute: the resource's name, its parent's, and the ARM id when given one. */
export interface Target {
  readonly name: string;
  readonly parent?: string;
  readonly id?: string;
}

export const lower = (s: string) => s.toLowerCase();

export class AzurermReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly asgs: ApplicationSecurityGroup[] = [];
  readonly nsgs = new Map<string, NsgDraft>();
  readonly vnets = new Map<string, VnetDraft>();
  readonly nics = new Map<string, NicDraft>();
  readonly pips = new Map<string, PublicIPAddress>();
  /** The public IPs interfaces name, by lower-cased name, with the block that first names each. */
  readonly pipRefs = new Map<string, { name: string; block: TfBlock }>();
  /** Interfaces left out for want of a known IP configuration, by lower-cased name. */
  readonly leftOutNics = new Set<string>();
  /** Whether the resource being read comes from `terraform show -json` (TfResource.shown). */
  shown = false;
  /**
   * How each NSG's rules are declared, by lower-cased NSG name: where its
   * inline `security_rule` blocks are, and its rule resources by lower-cased
   * rule name (the azurerm provider documents the two together as a conflict).
   */
  readonly ruleDeclarations = new Map<string, { inline?: Place; resources: Map<string, Place> }>();

  /** `origins` records where each value written came from. */
  constructor(readonly origins = new Origins()) {}

  /** Where an attribute of a block (or the block) is written. */
  at(block: TfBlock, attribute?: string): Origin | undefined {
    return block.where(attribute).location;
  }

  /** Records where `object` and the values its `attributes` give are written (field: attribute). */
  record(object: object, block: TfBlock, attributes: Readonly<Record<string, string>> = {}): void {
    this.origins.record(
      object,
      this.at(block),
      Object.fromEntries(
        Object.entries(attributes).map(([field, attribute]) => [field, this.at(block, attribute)]),
      ),
    );
  }

  report(severity: Severity, code: string, place: Place, message: string, leftOut?: LeftOut): void {
    const d: Diagnostic = {
      severity,
      code,
      message: `${place.text}: ${message}`,
      path: place.path,
      ...(place.location ? { location: place.location } : {}),
    };
    this.diagnostics.push(leftOut ? reporting(d, leftOut) : d);
  }

  /** What is being read: what a value that is not known leaves out. */
  private omission: LeftOut | undefined;

  /** Runs `f` reading `leftOut`: its unknown values are reported as leaving it out. */
  omitting<T>(leftOut: LeftOut, f: () => T): T {
    const saved = this.omission;
    this.omission = leftOut;
    try {
      return f();
    } finally {
      this.omission = saved;
    }
  }

  /** What is being read, as `omitting` set it. */
  omitted(): LeftOut | undefined {
    return this.omission;
  }

  /** Whether the attribute is set, known or not. */
  isSet(block: TfBlock, attribute: string): boolean {
    try {
      return block.get(attribute) !== undefined;
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      return true;
    }
  }

  /** The attribute's value when it is statically known, without reporting; undefined otherwise. */
  peek(block: TfBlock, attribute: string): TfValue | undefined {
    try {
      return block.get(attribute);
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      return undefined;
    }
  }

  /** Runs a reader; what it skips is left out, and reading goes on. */
  guarded(f: () => void): void {
    try {
      f();
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
    }
  }

  // --- attribute values ---------------------------------------------------------

  /**
   * The attribute's value; when it is not known, reports it with `consequence`
   * ("the rule x is left out") and throws Skip unless the attribute is optional to the caller.
   */
  value(
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
        this.omission,
      );
      if (skip) throw new Skip();
      return undefined;
    }
  }

  /** A value of the wrong type: an error, since read as anything else it would change the policy. */
  wrongType(block: TfBlock, attribute: string, what: string): never {
    this.report("error", "InvalidPropertyType", block.where(attribute), `should be ${what}`);
    throw new Skip();
  }

  /** A string (or number, or boolean, as text); undefined when unset or empty. */
  string(block: TfBlock, attribute: string, consequence: string): string | undefined {
    const v = this.value(block, attribute, consequence);
    if (v === undefined || v === "") return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    return this.wrongType(block, attribute, "a string");
  }

  /** A string that must be set: when it is not, that is reported and Skip thrown. */
  required(block: TfBlock, attribute: string, consequence: string): string {
    const v = this.string(block, attribute, consequence);
    if (v === undefined) this.missing(block, attribute);
    return v;
  }

  /**
   * A name that must be set: a part of it that is not known (`var.prefix`
   * without a value) is a placeholder, `<var.prefix>`, reported once where it
   * first stands; a name not known at all is reported as `value` does.
   */
  name(block: TfBlock, attribute: string, consequence: string): string {
    let v: TfValue | undefined;
    try {
      v = block.name(attribute);
    } catch (e) {
      if (!(e instanceof NotKnown)) throw e;
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        block.where(attribute),
        `${e.message}; ${consequence}`,
        this.omission,
      );
      throw new Skip();
    }
    if (v === undefined || v === "") return this.missing(block, attribute);
    if (typeof v === "number") return String(v);
    if (typeof v !== "string") return this.wrongType(block, attribute, "a name");
    const found = newPlaceholders(v, block.placeholders, this.placed);
    if (found.length > 0)
      this.report(
        "warning",
        NAME_PLACEHOLDER_CODE,
        block.where(attribute),
        placeholderMessage(found),
      );
    return v;
  }

  /** The placeholders reported so far. */
  private readonly placed = new Set<string>();

  /** Reports that an attribute azurerm requires is not set (an error), and throws Skip. */
  missing(block: TfBlock, attribute: string): never {
    this.report("error", "MissingProperty", block.where(), `${attribute} is not set`);
    throw new Skip();
  }

  strings(block: TfBlock, attribute: string, consequence: string): string[] | undefined {
    const v = this.value(block, attribute, consequence);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.wrongType(block, attribute, "a list of strings");
    return v.map((item: TfValue) => {
      if (typeof item === "string" || typeof item === "number") return String(item);
      return this.wrongType(block, attribute, "a list of strings");
    });
  }

  /** A location is informative only: when not known, the resource stays, without it. */
  location(block: TfBlock): { location?: string } {
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

  /**
   * The nested blocks (or list attribute) of that name whose contents are
   * known; `dynamic` blocks and lists Terraform computes are reported and left out.
   */
  knownBlocks(block: TfBlock, name: string, what: string): TfBlock[] {
    for (const place of block.dynamicBlocks(name))
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        place,
        `a dynamic block makes its ${what} only when Terraform runs; they are left out`,
        this.omission,
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
        this.omission,
      );
      return [];
    }
  }

  // --- references ---------------------------------------------------------------

  /** A reference to a resource of `type`: a configuration reference, an ARM id, or (where allowed) a name. */
  reference(
    block: TfBlock,
    attribute: string,
    value: TfValue,
    type: string,
    names = false,
  ): Target {
    if (value instanceof ResourceId) {
      if (value.type !== type) this.wrongType(block, attribute, `a reference to a ${type}`);
      return { name: value.name, ...(value.parent === undefined ? {} : { parent: value.parent }) };
    }
    if (typeof value === "string" && value.startsWith("/")) {
      const id = armId(value);
      if (!id || id.type !== ARM_TYPES[type])
        return this.wrongType(block, attribute, `the id of a ${type}`);
      return { ...id, id: value };
    }
    if (typeof value === "string" && names && value !== "") return { name: value };
    return this.wrongType(
      block,
      attribute,
      names ? `the name of a ${type}` : `the id of a ${type}`,
    );
  }

  /** A model reference: the name when the resource is declared here, else its ARM id. */
  modelRef(target: Target, declared: boolean): ResourceRef {
    return declared || target.id === undefined ? target.name : { id: target.id };
  }

  /** An NSG id attribute as a model reference; undefined when unset, or not known (reported). */
  nsgRef(block: TfBlock, attribute: string, consequence: string): ResourceRef | undefined {
    const v = this.value(block, attribute, consequence, "warning", false);
    if (v === undefined || v === "") return undefined;
    try {
      const target = this.reference(block, attribute, v, AZURERM.nsg);
      return this.modelRef(target, this.nsgs.has(lower(target.name)));
    } catch (e) {
      if (e instanceof Skip) return undefined;
      throw e;
    }
  }

  /** One ASG id of the attribute as a model reference. */
  asgRef(block: TfBlock, attribute: string, value: TfValue): ResourceRef {
    const target = this.reference(block, attribute, value, AZURERM.asg);
    const declared = this.asgs.some((a) => lower(a.name) === lower(target.name));
    return this.modelRef(target, declared);
  }

  // --- drafts -------------------------------------------------------------------

  /** The NSG of that name, created empty when first named. */
  nsgDraft(name: string): NsgDraft {
    let nsg = this.nsgs.get(lower(name));
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(lower(name), nsg);
    }
    return nsg;
  }

  vnetDraft(name: string): VnetDraft | undefined {
    return this.vnets.get(lower(name));
  }

  /**
   * A placeholder of a network that exists and these files do not declare
   * (named by a data source or an ARM id): its address space is for another
   * file, or the user, to give.
   */
  existingVnet(name: string, block: TfBlock): VnetDraft {
    const vnet: VnetDraft = { name, addressPrefixes: [], subnets: [], peerings: [] };
    this.record(vnet, block, { name: "subnet_id" });
    this.origins.placeholder(vnet);
    this.origins.stub(vnet, "addressSpace");
    this.report(
      "info",
      "PlaceholderVirtualNetwork",
      block.where("subnet_id"),
      `virtual network ${JSON.stringify(name)} exists and is not declared in these files; it is imported without address space, with the subnets associations name`,
    );
    this.vnets.set(lower(name), vnet);
    return vnet;
  }

  /** A placeholder of an interface that exists and these files do not declare; it merges into another file's declaration. */
  existingNic(name: string, block: TfBlock): NicDraft {
    const nic: NicDraft = { name, configs: [] };
    this.record(nic, block, { name: "network_interface_id" });
    this.origins.placeholder(nic);
    this.nics.set(lower(name), nic);
    return nic;
  }

  topology(): Topology {
    const publicIPAddresses = [...this.pips.values()];
    const carried = <D extends object, M extends object>(draft: D, model: M): M => {
      this.origins.carry(draft, model);
      return model;
    };
    return {
      virtualNetworks: [...this.vnets.values()].map((v) => carried(v, vnetOf(v))),
      networkSecurityGroups: [...this.nsgs.values()].map((n) => carried(n, nsgOf(n))),
      applicationSecurityGroups: this.asgs,
      networkInterfaces: [...this.nics.values()].map(
        (n): NetworkInterface =>
          carried(n, {
            name: n.name,
            ...(n.nsg === undefined ? {} : { networkSecurityGroup: n.nsg }),
            ipConfigurations: n.configs.map(({ asgs, ...c }) =>
              carried(c, asgs.length === 0 ? c : { ...c, applicationSecurityGroups: asgs }),
            ),
          }),
      ),
      environments: [],
      ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
    };
  }
}
