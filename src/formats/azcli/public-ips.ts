/**
 * `az network public-ip create`: a public IP address with its SKU,
 * allocation method and version.
 *
 * `--sku` left out: az made Basic public IPs up to 2.54 and makes Standard
 * ones since 2.55 (November 2023); a script does not say which az runs it,
 * so a public IP without a SKU is read as Basic, open to inbound traffic
 * where no NSG applies (the reading that hides no exposure), and named
 * (PublicIPSkuNotKnown). A Dynamic one can only be Basic.
 */
import {
  ALLOCATION_METHODS,
  IP_VERSIONS,
  PUBLIC_IP_SKUS,
  type PublicIPAddress,
} from "../../model/types.js";
import { type AzArgs, type AzCommand, NAME_FLAG } from "./arguments.js";
import { named } from "./network-security.js";
import type { AzCliReader } from "./reader.js";

export const PUBLIC_IP_COMMANDS: Record<string, AzCommand> = {
  "network public-ip create": {
    flags: {
      name: NAME_FLAG,
      sku: { names: ["--sku"] },
      allocation: { names: ["--allocation-method"] },
      version: { names: ["--version"] },
    },
    otherOptions: [
      "--ddos-protection-mode",
      "--ddos-protection-plan",
      "--dns-name",
      "--dns-name-scope",
      "--edge-zone",
      "--idle-timeout",
      "--ip-address",
      "--ip-tags",
      "--public-ip-prefix",
      "--reverse-fqdn",
      "--tier",
      "--zone",
    ],
    leftOut: "the public IP address is left out",
    omits: (f) => ({ kind: "publicIPAddress", what: `public IP address ${named(f.text("name"))}` }),
    run: publicIpCreate,
  },
};

function publicIpCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  // az refuses a value outside the option's choices: nothing is made.
  let refused = false;
  const option = <T extends string>(key: string, options: readonly T[]): T | undefined => {
    const text = args.optional(key);
    if (text === undefined) return undefined;
    const found = options.find((o) => o.toLowerCase() === text.toLowerCase());
    if (found === undefined) {
      refused = true;
      args.report(
        "error",
        "InvalidParameterValue",
        `${JSON.stringify(text)} is not one of ${options.join(", ")}`,
        args.valueAt(key),
      );
    }
    return found;
  };
  const sku = option("sku", PUBLIC_IP_SKUS);
  const allocation = option("allocation", ALLOCATION_METHODS);
  const version = option("version", IP_VERSIONS);
  if (name === undefined || args.unknown || refused) return;
  if (sku === undefined && allocation !== "Dynamic")
    reader.report(
      "info",
      "PublicIPSkuNotKnown",
      `az network public-ip create: public IP address ${JSON.stringify(name)} ${args.given("sku") ? "has a SKU that is not known" : "gives no --sku (Basic up to az 2.54, Standard since 2.55)"}; it is read as Basic, open to inbound traffic where no NSG applies`,
      args.given("sku") ? args.valueAt("sku") : args.at,
      "give --sku Standard or --sku Basic",
    );
  const pip: PublicIPAddress = {
    name,
    ...(args.location === undefined ? {} : { location: args.location }),
    sku: sku ?? "Basic",
    ...(allocation === undefined ? {} : { publicIPAllocationMethod: allocation }),
    ...(version === undefined ? {} : { publicIPAddressVersion: version }),
  };
  reader.origins.record(pip, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    sku: reader.at(args.givenAt("sku")),
    publicIPAllocationMethod: reader.at(args.givenAt("allocation")),
    publicIPAddressVersion: reader.at(args.givenAt("version")),
  });
  reader.pips.set(name.toLowerCase(), pip);
}
