/**
 * Private endpoints and Azure Bastion hosts in ARM JSON (templates, and
 * `az network private-endpoint list` / `az network bastion list` output, where
 * properties are lifted): each endpoint's subnet, private address (given in
 * `ipConfigurations`, or the one Azure assigned as `customDnsConfigs` prints
 * it; else Dynamic) and targets; each Bastion host's SKU, subnet and public IP.
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import {
  BASTION_SKUS,
  type BastionHost,
  type BastionIpConfiguration,
  type PrivateEndpoint,
  type PrivateLinkServiceConnection,
} from "../../model/private-endpoint-types.js";
import type { ResourceRef } from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { Origin, Origins } from "../shared/origins.js";
import { ResourceIdValue } from "./expressions.js";

export const PRIVATE_ENDPOINT_TYPE = "Microsoft.Network/privateEndpoints";
export const BASTION_HOST_TYPE = "Microsoft.Network/bastionHosts";

/** What reading them needs of the template reader (resources.ts). */
export interface EndpointReading {
  /** A reference as a model reference (`subnet`: kept as `vnet/subnet`); reported when not known. */
  ref(value: unknown, path: ValuePath, subnet?: boolean): ResourceRef | undefined;
  /** A public IP reference, recorded so that one no file declares stays a public endpoint. */
  publicIpRef(
    raw: unknown,
    path: ValuePath,
    owner: string,
    item: string | number,
  ): ResourceRef | undefined;
  /** A value's resolution when statically known, without reporting (ResourceIdValue for resourceId()). */
  peek(raw: unknown): unknown;
  props(resource: JsonObject): { obj: JsonObject; at: string[] };
  report(severity: Severity, code: string, message: string, path: ValuePath): void;
  readonly at: (path: ValuePath) => Origin;
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class EndpointReader {
  readonly privateEndpoints: PrivateEndpoint[] = [];
  readonly bastionHosts: BastionHost[] = [];

  constructor(
    private readonly r: EndpointReading,
    private readonly origins: Origins,
  ) {}

  /** The parts of the reader's output: lists left out when empty. */
  topologyPart(): { privateEndpoints?: PrivateEndpoint[]; bastionHosts?: BastionHost[] } {
    return {
      ...(this.privateEndpoints.length > 0 ? { privateEndpoints: this.privateEndpoints } : {}),
      ...(this.bastionHosts.length > 0 ? { bastionHosts: this.bastionHosts } : {}),
    };
  }

  privateEndpoint(
    resource: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
  ): void {
    const { obj, at } = this.r.props(resource);
    const base = [...path, ...at];
    const label = `private endpoint ${JSON.stringify(name)}`;
    if (obj.subnet === undefined) {
      this.r.report(
        "warning",
        "PrivateEndpointLeftOut",
        `${pathText(base)}: ${label} names no subnet; it is left out`,
        base,
      );
      return;
    }
    const subnet = this.r.ref(obj.subnet, [...base, "subnet"], true);
    if (subnet === undefined) {
      this.r.report(
        "warning",
        "PrivateEndpointLeftOut",
        `${pathText([...base, "subnet"])}: the subnet of ${label} is not known; it is left out, and flows to its address are not judged`,
        [...base, "subnet"],
      );
      return;
    }
    const address = this.givenAddress(obj, base);
    if (list(obj.applicationSecurityGroups).length > 0)
      this.r.report(
        "warning",
        "NotModelled",
        `${pathText([...base, "applicationSecurityGroups"])}: the application security groups of ${label} are not modelled; rules that name them do not match its address in the spec`,
        [...base, "applicationSecurityGroups"],
      );
    const connections = (key: string) =>
      list(obj[key]).flatMap((c, i) => this.connection(c, [...base, key, i]));
    const automatic = connections("privateLinkServiceConnections");
    const manual = connections("manualPrivateLinkServiceConnections");
    const pe: PrivateEndpoint = {
      name,
      ...(location === undefined ? {} : { location }),
      subnet,
      ...(address ? { privateIPAddress: address.value } : {}),
      ...(automatic.length > 0 ? { privateLinkServiceConnections: automatic } : {}),
      ...(manual.length > 0 ? { manualPrivateLinkServiceConnections: manual } : {}),
    };
    this.origins.record(pe, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      subnet: this.r.at([...base, "subnet"]),
      ...(address ? { privateIPAddress: this.r.at(address.path) } : {}),
    });
    this.privateEndpoints.push(pe);
  }

  /** The address written (`ipConfigurations`) or printed (`customDnsConfigs`), if any is known. */
  private givenAddress(
    obj: JsonObject,
    base: ValuePath,
  ): { value: string; path: ValuePath } | undefined {
    for (const [i, c] of list(obj.ipConfigurations).entries()) {
      if (!isObject(c)) continue;
      const inner = isObject(c.properties) ? c.properties : c;
      const value = text(this.r.peek(inner.privateIPAddress));
      if (value)
        return {
          value,
          path: [
            ...base,
            "ipConfigurations",
            i,
            ...(inner === c ? [] : ["properties"]),
            "privateIPAddress",
          ],
        };
    }
    for (const [i, c] of list(obj.customDnsConfigs).entries()) {
      if (!isObject(c)) continue;
      const value = text(list(c.ipAddresses)[0]);
      if (value) return { value, path: [...base, "customDnsConfigs", i, "ipAddresses", 0] };
    }
    return undefined;
  }

  private connection(raw: unknown, path: ValuePath): PrivateLinkServiceConnection[] {
    if (!isObject(raw)) return [];
    const inner = isObject(raw.properties) ? raw.properties : raw;
    const id = this.r.peek(inner.privateLinkServiceId);
    const target =
      id instanceof ResourceIdValue
        ? `/providers/${id.type}/${id.names.join("/")}`
        : typeof id === "string"
          ? id
          : undefined;
    const groupIds = list(this.r.peek(inner.groupIds)).filter(
      (g): g is string => typeof g === "string",
    );
    const name = text(this.r.peek(raw.name));
    if (target === undefined)
      this.r.report(
        "info",
        "PrivateLinkTargetNotKnown",
        `${pathText(path)}: the resource this connection reaches is not statically known; the endpoint is read without it (it decides no packet)`,
        path,
      );
    return [
      {
        ...(name === undefined ? {} : { name }),
        privateLinkServiceId: target ?? "<not known>",
        ...(groupIds.length > 0 ? { groupIds } : {}),
      },
    ];
  }

  bastionHost(
    resource: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
  ): void {
    const { obj, at } = this.r.props(resource);
    const base = [...path, ...at];
    const label = `Bastion host ${JSON.stringify(name)}`;
    const skuRaw = this.r.peek(isObject(resource.sku) ? resource.sku.name : resource.sku);
    const skuText = text(skuRaw);
    if (skuText?.toLowerCase() === "developer") {
      this.r.report(
        "warning",
        "NotModelled",
        `${pathText(path)}: ${label} is of the Developer SKU, a shared service with no subnet or public IP of its own; it is not modelled (it reaches VMs from addresses Azure does not publish)`,
        path,
      );
      return;
    }
    const sku = BASTION_SKUS.find((s) => s.toLowerCase() === skuText?.toLowerCase());
    if (skuText !== undefined && sku === undefined)
      this.r.report(
        "info",
        "BastionSkuNotKnown",
        `${pathText([...path, "sku"])}: ${label} has a SKU (${JSON.stringify(skuText)}) not known to tierwall; it is read as Basic`,
        [...path, "sku"],
      );
    const configs: BastionIpConfiguration[] = [];
    for (const [i, raw] of list(obj.ipConfigurations).entries()) {
      if (!isObject(raw)) continue;
      const cPath = [...base, "ipConfigurations", i];
      const inner = isObject(raw.properties) ? raw.properties : raw;
      const iPath = inner === raw ? cPath : [...cPath, "properties"];
      const subnet =
        inner.subnet === undefined
          ? undefined
          : this.r.ref(inner.subnet, [...iPath, "subnet"], true);
      if (subnet === undefined) {
        this.r.report(
          "warning",
          "BastionHostLeftOut",
          `${pathText(iPath)}: the subnet of ${label} is not known; it is left out, and its sessions to VMs and its public IP are not modelled`,
          iPath,
        );
        return;
      }
      const publicIp =
        inner.publicIPAddress === undefined
          ? undefined
          : this.r.publicIpRef(
              inner.publicIPAddress,
              [...iPath, "publicIPAddress"],
              name,
              String(i),
            );
      const configName = text(this.r.peek(raw.name));
      configs.push({
        ...(configName === undefined ? {} : { name: configName }),
        subnet,
        ...(publicIp === undefined ? {} : { publicIPAddress: publicIp }),
      });
    }
    if (configs.length === 0) {
      this.r.report(
        "warning",
        "BastionHostLeftOut",
        `${pathText(base)}: ${label} has no IP configuration; it is left out`,
        base,
      );
      return;
    }
    const bastion: BastionHost = {
      name,
      ...(location === undefined ? {} : { location }),
      ...(sku === undefined ? {} : { sku }),
      ipConfigurations: configs,
    };
    this.origins.record(bastion, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      sku: this.r.at([...path, "sku"]),
      ipConfigurations: this.r.at([...base, "ipConfigurations"]),
    });
    this.bastionHosts.push(bastion);
  }
}
