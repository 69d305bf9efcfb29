/**
 * Reads the network resources of an ARM document (a template's `resources`,
 * a list of resources as the az CLI prints them, or one resource) into a
 * topology. Values are resolved through the template's expressions; one that
 * is known only when deploying is reported with what it leaves out (an
 * omission that importSources classifies). A value of the wrong type is an
 * error: read as anything else, it would change the policy.
 */
import type { Diagnostic, Severity, SourceLocation, ValuePath } from "../../model/diagnostic.js";
import {
  ALLOCATION_METHODS,
  type ApplicationGateway,
  type ApplicationSecurityGroup,
  gatewayVersion,
  IP_VERSIONS,
  type IpConfiguration,
  type LoadBalancer,
  type NetworkInterface,
  PRIVATE_ENDPOINT_NETWORK_POLICIES,
  PUBLIC_IP_SKUS,
  type PublicIPAddress,
  type ResourceRef,
  refName,
  SECURITY_RULE_PROPERTIES,
  type SecurityRule,
  type Subnet,
  type Topology,
  type VirtualNetworkPeering,
} from "../../model/types.js";
import { type NsgDraft, nsgOf, type VnetDraft, vnetOf } from "../shared/drafts.js";
import { armId, isObject, type JsonObject, pathText } from "../shared/json.js";
import { type LeftOut, reporting } from "../shared/left-out.js";
import { type Origin, Origins } from "../shared/origins.js";
import {
  NAME_PLACEHOLDER_CODE,
  newPlaceholders,
  placeholderMessage,
} from "../shared/placeholders.js";
import {
  isPortField,
  PORT_RANGE_TRIMMED,
  trimmedMessage,
  trimmedPortRange,
} from "../shared/port-ranges.js";
import { Inventory } from "../shared/summary.js";
import {
  ipForwardingMessage,
  NOT_MODELLED_CODE,
  notModelledMessage,
  standing,
} from "../shared/unmodelled.js";
import { APPLICATION_GATEWAY_TYPE, ApplicationGatewayReader } from "./application-gateways.js";
import { RESOURCE_TYPES } from "./deployment.js";
import {
  ASE_CONFIGURATION_TYPE,
  ASE_TYPE,
  ASE_TYPES,
  AseReader,
  isAseAddressDocument,
} from "./environments.js";
import {
  ExpressionTooDeep,
  NotStatic,
  type ResourceFinder,
  ResourceIdValue,
  TemplateContext,
} from "./expressions.js";
import {
  LOAD_BALANCER_LISTS,
  LOAD_BALANCER_TYPE,
  LOAD_BALANCER_TYPES,
  LoadBalancerReader,
} from "./load-balancers.js";
import { NAT_GATEWAY_TYPE, NatGatewayReader } from "./nat-gateways.js";
import { BASTION_HOST_TYPE, EndpointReader, PRIVATE_ENDPOINT_TYPE } from "./private-endpoints.js";
import { peeringFlags, RouteTableReader } from "./route-tables.js";
import { SCALE_SET_TYPE, ScaleSetReader } from "./scale-sets.js";

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

/** What each network resource type is called in messages. */
const KIND_NAMES: readonly (readonly [string, string])[] = [
  [T.asg, "application security group"],
  [T.nsg, "network security group"],
  [T.rule, "security rule"],
  [T.vnet, "virtual network"],
  [T.subnet, "subnet"],
  [T.peering, "virtual network peering"],
  [T.nic, "network interface"],
  [T.pip, "public IP address"],
  [T.routeTable, "route table"],
  [T.route, "route"],
  [LOAD_BALANCER_TYPES[0] as string, "load balancer"],
  [LOAD_BALANCER_TYPES[1] as string, "inbound NAT rule"],
  [LOAD_BALANCER_TYPES[2] as string, "backend address pool"],
  [ASE_TYPE, "App Service Environment"],
  [APPLICATION_GATEWAY_TYPE, "application gateway"],
  [PRIVATE_ENDPOINT_TYPE, "private endpoint"],
  [BASTION_HOST_TYPE, "Bastion host"],
  [NAT_GATEWAY_TYPE, "NAT gateway"],
  [SCALE_SET_TYPE, "virtual machine scale set"],
  [ASE_CONFIGURATION_TYPE, "App Service Environment configuration"],
];

/** Whether a value looks meant as a resource: an object with a type, a name or properties. */
const resourceLike = (v: unknown): v is JsonObject =>
  isObject(v) && ["type", "name", "properties", "apiVersion"].some((k) => Object.hasOwn(v, k));

const given = (v: unknown) => v !== undefined && v !== null;

/** An item of a list property: written in the template, or made by a copy loop (`loop`, copy `index`). */
interface ListItem {
  readonly raw: unknown;
  readonly path: ValuePath;
  readonly loop?: string;
  readonly index?: number;
}

/** A value as template JSON that evaluates to itself: a string starting with '[' is escaped. */
function literal(value: unknown): unknown {
  if (typeof value === "string") return value.startsWith("[") ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(literal);
  if (
    value !== null &&
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  )
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
  return value;
}

/** A copy loop's count as Azure takes it: a whole number from 0 to 800. */
const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 800;

/** The type and names of the Microsoft.Network resource an ARM id names. */
function armTarget(id: string): { type: string; names: string[] } | undefined {
  const parsed = armId(id);
  if (!parsed) return undefined;
  return {
    type: `Microsoft.Network/${parsed.type}`,
    names: parsed.parent === undefined ? [parsed.name] : [parsed.parent, parsed.name],
  };
}

/** Collects the resources of one document into a topology. */
export class ResourceReader {
  readonly diagnostics: Diagnostic[] = [];
  /** The resources of the document by type, as they stand to tierwall (shared/summary.ts). */
  readonly inventory = new Inventory("resources");
  private readonly context: TemplateContext;
  private readonly asgs: ApplicationSecurityGroup[] = [];
  private readonly nsgs = new Map<string, NsgDraft>();
  private readonly vnets = new Map<string, VnetDraft>();
  private readonly nics: NetworkInterface[] = [];
  /** Public IP addresses by lower-case name: declared, then those only interfaces name. */
  private readonly pips = new Map<string, PublicIPAddress>();
  /** The public IPs interfaces name, by lower-case name, each where first named. */
  private readonly pipRefs = new Map<string, { name: string; path: ValuePath }>();
  /** NSGs and networks a resource of their own declares (the others are named by child resources only). */
  private readonly declared = new Set<NsgDraft | VnetDraft>();
  /** Where each virtual network was first named, for the note on one no resource declares. */
  private readonly vnetFirstNamed = new WeakMap<VnetDraft, ValuePath>();
  /** Where a value at a JSON path of the document is, placed when needed. */
  private readonly at: (path: ValuePath) => Origin;
  /** Route tables and their routes (route-tables.ts). */
  private readonly routes: RouteTableReader;
  /** Load balancers and their child resources (load-balancers.ts). */
  private readonly lbs: LoadBalancerReader;
  /** Application gateways (application-gateways.ts). */
  private readonly agws: ApplicationGatewayReader;
  /** App Service Environments, and the addresses output gives of them (environments.ts). */
  private readonly ases: AseReader;
  /** Private endpoints and Bastion hosts (private-endpoints.ts). */
  private readonly endpoints: EndpointReader;
  /** NAT gateways (nat-gateways.ts). */
  private readonly nats: NatGatewayReader;
  /** Virtual machine scale sets' network profiles (scale-sets.ts). */
  private readonly scaleSets: ScaleSetReader;

  /**
   * `origins` records where each value written came from; `locate` places a
   * JSON path of the document.
   */
  constructor(
    private readonly document: unknown,
    parameterValues: Record<string, unknown>,
    private readonly origins = new Origins(),
    locate: (path: ValuePath) => SourceLocation | undefined = () => undefined,
  ) {
    this.at = (path) => () => locate(path);
    this.routes = new RouteTableReader(
      {
        value: (obj, key, path) => this.get(obj, key, path),
        name: (obj, key, path) => this.name(obj, key, path),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        whole: (leftOut, read) => this.whole(leftOut, read),
        inCopy: (item, read) => this.inCopy(item, read),
        at: this.at,
      },
      this.origins,
    );
    this.lbs = new LoadBalancerReader(
      {
        value: (obj, key, path) => this.get(obj, key, path),
        name: (obj, key, path) => this.name(obj, key, path),
        ref: (value, path, subnet) => this.ref(value, path, subnet),
        publicIpRef: (raw, path, owner, item) => this.publicIpRef(raw, path, owner, item),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        leaving: (leftOut, read) => this.leaving(leftOut, read),
        inCopy: (item, read) => this.inCopy(item, read),
        at: this.at,
      },
      this.origins,
    );
    this.scaleSets = new ScaleSetReader(
      {
        value: (obj, key, path) => this.get(obj, key, path),
        ref: (value, path, subnet) => this.ref(value, path, subnet),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path, leftOut) =>
          this.report(severity, code, message, path, leftOut),
        leaving: (leftOut, read) => this.leaving(leftOut, read),
        at: this.at,
      },
      this.origins,
    );
    this.endpoints = new EndpointReader(
      {
        ref: (value, path, subnet) => this.ref(value, path, subnet),
        publicIpRef: (raw, path, owner, item) => this.publicIpRef(raw, path, owner, item),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        at: this.at,
      },
      this.origins,
    );
    this.nats = new NatGatewayReader(
      {
        publicIpRef: (raw, path, owner, item) => this.publicIpRef(raw, path, owner, item),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        at: this.at,
      },
      this.origins,
    );
    this.agws = new ApplicationGatewayReader(
      {
        value: (obj, key, path) => this.get(obj, key, path),
        name: (obj, key, path) => this.name(obj, key, path),
        ref: (value, path, subnet) => this.ref(value, path, subnet),
        publicIpRef: (raw, path, owner, item) => this.publicIpRef(raw, path, owner, item),
        peek: (raw) => this.peek(raw),
        props: (resource) => this.props(resource),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        leaving: (leftOut, read) => this.leaving(leftOut, read),
        inCopy: (item, read) => this.inCopy(item, read),
        at: this.at,
      },
      this.origins,
    );
    this.ases = new AseReader(
      {
        peek: (raw) => this.peek(raw),
        ref: (value, path) => this.ref(value, path, true),
        report: (severity, code, message, path) => this.report(severity, code, message, path),
        at: this.at,
      },
      this.origins,
    );
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
      // Content with nothing meant as a resource is not Azure resource JSON at all.
      if (!items.some((i) => resourceLike(i) || isAseAddressDocument(i))) {
        this.report(
          "error",
          "UnrecognizedDocument",
          `${pathText(at) || "the document"}: ${items.length === 0 ? "an empty list" : "a list with no resource in it"}; there is no Azure resource to import`,
          at,
        );
        return;
      }
      for (const [i, r] of items.entries()) this.resource(r, [...at, i], undefined);
    };
    this.context.finder = this.finder(doc);
    if (Array.isArray(doc)) list(doc, []);
    else if (isObject(doc) && Array.isArray(doc.resources)) list(doc.resources, ["resources"]);
    else if (isObject(doc) && isObject(doc.resources))
      // languageVersion 2.0 (what Bicep writes): resources by symbolic name.
      for (const [symbol, r] of Object.entries(doc.resources))
        this.resource(r, ["resources", symbol], undefined);
    else if (isObject(doc) && Array.isArray(doc.value)) list(doc.value, ["value"]);
    else if (isObject(doc) && (given(doc.type) || isAseAddressDocument(doc)))
      this.resource(doc, [], undefined);
    else
      this.report(
        "error",
        "UnrecognizedDocument",
        "neither a deployment template (no resources array) nor Azure resource JSON (no type)",
        [],
      );
    this.dropRepeated();
    // A network only child resources name is a placeholder: its address space is for the user to give.
    for (const vnet of this.vnets.values())
      if (!this.declared.has(vnet)) {
        this.origins.stub(vnet, "addressSpace");
        this.report(
          "info",
          "PlaceholderVirtualNetwork",
          `virtual network ${JSON.stringify(vnet.name)} exists and is not declared in this document; it is imported without address space (which decides VirtualNetwork), with the subnets its child resources name`,
          this.vnetFirstNamed.get(vnet) ?? [],
        );
      }
    const carried = <D extends object, M extends object>(draft: D, model: M): M => {
      this.origins.carry(draft, model);
      return model;
    };
    const loadBalancers = this.lbs.loadBalancers();
    const applicationGateways = this.agws.applicationGateways();
    this.undeclaredPublicIps(loadBalancers, applicationGateways);
    const publicIPAddresses = [...this.pips.values()];
    return {
      virtualNetworks: [...this.vnets.values()].map((v) => carried(v, vnetOf(v))),
      networkSecurityGroups: [...this.nsgs.values()].map((n) => carried(n, nsgOf(n))),
      applicationSecurityGroups: this.asgs,
      networkInterfaces: this.nics,
      environments: this.ases.environments(),
      ...(publicIPAddresses.length > 0 ? { publicIPAddresses } : {}),
      ...this.routes.topologyPart(),
      ...this.endpoints.topologyPart(),
      ...this.nats.topologyPart(),
      ...(loadBalancers.length > 0 ? { loadBalancers } : {}),
      ...(applicationGateways.length > 0 ? { applicationGateways } : {}),
      ...this.scaleSets.topologyPart(),
    };
  }

  /** The copies of a resource read the same values: each diagnostic is kept once. */
  private dropRepeated(): void {
    const seen = new Set<string>();
    const kept = this.diagnostics.filter((d) => {
      const key = JSON.stringify([d.severity, d.code, d.message, d.path]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    this.diagnostics.splice(0, this.diagnostics.length, ...kept);
  }

  /**
   * How `reference()` finds what the template declares: by symbolic name
   * (languageVersion 2.0), by id, or by name. A resource made by a copy loop,
   * or one the template only refers to (`existing`), is not found.
   */
  private finder(doc: unknown): ResourceFinder {
    const entries: { symbol?: string; raw: JsonObject; parent?: JsonObject }[] = [];
    const add = (raw: unknown, symbol?: string, parent?: JsonObject) => {
      if (!isObject(raw) || given(raw.copy) || raw.existing === true) return;
      entries.push({
        raw,
        ...(symbol === undefined ? {} : { symbol }),
        ...(parent ? { parent } : {}),
      });
      if (Array.isArray(raw.resources))
        for (const child of raw.resources) add(child, undefined, raw);
    };
    const resources = isObject(doc) ? doc.resources : undefined;
    if (Array.isArray(resources)) for (const r of resources) add(r);
    else if (isObject(resources))
      for (const [symbol, r] of Object.entries(resources)) add(r, symbol);
    const finding = new Set<JsonObject>();
    type Identity = { type: string; names: string[] } | undefined;
    // Each resource's type and name, evaluated once (not while another is being found).
    const known = new Map<JsonObject, Identity>();
    const identity = (e: (typeof entries)[number]): Identity => {
      if (known.has(e.raw)) return known.get(e.raw);
      if (finding.has(e.raw)) return undefined;
      const found = evaluate(e);
      if (finding.size === 0) known.set(e.raw, found);
      return found;
    };
    const evaluate = (e: (typeof entries)[number]): Identity => {
      finding.add(e.raw);
      try {
        let type = this.peekString(e.raw.type);
        const name = this.peekName(e.raw.name);
        if (type === undefined || name === undefined) return undefined;
        if (!e.parent) return { type, names: name.split("/") };
        const parentType = this.peekString(e.parent.type);
        const parentName = this.peekName(e.parent.name);
        if (parentType === undefined || parentName === undefined) return undefined;
        if (!type.includes("/")) type = `${parentType}/${type}`;
        return { type, names: [...parentName.split("/"), ...name.split("/").slice(-1)] };
      } finally {
        finding.delete(e.raw);
      }
    };
    const same = (a: readonly string[], b: readonly string[]) =>
      a.length === b.length && a.every((x, i) => x.toLowerCase() === b[i]?.toLowerCase());
    return (target) => {
      if (typeof target === "string" && !target.includes("/")) {
        const bySymbol = entries.find((e) => e.symbol === target);
        const matches = bySymbol
          ? [bySymbol]
          : entries.filter((e) => {
              const id = identity(e);
              return id !== undefined && same([id.names.at(-1) ?? ""], [target]);
            });
        const only = matches.length === 1 ? matches[0] : undefined;
        const id = only && identity(only);
        return only && id ? { ...id, raw: only.raw } : undefined;
      }
      const wanted =
        target instanceof ResourceIdValue
          ? { type: target.type, names: [...target.names] }
          : typeof target === "string"
            ? armTarget(target)
            : undefined;
      if (!wanted) return undefined;
      for (const e of entries) {
        const id = identity(e);
        if (id && sameType(id.type, wanted.type) && same(id.names, wanted.names))
          return { ...id, raw: e.raw };
      }
      return undefined;
    };
  }

  /** What a value that is not statically known leaves out; undefined for a value that decides no packet. */
  private leftOut: LeftOut | undefined;
  /** How many values were not statically known: a reader compares before and after. */
  private unknowns = 0;

  /** Runs `read` with what its unknown values leave out. */
  private leaving<V>(leftOut: LeftOut, read: () => V): V {
    const saved = this.leftOut;
    this.leftOut = leftOut;
    try {
      return read();
    } finally {
      this.leftOut = saved;
    }
  }

  /** Runs `read` as `leaving` does; whether every value it met was known (else `leftOut` is left out). */
  private whole(leftOut: LeftOut, read: () => void): boolean {
    const before = this.unknowns;
    this.leaving(leftOut, read);
    return this.unknowns === before;
  }

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

  /** Reports an omission that is not a value (a copy loop, a linked template). */
  private notKnown(path: ValuePath, why: string, leftOut: LeftOut): void {
    this.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      `${pathText(path)}: ${why}; ${leftOut.what} ${leftOut.kind === "resources" || leftOut.what.startsWith("the copies") ? "are" : "is"} left out`,
      path,
      leftOut,
    );
  }

  /** The resolved value at `key` of `obj`, or undefined (reported) when it cannot be known. */
  private get(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    severity: Severity = "warning",
    naming = false,
  ): unknown {
    const raw = obj[key];
    if (raw === undefined) return undefined;
    try {
      if (!naming) return this.context.value(raw);
      const value = this.context.name(raw);
      this.placeholdersAt([...path, key], value);
      return value;
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
      const at = [...path, key];
      this.unknowns++;
      // Not a value known only when deploying: one tierwall refuses to follow.
      if (e instanceof ExpressionTooDeep) {
        this.report("error", "ExpressionTooDeep", `${pathText(at)}: ${e.message}`, at);
        return undefined;
      }
      const leftOut = this.leftOut;
      this.report(
        severity,
        "ExpressionNotStaticallyKnown",
        `${pathText(at)}: ${JSON.stringify(raw)} cannot be known without deploying (${e.message}); ${leftOut ? `${leftOut.what} is left out` : "the value is left out"}`,
        at,
        leftOut,
      );
      return undefined;
    }
  }

  /** Each placeholder the name holds is reported once, where it first stands. */
  private placeholdersAt(path: ValuePath, name: unknown): void {
    const text =
      name instanceof ResourceIdValue ? name.names.join("/") : typeof name === "string" ? name : "";
    const found = newPlaceholders(text, this.context.placeholders, this.placed);
    if (found.length > 0)
      this.report(
        "warning",
        NAME_PLACEHOLDER_CODE,
        `${pathText(path)}: ${placeholderMessage(found)}`,
        path,
      );
  }

  /** The placeholders reported so far. */
  private readonly placed = new Set<string>();

  /** A name (of a resource, a rule, a subnet): what cannot be known in it is a placeholder. */
  private name(obj: JsonObject, key: string, path: ValuePath): string | undefined {
    const v = this.get(obj, key, path, "warning", true);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    this.wrongType(key, "a string", [...path, key]);
    return undefined;
  }

  /** A name's resolution, placeholders and all, without reporting; undefined when it is not a string. */
  private peekName(raw: unknown): string | undefined {
    try {
      const v = this.context.name(raw);
      return typeof v === "string" ? v : undefined;
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
      return undefined;
    }
  }

  /** A value's resolution when it is statically known, without reporting; undefined otherwise. */
  private peek(raw: unknown): unknown {
    try {
      return this.context.value(raw);
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
      return undefined;
    }
  }

  private peekString(raw: unknown): string | undefined {
    const v = this.peek(raw);
    return typeof v === "string" ? v : undefined;
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

  /** A value of the wrong type is an error: read as anything else, it would change what the rule or resource means. */
  private wrongType(key: string, what: string, path: ValuePath): void {
    this.report(
      "error",
      "InvalidPropertyType",
      `${pathText(path) || "the document"}: ${key} should be ${what}`,
      path,
    );
  }

  /** A property a resource needs is missing. */
  private missing(key: string, what: string, path: ValuePath): void {
    this.report(
      "error",
      "MissingProperty",
      `${pathText(path) || "the resource"}: ${what} has no ${key}`,
      path,
    );
  }

  /** The array at `key`, [] when it is not given; a value of another type is an error. */
  private array(obj: JsonObject, key: string, path: ValuePath): unknown[] {
    const v = obj[key];
    if (!given(v)) return [];
    if (Array.isArray(v)) return v;
    this.wrongType(key, "an array", [...path, key]);
    return [];
  }

  /** A `{ id }` reference (or an id string) as a model reference. */
  private ref(value: unknown, path: ValuePath, subnet = false): ResourceRef | undefined {
    let v = value;
    if (isObject(v)) {
      if (!("id" in v)) {
        this.wrongType("reference", "an object with an id", path);
        return undefined;
      }
      const id = this.get(v, "id", path, "warning", true);
      if (id === undefined) return undefined;
      if (id instanceof ResourceIdValue && !this.placedHere(id)) {
        this.notStatic(
          [...path, "id"],
          `${JSON.stringify(v.id)} names a resource by a value known only when deploying (${id.names.join("/")}), and this template declares none of that name`,
        );
        return undefined;
      }
      v = id;
    }
    if (v instanceof ResourceIdValue)
      return subnet && v.names.length >= 2
        ? `${v.names[0]}/${v.names[1]}`
        : (v.names[v.names.length - 1] as string);
    if (typeof v === "string" && v.includes("<") && v.includes("/"))
      return this.placedId(v, path, subnet);
    if (typeof v === "string") return v.startsWith("/") ? { id: v } : v;
    this.wrongType("reference", "a resource id", path);
    return undefined;
  }

  /**
   * Whether an id without placeholders, or one naming a resource this
   * template declares (itself or its parent, for a subnet declared inside
   * its network): a placeholder names what nothing else can be matched to.
   */
  private placedHere(id: ResourceIdValue): boolean {
    if (!id.names.some((n) => n.includes("<"))) return true;
    const parent = new ResourceIdValue(
      id.type.split("/").slice(0, 2).join("/"),
      id.names.slice(0, 1),
    );
    return (
      this.context.finder(id) !== undefined ||
      (id.names.length > 1 && this.context.finder(parent) !== undefined)
    );
  }

  /** Reports a value not known (an omission of what is being read, as `get` does). */
  private notStatic(path: ValuePath, why: string): void {
    this.unknowns++;
    this.report(
      "warning",
      "ExpressionNotStaticallyKnown",
      `${pathText(path)}: ${why}; ${this.leftOut ? `${this.leftOut.what} is left out` : "the value is left out"}`,
      path,
      this.leftOut,
    );
  }

  /**
   * An id built with placeholders (`<subscription().id>/resourceGroups/...`):
   * the resource it names, by name, when its type and name are known.
   */
  private placedId(id: string, path: ValuePath, subnet: boolean): ResourceRef | undefined {
    const m = /\/providers\/([^/]+\/[^/]+)\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/.exec(id);
    const [, type, name, child, childName] = m ?? [];
    if (type !== undefined && name !== undefined) {
      const target =
        child === undefined || childName === undefined
          ? new ResourceIdValue(type, [name])
          : new ResourceIdValue(`${type}/${child}`, [name, childName]);
      if (this.placedHere(target))
        return subnet && childName !== undefined ? `${name}/${childName}` : (childName ?? name);
    }
    this.notStatic(path, `the id ${JSON.stringify(id)} cannot be known without deploying`);
    return undefined;
  }

  private refs(
    obj: JsonObject,
    key: string,
    path: ValuePath,
    subnet = false,
  ): ResourceRef[] | undefined {
    let raw = obj[key];
    if (!given(raw)) return undefined;
    // A list written as one expression (what Bicep writes for a map()) is read as its value.
    if (typeof raw === "string") {
      const value = this.get(obj, key, path);
      if (value === undefined) return undefined;
      raw = literal(value);
    }
    const out: ResourceRef[] = [];
    this.array({ [key]: raw }, key, path).forEach((item, i) => {
      const r = this.ref(item, [...path, key, i], subnet);
      if (r === undefined) return;
      this.origins.field(out, out.length, this.at([...path, key, i]));
      out.push(r);
    });
    return out;
  }

  /** The names of the ASGs an IP configuration joins, when every one is statically known. */
  private peekAsgs(config: unknown): string[] | undefined {
    if (!isObject(config)) return [];
    const refs = this.props(config).obj.applicationSecurityGroups;
    if (!given(refs)) return [];
    if (!Array.isArray(refs)) return undefined;
    const names: string[] = [];
    for (const ref of refs) {
      const v = this.peek(isObject(ref) ? ref.id : ref);
      if (v instanceof ResourceIdValue) names.push(v.names[v.names.length - 1] as string);
      else if (typeof v === "string") names.push(refName(v.startsWith("/") ? { id: v } : v));
      else return undefined;
    }
    return names;
  }

  /** The object holding a resource's settings: `properties` in templates, the resource itself when flattened. */
  private props(resource: JsonObject): { obj: JsonObject; at: string[] } {
    return isObject(resource.properties)
      ? { obj: resource.properties, at: ["properties"] }
      : { obj: resource, at: [] };
  }

  /**
   * What leaving out a whole resource of `type` leaves out: its kind and, from
   * its body, whatever decides whether that widens (a rule's access, an NSG on
   * a subnet or interface, the ASGs an interface joins).
   */
  private wholeResource(
    type: string,
    r: JsonObject,
    name: string | undefined,
    path: ValuePath,
  ): LeftOut {
    const kind = KIND_NAMES.find(([t]) => sameType(type, t))?.[1] ?? "resource";
    const what =
      name === undefined ? `the ${kind} at ${pathText(path)}` : `${kind} ${JSON.stringify(name)}`;
    const { obj } = this.props(r);
    if (sameType(type, T.asg)) return { kind: "applicationSecurityGroup", what };
    if (sameType(type, T.nsg)) return { kind: "networkSecurityGroup", what };
    if (sameType(type, T.rule)) {
      const access = this.peekString(obj.access);
      return { kind: "rule", ...(access === undefined ? {} : { access }), what };
    }
    if (sameType(type, T.vnet)) return { kind: "virtualNetwork", what };
    if (sameType(type, T.subnet))
      return { kind: "subnet", nsg: given(obj.networkSecurityGroup), what };
    if (sameType(type, T.peering)) return { kind: "peering", what };
    if (sameType(type, T.pip)) return { kind: "publicIPAddress", what };
    // Left out, a private endpoint or Bastion host is not reached in the spec: nothing widens.
    if (sameType(type, PRIVATE_ENDPOINT_TYPE) || sameType(type, BASTION_HOST_TYPE))
      return { kind: "publicIPAddress", what };
    if (LOAD_BALANCER_TYPES.some((t) => sameType(type, t))) return { kind: "loadBalancer", what };
    // An application gateway left out forwards nothing in the spec, as a load balancer.
    if (sameType(type, APPLICATION_GATEWAY_TYPE)) return { kind: "loadBalancer", what };
    // A scale set's instances are interfaces, which may carry an NSG.
    if (sameType(type, SCALE_SET_TYPE)) return { kind: "networkInterface", nsg: true, what };
    if (sameType(type, T.nic)) {
      const configs = Array.isArray(obj.ipConfigurations) ? obj.ipConfigurations : [];
      const each = configs.map((c) => this.peekAsgs(c));
      const asgs = each.every((a) => a !== undefined) ? each.flat() : undefined;
      return {
        kind: "networkInterface",
        nsg: given(obj.networkSecurityGroup),
        ...(asgs === undefined ? {} : { asgs }),
        what,
      };
    }
    return { kind: "resources", what };
  }

  private resource(
    r: unknown,
    path: ValuePath,
    parent: { type: string; name: string } | undefined,
  ): void {
    // What is clearly not meant as a resource is not one; a resource without its type is an error.
    // What `az appservice ase list-addresses` prints: addresses of an environment, not a resource.
    if (isObject(r) && isAseAddressDocument(r)) {
      this.inventory.add(`${ASE_TYPE} addresses`, "modelled");
      this.ases.vipInfo(r, path);
      return;
    }
    if (!resourceLike(r)) return;
    if (!given(r.type)) {
      this.missing("type", "the resource", path);
      return;
    }
    let type = this.leaving({ kind: "resources", what: `the resource at ${pathText(path)}` }, () =>
      this.string(r, "type", path),
    );
    if (type === undefined) return;
    if (parent && !type.includes("/")) type = `${parent.type}/${type}`;
    if (sameType(type, "Microsoft.Resources/deployments")) {
      this.deployment(r, path);
      return;
    }
    // A resource the template refers to but another deployment made (languageVersion 2.0).
    if (r.existing === true) return;
    const known = [
      ...Object.values(T),
      ...ASE_TYPES,
      ...LOAD_BALANCER_TYPES,
      SCALE_SET_TYPE,
      PRIVATE_ENDPOINT_TYPE,
      BASTION_HOST_TYPE,
      NAT_GATEWAY_TYPE,
      APPLICATION_GATEWAY_TYPE,
    ].find((t) => sameType(type, t));
    if (known === undefined) {
      this.notModelled(type, r, path);
      return;
    }
    this.inventory.add(known, "modelled");
    if (given(r.copy)) this.copies(r, path, parent, type);
    else this.declare(r, path, parent, type);
  }

  /**
   * A resource of a type the model does not hold: named with what it may
   * change (shared/unmodelled.ts), or counted as deciding no packet; a type
   * tierwall knows nothing of is named too. Its child resources are counted.
   */
  private notModelled(type: string, r: JsonObject, path: ValuePath): void {
    const found = standing("arm", type);
    if (found.standing === "notModelled") {
      const canonical = found.kind.arm.find((t) => sameType(type, t)) ?? type;
      this.inventory.add(canonical, "notModelled");
      this.report(
        "warning",
        NOT_MODELLED_CODE,
        `${pathText(path)}: ${notModelledMessage(canonical, this.peekString(r.name), found.kind)}`,
        path,
      );
    } else if (found.standing === "notRelevant") this.inventory.add(type, "notRelevant");
    else {
      this.inventory.add(type, "unknown");
      this.report(
        /^Microsoft\.Network\//i.test(type) ? "warning" : "info",
        "UnknownResourceType",
        `${pathText(path)}: ${type} is not known to tierwall; what it changes in reachability is not read`,
        path,
      );
    }
    if (!type.includes("/", type.indexOf("/") + 1))
      for (const [i, child] of this.array(r, "resources", path).entries()) {
        const childType = isObject(child) ? this.peekString(child.type) : undefined;
        if (childType === undefined || !isObject(child)) continue;
        this.notModelled(childType.includes("/") ? childType : `${type}/${childType}`, child, [
          ...path,
          "resources",
          i,
        ]);
      }
  }

  /**
   * A resource's copy loop: each copy is read, `copyIndex()` giving its
   * number, when the count is known (a literal, parameters, variables);
   * otherwise the copies are left out.
   */
  private copies(
    r: JsonObject,
    path: ValuePath,
    parent: { type: string; name: string } | undefined,
    type: string,
  ): void {
    const copy = r.copy;
    const loop = isObject(copy) ? this.peekString(copy.name) : undefined;
    const count = isObject(copy) ? this.peek(copy.count) : undefined;
    if (loop === undefined || !isCount(count)) {
      const whole = this.wholeResource(type, r, this.peekString(r.name), path);
      this.notKnown(
        [...path, "copy"],
        loop === undefined
          ? "a copy loop without a name"
          : `a copy loop whose count (${JSON.stringify(isObject(copy) ? copy.count : copy)}) is known only when deploying`,
        { ...whole, what: `the copies of ${whole.what}` },
      );
      return;
    }
    for (let index = 0; index < count; index++)
      this.context.inLoop(loop, index, true, () => this.declare(r, path, parent, type));
  }

  /** One resource of a type the model holds (one copy of a copy loop). */
  private declare(
    r: JsonObject,
    path: ValuePath,
    parent: { type: string; name: string } | undefined,
    type: string,
  ): void {
    const whole = this.wholeResource(type, r, this.peekName(r.name), path);
    if (r.condition !== undefined) {
      const condition = this.leaving(whole, () => this.get(r, "condition", path));
      if (condition === false) return;
      if (condition !== true) {
        if (condition !== undefined)
          this.wrongType("condition", "a boolean", [...path, "condition"]);
        return;
      }
    }
    if (!given(r.name)) {
      this.missing("name", `the ${KIND_NAMES.find(([t]) => sameType(type, t))?.[1]}`, path);
      return;
    }
    const fullName = this.leaving(whole, () => this.name(r, "name", path));
    if (fullName === undefined) return;
    const names = fullName.split("/");
    // A child declared inside its parent has its own name only; at the top level, parent/child.
    const segments = parent ? [parent.name, ...names.slice(-1)] : names;
    const name = segments[segments.length - 1] as string;
    const isChild = [T.rule, T.subnet, T.peering, T.route, ...LOAD_BALANCER_TYPES.slice(1)].some(
      (t) => sameType(type, t),
    );
    if (isChild && segments.length < 2) {
      this.report(
        "error",
        "InvalidResourceName",
        `${pathText([...path, "name"])}: child resource ${JSON.stringify(fullName)} does not name its parent (parent/child)`,
        [...path, "name"],
      );
      return;
    }
    const location = this.string(r, "location", path, "info");
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const copies =
      isObject(r.properties) && given(r.properties.copy)
        ? this.propertyCopy(type, r.properties.copy, [...path, "properties", "copy"], obj, name)
        : new Map<string, ListItem[]>();
    /** The items of a list property: those written, then those its copy loop makes. */
    const items = (key: string): ListItem[] => [
      ...this.array(obj, key, base).map((raw, i) => ({ raw, path: [...base, key, i] })),
      ...(copies.get(key) ?? []),
    ];

    if (sameType(type, T.asg)) {
      const asg = { name, ...(location === undefined ? {} : { location }) };
      this.origins.record(asg, this.at(path), { name: this.at([...path, "name"]) });
      this.asgs.push(asg);
    } else if (sameType(type, T.nsg)) {
      const nsg = this.nsg(name, path, base);
      if (location !== undefined) nsg.location = location;
      const flush = this.get(obj, "flushConnection", base);
      if (typeof flush === "boolean") nsg.flushConnection = flush;
      for (const item of items("securityRules"))
        this.inCopy(item, () => {
          const parsed = this.rule(item.raw, item.path, nsg.name);
          if (parsed) nsg.rules.push(parsed);
        });
    } else if (sameType(type, T.rule)) {
      const parsed = this.rule(r, path, segments[0] as string);
      if (parsed) this.nsg(segments[0] as string, path).rules.push(parsed);
    } else if (sameType(type, T.vnet)) {
      const vnet = this.vnet(name, path, base);
      if (location !== undefined) vnet.location = location;
      this.addressSpace(obj, base, vnet);
      for (const item of items("subnets"))
        this.inCopy(item, () => {
          const subnet = this.subnet(item.raw, item.path, vnet.name);
          if (subnet) vnet.subnets.push(subnet);
        });
      for (const item of items("virtualNetworkPeerings"))
        this.inCopy(item, () => {
          const peering = this.peering(item.raw, item.path, vnet.name);
          if (peering) vnet.peerings.push(peering);
        });
    } else if (sameType(type, T.subnet)) {
      const subnet = this.subnet(r, path, segments[0] as string, name);
      if (subnet) this.vnet(segments[0] as string, path).subnets.push(subnet);
    } else if (sameType(type, T.peering)) {
      const peering = this.peering(r, path, segments[0] as string, name);
      if (peering) this.vnet(segments[0] as string, path).peerings.push(peering);
    } else if (sameType(type, T.routeTable)) {
      this.routes.table(r, path, name, location, items);
    } else if (sameType(type, T.route)) {
      this.routes.child(r, path, segments);
    } else if (sameType(type, T.pip)) {
      this.publicIp(r, path, name, location);
    } else if (sameType(type, LOAD_BALANCER_TYPE)) {
      this.lbs.loadBalancer(r, path, name, location, items);
    } else if (sameType(type, APPLICATION_GATEWAY_TYPE)) {
      this.agws.gateway(r, path, name, location, items);
    } else if (LOAD_BALANCER_TYPES.some((t) => sameType(type, t))) {
      this.lbs.child(type, r, path, segments);
    } else if (sameType(type, SCALE_SET_TYPE)) {
      this.scaleSets.scaleSet(r, path, name, location);
    } else if (sameType(type, PRIVATE_ENDPOINT_TYPE)) {
      this.endpoints.privateEndpoint(r, path, name, location);
    } else if (sameType(type, NAT_GATEWAY_TYPE)) {
      this.nats.natGateway(r, path, name, location);
    } else if (sameType(type, BASTION_HOST_TYPE)) {
      this.endpoints.bastionHost(r, path, name, location);
    } else if (sameType(type, ASE_TYPE)) this.ases.ase(r, path, name);
    else if (sameType(type, ASE_CONFIGURATION_TYPE)) this.ases.configuration(r, path, segments);
    else if (sameType(type, T.nic)) {
      const nic = this.nic(r, path, name);
      if (nic) this.nics.push(nic);
      if (this.peek(obj.enableIPForwarding) === true)
        this.report(
          "warning",
          NOT_MODELLED_CODE,
          `${pathText([...base, "enableIPForwarding"])}: ${ipForwardingMessage(name)}`,
          [...base, "enableIPForwarding"],
        );
    }

    if (!type.includes("/", type.indexOf("/") + 1))
      for (const [i, child] of this.array(r, "resources", path).entries())
        this.resource(child, [...path, "resources", i], { type, name });
  }

  /** Reads `item`, in its copy of a property copy loop when a loop made it. */
  private inCopy(item: ListItem, read: () => void): void {
    if (item.loop === undefined) read();
    else this.context.inLoop(item.loop, item.index ?? 0, false, read);
  }

  /**
   * The items property copy loops (`properties.copy`) make, by property, for
   * the lists the model reads (an NSG's rules, a network's subnets and
   * peerings), each read in its copy. A loop whose count is known only when
   * deploying (and, for now, one making a NIC's IP configurations) is left
   * out, named with what that costs.
   */
  private propertyCopy(
    type: string,
    copy: unknown,
    path: ValuePath,
    obj: JsonObject,
    owner: string,
  ): Map<string, ListItem[]> {
    const made = new Map<string, ListItem[]>();
    if (!Array.isArray(copy)) {
      this.wrongType("copy", "an array of copy loops", path);
      return made;
    }
    copy.forEach((loop, i) => {
      const property = isObject(loop) ? this.peekString(loop.name) : undefined;
      const input = isObject(loop) && isObject(loop.input) ? this.props(loop.input).obj : {};
      const of = (kind: string) => `the ${property} of ${kind} ${JSON.stringify(owner)}`;
      let leftOut: LeftOut | undefined;
      let read = false;
      if (sameType(type, T.nsg) && property === "securityRules") {
        const access = this.peekString(input.access);
        read = true;
        leftOut = {
          kind: "rule",
          ...(access === undefined ? {} : { access }),
          what: of("network security group"),
        };
      } else if (sameType(type, T.vnet) && property === "subnets") {
        read = true;
        leftOut = {
          kind: "subnet",
          nsg: given(input.networkSecurityGroup),
          what: of("virtual network"),
        };
      } else if (sameType(type, T.routeTable) && property === "routes") {
        read = true;
        leftOut = { kind: "resources", what: of("route table") };
      } else if (sameType(type, T.vnet) && property === "virtualNetworkPeerings") {
        read = true;
        leftOut = { kind: "peering", what: of("virtual network") };
      } else if (
        sameType(type, LOAD_BALANCER_TYPE) &&
        LOAD_BALANCER_LISTS.includes(property ?? "")
      ) {
        read = true;
        leftOut = { kind: "loadBalancer", what: of("load balancer") };
      } else if (sameType(type, T.nic) && property === "ipConfigurations") {
        const asgs = this.peekAsgs(isObject(loop) ? loop.input : undefined);
        leftOut = {
          kind: "networkInterface",
          nsg: given(obj.networkSecurityGroup),
          ...(asgs === undefined ? {} : { asgs }),
          what: of("network interface"),
        };
      } else if (property === undefined)
        leftOut = {
          kind: "resources",
          what: `the items the copy loop makes for ${JSON.stringify(owner)}`,
        };
      const count = isObject(loop) ? this.peek(loop.count) : undefined;
      if (read && property !== undefined && isObject(loop) && isCount(count)) {
        const inputPath = [...path, i, "input"];
        const items = Array.from({ length: count }, (_, index): ListItem => {
          // An input written as one expression is evaluated in its copy, and read as a literal.
          const raw =
            typeof loop.input === "string"
              ? this.peekLiteral(property, index, loop.input)
              : loop.input;
          return { raw, path: inputPath, loop: property, index };
        });
        made.set(property, [...(made.get(property) ?? []), ...items]);
        return;
      }
      if (leftOut)
        this.notKnown(
          [...path, i],
          read
            ? `a property copy loop whose count (${JSON.stringify(isObject(loop) ? loop.count : loop)}) is known only when deploying`
            : "a property copy loop makes its items known only when deploying",
          leftOut,
        );
    });
    return made;
  }

  /** An expression's value in one copy of a loop, as JSON the reader reads literally; undefined when not known. */
  private peekLiteral(loop: string, index: number, raw: string): unknown {
    return this.context.inLoop(loop, index, false, () => {
      const value = this.peek(raw);
      return value === undefined ? raw : literal(value);
    });
  }

  /**
   * The NSG of that name. With `base` (where its properties are), the resource
   * at `path` declares it; without, a child resource at `path` names it, and it
   * is a placeholder until declared.
   */
  private nsg(name: string, path: ValuePath, base?: ValuePath): NsgDraft {
    const nsg = this.draft(this.nsgs, name, () => ({ name, rules: [] }), path, base);
    if (base) this.origins.field(nsg, "securityRules", this.at([...base, "securityRules"]));
    return nsg;
  }

  /** The virtual network of that name, declared or a placeholder, as `nsg` says. */
  private vnet(name: string, path: ValuePath, base?: ValuePath): VnetDraft {
    const vnet = this.draft(
      this.vnets,
      name,
      () => ({ name, addressPrefixes: [], subnets: [], peerings: [] }),
      path,
      base,
    );
    if (!this.vnetFirstNamed.has(vnet)) this.vnetFirstNamed.set(vnet, path);
    if (base) {
      this.origins.field(vnet, "addressSpace", this.at([...base, "addressSpace"]));
      this.origins.field(vnet, "subnets", this.at([...base, "subnets"]));
    }
    return vnet;
  }

  /**
   * A draft of `drafts` by name (any case). One resource may declare it; a
   * second declaration is an error, since Azure would reject the template
   * (and a list of several groups' resources holds two the model cannot tell apart).
   */
  private draft<D extends NsgDraft | VnetDraft>(
    drafts: Map<string, D>,
    name: string,
    make: () => D,
    path: ValuePath,
    base: ValuePath | undefined,
  ): D {
    const key = name.toLowerCase();
    let draft = drafts.get(key);
    if (!draft) {
      draft = make();
      drafts.set(key, draft);
      this.origins.record(draft, this.at(path));
      this.origins.placeholder(draft);
    }
    if (base === undefined) return draft;
    if (this.declared.has(draft))
      this.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: ${name} is declared a second time in this document`,
        [...path, "name"],
      );
    else {
      this.declared.add(draft);
      this.origins.record(draft, this.at(path), {
        name: this.at([...path, "name"]),
        location: this.at([...path, "location"]),
      });
      this.origins.placeholder(draft, false);
    }
    return draft;
  }

  /** A network's address space: what VirtualNetwork and Internet mean in every rule. */
  private addressSpace(obj: JsonObject, base: ValuePath, vnet: VnetDraft): void {
    const space = obj.addressSpace;
    if (!given(space)) return;
    const at = [...base, "addressSpace"];
    if (!isObject(space)) {
      this.wrongType("addressSpace", "an object with addressPrefixes", at);
      return;
    }
    const prefixes = this.leaving(
      {
        kind: "addressSpace",
        what: `the address space of virtual network ${JSON.stringify(vnet.name)}`,
      },
      () => this.get(space, "addressPrefixes", at),
    );
    if (prefixes === undefined || prefixes === null) return;
    if (!Array.isArray(prefixes)) {
      this.wrongType("addressPrefixes", "an array of address prefixes", [...at, "addressPrefixes"]);
      return;
    }
    prefixes.forEach((p, i) => {
      const place = [...at, "addressPrefixes", i];
      if (typeof p !== "string") {
        this.wrongType("addressPrefixes", "address prefixes (strings)", place);
        return;
      }
      this.origins.field(vnet.addressPrefixes, vnet.addressPrefixes.length, this.at(place));
      vnet.addressPrefixes.push(p);
    });
  }

  /**
   * A nested deployment: an inline template evaluated in this template's scope
   * is read as part of it; a linked template or an inner scope is named, as
   * resources not known.
   */
  private deployment(r: JsonObject, path: ValuePath): void {
    const properties = isObject(r.properties) ? r.properties : {};
    const at = [...path, "properties"];
    const options = properties.expressionEvaluationOptions;
    const inner = isObject(options) && String(options.scope).toLowerCase() === "inner";
    const template = properties.template;
    if (isObject(template) && !inner) {
      this.array(template, "resources", [...at, "template"]).forEach((child, i) => {
        this.resource(child, [...at, "template", "resources", i], undefined);
      });
      return;
    }
    const linked = properties.templateLink !== undefined;
    const leftOut: LeftOut = {
      kind: "resources",
      what: linked
        ? "the resources of the linked template"
        : "the resources of the nested template",
    };
    this.report(
      "warning",
      linked ? "LinkedTemplateNotRead" : "NestedTemplateNotRead",
      linked
        ? `${pathText(at)}: the linked template is not read; ${leftOut.what} are left out`
        : `${pathText(at)}: a nested template with its own (inner) scope is not read; its resources are left out`,
      linked ? [...at, "templateLink"] : at,
      leftOut,
    );
  }

  private rule(r: unknown, path: ValuePath, nsg: string): SecurityRule | undefined {
    if (!isObject(r)) {
      this.wrongType("a security rule", "an object", path);
      return undefined;
    }
    const { obj, at } = this.props(r);
    const access = this.peekString(obj.access);
    const leftOut = (what: string): LeftOut => ({
      kind: "rule",
      ...(access === undefined ? {} : { access }),
      what: `${what} of network security group ${JSON.stringify(nsg)}`,
    });
    if (!given(r.name)) {
      this.missing("name", "the security rule", path);
      return undefined;
    }
    const name = this.leaving(leftOut(`the security rule at ${pathText(path)}`), () =>
      this.name(r, "name", path),
    );
    if (name === undefined) return undefined;
    const base = [...path, ...at];
    const ruleName = name.split("/").pop() as string;
    const rule: Record<string, unknown> = { name: ruleName };
    const description = this.string(obj, "description", base);
    if (description !== undefined && description !== "") rule.description = description;
    // A rule missing any other value would be a different rule: it is left out whole.
    const known = this.whole(leftOut(`the rule ${JSON.stringify(ruleName)}`), () =>
      this.ruleFields(obj, base, rule),
    );
    if (!known) return undefined;
    this.origins.record(rule, this.at(path), { name: this.at([...path, "name"]) });
    for (const field of Object.keys(rule))
      if (field !== "name") this.origins.field(rule, field, this.at([...base, field]));
    return rule as unknown as SecurityRule;
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
        const items: string[] = [];
        value.forEach((item, i) => {
          if (typeof item !== "string" && typeof item !== "number") {
            this.wrongType(field, "a list of strings", [...base, field, i]);
            return;
          }
          this.origins.field(items, items.length, this.at([...base, field, i]));
          items.push(this.portRange(field, String(item), [...base, field, i]));
        });
        // Azure returns empty lists for the fields a rule does not use.
        if (items.length > 0) rule[field] = items;
      } else if (field === "priority") {
        const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
        if (typeof n === "number") rule[field] = n;
        else this.wrongType(field, "a number", [...base, field]);
      } else if (typeof value === "string" || typeof value === "number") {
        if (value !== "") rule[field] = this.portRange(field, String(value), [...base, field]);
      } else this.wrongType(field, "a string", [...base, field]);
    }
  }

  /** A port range as Azure deploys it (trimmed, with a note); any other value as written. */
  private portRange(field: string, value: string, path: ValuePath): string {
    const trimmed = isPortField(field) ? trimmedPortRange(value) : undefined;
    if (trimmed === undefined) return value;
    this.report("info", PORT_RANGE_TRIMMED, `${pathText(path)}: ${trimmedMessage(value)}`, path);
    return trimmed;
  }

  private subnet(
    s: unknown,
    path: ValuePath,
    vnet: string,
    givenName?: string,
  ): Subnet | undefined {
    if (!isObject(s)) {
      this.wrongType("a subnet", "an object", path);
      return undefined;
    }
    const { obj, at } = this.props(s);
    const base = [...path, ...at];
    const leftOut = (what: string): LeftOut => ({
      kind: "subnet",
      nsg: given(obj.networkSecurityGroup),
      what: `${what} of virtual network ${JSON.stringify(vnet)}`,
    });
    if (givenName === undefined && !given(s.name)) {
      this.missing("name", "the subnet", path);
      return undefined;
    }
    const name =
      givenName ??
      this.leaving(leftOut(`the subnet at ${pathText(path)}`), () => this.name(s, "name", path));
    if (name === undefined) return undefined;
    const subnet: { -readonly [K in keyof Subnet]: Subnet[K] } = { name };
    // A subnet whose range or NSG is not known cannot be placed: it is left out whole.
    const known = this.whole(leftOut(`the subnet ${JSON.stringify(name)}`), () => {
      const prefix = this.string(obj, "addressPrefix", base);
      if (prefix !== undefined && prefix !== "") subnet.addressPrefix = prefix;
      const prefixes = this.get(obj, "addressPrefixes", base);
      if (Array.isArray(prefixes) && prefixes.length > 0) {
        const texts = prefixes.filter((p): p is string => typeof p === "string");
        if (texts.length === prefixes.length) subnet.addressPrefixes = texts;
        else
          this.wrongType("addressPrefixes", "a list of address prefixes", [
            ...base,
            "addressPrefixes",
          ]);
      } else if (given(prefixes) && !Array.isArray(prefixes))
        this.wrongType("addressPrefixes", "an array", [...base, "addressPrefixes"]);
      if (given(obj.networkSecurityGroup)) {
        const nsg = this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]);
        if (nsg !== undefined) subnet.networkSecurityGroup = nsg;
      }
      if (given(obj.routeTable)) {
        const table = this.ref(obj.routeTable, [...base, "routeTable"]);
        if (table !== undefined) subnet.routeTable = table;
      }
      if (given(obj.natGateway)) {
        const nat = this.ref(obj.natGateway, [...base, "natGateway"]);
        if (nat !== undefined) subnet.natGateway = nat;
      }
      const outbound = this.peek(obj.defaultOutboundAccess);
      if (typeof outbound === "boolean") subnet.defaultOutboundAccess = outbound;
      else if (given(obj.defaultOutboundAccess))
        this.report(
          "warning",
          "DefaultOutboundAccessNotKnown",
          `${pathText([...base, "defaultOutboundAccess"])}: whether the subnet has default outbound access is not statically known; it is read as true (Azure's default for networks made before API 2025-07-01), so its hosts may reach the Internet from an implicit address`,
          [...base, "defaultOutboundAccess"],
        );
      const policies = this.peek(obj.privateEndpointNetworkPolicies);
      const policy = PRIVATE_ENDPOINT_NETWORK_POLICIES.find(
        (p) => typeof policies === "string" && p.toLowerCase() === policies.toLowerCase(),
      );
      // Disabled, Azure's default (which az prints on every subnet), is left out.
      if (policy !== undefined && policy !== "Disabled")
        subnet.privateEndpointNetworkPolicies = policy;
      else if (policy === undefined && given(obj.privateEndpointNetworkPolicies))
        this.report(
          "warning",
          "PrivateEndpointNetworkPoliciesNotKnown",
          `${pathText([...base, "privateEndpointNetworkPolicies"])}: ${JSON.stringify(obj.privateEndpointNetworkPolicies)} is not known to be Enabled, Disabled, NetworkSecurityGroupEnabled or RouteTableEnabled; it is read as Disabled (Azure's default), under which the subnet's NSG does not apply to its private endpoints`,
          [...base, "privateEndpointNetworkPolicies"],
        );
    });
    if (!known) return undefined;
    this.origins.record(subnet, this.at(path), {
      name: this.at(givenName === undefined ? [...path, "name"] : path),
      addressPrefix: this.at([...base, "addressPrefix"]),
      addressPrefixes: this.at([...base, "addressPrefixes"]),
      networkSecurityGroup: this.at([...base, "networkSecurityGroup"]),
      routeTable: this.at([...base, "routeTable"]),
      natGateway: this.at([...base, "natGateway"]),
      defaultOutboundAccess: this.at([...base, "defaultOutboundAccess"]),
      privateEndpointNetworkPolicies: this.at([...base, "privateEndpointNetworkPolicies"]),
    });
    return subnet;
  }

  private peering(
    p: unknown,
    path: ValuePath,
    vnet: string,
    givenName?: string,
  ): VirtualNetworkPeering | undefined {
    if (!isObject(p)) {
      this.wrongType("a peering", "an object", path);
      return undefined;
    }
    const { obj, at } = this.props(p);
    const peek = givenName ?? this.peekName(p.name);
    const leftOut: LeftOut = {
      kind: "peering",
      what: `${peek === undefined ? "a peering" : `peering ${JSON.stringify(peek)}`} of virtual network ${JSON.stringify(vnet)}`,
    };
    const name = givenName ?? this.leaving(leftOut, () => this.name(p, "name", path));
    if (!given(obj.remoteVirtualNetwork)) {
      this.missing("remoteVirtualNetwork", "the peering", [...path, ...at]);
      return undefined;
    }
    const remote = this.leaving(leftOut, () =>
      this.ref(obj.remoteVirtualNetwork, [...path, ...at, "remoteVirtualNetwork"]),
    );
    if (remote === undefined) return undefined;
    // False takes the peer out of this network's VirtualNetwork tag; one not
    // known is read as Azure's default, true, which leaves the tag widest.
    const access = this.peek(obj.allowVirtualNetworkAccess);
    if (given(obj.allowVirtualNetworkAccess) && typeof access !== "boolean")
      this.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        `${pathText([...path, ...at, "allowVirtualNetworkAccess"])}: cannot be known without deploying; it is read as true, Azure's default, which keeps the remote network in the VirtualNetwork tag`,
        [...path, ...at, "allowVirtualNetworkAccess"],
      );
    const peering = {
      ...(name === undefined ? {} : { name }),
      remoteVirtualNetwork: remote,
      ...(access === false ? { allowVirtualNetworkAccess: false } : {}),
      ...peeringFlags(obj, [...path, ...at], this.routes),
    };
    this.origins.record(peering, this.at(path), {
      remoteVirtualNetwork: this.at([...path, ...at, "remoteVirtualNetwork"]),
      allowVirtualNetworkAccess: this.at([...path, ...at, "allowVirtualNetworkAccess"]),
      allowForwardedTraffic: this.at([...path, ...at, "allowForwardedTraffic"]),
      allowGatewayTransit: this.at([...path, ...at, "allowGatewayTransit"]),
      useRemoteGateways: this.at([...path, ...at, "useRemoteGateways"]),
    });
    return peering;
  }

  /**
   * A public IP address: its SKU, its address when known (as `az network
   * public-ip show` prints it), its allocation method and version. A SKU not
   * given or not known is read as Basic, open to inbound traffic: Azure made
   * public IPs without a SKU Basic (and a Dynamic one can only be Basic); what
   * it makes of one today is not documented, so the reading that hides no
   * exposure is taken, and named.
   */
  private publicIp(r: JsonObject, path: ValuePath, name: string, location?: string): void {
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const key = name.toLowerCase();
    if (this.pips.has(key)) {
      this.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: ${name} is declared a second time in this document`,
        [...path, "name"],
      );
      return;
    }
    const pick = <T extends string>(options: readonly T[], raw: unknown): T | undefined => {
      const text = this.peekString(raw)?.toLowerCase();
      return options.find((o) => o.toLowerCase() === text);
    };
    const skuRaw = isObject(r.sku) ? r.sku.name : r.sku;
    const sku = pick(PUBLIC_IP_SKUS, skuRaw);
    const allocation = pick(ALLOCATION_METHODS, obj.publicIPAllocationMethod);
    const version = pick(IP_VERSIONS, obj.publicIPAddressVersion);
    const address = this.peekString(obj.ipAddress);
    if (sku === undefined && allocation !== "Dynamic") {
      const at = given(skuRaw) ? [...path, "sku"] : path;
      this.report(
        "info",
        "PublicIPSkuNotKnown",
        `${pathText(at) || "the resource"}: public IP address ${JSON.stringify(name)} ${given(skuRaw) ? `has a SKU (${JSON.stringify(skuRaw)}) that is not known to be Basic or Standard` : "gives no SKU"}; it is read as Basic, open to inbound traffic where no NSG applies`,
        at,
      );
    }
    const pip: PublicIPAddress = {
      name,
      ...(location === undefined ? {} : { location }),
      sku: sku ?? "Basic",
      ...(address === undefined || address === "" ? {} : { ipAddress: address }),
      ...(allocation === undefined ? {} : { publicIPAllocationMethod: allocation }),
      ...(version === undefined ? {} : { publicIPAddressVersion: version }),
    };
    this.origins.record(pip, this.at(path), {
      name: this.at([...path, "name"]),
      sku: this.at([...path, "sku"]),
      ipAddress: this.at([...base, "ipAddress"]),
      publicIPAllocationMethod: this.at([...base, "publicIPAllocationMethod"]),
    });
    this.pips.set(key, pip);
  }

  /**
   * The public IP an IP configuration names: by name (a placeholder for what
   * cannot be known in it), or by an id the model checks. One whose name
   * cannot be read at all stands as `<NIC.CONFIG.publicIPAddress>`: the
   * interface keeps its public endpoint either way.
   */
  private publicIpRef(
    raw: unknown,
    path: ValuePath,
    nic: string,
    config: string | number,
  ): ResourceRef | undefined {
    if (isObject(raw) && !("id" in raw)) {
      this.wrongType("publicIPAddress", "an object with an id", path);
      return undefined;
    }
    const at = isObject(raw) ? [...path, "id"] : path;
    let value: unknown;
    try {
      value = this.context.name(isObject(raw) ? raw.id : raw);
    } catch (e) {
      if (!(e instanceof NotStatic)) throw e;
    }
    let ref: ResourceRef | undefined;
    if (value instanceof ResourceIdValue) ref = value.names.at(-1);
    else if (typeof value === "string" && value.startsWith("/") && !value.includes("<"))
      ref = { id: value };
    else if (typeof value === "string") ref = value.split("/").filter(Boolean).at(-1);
    if (ref === undefined) {
      ref = `<${nic}.${config}.publicIPAddress>`;
      this.report(
        "warning",
        "PublicIPAddressNameNotKnown",
        `${pathText(at)}: the public IP address's name cannot be known without deploying; it stands as ${ref}, a public address not known`,
        at,
      );
    } else this.placeholdersAt(at, typeof ref === "string" ? ref : ref.id);
    const key = refName(ref).toLowerCase();
    if (!this.pipRefs.has(key)) this.pipRefs.set(key, { name: refName(ref), path: at });
    return ref;
  }

  /**
   * A public IP an interface names that this document does not declare (made
   * by another deployment, or by a copy loop not read) is still a public
   * endpoint: a placeholder with its address not known and its SKU read as
   * Basic, open where no NSG applies, so that no exposure is hidden. A file
   * imported with it that declares it replaces it; if none does, the import
   * names it (shared/imported.ts).
   */
  private undeclaredPublicIps(
    loadBalancers: readonly LoadBalancer[] = [],
    gateways: readonly ApplicationGateway[] = [],
  ): void {
    // A load balancer's frontend has a public IP of its own SKU.
    const skus = new Map<string, PublicIPAddress["sku"]>();
    for (const lb of loadBalancers)
      for (const f of lb.frontendIPConfigurations)
        if (f.publicIPAddress !== undefined)
          skus.set(refName(f.publicIPAddress).toLowerCase(), lb.sku);
    // An application gateway's is Standard for v2 and Basic for v1.
    for (const gw of gateways)
      for (const f of gw.frontendIPConfigurations)
        if (f.publicIPAddress !== undefined)
          skus.set(
            refName(f.publicIPAddress).toLowerCase(),
            gatewayVersion(gw.sku.tier) === 2 ? "Standard" : "Basic",
          );
    // A NAT gateway takes Standard public IPs only.
    for (const pip of this.nats.publicIpNames()) skus.set(pip.toLowerCase(), "Standard");
    // Azure Bastion takes a Standard public IP only.
    for (const b of this.endpoints.bastionHosts)
      for (const c of b.ipConfigurations)
        if (c.publicIPAddress !== undefined)
          skus.set(refName(c.publicIPAddress).toLowerCase(), "Standard");
    for (const [key, { name, path }] of this.pipRefs) {
      if (this.pips.has(key)) continue;
      const pip: PublicIPAddress = { name, sku: skus.get(key) ?? "Basic" };
      this.origins.record(pip, this.at(path), { name: this.at(path) });
      this.origins.placeholder(pip);
      this.pips.set(key, pip);
    }
  }

  private nic(r: JsonObject, path: ValuePath, name: string): NetworkInterface | undefined {
    const { obj, at } = this.props(r);
    const base = [...path, ...at];
    const label = `network interface ${JSON.stringify(name)}`;
    const hasNsg = given(obj.networkSecurityGroup);
    const nsg = hasNsg
      ? this.leaving({ kind: "association", what: `the NSG of ${label}` }, () =>
          this.ref(obj.networkSecurityGroup, [...base, "networkSecurityGroup"]),
        )
      : undefined;
    const configs: IpConfiguration[] = [];
    const allAsgs: (string[] | undefined)[] = [];
    this.array(obj, "ipConfigurations", base).forEach((c, i) => {
      const cPath = [...base, "ipConfigurations", i];
      if (!isObject(c)) {
        this.wrongType("an IP configuration", "an object", cPath);
        return;
      }
      const peekName = this.peekString(c.name);
      const asgNames = this.peekAsgs(c);
      allAsgs.push(asgNames);
      const leftOut: LeftOut = {
        kind: "networkInterface",
        nsg: hasNsg,
        ...(asgNames === undefined ? {} : { asgs: asgNames }),
        what: `IP configuration ${JSON.stringify(peekName ?? String(i))} of ${label}`,
      };
      const { obj: co, at: cAt } = this.props(c);
      const cBase = [...cPath, ...cAt];
      let configName: string | undefined;
      let address: string | undefined;
      let subnet: ResourceRef | undefined;
      // No address given, Dynamic (ARM's default): some free host of the subnet, assigned when deploying.
      const method = this.peekString(co.privateIPAllocationMethod)?.toLowerCase();
      const dynamic = !given(co.privateIPAddress) && method !== "static";
      this.leaving(leftOut, () => {
        configName = this.string(c, "name", cPath);
        if (!dynamic) address = this.string(co, "privateIPAddress", cBase);
        subnet = given(co.subnet) ? this.ref(co.subnet, [...cBase, "subnet"], true) : undefined;
      });
      if ((address === undefined && !dynamic) || subnet === undefined) {
        this.report(
          "warning",
          "IncompleteIpConfiguration",
          `${pathText(cPath)}: an IP configuration without a known subnet and private address (a static one, or Dynamic) is left out`,
          cPath,
          leftOut,
        );
        return;
      }
      const asgs = this.leaving(
        {
          kind: "asgMembership",
          what: `the application security groups of IP configuration ${JSON.stringify(configName ?? String(i))} of ${label}`,
        },
        () => this.refs(co, "applicationSecurityGroups", cBase),
      );
      const version = this.peekString(co.privateIPAddressVersion)?.toLowerCase();
      const publicIp = given(co.publicIPAddress)
        ? this.publicIpRef(co.publicIPAddress, [...cBase, "publicIPAddress"], name, configName ?? i)
        : undefined;
      const lbRefs = this.leaving(
        {
          kind: "loadBalancer",
          what: `the load balancer pools and NAT rules of IP configuration ${JSON.stringify(configName ?? String(i))} of ${label}`,
        },
        () => ({
          pools: this.refs(co, "loadBalancerBackendAddressPools", cBase, true),
          natRules: this.refs(co, "loadBalancerInboundNatRules", cBase, true),
          gatewayPools: this.refs(co, "applicationGatewayBackendAddressPools", cBase, true),
        }),
      );
      const config: IpConfiguration = {
        ...(configName === undefined ? {} : { name: configName }),
        ...(address === undefined
          ? {
              privateIPAllocationMethod: "Dynamic",
              ...(version === "ipv6" ? { privateIPAddressVersion: "IPv6" } : {}),
            }
          : { privateIPAddress: address }),
        ...(publicIp === undefined ? {} : { publicIPAddress: publicIp }),
        subnet,
        ...(asgs === undefined || asgs.length === 0 ? {} : { applicationSecurityGroups: asgs }),
        ...(lbRefs.pools?.length ? { loadBalancerBackendAddressPools: lbRefs.pools } : {}),
        ...(lbRefs.natRules?.length ? { loadBalancerInboundNatRules: lbRefs.natRules } : {}),
        ...(lbRefs.gatewayPools?.length
          ? { applicationGatewayBackendAddressPools: lbRefs.gatewayPools }
          : {}),
      };
      this.origins.record(config, this.at(cPath), {
        privateIPAddress: this.at([...cBase, "privateIPAddress"]),
        privateIPAllocationMethod: this.at([...cBase, "privateIPAllocationMethod"]),
        publicIPAddress: this.at([...cBase, "publicIPAddress"]),
        subnet: this.at([...cBase, "subnet"]),
        applicationSecurityGroups: this.at([...cBase, "applicationSecurityGroups"]),
      });
      configs.push(config);
    });
    if (configs.length === 0) {
      const asgs = allAsgs.every((a) => a !== undefined) ? allAsgs.flat() : undefined;
      this.report(
        "warning",
        "IncompleteNetworkInterface",
        `${pathText(path)}: ${label} has no IP configuration with a known subnet and private address; it is left out${hasNsg ? ", with its network security group" : ""}`,
        path,
        {
          kind: "networkInterface",
          nsg: hasNsg,
          ...(asgs === undefined ? {} : { asgs }),
          what: label,
        },
      );
      return undefined;
    }
    const nic = {
      name,
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations: configs,
    };
    this.origins.record(nic, this.at(path), {
      name: this.at([...path, "name"]),
      networkSecurityGroup: this.at([...base, "networkSecurityGroup"]),
      ipConfigurations: this.at([...base, "ipConfigurations"]),
    });
    return nic;
  }
}
