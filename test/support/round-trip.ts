/**
 * What the format round-trip tests compare: the model with references reduced
 * to lower-case names and empty values dropped, so that an exporter and its
 * importer agree on meaning, not on how each spells it.
 */
import {
  type ResourceRef,
  refName,
  type SecurityRule,
  type Topology,
} from "../../src/model/types.js";

export const refKey = (r: ResourceRef): string => refName(r).toLowerCase();

/** Fields Azure reads case-insensitively; a format may write them in Azure's own case. */
const CASELESS = new Set(["protocol", "access", "direction"]);

/** A rule with empty values dropped, ASGs by name and, with `caseless`, enums in one case. */
export function normalRule(rule: SecurityRule, caseless = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rule)) {
    if (v === "" || (Array.isArray(v) && v.length === 0)) continue;
    if (k.endsWith("ApplicationSecurityGroups") && Array.isArray(v))
      out[k] = (v as ResourceRef[]).map(refKey);
    else out[k] = caseless && CASELESS.has(k) ? String(v).toLowerCase() : v;
  }
  return out;
}

/** A subnet reference as `vnet/subnet`, however it was written. */
export function subnetKey(t: Topology, subnet: ResourceRef): string {
  const text = typeof subnet === "string" ? subnet : subnet.id;
  if (text.includes("/")) return text.toLowerCase();
  const vnet = t.virtualNetworks.find((v) =>
    v.subnets.some((s) => s.name.toLowerCase() === text.toLowerCase()),
  );
  return `${vnet?.name}/${text}`.toLowerCase();
}

/** The NICs with their NSGs, addresses, subnets and ASGs, as every format carries them. */
export function normalNics(t: Topology) {
  return t.networkInterfaces.map((n) => ({
    name: n.name,
    nsg: n.networkSecurityGroup === undefined ? undefined : refKey(n.networkSecurityGroup),
    configs: n.ipConfigurations.map((c, i) => ({
      name: c.name ?? `ipconfig${i + 1}`,
      address: c.privateIPAddress,
      subnet: subnetKey(t, c.subnet),
      asgs: [...new Set((c.applicationSecurityGroups ?? []).map(refKey))].sort(),
    })),
  }));
}
