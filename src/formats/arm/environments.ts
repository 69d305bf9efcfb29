/**
 * App Service Environments in ARM JSON: `Microsoft.Web/hostingEnvironments`
 * in templates and as `az appservice ase list` / `show` prints them, and the
 * addresses Azure assigned them, which only a deployed estate's output gives:
 * `az appservice ase list-addresses` (v1, v2: `serviceIpAddress`,
 * `internalIpAddress`, `outboundIpAddresses`) and the v3 networking
 * configuration (`networkingConfiguration` of `show`, or the
 * `Microsoft.Web/hostingEnvironments/configurations` resource `networking`).
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import type { Environment, EnvironmentKind, ResourceRef } from "../../model/types.js";
import {
  type AseAddresses,
  type AseDeclaration,
  placedEnvironment,
} from "../shared/environments.js";
import { armId, isObject, type JsonObject, pathText } from "../shared/json.js";
import type { Origin, Origins } from "../shared/origins.js";

export const ASE_TYPE = "Microsoft.Web/hostingEnvironments";
export const ASE_CONFIGURATION_TYPE = "Microsoft.Web/hostingEnvironments/configurations";
/** The ARM types this module reads. */
export const ASE_TYPES = [ASE_TYPE, ASE_CONFIGURATION_TYPE] as const;

/** What `kind` says of the version (none is v1, as the first environments were made). */
const KINDS: Readonly<Record<string, EnvironmentKind>> = {
  asev1: "AppServiceEnvironmentV1",
  asev2: "AppServiceEnvironmentV2",
  asev3: "AppServiceEnvironmentV3",
};

/** The v1/v2 address fields of `az appservice ase list-addresses` output. */
const VIP_FIELDS = ["serviceIpAddress", "internalIpAddress", "outboundIpAddresses"] as const;

const given = (v: unknown) => v !== undefined && v !== null;
const settings = (r: JsonObject): { obj: JsonObject; at: string[] } =>
  isObject(r.properties) ? { obj: r.properties, at: ["properties"] } : { obj: r, at: [] };

/** Whether a document is what `az appservice ase list-addresses` prints for a v1 or v2 environment. */
export function isAseAddressDocument(v: unknown): boolean {
  if (!isObject(v)) return false;
  const { obj } = settings(v);
  const type = typeof v.type === "string" ? v.type : "";
  return (
    VIP_FIELDS.some((f) => Object.hasOwn(obj, f)) &&
    (type === "" || /^Microsoft\.Web\/hostingEnvironments\//i.test(type))
  );
}

/** The reader's ways of reading values, which this module shares. */
export interface AseReading {
  /** A value when it is statically known; undefined otherwise. */
  peek(raw: unknown): unknown;
  /** A reference as the model takes it (reported when it cannot be known). */
  ref(value: unknown, path: ValuePath): ResourceRef | undefined;
  report(severity: Severity, code: string, message: string, path: ValuePath): void;
  /** Where a path of the document is. */
  at(path: ValuePath): Origin;
}

/** The addresses a record gives, with where each came from. */
interface GivenAddresses {
  readonly addresses: AseAddresses;
  readonly path: ValuePath;
  readonly fields: Readonly<Record<string, ValuePath>>;
}

/** Collects the App Service Environments of one document, and the addresses given of them. */
export class AseReader {
  private readonly declared: {
    ase: AseDeclaration;
    path: ValuePath;
    fields: Record<string, ValuePath>;
  }[] = [];
  /** Addresses by lower-case environment name, in the order given. */
  private readonly addresses = new Map<string, { name: string; given: GivenAddresses[] }>();

  constructor(
    private readonly reading: AseReading,
    private readonly origins: Origins,
  ) {}

  /** A `Microsoft.Web/hostingEnvironments` resource named `name`. */
  ase(r: JsonObject, path: ValuePath, name: string): void {
    const { obj, at } = settings(r);
    const base = [...path, ...at];
    const kind = this.kind(r, path, name);
    const ingress = this.ingress(obj, base, name);
    const subnet = this.subnet(obj, base, name);
    if (kind === undefined || subnet === undefined) return;
    this.declared.push({
      ase: { name, kind, subnet: subnet.text, ingress },
      path,
      fields: { name: [...path, "name"], kind: [...path, "kind"], subnet: subnet.path },
    });
    const networking = obj.networkingConfiguration;
    if (isObject(networking))
      this.networkingAddresses(networking, [...base, "networkingConfiguration"], name);
  }

  /** A `configurations` resource of an environment: v3's `networking` holds its addresses. */
  configuration(r: JsonObject, path: ValuePath, names: readonly string[]): void {
    const fromId = this.environmentOfId(r.id);
    const ase = names.length >= 2 ? names[0] : fromId;
    const own = names.at(-1);
    if (ase === undefined) {
      this.reading.report(
        "error",
        "InvalidResourceName",
        `${pathText([...path, "name"])}: the configuration ${JSON.stringify(own)} does not name its App Service Environment (ase/networking)`,
        [...path, "name"],
      );
      return;
    }
    if (own?.toLowerCase() !== "networking") return;
    this.networkingAddresses(r, path, ase);
  }

  /** What `az appservice ase list-addresses` prints for a v1 or v2 environment. */
  vipInfo(r: JsonObject, path: ValuePath): void {
    const name = this.environmentOfId(r.id);
    if (name === undefined) {
      this.reading.report(
        "error",
        "EnvironmentNotNamed",
        `${pathText(path) || "the document"}: App Service Environment addresses (serviceIpAddress, outboundIpAddresses) without an id naming their environment (…/Microsoft.Web/hostingEnvironments/NAME/…)`,
        path,
      );
      return;
    }
    const { obj, at } = settings(r);
    const base = [...path, ...at];
    const pub = this.address(obj, "serviceIpAddress", base);
    const priv = this.address(obj, "internalIpAddress", base);
    const out = this.firstAddress(obj, "outboundIpAddresses", base, name);
    this.give(
      name,
      path,
      {
        ...(priv ? { privateIPAddress: priv } : {}),
        ...(pub ? { publicIPAddress: pub } : {}),
        ...(out ? { outboundIPAddress: out.value } : {}),
      },
      {
        ...(priv ? { privateIPAddress: [...base, "internalIpAddress"] } : {}),
        ...(pub ? { publicIPAddress: [...base, "serviceIpAddress"] } : {}),
        ...(out ? { outboundIPAddress: out.path } : {}),
      },
    );
  }

  /** The environments, each with the addresses this document gives of it; the others as placeholders. */
  environments(): Environment[] {
    const out: Environment[] = [];
    for (const { ase, path, fields } of this.declared) {
      const key = ase.name.toLowerCase();
      const records = this.addresses.get(key)?.given ?? [];
      this.addresses.delete(key);
      const env = placedEnvironment(
        ase,
        Object.assign({}, ...records.map((g) => g.addresses)) as AseAddresses,
      );
      this.record(env, path, fields, records);
      out.push(env);
    }
    for (const { name, given } of this.addresses.values()) {
      const first = given[0] as GivenAddresses;
      const env = {
        name,
        kind: "AppServiceEnvironmentV3" as const,
        ...Object.assign({}, ...given.map((g) => g.addresses)),
      };
      this.record(env, first.path, { name: first.path }, given);
      this.origins.placeholder(env);
      out.push(env);
    }
    return out;
  }

  private record(
    env: object,
    path: ValuePath,
    fields: Readonly<Record<string, ValuePath>>,
    records: readonly GivenAddresses[],
  ): void {
    const at = this.reading.at;
    const all: Record<string, Origin> = {};
    for (const [k, p] of Object.entries(fields)) all[k] = at(p);
    for (const g of records) for (const [k, p] of Object.entries(g.fields)) all[k] = at(p);
    this.origins.record(env, at(path), all);
  }

  /** v3's networking configuration: inbound addresses (external, internal) and outbound ones. */
  private networkingAddresses(r: JsonObject, path: ValuePath, name: string): void {
    const { obj, at } = settings(r);
    const base = [...path, ...at];
    const pub = this.firstAddress(obj, "externalInboundIpAddresses", base, name);
    const priv = this.firstAddress(obj, "internalInboundIpAddresses", base, name);
    const out =
      this.firstAddress(obj, "windowsOutboundIpAddresses", base, name) ??
      this.firstAddress(obj, "linuxOutboundIpAddresses", base, name);
    this.give(
      name,
      path,
      {
        ...(priv ? { privateIPAddress: priv.value } : {}),
        ...(pub ? { publicIPAddress: pub.value } : {}),
        ...(out ? { outboundIPAddress: out.value } : {}),
      },
      {
        ...(priv ? { privateIPAddress: priv.path } : {}),
        ...(pub ? { publicIPAddress: pub.path } : {}),
        ...(out ? { outboundIPAddress: out.path } : {}),
      },
    );
  }

  private give(
    name: string,
    path: ValuePath,
    addresses: AseAddresses,
    fields: Record<string, ValuePath>,
  ): void {
    // A networking configuration that gives no address (a template's) says nothing of them.
    if (Object.keys(addresses).length === 0) return;
    const key = name.toLowerCase();
    const entry = this.addresses.get(key) ?? { name, given: [] };
    entry.given.push({ addresses, path, fields });
    this.addresses.set(key, entry);
  }

  /** The environment an id of it, or of one of its children, names. */
  private environmentOfId(raw: unknown): string | undefined {
    const id = this.reading.peek(raw);
    if (typeof id !== "string") return undefined;
    return /\/providers\/Microsoft\.Web\/hostingEnvironments\/([^/]+)/i.exec(id)?.[1];
  }

  private address(obj: JsonObject, key: string, base: ValuePath): string | undefined {
    if (!given(obj[key])) return undefined;
    const v = this.reading.peek(obj[key]);
    if (typeof v === "string" && v !== "") return v;
    if (v === undefined || v === null || v === "") return undefined;
    this.wrongType(key, "an IP address", [...base, key]);
    return undefined;
  }

  /** The first address of a list; an environment with several is named, since the spec takes one. */
  private firstAddress(
    obj: JsonObject,
    key: string,
    base: ValuePath,
    name: string,
  ): { value: string; path: ValuePath } | undefined {
    if (!given(obj[key])) return undefined;
    const list = this.reading.peek(obj[key]);
    if (!Array.isArray(list) || list.some((a) => typeof a !== "string")) {
      this.wrongType(key, "a list of IP addresses", [...base, key]);
      return undefined;
    }
    const [first] = list as string[];
    if (first === undefined) return undefined;
    if (list.length > 1)
      this.reading.report(
        "warning",
        "SeveralEnvironmentAddresses",
        `${pathText([...base, key])}: App Service Environment ${JSON.stringify(name)} has ${list.length} addresses here (${list.join(", ")}); the spec takes the first, ${first}, and flows from or to the others are not checked`,
        [...base, key],
      );
    return { value: first, path: [...base, key, 0] };
  }

  private kind(r: JsonObject, path: ValuePath, name: string): EnvironmentKind | undefined {
    if (!given(r.kind)) return "AppServiceEnvironmentV1";
    if (typeof r.kind !== "string") {
      this.wrongType("kind", "a string", [...path, "kind"]);
      return undefined;
    }
    const text = this.reading.peek(r.kind);
    if (typeof text !== "string") {
      this.reading.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        `${pathText([...path, "kind"])}: the version of App Service Environment ${JSON.stringify(name)} cannot be known without deploying; it is read as v3`,
        [...path, "kind"],
      );
      return "AppServiceEnvironmentV3";
    }
    // An empty kind is none, as older output prints it for v1.
    const kind = text.trim() === "" ? "AppServiceEnvironmentV1" : KINDS[text.trim().toLowerCase()];
    if (kind === undefined)
      this.reading.report(
        "error",
        "InvalidPropertyValue",
        `${pathText([...path, "kind"])}: ${JSON.stringify(text)} is not a version of App Service Environment (ASEV1, ASEV2, ASEV3)`,
        [...path, "kind"],
      );
    return kind;
  }

  /**
   * Whether callers reach it on its public VIP (External) or on its address in
   * the subnet (Internal), from `internalLoadBalancingMode`: None (Azure's
   * default) is External; Web, or Web with Publishing, puts the apps behind the
   * internal load balancer. Publishing alone moves only FTP there: the apps
   * stay on the public VIP, so it is External (the quickstart templates'
   * "2 = only FTP ports are mapped to ILB VIP"). Numbers are the older form (0-3).
   */
  private ingress(obj: JsonObject, base: ValuePath, name: string): "External" | "Internal" {
    const at = [...base, "internalLoadBalancingMode"];
    if (!given(obj.internalLoadBalancingMode)) return "External";
    const raw = this.reading.peek(obj.internalLoadBalancingMode);
    const label = `App Service Environment ${JSON.stringify(name)}`;
    let parts: Set<string> | undefined;
    if (typeof raw === "number" && [0, 1, 2, 3].includes(raw))
      parts = new Set([...(raw & 1 ? ["web"] : []), ...(raw & 2 ? ["publishing"] : [])]);
    else if (typeof raw === "string") {
      const tokens = raw
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== "" && t !== "none");
      if (tokens.every((t) => t === "web" || t === "publishing")) parts = new Set(tokens);
    }
    if (raw === undefined) {
      this.reading.report(
        "warning",
        "ExpressionNotStaticallyKnown",
        `${pathText(at)}: cannot be known without deploying; ${label} is read as External, reached on its public VIP, which hides no exposure`,
        at,
      );
      return "External";
    }
    if (parts === undefined) {
      this.reading.report(
        "error",
        "InvalidPropertyValue",
        `${pathText(at)}: ${JSON.stringify(raw)} is not an internal load balancing mode (None, Web, Publishing, "Web, Publishing", or 0-3)`,
        at,
      );
      return "External";
    }
    if (parts.has("publishing") && !parts.has("web"))
      this.reading.report(
        "info",
        "PublishingOnlyInternal",
        `${pathText(at)}: only FTP publishing of ${label} is on its internal address; its apps stay on the public VIP, so it is read as External`,
        at,
      );
    return parts.has("web") ? "Internal" : "External";
  }

  /**
   * Its subnet as `VNET/SUBNET`: `virtualNetwork.id` naming the subnet (v3),
   * or the network with `virtualNetwork.subnet` (v1, v2); the oldest output
   * gives `vnetName` and `vnetSubnetName`.
   */
  private subnet(
    obj: JsonObject,
    base: ValuePath,
    name: string,
  ): { text: string; path: ValuePath } | undefined {
    const label = `App Service Environment ${JSON.stringify(name)}`;
    const vnet = obj.virtualNetwork;
    if (!isObject(vnet)) {
      const vnetName = this.reading.peek(obj.vnetName);
      const subnetName = this.reading.peek(obj.vnetSubnetName);
      if (typeof vnetName === "string" && typeof subnetName === "string" && subnetName !== "")
        return { text: `${vnetName}/${subnetName}`, path: [...base, "vnetSubnetName"] };
      this.reading.report(
        "error",
        "MissingProperty",
        `${pathText(base) || "the resource"}: ${label} has no virtualNetwork (the subnet it is deployed in)`,
        given(obj.virtualNetwork) ? [...base, "virtualNetwork"] : base,
      );
      return undefined;
    }
    const at = [...base, "virtualNetwork"];
    // Property names are not case-sensitive in ARM: the v1 quickstarts write Id and Subnet.
    const key = (name: string) => Object.keys(vnet).find((k) => k.toLowerCase() === name) ?? name;
    const idKey = key("id");
    const subnetKey = key("subnet");
    if (!given(vnet[idKey])) {
      this.reading.report(
        "error",
        "MissingProperty",
        `${pathText(at)}: ${label} has no virtualNetwork.id`,
        at,
      );
      return undefined;
    }
    if (typeof vnet[idKey] !== "string") {
      this.wrongType(idKey, "a resource id", [...at, idKey]);
      return undefined;
    }
    const ref = this.reading.ref({ id: vnet[idKey] }, at);
    if (ref === undefined) {
      this.reading.report(
        "warning",
        "EnvironmentNotPlaced",
        `${pathText(at)}: the subnet of ${label} cannot be known without deploying; the environment is left out`,
        at,
      );
      return undefined;
    }
    const subnetRaw = this.reading.peek(vnet[subnetKey]);
    const subnetName = typeof subnetRaw === "string" && subnetRaw !== "" ? subnetRaw : undefined;
    let network: string | undefined;
    if (typeof ref === "string") {
      if (ref.includes("/")) return { text: ref, path: [...at, idKey] };
      network = ref;
    } else {
      const parsed = armId(ref.id);
      if (parsed?.type === "virtualnetworks/subnets" && parsed.parent !== undefined)
        return { text: `${parsed.parent}/${parsed.name}`, path: [...at, idKey] };
      if (parsed?.type === "virtualnetworks") network = parsed.name;
      else {
        this.reading.report(
          "error",
          "InvalidResourceReference",
          `${pathText([...at, idKey])}: ${JSON.stringify(ref.id)} is not the id of a virtual network or subnet`,
          [...at, idKey],
        );
        return undefined;
      }
    }
    if (subnetName === undefined) {
      this.reading.report(
        "error",
        "MissingProperty",
        `${pathText(at)}: ${label} names virtual network ${JSON.stringify(network)} but no subnet (virtualNetwork.subnet)`,
        at,
      );
      return undefined;
    }
    return { text: `${network}/${subnetName}`, path: [...at, subnetKey] };
  }

  private wrongType(key: string, what: string, path: ValuePath): void {
    this.reading.report(
      "error",
      "InvalidPropertyType",
      `${pathText(path)}: ${key} should be ${what}`,
      path,
    );
  }
}
