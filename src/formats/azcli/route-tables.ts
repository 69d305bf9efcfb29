/**
 * `az network route-table create`, `network route-table route create`, and
 * the route table of `vnet subnet create|update --route-table`: route tables,
 * their routes, and the subnets that follow them.
 */
import { NEXT_HOP_TYPES, type Route, type RouteTable } from "../../model/types.js";
import {
  leftOutRoute,
  routeTablesFrom,
  routeTablesPerReader,
  type TableDraft,
} from "../shared/route-table-drafts.js";
import { type AzArgs, type AzCommand, type FlagPeek, NAME_FLAG } from "./arguments.js";
import { named } from "./network-security.js";
import type { AzCliReader } from "./reader.js";

const tables = routeTablesPerReader<AzCliReader>();
const leftOut = leftOutRoute;

export const ROUTE_TABLE_COMMANDS: Record<string, AzCommand> = {
  "network route-table create": {
    flags: {
      name: NAME_FLAG,
      disableBgp: { names: ["--disable-bgp-route-propagation"] },
    },
    leftOut: "the route table is left out",
    omits: (f) => leftOut(`route table ${named(f.text("name"))}`),
    run: tableCreate,
  },
  "network route-table route create": {
    flags: {
      table: { names: ["--route-table-name"], name: true },
      name: NAME_FLAG,
      prefix: { names: ["--address-prefix"] },
      hopType: { names: ["--next-hop-type"] },
      hopAddress: { names: ["--next-hop-ip-address"] },
    },
    leftOut: "the route is left out",
    omits: (f: FlagPeek) =>
      leftOut(`route ${named(f.text("name"))} of route table ${named(f.text("table"))}`),
    run: routeCreate,
  },
};

function tableCreate(reader: AzCliReader, args: AzArgs): void {
  const name = args.required("name");
  const disable = args.list("disableBgp");
  if (name === undefined || args.unknown) return;
  const table: TableDraft = { name, routes: [] };
  if (args.location !== undefined) table.location = args.location;
  // Given alone, the flag means true, as az reads it.
  if (disable !== undefined) {
    const text = disable[0]?.toLowerCase() ?? "true";
    if (text !== "true" && text !== "false") {
      args.report(
        "error",
        "InvalidValue",
        `--disable-bgp-route-propagation is true or false, not ${JSON.stringify(disable[0])}`,
        args.valueAt("disableBgp"),
      );
      return;
    }
    table.disableBgpRoutePropagation = text === "true";
  }
  reader.origins.record(table, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    disableBgpRoutePropagation: reader.at(args.givenAt("disableBgp")),
  });
  tables(reader).set(name.toLowerCase(), table);
}

function routeCreate(reader: AzCliReader, args: AzArgs): void {
  const tableName = args.required("table");
  const name = args.required("name");
  const addressPrefix = args.required("prefix");
  const hopType = args.required("hopType");
  const hopAddress = args.optional("hopAddress");
  if (
    tableName === undefined ||
    name === undefined ||
    addressPrefix === undefined ||
    hopType === undefined ||
    args.unknown
  )
    return;
  const nextHopType = NEXT_HOP_TYPES.find((t) => t.toLowerCase() === hopType.toLowerCase());
  if (nextHopType === undefined) {
    args.report(
      "error",
      "InvalidValue",
      `--next-hop-type is one of ${NEXT_HOP_TYPES.join(", ")}, not ${JSON.stringify(hopType)}`,
      args.valueAt("hopType"),
    );
    return;
  }
  const table = tables(reader).get(tableName.toLowerCase());
  if (!table) {
    reader.report(
      "warning",
      "ParentNotDeclared",
      `az network route-table route create: the script does not create route table ${JSON.stringify(tableName)}; the route is left out`,
      args.valueAt("table"),
      "create the route table in the script, or add it with its routes to the spec",
      leftOut(`route ${named(name)} of route table ${named(tableName)}`),
    );
    return;
  }
  const route: Route = {
    name,
    addressPrefix,
    nextHopType,
    ...(hopAddress === undefined || hopAddress === "" ? {} : { nextHopIpAddress: hopAddress }),
  };
  reader.origins.record(route, reader.at(args.at), {
    name: reader.at(args.valueAt("name")),
    addressPrefix: reader.at(args.valueAt("prefix")),
    nextHopType: reader.at(args.valueAt("hopType")),
    nextHopIpAddress: reader.at(args.givenAt("hopAddress")),
  });
  // A route of the same name replaces the one before, as az's create does.
  const same = table.routes.findIndex((r) => r.name.toLowerCase() === name.toLowerCase());
  if (same >= 0) table.routes[same] = route;
  else table.routes.push(route);
}

/** What the topology holds of the route tables the script creates: left out when none. */
export function routeTablesOf(reader: AzCliReader): { routeTables?: RouteTable[] } {
  return routeTablesFrom(tables(reader), reader.origins);
}
