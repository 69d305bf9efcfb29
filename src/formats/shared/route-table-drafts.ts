/**
 * Route tables as script and Terraform importers gather them: a table's
 * routes arrive one command or resource at a time, kept per reader.
 */
import type { Route, RouteTable } from "../../model/types.js";
import type { LeftOut } from "./left-out.js";
import type { Origins } from "./origins.js";

export interface TableDraft {
  name: string;
  location?: string;
  routes: Route[];
  disableBgpRoutePropagation?: boolean;
}

/** The route tables each reader has read, by lower-cased name. */
export function routeTablesPerReader<R extends object>(): (reader: R) => Map<string, TableDraft> {
  const tablesOf = new WeakMap<R, Map<string, TableDraft>>();
  return (reader) => {
    let found = tablesOf.get(reader);
    if (!found) {
      found = new Map();
      tablesOf.set(reader, found);
    }
    return found;
  };
}

/**
 * A route or table left out may have dropped or diverted packets the spec
 * now routes plainly: counted with resources of unknown kind, which widen.
 */
export const leftOutRoute = (what: string): LeftOut => ({ kind: "resources", what });

/** What the topology holds of the drafted tables, each keeping its source place: left out when none. */
export function routeTablesFrom(
  drafts: Map<string, TableDraft>,
  origins: Origins,
): { routeTables?: RouteTable[] } {
  if (drafts.size === 0) return {};
  return {
    routeTables: [...drafts.values()].map((d) => {
      const table: RouteTable = {
        name: d.name,
        ...(d.location === undefined ? {} : { location: d.location }),
        routes: d.routes,
        ...(d.disableBgpRoutePropagation === undefined
          ? {}
          : { disableBgpRoutePropagation: d.disableBgpRoutePropagation }),
      };
      origins.carry(d, table);
      return table;
    }),
  };
}
