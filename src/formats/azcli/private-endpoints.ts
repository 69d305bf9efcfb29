/**
 * `az network private-endpoint create` (its subnet, target and group ids; the
 * address Azure assigns: Dynamic) and `az network bastion create` (SKU, the
 * network's AzureBastionSubnet, its public IP).
 */
import {
  BASTION_SKUS,
  type BastionHost,
  type PrivateEndpoint,
} from "../../model/private-endpoint-types.js";
import type { PublicIPAddress } from "../../model/types.js";
import type { AzArgs, AzCommand } from "./arguments.js";
import { NAME_FLAG } from "./arguments.js";
import { named } from "./network-security.js";
import { type AzCliReader, refOf } from "./reader.js";

const made = new WeakMap<
  AzCliReader,
  { privateEndpoints: PrivateEndpoint[]; bastionHosts: BastionHost[] }
>();
function madeBy(reader: AzCliReader) {
  let found = made.get(reader);
  if (!found) {
    found = { privateEndpoints: [], bastionHosts: [] };
    made.set(reader, found);
  }
  return found;
}

const lastSegment = (text: string) => text.split("/").filter(Boolean).pop() ?? text;

export const PRIVATE_ENDPOINT_COMMANDS: Record<string, AzCommand> = {
  "network private-endpoint create": {
    flags: {
      name: NAME_FLAG,
      vnet: { names: ["--vnet-name"], name: true },
      subnet: { names: ["--subnet"], name: true },
      target: { names: ["--private-connection-resource-id"] },
      connection: { names: ["--connection-name"], name: true },
      groups: { names: ["--group-id", "--group-ids"], list: true },
      manual: { names: ["--manual-request"], list: true },
    },
    otherOptions: [
      "--ip-config",
      "--ip-configs",
      "--nic-name",
      "--edge-zone",
      "--request-message",
      "--asg",
      "--application-security-groups",
    ],
    leftOut: "the private endpoint is left out",
    // Left out, it is not reached in the spec: nothing widens.
    omits: (f) => ({ kind: "publicIPAddress", what: `private endpoint ${named(f.text("name"))}` }),
    run: privateEndpointCreate,
  },
  "network bastion create": {
    flags: {
      name: NAME_FLAG,
      vnet: { names: ["--vnet-name"], name: true },
      publicIp: { names: ["--public-ip-address"], name: true },
      sku: { names: ["--sku"] },
    },
    otherOptions: [
      "--scale-units",
      "--enable-tunneling",
      "--enable-ip-connect",
      "--disable-copy-paste",
      "--file-copy",
      "--kerberos",
      "--shareable-link",
      "--session-recording",
      "--zones",
      "--no-wait",
      "--network-acls-ips",
    ],
    leftOut: "the Bastion host is left out",
    omits: (f) => ({ kind: "publicIPAddress", what: `Bastion host ${named(f.text("name"))}` }),
    run: bastionCreate,
  },
};

function privateEndpointCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const vnet = args.optional("vnet");
  const subnet = args.required("subnet");
  const target = args.optional("target");
  const connection = args.optional("connection");
  const groups = args.list("groups") ?? [];
  const manual = args.list("manual");
  if (name === undefined || subnet === undefined || args.unknown) return;
  const link = {
    ...(connection === undefined ? {} : { name: connection }),
    privateLinkServiceId: target ?? "<not given>",
    ...(groups.length > 0 ? { groupIds: groups } : {}),
  };
  // --manual-request given alone is true, as az reads a flag.
  const isManual = manual !== undefined && (manual[0] ?? "true").toLowerCase() === "true";
  const pe: PrivateEndpoint = {
    name,
    ...(args.location === undefined ? {} : { location: args.location }),
    subnet: subnet.startsWith("/") || vnet === undefined ? subnet : `${vnet}/${subnet}`,
    ...(isManual
      ? { manualPrivateLinkServiceConnections: [link] }
      : { privateLinkServiceConnections: [link] }),
  };
  reader.origins.record(pe, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    subnet: reader.at(args.valueAt("subnet")),
  });
  madeBy(reader).privateEndpoints.push(pe);
}

function bastionCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const vnet = args.required("vnet");
  const publicIp = args.optional("publicIp");
  const skuText = args.optional("sku");
  if (name === undefined || vnet === undefined || args.unknown) return;
  if (skuText?.toLowerCase() === "developer") {
    args.report(
      "warning",
      "NotModelled",
      `Bastion host ${JSON.stringify(name)} is of the Developer SKU, a shared service with no subnet or public IP of its own; it is not modelled`,
      args.valueAt("sku"),
    );
    return;
  }
  const sku = BASTION_SKUS.find((s) => s.toLowerCase() === skuText?.toLowerCase());
  // A public IP the script does not create stands as a placeholder: Standard, as Bastion requires.
  if (publicIp !== undefined && publicIp !== "") {
    const key = lastSegment(publicIp).toLowerCase();
    if (!reader.pips.has(key)) {
      const pip: PublicIPAddress = { name: lastSegment(publicIp), sku: "Standard" };
      const at = reader.at(args.valueAt("publicIp"));
      reader.origins.record(pip, at, { name: at });
      reader.origins.placeholder(pip);
      reader.pips.set(key, pip);
    }
  }
  const bastion: BastionHost = {
    name,
    ...(args.location === undefined ? {} : { location: args.location }),
    // az's default is Standard.
    sku: sku ?? "Standard",
    ipConfigurations: [
      {
        // az puts it in the network's AzureBastionSubnet.
        subnet: `${vnet}/AzureBastionSubnet`,
        ...(publicIp === undefined || publicIp === "" ? {} : { publicIPAddress: refOf(publicIp) }),
      },
    ],
  };
  reader.origins.record(bastion, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    sku: reader.at(args.givenAt("sku")),
  });
  madeBy(reader).bastionHosts.push(bastion);
}

/** What the topology holds of what the script creates: left out when there is none. */
export function privateAccessOf(reader: AzCliReader): {
  privateEndpoints?: PrivateEndpoint[];
  bastionHosts?: BastionHost[];
} {
  const found = madeBy(reader);
  return {
    ...(found.privateEndpoints.length > 0 ? { privateEndpoints: found.privateEndpoints } : {}),
    ...(found.bastionHosts.length > 0 ? { bastionHosts: found.bastionHosts } : {}),
  };
}
