/**
 * NAT gateways in ARM JSON (templates, and `az network nat gateway list`
 * output, where properties are lifted): the public IPs and prefixes a subnet
 * that names one leaves for the Internet from, and its idle timeout.
 */
import type { Severity, ValuePath } from "../../model/diagnostic.js";
import { type NatGateway, type ResourceRef, refName } from "../../model/types.js";
import { isObject, type JsonObject, pathText } from "../shared/json.js";
import type { Origin, Origins } from "../shared/origins.js";
import { ResourceIdValue } from "./expressions.js";

export const NAT_GATEWAY_TYPE = "Microsoft.Network/natGateways";

/** What reading them needs of the template reader (resources.ts). */
export interface NatGatewayReading {
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

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class NatGatewayReader {
  readonly natGateways: NatGateway[] = [];

  constructor(
    private readonly r: NatGatewayReading,
    private readonly origins: Origins,
  ) {}

  topologyPart(): { natGateways?: NatGateway[] } {
    return this.natGateways.length > 0 ? { natGateways: this.natGateways } : {};
  }

  /** The public IPs a NAT gateway names: Standard, as Azure requires of them. */
  publicIpNames(): string[] {
    return this.natGateways.flatMap((n) => (n.publicIpAddresses ?? []).map(refName));
  }

  natGateway(
    resource: JsonObject,
    path: ValuePath,
    name: string,
    location: string | undefined,
  ): void {
    const { obj, at } = this.r.props(resource);
    const base = [...path, ...at];
    const key = (k: string) =>
      Object.keys(obj).find((x) => x.toLowerCase() === k.toLowerCase()) ?? k;
    const pipKey = key("publicIpAddresses");
    const publicIpAddresses = list(obj[pipKey]).flatMap((raw, i) => {
      const ref = this.r.publicIpRef(raw, [...base, pipKey, i], name, i);
      return ref === undefined ? [] : [ref];
    });
    const prefixKey = key("publicIpPrefixes");
    const publicIpPrefixes = list(obj[prefixKey]).flatMap((raw, i) => {
      const prefix = this.prefixName(raw);
      if (prefix === undefined)
        this.r.report(
          "warning",
          "NatGatewayPrefixNotKnown",
          `${pathText([...base, prefixKey, i])}: a public IP prefix of NAT gateway ${JSON.stringify(name)} is not statically known; it is left out (the addresses the gateway leaves from are then not all shown)`,
          [...base, prefixKey, i],
        );
      return prefix === undefined ? [] : [prefix];
    });
    const idle = this.r.peek(obj[key("idleTimeoutInMinutes")]);
    const nat: NatGateway = {
      name,
      ...(location === undefined ? {} : { location }),
      sku: "Standard",
      ...(publicIpAddresses.length > 0 ? { publicIpAddresses } : {}),
      ...(publicIpPrefixes.length > 0 ? { publicIpPrefixes } : {}),
      ...(typeof idle === "number" ? { idleTimeoutInMinutes: idle } : {}),
    };
    this.origins.record(nat, this.r.at(path), {
      name: this.r.at([...path, "name"]),
      publicIpAddresses: this.r.at([...base, pipKey]),
      publicIpPrefixes: this.r.at([...base, prefixKey]),
      idleTimeoutInMinutes: this.r.at([...base, key("idleTimeoutInMinutes")]),
    });
    this.natGateways.push(nat);
  }

  /** A prefix's name from `{ id }` (a resourceId() or an id string). */
  private prefixName(raw: unknown): string | undefined {
    const id = this.r.peek(isObject(raw) ? raw.id : raw);
    if (id instanceof ResourceIdValue) return id.names[id.names.length - 1];
    if (typeof id === "string" && /\/publicIPPrefixes\/[^/[\]]+\/?$/i.test(id))
      return refName(id.replace(/\/$/, ""));
    return undefined;
  }
}
