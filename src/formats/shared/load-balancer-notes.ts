/**
 * What an export does not write of load balancers: every one of the spec,
 * and each IP configuration's membership of their pools and NAT rules, named
 * as not exported, so that they never vanish in silence (the exports create
 * no load balancers).
 */
import { type Diagnostic, info } from "../../model/diagnostic.js";
import { refName, type Topology } from "../../model/types.js";

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/**
 * `writesMemberships`: the format writes an interface's pools and NAT rules
 * as references to the load balancer (ARM and Bicep, where deploying an
 * interface without them would take it out of them). `writesLoadBalancers`:
 * it writes the load balancers too (ARM and Bicep, scope all): nothing to name.
 */
export function loadBalancerNotes(
  topology: Topology,
  writesMemberships: boolean,
  writesLoadBalancers = false,
): Diagnostic[] {
  const notes: Diagnostic[] = [];
  if (writesLoadBalancers) return notes;
  (topology.loadBalancers ?? []).forEach((lb, l) => {
    const rules = (lb.loadBalancingRules ?? []).length;
    const nat = (lb.inboundNatRules ?? []).length;
    const natPools = (lb.inboundNatPools ?? []).length;
    notes.push(
      info(
        "NotExported",
        `load balancer ${lb.name} (${plural(lb.frontendIPConfigurations.length, "frontend")}, ${plural(rules, "load-balancing rule")}, ${plural(nat, "inbound NAT rule")}${natPools > 0 ? `, ${plural(natPools, "inbound NAT pool")}` : ""}) is not exported; create it when deploying, or what its rules forward to the backends is not reached`,
        ["loadBalancers", l],
      ),
    );
  });
  topology.networkInterfaces.forEach((nic, n) => {
    nic.ipConfigurations.forEach((config, c) => {
      for (const field of [
        "loadBalancerBackendAddressPools",
        "loadBalancerInboundNatRules",
      ] as const) {
        const refs = config[field] ?? [];
        if (refs.length === 0) continue;
        const what =
          field === "loadBalancerBackendAddressPools" ? "backend pools" : "inbound NAT rules";
        notes.push(
          info(
            "NotExported",
            `network interface ${nic.name}: its ${what} (${refs.map((r) => (typeof r === "string" ? r : refName(r))).join(", ")}) ${writesMemberships ? "are written as references to the load balancer, which the export does not create: it must exist when deploying" : "are not written; join them when deploying the load balancer"}`,
            ["networkInterfaces", n, "ipConfigurations", c, field],
          ),
        );
      }
    });
  });
  return notes;
}
