/**
 * Reads the network resources of an ARM document (a template's `resources`,
 * a list of resources as the az CLI prints them, or one resource) into a
 * topology. Values are resolved through the template's expressions; one that
 * is known only when deploying is reported with what leaving it out costs.
 */
import type { Diagnostic, Severity, ValuePath } from "../../model/diagnostic.js";
import {
  type ApplicationSecurityGroup,
  type IpConfiguration,
  type NetworkInterface,
  type ResourceRef,
  SECURITY_RULE_PROPERTIES,
  type SecurityRule,
  type Subnet,
  type Topology,
  type VirtualNetworkPeering,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import { RESOURCE_TYPES } from "./deployment.js";
import { NotStatic, ResourceIdValue, TemplateContext } from "./expressions.js";

const T = RESOURCE_TYPES;

const RULE_FIELDS = SECURITY_RULE_PROPERTIES;
type RuleField = (typeof RULE_FIELDS)[number];
const ASG_FIELDS = new Set<RuleField>([
  "sourceApplicationSecurityGroups",
  "destinationApplicationSecurityGroups",
]);
const LIST_FIELDS = new Set<RuleField>([
  "sourceAddressPrefixes",
  "sourcePortRanges",
  "destinationAddressPrefixes",
  "destinationPortRanges",
]);

const sameType = (a: unknown, b: string) =>
  typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** Collects the resources of one document into a topology. */
export class ResourceReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly context: TemplateContext;
  private readonly asgs: ApplicationSecurityGroup[] = [];
  private readonly nsgs = new Map<string, NsgDraft>();
  private readonly vnets = new Map<string, VnetDraft>();
  private readonly nics: NetworkInterface[] = [];

  constructor(
    private readonly document: unknown,
    parameterValues: Record<string, unknown>,
  ) {
    const template = isObject(document) ? document : {};
    this.context = new TemplateContext(
      isObject(template.parameters) ? template.parameters : {},
      isObject(template.variables) ? template.variables : {},
      parameterValues,
    );
  }

  read(): Topology {
    const doc = this.document;
    const list = (items: unknown[], at: ValuePath) => {
      for (const [i, r] of items.entries()) this.resource(r, [...at, i], undefined);
    };
    if (Array.isArray(doc)) list(doc, []);
    else if (isObject(doc) && Array.isArray(doc.resources)) list(doc.resources, ["resources"]);
    else if (isObject(doc) && Array.isArray(doc.value)) list(doc.value, ["value"]);
    else if (isObject(doc) && typeof doc.type === "string") this.resource(doc, [], undefined);
    else
      this.report(
        "error",
        "UnrecognizedDocument",
        "neither a deployment template (no resources array) nor Azure resource JSON (no type)",
        [],
      );
    return {
      virtualNetworks: [...this.vnets.values()].map(vnetOf),
      networkSecurityGroups: [...this.nsgs.values()].map(nsgOf),
      applicationSecurityGroups: this.asgs,
      networkInterfaces: this.nics,
      environments: [],
    };
  }

  /** What leaving out a value that is not statically known costs, for the message. */
  private consequence = "the value is left out";
  /** How many values were not statically known: a reader compares before and after. */
  private unknowns = 0;

  /** Runs `read` with the consequence its unknown values have. */
  private leaving<V>(consequence: string, read: () => V): V {
    const saved = this.consequence;
    this.consequence = consequence;
    try {
      return read();
    } finally {
      this.consequence = saved;
    }
  }

  /** Runs `read` as `leaving` does; whether every value it met was known (else `consequence` holds). */
  private whole(consequence: string, read: () => void): boolean {
    const before = this.unknowns;
    this.leaving(consequence, read);
    return this.unknowns === before;
  }

  private report(severity: Severity, code: string, message: string, path: ValuePath): void {
    this.diagnostics.push({ severity, code, message, path });
  }

  /** The resolved value at `key` of `obj`, or undefined (reported) when it cannot be known. */
  private get(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    severity: Severity = "warning",
  ): unknown {
    const raw = obj[key];
    if (raw === undefined) return undefined;
    try {
      return this.context.value(raw);
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
      const at = [...path, key];
      this.unknowns++;
      this.report(
        severity,
        "ExpressionNotStaticallyKnown",
        `${pathText(at)}: ${JSON.stringify(raw)} cannot be known without deploying (${e.message}); ${this.consequence}`,
        at,
      );
      return undefined;
    }
  }

  private string(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    severity?: Severity,
  ): string | undefined {
    const v = this.get(obj, key, path, severity);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.wrongType(key, "a string", [...path, key]);
    return undefined;
  }

  private wrongType(key: string, what: string, path: ValuePath): void {
    this.report(
      "warning",
      "InvalidPropertyType",
      `${pathText(path)}: ${key} should be ${what}; it is left out`,
      path,
    );
  }

  /** A `{ id }` reference (or an id string) as a model reference. */
  private ref(value: unknown, path: ValuePath, subnet = false): ResourceRef | undefined {
    let v = value;
    if (isObject(v)) {
      if (!("id" in v)) {
        this.wrongType("reference", "an object with an id", path);
        return undefined;
      }
      const id = this.get(v, "id", path);
      if (id === undefined) return undefined;
      v = id;
    }
    if (v instanceof ResourceIdValue)
      return subnet && v.names.length >= 2
        ? `${v.names[0]}/${v.names[1]}`
        : (v.names[v.names.length - 1] as string);
    if (typeof v === "string") return v.startsWith("/") ? { id: v } : v;
    this.wrongType("reference", "a resource id", path);
    return undefined;
  }

  private refs(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    subnet = false,
  ): ResourceRef[] | undefined {
    const raw = obj[key];
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) {
      this.wrongType(key, "an array", [...path, key]);
      return undefined;
    }
    const out: ResourceRef[] = [];
    raw.forEach((item, i) => {
      const r = this.ref(item, [...path, key, i], subnet);
      if (r !== undefined) out.push(r);
    });
    return out;
  }

  /** The object holding a resource's settings: `properties` in templates, the resource itself when flattened. */
  private props(resource: JsonObject): { obj: JsonObject; at: string[] } {
    return isObject(resource.properties)
      ? { obj: resource.properties, at: ["properties"] }
      : { obj: resource, at: [] };
  }

  private resource(
    r: unknown,
    path: ValuePath,
    parent: { type: string; name: string } | undefined,
  ): void {
    if (!isObject(r)) return;
    let type = this.string(r, "type", path);
    if (type === undefined) return;
    if (parent && !type.includes("/")) type = `${parent.type}/${type}`;
    if (sameType(type, "Microsoft.Resources/deployments")) {
      this.deployment(r, path);
      return;
    }
    const known = Object.values(T).some((t) => sameType(type, t));
    if (!known) return;
    if (r.copy !== undefined) {
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        `${pathText([...path, "copy"])}: a copy loop makes resources known only when deploying; the resource is left out`,
        [...path, "copy"],
      );
      return;
    }
    if (r.condition !== undefined) {
      const condition = this.leaving("the resource is left out", () =>
        this.get(r, "condition", path),
      );
      if (condition !== true) {
        if (condition === false) return;
        if (condition !== undefined)
          this.report(
            "warning",
            "ExpressionNotStaticallyKnown",
            `${pathText([...path, "condition"])}: not a boolean; the resource is left out`,
            [...path, "condition"],
          );
        return;
      }
    }
    const fullName = this.leaving("the resource is left out", () => this.string(r, "name", path));
    if (fullName === undefined) return;
    const names = fullName.split("/");
    // A child declared inside its parent has its own name only; at the top level, parent/child.
    const segments = parent ? [parent.name, ...names.slice(-1)] : names;
    const name = segments[segments.length - 1] as string;
    const isChild = [T.rule, T.subnet, T.peering].some((t) => sameType(type, t));
    if (isChild && segments.length < 2) {
      this.missingParent(fullName, [...path, "name"]);
      return;
    }
    const location = this.string(r, "location", path, "info");

    if (sameType(type, T.asg)) {
      this.asgs.push({ name, ...(location === undefined ? {} : { location }) });
    } else if (sameType(type, T.nsg)) {
      const nsg = this.nsg(name);
      if (location !== undefined) nsg.location = location;
      const { obj, at } = this.props(r);
      const flush = this.get(obj, "flushConnection", [...path, ...at]);
      if (typeof flush === "boolean") nsg.flushConnection = flush;
      const rules = obj.securityRules;
      if (Array.isArray(rules))
        rules.forEach((rule, i) => {
          const parsed = this.rule(rule, [...path, ...at, "securityRules", i]);
          if (parsed) nsg.rules.push(parsed);
        });
    } else if (sameType(type, T.rule)) {
      const parsed = this.rule(r, path);
      if (parsed) this.nsg(segments[0] as string).rules.push(parsed);
    } else if (sameType(type, T.vnet)) {
      const vnet = this.vnet(name);
      if (location !== undefined) vnet.location = location;
      const { obj, at } = this.props(r);
      const base = [...path, ...at];
      const space = obj.addressSpace;
      if (isObject(space)) {
        const prefixes = this.get(space, "addressPrefixes", [...base, "addressSpace"]);
        if (Array.isArray(prefixes))
          vnet.addressPrefixes.push(...prefixes.filter((p) => typeof p === "string"));
      }
      if (Array.isArray(obj.subnets))
        obj.subnets.forEach((s, i) => {
          const subnet = this.subnet(s, [...base, "subnets", i]);
          if (subnet) vnet.subnets.push(subnet);
        });
      if (Array.isArray(obj.virtualNetworkPeerings))
        obj.virtualNetworkPeerings.forEach((p, i) => {
          const peering = this.peering(p, [...base, "virtualNetworkPeerings", i]);
          if (peering) vnet.peerings.push(peering);
        });
    } else if (sameType(type, T.subnet)) {
      const subnet = this.subnet(r, path, name);
      if (subnet) this.vnet(segments[0] as string).subnets.push(subnet);
    } else if (sameType(type, T.peering)) {
      const peering = this.peering(r, path, name);
      if (peering) this.vnet(segments[0] as string).peerings.push(peering);
    } else if (sameType(type, T.nic)) {
      const nic = this.nic(r, path, name);
      if (nic) this.nics.push(nic);
    }

    if (Array.isArray(r.resources) && !type.includes("/", type.indexOf("/") + 1))
      for (const [i, child] of r.resources.entries())
        this.resource(child, [...path, "resources", i], { type, name });
  }

  private missingParent(name: string, path: ValuePath): void {
    this.report(
      "warning",
      "InvalidResourceName",
      `${pathText(path)}: child resource ${JSON.stringify(name)} does not name its parent (parent/child); it is left out`,
      path,
    );
  }

  private nsg(name: string): NsgDraft {
    const key = name.toLowerCase();
    let nsg = this.nsgs.get(key);
    if (!nsg) {
      nsg = { name, rules: [] };
      this.nsgs.set(key, nsg);
    }
    return nsg;
  }

  private vnet(name: string): VnetDraft {
    const key = name.toLowerCase();
    let vnet = this.vnets.get(key);
    if (!vnet) {
      vnet = { name, addressPrefixes: [], subnets: [], peerings: [] };
      this.vnets.set(key, vnet);
    }
    return vnet;
  }

  /**
   * A nested deployment: an inline template evaluated in this template's scope
   * is read as part of it; a linked template or an inner scope is named.
   */
  private deployment(r: JsonObject, path: ValuePath): void {
    const properties = isObject(r.properties) ? r.properties : {};
    const at = [...path, "properties"];
    const options = properties.expressionEvaluationOptions;
    const inner = isObject(options) && String(options.scope).toLowerCase() === "inner";
    const template = properties.template;
    if (isObject(template) && Array.isArray(template.resources) && !inner) {
      template.resources.forEach((child, i) => {
        this.resource(child, [...at, "template", "resources", i], undefined);
      });
      return;
    }
    const linked = properties.templateLink !== undefined;
    this.report(
      "warning",
      linked ? "LinkedTemplateNotRead" : "NestedTemplateNotRead",
      linked
        ? `${pathText(at)}: the linked template is not read; import it too if it holds network resources`
        : `${pathText(at)}: a nested template with its own (inner) scope is not read; its resources are left out`,
      linked ? [...at, "templateLink"] : at,
    );
  }

  private rule(r: unknown, path: ValuePath): SecurityRule | undefined {
    if (!isObject(r)) return undefined;
    const name = this.string(r, "name", path);
    if (name === undefined) return undefined;
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const ruleName = name.split("/").pop() as string;
    const rule: Record<string, unknown> = { name: ruleName };
    const description = this.string(obj, "description", base);
    if (description !== undefined && description !== "") rule.description = description;
    // A rule missing any other value would be a different rule: it is left out whole.
    const known = this.whole(`the rule ${JSON.stringify(ruleName)} is left out`, () =>
      this.ruleFields(obj, base, rule),
    );
    return known ? (rule as unknown as SecurityRule) : undefined;
  }

  private ruleFields(obj: JsonObject, base: ValuePath, rule: Record<string, unknown>): void {
    for (const field of RULE_FIELDS) {
      if (field === "description") continue;
      if (ASG_FIELDS.has(field)) {
        const refs = this.refs(obj, field, base);
        if (refs !== undefined && refs.length > 0) rule[field] = refs;
        continue;
      }
      const value = this.get(obj, field, base);
      if (value === undefined || value === null) continue;
      if (LIST_FIELDS.has(field)) {
        if (!Array.isArray(value)) {
          this.wrongType(field, "an array", [...base, field]);
          continue;
        }
        const items = value.map(String);
        // Azure returns empty lists for the fields a rule does not use.
        if (items.length > 0) rule[field] = items;
      } else if (field === "priority") {
        const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof n === "number") rule[field] = n;
        else this.wrongType(field, "a number", [...base, field]);
      } else if (typeof value === "string" || typeof value === "number") {
        if (value !== "") rule[field] = String(value);
      } else this.wrongType(field, "a string", [...base, field]);
    }
  }

  private subnet(s: unknown, path: ValuePath, givenName?: string): Subnet | undefined {
    if (!isObject(s)) return undefined;
    const name = givenName ?? this.string(s, "name", path);
    if (name === undefined) return undefined;
    const { obj, at } = this.props(s);
    const base = [...path, ...at];
    const subnet: { -readonly [K in keyof Subnet]: Subnet[K] } = { name };
    // A subnet whose range or NSG is not known cannot be placed: it is left out whole.
    const known = this.whole(`the subnet ${JSON.stringify(name)} is left out`, () => {
      const prefix = this.string(obj, "addressPrefix", base);
      if (prefix !== undefined && prefix !== "") subnet.addressPrefix = prefix;
      const prefixes = this.get(obj, "addressPrefixes", base);
      if (Array.isArray(prefixes) && prefixes.length > 0)
        subnet.addressPrefixes = prefixes.map(String);
      if (obj.networkSecurityGroup !== undefined && obj.networkSecurityGroup !== null) {
        const nsg = this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]);
        if (nsg !== undefined) subnet.networkSecurityGroup = nsg;
      }
    });
    return known ? subnet : undefined;
  }

  private peering(
    p: unknown,
    path: ValuePath,
    givenName?: string,
  ): VirtualNetworkPeering | undefined {
    if (!isObject(p)) return undefined;
    const name = givenName ?? this.string(p, "name", path);
    const { obj, at } = this.props(p);
    if (obj.remoteVirtualNetwork === undefined) return undefined;
    const remote = this.ref(obj.remoteVirtualNetwork, [...path, ...at, "remoteVirtualNetwork"]);
    if (remote === undefined) return undefined;
    return { ...(name === undefined ? {} : { name }), remoteVirtualNetwork: remote };
  }

  private nic(r: JsonObject, path: ValuePath, name: string): NetworkInterface | undefined {
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const configs: IpConfiguration[] = [];
    if (Array.isArray(obj.ipConfigurations))
      obj.ipConfigurations.forEach((c, i) => {
        if (!isObject(c)) return;
        const cPath = [...base, "ipConfigurations", i];
        const configName = this.string(c, "name", cPath);
        const { obj: co, at: cAt } = this.props(c);
        const cBase = [...cPath, ...cAt];
        const address = this.string(co, "privateIPAddress", cBase);
        const subnet =
          co.subnet === undefined || co.subnet === null
            ? undefined
            : this.ref(co.subnet, [...cBase, "subnet"], true);
        if (address === undefined || subnet === undefined) {
          this.report(
            "warning",
            "IncompleteIpConfiguration",
            `${pathText(cPath)}: an IP configuration without a known static privateIPAddress and subnet is left out`,
            cPath,
          );
          return;
        }
        const asgs = this.refs(co, "applicationSecurityGroups", cBase);
        configs.push({
          ...(configName === undefined ? {} : { name: configName }),
          privateIPAddress: address,
          subnet,
          ...(asgs === undefined || asgs.length === 0 ? {} : { applicationSecurityGroups: asgs }),
        });
      });
    const nsg =
      obj.networkSecurityGroup === undefined || obj.networkSecurityGroup === null
        ? undefined
        : this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]);
    if (configs.length === 0) {
      this.report(
        "warning",
        "IncompleteNetworkInterface",
        `${pathText(path)}: network interface ${JSON.stringify(name)} has no IP configuration with a static address and a known subnet; it is left out${nsg === undefined ? "" : ", with its network security group"}`,
        path,
      );
      return undefined;
    }
    return {
      name,
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations: configs,
    };
  }
}
