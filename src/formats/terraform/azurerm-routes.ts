/**
 * Route tables in azurerm: `azurerm_route_table` with its inline `route`
 * blocks, `azurerm_route` resources, and `azurerm_subnet_route_table_association`.
 * A route or association that cannot be read is left out and named: a route
 * left out may have dropped or diverted packets the spec now routes plainly, so
 * it counts with resources of unknown kind, which widen.
 */
import {
  NEXT_HOP_TYPES,
  type NextHopType,
  type Route,
  type RouteTable,
} from "../../model/types.js";
import {
  leftOutRoute,
  routeTablesFrom,
  routeTablesPerReader,
  type TableDraft,
} from "../shared/route-table-drafts.js";
import { type AzurermReader, lower } from "./azurerm-reader.js";
import { AZURERM } from "./azurerm-schema.js";
import type { TfBlock } from "./values.js";

export const AZURERM_ROUTES = {
  table: "azurerm_route_table",
  route: "azurerm_route",
  association: "azurerm_subnet_route_table_association",
} as const;

const tables = routeTablesPerReader<AzurermReader>();
const leftOut = leftOutRoute;

export function readRouteTable(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  const name = r.omitting(leftOut(`route table ${address}`), () =>
    r.name(block, "name", "the route table is left out"),
  );
  const table: TableDraft = { name, ...r.location(block), routes: [] };
  // azurerm 4 writes bgp_route_propagation_enabled; azurerm 3, disable_bgp_route_propagation.
  const disabled = r.omitting(
    leftOut(`whether route table ${JSON.stringify(name)} stops gateway routes`),
    () => {
      const enabled = r.value(
        block,
        "bgp_route_propagation_enabled",
        "it is read as false, Azure's default",
        "warning",
        false,
      );
      const disable = r.value(
        block,
        "disable_bgp_route_propagation",
        "it is read as false, Azure's default",
        "warning",
        false,
      );
      if (typeof enabled === "boolean") return !enabled;
      return typeof disable === "boolean" ? disable : undefined;
    },
  );
  if (disabled !== undefined) table.disableBgpRoutePropagation = disabled;
  r.record(table, block, {
    name: "name",
    disableBgpRoutePropagation: r.isSet(block, "bgp_route_propagation_enabled")
      ? "bgp_route_propagation_enabled"
      : "disable_bgp_route_propagation",
  });
  const blocks = r.omitting(leftOut(`the routes ${address} makes when Terraform runs`), () =>
    r.knownBlocks(block, "route", "routes"),
  );
  for (const b of blocks)
    r.guarded(() => {
      table.routes.push(readRouteBlock(r, b, name));
    });
  const existing = tables(r).get(lower(name));
  if (existing) {
    // Routes declared as resources before their table in these files join it.
    table.routes.push(...existing.routes);
  }
  tables(r).set(lower(name), table);
}

export function readRoute(r: AzurermReader, block: TfBlock): void {
  const address = block.where().text;
  r.omitting(leftOut(`route ${address}`), () => {
    const tableName = r.name(block, "route_table_name", "the route is left out");
    const route = readRouteBlock(r, block, tableName);
    const table = tables(r).get(lower(tableName));
    if (!table) {
      r.report(
        "warning",
        "ParentNotDeclared",
        block.where("route_table_name"),
        `route table ${JSON.stringify(tableName)} is not declared in these files; the route is left out`,
        leftOut(`route ${JSON.stringify(route.name)} of route table ${JSON.stringify(tableName)}`),
      );
      return;
    }
    // A state lists a route resource's route in its table too: it is read once.
    const same = table.routes.findIndex((x) => lower(x.name) === lower(route.name));
    if (r.shown && same >= 0) table.routes[same] = route;
    else table.routes.push(route);
  });
}

/** A route: an inline `route` block or an `azurerm_route` (the same attributes). */
function readRouteBlock(r: AzurermReader, block: TfBlock, table: string): Route {
  return r.omitting(leftOut(`a route of route table ${JSON.stringify(table)}`), () => {
    const consequence = "the route is left out";
    const name = r.required(block, "name", consequence);
    const addressPrefix = r.required(block, "address_prefix", consequence);
    const given = r.required(block, "next_hop_type", consequence);
    const nextHopType = NEXT_HOP_TYPES.find((t) => lower(t) === lower(given));
    if (nextHopType === undefined)
      r.wrongType(block, "next_hop_type", `one of ${NEXT_HOP_TYPES.join(", ")}`);
    const hop = r.string(block, "next_hop_in_ip_address", consequence);
    const route: Route = {
      name,
      addressPrefix,
      nextHopType: nextHopType as NextHopType,
      ...(hop === undefined ? {} : { nextHopIpAddress: hop }),
    };
    r.record(route, block, {
      name: "name",
      addressPrefix: "address_prefix",
      nextHopType: "next_hop_type",
      nextHopIpAddress: "next_hop_in_ip_address",
    });
    return route;
  });
}

export function readSubnetRouteTableAssociation(r: AzurermReader, block: TfBlock): void {
  const consequence = "the association is left out";
  r.omitting(leftOut(`the route table association ${block.where().text}`), () => {
    const subnetValue = r.value(block, "subnet_id", consequence);
    if (subnetValue === undefined) r.missing(block, "subnet_id");
    const subnet = r.reference(block, "subnet_id", subnetValue, AZURERM.subnet);
    const tableValue = r.value(block, "route_table_id", consequence);
    if (tableValue === undefined) r.missing(block, "route_table_id");
    const table = r.reference(block, "route_table_id", tableValue, AZURERM_ROUTES.table);
    const vnet = subnet.parent === undefined ? undefined : r.vnetDraft(subnet.parent);
    const index = vnet?.subnets.findIndex((s) => lower(s.name) === lower(subnet.name)) ?? -1;
    const found = vnet?.subnets[index];
    if (!vnet || !found) {
      r.report(
        "warning",
        "ParentNotDeclared",
        block.where("subnet_id"),
        `subnet ${subnet.parent ?? "?"}/${subnet.name} is not declared in these files; ${consequence}`,
        leftOut(`the route table of subnet ${subnet.parent ?? "?"}/${subnet.name}`),
      );
      return;
    }
    const associated = {
      ...found,
      routeTable: r.modelRef(table, tables(r).has(lower(table.name))),
    };
    r.origins.carry(found, associated);
    r.origins.field(associated, "routeTable", r.at(block, "route_table_id"));
    vnet.subnets[index] = associated;
  });
}

/** What the topology holds of the route tables read: left out when there are none. */
export function routeTablesOf(r: AzurermReader): { routeTables?: RouteTable[] } {
  return routeTablesFrom(tables(r), r.origins);
}
