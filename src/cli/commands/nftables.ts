import {
  exportNftables,
  type NsgBinding,
  nsgBindings,
  type Placement,
} from "../../formats/nftables/export.js";
import type { Network } from "../../model/network.js";
import { EXIT, type Io, usageError } from "../io.js";
import { loadForCommand } from "../load.js";
import { emitExport } from "../output.js";
import { partialJson } from "../partial.js";

export interface NftablesExportOptions {
  output?: string;
  json?: boolean;
  nsg?: string;
  subnet?: string;
  nic?: string;
  interface?: string;
  placement?: string;
}

/** The bindings the options pick: all of them, or those of one NSG, subnet or network interface. */
function selectBindings(
  network: Network,
  options: NftablesExportOptions,
): { ok: true; bindings: NsgBinding[] } | { ok: false; message: string } {
  const all = nsgBindings(network);
  const lower = (s: string) => s.toLowerCase();
  let chosen = all;
  if (options.nsg !== undefined) {
    const nsg = lower(options.nsg);
    chosen = chosen.filter((b) => lower(b.nsg) === nsg);
    if (!network.nsgs.has(options.nsg) && chosen.length === 0)
      return { ok: false, message: `no NSG is named ${options.nsg}` };
  }
  if (options.subnet !== undefined) {
    const subnet = lower(options.subnet);
    chosen = chosen.filter(
      (b) =>
        b.appliedTo.type === "subnet" &&
        (lower(b.appliedTo.name) === subnet || lower(b.appliedTo.name).endsWith(`/${subnet}`)),
    );
  }
  if (options.nic !== undefined) {
    const nic = lower(options.nic);
    chosen = chosen.filter(
      (b) => b.appliedTo.type === "networkInterface" && lower(b.appliedTo.name) === nic,
    );
  }
  if (chosen.length === 0)
    return {
      ok: false,
      message:
        all.length === 0
          ? "no NSG is applied to a subnet or network interface in this spec"
          : `nothing matches; the bindings are: ${all.map((b) => `${b.nsg} on ${b.appliedTo.name}`).join(", ")}`,
    };
  return { ok: true, bindings: chosen };
}

/** `tierwall export nftables [SPEC]`: the NSGs as an nft ruleset with Azure's semantics. */
export function runExportNftables(target: string, options: NftablesExportOptions, io: Io): number {
  const fail = (message: string) => usageError(io, options.json, "InvalidOption", message);
  const placement = (options.placement ?? "host") as Placement;
  if (placement !== "host" && placement !== "router")
    return fail("--placement: expected host or router");
  const iface = options.interface ?? "eth0";
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(iface))
    return fail(
      `--interface: ${JSON.stringify(iface)} is not an interface name (1 to 15 letters, digits, _ . : @ -)`,
    );
  const loaded = loadForCommand(target, io, options.json === true);
  if (!loaded) return EXIT.invalid;
  const selected = selectBindings(loaded.spec.network, options);
  if (!selected.ok) return fail(selected.message);
  // A ruleset matches real addresses: symbolic service tags have none to give it.
  const symbolic = loaded.spec.network.addressNames.tags.map((t) => t.name);
  if (symbolic.length > 0)
    return usageError(
      io,
      options.json,
      "ServiceTagsFileNeeded",
      `the rules name service tags whose addresses only Azure's service-tags file gives (${symbolic.join(", ")}); name it in the spec (serviceTags: ServiceTags_Public_YYYYMMDD.json) to compile them`,
    );
  const text = exportNftables(loaded.spec.network, selected.bindings, {
    placement,
    interface: iface,
  });
  return emitExport(text, "nftables", loaded.warnings, options, io, partialJson(loaded.spec));
}
