/**
 * A subnet's route table that no imported file declares (an existing table a
 * template refers to by id, a script's --route-table made elsewhere): its
 * routes are not known, so the reference is dropped and named, and the subnet
 * follows Azure's system routes in the spec. The routes left out may have
 * dropped or diverted packets the spec now lets through: the omission widens.
 */
import { type Diagnostic, warning } from "../../model/diagnostic.js";
import { referenced } from "../../model/resource-id.js";
import { refName, type Subnet, type Topology } from "../../model/types.js";
import { reporting } from "./left-out.js";
import type { Origins } from "./origins.js";

export function settleRouteTableReferences(
  topology: Topology,
  origins: Origins,
): { topology: Topology; diagnostics: Diagnostic[] } {
  const declared = new Set((topology.routeTables ?? []).map((t) => t.name.toLowerCase()));
  const diagnostics: Diagnostic[] = [];
  let changed = false;
  const virtualNetworks = topology.virtualNetworks.map((vnet, v) => {
    const subnets = vnet.subnets.map((subnet, s): Subnet => {
      if (subnet.routeTable === undefined) return subnet;
      const found = referenced(subnet.routeTable, "routeTables");
      // A reference of the wrong type is the model's to report.
      const name = found.problem === undefined ? found.name : refName(subnet.routeTable);
      if (found.problem !== undefined || declared.has(name.toLowerCase())) return subnet;
      changed = true;
      const location = origins.locate(subnet, ["routeTable"]);
      diagnostics.push(
        reporting(
          {
            ...warning(
              "RouteTableNotDeclared",
              `subnet ${vnet.name}/${subnet.name}: route table ${name} is declared by no imported file, so its routes are not known; the subnet is imported with Azure's system routes only`,
              ["virtualNetworks", v, "subnets", s, "routeTable"],
              "import what declares the route table too (its template, or az network route-table show output)",
            ),
            ...(location ? { location } : {}),
          },
          {
            kind: "resources",
            what: `the routes of route table ${name} on subnet ${vnet.name}/${subnet.name}`,
          },
        ),
      );
      const { routeTable: _, ...rest } = subnet;
      origins.carry(subnet, rest);
      return rest;
    });
    if (subnets.every((s, i) => s === vnet.subnets[i])) return vnet;
    const kept = { ...vnet, subnets };
    origins.carry(vnet, kept);
    return kept;
  });
  return changed
    ? { topology: { ...topology, virtualNetworks }, diagnostics }
    : { topology, diagnostics };
}
