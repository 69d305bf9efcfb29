/**
 * `az network nat gateway create` (its public IPs, prefixes and idle timeout)
 * and the NAT gateway and default outbound access of `vnet subnet
 * create|update --nat-gateway --default-outbound-access`.
 */
import type { NatGateway, PublicIPAddress, Subnet } from "../../model/types.js";
import type { AzArgs, AzCommand } from "./arguments.js";
import { NAME_FLAG } from "./arguments.js";
import { named } from "./network-security.js";
import { type AzCliReader, refOf } from "./reader.js";

const gateways = new WeakMap<AzCliReader, Map<string, NatGateway>>();
function gatewaysOf(reader: AzCliReader): Map<string, NatGateway> {
  let found = gateways.get(reader);
  if (!found) {
    found = new Map();
    gateways.set(reader, found);
  }
  return found;
}

const lastSegment = (text: string) => text.split("/").filter(Boolean).pop() ?? text;

export const NAT_GATEWAY_COMMANDS: Record<string, AzCommand> = {
  "network nat gateway create": {
    flags: {
      name: NAME_FLAG,
      publicIps: { names: ["--public-ip-addresses"], list: true },
      prefixes: { names: ["--public-ip-prefixes"], list: true },
      idle: { names: ["--idle-timeout"] },
    },
    otherOptions: ["--zone", "--zones"],
    leftOut: "the NAT gateway is left out",
    omits: (f) => ({ kind: "resources", what: `NAT gateway ${named(f.text("name"))}` }),
    run: gatewayCreate,
  },
};

function gatewayCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const publicIps = args.list("publicIps") ?? [];
  const prefixes = args.list("prefixes") ?? [];
  const idleText = args.optional("idle");
  if (name === undefined || args.unknown) return;
  const idle = idleText === undefined ? undefined : Number(idleText);
  if (idle !== undefined && !Number.isInteger(idle)) {
    args.report(
      "error",
      "InvalidParameterValue",
      `--idle-timeout is a number of minutes, not ${JSON.stringify(idleText)}`,
      args.valueAt("idle"),
    );
    return;
  }
  // A public IP the script does not create stands as a placeholder: Standard, as a NAT gateway requires.
  publicIps.forEach((text, i) => {
    const key = lastSegment(text).toLowerCase();
    if (reader.pips.has(key)) return;
    const pip: PublicIPAddress = { name: lastSegment(text), sku: "Standard" };
    const at = reader.at(args.valuesAt("publicIps")[i] ?? args.valueAt("publicIps"));
    reader.origins.record(pip, at, { name: at });
    reader.origins.placeholder(pip);
    reader.pips.set(key, pip);
  });
  const nat: NatGateway = {
    name,
    ...(args.location === undefined ? {} : { location: args.location }),
    sku: "Standard",
    ...(publicIps.length > 0 ? { publicIpAddresses: publicIps.map(refOf) } : {}),
    ...(prefixes.length > 0 ? { publicIpPrefixes: prefixes.map(lastSegment) } : {}),
    ...(idle === undefined ? {} : { idleTimeoutInMinutes: idle }),
  };
  reader.origins.record(nat, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    publicIpAddresses: reader.at(args.givenAt("publicIps")),
    publicIpPrefixes: reader.at(args.givenAt("prefixes")),
    idleTimeoutInMinutes: reader.at(args.givenAt("idle")),
  });
  gatewaysOf(reader).set(name.toLowerCase(), nat);
}

/**
 * What `vnet subnet create|update` gives of the way out: `--nat-gateway`
 * (`""` detaches it, on update) and `--default-outbound-access` (given alone:
 * true, as az reads a flag). Undefined when the value is refused (reported).
 */
export function subnetOutbound(
  args: AzArgs,
): { set: Partial<Subnet>; detachNat: boolean } | undefined {
  const nat = args.optional("natGateway");
  const access = args.list("defaultOutbound");
  const set: { natGateway?: Subnet["natGateway"]; defaultOutboundAccess?: boolean } = {};
  if (nat !== undefined && nat !== "") set.natGateway = refOf(nat);
  if (access !== undefined) {
    const text = access[0]?.toLowerCase() ?? "true";
    if (text !== "true" && text !== "false") {
      args.report(
        "error",
        "InvalidValue",
        `--default-outbound-access is true or false, not ${JSON.stringify(access[0])}`,
        args.valueAt("defaultOutbound"),
      );
      return undefined;
    }
    set.defaultOutboundAccess = text === "true";
  }
  return { set, detachNat: nat === "" };
}

/** Where the subnet's outbound values are written, for its origins. */
export function recordSubnetOutbound(reader: AzCliReader, args: AzArgs, subnet: Subnet): void {
  if (subnet.natGateway !== undefined)
    reader.origins.field(subnet, "natGateway", reader.at(args.valueAt("natGateway")));
  if (subnet.defaultOutboundAccess !== undefined)
    reader.origins.field(
      subnet,
      "defaultOutboundAccess",
      reader.at(args.givenAt("defaultOutbound")),
    );
}

/** What the topology holds of the NAT gateways the script creates: left out when there are none. */
export function natGatewaysOf(reader: AzCliReader): { natGateways?: NatGateway[] } {
  const all = [...gatewaysOf(reader).values()];
  return all.length > 0 ? { natGateways: all } : {};
}
