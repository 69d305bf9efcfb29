/**
 * Virtual machine scale sets in ARM JSON (templates, and `az vmss show/list`
 * output, where properties are lifted and some names are written
 * `publicIpAddressConfiguration`, `enableIpForwarding`): the network profile
 * of `virtualMachineProfile` — network interface configurations with their
 * NSG, IP configurations with their subnet, ASGs, load balancer pools and
 * inbound NAT pools, per-instance public addresses — and the capacity.
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import type {
  ScaleSetIpConfiguration,
  ScaleSetNetworkInterfaceConfiguration,
  ScaleSetPublicIpConfiguration,
  VirtualMachineScaleSet,
} from "../../model/scale-set-types.js";
import { PUBLIC_IP_SKUS, type PublicIPSku, type ResourceRef } from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { LeftOut } from "../shared/left-out.js";
import type { Origin, Origins } from "../shared/origins.js";
import { ipForwardingMessage, NOT_MODELLED_CODE } from "../shared/unmodelled.js";

export const SCALE_SET_TYPE = "Microsoft.Compute/virtualMachineScaleSets";

/** What reading a scale set needs of the template reader (resources.ts). */
export interface ScaleSetReading {
  /** A value, reported (with what it leaves out) when not known. */
  value(obj: JsonObject, key: string, path: ValuePath): unknown;
  /** A `{ id }` reference as a model reference (`subnet`: kept as `vnet/subnet`). */
  ref(value: unknown, path: ValuePath, subnet?: boolean): ResourceRef | undefined;
  peek(raw: unknown): unknown;
  props(resource: JsonObject): { obj: JsonObject; at: string[] };
  report(
    severity: Severity,
    code: string,
    message: string,
    path: ValuePath,
    leftOut?: LeftOut,
  ): void;
  /** Runs `read` with what its unknown values leave out. */
  leaving<V>(leftOut: LeftOut, read: () => V): V;
  readonly at: (path: ValuePath) => Origin;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The key `obj` writes `name` under: ARM reads property names in any case. */
function keyIn(obj: JsonObject, name: string): string {
  if (Object.hasOwn(obj, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

const given = (v: unknown) => v !== undefined && v !== null;

export class ScaleSetReader {
  private readonly sets: VirtualMachineScaleSet[] = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly r: ScaleSetReading,
    private readonly origins: Origins,
  ) {}

  /** The scale sets read, for the topology. */
  topologyPart(): { virtualMachineScaleSets?: VirtualMachineScaleSet[] } {
    return this.sets.length > 0 ? { virtualMachineScaleSets: this.sets } : {};
  }

  /** A `Microsoft.Compute/virtualMachineScaleSets` resource (one copy of a copy loop). */
  scaleSet(resource: JsonObject, path: ValuePath, name: string, location?: string): void {
    const label = `scale set ${JSON.stringify(name)}`;
    if (this.names.has(name.toLowerCase())) {
      this.r.report(
        "error",
        "DuplicateResourceName",
        `${pathText([...path, "name"])}: ${name} is declared a second time in this document`,
        [...path, "name"],
      );
      return;
    }
    this.names.add(name.toLowerCase());
    const { obj, at } = this.r.props(resource);
    const base = [...path, ...at];
    const profileKey = keyIn(obj, "virtualMachineProfile");
    const profile = obj[profileKey];
    const networkKey = isObject(profile) ? keyIn(profile, "networkProfile") : "networkProfile";
    const network = isObject(profile) ? profile[networkKey] : undefined;
    const networkPath = [...base, profileKey, networkKey];
    const configsKey = isObject(network)
      ? keyIn(network, "networkInterfaceConfigurations")
      : "networkInterfaceConfigurations";
    let list = isObject(network) ? network[configsKey] : undefined;
    if (typeof list === "string" && isObject(network)) {
      // A list written as one expression (a variable): its value, or reported as not known.
      const whole: LeftOut = { kind: "networkInterface", nsg: true, what: label };
      list = this.r.leaving(whole, () => this.r.value(network, configsKey, networkPath));
      if (list === undefined) return;
    }
    if (!Array.isArray(list) || list.length === 0) {
      // A Flexible scale set without a profile: its VMs bring interfaces of their own.
      this.r.report(
        "info",
        "ScaleSetWithoutNetworkProfile",
        `${pathText(path)}: ${label} gives no network interface configuration; its instances' interfaces, if any, are resources of their own`,
        path,
      );
      return;
    }
    const configs: ScaleSetNetworkInterfaceConfiguration[] = [];
    list.forEach((raw, i) => {
      const config = this.nicConfig(raw, [...networkPath, configsKey, i], name);
      if (config) configs.push(config);
    });
    if (configs.length === 0) return;
    const mode = this.r.peek(obj[keyIn(obj, "orchestrationMode")]);
    const skuRaw = resource.sku;
    const capacity = isObject(skuRaw) ? this.r.peek(skuRaw.capacity) : undefined;
    const skuName = isObject(skuRaw) ? this.r.peek(skuRaw.name) : undefined;
    const sku = {
      ...(typeof skuName === "string" ? { name: skuName } : {}),
      ...(typeof capacity === "number" && Number.isInteger(capacity) && capacity >= 0
        ? { capacity }
        : {}),
    };
    const vmss: VirtualMachineScaleSet = {
      name,
      ...(location === undefined ? {} : { location }),
      ...(typeof mode === "string" && ["uniform", "flexible"].includes(mode.toLowerCase())
        ? { orchestrationMode: mode.toLowerCase() === "uniform" ? "Uniform" : "Flexible" }
        : {}),
      ...(Object.keys(sku).length > 0 ? { sku } : {}),
      networkProfile: { networkInterfaceConfigurations: configs },
    };
    this.origins.record(vmss, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      sku: this.r.at([...path, "sku"]),
      networkProfile: this.r.at(networkPath),
    });
    this.sets.push(vmss);
  }

  private nicConfig(
    raw: unknown,
    path: ValuePath,
    scaleSet: string,
  ): ScaleSetNetworkInterfaceConfiguration | undefined {
    if (!isObject(raw)) {
      this.r.report(
        "error",
        "InvalidPropertyType",
        `${pathText(path)}: a network interface configuration should be an object`,
        path,
      );
      return undefined;
    }
    const { obj, at } = this.r.props(raw);
    const base = [...path, ...at];
    const hasNsg = given(obj[keyIn(obj, "networkSecurityGroup")]);
    const name = this.r.peek(raw.name);
    const label = `network interface configuration ${JSON.stringify(name ?? "?")} of scale set ${JSON.stringify(scaleSet)}`;
    const leftOut: LeftOut = { kind: "networkInterface", nsg: hasNsg, what: label };
    if (typeof name !== "string" || name === "") {
      this.r.report(
        "warning",
        "IncompleteNetworkInterface",
        `${pathText(path)}: ${label} has no known name; it is left out${hasNsg ? ", with its network security group" : ""}`,
        path,
        leftOut,
      );
      return undefined;
    }
    const nsgKey = keyIn(obj, "networkSecurityGroup");
    const nsg = hasNsg
      ? this.r.leaving({ kind: "association", what: `the NSG of ${label}` }, () =>
          this.r.ref(obj[nsgKey], [...base, nsgKey]),
        )
      : undefined;
    const forwardingKey = keyIn(obj, "enableIPForwarding");
    if (this.r.peek(obj[forwardingKey]) === true)
      this.r.report(
        "warning",
        NOT_MODELLED_CODE,
        `${pathText([...base, forwardingKey])}: ${ipForwardingMessage(`${scaleSet}'s instances`)}`,
        [...base, forwardingKey],
      );
    const ipKey = keyIn(obj, "ipConfigurations");
    const ips = Array.isArray(obj[ipKey]) ? (obj[ipKey] as unknown[]) : [];
    const ipConfigurations: ScaleSetIpConfiguration[] = [];
    ips.forEach((c, i) => {
      const ip = this.ipConfig(c, [...base, ipKey, i], label, hasNsg);
      if (ip) ipConfigurations.push(ip);
    });
    if (ipConfigurations.length === 0) {
      this.r.report(
        "warning",
        "IncompleteNetworkInterface",
        `${pathText(path)}: ${label} has no IP configuration with a known subnet; it is left out${hasNsg ? ", with its network security group" : ""}`,
        path,
        leftOut,
      );
      return undefined;
    }
    const primary = this.r.peek(obj[keyIn(obj, "primary")]);
    const config: ScaleSetNetworkInterfaceConfiguration = {
      name,
      ...(typeof primary === "boolean" ? { primary } : {}),
      ...(nsg === undefined ? {} : { networkSecurityGroup: nsg }),
      ipConfigurations,
    };
    this.origins.record(config, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      networkSecurityGroup: this.r.at([...base, nsgKey]),
      ipConfigurations: this.r.at([...base, ipKey]),
    });
    return config;
  }

  private ipConfig(
    raw: unknown,
    path: ValuePath,
    owner: string,
    hasNsg: boolean,
  ): ScaleSetIpConfiguration | undefined {
    if (!isObject(raw)) return undefined;
    const { obj, at } = this.r.props(raw);
    const base = [...path, ...at];
    const name = this.r.peek(raw.name);
    const what = `IP configuration ${JSON.stringify(name ?? "?")} of ${owner}`;
    const subnetKey = keyIn(obj, "subnet");
    const subnet = given(obj[subnetKey])
      ? this.r.leaving({ kind: "networkInterface", nsg: hasNsg, what }, () =>
          this.r.ref(obj[subnetKey], [...base, subnetKey], true),
        )
      : undefined;
    if (typeof name !== "string" || subnet === undefined) {
      this.r.report(
        "warning",
        "IncompleteIpConfiguration",
        `${pathText(path)}: ${what} has no known name or subnet; it is left out`,
        path,
        { kind: "networkInterface", nsg: hasNsg, what },
      );
      return undefined;
    }
    // Children of another resource (pools) are kept as PARENT/NAME, as subnets are.
    const refs = (key: string, leftOut: LeftOut, child = true): ResourceRef[] => {
      const k = keyIn(obj, key);
      const list = obj[k];
      if (!Array.isArray(list)) return [];
      return this.r.leaving(leftOut, () =>
        list.flatMap((item, i) => {
          const ref = this.r.ref(item, [...base, k, i], child);
          return ref === undefined ? [] : [ref];
        }),
      );
    };
    const asgs = refs(
      "applicationSecurityGroups",
      { kind: "asgMembership", what: `the application security groups of ${what}` },
      false,
    );
    const lbWhat = { kind: "loadBalancer", what: `the load balancer pools of ${what}` } as const;
    const pools = refs("loadBalancerBackendAddressPools", lbWhat);
    const natPools = refs("loadBalancerInboundNatPools", lbWhat);
    const gatewayPools = refs("applicationGatewayBackendAddressPools", {
      kind: "resources",
      what: `the application gateway pools of ${what}`,
    });
    const version = this.r.peek(obj[keyIn(obj, "privateIPAddressVersion")]);
    const primary = this.r.peek(obj[keyIn(obj, "primary")]);
    const pipKey = keyIn(obj, "publicIPAddressConfiguration");
    const publicIp = isObject(obj[pipKey])
      ? this.publicIpConfig(obj[pipKey] as JsonObject, [...base, pipKey])
      : undefined;
    const config: ScaleSetIpConfiguration = {
      name,
      ...(typeof primary === "boolean" ? { primary } : {}),
      subnet,
      ...(typeof version === "string" && version.toLowerCase() === "ipv6"
        ? { privateIPAddressVersion: "IPv6" }
        : {}),
      ...(publicIp === undefined ? {} : { publicIPAddressConfiguration: publicIp }),
      ...(asgs.length > 0 ? { applicationSecurityGroups: asgs } : {}),
      ...(pools.length > 0 ? { loadBalancerBackendAddressPools: pools } : {}),
      ...(natPools.length > 0 ? { loadBalancerInboundNatPools: natPools } : {}),
      ...(gatewayPools.length > 0 ? { applicationGatewayBackendAddressPools: gatewayPools } : {}),
    };
    this.origins.record(config, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      subnet: this.r.at([...base, subnetKey]),
      publicIPAddressConfiguration: this.r.at([...base, pipKey]),
      applicationSecurityGroups: this.r.at([...base, keyIn(obj, "applicationSecurityGroups")]),
    });
    return config;
  }

  /** Each instance's own public address; Basic when no SKU is given (open, so never hidden). */
  private publicIpConfig(raw: JsonObject, path: ValuePath): ScaleSetPublicIpConfiguration {
    const { obj } = this.r.props(raw);
    const name = this.r.peek(raw.name);
    const skuRaw = isObject(raw.sku) ? this.r.peek(raw.sku.name) : this.r.peek(raw.sku);
    const sku: PublicIPSku | undefined = PUBLIC_IP_SKUS.find(
      (s) => typeof skuRaw === "string" && s.toLowerCase() === skuRaw.toLowerCase(),
    );
    if (given(raw.sku) && sku === undefined)
      this.r.report(
        "info",
        "PublicIPSkuNotKnown",
        `${pathText([...path, "sku"])}: the SKU of the instances' public addresses is not known to be Basic or Standard; it is read as Basic, open to inbound traffic where no NSG applies`,
        [...path, "sku"],
      );
    const version = this.r.peek(obj[keyIn(obj, "publicIPAddressVersion")]);
    const pip: Mutable<ScaleSetPublicIpConfiguration> = {
      name: typeof name === "string" && name !== "" ? name : "publicIp",
    };
    if (sku !== undefined) pip.sku = sku;
    if (typeof version === "string" && version.toLowerCase() === "ipv6")
      pip.publicIPAddressVersion = "IPv6";
    return pip;
  }
}
