import type { Diagnostic, ValuePath } from "../model/diagnostic.js";
import type { Network, SubnetInfo } from "../model/network.js";
import type { GroupBy } from "./matrix-rows.js";

/** Findings per subnet or virtual network, by severity. */
export interface FindingGroup {
  readonly group: string;
  readonly error: number;
  readonly warning: number;
  readonly note: number;
}

/** The group of findings about nothing placed in a subnet (a load balancer's, a tag's). */
export const ELSEWHERE = "(elsewhere)";
/** The group of an NSG's findings when it is associated with nothing. */
export const NOT_ASSOCIATED = "(not associated)";

/**
 * Counts findings per subnet or virtual network. A finding on an NSG counts in
 * every subnet the NSG applies to (associated with the subnet, or with a
 * network interface in it), once per group; one on an environment or a network
 * interface in its subnet; any other in `(elsewhere)`.
 */
export function groupFindings(
  network: Network,
  findings: readonly Diagnostic[],
  by: Exclude<GroupBy, "environment">,
): FindingGroup[] {
  const name = (s: SubnetInfo) => (by === "subnet" ? s.id : s.vnet);
  const owners = new Map<string, string[]>();
  const own = (path: ValuePath, groups: string[]) => {
    if (path.length > 0) owners.set(path.join("\u0000"), groups);
  };
  for (const nsg of network.nsgs.values()) {
    const groups = new Set<string>();
    for (const s of network.subnets) if (s.nsg === nsg.name) groups.add(name(s));
    for (const nic of network.nics.values())
      if (nic.nsg === nsg.name) for (const c of nic.ipConfigurations) groups.add(name(c.subnet));
    own(nsg.path, groups.size > 0 ? [...groups] : [NOT_ASSOCIATED]);
  }
  for (const env of network.environments.values()) own(env.path, [name(env.subnet)]);
  for (const nic of network.nics.values()) {
    const subnets = nic.ipConfigurations.map((c) => name(c.subnet));
    if (nic.path && subnets.length > 0) own(nic.path, [...new Set(subnets)]);
  }
  const counts = new Map<string, { error: number; warning: number; note: number }>();
  for (const d of findings) {
    let owner: string[] | undefined;
    // The longest path of an owner that starts the finding's.
    for (let n = d.path.length; n > 0 && !owner; n--)
      owner = owners.get(d.path.slice(0, n).join("\u0000"));
    for (const group of owner ?? [ELSEWHERE]) {
      let c = counts.get(group);
      if (!c) {
        c = { error: 0, warning: 0, note: 0 };
        counts.set(group, c);
      }
      c[d.severity === "info" ? "note" : d.severity]++;
    }
  }
  return [...counts]
    .map(([group, c]) => ({ group, ...c }))
    .sort(
      (a, b) =>
        b.error - a.error ||
        b.warning - a.warning ||
        b.note - a.note ||
        (a.group < b.group ? -1 : 1),
    );
}
